/**
 * Payouts in the API. A payout's summary (lib/payouts/payout-summary.ts) is what daybook keeps of one;
 * PayoutRecords is the port the API reads them through, over the payout records the night's payouts
 * step keeps (lib/store/payouts.ts): every payout daybook has dealt with, posted or not, failed ones too.
 */
import type { PayoutSummary } from "../payouts/payout-summary";
import type { PayoutStore } from "../store/payouts";
import type { ApiPayout } from "./schemas";

export interface PayoutRecords {
  /** The location's payouts whose arrival date is from `from` to `to` (YYYY-MM-DD, both included), oldest first. */
  listPayouts(merchantId: string, locationId: string, from: string, to: string): Promise<PayoutSummary[]>;
}

/** The API's payouts from the payout store: its records of the location, by arrival date (the store's order). */
export function payoutRecordsOf(store: Pick<PayoutStore, "listPayouts">): PayoutRecords {
  return {
    async listPayouts(merchantId, locationId, from, to) {
      const records = await store.listPayouts(merchantId, locationId);
      return records.map((record) => record.summary).filter((summary) => summary.arrivalDate >= from && summary.arrivalDate <= to);
    },
  };
}

export function apiPayout(summary: PayoutSummary): ApiPayout {
  return {
    id: summary.tag,
    status: summary.status,
    arrivalDate: summary.arrivalDate,
    amount: summary.amount,
    currency: summary.currency,
    transferFees: summary.transferFees,
    days: Object.fromEntries(Object.entries(summary.days).map(([day, figures]) => [day, figures.net])),
  };
}
