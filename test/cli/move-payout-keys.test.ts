/**
 * `daybook move-payout-keys` as an operator runs it, against the table on moto_server: it says what it
 * does with --help, refuses a wrong argument or a location it cannot move in one sentence (exit 2,
 * nothing changed), moves a Square location's payout records to their keys by creation and says so,
 * and says there is nothing to do when run again or before the location's first night.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../../lib/cli/run";
import type { LocationConfig, PayoutRecord } from "../../lib/model";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";
import { cloverMapping, squareMapping } from "../support/fixtures";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";

const BIN = new URL("../../bin/daybook.mjs", import.meta.url).pathname;
const run = promisify(execFile);
const endpoint = inject("motoEndpoint");
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(endpoint)));
const AT = "2025-06-18T09:00:00.000Z";
let storage: Storage;
let environment: Record<string, string>;
const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  const tableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName });
  environment = {
    PATH: process.env.PATH ?? "", DAYBOOK_TABLE: tableName, DAYBOOK_DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing",
  };
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});

afterAll(() => {
  dynamo.destroy();
  if (savedCredentials.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = savedCredentials.id;
  if (savedCredentials.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = savedCredentials.secret;
});

async function aLocation(source: "square" | "clover" = "square"): Promise<LocationConfig> {
  const location: LocationConfig = {
    merchantId: `m-${randomUUID()}`, locationId: `L${randomBytes(6).toString("hex").toUpperCase()}`, source, name: "Mission St", posConnectionId: "c-pos",
    quickbooksConnectionId: "c-qb", timeZone: "America/New_York", dayStart: "00:00", currency: "USD",
    mapping: source === "square" ? squareMapping() : cloverMapping(), updatedAt: AT,
  };
  await storage.store.putLocation(location);
  return location;
}

function aPayout(location: LocationConfig, id: string): Omit<PayoutRecord, "version"> {
  const summary = summaryOfPayout(payoutOf({ id, locationId: location.locationId, amount: 9700, arrivalDate: "2025-06-17", createdAt: "2025-06-16T21:30:00Z" }), [
    entry("CHARGE", "2025-06-16T16:00:00Z", 10_000, 300),
  ]);
  return {
    merchantId: location.merchantId, locationId: location.locationId, payoutTag: summary.tag, state: "nothing-to-post", summary, posted: [], warnings: [],
    updatedAt: AT, expiresAt: "2026-07-18T00:00:00.000Z",
  };
}

async function cli(...args: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await runCli(args, {
    readFile: () => Promise.reject(new Error("the command reads no file")),
    stdout: (text) => { out.stdout += text; },
    stderr: (text) => { out.stderr += text; },
    environment,
  });
  return { code, ...out };
}

describe("daybook move-payout-keys", () => {
  it("says what it does with --help, through the installed command", async () => {
    const { stdout } = await run(process.execPath, [BIN, "move-payout-keys", "--help"], { env: { ...environment, NODE_NO_WARNINGS: "1" } });
    expect(stdout).toContain("daybook move-payout-keys --merchant ID --location ID");
    expect(stdout).toContain("Moves a Square location's payout records to their keys by creation");
    expect((await cli("--help")).stdout).toContain("daybook move-payout-keys");
  });

  it("refuses a missing or malformed argument, an unknown location and a Clover one, in one sentence, changing nothing", async () => {
    const clover = await aLocation("clover");
    const square = await aLocation();
    const refusals: [string[], string | RegExp][] = [
      [["--location", square.locationId], "daybook: --merchant is required (see daybook move-payout-keys --help)\n"],
      [["--merchant", square.merchantId], "daybook: --location is required (see daybook move-payout-keys --help)\n"],
      [["--merchant", square.merchantId, "--location", "L 1; drop"], `daybook: --location must be a Square location id or a Clover merchant id (letters and digits), not "L 1; drop"\n`],
      [["--merchant", square.merchantId, "--location", square.locationId, "--all"], /^daybook: Unknown option '--all'.*\(see daybook move-payout-keys --help\)\n$/],
      [["--merchant", square.merchantId, "--location", "L8NOSUCHPLACE"], `daybook: merchant ${square.merchantId} has no location L8NOSUCHPLACE; nothing was changed\n`],
      [["--merchant", clover.merchantId, "--location", clover.locationId],
        `daybook: location ${clover.locationId} is a Clover location, which keeps no payout records; nothing was changed\n`],
    ];
    for (const [args, said] of refusals) {
      const { code, stdout, stderr } = await cli("move-payout-keys", ...args);
      expect({ code, stdout }, args.join(" ")).toEqual({ code: 2, stdout: "" });
      if (typeof said === "string") expect(stderr).toBe(said);
      else expect(stderr).toMatch(said);
    }
    expect(await storage.payouts.getCheck(square.merchantId, square.locationId)).toBeUndefined();
  });

  it("moves a location's records and says how many; run again, there is nothing to do; before its first night, nothing to move (its first night keys them by creation)", async () => {
    const location = await aLocation();
    const args = ["move-payout-keys", "--merchant", location.merchantId, "--location", location.locationId];
    expect(await cli(...args)).toEqual({
      code: 0, stderr: "", stdout: `Location ${location.locationId} has not posted payouts yet: nothing to move; its first night keys its records by creation.\n`,
    });
    expect(await storage.payouts.getCheck(location.merchantId, location.locationId)).toBeUndefined();
    const first = await storage.payouts.savePayout(aPayout(location, "po_first"), 0);
    const second = await storage.payouts.savePayout(aPayout(location, "po_second"), 0);
    await storage.payouts.saveCheck({ merchantId: location.merchantId, locationId: location.locationId, readFrom: AT, lastRunAt: AT }, 0);

    expect(await cli(...args)).toEqual({
      code: 0, stderr: "", stdout: `Moved 2 payout records of location ${location.locationId} to their keys by creation; its nights and digests read them there from now on.\n`,
    });
    for (const record of [first, second]) {
      expect(await storage.payouts.getPayout(location.merchantId, location.locationId, record.payoutTag)).toBeUndefined();
      expect(await storage.payouts.getPayout(location.merchantId, location.locationId, record.payoutTag, record.summary.createdAt)).toEqual(record);
    }
    expect(await cli(...args)).toEqual({
      code: 0, stderr: "", stdout: `Location ${location.locationId}'s payout records were moved to their keys by creation before: nothing to do.\n`,
    });
  });
});
