/**
 * The card clearing carry (lib/payouts/clearing-carry.ts), hand-worked: the carry of a location's old
 * payouts and days plus the records outside it give the digest's card clearing figures exactly as the
 * full computation over every record (clearingFigures) does, every figure worked out below; and when it
 * cannot, it says so (the digest then computes them in full). Then random histories, carried at random.
 *
 * The world: a New York location posting from Tuesday 1 July 2025, business days from midnight. Each
 * day daybook posted card sales of 100.00 and fees of 3.00 (card clearing +97.00) and cash of 20.00
 * (not card clearing); Square pays a day's card sales out the next day at noon (net 97.00), unless a
 * case says otherwise.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addDays, businessDayOf } from "../../lib/domain/business-day";
import { type Mapping, parseMapping } from "../../lib/domain/mapping";
import { formatDecimal } from "../../lib/domain/money";
import type { LocationConfig, PayoutRecord, PostedPayoutEntry, SyncRecord } from "../../lib/model";
import {
  buildCarry, CARRY_LIFE_DAYS, CARRY_TAIL_DAYS, type CarryChoice, carryChoice, carryUnusable, type ClearingFigures, type ClearingLocation, clearingFigures,
  createdBounds, LATE_CREATION_DAYS, mayBeCarried, payoutSpan, withCarry, writtenLongAfterCreation,
} from "../../lib/payouts/clearing-carry";
import type { PayoutEntry } from "../../lib/payouts/payout";
import type { PayoutDay, PayoutSummary } from "../../lib/payouts/payout-summary";
import { businessDayExpiresAt } from "../../lib/store/retention";
import { prng } from "../../sandbox/random";
import { summaryOf } from "../support/summaries";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const mapping: Mapping = parseMapping({ ...fixture, payouts: { bank: "13" } });
const location: ClearingLocation & Pick<LocationConfig, "locationId"> = {
  locationId: "L8EXAMPLE0001", mapping, currency: "USD", timeZone: "America/New_York", postingFrom: "2025-07-01",
};
const words = { formatAmount: (minor: number) => `${formatDecimal(minor, "USD")} USD`, formatDay: (day: string) => day };
const dayExpiresAt = (day: string) => new Date(businessDayExpiresAt(day) * 1000).toISOString();
const NOW = new Date("2025-07-12T14:00:00Z");
const EXPIRES = "2026-08-01T00:00:00.000Z";

const noon = (day: string) => `${day}T16:00:00Z`;
const evening = (day: string) => `${day}T23:00:00Z`;
const sales = (day: string, fee = 300) => entry("CHARGE", noon(day), 10_000, fee);

let ids = 0;
function payout(arrivalDate: string, entries: PayoutEntry[], figures: { status?: "PAID" | "FAILED"; paymentDays?: Record<string, string> } = {}): PayoutSummary {
  const amount = entries.reduce((total, each) => total + each.net, 0);
  return summaryOfPayout(payoutOf({
    id: `po_${String(++ids)}`, amount, arrivalDate, createdAt: `${addDays(arrivalDate, -1)}T21:30:00Z`, updatedAt: `${arrivalDate}T13:00:00Z`,
    ...(figures.status ? { status: figures.status } : {}),
  }), entries, figures.paymentDays);
}
const dated = (summary: PayoutSummary, kind: PostedPayoutEntry["kind"], txnDate: string): PostedPayoutEntry => ({
  kind, docNumber: `DBP-${summary.tag}-${kind}`, entryId: `${summary.tag}-${kind}`, txnDate, requestId: "r",
  total: summary.amount, bankAccountId: "13", clearingAccountId: "11", postedAt: `${txnDate}T12:00:00Z`,
});
function recordOf(summary: PayoutSummary, state: PayoutRecord["state"] = "posted", posted?: PostedPayoutEntry[]): PayoutRecord {
  return {
    merchantId: "M1", locationId: location.locationId, payoutTag: summary.tag, state, summary, warnings: [], version: 1,
    posted: posted ?? (state === "posted" ? [dated(summary, "deposit", summary.arrivalDate)] : []), updatedAt: summary.updatedAt, expiresAt: EXPIRES,
  };
}
function dayRecord(businessDay: string, figures: { card?: number; fees?: number } = {}): SyncRecord {
  const summary = summaryOf({ payments: { CARD: figures.card ?? 10_000, CASH: 2000 }, fees: figures.fees ?? 300 });
  return {
    merchantId: "M1", locationId: location.locationId, businessDay, state: "posted", attempts: 1, version: 1, updatedAt: `${businessDay}T23:00:00Z`,
    posted: [{ revision: 0, docNumber: `DB-${businessDay}`, entryId: businessDay, txnDate: businessDay, requestId: "r", summary, postedAt: `${addDays(businessDay, 1)}T06:00:00Z` }],
  };
}
const daysFrom = (first: string, last: string): string[] => {
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
};

/** The last day the digest reads, as it does: its period's last, or the last a payout pays out (or arrived) if later. */
const untilOf = (records: PayoutRecord[], period: { last: string }) => [period.last, payoutSpan(records)?.last ?? period.last].sort().at(-1) ?? period.last;

/** Every figure both ways: the full computation over every record, and the carry plus the records outside it. */
function bothWays(records: PayoutRecord[], syncRecords: SyncRecord[], choice: Omit<CarryChoice, "dayExpiresAt">, period: { first: string; last: string }, at = NOW) {
  const full = clearingFigures(records, syncRecords, location, untilOf(records, period), words);
  const carry = buildCarry(records, syncRecords, location, { ...choice, dayExpiresAt });
  if (!full || !carry) throw new Error("expected figures and a carry");
  const others = records.filter((record) => record.summary.arrivalDate < choice.from || record.summary.arrivalDate > choice.to);
  // The records of the carry's days are not read: give withCarry only those outside them.
  const outsideDays = syncRecords.filter((record) => record.businessDay < carry.days.from || record.businessDay > carry.days.to);
  const carried = withCarry(carry, others, outsideDays, location, period, at, words);
  return { full, carry, carried };
}
const numbers = ({ differences: _differences, ...figures }: ClearingFigures) => figures;
/** The full computation's sentences for the days outside the carry's days: the only ones a payout of the period pays out. */
const outsideOf = (figures: ClearingFigures, days: { from: string; to: string }) =>
  new Map([...figures.differences].filter(([day]) => day < days.from || day > days.to));

describe("the carry plus the records outside it give the full computation's figures", () => {
  it("a quiet history: the carry's days tie out to nothing, the day not yet paid out is the balance", () => {
    // Days 1–11 July posted; the payouts arriving 2–11 July pay out 1–10 July. Carried: arriving 1–6 July.
    const records = daysFrom("2025-07-01", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)])));
    const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
    const { full, carry, carried } = bothWays(records, syncRecords, { from: "2025-07-01", to: "2025-07-06" }, { first: "2025-07-11", last: "2025-07-11" });
    // Its days end before the first day a later payout pays out (6 July) and before the last day its own
    // payouts swept (5 July, which a later payout could still pay out): 1–4 July, each 97.00 posted, 97.00 paid out.
    expect(carry.days).toEqual({ from: "2025-07-01", to: "2025-07-04", unpaidSales: 0, paidNotPosted: 0, offBy: 0 });
    // 5 July is its payouts' but outside its days: kept per day.
    expect(carry.outside).toEqual({ "2025-07-05": { paidOut: 9700, fees: 300, adjustments: 0 } });
    expect(carry.payouts).toEqual({
      from: "2025-07-01", to: "2025-07-06", count: 5, since: "2025-07-01", last: "2025-07-05", sweptThrough: "2025-07-05",
      held: 0, failed: 0, returned: 0, lastFailedOn: null,
    });
    // The first record it counts to expire: the payouts' (1 August 2026), before 1 July's record (2 August 2026).
    expect(carry.validUntil).toBe(EXPIRES);
    // 11 July: posted 97.00, not paid out yet. Every other day paid out whole.
    const figures = { since: "2025-07-01", balance: 9700, unpaidSales: 9700, paidNotPosted: 0, held: 0, returning: 0, offBy: 0 };
    expect(numbers(full)).toEqual(figures);
    expect(carried && numbers(carried)).toEqual(figures);
    expect(carried?.differences).toEqual(new Map());
  });

  it("a carried day paid out by a payout after the carry is counted outside its days, by its own record's posted state", () => {
    // 4 July's morning (60.00, fee 1.80: 58.20) comes in the payout arriving 5 July; its evening (40.00, fee
    // 1.20: 38.80) only in the one arriving 7 July, with 6 July. 3 July was held for review: not posted, but
    // Square paid it out (97.00). 4 July's record: posted (97.00) in one history, not in the other.
    const build = (fourthPosted: boolean) => {
      const records = [
        ...["2025-07-01", "2025-07-02", "2025-07-03"].map((day) => recordOf(payout(addDays(day, 1), [sales(day)]))),
        recordOf(payout("2025-07-05", [entry("CHARGE", noon("2025-07-04"), 6000, 180)])),
        recordOf(payout("2025-07-06", [sales("2025-07-05")])),
        recordOf(payout("2025-07-07", [entry("CHARGE", evening("2025-07-04"), 4000, 120), sales("2025-07-06")])),
        ...daysFrom("2025-07-07", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)]))),
      ];
      const syncRecords = daysFrom("2025-07-01", "2025-07-11").filter((day) => day !== "2025-07-03" && (fourthPosted || day !== "2025-07-04")).map((day) => dayRecord(day));
      // A week's digest: its payouts are those arriving 7–11 July, the first of them paying out 4 July's evening.
      return bothWays(records, syncRecords, { from: "2025-07-01", to: "2025-07-06" }, { first: "2025-07-07", last: "2025-07-11" });
    };
    const posted = build(true);
    // 4 July is paid out by a payout after the carry: its days end on 3 July. 3 July, not posted: −97.00.
    expect(posted.carry.days).toEqual({ from: "2025-07-01", to: "2025-07-03", unpaidSales: 0, paidNotPosted: -9700, offBy: 0 });
    expect(posted.carry.outside).toEqual({ "2025-07-04": { paidOut: 5820, fees: 180, adjustments: 0 }, "2025-07-05": { paidOut: 9700, fees: 300, adjustments: 0 } });
    // 4 July: posted 97.00 = 58.20 + 38.80 paid out, fees 1.80 + 1.20 = 3.00 as posted. 11 July: 97.00 unpaid.
    const figuresPosted = { since: "2025-07-01", balance: 0, unpaidSales: 9700, paidNotPosted: -9700, held: 0, returning: 0, offBy: 0 };
    expect(numbers(posted.full)).toEqual(figuresPosted);
    expect(posted.carried && numbers(posted.carried)).toEqual(figuresPosted);
    expect(posted.carried?.differences).toEqual(new Map());

    const notPosted = build(false);
    // 4 July not posted either: its 97.00 paid out is paid out for a day daybook has not posted, and the
    // week's payout paying it out names it.
    const figuresNotPosted = { since: "2025-07-01", balance: -9700, unpaidSales: 9700, paidNotPosted: -19_400, held: 0, returning: 0, offBy: 0 };
    expect(numbers(notPosted.full)).toEqual(figuresNotPosted);
    expect(notPosted.carried && numbers(notPosted.carried)).toEqual(figuresNotPosted);
    expect(notPosted.carried?.differences).toEqual(new Map([["2025-07-04",
      "Square paid out card sales of 2025-07-04, with 3.00 USD of processing fees, before daybook posted that day; the fees are expensed when it does."]]));
    expect(notPosted.carried?.differences).toEqual(outsideOf(notPosted.full, notPosted.carry.days));
  });

  it("a day before the first posting day paid out: in the carry's sum of what was paid out for days daybook has not posted", () => {
    // The first payout (arriving 1 July) pays out 30 June, before daybook's first day: no record, 97.00 paid out.
    const records = daysFrom("2025-06-30", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)])));
    const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
    const { full, carry, carried } = bothWays(records, syncRecords, { from: "2025-06-25", to: "2025-07-06" }, { first: "2025-07-11", last: "2025-07-11" });
    expect(carry.days).toEqual({ from: "2025-06-30", to: "2025-07-04", unpaidSales: 0, paidNotPosted: -9700, offBy: 0 });
    const figures = { since: "2025-06-30", balance: 0, unpaidSales: 9700, paidNotPosted: -9700, held: 0, returning: 0, offBy: 0 };
    expect(numbers(full)).toEqual(figures);
    expect(carried && numbers(carried)).toEqual(figures);
  });

  it("money held and released, and a payout returned by the bank and paid out again, on either side of the carry", () => {
    // The payout arriving 5 July (paying 4 July) has 5.00 held back; the one arriving 9 July releases it.
    // The one arriving 6 July (paying 5 July, 97.00) was sent back by the bank on 7 July (its deposit reversed);
    // the one arriving 10 July brings the 97.00 back as a returned payout.
    const records = daysFrom("2025-07-01", "2025-07-10").map((day) => {
      const arrival = addDays(day, 1);
      if (arrival === "2025-07-05") return recordOf(payout(arrival, [sales(day), entry("HOLD_ADJUSTMENT", noon(day), -500)]));
      if (arrival === "2025-07-09") return recordOf(payout(arrival, [sales(day), entry("RELEASE_ADJUSTMENT", noon(day), 500)]));
      if (arrival === "2025-07-10") return recordOf(payout(arrival, [sales(day), entry("RETURNED_PAYOUT", noon(day), 9700)]));
      if (arrival !== "2025-07-06") return recordOf(payout(arrival, [sales(day)]));
      const failed = payout(arrival, [sales(day)], { status: "FAILED" });
      return recordOf(failed, "posted", [dated(failed, "deposit", arrival), dated(failed, "reversal", "2025-07-07")]);
    });
    const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
    const { full, carry, carried } = bothWays(records, syncRecords, { from: "2025-07-01", to: "2025-07-06" }, { first: "2025-07-11", last: "2025-07-11" });
    // The carry holds the 5.00 held and the 97.00 failed, and when its last failure was (7 July, before the period).
    expect(carry.payouts).toMatchObject({ held: 500, failed: 9700, returned: 0, lastFailedOn: "2025-07-07" });
    // After: released (5.00 − 5.00 = 0) and returned (97.00 − 97.00 = 0); 11 July's 97.00 still to be paid out.
    const figures = { since: "2025-07-01", balance: 9700, unpaidSales: 9700, paidNotPosted: 0, held: 0, returning: 0, offBy: 0 };
    expect(numbers(full)).toEqual(figures);
    expect(carried && numbers(carried)).toEqual(figures);
    // The same carry the morning of 9 July, when neither the release nor the return had come: 5.00 held and 97.00 on
    // its way back; posted 97.00 of 8 July (its payout arrives 9 July, not yet) unpaid.
    const before = records.filter((record) => record.summary.arrivalDate <= "2025-07-08");
    const early = bothWays(before, syncRecords.filter((record) => record.businessDay <= "2025-07-08"), { from: "2025-07-01", to: "2025-07-06" }, { first: "2025-07-08", last: "2025-07-08" });
    const figuresBefore = { since: "2025-07-01", balance: 9700 + 500 + 9700, unpaidSales: 9700, paidNotPosted: 0, held: 500, returning: 9700, offBy: 0 };
    expect(numbers(early.full)).toEqual(figuresBefore);
    expect(early.carried && numbers(early.carried)).toEqual(figuresBefore);
  });

  it("fee differences on either side of the carry: not named when they cancel out, named when they do not", () => {
    // Square's fee on 2 July was 3.06 (daybook posted 3.00: +0.06, in the carry's days); on 9 July 2.94 (−0.06)
    // in one history, 2.96 (−0.04) in the other.
    const build = (ninthFee: number) => {
      const records = daysFrom("2025-07-01", "2025-07-10").map((day) =>
        recordOf(payout(addDays(day, 1), [sales(day, day === "2025-07-02" ? 306 : day === "2025-07-09" ? ninthFee : 300)])));
      const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
      return bothWays(records, syncRecords, { from: "2025-07-01", to: "2025-07-06" }, { first: "2025-07-10", last: "2025-07-11" });
    };
    const cancel = build(294);
    expect(cancel.carry.days).toEqual({ from: "2025-07-01", to: "2025-07-04", unpaidSales: 6, paidNotPosted: 0, offBy: 6 });
    // Unpaid: 2 July 97.00 − 96.94 = 0.06; 9 July 97.00 − 97.06 = −0.06; 11 July 97.00. offBy 0.06 − 0.06 = 0: nothing named.
    const cancelled = { since: "2025-07-01", balance: 9700, unpaidSales: 9700, paidNotPosted: 0, held: 0, returning: 0, offBy: 0 };
    expect(numbers(cancel.full)).toEqual(cancelled);
    expect(cancel.carried && numbers(cancel.carried)).toEqual(cancelled);
    expect(cancel.carried?.differences).toEqual(new Map());

    const differ = build(296);
    // Unpaid 9 July: 97.00 − 97.04 = −0.04; offBy 0.06 − 0.04 = 0.02: 9 July, paid out by the period's payout, is named.
    const differing = { since: "2025-07-01", balance: 9702, unpaidSales: 9702, paidNotPosted: 0, held: 0, returning: 0, offBy: 2 };
    expect(numbers(differ.full)).toEqual(differing);
    expect(differ.carried && numbers(differ.carried)).toEqual(differing);
    expect(differ.carried?.differences).toEqual(new Map([["2025-07-09",
      "Square's processing fees on the payments of 2025-07-09 come to 2.96 USD; daybook posted 3.00 USD. Square changed a fee after daybook last checked the day, " +
      "so card clearing is off by -0.04 USD: daybook never plugs it; post it to processing fees by hand."]]));
    expect(differ.carried?.differences).toEqual(outsideOf(differ.full, differ.carry.days));
  });
});

describe("a carry that cannot give the figures says why, and the digest computes them in full", () => {
  const records = daysFrom("2025-07-01", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)])));
  const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
  const choice = { from: "2025-07-01", to: "2025-07-06", dayExpiresAt };
  const carry = buildCarry(records, syncRecords, location, choice);
  const others = records.filter((record) => record.summary.arrivalDate > "2025-07-06");
  const period = { first: "2025-07-11", last: "2025-07-11" };
  if (!carry) throw new Error("no carry");

  it("usable as built", () => {
    expect(carryUnusable(carry, others, location, period, NOW)).toBeUndefined();
  });
  it("another mapping, currency or zone", () => {
    expect(carryUnusable(carry, others, { ...location, mapping: parseMapping({ ...fixture, tenders: { CARD: "10" }, payouts: { bank: "13" } }) }, period, NOW))
      .toBe("the location's currency, zone or mapping changed");
    expect(carryUnusable(carry, others, { ...location, timeZone: "America/Chicago" }, period, NOW)).toBe("the location's currency, zone or mapping changed");
    // The same mapping read back with its keys in another order is the same basis.
    const reordered = Object.fromEntries(Object.entries(mapping).reverse()) as Mapping;
    expect(carryUnusable(carry, others, { ...location, mapping: reordered }, period, NOW)).toBeUndefined();
  });
  it("once a record it counts may have expired (13 months after its day, never early)", () => {
    expect(carryUnusable(carry, others, location, period, new Date(Date.parse(EXPIRES) - 1))).toBeUndefined();
    expect(carryUnusable(carry, others, location, period, new Date(EXPIRES))).toBe("a record it counts may have expired");
  });
  it("a period reaching its payouts, or one of them failing in it", () => {
    expect(carryUnusable(carry, others, location, { first: "2025-07-06", last: "2025-07-11" }, NOW)).toBe("the period reaches its payouts");
    expect(carryUnusable({ ...carry, payouts: { ...carry.payouts, lastFailedOn: "2025-07-11" } }, others, location, period, NOW)).toBe("one of its payouts failed in the period");
  });
  it("a later payout paying out one of its days (a fee change of 2 July counted on its payment's day)", () => {
    const late = recordOf(payout("2025-07-11", [sales("2025-07-10"), entry("FEE", noon("2025-07-10"), 0, 15, "PAY_2")], { paymentDays: { PAY_2: "2025-07-02" } }));
    const withLate = [...others.filter((record) => record.summary.arrivalDate !== "2025-07-11"), late];
    expect(carryUnusable(carry, withLate, location, period, NOW)).toBe("a payout outside it pays out one of its days");
    expect(withCarry(carry, withLate, syncRecords, location, period, NOW, words)).toBeUndefined();
  });
  it("the payouts kept beginning after its first day (an old payout expired): its days would count days the full computation no longer does", () => {
    // A payout arriving 30 June pays out 29 June; the carried ones (arriving 4–6 July) pay out 3–5 July. 1 and 2 July
    // were posted (97.00 each) and never paid out: the carry's days begin on 1 July and count them.
    const old = recordOf(payout("2025-06-30", [sales("2025-06-29")]));
    const kept = [old, ...daysFrom("2025-07-03", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)])))];
    const early = buildCarry(kept, syncRecords, location, { from: "2025-07-01", to: "2025-07-06", dayExpiresAt });
    expect(early?.days).toEqual({ from: "2025-07-01", to: "2025-07-04", unpaidSales: 19_400, paidNotPosted: 0, offBy: 0 });
    if (!early) throw new Error("no carry");
    const later = kept.filter((record) => record.summary.arrivalDate > "2025-07-06");
    expect(carryUnusable(early, [old, ...later], location, period, NOW)).toBeUndefined();
    // Once the old payout is gone, the full computation counts from 3 July: 1 and 2 July are no longer in it.
    expect(clearingFigures(kept.slice(1), syncRecords, location, "2025-07-11", words)?.unpaidSales).toBe(9700);
    expect(carryUnusable(early, later, location, period, NOW)).toBe("the payouts kept begin after its first day");
  });
  it("a payout read that arrives within its payouts' dates", () => {
    expect(carryUnusable(carry, [...others, recordOf(payout("2025-07-03", [sales("2025-07-02")]))], location, period, NOW)).toBe("a payout read arrives within its payouts");
  });
});

// --- random histories -----------------------------------------------------------------------------------

const TAGS = Array.from("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
function history(seed: number) {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const first = "2025-05-01";
  const dayCount = int(20, 60);
  const days = daysFrom(first, addDays(first, dayCount - 1));
  const postingFrom = addDays(first, int(0, 5));
  const syncRecords = days.filter((day) => day >= postingFrom && next() < 0.9)
    .map((day) => dayRecord(day, { card: int(0, 20_000), fees: int(0, 600) }));
  const records: PayoutRecord[] = [];
  let paidThrough = addDays(first, -1);
  for (let index = 0; index < days.length; index++) {
    const arrival = days[index] as string;
    if (next() < 0.15) continue;
    // Pays out the days after the last swept through one to three days before its arrival, sometimes one much older.
    const through = addDays(arrival, -int(1, 3));
    const paid = daysFrom(addDays(paidThrough, 1), through).filter((day) => day >= first);
    const older = days.filter((day) => day < through);
    if (older.length > 0 && next() < 0.1) paid.unshift(pick(older));
    const dayFigures: Record<string, PayoutDay> = {};
    for (const day of [...new Set(paid)].sort()) {
      const payments = int(0, 20_000);
      const refunds = next() < 0.2 ? int(0, 2000) : 0;
      const fees = int(0, 600);
      const feeAdjustments = next() < 0.1 ? int(-50, 50) : 0;
      dayFigures[day] = { payments, refunds, fees, net: payments - refunds - fees, count: next() < 0.95 ? int(1, 9) : 0, feeAdjustments };
    }
    const activities: Record<string, number> = {};
    if (next() < 0.15) activities[pick(["HOLD_ADJUSTMENT", "RELEASE_ADJUSTMENT", "RESERVE_HOLD"])] = int(-800, 800);
    if (next() < 0.1) activities["RETURNED_PAYOUT"] = int(0, 9000);
    if (next() < 0.1) activities["FEE"] = -int(0, 50);
    const status = next() < 0.1 ? "FAILED" : pick(["PAID", "PAID", "SENT"] as const);
    const type = next() < 0.05 ? "SIMPLE" : "BATCH";
    const swept = paid.length > 0 && through >= paidThrough ? through : null;
    if (swept) paidThrough = swept;
    const tag = Array.from({ length: 8 }, () => pick(TAGS)).join("");
    const summary: PayoutSummary = {
      tag, locationId: location.locationId, status, type, currency: "USD",
      amount: Object.values(dayFigures).reduce((total, day) => total + day.net, 0) + Object.values(activities).reduce((total, net) => total + net, 0),
      // Some created long before they arrive (Square's estimate moved, a payout held back), one with an offset.
      createdAt: next() < 0.12 ? `${addDays(arrival, -int(2, 60))}T04:15:00-05:00` : `${addDays(arrival, -1)}T21:30:00Z`,
      updatedAt: `${addDays(arrival, int(0, 4))}T13:00:00Z`, arrivalDate: arrival, version: 1,
      destinationType: "BANK_ACCOUNT", transferFees: 0, days: type === "SIMPLE" ? {} : dayFigures, activities: type === "SIMPLE" ? {} : activities,
      entryCount: 1, sweptThrough: type === "SIMPLE" ? null : swept,
    };
    const state = pick(["posted", "posted", "posted", "posted", "nothing-to-post", "held", "posting", "failed", "before-daybook"] as const);
    const posted = state === "posted"
      ? [dated(summary, "deposit", arrival), ...(status === "FAILED" && next() < 0.7 ? [dated(summary, "reversal", addDays(arrival, int(1, 3)))] : [])]
      : state === "nothing-to-post" && status === "FAILED" && next() < 0.5 ? [dated(summary, "failed", addDays(arrival, 1))] : [];
    records.push({
      ...recordOf(summary, state, posted),
      ...(state === "before-daybook" ? { skipped: { reason: "before-first-day" as const, firstDay: postingFrom, postedPart: 0 } } : {}),
      expiresAt: dayExpiresAt(arrival),
    });
  }
  records.sort((a, b) => a.summary.arrivalDate.localeCompare(b.summary.arrivalDate));
  return { days, records, syncRecords, postingFrom, next, int };
}

describe("random histories, carried at random", () => {
  it("give the full computation's figures whenever the carry can give them, and the full computation's sentences for every day outside its days", () => {
    let compared = 0;
    let refused = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { days, records, syncRecords, postingFrom, int } = history(seed);
      const local = { ...location, postingFrom };
      const to = days[int(3, days.length - 6)] as string;
      const from = addDays(to, -int(3, 40));
      const periodFirst = addDays(to, int(1, 4));
      const period = { first: periodFirst, last: addDays(periodFirst, int(0, 6)) };
      const full = clearingFigures(records, syncRecords, local, untilOf(records, period), words);
      const carry = buildCarry(records, syncRecords, local, { from, to, dayExpiresAt });
      if (!full || !carry) continue;
      const others = records.filter((record) => record.summary.arrivalDate < from || record.summary.arrivalDate > to);
      const outsideDays = syncRecords.filter((record) => record.businessDay < carry.days.from || record.businessDay > carry.days.to);
      const carried = withCarry(carry, others, outsideDays, local, period, NOW, words);
      if (!carried) {
        refused++;
        continue;
      }
      compared++;
      expect(numbers(carried), `seed ${String(seed)}`).toEqual(numbers(full));
      expect(carried.differences, `seed ${String(seed)}`).toEqual(outsideOf(full, carry.days));
      // Every day a payout outside the carry pays out is outside its days, so its sentence is there.
      for (const day of others.flatMap((record) => Object.keys(record.summary.days))) expect(day < carry.days.from || day > carry.days.to).toBe(true);
    }
    // Most draws are compared; the rest were refused for a reason carryUnusable names.
    expect(compared).toBeGreaterThan(150);
    expect(refused).toBeLessThan(compared);
  });
});

/** What listPayoutsCreated returns for `ranges` (lib/store/payouts.ts): the records created in them. */
const createdIn = (records: PayoutRecord[], ranges: { after: string; before: string | null }) => records.filter((record) => {
  const created = new Date(record.summary.createdAt).toISOString();
  return created >= ranges.after || (ranges.before !== null && created <= ranges.before);
});

describe("random histories, carried at random, read beside the carry by creation", () => {
  it("the payouts created in the carry's bounds hold every payout arriving outside it, so the figures equal the full computation's, whatever was written after it was made", () => {
    let compared = 0;
    let stale = 0;
    let lateCreated = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { days, records, syncRecords, postingFrom, int } = history(seed);
      const local = { ...location, postingFrom };
      const to = days[int(3, days.length - 6)] as string;
      const from = addDays(to, -int(3, 40));
      // Made CARRY_TAIL_DAYS after `to` (carryChoice); the records written by then are what it was made from.
      const madeAt = new Date(`${addDays(to, CARRY_TAIL_DAYS)}T14:00:00Z`);
      const periodFirst = addDays(to, CARRY_TAIL_DAYS + int(0, 3));
      const period = { first: periodFirst, last: addDays(periodFirst, int(0, 6)) };
      const writtenAt = (record: PayoutRecord) => new Date(record.updatedAt);
      const kept = records.filter((record) => writtenAt(record) <= madeAt);
      const later = records.filter((record) => writtenAt(record) > madeAt);
      // A write after the make marking the carry stale: the digest computes in full.
      if (later.some((record) => mayBeCarried(record.summary.arrivalDate, writtenAt(record)) || writtenLongAfterCreation(record.summary.createdAt, writtenAt(record)))) {
        stale++;
        continue;
      }
      const carry = buildCarry(kept, syncRecords, local, { from, to, dayExpiresAt, keyedByCreationAt: madeAt });
      const full = clearingFigures(records, syncRecords, local, untilOf(records, period), words);
      if (!full || !carry?.created) continue;
      const outside = (record: PayoutRecord) => record.summary.arrivalDate < from || record.summary.arrivalDate > to;
      const others = records.filter(outside);
      const ranged = createdIn(records, carry.created).filter(outside);
      expect(new Set(ranged), `seed ${String(seed)}`).toEqual(new Set(others));
      if (others.some((record) => Date.parse(record.summary.createdAt) < Date.parse(record.summary.arrivalDate) - 2 * 86_400_000)) lateCreated++;
      const outsideDays = syncRecords.filter((record) => record.businessDay < carry.days.from || record.businessDay > carry.days.to);
      const carried = withCarry(carry, ranged, outsideDays, local, period, madeAt, words);
      if (!carried) continue;
      compared++;
      expect(numbers(carried), `seed ${String(seed)}`).toEqual(numbers(full));
      expect(carried.differences, `seed ${String(seed)}`).toEqual(outsideOf(full, carry.days));
    }
    expect(compared).toBeGreaterThan(100);
    expect(lateCreated).toBeGreaterThan(20);
    expect(stale).toBeGreaterThan(0);
  });
});

describe("the creation bounds of a carry (createdBounds)", () => {
  // Made 12 August 2025 14:00 UTC, carrying the payouts arriving 1–11 July.
  const madeAt = new Date("2025-08-12T14:00:00Z");
  const choice = { from: "2025-07-01", to: "2025-07-11" };
  const created = (arrival: string, createdAt: string) => recordOf({ ...payout(arrival, [sales(addDays(arrival, -1))]), createdAt });

  it("after: the earliest creation of the payouts arriving after its payouts, no later than the make less 30 days; before: the latest of those arriving before", () => {
    // Arriving 12 July, created 11 July 21:30Z; arriving 20 July, created 2 July (held back 18 days).
    const records = [
      created("2025-06-30", "2025-06-29T21:30:00Z"), created("2025-06-28", "2025-06-27T21:30:00-04:00"),
      created("2025-07-05", "2025-07-04T21:30:00Z"),
      created("2025-07-12", "2025-07-11T21:30:00Z"), created("2025-07-20", "2025-07-02T09:00:00Z"),
    ];
    // 12 August 14:00 less 30 days is 13 July 14:00: later than 2 July 09:00. Before: 28 June 01:30Z (27 June 21:30 at −04:00) is
    // earlier than 29 June 21:30Z.
    expect(createdBounds(records, choice, madeAt)).toEqual({ after: "2025-07-02T09:00:00.000Z", before: "2025-06-29T21:30:00.000Z" });
  });

  it("with no payout after its payouts, after is the make less 30 days; with none before, before is null", () => {
    expect(createdBounds([created("2025-07-05", "2025-07-04T21:30:00Z")], choice, madeAt)).toEqual({ after: "2025-07-13T14:00:00.000Z", before: null });
    // A payout arriving 1 August created 30 July: after the cap, which stays.
    expect(createdBounds([created("2025-08-01", "2025-07-30T21:30:00Z")], choice, madeAt)).toEqual({ after: "2025-07-13T14:00:00.000Z", before: null });
  });

  it("a carry made while the records are keyed by creation has them; one made before has none (the digest reads every payout)", () => {
    const records = daysFrom("2025-07-01", "2025-07-10").map((day) => recordOf(payout(addDays(day, 1), [sales(day)])));
    const syncRecords = daysFrom("2025-07-01", "2025-07-11").map((day) => dayRecord(day));
    expect(buildCarry(records, syncRecords, location, { from: "2025-07-01", to: "2025-07-06", dayExpiresAt })?.created).toBeUndefined();
    // Made 6 August 14:00: the cap is 7 July 14:00; the payout arriving 7 July was created 6 July 21:30, the earliest after.
    expect(buildCarry(records, syncRecords, location, { from: "2025-07-01", to: "2025-07-06", dayExpiresAt, keyedByCreationAt: new Date("2025-08-06T14:00:00Z") })?.created)
      .toEqual({ after: "2025-07-06T21:30:00.000Z", before: null });
  });
});

describe("which writes mark a carry stale (mayBeCarried), in every zone", () => {
  it("a payout record written LATE_CREATION_DAYS (28) days or more after the payout was created (writtenLongAfterCreation)", () => {
    expect(LATE_CREATION_DAYS).toBe(28);
    const at = new Date("2025-08-12T14:00:00Z");
    // 28 days before 12 August 14:00 UTC is 15 July 14:00 UTC (10:00 in New York).
    expect(writtenLongAfterCreation("2025-07-15T14:00:00Z", at)).toBe(true);
    expect(writtenLongAfterCreation("2025-07-15T10:00:00-04:00", at)).toBe(true);
    expect(writtenLongAfterCreation("2025-07-15T14:00:00.001Z", at)).toBe(false);
    expect(writtenLongAfterCreation("2025-08-11T21:30:00Z", at)).toBe(false);
  });

  it("a payout written after a carry was made and not marking it is created after the carry's bound", () => {
    // The carry's bound is at the latest its make less 30 days; a write landing at W (its writer's instant up to two days
    // before W) not marking the carry was created after that instant less 28 days.
    const madeAt = new Date("2025-08-12T14:00:00Z");
    const { after } = createdBounds([], { from: "2025-07-01", to: "2025-07-11" }, madeAt);
    for (const hoursAfter of [0, 1, 30, 200]) {
      const landed = madeAt.getTime() + hoursAfter * 3_600_000;
      for (const lag of [0, 24, 47.9]) {
        const writer = new Date(landed - lag * 3_600_000);
        const earliestUnmarked = new Date(writer.getTime() - LATE_CREATION_DAYS * 86_400_000 + 1).toISOString();
        expect(writtenLongAfterCreation(earliestUnmarked, writer)).toBe(false);
        expect(earliestUnmarked >= after, `${String(hoursAfter)} h, lag ${String(lag)} h`).toBe(true);
      }
    }
  });

  it("every write of a day or payout a carry made before it counts, and none the nights write (their day and the three before, in any zone)", () => {
    // mayBeCarried is asked with the record's updatedAt, not the store's clock (lib/payouts/carry-window.ts writtenAt).
    const zones = ["Pacific/Kiritimati", "Pacific/Auckland", "Asia/Kolkata", "UTC", "America/New_York", "Pacific/Pago_Pago", "Etc/GMT+12"];
    const start = Date.parse("2025-03-01T00:00:00Z");
    for (let hour = 0; hour < 24 * 40; hour += 7) {
      const made = new Date(start + hour * 3_600_000);
      for (const zone of zones) {
        const today = businessDayOf(made.getTime(), zone);
        // A digest made at `made` covers ended days: its period begins yesterday in its zone at the latest.
        const choice = carryChoice({ first: addDays(today, -1) }, made, dayExpiresAt);
        // A write landing after the carry was made, whose writer's instant (its record's updatedAt) may be up to two days earlier.
        for (const later of [-47, 0, 1, 13, 26, 200].map((hours) => new Date(made.getTime() + hours * 3_600_000))) {
          expect(mayBeCarried(choice.to, later), `${zone} ${made.toISOString()}`).toBe(true);
          // The night of `later` writes its day and the three before, in any zone: never through the carry's transaction.
          const night = businessDayOf(later.getTime(), zone);
          for (const back of [1, 2, 3, 4]) expect(mayBeCarried(addDays(night, -back), later), `${zone} ${later.toISOString()}`).toBe(false);
        }
      }
    }
  });

  it("a carry counts nothing a record it sums may expire before CARRY_LIFE_DAYS from its making", () => {
    const made = new Date("2026-12-07T14:00:00Z");
    const choice = carryChoice({ first: "2026-12-06" }, made, dayExpiresAt);
    // Made 7 December 2026 14:00 UTC: it must be usable until 6 January 2027 14:00. A day's records expire at the start
    // of the day after the same date 13 months on: 6 December 2025's on 7 January 2027 00:00 (after), 5 December's on
    // 6 January 00:00 (before). Its first day is 6 December 2025.
    expect(choice.from).toBe("2025-12-06");
    expect(Date.parse(dayExpiresAt(choice.from)) > made.getTime() + CARRY_LIFE_DAYS * 86_400_000).toBe(true);
    expect(Date.parse(dayExpiresAt(addDays(choice.from, -1))) > made.getTime() + CARRY_LIFE_DAYS * 86_400_000).toBe(false);
    expect(choice.to).toBe(addDays("2026-12-06", -CARRY_TAIL_DAYS));
  });
});
