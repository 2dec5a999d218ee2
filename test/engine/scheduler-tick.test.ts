/**
 * The scheduler tick (lib/schedule/scheduler.ts) on the in-memory runtime: the real due-index store on
 * in-process dynalite (its transactions all-or-nothing, as DynamoDB's), and a job queue that records.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerLocation, shardOf } from "../../lib/schedule/due-index";
import { messageGroupOf } from "../../lib/schedule/job";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, REALM_ID } from "./runtime";

let world: EngineWorld;

beforeEach(async () => {
  world = await createEngineWorld();
});

afterEach(async () => {
  await world.close();
});

// 06-14 in New York ends at 04:00Z on 06-15 and is due two hours later, settled.
const REGISTERED = new Date("2025-06-14T15:00:00.000Z");
const DUE = new Date("2025-06-15T06:00:00.000Z");
const tick = (now: Date) => runSchedulerTick({ ...world.scheduler, now });

describe("the scheduler tick", () => {
  it("sends one job for a location's night once its day is due (the day and the re-checks of the three before), in its company's group, then moves its entry on", async () => {
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);

    expect(await tick(new Date(DUE.getTime() - 60_000))).toMatchObject({ enqueued: 0, locations: 0 });
    expect(world.queue.take()).toEqual([]);

    expect(await tick(DUE)).toMatchObject({ enqueued: 1, locations: 1, failed: 0 });
    const sent = world.queue.take();
    expect(sent.map(({ job }) => [job.businessDay, job.kind])).toEqual([["2025-06-14", "night"]]);
    expect(new Set(sent.map(({ messageGroup }) => messageGroup))).toEqual(new Set([messageGroupOf(REALM_ID)]));
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, LOCATION_ID)).toMatchObject({ nextDueAt: "2025-06-16T06:00:00.000Z" });

    expect(await tick(new Date(DUE.getTime() + 15 * 60_000))).toMatchObject({ enqueued: 0 });
    expect(world.queue.take()).toEqual([]);
  });

  it("writes no line for a tick that found nothing due, and its counts for one that sent", async () => {
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const log = (level: string, message: string, fields?: Record<string, unknown>) => { lines.push([level, message, fields]); };

    await runSchedulerTick({ ...world.scheduler, now: new Date(DUE.getTime() - 60_000), log });
    expect(lines).toEqual([]);

    await runSchedulerTick({ ...world.scheduler, now: DUE, log });
    expect(lines).toEqual([["info", "scheduler tick", expect.objectContaining({ now: DUE.toISOString(), enqueued: 1, locations: 1, failed: 0 })]]);
  });

  it("catches up missed nights with one job each, oldest first", async () => {
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);
    expect(await tick(new Date(DUE.getTime() + 2 * 86_400_000))).toMatchObject({ enqueued: 3, locations: 1 });
    expect(world.queue.take().map(({ job }) => [job.businessDay, job.kind])).toEqual([
      ["2025-06-14", "night"], ["2025-06-15", "night"], ["2025-06-16", "night"],
    ]);
  });

  it("lets one of two overlapping ticks move an entry; the other skips it", async () => {
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);
    const [a, b] = await Promise.all([tick(DUE), tick(DUE)]);
    expect(a.locations + b.locations).toBe(1);
    expect(a.skipped + b.skipped).toBe(1);
    // Both sent before trying to move the entry; SQS's deduplication ids make them one delivery.
    const sent = world.queue.take();
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map(({ deduplicationId }) => deduplicationId)).size).toBe(1);
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, LOCATION_ID)).toMatchObject({ nextDueAt: "2025-06-16T06:00:00.000Z" });
  });

  it("keeps a location scheduled that is registered again in another shard while a tick moves it: the tick's move loses, the registration's entry stays due", async () => {
    const { dueIndex } = world.scheduler;
    await registerLocation(dueIndex, world.location, REALM_ID, REGISTERED, { shards: 1 });
    // A shard count that puts the location in another shard than 0 (as after the operator changes it and registers every location again).
    const shards = [2, 3, 4, 5, 6, 7, 8].find((count) => shardOf(MERCHANT_ID, LOCATION_ID, count) !== 0) as number;
    const queue = world.scheduler.queue;
    // Registered again after the tick read the entry's standing and before it moves the entry: the same day is due, so the same sort key.
    const racing = { ...queue, sendEach: async (messages: Parameters<typeof queue.sendEach>[0]) => {
      await registerLocation(dueIndex, world.location, REALM_ID, REGISTERED, { shards });
      return queue.sendEach(messages);
    } };
    expect(await runSchedulerTick({ ...world.scheduler, queue: racing, now: DUE, shards: 1 })).toMatchObject({ locations: 0, skipped: 1, failed: 0 });
    expect(world.queue.take()).toHaveLength(1);
    // The pointer names the registration's entry, which is there and still due: the location is not lost.
    const entry = await dueIndex.get(MERCHANT_ID, LOCATION_ID);
    expect(entry).toMatchObject({ shard: shardOf(MERCHANT_ID, LOCATION_ID, shards), nextDueAt: DUE.toISOString() });
    expect(await dueIndex.due(0, DUE)).toEqual([]);
    // The next tick over the new shards sends the night again (the same deduplication id) and moves it on.
    expect(await runSchedulerTick({ ...world.scheduler, now: new Date(DUE.getTime() + 15 * 60_000), shards })).toMatchObject({ locations: 1, failed: 0 });
    expect(world.queue.take()).toHaveLength(1);
    expect(await dueIndex.get(MERCHANT_ID, LOCATION_ID)).toMatchObject({ nextDueAt: "2025-06-16T06:00:00.000Z" });
  });

  it("takes a location that no longer exists out of the index, sending nothing", async () => {
    await registerLocation(world.scheduler.dueIndex, { ...world.location, locationId: "L-GONE" }, REALM_ID, REGISTERED);
    expect(await tick(DUE)).toMatchObject({ removed: 1, enqueued: 0 });
    expect(world.queue.take()).toEqual([]);
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, "L-GONE")).toBeUndefined();
  });
});
