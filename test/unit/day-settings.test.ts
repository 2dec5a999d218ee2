import { describe, expect, it } from "vitest";
import { changeDaySettings, DaySettingsError, daySettingsOn, dayWindowOf } from "../../lib/domain/day-settings";
import { dueAt, firstDayDueAfter, lastDayDueBy } from "../../lib/schedule/due-days";

const NEW_YORK = { timeZone: "America/New_York", dayStart: "00:00" };
const HOURS = 3_600_000;

describe("a change of day start", () => {
  // From 2025-06-10 on, the day starts at 04:00; the days before keep midnight.
  const later = changeDaySettings(NEW_YORK, { timeZone: "America/New_York", dayStart: "04:00" }, "2025-06-10");

  it("applies from the chosen day: the days before keep their settings", () => {
    expect(later).toEqual({ timeZone: "America/New_York", dayStart: "04:00", earlierDaySettings: [{ timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-10" }] });
    expect(daySettingsOn(later, "2025-06-09")).toEqual(NEW_YORK);
    expect(daySettingsOn(later, "2025-06-10")).toEqual({ timeZone: "America/New_York", dayStart: "04:00" });
    // A posted day's window is the same before and after the change: re-checking it finds nothing new.
    expect(dayWindowOf(later, "2025-06-09")).toEqual(dayWindowOf(NEW_YORK, "2025-06-09"));
    expect(dayWindowOf(later, "2025-06-09")).toMatchObject({ start: "2025-06-09T04:00:00.000Z", end: "2025-06-10T04:00:00.000Z" });
  });

  it("makes the first day under a later start 28 hours long, so the hours between midnight and 04:00 belong to it", () => {
    const first = dayWindowOf(later, "2025-06-10");
    // Starts where June 9 ended (midnight, 04:00Z), ends at 04:00 on June 11 (08:00Z).
    expect(first).toMatchObject({ start: "2025-06-10T04:00:00.000Z", end: "2025-06-11T08:00:00.000Z" });
    expect(first.endMs - first.startMs).toBe(28 * HOURS);
    expect(dayWindowOf(later, "2025-06-11")).toMatchObject({ start: "2025-06-11T08:00:00.000Z", end: "2025-06-12T08:00:00.000Z" });
  });

  it("makes the first day under an earlier start 20 hours long, so no hour is counted twice", () => {
    const earlier = changeDaySettings({ timeZone: "America/New_York", dayStart: "04:00" }, NEW_YORK, "2025-06-10");
    const first = dayWindowOf(earlier, "2025-06-10");
    expect(first).toMatchObject({ start: "2025-06-10T08:00:00.000Z", end: "2025-06-11T04:00:00.000Z" });
    expect(first.endMs - first.startMs).toBe(20 * HOURS);
    expect(dayWindowOf(earlier, "2025-06-09")).toMatchObject({ start: "2025-06-09T08:00:00.000Z", end: "2025-06-10T08:00:00.000Z" });
  });

  it("moves a zone the same way: from 2025-06-10, a shop in Chicago instead of New York", () => {
    const chicago = changeDaySettings(NEW_YORK, { timeZone: "America/Chicago", dayStart: "00:00" }, "2025-06-10");
    expect(dayWindowOf(chicago, "2025-06-10")).toMatchObject({ start: "2025-06-10T04:00:00.000Z", end: "2025-06-11T05:00:00.000Z" });
  });

  it("keeps every earlier change and overtakes one still to come", () => {
    const twice = changeDaySettings(later, { timeZone: "America/New_York", dayStart: "05:00" }, "2025-06-20");
    expect(twice.earlierDaySettings).toEqual([
      { timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-10" },
      { timeZone: "America/New_York", dayStart: "04:00", until: "2025-06-20" },
    ]);
    expect(daySettingsOn(twice, "2025-06-15").dayStart).toBe("04:00");
    // Changing again from an earlier day than the one still to come replaces it.
    const overtaken = changeDaySettings(twice, { timeZone: "America/New_York", dayStart: "06:00" }, "2025-06-15");
    expect(overtaken.earlierDaySettings).toEqual([
      { timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-10" },
      { timeZone: "America/New_York", dayStart: "04:00", until: "2025-06-15" },
    ]);
    // Going back to the settings before a change from that same day leaves no trace of it.
    expect(changeDaySettings(later, NEW_YORK, "2025-06-10")).toEqual({ ...NEW_YORK, earlierDaySettings: undefined });
  });

  it("refuses a change that would leave its first day with no hours", () => {
    const samoa = { timeZone: "Pacific/Pago_Pago", dayStart: "00:00" };
    expect(() => changeDaySettings(samoa, { timeZone: "Pacific/Kiritimati", dayStart: "00:00" }, "2025-06-10")).toThrow(DaySettingsError);
  });

  it("makes each day due by its own settings: the scheduler never reads a day before it ended", () => {
    const schedule = { ...later, settleMinutes: 120 };
    // June 9 ends at midnight (04:00Z), June 10 at 04:00 on June 11 (08:00Z).
    expect(dueAt("2025-06-09", schedule).toISOString()).toBe("2025-06-10T06:00:00.000Z");
    expect(dueAt("2025-06-10", schedule).toISOString()).toBe("2025-06-11T10:00:00.000Z");
    expect(firstDayDueAfter(new Date("2025-06-10T06:30:00.000Z"), schedule)).toBe("2025-06-10");
    expect(firstDayDueAfter(new Date("2025-06-10T05:59:00.000Z"), schedule)).toBe("2025-06-09");
    expect(lastDayDueBy(new Date("2025-06-11T09:00:00.000Z"), schedule)).toBe("2025-06-09");
    // The other way: a later start before an earlier one; the current settings alone would guess a day too late.
    const back = { ...changeDaySettings({ timeZone: "America/New_York", dayStart: "04:00" }, NEW_YORK, "2025-06-10"), settleMinutes: 120 };
    expect(firstDayDueAfter(new Date("2025-06-10T09:00:00.000Z"), back)).toBe("2025-06-09");
    expect(dueAt("2025-06-09", back).toISOString()).toBe("2025-06-10T10:00:00.000Z");
  });
});
