/**
 * How the Clover reader puts an order together from its three copies (lib/pos/clover/order-assembly.ts),
 * worked by hand: each group's fields from its own copy, the rest from the first, a field the first copy
 * holds but its group's copy lacks taken out; the orders in the first page's order, those already handed
 * on left out; copies found by id when the pages are not in step; an order whose copies are of two
 * versions read again by id. The order is made in its first copy (nothing cloned).
 */
import { describe, expect, it } from "vitest";
import { assembleOrders, ORDER_EXPANSION_GROUPS, type JsonObject, type OrderFetcher } from "../../lib/pos/clover/order-assembly";

const NO_FETCH: OrderFetcher = {
  getObject: () => Promise.reject(new Error("no fetch expected")),
  getList: () => Promise.reject(new Error("no fetch expected")),
};

/** The three copies of an order as Clover lists them, one per expansion group. */
function copies(id: string, modifiedTime = 1_000): [JsonObject, JsonObject, JsonObject] {
  const lineItems = { elements: [{ id: `${id}-L1`, price: 500, discounts: { elements: [] } }] };
  const payments = { elements: [{ id: `${id}-P1`, amount: 500, tender: { label: "Cash" } }] };
  return [
    { id, modifiedTime, state: "locked", lineItems, payments: { elements: [{ id: `${id}-P1` }] } },
    { id, modifiedTime, state: "locked", payments, refunds: { elements: [] } },
    { id, modifiedTime, state: "locked", discounts: { elements: [{ id: `${id}-D1`, amount: -50 }] } },
  ];
}

/** The pages of one step: copy g of each order on page g. */
const pagesOf = (orders: [JsonObject, JsonObject, JsonObject][]): JsonObject[][] =>
  ORDER_EXPANSION_GROUPS.map((_, group) => orders.map((order) => order[group] as JsonObject));

describe("Clover order assembly", () => {
  it("merges each order in its first copy: each group's fields from its own copy, the rest from the first", async () => {
    const a = copies("A");
    const b = copies("B");
    const orders = await assembleOrders(NO_FETCH, pagesOf([a, b]), new Set());
    expect(orders.map((order) => order["id"])).toEqual(["A", "B"]);
    const [first] = orders;
    expect(first).toBe(a[0]);
    expect(first).toEqual({
      id: "A", modifiedTime: 1_000, state: "locked",
      lineItems: a[0]["lineItems"],
      // The first copy's unexpanded payments give way to the second copy's expanded ones, in their place.
      payments: a[1]["payments"],
      refunds: { elements: [] },
      discounts: { elements: [{ id: "A-D1", amount: -50 }] },
    });
    expect(Object.keys(first as JsonObject)).toEqual(["id", "modifiedTime", "state", "lineItems", "payments", "refunds", "discounts"]);
  });

  it("takes out a field the first copy holds but its own group's copy lacks", async () => {
    const a = copies("A");
    a[0]["serviceCharge"] = { id: "stale" };
    const [order] = await assembleOrders(NO_FETCH, pagesOf([a]), new Set());
    expect(order).not.toHaveProperty("serviceCharge");
    expect(order).toHaveProperty("discounts");
  });

  it("leaves out orders already handed on", async () => {
    const orders = await assembleOrders(NO_FETCH, pagesOf([copies("A"), copies("B"), copies("C")]), new Set(["B"]));
    expect(orders.map((order) => order["id"])).toEqual(["A", "C"]);
  });

  it("finds each order's copies by id when the pages are not in step, in the order of their first appearance", async () => {
    const a = copies("A");
    const b = copies("B");
    const pages = [[a[0], b[0]], [b[1], a[1]], [a[2], b[2]]];
    const orders = await assembleOrders(NO_FETCH, pages, new Set());
    expect(orders.map((order) => order["id"])).toEqual(["A", "B"]);
    expect(orders[0]?.["payments"]).toBe(a[1]["payments"]);
    expect(orders[1]?.["payments"]).toBe(b[1]["payments"]);
  });

  it("reads an order again by id when its copies are of two versions", async () => {
    const a = copies("A");
    a[1]["modifiedTime"] = 2_000;
    const fresh = copies("A", 2_000);
    const asked: string[] = [];
    const fetcher: OrderFetcher = {
      getObject: (_operation, path, query) => {
        asked.push(`${path}?${query.map(([k, v]) => `${k}=${v}`).join("&")}`);
        const group = ORDER_EXPANSION_GROUPS.findIndex((paths) => paths.join(",") === query[0]?.[1]);
        return Promise.resolve(fresh[group] as JsonObject);
      },
      getList: () => Promise.reject(new Error("no list expected")),
    };
    const [order] = await assembleOrders(fetcher, pagesOf([a]), new Set());
    expect(asked).toHaveLength(3);
    expect(order?.["modifiedTime"]).toBe(2_000);
    expect(order?.["payments"]).toBe(fresh[1]["payments"]);
  });
});
