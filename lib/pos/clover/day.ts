/** Reads one Clover merchant's business day and folds it into the daily summary. */
import type { BusinessDayWindow } from "../../domain/business-day";
import { CloverItemCategories } from "./categories";
import type { CloverReader } from "./reader";
import { type CloverDayResult, CloverDaySummariser } from "./summarise";
import type { LocationConfig } from "../../model";

export async function summariseCloverLocationDay(
  reader: CloverReader,
  location: Pick<LocationConfig, "currency">,
  window: BusinessDayWindow,
): Promise<CloverDayResult> {
  // Categories first: every order line needs its item's category, and items are few next to orders.
  const categories = new CloverItemCategories();
  for await (const page of reader.itemPages()) categories.addItemsPage(page);
  const summariser = new CloverDaySummariser({ window, currency: location.currency, categories });
  for await (const page of reader.orderPages(window)) summariser.addOrdersPage(page);
  return summariser.finish();
}
