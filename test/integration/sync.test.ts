/**
 * One Square location-day to QuickBooks, end to end over HTTP: the real Square SDK reader against the
 * Square simulator, the real QuickBooks client and intuit-oauth against the QuickBooks simulator, the
 * real DynamoDB store on moto_server. Nothing is mocked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DailySummary } from "../../lib/domain/summary";
import { type SyncOutcome, syncLocationDay, type SyncPorts } from "../../lib/sync/sync-day";
import { generateDay, type GeneratedDay } from "../../sandbox/square/generate-day";
import { expectedAccountNets } from "../../sandbox/account-totals";
import { createWorld, EXTRA_ACCOUNTS, MAPPING, type World } from "../support/sync-world";

const DATE = "2025-06-14";
const ZONE = "America/New_York";
/** The nightly run: the day after, past the settle delay. */
const NIGHT = Date.parse("2025-06-15T07:00:00Z");

let clock = NIGHT;
const now = () => clock;

function day(seed: number, sales: number, extra: Partial<Parameters<typeof generateDay>[0]> = {}): GeneratedDay {
  return generateDay({ seed, sales, date: DATE, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0.03, noiseRate: 0.05, ...extra });
}

/** Net (debit − credit) per account over every entry in the company's ledger. */
function ledgerNets(world: World): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const [account, { debit, credit }] of world.quickbooks.accountTotals(world.realmId)) {
    if (debit !== credit) nets[account] = debit - credit;
  }
  return Object.fromEntries(Object.entries(nets).sort(([a], [b]) => a.localeCompare(b)));
}

function seed(world: World, generated: GeneratedDay, arrivedAt?: number) {
  world.square.setCatalog(world.squareMerchantId, generated.catalog);
  world.square.addOrders("GENLOCATION01", generated.orders, arrivedAt === undefined ? {} : { arrivedAt });
}

/** Runs the sync as the queue would: a retryable failure is tried again, up to `attempts` times. */
async function syncUntilDone(ports: SyncPorts, world: World, attempts = 10): Promise<SyncOutcome> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await syncLocationDay(ports, world.day(DATE));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

const worlds: World[] = [];
async function newWorld(options: Parameters<typeof createWorld>[0] = {}) {
  const world = await createWorld({ timeZone: ZONE, now, ...options });
  worlds.push(world);
  return world;
}

afterEach(() => {
  clock = NIGHT;
});

afterAll(async () => {
  const squareApi = worlds.flatMap((world) => world.square.requests().filter((request) => request.path.startsWith("/v2/")));
  for (const world of worlds) {
    // QuickBooks is append-only for daybook: not one update or delete in the whole file.
    expect(world.quickbooks.forbiddenWrites()).toEqual([]);
    await world.close();
  }
  // Square is only read: every API request of the file a GET or one of Square's two searches by POST.
  expect(squareApi.length).toBeGreaterThan(0);
  expect(squareApi.filter((request) => request.method !== "GET" && !["SearchOrders", "BatchRetrieveCatalogObjects"].includes(request.endpoint))
    .map((request) => `${request.method} ${request.path}`)).toEqual([]);
});

describe("a Square location-day posted to QuickBooks", () => {
  let world: World;
  let generated: GeneratedDay;
  let first: SyncOutcome;

  beforeAll(async () => {
    world = await newWorld();
    generated = day(11, 5000);
    seed(world, generated);
    first = await syncLocationDay(await world.ports(), world.day(DATE));
  }, 120_000);

  it("posts a 5,000-order day as one entry whose account totals match the generator's own truth", () => {
    expect(first.status).toBe("posted");
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ TxnDate: DATE });
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, MAPPING));
  });

  it("records the posting, with aggregates only", async () => {
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.state).toBe("posted");
    expect(record?.pending).toBeUndefined();
    expect(record?.posted).toHaveLength(1);
    expect(record?.posted[0]?.summary).toEqual(generated.truth);
    // No order, payment or customer id reaches the record.
    expect(JSON.stringify(record)).not.toMatch(/GENORD|GENRET/);
  });

  it("posts nothing new when the same day runs again", async () => {
    const again = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(again.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  });

  it("posts a late order as one adjusting entry carrying exactly its figures", async () => {
    const late = day(12, 1, { returnRate: 0, noiseRate: 0 });
    clock = NIGHT + 24 * 3_600_000;
    seed(world, late, clock - 60_000);
    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome).toMatchObject({ status: "adjusted", revision: 1 });
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ TxnDate: DATE, DocNumber: `${String(entries[0]?.DocNumber)}-A1` });
    const combined: DailySummary = { ...generated.truth };
    expect(ledgerNets(world)).toEqual(
      mergeNets(expectedAccountNets(combined, MAPPING), expectedAccountNets(late.truth, MAPPING)),
    );
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.posted.map((entry) => entry.revision)).toEqual([0, 1]);
    expect(record?.posted[1]?.summary).toEqual(late.truth);
  });
});

function mergeNets(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged: Record<string, number> = { ...a };
  for (const [account, net] of Object.entries(b)) merged[account] = (merged[account] ?? 0) + net;
  return Object.fromEntries(Object.entries(merged).filter(([, net]) => net !== 0).sort(([x], [y]) => x.localeCompare(y)));
}

describe("exactly once, whatever happens in between", () => {
  it("survives a crash after QuickBooks accepted the entry and before the record was written", async () => {
    const world = await newWorld();
    const generated = day(21, 200);
    seed(world, generated);
    const crashing = await world.ports({
      checkpoint: (step) => {
        if (step === "after-create") throw new Error("the worker died here");
      },
    });
    await expect(syncLocationDay(crashing, world.day(DATE))).rejects.toThrow("the worker died here");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    const stranded = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(stranded?.pending?.revision).toBe(0);

    const retried = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(retried.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.pending).toBeUndefined();
    expect(record?.posted).toHaveLength(1);
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, MAPPING));
  });

  it("survives a crash after the claim: the claim keeps no body, and the entry built again from its figures is sent once, under the claim's requestid", async () => {
    const world = await newWorld();
    const generated = day(24, 150);
    seed(world, generated);
    const crashing = await world.ports({
      checkpoint: (step) => {
        if (step === "after-claim") throw new Error("the worker died here");
      },
    });
    await expect(syncLocationDay(crashing, world.day(DATE))).rejects.toThrow("the worker died here");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(0);
    const stranded = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(stranded?.pending).toMatchObject({ revision: 0, summary: generated.truth });
    expect(stranded?.pending).not.toHaveProperty("body");

    // The claim settled first, the day then finds nothing more to post.
    const retried = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(retried.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    const creates = world.quickbooks.requestLog().filter((request) => request.method === "POST" && request.path.endsWith("/journalentry"));
    expect(creates.map((request) => request.requestId)).toEqual([stranded?.pending?.requestId]);
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.posted).toMatchObject([{ revision: 0, requestId: stranded?.pending?.requestId }]);
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, MAPPING));
  });

  it("settles a claim whose mapping changed before the retry: QuickBooks holds nothing of it, so the entry as mapped now is claimed anew and posted once", async () => {
    const world = await newWorld();
    const generated = day(25, 150);
    seed(world, generated);
    const crashing = await world.ports({
      checkpoint: (step) => {
        if (step === "after-claim") throw new Error("the worker died here");
      },
    });
    await expect(syncLocationDay(crashing, world.day(DATE))).rejects.toThrow("the worker died here");
    const stranded = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    const location = await world.store.getLocation(world.merchantId, "GENLOCATION01");
    if (!location) throw new Error("the world has its location");
    const remapped = { ...MAPPING, categories: { ...MAPPING.categories, GEN_CAT_BEV: EXTRA_ACCOUNTS.food } };
    await world.store.putLocation({ ...location, mapping: remapped });

    const retried = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(retried.status).toBe("unchanged");
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(1);
    const creates = world.quickbooks.requestLog().filter((request) => request.method === "POST" && request.path.endsWith("/journalentry"));
    expect(creates).toHaveLength(1);
    expect(creates[0]?.requestId).not.toBe(stranded?.pending?.requestId);
    // Looked up first: only QuickBooks could say the claimed entry was never made.
    expect(world.quickbooks.requestLog().filter((request) => request.path.endsWith("/query")).length).toBeGreaterThan(0);
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, remapped));
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.posted).toMatchObject([{ revision: 0, requestId: creates[0]?.requestId }]);
  });

  it("adopts the entry QuickBooks took before a crash even when the mapping changed since: nothing is sent again", async () => {
    const world = await newWorld();
    const generated = day(26, 150);
    seed(world, generated);
    const crashing = await world.ports({
      checkpoint: (step) => {
        if (step === "after-create") throw new Error("the worker died here");
      },
    });
    await expect(syncLocationDay(crashing, world.day(DATE))).rejects.toThrow("the worker died here");
    const location = await world.store.getLocation(world.merchantId, "GENLOCATION01");
    if (!location) throw new Error("the world has its location");
    await world.store.putLocation({ ...location, mapping: { ...MAPPING, categories: { ...MAPPING.categories, GEN_CAT_BEV: EXTRA_ACCOUNTS.food } } });

    const retried = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(retried.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect(world.quickbooks.requestLog().filter((request) => request.method === "POST" && request.path.endsWith("/journalentry"))).toHaveLength(1);
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, MAPPING));
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.pending).toBeUndefined();
    expect(record?.posted).toHaveLength(1);
  });

  it("survives QuickBooks dropping the connection after it committed the create", async () => {
    const world = await newWorld();
    const generated = day(22, 100);
    seed(world, generated);
    world.quickbooks.injectFaults({ match: { kind: "api", method: "POST" }, fault: { kind: "drop-after-commit" }, times: 1 });
    const outcome = await syncUntilDone(await world.ports(), world);
    expect(outcome.status).toBe("posted");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  });

  it("posts exactly once under 30% injected 429s, 5xx and timeouts on both APIs", async () => {
    const world = await newWorld();
    const generated = day(23, 400);
    seed(world, generated);
    // Four faults at 7.5% each: 30% of requests fail. Square's are told to retry at once (Retry-After: 0).
    for (const kind of ["429", "500", "503"] as const) {
      world.square.injectFaults({ fault: { kind, retryAfterSeconds: 0 }, probability: 0.075 });
    }
    world.square.injectFaults({ fault: { kind: "slow", delayMs: 800 }, probability: 0.075 });
    world.quickbooks.injectFaults(
      { match: "api", fault: { kind: "429", retryAfterSeconds: 0 }, probability: 0.075 },
      { match: "api", fault: { kind: "500" }, probability: 0.075 },
      { match: "api", fault: { kind: "503" }, probability: 0.075 },
      { match: "api", fault: { kind: "slow", delayMs: 800 }, probability: 0.075 },
    );
    const outcome = await syncUntilDone(await world.ports(), world, 20);
    expect(outcome.status).toBe("posted");
    // The faults did fire, on both sides, and were retried through.
    const squareFaults = world.square.requests().filter((request) => request.fault).length;
    const quickBooksFaults = world.quickbooks.requestLog().filter((request) => request.fault).length;
    expect(squareFaults).toBeGreaterThan(0);
    expect(quickBooksFaults).toBeGreaterThan(0);
    world.square.clearFaults();
    world.quickbooks.clearFaults();
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect(ledgerNets(world)).toEqual(expectedAccountNets(generated.truth, MAPPING));
    const again = await syncUntilDone(await world.ports(), world);
    expect(again.status).toBe("unchanged");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  }, 120_000);
});

describe("failures the merchant must act on", () => {
  it("marks the connection needs-reconnect on invalid_grant and posts nothing", async () => {
    const world = await newWorld();
    seed(world, day(31, 50));
    world.quickbooks.revokeAll(world.realmId);
    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome.status).toBe("failed");
    if (outcome.status !== "failed") return;
    expect(outcome.failure.kind).toBe("needs-reconnect");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(0);
    const connection = await world.store.getConnection(world.merchantId, "quickbooks-1");
    expect(connection?.status).toBe("needs-reconnect");
    expect(connection?.tokenCiphertext).toBe("");
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record).toMatchObject({ state: "failed", lastError: { kind: "needs-reconnect" } });
    // And the next night says the same without calling anyone.
    const next = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(next).toMatchObject({ status: "failed", failure: { kind: "needs-reconnect" } });
  });

  it("posts an adjustment for a closed period on today's date, with a note naming the day", async () => {
    const world = await newWorld();
    seed(world, day(41, 60));
    expect((await syncLocationDay(await world.ports(), world.day(DATE))).status).toBe("posted");
    world.quickbooks.setClosingDate(world.realmId, "2025-06-30");
    clock = Date.parse("2025-07-10T15:00:00Z");
    const late = day(42, 1, { returnRate: 0, noiseRate: 0 });
    seed(world, late, clock - 60_000);
    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome).toMatchObject({ status: "adjusted", txnDate: "2025-07-10" });
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ TxnDate: "2025-07-10" });
    expect(String(entries[1]?.PrivateNote)).toContain("Dated 2025-07-10 because the QuickBooks books are closed for 2025-06-14");
  });

  it("keeps a re-dated claim's date: a create of it that failed is sent again as claimed, dated today with its note, once", async () => {
    const world = await newWorld();
    seed(world, day(43, 60));
    expect((await syncLocationDay(await world.ports(), world.day(DATE))).status).toBe("posted");
    world.quickbooks.setClosingDate(world.realmId, "2025-06-30");
    clock = Date.parse("2025-07-10T15:00:00Z");
    seed(world, day(44, 1, { returnRate: 0, noiseRate: 0 }), clock - 60_000);
    const createsBefore = world.quickbooks.requestLog().filter((request) => request.method === "POST" && request.path.endsWith("/journalentry")).length;
    // The first create is refused (closed), the re-dated one's answer lost (its create never made): the day stops with the claim pending.
    let creates = 0;
    const afterTheFirstCreate = (request: { method: string; path: string }) => request.method === "POST" && request.path.endsWith("/journalentry") && ++creates > 1;
    world.quickbooks.injectFaults({ match: afterTheFirstCreate, fault: { kind: "500" }, times: 20 });
    await syncLocationDay(await world.ports(), world.day(DATE)).catch(() => undefined);
    const stranded = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(stranded?.pending).toMatchObject({ revision: 1, txnDate: "2025-07-10" });
    world.quickbooks.clearFaults();

    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome).toMatchObject({ status: "unchanged" });
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ TxnDate: "2025-07-10" });
    expect(String(entries[1]?.PrivateNote)).toContain("Dated 2025-07-10 because the QuickBooks books are closed for 2025-06-14");
    const sent = world.quickbooks.requestLog().filter((request) => request.method === "POST" && request.path.endsWith("/journalentry")).slice(createsBefore);
    expect(sent.at(-1)?.requestId).toBe(stranded?.pending?.requestId);
  });

  it("refuses to post across currencies, saying why, and posts nothing", async () => {
    const world = await newWorld({ companyCurrency: "CAD" });
    seed(world, day(51, 20));
    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome).toMatchObject({ status: "failed", failure: { kind: "needs-merchant" } });
    if (outcome.status === "failed") expect(outcome.failure.message).toMatch(/keeps its books in CAD, but this location sells in USD/);
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(0);
  });

  it("reports a day without sales as such and posts nothing", async () => {
    const world = await newWorld();
    seed(world, day(61, 0, { noiseRate: 0 }));
    const outcome = await syncLocationDay(await world.ports(), world.day(DATE));
    expect(outcome.status).toBe("no-sales");
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(0);
  });
});
