/**
 * One location-day's report: what daybook did with the day and, where something needs a person, what
 * to do and where. The worker keeps one per event of the day (lib/report/report-store.ts); the day page
 * shows them, the digest expands the ones that need attention (held, failed, adjusted, new unmapped
 * items) with the same blocks, and the merchant's alert is one of them.
 *
 * Accounts are shown as the chart names them (accountLabel), amounts with thousands separators, days
 * in words with their weekday. Fees of a POS that does not report them say so instead of 0.00.
 */
import { accountLabel } from "../domain/account-label";
import { addDays } from "../domain/business-day";
import type { EntryLine } from "../domain/journal-entry";
import { isUnmapped, type Warning } from "../domain/warnings";
import type { AccountLabel, FailureKind, PosSource } from "../model";
import { cloverDepositSentence, type ExpectedDeposit } from "../payouts/clover-expected-deposit";
import { RECHECK_DAYS } from "../schedule/due-days";
import type { DayTotals } from "./day-figures";
import { RECHECK_FAILED_WORDS, recheckFailed } from "./day-status";
import { type Block, type Cell, cell, type Column, type EmailDocument, type Link } from "./email-document";
import { formatAmount, formatDay, formatDebitCredit, formatMoney } from "./format";
import { accountMappingUrl } from "./links";

export type ReportStatus = "posted" | "adjusted" | "no-sales" | "held" | "failed";

/**
 * A line as a report keeps it: the entry's line, its account's name as the location's mapping
 * captured it ("4000 Sales": lib/domain/account-label.ts), and where the account's choice is made.
 * Shown by name, never by Id; reports kept before names were captured have neither.
 */
export interface ReportLine extends EntryLine {
  accountLabel?: string;
  /** The location's mapping page at the account (the Id only in the link). */
  accountUrl?: string;
}

export interface ReportEntry {
  docNumber: string;
  txnDate: string;
  currency: string;
  lines: ReportLine[];
  /** Σ debits = Σ credits, minor units. */
  total: number;
  /** Cash handed out with card payments (Clover's cash back), minor units; in an adjustment, the change. */
  cashBack?: number;
  /** The entry in QuickBooks, when it was posted. */
  quickBooksUrl?: string;
}

/** One line of an adjusted day: what the day carried on it before this adjustment and after, signed (debit +, credit −). */
export interface AdjustmentChange {
  description: string;
  accountId: string;
  before: number;
  after: number;
}

export interface AdjustmentDetail {
  /** The day's first entry, which stays as it was posted. */
  originalDocNumber: string;
  /** The lines that changed, before → after. */
  changes: AdjustmentChange[];
  /** The day as it now stands, all its entries together: Σ debits. */
  dayTotal: number;
}

/**
 * Why a day changed after it was posted, where daybook knows: the POS's figures changed (late orders,
 * refunds, edits), or a setting that decides the day did (its day start, its mapping). Whoever knows
 * the cause sets it on the report's content; without it the report says the POS's figures changed.
 */
export interface ReportCause {
  kind: "pos-changes" | "day-start" | "mapping" | "other";
  /** Words for the accountant, e.g. "the day start moved from 00:00 to 04:00". */
  detail?: string;
}

export interface SyncReportInput {
  merchantName: string;
  locationName: string;
  source: PosSource;
  businessDay: string;
  timeZone: string;
  status: ReportStatus;
  entry?: ReportEntry;
  /** Held days: why, in a sentence. */
  heldReason?: string;
  /** A hold daybook decided on: the unexplained difference (+ over, − short), the tolerance, and where the difference would go. */
  overShort?: { amount: number; tolerance: number; accountId: string };
  approveUrl?: string;
  failure?: { kind: FailureKind; message: string; intuitTid?: string };
  /** A failed day QuickBooks already holds entries for (its re-check failed): their numbers. */
  postedBefore?: string[];
  /** Where the merchant reconnects a provider (failure kind needs-reconnect). */
  connectionsUrl: string;
  /** The location's mapping page: where an unmapped item or a refused account is put right. */
  mappingUrl?: string;
  /** Said in full: everything new this time. */
  warnings: Warning[];
  /** Items with no account in the mapping that were reported in full before and are still unmapped: only counted. */
  repeatedWarnings?: number;
  /** Those items' keys (lib/report/warnings-seen.ts warningKey), so an email of several days counts each once. */
  repeatedItems?: string[];
  /** The accounts' names as the chart had them (LocationConfig.accountLabels). */
  accountLabels?: Record<string, AccountLabel>;
  /** The day's figures after this run. */
  totals?: DayTotals;
  adjustment?: AdjustmentDetail;
  cause?: ReportCause;
  /** Clover days: the card deposit to match in the bank feed (Clover's deposits are not posted). */
  expectedDeposit?: ExpectedDeposit;
  /** The day on the web, where reports are kept for the life of the account. */
  reportUrl: string;
}

export const SOURCE_NAMES: Record<PosSource, string> = { square: "Square", clover: "Clover" };

export const STATUS_WORDS: Record<ReportStatus, string> = {
  posted: "Posted",
  adjusted: "Adjustment posted",
  "no-sales": "No sales",
  held: "Held for review",
  failed: "Failed",
};

/** The status as a report states it: a day posted before whose check for later changes failed is still posted. */
export function statusWords(input: Pick<SyncReportInput, "status" | "postedBefore">): string {
  return recheckFailed(input.status, (input.postedBefore ?? []).length > 0) ? RECHECK_FAILED_WORDS : STATUS_WORDS[input.status];
}

/**
 * What the merchant should do about a failure, by its kind. A failed day is tried again only by the
 * nightly re-checks of the RECHECK_DAYS nights after it (lib/schedule/due-days.ts): `last` names the
 * last of them, so the report never promises a "next run" that will not come; after it, a backfill.
 * A reconnect resumes the location's nights (lib/locations/posting-status.ts), whose catch-up re-checks
 * this day only if it is recent enough: the day's page tells, and the Backfill page posts it if not.
 * daybook's own fault raises the operators' FailedDays alarm; nothing posts the day once it is mended
 * but those nights or a backfill.
 */
function nextStep(kind: FailureKind, last: string, posted: boolean): string {
  const after = `the night after ${last}`;
  const again = `daybook ${posted ? "checks" : "tries"} the day again by itself each night up to ${after}`;
  const later = posted
    ? "A change found later than that is not posted unless you backfill the day (the Backfill page)."
    : "If it is still not posted after that night, post it from the Backfill page.";
  switch (kind) {
    case "retryable":
      return `${again}; nothing to do${posted ? "" : " until then"}. ${later}`;
    case "needs-reconnect":
      return `Reconnect on the connections page (only the business's owner can). If the day's page still shows this failure the day after you reconnect, post the day from the Backfill page${posted ? " (only a change since it was posted goes in)" : ""}.`;
    case "needs-merchant":
      // QuickBooks (closed books, a lapsed subscription, a number in use), the POS (a location's currency or zone) or daybook's own settings.
      return `This needs a change in QuickBooks, in the POS or in daybook's settings for the location (the reason above says which). ${fixedBy(after)}`;
    case "bug":
      return `This is a fault in daybook, not in your books or your POS: daybook's team is alerted. ${again}. ${later}`;
  }
}

/** After a change only the merchant can make: who posts the day, by when the change is made. */
function fixedBy(after: string): string {
  return `Made by ${after}, daybook posts the day by itself with that night's sync; made later, post the day from the Backfill page.`;
}

/** The business day whose night is the last to try a failed day again by itself. */
function lastRetryDay(businessDay: string): string {
  return formatDay(addDays(businessDay, RECHECK_DAYS));
}

const CAUSE_WORDS: Record<ReportCause["kind"], string> = {
  "pos-changes": "the POS's figures for the day changed (late orders, refunds or edits)",
  "day-start": "the location's day start changed, so the day covers other hours than when it was posted",
  mapping: "the location's mapping changed",
  other: "the day's figures changed",
};

/** "Main Street: Saturday 7 March 2026" */
export function dayTitle(input: Pick<SyncReportInput, "locationName" | "businessDay">): string {
  return `${input.locationName}: ${formatDay(input.businessDay)}`;
}

/** The whole report of the day, as the day page and the merchant's alert show it. */
export function dayReportDocument(input: SyncReportInput): EmailDocument {
  const blocks: Block[] = [{ kind: "facts", rows: factRows(input) }];
  blocks.push(...statusBlocks(input));
  if (input.totals) blocks.push(totalsTable(input.totals, input.source), { kind: "paragraph", text: FIGURES_LEGEND });
  if (input.entry && input.entry.lines.length > 0) blocks.push(linesTable(input.entry, input.accountLabels, input.status === "adjusted" ? "The adjusting entry's lines" : "Journal entry lines", input.mappingUrl));
  const cashBack = input.entry?.cashBack ?? 0;
  if (input.entry && cashBack !== 0) blocks.push({ kind: "paragraph", text: cashBackText(cashBack, input.entry.currency, input.status) });
  if (input.expectedDeposit) blocks.push({ kind: "paragraph", text: cloverDepositSentence(input.expectedDeposit) });
  blocks.push(...warningBlocks(input.status === "held" ? { ...input, warnings: heldWarnings(input) } : input));
  blocks.push({ kind: "paragraph", text: "This report stays available in daybook.", links: [{ text: "Open the day in daybook", url: input.reportUrl }] });
  return { title: dayTitle(input), blocks, footer: [] };
}

function factRows(input: SyncReportInput): [string, string][] {
  const rows: [string, string][] = [];
  if (input.merchantName.trim() !== "") rows.push(["Business", input.merchantName]);
  rows.push(
    ["Location", `${input.locationName} (${SOURCE_NAMES[input.source]})`],
    ["Business day", `${formatDay(input.businessDay)} (${input.timeZone})`],
    ["Status", statusWords(input)],
  );
  // A held entry is not in QuickBooks: its number must not send the accountant looking for it there.
  if (input.entry) {
    rows.push(input.status === "held"
      ? ["Entry", `${input.entry.docNumber} (not in QuickBooks yet: posted once approved), to be dated ${formatDay(input.entry.txnDate)}`]
      : ["Entry", `${input.entry.docNumber}, dated ${formatDay(input.entry.txnDate)}`]);
  }
  if (input.adjustment) rows.push(["Original entry", input.adjustment.originalDocNumber]);
  return rows;
}

/** The paragraphs that say what happened and, where someone must act, what to do and where. */
export function statusBlocks(input: SyncReportInput): Block[] {
  const entry = input.entry;
  const inQuickBooks: Link[] = entry?.quickBooksUrl ? [{ text: `Open ${entry.docNumber} in QuickBooks`, url: entry.quickBooksUrl }] : [];
  switch (input.status) {
    case "posted":
      return [{ kind: "paragraph", text: "The day's journal entry is in QuickBooks.", links: inQuickBooks }, ...closedPeriodBlocks(input)];
    case "adjusted":
      return [...adjustmentBlocks(input, inQuickBooks), ...closedPeriodBlocks(input)];
    case "no-sales":
      return [{ kind: "paragraph", text: "There were no sales to post for this day, so nothing was posted." }];
    case "held":
      return heldBlocks(input);
    case "failed":
      return failedBlocks(input);
  }
}

/** A closed period: QuickBooks refused the business day's date, so the entry is dated the day it was posted. */
function closedPeriodBlocks(input: SyncReportInput): Block[] {
  const entry = input.entry;
  if (!entry || entry.txnDate === input.businessDay) return [];
  return [{
    kind: "paragraph",
    text: `The QuickBooks books are closed for ${formatDay(input.businessDay)}, so this entry is dated ${formatDay(entry.txnDate)}, the day daybook posted it; its memo names the business day it belongs to. Later adjustments to this day are dated the day they are posted too, until the period is reopened.`,
  }];
}

function adjustmentBlocks(input: SyncReportInput, inQuickBooks: Link[]): Block[] {
  const cause = CAUSE_WORDS[input.cause?.kind ?? "pos-changes"];
  const detail = input.cause?.detail ? ` (${input.cause.detail.replace(/\.$/, "")})` : "";
  const original = input.adjustment ? `the original entry ${input.adjustment.originalDocNumber} is untouched` : "the earlier entries are untouched";
  const blocks: Block[] = [{
    kind: "paragraph",
    text: `The day changed after it was posted: ${cause}${detail}. This adjusting entry${input.entry ? ` ${input.entry.docNumber}` : ""} carries only the difference; ${original}.`,
    links: inQuickBooks,
  }];
  if (input.adjustment && input.entry) blocks.push(...adjustmentTable(input.adjustment, input.entry.currency, input.accountLabels));
  return blocks;
}

/** Before → after for each line that changed, and the day's total as it now stands. */
export function adjustmentTable(adjustment: AdjustmentDetail, currency: string, labels: SyncReportInput["accountLabels"]): Block[] {
  const columns: Column[] = [{ title: "Line" }, { title: "Account" }, { title: "Before", numeric: true }, { title: "After", numeric: true }, { title: "Difference", numeric: true }];
  const rows: Cell[][] = adjustment.changes.map((change) => [
    cell(change.description),
    cell(accountLabel(change.accountId, labels)),
    cell(formatDebitCredit(change.before, currency)),
    cell(formatDebitCredit(change.after, currency)),
    cell(formatDebitCredit(change.after - change.before, currency)),
  ]);
  return [
    { kind: "table", caption: `What changed (${currency}; Dr debit, Cr credit)`, columns, rows },
    { kind: "facts", rows: [["The day now totals", `${formatMoney(adjustment.dayTotal, currency)} in debits and in credits, all its entries together`]] },
  ];
}

function heldBlocks(input: SyncReportInput): Block[] {
  const approve: Link[] = [{ text: "Review and approve", url: input.approveUrl ?? input.reportUrl }];
  const overShort = input.overShort;
  if (overShort && input.entry) {
    const { currency } = input.entry;
    const over = overShort.amount > 0;
    const amount = formatMoney(Math.abs(overShort.amount), currency);
    return [
      {
        kind: "paragraph", alert: true,
        text: `Nothing was posted yet. The POS figures are ${over ? "over" : "short"} by ${amount}: ${over ? "more" : "less"} money was taken than the sales, tax and tips explain, which is more than the ${formatMoney(overShort.tolerance, currency)} daybook posts without asking.`,
      },
      {
        kind: "paragraph",
        text: `Choose one: approve the entry as it is, and the ${amount} goes to ${accountLabel(overShort.accountId, input.accountLabels)}; or correct the day in the POS (a missing payment, a wrong amount): ` +
          `daybook checks the day again each night up to the night after ${lastRetryDay(input.businessDay)}, posting it once it balances; corrected later than that, post it from the Backfill page.`,
        links: approve,
      },
    ];
  }
  const reason = sentence(input.heldReason ?? "this business reviews each entry before daybook posts it");
  return [
    { kind: "paragraph", alert: true, text: `Nothing was posted yet. ${reason}` },
    { kind: "paragraph", text: "Check the lines below, then approve them to post the entry to QuickBooks.", links: approve },
  ];
}

function failedBlocks(input: SyncReportInput): Block[] {
  const failure = input.failure ?? { kind: "bug" as const, message: "the sync stopped without saying why" };
  const posted = input.postedBefore ?? [];
  const what = posted.length === 0 ? "Nothing was posted."
    : `The day was posted before: ${posted.length === 1 ? "its entry" : "its entries"} ${posted.join(", ")} ${posted.length === 1 ? "stands" : "stand"} in QuickBooks as posted. This check of it for later changes failed, so a change since is not posted yet.`;
  const blocks: Block[] = [{ kind: "paragraph", alert: true, text: `${what} Reason: ${sentence(failure.message)}` }];
  const refused = refusedAccountId(failure.message);
  if (refused !== undefined) {
    blocks.push({
      kind: "paragraph",
      text: `QuickBooks refused the account ${accountLabel(refused, input.accountLabels)}. Make it active again in QuickBooks, or choose another account for it in the mapping. ${fixedBy(`the night after ${lastRetryDay(input.businessDay)}`)}`,
      ...(input.mappingUrl ? { links: [{ text: "Open the mapping", url: input.mappingUrl }] } : {}),
    });
  } else {
    blocks.push({
      kind: "paragraph",
      text: nextStep(failure.kind, lastRetryDay(input.businessDay), posted.length > 0),
      ...(failure.kind === "needs-reconnect" ? { links: [{ text: "Reconnect", url: input.connectionsUrl }] } : {}),
    });
  }
  if (failure.intuitTid) blocks.push({ kind: "paragraph", text: `QuickBooks reference for support: ${failure.intuitTid}` });
  return blocks;
}

/** The account QuickBooks named when it refused one ("Accounts element id 79 not found", 'Account "Sales" (id 79) is inactive'). */
export function refusedAccountId(message: string): string | undefined {
  return /Accounts? element id (\d+)/i.exec(message)?.[1] ?? /Account "[^"]*" \(id (\d+)\)/i.exec(message)?.[1];
}

/** A reason as a sentence: a capital first (daybook's name stays as it is written), one full stop at the end. */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/\.+$/, "");
  return trimmed.startsWith("daybook") ? `${trimmed}.` : `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}

/**
 * The entry's lines: each account by number and name (the name its report kept, else the location's),
 * linking to where the location maps it (the line's own link, else one made from `mappingUrl`).
 */
export function linesTable(entry: ReportEntry, labels: SyncReportInput["accountLabels"], caption = "Journal entry lines", mappingUrl?: string): Block {
  const { currency } = entry;
  const rows: Cell[][] = entry.lines.map((line) => [
    accountCell(line, labels, mappingUrl),
    cell(line.description),
    cell(line.postingType === "Debit" ? formatAmount(line.amount, currency) : ""),
    cell(line.postingType === "Credit" ? formatAmount(line.amount, currency) : ""),
  ]);
  const total = formatAmount(entry.total, currency);
  return {
    kind: "table",
    caption: `${caption} (${currency})`,
    columns: [{ title: "Account" }, { title: "Description" }, { title: "Debit", numeric: true }, { title: "Credit", numeric: true }],
    rows,
    footer: [cell("Total"), cell(""), cell(total), cell(total)],
  };
}

function accountCell(line: ReportLine, labels: SyncReportInput["accountLabels"], mappingUrl: string | undefined): Cell {
  const url = line.accountUrl ?? (mappingUrl === undefined ? undefined : accountMappingUrl(mappingUrl, line.accountId));
  return cell(line.accountLabel ?? accountLabel(line.accountId, labels), url === undefined ? {} : { url });
}

/**
 * What the figures' columns hold (lib/report/day-figures.ts dayTotals), said under them wherever they
 * show: "Card" is not the deposit (fees come off it), and tips carry the automatic gratuities.
 */
export const FIGURES_LEGEND =
  "Net sales are sales less discounts and returns, before tax and tips; tips include automatic gratuities. " +
  "Card and Cash are payments less refunds (Cash also less cash back given), before processing fees; gift cards and other tenders are in neither. " +
  "Fees are the processing fees on the day's payments.";

/** The day's figures as the digest's line has them, for the day page. */
function totalsTable(totals: DayTotals, source: PosSource): Block {
  const money = (minor: number) => formatAmount(minor, totals.currency);
  return {
    kind: "table",
    caption: `The day's figures (${totals.currency})`,
    columns: [{ title: "Net sales" }, ...["Tax", "Tips", "Card", "Cash", "Fees"].map((title) => ({ title, numeric: true }))],
    rows: [[cell(money(totals.netSales)), cell(money(totals.tax)), cell(money(totals.tips)), cell(money(totals.card)), cell(money(totals.cash)), cell(feesText(totals, source))]],
  };
}

/** "12.34", or "not reported by Clover" where the POS reports no fees. */
export function feesText(totals: Pick<DayTotals, "fees" | "currency" | "feesReported">, source: PosSource): string {
  return totals.feesReported ? formatAmount(totals.fees, totals.currency) : `not reported by ${SOURCE_NAMES[source]}`;
}

/** Cash back is inside the card payments and left the cash drawer: an accountant matching deposits needs to know how much. */
function cashBackText(cashBack: number, currency: string, status: ReportStatus): string {
  const amount = formatMoney(Math.abs(cashBack), currency);
  if (status === "adjusted") {
    return `Cash back given with card payments ${cashBack > 0 ? "rose" : "fell"} by ${amount} since the day was posted; the card payments and the cash account are adjusted by it.`;
  }
  return `Cash back given with card payments: ${amount}. It is included in the card payments, and the cash account is credited with it, since it was paid out of the drawer.`;
}

/**
 * A held day's warnings: nothing was posted, so the over/short warning (written as the entry posts it:
 * "The difference was debited to …") must not say it was. daybook's own hold says it all above, with
 * the account; a day held for review says what approving it would post.
 */
function heldWarnings(input: Pick<SyncReportInput, "warnings" | "overShort">): Warning[] {
  return input.warnings.flatMap((warning) => {
    if (warning.code !== "over-short") return [warning];
    if (input.overShort) return [];
    const message = warning.message.replace(/The difference was (credited|debited) to (.+?)\.?$/, (_, verb: string, account: string) =>
      `Nothing is posted yet; approved, the entry ${verb === "credited" ? "credits" : "debits"} the difference to ${account}.`);
    return [{ ...warning, message }];
  });
}

/** Warnings: unmapped items with the link that maps them; items reported before only counted. */
export function warningBlocks(input: Pick<SyncReportInput, "warnings" | "repeatedWarnings" | "mappingUrl">): Block[] {
  const blocks: Block[] = [];
  const mapIt = input.mappingUrl ? { text: "Map it", url: input.mappingUrl } : undefined;
  if (input.warnings.length > 0) {
    blocks.push({
      kind: "list",
      title: "Worth a look",
      items: input.warnings.map((warning) => ({ text: warning.message, ...(mapIt && isUnmapped(warning) ? { link: mapIt } : {}) })),
    });
  }
  const repeated = input.repeatedWarnings ?? 0;
  if (repeated > 0) {
    blocks.push({
      kind: "paragraph",
      text: `${String(repeated)} ${repeated === 1 ? "item that was" : "items that were"} reported before still ${repeated === 1 ? "has" : "have"} no account in the mapping and went to the default accounts.`,
      ...(input.mappingUrl ? { links: [{ text: "Open the mapping", url: input.mappingUrl }] } : {}),
    });
  }
  return blocks;
}

export function reportSubject(input: Pick<SyncReportInput, "status" | "postedBefore" | "locationName" | "businessDay">): string {
  return `${statusWords(input)}: ${input.locationName}, ${formatDay(input.businessDay)}`;
}
