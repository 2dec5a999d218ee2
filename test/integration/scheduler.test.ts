/**
 * The scheduler on moto_server: the due-index in the real table, jobs on a real FIFO queue. Time is
 * the test's: each tick is given its `now`, 15 minutes apart as EventBridge Scheduler runs it.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { addDays } from "../../lib/domain/business-day";
import { dueAt, type DueSchedule } from "../../lib/schedule/due-days";
import { type DueIndex, registerLocation, registerStoredLocation, shardOf } from "../../lib/schedule/due-index";
import { deduplicationIdOf, messageGroupOf, type SyncJob, syncJobSchema } from "../../lib/schedule/job";
import { runSchedulerTick, type SchedulerDeps } from "../../lib/schedule/scheduler";
import { createDynamoStorage } from "../../lib/store/storage";
import type { LocationConfig } from "../../lib/model";
import { ConflictError, type Store } from "../../lib/store/store";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";
import { squareMapping } from "../support/fixtures";
import { createFifoQueue, drainQueue, recordSends } from "../support/queue";
import { createSqsJobQueue } from "../../lib/schedule/enqueue";
import { DUE_INDEX_SHARDS, type DueEntry } from "../../lib/schedule/due-index";
import { seedDueLocations, spreadFifoSends } from "../../sandbox/due-locations";

const endpoint = inject("motoEndpoint");
const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
const sqs = new SQSClient(awsClientConfig(endpoint));
const sent = recordSends(sqs);
const REALM = "9130357992219876";
const QUARTER_HOUR = 15 * 60_000;
let tableName = "";
let store: Store;
let dueIndex: DueIndex;

// A table per test: a tick works on every due location in the table.
beforeEach(async () => {
  tableName = await createTestTable(dynamo);
  ({ store, dueIndex } = createDynamoStorage({ client: dynamo, tableName }));
});

afterAll(() => {
  dynamo.destroy();
  sqs.destroy();
});

function aLocation(merchantId: string, locationId: string, timeZone: string, dayStart: string): LocationConfig {
  return {
    merchantId, locationId, source: "square", name: "Mission St", posConnectionId: "c-square", quickbooksConnectionId: "c-qbo",
    timeZone, dayStart, currency: "USD", mapping: squareMapping(), updatedAt: "2025-03-01T00:00:00.000Z",
  };
}

async function aRegisteredLocation(timeZone: string, dayStart: string, now: Date, options: { shards?: number } = {}): Promise<LocationConfig> {
  const location = aLocation(`m-${randomUUID()}`, `L-${randomUUID()}`, timeZone, dayStart);
  await store.putLocation(location);
  await registerLocation(dueIndex, location, REALM, now, options);
  return location;
}

function tickDeps(queueUrl: string, now: Date, overrides: Partial<SchedulerDeps> = {}): SchedulerDeps {
  return { dueIndex, queue: createSqsJobQueue(sqs, queueUrl), now, ...overrides };
}

const jobsOf = (merchantId: string, from: number) => sent.slice(from).map((message) => message.body as SyncJob).filter((job) => job.merchantId === merchantId);

describe("the scheduler", () => {
  it("sends each day's night job once, at the first tick at or after the day is due, across a DST change", async () => {
    // 2025-03-09: the US springs forward; London and Kolkata do not move (Kolkata is UTC+05:30: due on the half hour).
    const zones = ["America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Kolkata"];
    const shards = 2;
    const start = new Date("2025-03-08T00:00:00.000Z");
    const end = new Date("2025-03-11T00:00:00.000Z");
    const locations = await Promise.all(zones.flatMap((zone) => ["00:00", "04:00"].map((dayStart) => aRegisteredLocation(zone, dayStart, start, { shards }))));
    const queueUrl = await createFifoQueue(sqs);

    const sentAt = new Map<string, Date[]>();
    for (let now = start; now <= end; now = new Date(now.getTime() + QUARTER_HOUR)) {
      const before = sent.length;
      await runSchedulerTick(tickDeps(queueUrl, now, { shards }));
      for (const message of sent.slice(before)) {
        const job = message.body as SyncJob;
        const key = `${job.locationId} ${job.businessDay} ${job.kind}`;
        sentAt.set(key, [...sentAt.get(key) ?? [], now]);
      }
    }

    for (const location of locations) {
      const schedule: DueSchedule = { timeZone: location.timeZone, dayStart: location.dayStart, settleMinutes: 120 };
      const expectedFirstDays: string[] = [];
      for (let day = "2025-03-05"; day <= "2025-03-11"; day = addDays(day, 1)) {
        const due = dueAt(day, schedule);
        if (due > start && due <= end) expectedFirstDays.push(day);
      }
      expect(expectedFirstDays.length, location.timeZone).toBeGreaterThanOrEqual(2);
      for (const day of expectedFirstDays) {
        const due = dueAt(day, schedule).getTime();
        const firstTick = new Date(Math.ceil(due / QUARTER_HOUR) * QUARTER_HOUR);
        expect(sentAt.get(`${location.locationId} ${day} night`), `${location.timeZone} ${location.dayStart} ${day}`).toEqual([firstTick]);
      }
      // Nothing but night jobs: each re-checks the three days before its own.
      const sentForLocation = [...sentAt.keys()].filter((key) => key.startsWith(`${location.locationId} `));
      expect(sentForLocation.map((key) => key.split(" ").slice(1).join(" "))).toEqual(expectedFirstDays.map((day) => `${day} night`));
    }
    // Each night was sent once and is on the queue once.
    const received = await drainQueue(sqs, queueUrl);
    const nights = received.map((message) => message.body as SyncJob);
    expect(nights.every((job) => job.kind === "night")).toBe(true);
    expect(nights).toHaveLength(new Set(nights.map((job) => `${job.locationId} ${job.businessDay}`)).size);
    expect(nights).toHaveLength(sentAt.size);
  });

  it("sends messages that validate, in the company's message group, with the job's deduplication id", async () => {
    const registeredAt = new Date("2025-06-10T12:00:00.000Z");
    const location = await aRegisteredLocation("America/Chicago", "04:00", registeredAt);
    const queueUrl = await createFifoQueue(sqs);
    const result = await runSchedulerTick(tickDeps(queueUrl, new Date("2025-06-11T11:00:00.000Z")));

    const received = await drainQueue(sqs, queueUrl);
    expect(result).toMatchObject({ enqueued: 1, locations: 1, skipped: 0, failed: 0 });
    expect(received.map((message) => syncJobSchema.parse(message.body))).toEqual([
      { merchantId: location.merchantId, locationId: location.locationId, businessDay: "2025-06-10", kind: "night" },
    ]);
    for (const message of received) {
      expect(message.groupId).toBe(messageGroupOf(REALM));
      expect(message.deduplicationId).toBe(deduplicationIdOf(syncJobSchema.parse(message.body)));
    }
    expect((await dueIndex.get(location.merchantId, location.locationId))?.nextDueAt).toBe("2025-06-12T11:00:00.000Z");
  });

  it("catches up missed nights: one night job for every day since, each once, and moves the entry past them", async () => {
    const location = await aRegisteredLocation("Europe/Berlin", "00:00", new Date("2025-06-10T12:00:00.000Z"));
    const queueUrl = await createFifoQueue(sqs);
    const before = sent.length;
    // Days 06-10 and 06-11 were due at 22:00Z + 2h = 00:00Z of 06-11 and 06-12; the scheduler was down until 06-12 09:00Z.
    const result = await runSchedulerTick(tickDeps(queueUrl, new Date("2025-06-12T09:00:00.000Z")));
    expect(result).toMatchObject({ locations: 1, enqueued: 2 });
    expect(jobsOf(location.merchantId, before).map((job) => `${job.businessDay} ${job.kind}`)).toEqual(["2025-06-10 night", "2025-06-11 night"]);
    expect(await drainQueue(sqs, queueUrl)).toHaveLength(2);
    expect((await dueIndex.get(location.merchantId, location.locationId))?.nextDueAt).toBe("2025-06-13T00:00:00.000Z");

    const again = await runSchedulerTick(tickDeps(queueUrl, new Date("2025-06-12T09:15:00.000Z")));
    expect(jobsOf(location.merchantId, before)).toHaveLength(2);
    expect(again.locations).toBe(0);
  });

  it("leaves a location due when its jobs could not be sent, and sends them on the next tick", async () => {
    const location = await aRegisteredLocation("America/Chicago", "00:00", new Date("2025-06-10T12:00:00.000Z"));
    const queueUrl = await createFifoQueue(sqs);
    const now = new Date("2025-06-11T08:00:00.000Z");
    const logged: string[] = [];
    const missingQueue = queueUrl.replace(/daybook-test-[^/]+\.fifo$/, "daybook-test-missing.fifo");
    const failed = await runSchedulerTick(tickDeps(missingQueue, now, { log: (_level, message) => logged.push(message) }));
    expect(failed).toMatchObject({ failed: 1, locations: 0, enqueued: 0 });
    expect(logged).toContain("scheduling a location failed; it stays due");
    expect((await dueIndex.get(location.merchantId, location.locationId))?.nextDueAt).toBe("2025-06-11T07:00:00.000Z");

    const retried = await runSchedulerTick(tickDeps(queueUrl, new Date("2025-06-11T08:15:00.000Z")));
    expect(retried).toMatchObject({ failed: 0, locations: 1, enqueued: 1 });
    expect((await drainQueue(sqs, queueUrl)).map((message) => (message.body as SyncJob).businessDay)).toEqual(["2025-06-10"]);
  });

  it("takes a deleted account's location out of the index and sends nothing for it", async () => {
    const location = await aRegisteredLocation("America/Denver", "00:00", new Date("2025-06-10T12:00:00.000Z"));
    const queueUrl = await createFifoQueue(sqs);
    await store.deleteMerchant(location.merchantId);
    const before = sent.length;
    const now = new Date("2025-06-11T09:00:00.000Z");
    const result = await runSchedulerTick(tickDeps(queueUrl, now));
    expect(result).toMatchObject({ removed: 1, enqueued: 0, locations: 0 });
    expect(jobsOf(location.merchantId, before)).toEqual([]);
    const shard = shardOf(location.merchantId, location.locationId);
    expect((await dueIndex.due(shard, now)).filter((entry) => entry.merchantId === location.merchantId)).toEqual([]);
    expect(await dueIndex.get(location.merchantId, location.locationId)).toBeUndefined();
  });

  it("replaces a location's entry when it is registered again, so it is never due twice", async () => {
    const location = await aRegisteredLocation("America/New_York", "00:00", new Date("2025-06-10T12:00:00.000Z"));
    // Tokyo's 06-10 ends at 15:00Z: due at 17:00Z the same day.
    await registerLocation(dueIndex, { ...location, timeZone: "Asia/Tokyo" }, REALM, new Date("2025-06-10T13:00:00.000Z"));
    const entries = await dueIndex.due(shardOf(location.merchantId, location.locationId), new Date("2025-06-20T00:00:00.000Z"));
    const mine = entries.filter((entry) => entry.locationId === location.locationId);
    expect(mine.map((entry) => [entry.timeZone, entry.nextDueAt])).toEqual([["Asia/Tokyo", "2025-06-10T17:00:00.000Z"]]);
  });

  it("lets only one of two overlapping ticks move each entry, and the queue holds each job once", async () => {
    // One request at a time: moto does not serialise conditional writes to an item as DynamoDB does (see aws.ts).
    const racingDynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(endpoint)));
    const racingDueIndex = createDynamoStorage({ client: racingDynamo, tableName }).dueIndex;
    try {
      const registeredAt = new Date("2025-06-10T12:00:00.000Z");
      // One after another: three writes at once into a due-index partition moto has not seen can lose one (sandbox/aws.ts).
      const locations = [];
      for (const zone of ["Asia/Tokyo", "America/Sao_Paulo", "Australia/Sydney"]) locations.push(await aRegisteredLocation(zone, "04:00", registeredAt));
      const queueUrl = await createFifoQueue(sqs);
      const before = sent.length;
      const now = new Date("2025-06-12T00:00:00.000Z");
      const ticks = await Promise.all([1, 2].map(() => runSchedulerTick(tickDeps(queueUrl, now, { dueIndex: racingDueIndex }))));

      const mine = new Set(locations.map((location) => location.merchantId));
      const sends = sent.slice(before).filter((message) => mine.has((message.body as SyncJob).merchantId));
      const distinct = new Set(sends.map((message) => message.deduplicationId));
      expect(ticks.reduce((sum, tick) => sum + tick.locations, 0)).toBe(3);
      expect(ticks.reduce((sum, tick) => sum + tick.skipped, 0)).toBe(3);
      // Both ticks sent every job (each before trying to advance), under the same deduplication ids...
      expect(sends).toHaveLength(distinct.size * 2);
      // ...so the queue holds each once.
      const received = await drainQueue(sqs, queueUrl);
      expect(received).toHaveLength(distinct.size);
      expect(ticks.reduce((sum, tick) => sum + tick.enqueued, 0)).toBe(distinct.size);
      for (const location of locations) {
        const entry = await dueIndex.get(location.merchantId, location.locationId);
        expect(new Date(entry?.nextDueAt ?? 0).getTime()).toBeGreaterThan(now.getTime());
      }
    } finally {
      racingDynamo.destroy();
    }
  });

  it("registers a stored location in its QuickBooks connection's company", async () => {
    const merchantId = `m-${randomUUID()}`;
    const connection = await store.putConnection({
      merchantId, connectionId: "c-qbo", provider: "quickbooks", status: "active", externalId: "123145678901234",
      tokenCiphertext: "v1.iv.tag.ciphertext", createdAt: "2025-06-01T00:00:00.000Z", updatedAt: "2025-06-01T00:00:00.000Z",
    });
    const location = aLocation(merchantId, "L-stored", "Pacific/Auckland", "04:00");
    await store.putLocation({ ...location, quickbooksConnectionId: connection.connectionId });
    const entry = await registerStoredLocation({ dueIndex, store }, merchantId, "L-stored", new Date("2025-06-10T12:00:00.000Z"));
    // Auckland is UTC+12 in June: 06-11 04:00 local ends the 06-10 business day at 06-10T16:00Z; settled at 18:00Z.
    expect(entry).toMatchObject({ messageGroup: messageGroupOf("123145678901234"), nextDueAt: "2025-06-10T18:00:00.000Z", settleMinutes: 120 });
    await expect(registerStoredLocation({ dueIndex, store }, merchantId, "L-none", new Date())).rejects.toThrow(`merchant ${merchantId} has no location L-none`);
  });

  it("refuses to advance an entry that has already moved", async () => {
    const location = await aRegisteredLocation("Europe/Paris", "00:00", new Date("2025-06-10T12:00:00.000Z"));
    const entry = await dueIndex.get(location.merchantId, location.locationId);
    if (entry === undefined) throw new Error("not registered");
    await dueIndex.advance(entry, new Date("2025-06-12T00:00:00.000Z"));
    await expect(dueIndex.advance(entry, new Date("2025-06-12T00:00:00.000Z"))).rejects.toBeInstanceOf(ConflictError);
    expect((await dueIndex.get(location.merchantId, location.locationId))?.nextDueAt).toBe("2025-06-12T00:00:00.000Z");
  });
});

describe("the scheduler at a zone's midnight", () => {
  // Chicago's 2025-06-10 ends at 05:00Z on 06-11 and is due two hours later.
  const DAY = "2025-06-10";
  const SCHEDULE: DueSchedule = { timeZone: "America/Chicago", dayStart: "00:00", settleMinutes: 120 };
  const NOW = new Date(dueAt(DAY, SCHEDULE).getTime() + 60_000);
  const NEXT_DUE = dueAt(addDays(DAY, 1), SCHEDULE).toISOString();
  const nightOf = (entry: DueEntry): SyncJob => ({ merchantId: entry.merchantId, locationId: entry.locationId, businessDay: DAY, kind: "night" });
  const keyOf = (job: SyncJob) => `${job.merchantId}/${job.locationId} ${job.businessDay} ${job.kind}`;
  const seed = (count: number, shards?: number) => seedDueLocations(dynamo, tableName, {
    count, businessDay: DAY, schedule: SCHEDULE, locationsPerMerchant: 2, prefix: `m${randomUUID().slice(0, 8)}`, ...(shards === undefined ? {} : { shards }),
  });
  /** Every entry in the index a day on, by location: each location must have exactly one, at its next night. */
  async function entriesByLocation(shards = DUE_INDEX_SHARDS): Promise<Map<string, string[]>> {
    const later = new Date(NOW.getTime() + 2 * 86_400_000);
    const all = (await Promise.all(Array.from({ length: shards }, (_, shard) => dueIndex.due(shard, later)))).flat();
    const byLocation = new Map<string, string[]>();
    for (const entry of all) byLocation.set(`${entry.merchantId}/${entry.locationId}`, [...byLocation.get(`${entry.merchantId}/${entry.locationId}`) ?? [], entry.nextDueAt]);
    return byLocation;
  }
  const expectEachMovedOnce = (byLocation: Map<string, string[]>, entries: DueEntry[]) => {
    expect(byLocation.size).toBe(entries.length);
    for (const entry of entries) expect(byLocation.get(`${entry.merchantId}/${entry.locationId}`), entry.merchantId).toEqual([NEXT_DUE]);
  };

  // 600 locations in pages of 20: every shard holds two pages or more (16 shards, about 37 each), and the
  // sends run to 60 batches of ten across companies; 2,500 in pages of 300 exercised no more (one page a shard).
  it("sends each of 600 due locations' night exactly once, page after page of every shard, in its company's group, and moves every entry on once", async () => {
    const spreadSqs = new SQSClient(awsClientConfig(endpoint));
    try {
      const entries = await seed(600);
      // One moto queue would cost O(messages held) per send; SQS does not (sandbox/due-locations.ts).
      const pool = await spreadFifoSends(spreadSqs, entries.length);
      const result = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(spreadSqs, pool.queueUrls[0] as string), now: NOW, pageSize: 20 });

      expect(result).toEqual({ enqueued: 600, locations: 600, skipped: 0, removed: 0, failed: 0, unfinished: false });
      const received = (await Promise.all(pool.queueUrls.map((url) => drainQueue(spreadSqs, url)))).flat();
      const jobs = received.map((message) => syncJobSchema.parse(message.body));
      expect(jobs).toHaveLength(600);
      expect(new Set(jobs.map(keyOf))).toEqual(new Set(entries.map((entry) => keyOf(nightOf(entry)))));
      const groupOf = new Map(entries.map((entry) => [`${entry.merchantId}/${entry.locationId}`, entry.messageGroup]));
      for (const [index, message] of received.entries()) {
        const job = jobs[index] as SyncJob;
        expect(message.groupId).toBe(groupOf.get(`${job.merchantId}/${job.locationId}`));
        expect(message.deduplicationId).toBe(deduplicationIdOf(job));
      }
      expect([...pool.taken.values()].filter((times) => times !== 1)).toEqual([]);
      expect((await Promise.all(Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => dueIndex.due(shard, NOW)))).flat()).toEqual([]);
      expectEachMovedOnce(await entriesByLocation(), entries);
    } finally {
      spreadSqs.destroy();
    }
  }, 900_000);

  it("leaves the locations whose jobs SQS refused in a batch due, retries a refusal that passes, and the next tick sends only those left", async () => {
    const entries = await seed(30);
    const queueUrl = await createFifoQueue(sqs);
    const idOf = (entry: DueEntry) => deduplicationIdOf(nightOf(entry));
    const refused = new Set(entries.filter((_, index) => index % 7 === 3).map(idOf));
    const refusedOnce = new Set(entries.filter((_, index) => index % 7 === 5).map(idOf));
    const refusing = new SQSClient(awsClientConfig(endpoint));
    // SQS answering some entries of a batch Failed (InternalError, not the sender's fault): they are not sent; the rest are.
    (refusing.middlewareStack as { add(middleware: unknown, options: Record<string, unknown>): void }).add(
      (next: (args: { input: SendMessageBatchCommandInput }) => Promise<{ output: SendMessageBatchCommandOutput }>, context: { commandName?: string }) => async (args: { input: SendMessageBatchCommandInput }) => {
        if (context.commandName !== "SendMessageBatchCommand") return next(args);
        const entriesSent = args.input.Entries ?? [];
        const refuse = entriesSent.filter((entry) => refused.has(entry.MessageDeduplicationId ?? "") || refusedOnce.delete(entry.MessageDeduplicationId ?? ""));
        const rest = entriesSent.filter((entry) => !refuse.includes(entry));
        const result = rest.length > 0 ? await next({ ...args, input: { ...args.input, Entries: rest } }) : { output: { $metadata: {}, Successful: [], Failed: [] } };
        return {
          ...result,
          output: {
            ...result.output,
            Failed: [...result.output.Failed ?? [], ...refuse.map((entry) => ({ Id: entry.Id, Code: "InternalError", SenderFault: false, Message: "refused by the test" }))],
          },
        };
      },
      { step: "initialize", name: "refuseSome" },
    );
    const logged: string[] = [];
    try {
      const first = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(refusing, queueUrl), now: NOW, log: (_level, message) => logged.push(message) });
      expect(refusedOnce.size).toBe(0);
      expect(first).toMatchObject({ failed: refused.size, locations: entries.length - refused.size, enqueued: entries.length - refused.size });
      expect(logged.filter((message) => message === "scheduling a location failed; it stays due")).toHaveLength(refused.size);
      for (const entry of entries) {
        expect((await dueIndex.get(entry.merchantId, entry.locationId))?.nextDueAt).toBe(refused.has(idOf(entry)) ? entry.nextDueAt : NEXT_DUE);
      }
      const firstJobs = (await drainQueue(sqs, queueUrl)).map((message) => deduplicationIdOf(syncJobSchema.parse(message.body)));
      expect(new Set(firstJobs)).toEqual(new Set(entries.map(idOf).filter((id) => !refused.has(id))));
      expect(firstJobs).toHaveLength(entries.length - refused.size);

      const second = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrl), now: new Date(NOW.getTime() + QUARTER_HOUR) });
      expect(second).toMatchObject({ failed: 0, locations: refused.size, enqueued: refused.size });
      const secondJobs = (await drainQueue(sqs, queueUrl)).map((message) => deduplicationIdOf(syncJobSchema.parse(message.body)));
      expect(secondJobs.sort()).toEqual([...refused].sort());
      expectEachMovedOnce(await entriesByLocation(), entries);
    } finally {
      refusing.destroy();
    }
  }, 300_000);

  it("lets two overlapping ticks over 60 locations move each once, leaves no stray entry, and the queue holds each night once", async () => {
    // One request at a time: moto does not serialise conditional writes to an item as DynamoDB does (see aws.ts).
    const racingDynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(endpoint)));
    const racingDueIndex = createDynamoStorage({ client: racingDynamo, tableName }).dueIndex;
    try {
      const entries = await seed(60);
      const queueUrl = await createFifoQueue(sqs);
      const ticks = await Promise.all([1, 2].map(() => runSchedulerTick({ dueIndex: racingDueIndex, queue: createSqsJobQueue(sqs, queueUrl), now: NOW, pageSize: 7 })));

      expect(ticks.reduce((sum, tick) => sum + tick.locations, 0)).toBe(60);
      expect(ticks.reduce((sum, tick) => sum + tick.enqueued, 0)).toBe(60);
      expect(ticks.reduce((sum, tick) => sum + tick.failed, 0)).toBe(0);
      const received = (await drainQueue(sqs, queueUrl)).map((message) => keyOf(syncJobSchema.parse(message.body)));
      expect(received.sort()).toEqual(entries.map((entry) => keyOf(nightOf(entry))).sort());
      expectEachMovedOnce(await entriesByLocation(), entries);
    } finally {
      racingDynamo.destroy();
    }
  }, 300_000);

  it("stops at its time budget with the rest still due, and the next invocation continues from them: each sent once", async () => {
    const entries = await seed(40, 2);
    const queueUrl = await createFifoQueue(sqs);
    let checks = 0;
    // Time for one page of each shard (the two are worked on at once), then none.
    const timeLeftMs = () => (checks++ < 2 ? 60_000 : 0);
    const first = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrl), now: NOW, shards: 2, pageSize: 5, timeLeftMs });
    expect(first).toMatchObject({ unfinished: true, locations: 10, enqueued: 10, failed: 0 });
    const stillDue = (await Promise.all([0, 1].map((shard) => dueIndex.due(shard, NOW)))).flat();
    expect(stillDue).toHaveLength(30);

    const second = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrl), now: new Date(NOW.getTime() + 60_000), shards: 2, pageSize: 5 });
    expect(second).toMatchObject({ unfinished: false, locations: 30, enqueued: 30, failed: 0 });
    const received = (await drainQueue(sqs, queueUrl)).map((message) => keyOf(syncJobSchema.parse(message.body)));
    expect(received.sort()).toEqual(entries.map((entry) => keyOf(nightOf(entry))).sort());
    expectEachMovedOnce(await entriesByLocation(2), entries);
  }, 300_000);
});
