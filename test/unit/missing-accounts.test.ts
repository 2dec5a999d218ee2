import { describe, expect, it } from "vitest";
import { suggestDefaultMapping } from "../../lib/locations/default-mapping";
import { accountsFor, FIGURES } from "../../lib/locations/mapping-figures";
import { missingAccounts } from "../../lib/locations/missing-accounts";
import type { QuickBooksAccount } from "../../lib/quickbooks/types";

const account = (id: string, name: string, accountType: string, accountSubType?: string, active = true): QuickBooksAccount => ({
  id, name, fullyQualifiedName: name, accountType, ...(accountSubType ? { accountSubType } : {}), active,
});

const BASE: QuickBooksAccount[] = [
  account("8", "Bank Charges", "Expense", "BankCharges"),
  account("1", "Checking", "Bank", "Checking"),
  account("79", "Sales of Product Income", "Income", "SalesOfProductIncome"),
  account("90", "Over/Short", "Expense", "OtherMiscellaneousServiceCost"),
  account("4", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
  account("84", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
  account("33", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
];

const FULL: QuickBooksAccount[] = [
  ...BASE,
  account("151", "Card Clearing", "Other Current Asset", "OtherCurrentAssets"),
  account("160", "Sales Tax Payable", "Other Current Liability", "SalesTaxPayable"),
  account("161", "Tips Payable", "Other Current Liability", "OtherCurrentLiabilities"),
  account("162", "Gift Cards Outstanding", "Other Current Liability", "OtherCurrentLiabilities"),
];

const plan = (chart: QuickBooksAccount[], source?: "square" | "clover") => missingAccounts(chart, source ? { source } : {}).map(({ kind, name, accountType, accountSubType }) => ({ kind, name, accountType, accountSubType }));

describe("the accounts daybook offers to create", () => {
  it("is nothing for a chart that has a clearing account and the tax, tips and gift card liabilities", () => {
    expect(missingAccounts(FULL)).toEqual([]);
  });

  it("is the clearing account and the three liabilities for a chart that has none, named after the POS", () => {
    expect(plan(BASE, "square")).toEqual([
      { kind: "clearing", name: "Square Clearing", accountType: "Other Current Asset", accountSubType: "OtherCurrentAssets" },
      { kind: "salesTax", name: "Sales Tax Collected (POS)", accountType: "Other Current Liability", accountSubType: "SalesTaxPayable" },
      { kind: "tips", name: "Tips Payable", accountType: "Other Current Liability", accountSubType: "OtherCurrentLiabilities" },
      { kind: "giftCards", name: "Gift Card Liability", accountType: "Other Current Liability", accountSubType: "OtherCurrentLiabilities" },
    ]);
    expect(plan(BASE, "clover")[0]?.name).toBe("Clover Clearing");
    expect(plan(BASE)[0]?.name).toBe("POS Clearing");
  });

  it("once created, the chart lacks nothing and a complete mapping can be suggested", () => {
    const created = missingAccounts(BASE, { source: "square" }).map((each, index) => account(String(500 + index), each.name, each.accountType, each.accountSubType));
    expect(suggestDefaultMapping(BASE).ok).toBe(false);
    expect(missingAccounts([...BASE, ...created])).toEqual([]);
    const suggested = suggestDefaultMapping([...BASE, ...created]);
    expect(suggested.ok).toBe(true);
    if (suggested.ok) expect(suggested.mapping.defaults).toMatchObject({ tenders: "500", tax: "501", tips: "502", giftCards: "503" });
  });

  it("creates only what is missing, and ignores inactive accounts", () => {
    const chart = [...BASE, account("161", "Tips Payable", "Other Current Liability", "OtherCurrentLiabilities"), account("151", "Square Clearing", "Other Current Asset", "OtherCurrentAssets", false)];
    expect(plan(chart, "square").map((each) => each.kind)).toEqual(["clearing", "salesTax", "giftCards"]);
  });

  it("does not count a tax liability as the tips or gift card account, nor a liability without tax detail as the tax account", () => {
    const chart = [...FULL.filter((each) => !["160", "161", "162"].includes(each.id)), account("170", "Gift and Tips Tax", "Other Current Liability", "SalesTaxPayable"), account("171", "Sales Tax Owed", "Other Current Liability", "OtherCurrentLiabilities")];
    expect(plan(chart).map((each) => each.kind)).toEqual(["tips", "giftCards"]);
    expect(plan([...FULL.filter((each) => each.id !== "160"), account("171", "Sales Tax Owed", "Other Current Liability", "OtherCurrentLiabilities")]).map((each) => each.kind)).toEqual(["salesTax"]);
  });

  it("never proposes a name another account already has, whatever its letter case", () => {
    const chart = [...BASE, account("300", "tips payable", "Expense", "OtherMiscellaneousServiceCost"), account("301", "Tips Payable (POS)", "Expense", "OtherMiscellaneousServiceCost")];
    const names = missingAccounts(chart).map((each) => each.name);
    expect(names).toContain("Tips Payable 2");
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
  });
});

describe("the accounts each figure may use", () => {
  it("never offers Accounts Receivable, Accounts Payable or an inactive account", () => {
    const chart = [...FULL, account("99", "Old Sales", "Income", "SalesOfProductIncome", false)];
    for (const rule of FIGURES) {
      const ids = accountsFor(rule.types, chart).map((each) => each.id);
      expect(ids, rule.figure).not.toContain("84");
      expect(ids, rule.figure).not.toContain("33");
      expect(ids, rule.figure).not.toContain("99");
      expect(ids.length, rule.figure).toBeGreaterThan(0);
    }
  });

  it("offers every account daybook suggests for that figure", () => {
    const suggested = suggestDefaultMapping(FULL);
    expect(suggested.ok).toBe(true);
    if (!suggested.ok) return;
    for (const rule of FIGURES) expect(accountsFor(rule.types, FULL).map((each) => each.id), rule.figure).toContain(suggested.mapping.defaults[rule.figure]);
  });

  it("adds the accounts a location's own items need, only when it has them, and none it already has", () => {
    const items = { tenders: ["Credit Card", "Cash", "House Account", "External Gift Card"], nonRevenueItems: ["Gift Card", "Charity donation"] };
    const kinds = (chart: QuickBooksAccount[], with_ = items) => missingAccounts(chart, { source: "clover", items: with_ }).map(({ kind, name, accountType }) => ({ kind, name, accountType }));
    expect(kinds(FULL)).toEqual([
      { kind: "houseAccounts", name: "House Accounts Receivable", accountType: "Other Current Asset" },
      { kind: "externalGiftCards", name: "External Gift Card Clearing", accountType: "Other Current Asset" },
      { kind: "depositsAndDonations", name: "Deposits and Donations Held", accountType: "Other Current Liability" },
    ]);
    // A gift-card load is not a deposit or a donation; no house account, no external gift card: nothing more.
    expect(kinds(FULL, { tenders: ["Credit Card", "Cash"], nonRevenueItems: ["Gift Card"] })).toEqual([]);
    expect(missingAccounts(FULL, { source: "clover" })).toEqual([]);
    const having = [
      ...FULL, account("170", "House Charges Receivable", "Other Current Asset", "OtherCurrentAssets"),
      account("171", "Gift Card Clearing (other issuers)", "Bank", "Checking"), account("172", "Customer Deposits", "Other Current Liability", "OtherCurrentLiabilities"),
    ];
    expect(kinds(having)).toEqual([]);
  });
});

