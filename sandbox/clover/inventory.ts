/**
 * The inventory endpoints of the Clover simulator (reference/clover.md §2.5): items (categories
 * expandable) and the categories they belong to; and the merchant's setup lists: tenders, tax rates and
 * the default service charge (set with CloverData.setSetup, else read out of the merchant's orders). Like Clover, a list leaves deleted objects out unless
 * it filters on `deleted` (`filter=deleted=true` lists only the deleted ones), so a client wanting the
 * items sold before a deletion asks twice.
 */
import { CATEGORY_EXPANSIONS, capNestedCollections, elementsOf, ITEM_EXPANSIONS, type JsonObject, render } from "./expansion";
import { type ListAnswer, listAnswer, type ListQuery, type ListRules, matchesAll, pageOf, parseListQuery } from "./list-query";
import type { CloverData } from "./store";

const ITEM_LIST_RULES: ListRules = {
  filterFields: ["id", "name", "modifiedTime", "deleted", "hidden", "isRevenue", "price", "sku", "code"],
  expansions: ITEM_EXPANSIONS,
  ninetyDayLimit: false,
};

const CATEGORY_LIST_RULES: ListRules = {
  filterFields: ["modifiedTime", "deleted", "sortOrder", "name", "colorCode", "id"],
  expansions: CATEGORY_EXPANSIONS,
  ninetyDayLimit: false,
};

const isDeleted = (body: JsonObject): boolean => body["deleted"] === true || typeof body["deletedTime"] === "number";

function visible(bodies: readonly JsonObject[], query: ListQuery): JsonObject[] {
  const asksAboutDeleted = query.filters.some((filter) => filter.field === "deleted");
  return bodies.filter((body) => {
    const deleted = isDeleted(body);
    if (!asksAboutDeleted && deleted) return false;
    return matchesAll({ ...body, deleted }, query.filters);
  });
}

export function listItems(data: CloverData, merchantId: string, params: URLSearchParams, href: string): ListAnswer {
  const query = parseListQuery(params, ITEM_LIST_RULES, 0);
  const page = pageOf(visible(data.itemsOf(merchantId), query), query);
  return listAnswer(page.map((item) => capNestedCollections(render(item, ITEM_EXPANSIONS, query.expand))), ITEM_LIST_RULES, href);
}

/** The categories the merchant's items name, each with references to its items, by sortOrder then id. */
function categoriesOf(data: CloverData, merchantId: string): JsonObject[] {
  const categories = new Map<string, { body: JsonObject; items: { id: string }[] }>();
  for (const item of data.itemsOf(merchantId)) {
    for (const category of elementsOf(item["categories"])) {
      const id = category["id"];
      if (typeof id !== "string") continue;
      const entry = categories.get(id) ?? { body: category, items: [] };
      entry.items.push({ id: item.id });
      categories.set(id, entry);
    }
  }
  const sortOrder = (body: JsonObject) => Number(body["sortOrder"] ?? 0);
  return [...categories.values()]
    .map(({ body, items }): JsonObject => ({ ...body, items: { elements: items } }))
    .sort((a, b) => sortOrder(a) - sortOrder(b) || String(a["id"]).localeCompare(String(b["id"])));
}

export function listCategories(data: CloverData, merchantId: string, params: URLSearchParams, href: string): ListAnswer {
  const query = parseListQuery(params, CATEGORY_LIST_RULES, 0);
  const page = pageOf(visible(categoriesOf(data, merchantId), query), query);
  return listAnswer(page.map((category) => capNestedCollections(render(category, CATEGORY_EXPANSIONS, query.expand))), CATEGORY_LIST_RULES, href);
}

const SETUP_LIST_RULES: ListRules = { filterFields: ["id", "name", "label", "enabled"], expansions: {}, ninetyDayLimit: false };

/** Distinct bodies by id, in first-seen order. */
function distinct(bodies: Iterable<JsonObject>): JsonObject[] {
  const byId = new Map<string, JsonObject>();
  for (const body of bodies) if (typeof body["id"] === "string" && !byId.has(body["id"])) byId.set(body["id"], body);
  return [...byId.values()];
}

function* orderTenders(data: CloverData, merchantId: string): Generator<JsonObject> {
  for (const order of data.ordersOf(merchantId)) {
    for (const field of ["payments", "refunds", "credits"]) {
      for (const entry of elementsOf(order[field])) {
        const tender = entry["tender"] ?? (field === "refunds" ? entry["overrideMerchantTender"] : undefined);
        if (tender && typeof tender === "object") yield { enabled: true, ...(tender as JsonObject) };
      }
    }
  }
}

function* orderTaxRates(data: CloverData, merchantId: string): Generator<JsonObject> {
  for (const order of data.ordersOf(merchantId)) {
    for (const line of elementsOf(order["lineItems"])) yield* elementsOf(line["taxRates"]);
  }
}

export function listTenders(data: CloverData, merchantId: string, params: URLSearchParams, href: string): ListAnswer {
  const query = parseListQuery(params, SETUP_LIST_RULES, 0);
  const tenders = (data.setupOf(merchantId).tenders as JsonObject[] | undefined) ?? distinct(orderTenders(data, merchantId));
  return listAnswer(pageOf(tenders.filter((body) => matchesAll(body, query.filters)), query), SETUP_LIST_RULES, href);
}

export function listTaxRates(data: CloverData, merchantId: string, params: URLSearchParams, href: string): ListAnswer {
  const query = parseListQuery(params, SETUP_LIST_RULES, 0);
  const rates = (data.setupOf(merchantId).taxRates as JsonObject[] | undefined) ?? distinct(orderTaxRates(data, merchantId));
  return listAnswer(pageOf(rates.filter((body) => matchesAll(body, query.filters)), query), SETUP_LIST_RULES, href);
}

/** GET /default_service_charge: the merchant's service charge, or an empty object when it has none. */
export function defaultServiceCharge(data: CloverData, merchantId: string): JsonObject {
  const set = data.setupOf(merchantId).defaultServiceCharge;
  if (set !== undefined) return (set as JsonObject | null) ?? {};
  for (const order of data.ordersOf(merchantId)) {
    const charge = order["serviceCharge"];
    if (charge && typeof charge === "object") return charge as JsonObject;
  }
  return {};
}
