/**
 * The Square summariser on hand-made days, each figure justified against ACCOUNTING.md and
 * reference/square.md. Business day 2025-06-14 in New York is 04:00Z to 04:00Z the next day.
 */
import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { identityResidual } from "../../lib/domain/summary";
import { SquareCatalog } from "../../lib/pos/square/catalog";
import { SquareDataError } from "../../lib/pos/square/errors";
import { SquareDaySummariser } from "../../lib/pos/square/summarise";
import { readFixture, squareCatalog, squareMapping } from "../support/fixtures";
import { summariseSquareDay } from "../support/square-day";
import { squareSpecProblems } from "../support/square-spec";
import { summaryOf } from "../support/summaries";

const mapping = squareMapping();
const day = (scenario: string, overrides: { locationId?: string; currency?: string; timeZone?: string } = {}) =>
  summariseSquareDay({
    orderPages: [readFixture(`square/scenarios/${scenario}.json`)],
    catalog: [squareCatalog()],
    date: "2025-06-14",
    timeZone: overrides.timeZone ?? "America/New_York",
    locationId: overrides.locationId ?? "LNYC0001",
    currency: overrides.currency ?? "USD",
  });
const entryLines = (result: ReturnType<typeof day>, locationId = "LNYC0001") =>
  buildJournalEntry(result.summary, mapping, { source: "square", locationId, businessDay: "2025-06-14", revision: 0 }).lines.map(
    (line) => [line.description, line.postingType, line.amount, line.accountId],
  );

describe("Square summariser: worked example of reference/square.md §2.7", () => {
  const workedDay = (date: string, extra: { payments?: boolean; refunds?: boolean } = {}) =>
    summariseSquareDay({
      orderPages: [readFixture("square/worked-example/orders.json")],
      paymentPages: extra.payments ? [readFixture("square/worked-example/payments.json")] : [],
      refundPages: extra.refunds ? [readFixture("square/worked-example/refunds.json")] : [],
      catalog: [squareCatalog()],
      date,
      timeZone: "America/Los_Angeles",
      locationId: "L8EXAMPLE0001",
    });

  it("2025-03-14: card and cash sales", () => {
    // Gross 3250 (Bev 900, Food 350, Merch 2000), discounts 125, tax 266, tips 200, CARD 1421, CASH 2170, fees 52.
    expect(workedDay("2025-03-14").summary).toEqual(
      summaryOf({
        sales: { CAT_BEVERAGES: 900, CAT_FOOD: 350, CAT_MERCH: 2000 },
        categoryNames: { CAT_BEVERAGES: "Beverages", CAT_FOOD: "Food", CAT_MERCH: "Merchandise" },
        discounts: 125, tax: { "State Sales Tax": 266 }, tips: 200, payments: { CARD: 1421, CASH: 2170 }, fees: 52,
      }),
    );
  });

  it("2025-03-15: a partial return refunded to the card", () => {
    // Returns 450 (Bev), discounts −45, tax −34, refunds CARD 439, fees −11: net total −428.
    const { summary, warnings } = workedDay("2025-03-15");
    expect(summary).toEqual(
      summaryOf({
        returns: { CAT_BEVERAGES: 450 }, categoryNames: { CAT_BEVERAGES: "Beverages" },
        discounts: -45, tax: { "State Sales Tax": -34 }, refunds: { CARD: 439 }, fees: -11,
      }),
    );
    expect(warnings).toEqual([]);
  });

  it("takes fees, fee adjustments and refunds from the Payments and Refunds APIs when given", () => {
    // The card payment carries an INITIAL fee of 52 and a later ADJUSTMENT of 3; the FAILED payment's fee does not count.
    expect(workedDay("2025-03-14", { payments: true }).summary.fees).toBe(55);
    // The COMPLETED refund gives 11 back and is typed by destination; the REJECTED one does not count.
    const refundDay = workedDay("2025-03-15", { refunds: true }).summary;
    expect(refundDay.refunds).toEqual({ CARD: 439 });
    expect(refundDay.fees).toBe(-11);
  });
});

describe("Square summariser: scenarios", () => {
  it("split tenders: one order paid by card (with the tip), cash and a gift card", () => {
    const result = day("split-tender");
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT_ALCOHOL: 2200, CAT_FOOD: 350 }, categoryNames: { CAT_ALCOHOL: "Alcohol", CAT_FOOD: "Food" },
        tax: { "State Sales Tax": 217 }, tips: 400, payments: { CARD: 1767, CASH: 1000, SQUARE_GIFT_CARD: 400 }, fees: 56,
      }),
    );
    expect(identityResidual(result.summary)).toBe(0);
    expect(entryLines(result)).toEqual([
      ["Sales – Alcohol", "Credit", 2200, "40"], // not mapped: default sales account, and a warning
      ["Sales – Food", "Credit", 350, "45"],
      ["Tax – State Sales Tax", "Credit", 217, "20"],
      ["Tips", "Credit", 400, "21"],
      ["Card payments", "Debit", 1767, "11"],
      ["Cash payments", "Debit", 1000, "12"],
      ["Gift card payments", "Debit", 400, "22"], // a redemption reduces the gift-card liability
      ["Processing fees", "Debit", 56, "60"],
      ["Processing fees – Card clearing", "Credit", 56, "11"],
    ]);
  });

  it("gift cards: a load is a liability, not a sale; a redemption is a payment against it", () => {
    const result = day("gift-cards");
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT_BEVERAGES: 450 }, categoryNames: { CAT_BEVERAGES: "Beverages" }, tax: { "State Sales Tax": 38 },
        giftCardSales: 5000, payments: { CARD: 5000, SQUARE_GIFT_CARD: 488 }, fees: 140,
      }),
    );
    expect(entryLines(result)).toEqual([
      ["Sales – Beverages", "Credit", 450, "44"],
      ["Tax – State Sales Tax", "Credit", 38, "20"],
      ["Gift card sales", "Credit", 5000, "22"],
      ["Card payments", "Debit", 5000, "11"],
      ["Gift card payments", "Debit", 488, "22"],
      ["Processing fees", "Debit", 140, "60"],
      ["Processing fees – Card clearing", "Credit", 140, "11"],
    ]);
  });

  it("service charges: revenue without their tax; an auto-gratuity goes to tips payable unless mapped", () => {
    const result = day("service-charges");
    // Delivery fee 500 + its tax 43; the party's 18% auto-gratuity 378 is untaxed; the party also tipped 100.
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT_MERCH: 2000, CAT_FOOD: 2100 }, categoryNames: { CAT_MERCH: "Merchandise", CAT_FOOD: "Food" },
        serviceCharges: { "Delivery fee": 500 }, autoGratuities: { "Large party 18%": 378 },
        tax: { "State Sales Tax": 392 }, tips: 100, payments: { CARD: 5470 }, fees: 162,
      }),
    );
    expect(identityResidual(result.summary)).toBe(0);
    expect(entryLines(result)).toContainEqual(["Service charges – Delivery fee", "Credit", 500, "43"]);
    expect(entryLines(result)).toContainEqual(["Auto-gratuity – Large party 18%", "Credit", 378, "21"]);
  });

  it("custom amounts get their own category; items without a category, or unknown to the catalog, are Uncategorized", () => {
    const result = day("custom-amounts");
    expect(result.summary).toEqual(
      summaryOf({
        sales: { "custom-amounts": 1234, uncategorized: 1700 },
        categoryNames: { "custom-amounts": "Custom amounts", uncategorized: "Uncategorized" },
        tax: { "State Sales Tax": 250 }, payments: { CASH: 3184 },
      }),
    );
    expect(result.warnings).toEqual([
      { code: "uncatalogued-item", message: "1 sold or returned line named catalog items daybook could not find; counted as Uncategorized." },
    ]);
    expect(entryLines(result).slice(0, 2)).toEqual([
      ["Sales – Custom amounts", "Credit", 1234, "47"],
      ["Sales – Uncategorized", "Credit", 1700, "40"],
    ]);
  });

  it("multiple taxes: each tax by its name, to its own account", () => {
    const result = day("multiple-taxes");
    expect(result.summary.tax).toEqual({ "City Tax": 15, "State Sales Tax": 124 });
    expect(identityResidual(result.summary)).toBe(0);
    expect(entryLines(result)).toContainEqual(["Tax – City Tax", "Credit", 15, "24"]);
    expect(entryLines(result)).toContainEqual(["Tax – State Sales Tax", "Credit", 124, "20"]);
  });

  it("inclusive tax: taken out of gross where Square leaves it in (UK), left alone where Square already did (US)", () => {
    const result = day("inclusive-tax", { locationId: "LLONDON001", currency: "GBP", timeZone: "Europe/London" });
    // VAT_INSIDE: gross 1200 includes VAT 200 → sales 1000. VAT_OUTSIDE: gross 500 already excludes VAT 100.
    expect(result.summary.sales).toEqual({ CAT_BEVERAGES: 500, CAT_MERCH: 1000 });
    expect(result.summary.tax).toEqual({ "VAT 20%": 300 });
    expect(result.summary.payments).toEqual({ CARD: 1200, CASH: 600 });
    expect(identityResidual(result.summary)).toBe(0);
  });

  it("an OTHER tender is named by its note, and so is a refund to it", () => {
    const usd = (amount: number) => ({ amount, currency: "USD" });
    const sale = {
      id: "VOUCHER_SALE", location_id: "LNYC0001", state: "COMPLETED", closed_at: "2025-06-14T16:00:02Z",
      line_items: [{
        uid: "li-1", quantity: "1", item_type: "CUSTOM_AMOUNT", gross_sales_money: usd(1500), total_discount_money: usd(0),
        total_tax_money: usd(0), total_money: usd(1500),
      }],
      tenders: [{
        id: "VOUCHER_T", location_id: "LNYC0001", created_at: "2025-06-14T16:00:01Z", type: "OTHER",
        note: "  Town gift\nvoucher ", amount_money: usd(1500),
      }],
      total_money: usd(1500), net_amount_due_money: usd(0),
    };
    const returned = {
      id: "VOUCHER_RETURN", location_id: "LNYC0001", state: "COMPLETED", closed_at: "2025-06-14T20:00:00Z",
      returns: [{ source_order_id: "VOUCHER_SALE", return_line_items: [{ quantity: "1", item_type: "CUSTOM_AMOUNT", gross_return_money: usd(500), total_money: usd(500) }] }],
      refunds: [{ id: "VOUCHER_R", location_id: "LNYC0001", tender_id: "VOUCHER_T", created_at: "2025-06-14T20:00:00Z", reason: "Returned", status: "APPROVED", amount_money: usd(500) }],
    };
    const page = { orders: [sale, returned] };
    expect(squareSpecProblems("SearchOrdersResponse", page)).toEqual([]);
    const result = summariseSquareDay({ orderPages: [page], catalog: [squareCatalog()], date: "2025-06-14", timeZone: "America/New_York", locationId: "LNYC0001" });
    // The note, its spaces tidied, keys the money: 15.00 taken, 5.00 given back.
    expect(result.summary.payments).toEqual({ "OTHER:Town gift voucher": 1500 });
    expect(result.summary.refunds).toEqual({ "OTHER:Town gift voucher": 500 });
    expect(entryLines(result).filter(([description]) => String(description).includes("Other"))).toEqual([
      ["Other payments – Town gift voucher", "Debit", 1500, "10"],
      ["Refunds – Other – Town gift voucher", "Credit", 500, "10"],
    ]);
  });

  it("recognises a sale when it is paid: paid-but-OPEN counts, partly paid does not, the paid time beats closed_at", () => {
    const result = day("paid-open");
    // OPEN_PAID (created the day before, paid today, still OPEN) and PAID_LATE_CLOSED (paid 23:55, closed 00:30
    // the next day) count; OPEN_PARTIAL still owes 16.70; PAID_BEFORE was paid at 23:59:59.999 the day before.
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT_BEVERAGES: 450, CAT_FOOD: 350 }, categoryNames: { CAT_BEVERAGES: "Beverages", CAT_FOOD: "Food" },
        tax: { "State Sales Tax": 68 }, payments: { CARD: 488, CASH: 380 }, fees: 23,
      }),
    );
  });
});

describe("Square summariser: data it must refuse or ignore", () => {
  const summariser = (currency = "USD") =>
    new SquareDaySummariser({
      window: { startMs: Date.parse("2025-06-14T04:00:00Z"), endMs: Date.parse("2025-06-15T04:00:00Z") },
      locationId: "LNYC0001",
      currency,
      catalog: SquareCatalog.fromResponses([squareCatalog()]),
    });

  it("refuses an amount in another currency than the location's, saying what, never naming the order by its id", () => {
    expect(() => summariser("CAD").addOrdersPage(readFixture("square/scenarios/split-tender.json"))).toThrow(
      /^an order has an amount in USD, but the location's currency is CAD$/,
    );
  });

  it("refuses a malformed order, naming its place in the page and the field, never its id", () => {
    const page = { orders: [{ id: "BROKEN_1", location_id: "LNYC0001", line_items: [{ quantity: 2 }] }] };
    expect(() => summariser().addOrdersPage(page)).toThrow(SquareDataError);
    expect(() => summariser().addOrdersPage(page)).toThrow(/^order 1 of a SearchOrders page is not valid: line_items\.0\.quantity/);
    expect(() => summariser().addOrdersPage({ orders: "nope" })).toThrow(/SearchOrders response is not valid/);
    expect(() => summariser().addOrdersPage({ errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" }] })).toThrow(
      /carries Square errors: INTERNAL_SERVER_ERROR/,
    );
  });

  it("ignores other locations' orders", () => {
    const s = summariser();
    s.addOrdersPage({ orders: [{ ...(readFixture("square/scenarios/split-tender.json") as { orders: object[] }).orders[0], location_id: "LOTHER" }] });
    expect(s.finish().summary).toEqual(summaryOf({}));
  });

  it("names a refund whose tender it cannot find, and still counts the money", () => {
    const page = readFixture("square/worked-example/orders.json") as { orders: { id: string }[] };
    const { summary, warnings } = summariseSquareDay({
      orderPages: [{ orders: page.orders.filter((o) => o.id === "EXAMPLE_ORDER_RETURN_0003") }],
      catalog: [squareCatalog()], date: "2025-03-15", timeZone: "America/Los_Angeles", locationId: "L8EXAMPLE0001",
    });
    expect(summary.refunds).toEqual({ UNKNOWN: 439 });
    expect(warnings.map((w) => w.code)).toEqual(["unknown-refund-tender"]);
  });
});
