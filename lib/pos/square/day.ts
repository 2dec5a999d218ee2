/** Reads one Square location's business day page by page and folds it into the daily summary. */
import type { BusinessDayWindow } from "../../domain/business-day";
import { SquareCatalog } from "./catalog";
import type { SquareReader } from "./reader";
import { type SquareDayResult, SquareDaySummariser } from "./summarise";
import type { LocationConfig } from "../../model";

export async function summariseSquareLocationDay(
  reader: SquareReader,
  location: Pick<LocationConfig, "locationId" | "currency">,
  window: BusinessDayWindow,
): Promise<SquareDayResult> {
  const catalog = new SquareCatalog();
  const summariser = new SquareDaySummariser({
    window,
    locationId: location.locationId,
    currency: location.currency,
    catalog,
    // The Payments API carries later fee adjustments, and types refunds by where the money went.
    feesFrom: "payments",
    refundsFrom: "payment-refunds",
  });
  for await (const page of reader.orderPages(location.locationId, window)) {
    await reader.fillCatalog(catalog, page);
    summariser.addOrdersPage(page);
  }
  for await (const page of reader.paymentPages(location.locationId, window)) summariser.addPaymentsPage(page);
  for await (const page of reader.refundPages(location.locationId, window)) summariser.addRefundsPage(page);
  return summariser.finish();
}
