/** The night simulation of the benchmarks (bench/night.ts), worked by hand on small fleets. */
import { describe, expect, it } from "vitest";
import { simulateNight } from "../../bench/night";
import { lambdaNodeFlags } from "../../infra/capacity";

describe("a simulated night", () => {
  it("runs jobs at the fleet's concurrency once the tick has enqueued them", () => {
    // 1,800 one-location merchants, 6-second jobs, 1.5 hours: 1,800 × 6 × 1.5 ÷ 5,400 = 3 workers.
    const night = simulateNight({ merchants: 1800, locationsPerMerchant: 1, jobSeconds: 6, tickLocationsPerSecond: 1e9, hours: 1.5 });
    expect(night.concurrency).toBe(3);
    // 600 rounds of 3 jobs, 6 s each.
    expect(night.nightSeconds).toBeCloseTo(3600, 6);
    expect(night.waitedForCompany).toBe(0);
  });

  it("cannot end before the tick has enqueued the last location", () => {
    const night = simulateNight({ merchants: 100, locationsPerMerchant: 1, jobSeconds: 1, tickLocationsPerSecond: 1, hours: 1.5 });
    expect(night.enqueuedSeconds).toBe(100);
    expect(night.nightSeconds).toBeCloseTo(99 + 1, 6);
  });

  it("keeps one job per company in flight", () => {
    // One merchant with four locations: never two at once, whatever the concurrency.
    const night = simulateNight({ merchants: 1, locationsPerMerchant: 4, jobSeconds: 10, tickLocationsPerSecond: 1e9, hours: 0.001 });
    expect(night.concurrency).toBeGreaterThan(1);
    expect(night.nightSeconds).toBeCloseTo(40, 6);
    expect(night.waitedForCompany).toBe(3);
  });
});

describe("lambdaNodeFlags", () => {
  it("sizes V8's heap as Lambda's Node bootstrap does: new space a tenth, each semi-space half of it, old space the rest", () => {
    expect(lambdaNodeFlags(256)).toEqual(["--max-semi-space-size=12", "--max-old-space-size=231"]);
    expect(lambdaNodeFlags(512)).toEqual(["--max-semi-space-size=25", "--max-old-space-size=461"]);
    expect(lambdaNodeFlags(1024)).toEqual(["--max-semi-space-size=51", "--max-old-space-size=922"]);
  });
});
