/**
 * A payout record's item (payouts.ts) in either form: the fields nothing names in a condition, a key,
 * an index or a query (everything but the ids, `state`, `version` (the writes' condition), `updatedAt`
 * and the expiry, `expiresAt` being the table's TTL) kept as one compressed JSON attribute, `recordZ`
 * (compressed.ts); or, as written before it, every field an attribute. Apart from payouts.ts so that the
 * merchant's export (merchant-export.ts), which every path's store loads, does not load the payout store.
 */
import { compressText, decompressJson } from "./compressed";
import type { Item } from "./dynamo-items";
import { StoreError } from "./errors";

export const PAYOUT_RECORD_PREFIX = "PAYOUT#";

const COMPRESSED_FIELDS: ReadonlySet<string> = new Set(["summary", "posted", "pending", "heldReason", "skipped", "warnings", "lastError"]);
const RECORD_Z = "recordZ";

/** The plain item, checked already, with the compressed fields as recordZ. */
export function compressedPayoutItem(item: Item): Item {
  const plain: Item = {};
  const compressed: Item = {};
  for (const [name, value] of Object.entries(item)) (COMPRESSED_FIELDS.has(name) ? compressed : plain)[name] = value;
  return { ...plain, [RECORD_Z]: compressText(JSON.stringify(compressed)) };
}

/**
 * A payout record's item in the form written before `recordZ` (its fields as attributes), whichever form
 * it is in: what the schema checks, and what the merchant's export shows.
 */
export function plainPayoutItem(item: Item, subject: string): Item {
  const { [RECORD_Z]: recordZ, ...plain } = item;
  if (recordZ === undefined) return item;
  const compressed = decompressJson(recordZ, `the compressed fields of ${subject}`);
  if (compressed === null || typeof compressed !== "object" || Array.isArray(compressed)) throw new StoreError(`the compressed fields of ${subject} are not an object`);
  for (const field of COMPRESSED_FIELDS) {
    if (plain[field] !== undefined) throw new StoreError(`${subject} holds its ${field} both compressed and not`);
    const value = (compressed as Item)[field];
    if (value !== undefined) plain[field] = value;
  }
  return plain;
}
