import { describe, expect, it } from "vitest";
import {
  addSummaries, identityResidual, isEmptySummary, netSales, normaliseSummary, subtractSummaries, summaryHash, SummaryError,
} from "../../lib/domain/summary";
import { emptySummary } from "../../lib/domain/summary";
import { summaryOf } from "../support/summaries";

const monday = summaryOf({
  sales: { BEV: 900, FOOD: 350 },
  categoryNames: { BEV: "Beverages", FOOD: "Food" },
  discounts: 125,
  tax: { "State Sales Tax": 96 },
  tips: 200,
  payments: { CARD: 1421 },
  fees: 52,
});

describe("daily summary arithmetic", () => {
  it("adds and subtracts figure by figure, dropping what nets to zero", () => {
    const lateOrder = summaryOf({
      sales: { FOOD: 350 }, categoryNames: { FOOD: "Food" }, tax: { "State Sales Tax": 30 }, payments: { CASH: 380 },
    });
    const updated = addSummaries(monday, lateOrder);
    expect(updated.sales).toEqual({ BEV: 900, FOOD: 700 });
    expect(updated.payments).toEqual({ CARD: 1421, CASH: 380 });
    expect(updated.tax).toEqual({ "State Sales Tax": 126 });

    const delta = subtractSummaries(updated, monday);
    expect(delta).toEqual(normaliseSummary(lateOrder));
    expect(delta.discounts).toBe(0);
    expect(delta.categoryNames).toEqual({ FOOD: "Food" });
    expect(addSummaries(monday, delta)).toEqual(normaliseSummary(updated));
  });

  it("gives negative figures when a day shrank", () => {
    const refundedLater = subtractSummaries(summaryOf({ payments: { CARD: 1000 } }), summaryOf({ payments: { CARD: 1421 } }));
    expect(refundedLater.payments).toEqual({ CARD: -421 });
  });

  it("refuses to mix currencies", () => {
    expect(() => addSummaries(monday, emptySummary("EUR"))).toThrow(SummaryError);
  });

  it("knows an empty day", () => {
    expect(isEmptySummary(emptySummary("USD"))).toBe(true);
    expect(isEmptySummary(subtractSummaries(monday, monday))).toBe(true);
    expect(isEmptySummary(monday)).toBe(false);
  });

  it("computes net sales and the identity residual of ACCOUNTING.md", () => {
    expect(netSales(monday)).toBe(1125);
    // 1421 collected = 1250 gross − 125 discounts + 96 tax + 200 tips.
    expect(identityResidual(monday)).toBe(0);
    expect(identityResidual({ ...monday, payments: { CARD: 1420 } })).toBe(-1);
    const withEverything = summaryOf({
      sales: { A: 1000 }, returns: { A: 200 }, discounts: 50, serviceCharges: { Delivery: 300 }, autoGratuities: { Gratuity: 180 },
      tax: { T: 80 }, tips: 20, giftCardSales: 2500, nonRevenue: { Deposit: 500 }, rounding: -2,
      payments: { CARD: 3000, CASH: 1528 }, refunds: { CARD: 200 },
    });
    expect(identityResidual(withEverything)).toBe(0);
  });

  it("hashes the figures, not the order they were added in", () => {
    const reordered = summaryOf({
      fees: 52, payments: { CARD: 1421 }, tips: 200, tax: { "State Sales Tax": 96 }, discounts: 125,
      categoryNames: { FOOD: "Food", BEV: "Beverages" }, sales: { FOOD: 350, BEV: 900 },
    });
    expect(summaryHash(reordered)).toBe(summaryHash(monday));
    expect(summaryHash(monday)).toMatch(/^[0-9a-f]{64}$/);
    expect(summaryHash({ ...monday, tips: 201 })).not.toBe(summaryHash(monday));
  });

  it("carries cash back through the identity, the arithmetic and the hash", () => {
    // A 3.25 debit sale with 20.00 cash back: the card took 23.25, the drawer paid out 20.00.
    const cashBackDay = summaryOf({ sales: { FOOD: 300 }, tax: { T: 25 }, payments: { "Debit Card": 2325 }, cashBack: 2000 });
    expect(identityResidual(cashBackDay)).toBe(0);
    expect(identityResidual({ ...cashBackDay, cashBack: 0 })).toBe(2000);
    expect(subtractSummaries(addSummaries(monday, cashBackDay), monday).cashBack).toBe(2000);
    expect(isEmptySummary(summaryOf({ cashBack: 1 }))).toBe(false);
    expect(summaryHash({ ...monday, cashBack: 1 })).not.toBe(summaryHash(monday));
    // A day without cash back hashes as it did before the figure existed, so entries posted then (their
    // PrivateNote carries the hash) still match: this is the hash the earlier code gave this day.
    expect(summaryHash(monday)).toBe("82b4d4e596f69b323360123fceb658773393f6daf91a01c26fd60ff38dfe5f88");
  });
});
