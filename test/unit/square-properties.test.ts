/**
 * Properties of the Square path over generated merchant days: the summary equals the generator's own
 * ground truth, ACCOUNTING.md's identity holds, every entry balances to the minor unit with positive
 * amounts in the currency's decimals, and the same day always gives the same entry however its
 * orders are paged. Days come with taxes added on top (US) and included in prices (GB, AU), where the
 * ground truth's gross, discounts and returns are ex-tax.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { parseMapping } from "../../lib/domain/mapping";
import { currencyExponent, parseDecimal } from "../../lib/domain/money";
import { identityResidual, isEmptySummary } from "../../lib/domain/summary";
import { generateDay, type GeneratedDay, type TaxRegime } from "../../sandbox/square/generate-day";
import { summariseSquareDay } from "../support/square-day";

const mapping = parseMapping(JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")));

const dayArbitrary = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  sales: fc.integer({ min: 0, max: 40 }),
  currency: fc.constantFrom("USD", "JPY", "KWD"),
  timeZone: fc.constantFrom("America/Los_Angeles", "Europe/London", "Australia/Sydney", "Asia/Kolkata"),
  date: fc.constantFrom("2025-03-09", "2025-03-30", "2025-04-06", "2025-06-15", "2025-11-02"),
  dayStart: fc.constantFrom("00:00", "04:00", "02:30"),
  returnRate: fc.constantFrom(0, 0.2),
  noiseRate: fc.constantFrom(0, 0.3),
  taxRegime: fc.constantFrom<TaxRegime>("US", "GB", "AU"),
});

/** Splits the day's orders into SearchOrders pages of a given size, in the given order. */
function pages(day: GeneratedDay, pageSize: number, order: number[] = day.orders.map((_, i) => i)) {
  const result: { orders: unknown[]; cursor?: string }[] = [];
  for (let i = 0; i < order.length; i += pageSize) {
    result.push({ orders: order.slice(i, i + pageSize).map((index) => day.orders[index]), cursor: `page-${i}` });
  }
  return result;
}

function summarise(day: GeneratedDay, orderPages: unknown[]) {
  return summariseSquareDay({
    orderPages, catalog: [day.catalog], date: day.window.date, timeZone: day.window.timeZone,
    dayStart: day.window.dayStart, locationId: day.locationId, currency: day.currency,
  });
}

describe("the Square path over generated days", () => {
  it("summarises each day to the generator's ground truth, and the identity holds", () => {
    fc.assert(
      fc.property(dayArbitrary, (options) => {
        const day = generateDay(options);
        const { summary } = summarise(day, pages(day, 25));
        expect(summary).toEqual(day.truth);
        expect(identityResidual(summary)).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("builds entries that balance to the minor unit, with positive amounts in the currency's decimals", () => {
    fc.assert(
      fc.property(dayArbitrary, (options) => {
        const day = generateDay(options);
        const entry = buildJournalEntry(summarise(day, pages(day, 50)).summary, mapping, {
          source: "square", locationId: day.locationId, businessDay: day.window.date, revision: 0,
        });
        expect(entry.residual).toBe(0);
        expect(entry.held).toBe(false);
        if (entry.journalEntry === null) {
          expect(isEmptySummary(day.truth)).toBe(true);
          return;
        }
        let debits = 0;
        let credits = 0;
        for (const line of entry.journalEntry.Line) {
          expect(line.Amount).toBeGreaterThan(0);
          const printed = JSON.stringify(line.Amount);
          expect(printed.split(".")[1]?.length ?? 0).toBeLessThanOrEqual(currencyExponent(day.currency));
          const minor = parseDecimal(printed, day.currency);
          if (line.JournalEntryLineDetail.PostingType === "Debit") debits += minor;
          else credits += minor;
        }
        expect(debits).toBe(credits);
        expect(debits).toBe(entry.total);
      }),
      { numRuns: 150 },
    );
  });

  it("gives the same entry for the same day, however the orders are paged and ordered", () => {
    fc.assert(
      fc.property(
        dayArbitrary,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (options, pageSize, shuffleSeed) => {
          const day = generateDay(options);
          const shuffled = day.orders.map((_, i) => i);
          let state = shuffleSeed;
          for (let i = shuffled.length - 1; i > 0; i--) {
            state = (state * 1103515245 + 12345) % 2 ** 31;
            const j = state % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const context = { source: "square" as const, locationId: day.locationId, businessDay: day.window.date, revision: 0 };
          const first = buildJournalEntry(summarise(day, pages(day, 1000)).summary, mapping, context);
          const again = buildJournalEntry(summarise(day, pages(day, 1000)).summary, mapping, context);
          const reordered = buildJournalEntry(summarise(day, pages(day, pageSize, shuffled)).summary, mapping, context);
          expect(JSON.stringify(again.journalEntry)).toBe(JSON.stringify(first.journalEntry));
          expect(JSON.stringify(reordered.journalEntry)).toBe(JSON.stringify(first.journalEntry));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("makes inclusive-tax days with every case the rules cover: line and order discounts across rates, comps, returns of discounted lines, taxable service charges", () => {
    type Money = { amount: number };
    type Line = { total_money: Money; total_discount_money: Money; applied_discounts?: { discount_uid: string }[]; applied_taxes?: { tax_uid: string }[] };
    type Body = {
      line_items?: Line[]; discounts?: { scope: string }[]; taxes?: { type: string }[];
      service_charges?: { applied_taxes?: unknown[]; total_tax_money: Money }[];
      returns?: { return_line_items: { total_discount_money: Money; total_money: Money }[] }[];
    };
    for (const taxRegime of ["GB", "AU"] as const) {
      const seen = { lineDiscount: 0, orderDiscountAcrossRates: 0, comp: 0, zeroRated: 0, returnOfDiscounted: 0, taxableCharge: 0 };
      for (let seed = 1; seed <= 6; seed++) {
        const day = generateDay({ seed, sales: 60, date: "2025-06-14", timeZone: "Europe/London", returnRate: 0.3, currency: taxRegime === "GB" ? "GBP" : "AUD", taxRegime });
        const { summary } = summarise(day, pages(day, 25));
        expect(summary).toEqual(day.truth);
        expect(identityResidual(summary)).toBe(0);
        for (const body of day.orders as Body[]) {
          expect((body.taxes ?? []).every((tax) => tax.type === "INCLUSIVE")).toBe(true);
          const lines = body.line_items ?? [];
          if (lines.some((line) => line.applied_discounts?.some((d) => d.discount_uid !== "disc-order"))) seen.lineDiscount++;
          const rates = new Set(lines.filter((line) => line.applied_discounts?.some((d) => d.discount_uid === "disc-order")).map((line) => line.applied_taxes?.[0]?.tax_uid ?? "zero-rated"));
          if (body.discounts?.some((d) => d.scope === "ORDER") && rates.size > 1) seen.orderDiscountAcrossRates++;
          if (lines.some((line) => line.total_money.amount === 0 && line.total_discount_money.amount > 0 && line.applied_taxes?.length)) seen.comp++;
          if (lines.some((line) => !line.applied_taxes?.length && line.total_money.amount > 0)) seen.zeroRated++;
          if (body.returns?.some((r) => r.return_line_items.some((line) => line.total_discount_money.amount > 0 && line.total_money.amount > 0))) seen.returnOfDiscounted++;
          if (body.service_charges?.some((charge) => charge.applied_taxes?.length && charge.total_tax_money.amount > 0)) seen.taxableCharge++;
        }
      }
      for (const [kind, count] of Object.entries(seen)) expect(count, `${taxRegime} ${kind}`).toBeGreaterThan(0);
    }
  });
});
