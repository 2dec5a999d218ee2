/** Reads one Square location's business day page by page and folds it into the daily summary. */
import type { BusinessDayWindow } from "../../domain/business-day";
import { allInOrder } from "../night";
import { SquareCatalog } from "./catalog";
import type { SquareReader } from "./reader";
import { type SquareDayResult, SquareDaySummariser } from "./summarise";
import type { LocationConfig } from "../../model";

export type SquareLocation = Pick<LocationConfig, "locationId" | "currency">;

/** The nightly sync's summariser of one day: fees and refunds from the Payments API. */
export function squareDaySummariser(location: SquareLocation, window: Pick<BusinessDayWindow, "startMs" | "endMs">, catalog: SquareCatalog): SquareDaySummariser {
  return new SquareDaySummariser({
    window,
    locationId: location.locationId,
    currency: location.currency,
    catalog,
    // The Payments API carries later fee adjustments, and types refunds by where the money went.
    feesFrom: "payments",
    refundsFrom: "payment-refunds",
  });
}

/** The day's own read; a catalog handed in is shared with the run's other reads, so nothing is fetched twice. */
export async function summariseSquareLocationDay(
  reader: SquareReader,
  location: SquareLocation,
  window: Pick<BusinessDayWindow, "startMs" | "endMs">,
  catalog = new SquareCatalog(),
): Promise<SquareDayResult> {
  const summariser = squareDaySummariser(location, window, catalog);
  // Orders (and the catalog they name), payments and refunds are independent reads: at once.
  await allInOrder([
    async () => {
      for await (const page of reader.orderPages(location.locationId, window)) {
        await reader.fillCatalog(catalog, page);
        summariser.addOrdersPage(page);
      }
    },
    async () => {
      for await (const page of reader.paymentPages(location.locationId, window)) summariser.addPaymentsPage(page);
    },
    async () => {
      for await (const page of reader.refundPages(location.locationId, window)) summariser.addRefundsPage(page);
    },
  ]);
  return summariser.finish();
}
