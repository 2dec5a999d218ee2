/**
 * The account mapping: which QuickBooks account each figure of the daily summary is posted to.
 * Values are QuickBooks Account Ids. The same shape is stored by the web pages and exported.
 */
import * as z from "zod/mini";
import { describeIssues } from "../validation";

const accountId = z.string().check(
  z.regex(/^\d{1,20}$/, 'must be a QuickBooks account Id: digits only, e.g. "79"'),
);
// Each optional kind made once and shared (a zod schema is immutable).
const optionalAccountId = z.optional(accountId);
const accountsByKey = z.record(z.string().check(z.minLength(1), z.maxLength(255)), accountId);
const optionalAccountsByKey = z.optional(accountsByKey);

export const DEFAULT_HOLD_TOLERANCE = 100;

/** The groups of items the mapping page lists one by one (Mapping's own maps). */
export type MappedGroup = "categories" | "tenders" | "taxes" | "serviceCharges" | "nonRevenue";
/** An item of the mapping page as LocationConfig.mappingSeen keeps it: "tenders:CARD". */
export const mappingItemKey = (group: MappedGroup, key: string) => `${group}:${key}`;

/**
 * Where Square payouts are posted (docs/accounting.md, "Payouts"); without this section none is. Card
 * clearing is the CARD tender's account. Fees fall back to `defaults.fees`; disputes, loan and savings
 * to `other`, and `other` to `defaults.overShort`, each with a warning.
 */
export const payoutMappingSchema = z.strictObject({
  /** The bank account the location's payouts arrive in. */
  bank: accountId,
  /** Fees daybook never posted from the daily entries: instant-deposit, gift-card-load, subscription fees. */
  fees: optionalAccountId,
  /** Chargebacks (DISPUTE, OPEN_DISPUTE). */
  disputes: optionalAccountId,
  /** The Square Capital loan liability (SQUARE_CAPITAL_PAYMENT). */
  loan: optionalAccountId,
  /** Where automatic transfers to Square Savings go (a savings or transfer account). */
  savings: optionalAccountId,
  /** Any other activity type. */
  other: optionalAccountId,
});
export type PayoutMapping = z.infer<typeof payoutMappingSchema>;

export const mappingSchema = z.strictObject({
  defaults: z.strictObject({
    sales: accountId,
    discounts: accountId,
    returns: accountId,
    serviceCharges: accountId,
    tax: accountId,
    tips: accountId,
    giftCards: accountId,
    nonRevenue: accountId,
    tenders: accountId,
    fees: accountId,
    rounding: accountId,
    overShort: accountId,
  }),
  categories: optionalAccountsByKey,
  tenders: optionalAccountsByKey,
  taxes: optionalAccountsByKey,
  serviceCharges: optionalAccountsByKey,
  /** Non-revenue items (deposits, donations, gift-card loads) by item name; the rest go to defaults.nonRevenue. */
  nonRevenue: optionalAccountsByKey,
  returnsToCategoryAccounts: z.optional(z.boolean()),
  holdTolerance: z.optional(z.int().check(z.nonnegative())),
  payouts: z.optional(payoutMappingSchema),
});

export type Mapping = z.infer<typeof mappingSchema>;

/** Whether a location posts its payouts: a Square location whose mapping has the payouts section. */
export function postsPayouts(location: { source: string; mapping: Pick<Mapping, "payouts"> }): boolean {
  return location.source === "square" && location.mapping.payouts !== undefined;
}

export class MappingError extends Error {
  override name = "MappingError";
}

/**
 * The account a non-revenue item goes to: the mapping's entry for its name (matched as written, else
 * ignoring case and surrounding spaces), else the default.
 */
export function nonRevenueAccount(mapping: Mapping, item: string): string {
  const byItem = mapping.nonRevenue ?? {};
  const exact = byItem[item];
  if (exact) return exact;
  const wanted = item.trim().toLowerCase();
  const loose = Object.entries(byItem).find(([name]) => name.trim().toLowerCase() === wanted);
  return loose?.[1] ?? mapping.defaults.nonRevenue;
}

export function parseMapping(input: unknown): Mapping {
  const result = mappingSchema.safeParse(input);
  if (!result.success) throw new MappingError(describeIssues(result.error, "the mapping"));
  return result.data;
}
