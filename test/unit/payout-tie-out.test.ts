/**
 * Tie-out (lib/payouts/tie-out.ts), hand-worked: Square's fees on the payouts' card sales against the
 * fees daybook posted per business day, and the balance card clearing should hold. The balance is also
 * checked against the entries themselves: the day entries' card clearing lines plus the payouts'.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Mapping, parseMapping } from "../../lib/domain/mapping";
import { formatDecimal } from "../../lib/domain/money";
import type { DailySummary } from "../../lib/domain/summary";
import { buildPayoutEntry } from "../../lib/payouts/payout-entry";
import type { PayoutSummary } from "../../lib/payouts/payout-summary";
import { cardClearingOfDay, expectedClearing, tieOutFees } from "../../lib/payouts/tie-out";
import { summaryOf } from "../support/summaries";
import { entry, payoutOf, summaryOfPayout, ZONE } from "../support/payouts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const mapping: Mapping = parseMapping({ ...fixture, payouts: { bank: "13", fees: "63", disputes: "64", loan: "25", savings: "14", other: "65" } });
const usd = (minor: number) => `${formatDecimal(minor, "USD")} USD`;
const paymentDays = { PAY_SUNDAY_EVENING: "2025-06-15" };

// Square's US schedule: a payout at 17:00 New York time sweeps the day before's evening and the day's
// morning. The location's business days run from midnight.
const p0 = summaryOfPayout(payoutOf({ id: "po_0", amount: 964, arrivalDate: "2025-06-16", createdAt: "2025-06-15T21:30:00Z" }), [
  entry("CHARGE", "2025-06-15T14:00:00Z", 1000, 36), // Sunday 10:00
]);
const p1 = summaryOfPayout(payoutOf({ id: "po_1", amount: 17_487, arrivalDate: "2025-06-17", createdAt: "2025-06-16T21:30:00Z" }), [
  entry("CHARGE", "2025-06-15T22:10:00Z", 5000, 140, "PAY_SUNDAY_EVENING"), // Sunday 18:10
  entry("CHARGE", "2025-06-16T01:30:00Z", 2000, 62), // Sunday 21:30
  entry("CHARGE", "2025-06-16T14:00:00Z", 12_000, 322), // Monday 10:00
  entry("REFUND", "2025-06-16T16:00:00Z", -1000, -26), // Monday 12:00
  entry("FEE", "2025-06-16T15:00:00Z", 0, 15, "PAY_SUNDAY_EVENING"), // Sunday evening's fee raised after daybook posted Sunday
], paymentDays);
const p2 = summaryOfPayout(payoutOf({ id: "po_2", amount: 6298, arrivalDate: "2025-06-18", createdAt: "2025-06-17T21:30:00Z" }), [
  entry("CHARGE", "2025-06-17T00:00:00Z", 3000, 88), // Monday 20:00
  entry("CHARGE", "2025-06-17T13:00:00Z", 4000, 114), // Tuesday 09:00
  entry("HOLD_ADJUSTMENT", "2025-06-17T14:00:00Z", -500, 0), // Square holds 5.00 back
]);
const p3Failed = summaryOfPayout(payoutOf({ id: "po_3", amount: 2000, arrivalDate: "2025-06-19", createdAt: "2025-06-18T21:30:00Z", status: "FAILED" }), [
  entry("CHARGE", "2025-06-17T18:00:00Z", 2060, 60), // Tuesday 14:00; the bank rejected this payout
]);

// What daybook posted: Sunday and Monday (Tuesday not yet). Sunday's fees are 0.36 + 1.40 + 0.62:
// the 0.15 raise came after the day's last re-check.
const posted: Record<string, DailySummary> = {
  "2025-06-15": summaryOf({ payments: { CARD: 8000, CASH: 2500 }, fees: 238 }),
  "2025-06-16": summaryOf({ payments: { CARD: 14_000, WALLET: 1000 }, refunds: { CARD: 1000, CASH: 300 }, fees: 384 }),
};
const postedFees = new Map(Object.entries(posted).map(([day, summary]) => [day, summary.fees]));
const postedDays = new Map(Object.entries(posted).map(([day, summary]) => [day, cardClearingOfDay(summary, mapping)]));

/** Card clearing's balance from the entries themselves: the daily entries' card money and every payout entry's lines on the account. */
function clearingFromEntries(payouts: readonly PayoutSummary[]): number {
  let balance = [...postedDays.values()].reduce((a, b) => a + b, 0);
  for (const payout of payouts) {
    for (const line of buildPayoutEntry(payout, mapping, { locationName: "Main Street", timeZone: ZONE }).lines) {
      if (line.accountId === "11") balance += line.postingType === "Debit" ? line.amount : -line.amount;
    }
  }
  return balance;
}

describe("the card money a posted day left in card clearing", () => {
  it("is the payments less the refunds of the tenders posted to card clearing, less all the day's fees", () => {
    // Sunday: 80.00 by card (the 25.00 cash went to undeposited funds) − 2.38 fees.
    expect(cardClearingOfDay(posted["2025-06-15"]!, mapping)).toBe(7762);
    // Monday: 140.00 card + 10.00 wallet (mapped to the same clearing account) − 10.00 card refunded − 3.84 fees.
    expect(cardClearingOfDay(posted["2025-06-16"]!, mapping)).toBe(13_616);
  });
});

describe("the fee tie-out", () => {
  it("compares each wholly paid-out day's fees, and names why a day differs", () => {
    const days = tieOutFees({ currency: "USD", payouts: [p0, p1, p2, p3Failed], postedFees, formatAmount: usd });
    expect(days.map((day) => [day.businessDay, day.squareFees, day.postedFees, day.difference, day.state])).toEqual([
      // Sunday: 0.36 + 1.40 + 0.62 + the 0.15 raise = 2.53 against 2.38 posted.
      ["2025-06-15", 253, 238, 15, "differs"],
      // Monday: 3.22 − 0.26 (given back on the refund) + 0.88 = 3.84, as posted.
      ["2025-06-16", 384, 384, 0, "tied"],
      // Tuesday: 1.14 + 0.60 (the failed payout's charge: Square kept its fee all the same); not posted yet.
      ["2025-06-17", 174, null, 174, "not-posted"],
    ]);
    expect(days[0]?.reason).toEqual({
      code: "fee-adjusted-after-posting",
      message: "Square's processing fees on the payments of 2025-06-15 come to 2.53 USD, 0.15 USD of it in fee adjustments; daybook posted 2.38 USD. " +
        "Square changed a fee after daybook last checked the day, so card clearing is off by 0.15 USD: daybook never plugs it; post it to processing fees by hand.",
    });
    expect(days[1]?.reason).toBeNull();
    expect(days[2]?.reason).toEqual({
      code: "day-not-posted",
      message: "Square paid out card sales of 2025-06-17, with 1.74 USD of processing fees, before daybook posted that day; the fees are expensed when it does.",
    });
  });

  it("waits for a day's last payout before comparing it", () => {
    const days = tieOutFees({ currency: "USD", payouts: [p0, p1, p2], postedFees: new Map([...postedFees, ["2025-06-17", 174]]), formatAmount: usd });
    expect(days.at(-1)).toMatchObject({ businessDay: "2025-06-17", squareFees: 114, postedFees: 174, difference: 0, state: "partly-paid-out" });
    expect(days.at(-1)?.reason?.code).toBe("partly-paid-out");
  });

  it("refuses payouts in another currency", () => {
    expect(() => tieOutFees({ currency: "CAD", payouts: [p0], postedFees, formatAmount: usd })).toThrow(/USD, not CAD/);
  });
});

describe("what card clearing should hold", () => {
  it("is the card sales net of fees not yet paid out, per day, plus what Square holds back and failed payouts on their way back", () => {
    const clearing = expectedClearing({ postedDays, payouts: [p0, p1, p2, p3Failed] });
    expect(clearing.days).toEqual([
      // Sunday: 77.62 posted; paid out 9.64 (P0) + 48.60 + 19.38 (P1) − the 0.15 raise = 77.47: 0.15 stays, the fee tie-out's difference.
      { businessDay: "2025-06-15", posted: 7762, paidOut: 7747, unpaid: 15 },
      // Monday: 136.16 posted; paid out 116.78 − 9.74 (P1) + 29.12 (P2): nothing left.
      { businessDay: "2025-06-16", posted: 13_616, paidOut: 13_616, unpaid: 0 },
      // Tuesday: not posted; 38.86 paid out by P2 and 20.00 by the payout that failed.
      { businessDay: "2025-06-17", posted: null, paidOut: 5886, unpaid: -5886 },
    ]);
    expect(clearing.held).toBe(500);
    expect(clearing.returning).toBe(2000);
    // 0.15 + 0 − 58.86 + 5.00 held + 20.00 on its way back = −33.71.
    expect(clearing.balance).toBe(-3371);
    expect(clearing.balance).toBe(clearingFromEntries([p0, p1, p2, p3Failed]));
  });

  it("once a later payout brings the failed money back, nothing is on its way back", () => {
    const p4 = summaryOfPayout(payoutOf({ id: "po_4", amount: 2000, arrivalDate: "2025-06-23" }), [entry("RETURNED_PAYOUT", "2025-06-20T14:00:00Z", 2000)]);
    const clearing = expectedClearing({ postedDays, payouts: [p0, p1, p2, p3Failed, p4] });
    expect(clearing.returning).toBe(0);
    expect(clearing.balance).toBe(-5371);
    expect(clearing.balance).toBe(clearingFromEntries([p0, p1, p2, p3Failed, p4]));
  });

  it("agrees with the entries when a failed payout carried a loan repayment, and when a payout released a hold", () => {
    const failedWithLoan = summaryOfPayout(payoutOf({ id: "po_3", amount: 1900, arrivalDate: "2025-06-19", status: "FAILED" }), [
      entry("CHARGE", "2025-06-17T18:00:00Z", 2060, 60),
      entry("SQUARE_CAPITAL_PAYMENT", "2025-06-17T21:00:00Z", -100),
    ]);
    const release = summaryOfPayout(payoutOf({ id: "po_5", amount: 500, arrivalDate: "2025-06-24" }), [entry("RELEASE_ADJUSTMENT", "2025-06-23T14:00:00Z", 500)]);
    const payouts = [p0, p1, p2, failedWithLoan, release];
    const clearing = expectedClearing({ postedDays, payouts });
    expect(clearing.held).toBe(0);
    expect(clearing.returning).toBe(1900);
    expect(clearing.balance).toBe(clearingFromEntries(payouts));
  });
});
