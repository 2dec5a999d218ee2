/**
 * The digests' marks (lib/report/digest.ts says when and how digests go): what a mark is, its shard,
 * and which are due now. Apart from the digests themselves, so the scheduler's every tick reads the due
 * marks with this alone and loads what builds and sends digests only on the ticks that have some, and
 * a nightly job marks the next digest with this alone.
 */
import { createHash } from "node:crypto";
import { addDays, businessDayOf, businessDayWindow } from "../domain/business-day";

export const DIGEST_SHARDS = 8;

/** Local time of the business's westernmost location at which the digest may go. */
export const DIGEST_SEND_TIME = "07:00";

/**
 * A merchant's digest of one morning is to be looked at from `notBefore` on; with `audience`
 * "accountant", the combined digest of the accountant whose own account id `merchantId` is.
 */
export interface DigestMark {
  merchantId: string;
  audience?: "accountant";
  /** The morning's date, YYYY-MM-DD (the day after the business day it covers). */
  slot: string;
  /** ISO 8601: not looked at before then. */
  notBefore: string;
  shard: number;
}

/** The digests' storage port (lib/store/digests.ts). */
export interface DigestStore {
  /** Marks the merchant's digest of `slot` as coming; a second mark with the same notBefore changes nothing. */
  mark(mark: DigestMark): Promise<void>;
  /** The marks of the slot in the shard due at or before `now`. */
  due(slot: string, shard: number, now: Date): Promise<DigestMark[]>;
  /** Moves a mark to a later notBefore. */
  postpone(mark: DigestMark, notBefore: Date): Promise<void>;
  /** Removes a mark: its digests went. */
  finish(mark: DigestMark): Promise<void>;
  /**
   * Takes the right to send `period`'s email to the recipient (by address hash): true unless it went
   * already or someone else claimed it less than `leaseMs` ago.
   */
  claim(merchantId: string, period: string, recipientHash: string, now: Date, leaseMs: number): Promise<boolean>;
  markSent(merchantId: string, period: string, recipientHash: string, at: Date): Promise<void>;
  /** Gives a claim back after its send failed, so the next try may take it at once. */
  release(merchantId: string, period: string, recipientHash: string): Promise<void>;
  /** Removes the merchant's marks (an account deleted): those of the mornings around `now`, the only ones a mark can have. */
  removeMerchant(merchantId: string, now: Date): Promise<number>;
  /**
   * Notes, in the accountant's partition, that the business decided its digest of `slot` and left the
   * accountant's copy to the combined one, only while that combined digest is not sealed: "in" when the
   * business's part is there (written now, or by an earlier decision, the first standing), so the combined
   * digest, which reads the parts after sealing, has it; "late" when the seal came first and no part was
   * written, so the business sends the accountant its own digest.
   */
  putClientPart(personId: string, part: ClientPart): Promise<"in" | "late">;
  /** The accountant's clients that decided their digest of `slot`: one query of the accountant's partition. */
  listClientParts(personId: string, slot: string): Promise<ClientPart[]>;
  /** The accountant's combined digest of `slot` is being made: a client deciding after this sends its own digest. */
  seal(personId: string, slot: string, at: Date): Promise<void>;
  isSealed(personId: string, slot: string): Promise<boolean>;
  /** Removes every morning's note that the business decided (the business's account deleted, or its access ended). Returns how many. */
  removeClientParts(personId: string, businessId: string): Promise<number>;
}

/** A client business decided its digest of the morning `slot`. */
export interface ClientPart {
  businessId: string;
  slot: string;
  decidedAt: string;
}

export function digestShardOf(merchantId: string, shards = DIGEST_SHARDS): number {
  return createHash("sha256").update(merchantId).digest().readUInt32BE(0) % shards;
}

/** The slots a tick looks at: every morning that may be due somewhere on Earth now, and two before (missed ticks). */
export function slotsAround(now: Date): string[] {
  const today = now.toISOString().slice(0, 10);
  return [-2, -1, 0, 1].map((offset) => addDays(today, offset));
}

/** Every mark due by `now`: each shard of each slot around it. */
export async function dueDigestMarks(deps: { digests: Pick<DigestStore, "due">; shards?: number }, now: Date): Promise<DigestMark[]> {
  const shards = deps.shards ?? DIGEST_SHARDS;
  return (await Promise.all(slotsAround(now).flatMap((slot) => Array.from({ length: shards }, (_, shard) => deps.digests.due(slot, shard, now))))).flat();
}

/** The instant of local `time` on `date` in the zone (the day-start arithmetic of business days). */
export function localInstant(date: string, timeZone: string, time: string): Date {
  return new Date(businessDayWindow(date, timeZone, time).startMs);
}

/**
 * The digest a job's news goes into: a nightly first sync of day D, the morning after D; anything else
 * (a re-check, an approval), the next morning whose send time has not passed where the location is.
 */
export function digestMarkFor(job: { kind: string; merchantId: string; businessDay: string }, timeZone: string, now: Date, shards = DIGEST_SHARDS): DigestMark {
  let slot = job.kind === "first" ? addDays(job.businessDay, 1) : businessDayOf(now.getTime(), timeZone);
  if (job.kind !== "first" && now.getTime() >= localInstant(slot, timeZone, DIGEST_SEND_TIME).getTime()) slot = addDays(slot, 1);
  return { merchantId: job.merchantId, slot, notBefore: localInstant(slot, timeZone, DIGEST_SEND_TIME).toISOString(), shard: digestShardOf(job.merchantId, shards) };
}
