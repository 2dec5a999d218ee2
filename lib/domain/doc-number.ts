/**
 * DocNumber: the key daybook finds its own journal entries by in QuickBooks. Deterministic, unique per
 * (POS location, business day, revision) within a QuickBooks company, and at most 21 characters:
 *
 *   DB250314-7K2QXM       first posting of 2025-03-14 for one location
 *   DB250314-7K2QXM-A1    its first adjusting entry
 *
 * The six-character location tag is a hash of the source and the POS location id, so two locations
 * posting to the same company (even a Square one and a Clover one) get different numbers.
 */
import { createHash } from "node:crypto";
import { parseIsoDate } from "./business-day";

export const MAX_DOC_NUMBER_LENGTH = 21;
export const MAX_REVISION = 999;

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function locationTag(source: string, locationId: string): string {
  const digest = createHash("sha256").update(`${source}:${locationId}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 4)) bits = (bits << 8n) | BigInt(byte);
  let tag = "";
  for (let i = 0; i < 6; i++) {
    tag = (CROCKFORD[Number(bits & 31n)] ?? "0") + tag;
    bits >>= 5n;
  }
  return tag;
}

export function docNumber(source: string, locationId: string, businessDay: string, revision: number): string {
  parseIsoDate(businessDay);
  if (!Number.isInteger(revision) || revision < 0 || revision > MAX_REVISION) {
    throw new RangeError(`revision must be a whole number from 0 to ${MAX_REVISION}, got ${revision}`);
  }
  const yymmdd = businessDay.slice(2).replaceAll("-", "");
  const suffix = revision === 0 ? "" : `-A${revision}`;
  return `DB${yymmdd}-${locationTag(source, locationId)}${suffix}`;
}
