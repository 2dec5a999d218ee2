/**
 * One scheduler tick (EventBridge Scheduler runs it every 15 minutes): every location whose next day
 * is due by `now` gets one night job per due day sent to the queue (the day, and the re-checks of the
 * three before it, from one read: lib/worker/process-night.ts), then its due-index entry moves on. Sending
 * comes first: a crash in between sends the days again next tick, which SQS's deduplication and the
 * worker's idempotency absorb; the other order could lose a day.
 */
import { dueWork } from "./due-days";
import { DUE_INDEX_SHARDS, type DueEntry, type DueIndex } from "./due-index";
import { enqueueJobs, type QueueDeps } from "./enqueue";
import type { SyncJob } from "./job";
import { ConflictError, type Store } from "../store/store";

export interface SchedulerDeps extends QueueDeps {
  dueIndex: DueIndex;
  store: Pick<Store, "getLocation">;
  now: Date;
  /** The due-index's shard count; DUE_INDEX_SHARDS unless the locations were registered with another. */
  shards?: number;
  /** Counts and ids only: never personal data. */
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

export interface SchedulerTickResult {
  /** Messages sent. */
  enqueued: number;
  /** Locations whose due days were sent and whose entry moved on. */
  locations: number;
  /** Entries another tick had already moved on (its sends carried the same deduplication ids). */
  skipped: number;
  /** Entries of locations that no longer exist, taken out of the index. */
  removed: number;
  /** Entries that failed (sending or moving); they stay due and the next tick tries again. */
  failed: number;
}

/** How many locations are worked on at once: enough to hide latency, few enough for a small Lambda. */
const CONCURRENCY = 8;

export async function runSchedulerTick(deps: SchedulerDeps): Promise<SchedulerTickResult> {
  const shards = deps.shards ?? DUE_INDEX_SHARDS;
  const perShard = await Promise.all(Array.from({ length: shards }, (_, shard) => deps.dueIndex.due(shard, deps.now)));
  const result: SchedulerTickResult = { enqueued: 0, locations: 0, skipped: 0, removed: 0, failed: 0 };
  await forEachLimited(perShard.flat(), CONCURRENCY, async (entry) => {
    try {
      await tickEntry(deps, entry, result);
    } catch (error) {
      result.failed++;
      deps.log?.("error", "scheduling a location failed; it stays due", {
        merchantId: entry.merchantId, locationId: entry.locationId, error: error instanceof Error ? error.name : "unknown",
      });
    }
  });
  deps.log?.("info", "scheduler tick", { now: deps.now.toISOString(), ...result });
  return result;
}

async function tickEntry(deps: SchedulerDeps, entry: DueEntry, result: SchedulerTickResult): Promise<void> {
  if (await deps.store.getLocation(entry.merchantId, entry.locationId) === undefined) {
    await ignoringConflict(() => deps.dueIndex.remove(entry));
    result.removed++;
    return;
  }
  const work = dueWork(new Date(entry.nextDueAt), deps.now, entry);
  // One job per location-night: each first-time day's night job re-checks the days before it too.
  const jobs: SyncJob[] = work.days.filter((day) => day.kind === "first").map((day) => ({
    merchantId: entry.merchantId, locationId: entry.locationId, businessDay: day.businessDay, kind: "night",
  }));
  await enqueueJobs(deps, jobs, entry.messageGroup);
  if (work.nextDueAt.getTime() <= new Date(entry.nextDueAt).getTime()) return;
  try {
    await deps.dueIndex.advance(entry, work.nextDueAt);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    result.skipped++;
    return;
  }
  result.enqueued += jobs.length;
  result.locations++;
}

async function ignoringConflict(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
