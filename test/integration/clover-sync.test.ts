/**
 * A Clover merchant's business day posted to QuickBooks through the same sync engine as Square's: the
 * rate-paced Clover client against the Clover simulator, the QuickBooks client against its simulator,
 * the store on moto_server. Nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SyncOutcome, syncLocationDay } from "../../lib/sync/sync-day";
import { generateCloverDay, type GeneratedCloverDay } from "../../sandbox/clover/generate-day";
import { expectedAccountNets } from "../../sandbox/account-totals";
import { CLOVER_MERCHANT_ID, createWorld, MAPPING, type World } from "../support/sync-world";

const DATE = "2024-06-20";
const ZONE = "America/New_York";
const NIGHT = Date.parse("2024-06-21T07:00:00Z");

let world: World;
let generated: GeneratedCloverDay;

function ledgerNets(): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const [account, { debit, credit }] of world.quickbooks.accountTotals(world.realmId)) {
    if (debit !== credit) nets[account] = debit - credit;
  }
  return Object.fromEntries(Object.entries(nets).sort(([a], [b]) => a.localeCompare(b)));
}

beforeAll(async () => {
  world = await createWorld({ timeZone: ZONE, now: () => NIGHT, source: "clover" });
  generated = generateCloverDay({ seed: 3, orders: 3000, date: DATE, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID });
  world.clover!.setItems(CLOVER_MERCHANT_ID, generated.items);
  world.clover!.addOrders(CLOVER_MERCHANT_ID, generated.orders);
});

afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  // Clover is only read: every API request a GET (its simulator answers any other method 404), and some were made.
  const api = world.clover!.requests().filter((request) => request.path.startsWith("/v3/"));
  expect(api.length).toBeGreaterThan(0);
  expect(api.filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path}`)).toEqual([]);
  await world.close();
});

describe("a Clover location-day posted to QuickBooks", () => {
  it("posts a 3,000-order day once, under injected 429s and timeouts, within Clover's rate limits", async () => {
    const clover = world.clover!;
    clover.injectFaults({ fault: { kind: "429", retryAfterSeconds: 0 }, probability: 0.1 });
    clover.injectFaults({ fault: { kind: "slow", delayMs: 1500 }, probability: 0.05 });
    world.quickbooks.injectFaults(
      { match: "api", fault: { kind: "429", retryAfterSeconds: 0 }, probability: 0.1 },
      { match: "api", fault: { kind: "slow", delayMs: 800 }, probability: 0.05 },
    );
    let outcome: SyncOutcome | undefined;
    for (let attempt = 0; attempt < 10 && !outcome; attempt++) {
      outcome = await syncLocationDay(await world.ports(), world.day(DATE)).catch(() => undefined);
    }
    expect(outcome?.status).toBe("posted");
    expect(clover.requests().filter((request) => request.fault).length).toBeGreaterThan(0);
    clover.clearFaults();
    world.quickbooks.clearFaults();

    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect(ledgerNets()).toEqual(expectedAccountNets(generated.truth, MAPPING));
    // The client paced itself: Clover's per-token limits were never crossed, and none of its own 429s were earned.
    const stats = clover.rateStats(CLOVER_MERCHANT_ID);
    expect(stats.maxPerSecond).toBeLessThanOrEqual(16);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(5);
    expect(stats.limited429s).toBe(0);

    const again = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(again.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  }, 180_000);

  it("reads orders modified up to the sync's own clock, not the wall clock", async () => {
    // The world's clock is a night in 2024: read up to the wall clock, the day's window would span
    // dozens of 89-day ranges; read up to the sync's clock, it is one open-ended range.
    const clover = world.clover!;
    // A new reader knows nothing of the last test's requests: let Clover's per-second window pass.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    clover.clearRequestLog();
    expect((await syncLocationDay(await world.ports(), world.day(DATE))).status).toBe("unchanged");
    const orderReads = clover.requests().filter((request) => request.endpoint === "ListOrders" && request.status === 200);
    const lowerBounds = new Set(orderReads.flatMap((request) => (request.query["filter"] ?? []).filter((filter) => filter.startsWith("modifiedTime>="))));
    expect(lowerBounds.size).toBe(1);
    expect(orderReads.flatMap((request) => request.query["filter"] ?? []).filter((filter) => filter.startsWith("modifiedTime<"))).toEqual([]);
  });
});
