/**
 * The journal entries of a Square payout (ACCOUNTING.md "Payouts (deposits)", docs/accounting.md
 * "Payouts"): a payout's summary and the location's mapping in, the exact QuickBooks JournalEntry body
 * out, balanced by construction in minor units.
 *
 * - deposit (SENT or PAID): dated the arrival date; debit the bank with the payout's amount; credit card
 *   clearing with each business day's card sales net of refunds and processing fees (the daily entries
 *   put them there and already expensed those fees); one line per other activity type on its account.
 * - failed (FAILED when first seen): no bank line. Card sales, fee adjustments and holds went back to
 *   the Square balance, where card clearing already has them; what the payout carried that still
 *   stands (deposit fees, loan repayments, savings, …) is posted against card clearing. Usually
 *   nothing is left, and nothing is posted.
 * - reversal (a posted payout Square later marks FAILED, the bank having sent it back): the deposit's
 *   bank line undone, the money back in card clearing, where the RETURNED_PAYOUT entry of a later payout
 *   takes it from. Only the bank line: the fees and repayments the payout carried still happened.
 */
import { createHash } from "node:crypto";
import { businessDayOf } from "../domain/business-day";
import { type PayoutEntryKind, payoutDocNumber } from "../domain/doc-number";
import {
  type EntryLine,
  type EntryTags,
  type JournalEntryBody,
  journalEntryBody,
  postedLines,
  type SignedLine,
  sideTotal,
  tenderAccountOf,
} from "../domain/journal-entry";
import type { Mapping } from "../domain/mapping";
import { formatDecimal, subtractMinor, sumMinor } from "../domain/money";
import { formatDay } from "../report/format";
import type { Warning } from "../domain/warnings";
import { activityLabel, CLEARING_ROLES, type PayoutRole, roleOf } from "./payout";
import { coveredDays, entriesNet, type PayoutSummary } from "./payout-summary";

export interface PayoutEntryContext {
  /** The POS location's name, for PrivateNote. */
  locationName: string;
  /** The location's IANA zone: the date a payout failed on is read in it. */
  timeZone: string;
  /** The entry's date when it cannot be the usual one (a closed period). */
  txnDate?: string;
  /** Extra words for PrivateNote, e.g. why the entry is dated another day. */
  note?: string;
  /** Name the currency on the entry: QuickBooks requires it when the company has multicurrency on. */
  withCurrencyRef?: boolean;
  /** The location's QuickBooks Location and Class, on every line, as on its days' entries. */
  tags?: EntryTags;
}

export interface BuiltPayoutEntry {
  kind: PayoutEntryKind;
  docNumber: string;
  txnDate: string;
  currency: string;
  lines: EntryLine[];
  /** Σ debits = Σ credits, minor units. */
  total: number;
  /** The accounts the deposit used, which its reversal must use again. */
  bankAccountId: string | null;
  clearingAccountId: string;
  /** A merchant or Square problem that keeps the entry from being posted (no bank account, entries that do not add up). */
  held: boolean;
  holdReason: string | null;
  /** Why nothing is posted when there is nothing to post (a failed payout that carried only card sales). */
  nothingToPost: string | null;
  warnings: Warning[];
  /** null when held or when there is nothing to post. */
  journalEntry: JournalEntryBody | null;
}

/** What daybook must keep of a posted deposit to reverse it. */
export interface PostedDeposit {
  docNumber: string;
  amount: number;
  currency: string;
  bankAccountId: string;
  clearingAccountId: string;
}

export class PayoutEntryError extends Error {
  override name = "PayoutEntryError";
}

/** The order of the lines after the bank and the card sales. */
const ROLE_ORDER: readonly PayoutRole[] = ["processing-fees", "held", "returned-payout", "fees", "disputes", "loan", "savings", "other"];

const ROLE_WORDS: Readonly<Record<"disputes" | "loan" | "savings", string>> = {
  disputes: "Chargebacks (disputes)",
  loan: "Square Capital loan repayments",
  savings: "Automatic transfers to Square Savings",
};

interface Accounts {
  bank: string | null;
  clearing: string;
  ofRole(role: PayoutRole, type: string, amount: number): string;
}

function shown(amount: number, currency: string): string {
  return `${formatDecimal(Math.abs(amount), currency)} ${currency}`;
}

function accountsFor(mapping: Mapping, summary: PayoutSummary, warnings: Warning[]): Accounts {
  const payouts = mapping.payouts;
  const fallback = payouts?.other ?? mapping.defaults.overShort;
  const fallbackWords = payouts?.other ? `the payouts' other account ${fallback}` : `the over/short account ${fallback}`;
  const clearing = tenderAccountOf(mapping, "CARD");
  const warned = new Set<string>();
  const warnOnce = (key: string, warning: Warning) => {
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push(warning);
  };
  return {
    bank: payouts?.bank ?? null,
    clearing,
    ofRole(role, type, amount) {
      switch (role) {
        case "card-sales":
        case "processing-fees":
        case "held":
        case "returned-payout":
          return clearing;
        case "fees":
          return payouts?.fees ?? mapping.defaults.fees;
        case "disputes":
        case "loan":
        case "savings": {
          const own = payouts?.[role];
          if (own) return own;
          warnOnce(role, {
            code: "unmapped-payout-account",
            message: `${ROLE_WORDS[role]} in the Square payout of ${summary.arrivalDate} have no account in the mapping; they were posted to ${fallbackWords}.`,
          });
          return fallback;
        }
        case "other":
          warnOnce(`type:${type}`, {
            code: "unknown-payout-activity",
            message: `The Square payout arriving ${formatDay(summary.arrivalDate)} carries ${shown(amount, summary.currency)} of activity "${type}", which daybook has no rule for; it was posted to ${fallbackWords}.`,
          });
          return fallback;
      }
    },
  };
}

/** One line per activity type that is not a card sale, in ROLE_ORDER, then by type. */
function activityLines(summary: PayoutSummary, accounts: Accounts, keep: (role: PayoutRole) => boolean): SignedLine[] {
  const rank = (type: string) => ROLE_ORDER.indexOf(roleOf(type));
  return Object.entries(summary.activities)
    .filter(([type]) => keep(roleOf(type)))
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map(([type, net]) => ({
      description: activityLabel(type),
      naturalSide: "Credit" as const,
      net,
      accountId: accounts.ofRole(roleOf(type), type, net),
    }));
}

/**
 * The line for Square's payout_fee when the entries do not already carry it: the entries add up to the
 * amount plus the transfer fee. null when the entries alone make the amount; undefined when nothing
 * explains the difference.
 */
function transferFeeLine(summary: PayoutSummary, accounts: Accounts): SignedLine | null | undefined {
  const net = entriesNet(summary);
  if (net === summary.amount) return null;
  if (summary.transferFees !== 0 && subtractMinor(net, summary.transferFees) === summary.amount) {
    return { description: "Transfer fee", naturalSide: "Credit", net: -summary.transferFees, accountId: accounts.ofRole("fees", "TRANSFER_FEE", summary.transferFees) };
  }
  return undefined;
}

/** "2025-06-13", "2025-06-13 and 2025-06-14", "2025-06-10 to 2025-06-12 and 2025-06-14". */
export function describeDays(days: readonly string[]): string {
  const runs: string[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && Date.parse(day) - Date.parse(last) === 86_400_000) run.push(day);
    else runs.push([day]);
  }
  const parts = runs.flatMap((run) => (run.length >= 3 ? [`${run[0] ?? ""} to ${run.at(-1) ?? ""}`] : run));
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1) ?? ""}`;
}

/** Whether a PrivateNote is one daybook wrote for a payout's entry (deposit, failed or reversal). */
export function isPayoutNote(note: string | undefined): boolean {
  return note !== undefined && note.includes("Posted by daybook") && /payout [0-9A-Z]{8}; /.test(note);
}

export function linesHash(lines: readonly EntryLine[]): string {
  const canonical = JSON.stringify(lines.map((line) => [line.description, line.postingType, line.amount, line.accountId]));
  return createHash("sha256").update(canonical).digest("hex");
}

function withNote(text: string, context: PayoutEntryContext): string {
  return (context.note ? `${text} ${context.note}` : text).slice(0, 4000);
}

function finish(
  kind: PayoutEntryKind,
  summary: PayoutSummary,
  accounts: Accounts,
  signed: readonly SignedLine[],
  header: { txnDate: string; note: (hash: string) => string },
  context: PayoutEntryContext,
  warnings: Warning[],
): BuiltPayoutEntry {
  const lines = postedLines(signed, summary.currency);
  const debits = sideTotal(lines, "Debit");
  if (debits !== sideTotal(lines, "Credit")) {
    throw new PayoutEntryError(`the ${kind} entry of payout ${summary.tag} does not balance; this is a bug`);
  }
  const docNumber = payoutDocNumber(summary.tag, summary.arrivalDate, kind);
  return {
    kind, docNumber, txnDate: header.txnDate, currency: summary.currency, lines, total: debits,
    bankAccountId: accounts.bank, clearingAccountId: accounts.clearing,
    held: false, holdReason: null,
    nothingToPost: lines.length === 0 ? `The Square payout arriving ${formatDay(summary.arrivalDate)} leaves nothing to post.` : null,
    warnings,
    journalEntry: lines.length === 0
      ? null
      : journalEntryBody(lines, {
          txnDate: header.txnDate, docNumber, privateNote: header.note(linesHash(lines)), currency: summary.currency, withCurrencyRef: context.withCurrencyRef,
          tags: context.tags,
        }),
  };
}

function notPosted(kind: PayoutEntryKind, summary: PayoutSummary, accounts: Accounts, warnings: Warning[], reason: { held: string } | { nothing: string }): BuiltPayoutEntry {
  return {
    kind, docNumber: payoutDocNumber(summary.tag, summary.arrivalDate, kind), txnDate: summary.arrivalDate, currency: summary.currency,
    lines: [], total: 0, bankAccountId: accounts.bank, clearingAccountId: accounts.clearing,
    held: "held" in reason, holdReason: "held" in reason ? reason.held : null,
    nothingToPost: "nothing" in reason ? reason.nothing : null,
    warnings, journalEntry: null,
  };
}

/** The date Square marked a payout failed, in the location's zone, never before its arrival date. */
function failedOn(summary: PayoutSummary, timeZone: string): string {
  const day = businessDayOf(Date.parse(summary.updatedAt), timeZone, "00:00");
  return day < summary.arrivalDate ? summary.arrivalDate : day;
}

/**
 * The entry a payout posts as Square reports it now: its deposit when SENT or PAID, what a FAILED one
 * still carries (usually nothing). A payout daybook already posted and Square now reports FAILED takes
 * buildPayoutReversal instead.
 */
export function buildPayoutEntry(summary: PayoutSummary, mapping: Mapping, context: PayoutEntryContext): BuiltPayoutEntry {
  const warnings: Warning[] = [];
  const accounts = accountsFor(mapping, summary, warnings);
  const kind: PayoutEntryKind = summary.status === "FAILED" ? "failed" : "deposit";
  const label = `The Square payout arriving ${formatDay(summary.arrivalDate)} (${shown(summary.amount, summary.currency)})`;
  if (summary.type === "SIMPLE") {
    return notPosted(kind, summary, accounts, warnings, {
      nothing: `${label} is a SIMPLE payout: Square lists it as an entry of a later batch payout, which is where daybook posts it.`,
    });
  }
  const transferFee = transferFeeLine(summary, accounts);
  if (transferFee === undefined) {
    return notPosted(kind, summary, accounts, warnings, {
      held: `${label}: its entries add up to ${shown(entriesNet(summary), summary.currency)}, not the payout's amount, so it was not posted. Check the payout in the Square Dashboard; daybook will post it once Square's figures agree.`,
    });
  }
  const extra = transferFee ? [transferFee] : [];
  const days = coveredDays(summary);
  const covers = days.length === 0 ? "covers no card sales" : `covers business day${days.length === 1 ? "" : "s"} ${describeDays(days)}`;

  if (kind === "failed") {
    const standing = [...activityLines(summary, accounts, (role) => !CLEARING_ROLES.has(role)), ...extra];
    const withheld = sumMinor(...standing.map((line) => line.net));
    const signed: SignedLine[] = [
      ...standing,
      { description: "Card clearing – taken by Square from the failed payout", naturalSide: "Debit", net: withheld, accountId: accounts.clearing },
    ];
    if (withheld !== 0 || standing.some((line) => line.net !== 0)) {
      // The lines above post against card clearing only: no bank account is needed.
      return finish(kind, summary, accounts, signed, {
        txnDate: context.txnDate ?? failedOn(summary, context.timeZone),
        note: (hash) => withNote(
          `Square payout ${summary.arrivalDate} – ${context.locationName} – failed: nothing reached the bank and its card sales went back to the Square balance. ` +
            `Posted by daybook for what it carried that still stands; payout ${summary.tag}; ${summary.entryCount} entries; lines sha256 ${hash}.`,
          context,
        ),
      }, context, warnings);
    }
    return notPosted(kind, summary, accounts, warnings, {
      nothing: `${label} failed: nothing reached the bank and its card sales stay in card clearing until Square pays them again, so nothing is posted.`,
    });
  }

  if (accounts.bank === null) {
    return notPosted(kind, summary, accounts, warnings, {
      held: `${label} was not posted: choose the bank account Square pays this location's payouts into on the mapping page: daybook posts it the night after.`,
    });
  }
  const signed: SignedLine[] = [
    { description: summary.amount >= 0 ? "Square payout – deposit" : "Square payout – withdrawal", naturalSide: "Debit", net: summary.amount, accountId: accounts.bank },
    ...days.map((day) => ({
      description: `Card sales – ${day}, net of refunds and fees`,
      naturalSide: "Credit" as const,
      net: summary.days[day]?.net ?? 0,
      accountId: accounts.clearing,
    })),
    ...activityLines(summary, accounts, (role) => role !== "card-sales"),
    ...extra,
  ];
  return finish(kind, summary, accounts, signed, {
    txnDate: context.txnDate ?? summary.arrivalDate,
    note: (hash) => withNote(
      `Square payout ${summary.arrivalDate} – ${context.locationName} – ${covers}. ` +
        `Posted by daybook; payout ${summary.tag}; ${summary.entryCount} entries; lines sha256 ${hash}.`,
      context,
    ),
  }, context, warnings);
}

/**
 * The reversal of a posted deposit whose payout Square now reports FAILED: the bank gets nothing, the
 * money is back in the Square balance (card clearing), on the accounts the deposit used.
 */
export function buildPayoutReversal(summary: PayoutSummary, posted: PostedDeposit, context: PayoutEntryContext): BuiltPayoutEntry {
  if (summary.status !== "FAILED") {
    throw new PayoutEntryError(`payout ${summary.tag} is ${summary.status}, not FAILED: there is nothing to reverse`);
  }
  if (posted.currency !== summary.currency) {
    throw new PayoutEntryError(`payout ${summary.tag} was posted in ${posted.currency} but is now ${summary.currency}`);
  }
  const accounts: Accounts = {
    bank: posted.bankAccountId,
    clearing: posted.clearingAccountId,
    ofRole: () => posted.clearingAccountId,
  };
  const signed: SignedLine[] = [
    { description: "Square payout returned by the bank", naturalSide: "Credit", net: posted.amount, accountId: posted.bankAccountId },
    { description: "Returned payout, back in the Square balance", naturalSide: "Debit", net: posted.amount, accountId: posted.clearingAccountId },
  ];
  return finish("reversal", summary, accounts, signed, {
    txnDate: context.txnDate ?? failedOn(summary, context.timeZone),
    note: (hash) => withNote(
      `Reverses the Square payout of ${summary.arrivalDate} – ${context.locationName} (${posted.docNumber}): Square reports that the bank sent it back, ` +
        `so the money is in the Square balance again. Posted by daybook; payout ${summary.tag}; lines sha256 ${hash}.`,
      context,
    ),
  }, context, []);
}
