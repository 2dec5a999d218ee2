/**
 * Properties of the Clover path over generated merchant days: the summary equals the generator's own
 * ground truth, ACCOUNTING.md's identity holds, every entry balances to the minor unit with positive
 * amounts in the currency's decimals, and the same day always gives the same entry however its orders
 * and items are paged and ordered.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { currencyExponent, parseDecimal } from "../../lib/domain/money";
import { identityResidual, isEmptySummary } from "../../lib/domain/summary";
import { CloverDataError } from "../../lib/pos/clover/errors";
import { generateCloverDay, type GeneratedCloverDay } from "../../sandbox/clover/generate-day";
import { summariseCloverDay } from "../support/clover-day";
import { cloverMapping } from "../support/fixtures";

const mapping = cloverMapping();

const dayArbitrary = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  orders: fc.integer({ min: 0, max: 30 }),
  currency: fc.constantFrom("USD", "JPY", "KWD"),
  timeZone: fc.constantFrom("America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Sydney", "Asia/Kolkata"),
  date: fc.constantFrom("2025-03-09", "2025-03-30", "2025-04-06", "2025-06-15", "2025-11-02"),
  dayStart: fc.constantFrom("00:00", "04:00", "02:30"),
  splitRate: fc.constantFrom(0, 0.2, 0.5),
  refundRate: fc.constantFrom(0, 0.1, 0.4),
  exchangeRate: fc.constantFrom(0, 0.3),
  previousDayRate: fc.constantFrom(0, 0.15, 0.5),
  cashBackRate: fc.constantFrom(0, 0.3, 1),
  creditRate: fc.constantFrom(0, 0.2),
  noiseRate: fc.constantFrom(0, 0.1, 0.4),
});

/** Splits a list into `{elements}` pages of a given size, in the given order. */
function pages<T>(list: readonly T[], pageSize: number, order: number[] = list.map((_, i) => i)) {
  const result: { elements: T[]; href: string }[] = [];
  for (let i = 0; i < order.length; i += pageSize) {
    result.push({ elements: order.slice(i, i + pageSize).map((index) => list[index] as T), href: `page-${i}` });
  }
  return result.length ? result : [{ elements: [], href: "page-0" }];
}

function shuffled(length: number, seed: number): number[] {
  const indexes = Array.from({ length }, (_, i) => i);
  let state = seed;
  for (let i = indexes.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes;
}

function summarise(day: GeneratedCloverDay, orderPages: unknown[], itemPages: unknown[] = pages(day.items, 100)) {
  return summariseCloverDay({
    orderPages, itemPages, date: day.window.date, timeZone: day.window.timeZone, dayStart: day.window.dayStart, currency: day.currency,
  });
}

const context = (day: GeneratedCloverDay) => ({ source: "clover" as const, locationId: day.merchantId, businessDay: day.window.date, revision: 0 });

describe("the Clover path over generated days", () => {
  it("summarises each day to the generator's ground truth, and the identity holds", () => {
    fc.assert(
      fc.property(dayArbitrary, (options) => {
        const day = generateCloverDay(options);
        const { summary, warnings } = summarise(day, pages(day.orders, 25));
        expect(summary).toEqual(day.truth);
        expect(identityResidual(summary)).toBe(0);
        // Only the generator's item missing from inventory is ever worth a warning.
        for (const warning of warnings) expect(warning.code).toBe("uncatalogued-item");
      }),
      { numRuns: 200 },
    );
  });

  it("builds entries that balance to the minor unit, with positive amounts in the currency's decimals", () => {
    fc.assert(
      fc.property(dayArbitrary, (options) => {
        const day = generateCloverDay(options);
        const entry = buildJournalEntry(summarise(day, pages(day.orders, 50)).summary, mapping, context(day));
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

  it("gives the same entry for the same day, however orders and items are paged and ordered", () => {
    fc.assert(
      fc.property(
        dayArbitrary,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (options, pageSize, itemPageSize, shuffleSeed) => {
          const day = generateCloverDay(options);
          const first = buildJournalEntry(summarise(day, pages(day.orders, 1000)).summary, mapping, context(day));
          const again = buildJournalEntry(summarise(generateCloverDay(options), pages(day.orders, 1000)).summary, mapping, context(day));
          const reordered = buildJournalEntry(
            summarise(
              day,
              pages(day.orders, pageSize, shuffled(day.orders.length, shuffleSeed)),
              pages(day.items, itemPageSize, shuffled(day.items.length, shuffleSeed + 1)),
            ).summary,
            mapping,
            context(day),
          );
          expect(JSON.stringify(again.journalEntry)).toBe(JSON.stringify(first.journalEntry));
          expect(JSON.stringify(reordered.journalEntry)).toBe(JSON.stringify(first.journalEntry));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses a generated day with one malformed order, naming that order by its place (never its id) and the field", () => {
    fc.assert(
      fc.property(dayArbitrary, fc.nat(), (options, pick) => {
        const day = generateCloverDay({ ...options, orders: Math.max(options.orders, 1) });
        const paid = day.orders.filter((o) => (o.payments as { elements: unknown[] }).elements.length > 0);
        const victim = paid[pick % paid.length];
        if (!victim) return;
        const broken = day.orders.map((o) =>
          o === victim ? { ...o, payments: { elements: [{ ...(o.payments as { elements: object[] }).elements[0], amount: "1.00" }] } } : o,
        );
        const attempt = () => summarise(day, pages(broken, 10));
        expect(attempt).toThrow(CloverDataError);
        const place = (day.orders.indexOf(victim) % 10) + 1;
        expect(attempt).toThrow(`order ${place} of an orders page is not valid: payments.elements.0.amount: Invalid input: expected number, received string`);
        expect(attempt).not.toThrow(victim.id);
      }),
      { numRuns: 30 },
    );
  });

  it("makes debit payments with cash back: the card takes it, the cash account pays it out, the day balances", () => {
    let days = 0;
    for (let seed = 1; days < 5 && seed < 100; seed++) {
      const day = generateCloverDay({ seed, orders: 40, date: "2025-06-15", timeZone: "America/New_York", cashBackRate: 1 });
      if (day.truth.cashBack === 0) continue;
      days += 1;
      const { summary } = summarise(day, pages(day.orders, 25));
      expect(summary).toEqual(day.truth);
      expect(identityResidual(summary)).toBe(0);
      const entry = buildJournalEntry(summary, mapping, context(day));
      expect(entry.residual).toBe(0);
      expect(entry.lines.find((line) => line.description === "Cash back paid out")).toEqual({
        description: "Cash back paid out", postingType: "Credit", amount: day.truth.cashBack, accountId: mapping.tenders?.Cash,
      });
    }
    expect(days).toBe(5);
  });
});
