import { describe, expect, it } from "vitest";
import { dayFigures, figuresOfSummary } from "../../lib/report/day-figures";
import type { PostedEntry } from "../../lib/model";
import { summaryOf } from "../support/summaries";

const posted = (revision: number, summary: PostedEntry["summary"]): PostedEntry => ({
  revision, docNumber: `DB-${String(revision)}`, entryId: String(100 + revision), txnDate: "2025-05-01", requestId: `r${String(revision)}`, summary, postedAt: "2025-05-02T06:00:00.000Z",
});

describe("a day's net sales and fees", () => {
  it("is sales minus returns minus discounts, leaving tax, tips, service charges, gift cards and non-revenue out", () => {
    const summary = summaryOf({
      sales: { FOOD: 12_000, DRINK: 3_000 }, returns: { FOOD: 1_500 }, discounts: 700, tax: { State: 920 }, tips: 1_000,
      serviceCharges: { Delivery: 300 }, giftCardSales: 2_500, nonRevenue: { Deposit: 100 }, payments: { CARD: 17_620 }, fees: 455,
    });
    expect(figuresOfSummary(summary)).toEqual({ currency: "USD", netSales: 12_800, fees: 455 });
  });

  it("goes negative on a day with more returned than sold, and keeps negative fees (refunded fees)", () => {
    expect(figuresOfSummary(summaryOf({ sales: { A: 1_000 }, returns: { A: 4_000 }, discounts: -200, fees: -30 }))).toEqual({ currency: "USD", netSales: -2_800, fees: -30 });
  });

  it("is zero for a day with no sales", () => {
    expect(dayFigures({ lastSummary: summaryOf({}, "JPY"), posted: [] })).toEqual({ currency: "JPY", netSales: 0, fees: 0 });
  });

  it("uses the day's last summary when there is one, over what was posted", () => {
    const record = { lastSummary: summaryOf({ sales: { A: 5_000 }, fees: 150 }), posted: [posted(0, summaryOf({ sales: { A: 4_000 }, fees: 120 }))] };
    expect(dayFigures(record)).toEqual({ currency: "USD", netSales: 5_000, fees: 150 });
  });

  it("sums the posted entries (the day and its adjustments) when there is no last summary", () => {
    const record = {
      posted: [
        posted(0, summaryOf({ sales: { A: 4_000 }, discounts: 100, fees: 120 })),
        posted(1, summaryOf({ sales: { A: 500 }, returns: { A: 250 }, fees: 15 })),
        posted(2, summaryOf({ discounts: 50, fees: -5 })),
      ],
    };
    expect(dayFigures(record)).toEqual({ currency: "USD", netSales: 4_100, fees: 130 });
  });

  it("has no figures when nothing was summarised or posted, or the posted entries disagree on the currency", () => {
    expect(dayFigures({ posted: [] })).toBeUndefined();
    expect(dayFigures({ posted: [posted(0, summaryOf({ sales: { A: 1 } })), posted(1, summaryOf({ sales: { A: 1 } }, "EUR"))] })).toBeUndefined();
  });

  it("refuses amounts that are not whole minor units rather than drifting", () => {
    expect(() => figuresOfSummary(summaryOf({ sales: { A: 10.5 } }))).toThrow(/whole number of minor units/);
  });
});
