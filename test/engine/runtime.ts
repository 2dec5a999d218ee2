/**
 * The engine's fast tests' world: the in-memory runtime (lib/wiring/memory.ts: the real stores on
 * in-process dynalite, the local vault, an email sender and a job queue that record) with the fake POS
 * and QuickBooks (fakes.ts), and one merchant with a Square location connected to a QuickBooks company.
 * No moto_server, no simulator, no browser, no network.
 */
import type { DailySummary } from "../../lib/domain/summary";
import type { LocationConfig } from "../../lib/model";
import { sealTokens } from "../../lib/oauth/tokens";
import type { LocationDay } from "../../lib/sync/sync-day";
import { composeInMemory, type InMemoryParts, type InMemoryRuntime } from "../../lib/wiring/memory";
import { squareMapping } from "../support/fixtures";
import { summaryOf } from "../support/summaries";
import { FakePos, FakeQuickBooks, fakeApis } from "./fakes";

export const MERCHANT_ID = "m-engine";
export const LOCATION_ID = "L-MAIN";
export const REALM_ID = "9130000000000042";
export const OWNER = "owner@cafe.example";

export interface EngineWorld extends InMemoryRuntime {
  pos: FakePos;
  quickbooks: FakeQuickBooks;
  location: LocationConfig;
  day(businessDay: string): LocationDay;
  /** The clock the runtime reads, and how often it was read. */
  clock: { at: Date; reads: number };
}

/** A balanced day: food and drinks with their tax, paid by card and in cash. */
export function aDay(scale = 1): DailySummary {
  return summaryOf({
    sales: { CAT_FOOD: 1_000 * scale, CAT_BEVERAGES: 450 * scale },
    categoryNames: { CAT_FOOD: "Food", CAT_BEVERAGES: "Beverages" },
    tax: { "State Sales Tax": 116 * scale },
    payments: { CARD: 1_200 * scale, CASH: 366 * scale },
  });
}

export async function createEngineWorld(parts: Omit<InMemoryParts, "apis" | "now"> = {}): Promise<EngineWorld> {
  const pos = new FakePos();
  const quickbooks = new FakeQuickBooks();
  const clock = { at: new Date("2025-06-15T09:00:00.000Z"), reads: 0 };
  const runtime = await composeInMemory({
    ...parts,
    apis: fakeApis(pos, quickbooks),
    now: () => {
      clock.reads++;
      return clock.at;
    },
  });
  const { store } = runtime.services.storage;
  const at = clock.at.toISOString();
  await store.putMerchant({ merchantId: MERCHANT_ID, name: "Main Street Coffee", email: OWNER, createdAt: at });
  for (const [connectionId, provider, externalId] of [["square-1", "square", "SQMERCHANT1"], ["quickbooks-1", "quickbooks", REALM_ID]] as const) {
    const identity = { merchantId: MERCHANT_ID, connectionId, provider };
    await store.putConnection({
      ...identity, status: "active", externalId, createdAt: at, updatedAt: at,
      tokenCiphertext: await sealTokens(runtime.services.vault, identity, { accessToken: `${provider}-token` }),
    });
  }
  const location: LocationConfig = {
    merchantId: MERCHANT_ID, locationId: LOCATION_ID, source: "square", name: "Main Street", posConnectionId: "square-1", quickbooksConnectionId: "quickbooks-1",
    timeZone: "America/New_York", dayStart: "00:00", currency: "USD", mapping: squareMapping(), updatedAt: at,
  };
  await store.putLocation(location);
  clock.reads = 0;
  return { ...runtime, pos, quickbooks, location, clock, day: (businessDay) => ({ merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay }) };
}
