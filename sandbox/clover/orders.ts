/**
 * The order endpoints of the Clover simulator (reference/clover.md §2.2): the merchant's orders listed
 * newest first, one order by id, and one order's line items paged (the way to an order's 101st line,
 * since nested collections stop at 100).
 */
import { notFound } from "./api-error";
import { capNestedCollections, elementsOf, LINE_ITEM_EXPANSIONS, ORDER_EXPANSIONS, render, type JsonObject } from "./expansion";
import { filtersKey, type ListAnswer, listAnswer, type ListRules, matchesAll, pageOf, parseExpand, parseListQuery, QueryResults } from "./list-query";
import type { CloverData, OrderBody } from "./store";

export const ORDER_LIST_RULES: ListRules = {
  filterFields: [
    "employee.id", "note", "modifiedTime", "orderType", "touched", "cardTransaction.last4", "manualTransaction", "employee.name",
    "title", "device.id", "externalReferenceId", "clientCreatedTime", "total", "payType", "testMode", "createdTime", "id", "state",
    "deletedTime",
  ],
  expansions: ORDER_EXPANSIONS,
  ninetyDayLimit: true,
};

const LINE_ITEM_LIST_RULES: ListRules = { filterFields: ["id"], expansions: LINE_ITEM_EXPANSIONS, ninetyDayLimit: false };

const orderResults = new QueryResults();

export function listOrders(data: CloverData, merchantId: string, params: URLSearchParams, now: number, href: string): ListAnswer {
  const query = parseListQuery(params, ORDER_LIST_RULES, now);
  // Filtered once per merchant and filters while the orders are unchanged; each page is then a slice.
  const matching = orderResults.get(data, data.revision, `${merchantId}|${filtersKey(query.filters)}`, () =>
    data.ordersOf(merchantId).filter((order) => matchesAll(order, query.filters)));
  return listAnswer(pageOf(matching, query).map((order) => capNestedCollections(render(order, ORDER_EXPANSIONS, query.expand))), ORDER_LIST_RULES, href);
}

function orderOrThrow(data: CloverData, merchantId: string, orderId: string): OrderBody {
  const order = data.order(merchantId, orderId);
  if (!order) throw notFound("Order not found");
  return order;
}

export function getOrder(data: CloverData, merchantId: string, orderId: string, params: URLSearchParams): JsonObject {
  const order = orderOrThrow(data, merchantId, orderId);
  return capNestedCollections(render(order, ORDER_EXPANSIONS, parseExpand(params, ORDER_EXPANSIONS)));
}

export function listOrderLineItems(data: CloverData, merchantId: string, orderId: string, params: URLSearchParams, href: string): ListAnswer {
  const order = orderOrThrow(data, merchantId, orderId);
  const query = parseListQuery(params, LINE_ITEM_LIST_RULES, 0);
  const matching = elementsOf(order["lineItems"]).filter((line) => matchesAll(line, query.filters));
  return listAnswer(pageOf(matching, query).map((line) => capNestedCollections(render(line, LINE_ITEM_EXPANSIONS, query.expand))), LINE_ITEM_LIST_RULES, href);
}
