/**
 * The summariser's short way for an order with one payment that pays every line whole
 * (paysEveryLineWhole) must sell exactly what the walk (goodsMovements) sells: each line with a net at
 * its whole gross and net, then each comp at its gross, all at the payment's time.
 */
import { describe, expect, it } from "vitest";
import { goodsMovements, paysEveryLineWhole } from "../../lib/pos/clover/allocation";
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
      expect(goodsMovements(lines, [payment(goods)])).toEqual([
        { at: 1_000, line: lines[0], direction: "sold", gross: 1_250, net: 1_250 },
        { at: 1_000, line: lines[3], direction: "sold", gross: 999, net: 666 },
        { at: 1_000, line: lines[1], direction: "sold", gross: 400, net: 0 },
      ]);
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
