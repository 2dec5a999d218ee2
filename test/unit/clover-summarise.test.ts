/**
 * The Clover summariser on hand-made days, each figure justified against ACCOUNTING.md,
 * reference/clover.md (quoted) and docs/accounting.md "Clover". Business day 2024-06-20 in New York
 * is [1718856000000, 1718942400000) (04:00Z to 04:00Z); 2024-06-21 follows it.
 */
import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { identityResidual } from "../../lib/domain/summary";
import { CloverItemCategories } from "../../lib/pos/clover/categories";
import { CloverDataError } from "../../lib/pos/clover/errors";
import { CloverDaySummariser } from "../../lib/pos/clover/summarise";
import { cloverItems, cloverMapping, readFixture } from "../support/fixtures";
import { summariseCloverDay } from "../support/clover-day";
import { summaryOf } from "../support/summaries";

const mapping = cloverMapping();
const DAY_START = 1718856000000; // 2024-06-20 00:00 in New York
const NOON = DAY_START + 12 * 3_600_000;
const YESTERDAY = DAY_START - 3 * 3_600_000;
const day = (orderPages: unknown[], date = "2024-06-20", itemPages: unknown[] = [cloverItems()]) =>
  summariseCloverDay({ orderPages, itemPages, date, timeZone: "America/New_York" });
const fixture = (name: string, date = "2024-06-20") => day([readFixture(`clover/${name}.json`)], date);
const entryLines = (result: ReturnType<typeof day>, businessDay = "2024-06-20") =>
  buildJournalEntry(result.summary, mapping, { source: "clover", locationId: "K3V8AZN1QW5YM", businessDay, revision: 0 }).lines.map(
    (line) => [line.description, line.postingType, line.amount, line.accountId],
  );

const BEVERAGES = { CAT0BEVERAGE1: "Beverages" };
const FOOD = { CAT0FOOD00001: "Food" };
const credit = { id: "M3D2T6Y9K8J1P", labelKey: "com.clover.tender.credit_card", label: "Credit Card" };
const cash = { id: "CASHT3ND3RX01", labelKey: "com.clover.tender.cash", label: "Cash" };
const line = (id: string, itemId: string | null, price: number, extra: Record<string, unknown> = {}) => ({
  id, ...(itemId ? { item: { id: itemId } } : {}), name: id, price, isRevenue: true, ...extra,
});
const BURGER = "4XW0D5K4N0J7E"; // Food
const TEA = "A1S2D3F4G5H6J"; // Beverages
const COFFEE = "K9J8H7G6F5D4S"; // Beverages
const PIZZA = "PZZ4ITEM00001"; // Food
const payment = (id: string, at: number, amount: number, taxAmount: number, extra: Record<string, unknown> = {}) => ({
  id, tender: credit, amount, taxAmount, tipAmount: 0, createdTime: at, result: "SUCCESS", ...extra,
});
const order = (id: string, fields: Record<string, unknown>) => ({ elements: [{ id, currency: "USD", ...fields }] });
const list = (...items: unknown[]) => ({ elements: items });

describe("Clover summariser: the examples of reference/clover.md §5", () => {
  it("§5.1 card sale with a modifier, line and order discounts, tax and tip", () => {
    const result = fixture("card-sale");
    // "Burger: 1200 + 200 (Add Bacon) − 200 (Happy Hour) = 1200. Iced Tea: 350. Subtotal 1550.
    //  10% order discount = −155" — spread by value: Burger 120, Tea 35. Gross is before discounts:
    //  Food 1400 (price + modifier), Beverages 350; discounts 200 + 155 = 355.
    // "Tax 8.25% on 1395 = 115.09, rounded to 115" — taken from payment.taxAmount, never recomputed; no
    //  tax rate is named anywhere in the order, so it is "Sales tax".
    // "Total 1510, plus a tip of 300 on the payment": payment.amount excludes the tip, so Credit Card 1810.
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 1400, CAT0BEVERAGE1: 350 }, categoryNames: { ...FOOD, ...BEVERAGES },
        discounts: 355, tax: { "Sales tax": 115 }, tips: 300, payments: { "Credit Card": 1810 },
      }),
    );
    expect(result.warnings).toEqual([]);
    // "Debit card clearing 1810 and discounts 355 ... Credit sales 1750 (by category), tax 115 and tips 300."
    expect(entryLines(result)).toEqual([
      ["Sales – Beverages", "Credit", 350, "44"],
      ["Sales – Food", "Credit", 1400, "45"],
      ["Discounts & comps", "Debit", 355, "41"],
      ["Tax – Sales tax", "Credit", 115, "20"],
      ["Tips", "Credit", 300, "21"],
      ["Credit Card payments", "Debit", 1810, "11"],
    ]);
  });

  it("§5.2 cash sale with a non-revenue donation line", () => {
    const result = fixture("cash-donation");
    // "2 × Coffee at 300 ... Donation 100 (isRevenue=false, no tax) ... Tax = 50. Total 750."
    // "cashTendered (1000) is not revenue. Only amount counts": Cash 750. The lines name one tax rate.
    expect(result.summary).toEqual(
      summaryOf({
        sales: { CAT0BEVERAGE1: 600 }, categoryNames: BEVERAGES, tax: { "State Sales Tax": 50 },
        nonRevenue: { "Charity Donation": 100 }, payments: { Cash: 750 },
      }),
    );
    // "JE: debit cash 750; credit sales 600, donations payable 100 and tax 50."
    expect(entryLines(result)).toEqual([
      ["Sales – Beverages", "Credit", 600, "44"],
      ["Tax – State Sales Tax", "Credit", 50, "20"],
      ["Non-revenue – Charity Donation", "Credit", 100, "23"],
      ["Cash payments", "Debit", 750, "12"],
    ]);
  });

  it("§5.3 card sale, then a line refund the next day: each day on its own", () => {
    // "Day-1 JE is unchanged (append-only), even though order.modifiedTime moved to day 2": Pizza 1600 and
    // Soda 250 sold, tax 134, card 1984 + tip 300.
    expect(fixture("next-day-refund").summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 1600, CAT0BEVERAGE1: 250 }, categoryNames: { ...FOOD, ...BEVERAGES },
        tax: { "State Sales Tax": 134 }, tips: 300, payments: { "Credit Card": 2284 },
      }),
    );
    // "Refund amount 268 = 250 + tax 18": the refund names no line, the Soda line is flagged refunded, so the
    // 250 of goods is the Soda's. The refund's tender is its payment's (joined through refund.payment.id).
    const dayTwo = fixture("next-day-refund", "2024-06-21");
    expect(dayTwo.summary).toEqual(
      summaryOf({ returns: { CAT0BEVERAGE1: 250 }, categoryNames: BEVERAGES, tax: { "State Sales Tax": -18 }, refunds: { "Credit Card": 268 } }),
    );
    // "Day-2 JE: debit sales returns (Beverages) 250 and tax payable 18; credit card clearing 268."
    expect(entryLines(dayTwo, "2024-06-21")).toEqual([
      ["Returns – Beverages", "Debit", 250, "42"],
      ["Tax – State Sales Tax", "Debit", 18, "20"],
      ["Refunds – Credit Card", "Credit", 268, "11"],
    ]);
  });
});

describe("Clover summariser: scenarios", () => {
  it("split payments: by amount across the day's end, and in halves by lineItemPayments", () => {
    // SPL1TCUST0RD1: Burger 1200 − 200 = 1000 and Tea 350, goods 1350. "Allocate per payment, not per order"
    // (§3.4): the card's goods 900 − 68 = 832 are split over the unpaid 1000 : 350 by largest remainder,
    // 616.30 → 616 and 215.70 → 216; the Burger's gross follows its paid net: 1200 × 616/1000 = 739.2 → 739.
    // The House Account's 518 (paid 00:20 the next day) takes what is left: Burger 384 (gross 461), Tea 134.
    // SPL1TGUEST0R2: Pizza 1600, Soda 250 − 12.5% (31.25 → 31) = 219. Each payment covers 50% of each line:
    // the first half rounds up, Pizza 800, Soda 109.5 → 110 (gross 250 × 110/219 = 125.6 → 126); the second
    // half takes the rest, Pizza 800, Soda 109 (gross 124).
    const first = fixture("split-tender");
    expect(first.summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 739 + 1600, CAT0BEVERAGE1: 216 + 250 }, categoryNames: { ...FOOD, ...BEVERAGES },
        discounts: 123 + 31, tax: { "State Sales Tax": 68 + 75 + 75 }, tips: 100 + 150,
        payments: { "Credit Card": 1000 + 1134, Cash: 985 },
      }),
    );
    expect(identityResidual(first.summary)).toBe(0);
    const second = fixture("split-tender", "2024-06-21");
    expect(second.summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 461, CAT0BEVERAGE1: 134 }, categoryNames: { ...FOOD, ...BEVERAGES }, discounts: 77,
        tax: { "State Sales Tax": 43 }, payments: { "House Account": 561 },
      }),
    );
    expect(identityResidual(second.summary)).toBe(0);
    // Across both days the split order adds up to its lines exactly: Food 739 + 461 = 1200, discounts 123 + 77 = 200.
    // "House Account" is a custom tender: its label is the tender key as it is, mapped like any other.
    expect(entryLines(second, "2024-06-21")).toContainEqual(["House Account payments", "Debit", 561, "13"]);
  });

  it("a manual credit is money back with no item behind it: a return of custom amounts", () => {
    // "Credits = manual or 'naked' refunds not tied to a payment ... Tender comes from credit.tender" (§2.4).
    // The voided credit does not count. Amount 1083 includes tax 83, so 1000 goes back as custom amounts.
    const result = fixture("manual-credit");
    expect(result.summary).toEqual(
      summaryOf({
        returns: { "custom-amounts": 1000 }, categoryNames: { "custom-amounts": "Custom amounts" },
        tax: { "State Sales Tax": -83 }, refunds: { Cash: 1083 },
      }),
    );
    expect(entryLines(result)).toEqual([
      ["Returns – Custom amounts", "Debit", 1000, "42"],
      ["Tax – State Sales Tax", "Debit", 83, "20"],
      ["Refunds – Cash", "Credit", 1083, "12"],
    ]);
  });

  it("ignores failed and voided payments, failed and voided refunds, and test-mode orders", () => {
    // "Only result=SUCCESS payments count. Exclude VOIDED, FAIL and testMode orders" (§7.9); refunds count
    // unless voided or FAIL. Only the cash payment of FA1LTH3NPA1D1 is left: Coffee 300, tax 25.
    const result = fixture("failed-voided");
    expect(result.summary).toEqual(
      summaryOf({ sales: { CAT0BEVERAGE1: 300 }, categoryNames: BEVERAGES, tax: { "State Sales Tax": 25 }, payments: { Cash: 325 } }),
    );
    expect(entryLines(result)).toEqual([
      ["Sales – Beverages", "Credit", 300, "44"],
      ["Tax – State Sales Tax", "Credit", 25, "20"],
      ["Cash payments", "Debit", 325, "12"],
    ]);
  });

  it("posts nothing for orders merely modified in the day", () => {
    // The §5.3 order is modified on 2024-06-22 in no way that moves money: no payment, refund or credit that day.
    expect(fixture("next-day-refund", "2024-06-22").summary).toEqual(summaryOf({}));
  });
});

describe("Clover summariser: Clover's arithmetic", () => {
  it("unitQty in thousandths, percentageDecimal, priceWithModifiers, amount discounts after percentages", () => {
    const page = order("ARITHM0RD3R01", {
      discounts: list({ name: "Coupon", amount: -300 }),
      lineItems: list(
        // 1800 × 1250/1000 = 2250; 12.5% (percentageDecimal 125000) = 281.25 → 281.
        line("BEANS", COFFEE, 1800, { unitQty: 1250, discounts: list({ name: "Staff", percentageDecimal: 125_000 }) }),
        // Modifications not expanded: priceWithModifiers 1500 is the gross; 10% (150) first, then −100.
        line("BURGER", BURGER, 1200, { priceWithModifiers: 1500, discounts: list({ name: "Ten", percentage: 10 }, { name: "Less", amount: -100 }) }),
      ),
      // Coupon 300 spread over 1969 : 1250 → 183.50 → 184 (larger remainder) and 116.50 → 116.
      payments: list(payment("ARITHMPAYMNT1", NOON, 2919 + 200, 200)),
    });
    const { summary } = day([page]);
    expect(summary).toEqual(
      summaryOf({
        sales: { CAT0BEVERAGE1: 2250, CAT0FOOD00001: 1500 }, categoryNames: { ...BEVERAGES, ...FOOD },
        discounts: 281 + 184 + 250 + 116, tax: { "Sales tax": 200 }, payments: { "Credit Card": 3119 },
      }),
    );
    expect(identityResidual(summary)).toBe(0);
  });

  it("a comp (a line discounted to nothing) shows its gross and its discount, sold and given back", () => {
    const comp = line("COMPCOFFEE", COFFEE, 300, { discounts: list({ name: "On the house", percentage: 100 }) });
    const lines = list(comp, line("TEA", TEA, 350));
    const sold = order("C0MP0RD3R0001", { lineItems: lines, payments: list(payment("C0MPPAYMENT01", NOON, 379, 29)) });
    expect(day([sold]).summary).toEqual(
      summaryOf({ sales: { CAT0BEVERAGE1: 650 }, categoryNames: BEVERAGES, discounts: 300, tax: { "Sales tax": 29 }, payments: { "Credit Card": 379 } }),
    );
    // A refund naming both lines the next day gives back the Tea's 350 and the comp's gross with its discount.
    const refunded = order("C0MP0RD3R0001", {
      lineItems: lines,
      payments: list(payment("C0MPPAYMENT01", NOON, 379, 29)),
      refunds: list({ id: "C0MPR3FUND001", payment: { id: "C0MPPAYMENT01" }, amount: 379, taxAmount: 29, createdTime: NOON + 86_400_000, lineItems: list({ id: "COMPCOFFEE" }, { id: "TEA" }) }),
    });
    const next = day([refunded], "2024-06-21").summary;
    expect(next).toEqual(
      summaryOf({ returns: { CAT0BEVERAGE1: 650 }, categoryNames: BEVERAGES, discounts: -300, tax: { "Sales tax": -29 }, refunds: { "Credit Card": 379 } }),
    );
    expect(identityResidual(next)).toBe(0);
  });

  it("service charges: the payment's serviceCharge (auto-applied → auto-gratuity), order-fee lines and surcharges", () => {
    const page = order("F33S0RD3R0001", {
      serviceCharge: { id: "SC1", name: "Large party 18%", percentageDecimal: 180_000, isAutoApplied: true },
      lineItems: list(
        line("BURGER", BURGER, 1200),
        line("Delivery fee", null, 500, { isOrderFee: true }),
        line("Auto gratuity 20%", null, 240, { isOrderFee: true, orderFeeType: "AUTO_GRATUITY" }),
      ),
      // amount = goods 1940 + service charge 216 + tax 99; the surcharge is outside amount ("The total amount
      // paid by the customer is the sum of the payment amount and additionalCharges.amount", §2.3).
      payments: list(payment("F33SPAYMENT01", NOON, 1940 + 216 + 99, 99, {
        serviceCharge: { id: "SC1", name: "Large party 18%", amount: 216 },
        additionalCharges: list({ id: "AC1", type: "CREDIT_SURCHARGE", amount: 60, rate: 30_000 }),
      })),
    });
    const { summary } = day([page]);
    expect(summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 1200 }, categoryNames: FOOD,
        serviceCharges: { "Delivery fee": 500, "Credit surcharge": 60 },
        autoGratuities: { "Large party 18%": 216, "Auto gratuity 20%": 240 },
        tax: { "Sales tax": 99 }, payments: { "Credit Card": 2255 + 60 },
      }),
    );
    expect(identityResidual(summary)).toBe(0);
  });

  it("refunds: a named line in part, then an amount pro rata, with a tip and another tender", () => {
    const lines = list(line("BURGER", BURGER, 1200), line("TEA", TEA, 350), line("DONATION", "DON8T10NXX0X1", 100, { isRevenue: false }));
    const page = order("R3FUND0RD3R01", {
      lineItems: lines,
      payments: list(payment("R3FPAYMENT001", YESTERDAY, 1650 + 128, 128, { tipAmount: 200 })),
      refunds: list(
        // Names the Burger: its 460 of goods come off the Burger alone (gross 1200 × 460/1200 = 460).
        { id: "R3FNAMED00001", payment: { id: "R3FPAYMENT001" }, amount: 500, taxAmount: 40, tipAmount: 0, createdTime: NOON, lineItems: list({ id: "BURGER" }) },
        // Names nothing and no line is flagged: 250 over what is returnable, 740 : 350 : 100, is 155.46 → 155,
        // 73.53 → 74 (largest remainder) and 21.01 → 21. 50 of the tip goes back too. Refunded in cash.
        { id: "R3FAMOUNT0002", payment: { id: "R3FPAYMENT001" }, overrideMerchantTender: cash, amount: 320, taxAmount: 20, tipAmount: 50, createdTime: NOON + 3_600_000 },
      ),
    });
    const { summary } = day([page]);
    expect(summary).toEqual(
      summaryOf({
        returns: { CAT0FOOD00001: 460 + 155, CAT0BEVERAGE1: 74 }, categoryNames: { ...FOOD, ...BEVERAGES },
        nonRevenue: { DONATION: -21 }, tax: { "Sales tax": -60 }, tips: -50, refunds: { "Credit Card": 500, Cash: 320 },
      }),
    );
    expect(identityResidual(summary)).toBe(0);
  });

  it("exchanges: the exchanged line is returned and its replacement sold when the replacement was created", () => {
    const exchangeAt = NOON;
    const paidYesterday = payment("XCHPAYMENT001", YESTERDAY, 1550 + 128, 128);
    // Tea (350) exchanged for a Pizza (1600): 1250 more, paid with tax 103 a second later.
    const up = order("XCHUP0RD3R001", {
      lineItems: list(
        line("BURGER", BURGER, 1200),
        line("TEA", TEA, 350, { exchanged: true, exchangedLineItem: { id: "PIZZA" } }),
        line("PIZZA", PIZZA, 1600, { createdTime: exchangeAt }),
      ),
      payments: list(paidYesterday, payment("XCHPAYMENT002", exchangeAt + 1000, 1250 + 103, 103)),
    });
    expect(day([up]).summary).toEqual(
      summaryOf({
        sales: { CAT0FOOD00001: 1600 }, returns: { CAT0BEVERAGE1: 350 }, categoryNames: { ...FOOD, ...BEVERAGES },
        tax: { "Sales tax": 103 }, payments: { "Credit Card": 1353 },
      }),
    );
    // The day before keeps the sale as it was paid: the Pizza was not on the order yet.
    expect(day([up], "2024-06-19").summary.sales).toEqual({ CAT0FOOD00001: 1200, CAT0BEVERAGE1: 350 });

    // Burger (1200) exchanged for a Coffee (300): 900 back with tax 74, by a refund naming no line, which the
    // exchange's credit explains; it returns nothing more.
    const down = order("XCHDOWN0RD3R1", {
      lineItems: list(
        line("BURGER", BURGER, 1200, { exchanged: true, exchangedLineItem: { id: "COFFEE" } }),
        line("TEA", TEA, 350),
        line("COFFEE", COFFEE, 300, { createdTime: exchangeAt }),
      ),
      payments: list(paidYesterday),
      refunds: list({ id: "XCHREFUND0001", payment: { id: "XCHPAYMENT001" }, amount: 974, taxAmount: 74, createdTime: exchangeAt + 1000 }),
    });
    const { summary } = day([down]);
    expect(summary).toEqual(
      summaryOf({
        sales: { CAT0BEVERAGE1: 300 }, returns: { CAT0FOOD00001: 1200 }, categoryNames: { ...FOOD, ...BEVERAGES },
        tax: { "Sales tax": -74 }, refunds: { "Credit Card": 974 },
      }),
    );
    expect(identityResidual(summary)).toBe(0);
  });

  it("leaves money the lines cannot explain to over/short, never to a category", () => {
    // The payment's goods (500 − 25 = 475) are more than the order's one line (300): the 175 left over
    // is not sales; the entry posts it to over/short and, above the 100 tolerance, holds the day.
    const page = order("0V3RPA1D0RD3R", { lineItems: list(line("COFFEE", COFFEE, 300)), payments: list(payment("0V3RPAYMENT01", NOON, 500, 25)) });
    const result = day([page]);
    expect(result.summary.sales).toEqual({ CAT0BEVERAGE1: 300 });
    expect(identityResidual(result.summary)).toBe(175);
    const entry = buildJournalEntry(result.summary, mapping, { source: "clover", locationId: "K3V8AZN1QW5YM", businessDay: "2024-06-20", revision: 0 });
    expect(entry.lines.at(-1)).toEqual({ description: "Over/short (unexplained difference)", postingType: "Credit", amount: 175, accountId: "62" });
    expect(entry.held).toBe(true);
  });
});

describe("Clover summariser: cash back and non-revenue items by item", () => {
  const debit = { id: "D3B1TT3ND3R01", labelKey: "com.clover.tender.debit_card", label: "Debit Card" };

  it("cash back: the card is charged it, the cash drawer pays it out, and the day still balances", () => {
    // A 3.00 Coffee, tax 8.25% = 24.75 → 25 (the payment's taxAmount), paid by debit card with 20.00 cash back.
    // Clover's `amount` (325) excludes the cash back (reference/clover.md §2.3: "cash actually collected =
    // amount + tipAmount + Σ additionalCharges.amount (+ cashbackAmount on cash-back card sales, which is
    // paid straight back out)").
    const page = order("C4SHB4CK0RD01", {
      lineItems: list(line("COFFEE", COFFEE, 300)),
      payments: list(payment("C4SHB4CKPAY01", NOON, 325, 25, { tender: debit, cashbackAmount: 2000 })),
    });
    const result = day([page]);
    // The debit card tender receives 325 + 20.00 = 2325; cash back 2000 leaves the drawer.
    expect(result.summary).toEqual(summaryOf({
      sales: { CAT0BEVERAGE1: 300 }, categoryNames: BEVERAGES, tax: { "Sales tax": 25 }, payments: { "Debit Card": 2325 }, cashBack: 2000,
    }));
    // Identity: 2325 − 0 − 2000 (cash back) = 300 + 25.
    expect(identityResidual(result.summary)).toBe(0);
    const withDebit = { ...mapping, tenders: { ...mapping.tenders, "Debit Card": "11" } };
    const entry = buildJournalEntry(result.summary, withDebit, { source: "clover", locationId: "K3V8AZN1QW5YM", businessDay: "2024-06-20", revision: 0 });
    // Card clearing is debited all the card will pay (23.25); the cash account (Cash → 12) is credited the 20.00 handed out.
    expect(entry.lines.map((l) => [l.description, l.postingType, l.amount, l.accountId])).toEqual([
      ["Sales – Beverages", "Credit", 300, "44"],
      ["Tax – Sales tax", "Credit", 25, "20"],
      ["Debit Card payments", "Debit", 2325, "11"],
      ["Cash back paid out", "Credit", 2000, "12"],
    ]);
    expect(entry.residual).toBe(0);
  });

  it("a gift-card load and a donation go to two accounts, each by its item name", () => {
    // Clover flags both isRevenue: false (§5.2's "Charity Donation"); they are non-revenue by line name, untaxed.
    const page = order("G1FTD0N4T10N1", {
      lineItems: list(
        line("Gift Card", "G1FTCARDITEM1", 5000, { isRevenue: false }),
        line("Charity Donation", "DON8T10NXX0X1", 100, { isRevenue: false }),
        line("COFFEE", COFFEE, 300),
      ),
      payments: list(payment("G1FTPAYMENT01", NOON, 5425, 25, { tender: cash })),
    });
    const result = day([page]);
    // 5425 = 300 (coffee) + 25 (its tax) + 5000 (gift card load) + 100 (donation).
    expect(result.summary).toEqual(summaryOf({
      sales: { CAT0BEVERAGE1: 300 }, categoryNames: BEVERAGES, tax: { "Sales tax": 25 },
      nonRevenue: { "Gift Card": 5000, "Charity Donation": 100 }, payments: { Cash: 5425 },
    }));
    // The gift-card load to the gift-card liability (22), the donation to donations payable (25).
    const byItem = { ...mapping, nonRevenue: { "Gift Card": "22", "Charity Donation": "25" } };
    const entry = buildJournalEntry(result.summary, byItem, { source: "clover", locationId: "K3V8AZN1QW5YM", businessDay: "2024-06-20", revision: 0 });
    expect(entry.lines.map((l) => [l.description, l.postingType, l.amount, l.accountId])).toEqual([
      ["Sales – Beverages", "Credit", 300, "44"],
      ["Tax – Sales tax", "Credit", 25, "20"],
      ["Non-revenue – Charity Donation", "Credit", 100, "25"],
      ["Non-revenue – Gift Card", "Credit", 5000, "22"],
      ["Cash payments", "Debit", 5425, "12"],
    ]);
    // Without per-item accounts, both land in the default non-revenue account (23), as before.
    expect(entryLines(result).filter((l) => String(l[0]).startsWith("Non-revenue")).map((l) => l[3])).toEqual(["23", "23"]);
  });
});

describe("Clover summariser: categories and tenders", () => {
  const items = list(
    { id: "ITEMMULTI0001", categories: list({ id: "CATB", name: "B", sortOrder: 2 }, { id: "CATA", name: "A", sortOrder: 1 }) },
    { id: "ITEMTIE000001", categories: list({ id: "CATZ", name: "Z", sortOrder: 3 }, { id: "CATY", name: "Y", sortOrder: 3 }) },
    { id: "ITEMNOSORT001", categories: list({ id: "CATC", name: "C" }, { id: "CATD", name: "D", sortOrder: 9 }) },
    { id: "ITEMDELETED01", categories: list({ id: "CATOLD", name: "Old", sortOrder: 0, deleted: true }, { id: "CATNEW", name: "New", sortOrder: 5 }) },
    { id: "ITEMNOCAT0001", categories: list() },
  );

  it("reports an item under its first category by sortOrder, then id; deleted ones last; none → Uncategorized", () => {
    const categories = CloverItemCategories.fromItemPages([items]);
    expect(categories.categoryOf("ITEMMULTI0001")).toEqual({ id: "CATA", name: "A" });
    expect(categories.categoryOf("ITEMTIE000001")).toEqual({ id: "CATY", name: "Y" });
    expect(categories.categoryOf("ITEMNOSORT001")).toEqual({ id: "CATD", name: "D" });
    expect(categories.categoryOf("ITEMDELETED01")).toEqual({ id: "CATNEW", name: "New" });
    expect(categories.categoryOf("ITEMNOCAT0001")).toEqual({ id: "uncategorized", name: "Uncategorized" });
    expect(categories.categoryOf("NOTINPAGES001")).toBeUndefined();
    // An item paged twice (its categories changed between pages) is judged on everything seen, in any order.
    const twice = [list({ id: "ITEMMULTI0001", categories: list({ id: "CATB", name: "B", sortOrder: 2 }) }), list({ id: "ITEMMULTI0001", categories: list({ id: "CATA", name: "A", sortOrder: 1 }) })];
    expect(CloverItemCategories.fromItemPages(twice).categoryOf("ITEMMULTI0001")).toEqual({ id: "CATA", name: "A" });
    expect(CloverItemCategories.fromItemPages([...twice].reverse()).categoryOf("ITEMMULTI0001")).toEqual({ id: "CATA", name: "A" });
  });

  it("custom lines (no item) are Custom amounts; items the pages do not hold are Uncategorized, and said so", () => {
    const page = order("CUST0M0RD3R01", {
      lineItems: list(line("MANUAL", null, 1234), line("GONE", "NOTINPAGES001", 500), line("NOCAT", "ITEMNOCAT0001", 200)),
      payments: list(payment("CUST0MPAYMNT1", NOON, 1934, 0)),
    });
    const result = day([page], "2024-06-20", [items]);
    expect(result.summary.sales).toEqual({ "custom-amounts": 1234, uncategorized: 700 });
    expect(result.summary.categoryNames).toEqual({ "custom-amounts": "Custom amounts", uncategorized: "Uncategorized" });
    expect(result.warnings).toEqual([
      { code: "uncatalogued-item", message: "1 sold or returned line named items daybook could not find in the item pages; counted as Uncategorized." },
    ]);
  });

  it("keys a tender without its label by its labelKey or id, and a refund of an unknown payment as UNKNOWN, with warnings", () => {
    const page = order("N0LAB3L0RD3R1", {
      lineItems: list(line("COFFEE", COFFEE, 300)),
      payments: list(payment("N0LAB3LPAYMT1", NOON, 325, 25, { tender: { id: "M3D2T6Y9K8J1P" } })),
      refunds: list({ id: "N0LAB3LR3FUND", payment: { id: "SOMEOTHERPAY1" }, amount: 100, taxAmount: 0, createdTime: NOON + 1000 }),
    });
    const result = day([page]);
    expect(result.summary.payments).toEqual({ M3D2T6Y9K8J1P: 325 });
    expect(result.summary.refunds).toEqual({ UNKNOWN: 100 });
    expect(result.warnings.map((w) => w.code).sort()).toEqual(["unknown-refund-tender", "unknown-tender-label"]);
    // Neither is in the mapping: both go to the default tender account, and the entry names them.
    const entry = buildJournalEntry(result.summary, mapping, { source: "clover", locationId: "K3V8AZN1QW5YM", businessDay: "2024-06-20", revision: 0 });
    expect(entry.lines).toContainEqual({ description: "M3D2T6Y9K8J1P payments", postingType: "Debit", amount: 325, accountId: "10" });
    expect(entry.lines).toContainEqual({ description: "Refunds – Unknown tender", postingType: "Credit", amount: 100, accountId: "10" });
  });
});

describe("Clover summariser: data it must refuse", () => {
  const summariser = (currency = "USD") =>
    new CloverDaySummariser({
      window: { startMs: DAY_START, endMs: DAY_START + 86_400_000 },
      currency,
      categories: CloverItemCategories.fromItemPages([cloverItems()]),
    });

  it("refuses a malformed order, naming its place in the page and the field, never its id", () => {
    const bareArray = { elements: [{ id: "BROKEN0RDER01", lineItems: [{ id: "L1", price: 100 }] }] };
    expect(() => summariser().addOrdersPage(bareArray)).toThrow(CloverDataError);
    expect(() => summariser().addOrdersPage(bareArray)).toThrow(/^order 1 of an orders page is not valid: lineItems: Invalid input: expected object, received array$/);
    const textAmount = order("BROKEN0RDER02", { payments: list({ id: "P1", amount: "12.00", createdTime: NOON, result: "SUCCESS" }) });
    expect(() => summariser().addOrdersPage(textAmount)).toThrow(/^order 1 of an orders page is not valid: payments\.elements\.0\.amount: Invalid input: expected number, received string$/);
    const noTime = order("BROKEN0RDER03", { refunds: list({ id: "R1", amount: 100 }) });
    expect(() => summariser().addOrdersPage(noTime)).toThrow(/^order 1 of an orders page is not valid: refunds\.elements\.0\.createdTime/);
    expect(() => summariser().addOrdersPage({ elements: [{ lineItems: list() }] })).toThrow(/^order 1 of an orders page is not valid: id: /);
    expect(() => summariser().addOrdersPage({ orders: [] })).toThrow(/^the orders page is not valid: elements: /);
  });

  it("refuses a malformed item page, naming the item", () => {
    expect(() => CloverItemCategories.fromItemPages([list({ id: "ITEM1", categories: [{ id: "C" }] })])).toThrow(
      /^item ITEM1 is not valid: categories: Invalid input: expected object, received array$/,
    );
  });

  it("refuses an order in another currency than the merchant's", () => {
    expect(() => summariser("CAD").addOrdersPage(readFixture("clover/card-sale.json"))).toThrow(
      /^an order is in USD, but the merchant's currency is CAD$/,
    );
  });

  it("refuses an exchange whose replacement has no createdTime, since its day cannot be known", () => {
    const page = order("XCHN0T1M30RD1", {
      lineItems: list(line("TEA", TEA, 350, { exchanged: true, exchangedLineItem: { id: "SODA" } }), line("SODA", TEA, 350)),
      payments: list(payment("XCHN0T1M3PAY1", NOON, 350, 0)),
    });
    expect(() => summariser().addOrdersPage(page)).toThrow(/^an order has an exchange whose replacement line has no createdTime/);
  });
});
