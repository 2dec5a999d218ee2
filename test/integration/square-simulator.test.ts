/**
 * The Square simulator (sandbox/square/server.ts) over HTTP: every kind of body it sends validates
 * against Square's official OpenAPI spec (strictly: no field the spec lacks), and it keeps Square's
 * rules (reference/square.md §1, §2.2, §2.5, §2.6, §4).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SquareClient, SquareError } from "square";
import { generateDay } from "../../sandbox/square/generate-day";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { squareSpecProblems } from "../support/square-spec";

const MERCHANT = "MERCHANT0001";
const OTHER_MERCHANT = "MERCHANT0002";
const LOCATION = "GENLOCATION01";
const OTHER_LOCATION = "OTHERLOCATION";
const REDIRECT = "https://daybook.example/oauth/square/callback";

const day = generateDay({
  seed: 20250614, sales: 400, date: "2025-06-14", timeZone: "America/New_York", locationId: LOCATION,
  returnRate: 0.1, noiseRate: 0.3, openRate: 0.1,
});
const { start, end, startMs, endMs } = day.window;

let square: SquareSimulator;
let token: string;
let otherToken: string;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(path: string, init: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const authorization: Record<string, string> = init.token === null ? {} : { Authorization: `Bearer ${init.token ?? token}` };
  const response = await fetch(`${square.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "Content-Type": "application/json", "Square-Version": "2025-08-20", ...authorization, ...init.headers },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const search = (body: unknown, callToken?: string | null) => call("/v2/orders/search", { body, ...(callToken === undefined ? {} : { token: callToken }) });

const closedAtQuery = (startAt: string, endAt: string) => ({
  filter: { state_filter: { states: ["COMPLETED"] }, date_time_filter: { closed_at: { start_at: startAt, end_at: endAt } } },
  sort: { sort_field: "CLOSED_AT", sort_order: "ASC" },
});

/** The first error of a body, checked against the spec as a SearchOrdersResponse carrying only errors. */
function firstError(answer: Answer): { category: string; code: string; detail?: string } {
  expect(squareSpecProblems("SearchOrdersResponse", answer.body)).toEqual([]);
  expect(Object.keys(answer.body)).toEqual(["errors"]);
  const [error] = answer.body["errors"] as { category: string; code: string; detail?: string }[];
  expect(error?.detail).toBeTruthy();
  return error!;
}

async function allPages(first: Record<string, unknown>, schema: string, path: (cursor: string) => Promise<Answer>): Promise<Record<string, unknown>[]> {
  const pages = [first];
  let cursor = first["cursor"] as string | undefined;
  while (cursor) {
    const next = await path(cursor);
    expect(next.status).toBe(200);
    expect(squareSpecProblems(schema, next.body)).toEqual([]);
    pages.push(next.body);
    cursor = next.body["cursor"] as string | undefined;
  }
  return pages;
}

beforeAll(async () => {
  square = await startSquareSimulator({ redirectUris: [REDIRECT], seed: 7 });
  square.addMerchant({
    merchantId: MERCHANT, businessName: "Daybook Coffee",
    locations: [
      { id: LOCATION, name: "Main Street", timezone: "America/New_York", currency: "USD" },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `EXTRA${i}`, name: `Kiosk ${i}`, timezone: "America/New_York", currency: "USD", status: "INACTIVE" as const })),
    ],
  });
  square.addMerchant({ merchantId: OTHER_MERCHANT, locations: [{ id: OTHER_LOCATION, name: "Elsewhere", timezone: null, currency: "GBP" }] });
  square.addOrders(LOCATION, day.orders);
  square.setCatalog(MERCHANT, day.catalog);
  token = square.issueToken(MERCHANT);
  otherToken = square.issueToken(OTHER_MERCHANT);
});

afterAll(async () => {
  await square.close();
});

describe("Square simulator bodies validate against api.json", () => {
  it("ListLocations and RetrieveLocation (by id and as main)", async () => {
    const list = await call("/v2/locations");
    expect(list.status).toBe(200);
    expect(squareSpecProblems("ListLocationsResponse", list.body)).toEqual([]);
    const names = (list.body["locations"] as { name: string; merchant_id: string }[]).map((location) => location.name);
    expect(names).toHaveLength(11);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    for (const id of [LOCATION, "main"]) {
      const one = await call(`/v2/locations/${id}`);
      expect(one.status).toBe(200);
      expect(squareSpecProblems("RetrieveLocationResponse", one.body)).toEqual([]);
      expect(one.body["location"]).toMatchObject({ id: LOCATION, timezone: "America/New_York", currency: "USD", merchant_id: MERCHANT, status: "ACTIVE" });
    }
    const noZone = await call(`/v2/locations/${OTHER_LOCATION}`, { token: otherToken });
    expect(squareSpecProblems("RetrieveLocationResponse", noZone.body)).toEqual([]);
    expect(noZone.body["location"]).not.toHaveProperty("timezone");
  });

  it("SearchOrders pages through the day with a cursor, in order, each order once", async () => {
    const query = closedAtQuery(start, new Date(endMs - 1).toISOString());
    const first = await search({ location_ids: [LOCATION], query, limit: 100 });
    expect(first.status).toBe(200);
    expect(squareSpecProblems("SearchOrdersResponse", first.body)).toEqual([]);
    expect(first.body["orders"]).toHaveLength(100);
    const pages = await allPages(first.body, "SearchOrdersResponse", (cursor) => search({ location_ids: [LOCATION], query, limit: 100, cursor }));
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.at(-1)).not.toHaveProperty("cursor");

    const orders = pages.flatMap((page) => page["orders"] as { id: string; state: string; closed_at: string; location_id: string }[]);
    const expected = day.orders.filter((order) => {
      const closedAt = Date.parse(String(order["closed_at"]));
      return order.location_id === LOCATION && order["state"] === "COMPLETED" && closedAt >= startMs && closedAt < endMs;
    });
    expect(orders.map((order) => order.id).sort()).toEqual(expected.map((order) => order.id).sort());
    const times = orders.map((order) => Date.parse(order.closed_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("SearchOrders with return_entries answers with order entries", async () => {
    const answer = await search({ location_ids: [LOCATION], query: closedAtQuery(start, end), limit: 5, return_entries: true });
    expect(answer.status).toBe(200);
    expect(squareSpecProblems("SearchOrdersResponse", answer.body)).toEqual([]);
    expect(answer.body).not.toHaveProperty("orders");
    expect(answer.body["order_entries"]).toHaveLength(5);
    const [entry] = answer.body["order_entries"] as Record<string, unknown>[];
    expect(Object.keys(entry!).sort()).toEqual(["location_id", "order_id", "version"]);
    expect(entry).toMatchObject({ location_id: LOCATION });
  });

  it("BatchRetrieveCatalogObjects goes one level deep and hides deleted objects unless asked", async () => {
    const variations = await call("/v2/catalog/batch-retrieve", {
      body: { object_ids: ["GEN_VAR_LATTE", "GEN_VAR_SCONE", "NO_SUCH_OBJECT"], include_related_objects: true, include_deleted_objects: true },
    });
    expect(variations.status).toBe(200);
    expect(squareSpecProblems("BatchRetrieveCatalogObjectsResponse", variations.body)).toEqual([]);
    const ids = (body: Record<string, unknown>, field: string) => ((body[field] ?? []) as { id: string }[]).map((object) => object.id).sort();
    expect(ids(variations.body, "objects")).toEqual(["GEN_VAR_LATTE", "GEN_VAR_SCONE"]);
    expect(ids(variations.body, "related_objects")).toEqual(["GEN_ITEM_LATTE", "GEN_ITEM_SCONE"]); // not their categories

    const items = await call("/v2/catalog/batch-retrieve", { body: { object_ids: ["GEN_ITEM_LATTE", "GEN_ITEM_TEE"], include_related_objects: true } });
    expect(squareSpecProblems("BatchRetrieveCatalogObjectsResponse", items.body)).toEqual([]);
    expect(ids(items.body, "related_objects")).toEqual(["GEN_CAT_BEV", "GEN_CAT_MERCH"]);

    const withoutDeleted = await call("/v2/catalog/batch-retrieve", { body: { object_ids: ["GEN_VAR_SCONE", "GEN_VAR_TEA"] } });
    expect(ids(withoutDeleted.body, "objects")).toEqual(["GEN_VAR_TEA"]);
    expect(withoutDeleted.body).not.toHaveProperty("related_objects");
  });

  it("ListPayments derives a payment per tender, pages by 100, and shows fee adjustments", async () => {
    const query = `begin_time=${start}&end_time=${end}&sort_order=ASC`;
    const first = await call(`/v2/payments?${query}&limit=500`);
    expect(first.status).toBe(200);
    expect(squareSpecProblems("ListPaymentsResponse", first.body)).toEqual([]);
    expect(first.body["payments"]).toHaveLength(100); // above 100, the limit is ignored
    const pages = await allPages(first.body, "ListPaymentsResponse", (cursor) => call(`/v2/payments?${query}&limit=500&cursor=${encodeURIComponent(cursor)}`));
    const payments = pages.flatMap((page) => page["payments"] as Record<string, unknown>[]);
    expect(new Set(payments.map((payment) => payment["id"])).size).toBe(payments.length);

    const cardWithTip = (order: Record<string, unknown>) => {
      const tenders = order["tenders"] as { type: string; created_at: string; tip_money?: unknown }[] | undefined;
      const only = tenders?.length === 1 ? tenders[0] : undefined;
      return order["state"] === "COMPLETED" && only?.type === "CARD" && only.tip_money !== undefined &&
        Date.parse(only.created_at) >= startMs && Date.parse(only.created_at) < endMs;
    };
    const sale = day.orders.find(cardWithTip)!;
    const tender = (sale["tenders"] as { id: string; amount_money: { amount: number }; tip_money: { amount: number }; processing_fee_money: { amount: number }; created_at: string }[])[0]!;
    const payment = payments.find((candidate) => candidate["id"] === tender.id)!;
    expect(payment).toMatchObject({
      status: "COMPLETED", source_type: "CARD", order_id: sale.id, location_id: LOCATION, created_at: tender.created_at,
      amount_money: { amount: tender.amount_money.amount - tender.tip_money.amount, currency: "USD" },
      tip_money: { amount: tender.tip_money.amount, currency: "USD" },
      total_money: { amount: tender.amount_money.amount, currency: "USD" },
      processing_fee: [{ effective_at: tender.created_at, type: "INITIAL", amount_money: { amount: tender.processing_fee_money.amount, currency: "USD" } }],
    });

    square.addFeeAdjustment(tender.id, 7, new Date(endMs + 3_600_000).toISOString());
    const adjusted = await call(`/v2/payments?begin_time=${tender.created_at}&end_time=${tender.created_at}`);
    expect(squareSpecProblems("ListPaymentsResponse", adjusted.body)).toEqual([]);
    const fees = (adjusted.body["payments"] as { id: string; processing_fee: { type: string; amount_money: { amount: number } }[] }[])
      .find((candidate) => candidate.id === tender.id)!.processing_fee;
    expect(fees.map((fee) => [fee.type, fee.amount_money.amount])).toEqual([["INITIAL", tender.processing_fee_money.amount], ["ADJUSTMENT", 7]]);
  });

  it("ListPaymentRefunds derives a refund per order refund, with the tender's type and a negative fee", async () => {
    const answer = await call(`/v2/refunds?begin_time=${start}&end_time=${end}&sort_order=ASC`);
    expect(answer.status).toBe(200);
    expect(squareSpecProblems("ListPaymentRefundsResponse", answer.body)).toEqual([]);
    const refunds = answer.body["refunds"] as Record<string, unknown>[];
    const returnOrders = day.orders.filter((order) => Array.isArray(order["refunds"]));
    expect(refunds).toHaveLength(returnOrders.length);
    const returned = returnOrders[0]!;
    const orderRefund = (returned["refunds"] as { id: string; tender_id: string; amount_money: object; processing_fee_money?: { amount: number } }[])[0]!;
    const tenderType = day.orders.flatMap((order) => (order["tenders"] ?? []) as { id: string; type: string }[]).find((t) => t.id === orderRefund.tender_id)!.type;
    expect(refunds.find((refund) => refund["id"] === orderRefund.id)).toMatchObject({
      status: "COMPLETED", payment_id: orderRefund.tender_id, order_id: returned.id, destination_type: tenderType,
      amount_money: orderRefund.amount_money, location_id: LOCATION,
      ...(orderRefund.processing_fee_money ? { processing_fee: [{ type: "INITIAL", amount_money: { amount: -orderRefund.processing_fee_money.amount, currency: "USD" } }] } : {}),
    });
  });

  it("the OAuth flow: authorize page, code exchange, refresh, token status, revoke", async () => {
    const authorizeUrl = `${square.url}/oauth2/authorize?client_id=${square.applicationId}&scope=MERCHANT_PROFILE_READ+ORDERS_READ+PAYMENTS_READ+ITEMS_READ&state=st%26te&redirect_uri=${encodeURIComponent(REDIRECT)}`;
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('value="allow"');
    expect(html).toContain('value="st&amp;te"');

    const decide = (decision: "allow" | "deny") =>
      fetch(`${square.url}/oauth2/authorize`, {
        method: "POST", redirect: "manual",
        body: new URLSearchParams({ client_id: square.applicationId, scope: "MERCHANT_PROFILE_READ ORDERS_READ", state: "st&te", redirect_uri: REDIRECT, merchant_id: MERCHANT, decision }),
      });
    const denied = new URL((await decide("deny")).headers.get("location")!);
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: "access_denied", error_description: "user_denied", state: "st&te" });
    const allowed = await decide("allow");
    expect(allowed.status).toBe(302);
    const redirect = new URL(allowed.headers.get("location")!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get("state")).toBe("st&te");
    expect(redirect.searchParams.get("response_type")).toBe("code");
    const code = redirect.searchParams.get("code")!;

    const credentials = { client_id: square.applicationId, client_secret: square.applicationSecret };
    const obtained = await call("/oauth2/token", { token: null, body: { ...credentials, grant_type: "authorization_code", code, redirect_uri: REDIRECT } });
    expect(obtained.status).toBe(200);
    expect(squareSpecProblems("ObtainTokenResponse", obtained.body)).toEqual([]);
    expect(obtained.body).toMatchObject({ token_type: "bearer", merchant_id: MERCHANT, short_lived: false });
    const expiresIn = Date.parse(String(obtained.body["expires_at"])) - square.now();
    expect(Math.round(expiresIn / 86_400_000)).toBe(30);

    const incomplete = await call("/oauth2/token", { token: null, body: { client_secret: square.applicationSecret, grant_type: "authorization_code", code } });
    expect(incomplete.status).toBe(400);
    expect(squareSpecProblems("ObtainTokenResponse", incomplete.body)).toEqual([]);
    expect(firstError(incomplete)).toMatchObject({ code: "MISSING_REQUIRED_PARAMETER", field: "client_id" });
    const wrongSecret = await call("/oauth2/token", { token: null, body: { ...credentials, client_secret: "sq0csp-wrong", grant_type: "authorization_code", code } });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({ message: "Not Authorized", type: "service.not_authorized" });

    const again = await call("/oauth2/token", { token: null, body: { ...credentials, grant_type: "authorization_code", code } });
    expect(again.status).toBe(400);
    expect(Object.keys(again.body).sort()).toEqual(["message", "type"]);

    const refreshed = await call("/oauth2/token", { token: null, body: { ...credentials, grant_type: "refresh_token", refresh_token: obtained.body["refresh_token"] } });
    expect(refreshed.status).toBe(200);
    expect(squareSpecProblems("ObtainTokenResponse", refreshed.body)).toEqual([]);
    expect(refreshed.body["refresh_token"]).toBe(obtained.body["refresh_token"]); // code flow: multi-use
    expect(refreshed.body["access_token"]).not.toBe(obtained.body["access_token"]);
    const newToken = String(refreshed.body["access_token"]);

    const status = await call("/oauth2/token/status", { token: newToken, body: {} });
    expect(status.status).toBe(200);
    expect(squareSpecProblems("RetrieveTokenStatusResponse", status.body)).toEqual([]);
    expect(status.body).toMatchObject({ merchant_id: MERCHANT, client_id: square.applicationId, scopes: ["MERCHANT_PROFILE_READ", "ORDERS_READ"] });
    const notGranted = await call("/v2/payments", { token: newToken });
    expect(notGranted.status).toBe(403);
    expect(firstError(notGranted)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "INSUFFICIENT_SCOPES" });

    // Revoke through the SDK, which must swap the Bearer header for `Client <secret>`.
    const sdk = new SquareClient({ baseUrl: square.url, token: newToken, maxRetries: 0 });
    await expect(sdk.oAuth.revokeToken({ clientId: square.applicationId, accessToken: newToken })).rejects.toMatchObject({ statusCode: 401 });
    const bearerRevoke = await call("/oauth2/revoke", { token: newToken, body: { client_id: square.applicationId, access_token: newToken } });
    expect(squareSpecProblems("RevokeTokenResponse", bearerRevoke.body)).toEqual([]);
    expect(firstError(bearerRevoke)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });
    const revoked = await call("/oauth2/revoke", {
      token: null, headers: { Authorization: `Client ${square.applicationSecret}` }, body: { client_id: square.applicationId, access_token: newToken },
    });
    expect(revoked.status).toBe(200);
    expect(squareSpecProblems("RevokeTokenResponse", revoked.body)).toEqual([]);
    expect(revoked.body).toEqual({ success: true });

    // The whole authorization is gone: both access tokens, and the refresh token.
    for (const accessToken of [newToken, String(obtained.body["access_token"])]) {
      const refused = await call("/v2/locations", { token: accessToken });
      expect(refused.status).toBe(401);
      expect(firstError(refused)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "ACCESS_TOKEN_REVOKED" });
    }
    const renewal = await call("/oauth2/token", { token: null, body: { ...credentials, grant_type: "refresh_token", refresh_token: obtained.body["refresh_token"] } });
    expect(renewal.status).toBe(400);
    expect(renewal.body).toEqual({ message: "cannot renew revoked token", type: "bad_request" });
  });

  it("the SDK reads the legacy OAuth error shape as a V1_ERROR, and the SDK's revoke works with the Client header", async () => {
    const sdk = new SquareClient({ baseUrl: square.url, maxRetries: 0, token: "unused" });
    const failure = await sdk.oAuth.obtainToken({ clientId: square.applicationId, clientSecret: square.applicationSecret, grantType: "refresh_token", refreshToken: "EQAAlnope" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SquareError);
    expect((failure as SquareError).errors[0]).toMatchObject({ category: "V1_ERROR", code: "bad_request" });

    const accessToken = square.issueToken(MERCHANT);
    const revoked = await new SquareClient({ baseUrl: square.url, token: accessToken, maxRetries: 0 }).oAuth.revokeToken(
      { clientId: square.applicationId, accessToken },
      { headers: { Authorization: `Client ${square.applicationSecret}` } },
    );
    expect(revoked.success).toBe(true);
  });

  it("access tokens expire after 30 days of simulated time", async () => {
    const accessToken = square.issueToken(OTHER_MERCHANT);
    expect((await call("/v2/locations", { token: accessToken })).status).toBe(200);
    square.advanceTime(30 * 86_400_000);
    try {
      const expired = await call("/v2/locations", { token: accessToken });
      expect(expired.status).toBe(401);
      expect(firstError(expired)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "ACCESS_TOKEN_EXPIRED" });
    } finally {
      square.advanceTime(-30 * 86_400_000);
    }
  });
});

describe("Square's rules", () => {
  it("SearchOrders takes 1 to 10 locations", async () => {
    const ten = [LOCATION, ...Array.from({ length: 9 }, (_, i) => `EXTRA${i}`)];
    expect((await search({ location_ids: ten, query: closedAtQuery(start, end) })).status).toBe(200);
    const eleven = await search({ location_ids: [...ten, "EXTRA9"], query: closedAtQuery(start, end) });
    expect(eleven.status).toBe(400);
    expect(firstError(eleven)).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "ARRAY_LENGTH_TOO_LONG" });
    for (const body of [{ location_ids: [] }, {}]) {
      const none = await search(body);
      expect(none.status).toBe(400);
      expect(firstError(none).category).toBe("INVALID_REQUEST_ERROR");
    }
  });

  it("SearchOrders' sort field must be the filtered timestamp, and only one timestamp may be filtered", async () => {
    const mismatch = await search({
      location_ids: [LOCATION],
      query: { filter: { date_time_filter: { closed_at: { start_at: start, end_at: end } } }, sort: { sort_field: "UPDATED_AT" } },
    });
    expect(mismatch.status).toBe(400);
    expect(firstError(mismatch)).toMatchObject({ category: "INVALID_REQUEST_ERROR", field: "query.sort.sort_field" });

    const defaultSort = await search({ location_ids: [LOCATION], query: { filter: { date_time_filter: { updated_at: { start_at: start } } } } });
    expect(defaultSort.status).toBe(400); // the default sort is CREATED_AT

    const two = await search({
      location_ids: [LOCATION],
      query: { filter: { date_time_filter: { created_at: { start_at: start }, closed_at: { start_at: start } } }, sort: { sort_field: "CLOSED_AT" } },
    });
    expect(two.status).toBe(400);

    const openByClosedAt = await search({
      location_ids: [LOCATION], query: { filter: { state_filter: { states: ["OPEN", "COMPLETED"] } }, sort: { sort_field: "CLOSED_AT" } },
    });
    expect(openByClosedAt.status).toBe(400);

    const badState = await search({ location_ids: [LOCATION], query: { filter: { state_filter: { states: ["PAID"] } } } });
    expect(firstError(badState).code).toBe("INVALID_ENUM_VALUE");
    const badTime = await search({ location_ids: [LOCATION], query: closedAtQuery("yesterday", end) });
    expect(firstError(badTime).code).toBe("INVALID_TIME");
    const backwards = await search({ location_ids: [LOCATION], query: closedAtQuery(end, start) });
    expect(firstError(backwards).code).toBe("INVALID_TIME_RANGE");
  });

  it("SearchOrders' time ranges include both ends", async () => {
    const closed = day.orders
      .filter((order) => order["state"] === "COMPLETED" && order.location_id === LOCATION)
      .map((order) => String(order["closed_at"]))
      .sort();
    const [first, second, third] = [closed[10]!, closed[11]!, closed[12]!];
    const exact = await search({ location_ids: [LOCATION], query: closedAtQuery(first, third) });
    const times = (exact.body["orders"] as { closed_at: string }[]).map((order) => order.closed_at);
    expect(times).toContain(first);
    expect(times).toContain(third);
    expect(times).toContain(second);
    const single = await search({ location_ids: [LOCATION], query: closedAtQuery(second, second) });
    expect((single.body["orders"] as { closed_at: string }[]).map((order) => order.closed_at)).toEqual(closed.filter((at) => at === second));
  });

  it("SearchOrders' limit defaults to 500 and may not pass 1000", async () => {
    const all = await search({ location_ids: [LOCATION] });
    expect(all.body["orders"]).toHaveLength(500);
    expect(all.body["cursor"]).toEqual(expect.any(String));
    const tooMany = await search({ location_ids: [LOCATION], limit: 1001 });
    expect(firstError(tooMany)).toMatchObject({ code: "VALUE_TOO_HIGH", field: "limit" });
  });

  it("a cursor works only with the identical query", async () => {
    const query = closedAtQuery(start, end);
    const first = await search({ location_ids: [LOCATION], query, limit: 10 });
    const cursor = first.body["cursor"] as string;
    expect((await search({ location_ids: [LOCATION], query, limit: 10, cursor })).status).toBe(200);
    for (const changed of [
      { location_ids: [LOCATION], query, limit: 11, cursor },
      { location_ids: [LOCATION], query: closedAtQuery(start, new Date(endMs - 1).toISOString()), limit: 10, cursor },
      { location_ids: [LOCATION], query, limit: 10, cursor: `${cursor.slice(0, -2)}xx` },
    ]) {
      const refused = await search(changed);
      expect(refused.status).toBe(400);
      expect(firstError(refused)).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "INVALID_CURSOR" });
    }
    const payments = await call(`/v2/payments?begin_time=${start}&end_time=${end}`);
    const paymentCursor = encodeURIComponent(String(payments.body["cursor"]));
    const wrongList = await call(`/v2/payments?begin_time=${start}&cursor=${paymentCursor}`);
    expect(firstError(wrongList).code).toBe("INVALID_CURSOR");
  });

  it("a token reads only its own merchant's data", async () => {
    const missing = await call("/v2/locations", { token: null });
    expect(missing.status).toBe(401);
    expect(firstError(missing)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });
    const unknown = await call("/v2/locations", { token: "EAAAnot-a-token" });
    expect(firstError(unknown)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });

    const foreign = await search({ location_ids: [LOCATION], query: closedAtQuery(start, end) }, otherToken);
    expect(foreign.status).toBe(401);
    expect(firstError(foreign)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });
    expect((await call(`/v2/payments?location_id=${LOCATION}`, { token: otherToken })).status).toBe(401);
    expect((await call(`/v2/locations/${LOCATION}`, { token: otherToken })).status).toBe(401);
    const own = await call("/v2/locations", { token: otherToken });
    expect((own.body["locations"] as { id: string }[]).map((location) => location.id)).toEqual([OTHER_LOCATION]);
  });

  it("ListPayments defaults to the main location and ListPaymentRefunds to all", async () => {
    const main = await call(`/v2/payments?begin_time=${start}&end_time=${end}`);
    expect((main.body["payments"] as { location_id: string }[]).every((payment) => payment.location_id === LOCATION)).toBe(true);
    const kiosk = await call(`/v2/payments?location_id=EXTRA0&begin_time=${start}&end_time=${end}`);
    expect(kiosk.body).toEqual({});
    const refunds = await call(`/v2/refunds?begin_time=${start}&end_time=${end}&status=COMPLETED&source_type=CARD`);
    expect(squareSpecProblems("ListPaymentRefundsResponse", refunds.body)).toEqual([]);
  });

  it("answers any body or query with a 200, or a 400 or 401 (someone else's location) in Square's shape, never a 500", async () => {
    const searchBody = fc.oneof(
      fc.jsonValue(),
      fc.record({
        location_ids: fc.oneof(fc.constant([LOCATION]), fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
        query: fc.oneof(fc.jsonValue(), fc.record({ filter: fc.jsonValue(), sort: fc.jsonValue() }, { requiredKeys: [] })),
        limit: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
        cursor: fc.oneof(fc.string(), fc.jsonValue()),
        return_entries: fc.jsonValue(),
      }, { requiredKeys: [] }),
    );
    const listQuery = fc.dictionary(
      fc.constantFrom("begin_time", "end_time", "sort_order", "sort_field", "cursor", "limit", "location_id", "status", "source_type"),
      fc.oneof(fc.string(), fc.constantFrom(start, "ASC", "DESC", "100", "-1", LOCATION)),
    );
    await fc.assert(
      fc.asyncProperty(searchBody, fc.jsonValue(), listQuery, async (body, catalogBody, query) => {
        const answers = [
          await search(JSON.stringify(body)),
          await call("/v2/catalog/batch-retrieve", { body: JSON.stringify(catalogBody) }),
          await call(`/v2/refunds?${new URLSearchParams(query).toString()}`),
        ];
        for (const answer of answers) {
          expect([200, 400, 401]).toContain(answer.status);
          if (answer.status !== 200) firstError(answer);
        }
      }),
      { numRuns: 60, seed: 1 },
    );
  });

  it("an order added later keeps its own times but carries its arrival in updated_at", async () => {
    const late = generateDay({ seed: 77, sales: 1, date: "2025-06-10", timeZone: "America/New_York", locationId: LOCATION, noiseRate: 0, returnRate: 0, openRate: 0 });
    const [order] = late.orders;
    const arrivedAt = new Date(late.window.endMs + 50 * 3_600_000).toISOString();
    square.addOrders(LOCATION, late.orders, { arrivedAt });
    const found = await search({
      location_ids: [LOCATION],
      query: { filter: { date_time_filter: { updated_at: { start_at: arrivedAt, end_at: arrivedAt } } }, sort: { sort_field: "UPDATED_AT" } },
    });
    expect(found.body["orders"]).toEqual([{ ...order, updated_at: arrivedAt }]);
  });

  it("bad input gets a 400 saying what is wrong; unknown routes a 404; any Square-Version is accepted", async () => {
    const notJson = await search("{not json");
    expect(notJson.status).toBe(400);
    expect(firstError(notJson).code).toBe("EXPECTED_JSON_BODY");
    const typo = await search({ location_ids: [LOCATION], query: { filter: { date_time_filte: {} } } });
    expect(firstError(typo)).toMatchObject({ code: "BAD_REQUEST", field: "query.filter.date_time_filte" });
    const unknownParam = await call("/v2/payments?begin=2025-01-01");
    expect(firstError(unknownParam).code).toBe("UNKNOWN_QUERY_PARAMETER");
    const noIds = await call("/v2/catalog/batch-retrieve", { body: { include_related_objects: true } });
    expect(firstError(noIds).code).toBe("MISSING_REQUIRED_PARAMETER");
    const unknownRoute = await call("/v2/teleport");
    expect(unknownRoute.status).toBe(404);
    expect(firstError(unknownRoute)).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" });
    expect((await call("/v2/locations", { headers: { "Square-Version": "2026-09-16" } })).status).toBe(200);
  });
});

describe("fault injection", () => {
  it("429 with Retry-After, 500 and 503 in Square's error shape, counted in the request log", async () => {
    const seen = square.requests().length;
    const rule = square.injectFaults({ endpoint: "ListLocations", fault: { kind: "429", retryAfterSeconds: 1 }, times: 2 });
    square.injectFaults({ endpoint: "RetrieveLocation", fault: { kind: "503" }, times: 1 });
    square.injectFaults({ endpoint: "ListPayments", fault: { kind: "500" }, times: 1 });
    const limited = await call("/v2/locations");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(firstError(limited)).toMatchObject({ category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" });
    expect((await call("/v2/locations")).status).toBe(429);
    expect((await call("/v2/locations")).status).toBe(200);
    expect(rule.injected).toBe(2);
    const unavailable = await call(`/v2/locations/${LOCATION}`);
    expect(unavailable.status).toBe(503);
    expect(firstError(unavailable)).toMatchObject({ category: "API_ERROR", code: "SERVICE_UNAVAILABLE" });
    const broken = await call("/v2/payments");
    expect(broken.status).toBe(500);
    expect(firstError(broken)).toMatchObject({ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" });
    const logged = square.requests().slice(seen);
    expect(logged.map((request) => request.endpoint)).toEqual(["ListLocations", "ListLocations", "ListLocations", "RetrieveLocation", "ListPayments"]);
    expect(logged.map((request) => request.fault ?? request.status)).toEqual(["429", "429", 200, "503", "500"]);
    expect(square.requestLog().ListLocations).toBeGreaterThanOrEqual(3);
    square.clearFaults();
  });

  it("401, invalid_grant, a seeded probability, and skip", async () => {
    square.injectFaults({ endpoint: "ObtainToken", fault: { kind: "invalid_grant" }, times: 1 });
    const grant = await call("/oauth2/token", { token: null, body: { client_id: square.applicationId, grant_type: "refresh_token", refresh_token: "x" } });
    expect(grant.status).toBe(400);
    expect(Object.keys(grant.body).sort()).toEqual(["message", "type"]);

    square.injectFaults({ endpoint: "ListLocations", fault: { kind: "401" }, skip: 1, times: 1 });
    expect((await call("/v2/locations")).status).toBe(200);
    const refused = await call("/v2/locations");
    expect(refused.status).toBe(401);
    expect(firstError(refused)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });

    const rule = square.injectFaults({ endpoint: "ListLocations", fault: { kind: "503" }, probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call("/v2/locations")).status);
    rule.remove();
    expect(statuses.filter((status) => status === 503).length).toBe(rule.injected);
    expect(rule.injected).toBeGreaterThan(2);
    expect(rule.injected).toBeLessThan(18);
    square.clearFaults();
  });

  it("a slow answer outlasts the client's timeout, a stalled one stops half way, a truncated one breaks off mid-JSON", async () => {
    square.injectFaults({ endpoint: "ListLocations", fault: { kind: "slow", delayMs: 3_000 }, times: 1 });
    const started = Date.now();
    await expect(fetch(`${square.url}/v2/locations`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);

    square.injectFaults({ endpoint: "ListLocations", fault: { kind: "slow", stallBody: true, delayMs: 3_000 }, times: 1 });
    const stalled = await fetch(`${square.url}/v2/locations`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300) });
    expect(stalled.status).toBe(200); // the headers came at once
    await expect(stalled.text()).rejects.toThrow();

    square.injectFaults({ endpoint: "ListLocations", fault: { kind: "truncated" }, times: 1 });
    const response = await fetch(`${square.url}/v2/locations`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect((await call("/v2/locations")).status).toBe(200);
    square.clearFaults();
  });

  it("the simulator never answered 500 unless told to", () => {
    const unexpected = square.requests().filter((request) => request.status >= 500 && !request.fault);
    expect(unexpected).toEqual([]);
  });
});
