import { describe, expect, it } from "vitest";
import type { LocationNight } from "../../bench/cost-job";
import { meanNight } from "../../bench/cost-job";
import { twoLocationsWords } from "../../bench/report";

const night = (locationId: string, refreshed: boolean, figures: Partial<LocationNight>): LocationNight => ({
  locationId, refreshedQuickBooksToken: refreshed, statuses: {}, cpuMs: 0, providerCalls: 0, providerCallsByEndpoint: {}, aws: {},
  readUnits: 0, writeUnits: 0, writeUnitsByKind: {}, writesByKind: {}, readsByKind: {}, kmsRequests: 1, storedBytesByKind: {}, dayItemBytes: {}, calls: [], ...figures,
});

describe("part 5's two location-nights of one merchant", () => {
  const first = night("L1", true, {
    cpuMs: 280, providerCalls: 13, providerCallsByEndpoint: { "QuickBooks token": 1, "QuickBooks POST journalentry": 2 }, writeUnits: 18,
    writeUnitsByKind: { connection: 6, report: 1 }, writesByKind: { connection: 2, report: 1 },
  });
  const second = night("L2", false, { cpuMs: 220, providerCalls: 12, providerCallsByEndpoint: { "QuickBooks POST journalentry": 2 }, writeUnits: 13, writeUnitsByKind: { report: 2 }, writesByKind: { report: 1 } });

  it("bill their mean, figure by figure, a count one night lacks counting 0 there", () => {
    expect(meanNight([first, second])).toMatchObject({
      cpuMs: 250, providerCalls: 12.5, writeUnits: 15.5, kmsRequests: 1,
      providerCallsByEndpoint: { "QuickBooks token": 0.5, "QuickBooks POST journalentry": 2 },
      writeUnitsByKind: { connection: 3, report: 1.5 }, writesByKind: { connection: 1, report: 1 },
    });
  });

  it("are told apart in results.md: which refreshes, what each connection write costs, each one's figures", () => {
    const words = twoLocationsWords([first, second], (each) => (each === first ? 630 : 300));
    expect(words).toContain("the token call, its lease write and token write (on the connection item, 3 WRU each");
    expect(words).toContain("L1 (refreshes) 13 provider calls, 18 WRU");
    expect(words).toContain("waits 630 ms; L2 (token valid) 12 provider calls, 13 WRU");
  });
});
