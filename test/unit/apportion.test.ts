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

/** The BigInt arithmetic both functions used for every call, as the reference for their faster path in doubles. */
function referenceShare(amount: number, part: number, whole: number): number {
  let n = BigInt(amount) * BigInt(part);
  let d = BigInt(whole);
  if (d < 0n) { n = -n; d = -d; }
  const magnitude = ((n < 0n ? -n : n) * 2n + d) / (2n * d);
  return Number(n < 0n ? -magnitude : magnitude);
}

function referenceRemainder(total: number, weights: readonly number[]): number[] {
  let sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (sum === 0n) return weights.map(() => 0);
  const sign = sum < 0n ? -1n : 1n;
  sum *= sign;
  const parts = weights.map((weight, index) => {
    const product = BigInt(total) * BigInt(weight) * sign;
    let floor = product / sum;
    if (product % sum !== 0n && product < 0n) floor -= 1n;
    return { index, share: floor, remainder: product - floor * sum };
  });
  let left = BigInt(total) - parts.reduce((a, p) => a + p.share, 0n);
  for (const part of [...parts].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1))) {
    if (left === 0n) break;
    part.share += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p.share));
}

describe("the arithmetic in doubles agrees with BigInt's to the unit", () => {
  // Small, cent-sized and near-the-limit values, so that both paths and the switch between them are crossed.
  const amount = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }));

  it("roundedShare", () => {
    fc.assert(fc.property(amount, amount, amount.filter((w) => w !== 0), (a, p, w) => {
      expect(Object.is(roundedShare(a, p, w), referenceShare(a, p, w))).toBe(true);
    }), { numRuns: 20_000, seed: 9 });
  });

  it("largestRemainder", () => {
    fc.assert(fc.property(amount, fc.array(amount, { minLength: 1, maxLength: 7 }), (total, weights) => {
      const shares = largestRemainder(total, weights);
      expect(shares).toEqual(referenceRemainder(total, weights));
      expect(shares.some((share) => Object.is(share, -0))).toBe(false);
    }), { numRuns: 20_000, seed: 10 });
  });
});
