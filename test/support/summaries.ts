import { type DailySummary, emptySummary } from "../../lib/domain/summary";

/** A summary with the given figures on top of an empty USD one. */
export function summaryOf(figures: Partial<DailySummary>, currency = "USD"): DailySummary {
  return { ...emptySummary(currency), ...figures };
}
