/**
 * The Clover simulator (sandbox/clover/server.ts) over plain HTTP: Clover's envelopes, paging, filters,
 * expansions and their limits, the 90-day rule, expiring tokens, per-token rate limits, its error
 * shape and injected faults (reference/clover.md §2, §4, §5.4).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloverOrderBody, generateCloverDay } from "../../sandbox/clover/generate-day";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";

const DAY_MS = 86_400_000;
const day = generateCloverDay({ seed: 20250614, date: "2025-06-14", timeZone: "America/New_York", orders: 150 });
const MERCHANT = day.merchantId;
const OTHER_MERCHANT = "OTHERMERCHANT";
const NOW = day.window.endMs + 2 * DAY_MS;
const BIG_ORDER_ID = "BIGORDER00001";
const BIG_ORDER_LINES = 150;

/** An order with more line items than Clover nests, each with a discount. */
const bigOrderLines = Array.from({ length: BIG_ORDER_LINES }, (_, i) => ({
  id: `BIGLINE${String(i).padStart(5, "0")}`, item: { id: "GITEM_LATTE" }, name: "Latte", price: 475,
  discounts: { elements: [{ id: `BIGDISC${i}`, name: "Staff", amount: -50 }] },
}));
const bigOrder: CloverOrderBody = {
  id: BIG_ORDER_ID, currency: "USD", state: "locked", createdTime: day.window.startMs + 1_000, modifiedTime: day.window.startMs + 2_000,
  lineItems: { elements: bigOrderLines },
};
const storedOrders = [...day.orders, bigOrder];

let clover: CloverSimulator;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * A GET as a client would send it. Without a token given, each request gets a fresh one, so this
 * file's quick runs of requests stay clear of the per-token rate limit (which has tests of its own).
 */
async function get(path: string, query: [string, string][] = [], callToken?: string | null): Promise<Answer> {
  const search = new URLSearchParams(query).toString();
  const bearer = callToken === undefined ? clover.issueToken(MERCHANT) : callToken;
  const response = await fetch(`${clover.url}${path}${search ? `?${search}` : ""}`, {
    headers: bearer === null ? {} : { Authorization: `Bearer ${bearer}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const orders = (query: [string, string][] = [], callToken?: string | null) => get(`/v3/merchants/${MERCHANT}/orders`, query, callToken);

type Body = Record<string, unknown> & { id: string };

function elements(answer: Answer): Body[] {
  expect(answer.status).toBe(200);
  expect(Object.keys(answer.body).sort()).toEqual(["elements", "href"]);
  return answer.body["elements"] as Body[];
}

const nested = (body: Record<string, unknown>, field: string) => (body[field] as { elements: Body[] } | undefined)?.elements;

/** A Clover error body: `{message, details}` and nothing else. */
function expectError(answer: Answer, status: number, details: RegExp): void {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.body).sort()).toEqual(["details", "message"]);
  expect(answer.body["message"]).toEqual(expect.any(String));
  expect(answer.body["details"]).toMatch(details);
}

beforeAll(async () => {
  clover = await startCloverSimulator({ now: () => NOW, seed: 3 });
  clover.addMerchant({ merchantId: MERCHANT, name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
  clover.addMerchant({ merchantId: OTHER_MERCHANT, name: "Elsewhere", timezone: "Europe/Dublin", currency: "EUR", region: "eu" });
  clover.addOrders(MERCHANT, storedOrders);
  clover.setItems(MERCHANT, day.items);
});

afterAll(async () => {
  await clover.close();
});

describe("Clover simulator: bodies", () => {
  it("answers the merchant and its properties, time zone and currency included", async () => {
    const merchant = await get(`/v3/merchants/${MERCHANT}`);
    expect(merchant.status).toBe(200);
    expect(merchant.body).toMatchObject({ id: MERCHANT, name: "Daybook Cafe", defaultCurrency: "USD" });
    expect(merchant.body).not.toHaveProperty("properties");
    const expanded = await get(`/v3/merchants/${MERCHANT}`, [["expand", "properties"]]);
    expect(expanded.body["properties"]).toMatchObject({ timezone: "America/New_York", defaultCurrency: "USD" });
    const properties = await get(`/v3/merchants/${MERCHANT}/properties`);
    expect(properties.body).toMatchObject({ merchantRef: { id: MERCHANT }, timezone: "America/New_York", defaultCurrency: "USD" });
  });

  it("wraps lists and expanded collections in {elements}, and leaves out what is not expanded", async () => {
    const plain = elements(await orders([["limit", "1000"]]));
    expect(plain).toHaveLength(storedOrders.length);
    for (const order of plain) {
      for (const field of ["lineItems", "payments", "refunds", "credits", "discounts"]) expect(order).not.toHaveProperty(field);
    }
    const charged = plain.find((order) => order["serviceCharge"] !== undefined);
    expect(charged?.["serviceCharge"]).toEqual({ id: "GSC_PARTY" }); // an unexpanded object is a reference

    // A dotted path expands its parent too; its siblings stay out.
    const withDiscounts = elements(await orders([["limit", "1000"], ["expand", "lineItems.discounts,payments"]]));
    const lines = withDiscounts.flatMap((order) => nested(order, "lineItems") ?? []);
    expect(lines.length).toBeGreaterThan(storedOrders.length);
    expect(lines.some((line) => nested(line, "discounts"))).toBe(true);
    expect(lines.every((line) => line["modifications"] === undefined && line["taxRates"] === undefined)).toBe(true);
    const payments = withDiscounts.flatMap((order) => nested(order, "payments") ?? []);
    expect(payments.length).toBeGreaterThan(0);
    expect(payments.every((payment) => Object.keys(payment["tender"] as object).join() === "id")).toBe(true);

    const tendered = elements(await orders([["limit", "1000"], ["expand", "payments.tender"]])).flatMap((order) => nested(order, "payments") ?? []);
    expect(tendered.every((payment) => typeof (payment["tender"] as { labelKey?: unknown }).labelKey === "string")).toBe(true);
  });

  it("lists an empty page as {elements: []}", async () => {
    const empty = await orders([["filter", `modifiedTime>=${NOW - 1000}`]]);
    expect(elements(empty)).toEqual([]);
  });

  it("serves one order by id, and 404s an unknown one in Clover's shape", async () => {
    const [stored] = day.orders;
    const one = await get(`/v3/merchants/${MERCHANT}/orders/${stored!.id}`, [["expand", "lineItems"]]);
    expect(one.status).toBe(200);
    expect(one.body["id"]).toBe(stored!.id);
    expect(nested(one.body, "lineItems")).toHaveLength(nested(stored!, "lineItems")!.length);
    expectError(await get(`/v3/merchants/${MERCHANT}/orders/NOSUCHORDER`), 404, /Order not found/);
  });

  it("lists payments and refunds out of the orders, each naming its order", async () => {
    const payments = elements(await get(`/v3/merchants/${MERCHANT}/payments`, [["limit", "1000"], ["expand", "tender"]]));
    const stored = day.orders.flatMap((order) => (nested(order, "payments") ?? []).map((payment) => ({ ...payment, order: { id: order.id } })));
    expect(payments).toHaveLength(stored.length);
    expect(new Set(payments.map((payment) => payment.id))).toEqual(new Set(stored.map((payment) => payment.id)));
    expect(payments.every((payment) => typeof (payment["order"] as { id?: unknown }).id === "string")).toBe(true);
    expect(payments.every((payment) => payment["cardTransaction"] === undefined)).toBe(true);

    const since = day.window.endMs;
    const refunds = elements(await get(`/v3/merchants/${MERCHANT}/refunds`, [["limit", "1000"], ["filter", `createdTime>=${since}`]]));
    const storedRefunds = day.orders.flatMap((order) => nested(order, "refunds") ?? []).filter((refund) => Number(refund["createdTime"]) >= since);
    expect(refunds.map((refund) => refund.id).sort()).toEqual(storedRefunds.map((refund) => refund.id).sort());
    expect(refunds.every((refund) => typeof (refund["orderRef"] as { id?: unknown }).id === "string")).toBe(true);
  });

  it("lists live items, and deleted ones only when the filter asks about deletion", async () => {
    const deletedIds = day.items.filter((item) => typeof item["deletedTime"] === "number").map((item) => item.id);
    expect(deletedIds.length).toBeGreaterThan(0);
    const live = elements(await get(`/v3/merchants/${MERCHANT}/items`, [["expand", "categories"]]));
    expect(live).toHaveLength(day.items.length - deletedIds.length);
    expect(live.every((item) => Array.isArray(nested(item, "categories")))).toBe(true);
    const deleted = elements(await get(`/v3/merchants/${MERCHANT}/items`, [["filter", "deleted=true"], ["expand", "categories"]]));
    expect(deleted.map((item) => item.id).sort()).toEqual([...deletedIds].sort());
    expect(deleted.every((item) => typeof item["deletedTime"] === "number" && Array.isArray(nested(item, "categories")))).toBe(true);
    const bare = elements(await get(`/v3/merchants/${MERCHANT}/items`));
    expect(bare.every((item) => item["categories"] === undefined)).toBe(true);

    const categories = elements(await get(`/v3/merchants/${MERCHANT}/categories`));
    expect(categories.map((category) => category["name"])).toContain("Hot drinks");
  });
});

describe("Clover simulator: paging, filters and expansions", () => {
  it("pages by limit and offset, newest first, until a page comes back short", async () => {
    const seen: Body[] = [];
    for (let offset = 0; ; offset += 40) {
      const page = elements(await orders([["limit", "40"], ["offset", String(offset)]]));
      seen.push(...page);
      if (page.length < 40) break;
    }
    expect(seen.map((order) => order.id).sort()).toEqual(storedOrders.map((order) => order.id).sort());
    const created = seen.map((order) => order["createdTime"] as number);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(elements(await orders())).toHaveLength(100); // the default limit
    expectError(await orders([["limit", "1001"]]), 400, /limit/);
    expectError(await orders([["offset", "-1"]]), 400, /offset/);
  });

  it("ANDs repeated filters, with every operator", async () => {
    const from = day.window.startMs + 6 * 3_600_000;
    const to = day.window.endMs;
    const ids = (list: Body[]) => list.map((order) => order.id).sort();
    const expected = (keep: (order: (typeof storedOrders)[number]) => boolean) => storedOrders.filter(keep).map((order) => order.id).sort();

    const between = elements(await orders([["limit", "1000"], ["filter", `modifiedTime>=${from}`], ["filter", `modifiedTime<${to}`]]));
    expect(ids(between)).toEqual(expected((order) => order.modifiedTime >= from && order.modifiedTime < to));
    expect(between.length).toBeGreaterThan(0);
    expect(between.length).toBeLessThan(storedOrders.length);

    const exclusive = elements(await orders([["limit", "1000"], ["filter", `createdTime>${from}`], ["filter", `createdTime<=${to}`]]));
    expect(ids(exclusive)).toEqual(expected((order) => order.createdTime > from && order.createdTime <= to));

    const target = day.orders[3]!;
    expect(ids(elements(await orders([["filter", `id=${target.id}`], ["filter", `modifiedTime>=${from}`]])))).toEqual(
      target.modifiedTime >= from ? [target.id] : [],
    );
    const others = elements(await orders([["limit", "1000"], ["filter", `id!=${target.id}`]]));
    expect(others).toHaveLength(storedOrders.length - 1);
    const tests = elements(await orders([["limit", "1000"], ["filter", "testMode=true"]]));
    expect(ids(tests)).toEqual(expected((order) => order["testMode"] === true));
  });

  it("refuses an unknown filter field with 400, naming the allowed ones in X-Clover-Allowed-Filter-Fields", async () => {
    const allowed = (await orders()).headers.get("X-Clover-Allowed-Filter-Fields")?.split(",");
    expect(allowed).toEqual(expect.arrayContaining(["modifiedTime", "createdTime", "id", "clientCreatedTime"]));
    const refused = await orders([["filter", "tipAmount>0"]]);
    expectError(refused, 400, /tipAmount/);
    expect(refused.headers.get("X-Clover-Allowed-Filter-Fields")?.split(",")).toEqual(allowed);
    expectError(await get(`/v3/merchants/${MERCHANT}/payments`, [["filter", "order.id=X"]]), 400, /order\.id/);
    expectError(await orders([["filter", "modifiedTime"]]), 400, /Cannot read the filter/);
  });

  it("expands at most 3 fields a call, and only fields that can be expanded", async () => {
    elements(await orders([["expand", "lineItems.discounts,lineItems.modifications,lineItems.taxRates"]]));
    expectError(await orders([["expand", "lineItems,payments,refunds,credits"]]), 400, /at most 3/);
    expectError(await orders([["expand", "lineItems.item.categories"]]), 400, /cannot be expanded/);
  });

  it("cuts nested collections at 100, and pages an order's line items instead", async () => {
    const listed = elements(await orders([["limit", "1000"], ["expand", "lineItems.discounts"], ["filter", `id=${BIG_ORDER_ID}`]]));
    expect(nested(listed[0]!, "lineItems")).toHaveLength(100);
    const byId = await get(`/v3/merchants/${MERCHANT}/orders/${BIG_ORDER_ID}`, [["expand", "lineItems"]]);
    expect(nested(byId.body, "lineItems")).toHaveLength(100);

    const path = `/v3/merchants/${MERCHANT}/orders/${BIG_ORDER_ID}/line_items`;
    const first = elements(await get(path, [["limit", "100"], ["expand", "discounts"]]));
    const second = elements(await get(path, [["limit", "100"], ["offset", "100"], ["expand", "discounts"]]));
    expect(first).toHaveLength(100);
    expect(second).toHaveLength(50);
    expect([...first, ...second]).toEqual(bigOrderLines);
  });

  it("refuses time filters spanning more than 90 days, an open end running to now", async () => {
    const to = NOW;
    elements(await orders([["filter", `modifiedTime>=${to - 90 * DAY_MS}`], ["filter", `modifiedTime<=${to}`]]));
    expectError(await orders([["filter", `modifiedTime>=${to - 91 * DAY_MS}`], ["filter", `modifiedTime<${to}`]]), 400, /90 days/);
    expectError(await orders([["filter", `createdTime>=${NOW - 91 * DAY_MS}`]]), 400, /90 days/);
    expectError(await orders([["filter", `modifiedTime<${to}`]]), 400, /90 days/);
    expectError(await get(`/v3/merchants/${MERCHANT}/payments`, [["filter", `createdTime>=${NOW - 100 * DAY_MS}`]]), 400, /90 days/);
    // Inventory is not time-limited.
    elements(await get(`/v3/merchants/${MERCHANT}/items`, [["filter", "modifiedTime>=0"]]));
  });
});

describe("Clover simulator: tokens, limits and faults", () => {
  it("401s a missing, unknown or expired token and another merchant's id; 404s an unknown merchant", async () => {
    expectError(await orders([], null), 401, /No access token/);
    expectError(await orders([], "not-a-token"), 401, /not valid/);
    const otherToken = clover.issueToken(OTHER_MERCHANT);
    expectError(await orders([], otherToken), 401, new RegExp(`not authorized for merchant ${MERCHANT}`));
    expectError(await get("/v3/merchants/NOSUCHMERCHANT"), 404, /Merchant not found/);

    const shortLived = clover.issueToken(MERCHANT, { expiresInMs: 60_000 });
    expect((await orders([], shortLived)).status).toBe(200);
    clover.advanceTime(60_000);
    expectError(await orders([], shortLived), 401, /expired/);
    expect((await orders()).status).toBe(200); // a fresh token works
  });

  it("answers a token's 17th request within a second with 429, retry-after and X-RateLimit-tokenLimit", async () => {
    const burst = clover.issueToken(MERCHANT);
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) answers.push(await get(`/v3/merchants/${MERCHANT}/properties`, [], burst));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(answers.slice(0, 16).every((answer) => answer.status === 200)).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.headers.get("X-RateLimit-tokenLimit")).toBe("16");
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Object.keys(limited[0]!.body).sort()).toEqual(["details", "message"]);
    const stats = clover.rateStats(burst);
    expect(stats.maxPerSecond).toBeGreaterThanOrEqual(17);
    expect(stats.limited429s).toBe(limited.length);
    expect(clover.requests().filter((request) => request.rateLimited === "tokenLimit")).toHaveLength(limited.length);
  });

  it("answers a token's 6th request in flight with 429 and X-RateLimit-tokenConcurrentLimit", async () => {
    const parallel = clover.issueToken(MERCHANT);
    const rule = clover.injectFaults({ endpoint: "GetMerchantProperties", fault: { kind: "slow", delayMs: 300 } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`/v3/merchants/${MERCHANT}/properties`, [], parallel)));
    rule.remove();
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.headers.get("X-RateLimit-tokenConcurrentLimit")).toBe("5");
    expect(limited[0]!.headers.get("retry-after")).toBe("1");
    expect(clover.rateStats(parallel)).toEqual({ maxPerSecond: 6, maxConcurrent: 6, limited429s: 1 });
    // Per merchant: the highest of its tokens.
    expect(clover.rateStats(MERCHANT).maxConcurrent).toBe(6);
  });

  it("injects 429, 500, 503, 401, slow and truncated answers, and logs them", async () => {
    const faulted = clover.issueToken(MERCHANT);
    const path = `/v3/merchants/${MERCHANT}/categories`;
    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "429", retryAfterSeconds: 2 }, times: 1 });
    const throttled = await get(path, [], faulted);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect(throttled.headers.get("X-RateLimit-crossTokenLimit")).toBe("50");

    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "500" }, times: 1 });
    expect((await get(path, [], faulted)).status).toBe(500);
    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "503", retryAfterSeconds: 1 }, times: 1 });
    const unavailable = await get(path, [], faulted);
    expect([unavailable.status, unavailable.headers.get("retry-after")]).toEqual([503, "1"]);
    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "401" }, times: 1 });
    expectError(await get(path, [], faulted), 401, /expired/);

    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "slow", delayMs: 200 }, times: 1 });
    const started = performance.now();
    expect((await get(path, [], faulted)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);

    clover.injectFaults({ endpoint: "ListCategories", fault: { kind: "truncated" }, times: 1 });
    const cut = await fetch(`${clover.url}${path}`, { headers: { Authorization: `Bearer ${faulted}` } });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();

    expect((await get(path, [], faulted)).status).toBe(200);
    const logged = clover.requests().filter((request) => request.endpoint === "ListCategories").slice(-7);
    expect(logged.map((request) => request.fault ?? request.status)).toEqual(["429", "500", "503", "401", "slow", "truncated", 200]);
    expect(clover.rateStats(faulted).limited429s).toBe(0); // injected, not the simulator's own limits
    expect(clover.requestLog().ListCategories).toBeGreaterThanOrEqual(7);
  });
});
