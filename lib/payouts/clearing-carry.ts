/**
 * The digest's card clearing figures (docs/accounting.md "The digest's Deposits section") and their
 * carry ("The card clearing carry"): the same figures computed from a small kept summary of a
 * location's old payouts and days plus the records around it, instead of every record kept.
 *
 * The full computation (`clearingFigures`) reads every payout record kept and the sync records of the
 * days they pay out. Its figures are sums over business days and over payouts: per day, what daybook
 * posted to card clearing less what the payouts took out (in `unpaidSales` when the day was posted, in
 * `paidNotPosted` when not), and its fee tie-out difference (in `offBy` when it differs); per payout,
 * what Square holds back and failed payouts on their way back. A day's own figures depend only on its
 * sync record, on the payouts that pay it out and on whether a later day has been swept.
 *
 * So a carry (`buildCarry`) keeps, for the payouts arriving in a span of dates (its payouts) and the
 * business days of a span inside it (its days), the sums over its days, whose figures are final: no
 * payout outside its payouts pays any of them out, a day after them has been swept. For its payouts it
 * keeps their money and span, and their figures for the few days outside its days they pay out. The
 * figures are then (`withCarry`) the carry's sums plus what the records outside it (the payouts arriving
 * before or after its payouts, the sync records of the days before or after its days) give, computed
 * exactly as the full computation does; or undefined, when the carry cannot give them (another
 * mapping, currency or zone; a record it counts may have expired; a payout outside it pays one of its
 * days; one of its payouts is shown in the digest's period), and the caller computes them in full.
 *
 * The carry counts nothing that changes while it is used: its payouts and days are older than any
 * night re-checks, and every write to one (a backfill, an approval, a payout Square changes or returns)
 * marks the carry stale (lib/store/clearing-carries.ts), and nothing that expires before `validUntil`
 * (records expire 13 months after their day, never early: lib/store/retention.ts), so the records the
 * full computation would no longer count are never in it.
 */
import { createHash } from "node:crypto";
import { addDays, businessDayOf } from "../domain/business-day";
import { subtractMinor, sumMinor } from "../domain/money";
import type { LocationConfig, PayoutRecord, SyncRecord } from "../model";
import { CARRY_TAIL_DAYS, LATE_CREATION_DAYS, utcDay } from "./carry-window";
import { beforeDaybook, coveredDays, daybookShare, type PayoutSummary } from "./payout-summary";
import {
  cardClearingOfDay, expectedClearing, latestSweep, paidOutByDay, payoutMoney, type SquareDayFees, squareFeesByDay, tieOutDay, tieOutFees,
  type TieOutWords,
} from "./tie-out";

/** What of a location its card clearing figures depend on. */
export type ClearingLocation = Pick<LocationConfig, "mapping" | "currency" | "timeZone" | "postingFrom">;

export type FigureWords = Pick<TieOutWords, "formatAmount" | "formatDay">;

export interface ClearingFigures {
  /** The first business day counted: the earliest any payout kept pays out (or arrived, for one that pays out none). */
  since: string;
  balance: number;
  unpaidSales: number;
  paidNotPosted: number;
  held: number;
  returning: number;
  /** Σ of the differences of the days whose fees differ. */
  offBy: number;
  /**
   * Per business day, the sentence the digest names once under the first payout of its period that pays
   * the day out: the day's fee difference when the differences do not cancel out, or the day not posted.
   * From a carry: the days outside its days only, the only ones a payout of the period can pay out.
   */
  differences: Map<string, string>;
}

/** Payouts whose entries daybook has settled: what card clearing in QuickBooks has seen. */
export const settled = (record: PayoutRecord): boolean => record.state === "posted" || record.state === "nothing-to-post" || record.state === "before-daybook";

/**
 * The payout as card clearing sees it: one from before daybook only by the card sales of the days
 * daybook posted, which the digest asks the accountant to move out of card clearing by hand.
 */
export function asCleared(record: PayoutRecord): PayoutSummary {
  if (record.state !== "before-daybook" || !record.skipped) return record.summary;
  const split = beforeDaybook(record.summary, record.skipped.firstDay);
  return split ? daybookShare(record.summary, split) : record.summary;
}

/** The day Square marked a payout failed, as daybook dated what it posted for it. */
export function failedOn(record: PayoutRecord, timeZone: string): string {
  const dated = record.posted.find((entry) => entry.kind === "reversal" || entry.kind === "failed");
  return dated?.txnDate ?? businessDayOf(Date.parse(record.summary.updatedAt), timeZone);
}

/** The business days the payouts span: from the earliest any pays out (or arrived, when it pays out none) to the latest. */
export function payoutSpan(records: readonly PayoutRecord[]): { since: string; last: string } | undefined {
  const spans = records.flatMap((record) => {
    const days = coveredDays(record.summary);
    return [days[0] ?? record.summary.arrivalDate, days.at(-1) ?? record.summary.arrivalDate];
  }).sort();
  const since = spans[0];
  const last = spans.at(-1);
  return since === undefined || last === undefined ? undefined : { since, last };
}

const postedOf = (record: SyncRecord, location: ClearingLocation) => ({
  clearing: sumMinor(...record.posted.map((entry) => cardClearingOfDay(entry.summary, location.mapping))),
  fees: sumMinor(...record.posted.map((entry) => entry.summary.fees)),
});

/**
 * `from` plus each of `days` once: what daybook posted to card clearing for the day less what the
 * payouts took out, in `unpaidSales` when the day was posted, in `paidNotPosted` when not.
 */
function unpaidOf(
  days: Iterable<string>, posted: ReadonlyMap<string, { clearing: number }>, paidOut: ReadonlyMap<string, number>, from: { unpaidSales: number; paidNotPosted: number },
): { unpaidSales: number; paidNotPosted: number } {
  let { unpaidSales, paidNotPosted } = from;
  for (const day of new Set(days)) {
    const out = paidOut.get(day) ?? 0;
    const dayPosted = posted.get(day);
    if (dayPosted === undefined) paidNotPosted = sumMinor(paidNotPosted, subtractMinor(0, out));
    else unpaidSales = sumMinor(unpaidSales, subtractMinor(dayPosted.clearing, out));
  }
  return { unpaidSales, paidNotPosted };
}

/** The days named under the period's payouts: each differing day when the differences do not cancel out, each day not posted. */
function namedDifferences(days: readonly ReturnType<typeof tieOutDay>[], offBy: number): Map<string, string> {
  return new Map(days.filter((day) => (day.state === "differs" && offBy !== 0) || day.state === "not-posted")
    .map((day) => [day.businessDay, day.reason?.message ?? ""]));
}

/**
 * The full computation, from every payout record kept in the location's currency (`records`) and the
 * sync records of `since` to `until` (others are ignored); undefined without a payout.
 */
export function clearingFigures(
  records: readonly PayoutRecord[], syncRecords: readonly SyncRecord[], location: ClearingLocation, until: string, words: FigureWords,
): ClearingFigures | undefined {
  const span = payoutSpan(records);
  if (!span) return undefined;
  const posted = syncRecords.filter((record) => record.posted.length > 0 && record.businessDay >= span.since && record.businessDay <= until)
    .map((record) => [record.businessDay, postedOf(record, location)] as const);
  const postedDays = new Map(posted.map(([day, each]) => [day, each.clearing]));
  const postedFees = new Map(posted.map(([day, each]) => [day, each.fees]));
  const clearing = expectedClearing({ postedDays, payouts: records.filter(settled).map(asCleared) });
  const tieOut = tieOutFees({
    currency: location.currency, payouts: records.map(asCleared), postedFees, ...words,
    ...(location.postingFrom ? { firstDay: location.postingFrom } : {}),
  });
  // A fee change that comes as its own entry counts on its own day when the night did not know its
  // payment's (docs/accounting.md, known gaps): its day and its payment's then differ by opposite
  // amounts. Differences that cancel out leave card clearing right, so they are not named.
  const offBy = sumMinor(...tieOut.filter((day) => day.state === "differs").map((day) => day.difference));
  return {
    since: span.since,
    balance: clearing.balance,
    unpaidSales: sumMinor(...clearing.days.filter((day) => day.posted !== null).map((day) => day.unpaid)),
    paidNotPosted: sumMinor(...clearing.days.filter((day) => day.posted === null).map((day) => day.unpaid)),
    held: clearing.held,
    returning: clearing.returning,
    offBy,
    differences: namedDifferences(tieOut, offBy),
  };
}

// --- the carry ---------------------------------------------------------------------------------------

export interface ClearingCarry {
  /** The location's currency, zone and mapping it was computed with: the first 128 bits of their sha256. */
  basis: string;
  /** The payouts it counts: every payout kept, in the location's currency, arriving `from` to `to`. */
  payouts: {
    from: string;
    to: string;
    count: number;
    /** Their span (payoutSpan). */
    since: string;
    last: string;
    /** The latest business day they swept: later than every day of `days`. */
    sweptThrough: string;
    /** Of the settled ones (payoutMoney): held back, failed amounts, returned payouts brought back. */
    held: number;
    failed: number;
    returned: number;
    /** The latest day one of them failed on (failedOn); null when none failed. */
    lastFailedOn: string | null;
  };
  /** The business days it counts whole, `from` to `to`, and their sums. */
  days: { from: string; to: string; unpaidSales: number; paidNotPosted: number; offBy: number };
  /** Its payouts' figures for the business days outside `days` they have figures for. */
  outside: Record<string, { paidOut: number; fees: number; adjustments: number }>;
  /** The first instant a record it counts may expire: it is used only before. */
  validUntil: string;
  /**
   * Made while the location's payout records were keyed by creation (lib/store/payouts.ts): the digest
   * then reads beside it only the payouts created at or after `after` or at or before `before` (null:
   * none), which hold every payout it needs (createdBounds). Absent: it reads every payout kept.
   */
  created?: { after: string; before: string | null };
}

/** Canonical JSON: object keys sorted, so the same mapping read twice hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).filter(([, each]) => each !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, each]) => `${JSON.stringify(key)}:${canonical(each)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function carryBasis(location: ClearingLocation): string {
  return createHash("sha256").update(canonical({ currency: location.currency, timeZone: location.timeZone, mapping: location.mapping })).digest("hex").slice(0, 32);
}

const dayKeys = (records: readonly PayoutRecord[]): string[] => records.flatMap((record) => Object.keys(record.summary.days));
const latest = (days: readonly (string | null | undefined)[]): string | undefined =>
  days.reduce<string | undefined>((found, day) => (day != null && (found === undefined || day > found) ? day : found), undefined);
const earliest = (days: readonly (string | null | undefined)[]): string | undefined =>
  days.reduce<string | undefined>((found, day) => (day != null && (found === undefined || day < found) ? day : found), undefined);
const previousDay = (day: string): string => addDays(day, -1);
const nextDay = (day: string): string => addDays(day, 1);

const silent: TieOutWords = { formatAmount: String };

export interface CarryChoice {
  /** The carry's payouts arrive `from` to `to`; its days are inside `from` to `to` too. */
  from: string;
  to: string;
  /** When the sync record of a business day expires (ISO 8601): none of the carry's may before `validUntil`. */
  dayExpiresAt: (businessDay: string) => string;
  /** The make's instant (read before the records), when the location's payout records are keyed by creation: the carry gets `created`. */
  keyedByCreationAt?: Date;
}

/**
 * The carry of the payouts arriving `choice.from` to `choice.to`, from the same records as the full
 * computation (every payout kept in the location's currency; the sync records of its span). Its days
 * are the longest span inside `from` to `to` that only its payouts pay out and that they swept past;
 * undefined when there is none, or none of the payouts.
 */
export function buildCarry(
  records: readonly PayoutRecord[], syncRecords: readonly SyncRecord[], location: ClearingLocation, choice: CarryChoice,
): ClearingCarry | undefined {
  const span = payoutSpan(records);
  const arrival = (record: PayoutRecord) => record.summary.arrivalDate;
  const carried = records.filter((record) => arrival(record) >= choice.from && arrival(record) <= choice.to);
  const carriedSpan = payoutSpan(carried);
  if (!span || !carriedSpan) return undefined;
  const cleared = carried.map(asCleared);
  const settledCleared = carried.filter(settled).map(asCleared);
  const sweptThrough = latestSweep(cleared);
  if (sweptThrough === undefined) return undefined;
  const laterPaid = earliest(dayKeys(records.filter((record) => arrival(record) > choice.to)));
  const earlierPaid = latest(dayKeys(records.filter((record) => arrival(record) < choice.from)));
  const to = earliest([choice.to, previousDay(sweptThrough), laterPaid === undefined ? undefined : previousDay(laterPaid)]) ?? choice.to;
  const from = latest([choice.from, span.since, earlierPaid === undefined ? undefined : nextDay(earlierPaid)]) ?? choice.from;
  if (from > to) return undefined;
  const inDays = (day: string) => day >= from && day <= to;

  const posted = new Map(syncRecords.filter((record) => record.posted.length > 0 && inDays(record.businessDay))
    .map((record) => [record.businessDay, postedOf(record, location)]));
  const paidOut = paidOutByDay(settledCleared);
  const square = squareFeesByDay(cleared, location.currency);
  const { unpaidSales, paidNotPosted } = unpaidOf([...posted.keys(), ...[...paidOut.keys()].filter(inDays)], posted, paidOut, { unpaidSales: 0, paidNotPosted: 0 });
  let offBy = 0;
  const outside: ClearingCarry["outside"] = {};
  for (const [day, fees] of [...square.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!inDays(day)) {
      outside[day] = { paidOut: paidOut.get(day) ?? 0, fees: fees.fees, adjustments: fees.adjustments };
      continue;
    }
    const tied = tieOutDay(day, fees, posted.get(day)?.fees, sweptThrough, silent);
    if (tied.state === "differs") offBy = sumMinor(offBy, tied.difference);
  }
  const money = payoutMoney(settledCleared);
  const expiries = [...carried.map((record) => record.expiresAt), choice.dayExpiresAt(from)].map((at) => new Date(at).toISOString()).sort();
  return {
    basis: carryBasis(location),
    payouts: {
      from: choice.from, to: choice.to, count: carried.length, since: carriedSpan.since, last: carriedSpan.last, sweptThrough,
      held: money.held, failed: money.failed, returned: money.returned,
      lastFailedOn: latest(carried.filter((record) => record.summary.status === "FAILED").map((record) => failedOn(record, location.timeZone))) ?? null,
    },
    days: { from, to, unpaidSales, paidNotPosted, offBy },
    outside,
    validUntil: expiries[0] ?? choice.dayExpiresAt(from),
    ...(choice.keyedByCreationAt ? { created: createdBounds(records, choice, choice.keyedByCreationAt) } : {}),
  };
}

const instant = (at: string | number | Date): string => new Date(at).toISOString();

/**
 * The creation bounds of the payouts the digest reads beside a carry of `choice` made at `madeAt` from
 * `records` (every payout kept, read after `madeAt`): those arriving after its payouts are created at or
 * after `after`, the earliest of their creations and `madeAt` less LATE_CREATION_DAYS and two days; those
 * arriving before its payouts at or before `before`, the latest of theirs. Nothing the digest needs is
 * missed: a payout kept now is in one range by construction. One written later (at an instant W after
 * `madeAt`, which its writer may give as up to two days earlier: carry-window.ts writtenAt) arriving
 * on or before `choice.to` marks the carry stale (mayBeCarried); arriving after it, it marks the carry
 * stale when created LATE_CREATION_DAYS or more before its writer's instant, else it was created after
 * W − 2 − LATE_CREATION_DAYS days > `after`. (test/unit/clearing-carry.test.ts "the creation bounds …")
 */
export function createdBounds(records: readonly PayoutRecord[], choice: Pick<CarryChoice, "from" | "to">, madeAt: Date): { after: string; before: string | null } {
  const cap = instant(madeAt.getTime() - (LATE_CREATION_DAYS + 2) * 86_400_000);
  const later = records.filter((record) => record.summary.arrivalDate > choice.to).map((record) => instant(record.summary.createdAt));
  const earlier = records.filter((record) => record.summary.arrivalDate < choice.from).map((record) => instant(record.summary.createdAt));
  return { after: earliest([cap, ...later]) ?? cap, before: latest(earlier) ?? null };
}

/** Why a carry cannot give the figures whatever the payouts outside it; undefined when it may. */
export function carryOutdated(carry: ClearingCarry, location: ClearingLocation, period: { first: string }, now: Date): string | undefined {
  const { payouts } = carry;
  if (carry.basis !== carryBasis(location)) return "the location's currency, zone or mapping changed";
  if (now.getTime() >= Date.parse(carry.validUntil)) return "a record it counts may have expired";
  if (period.first <= payouts.to) return "the period reaches its payouts";
  if (payouts.lastFailedOn !== null && payouts.lastFailedOn >= period.first) return "one of its payouts failed in the period";
  return undefined;
}

/** Why a carry cannot give the figures with the payouts kept outside it (`others`); undefined when it can. */
export function carryUnusable(
  carry: ClearingCarry, others: readonly PayoutRecord[], location: ClearingLocation, period: { first: string; last: string }, now: Date,
): string | undefined {
  const { payouts, days } = carry;
  const outdated = carryOutdated(carry, location, period, now);
  if (outdated !== undefined) return outdated;
  if (others.some((record) => record.summary.arrivalDate >= payouts.from && record.summary.arrivalDate <= payouts.to)) return "a payout read arrives within its payouts";
  if (dayKeys(others).some((day) => day >= days.from && day <= days.to)) return "a payout outside it pays out one of its days";
  const since = earliest([payouts.since, payoutSpan(others)?.since]) ?? payouts.since;
  if (since > days.from) return "the payouts kept begin after its first day";
  return undefined;
}

/**
 * The business days whose sync records withCarry counts: `since` to `until`, but for the carry's days
 * (from the earliest any payout pays out to the latest, or the period's last).
 */
export function recordsBesideCarry(carry: ClearingCarry, others: readonly PayoutRecord[], period: { last: string }): { since: string; until: string } {
  const span = payoutSpan(others);
  return {
    since: earliest([carry.payouts.since, span?.since]) ?? carry.payouts.since,
    until: latest([period.last, carry.payouts.last, span?.last]) ?? period.last,
  };
}

/**
 * The figures from the carry, the payouts kept outside its payouts (`others`, in the location's
 * currency) and the sync records outside its days (those of its days are ignored): equal to
 * clearingFigures over every record, but for `differences`, given for the days outside its days only.
 * undefined when the carry cannot give them (carryUnusable).
 */
export function withCarry(
  carry: ClearingCarry, others: readonly PayoutRecord[], syncRecords: readonly SyncRecord[], location: ClearingLocation,
  period: { first: string; last: string }, now: Date, words: FigureWords,
): ClearingFigures | undefined {
  if (carryUnusable(carry, others, location, period, now) !== undefined) return undefined;
  const { payouts, days } = carry;
  const { since, until } = recordsBesideCarry(carry, others, period);
  const cleared = others.map(asCleared);
  const settledCleared = others.filter(settled).map(asCleared);

  const paidOut = paidOutByDay(settledCleared);
  const square = squareFeesByDay(cleared, location.currency);
  for (const [day, figures] of Object.entries(carry.outside)) {
    paidOut.set(day, sumMinor(paidOut.get(day) ?? 0, figures.paidOut));
    const seen: SquareDayFees = square.get(day) ?? { fees: 0, adjustments: 0 };
    square.set(day, { fees: sumMinor(seen.fees, figures.fees), adjustments: sumMinor(seen.adjustments, figures.adjustments) });
  }
  const posted = new Map(syncRecords.filter((record) => record.posted.length > 0 && record.businessDay >= since && record.businessDay <= until &&
    (record.businessDay < days.from || record.businessDay > days.to)).map((record) => [record.businessDay, postedOf(record, location)]));

  const { unpaidSales, paidNotPosted } = unpaidOf([...posted.keys(), ...paidOut.keys()], posted, paidOut, days);
  const sweptThrough = latest([payouts.sweptThrough, latestSweep(cleared)]);
  const tieOutWords: TieOutWords = { ...words, ...(location.postingFrom ? { firstDay: location.postingFrom } : {}) };
  const tieOut = [...square.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, fees]) => tieOutDay(day, fees, posted.get(day)?.fees, sweptThrough, tieOutWords));
  const offBy = sumMinor(days.offBy, ...tieOut.filter((day) => day.state === "differs").map((day) => day.difference));
  const money = payoutMoney(settledCleared);
  const held = sumMinor(payouts.held, money.held);
  const returning = subtractMinor(sumMinor(payouts.failed, money.failed), sumMinor(payouts.returned, money.returned));
  return {
    since, balance: sumMinor(unpaidSales, paidNotPosted, held, returning), unpaidSales, paidNotPosted, held, returning, offBy,
    differences: namedDifferences(tieOut, offBy),
  };
}

// --- when a carry is made and what marks it stale --------------------------------------------------------

// Which writes mark a carry stale: carry-window.ts, a module of its own so the sync record's store
// (every worker's start) loads none of the carry's figures.
export { CARRY_TAIL_DAYS, LATE_CREATION_DAYS, mayBeCarried, writtenLongAfterCreation } from "./carry-window";

/** A carry is made anew once this many days older than it need be, and counts nothing that expires sooner. */
export const CARRY_LIFE_DAYS = 30;

/**
 * The payouts and days a carry made at `now` for a digest of `period` counts: arriving up to the
 * period's first day less CARRY_TAIL_DAYS, and from the first day whose sync record lives CARRY_LIFE_DAYS
 * longer (records expire 13 months after their day, never early).
 */
export function carryChoice(period: { first: string }, now: Date, dayExpiresAt: (businessDay: string) => string): CarryChoice {
  const until = now.getTime() + CARRY_LIFE_DAYS * 86_400_000;
  let from = addDays(utcDay(now), -420);
  while (Date.parse(dayExpiresAt(from)) <= until) from = addDays(from, 1);
  const to = [addDays(period.first, -CARRY_TAIL_DAYS), addDays(utcDay(now), -CARRY_TAIL_DAYS)].sort()[0] ?? addDays(period.first, -CARRY_TAIL_DAYS);
  return { from, to, dayExpiresAt };
}

/** A carry is made anew when its payouts end more than CARRY_LIFE_DAYS before the ones a new one would count. */
export function carryTooOld(carry: ClearingCarry, period: { first: string }): boolean {
  return addDays(carry.payouts.to, CARRY_TAIL_DAYS + CARRY_LIFE_DAYS) < period.first;
}
