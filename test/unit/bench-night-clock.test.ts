import { describe, expect, it } from "vitest";
import { nightClock } from "../../bench/night-clock";

const ZONE = "America/New_York";

describe("part 5's night clock (bench/night-clock.ts)", () => {
  it("runs the latest Wednesday, Thursday or Friday's night at 02:15 the next morning in the location's zone", () => {
    // Monday 12:01 in New York (EST, UTC−5): Sunday's and Saturday's nights are passed over, Friday's (at 02:15 Saturday) taken.
    expect(nightClock(ZONE, Date.parse("2026-12-07T17:01:00Z"))).toEqual({ day: "2026-12-04", atMs: Date.parse("2026-12-05T07:15:00Z") });
    // Thursday 03:00: Wednesday's night ran at 02:15.
    expect(nightClock(ZONE, Date.parse("2026-12-03T08:00:00Z"))).toEqual({ day: "2026-12-02", atMs: Date.parse("2026-12-03T07:15:00Z") });
    // Thursday 01:00: Wednesday's day has not settled, so the Friday before.
    expect(nightClock(ZONE, Date.parse("2026-12-03T06:00:00Z"))).toEqual({ day: "2026-11-27", atMs: Date.parse("2026-11-28T07:15:00Z") });
  });

  it("keeps 02:15 local across a change of offset (EDT, UTC−4)", () => {
    expect(nightClock(ZONE, Date.parse("2026-07-10T12:00:00Z"))).toEqual({ day: "2026-07-09", atMs: Date.parse("2026-07-10T06:15:00Z") });
  });
});
