/**
 * The mapping daybook suggests for a new location, from the QuickBooks company's active chart of
 * accounts, chosen by account type (and subtype or name where a type holds several kinds). The
 * merchant can change it later on the mapping page; this only has to be complete and sensible.
 * When the chart has no account of a type a figure needs, nothing is suggested and the answer says
 * which kind of account to create.
 *
 * Items get their own account where the default would be wrong (suggestedItemAccount; the mapping page
 * marks these, and a new location starts with them):
 * - cash waits for the bank deposit in Undeposited Funds, cards for the payout in the clearing account;
 * - a house account (Clover's "House Account" tender) is money customers owe: a receivable, kept in an
 *   Other Current Asset such as "House Accounts Receivable" (a journal line on an Accounts Receivable
 *   account needs a customer, which daybook never has), never the card clearing account;
 * - an external gift card (another company's card) is money that company owes: its own clearing account;
 *   the business's own gift card, redeemed, comes off the gift-card liability;
 * - a non-revenue item whose name says gift card is a gift-card load (the gift-card liability); a
 *   donation is owed to the charity and a deposit to the customer: a liability named for it (or the
 *   general one for deposits and donations), never the gift-card liability.
 */
import type { Mapping } from "../domain/mapping";
import type { PosSource } from "../model";
import type { QuickBooksAccount } from "../quickbooks/types";

export type SuggestedMapping = { ok: true; mapping: Mapping } | { ok: false; missing: string[] };

export interface SuggestionOptions {
  /** The location's POS: its cash tender's key is suggested (Square's CASH, Clover's "Cash"); without it, both. */
  source?: PosSource;
  /** The location's non-revenue items by name, as its daily summaries key them. */
  nonRevenueItems?: readonly string[];
  /** The location's tenders, keyed as its daily summaries key them (Square's type, Clover's label). */
  tenders?: readonly string[];
}

/** The kinds of item whose account daybook may suggest apart from the figure's default. */
export type ItemGroup = "tenders" | "nonRevenue";

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

  const defaults: Mapping["defaults"] = {
    sales: sales.id,
    // Without a contra-income account, discounts and returns reduce sales directly.
    discounts: (discounts ?? sales).id,
    returns: (discounts ?? sales).id,
    serviceCharges: (serviceCharges ?? sales).id,
    tax: tax.id,
    tips: tips.id,
    giftCards: giftCards.id,
    // Deposits and donations are owed to someone: held as a liability until passed on.
    nonRevenue: (heldFor(accounts, /deposit|donation|non.?revenue/i) ?? spareLiability(accounts, [tips, giftCards]) ?? giftCards).id,
    tenders: tenders.id,
    fees: fees.id,
    rounding: overShort.id,
    overShort: overShort.id,
  };
  const overrides = (group: ItemGroup, keys: readonly string[]) => Object.fromEntries([...new Set(keys)].sort().flatMap((key) => {
    const id = suggestedItemAccount(accounts, defaults, group, key);
    return id !== undefined && id !== defaultOf(defaults, group, key) ? [[key, id]] : [];
  }));
  // Cash under its POS's key even before a day used it; the other POS's key would be a second "Cash" on the mapping page that nothing uses.
  const tenderOverrides = overrides("tenders", [...CASH_KEYS[options.source ?? "any"], ...(options.tenders ?? [])]);
  const nonRevenueOverrides = overrides("nonRevenue", options.nonRevenueItems ?? []);
  return {
    ok: true,
    mapping: {
      ...(Object.keys(tenderOverrides).length > 0 ? { tenders: tenderOverrides } : {}),
      ...(Object.keys(nonRevenueOverrides).length > 0 ? { nonRevenue: nonRevenueOverrides } : {}),
      defaults,
    },
  };
}

const CASH_KEYS: Record<PosSource | "any", readonly string[]> = { square: ["CASH"], clover: ["Cash"], any: ["CASH", "Cash"] };

const notTaxLiability = (account: QuickBooksAccount) => account.accountSubType !== "SalesTaxPayable" && account.accountSubType !== "GlobalTaxPayable";

/** An active Other Current Liability, not for tax, named as `pattern` says. */
function heldFor(accounts: readonly QuickBooksAccount[], pattern: RegExp): QuickBooksAccount | undefined {
  return accounts.find((account) => account.active && ofType("Other Current Liability")(account) && notTaxLiability(account) && byName(pattern)(account));
}

/** An active Other Current Liability for none of tax, tips or gift cards. */
function spareLiability(accounts: readonly QuickBooksAccount[], taken: readonly QuickBooksAccount[]): QuickBooksAccount | undefined {
  return accounts.find((account) => account.active && ofType("Other Current Liability")(account) && notTaxLiability(account) &&
    !taken.some((other) => other.id === account.id) && !byName(/tip|gratuit|gift/i)(account));
}

/** An active Other Current Asset (or Bank) account named as `pattern` says. */
function assetFor(accounts: readonly QuickBooksAccount[], pattern: RegExp): QuickBooksAccount | undefined {
  return accounts.find((account) => account.active && (ofType("Other Current Asset")(account) || ofType("Bank")(account)) && byName(pattern)(account));
}

export const HOUSE_ACCOUNT_TENDER = /\bhouse\s*(?:account|charge|tab)s?\b|\bon\s+account\b|\bcharge\s+account\b/i;
export const EXTERNAL_GIFT_CARD_TENDER = /\bexternal\s+gift|\bthird[\s-]party\s+gift/i;
const DONATION_ITEM = /\bdonat|\bcharit|\bround[\s-]?up\b/i;
const DEPOSIT_ITEM = /\bdeposit|\bretainer\b|\bprepay/i;

function defaultOf(defaults: Mapping["defaults"], group: ItemGroup, key: string): string {
  if (group === "nonRevenue") return defaults.nonRevenue;
  return key === "SQUARE_GIFT_CARD" ? defaults.giftCards : defaults.tenders;
}

/**
 * The account daybook suggests for one item (a tender by its key, a non-revenue item by its name), or
 * undefined when the figure's default is the suggestion (or the chart has no fitting account: then the
 * mapping page's offer to create the accounts names it).
 */
export function suggestedItemAccount(accounts: readonly QuickBooksAccount[], defaults: Mapping["defaults"], group: ItemGroup, key: string): string | undefined {
  if (group === "tenders") {
    if (key === "CASH" || key === "Cash") {
      const undeposited = accounts.find((account) => account.active && ofSubType("UndepositedFunds")(account));
      return undeposited && undeposited.id !== defaults.tenders ? undeposited.id : undefined;
    }
    if (key === "SQUARE_GIFT_CARD") return undefined;
    if (HOUSE_ACCOUNT_TENDER.test(key)) return assetFor(accounts, /house|receivable/i)?.id;
    if (EXTERNAL_GIFT_CARD_TENDER.test(key)) return assetFor(accounts, /gift/i)?.id;
    // The business's own gift cards, redeemed: they come off the gift-card liability, as Square's do.
    if (isGiftCardItem(key)) return defaults.giftCards;
    return undefined;
  }
  if (isGiftCardItem(key)) return defaults.giftCards;
  if (DONATION_ITEM.test(key)) return heldFor(accounts, /donat|charit/i)?.id;
  if (DEPOSIT_ITEM.test(key)) return heldFor(accounts, /deposit/i)?.id;
  return undefined;
}
