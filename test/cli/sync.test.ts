/**
 * `daybook sync` as an operator runs it, configured by the environment, against the simulators and the
 * DynamoDB table on moto_server. A whole sync, and what it prints, through the real bin in a child
 * process; the refusals (settings, arguments, ids) and the exit code 3 in-process, through runCli with
 * functions/cli.ts's io and the same environment: a child process costs one to two CPU-seconds of tsx
 * and AWS SDK start-up (test/cli/preview.test.ts checks the bin answers as runCli does).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
// The bin's entry point, for what it loads first (zod's English messages); its main writes to this process's stdout.
import "../../functions/cli";
import { runCli } from "../../lib/cli/run";
import { generateDay } from "../../sandbox/square/generate-day";
import { createWorld, type World } from "../support/sync-world";

const BIN = new URL("../../bin/daybook.mjs", import.meta.url).pathname;
const run = promisify(execFile);
const DATE = "2025-06-14";
let world: World;
let environment: Record<string, string>;

beforeAll(async () => {
  world = await createWorld({ timeZone: "America/New_York" });
  const generated = generateDay({ seed: 5, sales: 120, date: DATE, timeZone: "America/New_York", locationId: "GENLOCATION01" });
  world.square.setCatalog(world.squareMerchantId, generated.catalog);
  world.square.addOrders("GENLOCATION01", generated.orders);
  const keyFile = join(mkdtempSync(join(tmpdir(), "daybook-")), "vault.key");
  writeFileSync(keyFile, world.vaultKey.toString("base64"), { mode: 0o600 });
  environment = {
    PATH: process.env.PATH ?? "",
    DAYBOOK_TABLE: world.tableName,
    DAYBOOK_DYNAMODB_ENDPOINT: inject("motoEndpoint"),
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    DAYBOOK_VAULT_KEY_FILE: keyFile,
    DAYBOOK_PUBLIC_URL: "https://daybook.test",
    DAYBOOK_OUTBOX_DIR: mkdtempSync(join(tmpdir(), "daybook-outbox-")),
    SQUARE_BASE_URL: world.square.url,
    SQUARE_CLIENT_ID: world.square.applicationId,
    SQUARE_CLIENT_SECRET: world.square.applicationSecret,
    CLOVER_APP_ID: "DAYBOOKCLIAPP",
    CLOVER_APP_SECRET: "clover-app-secret",
    QUICKBOOKS_BASE_URL: world.quickbooks.endpoints.apiBase,
    QUICKBOOKS_ENVIRONMENT: "sandbox",
    QUICKBOOKS_CLIENT_ID: world.quickbooks.clientId,
    QUICKBOOKS_CLIENT_SECRET: world.quickbooks.clientSecret,
    QUICKBOOKS_TOKEN_URL: world.quickbooks.endpoints.token,
    QUICKBOOKS_REVOKE_URL: world.quickbooks.endpoints.revoke,
    QUICKBOOKS_AUTHORIZE_URL: world.quickbooks.endpoints.authorize,
  };
});

afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  await world.close();
});

const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
afterAll(() => {
  if (savedCredentials.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = savedCredentials.id;
  if (savedCredentials.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = savedCredentials.secret;
});

/** The command in-process, given `env` as its environment; the AWS SDK finds the credentials where it looks, in the process environment. */
async function inProcess(args: string[], env: Record<string, string>) {
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    readFile: () => Promise.reject(new Error("sync reads no files")),
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    stderrIsTerminal: false,
    environment: env,
  });
  return { code, stdout, stderr };
}

/** The real bin in a child process, `env` its whole environment. */
async function daybook(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What the real bin printed in this file's runs of it, for the check that it never prints a token. */
const printedByBin: string[] = [];

describe("daybook sync", () => {
  const args = () => ["sync", "--merchant", world.merchantId, "--location", "GENLOCATION01", "--date", DATE];

  it("posts the day, then finds nothing new to post", async () => {
    const first = await daybook(args(), environment);
    printedByBin.push(first.stdout + first.stderr);
    // On Node 20 the AWS SDK warns that it will need Node 22 from 2027; daybook itself says nothing.
    expect(first.stderr).not.toMatch(/daybook:/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Location GENLOCATION01, business day 2025-06-14: posted as journal entry DB250614-[0-9A-Z]{6} \(QuickBooks Id \d+\) dated 2025-06-14/);
    const second = await daybook(args(), environment);
    printedByBin.push(second.stdout + second.stderr);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("already posted and unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  });

  it("says which setting is missing, in plain words and one line, and exits 2", async () => {
    const { DAYBOOK_TABLE: _table, ...withoutTable } = environment;
    const { code, stdout, stderr } = await inProcess(args(), withoutTable);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe("daybook: DAYBOOK_TABLE is not set.");
    const { QUICKBOOKS_CLIENT_ID: _id, QUICKBOOKS_CLIENT_SECRET: _secret, ...withoutClient } = withoutTable;
    expect((await inProcess(args(), withoutClient)).stderr.trim()).toBe("daybook: DAYBOOK_TABLE, QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET are not set.");
    const badUrl = await inProcess(args(), { ...environment, SQUARE_BASE_URL: "squareup" });
    expect(badUrl.stderr.trim()).toBe("daybook: SQUARE_BASE_URL must be a URL, like https://example.com.");
  });

  it("reports a mistake in the arguments before any in the environment", async () => {
    const bare = { PATH: process.env.PATH ?? "" };
    const withoutLocation = await inProcess(["sync", "--merchant", world.merchantId, "--date", DATE], bare);
    expect(withoutLocation).toMatchObject({ code: 2, stdout: "", stderr: "daybook: --location is required (see daybook sync --help)\n" });
    const badDate = await inProcess(["sync", "--merchant", "m", "--location", "L", "--date", "14/06/2025"], bare);
    expect(badDate.stderr).toBe('daybook: --date must be a date, YYYY-MM-DD, not "14/06/2025"\n');
    const typo = await inProcess(["sync", "--merchnat", "m"], bare);
    expect(typo.stderr).toMatch(/^daybook: Unknown option '--merchnat'.*\(see daybook sync --help\)\n$/);
  });

  it("refuses a merchant or location id that is not an id as bad input (exit 2), not as an unexpected error from the table's keys", async () => {
    const merchant = await inProcess(["sync", "--merchant", `${world.merchantId}#x`, "--location", "GENLOCATION01", "--date", DATE], environment);
    expect(merchant).toMatchObject({ code: 2, stdout: "" });
    expect(merchant.stderr).toMatch(/^daybook: --merchant must be a daybook merchant id .*, not ".*#x"\n$/);
    const location = await inProcess(["sync", "--merchant", world.merchantId, "--location", "GENLOCATION01#x", "--date", DATE], environment);
    expect(location).toMatchObject({ code: 2, stdout: "", stderr: 'daybook: --location must be a Square location id or a Clover merchant id (letters and digits), not "GENLOCATION01#x"\n' });
  });

  // The bin's whole sync and its run that finds nothing new, above: a third run of the same sync would
  // print what the second did, for another 3 CPU-seconds of child process. Run alone (-t), it syncs once.
  it("never prints a token or a secret", async () => {
    if (printedByBin.length === 0) {
      const { stdout, stderr } = await daybook(args(), environment);
      printedByBin.push(stdout + stderr);
    }
    for (const printed of printedByBin) {
      expect(printed).not.toContain(world.quickbooks.clientSecret);
      expect(printed).not.toMatch(/access_token|refresh_token|Bearer/i);
    }
  });

  it("says a day posted before whose check for later changes failed is posted, with its entry and why, and exits 3", async () => {
    const fault = world.square.injectFaults({ endpoint: "SearchOrders", fault: { kind: "401" } });
    try {
      const failed = await inProcess(args(), environment);
      expect(failed.code).toBe(3);
      expect(failed.stdout).toMatch(
        /^Location GENLOCATION01, business day 2025-06-14: posted; the check for later changes failed \(needs-reconnect\)\. Its journal entry DB250614-[0-9A-Z]{6} stands in QuickBooks; a change since is not posted\. \S/,
      );
      expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    } finally {
      fault.remove();
    }
  });
});
