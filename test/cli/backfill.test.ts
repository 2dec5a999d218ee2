/**
 * `daybook backfill` as an operator runs it, against the table and a FIFO queue on moto_server. The
 * worker is stood in for by this test (it reads the queue and records each day's outcome), because
 * the progress bar is what is under test here; the worker's own tests record progress for real.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../../lib/cli/run";
import { addDays, businessDayOf } from "../../lib/domain/business-day";
import { recordBackfillProgress } from "../../lib/schedule/backfill";
import { firstDayDueAfter } from "../../lib/schedule/due-days";
import { syncJobSchema } from "../../lib/schedule/job";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import type { LocationConfig } from "../../lib/model";
import type { Store } from "../../lib/store/store";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";
import { squareMapping } from "../support/fixtures";
import { createFifoQueue, drainQueue } from "../support/queue";

const BIN = new URL("../../bin/daybook.mjs", import.meta.url).pathname;
const run = promisify(execFile);
const endpoint = inject("motoEndpoint");
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(endpoint)));
const sqs = new SQSClient(awsClientConfig(endpoint));
const TIME_ZONE = "America/New_York";
let tableName = "";
let store: Store;
let storage: Storage;
let queueUrl = "";
let environment: Record<string, string>;
const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName });
  store = storage.store;
  queueUrl = await createFifoQueue(sqs);
  environment = {
    PATH: process.env.PATH ?? "",
    DAYBOOK_TABLE: tableName,
    DAYBOOK_DYNAMODB_ENDPOINT: endpoint,
    DAYBOOK_QUEUE_URL: queueUrl,
    DAYBOOK_SQS_ENDPOINT: endpoint,
    DAYBOOK_WATCH_INTERVAL_MS: "20",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
  };
  // The in-process runs' SDK clients find credentials where the AWS SDK looks: the process environment.
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});

afterAll(() => {
  dynamo.destroy();
  sqs.destroy();
  if (savedCredentials.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = savedCredentials.id;
  if (savedCredentials.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = savedCredentials.secret;
});

async function aLocation(): Promise<LocationConfig> {
  const merchantId = `m-${randomUUID()}`;
  const connection = await store.putConnection({
    merchantId, connectionId: `c-${randomUUID()}`, provider: "quickbooks", status: "active", externalId: "9130357992219876",
    tokenCiphertext: "v1.iv.tag.ciphertext", createdAt: "2025-06-01T00:00:00.000Z", updatedAt: "2025-06-01T00:00:00.000Z",
  });
  const location: LocationConfig = {
    merchantId, locationId: `L-${randomUUID()}`, source: "square", name: "Mission St", posConnectionId: "c-square",
    quickbooksConnectionId: connection.connectionId, timeZone: TIME_ZONE, dayStart: "00:00", currency: "USD",
    mapping: squareMapping(), updatedAt: "2025-06-01T00:00:00.000Z",
  };
  await store.putLocation(location);
  return location;
}

/** The last four settled days, by the real clock the CLI uses. */
function lastFourDays(): { from: string; to: string } {
  const to = addDays(firstDayDueAfter(new Date(), { timeZone: TIME_ZONE, dayStart: "00:00", settleMinutes: 120 }), -1);
  return { from: addDays(to, -3), to };
}

/** Stands in for the worker: takes the backfill's jobs off the queue and records them one by one, failing `failDay`. */
async function workThrough(jobCount: number, failDay: string): Promise<void> {
  let recorded = 0;
  for (let polls = 0; recorded < jobCount && polls < 400; polls++) {
    const jobs = (await drainQueue(sqs, queueUrl)).map((message) => syncJobSchema.parse(message.body));
    for (const job of jobs) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      await recordBackfillProgress(storage, job.merchantId, job.backfillId ?? "", job.businessDay === failDay ? "failed" : "done");
      recorded++;
    }
    if (jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function captureIo(stderrIsTerminal: boolean) {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      readFile: () => Promise.reject(new Error("the backfill command reads no file")),
      stdout: (text: string) => { out.stdout += text; },
      stderr: (text: string) => { out.stderr += text; },
      stderrIsTerminal,
      environment,
    },
  };
}

const progressPattern = /^\[[#-]{30}\] (\d)\/4 days \((\d) done, (\d) failed\)$/;

describe("daybook backfill", () => {
  it("queues the days and, watched from a pipe, prints one progress line per change until all are done", async () => {
    const location = await aLocation();
    const { from, to } = lastFourDays();
    const worker = workThrough(4, addDays(from, 1));
    let result: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, "backfill", "--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", to, "--watch"], {
        // The AWS SDK warns on stderr that its 2027 releases need Node 22; only daybook's lines are under test.
        env: { ...environment, NODE_NO_WARNINGS: "1" },
      });
      result = { code: 0, stdout, stderr };
    } catch (error) {
      result = error as { code: number; stdout: string; stderr: string };
    }
    await worker;

    expect(result.stdout).toMatch(new RegExp(`^Backfill [0-9a-f-]{36} queued: 4 days of location ${location.locationId}, ${from} to ${to}\\.\\n$`));
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.every((line) => progressPattern.test(line)), result.stderr).toBe(true);
    expect(lines[0]).toBe(`[${"-".repeat(30)}] 0/4 days (0 done, 0 failed)`);
    expect(lines.at(-1)).toBe(`[${"#".repeat(30)}] 4/4 days (3 done, 1 failed)`);
    const ended = lines.map((line) => Number(progressPattern.exec(line)?.[1]));
    // Strictly increasing: a line only when something changed.
    expect(ended.every((count, index) => index === 0 || count > (ended[index - 1] ?? 0))).toBe(true);
    expect(result.code).toBe(3);
  });

  it("redraws the bar in place on a terminal and ends with a newline", async () => {
    const location = await aLocation();
    const { from, to } = lastFourDays();
    const { io, out } = captureIo(true);
    const worker = workThrough(4, "no day fails");
    const code = await runCli(["backfill", "--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", to, "--watch"], io);
    await worker;

    expect(code).toBe(0);
    expect(out.stderr.startsWith(`\r[${"-".repeat(30)}] 0/4 days (0 done, 0 failed)\u001b[K`)).toBe(true);
    expect(out.stderr.endsWith(`\r[${"#".repeat(30)}] 4/4 days (4 done, 0 failed)\u001b[K\n`)).toBe(true);
    expect(out.stderr.split("\n")).toHaveLength(2);
  });

  it("only queues without --watch, and prints nothing on stderr", async () => {
    const location = await aLocation();
    const { to } = lastFourDays();
    const { io, out } = captureIo(false);
    expect(await runCli(["backfill", "--merchant", location.merchantId, "--location", location.locationId, "--from", to, "--to", to], io)).toBe(0);
    expect(out.stdout).toContain(`1 day of location ${location.locationId}, ${to} to ${to}.`);
    expect(out.stderr).toBe("");
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(1);
  });

  it("exits 2 with one line on bad input", async () => {
    const location = await aLocation();
    const { from, to } = lastFourDays();
    const today = businessDayOf(Date.now(), TIME_ZONE, "00:00");
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--location", location.locationId, "--from", from, "--to", to], environment, /^daybook: --merchant is required/],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", to, "--to", from], environment, /^daybook: the range starts \(\d{4}-\d\d-\d\d\) after it ends/],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", addDays(today, -91), "--to", to], environment, /^daybook: a backfill reaches back at most 90 days/],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", today], environment, /^daybook: \d{4}-\d\d-\d\d is not yet over and settled/],
      [["--merchant", location.merchantId, "--location", "L-missing", "--from", from, "--to", to], environment, /^daybook: merchant m-[0-9a-f-]+ has no location L-missing\n$/],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", "yesterday", "--to", to], environment, /^daybook: --from must be a date, YYYY-MM-DD, not "yesterday"$/m],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", to, "--wacth"], environment, /^daybook: Unknown option '--wacth'/],
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", to], { ...environment, DAYBOOK_QUEUE_URL: "" }, /^daybook: DAYBOOK_QUEUE_URL is not set\.$/m],
      // An argument mistake is reported before the environment's.
      [["--merchant", location.merchantId, "--location", location.locationId, "--from", from, "--to", "someday"], { PATH: "" }, /^daybook: --to must be a date, YYYY-MM-DD, not "someday"$/m],
      [["--location", location.locationId, "--from", from, "--to", to], { PATH: "" }, /^daybook: --merchant is required \(see daybook backfill --help\)$/m],
    ];
    for (const [args, env, message] of cases) {
      const { io, out } = captureIo(false);
      const code = await runCli(["backfill", ...args], { ...io, environment: env });
      expect({ code, lines: out.stderr.split("\n").length }, out.stderr).toEqual({ code: 2, lines: 2 });
      expect(out.stderr).toMatch(message);
      expect(out.stdout).toBe("");
    }
    expect(await drainQueue(sqs, queueUrl)).toEqual([]);
  });
});
