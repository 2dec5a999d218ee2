/**
 * A scheduler tick that dies half way through a zone's midnight (lib/schedule/scheduler.ts): its page's
 * locations go in runs, each sent and then moved on, so a crash can fall between a run's sends and its
 * moves. On the in-memory runtime (the real due-index store on dynalite, a queue that records).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DueIndex, registerLocation } from "../../lib/schedule/due-index";
import { deduplicationIdOf } from "../../lib/schedule/job";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { createEngineWorld, type EngineWorld, MERCHANT_ID, REALM_ID } from "./runtime";

let world: EngineWorld;

beforeEach(async () => {
  world = await createEngineWorld();
});

afterEach(async () => {
  await world.close();
});

// 06-14 in New York ends at 04:00Z on 06-15 and is due two hours later, settled; 06-15 is due a day later.
const REGISTERED = new Date("2025-06-14T15:00:00.000Z");
const DUE = new Date("2025-06-15T06:00:00.000Z");
const NEXT_DUE = "2025-06-16T06:00:00.000Z";
const LOCATIONS = 25;

class Crash extends Error {}

/** The due-index, but its `crashAt`-th advanceAll sends nothing to the table and throws: the tick dies after that run's sends. */
function dyingOnAdvance(dueIndex: DueIndex, crashAt: number): DueIndex & { advances: number } {
  const dying = {
    ...dueIndex,
    advances: 0,
    advanceAll(moves: Parameters<DueIndex["advanceAll"]>[0]) {
      dying.advances++;
      if (dying.advances === crashAt) return Promise.reject(new Crash("the tick died between sending a run and moving it on"));
      return dueIndex.advanceAll(moves);
    },
  };
  return dying;
}

describe("a scheduler tick that dies half way", () => {
  it("leaves the run it had sent but not moved on still due; the next tick sends those again under the same deduplication ids, and every location is sent and moved on", async () => {
    const { dueIndex } = world.scheduler;
    const locationIds = Array.from({ length: LOCATIONS }, (_, index) => `L-${String(index).padStart(2, "0")}`);
    for (const locationId of locationIds) {
      await world.services.storage.store.putLocation({ ...world.location, locationId });
      await registerLocation(dueIndex, { ...world.location, locationId }, REALM_ID, REGISTERED, { shards: 1 });
    }

    // One shard, one page: the page's 25 locations go in runs of 10, 10 and 5, two at once; the
    // second run's move dies after its sends. The first run ends, the third is never started.
    const dying = dyingOnAdvance(dueIndex, 2);
    await expect(runSchedulerTick({ ...world.scheduler, dueIndex: dying, now: DUE, shards: 1, pageSize: 1000, runSize: 10 })).rejects.toBeInstanceOf(Crash);
    const first = world.queue.take();
    expect(first).toHaveLength(20);
    expect(new Set(first.map(({ job }) => job.locationId)).size).toBe(20);
    const leftDue = await dueIndex.due(0, DUE);
    expect(leftDue).toHaveLength(15);
    const sentFirst = new Map(first.map(({ job, deduplicationId }) => [job.locationId, deduplicationId]));
    // Left due: the run sent but not moved on, and the run never started; none of the run moved on.
    expect(leftDue.filter((entry) => sentFirst.has(entry.locationId))).toHaveLength(10);

    const second = await runSchedulerTick({ ...world.scheduler, now: new Date(DUE.getTime() + 15 * 60_000), shards: 1, runSize: 10 });
    expect(second).toMatchObject({ locations: 15, enqueued: 15, failed: 0, skipped: 0, unfinished: false });
    const again = world.queue.take();
    expect(again.map(({ job }) => job.locationId).sort()).toEqual(leftDue.map((entry) => entry.locationId).sort());
    // A location sent twice was sent under the same deduplication id both times, so SQS delivers it once
    // (and the worker's idempotency, keyed on the location-day and kind, absorbs a repeat after SQS's window).
    const repeated = again.filter(({ job }) => sentFirst.has(job.locationId));
    expect(repeated).toHaveLength(10);
    for (const { job, deduplicationId } of repeated) {
      expect(deduplicationId).toBe(sentFirst.get(job.locationId));
      expect(deduplicationId).toBe(deduplicationIdOf({ merchantId: MERCHANT_ID, locationId: job.locationId, businessDay: "2025-06-14", kind: "night" }));
    }

    // Nothing skipped, nothing left behind: each location has one entry, due for the next day.
    expect(await dueIndex.due(0, new Date(Date.parse(NEXT_DUE) - 1))).toEqual([]);
    const next = await dueIndex.due(0, new Date(NEXT_DUE));
    expect(next.map((entry) => entry.locationId).sort()).toEqual(locationIds);
    expect(new Set(next.map((entry) => entry.nextDueAt))).toEqual(new Set([NEXT_DUE]));
  }, 120_000);
});
