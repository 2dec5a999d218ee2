/**
 * DocNumber: the key daybook finds its own journal entries by in QuickBooks. Deterministic, unique per
 * (POS location, business day, revision) within a QuickBooks company, and at most 21 characters:
 *
 *   DB250314-7K2QXM       first posting of 2025-03-14 for one location
 *   DB250314-7K2QXM-A1    its first adjusting entry
 *
 * The six-character location tag is a hash of the source and the POS location id, so two locations
 * posting to the same company (even a Square one and a Clover one) get different numbers.
 *
 * A Square payout's entries start with DP instead, so they can never meet a day's:
 *
 *   DP250616-8QF3ZK2M     the deposit of the payout that arrives 2025-06-16
 *   DP250616-8QF3ZK2M-R   its reversal, when the bank sent it back
 *   DP250616-8QF3ZK2M-F   what a payout that failed at once still posts (fees and repayments it carried)
 *
 * The eight-character payout tag is a hash of the payout id (40 bits), so the id itself is never
 * written to QuickBooks or kept by daybook.
 */
import { createHash } from "node:crypto";
import { parseIsoDate } from "./business-day";

export const MAX_DOC_NUMBER_LENGTH = 21;
export const MAX_REVISION = 999;

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `length` Crockford base-32 characters of the sha256 of `text`. */
function hashTag(text: string, length: number): string {
  const digest = createHash("sha256").update(text).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, Math.ceil((length * 5) / 8))) bits = (bits << 8n) | BigInt(byte);
  let tag = "";
  for (let i = 0; i < length; i++) {
    tag = (CROCKFORD[Number(bits & 31n)] ?? "0") + tag;
    bits >>= 5n;
  }
  return tag;
}

export function locationTag(source: string, locationId: string): string {
  return hashTag(`${source}:${locationId}`, 6);
}

/** The key a Square payout is known by in daybook (its records, its DocNumbers), instead of its id. */
export function payoutTag(payoutId: string): string {
  if (payoutId === "") throw new RangeError("a payout id is needed");
  return hashTag(`square:payout:${payoutId}`, 8);
}

export type PayoutEntryKind = "deposit" | "reversal" | "failed";

const PAYOUT_SUFFIX: Readonly<Record<PayoutEntryKind, string>> = { deposit: "", reversal: "-R", failed: "-F" };

/** The DocNumber of a payout's entry: DP + the arrival date + the payout tag (+ -R or -F). */
export function payoutDocNumber(tag: string, arrivalDate: string, kind: PayoutEntryKind): string {
  parseIsoDate(arrivalDate);
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(tag)) throw new RangeError(`"${tag}" is not a payout tag`);
  return `DP${arrivalDate.slice(2).replaceAll("-", "")}-${tag}${PAYOUT_SUFFIX[kind]}`;
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
