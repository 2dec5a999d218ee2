/**
 * The due-index: when each location's next business day is due, kept so the scheduler finds the due
 * ones with a few queries and never scans the table. Each location has one entry, in one of a few
 * shards (partitions) chosen by its ids, ordered by when it is due, so "everything due by now" is one
 * range query per shard; the shards spread a night's many locations over several partitions. The
 * entry goes away with the account (the scheduler removes an entry whose location is gone).
 *
 * DueIndex is the storage port; lib/store/due-index.ts implements it on the table.
 */
import { createHash } from "node:crypto";
import type { LocationConfig } from "../model";
import { StoreError } from "../store/errors";
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
   * Moves the entry to `nextDueAt` (after its current instant), all or nothing, and only if the entry
   * is still there: of two ticks advancing the same entry one wins; the other gets a ConflictError.
   */
  advance(entry: DueEntry, nextDueAt: Date): Promise<DueEntry>;
  /** Takes the entry out of the index (ConflictError if it changed meanwhile). */
  remove(entry: DueEntry): Promise<void>;
  /**
   * Takes every entry of the merchant's locations out of the index (account deletion), even while a
   * tick moves one on; returns how many locations were scheduled.
   */
  removeMerchant(merchantId: string): Promise<number>;
}

export interface LocationToSchedule extends Pick<LocationConfig, "merchantId" | "locationId" | "timeZone" | "dayStart"> {
  settleMinutes?: number;
}

export function shardOf(merchantId: string, locationId: string, shards = DUE_INDEX_SHARDS): number {
  const digest = createHash("sha256").update(`${merchantId}/${locationId}`).digest();
  return digest.readUInt32BE(0) % shards;
}

/**
 * Puts the location in the index, due when its first business day after `now` is. Call it when a
 * location is set up or its time zone, day start or QuickBooks company changes.
 */
export async function registerLocation(
  dueIndex: DueIndex, location: LocationToSchedule, quickBooksRealmId: string, now: Date, options: { shards?: number } = {},
): Promise<DueEntry> {
  const schedule: DueSchedule = {
    timeZone: location.timeZone, dayStart: location.dayStart, settleMinutes: location.settleMinutes ?? DEFAULT_SETTLE_MINUTES,
  };
  const entry: DueEntry = {
    merchantId: location.merchantId,
    locationId: location.locationId,
    ...schedule,
    nextDueAt: dueAt(firstDayDueAfter(now, schedule), schedule).toISOString(),
    messageGroup: messageGroupOf(quickBooksRealmId),
    shard: shardOf(location.merchantId, location.locationId, options.shards),
  };
  await dueIndex.put(entry);
  return entry;
}

/** registerLocation for a location already in the store, in its QuickBooks connection's company. */
export async function registerStoredLocation(
  deps: { dueIndex: DueIndex; store: Pick<Store, "getLocation" | "getConnection"> }, merchantId: string, locationId: string, now: Date,
  options: { shards?: number; settleMinutes?: number } = {},
): Promise<DueEntry> {
  const location = await deps.store.getLocation(merchantId, locationId);
  if (location === undefined) throw new StoreError(`merchant ${merchantId} has no location ${locationId}`);
  const quickBooks = await deps.store.getConnection(merchantId, location.quickbooksConnectionId);
  if (quickBooks?.provider !== "quickbooks") throw new StoreError(`location ${locationId} has no QuickBooks connection`);
  const settle = options.settleMinutes === undefined ? {} : { settleMinutes: options.settleMinutes };
  return registerLocation(deps.dueIndex, { ...location, ...settle }, quickBooks.externalId, now, options);
}
