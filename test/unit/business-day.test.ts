import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  addDays, assertLocationTimeZone, BusinessDayError, businessDayOf, businessDayWindow, isCalendarDate, parseDayStart, timeZoneProblem,
} from "../../lib/domain/business-day";

const HOUR = 3_600_000;
/** UTC instants of DST changes in the zones the properties use (US, EU, Sydney, Lord Howe, Chatham). */
const DST_CHANGES = [
  "2025-03-09T10:00:00Z", "2025-11-02T09:00:00Z", "2025-03-09T07:00:00Z", "2025-11-02T06:00:00Z",
  "2025-03-30T01:00:00Z", "2025-10-26T01:00:00Z", "2025-04-05T16:00:00Z", "2025-10-04T16:00:00Z",
  "2025-04-05T15:00:00Z", "2025-10-04T15:30:00Z", "2025-04-05T14:00:00Z", "2025-09-27T14:00:00Z",
].map((iso) => Date.parse(iso));
const hours = (date: string, zone: string, start = "00:00") => {
  const window = businessDayWindow(date, zone, start);
  return (window.endMs - window.startMs) / HOUR;
};

describe("business-day windows", () => {
  it("converts an ordinary day to UTC", () => {
    const window = businessDayWindow("2025-03-14", "America/Los_Angeles");
    expect(window.start).toBe("2025-03-14T07:00:00.000Z");
    expect(window.end).toBe("2025-03-15T07:00:00.000Z");
  });

  it("is 23 hours on spring-forward and 25 on fall-back days, in several zones", () => {
    // US: second Sunday of March, first Sunday of November.
    expect(hours("2025-03-09", "America/Los_Angeles")).toBe(23);
    expect(hours("2025-11-02", "America/Los_Angeles")).toBe(25);
    expect(hours("2025-03-09", "America/New_York")).toBe(23);
    expect(hours("2025-11-02", "America/New_York")).toBe(25);
    // EU: last Sunday of March and October, at 01:00 UTC.
    expect(hours("2025-03-30", "Europe/London")).toBe(23);
    expect(hours("2025-10-26", "Europe/London")).toBe(25);
    expect(hours("2025-03-30", "Europe/Berlin")).toBe(23);
    // Southern hemisphere: Sydney falls back in April and springs forward in October.
    expect(hours("2025-04-06", "Australia/Sydney")).toBe(25);
    expect(hours("2025-10-05", "Australia/Sydney")).toBe(23);
    // Lord Howe Island moves its clocks by half an hour.
    expect(hours("2025-10-05", "Australia/Lord_Howe")).toBe(23.5);
    // The days around a change are ordinary.
    expect(hours("2025-03-08", "America/Los_Angeles")).toBe(24);
    expect(hours("2025-03-10", "America/Los_Angeles")).toBe(24);
    // No DST at all.
    expect(hours("2025-03-09", "Asia/Kolkata")).toBe(24);
  });

  it("gives exact UTC bounds on the DST days", () => {
    expect(businessDayWindow("2025-03-09", "America/Los_Angeles")).toMatchObject({
      start: "2025-03-09T08:00:00.000Z", end: "2025-03-10T07:00:00.000Z",
    });
    expect(businessDayWindow("2025-10-26", "Europe/London")).toMatchObject({
      start: "2025-10-25T23:00:00.000Z", end: "2025-10-27T00:00:00.000Z",
    });
    expect(businessDayWindow("2025-04-06", "Australia/Sydney")).toMatchObject({
      start: "2025-04-05T13:00:00.000Z", end: "2025-04-06T14:00:00.000Z",
    });
  });

  it("honours day starts other than midnight", () => {
    expect(businessDayWindow("2025-03-14", "America/New_York", "04:00")).toMatchObject({
      start: "2025-03-14T08:00:00.000Z", end: "2025-03-15T08:00:00.000Z",
    });
    expect(businessDayWindow("2025-06-01", "Asia/Kathmandu", "05:45")).toMatchObject({
      start: "2025-06-01T00:00:00.000Z", end: "2025-06-02T00:00:00.000Z",
    });
    // A 04:00 start puts the DST change (02:00) inside the previous business day.
    expect(hours("2025-03-08", "America/Los_Angeles", "04:00")).toBe(23);
    expect(hours("2025-03-09", "America/Los_Angeles", "04:00")).toBe(24);
    expect(hours("2025-10-25", "Europe/London", "04:00")).toBe(25);
  });

  it("starts a day whose start falls in the spring-forward gap at the end of the gap", () => {
    // 02:30 does not exist in Los Angeles on 2025-03-09; the day starts at 03:30 PDT (10:30 UTC).
    const window = businessDayWindow("2025-03-09", "America/Los_Angeles", "02:30");
    expect(window.start).toBe("2025-03-09T10:30:00.000Z");
    expect(window.end).toBe("2025-03-10T09:30:00.000Z");
    expect(businessDayWindow("2025-03-08", "America/Los_Angeles", "02:30").end).toBe(window.start);
  });

  it("starts a day whose start falls in the repeated hour at its first occurrence", () => {
    // 01:30 happens twice in New York on 2025-11-02: first at 05:30 UTC (EDT), then 06:30 UTC (EST).
    const window = businessDayWindow("2025-11-02", "America/New_York", "01:30");
    expect(window.start).toBe("2025-11-02T05:30:00.000Z");
    expect(hours("2025-11-02", "America/New_York", "01:30")).toBe(25);
    expect(hours("2025-11-01", "America/New_York", "01:30")).toBe(24);
    // The second 01:15 (06:15 UTC) is after the day started at the first 01:30.
    expect(businessDayOf(Date.parse("2025-11-02T06:15:00Z"), "America/New_York", "01:30")).toBe("2025-11-02");
    expect(businessDayOf(Date.parse("2025-11-02T05:15:00Z"), "America/New_York", "01:30")).toBe("2025-11-01");
  });

  it("puts every instant in exactly one business day, whatever the zone and day start", () => {
    const zones = ["America/Los_Angeles", "America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "UTC"];
    const dayStarts = ["00:00", "01:00", "01:30", "02:00", "02:30", "04:00", "05:45", "23:45"];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
          // Instants within three hours of a DST change, where the mistakes live.
          fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })).map(([at, delta]) => at + delta),
        ),
        fc.constantFrom(...zones),
        fc.constantFrom(...dayStarts),
        (instant, zone, dayStart) => {
          const day = businessDayOf(instant, zone, dayStart);
          const window = businessDayWindow(day, zone, dayStart);
          expect(instant).toBeGreaterThanOrEqual(window.startMs);
          expect(instant).toBeLessThan(window.endMs);
          // Consecutive days tile time with no gap and no overlap.
          expect(businessDayWindow(addDays(day, 1), zone, dayStart).startMs).toBe(window.endMs);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("answers from the windows it worked out before exactly as it would cold, in any order of questions", async () => {
    const zones = ["America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Europe/London"];
    const dayStarts = ["00:00", "02:00", "02:30", "23:45"];
    const questions = fc.sample(fc.tuple(
      fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -30 * HOUR, max: 30 * HOUR })).map(([at, delta]) => at + delta),
      fc.constantFrom(...zones),
      fc.constantFrom(...dayStarts),
    ), { numRuns: 150, seed: 14 });
    const cold = async () => {
      vi.resetModules();
      return await import("../../lib/domain/business-day");
    };
    const warm = await cold();
    for (const [instant, zone, dayStart] of questions) {
      const fresh = await cold();
      const day = fresh.businessDayOf(instant, zone, dayStart);
      expect(warm.businessDayOf(instant, zone, dayStart), `${new Date(instant).toISOString()} ${zone} ${dayStart}`).toBe(day);
      expect(warm.businessDayWindow(day, zone, dayStart)).toEqual(fresh.businessDayWindow(day, zone, dayStart));
    }
  });

  it("asks the zone library once per day, not once per instant: the days of a hundred entries of one payout", () => {
    const formatToParts = vi.spyOn(Intl.DateTimeFormat.prototype, "formatToParts");
    try {
      const start = Date.parse("2026-01-14T06:00:00Z");
      const days = new Set(Array.from({ length: 100 }, (_, i) => businessDayOf(start + i * 12 * 60_000, "America/Chicago", "04:00")));
      // 06:00Z is 00:00 in Chicago: before the 04:00 day start, the day before; 10:00Z on is the 14th.
      expect([...days]).toEqual(["2026-01-13", "2026-01-14"]);
      // Each businessDayOf worked out cold asks about nine times (its offset, then its window's two ends).
      expect(formatToParts.mock.calls.length).toBeLessThanOrEqual(30);
    } finally {
      formatToParts.mockRestore();
    }
  });

  it("hands out copies of the windows it keeps: a caller changing one changes no other answer", () => {
    const window = businessDayWindow("2026-02-10", "Asia/Tokyo");
    window.startMs = 0;
    window.date = "1970-01-01";
    expect(businessDayWindow("2026-02-10", "Asia/Tokyo")).toMatchObject({ date: "2026-02-10", start: "2026-02-09T15:00:00.000Z" });
    expect(businessDayOf(Date.parse("2026-02-09T16:00:00Z"), "Asia/Tokyo")).toBe("2026-02-10");
  });

  it("rejects bad dates, zones and day starts with a clear message", () => {
    expect(() => businessDayWindow("2025-02-30", "UTC")).toThrow(/not a calendar date/);
    expect(() => businessDayWindow("14/03/2025", "UTC")).toThrow(BusinessDayError);
    expect(() => businessDayWindow("2025-03-14", "Mars/Olympus")).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => parseDayStart("04:10")).toThrow(/quarter hour/);
    expect(() => parseDayStart("24:00")).toThrow(BusinessDayError);
  });
});

describe("the time zone a location's days are cut in", () => {
  it("takes places' IANA names, rule-based legacy names and UTC", () => {
    for (const zone of ["America/New_York", "America/Phoenix", "Asia/Kolkata", "Europe/London", "EST5EDT", "US/Eastern", "UTC", "Etc/UTC"]) {
      expect(timeZoneProblem(zone), zone).toBeUndefined();
    }
  });

  it("refuses fixed-offset abbreviations and bare offsets, saying why, unless a fixed offset is meant", () => {
    // EST is UTC−05:00 all year: a New York shop would post its days an hour off from March to November.
    expect(timeZoneProblem("EST")).toBe(
      '"EST" is a fixed offset (UTC-05:00) with no daylight saving, not a place: a location whose clocks change in summer ' +
        "would have its business days an hour off for half the year. Use the IANA name of the location's city, such as America/New_York or Europe/London",
    );
    expect(timeZoneProblem("Etc/GMT+5", { howToAllowFixedOffset: "pass --fixed-offset" })).toMatch(
      /^"Etc\/GMT\+5" is a fixed offset \(UTC-05:00\).*, or pass --fixed-offset if the location really keeps UTC-05:00 all year$/,
    );
    for (const zone of ["MST", "HST", "GMT", "Etc/GMT-10"]) expect(timeZoneProblem(zone), zone).toMatch(/is a fixed offset \(UTC[+-]\d\d:\d\d\) with no daylight saving/);
    for (const zone of ["EST", "Etc/GMT+5", "GMT"]) expect(timeZoneProblem(zone, { allowFixedOffset: true }), zone).toBeUndefined();
  });

  it("refuses abbreviations that stand for a place by the zone library's guess, even with a fixed offset allowed", () => {
    expect(timeZoneProblem("PST", { allowFixedOffset: true })).toBe(
      '"PST" is an abbreviation, not a time zone: the place it stands for is the zone library\'s guess (here America/Los_Angeles). ' +
        "Use the IANA name of the location's city, such as America/Los_Angeles",
    );
    expect(timeZoneProblem("CET")).toMatch(/^"CET" is an abbreviation/);
    expect(() => assertLocationTimeZone("Mars/Olympus")).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => assertLocationTimeZone("CET")).toThrow(BusinessDayError);
    expect(assertLocationTimeZone("Europe/Paris")).toBe("Europe/Paris");
  });
});

describe("isCalendarDate", () => {
  it("knows the calendar: leap days only in leap years, no 31st of June, and only YYYY-MM-DD", () => {
    for (const day of ["2024-02-29", "2025-06-30", "2025-12-31"]) expect(isCalendarDate(day), day).toBe(true);
    for (const day of ["2025-02-29", "2025-06-31", "2025-13-01", "2025-6-1", "", "yesterday"]) expect(isCalendarDate(day), day).toBe(false);
  });
});
