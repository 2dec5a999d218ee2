/**
 * A payout record's item (payouts.ts) in either form: the fields nothing names in a condition, a key,
 * an index or a query (everything but the ids, `state`, `version` (the writes' condition), `updatedAt`
 * and the expiry, `expiresAt` being the table's TTL) kept as one compressed JSON attribute, `recordZ`
 * (compressed.ts); or, as written before it, every field an attribute. Apart from payouts.ts so that the
 * merchant's export (merchant-export.ts), which every path's store loads, does not load the payout store.
 *
 * What the item's keys and TTL say already is not written again: the merchant's, location's and payout's
 * ids (its PK and SK) and the record's expiry as an instant (`expiresAtIso`, when it is `expiresAt`'s
 * second), about 124 B of a posted record's 822, kept 13 months and read by every morning's digest.
 * Each is left out only when the keys give it back as it is, and put back on reading (plainPayoutItem),
 * so the schema and the export see the fields as before; items written with them read the same.
 */
import { compressText, decompressJson } from "./compressed";
import type { Item } from "./dynamo-items";
import { StoreError } from "./errors";

export const PAYOUT_RECORD_PREFIX = "PAYOUT#";

const COMPRESSED_FIELDS: ReadonlySet<string> = new Set(["summary", "posted", "pending", "heldReason", "skipped", "warnings", "lastError"]);
const RECORD_Z = "recordZ";

/** The plain item, checked already, with the compressed fields as recordZ and without what its keys and TTL say. */
export function compressedPayoutItem(item: Item): Item {
  const plain: Item = {};
  const compressed: Item = {};
  const implied = impliedFields(item);
  for (const [name, value] of Object.entries(item)) {
    if (implied[name] !== undefined && implied[name] === value) continue;
    (COMPRESSED_FIELDS.has(name) ? compressed : plain)[name] = value;
  }
  return { ...plain, [RECORD_Z]: compressText(JSON.stringify(compressed)) };
}

/**
 * What a record's item says without those fields: the ids from its keys (`MERCHANT#<merchantId>`,
 * `PAYOUT#<locationId>#[@<createdAt>#]<payoutTag>`: ids never hold "#", keys.ts segment) and the
 * expiry instant from the TTL's epoch seconds.
 */
function impliedFields(item: Item): Record<string, string | undefined> {
  const partition = typeof item["PK"] === "string" ? item["PK"] : "";
  const parts = typeof item["SK"] === "string" && item["SK"].startsWith(PAYOUT_RECORD_PREFIX) ? item["SK"].split("#") : [];
  const expiresAt = item["expiresAt"];
  return {
    merchantId: partition.startsWith("MERCHANT#") && partition.split("#").length === 2 ? partition.slice("MERCHANT#".length) : undefined,
    locationId: parts.length >= 3 ? parts[1] : undefined,
    payoutTag: parts.length >= 3 ? parts.at(-1) : undefined,
    expiresAtIso: typeof expiresAt === "number" && Number.isSafeInteger(expiresAt) ? new Date(expiresAt * 1000).toISOString() : undefined,
  };
}

/**
 * A payout record's item in the form written before `recordZ` (its fields as attributes), whichever form
 * it is in: what the schema checks, and what the merchant's export shows.
 */
export function plainPayoutItem(item: Item, subject: string): Item {
  const { [RECORD_Z]: recordZ, ...plain } = item;
  if (recordZ === undefined) return item;
  for (const [name, value] of Object.entries(impliedFields(item))) if (plain[name] === undefined && value !== undefined) plain[name] = value;
  const compressed = decompressJson(recordZ, `the compressed fields of ${subject}`);
  if (compressed === null || typeof compressed !== "object" || Array.isArray(compressed)) throw new StoreError(`the compressed fields of ${subject} are not an object`);
  for (const field of COMPRESSED_FIELDS) {
    if (plain[field] !== undefined) throw new StoreError(`${subject} holds its ${field} both compressed and not`);
    const value = (compressed as Item)[field];
    if (value !== undefined) plain[field] = value;
  }
  return plain;
}
