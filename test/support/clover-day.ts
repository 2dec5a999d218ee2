import { businessDayWindow } from "../../lib/domain/business-day";
import { CloverItemCategories } from "../../lib/pos/clover/categories";
import { type CloverDayResult, CloverDaySummariser } from "../../lib/pos/clover/summarise";

export interface CloverDayInput {
  orderPages: unknown[];
  itemPages: unknown[];
  date: string;
  timeZone: string;
  dayStart?: string;
  currency?: string;
}

/** Summarises a day of Clover bodies the way the CLI does. */
export function summariseCloverDay(input: CloverDayInput): CloverDayResult {
  const summariser = new CloverDaySummariser({
    window: businessDayWindow(input.date, input.timeZone, input.dayStart),
    currency: input.currency ?? "USD",
    categories: CloverItemCategories.fromItemPages(input.itemPages),
  });
  for (const page of input.orderPages) summariser.addOrdersPage(page);
  return summariser.finish();
}
