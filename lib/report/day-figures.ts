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
import { addSummaries, bucketTotal, type DailySummary } from "../domain/summary";
import type { PosSource, SyncRecord } from "../model";

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

/**
 * A location-day's line in the digest and the day report: net sales (as above), tax, tips (with
 * automatic gratuities), the card and cash money that should reach the bank and the drawer (payments
 * less refunds; cash also less the cash back handed out with card payments), and fees, with
 * `feesReported` false where the POS does not report them (Clover: docs/accounting.md), so that every
 * place showing fees says "not reported by Clover" instead of a misleading 0.00. Other tenders (gift
 * cards, OTHER, ...) are in neither column.
 */
export interface DayTotals extends DayFigures {
  tax: number;
  tips: number;
  card: number;
  cash: number;
  feesReported: boolean;
}

export function tenderKind(tender: string): "card" | "cash" | "other" {
  const key = tender.toLowerCase();
  if (key === "cash") return "cash";
  if (key === "card" || key === "wallet" || (key.includes("card") && !key.includes("gift"))) return "card";
  return "other";
}

export function dayTotals(summary: DailySummary, source: PosSource): DayTotals {
  const byKind = (kind: "card" | "cash") => {
    const payments = Object.entries(summary.payments).filter(([tender]) => tenderKind(tender) === kind).map(([, amount]) => amount);
    const refunds = Object.entries(summary.refunds).filter(([tender]) => tenderKind(tender) === kind).map(([, amount]) => amount);
    return subtractMinor(sumMinor(...payments), sumMinor(...refunds));
  };
  return {
    ...figuresOfSummary(summary),
    tax: bucketTotal(summary.tax),
    tips: sumMinor(summary.tips, bucketTotal(summary.autoGratuities)),
    card: byKind("card"),
    cash: subtractMinor(byKind("cash"), summary.cashBack),
    feesReported: feesReportedBy(source),
  };
}

/** Clover's orders and payments carry no processing fees (they are on the merchant's statements). */
export function feesReportedBy(source: PosSource): boolean {
  return source !== "clover";
}

/** The day's summary as daybook last read it, or the sum of what was posted (older records); undefined when there is neither. */
export function daySummary(record: Pick<SyncRecord, "lastSummary" | "posted">): DailySummary | undefined {
  if (record.lastSummary) return record.lastSummary;
  if (record.posted.length === 0) return undefined;
  const first = record.posted[0]?.summary;
  if (!first || record.posted.some((entry) => entry.summary.currency !== first.currency)) return undefined;
  return record.posted.slice(1).reduce((total, entry) => addSummaries(total, entry.summary), first);
}
