/**
 * The journal-entry builder: a daily summary (or the difference of two, for an adjusting entry) and
 * the merchant's mapping in, the exact QuickBooks JournalEntry request body out. The rules are
 * ACCOUNTING.md's and docs/accounting.md's: each figure on its natural side, negative nets flipped,
 * zero lines dropped, any residual to over/short, and a day held for review when that residual is
 * above the tolerance.
 */
import type { AccountLabel } from "../model";
import { accountLabel } from "./account-label";
import { dayInWords } from "./business-day";
import { docNumber } from "./doc-number";
import { DEFAULT_HOLD_TOLERANCE, type Mapping, mappingItemKey, nonRevenueAccount } from "./mapping";
import { currencyExponent, formatDecimal, subtractMinor, sumMinor, toQuickBooksAmount } from "./money";
import { type Buckets, type DailySummary, normaliseSummary, summaryHash } from "./summary";
import type { Warning } from "./warnings";

export type PostingType = "Debit" | "Credit";
export type PosSource = "square" | "clover";

export interface EntryContext {
  source: PosSource;
  locationId: string;
  /** The business day the entry is for, YYYY-MM-DD. */
  businessDay: string;
  /** 0 for the day's first entry, n for its n-th adjusting entry. */
  revision: number;
  /** The entry's date when it cannot be the business day (a closed period); defaults to the business day. */
  txnDate?: string;
  /** Extra words for PrivateNote, e.g. why the entry is dated another day. */
  note?: string;
  /** Name the currency on the entry: QuickBooks requires it when the company has multicurrency on. */
  withCurrencyRef?: boolean;
  /** The business's name, for PrivateNote; left out of it when blank. */
  businessName?: string;
  /** The location's name, for PrivateNote; without it the note names the POS location id. */
  locationName?: string;
  /** The mapped accounts' names (LocationConfig.accountLabels), for the warnings' words. */
  accountLabels?: Readonly<Record<string, AccountLabel>>;
  /** The QuickBooks Location and Class every line of the location's entries carries. */
  tags?: EntryTags;
}

/** A location's QuickBooks tracking tags (LocationConfig.quickBooksTags): a Location (DepartmentRef) and/or a Class (ClassRef), by Id. */
export interface EntryTags {
  departmentId?: string;
  classId?: string;
}

export interface EntryLine {
  description: string;
  postingType: PostingType;
  /** Positive minor units. */
  amount: number;
  accountId: string;
}

export interface JournalEntryLineBody {
  Description: string;
  Amount: number;
  DetailType: "JournalEntryLineDetail";
  JournalEntryLineDetail: {
    PostingType: PostingType;
    AccountRef: { value: string };
    DepartmentRef?: { value: string };
    ClassRef?: { value: string };
  };
}

/** The body of QuickBooks' POST /v3/company/{realmId}/journalentry. */
export interface JournalEntryBody {
  TxnDate: string;
  DocNumber: string;
  PrivateNote: string;
  CurrencyRef?: { value: string };
  Line: JournalEntryLineBody[];
}

export interface BuiltEntry {
  docNumber: string;
  txnDate: string;
  currency: string;
  lines: EntryLine[];
  /** Σ debits = Σ credits, minor units. */
  total: number;
  /** Debits − credits before the over/short line; 0 for consistent POS data. */
  residual: number;
  /** Cash handed out with card payments (the summary's cashBack), for the report to say. */
  cashBack: number;
  held: boolean;
  holdReason: string | null;
  warnings: Warning[];
  /** null when the day has nothing to post. */
  journalEntry: JournalEntryBody | null;
}

export class JournalEntryError extends Error {
  override name = "JournalEntryError";
}

const TENDER_LABELS: Readonly<Record<string, string>> = {
  CARD: "Card",
  CASH: "Cash",
  SQUARE_GIFT_CARD: "Gift card",
  WALLET: "Digital wallet",
  THIRD_PARTY_CARD: "Card (other processor)",
  BANK_ACCOUNT: "Bank transfer",
  BUY_NOW_PAY_LATER: "Buy now, pay later",
  SQUARE_ACCOUNT: "Square account balance",
  EXTERNAL: "External",
  OTHER: "Other",
  UNKNOWN: "Unknown tender",
};

/** Tender types whose money is a gift-card liability rather than a clearing account. */
const GIFT_CARD_TENDERS = new Set(["SQUARE_GIFT_CARD"]);
/** A Square OTHER tender with a note is keyed "OTHER:<note>" (lib/pos/square/summarise.ts squareTenderKey). */
const NOTED_OTHER = "OTHER:";
/** The mapping keys of the cash tender: Clover's label, then Square's type. */
const CASH_TENDERS = ["Cash", "CASH"] as const;
/** The unmapped-tender warning's subject when cash back went to the default tender account for want of a cash tender's. */
const CASH_BACK = "cash back";

/**
 * The mapping page's items (LocationConfig.mappingSeen keys) an unmapped warning is about: the category,
 * the tender, or for cash back either cash tender. None for any other warning.
 */
function mappingItemsOf(warning: Pick<Warning, "code" | "subject">): string[] {
  if (warning.subject === undefined) return [];
  if (warning.code === "unmapped-category") return [mappingItemKey("categories", warning.subject)];
  if (warning.code !== "unmapped-tender") return [];
  const tenders = warning.subject === CASH_BACK ? CASH_TENDERS : [warning.subject];
  return tenders.map((tender) => mappingItemKey("tenders", tender));
}

/**
 * An unmapped warning about an item that was on the mapping page when the mapping was last saved
 * (`seen`, LocationConfig.mappingSeen): the merchant left it on Default, a choice, not something to fix.
 */
export function leftOnDefault(warning: Pick<Warning, "code" | "subject">, seen: ReadonlySet<string>): boolean {
  return mappingItemsOf(warning).some((item) => seen.has(item));
}

function tenderParts(tender: string): { label: string; note?: string } {
  if (tender.startsWith(NOTED_OTHER) && tender.length > NOTED_OTHER.length) {
    return { label: TENDER_LABELS.OTHER ?? "Other", note: tender.slice(NOTED_OTHER.length) };
  }
  return { label: TENDER_LABELS[tender] ?? tender };
}

/** "CARD" → "Card", "OTHER:Town gift voucher" → "Other – Town gift voucher"; a Clover tender label is already a name. */
export function tenderLabel(tender: string): string {
  const { label, note } = tenderParts(tender);
  return note ? `${label} – ${note}` : label;
}

/** "Card payments", "Other payments – Town gift voucher". */
function paymentsDescription(tender: string): string {
  const { label, note } = tenderParts(tender);
  return note ? `${label} payments – ${note}` : `${label} payments`;
}

/** The account a tender's money is posted to: its own, else gift-card liability or the default tender account. */
/** The account the mapping names for a tender, if any: a noted OTHER tender ("OTHER:Town gift voucher") may be mapped on its own or with all OTHER tenders. */
function mappedTenderAccount(mapping: Mapping, tender: string): string | undefined {
  return mapping.tenders?.[tender] ?? (tender.startsWith(NOTED_OTHER) ? mapping.tenders?.OTHER : undefined);
}

export function tenderAccountOf(mapping: Mapping, tender: string): string {
  return mappedTenderAccount(mapping, tender) ?? (GIFT_CARD_TENDERS.has(tender) ? mapping.defaults.giftCards : mapping.defaults.tenders);
}

/** QuickBooks allows "15 digits in 10.5 format": at most 10 digits before the decimal point. */
export function assertFitsQuickBooks(amount: number, currency: string): void {
  if (Math.abs(amount) >= 10 ** (10 + currencyExponent(currency))) {
    throw new JournalEntryError(`${formatDecimal(amount, currency)} ${currency} is larger than QuickBooks accepts on a line`);
  }
}

/** A line before it is posted: its signed net on its natural side. */
export interface SignedLine {
  description: string;
  naturalSide: PostingType;
  net: number;
  accountId: string;
}

const flip = (side: PostingType): PostingType => (side === "Debit" ? "Credit" : "Debit");

/** Signed lines as posted: zero lines left out, a negative net on the other side, each checked to fit QuickBooks. */
export function postedLines(signed: readonly SignedLine[], currency: string): EntryLine[] {
  const lines: EntryLine[] = [];
  for (const line of signed) {
    if (line.net === 0) continue;
    assertFitsQuickBooks(line.net, currency);
    lines.push({
      description: line.description,
      postingType: line.net > 0 ? line.naturalSide : flip(line.naturalSide),
      amount: Math.abs(line.net),
      accountId: line.accountId,
    });
  }
  return lines;
}

export function sideTotal(lines: readonly EntryLine[], side: PostingType): number {
  return sumMinor(...lines.filter((line) => line.postingType === side).map((line) => line.amount));
}

/** The QuickBooks request body of posted lines; every line carries the tags (QuickBooks keeps a journal entry's Location and Class on its lines). */
export function journalEntryBody(
  lines: readonly EntryLine[],
  header: { txnDate: string; docNumber: string; privateNote: string; currency: string; withCurrencyRef?: boolean | undefined; tags?: EntryTags | undefined },
): JournalEntryBody {
  const department = header.tags?.departmentId;
  const trackingClass = header.tags?.classId;
  return {
    TxnDate: header.txnDate,
    DocNumber: header.docNumber,
    PrivateNote: header.privateNote,
    ...(header.withCurrencyRef ? { CurrencyRef: { value: header.currency } } : {}),
    Line: lines.map((line) => ({
      Description: line.description,
      Amount: toQuickBooksAmount(line.amount, header.currency),
      DetailType: "JournalEntryLineDetail",
      JournalEntryLineDetail: {
        PostingType: line.postingType,
        AccountRef: { value: line.accountId },
        ...(department ? { DepartmentRef: { value: department } } : {}),
        ...(trackingClass ? { ClassRef: { value: trackingClass } } : {}),
      },
    })),
  };
}
const byKey = (buckets: Buckets): [string, number][] =>
  Object.entries(buckets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const shortName = (name: string): string => (name.length > 200 ? `${name.slice(0, 199)}…` : name);

/** Names an account for a warning by its role and label: "the default sales account 4000 Sales", or, with no name captured, "… (QuickBooks account 40)". */
export type AccountNamer = (role: string, accountId: string) => string;

export function accountNamer(labels: Readonly<Record<string, AccountLabel>> | undefined): AccountNamer {
  return (role, accountId) => (labels?.[accountId] ? `${role} ${accountLabel(accountId, labels)}` : `${role} (${accountLabel(accountId, undefined)})`);
}

/**
 * An unmapped category never fails the day (ACCOUNTING.md); its warning says which account its figures
 * went to instead: its sales to the default sales account; its returns to the returns account, as every
 * category's do, unless returns follow the category's own account (then the default sales account too).
 */
function unmappedCategoryWarnings(summary: DailySummary, mapping: Mapping, named: AccountNamer): Warning[] {
  const { defaults } = mapping;
  const unmapped = new Set([...Object.keys(summary.sales), ...Object.keys(summary.returns)].filter((id) => !mapping.categories?.[id]));
  return [...unmapped].sort().map((id) => {
    const sold = summary.sales[id] !== undefined;
    const returned = summary.returns[id] !== undefined;
    let where: string;
    if (mapping.returnsToCategoryAccounts && returned) {
      where = `its ${sold ? "sales and returns were" : "returns were"} posted to ${named("the default sales account", defaults.sales)}`;
    } else if (sold) {
      where = `its sales were posted to ${named("the default sales account", defaults.sales)}`;
    } else {
      where = `it only had returns, which were posted to ${named("the returns account", defaults.returns)} as every category's are`;
    }
    return { code: "unmapped-category", subject: id, message: `Category "${summary.categoryNames[id] ?? id}" has no account in the mapping; ${where}.` };
  });
}

function signedLines(summary: DailySummary, mapping: Mapping, warnings: Warning[], named: AccountNamer): SignedLine[] {
  const { defaults } = mapping;
  const lines: SignedLine[] = [];
  const add = (description: string, naturalSide: PostingType, net: number, accountId: string) => {
    lines.push({ description: shortName(description), naturalSide, net, accountId });
  };
  const categoryName = (id: string) => summary.categoryNames[id] ?? id;
  const categoryAccount = (id: string) => mapping.categories?.[id];
  const mappedTender = (tender: string) => mappedTenderAccount(mapping, tender);
  const tenderAccount = (tender: string) => tenderAccountOf(mapping, tender);
  const cashTender = CASH_TENDERS.find((tender) => mapping.tenders?.[tender]);
  const cashAccount = cashTender ? tenderAccount(cashTender) : defaults.tenders;

  warnings.push(...unmappedCategoryWarnings(summary, mapping, named));
  const unmappedTenders = new Set<string>();
  for (const tender of [...Object.keys(summary.payments), ...Object.keys(summary.refunds)]) {
    if (!mappedTender(tender) && !GIFT_CARD_TENDERS.has(tender)) unmappedTenders.add(tender);
  }
  for (const tender of [...unmappedTenders].sort()) {
    warnings.push({
      code: "unmapped-tender",
      subject: tender,
      message: `Tender "${tenderLabel(tender)}" has no account in the mapping; it was posted to ${named("the default tender account", defaults.tenders)}.`,
    });
  }
  if (summary.cashBack !== 0 && !cashTender) {
    warnings.push({
      code: "unmapped-tender",
      subject: CASH_BACK,
      message: `No cash tender ("Cash") has an account in the mapping; the cash back paid out of the drawer was credited to ${named("the default tender account", defaults.tenders)}.`,
    });
  }

  for (const [id, amount] of byKey(summary.sales)) {
    add(`Sales – ${categoryName(id)}`, "Credit", amount, categoryAccount(id) ?? defaults.sales);
  }
  add("Discounts & comps", "Debit", summary.discounts, defaults.discounts);
  for (const [id, amount] of byKey(summary.returns)) {
    const account = mapping.returnsToCategoryAccounts ? (categoryAccount(id) ?? defaults.sales) : defaults.returns;
    add(`Returns – ${categoryName(id)}`, "Debit", amount, account);
  }
  for (const [name, amount] of byKey(summary.serviceCharges)) {
    add(`Service charges – ${name}`, "Credit", amount, mapping.serviceCharges?.[name] ?? defaults.serviceCharges);
  }
  for (const [name, amount] of byKey(summary.autoGratuities)) {
    add(`Auto-gratuity – ${name}`, "Credit", amount, mapping.serviceCharges?.[name] ?? defaults.tips);
  }
  for (const [name, amount] of byKey(summary.tax)) {
    add(`Tax – ${name}`, "Credit", amount, mapping.taxes?.[name] ?? defaults.tax);
  }
  add("Tips", "Credit", summary.tips, defaults.tips);
  add("Gift card sales", "Credit", summary.giftCardSales, defaults.giftCards);
  for (const [name, amount] of byKey(summary.nonRevenue)) {
    add(`Non-revenue – ${name}`, "Credit", amount, nonRevenueAccount(mapping, name));
  }
  for (const [tender, amount] of byKey(summary.payments)) {
    add(paymentsDescription(tender), "Debit", amount, tenderAccount(tender));
  }
  for (const [tender, amount] of byKey(summary.refunds)) {
    add(`Refunds – ${tenderLabel(tender)}`, "Credit", amount, tenderAccount(tender));
  }
  // Cash back is inside the card payments above; the cash went out of the drawer.
  add("Cash back paid out", "Credit", summary.cashBack, cashAccount);
  add("Processing fees", "Debit", summary.fees, defaults.fees);
  add("Processing fees – Card clearing", "Credit", summary.fees, tenderAccount("CARD"));
  add("Cash rounding", "Credit", summary.rounding, defaults.rounding);
  return lines;
}

export const DAYBOOK_NOTE_MARKER = "Posted by daybook";
export const MAX_PRIVATE_NOTE_LENGTH = 4000;

/**
 * PrivateNote: what the entry is, in words an accountant reads ("Corner Cafe – Main Street – Saturday
 * 7 March 2026 – daily sales from Square – revision 0"), any note (why it is dated another day), then
 * the marker and the summary's hash, which settle a pending entry after a crash (lib/sync/sync-day.ts).
 * The words give way to QuickBooks' 4000 characters; the marker and the hash never do.
 */
export function privateNote(context: EntryContext, hash: string): string {
  const source = context.source === "square" ? "Square" : "Clover";
  const words = [
    context.businessName?.trim(),
    context.locationName?.trim() || `location ${context.locationId}`,
    dayInWords(context.businessDay),
    `daily sales from ${source}`,
    `revision ${context.revision}`,
  ].filter((part): part is string => part !== undefined && part !== "").join(" – ");
  const head = context.note ? `${words}. ${context.note}.` : `${words}.`;
  const tail = ` ${DAYBOOK_NOTE_MARKER}; summary sha256 ${hash}.`;
  const room = MAX_PRIVATE_NOTE_LENGTH - tail.length;
  return `${head.length > room ? `${head.slice(0, room - 1)}…` : head}${tail}`;
}

/** Whether a PrivateNote is one daybook wrote for a day's entry: today's words, or the older "Posted by daybook; source …" form. */
export function isDaybookNote(note: string | undefined): boolean {
  return note !== undefined && (note.startsWith(`${DAYBOOK_NOTE_MARKER};`) || note.includes(` ${DAYBOOK_NOTE_MARKER}; summary sha256 `));
}

export function buildJournalEntry(input: DailySummary, mapping: Mapping, context: EntryContext): BuiltEntry {
  const summary = normaliseSummary(input);
  const { currency } = summary;
  const warnings: Warning[] = [];
  const named = accountNamer(context.accountLabels);
  const lines = postedLines(signedLines(summary, mapping, warnings, named), currency);

  const residual = subtractMinor(sideTotal(lines, "Debit"), sideTotal(lines, "Credit"));
  const tolerance = mapping.holdTolerance ?? DEFAULT_HOLD_TOLERANCE;
  let holdReason: string | null = null;
  if (residual !== 0) {
    assertFitsQuickBooks(residual, currency);
    const shown = `${formatDecimal(Math.abs(residual), currency)} ${currency}`;
    // More debits than credits: more money taken than the sales, tax and tips explain (over), or less (short).
    const over = residual > 0;
    const overOrShort = `${over ? "over" : "short"} by ${shown}`;
    const why = `${over ? "more" : "less"} money was taken than the sales, tax and tips explain`;
    lines.push({
      description: "Over/short (unexplained difference)",
      postingType: over ? "Credit" : "Debit",
      amount: Math.abs(residual),
      accountId: mapping.defaults.overShort,
    });
    warnings.push({
      code: "over-short",
      message:
        `The POS figures are ${overOrShort}: ${why}. ` +
        `The difference was ${over ? "credited" : "debited"} to ${named("the over/short account", mapping.defaults.overShort)}.`,
    });
    if (Math.abs(residual) > tolerance) {
      holdReason =
        `The POS figures leave an unexplained difference of ${shown}, more than the ${formatDecimal(tolerance, currency)} ${currency} ` +
        `tolerance: they are ${overOrShort} (${why}). ` +
        "The entry is held for review and not posted.";
    }
  }

  const number = docNumber(context.source, context.locationId, context.businessDay, context.revision);
  const txnDate = context.txnDate ?? context.businessDay;
  const total = sideTotal(lines, "Debit");
  const journalEntry: JournalEntryBody | null =
    lines.length === 0
      ? null
      : journalEntryBody(lines, {
          txnDate, docNumber: number, privateNote: privateNote(context, summaryHash(summary)), currency, withCurrencyRef: context.withCurrencyRef, tags: context.tags,
        });
  return {
    docNumber: number, txnDate, currency, lines, total, residual, cashBack: summary.cashBack,
    held: holdReason !== null, holdReason, warnings, journalEntry,
  };
}
