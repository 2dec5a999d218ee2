/**
 * Everything of a location the mapping page lets the merchant map, item by item: each category, tender,
 * tax, service charge and non-revenue item that the POS has (pos-catalog.ts), that recent days used (the
 * sync records' summaries) or that the mapping already names, with the account it goes to now (its own,
 * or the figure's default) and the account types that fit it. An item the nightly sync saw that is
 * unmapped and was not on the page when the mapping was last saved is new. Pure.
 */
import { tenderLabel } from "../domain/journal-entry";
import { type MappedGroup, type Mapping, mappingItemKey } from "../domain/mapping";
import type { DailySummary } from "../domain/summary";
import type { QuickBooksAccount } from "../quickbooks/types";
import { type ItemGroup, suggestedItemAccount } from "./default-mapping";
import type { DefaultFigure } from "./mapping-figures";
import type { PosCatalog } from "./pos-catalog";

export type ItemGroupName = MappedGroup;

export interface ItemGroupRule {
  group: ItemGroupName;
  /** The fieldset's legend. */
  label: string;
  /** What one item's select is for: "Sales – Food", "Payments – Cash". */
  itemLabel: (name: string) => string;
  hint: string;
  /** QuickBooks AccountType values an account for an item of the group may have. */
  types: readonly string[];
  /** The form's field names for the n-th item: its account and its key. */
  field: string;
}

const INCOME = ["Income", "Other Income"] as const;

export const ITEM_GROUPS: readonly ItemGroupRule[] = [
  { group: "categories", label: "Sales by category", itemLabel: (name) => `Sales – ${name}`, field: "category", types: INCOME,
    hint: "Each category's sales (and, where returns follow categories, its returns) go to its own account, or to the default sales account." },
  { group: "tenders", label: "Payments by tender", itemLabel: (name) => `Payments – ${name}`, field: "tender", types: ["Other Current Asset", "Bank", "Other Current Liability"],
    hint: "Money taken by each tender waits in its account until it reaches the bank: cash for the deposit, cards for the payout." },
  { group: "taxes", label: "Sales tax by tax", itemLabel: (name) => `Tax – ${name}`, field: "tax", types: ["Other Current Liability"],
    hint: "Each tax collected is owed to its agency." },
  { group: "serviceCharges", label: "Service charges", itemLabel: (name) => `Service charge – ${name}`, field: "serviceCharge", types: [...INCOME, "Other Current Liability"],
    hint: "Service charges added to bills; an automatic gratuity is owed to staff, so it goes to tips unless mapped here." },
  { group: "nonRevenue", label: "Non-revenue items", itemLabel: (name) => `Non-revenue – ${name}`, field: "nonRevenue", types: ["Other Current Liability", "Other Current Asset", "Bank"],
    hint: "Items that are not sales: gift-card loads owed back in goods, deposits owed back, donations owed to a charity." },
];

const RULES = new Map(ITEM_GROUPS.map((rule) => [rule.group, rule]));
export const groupRule = (group: ItemGroupName): ItemGroupRule => RULES.get(group) ?? (ITEM_GROUPS[0] as ItemGroupRule);
export const itemField = (group: ItemGroupName, index: number) => `${groupRule(group).field}-${String(index)}`;
export const itemKeyField = (group: ItemGroupName, index: number) => `${groupRule(group).field}Key-${String(index)}`;
export const seenKey = mappingItemKey;

export interface MappingItem {
  group: ItemGroupName;
  /** The mapping's key: category id, tender key, tax or service charge name, item name. */
  key: string;
  name: string;
  /** The account the mapping names for it; undefined: the default. */
  accountId: string | undefined;
  /** Where it goes without an account of its own, and what that default is called. */
  defaultAccountId: string;
  defaultFigure: DefaultFigure;
  /** daybook's suggestion when it is not the default. */
  suggested?: string;
  /** The nightly sync saw it (recent days), it has no account of its own, and it is not among those last saved. */
  isNew: boolean;
}

export interface ItemSources {
  mapping: Mapping;
  chart: readonly QuickBooksAccount[];
  /** What the POS has; undefined when it could not be read. */
  catalog?: PosCatalog | undefined;
  /** Summaries of recent days: the nightly sync's, newest first. */
  recent: readonly DailySummary[];
  /** A day summarised for the preview (not the nightly sync's): its items are listed, never new. */
  previewed?: DailySummary | undefined;
  /** The items the mapping was last saved with (LocationConfig.mappingSeen). */
  seen?: readonly string[] | undefined;
}

type Found = Map<string, { name: string; recent: boolean; autoGratuity?: boolean }>;

function collect(): Record<ItemGroupName, Found> {
  return { categories: new Map(), tenders: new Map(), taxes: new Map(), serviceCharges: new Map(), nonRevenue: new Map() };
}

function add(found: Found, key: string, name: string, recent: boolean, extra: { autoGratuity?: boolean } = {}): void {
  const known = found.get(key);
  found.set(key, { name: known?.name ?? name, recent: (known?.recent ?? false) || recent, ...(known?.autoGratuity || extra.autoGratuity ? { autoGratuity: true } : {}) });
}

function addSummary(found: Record<ItemGroupName, Found>, summary: DailySummary, recent: boolean): void {
  for (const id of [...Object.keys(summary.sales), ...Object.keys(summary.returns)]) add(found.categories, id, summary.categoryNames[id] ?? id, recent);
  for (const tender of [...Object.keys(summary.payments), ...Object.keys(summary.refunds)]) add(found.tenders, tender, tenderLabel(tender), recent);
  for (const name of Object.keys(summary.tax)) add(found.taxes, name, name, recent);
  for (const name of Object.keys(summary.serviceCharges)) add(found.serviceCharges, name, name, recent);
  for (const name of Object.keys(summary.autoGratuities)) add(found.serviceCharges, name, name, recent, { autoGratuity: true });
  for (const name of Object.keys(summary.nonRevenue)) add(found.nonRevenue, name, name, recent);
}

const MAPPING_KEYS: Record<ItemGroupName, keyof Pick<Mapping, "categories" | "tenders" | "taxes" | "serviceCharges" | "nonRevenue">> = {
  categories: "categories", tenders: "tenders", taxes: "taxes", serviceCharges: "serviceCharges", nonRevenue: "nonRevenue",
};

function defaultFor(mapping: Mapping, group: ItemGroupName, key: string, autoGratuity: boolean): { id: string; figure: DefaultFigure } {
  const { defaults } = mapping;
  switch (group) {
    case "categories":
      return { id: defaults.sales, figure: "sales" };
    case "tenders": {
      // A noted OTHER tender goes with every OTHER tender unless mapped on its own.
      const other = key.startsWith("OTHER:") ? mapping.tenders?.["OTHER"] : undefined;
      if (other) return { id: other, figure: "tenders" };
      return key === "SQUARE_GIFT_CARD" ? { id: defaults.giftCards, figure: "giftCards" } : { id: defaults.tenders, figure: "tenders" };
    }
    case "taxes":
      return { id: defaults.tax, figure: "tax" };
    case "serviceCharges":
      return autoGratuity ? { id: defaults.tips, figure: "tips" } : { id: defaults.serviceCharges, figure: "serviceCharges" };
    case "nonRevenue":
      return { id: defaults.nonRevenue, figure: "nonRevenue" };
  }
}

const SUGGESTED_GROUPS: Partial<Record<ItemGroupName, ItemGroup>> = { tenders: "tenders", nonRevenue: "nonRevenue" };

/** Every item to map, grouped as ITEM_GROUPS, each group by name. */
export function mappingItems(sources: ItemSources): MappingItem[] {
  const found = collect();
  const { mapping, catalog } = sources;
  for (const summary of sources.recent) addSummary(found, summary, true);
  if (sources.previewed) addSummary(found, sources.previewed, false);
  if (catalog) {
    for (const category of catalog.categories) add(found.categories, category.id, category.name, false);
    for (const tender of catalog.tenders) add(found.tenders, tender.key, tenderLabel(tender.name), false);
    for (const name of catalog.taxes) add(found.taxes, name, name, false);
    for (const name of catalog.serviceCharges) add(found.serviceCharges, name, name, false);
    for (const name of catalog.nonRevenueItems) add(found.nonRevenue, name, name, false);
  }
  for (const rule of ITEM_GROUPS) {
    for (const key of Object.keys(mapping[MAPPING_KEYS[rule.group]] ?? {})) add(found[rule.group], key, rule.group === "tenders" ? tenderLabel(key) : key, false);
  }
  const seen = sources.seen ? new Set(sources.seen) : undefined;
  const items: MappingItem[] = [];
  for (const rule of ITEM_GROUPS) {
    const own = mapping[MAPPING_KEYS[rule.group]] ?? {};
    const entries = [...found[rule.group].entries()].sort(([a, x], [b, y]) => x.name.localeCompare(y.name) || a.localeCompare(b));
    for (const [key, { name, recent, autoGratuity }] of entries) {
      const fallback = defaultFor(mapping, rule.group, key, autoGratuity ?? false);
      const group = SUGGESTED_GROUPS[rule.group];
      const suggested = group ? suggestedItemAccount(sources.chart, mapping.defaults, group, key) : undefined;
      const accountId = Object.hasOwn(own, key) ? own[key] : undefined;
      items.push({
        group: rule.group, key, name, accountId, defaultAccountId: fallback.id, defaultFigure: fallback.figure,
        ...(suggested !== undefined && suggested !== fallback.id ? { suggested } : {}),
        isNew: seen !== undefined && recent && accountId === undefined && !seen.has(seenKey(rule.group, key)),
      });
    }
  }
  return items;
}

/** What to keep as LocationConfig.mappingSeen: every item the page showed. Bounded: keys are short, and a location has few. */
export const MAX_SEEN = 2000;
export function seenList(items: readonly MappingItem[]): string[] {
  return items.map((item) => seenKey(item.group, item.key)).filter((key) => key.length <= 300).slice(0, MAX_SEEN);
}
