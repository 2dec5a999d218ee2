/**
 * lib/pos/square/client.ts withoutOrdersSeen: the reader hands each Square order on once however the
 * SearchOrders pages repeat it (a second pass, or an order updated while its pass pages).
 */
import { describe, expect, it } from "vitest";
import { withoutOrdersSeen } from "../../lib/pos/square/client";

const order = (id: string) => ({ id, location_id: "L1", state: "COMPLETED" });

describe("each Square order handed on once", () => {
  it("hands on a page none of whose orders was seen as the page itself, and remembers them", () => {
    const seen = new Set<string>();
    const page = { orders: [order("A"), order("B")], cursor: "c1" };
    expect(withoutOrdersSeen(page, seen)).toBe(page);
    expect([...seen]).toEqual(["A", "B"]);
  });

  it("drops the orders seen on an earlier page, keeping the rest of the page and their order", () => {
    const seen = new Set<string>(["B", "D"]);
    const page = { orders: [order("A"), order("B"), order("C"), order("D"), order("E")], cursor: "c2" };
    expect(withoutOrdersSeen(page, seen)).toEqual({ orders: [order("A"), order("C"), order("E")], cursor: "c2" });
    expect(page.orders).toHaveLength(5);
    expect([...seen].sort()).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("drops an order repeated within one page after its first copy", () => {
    const first = { ...order("A"), version: 1 };
    expect(withoutOrdersSeen({ orders: [first, order("B"), { ...order("A"), version: 2 }] }, new Set())).toEqual({ orders: [first, order("B")] });
  });

  it("hands on nothing when every order was seen", () => {
    expect(withoutOrdersSeen({ orders: [order("A")], cursor: "c3" }, new Set(["A"]))).toBeUndefined();
  });

  it("leaves what is not an order with a string id for the summariser's check to name", () => {
    const odd = [null, 7, "x", { location_id: "L1" }, { id: 12 }];
    const page = { orders: [...odd, order("A"), ...odd] };
    expect(withoutOrdersSeen(page, new Set())).toBe(page);
    expect(withoutOrdersSeen(page, new Set(["A"]))).toEqual({ orders: [...odd, ...odd] });
  });

  it("hands on a page with no order list as it is", () => {
    const empty = { cursor: "c4" };
    expect(withoutOrdersSeen(empty, new Set())).toBe(empty);
    const none = { orders: [] };
    expect(withoutOrdersSeen(none, new Set())).toBe(none);
  });
});
