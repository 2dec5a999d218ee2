/**
 * Clover's deposits (docs/accounting.md, "Deposits (Clover)"): Clover publishes no generally available
 * deposit data, so daybook posts nothing for them and gives, per business day, the deposit the card
 * processor should make for it, for the accountant to match in QuickBooks' bank feed.
 *
 * Which tenders count as card: Clover's own card tenders only, the ones its processor settles to the
 * merchant's bank: `com.clover.tender.credit_card` (spelled `com.clover.tender.credit` on Clover's
 * tender reference page) and `com.clover.tender.debit_card`, which Clover labels "Credit Card" and
 * "Debit Card" and merchants cannot rename (reference/clover.md §2.3). A day's summary keys payments by
 * the tender's label, or by its labelKey when the label was not read, so both are recognised. Cash,
 * checks, gift cards (Clover's and external ones), external payments, external PIN debit (another
 * processor's terminal), PayPal, Venmo and the merchant's own tenders ("House Account", even one called
 * "… card") are not Clover's to deposit.
 */
import { subtractMinor, sumMinor } from "../domain/money";
import type { DailySummary } from "../domain/summary";
import { formatAmount, formatDay, formatMoney, formatShortDay } from "../report/format";

const CARD_LABELS = new Set(["credit card", "debit card"]);
const CARD_LABEL_KEYS = new Set(["com.clover.tender.credit_card", "com.clover.tender.credit", "com.clover.tender.debit_card"]);

/** A Clover tender key of a summary (its label, else its labelKey) that Clover's card processor deposits. */
export function isCloverCardTender(key: string): boolean {
  const tidy = key.trim().toLowerCase().replace(/\s+/g, " ");
  return CARD_LABELS.has(tidy) || CARD_LABEL_KEYS.has(tidy);
}

export interface ExpectedDeposit {
  businessDay: string;
  currency: string;
  /** Σ of the day's payments by Clover card tenders: amount, tip, surcharges and cash back, as charged to the cards. */
  cardPayments: number;
  /** Σ of the day's refunds to Clover card tenders. */
  cardRefunds: number;
  /** cardPayments − cardRefunds: what to look for in the bank feed. Clover's processing fees are not in it (Clover reports none). */
  expected: number;
}

/** The deposit Clover's processor should make for a business day's card sales. */
export function expectedCloverDeposit(businessDay: string, summary: Pick<DailySummary, "currency" | "payments" | "refunds">): ExpectedDeposit {
  const card = (buckets: Record<string, number>) => sumMinor(...Object.entries(buckets).filter(([tender]) => isCloverCardTender(tender)).map(([, amount]) => amount));
  const cardPayments = card(summary.payments);
  const cardRefunds = card(summary.refunds);
  return { businessDay, currency: summary.currency, cardPayments, cardRefunds, expected: subtractMinor(cardPayments, cardRefunds) };
}

/** What a Clover day's report says of its deposit. */
export function cloverDepositSentence(deposit: ExpectedDeposit): string {
  return `Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them. Expected card deposit for ${formatDay(deposit.businessDay)}: ` +
    `${formatMoney(deposit.expected, deposit.currency)} (card payments ${formatAmount(deposit.cardPayments, deposit.currency)} less card refunds ` +
    `${formatAmount(deposit.cardRefunds, deposit.currency)}), before any processing fees the processor takes from it.`;
}

/** What the locations page says under a Clover location: its latest days' expected deposits, newest first. */
export function cloverDepositsLine(deposits: readonly ExpectedDeposit[]): string {
  const base = "Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them.";
  const [first] = deposits;
  if (!first) return `${base} The expected card deposit of each day (card payments less card refunds) shows here once daybook has read the day.`;
  const days = deposits.map((deposit) => `${formatShortDay(deposit.businessDay)} ${formatAmount(deposit.expected, deposit.currency)}`).join(", ");
  return `${base} Expected card deposits (card payments less card refunds, ${first.currency}): ${days}.`;
}
