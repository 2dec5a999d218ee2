/**
 * How the Clover reader gets COMPLETE orders (reader.ts) within Clover's request limits
 * (reference/clover.md §2.1): at most 3 expanded fields per call, and nested collections cut at 100.
 *
 * A complete order needs eight expansions, so the same list request is made three times, each with
 * one of ORDER_EXPANSION_GROUPS, and the three copies of each order are merged: each copy brings the
 * top-level fields its group expands. A dotted path expands its parent too (Clover's own example is
 * `expand=lineItems.taxRates`), so `lineItems.discounts` brings the line items themselves. Payments'
 * card details (`payments.cardTransaction`) are left unexpanded on purpose: daybook needs no card data.
 *
 * The copies are merged only when they are of one version (the same modifiedTime). An order that
 * changed between the three requests, or that paging shifted into another page, is fetched again by
 * id in the same three ways. An order whose line items reached the cap of 100 gets them all from
 * `/orders/{id}/line_items`, which pages.
 */
import type { Query } from "./http";
import { CloverRequestError } from "./errors";

export type JsonObject = Record<string, unknown>;

export const ORDER_EXPANSION_GROUPS: readonly (readonly string[])[] = [
  ["lineItems.discounts", "lineItems.modifications", "lineItems.taxRates"],
  ["payments.tender", "refunds.overrideMerchantTender", "credits.tender"],
  ["discounts", "serviceCharge"],
];

/** What the line items of an order need when they are fetched on their own: the same as lineItems.* above. */
const LINE_ITEM_EXPANSIONS = ["discounts", "modifications", "taxRates"];

const NESTED_COLLECTION_CAP = 100;
const LINE_ITEM_PAGE_LIMIT = 1000;
/** Tries to read an order in one version before giving up on it for this run. */
const VERSION_ATTEMPTS = 3;

/** The top-level fields a group expands, e.g. payments, refunds and credits. */
const fieldsOf = (group: readonly string[]): string[] => [...new Set(group.map((path) => path.split(".")[0] ?? path))];
const GROUP_FIELDS = ORDER_EXPANSION_GROUPS.map(fieldsOf);

export const expandQuery = (paths: readonly string[]): Query => [["expand", paths.join(",")]];

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function elementsOf(value: unknown): unknown[] {
  const elements = isObject(value) ? value["elements"] : undefined;
  return Array.isArray(elements) ? elements : [];
}

const idOf = (order: JsonObject): string => String(order["id"]);

/** Copies of one order, one per expansion group, in the groups' order. */
export type OrderCopies = readonly JsonObject[];

function sameVersion(copies: OrderCopies): boolean {
  const version = copies[0]?.["modifiedTime"];
  for (let i = 1; i < copies.length; i++) if ((copies[i] as JsonObject)["modifiedTime"] !== version) return false;
  return true;
}

/**
 * One order from its copies: the fields no group expands from the first, each group's fields from its
 * own copy; one the first copy holds but its own group's copy lacks is taken out. Made IN the first
 * copy, which becomes the order: every copy is parsed for this merge alone and read by nothing else
 * (a clone per order was most of the assembly's garbage).
 */
function mergeCopies(copies: OrderCopies): JsonObject {
  const merged = copies[0] as JsonObject;
  for (let group = 1; group < GROUP_FIELDS.length; group++) {
    const copy = copies[group];
    const fields = GROUP_FIELDS[group] as string[];
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as string;
      const value = copy?.[field];
      if (value !== undefined) merged[field] = value;
      else if (field in merged) Reflect.deleteProperty(merged, field);
    }
  }
  return merged;
}

const CUT_CANDIDATES = ["discounts", "payments", "refunds", "credits"];

/** How many elements an envelope holds (elementsOf's length, without making a list where there is none). */
function countOf(value: unknown): number {
  const elements = isObject(value) ? value["elements"] : undefined;
  return Array.isArray(elements) ? elements.length : 0;
}

/**
 * Whether any nested collection came back full (cutCollections names them): most orders have none, and
 * are checked without allocating. The fields are CUT_CANDIDATES and LINE_ITEM_EXPANSIONS, read by name
 * (a read by a name held in a variable is a slower, generic lookup, and every order comes here).
 */
function anyFull(order: JsonObject): boolean {
  if (countOf(order["discounts"]) >= NESTED_COLLECTION_CAP || countOf(order["payments"]) >= NESTED_COLLECTION_CAP ||
    countOf(order["refunds"]) >= NESTED_COLLECTION_CAP || countOf(order["credits"]) >= NESTED_COLLECTION_CAP) return true;
  const lines = elementsOf(order["lineItems"]);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!isObject(line)) continue;
    if (countOf(line["discounts"]) >= NESTED_COLLECTION_CAP || countOf(line["modifications"]) >= NESTED_COLLECTION_CAP ||
      countOf(line["taxRates"]) >= NESTED_COLLECTION_CAP) return true;
  }
  return false;
}

/** Nested collections other than the line items that came back full, so may have been cut. */
function cutCollections(order: JsonObject): string[] {
  const full = (value: unknown) => elementsOf(value).length >= NESTED_COLLECTION_CAP;
  const cut = CUT_CANDIDATES.filter((field) => full(order[field]));
  elementsOf(order["lineItems"]).forEach((line, i) => {
    for (const field of LINE_ITEM_EXPANSIONS) if (isObject(line) && full(line[field])) cut.push(`lineItems[${i}].${field}`);
  });
  return cut;
}

export interface OrderFetcher {
  /** GET of a merchant-relative path, e.g. `/orders/X`; the parsed, checked body. */
  getObject(operation: string, path: string, query: Query): Promise<JsonObject>;
  /** GET of a list; its `elements`. */
  getList(operation: string, path: string, query: Query): Promise<JsonObject[]>;
}

/** An order read by id in one version; undefined when it is gone (deleted since it was listed). */
async function fetchWholeOrder(api: OrderFetcher, orderId: string): Promise<JsonObject | undefined> {
  const path = `/orders/${encodeURIComponent(orderId)}`;
  for (let attempt = 1; attempt <= VERSION_ATTEMPTS; attempt++) {
    let copies: JsonObject[];
    try {
      copies = await Promise.all(ORDER_EXPANSION_GROUPS.map((group) => api.getObject("GetOrder", path, expandQuery(group))));
    } catch (error) {
      if (error instanceof CloverRequestError && error.status === 404) return undefined;
      throw error;
    }
    if (sameVersion(copies)) return mergeCopies(copies);
  }
  throw new CloverRequestError(`A Clover order kept changing while it was read (${VERSION_ATTEMPTS} times); try again later.`, "retryable");
}

async function fetchAllLineItems(api: OrderFetcher, orderId: string): Promise<JsonObject[]> {
  const path = `/orders/${encodeURIComponent(orderId)}/line_items`;
  const lines: JsonObject[] = [];
  for (let offset = 0; ; offset += LINE_ITEM_PAGE_LIMIT) {
    const page = await api.getList("ListOrderLineItems", path, [
      ...expandQuery(LINE_ITEM_EXPANSIONS), ["limit", String(LINE_ITEM_PAGE_LIMIT)], ["offset", String(offset)],
    ]);
    lines.push(...page);
    if (page.length < LINE_ITEM_PAGE_LIMIT) return lines;
  }
}

/** The order, once none of the collections Clover cannot page came back cut. */
function checkedWhole(order: JsonObject): JsonObject {
  if (!anyFull(order)) return order;
  const cut = cutCollections(order);
  if (cut.length > 0) {
    throw new CloverRequestError(
      `A Clover order has ${NESTED_COLLECTION_CAP} or more entries in ${cut.join(", ")}, where Clover stops at ${NESTED_COLLECTION_CAP}; daybook cannot read all of them.`,
      "bug",
    );
  }
  return order;
}

/**
 * Whether the pages of one step list the same orders in the same places, each once, as they do
 * unless an order changed or moved between the three requests: then each order's copies are found by
 * place, without a lookup by id per copy.
 */
function inStep(pages: readonly (readonly JsonObject[])[]): boolean {
  const [first] = pages;
  if (!first || pages.length !== ORDER_EXPANSION_GROUPS.length || pages.some((page) => page.length !== first.length)) return false;
  const ids = new Set<string>();
  for (let i = 0; i < first.length; i++) {
    const id = idOf(first[i] as JsonObject);
    for (let group = 1; group < pages.length; group++) if (idOf((pages[group] as JsonObject[])[i] as JsonObject) !== id) return false;
    if (ids.has(id)) return false;
    ids.add(id);
  }
  return true;
}

/** Each order's copies by id, wherever they are on the pages, in the order of their first appearance. */
function copiesByIdOf(pages: readonly (readonly JsonObject[])[], skip: ReadonlySet<string>): Map<string, (JsonObject | undefined)[]> {
  const copiesById = new Map<string, (JsonObject | undefined)[]>();
  pages.forEach((page, group) => {
    for (const order of page) {
      const id = idOf(order);
      if (skip.has(id)) continue;
      let copies = copiesById.get(id);
      if (!copies) copiesById.set(id, (copies = new Array<JsonObject | undefined>(ORDER_EXPANSION_GROUPS.length).fill(undefined)));
      copies[group] = order;
    }
  });
  return copiesById;
}

/**
 * The complete orders of one page step: `pages[g]` is the page the list request with
 * ORDER_EXPANSION_GROUPS[g] returned at one offset. Orders in `skip` (already handed on) are left out;
 * the rest come in the order of the first page.
 */
export async function assembleOrders(api: OrderFetcher, pages: readonly (readonly JsonObject[])[], skip: ReadonlySet<string>): Promise<JsonObject[]> {
  // Most orders come whole from the three pages and need no request: they are merged here and now,
  // and only the others wait for Clover (all at once).
  const orders: (JsonObject | Promise<JsonObject | undefined>)[] = [];
  let waiting = false;
  /** Whether the order waits for Clover. */
  const add = (id: string, copies: readonly (JsonObject | undefined)[]): boolean => {
    const whole = !copies.includes(undefined) && sameVersion(copies as JsonObject[]);
    const merged = whole ? mergeCopies(copies as JsonObject[]) : undefined;
    if (merged && !needsMore(merged)) {
      orders.push(merged);
      return false;
    }
    orders.push(refetched(api, id, merged));
    return true;
  };
  if (inStep(pages)) {
    // Each order's copies by place, in the first page's order, gathered in one list reused order by order.
    const copies = new Array<JsonObject | undefined>(pages.length);
    const [first = []] = pages;
    for (let i = 0; i < first.length; i++) {
      const id = idOf(first[i] as JsonObject);
      if (skip.has(id)) continue;
      for (let group = 0; group < pages.length; group++) copies[group] = (pages[group] as JsonObject[])[i];
      if (add(id, copies)) waiting = true;
    }
  } else {
    for (const [id, copies] of copiesByIdOf(pages, skip)) if (add(id, copies)) waiting = true;
  }
  const settled = waiting ? await Promise.all(orders.map((order) => Promise.resolve(order))) : (orders as JsonObject[]);
  const checked: JsonObject[] = [];
  for (const order of settled) if (order !== undefined) checked.push(checkedWhole(order));
  return checked;
}

/** An order merged from one version's copies that is still not whole: it has as many line items as Clover returns at most. */
const needsMore = (order: JsonObject): boolean => countOf(order["lineItems"]) >= NESTED_COLLECTION_CAP;

/** Read by id where the copies were not of one version; all of its line items where they reached the cap. */
async function refetched(api: OrderFetcher, id: string, merged: JsonObject | undefined): Promise<JsonObject | undefined> {
  const whole = merged ?? (await fetchWholeOrder(api, id));
  if (!whole || !needsMore(whole)) return whole;
  const lineItems = isObject(whole["lineItems"]) ? whole["lineItems"] : {};
  return { ...whole, lineItems: { ...lineItems, elements: await fetchAllLineItems(api, id) } };
}
