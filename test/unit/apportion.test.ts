import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { largestRemainder, roundedShare } from "../../lib/domain/apportion";

describe("roundedShare", () => {
  it("rounds halves away from zero, exactly even for products beyond 2^53", () => {
    expect(roundedShare(219, 50, 100)).toBe(110); // 109.5
    expect(roundedShare(-219, 50, 100)).toBe(-110);
    expect(roundedShare(1395, 825_000, 10_000_000)).toBe(115); // 115.09
    expect(roundedShare(1200, 616, 1000)).toBe(739); // 739.2
    expect(roundedShare(9_007_199_254_740_991, 3, 6)).toBe(4_503_599_627_370_496); // (2^53 − 1) / 2 = …495.5
    expect(() => roundedShare(1, 1, 0)).toThrow(RangeError);
  });
});

describe("largestRemainder", () => {
  it("gives the left-over units to the largest remainders, the earlier part on a tie", () => {
    expect(largestRemainder(832, [1000, 350])).toEqual([616, 216]); // 616.30 and 215.70
    expect(largestRemainder(250, [740, 350, 100])).toEqual([155, 74, 21]);
    expect(largestRemainder(1, [1, 1, 1])).toEqual([1, 0, 0]);
    expect(largestRemainder(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(largestRemainder(5, [0, 0])).toEqual([0, 0]);
  });

  it("always adds up to the total, parts within one unit of their quota", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.array(fc.integer({ min: -10_000, max: 100_000 }), { minLength: 1, maxLength: 8 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          fc.pre(sum !== 0);
          const parts = largestRemainder(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((part, i) => expect(Math.abs(part - (total * (weights[i] ?? 0)) / sum)).toBeLessThan(1));
        },
      ),
    );
  });
});
