/**
 * lib/pos/square/timestamp.ts reads Square's timestamps by hand: it must answer exactly what Date.parse
 * answers, for every string, well-formed or not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { timestampMs } from "../../lib/pos/square/timestamp";

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** Strings of Square's form, with each part anywhere in (and a little beyond) its range. */
const squareLike = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }), minute: fc.integer({ min: 0, max: 60 }), second: fc.integer({ min: 0, max: 60 }),
    ms: fc.option(fc.integer({ min: 0, max: 999 })),
  })
  .map(({ year, month, day, hour, minute, second, ms }) =>
    `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${ms === null ? "" : `.${pad(ms, 3)}`}Z`);

/** The same, with one character replaced by another. */
const corrupted = fc.tuple(squareLike, fc.nat(), fc.constantFrom("x", " ", "-", ":", ".", "+", "0", "9", "Z", "T", "/", "٣")).map(
  ([text, at, character]) => `${text.slice(0, at % text.length)}${character}${text.slice((at % text.length) + 1)}`,
);

describe("Square timestamps read as Date.parse reads them", () => {
  it("on Square's own form, every part in and out of its range, leap days included", () => {
    fc.assert(fc.property(squareLike, (text) => Object.is(timestampMs(text), Date.parse(text))), { numRuns: 20_000, seed: 5 });
  });

  it("on that form with a character changed, and on any string", () => {
    fc.assert(fc.property(fc.oneof(corrupted, fc.string(), fc.string({ minLength: 20, maxLength: 24 })), (text) => Object.is(timestampMs(text), Date.parse(text))), { numRuns: 20_000, seed: 6 });
  });

  it("every day of the turns of centuries, of 400-year eras and of the epoch, and a day a week for 9,000 years, as Date.parse", () => {
    const dayMs = 86_400_000;
    const days: number[] = [];
    for (const year of [1000, 1099, 1600, 1700, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2026, 2100, 2399, 2400, 9999]) {
      for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += dayMs) days.push(ms);
    }
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(10_000, 0, 1); ms += 7 * dayMs) days.push(ms);
    // Mismatches collected and compared once: an expect() per day costs more than the reading it checks.
    const wrong: string[] = [];
    for (const ms of days) {
      const text = new Date(ms + 86_399_999).toISOString();
      if (timestampMs(text) !== ms + 86_399_999) wrong.push(text);
      if (timestampMs(`${text.slice(0, 19)}Z`) !== ms + 86_399_000) wrong.push(`${text.slice(0, 19)}Z`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("hand-picked edges: leap days, the end of a month, offsets Square does not send", () => {
    for (const text of [
      "2024-02-29T23:59:59.999Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-04-31T00:00:00.000Z",
      "2026-12-31T24:00:00Z", "2026-12-05T04:49:48.000Z", "2026-12-05T04:49:48Z", "2026-12-05T04:49:48.000+01:00", "0099-01-01T00:00:00Z",
      "2026-12-05", "2026-12-05T04:49:48.0Z", "", "not a time",
    ]) expect(Object.is(timestampMs(text), Date.parse(text)), text).toBe(true);
  });
});
