/**
 * Keeping the client list current: when the worker finishes a location-day, every accountant of the
 * business gets the location's latest day in their membership item (one query for the business's
 * members, then one conditional update per accountant; nothing at all for a business without
 * accountants beyond the query). A re-check of an older day never hides a later one, nor does a later
 * day hide an older one still held or failed: the status is the location's latest day of those around
 * the finished one, with the earlier days of the last ten that still need someone.
 */
import { addDays, businessDayOf } from "../domain/business-day";
import type { LocationConfig, SyncRecord } from "../model";
import type { Store } from "../store/store";
import type { LocationDay } from "../sync/sync-day";
import { businessNameOf, type EarlierDay, type LocationStatus, type MemberStore } from "./types";

/** How far back a location's latest day is looked for when an accountant first gets access. */
const LOOK_BACK_DAYS = 10;

const reasonOf = (record: SyncRecord) => (record.state === "held" ? record.heldReason : record.state === "failed" ? record.lastError?.message : undefined)?.slice(0, 300);

/** `record`'s day as the client list shows it, with the days of `earlier` (older records of the location) still held or failed. */
export function locationStatusOf(record: SyncRecord, location: Pick<LocationConfig, "name" | "timeZone">, earlier: readonly SyncRecord[] = []): LocationStatus {
  const reason = reasonOf(record);
  const open = earlier.filter((each) => each.businessDay < record.businessDay).flatMap((each): EarlierDay[] => {
    if (each.state !== "held" && each.state !== "failed") return [];
    const why = reasonOf(each);
    return [{ businessDay: each.businessDay, state: each.state, ...(why !== undefined ? { reason: why } : {}), ...(each.posted.length > 0 ? { posted: true as const } : {}) }];
  }).sort((a, b) => a.businessDay.localeCompare(b.businessDay));
  return {
    name: location.name,
    timeZone: location.timeZone,
    businessDay: record.businessDay,
    state: record.state,
    ...(reason !== undefined ? { reason } : {}),
    ...(record.state === "failed" && record.lastError ? { failureKind: record.lastError.kind } : {}),
    ...(record.posted.length > 0 ? { posted: true as const } : {}),
    updatedAt: record.updatedAt,
    ...(open.length > 0 ? { earlier: open } : {}),
  };
}

/** Tells the business's accountants about the day's record as it stands now. Returns how many were told. */
export async function tellAccountants(ports: { store: Store; members: MemberStore }, day: LocationDay): Promise<number> {
  const members = await ports.members.listMembers(day.merchantId);
  if (members.length === 0) return 0;
  // The days around the finished one: its location's latest (an older day's re-check tells it again), and those before it.
  const [around, location, business] = await Promise.all([
    ports.store.listSyncRecordsBetween(day.merchantId, day.locationId, addDays(day.businessDay, -LOOK_BACK_DAYS), addDays(day.businessDay, LOOK_BACK_DAYS)),
    ports.store.getLocation(day.merchantId, day.locationId),
    ports.store.getMerchant(day.merchantId),
  ]);
  const latest = around.at(-1);
  if (!latest || !location || !business) return 0;
  const before = around.filter((record) => record.businessDay >= addDays(latest.businessDay, -LOOK_BACK_DAYS));
  return ports.members.recordLocationStatus(
    members.map((member) => member.personId), day.merchantId, businessNameOf(business), day.locationId, locationStatusOf(latest, location, before),
  );
}

/** Each location's days of the last LOOK_BACK_DAYS up to its today, oldest first, by location id: one query per location. */
export async function recentSyncRecords(
  store: Pick<Store, "listSyncRecordsBetween">, businessId: string, now: Date, locations: readonly LocationConfig[],
): Promise<Record<string, SyncRecord[]>> {
  return Object.fromEntries(await Promise.all(locations.map(async (location) => {
    const today = businessDayOf(now.getTime(), location.timeZone, location.dayStart);
    return [location.locationId, await store.listSyncRecordsBetween(businessId, location.locationId, addDays(today, -LOOK_BACK_DAYS), today)] as const;
  })));
}

/** Each location's latest day of those recent records, by location id (none for a location without one). */
export function latestLocationStatuses(locations: readonly LocationConfig[], recent: Record<string, SyncRecord[]>): Record<string, LocationStatus> {
  return Object.fromEntries(locations.flatMap((location) => {
    const records = recent[location.locationId] ?? [];
    const latest = records.at(-1);
    return latest ? [[location.locationId, locationStatusOf(latest, location, records)] as const] : [];
  }));
}

/** Each location's latest day of the last LOOK_BACK_DAYS (for a membership that starts now, and the API), by location id. */
export async function currentLocationStatuses(
  store: Store, businessId: string, now: Date, known?: LocationConfig[],
): Promise<Record<string, LocationStatus>> {
  const locations = known ?? (await store.listLocations(businessId));
  return latestLocationStatuses(locations, await recentSyncRecords(store, businessId, now, locations));
}
