import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../lib/domain/business-day";
import { type DueSchedule, dueAt, dueWork, firstDayDueAfter, MAX_CATCH_UP_DAYS } from "../../lib/schedule/due-days";

const LA: DueSchedule = { timeZone: "America/Los_Angeles", dayStart: "00:00", settleMinutes: 120 };
const at = (iso: string) => new Date(iso);
const minutes = (n: number) => n * 60_000;

describe("due days", () => {
  it("makes a day due at its end plus the settle delay, on 24-, 23- and 25-hour days", () => {
    expect(dueAt("2025-03-14", LA).toISOString()).toBe("2025-03-15T09:00:00.000Z");
    // 2025-03-09 springs forward in Los Angeles: the day ends at 07:00Z, not 08:00Z.
    expect(dueAt("2025-03-09", LA).toISOString()).toBe("2025-03-10T09:00:00.000Z");
    expect(dueAt("2025-03-08", LA).toISOString()).toBe("2025-03-09T10:00:00.000Z");
    // 2025-11-02 falls back: 25 hours.
    expect(dueAt("2025-11-02", LA).toISOString()).toBe("2025-11-03T10:00:00.000Z");
    expect(dueAt("2025-03-14", { timeZone: "Europe/London", dayStart: "04:00", settleMinutes: 60 }).toISOString()).toBe("2025-03-15T05:00:00.000Z");
  });

  it("returns the day now due with the three days before it to re-check, and moves on to the next day", () => {
    const work = dueWork(at("2025-03-15T09:00:00Z"), at("2025-03-15T09:05:00Z"), LA);
    expect(work.days).toEqual([
      { businessDay: "2025-03-11", kind: "recheck" },
      { businessDay: "2025-03-12", kind: "recheck" },
      { businessDay: "2025-03-13", kind: "recheck" },
      { businessDay: "2025-03-14", kind: "first" },
    ]);
    expect(work.nextDueAt.toISOString()).toBe("2025-03-16T09:00:00.000Z");
  });

  it("returns nothing before the due instant", () => {
    expect(dueWork(at("2025-03-15T09:00:00Z"), at("2025-03-15T08:59:59Z"), LA)).toEqual({ days: [], nextDueAt: at("2025-03-15T09:00:00Z") });
  });

  it("catches up days a stopped scheduler missed, each once, oldest first", () => {
    const work = dueWork(at("2025-03-15T09:00:00Z"), at("2025-03-17T12:00:00Z"), LA);
    expect(work.days.filter((day) => day.kind === "first").map((day) => day.businessDay)).toEqual(["2025-03-14", "2025-03-15", "2025-03-16"]);
    expect(work.days.filter((day) => day.kind === "recheck").map((day) => day.businessDay)).toEqual(["2025-03-11", "2025-03-12", "2025-03-13"]);
    expect(work.nextDueAt.toISOString()).toBe("2025-03-18T09:00:00.000Z");
  });

  it("leaves an outage longer than a week to a backfill", () => {
    const work = dueWork(at("2025-01-01T10:00:00Z"), at("2025-03-15T09:30:00Z"), LA);
    const first = work.days.filter((day) => day.kind === "first").map((day) => day.businessDay);
    expect(first).toHaveLength(MAX_CATCH_UP_DAYS);
    expect(first.at(-1)).toBe("2025-03-14");
  });

  it("finds the first day due after an instant", () => {
    expect(firstDayDueAfter(at("2025-03-15T09:00:00Z"), LA)).toBe("2025-03-15");
    expect(firstDayDueAfter(at("2025-03-15T08:59:59Z"), LA)).toBe("2025-03-14");
  });

  it("over two months of 15-minute ticks, syncs every day for the first time exactly once, at the first tick after it is due", () => {
    const zones = ["America/Los_Angeles", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham"];
    const quarterHours = Array.from({ length: 96 }, (_, n) => `${String(Math.floor(n / 4)).padStart(2, "0")}:${String((n % 4) * 15).padStart(2, "0")}`);
    fc.assert(fc.property(
      fc.constantFrom(...zones), fc.constantFrom(...quarterHours), fc.integer({ min: 0, max: 360 }), fc.integer({ min: 0, max: 14 }),
      (timeZone, dayStart, settleMinutes, tickOffset) => {
        const schedule = { timeZone, dayStart, settleMinutes };
        const start = at("2025-02-20T00:00:00Z").getTime() + minutes(tickOffset);
        let nextDueAt = dueAt(firstDayDueAfter(new Date(start), schedule), schedule);
        const firsts: { day: string; tick: number }[] = [];
        for (let tick = start; tick < at("2025-04-20T00:00:00Z").getTime(); tick += minutes(15)) {
          const work = dueWork(nextDueAt, new Date(tick), schedule);
          for (const day of work.days) if (day.kind === "first") firsts.push({ day: day.businessDay, tick });
          nextDueAt = work.nextDueAt;
        }
        const days = firsts.map((first) => first.day);
        expect(days.length).toBeGreaterThanOrEqual(58);
        expect(new Set(days).size).toBe(days.length);
        days.forEach((day, index) => { if (index > 0) expect(day).toBe(addDays(days[index - 1] ?? "", 1)); });
        for (const { day, tick } of firsts) {
          const due = dueAt(day, schedule).getTime();
          expect(tick).toBeGreaterThanOrEqual(due);
          expect(tick - due).toBeLessThan(minutes(15));
        }
      },
    ), { numRuns: 60 });
  });
});
