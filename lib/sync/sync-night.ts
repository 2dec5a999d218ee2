/**
 * One location-night, end to end: the night's day D and the re-checks of D−1..D−3 from ONE read of the
 * POS, each day then through the exactly-once path of its own (syncLocationDay, with its figures handed
 * in rather than read again).
 *
 * What "one read" means, so that every day's figures equal what a read of that day alone would give
 * (lib/pos/night.ts; proved by test/integration/night-read.test.ts on generated days):
 * - the changes since D's start are read once; they hold everything recognised in D, so D is summarised
 *   from them;
 * - an earlier day whose record is known complete as of an instant at or after D's start (less
 *   READ_LAG_MS for a search index that trails writes) is unchanged unless a change read touches it:
 *   its record's figures stand and no more is read for it;
 * - any other earlier day (touched, never read, failed, pending, or last read too long ago) is read
 *   again in full: a changed day's figures need all its orders, and daybook keeps no order to apply a
 *   change to.
 * Only days on or after the location's first posting day (postingFrom) are in the night, and each is
 * read in its own window (dayWindowOf: the day start and zone in force that day).
 * A day's record then says it was complete as of this run's clock (lastReadAt), which is what lets the
 * next night trust it in turn. An earlier day found unchanged, whose record that stamp is all that would
 * change, is left as it was: the night's oldest day (D−3), which no later night re-checks, and D−2 and
 * D−1, for which the night's own day's record vouches instead (SyncRecord.vouched: each by the version
 * left, as of its own stamp), so that one write says what three did. The next night reads that record
 * with the others (it is its D−1) and trusts each day vouched for as of that stamp while the day's record
 * is at the version vouched for (trustedSince). Should the night's own day not be written (a failure),
 * the next night reads those days again in full: what is lost is the saving, never a change.
 */
import { addDays } from "../domain/business-day";
import { dayWindowOf } from "../domain/day-settings";
import type { Connection, LocationConfig, Merchant, SyncRecord } from "../model";
import type { NightPlan, NightRead } from "../pos/night";
import { RECHECK_DAYS } from "../schedule/due-days";
import {
  activeConnection, bothConnections, type KnownConnections, type LocationDay, type PosDay, SyncError, type SyncOptions, type SyncOutcome, type SyncPorts,
  syncLocationDay,
} from "./sync-day";

/** How far a POS's search may trail its writes: a read at T is trusted to hold what was updated before T − this. */
export const READ_LAG_MS = 15 * 60_000;

/** A night: `businessDay` is its own day D; D−1..D−3 are re-checked. */
export type LocationNight = LocationDay;

/**
 * Each day of the night, oldest first: its record before the night, and how its sync ended or what it
 * threw (a retryable failure, a bug).
 */
export type NightDayResult = { day: LocationDay; before: SyncRecord | undefined } & (
  /** `after`: the record as the day's run left it (absent when the day failed: read it then). */
  { outcome: SyncOutcome; after?: SyncRecord } | { error: unknown }
);

/** The night's days, and what it read once for all of them (the location and the merchant), for what follows them. */
export interface SyncedNight {
  days: NightDayResult[];
  location: LocationConfig;
  merchant: Merchant | undefined;
}

/** The night's days, oldest first: D−3..D. */
export function daysOfNight(night: LocationNight): LocationDay[] {
  return Array.from({ length: RECHECK_DAYS + 1 }, (_, index) => ({
    merchantId: night.merchantId, locationId: night.locationId, businessDay: addDays(night.businessDay, index - RECHECK_DAYS),
  }));
}

/**
 * Whether the record holds the day's complete figures as of an instant the changes from `changesSince`
 * cover: its own read stamp, or that of a record among `vouchers` (the night's records) vouching for it
 * at its version.
 */
export function isTrusted(record: SyncRecord | undefined, changesSince: number, vouchers: readonly (SyncRecord | undefined)[] = []): boolean {
  if (!record || record.pending || record.lastSummary === undefined) return false;
  if (record.state !== "posted" && record.state !== "no-sales" && record.state !== "held") return false;
  const since = trustedSince(record, vouchers);
  return since !== undefined && since - READ_LAG_MS >= changesSince;
}

/** The latest instant as of which the record is known complete: its own read stamp, or a voucher's that names it at its version. */
export function trustedSince(record: SyncRecord, vouchers: readonly (SyncRecord | undefined)[]): number | undefined {
  const stamps = [record.lastReadAt, ...vouchers.map((voucher) => (voucher?.vouched?.[record.businessDay] === record.version ? voucher.lastReadAt : undefined))]
    .flatMap((stamp) => (stamp === undefined ? [] : [Date.parse(stamp)]));
  return stamps.length === 0 ? undefined : Math.max(...stamps);
}

export async function syncLocationNight(ports: SyncPorts, night: LocationNight): Promise<NightDayResult[]> {
  return (await syncNight(ports, night)).days;
}

/** `onLocation`: told the location as soon as the night has read it, before it reads the POS (the worker starts reading Square's payouts then); it must not throw. */
export async function syncNight(ports: SyncPorts, night: LocationNight, options: { onLocation?(location: LocationConfig): void } = {}): Promise<SyncedNight> {
  const { store } = ports;
  const at = ports.now();
  // Read once, all at once, for the night's days, each of which would otherwise read them again
  // (SyncOptions.known); the records of days the location does not post are read and left. The four
  // days' records in one query of their keys (strongly consistent, as a record's read before its write
  // must be): one call, and one read unit for what four reads billed four.
  const nightDays = daysOfNight(night);
  const [location, allRecords, merchant, reviewMode] = await Promise.all([
    store.getLocation(night.merchantId, night.locationId),
    store.listSyncRecordsBetween(night.merchantId, night.locationId, nightDays[0]?.businessDay ?? night.businessDay, night.businessDay)
      .then((found) => nightDays.map((day) => found.find((record) => record.businessDay === day.businessDay))),
    store.getMerchant(night.merchantId),
    ports.settings.getReviewMode(night.merchantId),
  ]);
  if (!location) throw new SyncError(`location ${night.locationId} of merchant ${night.merchantId} is not set up in daybook`, "bug");
  options.onLocation?.(location);
  // No day before the location's first posting day is re-checked (nor posted: it predates going live).
  const posts = (day: LocationDay) => location.postingFrom === undefined || day.businessDay >= location.postingFrom;
  const days = nightDays.filter(posts);
  const records = allRecords.filter((_, index) => posts(nightDays[index] as LocationDay));
  // Each day with its own start and zone: a change applies from its chosen day, never to an earlier one.
  const windowOf = (businessDay: string) => dayWindowOf(location, businessDay);
  const changesSince = windowOf(night.businessDay).startMs;
  const plan: NightPlan = {
    changesSince,
    days: days.map((day, index) => ({ businessDay: day.businessDay, window: windowOf(day.businessDay), trusted: isTrusted(records[index], changesSince, allRecords) })),
  };

  // The night's own day, not yet posted, posts once read (a closed day or review mode aside): QuickBooks'
  // token, expired since the night before, is made ready while the POS is read rather than after it. A
  // night whose day is posted (a re-check) makes no QuickBooks call for it.
  const ownIndex = days.findIndex((day) => day.businessDay === night.businessDay);
  const ownRecord = ownIndex === -1 ? undefined : records[ownIndex];
  const postsTonight = ownIndex !== -1 && !reviewMode && !location.awaitingStart
    && (ownRecord === undefined || ownRecord.state === "posting" || ownRecord.state === "failed");
  const read = await readNight(ports, location, plan, at, postsTonight);
  // The days share the connections the night found active (QuickBooks' read again once the POS was
  // read, as each day read both before); after a day that failed or threw, each day reads them again,
  // as on its own, so a connection the day found refused stops the days after it there, in its words.
  let connections = "connections" in read ? read.connections : undefined;
  const results: NightDayResult[] = [];
  const vouch: Record<string, number> = {};
  for (const [index, day] of days.entries()) {
    const before = records[index];
    let after: SyncRecord | undefined;
    const own = day.businessDay === night.businessDay;
    const options: SyncOptions = {
      read: dayRead(read, day.businessDay, before, at),
      known: { location, merchant, reviewMode, record: before, ...(connections ? { connections } : {}) },
      onRecord: (record) => (after = record),
      ...(own ? (Object.keys(vouch).length > 0 ? { vouch } : {}) : {
        leaveUnchanged: day.businessDay === addDays(night.businessDay, -RECHECK_DAYS) ? "last-recheck" : "vouched",
        onLeft: (record: SyncRecord) => {
          after = record;
          if (day.businessDay !== addDays(night.businessDay, -RECHECK_DAYS)) vouch[record.businessDay] = record.version;
        },
      }),
    };
    try {
      const outcome = await syncLocationDay(ports, day, options);
      if (outcome.status === "failed") connections = undefined;
      results.push({ day, before, outcome, ...(after && outcome.status !== "failed" ? { after } : {}) });
    } catch (error) {
      connections = undefined;
      results.push({ day, before, error });
    }
  }
  return { days: results, location, merchant };
}

type NightReadResult = { read: NightRead; connections: KnownConnections } | { error: unknown };

/** The night's one read and the connections as they stand after it, or why it could not be made. */
async function readNight(ports: SyncPorts, location: LocationConfig, plan: NightPlan, at: Date, postsTonight: boolean): Promise<NightReadResult> {
  try {
    // Nothing can be posted without QuickBooks: the read would be wasted (each day says why).
    const [pos, books] = await bothConnections(location, (connectionId) => usableConnection(ports, location.merchantId, connectionId));
    const ready = postsTonight ? readyTokens(ports, pos, books) : undefined;
    const read = ports.readPosNight ? await ports.readPosNight(location, pos, plan, at) : await eachDayOnItsOwn(ports, location, pos, plan, at);
    await ready;
    // QuickBooks as it stands now, for the days that post: a connection ended while the POS was read stops them.
    const quickbooks = await activeConnection(ports.store, location.merchantId, location.quickbooksConnectionId, "quickbooks");
    return { read, connections: { pos, quickbooks } };
  } catch (error) {
    return { error };
  }
}

/**
 * QuickBooks' access token refreshed if due, for the post that follows the read, after the POS's tokens
 * are open (the read shares that opening), so QuickBooks' new tokens are sealed under the POS's data key
 * (lib/vault/kms.ts). Never a failure of its own: a refused refresh has marked the connection (the token
 * keeper), which the read of QuickBooks' connection after the POS's then finds, and any other failure is
 * met again, in its words, by the read or the post.
 */
async function readyTokens(ports: SyncPorts, pos: Connection, quickBooks: Connection): Promise<void> {
  try {
    await ports.accessToken?.(pos);
    await (await ports.quickBooksClient(quickBooks)).tokens.accessToken();
  } catch {
    // The read's or the day's own call says what went wrong.
  }
}

/** Without a night read, each day is read on its own, as a day's sync would. */
async function eachDayOnItsOwn(ports: SyncPorts, location: LocationConfig, connection: Connection, plan: NightPlan, at: Date): Promise<NightRead> {
  const read: NightRead = new Map();
  for (const { businessDay } of plan.days) {
    read.set(businessDay, await ports.summarisePosDay(location, connection, dayWindowOf(location, businessDay), at));
  }
  return read;
}

async function usableConnection(ports: SyncPorts, merchantId: string, connectionId: string): Promise<Connection> {
  const connection = await ports.store.getConnection(merchantId, connectionId);
  if (connection?.status !== "active") throw new SyncError("a connection needs reconnecting", "needs-reconnect");
  return connection;
}

function dayRead(read: NightReadResult, businessDay: string, record: SyncRecord | undefined, at: Date): SyncOptions["read"] {
  if ("error" in read) return { error: read.error };
  const found = read.read.get(businessDay);
  if (found === undefined) return { error: new SyncError(`the night's read left out ${businessDay}`, "bug") };
  if (found !== "unchanged") return { pos: found, readAt: at };
  if (record?.lastSummary === undefined) return { error: new SyncError(`${businessDay} was taken as unchanged without figures`, "bug") };
  const pos: PosDay = { summary: record.lastSummary, warnings: [] };
  return { pos, readAt: at };
}
