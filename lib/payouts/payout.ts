/**
 * A Square payout and its entries as daybook reads them (lib/pos/square/payouts.ts): typed, validated,
 * amounts in signed integer minor units. These values live in memory for one run; what is kept is the
 * payout's summary (payout-summary.ts), which carries no Square id.
 *
 * A payout moves the Square balance of one location to the seller's bank. Its entries are the balance
 * activities it sweeps, each with a Square ActivityType (CHARGE, REFUND, DEPOSIT_FEE, ...): for a BATCH
 * payout, Σ entries' net = the payout's amount (the spec's PayoutEntry description).
 */

export type PayoutStatus = "SENT" | "PAID" | "FAILED";
export const PAYOUT_STATUSES: readonly PayoutStatus[] = ["SENT", "PAID", "FAILED"];

export interface Payout {
  /** Square's payout id (po_…): the key of a deposit, never a customer's transaction. Hashed before it is kept. */
  id: string;
  locationId: string;
  status: PayoutStatus;
  /** BATCH payouts have entries; SIMPLE ones have none and show up as an entry of a later BATCH payout. */
  type: "BATCH" | "SIMPLE";
  createdAt: string;
  updatedAt: string;
  /** YYYY-MM-DD, when the money is due at the bank; null when Square gives none. */
  arrivalDate: string | null;
  /** Signed: positive is a deposit, negative a withdrawal. Never zero. */
  amount: number;
  currency: string;
  version: number;
  /** BANK_ACCOUNT, CARD (instant transfer), SQUARE_BALANCE, SQUARE_STORED_BALANCE; null when absent. */
  destinationType: string | null;
  /** Square's payout_fee list (TRANSFER_FEE, TAX_ON_TRANSFER_FEE), positive minor units. */
  transferFees: { type: string; amount: number }[];
}

export interface PayoutEntry {
  /** Square's ActivityType, or a type newer than daybook knows. */
  type: string;
  effectiveAt: string | null;
  /** Signed minor units; net = gross − fee. */
  gross: number;
  fee: number;
  net: number;
  /**
   * The payment the activity concerns (type_*_details.payment_id), when Square names one: only so the
   * tie-out can find the business day of a fee adjustment while the run lasts. Never stored or printed.
   */
  paymentId?: string;
}

/** What daybook does with each kind of balance activity (docs/accounting.md, "Payouts"). */
export type PayoutRole =
  /** CHARGE, REFUND: card sales the daily entries put in card clearing, net of their processing fees. */
  | "card-sales"
  /** Processing fees as their own entries (fee adjustments, gross settlement): expensed by the daily entries, so they clear. */
  | "processing-fees"
  /** Money Square holds back or releases: still owed to the seller, so it stays in card clearing. */
  | "held"
  /** A payout the bank sent back, in the Square balance again: its reversal put it back in card clearing. */
  | "returned-payout"
  /** Fees daybook never posted: instant-deposit, gift-card-load, subscription fees, … */
  | "fees"
  | "disputes"
  | "loan"
  | "savings"
  /** Anything else: posted to the mapping's `other` account, with a warning naming the type. */
  | "other";

const ROLES: Readonly<Record<string, PayoutRole>> = {
  CHARGE: "card-sales",
  REFUND: "card-sales",
  FEE: "processing-fees",
  PROCESSING_FEE: "processing-fees",
  PROCESSING_FEE_REFUND: "processing-fees",
  UNDO_PROCESSING_FEE_REFUND: "processing-fees",
  HOLD_ADJUSTMENT: "held",
  RELEASE_ADJUSTMENT: "held",
  RESERVE_HOLD: "held",
  RESERVE_RELEASE: "held",
  RETURNED_PAYOUT: "returned-payout",
  DEPOSIT_FEE: "fees",
  DEPOSIT_FEE_REVERSED: "fees",
  GIFT_CARD_LOAD_FEE: "fees",
  GIFT_CARD_LOAD_FEE_REFUND: "fees",
  UNDO_GIFT_CARD_LOAD_FEE_REFUND: "fees",
  SUBSCRIPTION_FEE: "fees",
  SUBSCRIPTION_FEE_REFUND: "fees",
  SUBSCRIPTION_FEE_PAID_REFUND: "fees",
  TAX_ON_FEE: "fees",
  THIRD_PARTY_FEE: "fees",
  THIRD_PARTY_FEE_REFUND: "fees",
  PAID_SERVICE_FEE: "fees",
  PAID_SERVICE_FEE_REFUND: "fees",
  LOCAL_OFFERS_FEE: "fees",
  FREE_PROCESSING: "fees",
  DISPUTE: "disputes",
  OPEN_DISPUTE: "disputes",
  SQUARE_CAPITAL_PAYMENT: "loan",
  SQUARE_CAPITAL_REVERSED_PAYMENT: "loan",
  AUTOMATIC_SAVINGS: "savings",
  AUTOMATIC_SAVINGS_REVERSED: "savings",
};

export function roleOf(type: string): PayoutRole {
  return ROLES[type] ?? "other";
}

/** Roles whose money is card clearing's: the daily entries put it there, or it is still owed by Square. */
export const CLEARING_ROLES: ReadonlySet<PayoutRole> = new Set(["card-sales", "processing-fees", "held", "returned-payout"]);

const LABELS: Readonly<Record<string, string>> = {
  FEE: "Processing fee adjustments",
  PROCESSING_FEE: "Processing fees (gross settlement)",
  PROCESSING_FEE_REFUND: "Processing fees refunded (gross settlement)",
  UNDO_PROCESSING_FEE_REFUND: "Processing fee refunds undone",
  HOLD_ADJUSTMENT: "Held by Square (payment hold)",
  RELEASE_ADJUSTMENT: "Released by Square (payment hold)",
  RESERVE_HOLD: "Held by Square (risk reserve)",
  RESERVE_RELEASE: "Released by Square (risk reserve)",
  RETURNED_PAYOUT: "Returned payout, back in the Square balance",
  DEPOSIT_FEE: "Instant deposit fee",
  DEPOSIT_FEE_REVERSED: "Instant deposit fee refunded",
  GIFT_CARD_LOAD_FEE: "Gift card load fees",
  GIFT_CARD_LOAD_FEE_REFUND: "Gift card load fees refunded",
  UNDO_GIFT_CARD_LOAD_FEE_REFUND: "Gift card load fee refunds undone",
  SUBSCRIPTION_FEE: "Square subscription fees",
  SUBSCRIPTION_FEE_REFUND: "Square subscription fees refunded",
  SUBSCRIPTION_FEE_PAID_REFUND: "Square subscription fee refunds paid",
  TAX_ON_FEE: "Tax on Square fees",
  THIRD_PARTY_FEE: "Third-party platform fees",
  THIRD_PARTY_FEE_REFUND: "Third-party platform fees refunded",
  PAID_SERVICE_FEE: "Paid service fees",
  PAID_SERVICE_FEE_REFUND: "Paid service fees refunded",
  LOCAL_OFFERS_FEE: "Square Local Offers fees",
  FREE_PROCESSING: "Free processing credit",
  DISPUTE: "Chargebacks – dispute settled",
  OPEN_DISPUTE: "Chargebacks – dispute opened",
  SQUARE_CAPITAL_PAYMENT: "Square Capital loan repayment",
  SQUARE_CAPITAL_REVERSED_PAYMENT: "Square Capital loan repayment reversed",
  AUTOMATIC_SAVINGS: "Automatic transfer to Square Savings",
  AUTOMATIC_SAVINGS_REVERSED: "Automatic transfer back from Square Savings",
};

/** The words an accountant reads for an activity type's line. */
export function activityLabel(type: string): string {
  return LABELS[type] ?? `Other Square activity – ${type}`;
}
