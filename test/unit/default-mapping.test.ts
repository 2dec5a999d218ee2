import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { parseMapping } from "../../lib/domain/mapping";
import { MISSING_ACCOUNT, suggestDefaultMapping, suggestedItemAccount } from "../../lib/locations/default-mapping";
import type { QuickBooksAccount } from "../../lib/quickbooks/types";
import { summaryOf } from "../support/summaries";

const account = (id: string, name: string, accountType: string, accountSubType?: string, active = true): QuickBooksAccount => ({
  id, name, fullyQualifiedName: name, accountType, ...(accountSubType ? { accountSubType } : {}), active,
});

/** A small US chart, in the order QuickBooks lists it (by name): the picks must not depend on order. */
const CHART: QuickBooksAccount[] = [
  account("8", "Bank Charges", "Expense", "BankCharges"),
  account("151", "Card Clearing", "Other Current Asset", "OtherCurrentAssets"),
  account("1", "Checking", "Bank", "Checking"),
  account("80", "Discounts Given", "Income", "DiscountsRefundsGiven"),
  account("162", "Gift Cards Outstanding", "Other Current Liability", "OtherCurrentLiabilities"),
  account("99", "Old Sales", "Income", "SalesOfProductIncome", false),
  account("90", "Over/Short", "Expense", "OtherMiscellaneousServiceCost"),
  account("79", "Sales of Product Income", "Income", "SalesOfProductIncome"),
  account("160", "Sales Tax Payable", "Other Current Liability", "SalesTaxPayable"),
  account("161", "Tips Payable", "Other Current Liability", "OtherCurrentLiabilities"),
  account("4", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
];

describe("the suggested default mapping", () => {
  it("picks each figure's account by type, subtype and name, never an inactive one", () => {
    const suggested = suggestDefaultMapping(CHART);
    expect(suggested).toEqual({
      ok: true,
      mapping: {
        defaults: {
          sales: "79", discounts: "80", returns: "80", serviceCharges: "79", tax: "160", tips: "161", giftCards: "162",
          nonRevenue: "162", tenders: "151", fees: "8", rounding: "90", overShort: "90",
        },
        // Cash to Undeposited Funds (Square's CASH, Clover's "Cash"), cards to the clearing account.
        tenders: { CASH: "4", Cash: "4" },
      },
    });
    if (suggested.ok) expect(parseMapping(suggested.mapping)).toEqual(suggested.mapping);
  });

  it("suggests the gift-card liability for non-revenue items whose name says gift card, the default for the rest", () => {
    const withDonations = [...CHART, account("163", "Donations Payable", "Other Current Liability", "OtherCurrentLiabilities")];
    const suggested = suggestDefaultMapping(withDonations, {
      nonRevenueItems: ["Charity donation", "Gift Card", "E-Gift Card $50", "gift certificate", "Bottle deposit", "Gift Card", "Giftwrap"],
    });
    if (!suggested.ok) throw new Error("expected a mapping");
    // Donations and deposits: the donations liability by default; gift-card loads: Gift Cards Outstanding (162).
    expect(suggested.mapping.defaults.nonRevenue).toBe("163");
    expect(suggested.mapping.nonRevenue).toEqual({ "E-Gift Card $50": "162", "Gift Card": "162", "gift certificate": "162" });
    const entry = buildJournalEntry(
      summaryOf({ nonRevenue: { "Gift Card": 5000, "Charity donation": 100 }, payments: { CASH: 5100 } }), suggested.mapping,
      { source: "clover", locationId: "M1", businessDay: "2025-06-01", revision: 0 },
    );
    expect(entry.lines.filter((line) => line.description.startsWith("Non-revenue")).map((line) => [line.description, line.accountId])).toEqual([
      ["Non-revenue – Charity donation", "163"],
      ["Non-revenue – Gift Card", "162"],
    ]);
    expect(suggestDefaultMapping(CHART, { nonRevenueItems: ["Charity donation"] })).toEqual(suggestDefaultMapping(CHART));
  });

  it("makes do with the bare minimum: one account of each needed type", () => {
    const suggested = suggestDefaultMapping([
      account("10", "Revenue", "Income"),
      account("20", "Tax owed", "Other Current Liability", "SalesTaxPayable"),
      account("21", "Owed to others", "Other Current Liability", "OtherCurrentLiabilities"),
      account("30", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
      account("40", "Costs", "Expense"),
    ]);
    expect(suggested.ok && suggested.mapping.defaults).toEqual({
      sales: "10", discounts: "10", returns: "10", serviceCharges: "10", tax: "20", tips: "21", giftCards: "21",
      nonRevenue: "21", tenders: "30", fees: "40", rounding: "40", overShort: "40",
    });
    // Undeposited Funds already takes every tender: no override for cash.
    expect(suggested.ok && suggested.mapping.tenders).toBeUndefined();
  });

  it("posts discounts and service charges to sales, not to some other income account, when the chart has none for them", () => {
    const suggested = suggestDefaultMapping([
      account("11", "Interest Earned", "Income", "InterestEarned"),
      account("12", "Sales", "Income", "SalesOfProductIncome"),
      ...CHART.filter((each) => each.accountType !== "Income"),
    ]);
    expect(suggested.ok && [suggested.mapping.defaults.sales, suggested.mapping.defaults.discounts, suggested.mapping.defaults.serviceCharges]).toEqual(["12", "12", "12"]);
  });

  it("gives a mapping every summary figure can be posted with, balanced", () => {
    const suggested = suggestDefaultMapping(CHART);
    if (!suggested.ok) throw new Error("expected a mapping");
    const summary = summaryOf({
      sales: { FOOD: 10_000 }, categoryNames: { FOOD: "Food" }, returns: { FOOD: 500 }, discounts: 300, serviceCharges: { Delivery: 200 },
      autoGratuities: { Party: 150 }, tax: { State: 800 }, tips: 400, giftCardSales: 1000, nonRevenue: { Deposit: 50 },
      payments: { CARD: 11_000, CASH: 1_000 }, refunds: { CARD: 200 }, fees: 330, rounding: -2,
    });
    const entry = buildJournalEntry(summary, suggested.mapping, { source: "square", locationId: "L1", businessDay: "2025-06-01", revision: 0 });
    const side = (type: string) => entry.lines.filter((line) => line.postingType === type).reduce((sum, line) => sum + line.amount, 0);
    expect(entry.journalEntry).not.toBeNull();
    expect(side("Debit")).toBe(side("Credit"));
    const used = new Set(entry.lines.map((line) => line.accountId));
    for (const id of used) expect(CHART.find((each) => each.id === id)?.active).toBe(true);
  });

  it.each([
    ["Income", MISSING_ACCOUNT.sales],
    ["Other Current Asset", MISSING_ACCOUNT.clearing],
    ["Expense", MISSING_ACCOUNT.expense],
  ])("names the missing kind when the chart has no active %s account", (type, missing) => {
    const suggested = suggestDefaultMapping(CHART.filter((each) => each.accountType !== type));
    expect(suggested).toEqual({ ok: false, missing: [missing] });
  });

  it("asks for a sales tax account, and for a liability for tips, separately", () => {
    const noTax = suggestDefaultMapping(CHART.filter((each) => each.accountSubType !== "SalesTaxPayable"));
    expect(noTax).toEqual({ ok: false, missing: [MISSING_ACCOUNT.tax] });
    const onlyTax = suggestDefaultMapping(CHART.filter((each) => each.accountType !== "Other Current Liability" || each.accountSubType === "SalesTaxPayable"));
    expect(onlyTax).toEqual({ ok: false, missing: [MISSING_ACCOUNT.liability] });
    const inactiveSales = suggestDefaultMapping(CHART.map((each) => (each.accountType === "Income" ? { ...each, active: false } : each)));
    expect(inactiveSales).toEqual({ ok: false, missing: [MISSING_ACCOUNT.sales] });
  });

  describe("items that need their own account", () => {
    const WITH_OWN = [
      ...CHART,
      account("170", "House Accounts Receivable", "Other Current Asset", "OtherCurrentAssets"),
      account("171", "External Gift Card Clearing", "Other Current Asset", "OtherCurrentAssets"),
      account("172", "Donations Payable", "Other Current Liability", "OtherCurrentLiabilities"),
      account("173", "Customer Deposits", "Other Current Liability", "OtherCurrentLiabilities"),
    ];

    it("sends a house account to its receivable and an external gift card to its own clearing account, never to card clearing", () => {
      const suggested = suggestDefaultMapping(WITH_OWN, { source: "clover", tenders: ["Credit Card", "Cash", "House Account", "External Gift Card", "Gift Card"] });
      if (!suggested.ok) throw new Error("expected a mapping");
      expect(suggested.mapping.defaults.tenders).toBe("151");
      // The business's own gift card, redeemed, comes off the gift-card liability (162).
      expect(suggested.mapping.tenders).toEqual({ Cash: "4", "House Account": "170", "External Gift Card": "171", "Gift Card": "162" });
    });

    it("suggests cash under the location's own POS's key only: a second \"Cash\" would be an item on the mapping page nothing uses", () => {
      const tendersOf = (source: "square" | "clover") => {
        const suggested = suggestDefaultMapping(CHART, { source });
        return suggested.ok ? suggested.mapping.tenders : undefined;
      };
      expect(tendersOf("square")).toEqual({ CASH: "4" });
      expect(tendersOf("clover")).toEqual({ Cash: "4" });
    });

    it("suggests nothing of its own for a house account when the chart has no account for it (the mapping page offers to create one)", () => {
      const suggested = suggestDefaultMapping(CHART, { tenders: ["House Account", "External Gift Card"] });
      expect(suggested.ok && suggested.mapping.tenders).toEqual({ CASH: "4", Cash: "4" });
      expect(suggestedItemAccount(CHART, (suggested.ok && suggested.mapping.defaults) || ({} as never), "tenders", "House Account")).toBeUndefined();
    });

    it("holds donations and deposits as liabilities named for them, and gift-card loads in the gift-card liability", () => {
      const suggested = suggestDefaultMapping(WITH_OWN, { nonRevenueItems: ["Charity donation", "Bottle deposit", "Gift Card $25", "Round-up"] });
      if (!suggested.ok) throw new Error("expected a mapping");
      // The general non-revenue account: the first liability named for deposits or donations.
      expect(suggested.mapping.defaults.nonRevenue).toBe("172");
      expect(suggested.mapping.nonRevenue).toEqual({ "Bottle deposit": "173", "Gift Card $25": "162" });
      const defaults = suggested.mapping.defaults;
      expect(suggestedItemAccount(WITH_OWN, defaults, "nonRevenue", "Charity donation")).toBe("172");
      expect(suggestedItemAccount(WITH_OWN, defaults, "nonRevenue", "Round-up")).toBe("172");
      expect(suggestedItemAccount(WITH_OWN, defaults, "nonRevenue", "Sticker")).toBeUndefined();
    });

    it("holds non-revenue items in a spare liability rather than the gift-card one when the chart has one", () => {
      const spare = [...CHART, account("180", "Other Liabilities Held", "Other Current Liability", "OtherCurrentLiabilities")];
      expect(suggestDefaultMapping(spare).ok && (suggestDefaultMapping(spare) as { mapping: { defaults: { nonRevenue: string } } }).mapping.defaults.nonRevenue).toBe("180");
    });
  });
});
