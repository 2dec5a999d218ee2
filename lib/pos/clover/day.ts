/** Reads one Clover merchant's business day and folds it into the daily summary. */
import type { BusinessDayWindow } from "../../domain/business-day";
import { CloverItemCategories } from "./categories";
import type { CloverReader } from "./reader";
import { type CloverDayResult, CloverDaySummariser } from "./summarise";
import type { LocationConfig } from "../../model";

/** The inventory's categories, read in full (items are few next to orders). */
export async function readCloverCategories(reader: CloverReader): Promise<CloverItemCategories> {
  const categories = new CloverItemCategories();
  for await (const page of reader.itemPages()) categories.addItemsPage(page);
  return categories;
}

/** The day's own read; categories handed in are shared with the run's other reads, so they are read once. */
export async function summariseCloverLocationDay(
  reader: CloverReader,
  location: Pick<LocationConfig, "currency">,
  window: Pick<BusinessDayWindow, "startMs" | "endMs">,
  known?: CloverItemCategories,
): Promise<CloverDayResult> {
  // Categories first: every order line needs its item's category.
  const categories = known ?? await readCloverCategories(reader);
  const summariser = new CloverDaySummariser({ window, currency: location.currency, categories });
  for await (const page of reader.orderPages(window)) summariser.addOrdersPage(page);
  return summariser.finish();
}
