/**
 * Payouts in the API. A payout's summary (lib/payouts/payout-summary.ts) is what daybook keeps of one;
 * PayoutRecords is the port the API reads them through. daybook does not keep payouts yet (issue 18
 * posts them): until it does, `payoutsNotKept` answers every location with none, which is the truth,
 * and the route, its schema and apiPayout below are ready for the store that will.
 */
import type { PayoutSummary } from "../payouts/payout-summary";
import type { ApiPayout } from "./schemas";

export interface PayoutRecords {
  /** The location's payouts whose arrival date is from `from` to `to` (YYYY-MM-DD, both included), oldest first. */
  listPayouts(merchantId: string, locationId: string, from: string, to: string): Promise<PayoutSummary[]>;
}

export const payoutsNotKept: PayoutRecords = {
  listPayouts: () => Promise.resolve([]),
};

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
