/**
 * Which writes may change what a location's card clearing carry counts (clearing-carry.ts), and so must
 * mark it stale: a module of its own, apart from the carry's figures, because the sync record's store
 * (lib/store/dynamo.ts) asks it on every write and loads at every worker's start, while the figures
 * load only with the digest's Deposits section and the payouts' store.
 */
import { addDays } from "../domain/business-day";

/**
 * A carry's payouts arrive, and its days end, at least this many days before the digest's period and
 * before the day it is made: longer than Square changes a payout (30 days after it is made, the day
 * before its arrival at the latest) and far longer than the night re-checks its days (3), so nothing the
 * night does ever writes a carried record; only a backfill or an approval of an older day does, and
 * marks the carry stale. What it costs: the sync records of the period and the days before it back to
 * the carry's last day are read every morning (about 0.09 read units a day of records, eventually
 * consistent).
 */
export const CARRY_TAIL_DAYS = 31;

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Whether a write of a sync record of `businessDay`, or of a payout arriving on it, made at `at`, may
 * change what a carry counts, and so must mark the location's carry stale: a carry made before `at`
 * counts days and payouts up to CARRY_TAIL_DAYS before the day it was made in UTC (carryChoice), so up
 * to CARRY_TAIL_DAYS before `at`'s; three more days of margin (a write landing up to two days after the
 * instant its writer gives it, writtenAt below). The nights' days are never
 * this old.
 */
export function mayBeCarried(businessDay: string, at: Date): boolean {
  return businessDay <= addDays(utcDay(at), -CARRY_TAIL_DAYS + 3);
}

/**
 * The instant a record is written, for mayBeCarried: its `updatedAt`, which its writer sets to its run's
 * instant (read once per run); the store's clock only when that is not an instant. mayBeCarried's
 * margin covers a run that writes up to two days after its instant (a Lambda runs 15 minutes).
 */
export function writtenAt(updatedAt: string, now: () => Date): Date {
  const at = Date.parse(updatedAt);
  return Number.isNaN(at) ? now() : new Date(at);
}

/**
 * A payout record written this many days or more after the payout's creation marks the location's carry
 * stale (lib/store/payouts.ts savePayout), as one arriving on an old day does: beside a carry the digest
 * reads only the payouts created since a bound (ClearingCarry `created`), at the latest
 * LATE_CREATION_DAYS + 2 days before the carry was made (createdBounds), so a payout written after the
 * make either was created after that bound or marks the carry stale. Payouts are created a day or two
 * before they arrive and change within days (SENT to PAID); Square looks back 30 days: such a write is
 * rare, and costs only a full read the next morning.
 * (test/unit/clearing-carry.test.ts "which writes mark a carry stale …")
 */
export const LATE_CREATION_DAYS = 28;

export function writtenLongAfterCreation(createdAt: string, at: Date): boolean {
  return Date.parse(createdAt) <= at.getTime() - LATE_CREATION_DAYS * 86_400_000;
}
