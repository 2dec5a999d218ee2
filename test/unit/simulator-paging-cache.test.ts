/**
 * The simulators keep a query's filtered, sorted result for its following pages (sandbox/square/paging.ts
 * SortedResults, sandbox/clover/list-query.ts QueryResults). Paged results must be what filtering and
 * sorting every stored order gives, and an order stored between two pages must be seen by the next one.
 * Called in process, without HTTP: the HTTP behaviour is in test/integration/*-simulator.test.ts.
 */
import { describe, expect, it } from "vitest";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { listOrders } from "../../sandbox/clover/orders";
import { CloverData } from "../../sandbox/clover/store";
import { searchOrders } from "../../sandbox/square/orders-search";
import { CursorCodec } from "../../sandbox/square/paging";
import { generateDay } from "../../sandbox/square/generate-day";
import type { JsonObject } from "../../sandbox/square/request-checks";
import { SquareData } from "../../sandbox/square/store";

const LOCATION = "CACHELOCATION1";
const MERCHANT = "CACHEMERCHANT1";

describe("Square SearchOrders paging", () => {
  const day = generateDay({ seed: 5, sales: 240, date: "2025-06-10", timeZone: "America/New_York", locationId: LOCATION, returnRate: 0.05, openRate: 0.05, noiseRate: 0.05 });
  const range = { start_at: new Date(day.window.startMs).toISOString(), end_at: new Date(day.window.endMs).toISOString() };
  const query = (cursor?: string): JsonObject => ({
    location_ids: [LOCATION], limit: 50, ...(cursor ? { cursor } : {}),
    query: { filter: { state_filter: { states: ["COMPLETED"] }, date_time_filter: { closed_at: range } }, sort: { sort_field: "CLOSED_AT", sort_order: "ASC" } },
  });
  const setUp = () => {
    const data = new SquareData();
    data.addMerchant({ merchantId: MERCHANT, locations: [{ id: LOCATION, name: "Cache", currency: "USD", timezone: "America/New_York" }] });
    data.addOrders(LOCATION, day.orders);
    return { data, cursors: new CursorCodec() };
  };
  const idsOf = (page: JsonObject) => ((page["orders"] ?? []) as { id: string }[]).map((order) => order.id);
  const expected = (data: SquareData) =>
    data.ordersAt(new Set([LOCATION]))
      .filter((order) => order["state"] === "COMPLETED" && typeof order["closed_at"] === "string")
      .map((order) => ({ id: order.id, at: Date.parse(String(order["closed_at"])) }))
      .filter(({ at }) => at >= day.window.startMs && at <= day.window.endMs)
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ id }) => id);

  it("pages through what filtering and sorting every order gives, each once", () => {
    const { data, cursors } = setUp();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = searchOrders(data, cursors, MERCHANT, query(cursor), day.window.endMs);
      seen.push(...idsOf(page));
      cursor = page["cursor"] as string | undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(expected(data));
  });

  it("an order stored between two pages is in the following ones", () => {
    const { data, cursors } = setUp();
    const first = searchOrders(data, cursors, MERCHANT, query(), day.window.endMs);
    const template = day.orders.find((order) => order["state"] === "COMPLETED") as JsonObject;
    const late = { ...structuredClone(template), id: "LATECACHEORDER1", closed_at: new Date(day.window.endMs - 1).toISOString() };
    data.addOrders(LOCATION, [late]);
    const rest: string[] = [];
    let cursor = first["cursor"] as string | undefined;
    while (cursor) {
      const page = searchOrders(data, cursors, MERCHANT, query(cursor), day.window.endMs);
      rest.push(...idsOf(page));
      cursor = page["cursor"] as string | undefined;
    }
    expect(rest).toContain("LATECACHEORDER1");
    expect([...idsOf(first), ...rest]).toEqual(expected(data));
  });
});

describe("Clover ListOrders paging", () => {
  const day = generateCloverDay({ seed: 6, date: "2025-06-14", timeZone: "America/New_York", orders: 120 });
  const now = day.window.endMs + 86_400_000;
  const params = (offset: number) =>
    new URLSearchParams([["filter", `modifiedTime>=${day.window.startMs}`], ["filter", `modifiedTime<=${now}`], ["limit", "40"], ["offset", String(offset)]]);
  const setUp = () => {
    const data = new CloverData(() => now);
    data.addMerchant({ merchantId: day.merchantId, name: "Cache", timezone: "America/New_York", currency: "USD" });
    data.addOrders(day.merchantId, day.orders);
    return data;
  };
  const idsAt = (data: CloverData, offset: number) =>
    listOrders(data, day.merchantId, params(offset), now, "http://clover.invalid/").body.elements.map((order) => String(order["id"]));
  const expected = (data: CloverData) =>
    data.ordersOf(day.merchantId).filter((order) => order.modifiedTime >= day.window.startMs && order.modifiedTime <= now).map((order) => order.id);

  it("pages by offset through the filtered orders, newest first", () => {
    const data = setUp();
    const seen: string[] = [];
    for (let offset = 0; ; offset += 40) {
      const ids = idsAt(data, offset);
      if (ids.length === 0) break;
      seen.push(...ids);
    }
    expect(seen.length).toBeGreaterThan(80);
    expect(seen).toEqual(expected(data));
  });

  it("an order stored between two pages shifts the following ones", () => {
    const data = setUp();
    const before = expected(data);
    expect(idsAt(data, 40)).toEqual(before.slice(40, 80));
    const template = day.orders[0] as object;
    data.addOrders(day.merchantId, [{ ...structuredClone(template), id: "LATECACHEORDER", createdTime: now - 1, modifiedTime: now - 1 }]);
    const after = expected(data);
    expect(after).toHaveLength(before.length + 1);
    expect(idsAt(data, 0)[0]).toBe("LATECACHEORDER");
    expect(idsAt(data, 40)).toEqual(after.slice(40, 80));
  });
});
