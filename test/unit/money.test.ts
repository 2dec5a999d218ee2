import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertMinorUnits, currencyExponent, formatDecimal, MoneyError, parseDecimal, subtractMinor, sumMinor, toQuickBooksAmount,
} from "../../lib/domain/money";

describe("money in minor units", () => {
  it("knows each currency's exponent", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(() => currencyExponent("usd")).toThrow(MoneyError);
    expect(() => currencyExponent("DOLLARS")).toThrow(/three capital letters/);
  });

  it("formats decimals exactly for 0, 2 and 3 decimal currencies", () => {
    expect(formatDecimal(1234, "USD")).toBe("12.34");
    expect(formatDecimal(5, "USD")).toBe("0.05");
    expect(formatDecimal(-5, "USD")).toBe("-0.05");
    expect(formatDecimal(0, "USD")).toBe("0.00");
    expect(formatDecimal(1234, "JPY")).toBe("1234");
    expect(formatDecimal(1234, "KWD")).toBe("1.234");
    expect(formatDecimal(7, "KWD")).toBe("0.007");
  });

  it("gives QuickBooks numbers that print as the exact decimal", () => {
    expect(toQuickBooksAmount(1230, "USD")).toBe(12.3);
    expect(JSON.stringify({ Amount: toQuickBooksAmount(1, "USD") })).toBe('{"Amount":0.01}');
    expect(JSON.stringify({ Amount: toQuickBooksAmount(999999999999, "USD") })).toBe('{"Amount":9999999999.99}');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.constantFrom("USD", "JPY", "KWD"), (minor, currency) => {
        const amount = toQuickBooksAmount(minor, currency);
        const printed = JSON.stringify(amount);
        const decimals = printed.includes(".") ? printed.split(".")[1]!.length : 0;
        expect(decimals).toBeLessThanOrEqual(currencyExponent(currency));
        expect(parseDecimal(printed, currency)).toBe(minor);
      }),
    );
  });

  it("parses what people type and rejects what a currency cannot hold", () => {
    expect(parseDecimal("12.3", "USD")).toBe(1230);
    expect(parseDecimal("-0.05", "USD")).toBe(-5);
    expect(parseDecimal("100", "JPY")).toBe(100);
    expect(() => parseDecimal("1.5", "JPY")).toThrow(/more than 0 decimals/);
    expect(() => parseDecimal("12,30", "USD")).toThrow(MoneyError);
  });

  it("refuses floats and overflow instead of drifting", () => {
    expect(() => assertMinorUnits(0.1)).toThrow(MoneyError);
    expect(() => sumMinor(Number.MAX_SAFE_INTEGER, 1)).toThrow(/sum/);
    expect(() => subtractMinor(Number.MIN_SAFE_INTEGER, 1)).toThrow(/difference/);
    expect(sumMinor(1, 2, 3)).toBe(6);
  });
});
