import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { median, percentile, round3, spread } from "../../bench/stats";

describe("the benchmarks' percentile helper", () => {
  it("interpolates between closest ranks", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48, 10);
    expect(percentile([5], 95)).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
  });

  it("does not depend on the samples' order, and p0 and p100 are the extremes", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 100 }), (samples, p) => {
      const reversed = [...samples].reverse();
      expect(percentile(reversed, p)).toBe(percentile(samples, p));
      expect(percentile(samples, 0)).toBe(Math.min(...samples));
      expect(percentile(samples, 100)).toBe(Math.max(...samples));
      const value = percentile(samples, p);
      expect(value).toBeGreaterThanOrEqual(Math.min(...samples));
      expect(value).toBeLessThanOrEqual(Math.max(...samples));
    }));
  });

  it("refuses no samples and percentiles outside 0..100", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it("summarises a spread and rounds to three significant digits", () => {
    expect(spread([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, p95: percentile([1, 2, 3, 4], 95), min: 1, max: 4 });
    expect(round3(1234.5678)).toBe(1235);
    expect(round3(12.345)).toBe(12.3);
    expect(round3(0.0012345)).toBe(0.00123);
    expect(round3(0)).toBe(0);
  });
});
