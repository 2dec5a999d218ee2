/**
 * Location-nights end to end (lib/sync/sync-night.ts) against the simulators and DynamoDB on
 * moto_server, counting every call: a night reads the POS's changes once, posts its day and any
 * adjustment of the three before, and on the normal path makes no QuickBooks read at all; an unchanged
 * re-run makes no QuickBooks call of any kind; the DocNumber lookup happens only inside a recovery
 * window (DAYBOOK_RECOVERY_UNTIL) or for a pending entry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, businessDayWindow } from "../../lib/domain/business-day";
import type { SyncPorts } from "../../lib/sync/sync-day";
import { type NightDayResult, syncLocationNight } from "../../lib/sync/sync-night";
import { generateDay } from "../../sandbox/square/generate-day";
import { createWorld, type World } from "../support/sync-world";

const ZONE = "America/New_York";
const D = "2025-09-10";
const HOUR = 3_600_000;
/** A night's run: two hours after its day ended. */
const runOf = (day: string) => businessDayWindow(day, ZONE, "00:00").endMs + 2 * HOUR;

let clock = runOf(addDays(D, -1));
let world: World;

const statuses = (results: NightDayResult[]) =>
  Object.fromEntries(results.map((result) => [result.day.businessDay, "outcome" in result ? result.outcome.status : `threw ${String(result.error)}`]));

/** The QuickBooks calls since the last look: "token", "GET query", "POST journalentry", ... */
let quickBooksSeen = 0;
function quickBooksCalls(): string[] {
  const log = world.quickbooks.requestLog();
  const calls = log.slice(quickBooksSeen).map((request) => request.kind === "api" ? `${request.method} ${/^\/v3\/company\/[^/]+\/([^/?]+)/.exec(request.path)?.[1] ?? request.path}` : request.kind);
  quickBooksSeen = log.length;
  return calls;
}

function squareCalls(): Record<string, number> {
  const calls = world.square.requestLog();
  world.square.clearRequestLog();
  return calls;
}

async function night(day: string, ports?: SyncPorts): Promise<NightDayResult[]> {
  clock = runOf(day);
  return syncLocationNight(ports ?? await world.ports(), world.day(day));
}

beforeAll(async () => {
  world = await createWorld({ timeZone: ZONE, now: () => clock });
  const days = [-4, -3, -2, -1, 0, 1, 2].map((back, index) =>
    generateDay({ seed: 90 + index, sales: 40, date: addDays(D, back), timeZone: ZONE, locationId: world.location.locationId, returnRate: 0.1, noiseRate: 0 }));
  world.square.setCatalog(world.squareMerchantId, days[0]?.catalog ?? {});
  for (const day of days) world.square.addOrders(world.location.locationId, day.orders);
});

afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  await world.close();
});

describe("a location-night", () => {
  it("the first night reads every day it has no trusted record of, posts them, and reads the company's settings once", async () => {
    const results = await night(addDays(D, -1));
    expect(statuses(results)).toEqual({ "2025-09-06": "posted", "2025-09-07": "posted", "2025-09-08": "posted", "2025-09-09": "posted" });
    const calls = quickBooksCalls();
    expect(calls.filter((call) => call === "POST journalentry")).toHaveLength(4);
    // The company's settings, once, kept on the connection; no DocNumber lookup.
    expect(calls.filter((call) => call.startsWith("GET"))).toEqual(["GET companyinfo", "GET preferences"]);
    expect((await world.store.getConnection(world.merchantId, "quickbooks-1"))?.company).toMatchObject({ homeCurrency: "USD", multiCurrencyEnabled: false });
  });

  it("a normal night reads the changes once and posts its day with no QuickBooks read", async () => {
    squareCalls();
    const results = await night(D);
    expect(statuses(results)).toEqual({ "2025-09-07": "unchanged", "2025-09-08": "unchanged", "2025-09-09": "unchanged", "2025-09-10": "posted" });
    // One create; the only other call is the token refresh a day-old access token needs.
    expect(quickBooksCalls()).toEqual(["token", "POST journalentry"]);
    // One pass of each list, no day read on its own; the catalog in two levels (variations with their items, then categories).
    expect(squareCalls()).toEqual({ SearchOrders: 1, ListPayments: 1, ListPaymentRefunds: 1, BatchRetrieveCatalogObjects: 2 });
  });

  it("the same night again, with nothing changed, makes no QuickBooks call at all", async () => {
    const results = await night(D);
    expect(statuses(results)).toEqual({ "2025-09-07": "unchanged", "2025-09-08": "unchanged", "2025-09-09": "unchanged", "2025-09-10": "unchanged" });
    expect(quickBooksCalls()).toEqual([]);
    const calls = squareCalls();
    expect(calls).toMatchObject({ SearchOrders: 1, ListPayments: 1, ListPaymentRefunds: 1 });
  });

  it("a late change to an earlier day re-reads that day alone, in full, and posts its adjustment beside the night's day", async () => {
    const changed = addDays(D, -1);
    const late = generateDay({ seed: 500, sales: 2, date: changed, timeZone: ZONE, locationId: world.location.locationId, noiseRate: 0, returnRate: 0, openRate: 0 });
    world.square.addOrders(world.location.locationId, late.orders.map((order) => ({ ...order, id: `LATE${order.id}` })), { arrivedAt: runOf(D) + HOUR });
    squareCalls();
    const results = await night(addDays(D, 1));
    expect(statuses(results)).toEqual({ "2025-09-08": "unchanged", "2025-09-09": "adjusted", "2025-09-10": "unchanged", "2025-09-11": "posted" });
    expect(quickBooksCalls()).toEqual(["token", "POST journalentry", "POST journalentry"]);
    // The changes once, then 09-09 alone: its two SearchOrders passes, its payments and refunds.
    expect(squareCalls()).toMatchObject({ SearchOrders: 3, ListPayments: 2, ListPaymentRefunds: 2 });
  });

  it("inside a recovery window every create is preceded by the DocNumber lookup", async () => {
    const ports = { ...(await world.ports()), recoveryUntil: new Date(runOf(addDays(D, 2)) + HOUR) };
    const results = await night(addDays(D, 2), ports);
    expect(statuses(results)["2025-09-12"]).toBe("posted");
    expect(quickBooksCalls().filter((call) => call !== "token")).toEqual(["GET query", "POST journalentry"]);
    // After the window closes, the next create is not looked up.
    const later = { ...(await world.ports()), recoveryUntil: new Date(runOf(addDays(D, 2)) + HOUR) };
    world.square.addOrders(world.location.locationId, generateDay({ seed: 600, sales: 2, date: addDays(D, 2), timeZone: ZONE, locationId: world.location.locationId, noiseRate: 0, returnRate: 0, openRate: 0 })
      .orders.map((order) => ({ ...order, id: `LATE2${order.id}` })), { arrivedAt: runOf(addDays(D, 2)) + 2 * HOUR });
    clock = runOf(addDays(D, 2)) + 3 * HOUR;
    const again = await syncLocationNight(later, world.day(addDays(D, 2)));
    expect(statuses(again)["2025-09-12"]).toBe("adjusted");
    expect(quickBooksCalls().filter((call) => call !== "token")).toEqual(["POST journalentry"]);
  });

  it("reads the company's settings again when QuickBooks refuses a create for a reason they explain (multicurrency switched on since), and posts", async () => {
    world.quickbooks.enableMultiCurrency(world.realmId);
    world.square.addOrders(world.location.locationId, generateDay({ seed: 700, sales: 5, date: addDays(D, 3), timeZone: ZONE, locationId: world.location.locationId, noiseRate: 0 }).orders);
    const results = await night(addDays(D, 3));
    expect(statuses(results)["2025-09-13"]).toBe("posted");
    // The refused create, the settings read again, the create with the currency named.
    expect(quickBooksCalls().filter((call) => call !== "token")).toEqual(["POST journalentry", "GET companyinfo", "GET preferences", "POST journalentry"]);
    expect((await world.store.getConnection(world.merchantId, "quickbooks-1"))?.company).toMatchObject({ multiCurrencyEnabled: true });
    const entry = world.quickbooks.journalEntries(world.realmId).at(-1);
    expect(entry?.CurrencyRef).toMatchObject({ value: "USD" });
  });
});
