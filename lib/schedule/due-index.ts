/**
 * The due-index: when each location's next business day is due, kept so the scheduler finds the due
 * ones with a few queries and never scans the table. Each location has one entry, in one of a few
 * shards (partitions) chosen by its ids, ordered by when it is due, so "everything due by now" is one
 * range query per shard; the shards spread a night's many locations over several partitions. The
 * entry goes away with the account (the scheduler removes an entry whose location is gone).
 *
 * DueIndex is the storage port; lib/store/due-index.ts implements it on the table.
 */
import type { LocationConfig } from "../model";
import { StoreError } from "../store/errors";
import { shardOfItem } from "../store/keys";
import type { Store } from "../store/store";
import { DEFAULT_SETTLE_MINUTES, dueAt, type DueSchedule, firstDayDueAfter } from "./due-days";
import { messageGroupOf } from "./job";

/** How many partitions the index is spread over. Changing it strands entries in shards no longer read: re-register then. */
export const DUE_INDEX_SHARDS = 16;

export interface DueEntry extends DueSchedule {
  merchantId: string;
  locationId: string;
  /** ISO 8601, UTC: when the location's next first-time day is due. */
  nextDueAt: string;
  /** The SQS message group: the location's QuickBooks company. */
  messageGroup: string;
  shard: number;
}

export interface DueIndex {
  /**
   * Puts the location's entry, replacing any earlier entry of the location in the same transaction;
   * two registrations at once end with one entry (the later one's).
   */
  put(entry: DueEntry): Promise<void>;
  /** The location's entry, if it has one. */
  get(merchantId: string, locationId: string): Promise<DueEntry | undefined>;
  /** The shard's entries due at or before `now`, soonest first. */
  due(shard: number, now: Date): Promise<DueEntry[]>;
  /**
   * One page of `due`: at most `limit` entries, from after the cursor a previous page gave (`after`);
   * the answer's `after` is undefined on the last page.
   */
  duePage(shard: number, now: Date, page: { limit: number; after?: string }): Promise<{ entries: DueEntry[]; after?: string }>;
  /**
   * For each entry, in order: whether it is still its location's entry, and the location's posting
   * state (few reads for many entries: the scheduler's tick asks this before it sends anything).
   */
  standings(entries: readonly DueEntry[]): Promise<DueStanding[]>;
  /**
   * Moves the entry to `nextDueAt` (after its current instant), all or nothing, and only if the entry
   * is still there: of two ticks advancing the same entry one wins; the other gets a ConflictError.
   */
  advance(entry: DueEntry, nextDueAt: Date): Promise<DueEntry>;
  /**
   * `advance` for many entries at once, in batches; for each move, in order: "moved", "conflict"
   * (another tick moved it first, or it was re-registered or removed meanwhile), or "failed" (an error:
   * the entry stays where it was, due, and the next tick tries again). Never throws for one entry.
   */
  advanceAll(moves: readonly { entry: DueEntry; nextDueAt: Date }[]): Promise<AdvanceOutcome[]>;
  /**
   * Deletes an entry that is no longer its location's (its standing was "stale"), unless it has become
   * the location's entry again meanwhile (then a ConflictError).
   */
  discard(entry: DueEntry): Promise<void>;
  /** Takes the entry out of the index (ConflictError if it changed meanwhile). */
  remove(entry: DueEntry): Promise<void>;
  /**
   * Takes every entry of the merchant's locations out of the index (account deletion), even while a
   * tick moves one on; returns how many locations were scheduled.
   */
  removeMerchant(merchantId: string): Promise<number>;
}

/** What the scheduler's tick uses of the index (lib/schedule/scheduler.ts): its every invocation reads, moves and sets aside entries, and registers none. */
export type DueTick = Pick<DueIndex, "duePage" | "standings" | "advanceAll" | "discard" | "remove">;

/** The location's state that decides whether its due days are sent (lib/model.ts's LocationConfig). */
export interface PostingState {
  awaitingStart?: true;
  /** The day posting starts from: no night before it is sent. */
  postingFrom?: string;
  postingStopped: boolean;
}

/**
 * A due entry as the tick finds it: "current" (its location's entry, with the location's posting
 * state), "gone" (the location is no longer stored: the entry outlived it), or "stale" (the stored
 * location has another entry, or none: this one was left behind by a move or a removal that raced).
 */
export type DueStanding = { kind: "current"; location: PostingState } | { kind: "gone" } | { kind: "stale" };

export type AdvanceOutcome = "moved" | "conflict" | "failed";

export interface LocationToSchedule extends Pick<LocationConfig, "merchantId" | "locationId" | "timeZone" | "dayStart" | "earlierDaySettings"> {
  settleMinutes?: number;
}

export function shardOf(merchantId: string, locationId: string, shards = DUE_INDEX_SHARDS): number {
  return shardOfItem(merchantId, locationId, shards);
}

/** A location's schedule: its day settings (the earlier ones too) and the settle delay (two hours unless said). */
export function scheduleOf(location: Pick<LocationConfig, "timeZone" | "dayStart" | "earlierDaySettings">, settleMinutes = DEFAULT_SETTLE_MINUTES): DueSchedule {
  return {
    timeZone: location.timeZone, dayStart: location.dayStart, settleMinutes,
    ...(location.earlierDaySettings && location.earlierDaySettings.length > 0 ? { earlierDaySettings: location.earlierDaySettings } : {}),
  };
}

/** The business day an entry is due for: the first-time day it sends when its instant comes. */
export function pendingDayOf(entry: DueEntry): string {
  return firstDayDueAfter(new Date(Date.parse(entry.nextDueAt) - 1), entry);
}

export interface RegisterOptions {
  shards?: number;
  /**
   * The first business day to send: by default the first one due after `now`. An earlier day is sent
   * at the next tick (and the days after it, up to the scheduler's catch-up).
   */
  from?: string;
}

/**
 * Puts the location in the index, due when its first business day after `now` (or `from`) is. Call it
 * when a location starts posting, resumes, or its day settings or QuickBooks company change.
 */
export async function registerLocation(
  dueIndex: DueIndex, location: LocationToSchedule, quickBooksRealmId: string, now: Date, options: RegisterOptions = {},
): Promise<DueEntry> {
  const schedule = scheduleOf(location, location.settleMinutes);
  const entry: DueEntry = {
    merchantId: location.merchantId,
    locationId: location.locationId,
    ...schedule,
    nextDueAt: dueAt(options.from ?? firstDayDueAfter(now, schedule), schedule).toISOString(),
    messageGroup: messageGroupOf(quickBooksRealmId),
    shard: shardOf(location.merchantId, location.locationId, options.shards),
  };
  await dueIndex.put(entry);
  return entry;
}

/**
 * registerLocation for a location already in the store, in its QuickBooks connection's company. A
 * location already in the index keeps its settle delay and the day it is due for (unless `from` says
 * otherwise), so registering it again after a change never skips a day that is due but not yet sent.
 */
export async function registerStoredLocation(
  deps: { dueIndex: DueIndex; store: Pick<Store, "getLocation" | "getConnection"> }, merchantId: string, locationId: string, now: Date,
  options: RegisterOptions & { settleMinutes?: number } = {},
): Promise<DueEntry> {
  const location = await deps.store.getLocation(merchantId, locationId);
  if (location === undefined) throw new StoreError(`merchant ${merchantId} has no location ${locationId}`);
  const quickBooks = await deps.store.getConnection(merchantId, location.quickbooksConnectionId);
  if (quickBooks?.provider !== "quickbooks") throw new StoreError(`location ${locationId} has no QuickBooks connection`);
  const existing = await deps.dueIndex.get(merchantId, locationId);
  const settleMinutes = options.settleMinutes ?? existing?.settleMinutes;
  const from = options.from ?? (existing ? pendingDayOf(existing) : undefined);
  return registerLocation(deps.dueIndex, { ...location, ...(settleMinutes === undefined ? {} : { settleMinutes }) }, quickBooks.externalId, now, {
    ...(options.shards === undefined ? {} : { shards: options.shards }), ...(from === undefined ? {} : { from }),
  });
}
