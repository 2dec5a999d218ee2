/**
 * Backfills on moto_server: the request checked against the location's own calendar, its progress
 * item in the real table, its jobs on a real FIFO queue.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  BackfillError, type BackfillDeps, backfillableDays, getBackfill, listBackfills, MAX_BACKFILLS_PER_DAY, recordBackfillProgress, requestBackfill,
} from "../../lib/schedule/backfill";
import { deduplicationIdOf, messageGroupOf, syncJobSchema } from "../../lib/schedule/job";
import { createDynamoStorage } from "../../lib/store/storage";
import type { LocationConfig } from "../../lib/model";
import type { Store } from "../../lib/store/store";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";
import { squareMapping } from "../support/fixtures";
import { createFifoQueue, drainQueue } from "../support/queue";
import { createSqsJobQueue } from "../../lib/schedule/enqueue";

const endpoint = inject("motoEndpoint");
// One request at a time: moto does not serialise updates to an item as DynamoDB does (see aws.ts).
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(endpoint)));
const sqs = new SQSClient(awsClientConfig(endpoint));
const REALM = "4620816365212345678";
// 11:00 in New York: 06-14 ended at 04:00Z and settled at 06:00Z; 06-15 is today.
const NOW = new Date("2025-06-15T15:00:00.000Z");
let tableName = "";
let store: Store;
let queueUrl = "";
let deps: BackfillDeps;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  const storage = createDynamoStorage({ client: dynamo, tableName });
  store = storage.store;
  queueUrl = await createFifoQueue(sqs);
  deps = { ...storage, queue: createSqsJobQueue(sqs, queueUrl) };
});

afterAll(() => {
  dynamo.destroy();
  sqs.destroy();
});

async function aLocation(quickBooksStatus: "active" | "needs-reconnect" = "active"): Promise<LocationConfig> {
  const merchantId = `m-${randomUUID()}`;
  const connection = await store.putConnection({
    merchantId, connectionId: `c-${randomUUID()}`, provider: "quickbooks", status: "active", externalId: REALM,
    tokenCiphertext: "v1.iv.tag.ciphertext", createdAt: "2025-06-01T00:00:00.000Z", updatedAt: "2025-06-01T00:00:00.000Z",
  });
  if (quickBooksStatus !== "active") await store.setConnectionStatus(merchantId, connection.connectionId, quickBooksStatus, "the refresh token expired");
  const location: LocationConfig = {
    merchantId, locationId: `L-${randomUUID()}`, source: "square", name: "Mission St", posConnectionId: "c-square",
    quickbooksConnectionId: connection.connectionId, timeZone: "America/New_York", dayStart: "00:00", currency: "USD",
    mapping: squareMapping(), updatedAt: "2025-06-01T00:00:00.000Z",
  };
  await store.putLocation(location);
  return location;
}

const request = (location: LocationConfig, from: string, to: string) => ({
  merchantId: location.merchantId, locationId: location.locationId, from, to, requestedBy: "merchant" as const,
});

describe("backfills", () => {
  it("queues one backfill job per day, oldest first, in the company's group, and counts them as they end", async () => {
    const location = await aLocation();
    const progress = await requestBackfill(deps, request(location, "2025-06-10", "2025-06-14"), NOW);
    expect(progress).toMatchObject({ total: 5, done: 0, failed: 0, complete: false, from: "2025-06-10", to: "2025-06-14", requestedBy: "merchant" });

    const received = await drainQueue(sqs, queueUrl);
    const jobs = received.map((message) => syncJobSchema.parse(message.body));
    expect(jobs.map((job) => job.businessDay)).toEqual(["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]);
    for (const [index, job] of jobs.entries()) {
      expect(job).toMatchObject({ merchantId: location.merchantId, locationId: location.locationId, kind: "backfill", backfillId: progress.backfillId });
      expect(received[index]?.groupId).toBe(messageGroupOf(REALM));
      expect(received[index]?.deduplicationId).toBe(deduplicationIdOf(job));
    }

    await Promise.all(["done", "done", "failed", "done"].map((outcome) => recordBackfillProgress(deps, location.merchantId, progress.backfillId, outcome as "done" | "failed")));
    expect(await getBackfill(deps, location.merchantId, progress.backfillId)).toMatchObject({ done: 3, failed: 1, complete: false });
    expect(await recordBackfillProgress(deps, location.merchantId, progress.backfillId, "done")).toMatchObject({ done: 4, failed: 1, complete: true });
    // A job recorded once too often does not count past the total.
    expect(await recordBackfillProgress(deps, location.merchantId, progress.backfillId, "failed")).toMatchObject({ done: 4, failed: 1, total: 5 });
  });

  it("counts each day once, however often and however concurrently it is recorded", async () => {
    const location = await aLocation();
    const progress = await requestBackfill(deps, request(location, "2025-06-12", "2025-06-14"), NOW);
    await drainQueue(sqs, queueUrl);
    const record = (day: string, outcome: "done" | "failed") => recordBackfillProgress(deps, location.merchantId, progress.backfillId, outcome, day);
    await Promise.all([record("2025-06-12", "done"), record("2025-06-12", "done"), record("2025-06-13", "failed")]);
    // A day recorded again, even with another outcome, changes nothing.
    expect(await record("2025-06-13", "done")).toMatchObject({ done: 1, failed: 1, complete: false });
    expect(await record("2025-06-12", "done")).toMatchObject({ done: 1, failed: 1, complete: false });
    expect(await record("2025-06-14", "done")).toMatchObject({ total: 3, done: 2, failed: 1, complete: true });
    expect(await record("2025-06-14", "done")).toMatchObject({ total: 3, done: 2, failed: 1, complete: true });
  });

  it("lists a merchant's backfills, newest first, and no one else's", async () => {
    const location = await aLocation();
    const older = await requestBackfill(deps, request(location, "2025-06-01", "2025-06-02"), new Date(NOW.getTime() - 60_000));
    const newer = await requestBackfill(deps, request(location, "2025-06-10", "2025-06-14"), NOW);
    await requestBackfill(deps, request(await aLocation(), "2025-06-10", "2025-06-14"), NOW);
    await drainQueue(sqs, queueUrl);
    const listed = await listBackfills(deps, location.merchantId);
    expect(listed.map((each) => each.backfillId)).toEqual([newer.backfillId, older.backfillId]);
    expect(listed[0]).toMatchObject({ total: 5, done: 0, complete: false, locationId: location.locationId });
    expect(await listBackfills(deps, location.merchantId, 1)).toHaveLength(1);
  });

  it("tells which field a refusal is about, and which days can be backfilled now", async () => {
    const location = await aLocation();
    const fieldOf = (from: string, to: string) => requestBackfill(deps, request(location, from, to), NOW).then(() => "accepted", (error: unknown) => (error as BackfillError).field);
    expect(await fieldOf("2025-06-12", "2025-06-11")).toBe("to");
    expect(await fieldOf("2025-06-10", "2025-06-15")).toBe("to");
    expect(await fieldOf("2025-03-16", "2025-06-14")).toBe("from");
    expect(await fieldOf("2025-6-1", "2025-06-14")).toBe("from");
    expect(await backfillableDays(deps, location, NOW)).toEqual({ earliest: "2025-03-17", latest: "2025-06-14" });
    expect(await backfillableDays(deps, location, new Date("2025-06-15T05:59:00.000Z"))).toEqual({ earliest: "2025-03-17", latest: "2025-06-13" });
  });

  it("accepts exactly the last settled day and the day 90 days back", async () => {
    const location = await aLocation();
    const progress = await requestBackfill(deps, request(location, "2025-03-17", "2025-06-14"), NOW);
    expect(progress.total).toBe(90);
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(90);
  });

  it("refuses ranges it cannot carry out, each with a sentence that says why", async () => {
    const location = await aLocation();
    const refusal = (from: string, to: string, now = NOW) => requestBackfill(deps, request(location, from, to), now);
    await expect(refusal("2025-06-12", "2025-06-11")).rejects.toThrow(new BackfillError("the range starts (2025-06-12) after it ends (2025-06-11)", "to"));
    await expect(refusal("2025-06-10", "2025-06-15")).rejects.toThrow(
      "2025-06-15 is not yet over and settled in America/New_York; the latest day that can be backfilled now is 2025-06-14",
    );
    // 06-14 ended at 04:00Z but settles only at 06:00Z.
    await expect(refusal("2025-06-10", "2025-06-14", new Date("2025-06-15T05:59:00.000Z"))).rejects.toThrow("the latest day that can be backfilled now is 2025-06-13");
    await expect(refusal("2025-03-16", "2025-06-14")).rejects.toThrow("at most 90 days: the earliest day that can be asked for now is 2025-03-17");
    await expect(refusal("2025-6-1", "2025-06-14")).rejects.toThrow('from must be a date, YYYY-MM-DD, not "2025-6-1"');
    await expect(requestBackfill(deps, { ...request(location, "2025-06-10", "2025-06-11"), locationId: "L-missing" }, NOW)).rejects.toThrow(
      `merchant ${location.merchantId} has no location L-missing`,
    );
    const disconnected = await aLocation("needs-reconnect");
    await expect(requestBackfill(deps, request(disconnected, "2025-06-10", "2025-06-11"), NOW)).rejects.toThrow(
      `QuickBooks no longer accepts daybook's access to ${disconnected.name}'s company: reconnect QuickBooks on the connections page first`,
    );
    await expect(refusal("2025-06-12", "2025-06-11")).rejects.toBeInstanceOf(BackfillError);
    expect(await drainQueue(sqs, queueUrl)).toEqual([]);
  });

  it("runs at most MAX_BACKFILLS_PER_DAY requests per merchant and UTC day; a refused request costs nothing, other merchants are not held back", async () => {
    const location = await aLocation();
    const ask = (now = NOW) => requestBackfill(deps, request(location, "2025-06-14", "2025-06-14"), now);
    // Refused for its dates: not counted.
    await expect(requestBackfill(deps, request(location, "2025-06-15", "2025-06-15"), NOW)).rejects.toBeInstanceOf(BackfillError);
    for (let index = 0; index < MAX_BACKFILLS_PER_DAY; index++) await ask();
    const refused = await ask().then(() => undefined, (error: unknown) => error);
    expect(refused).toEqual(new BackfillError(`this business has asked for ${String(MAX_BACKFILLS_PER_DAY)} backfills today, the most daybook runs in a day; ask again tomorrow`, "location"));
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(MAX_BACKFILLS_PER_DAY);
    expect(await listBackfills(deps, location.merchantId, 100)).toHaveLength(MAX_BACKFILLS_PER_DAY);

    const other = await aLocation();
    await requestBackfill(deps, request(other, "2025-06-14", "2025-06-14"), NOW);
    // The next UTC day counts afresh.
    await ask(new Date("2025-06-16T00:00:01.000Z"));
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(2);
  });

  it("has no progress for a backfill that does not exist, and records none", async () => {
    const location = await aLocation();
    expect(await getBackfill(deps, location.merchantId, "no-such-backfill")).toBeUndefined();
    expect(await recordBackfillProgress(deps, location.merchantId, "no-such-backfill", "done")).toBeUndefined();
    expect(await getBackfill(deps, location.merchantId, "no-such-backfill")).toBeUndefined();
  });
});
