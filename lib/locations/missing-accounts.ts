/**
 * Which clearing and liability accounts a QuickBooks company's chart lacks for daybook's entries, and
 * what to create for each when the merchant asks daybook to (the only change daybook makes to a chart:
 * it creates, never edits or deletes). Pure: the chart in, the accounts to create out.
 *
 * - Card clearing: card payments wait there for the processor's payout (ACCOUNTING.md "payments, per
 *   tender type"; qbo.md §4.2 recommends a dedicated clearing account over Undeposited Funds). Present
 *   when an active Other Current Asset or Bank account has "clearing" in its name.
 * - Sales tax: an Other Current Liability of detail type Sales Tax Payable (qbo.md §4.2; a separate
 *   "(POS)" account rather than the agency accounts QuickBooks' Sales Tax Center manages).
 * - Tips owed to staff, and gift cards sold but not redeemed: Other Current Liabilities, found by name.
 * And, only for a location whose POS has them (default-mapping.ts says why each needs its own account):
 * - house-account charges: an Other Current Asset named for them ("House Accounts Receivable");
 * - payments with another company's gift cards: an Other Current Asset ("External Gift Card Clearing");
 * - deposits and donations (non-revenue items other than gift cards): an Other Current Liability.
 */
import type { QuickBooksAccount } from "../quickbooks/types";
import type { PosSource } from "../model";
import { EXTERNAL_GIFT_CARD_TENDER, HOUSE_ACCOUNT_TENDER, isGiftCardItem } from "./default-mapping";

export type MissingKind = "clearing" | "salesTax" | "tips" | "giftCards" | "houseAccounts" | "externalGiftCards" | "depositsAndDonations";

/** The location's items that may need accounts of their own. */
export interface LocationItems {
  tenders: readonly string[];
  nonRevenueItems: readonly string[];
}

export interface AccountToCreate {
  kind: MissingKind;
  name: string;
  accountType: string;
  accountSubType: string;
  /** What it is for, in a bookkeeper's words. */
  purpose: string;
}

const isOtherCurrentLiability = (account: QuickBooksAccount) => account.accountType === "Other Current Liability";
const isTaxLiability = (account: QuickBooksAccount) => account.accountSubType === "SalesTaxPayable" || account.accountSubType === "GlobalTaxPayable";

const isCurrentAsset = (account: QuickBooksAccount) => account.accountType === "Other Current Asset" || account.accountType === "Bank";

const KINDS: readonly {
  kind: MissingKind;
  /** Only when the location has such items; always when absent. */
  neededFor?: (items: LocationItems) => boolean;
  present: (account: QuickBooksAccount) => boolean;
  name: (source: PosSource | undefined) => string;
  accountType: string;
  accountSubType: string;
  purpose: string;
}[] = [
  {
    kind: "clearing",
    present: (account) => (account.accountType === "Other Current Asset" || account.accountType === "Bank") && /clearing/i.test(account.name),
    name: (source) => `${source === "square" ? "Square" : source === "clover" ? "Clover" : "POS"} Clearing`,
    accountType: "Other Current Asset",
    accountSubType: "OtherCurrentAssets",
    purpose: "card payments waiting for the processor's payout",
  },
  {
    kind: "salesTax",
    present: (account) => isOtherCurrentLiability(account) && account.accountSubType === "SalesTaxPayable",
    name: () => "Sales Tax Collected (POS)",
    accountType: "Other Current Liability",
    accountSubType: "SalesTaxPayable",
    purpose: "sales tax collected and owed to the tax agency",
  },
  {
    kind: "tips",
    present: (account) => isOtherCurrentLiability(account) && !isTaxLiability(account) && /tip|gratuit/i.test(account.name),
    name: () => "Tips Payable",
    accountType: "Other Current Liability",
    accountSubType: "OtherCurrentLiabilities",
    purpose: "tips owed to staff",
  },
  {
    kind: "giftCards",
    present: (account) => isOtherCurrentLiability(account) && !isTaxLiability(account) && /gift/i.test(account.name),
    name: () => "Gift Card Liability",
    accountType: "Other Current Liability",
    accountSubType: "OtherCurrentLiabilities",
    purpose: "gift cards sold and not yet redeemed",
  },
  {
    kind: "houseAccounts",
    neededFor: (items) => items.tenders.some((tender) => HOUSE_ACCOUNT_TENDER.test(tender)),
    present: (account) => isCurrentAsset(account) && /house|receivable/i.test(account.name),
    name: () => "House Accounts Receivable",
    accountType: "Other Current Asset",
    accountSubType: "OtherCurrentAssets",
    purpose: "sales charged to customers' house accounts, until they pay",
  },
  {
    kind: "externalGiftCards",
    neededFor: (items) => items.tenders.some((tender) => EXTERNAL_GIFT_CARD_TENDER.test(tender)),
    present: (account) => isCurrentAsset(account) && /gift/i.test(account.name),
    name: () => "External Gift Card Clearing",
    accountType: "Other Current Asset",
    accountSubType: "OtherCurrentAssets",
    purpose: "payments with other companies' gift cards, until those companies pay",
  },
  {
    kind: "depositsAndDonations",
    neededFor: (items) => items.nonRevenueItems.some((item) => !isGiftCardItem(item)),
    present: (account) => isOtherCurrentLiability(account) && !isTaxLiability(account) && /deposit|donation|non.?revenue/i.test(account.name),
    name: () => "Deposits and Donations Held",
    accountType: "Other Current Liability",
    accountSubType: "OtherCurrentLiabilities",
    purpose: "deposits and donations taken, until they are passed on",
  },
];

/**
 * The accounts to create so the chart has a clearing account and the sales tax, tips and gift card
 * liabilities; empty when it has them all. Only active accounts count. A name some other account
 * already uses (QuickBooks refuses a second account of the same name, fault 6240) gets " (POS)" or a
 * number added, so what this returns can always be created.
 */
export function missingAccounts(chart: readonly QuickBooksAccount[], options: { source?: PosSource; items?: LocationItems } = {}): AccountToCreate[] {
  const active = chart.filter((account) => account.active);
  const taken = new Set(active.map((account) => account.name.trim().toLowerCase()));
  const missing: AccountToCreate[] = [];
  for (const kind of KINDS) {
    if (kind.neededFor && !(options.items && kind.neededFor(options.items))) continue;
    if (active.some(kind.present)) continue;
    const name = freeName(kind.name(options.source), taken);
    taken.add(name.toLowerCase());
    missing.push({ kind: kind.kind, name, accountType: kind.accountType, accountSubType: kind.accountSubType, purpose: kind.purpose });
  }
  return missing;
}

function freeName(wanted: string, taken: ReadonlySet<string>): string {
  const candidates = [wanted, `${wanted} (POS)`, ...Array.from({ length: 98 }, (_, index) => `${wanted} ${index + 2}`)];
  return candidates.find((candidate) => !taken.has(candidate.toLowerCase())) ?? `${wanted} ${taken.size + 2}`;
}
