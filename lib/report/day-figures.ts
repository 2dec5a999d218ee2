/**
 * A synced day's headline figures for the history page: net sales and processing fees, in minor units.
 *
 * Net sales = gross sales − returns − discounts & comps (ACCOUNTING.md: gross is before discounts, returns
 * are gross of the discounts that had applied to them, and the discounts figure already has the discounts
 * carried back by returns taken off). Tax, tips, service charges, gift-card loads and non-revenue items are
 * not sales. Fees are the signed sum of the day's processing fees.
 *
 * The figures come from the day's last summary from the POS; a record without one (older records) falls
 * back to what daybook posted for the day, the sum of its entries' summaries (revision 0 carries the whole
 * day, each adjustment the difference, so the sum is the day as last posted).
 */
import { subtractMinor, sumMinor } from "../domain/money";
import { bucketTotal, type DailySummary } from "../domain/summary";
import type { SyncRecord } from "../model";

export interface DayFigures {
  currency: string;
  netSales: number;
  fees: number;
}

/** Net sales and fees of one summary. */
export function figuresOfSummary(summary: Pick<DailySummary, "currency" | "sales" | "returns" | "discounts" | "fees">): DayFigures {
  return {
    currency: summary.currency,
    netSales: subtractMinor(subtractMinor(bucketTotal(summary.sales), bucketTotal(summary.returns)), summary.discounts),
    fees: summary.fees,
  };
}

/**
 * The day's figures, or undefined when daybook has none: no summary was recorded and nothing was posted,
 * or the posted entries disagree about the currency (then no sum would mean anything).
 */
export function dayFigures(record: Pick<SyncRecord, "lastSummary" | "posted">): DayFigures | undefined {
  if (record.lastSummary) return figuresOfSummary(record.lastSummary);
  const parts = record.posted.map((entry) => figuresOfSummary(entry.summary));
  const first = parts[0];
  if (!first || parts.some((part) => part.currency !== first.currency)) return undefined;
  return {
    currency: first.currency,
    netSales: sumMinor(...parts.map((part) => part.netSales)),
    fees: sumMinor(...parts.map((part) => part.fees)),
  };
}
