/**
 * The local stack end to end: `npm start -- --smoke` passes (main.ts's command, run in this process),
 * the smoke run notices a step that fails, and a restart on the same data folder keeps the session,
 * the connections, the simulators' grants (so the stored tokens still work) and the QuickBooks books.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runLocalStackCommand } from "../../sandbox/local-stack/cli";
import { DEMO } from "../../sandbox/local-stack/demo";
import { openTokens } from "../../lib/oauth/tokens";
import { DEFAULT_ACCOUNT_IDS } from "../../sandbox/quickbooks/server";
import { connectionWorks, DEMO_ACCOUNTS, runSmoke, SMOKE_EMAIL } from "../../sandbox/local-stack/smoke";
import { type LocalStack, PortInUseError, startLocalStack } from "../../sandbox/local-stack/stack";
import { WebClient } from "../../sandbox/local-stack/web-client";

const FREE_PORTS = { web: 0, square: 0, clover: 0, quickbooks: 0 };
const quiet = () => undefined;

let folders: string[] = [];
let stacks: LocalStack[] = [];

async function dataFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "daybook-local-stack-"));
  folders.push(folder);
  return folder;
}

async function start(dataDir: string, ports: Partial<LocalStack["ports"]> = FREE_PORTS): Promise<LocalStack> {
  const stack = await startLocalStack({ dataDir, ports, log: quiet });
  stacks.push(stack);
  return stack;
}

async function stop(stack: LocalStack): Promise<void> {
  stacks = stacks.filter((running) => running !== stack);
  await stack.close();
}

/** Posts a small balanced journal entry to the demo company with the merchant's stored QuickBooks token, as a sync would. */
async function postEntry(stack: LocalStack, docNumber: string): Promise<string> {
  const merchant = await stack.deps.store.findMerchantByEmail(SMOKE_EMAIL);
  const connection = (await stack.deps.store.listConnections(merchant?.merchantId ?? "")).find((candidate) => candidate.provider === "quickbooks");
  if (!connection) throw new Error("no QuickBooks connection");
  const { accessToken } = await openTokens(stack.deps.vault, connection);
  const line = (postingType: string, accountId: string) => ({ Amount: 12.5, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: postingType, AccountRef: { value: accountId } } });
  const realm = DEMO.quickbooks.realmId;
  const response = await fetch(`${stack.quickbooks.endpoints.apiBase}/v3/company/${realm}/journalentry?minorversion=75&requestid=${docNumber}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ TxnDate: "2025-03-14", DocNumber: docNumber, Line: [line("Debit", DEFAULT_ACCOUNT_IDS.cardClearing), line("Credit", DEFAULT_ACCOUNT_IDS.sales)] }),
  });
  const body = (await response.json()) as { JournalEntry?: { Id?: string } };
  expect(response.status).toBe(200);
  return body.JournalEntry?.Id ?? "";
}

afterEach(async () => {
  await Promise.all(stacks.map((stack) => stack.close()));
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  stacks = [];
  folders = [];
});

describe("npm start -- --smoke", () => {
  it("starts the stack, signs in through the outbox, connects Square, QuickBooks and Clover, goes live from yesterday, and exits 0", async () => {
    let stdout = "";
    const code = await runLocalStackCommand(["--smoke"], { out: (text) => (stdout += text), err: (text) => (stdout += text) });
    const lines = stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("FAIL"))).toEqual([]);
    expect(lines.filter((line) => line.startsWith("ok")).map((line) => line.replace(/ \(http:\/\/localhost:\d+\)$/, ""))).toEqual([
      "ok    start the local stack",
      "ok    the web app answers",
      "ok    sign in through the link in the outbox",
      "ok    connect Square through its consent page",
      "ok    connect QuickBooks through its consent page",
      "ok    connect Clover through its consent page",
      "ok    go live with the Square location from yesterday (set up, mapping and preview, start), and email its one summary",
    ]);
    expect(lines.at(-1)).toBe("smoke passed: 7 steps");
    expect(code).toBe(0);
  });

  it("reports the step that fails, and skips the sync that needs it", async () => {
    const stack = await start(await dataFolder());
    // QuickBooks' token endpoint refuses the code exchange: the connection cannot be made.
    stack.quickbooks.injectFaults({ match: "token", fault: { kind: "500" }, times: 10 });
    const steps = await runSmoke(stack);
    expect(steps.filter((step) => !step.ok).map((step) => step.name)).toEqual(["connect QuickBooks through its consent page"]);
    expect(steps).toHaveLength(5);
  });
});

describe("starting the local stack", () => {
  it("stops with a sentence naming the port when one is taken, and closes what it had opened", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const dataDir = await dataFolder();
      const refused = await startLocalStack({ dataDir, ports: { ...FREE_PORTS, clover: taken }, log: quiet }).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(PortInUseError);
      expect((refused as Error).message).toContain(`port ${String(taken)} for the Clover simulator is in use`);
      // The table's files were closed (LevelDB locks its folder while open): the same folder starts again.
      const stack = await start(dataDir);
      expect((await fetch(`${stack.square.url}/v2/locations`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("restarting the local stack", () => {
  it("keeps the session, the connections, the simulators' grants and the QuickBooks books", async () => {
    const dataDir = await dataFolder();
    const first = await start(dataDir);
    const client = new WebClient(first.url);
    await client.signIn(SMOKE_EMAIL, first.outboxDir);
    await client.connect("square", DEMO_ACCOUNTS.square.account);
    await client.connect("quickbooks", DEMO_ACCOUNTS.quickbooks.account);
    await client.connect("clover", DEMO_ACCOUNTS.clover.account, DEMO_ACCOUNTS.clover.region);
    expect(await connectionWorks(first, SMOKE_EMAIL, "square")).toBe(true);
    const firstEntry = await postEntry(first, "DB-LOCAL-1");
    const formToken = await client.formToken();
    await stop(first);
    expect((await readdir(join(dataDir, "simulators"))).sort()).toEqual(["clover.json", "credentials.json", "quickbooks.json", "square.json"]);

    const second = await start(dataDir, first.ports);
    expect(second.url).toBe(first.url);
    const page = await client.get("/connections");
    await page.arrayBuffer();
    expect(page.status).toBe(200);
    // The same form token: the same session, not a new one.
    expect(await client.formToken()).toBe(formToken);
    for (const provider of ["square", "quickbooks", "clover"] as const) expect(await connectionWorks(second, SMOKE_EMAIL, provider)).toBe(true);
    expect(second.quickbooks.journalEntries(DEMO.quickbooks.realmId).map((entry) => entry.DocNumber)).toEqual(["DB-LOCAL-1"]);
    // Ids go on from where the first run left them, and a replayed requestid answers the first entry.
    const nextEntry = await postEntry(second, "DB-LOCAL-2");
    expect(Number(nextEntry)).toBeGreaterThan(Number(firstEntry));
    expect(await postEntry(second, "DB-LOCAL-1")).toBe(firstEntry);
    expect(second.quickbooks.journalEntries(DEMO.quickbooks.realmId)).toHaveLength(2);
  });

  it("without the saved grants, the stored tokens would not work: the check can fail", async () => {
    const dataDir = await dataFolder();
    const first = await start(dataDir);
    const client = new WebClient(first.url);
    await client.signIn(SMOKE_EMAIL, first.outboxDir);
    await client.connect("square", DEMO_ACCOUNTS.square.account);
    await stop(first);
    await rm(join(dataDir, "simulators", "square.json"));

    const second = await start(dataDir, first.ports);
    expect(await connectionWorks(second, SMOKE_EMAIL, "square")).toBe(false);
  });
});
