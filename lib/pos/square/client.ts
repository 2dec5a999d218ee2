/**
 * The SquareReader (reader.ts) on the official `square` SDK: the day's orders in two SearchOrders
 * passes, the catalog objects they name, and the day's payments and refunds, all as raw bodies
 * (raw-responses.ts says how and why).
 *
 * Orders (reference/square.md §2.2, §3): pass 1 asks for COMPLETED orders closed in the window; pass 2
 * asks for OPEN and COMPLETED orders updated from the window's start until 4 days after its end (never
 * past now), which catches orders paid but still OPEN, orders closed after the window, and offline
 * orders that arrived late. Square's time ranges include both ends, so the window's end is sent as
 * end − 1 ms. Each order id is yielded once: pass 2 drops what pass 1 gave, and repeats a cursor walk
 * can produce when an order is updated while it pages.
 */
import type { Square } from "square";
import { isTimeZone } from "../../domain/business-day";
import { describeIssues } from "../../validation";
import type { SquareCatalog } from "./catalog";
import { SquareRequestError } from "./errors";
import { createRawResponseCaller, type JsonObject, type RawResponseCaller, type SdkCall } from "./raw-responses";
import type { DayWindow, SquareLocationInfo, SquareReader } from "./reader";
import { retrieveLocationSchema } from "./schemas";

export interface SquareReaderOptions {
  /** https://connect.squareup.com, https://connect.squareupsandbox.com, or a simulator. */
  baseUrl: string;
  /** The merchant's current access token; asked for before every request, so a refreshed token is picked up. */
  accessToken: () => Promise<string>;
  /** Per request, default 30 s. */
  timeoutMs?: number;
  /** Retries of one request, default 3 (raw-responses.ts says which failures). */
  maxRetries?: number;
  now?: () => number;
}

const ORDER_PAGE_LIMIT = 1000;
const PAYMENT_PAGE_LIMIT = 100;
/** Square documents no maximum for BatchRetrieveCatalogObjects; 100 ids stays far from any. */
const CATALOG_BATCH_SIZE = 100;
const LATE_ORDER_MARGIN_MS = 4 * 86_400_000;

const iso = (ms: number): string => new Date(ms).toISOString();

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectsAt(value: unknown, field: string): JsonObject[] {
  const list = isObject(value) ? value[field] : undefined;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/**
 * A SearchOrders page without the orders whose ids `seen` holds, their ids added to it: the page itself
 * when none was seen (as most are), a copy with the others, or undefined when every one was. Anything
 * in the list that is not an order with a string id is left for the summariser's check to name. One
 * look-up per order (add, then the set's size says whether it was there), a busy day has 100k of them.
 */
export function withoutOrdersSeen(page: JsonObject, seen: Set<string>): JsonObject | undefined {
  const orders = page["orders"];
  if (!Array.isArray(orders)) return page;
  let kept: unknown[] | undefined;
  for (let i = 0; i < orders.length; i++) {
    const order: unknown = orders[i];
    const id = isObject(order) ? order["id"] : undefined;
    const before = seen.size;
    const isNew = typeof id !== "string" || seen.add(id).size > before;
    if (kept) {
      if (isNew) kept.push(order);
    } else if (!isNew) {
      kept = orders.slice(0, i);
    }
  }
  if (!kept) return page;
  return kept.length > 0 ? { ...page, orders: kept } : undefined;
}

function cursorOf(body: JsonObject): string | undefined {
  const cursor = body["cursor"];
  return typeof cursor === "string" && cursor !== "" ? cursor : undefined;
}

/** Pages of one query: the same request each time, plus the cursor of the page before. */
export async function* pages(square: RawResponseCaller, operation: string, request: (cursor: string | undefined) => SdkCall): AsyncGenerator<JsonObject> {
  let cursor: string | undefined;
  do {
    const body = await square.call(operation, request(cursor));
    yield body;
    const next = cursorOf(body);
    if (next !== undefined && next === cursor) {
      throw new SquareRequestError(`Square returned the same ${operation} cursor twice; stopping rather than looping.`, "bug");
    }
    cursor = next;
  } while (cursor !== undefined);
}

/** Variation ids the sold and returned lines of an order page name (custom amounts and gift cards need none). */
function variationIdsOf(orderPage: unknown): string[] {
  const ids = new Set<string>();
  for (const order of objectsAt(orderPage, "orders")) {
    const lines = [...objectsAt(order, "line_items"), ...objectsAt(order, "returns").flatMap((r) => objectsAt(r, "return_line_items"))];
    for (const line of lines) {
      const id = line["catalog_object_id"];
      if (typeof id === "string" && id !== "" && line["item_type"] !== "CUSTOM_AMOUNT" && line["item_type"] !== "GIFT_CARD") ids.add(id);
    }
  }
  return [...ids];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** The SDK caller every Square reader uses, with the defaults above (30 s, 3 retries). */
export function squareCaller(options: SquareReaderOptions): RawResponseCaller {
  return createRawResponseCaller({
    baseUrl: options.baseUrl,
    accessToken: options.accessToken,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
  });
}

export function createSquareReader(options: SquareReaderOptions): SquareReader {
  const square = squareCaller(options);
  const now = options.now ?? Date.now;
  /** Catalog ids already asked for, per catalog being filled, so nothing is fetched twice in a run. */
  const askedFor = new WeakMap<SquareCatalog, Set<string>>();

  function searchOrders(request: Square.SearchOrdersRequest): AsyncGenerator<JsonObject> {
    return pages(square, "SearchOrders", (cursor) => (client) => client.orders.search(cursor ? { ...request, cursor } : request));
  }

  async function* orderPages(locationId: string, window: DayWindow): AsyncGenerator<JsonObject> {
    const closedInWindow: Square.SearchOrdersRequest = {
      locationIds: [locationId],
      limit: ORDER_PAGE_LIMIT,
      query: {
        filter: {
          stateFilter: { states: ["COMPLETED"] },
          dateTimeFilter: { closedAt: { startAt: iso(window.startMs), endAt: iso(window.endMs - 1) } },
        },
        sort: { sortField: "CLOSED_AT", sortOrder: "ASC" },
      },
    };
    const updatedEnd = Math.min(now(), window.endMs + LATE_ORDER_MARGIN_MS);
    const updatedSinceStart: Square.SearchOrdersRequest = {
      locationIds: [locationId],
      limit: ORDER_PAGE_LIMIT,
      query: {
        filter: {
          stateFilter: { states: ["OPEN", "COMPLETED"] },
          dateTimeFilter: { updatedAt: { startAt: iso(window.startMs), endAt: iso(updatedEnd) } },
        },
        sort: { sortField: "UPDATED_AT", sortOrder: "ASC" },
      },
    };
    yield* eachOrderOnce(updatedEnd >= window.startMs ? [closedInWindow, updatedSinceStart] : [closedInWindow]);
  }

  /** The pages of the searches, in turn, with each order id handed on once. */
  async function* eachOrderOnce(requests: Square.SearchOrdersRequest[]): AsyncGenerator<JsonObject> {
    const yielded = new Set<string>();
    for (const request of requests) {
      for await (const page of searchOrders(request)) {
        const fresh = withoutOrdersSeen(page, yielded);
        if (fresh) yield fresh;
      }
    }
  }

  function changedOrderPages(locationId: string, sinceMs: number): AsyncGenerator<JsonObject> {
    return eachOrderOnce([{
      locationIds: [locationId],
      limit: ORDER_PAGE_LIMIT,
      query: {
        filter: {
          stateFilter: { states: ["OPEN", "COMPLETED", "CANCELED"] },
          dateTimeFilter: { updatedAt: { startAt: iso(sinceMs), endAt: iso(Math.max(sinceMs, now())) } },
        },
        sort: { sortField: "UPDATED_AT", sortOrder: "ASC" },
      },
    }]);
  }

  async function retrieveCatalog(catalog: SquareCatalog, ids: readonly string[]): Promise<void> {
    let asked = askedFor.get(catalog);
    if (!asked) askedFor.set(catalog, (asked = new Set()));
    const wanted = [...new Set(ids)].filter((id) => !asked.has(id) && !catalog.has(id));
    for (const chunk of chunks(wanted, CATALOG_BATCH_SIZE)) {
      const body = await square.call("BatchRetrieveCatalogObjects", (client) =>
        client.catalog.batchGet({ objectIds: chunk, includeRelatedObjects: true, includeDeletedObjects: true }),
      );
      catalog.addResponse(body);
      for (const id of chunk) asked.add(id);
    }
  }

  async function getLocation(locationId: string): Promise<SquareLocationInfo> {
    const body = await square.call("RetrieveLocation", (client) => client.locations.get({ locationId }));
    const parsed = retrieveLocationSchema.safeParse(body);
    if (!parsed.success) {
      throw new SquareRequestError(describeIssues(parsed.error, `Square's answer for location ${locationId}`), "bug");
    }
    const location = parsed.data.location;
    const name = location?.name ?? locationId;
    if (!location?.timezone) {
      throw new SquareRequestError(
        `Square has no time zone for location "${name}" (${locationId}); set the location's address in the Square Dashboard so it gets one, then sync again.`,
        "needs-merchant",
      );
    }
    if (!isTimeZone(location.timezone)) {
      throw new SquareRequestError(`Square gives location "${name}" (${locationId}) a time zone daybook does not know: ${location.timezone}.`, "needs-merchant");
    }
    if (!location.currency) {
      throw new SquareRequestError(`Square gives no currency for location "${name}" (${locationId}).`, "needs-merchant");
    }
    return { id: location.id ?? locationId, name, timeZone: location.timezone, currency: location.currency, status: location.status ?? "ACTIVE" };
  }

  return {
    getLocation,
    orderPages,
    changedOrderPages,

    async fillCatalog(catalog, orderPage) {
      // Two levels, since related objects go one level deep: variations bring their items, then the
      // items' categories. Items a variation's answer did not bring are asked for on their own.
      await retrieveCatalog(catalog, variationIdsOf(orderPage));
      await retrieveCatalog(catalog, catalog.missingItemIds());
      await retrieveCatalog(catalog, catalog.missingCategoryIds());
    },

    paymentPages(locationId, window) {
      return pages(square, "ListPayments", (cursor) => (client) =>
        client.payments.list({
          locationId, beginTime: iso(window.startMs), endTime: iso(window.endMs - 1), sortOrder: "ASC", limit: PAYMENT_PAGE_LIMIT,
          ...(cursor ? { cursor } : {}),
        }),
      );
    },

    changedPaymentPages(locationId, sinceMs) {
      return pages(square, "ListPayments", (cursor) => (client) =>
        client.payments.list({ locationId, updatedAtBeginTime: iso(sinceMs), sortOrder: "ASC", limit: PAYMENT_PAGE_LIMIT, ...(cursor ? { cursor } : {}) }),
      );
    },

    changedRefundPages(locationId, sinceMs) {
      return pages(square, "ListPaymentRefunds", (cursor) => (client) =>
        client.refunds.list({ locationId, updatedAtBeginTime: iso(sinceMs), sortOrder: "ASC", limit: PAYMENT_PAGE_LIMIT, ...(cursor ? { cursor } : {}) }),
      );
    },

    refundPages(locationId, window) {
      return pages(square, "ListPaymentRefunds", (cursor) => (client) =>
        client.refunds.list({
          locationId, beginTime: iso(window.startMs), endTime: iso(window.endMs - 1), sortOrder: "ASC", limit: PAYMENT_PAGE_LIMIT,
          ...(cursor ? { cursor } : {}),
        }),
      );
    },
  };
}
