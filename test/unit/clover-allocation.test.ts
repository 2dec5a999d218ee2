/**
 * The summariser's short way for an order with one payment that pays every line whole
 * (paysEveryLineWhole, then sellWhole) must sell exactly what the walk (goodsMovements) sells: each line
 * with a net at its whole gross and net, then each comp at its gross, all at the payment's time.
 */
import { describe, expect, it } from "vitest";
import { goodsMovements, paysEveryLineWhole, sellWhole } from "../../lib/pos/clover/allocation";
import type { LineValue } from "../../lib/pos/clover/line-values";

const FOOD = { type: "sale" as const, category: { id: "food", name: "Food" } };

function line(id: string, gross: number, discount: number, extra: Partial<LineValue> = {}): LineValue {
  return { id, kind: FOOD, gross, discount, net: gross - discount, refunded: false, exchange: undefined, replacement: false, ...extra };
}

const payment = (goods: number) => ({ type: "payment" as const, id: "P1", at: 1_000, goods, percentages: null });

describe("Clover allocation: one payment that pays every line whole", () => {
  it("sells each line whole, then each comp, exactly as the walk does", () => {
    // A line, a comp (discounted to nothing), a line worth nothing, a discounted line; the payment covers them (and more).
    const lines = [line("A", 1_250, 0), line("B", 400, 400), line("C", 0, 0), line("D", 999, 333)];
    for (const goods of [1_916, 2_000]) {
      expect(paysEveryLineWhole(lines, goods)).toBe(true);
      const walked = goodsMovements(lines, [payment(goods)]);
      expect(walked).toEqual([
        { at: 1_000, line: lines[0], direction: "sold", gross: 1_250, net: 1_250 },
        { at: 1_000, line: lines[3], direction: "sold", gross: 999, net: 666 },
        { at: 1_000, line: lines[1], direction: "sold", gross: 400, net: 0 },
      ]);
      const sold: unknown[] = [];
      sellWhole(lines, (sellLine, gross, net) => sold.push({ at: 1_000, line: sellLine, direction: "sold", gross, net }));
      expect(sold).toEqual(walked);
    }
  });

  it("is not taken when the payment falls short, a line is worth less than nothing, or a line is a replacement", () => {
    const lines = [line("A", 1_250, 0), line("D", 999, 333)];
    expect(paysEveryLineWhole(lines, 1_915)).toBe(false);
    // The walk pays such a payment in proportion, so no line is sold whole.
    expect(goodsMovements(lines, [payment(1_000)]).map((m) => m.net)).toEqual([652, 348]);
    expect(paysEveryLineWhole([line("A", 1_250, 0), line("N", -200, 0)], 5_000)).toBe(false);
    expect(paysEveryLineWhole([line("A", 1_250, 0), line("R", 300, 0, { replacement: true })], 5_000)).toBe(false);
    expect(paysEveryLineWhole([], 0)).toBe(true);
  });
});

describe("Clover allocation: events walked in time order", () => {
  it("walks payments by time then id, and refunds after payments, however the events are given", () => {
    const lines = [line("A", 1_000, 0), line("B", 500, 0)];
    const p1 = { type: "payment" as const, id: "P1", at: 2_000, goods: 800, percentages: null };
    const p2 = { type: "payment" as const, id: "P2", at: 2_000, goods: 700, percentages: null };
    const r1 = { type: "refund" as const, id: "R1", at: 3_000, goods: 300, lineIds: [] };
    // P1 first: 800 of 1,500 unpaid is 533.3 and 266.7, the spare unit to B's larger remainder; P2 pays
    // what is left; R1 gives back 300 in proportion to what was paid (1,000 and 500).
    const expected = [
      { at: 2_000, line: lines[0], direction: "sold", gross: 533, net: 533 },
      { at: 2_000, line: lines[1], direction: "sold", gross: 267, net: 267 },
      { at: 2_000, line: lines[0], direction: "sold", gross: 467, net: 467 },
      { at: 2_000, line: lines[1], direction: "sold", gross: 233, net: 233 },
      { at: 3_000, line: lines[0], direction: "returned", gross: 200, net: 200 },
      { at: 3_000, line: lines[1], direction: "returned", gross: 100, net: 100 },
    ];
    for (const events of [[p1, p2, r1], [r1, p2, p1], [p2, r1, p1], [r1, p1, p2]]) {
      expect(goodsMovements(lines, events)).toEqual(expected);
    }
    // P2 first would have split differently (467 and 233 first): the order matters, and is the walk's own.
    expect(goodsMovements(lines, [{ ...p2, id: "P0" }, p1, r1])[0]).toEqual({ at: 2_000, line: lines[0], direction: "sold", gross: 467, net: 467 });
  });
});
