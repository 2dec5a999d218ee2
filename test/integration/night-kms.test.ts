/**
 * KMS requests of location-nights with tokens sealed by the KMS vault on moto_server: each night in a
 * worker of its own (a vault with no data key kept), the connections sealed apart at set-up as two
 * connect requests would seal them. The first night opens both connections (two data keys) and seals
 * QuickBooks' refreshed tokens under the POS's; from then on a night opens both with one Decrypt
 * (lib/vault/kms.ts).
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays, businessDayWindow } from "../../lib/domain/business-day";
import { syncLocationNight } from "../../lib/sync/sync-night";
import { generateDay } from "../../sandbox/square/generate-day";
import { createSyncWorld, type SyncWorld } from "../../sandbox/world";

const ZONE = "America/Chicago";
const D = "2025-10-14";
const HOUR = 3_600_000;
const runOf = (day: string) => businessDayWindow(day, ZONE, "00:00").endMs + 2 * HOUR;

let clock = runOf(addDays(D, -1));
let world: SyncWorld;
/** The KMS requests made, by command, since the last look. */
let kmsRequests: string[] = [];

beforeAll(async () => {
  world = await createSyncWorld({
    motoEndpoint: inject("motoEndpoint"), serialiseDynamo: true, vault: "kms", timeZone: ZONE, now: () => clock,
    instrument: (client, service) => {
      if (service !== "KMS") return;
      (client as KMSClient).middlewareStack.add((next, context) => (args) => {
        kmsRequests.push((context.commandName ?? "").replace(/Command$/, ""));
        return next(args);
      }, { step: "initialize", name: "countKmsRequests" });
    },
  });
  for (const [index, back] of [0, 1, 2].entries()) {
    const day = generateDay({ seed: 40 + index, sales: 20, date: addDays(D, back), timeZone: ZONE, locationId: world.location.locationId, noiseRate: 0 });
    world.square.setCatalog(world.squareMerchantId, day.catalog);
    world.square.addOrders(world.location.locationId, day.orders);
  }
});

afterAll(async () => {
  await world.close();
});

async function nightIn(day: string): Promise<string[]> {
  clock = runOf(day);
  kmsRequests = [];
  const results = await syncLocationNight(await world.ports({ vault: world.newVault() }), world.day(day));
  expect(results.map((result) => ("outcome" in result ? result.outcome.status : String(result.error))).at(-1)).toBe("posted");
  return kmsRequests;
}

describe("a night's KMS requests", () => {
  it("two Decrypts on the first night, whose QuickBooks refresh joins the POS's data key; one on every night after", async () => {
    expect(await nightIn(D)).toEqual(["Decrypt", "Decrypt"]);
    expect(await nightIn(addDays(D, 1))).toEqual(["Decrypt"]);
    expect(await nightIn(addDays(D, 2))).toEqual(["Decrypt"]);
  });
});
