/**
 * The real Square reader (lib/pos/square/client.ts, on the official SDK) against the Square simulator:
 * a generated day read back and summarised equals the generator's own truth; each order comes once;
 * late orders are picked up; faults are survived with retries; a refused token says "reconnect"; the
 * catalog is fetched in two levels and never twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addSummaries, type DailySummary } from "../../lib/domain/summary";
import { SquareCatalog } from "../../lib/pos/square/catalog";
import { createSquareReader, type SquareReaderOptions } from "../../lib/pos/square/client";
import { SquareRequestError } from "../../lib/pos/square/errors";
import type { DayWindow, SquareReader } from "../../lib/pos/square/reader";
import { SquareDaySummariser } from "../../lib/pos/square/summarise";
import type { Warning } from "../../lib/domain/warnings";
import { generateDay, type SquareOrderBody } from "../../sandbox/square/generate-day";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";

const MERCHANT = "MERCHANT0001";
const LOCATION = "GENLOCATION01";
const NO_ZONE_LOCATION = "NOZONELOC01";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const day = generateDay({
  seed: 424242, sales: 300, date: "2025-06-14", timeZone: "America/New_York", locationId: LOCATION,
  returnRate: 0.1, noiseRate: 0.3, openRate: 0.1,
});
const { window } = day;

/** Sales paid in the window whose tenders (so whose payments) all fall in it too. */
function paidInWindow(order: SquareOrderBody): boolean {
  const tenders = (order["tenders"] ?? []) as { created_at: string }[];
  return order["state"] === "COMPLETED" && order.location_id === LOCATION && tenders.length > 0 && !Array.isArray(order["returns"]) &&
    tenders.every((tender) => Date.parse(tender.created_at) > window.startMs && Date.parse(tender.created_at) < window.endMs);
}

/**
 * A split-tender sale whose tenders straddle one of the window's edges: its fees count on the day each
 * payment was taken, not the sale's day (docs/accounting.md), which only ListPayments can tell.
 */
function feesStraddleWindow(order: SquareOrderBody): boolean {
  const tenders = ((order["tenders"] ?? []) as { created_at: string; processing_fee_money?: unknown; card_details?: { status?: string } }[])
    .filter((tender) => tender.card_details?.status !== "VOIDED");
  const inside = tenders.map((tender) => Date.parse(tender.created_at) >= window.startMs && Date.parse(tender.created_at) < window.endMs);
  return order["state"] !== "CANCELED" && inside.includes(true) && inside.includes(false) && tenders.some((tender) => tender.processing_fee_money);
}
const straddling = day.orders.filter(feesStraddleWindow);

// Two sales bent to test the two search passes, without changing what the day adds up to:
// one closed (fulfilled) the morning after it was paid, one closed in the day but updated the day after.
const [closedLate, updatedLate] = day.orders.filter(paidInWindow).slice(5, 7) as [SquareOrderBody, SquareOrderBody];
const orders = day.orders.map((order) => {
  if (order === closedLate) return { ...order, closed_at: new Date(window.endMs + 8 * HOUR).toISOString(), updated_at: new Date(window.endMs + 8 * HOUR + 1000).toISOString() };
  if (order === updatedLate) return { ...order, updated_at: new Date(window.endMs + DAY).toISOString() };
  return order;
});
const paidButOpen = day.orders.filter((order) => order["state"] === "OPEN" && ((order["tenders"] ?? []) as unknown[]).length > 0);

let square: SquareSimulator;
let token: string;

function reader(options: Partial<SquareReaderOptions> = {}): SquareReader {
  return createSquareReader({
    baseUrl: square.url,
    accessToken: () => Promise.resolve(token),
    timeoutMs: 2_000,
    maxRetries: 3,
    now: () => window.endMs + 5 * DAY,
    ...options,
  });
}

interface ReadDay {
  summary: DailySummary;
  warnings: Warning[];
  orderIds: string[];
}

/** Reads and summarises the day the way the sync does: fees from payments, refunds from payment refunds. */
async function readDay(squareReader: SquareReader, dayWindow: DayWindow = window, catalog = new SquareCatalog()): Promise<ReadDay> {
  const summariser = new SquareDaySummariser({
    window: dayWindow, locationId: LOCATION, currency: "USD", catalog, feesFrom: "payments", refundsFrom: "payment-refunds",
  });
  const orderIds: string[] = [];
  for await (const page of squareReader.orderPages(LOCATION, dayWindow)) {
    await squareReader.fillCatalog(catalog, page);
    summariser.addOrdersPage(page);
    orderIds.push(...((page as { orders?: { id: string }[] }).orders ?? []).map((order) => order.id));
  }
  for await (const page of squareReader.paymentPages(LOCATION, dayWindow)) summariser.addPaymentsPage(page);
  for await (const page of squareReader.refundPages(LOCATION, dayWindow)) summariser.addRefundsPage(page);
  return { ...summariser.finish(), orderIds };
}

/** The requests made since `mark`, per endpoint and status ("SearchOrders 429"). */
function requestsSince(mark: number): string[] {
  return square.requests().slice(mark).map((request) => `${request.endpoint} ${request.fault ?? request.status}`);
}

beforeAll(async () => {
  square = await startSquareSimulator({ now: () => window.endMs + 5 * DAY });
  square.addMerchant({
    merchantId: MERCHANT,
    locations: [
      { id: LOCATION, name: "Main Street", timezone: "America/New_York", currency: "USD" },
      { id: NO_ZONE_LOCATION, name: "Pop-up", timezone: null, currency: "USD" },
    ],
  });
  square.addOrders(LOCATION, orders);
  square.setCatalog(MERCHANT, day.catalog);
  token = square.issueToken(MERCHANT);
});

afterAll(async () => {
  await square.close();
});

beforeEach(() => {
  square.clearFaults();
});

describe("the Square reader on the SDK", () => {
  it("reads a day that summarises to the generator's truth, each order once", async () => {
    const mark = square.requests().length;
    const read = await readDay(reader());
    expect(read.summary).toEqual(day.truth);
    expect(read.warnings).toEqual([]);
    expect(new Set(read.orderIds).size).toBe(read.orderIds.length);
    for (const order of [closedLate, updatedLate, ...paidButOpen]) expect(read.orderIds).toContain(order.id);
    expect(paidButOpen.length).toBeGreaterThan(0);
    expect(straddling.length).toBeGreaterThan(0);
    // Two searches (one page each at 1000 a page), two catalog levels, payments by 100.
    const calls = requestsSince(mark);
    expect(calls.filter((c) => c.startsWith("SearchOrders"))).toEqual(["SearchOrders 200", "SearchOrders 200"]);
    expect(calls.filter((c) => c.startsWith("BatchRetrieveCatalogObjects"))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith("ListPayments")).length).toBeGreaterThan(3);
  });

  it("sends the two searches and the payment and refund lists with inclusive ends one millisecond before the window's end", async () => {
    const mark = square.requests().length;
    await readDay(reader());
    const sent = square.requests().slice(mark);
    const lastMs = new Date(window.endMs - 1).toISOString();
    const searches = sent.filter((request) => request.endpoint === "SearchOrders").map((request) => request.body);
    expect(searches).toEqual([
      {
        location_ids: [LOCATION], limit: 1000,
        query: {
          filter: { state_filter: { states: ["COMPLETED"] }, date_time_filter: { closed_at: { start_at: window.start, end_at: lastMs } } },
          sort: { sort_field: "CLOSED_AT", sort_order: "ASC" },
        },
      },
      {
        location_ids: [LOCATION], limit: 1000,
        query: {
          filter: {
            state_filter: { states: ["OPEN", "COMPLETED"] },
            date_time_filter: { updated_at: { start_at: window.start, end_at: new Date(window.endMs + 4 * DAY).toISOString() } },
          },
          sort: { sort_field: "UPDATED_AT", sort_order: "ASC" },
        },
      },
    ]);
    const lists = sent.filter((request) => request.endpoint === "ListPayments" || request.endpoint === "ListPaymentRefunds");
    for (const request of lists) {
      expect(request.query).toMatchObject({ location_id: LOCATION, begin_time: window.start, end_time: lastMs, sort_order: "ASC", limit: "100" });
    }
    expect(lists.slice(1).some((request) => request.query?.["cursor"])).toBe(true);

    // Before the margin has passed, the second pass stops at now.
    const early = square.requests().length;
    const now = window.endMs + 2 * HOUR;
    await readDay(reader({ now: () => now }));
    const second = square.requests().slice(early).filter((request) => request.endpoint === "SearchOrders")[1]?.body;
    expect(second).toMatchObject({ query: { filter: { date_time_filter: { updated_at: { end_at: new Date(now).toISOString() } } } } });
  });

  it("pages through more than 1000 orders a pass with the identical query", async () => {
    const big = generateDay({ seed: 99, sales: 1100, date: "2025-06-20", timeZone: "America/New_York", locationId: LOCATION, noiseRate: 0, returnRate: 0, openRate: 0 });
    square.addOrders(LOCATION, big.orders);
    const mark = square.requests().length;
    const read = await readDay(reader({ now: () => big.window.endMs + 5 * DAY }), big.window);
    expect(read.summary).toEqual(big.truth);
    expect(new Set(read.orderIds).size).toBe(1100);
    expect(requestsSince(mark).filter((c) => c.startsWith("SearchOrders"))).toEqual(Array(4).fill("SearchOrders 200"));
  });

  it("picks up an order that reached Square after a first read", async () => {
    const late = generateDay({ seed: 5150, sales: 1, date: "2025-06-14", timeZone: "America/New_York", locationId: LOCATION, noiseRate: 0, returnRate: 0, openRate: 1 });
    const first = await readDay(reader());
    expect(first.summary).toEqual(day.truth);
    // Taken offline during the day, paid but OPEN, uploaded 30 hours after the day ended.
    square.addOrders(LOCATION, late.orders, { arrivedAt: window.endMs + 30 * HOUR });
    const second = await readDay(reader());
    expect(second.summary).toEqual(addSummaries(day.truth, late.truth));
    expect(second.orderIds).toContain(late.orders[0]!.id);
    square.addOrders(LOCATION, late.orders.map((order) => ({ ...order, state: "CANCELED", tenders: [] })), { arrivedAt: window.endMs + 31 * HOUR });
    expect((await readDay(reader())).summary).toEqual(day.truth);
  });

  it("survives 429 with Retry-After, 500, 503, slow, stalled and truncated answers, retrying", async () => {
    square.injectFaults({ endpoint: "SearchOrders", fault: { kind: "429", retryAfterSeconds: 1 }, times: 1 });
    square.injectFaults({ endpoint: "SearchOrders", fault: { kind: "truncated" }, skip: 1, times: 1 });
    square.injectFaults({ endpoint: "BatchRetrieveCatalogObjects", fault: { kind: "503", retryAfterSeconds: 1 }, times: 1 });
    square.injectFaults({ endpoint: "ListPayments", fault: { kind: "500", retryAfterSeconds: 1 }, skip: 2, times: 1 });
    square.injectFaults({ endpoint: "ListPayments", fault: { kind: "slow", stallBody: true, delayMs: 5_000 }, times: 1 });
    square.injectFaults({ endpoint: "ListPaymentRefunds", fault: { kind: "slow", delayMs: 5_000 }, times: 1 });
    const mark = square.requests().length;
    const read = await readDay(reader({ timeoutMs: 1_000 }));
    expect(read.summary).toEqual(day.truth);
    const calls = requestsSince(mark);
    expect(calls.filter((c) => c.startsWith("SearchOrders"))).toEqual(["SearchOrders 429", "SearchOrders 200", "SearchOrders truncated", "SearchOrders 200"]);
    expect(calls.filter((c) => c.startsWith("BatchRetrieveCatalogObjects")).slice(0, 2)).toEqual(["BatchRetrieveCatalogObjects 503", "BatchRetrieveCatalogObjects 200"]);
    // The first page's body stalls half way (the SDK's own timeout ends at the headers), then a 500.
    expect(calls.filter((c) => c.startsWith("ListPayments ")).slice(0, 4)).toEqual(["ListPayments slow", "ListPayments 200", "ListPayments 500", "ListPayments 200"]);
    expect(calls.filter((c) => c.startsWith("ListPaymentRefunds"))).toEqual(["ListPaymentRefunds slow", "ListPaymentRefunds 200"]);
  });

  it("gives up with a retryable error when Square keeps failing", async () => {
    square.injectFaults({ endpoint: "RetrieveLocation", fault: { kind: "503", retryAfterSeconds: 1 } });
    const mark = square.requests().length;
    const failure = await reader({ maxRetries: 1 }).getLocation(LOCATION).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SquareRequestError);
    expect(failure).toMatchObject({ kind: "retryable", status: 503, code: "SERVICE_UNAVAILABLE" });
    expect((failure as Error).message).toContain("RetrieveLocation");
    expect(requestsSince(mark)).toEqual(["RetrieveLocation 503", "RetrieveLocation 503"]);

    square.clearFaults();
    square.injectFaults({ endpoint: "RetrieveLocation", fault: { kind: "truncated" } });
    const cutOff = await reader({ maxRetries: 2 }).getLocation(LOCATION).catch((error: unknown) => error);
    expect(cutOff).toMatchObject({ kind: "retryable" });
    expect(requestsSince(mark).slice(2)).toEqual(Array(3).fill("RetrieveLocation truncated"));
  });

  it("turns a refused token into a needs-reconnect error, without retrying and without the token", async () => {
    square.injectFaults({ endpoint: "SearchOrders", fault: { kind: "401" }, times: 1 });
    const mark = square.requests().length;
    const failure = await readDay(reader()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SquareRequestError);
    expect(failure).toMatchObject({ kind: "needs-reconnect", status: 401, code: "UNAUTHORIZED" });
    expect(requestsSince(mark)).toEqual(["SearchOrders 401"]);

    const stale = "EAAAstale-token-that-must-not-leak";
    const refused = await reader({ accessToken: () => Promise.resolve(stale) }).getLocation(LOCATION).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: "needs-reconnect", status: 401 });
    expect(JSON.stringify(refused)).not.toContain(stale);
    expect((refused as Error).message).not.toContain(stale);
    expect(String((refused as Error).stack)).not.toContain(stale);

    const narrow = square.issueToken(MERCHANT, { scopes: ["MERCHANT_PROFILE_READ"] });
    const forbidden = await readDay(reader({ accessToken: () => Promise.resolve(narrow) })).catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ kind: "needs-reconnect", status: 403, code: "INSUFFICIENT_SCOPES" });
  });

  it("fetches the catalog in two levels, including deleted items, and never asks twice", async () => {
    const squareReader = reader();
    const catalog = new SquareCatalog();
    const mark = square.requests().length;
    const pages: unknown[] = [];
    for await (const page of squareReader.orderPages(LOCATION, window)) pages.push(page);
    for (const page of pages) await squareReader.fillCatalog(catalog, page);
    expect(requestsSince(mark).filter((c) => c.startsWith("BatchRetrieveCatalogObjects"))).toEqual([
      "BatchRetrieveCatalogObjects 200", "BatchRetrieveCatalogObjects 200",
    ]);
    expect(catalog.categoryOf("GEN_VAR_SCONE")).toEqual({ id: "GEN_CAT_FOOD", name: "Food" }); // deleted, still named
    expect(catalog.categoryOf("GEN_VAR_BEANS")).toEqual({ id: "uncategorized", name: "Uncategorized" });

    const again = square.requests().length;
    for (const page of pages) await squareReader.fillCatalog(catalog, page);
    await squareReader.fillCatalog(catalog, { orders: [{ location_id: LOCATION, line_items: [{ quantity: "1", catalog_object_id: "GONE_FOR_GOOD" }] }] });
    await squareReader.fillCatalog(catalog, { orders: [{ location_id: LOCATION, line_items: [{ quantity: "1", catalog_object_id: "GONE_FOR_GOOD" }] }] });
    expect(requestsSince(again)).toEqual(["BatchRetrieveCatalogObjects 200"]); // the unknown id, once
  });

  it("gets a location's time zone and currency, and says so when Square has no time zone", async () => {
    await expect(reader().getLocation(LOCATION)).resolves.toEqual({
      id: LOCATION, name: "Main Street", timeZone: "America/New_York", currency: "USD", status: "ACTIVE",
    });
    const failure = await reader().getLocation(NO_ZONE_LOCATION).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: "needs-merchant" });
    expect((failure as Error).message).toMatch(/no time zone for location "Pop-up"/);
    await expect(reader().getLocation("NOSUCHLOCATION")).rejects.toMatchObject({ kind: "needs-merchant", status: 404 });
  });

  it("asks for the access token before every request, so a refreshed token is used", async () => {
    const tokens = [token, square.issueToken(MERCHANT)];
    let asked = 0;
    const squareReader = reader({ accessToken: () => Promise.resolve(tokens[asked++ % 2]!) });
    await squareReader.getLocation(LOCATION);
    await squareReader.getLocation(LOCATION);
    expect(asked).toBe(2);
  });
});
