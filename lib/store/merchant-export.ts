/**
 * A merchant's partition, read whole, turned into the export download: each known kind checked by
 * its schema, secrets and keys removed, and items of kinds this code does not know kept as they are
 * (minus keys) so the export never silently drops data.
 */
import { fromItem, type Item } from "./dynamo-items";
import { KIND_PREFIX } from "./keys";
import { REPORT_PREFIX, reportContentText } from "./reports";
import { merchantSchema } from "./merchant-profile";
import { PAYOUT_RECORD_PREFIX, plainPayoutItem } from "./payout-items";
import { locationSchema, storedConnectionSchema } from "./schemas";
import { syncRecordOf } from "./sync-records";
import type { Connection, SyncRecord } from "../model";
import type { MerchantExport } from "./store";

/**
 * Never in an export: table keys, index keys, and anything secret or made from a secret (an API key's
 * or an invitation link's SHA-256, `tokenHash`: what daybook checks a key against, useless to anyone
 * but someone guessing keys).
 */
const WITHHELD = new Set(["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "tokenCiphertext", "tokenHash", "refreshLeaseUntil", "sweepDueAt", "contentZ", "packed"]);

export function merchantExportOf(items: Item[]): MerchantExport | undefined {
  let merchant: MerchantExport["merchant"] | undefined;
  const connections: MerchantExport["connections"] = [];
  const locations: MerchantExport["locations"] = [];
  const syncRecords: SyncRecord[] = [];
  const other: Record<string, unknown>[] = [];

  for (const item of items) {
    const sortKey = typeof item.SK === "string" ? item.SK : "";
    const subject = `the stored item ${String(item.PK)} ${sortKey}`;
    if (sortKey === KIND_PREFIX.profile) merchant = fromItem(merchantSchema, item, subject);
    else if (sortKey.startsWith(KIND_PREFIX.connection)) {
      const { tokenCiphertext: _secret, refreshLeaseUntil: _lease, sweepDueAt: _sweep, ...connection } = fromItem(storedConnectionSchema, item, subject);
      connections.push(connection);
    } else if (sortKey.startsWith(KIND_PREFIX.location)) locations.push(fromItem(locationSchema, item, subject));
    else if (sortKey.startsWith(KIND_PREFIX.syncRecord)) syncRecords.push(syncRecordOf(item, subject));
    // A report's content as the JSON text it is, though it is kept packed or compressed (reports.ts).
    else if (sortKey.startsWith(REPORT_PREFIX) && (item.contentZ !== undefined || item.packed !== undefined)) other.push(withheld({ ...item, content: reportContentText(item, subject) }));
    // A payout record's fields as attributes, as they were kept before recordZ (payout-items.ts).
    else if (sortKey.startsWith(PAYOUT_RECORD_PREFIX)) other.push(withheld(plainPayoutItem(item, subject)));
    // A kind added later may hold a secret under the same name; withholding by name costs nothing.
    else other.push(withheld(item));
  }
  if (merchant === undefined) return undefined;
  return {
    merchant,
    connections: connections.sort(oldestFirst),
    locations,
    syncRecords: syncRecords.sort(newestDayFirst),
    other,
  };
}

function withheld(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !WITHHELD.has(name)));
}

export function oldestFirst(a: Pick<Connection, "createdAt" | "connectionId">, b: Pick<Connection, "createdAt" | "connectionId">): number {
  return compare(a.createdAt, b.createdAt) || compare(a.connectionId, b.connectionId);
}

export function newestDayFirst(a: SyncRecord, b: SyncRecord): number {
  return compare(b.businessDay, a.businessDay) || compare(a.locationId, b.locationId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

