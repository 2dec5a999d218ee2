/**
 * The mapping daybook suggests for a new location, from the QuickBooks company's active chart of
 * accounts, chosen by account type (and subtype or name where a type holds several kinds). The
 * merchant can change it later on the mapping page; this only has to be complete and sensible.
 * When the chart has no account of a type a figure needs, nothing is suggested and the answer says
 * which kind of account to create. Given the location's non-revenue items (Clover's isRevenue: false
 * lines, by name), it maps those whose name says gift card to the gift-card liability: a load is money
 * owed back in goods, not a donation or a deposit.
 */
import type { Mapping } from "../domain/mapping";
import type { QuickBooksAccount } from "../quickbooks/types";

export type SuggestedMapping = { ok: true; mapping: Mapping } | { ok: false; missing: string[] };

export interface SuggestionOptions {
  /** The location's non-revenue items by name, as its daily summaries key them. */
  nonRevenueItems?: readonly string[];
}

const GIFT_CARD_ITEM = /\bgift[\s-]*(?:cards?|certificates?|vouchers?)\b|\bgiftcards?\b/i;

/** "Gift Card", "Gift card $50", "E-gift certificate": a gift-card load. */
export function isGiftCardItem(name: string): boolean {
  return GIFT_CARD_ITEM.test(name);
}

const byName = (pattern: RegExp) => (account: QuickBooksAccount) => pattern.test(account.name);
const ofType = (type: string) => (account: QuickBooksAccount) => account.accountType === type;
const ofSubType = (subType: string) => (account: QuickBooksAccount) => account.accountSubType === subType;

/** The first account that passes the earliest preference; preferences narrow one account type. */
function pick(accounts: readonly QuickBooksAccount[], type: string, ...preferences: ((account: QuickBooksAccount) => boolean)[]): QuickBooksAccount | undefined {
  const candidates = accounts.filter((account) => account.active && ofType(type)(account));
  for (const prefer of preferences) {
    const found = candidates.find(prefer);
    if (found) return found;
  }
  return candidates[0];
}

/** What to create when a kind of account is missing, in words a bookkeeper uses. */
export const MISSING_ACCOUNT = {
  sales: "an Income account for sales",
  tax: "an Other Current Liability account for sales tax (detail type Sales Tax Payable)",
  liability: "an Other Current Liability account for tips and gift cards",
  clearing: "an Other Current Asset account for card clearing or Undeposited Funds",
  expense: "an Expense account for processing fees and over/short",
} as const;

export function suggestDefaultMapping(accounts: readonly QuickBooksAccount[], options: SuggestionOptions = {}): SuggestedMapping {
  const sales = pick(accounts, "Income", ofSubType("SalesOfProductIncome"), (account) => account.accountSubType !== "DiscountsRefundsGiven");
  const discounts = accounts.find((account) => account.active && ofType("Income")(account) && ofSubType("DiscountsRefundsGiven")(account));
  const serviceCharges = accounts.find((account) => account.active && ofType("Income")(account) && (ofSubType("ServiceFeeIncome")(account) || byName(/service/i)(account)));
  const tax = pick(accounts, "Other Current Liability", ofSubType("SalesTaxPayable"));
  const notTax = (account: QuickBooksAccount) => account.accountSubType !== "SalesTaxPayable";
  const tips = pick(accounts, "Other Current Liability", (account) => notTax(account) && byName(/tip|gratuit/i)(account), notTax);
  const giftCards = pick(accounts, "Other Current Liability", (account) => notTax(account) && byName(/gift/i)(account), notTax);
  const tenders = pick(accounts, "Other Current Asset", byName(/clearing/i), ofSubType("UndepositedFunds"));
  const fees = pick(accounts, "Expense", ofSubType("BankCharges"), byName(/fee|charge/i));
  const overShort = pick(accounts, "Expense", byName(/over.?short/i), (account) => account.id !== fees?.id);

  const missing: string[] = [];
  if (!sales) missing.push(MISSING_ACCOUNT.sales);
  if (!tax || tax.accountSubType !== "SalesTaxPayable") missing.push(MISSING_ACCOUNT.tax);
  if (!tips || !giftCards || !notTax(tips) || !notTax(giftCards)) missing.push(MISSING_ACCOUNT.liability);
  if (!tenders) missing.push(MISSING_ACCOUNT.clearing);
  if (!fees) missing.push(MISSING_ACCOUNT.expense);
  if (!sales || !tax || !tips || !giftCards || !tenders || !fees || !overShort || missing.length > 0) return { ok: false, missing };

  // Cash waits for the bank deposit in Undeposited Funds, cards for the payout in the clearing account
  // (ACCOUNTING.md); the key is the tender's name as each POS gives it (Square's type, Clover's label).
  const undeposited = accounts.find((account) => account.active && ofSubType("UndepositedFunds")(account));
  const cash = undeposited && undeposited.id !== tenders.id ? { tenders: { CASH: undeposited.id, Cash: undeposited.id } } : {};
  const giftCardItems = [...new Set(options.nonRevenueItems ?? [])].filter(isGiftCardItem).sort();
  const nonRevenue = giftCardItems.length > 0 ? { nonRevenue: Object.fromEntries(giftCardItems.map((name) => [name, giftCards.id])) } : {};
  return {
    ok: true,
    mapping: {
      ...cash,
      ...nonRevenue,
      defaults: {
        sales: sales.id,
        // Without a contra-income account, discounts and returns reduce sales directly.
        discounts: (discounts ?? sales).id,
        returns: (discounts ?? sales).id,
        serviceCharges: (serviceCharges ?? sales).id,
        tax: tax.id,
        tips: tips.id,
        giftCards: giftCards.id,
        // Deposits and donations are owed to someone: held as a liability until the merchant maps them.
        nonRevenue: (accounts.find((account) => account.active && ofType("Other Current Liability")(account) && byName(/deposit|donation/i)(account)) ?? giftCards).id,
        tenders: tenders.id,
        fees: fees.id,
        rounding: overShort.id,
        overShort: overShort.id,
      },
    },
  };
}
