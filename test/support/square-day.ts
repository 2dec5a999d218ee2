import { businessDayWindow } from "../../lib/domain/business-day";
import { SquareCatalog } from "../../lib/pos/square/catalog";
import { type SquareDayResult, SquareDaySummariser, type SquareSummariserOptions, squareTenderKey } from "../../lib/pos/square/summarise";

export interface SquareDayInput {
  orderPages: unknown[];
  catalog: unknown[];
  paymentPages?: unknown[];
  refundPages?: unknown[];
  date: string;
  timeZone: string;
  dayStart?: string;
  locationId: string;
  currency?: string;
}

/** Tender keys by id across the pages, as the CLI builds them for refunds read from orders. */
export function tenderIndex(orderPages: unknown[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const page of orderPages) {
    for (const order of (page as { orders?: { tenders?: { id?: string; type: string; note?: string }[] }[] }).orders ?? []) {
      for (const tender of order.tenders ?? []) if (tender.id) index.set(tender.id, squareTenderKey(tender));
    }
  }
  return index;
}

/** Summarises a day of Square bodies the way the CLI does. */
export function summariseSquareDay(input: SquareDayInput, overrides: Partial<SquareSummariserOptions> = {}): SquareDayResult {
  const tenders = tenderIndex(input.orderPages);
  const summariser = new SquareDaySummariser({
    window: businessDayWindow(input.date, input.timeZone, input.dayStart),
    locationId: input.locationId,
    currency: input.currency ?? "USD",
    catalog: SquareCatalog.fromResponses(input.catalog),
    feesFrom: input.paymentPages?.length ? "payments" : "tenders",
    refundsFrom: input.refundPages?.length ? "payment-refunds" : "orders",
    tenderKeyOf: (id) => tenders.get(id),
    ...overrides,
  });
  for (const page of input.orderPages) summariser.addOrdersPage(page);
  for (const page of input.paymentPages ?? []) summariser.addPaymentsPage(page);
  for (const page of input.refundPages ?? []) summariser.addRefundsPage(page);
  return summariser.finish();
}
