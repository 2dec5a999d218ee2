/**
 * What a POS has to map, for the mapping page: the location's categories, tenders, taxes, service
 * charges and non-revenue items, keyed as the daily summaries key them (lib/pos/*), so a choice made on
 * the page is the mapping entry the nightly entry uses. Read-only, names and ids only.
 *
 * - Square (ListCatalog, CATEGORY and TAX objects present at the location): categories by id, taxes by
 *   name; tenders are Square's tender types (a noted OTHER tender can be mapped on its own once a day
 *   has used it); Square keeps no list of service charges (each sale names its own), and has no
 *   non-revenue items.
 * - Clover (tenders, tax_rates, default_service_charge, and the items Clover marks isRevenue: false):
 *   tenders by label, taxes and service charges by name, non-revenue items by name.
 * Both have daybook's two pseudo-categories, "Custom amounts" and "Uncategorized".
 */
import { CUSTOM_AMOUNTS, UNCATEGORIZED } from "../pos/category-ref";
import type { CloverReader } from "../pos/clover/reader";
import { pages } from "../pos/square/client";
import { SquareRequestError } from "../pos/square/errors";
import type { RawResponseCaller } from "../pos/square/raw-responses";
import * as z from "zod/mini";
import { describeIssues } from "../validation";

export interface PosCatalog {
  categories: { id: string; name: string }[];
  /** The tender's key (Square's type, Clover's label) and a name to show. */
  tenders: { key: string; name: string }[];
  taxes: string[];
  serviceCharges: string[];
  nonRevenueItems: string[];
}

/** Square's tender types a sale can be paid with (NO_SALE moves no money). */
export const SQUARE_TENDER_TYPES = ["CARD", "CASH", "WALLET", "SQUARE_GIFT_CARD", "THIRD_PARTY_CARD", "BANK_ACCOUNT", "BUY_NOW_PAY_LATER", "SQUARE_ACCOUNT", "OTHER"] as const;

const PSEUDO_CATEGORIES = [CUSTOM_AMOUNTS, UNCATEGORIZED];

const listCatalogSchema = z.object({
  objects: z.optional(z.array(z.object({
    type: z.string(),
    id: z.string(),
    is_deleted: z.optional(z.boolean()),
    present_at_all_locations: z.optional(z.boolean()),
    present_at_location_ids: z.optional(z.array(z.string())),
    absent_at_location_ids: z.optional(z.array(z.string())),
    category_data: z.optional(z.object({ name: z.optional(z.string()) })),
    tax_data: z.optional(z.object({ name: z.optional(z.string()), enabled: z.optional(z.boolean()) })),
  }))),
});

type CatalogObject = NonNullable<z.infer<typeof listCatalogSchema>["objects"]>[number];

function presentAt(object: CatalogObject, locationId: string): boolean {
  if (object.is_deleted) return false;
  if (object.present_at_all_locations === false) return (object.present_at_location_ids ?? []).includes(locationId);
  return !(object.absent_at_location_ids ?? []).includes(locationId);
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const sortedNames = (names: Iterable<string>) => [...new Set(names)].filter((name) => name.trim() !== "").sort((a, b) => a.localeCompare(b));

export async function squareCatalog(square: RawResponseCaller, locationId: string): Promise<PosCatalog> {
  const categories: { id: string; name: string }[] = [];
  const taxes: string[] = [];
  for await (const body of pages(square, "ListCatalog", (cursor) => (client) => client.catalog.list({ types: "CATEGORY,TAX", ...(cursor ? { cursor } : {}) }))) {
    const parsed = listCatalogSchema.safeParse(body);
    if (!parsed.success) throw new SquareRequestError(describeIssues(parsed.error, "Square's answer to ListCatalog"), "bug");
    for (const object of parsed.data.objects ?? []) {
      if (!presentAt(object, locationId)) continue;
      if (object.type === "CATEGORY") categories.push({ id: object.id, name: object.category_data?.name ?? object.id });
      if (object.type === "TAX" && object.tax_data?.enabled !== false && object.tax_data?.name) taxes.push(object.tax_data.name);
    }
  }
  return {
    categories: [...categories.sort(byName), ...PSEUDO_CATEGORIES],
    tenders: SQUARE_TENDER_TYPES.map((key) => ({ key, name: key })),
    taxes: sortedNames(taxes),
    serviceCharges: [],
    nonRevenueItems: [],
  };
}

export async function cloverCatalog(clover: CloverReader): Promise<PosCatalog> {
  const [tenders, taxRates, serviceCharge, categories] = await Promise.all([clover.tenders(), clover.taxRates(), clover.defaultServiceCharge(), clover.categories()]);
  const nonRevenue: string[] = [];
  for await (const page of clover.itemPages()) {
    for (const item of (page as { elements?: { name?: unknown; isRevenue?: unknown; deletedTime?: unknown; deleted?: unknown }[] }).elements ?? []) {
      if (item.isRevenue === false && typeof item.name === "string" && item.deletedTime === undefined && item.deleted !== true) nonRevenue.push(item.name);
    }
  }
  return {
    categories: [...categories.sort(byName), ...PSEUDO_CATEGORIES],
    tenders: sortedNames(tenders).map((label) => ({ key: label, name: label })),
    taxes: sortedNames(taxRates),
    serviceCharges: serviceCharge ? [serviceCharge] : [],
    nonRevenueItems: sortedNames(nonRevenue),
  };
}
