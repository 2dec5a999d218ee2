/** Hand-made Square payouts and entries for the payout tests, in the reader's typed shape. */
import type { Payout, PayoutEntry } from "../../lib/payouts/payout";
import { type PayoutSummary, summarisePayout } from "../../lib/payouts/payout-summary";

export const ZONE = "America/New_York";

/** A payout with every entry Square lists for it (none for a SIMPLE payout), as a test holds it. */
export interface PayoutWithEntries {
  payout: Payout;
  entries: PayoutEntry[];
}

export function payoutOf(figures: Partial<Payout> & Pick<Payout, "id" | "amount" | "arrivalDate">): Payout {
  return {
    locationId: "L8EXAMPLE0001", status: "PAID", type: "BATCH", currency: "USD", version: 1,
    createdAt: `${figures.arrivalDate ?? "2025-06-17"}T00:30:00Z`, updatedAt: `${figures.arrivalDate ?? "2025-06-17"}T13:00:00Z`,
    destinationType: "BANK_ACCOUNT", transferFees: [],
    ...figures,
  };
}

/** An entry with net = gross − fee. */
export function entry(type: string, effectiveAt: string, gross: number, fee = 0, paymentId?: string): PayoutEntry {
  return { type, effectiveAt, gross, fee, net: gross - fee, ...(paymentId ? { paymentId } : {}) };
}

export function summaryOfPayout(payout: Payout, entries: readonly PayoutEntry[], paymentDays: Record<string, string> = {}): PayoutSummary {
  return summarisePayout(payout, entries, { timeZone: ZONE, dayStart: "00:00", paymentDay: (id) => paymentDays[id] });
}
