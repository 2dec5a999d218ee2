/**
 * One scheduler tick (EventBridge Scheduler runs it every 15 minutes): every location whose next day
 * is due by `now` gets one night job per due day sent to the queue (the day, and the re-checks of the
 * three before it, from one read: lib/worker/process-night.ts), then its due-index entry moves on. Sending
 * comes first: a crash in between sends the days again next tick, which SQS's deduplication and the
 * worker's idempotency absorb; the other order could lose a day.
 *
 * A zone's midnight makes tens of thousands of locations due at once, so the tick works a page of a
 * shard at a time (the next page read while this one is worked), several shards at once, and batches
 * every step of a page: the entries' standing (their pointers and their locations' posting state) in
 * BatchGetItem; then the page's locations in runs of RUN_SIZE, two at once, each run's jobs ten to a
 * SendMessageBatch and then its moves in BatchWriteItem and one conditional UpdateItem a location
 * (lib/store/due-index.ts), so one run's table writes overlap the next one's sends. The conditional
 * write a location is what lets only one of two overlapping ticks (or a tick and a registration or an
 * account deletion) move an entry; DynamoDB has no batched conditional write but a transaction.
 * A job SQS refuses leaves its location due (never moved on, so never lost); a location is moved on
 * only by the tick whose pointer move wins (never twice). Given a time budget (`timeLeftMs`), the tick
 * starts no page once it is spent: the entries it did not reach are still due, and the next invocation
 * continues from them.
 */
import { dueWork } from "./due-days";
import { DUE_INDEX_SHARDS, type DueEntry, type DueStanding, type DueTick } from "./due-index";
import type { QueueDeps, QueuedJob } from "./enqueue";
import type { SyncJob } from "./job";
import { mapLimited } from "./limited";
import { ConflictError } from "../store/store";

export interface SchedulerDeps extends QueueDeps {
  dueIndex: DueTick;
  now: Date;
  /** The due-index's shard count; DUE_INDEX_SHARDS unless the locations were registered with another. */
  shards?: number;
  /**
   * Milliseconds the tick may still start work in (a Lambda's time left less what must follow the
   * tick); no page is started at 0 or less. Without it the tick works until nothing is due.
   */
  timeLeftMs?: () => number;
  /** Entries read from a shard per page (PAGE_SIZE unless said). */
  pageSize?: number;
  /** Locations of a page sent and then moved on together (RUN_SIZE unless said). */
  runSize?: number;
  /** Counts and ids only: never personal data. */
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

export interface SchedulerTickResult {
  /** Messages sent. */
  enqueued: number;
  /** Locations whose due days were sent and whose entry moved on. */
  locations: number;
  /** Entries another tick had already moved on (its sends carried the same deduplication ids), or left behind by a move and discarded. */
  skipped: number;
  /** Entries of locations that no longer exist, or that do not post (not started, stopped), taken out of the index. */
  removed: number;
  /** Entries that failed (sending or moving); they stay due and the next tick tries again. */
  failed: number;
  /** The time budget ran out with entries still due: they stay due, and the next invocation continues from them. */
  unfinished: boolean;
}

/**
 * Entries asked for per page (a page's reads, sends and moves are batched together): about what one
 * Query returns in its 1 MB anyway (an entry is 200–300 bytes), so a zone's midnight takes few reads
 * of each shard. A page of 4,000 is a few seconds of work on AWS, well inside what functions/scheduler.ts
 * keeps back at the end of an invocation.
 */
export const PAGE_SIZE = 4000;
/** Shards worked on at once; each page's batched calls run a few at a time too (lib/store/due-index.ts, enqueue.ts). */
const SHARDS_AT_ONCE = 4;
/** Locations sent and then moved on together (their jobs fill ten SendMessageBatch calls or more). */
export const RUN_SIZE = 100;
/** Runs of a page in flight at once: one's moves overlap another's sends. */
const RUNS_AT_ONCE = 2;

export async function runSchedulerTick(deps: SchedulerDeps): Promise<SchedulerTickResult> {
  const shards = deps.shards ?? DUE_INDEX_SHARDS;
  const limit = deps.pageSize ?? PAGE_SIZE;
  const result: SchedulerTickResult = { enqueued: 0, locations: 0, skipped: 0, removed: 0, failed: 0, unfinished: false };
  const unread: unknown[] = [];
  await mapLimited(Array.from({ length: shards }, (_, shard) => shard), SHARDS_AT_ONCE, async (shard) => {
    const read = (after: string | undefined): Promise<DuePage> => {
      const page = deps.dueIndex.duePage(shard, deps.now, { limit, ...(after === undefined ? {} : { after }) });
      // A page read ahead and then left (the budget ran out, or the shard's work failed) must not reject unheard.
      page.catch(() => undefined);
      return page;
    };
    try {
      // The next page is read while this one is worked on: the cursor is a position, entries moved on
      // behind it are gone and their new entries are due after `now`, so the read ahead sees what a read
      // after would; those left due are not read again this tick.
      let next: Promise<DuePage> | undefined = read(undefined);
      while (next !== undefined) {
        if (deps.timeLeftMs !== undefined && deps.timeLeftMs() <= 0) {
          result.unfinished = true;
          return;
        }
        const current: DuePage = await next;
        next = current.after === undefined ? undefined : read(current.after);
        await tickPage(deps, current.entries, result);
      }
    } catch (error) {
      unread.push(error);
      deps.log?.("error", "reading a shard of the due-index failed; its entries stay due", { shard, error: errorName(error) });
    }
  });
  // A tick that found nothing due writes no line (most ticks: a zone's night falls due a few times a
  // day); one that sent, set aside or failed anything says what, with its counts.
  if (didSomething(result)) deps.log?.("info", "scheduler tick", { now: deps.now.toISOString(), ...result });
  if (unread.length > 0) throw unread[0];
  return result;
}

function didSomething(result: SchedulerTickResult): boolean {
  return result.enqueued + result.locations + result.skipped + result.removed + result.failed > 0 || result.unfinished;
}

type DuePage = Awaited<ReturnType<DueTick["duePage"]>>;

interface Planned {
  entry: DueEntry;
  jobs: SyncJob[];
  nextDueAt: Date;
}

async function tickPage(deps: SchedulerDeps, entries: DueEntry[], result: SchedulerTickResult): Promise<void> {
  if (entries.length === 0) return;
  let standings: DueStanding[];
  try {
    standings = await deps.dueIndex.standings(entries);
  } catch (error) {
    for (const entry of entries) failed(deps, result, entry, error);
    return;
  }
  const planned: Planned[] = [];
  const setAside: Promise<void>[] = [];
  entries.forEach((entry, index) => {
    const standing = standings[index] as DueStanding;
    if (standing.kind === "stale") {
      setAside.push(setAsideEntry(deps, result, entry, "skipped", () => deps.dueIndex.discard(entry)));
      return;
    }
    // Gone, not started, or stopped for a connection (lib/locations/posting-status.ts takes it out itself;
    // this is for an entry that outlived that): nothing to send, and nothing to send it for.
    if (standing.kind === "gone" || standing.location.awaitingStart || standing.location.postingStopped) {
      setAside.push(setAsideEntry(deps, result, entry, "removed", () => deps.dueIndex.remove(entry)));
      return;
    }
    const { postingFrom } = standing.location;
    const work = dueWork(new Date(entry.nextDueAt), deps.now, entry);
    if (work.nextDueAt.getTime() <= new Date(entry.nextDueAt).getTime()) return;
    // One job per location-night: each first-time day's night job re-checks the days before it too; no
    // night before the location's first posting day (the night itself skips earlier re-checks).
    const jobs: SyncJob[] = work.days
      .filter((day) => day.kind === "first" && (postingFrom === undefined || day.businessDay >= postingFrom))
      .map((day) => ({ merchantId: entry.merchantId, locationId: entry.locationId, businessDay: day.businessDay, kind: "night" }));
    planned.push({ entry, jobs, nextDueAt: work.nextDueAt });
  });

  // The page's locations go in runs, each sent and then moved on, a few runs at once: one run's moves
  // (DynamoDB) overlap the next one's sends (SQS). A location is moved on only once all its jobs were taken.
  const runs: Planned[][] = [];
  const runSize = deps.runSize ?? RUN_SIZE;
  for (let start = 0; start < planned.length; start += runSize) runs.push(planned.slice(start, start + runSize));
  await mapLimited(runs, RUNS_AT_ONCE, (run) => sendAndAdvance(deps, run, result));
  await Promise.all(setAside);
}

async function sendAndAdvance(deps: SchedulerDeps, run: Planned[], result: SchedulerTickResult): Promise<void> {
  const messages: QueuedJob[] = [];
  const firsts = run.map((plan) => {
    const first = messages.length;
    for (const job of plan.jobs) messages.push({ job, messageGroup: plan.entry.messageGroup });
    return first;
  });
  const taken = await deps.queue.sendEach(messages).catch(() => messages.map(() => false));
  const sent = run.filter((plan, index) => plan.jobs.every((_, offset) => taken[(firsts[index] as number) + offset] === true));
  for (const plan of run) {
    if (!sent.includes(plan)) failed(deps, result, plan.entry, new Error("the queue refused a job"), "EnqueueError");
  }
  const outcomes = await deps.dueIndex.advanceAll(sent.map(({ entry, nextDueAt }) => ({ entry, nextDueAt })));
  sent.forEach((plan, index) => {
    const outcome = outcomes[index];
    if (outcome === "moved") {
      result.enqueued += plan.jobs.length;
      result.locations++;
    } else if (outcome === "conflict") {
      result.skipped++;
    } else {
      failed(deps, result, plan.entry, new Error("its due-index entry could not be moved"), "StoreError");
    }
  });
}

async function setAsideEntry(
  deps: SchedulerDeps, result: SchedulerTickResult, entry: DueEntry, as: "skipped" | "removed", write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      failed(deps, result, entry, error);
      return;
    }
  }
  result[as]++;
}

function failed(deps: SchedulerDeps, result: SchedulerTickResult, entry: DueEntry, error: unknown, name = errorName(error)): void {
  result.failed++;
  deps.log?.("error", "scheduling a location failed; it stays due", { merchantId: entry.merchantId, locationId: entry.locationId, error: name });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}
