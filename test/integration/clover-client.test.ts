/**
 * The real Clover reader (lib/pos/clover/client.ts, on fetch) against the Clover simulator: a generated
 * day's orders come back complete, each once, equal to what Clover holds, within 3 expansions a call;
 * what it reads summarises as what Clover holds; a 150-line order is completed from its paged line items; long windows are split into ranges Clover
 * accepts; bursts of work stay within the per-token limits; faults are survived with retries; a refused
 * token says "reconnect" without ever showing the token.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CLOVER_API_HOSTS, type CloverReaderOptions, CloverRequestError, createCloverReader } from "../../lib/pos/clover/client";
import type { CloverReader, DayWindow } from "../../lib/pos/clover/reader";
import { CLOVER_TENDERS, type CloverOrderBody, generateCloverDay } from "../../sandbox/clover/generate-day";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";
import { summariseCloverDay } from "../support/clover-day";

const DAY_MS = 86_400_000;
const day = generateCloverDay({ seed: 424242, date: "2025-06-14", timeZone: "America/New_York", orders: 300 });
const { window } = day;
const NOW = window.endMs + 2 * DAY_MS;
const MAIN = day.merchantId;
const BIG = "BIGMERCHANT01";
const BURST = "BURSTMERCHANT";

type Body = Record<string, unknown>;

/** An order of `lines` line items, each with a discount, a modification and a tax rate, paid by card. */
function orderWithLines(id: string, lines: number, at: number): CloverOrderBody {
  const lineItems = Array.from({ length: lines }, (_, i) => ({
    id: `${id}L${String(i).padStart(4, "0")}`, item: { id: "GITEM_LATTE" }, name: "Latte", price: 475, isRevenue: true, refunded: false, exchanged: false,
    discounts: { elements: [{ id: `${id}D${i}`, name: "Staff", amount: -50 }] },
    modifications: { elements: [{ id: `${id}M${i}`, name: "Oat milk", amount: 60, modifier: { id: "GMOD_OAT" } }] },
    taxRates: { elements: [{ id: "GTAX_STATE", name: "State Sales Tax", rate: 625_000 }] },
  }));
  const card = CLOVER_TENDERS.card;
  return {
    id, currency: "USD", state: "locked", paymentState: "PAID", createdTime: at, modifiedTime: at + 60_000, total: lines * 485,
    lineItems: { elements: lineItems },
    payments: { elements: [{ id: `${id}P`, order: { id }, tender: { id: card.id, labelKey: card.labelKey, label: card.label }, amount: lines * 485, result: "SUCCESS", createdTime: at + 30_000 }] },
  };
}

const bigOrder = orderWithLines("BIGORDER00001", 150, window.startMs + 3_600_000);
/** Orders modified far apart, so a window reaching back 200 days needs three ranges. */
const oldOrders = [NOW - 199 * DAY_MS, NOW - 120 * DAY_MS, NOW - 30 * DAY_MS].map((at, i) => orderWithLines(`OLDORDER0000${i}`, 2, at));
const burstOrders = Array.from({ length: 30 }, (_, i) => orderWithLines(`BURSTORDER${String(i).padStart(3, "0")}`, 120, window.startMs + i * 60_000));

/** What the reader should hand on for a stored order: all of it but the card details it does not ask for. */
function expectedOf(order: Body): Body {
  const payments = order["payments"] as { elements: Body[] } | undefined;
  if (!payments) return order;
  return { ...order, payments: { ...payments, elements: payments.elements.map(({ cardTransaction: _card, ...payment }) => payment) } };
}

let clover: CloverSimulator;

type Tuning = Partial<Pick<CloverReaderOptions, "timeoutMs" | "maxRetries" | "sleep">>;

function reader(merchantId: string, tuning: Tuning = {}): CloverReader & { token: string } {
  // A token per reader, as each sync run has its own; the simulator's rate counters are per token.
  const token = clover.issueToken(merchantId);
  const cloverReader = createCloverReader({
    baseUrl: clover.url, merchantId, accessToken: () => Promise.resolve(token), timeoutMs: 2_000, now: () => NOW, ...tuning,
  });
  return Object.assign(cloverReader, { token });
}

/** A sleep that returns at once and records what it was asked to wait. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
}

async function readOrders(cloverReader: CloverReader, dayWindow: DayWindow = window): Promise<Body[]> {
  const orders: Body[] = [];
  for await (const page of cloverReader.orderPages(dayWindow)) orders.push(...(page as { elements: Body[] }).elements);
  return orders;
}

function expectStored(read: readonly Body[], stored: readonly Body[]): void {
  const ids = read.map((order) => order["id"]);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(stored.map((order) => order["id"]).sort());
  const byId = new Map(stored.map((order) => [order["id"], order]));
  for (const order of read) expect(order).toEqual(expectedOf(byId.get(order["id"])!));
}

/** The requests made since `mark`, as "ListOrders 200" or "ListOrders 429" (the fault when one was injected). */
function requestsSince(mark: number): string[] {
  return clover.requests().slice(mark).map((request) => `${request.endpoint} ${request.fault ?? request.status}`);
}

const sorted = (list: string[]) => [...list].sort();

beforeAll(async () => {
  clover = await startCloverSimulator({ now: () => NOW, seed: 11 });
  clover.addMerchant({ merchantId: MAIN, name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
  clover.addOrders(MAIN, day.orders);
  clover.setItems(MAIN, day.items);
  clover.addMerchant({ merchantId: BIG, name: "Big Orders", timezone: "America/Chicago", currency: "USD" });
  clover.addOrders(BIG, [bigOrder, ...oldOrders]);
  clover.addMerchant({ merchantId: BURST, name: "Busy", timezone: "America/New_York", currency: "USD" });
  clover.addOrders(BURST, burstOrders);
  clover.setItems(BURST, day.items);
});

afterAll(async () => {
  await clover.close();
});

describe("the Clover reader", () => {
  it("reads a generated day's orders complete, each once, as Clover holds them, at most 3 expansions a call", async () => {
    const mark = clover.requests().length;
    const read = await readOrders(reader(MAIN));
    expectStored(read, day.orders);
    for (const field of ["refunds", "credits", "serviceCharge", "discounts"]) expect(read.some((order) => order[field] !== undefined)).toBe(true);

    const sent = clover.requests().slice(mark);
    expect(sent.map((request) => `${request.endpoint} ${request.status}`)).toEqual(Array(3).fill("ListOrders 200"));
    const expansions = sent.map((request) => request.query["expand"]?.join(",").split(",") ?? []);
    expect(expansions.every((fields) => fields.length <= 3)).toBe(true);
    expect(new Set(expansions.flat())).toEqual(new Set([
      "lineItems.discounts", "lineItems.modifications", "lineItems.taxRates", "payments.tender", "refunds.overrideMerchantTender",
      "credits.tender", "discounts", "serviceCharge",
    ]));
    for (const request of sent) {
      expect(request.query["filter"]).toEqual([`modifiedTime>=${window.startMs}`]);
      expect(request.query).toMatchObject({ limit: ["1000"], offset: ["0"] });
    }
  });

  it("gets the merchant's zone and currency, and the items with their categories, deleted ones included", async () => {
    const cloverReader = reader(MAIN);
    await expect(cloverReader.getMerchant()).resolves.toEqual({ merchantId: MAIN, name: "Daybook Cafe", timeZone: "America/New_York", currency: "USD" });
    const items: Body[] = [];
    for await (const page of cloverReader.itemPages()) items.push(...(page as { elements: Body[] }).elements);
    expect(items.some((item) => typeof item["deletedTime"] === "number")).toBe(true);
    expectStored(items, day.items);
  });

  it("reads what summarises exactly as the bodies Clover holds", async () => {
    const cloverReader = reader(MAIN);
    const orderPages: unknown[] = [];
    for await (const page of cloverReader.orderPages(window)) orderPages.push(page);
    const itemPages: unknown[] = [];
    for await (const page of cloverReader.itemPages()) itemPages.push(page);
    const { date, timeZone } = window;
    const read = summariseCloverDay({ orderPages, itemPages, date, timeZone });
    // Against the stored bodies rather than day.truth, so this checks the reader, not the summariser.
    const held = summariseCloverDay({ orderPages: [{ elements: day.orders }], itemPages: [{ elements: day.items }], date, timeZone });
    expect(read).toEqual(held);
    expect(read.summary.sales).not.toEqual({});
  });

  it("completes an order with 150 line items from its paged line items", async () => {
    const mark = clover.requests().length;
    const read = await readOrders(reader(BIG));
    expectStored(read, [bigOrder]);
    const lines = (read[0]!["lineItems"] as { elements: Body[] }).elements;
    expect(lines).toHaveLength(150);
    const lineRequests = clover.requests().slice(mark).filter((request) => request.endpoint === "ListOrderLineItems");
    expect(lineRequests.map((request) => request.query)).toEqual([
      { expand: ["discounts,modifications,taxRates"], limit: ["1000"], offset: ["0"] },
    ]);
  });

  it("splits a window reaching back over 90 days into ranges Clover accepts, oldest first, each order once", async () => {
    const since = NOW - 200 * DAY_MS;
    let listed = 0;
    // Half way through, the oldest order is modified again: it moves to the last range, still to be read.
    // (A fault rule whose selector never selects serves as a hook on each ListOrders request.)
    const [oldest] = oldOrders;
    clover.injectFaults({
      endpoint: "ListOrders",
      match: () => {
        if (++listed === 4) clover.addOrders(BIG, [{ ...oldest!, note: "edited" }], { arrivedAt: NOW - 1000 });
        return false;
      },
      fault: { kind: "500" },
    });
    const mark = clover.requests().length;
    const read = await readOrders(reader(BIG), { startMs: since, endMs: since + DAY_MS });
    clover.clearFaults();
    clover.addOrders(BIG, [oldest!]);
    expectStored(read.filter((order) => order["id"] !== oldest!.id), [bigOrder, ...oldOrders.slice(1)]);
    expect(read.filter((order) => order["id"] === oldest!.id)).toHaveLength(1);

    const sent = clover.requests().slice(mark).filter((request) => request.endpoint === "ListOrders");
    expect(sent.every((request) => request.status === 200)).toBe(true);
    const ranges = [...new Set(sent.map((request) => request.query["filter"]!.join(" & ")))];
    const range = 89 * DAY_MS;
    expect(ranges).toEqual([
      `modifiedTime>=${since} & modifiedTime<${since + range}`,
      `modifiedTime>=${since + range} & modifiedTime<${since + 2 * range}`,
      `modifiedTime>=${since + 2 * range}`,
    ]);
    expect(sent).toHaveLength(9);
  });

  it("reads an order again by id when it changed between the three list passes", async () => {
    const [changing] = day.orders.filter((order) => order["refunds"] === undefined);
    const edited = { ...changing!, note: "late tip", modifiedTime: changing!.modifiedTime + 5_000 };
    let listed = 0;
    clover.injectFaults({
      endpoint: "ListOrders",
      match: () => {
        // A hook, never a fault: the order changes after the first pass was answered, before the second is.
        if (++listed === 2) clover.addOrders(MAIN, [edited]);
        return false;
      },
      fault: { kind: "500" },
    });
    const mark = clover.requests().length;
    const read = await readOrders(reader(MAIN));
    clover.clearFaults();
    clover.addOrders(MAIN, [changing!]);
    expect(read.find((order) => order["id"] === changing!.id)).toEqual(expectedOf(edited));
    expectStored(read.filter((order) => order["id"] !== changing!.id), day.orders.filter((order) => order.id !== changing!.id));
    expect(requestsSince(mark).filter((call) => call.startsWith("GetOrder"))).toEqual(Array(3).fill("GetOrder 200"));
  });

  it("stays within 16 requests a second and 5 in flight under a burst of work, and is never refused for it", async () => {
    // Every answer takes 150 ms, as over a network, so concurrent requests really overlap at Clover.
    clover.injectFaults({ match: (request) => request.path.includes(BURST), fault: { kind: "slow", delayMs: 150 } });
    const cloverReader = reader(BURST);
    const mark = clover.requests().length;
    const items: Body[] = [];
    const [, orders] = await Promise.all([
      cloverReader.getMerchant(),
      readOrders(cloverReader),
      (async () => {
        for await (const page of cloverReader.itemPages()) items.push(...(page as { elements: Body[] }).elements);
      })(),
    ]);
    clover.clearFaults();
    expectStored(orders, burstOrders);
    expect(items).toHaveLength(day.items.length);

    // 1 merchant + 3 order lists + 30 order re-reads + 2 item lists; a timeout on a loaded machine may add a retry.
    expect(requestsSince(mark).length).toBeGreaterThanOrEqual(1 + 3 + 30 + 2);
    const stats = clover.rateStats(cloverReader.token);
    expect(clover.requests().slice(mark).filter((r) => r.rateLimited).map((r) => `${r.endpoint} ${r.rateLimited}`)).toEqual([]);
    expect(stats.limited429s).toBe(0);
    expect(stats.maxPerSecond).toBeLessThanOrEqual(16);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(5);
    // It did use what the limits allow: 36 requests cannot arrive within 2 s at 16 a second.
    expect(stats.maxConcurrent).toBeGreaterThanOrEqual(4);
    expect(stats.maxPerSecond).toBeGreaterThanOrEqual(10);
  });

  it("survives 429 with retry-after, 500, 503, slow and truncated answers, retrying", async () => {
    const { sleep, sleeps } = recordingSleep();
    clover.injectFaults({ endpoint: "ListOrders", fault: { kind: "429", retryAfterSeconds: 2, limit: "crossTokenLimit" }, times: 1 });
    clover.injectFaults({ endpoint: "ListOrders", fault: { kind: "slow", delayMs: 3_000 }, skip: 1, times: 1 });
    clover.injectFaults({ endpoint: "ListOrders", fault: { kind: "truncated" }, skip: 2, times: 1 });
    clover.injectFaults({ endpoint: "GetMerchant", fault: { kind: "500" }, times: 1 });
    clover.injectFaults({ endpoint: "ListItems", fault: { kind: "503", retryAfterSeconds: 1 }, times: 1 });
    clover.injectFaults({ endpoint: "ListItems", fault: { kind: "slow", delayMs: 3_000, stallBody: true }, skip: 1, times: 1 });
    const cloverReader = reader(MAIN, { sleep, timeoutMs: 400 });
    const mark = clover.requests().length;

    await expect(cloverReader.getMerchant()).resolves.toMatchObject({ merchantId: MAIN });
    expectStored(await readOrders(cloverReader), day.orders);
    const items: Body[] = [];
    for await (const page of cloverReader.itemPages()) items.push(...(page as { elements: Body[] }).elements);
    expectStored(items, day.items);
    clover.clearFaults();

    const calls = requestsSince(mark);
    expect(calls.filter((call) => call.startsWith("GetMerchant"))).toEqual(["GetMerchant 500", "GetMerchant 200"]);
    expect(sorted(calls.filter((call) => call.startsWith("ListOrders")))).toEqual(sorted([
      "ListOrders 429", "ListOrders slow", "ListOrders truncated", "ListOrders 200", "ListOrders 200", "ListOrders 200",
    ]));
    // The live items after a 503; the deleted ones after a body that stalled half way.
    expect(calls.filter((call) => call.startsWith("ListItems"))).toEqual(["ListItems 503", "ListItems 200", "ListItems slow", "ListItems 200"]);
    // One wait per retry: retry-after honoured (2 s after the 429, 1 s after the 503), short backoff otherwise.
    expect(sleeps).toHaveLength(6);
    expect(sleeps.filter((ms) => ms >= 1_000).sort()).toEqual([1_000, 2_000]);
  });

  it("waits at least a second after a 429 without retry-after", async () => {
    const { sleep, sleeps } = recordingSleep();
    clover.injectFaults({ endpoint: "GetMerchant", fault: { kind: "429" }, times: 2 });
    await reader(MAIN, { sleep }).getMerchant();
    clover.clearFaults();
    expect(sleeps).toHaveLength(2);
    expect(sleeps.every((ms) => ms >= 1_000)).toBe(true);
  });

  it("gives up with a retryable error when Clover keeps failing", async () => {
    const noWait = () => Promise.resolve();
    clover.injectFaults({ endpoint: "GetMerchant", fault: { kind: "503" } });
    const mark = clover.requests().length;
    const failure = await reader(MAIN, { maxRetries: 2, sleep: noWait }).getMerchant().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CloverRequestError);
    expect(failure).toMatchObject({ kind: "retryable", status: 503 });
    expect((failure as Error).message).toContain("GetMerchant");
    expect(requestsSince(mark)).toEqual(Array(3).fill("GetMerchant 503"));

    clover.clearFaults();
    clover.injectFaults({ endpoint: "ListItems", fault: { kind: "truncated" } });
    const cutOff = await (async () => {
      for await (const _page of reader(MAIN, { maxRetries: 1, sleep: noWait }).itemPages()) { /* read on */ }
    })().catch((error: unknown) => error);
    clover.clearFaults();
    expect(cutOff).toMatchObject({ kind: "retryable" });
  });

  it("turns a refused or expired token into needs-reconnect, without retrying and without the token", async () => {
    clover.injectFaults({ endpoint: "ListOrders", fault: { kind: "401" }, times: 1 });
    const mark = clover.requests().length;
    const refused = await readOrders(reader(MAIN)).catch((error: unknown) => error);
    clover.clearFaults();
    expect(refused).toBeInstanceOf(CloverRequestError);
    expect(refused).toMatchObject({ kind: "needs-reconnect", status: 401 });
    expect(requestsSince(mark).filter((call) => call.startsWith("ListOrders 401"))).toHaveLength(1);

    const shortLived = clover.issueToken(MAIN, { expiresInMs: 1_000 });
    clover.advanceTime(1_000);
    const expired = await createCloverReader({ baseUrl: clover.url, merchantId: MAIN, accessToken: () => Promise.resolve(shortLived) })
      .getMerchant()
      .catch((error: unknown) => error);
    expect(expired).toMatchObject({ kind: "needs-reconnect", status: 401 });
    expect((expired as Error).message).toMatch(/expired/);
    for (const text of [(expired as Error).message, String((expired as Error).stack), JSON.stringify(expired)]) expect(text).not.toContain(shortLived);
  });

  it("says needs-merchant when Clover does not know the merchant", async () => {
    const token = clover.issueToken(MAIN);
    const failure = await createCloverReader({ baseUrl: clover.url, merchantId: "NOSUCHMERCHANT", accessToken: () => Promise.resolve(token) })
      .getMerchant()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: "needs-merchant", status: 404 });
  });

  it("asks for the access token before every request, so a refreshed token is used", async () => {
    const tokens = [clover.issueToken(MAIN), clover.issueToken(MAIN)];
    let asked = 0;
    const cloverReader = createCloverReader({ baseUrl: clover.url, merchantId: MAIN, accessToken: () => Promise.resolve(tokens[asked++ % 2]!) });
    await cloverReader.getMerchant();
    await cloverReader.getMerchant();
    expect(asked).toBe(2);
  });

  it("talks to the region's host", async () => {
    const urls: string[] = [];
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation((input) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return Promise.resolve(Response.json({ id: "EUMERCHANT", name: "Dublin", properties: { timezone: "Europe/Dublin", defaultCurrency: "EUR" } }));
    });
    try {
      for (const region of ["us", "eu", "la", "sandbox"] as const) {
        await createCloverReader({ region, merchantId: "EUMERCHANT", accessToken: () => Promise.resolve("t") }).getMerchant();
      }
    } finally {
      fetchSpy.mockRestore();
    }
    expect(urls).toEqual(Object.values(CLOVER_API_HOSTS).map((host) => `${host}/v3/merchants/EUMERCHANT?expand=properties`));
    expect(CLOVER_API_HOSTS).toEqual({
      us: "https://api.clover.com", eu: "https://api.eu.clover.com", la: "https://api.la.clover.com", sandbox: "https://apisandbox.dev.clover.com",
    });
  });
});
