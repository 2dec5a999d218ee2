import { describe, expect, it } from "vitest";
import { progressLine } from "../../lib/cli/backfill";

describe("the backfill progress line", () => {
  it("fills the bar with the days ended, done and failed alike", () => {
    expect(progressLine({ total: 4, done: 0, failed: 0 })).toBe(`[${"-".repeat(30)}] 0/4 days (0 done, 0 failed)`);
    expect(progressLine({ total: 4, done: 1, failed: 1 })).toBe(`[${"#".repeat(15)}${"-".repeat(15)}] 2/4 days (1 done, 1 failed)`);
    expect(progressLine({ total: 90, done: 89, failed: 0 })).toBe(`[${"#".repeat(29)}-] 89/90 days (89 done, 0 failed)`);
    expect(progressLine({ total: 3, done: 3, failed: 0 })).toBe(`[${"#".repeat(30)}] 3/3 days (3 done, 0 failed)`);
  });

  it("says how many of the days done were posted before and failed their check for later changes", () => {
    expect(progressLine({ total: 2, done: 2, failed: 0, recheckFailed: 1 }))
      .toBe(`[${"#".repeat(30)}] 2/2 days (2 done, 0 failed; 1 posted; the check for later changes failed)`);
    expect(progressLine({ total: 2, done: 2, failed: 0, recheckFailed: 0 })).toBe(`[${"#".repeat(30)}] 2/2 days (2 done, 0 failed)`);
  });
});
