/**
 * SearchOrders (POST /v2/orders/search) as reference/square.md §2.2 describes it: 1 to 10 locations of
 * the caller's merchant, limit default 500 and max 1000, a state filter, a date-time filter on exactly
 * one of created_at / updated_at / closed_at with both ends inclusive, a sort field that must be the
 * filtered field, and a cursor valid only with the identical query.
 */
import { invalidRequest, unauthorized } from "./api-error";
import { type CursorCodec, pageAfter, queryFingerprint, SortedResults, sortedEntries, type SortOrder } from "./paging";
import {
  checkTimeRange,
  enumValue,
  type JsonObject,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalTimestamp,
  rejectUnknownFields,
  stringArray,
} from "./request-checks";
import type { OrderBody, SquareData } from "./store";

const ORDER_STATES = ["OPEN", "COMPLETED", "CANCELED", "DRAFT"] as const;
const SORT_FIELDS = ["CREATED_AT", "UPDATED_AT", "CLOSED_AT"] as const;
const SORT_ORDERS = ["DESC", "ASC"] as const;
type SortField = (typeof SORT_FIELDS)[number];

const TIMESTAMP_OF: Readonly<Record<SortField, "created_at" | "updated_at" | "closed_at">> = {
  CREATED_AT: "created_at", UPDATED_AT: "updated_at", CLOSED_AT: "closed_at",
};

interface OrdersQuery {
  locationIds: string[];
  states?: string[];
  timeField?: SortField;
  startMs?: number;
  endMs?: number;
  sortField: SortField;
  sortOrder: SortOrder;
  limit: number;
  returnEntries: boolean;
}

function parseQuery(body: JsonObject): OrdersQuery {
  rejectUnknownFields(body, ["location_ids", "cursor", "query", "limit", "return_entries"], "");
  const locationIds = stringArray(body["location_ids"], "location_ids", 1, 10);
  const limit = optionalInteger(body["limit"], "limit", 1, 1000) ?? 500;
  const returnEntries = optionalBoolean(body["return_entries"], "return_entries") ?? false;

  const query = optionalObject(body["query"], "query") ?? {};
  rejectUnknownFields(query, ["filter", "sort"], "query");
  const filter = optionalObject(query["filter"], "query.filter") ?? {};
  rejectUnknownFields(filter, ["state_filter", "date_time_filter"], "query.filter");

  const stateFilter = optionalObject(filter["state_filter"], "query.filter.state_filter");
  let states: string[] | undefined;
  if (stateFilter) {
    rejectUnknownFields(stateFilter, ["states"], "query.filter.state_filter");
    states = stringArray(stateFilter["states"], "query.filter.state_filter.states", 1, ORDER_STATES.length).map((state, i) =>
      enumValue(state, ORDER_STATES, `query.filter.state_filter.states[${i}]`),
    );
  }

  const dateTimeFilter = optionalObject(filter["date_time_filter"], "query.filter.date_time_filter");
  let timeField: SortField | undefined;
  let startMs: number | undefined;
  let endMs: number | undefined;
  if (dateTimeFilter) {
    rejectUnknownFields(dateTimeFilter, ["created_at", "updated_at", "closed_at"], "query.filter.date_time_filter");
    const set = SORT_FIELDS.filter((field) => dateTimeFilter[TIMESTAMP_OF[field]] != null);
    const [only] = set;
    if (!only || set.length !== 1) {
      throw invalidRequest(
        "BAD_REQUEST",
        `\`query.filter.date_time_filter\` must set exactly one of created_at, updated_at and closed_at; it sets ${set.length}.`,
        "query.filter.date_time_filter",
      );
    }
    timeField = only;
    const path = `query.filter.date_time_filter.${TIMESTAMP_OF[only]}`;
    const range = optionalObject(dateTimeFilter[TIMESTAMP_OF[only]], path) ?? {};
    rejectUnknownFields(range, ["start_at", "end_at"], path);
    startMs = optionalTimestamp(range["start_at"], `${path}.start_at`);
    endMs = optionalTimestamp(range["end_at"], `${path}.end_at`);
    checkTimeRange(startMs, endMs, path);
  }

  const sort = optionalObject(query["sort"], "query.sort");
  if (sort) rejectUnknownFields(sort, ["sort_field", "sort_order"], "query.sort");
  const sortField = sort ? enumValue(sort["sort_field"], SORT_FIELDS, "query.sort.sort_field") : "CREATED_AT";
  const sortOrder = sort?.["sort_order"] == null ? "DESC" : enumValue(sort["sort_order"], SORT_ORDERS, "query.sort.sort_order");

  if (timeField && timeField !== sortField) {
    throw invalidRequest(
      "BAD_REQUEST",
      `The date_time_filter is on ${TIMESTAMP_OF[timeField]} but the sort field is ${sortField}; when a date_time_filter is set, query.sort.sort_field must be ${timeField}.`,
      "query.sort.sort_field",
    );
  }
  if (sortField === "CLOSED_AT" && states?.some((state) => state === "OPEN" || state === "DRAFT")) {
    throw invalidRequest(
      "BAD_REQUEST",
      "Orders in state OPEN or DRAFT have no closed_at, so they cannot be sorted by CLOSED_AT; filter on COMPLETED or CANCELED only.",
      "query.sort.sort_field",
    );
  }
  return { locationIds, ...(states ? { states } : {}), ...(timeField ? { timeField, startMs, endMs } : {}), sortField, sortOrder, limit, returnEntries };
}

function timestampOf(order: OrderBody, field: SortField): number | undefined {
  const value = order[TIMESTAMP_OF[field]];
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

const searchResults = new SortedResults();

export function searchOrders(data: SquareData, cursors: CursorCodec, merchantId: string, body: JsonObject, now: number): JsonObject {
  const query = parseQuery(body);
  for (const locationId of query.locationIds) {
    if (data.location(locationId)?.merchantId !== merchantId) {
      throw unauthorized(`This access token is not authorized for location ${locationId}.`);
    }
  }
  const { cursor: cursorField, ...rest } = body;
  const fingerprint = queryFingerprint("SearchOrders", merchantId, rest);
  const cursorText = optionalString(cursorField, "cursor");
  const cursor = cursorText ? cursors.decode(cursorText, fingerprint) : undefined;
  // A range with no end runs to the time of the first request for the cursor (reference/square.md §2.2).
  const pinnedNow = cursor?.pinnedNow ?? now;
  const endMs = query.timeField && query.endMs === undefined ? pinnedNow : query.endMs;

  // Filtered and sorted once per query (and pinned end) while the orders are unchanged; each page is then a binary search.
  const sorted = searchResults.get(data, data.revision, `${fingerprint}|${String(endMs)}`, () => {
    const matching = data.ordersAt(new Set(query.locationIds)).filter((order) => {
      if (query.states && !query.states.includes(String(order["state"]))) return false;
      const at = timestampOf(order, query.sortField);
      if (at === undefined) return false;
      if (query.startMs !== undefined && at < query.startMs) return false;
      return endMs === undefined || at <= endMs;
    });
    return sortedEntries(matching, (order) => ({ at: timestampOf(order, query.sortField) ?? 0, id: order.id }), query.sortOrder);
  });
  const page = pageAfter(sorted, query.sortOrder, cursor?.after, query.limit);

  const response: JsonObject = {};
  if (page.items.length > 0) {
    if (query.returnEntries) {
      response["order_entries"] = page.items.map((order) => ({
        order_id: order.id, location_id: order.location_id, ...(typeof order["version"] === "number" ? { version: order["version"] } : {}),
      }));
    } else {
      response["orders"] = page.items;
    }
  }
  if (page.next) response["cursor"] = cursors.encode(fingerprint, { after: page.next, pinnedNow });
  return response;
}
