/**
 * Part 5's simulators in a process of their own (bench/simulators-process.ts): a world set up on them
 * syncs a day as one with the simulators in its own process does, on the clock the job sets, and the
 * process ends with the world.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays, businessDayWindow } from "../../lib/domain/business-day";
import { syncLocationDay } from "../../lib/sync/sync-day";
import { generateDay } from "../../sandbox/square/generate-day";
import { createSyncWorld, type SyncWorld } from "../../sandbox/world";
import { type SimulatorsProcess, startSimulatorsProcess } from "../../bench/simulators-process";

const ZONE = "America/Chicago";
const D = "2025-10-14";
const HOUR = 3_600_000;

let simulators: SimulatorsProcess;
let world: SyncWorld<SimulatorsProcess["square"], SimulatorsProcess["quickbooks"]>;
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
const setClock = async (atMs: number) => {
  offsetMs = atMs - Date.now();
  await simulators.setClockOffset(offsetMs);
};

beforeAll(async () => {
  simulators = await startSimulatorsProcess();
  await setClock(businessDayWindow(D, ZONE, "00:00").startMs - HOUR);
  world = await createSyncWorld({ motoEndpoint: inject("motoEndpoint"), serialiseDynamo: true, timeZone: ZONE, now, simulators });
});

afterAll(async () => {
  await world.close();
});

describe("the simulators in a process of their own", () => {
  it("keep the job's clock: the clock moved here is the simulators' there", async () => {
    await setClock(Date.parse("2025-10-15T07:15:00Z"));
    // The machine's clock moves on between the two reads: within the IPC round trip.
    for (const simulated of [await world.square.now(), await world.quickbooks.now()]) expect(Math.abs(simulated - now())).toBeLessThan(5_000);
    await setClock(Date.parse("2025-10-12T07:15:00Z"));
    expect(Math.abs(await world.square.now() - Date.parse("2025-10-12T07:15:00Z"))).toBeLessThan(5_000);
  });

  it("a world set up on them syncs a day: its sales read, its entry posted, every call in their logs", async () => {
    const day = generateDay({ seed: 3, sales: 20, date: D, timeZone: ZONE, locationId: world.location.locationId, noiseRate: 0 });
    await world.square.setCatalog(world.squareMerchantId, day.catalog);
    await world.square.addOrders(world.location.locationId, day.orders);
    await world.square.clearRequestLog();
    await setClock(businessDayWindow(addDays(D, 1), ZONE, "00:00").startMs + 3 * HOUR);
    const outcome = await syncLocationDay(await world.ports(), world.day(D));
    expect(outcome.status).toBe("posted");
    expect(await world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect((await world.square.requestLog())["SearchOrders"]).toBeGreaterThanOrEqual(1);
    expect((await world.quickbooks.requestLog()).filter((request) => request.kind === "api" && request.method === "POST")).toHaveLength(1);
  });

  it("answer with the simulator's error, and tell their CPU", async () => {
    await expect(world.square.addOrders(world.location.locationId, [], { arrivedAt: "not a time" })).rejects.toThrow("arrivedAt is not a time: not a time");
    expect(await simulators.cpuMs()).toBeGreaterThan(0);
  });

  it("end with the world: the process exits and nothing more is asked of it", async () => {
    const other = await startSimulatorsProcess();
    await other.square.close();
    await expect(other.square.now()).rejects.toThrow(/exited/);
    await other.close();
  });
});
