/**
 * The figures of the mapping's defaults as the mapping page shows them: a plain-English label, a
 * one-line hint in the words of the accounting model (ACCOUNTING.md), and the account types that make
 * sense for each (qbo.md §4.2). Accounts Receivable and Payable (QuickBooks wants a customer or vendor
 * on every such line), Credit Card, Equity, fixed and long-term accounts, and anything non-posting
 * are never offered.
 */
import type { Mapping } from "../domain/mapping";
import type { QuickBooksAccount } from "../quickbooks/types";

export type DefaultFigure = keyof Mapping["defaults"];

export interface FigureRule {
  figure: DefaultFigure;
  label: string;
  hint: string;
  /** QuickBooks AccountType values an account for this figure may have. */
  types: readonly string[];
}

const INCOME = ["Income", "Other Income"] as const;
const EXPENSE = ["Expense", "Other Expense", "Cost of Goods Sold"] as const;

export const FIGURES: readonly FigureRule[] = [
  { figure: "sales", label: "Sales", hint: "Item and modifier sales before discounts, without tax, tips or gift card loads (credit).", types: INCOME },
  { figure: "discounts", label: "Discounts and comps", hint: "Discounts given on those sales, before tax (debit).", types: INCOME },
  { figure: "returns", label: "Returns", hint: "Items returned, before tax and before the discounts they had (debit).", types: INCOME },
  { figure: "serviceCharges", label: "Service charges", hint: "Service charges added to bills; auto-gratuities go to tips payable (credit).", types: [...INCOME, "Other Current Liability"] },
  { figure: "tax", label: "Sales tax", hint: "Tax collected minus tax refunded, owed to the tax agency (credit).", types: ["Other Current Liability"] },
  { figure: "tips", label: "Tips", hint: "Tips collected minus tips returned, owed to staff (credit).", types: ["Other Current Liability"] },
  { figure: "giftCards", label: "Gift cards", hint: "Money taken for gift card loads: a liability, not revenue; redemptions come off it (credit).", types: ["Other Current Liability"] },
  { figure: "nonRevenue", label: "Non-revenue items", hint: "Deposits, donations and other items that are not revenue, held until passed on (credit).", types: ["Other Current Liability", "Other Current Asset", "Bank"] },
  { figure: "tenders", label: "Payments", hint: "Money taken, by any tender not mapped on its own: card payments wait here for the payout (debit).", types: ["Other Current Asset", "Bank"] },
  { figure: "fees", label: "Processing fees", hint: "Fees the processor keeps from payouts (debit; the card clearing account is credited).", types: EXPENSE },
  { figure: "rounding", label: "Cash rounding", hint: "Rounding of cash totals, either way.", types: [...EXPENSE, ...INCOME] },
  { figure: "overShort", label: "Over/short", hint: "Any difference left when the POS figures do not add up, either way.", types: [...EXPENSE, ...INCOME] },
];

/** Per-category sales overrides take the same kinds of account as sales. */
export const CATEGORY_TYPES: readonly string[] = INCOME;

/** The chart's accounts a figure may use: active, of an allowed type. */
export function accountsFor(types: readonly string[], chart: readonly QuickBooksAccount[]): QuickBooksAccount[] {
  return chart.filter((account) => account.active && types.includes(account.accountType));
}
