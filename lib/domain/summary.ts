/**
 * The daily summary of one POS location's business day: only aggregates, never an order, a payment,
 * a customer or a card. Amounts are signed minor units of `currency`. Adjustments are differences of
 * summaries, so the arithmetic here is the whole of "what changed since we posted".
 */
import { createHash } from "node:crypto";
import { assertMinorUnits, subtractMinor, sumMinor } from "./money";

/** Amounts keyed by a POS identifier (category id, tax name, tender type, ...). */
export type Buckets = Record<string, number>;

export interface DailySummary {
  currency: string;
  /** Gross item + modifier sales before discounts, excluding tax, tips and gift-card loads, by category id. */
  sales: Buckets;
  /** Gross returned item amounts (pre-tax, before discounts), by category id. */
  returns: Buckets;
  /** Display names of the category ids used in sales and returns. */
  categoryNames: Record<string, string>;
  /** Discounts given on sales minus the discounts carried back by returns. */
  discounts: number;
  /** Service charges (excluding their tax), by name. */
  serviceCharges: Buckets;
  /** Automatic gratuities charged as service charges, by name: tips unless mapped otherwise. */
  autoGratuities: Buckets;
  /** Tax collected minus tax refunded, by tax name. */
  tax: Buckets;
  tips: number;
  /** Money taken for gift-card loads: a liability, not revenue. */
  giftCardSales: number;
  /** Items the POS flags as not revenue (deposits, donations), by item name. */
  nonRevenue: Buckets;
  /** Money collected, by tender type or label. */
  payments: Buckets;
  /** Money given back, by the tender refunded. */
  refunds: Buckets;
  /**
   * Cash handed out with card payments (Clover's cash back): it is inside those card payments and left
   * the cash drawer, so the cash tender is credited with it. Not revenue.
   */
  cashBack: number;
  /** Signed sum of processing fees on the day's payments and refunds. */
  fees: number;
  /** Cash rounding adjustments. */
  rounding: number;
}

export const SCALAR_FIELDS = ["discounts", "tips", "giftCardSales", "cashBack", "fees", "rounding"] as const;
export const BUCKET_FIELDS = [
  "sales", "returns", "serviceCharges", "autoGratuities", "tax", "nonRevenue", "payments", "refunds",
] as const;

export type ScalarField = (typeof SCALAR_FIELDS)[number];
export type BucketField = (typeof BUCKET_FIELDS)[number];

export class SummaryError extends Error {
  override name = "SummaryError";
}

export function emptySummary(currency: string): DailySummary {
  return {
    currency, sales: {}, returns: {}, categoryNames: {}, discounts: 0, serviceCharges: {}, autoGratuities: {},
    tax: {}, tips: 0, giftCardSales: 0, nonRevenue: {}, payments: {}, refunds: {}, cashBack: 0, fees: 0, rounding: 0,
  };
}

export function addToBucket(buckets: Buckets, key: string, amount: number): void {
  // sumMinor's two checks, without its list of arguments: every line of every order comes here.
  buckets[key] = assertMinorUnits(assertMinorUnits(buckets[key] ?? 0) + assertMinorUnits(amount), "sum");
}

export function bucketTotal(buckets: Buckets): number {
  return sumMinor(...Object.values(buckets));
}

function combine(a: DailySummary, b: DailySummary, sign: 1 | -1): DailySummary {
  if (a.currency !== b.currency) {
    throw new SummaryError(`cannot combine a ${a.currency} summary with a ${b.currency} summary`);
  }
  const result = emptySummary(a.currency);
  for (const field of SCALAR_FIELDS) {
    result[field] = sign === 1 ? sumMinor(a[field], b[field]) : subtractMinor(a[field], b[field]);
  }
  for (const field of BUCKET_FIELDS) {
    const keys = new Set([...Object.keys(a[field]), ...Object.keys(b[field])]);
    for (const key of keys) {
      const left = a[field][key] ?? 0;
      const right = b[field][key] ?? 0;
      const value = sign === 1 ? sumMinor(left, right) : subtractMinor(left, right);
      if (value !== 0) result[field][key] = value;
    }
  }
  result.categoryNames = { ...a.categoryNames, ...b.categoryNames };
  return normaliseSummary(result);
}

export function addSummaries(a: DailySummary, b: DailySummary): DailySummary {
  return combine(a, b, 1);
}

/** a − b: what must be posted so that b plus the result equals a. */
export function subtractSummaries(a: DailySummary, b: DailySummary): DailySummary {
  return combine(a, b, -1);
}

/** Drops zero buckets and names of unused categories, and sorts keys, so equal days compare equal. */
export function normaliseSummary(summary: DailySummary): DailySummary {
  const sortBuckets = (buckets: Buckets): Buckets =>
    Object.fromEntries(
      Object.entries(buckets)
        .filter(([, amount]) => assertMinorUnits(amount) !== 0)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  const result: DailySummary = { ...summary };
  for (const field of BUCKET_FIELDS) result[field] = sortBuckets(summary[field]);
  for (const field of SCALAR_FIELDS) assertMinorUnits(summary[field], field);
  const usedCategories = new Set([...Object.keys(result.sales), ...Object.keys(result.returns)]);
  result.categoryNames = Object.fromEntries(
    Object.entries(summary.categoryNames)
      .filter(([id]) => usedCategories.has(id))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return result;
}

export function isEmptySummary(summary: DailySummary): boolean {
  return (
    SCALAR_FIELDS.every((field) => summary[field] === 0) &&
    BUCKET_FIELDS.every((field) => Object.values(summary[field]).every((amount) => amount === 0))
  );
}

/** Net sales: gross − discounts − returns. */
export function netSales(summary: DailySummary): number {
  return subtractMinor(subtractMinor(bucketTotal(summary.sales), summary.discounts), bucketTotal(summary.returns));
}

/**
 * What ACCOUNTING.md's identity leaves over, in minor units:
 * (Σ payments − Σ refunds − cash back) − (gross − discounts − returns + service charges + tax + tips +
 * gift card sales + non-revenue + rounding). Zero for consistent POS data. Cash back is inside the card
 * payments and went out of the drawer again, so it is not money the sales explain.
 */
export function identityResidual(summary: DailySummary): number {
  const collected = subtractMinor(subtractMinor(bucketTotal(summary.payments), bucketTotal(summary.refunds)), summary.cashBack);
  const explained = sumMinor(
    netSales(summary),
    bucketTotal(summary.serviceCharges),
    bucketTotal(summary.autoGratuities),
    bucketTotal(summary.tax),
    summary.tips,
    summary.giftCardSales,
    bucketTotal(summary.nonRevenue),
    summary.rounding,
  );
  return subtractMinor(collected, explained);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 of the summary's canonical JSON: the same figures always give the same hash. A day without
 * cash back hashes as it did before the figure existed, so entries posted then still match.
 */
export function summaryHash(summary: DailySummary): string {
  const { cashBack, ...rest } = normaliseSummary(summary);
  return createHash("sha256").update(canonicalJson(cashBack === 0 ? rest : { ...rest, cashBack })).digest("hex");
}
