/**
 * The read-only API (/api/v1) end to end on the web world: keys made on the API keys page (shown once,
 * kept as a hash), each key seeing exactly its creator's businesses, a revoked or expired key and a
 * cookie alone refused with 401, another business's ids not found, the rate limit, the request log,
 * JSON errors. The OpenAPI document validates as OpenAPI 3.1, and every route in it answers as
 * documented: each answer (200s and errors) is validated against the document's own schemas.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_RATE_LIMIT, apiKeyHash } from "../../lib/api/keys";
import type { PayoutRecord } from "../../lib/model";
import type { PayoutEntry } from "../../lib/payouts/payout";
import { createMemoryJobQueue } from "../../lib/schedule/memory-queue";
import { createApp } from "../../lib/web/app";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";
import { accept, dayOf, invite } from "./accountants-world";
import { merchantWithLocation, type MerchantWithLocation } from "./email-links-world";
import { type Browser, createWebWorld, expectCleanLogs, PUBLIC_URL, type WebWorld } from "./world";

let world: WebWorld;
let a: MerchantWithLocation;
let b: MerchantWithLocation;
let ownerA: Browser;
let ownerB: Browser;
let accountant: Browser;
let accountantId = "";
const keys: Record<"a" | "b" | "accountant", string> = { a: "", b: "", accountant: "" };
const secrets: string[] = [];
const DAY = "2025-06-01";

/** Makes a key on the API keys page; returns the secret the page showed. */
async function makeKey(browser: Browser, name: string, days = "90"): Promise<string> {
  const made = await browser.post("/api-keys", { name, days });
  expect(made.status).toBe(200);
  const html = await made.text();
  const secret = /value="(dbk_[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
  if (!secret) throw new Error("the page did not show the new key");
  secrets.push(secret);
  return secret;
}

const api = (path: string, key?: string, init: RequestInit = {}) => world.app.request(`${PUBLIC_URL}/api/v1${path}`, {
  ...init, headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string> | undefined) },
});
const json = async (response: Response) => ({ status: response.status, type: response.headers.get("Content-Type") ?? "", body: await response.json() as Record<string, unknown> });

beforeAll(async () => {
  world = await createWebWorld();
  // Invitations carry the invitee's signed "Don't send me invitations" link: the app needs its link key.
  world.deps.links = { key: randomBytes(32), queue: createMemoryJobQueue() };
  world.app = createApp(world.deps);
  ownerA = world.browser();
  ownerB = world.browser();
  accountant = world.browser();
  a = await merchantWithLocation(world, ownerA, "api.owner.a@example.com", 0);
  b = await merchantWithLocation(world, ownerB, "api.owner.b@example.com", 1);
  // The location's mapped accounts as the chart names them (lib/domain/account-label.ts).
  const defaults = a.location.mapping.defaults;
  a.location = { ...a.location, accountLabels: { [defaults.sales]: { name: "Sales – Food", number: "4010" }, [defaults.tenders]: { name: "Card clearing" } } };
  await world.deps.store.putLocation(a.location);
  await dayOf(world, a.location, DAY, "posted");
  await dayOf(world, a.location, "2025-06-02", "held");
  await dayOf(world, b.location, DAY, "posted");
  expect((await accept(accountant, await invite(world, ownerA, "api.books@example.com"))).status).toBe(303);
  accountantId = (await world.deps.store.findMerchantByEmail("api.books@example.com"))!.merchantId;
  keys.a = await makeKey(ownerA, "Owner A workbook");
  keys.b = await makeKey(ownerB, "Owner B workbook");
  keys.accountant = await makeKey(accountant, "Practice software");
});

afterAll(async () => {
  expectCleanLogs(world, secrets);
  await world.close();
});

describe("API keys", () => {
  it("are shown once and kept only as a hash", async () => {
    const listed = await (await ownerA.get("/api-keys")).text();
    expect(listed).toContain("Owner A workbook");
    expect(listed).not.toContain(keys.a);
    const table = JSON.stringify(await world.scan());
    for (const secret of secrets) expect(table).not.toContain(secret.slice(4));
    expect(table).toContain(apiKeyHash(keys.a));
  });

  it("see exactly their creator's businesses", async () => {
    const seen = async (key: string) => ((await json(await api("/businesses", key))).body["businesses"] as { id: string; role: string }[]).map(({ id, role }) => `${role} ${id}`);
    expect(await seen(keys.a)).toEqual([`owner ${a.merchantId}`]);
    expect(await seen(keys.b)).toEqual([`owner ${b.merchantId}`]);
    expect(await seen(keys.accountant)).toEqual([`owner ${accountantId}`, `accountant ${a.merchantId}`]);
  });

  it("find nothing of another business: B's ids, with A's key, are not found", async () => {
    for (const path of [
      `/businesses/${b.merchantId}`, `/businesses/${b.merchantId}/locations`,
      `/businesses/${b.merchantId}/locations/${b.location.locationId}/days?from=${DAY}&to=${DAY}`,
      `/businesses/${a.merchantId}/locations/${b.location.locationId}/days?from=${DAY}&to=${DAY}`,
      `/businesses/${b.merchantId}/locations/${b.location.locationId}/reports?from=${DAY}&to=${DAY}`,
      `/businesses/${b.merchantId}/locations/${b.location.locationId}/payouts?from=${DAY}&to=${DAY}`,
    ]) {
      for (const key of [keys.a, keys.accountant]) {
        const answer = await json(await api(path, key));
        expect(answer.status, path).toBe(404);
        expect(answer.body).toEqual({ error: { code: "not_found", message: expect.stringMatching(/^[A-Z].+\.$/) as string } });
        expect(JSON.stringify(answer.body)).not.toContain("Main Street");
      }
    }
  });

  it("refuse a missing key, a cookie alone, a malformed or unknown key: 401 in JSON", async () => {
    for (const response of [
      await api("/businesses"),
      await ownerA.get("/api/v1/businesses"),
      await api("/businesses", "not-a-key"),
      await api("/businesses", `dbk_${"A".repeat(43)}`),
    ]) {
      const answer = await json(response);
      expect(answer.status).toBe(401);
      expect(answer.type).toMatch(/^application\/json/);
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="daybook"');
      expect((answer.body["error"] as { code: string }).code).toBe("unauthorized");
    }
  });

  it("stop working when revoked, and when expired", async () => {
    const revocable = await makeKey(ownerA, "To revoke");
    expect((await api("/businesses", revocable)).status).toBe(200);
    const [key] = (await world.deps.apiKeys.listKeys(a.merchantId)).filter((each) => each.name === "To revoke");
    // Nobody else can revoke it.
    expect((await ownerB.post(`/api-keys/${key!.keyId}/revoke`)).status).toBe(404);
    expect((await api("/businesses", revocable)).status).toBe(200);
    expect((await ownerA.post(`/api-keys/${key!.keyId}/revoke`)).status).toBe(303);
    const revoked = await json(await api("/businesses", revocable));
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.body)).toContain("revoked");

    const brief = await makeKey(ownerA, "One day", "1");
    expect((await api("/businesses", brief)).status).toBe(200);
    world.clock.advance(86_400_000 + 1000);
    try {
      const expired = await json(await api("/businesses", brief));
      expect(expired.status).toBe(401);
      expect(JSON.stringify(expired.body)).toContain("expired");
      // A browser of the day after (the owner's own session has timed out by then).
      const later = world.browser();
      await later.signIn("api.owner.a@example.com");
      const page = await (await later.get("/api-keys")).text();
      expect(page).toMatch(/One day<\/th>(?:<td>[^<]*<\/td>){3}<td>Expired<\/td>/);
    } finally {
      world.clock.advance(-(86_400_000 + 1000));
    }
  });

  it("stop seeing a business whose access ended", async () => {
    const other = world.browser();
    expect((await accept(other, await invite(world, ownerA, "api.temp@example.com"))).status).toBe(303);
    const key = await makeKey(other, "Temp");
    expect((await api(`/businesses/${a.merchantId}`, key)).status).toBe(200);
    const personId = (await world.deps.store.findMerchantByEmail("api.temp@example.com"))!.merchantId;
    expect((await ownerA.post("/reports/access/remove", { personId })).status).toBe(303);
    expect((await api(`/businesses/${a.merchantId}`, key)).status).toBe(404);
  });

  it("are limited per key: past the limit a 429 with Retry-After", async () => {
    const busy = await makeKey(ownerB, "Busy");
    let last: Response | undefined;
    for (let count = 0; count <= API_RATE_LIMIT.limit; count++) last = await api("/businesses", busy);
    const limited = await json(last!);
    expect(limited.status).toBe(429);
    expect((limited.body["error"] as { code: string }).code).toBe("rate_limited");
    const retryAfter = Number(last!.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(API_RATE_LIMIT.windowSeconds);
    // Another key is not held back.
    expect((await api("/businesses", keys.b)).status).toBe(200);
  });

  it("log each request (key id, route, status, duration) for 14 days, never the key", async () => {
    const [key] = (await world.deps.apiKeys.listKeys(a.merchantId)).filter((each) => each.name === "Owner A workbook");
    const requests = await world.deps.apiKeys.listRequests(a.merchantId, 100);
    const mine = requests.filter((request) => request.keyId === key!.keyId);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toEqual(expect.objectContaining({ method: "GET", route: expect.stringMatching(/^\/api\/v1\//) as string, status: expect.any(Number) as number, durationMs: expect.any(Number) as number }));
    const items = (await world.scan()).filter((item) => item["SK"]?.S?.startsWith("APIREQUEST#"));
    for (const item of items) {
      const expires = Number(item["expiresAt"]?.N);
      const at = Date.parse(item["at"]?.S ?? "");
      expect(expires * 1000 - at).toBeGreaterThanOrEqual(14 * 86_400_000);
      expect(expires * 1000 - at).toBeLessThan(14 * 86_400_000 + 1000);
    }
    const logged = world.logs.filter((line) => line.message === "api request");
    expect(logged.length).toBeGreaterThan(0);
    expect(Object.keys(logged[0]!.fields).sort()).toEqual(["durationMs", "keyId", "method", "route", "status"]);
    const page = await (await ownerA.get("/api-keys")).text();
    expect(page).toContain("Recent requests");
    expect(page).toContain("/api/v1/businesses");
  });

  it("answer other methods and unknown paths in JSON too", async () => {
    const posted = await json(await api("/businesses", keys.a, { method: "POST", body: "x=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } }));
    expect(posted.status).toBe(405);
    expect(posted.body).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) as string } });
    const unknown = await json(await api("/nothing-here", keys.a));
    expect(unknown.status).toBe(404);
    const badQuery = await json(await api(`/businesses/${a.merchantId}/locations/${a.location.locationId}/days?from=2025-06-09&to=2025-06-01`, keys.a));
    expect(badQuery.status).toBe(400);
    expect((badQuery.body["error"] as { message: string }).message).toMatch(/^The query parameter to /);
    const missing = await json(await api(`/businesses/${a.merchantId}/locations/${a.location.locationId}/days`, keys.a));
    expect(missing.status).toBe(400);
    expect((missing.body["error"] as { message: string }).message).toContain("from is missing");
  });
});

describe("the figures", () => {
  it("give each day's status, figures, and posted entries with DocNumbers and lines naming their accounts", async () => {
    const answer = await json(await api(`/businesses/${a.merchantId}/locations/${a.location.locationId}/days?from=2025-05-25&to=2025-06-05`, keys.accountant));
    expect(answer.status).toBe(200);
    const days = answer.body["days"] as { businessDay: string; status: string; figures: { netSales: number }; entries: { docNumber: string; kind: string; lines: { account: { label: string; number: string | null } }[] }[]; heldReason: string | null }[];
    expect(days.map((day) => `${day.businessDay} ${day.status}`)).toEqual([`${DAY} posted`, "2025-06-02 held"]);
    expect(days[0]!.figures.netSales).toBe(12_500);
    expect(days[0]!.entries).toHaveLength(1);
    expect(days[0]!.entries[0]!.docNumber).toBe("DB250601-TEST01");
    expect(days[0]!.entries[0]!.kind).toBe("original");
    expect(days[0]!.entries[0]!.lines.map((line) => line.account.label)).toEqual(["Card clearing", "4010 Sales – Food"]);
    expect(days[1]!.heldReason).toContain("Review mode");
    const none = await json(await api(`/businesses/${a.merchantId}/locations/${a.location.locationId}/payouts?from=2025-05-25&to=2025-06-05`, keys.a));
    expect(none.body).toEqual({ payouts: [] });
  });

  it("say a day posted whose check for later changes failed is posted: status failed, recheckFailed true, its entry listed; a day that failed with nothing posted is not", async () => {
    // B's posted day, re-checked after a change in Square; the re-check failed. A day before it failed with nothing posted.
    const posted = (await world.deps.store.getSyncRecord(b.merchantId, b.location.locationId, DAY))!;
    const at = world.clock.date().toISOString();
    const lastError = { kind: "retryable" as const, message: "Square did not answer in time.", at };
    await world.deps.store.saveSyncRecord({ ...posted, state: "failed", attempts: 2, lastError, updatedAt: at }, posted.version);
    await world.deps.store.saveSyncRecord({ ...posted, businessDay: "2025-05-31", state: "failed", posted: [], lastError, updatedAt: at }, 0);
    await world.deps.reports.save({
      merchantId: b.merchantId, locationId: b.location.locationId, businessDay: DAY, reportId: "F-retryable", status: "failed", alert: true, createdAt: at,
      content: {
        merchantName: "", locationName: b.location.name, source: "square", businessDay: DAY, timeZone: b.location.timeZone, status: "failed",
        connectionsUrl: `${PUBLIC_URL}/connections`, reportUrl: `${PUBLIC_URL}/days/${b.location.locationId}/${DAY}`, warnings: [],
        failure: { kind: "retryable", message: lastError.message }, postedBefore: [posted.posted[0]!.docNumber],
      },
    });
    const base = `/businesses/${b.merchantId}/locations/${b.location.locationId}`;

    const days = (await json(await api(`${base}/days?from=2025-05-25&to=2025-06-05`, keys.b))).body["days"] as { businessDay: string; status: string; recheckFailed: boolean; entries: { docNumber: string }[]; failure: { kind: string } | null }[];
    expect(days.map(({ businessDay, status, recheckFailed }) => ({ businessDay, status, recheckFailed }))).toEqual([
      { businessDay: "2025-05-31", status: "failed", recheckFailed: false },
      { businessDay: DAY, status: "failed", recheckFailed: true },
    ]);
    expect(days[1]!.entries.map((entry) => entry.docNumber)).toEqual([posted.posted[0]!.docNumber]);
    expect(days[1]!.failure).toEqual({ kind: "retryable", message: lastError.message });

    const locations = (await json(await api(`/businesses/${b.merchantId}/locations`, keys.b))).body["locations"] as { lastDay: unknown }[];
    expect(locations.map((location) => location.lastDay)).toEqual([{ businessDay: DAY, status: "failed", recheckFailed: true }]);

    const reports = (await json(await api(`${base}/reports?from=${DAY}&to=${DAY}`, keys.b))).body["reports"] as { id: string; status: string; recheckFailed: boolean }[];
    expect(reports.map(({ id, status, recheckFailed }) => ({ id, status, recheckFailed }))).toEqual([
      { id: "F-retryable", status: "failed", recheckFailed: true },
      { id: "R0000", status: "posted", recheckFailed: false },
    ]);

    // A's days: posted and held are no re-check that failed.
    const own = (await json(await api(`/businesses/${a.merchantId}/locations`, keys.a))).body["locations"] as { lastDay: unknown }[];
    expect(own.map((location) => location.lastDay)).toEqual([{ businessDay: "2025-06-02", status: "held", recheckFailed: false }]);

    // The document says what it means, beside the status.
    const document = (await json(await api("/openapi.json"))).body as { components: { schemas: Record<string, { properties: Record<string, { description?: string }>; required: string[] }> } };
    for (const name of ["Day", "LastDay", "Report"]) {
      const schema = document.components.schemas[name]!;
      expect(schema.required, name).toContain("recheckFailed");
      expect(schema.properties["recheckFailed"]!.description, name).toMatch(/posted all the same: its journal entries stand in QuickBooks/);
    }
    expect(document.components.schemas["Day"]!.properties["status"]!.description).toContain("A failed day is not in QuickBooks unless recheckFailed is true.");
  });

  it("give the location's Square payouts arriving in the range, from the payout records daybook keeps", async () => {
    // Two payouts of A's location, one arriving in the range and one after it; one of B's location in the range.
    const record = (location: MerchantWithLocation["location"], id: string, arrivalDate: string, amount: number, entries: PayoutEntry[]): PayoutRecord => {
      const summary = summaryOfPayout(payoutOf({ id, amount, arrivalDate, locationId: location.locationId, createdAt: `${arrivalDate}T00:00:00Z` }), entries);
      return { merchantId: location.merchantId, locationId: location.locationId, payoutTag: summary.tag, state: "posted", summary, posted: [], warnings: [], version: 1, updatedAt: summary.updatedAt, expiresAt: "2026-07-01T00:00:00Z" };
    };
    const inRange = record(a.location, "po_api_1", "2025-06-03", 9_371, [
      entry("CHARGE", "2025-06-01T15:00:00Z", 10_000, 290), entry("REFUND", "2025-06-02T15:00:00Z", -300, -9), entry("DEPOSIT_FEE", "2025-06-02T20:00:00Z", -48),
    ]);
    for (const each of [inRange, record(a.location, "po_api_2", "2025-06-10", 500, [entry("CHARGE", "2025-06-09T15:00:00Z", 515, 15)]), record(b.location, "po_api_3", "2025-06-03", 500, [entry("CHARGE", "2025-06-02T15:00:00Z", 515, 15)])]) {
      await world.deps.payouts.savePayout(each, 0);
    }
    const answer = await json(await api(`/businesses/${a.merchantId}/locations/${a.location.locationId}/payouts?from=2025-05-25&to=2025-06-05`, keys.a));
    expect(answer.status).toBe(200);
    // 100.00 − 2.90 on the 1st; −3.00 + 0.09 on the 2nd; the instant deposit's 0.48 fee is not a day's card sales.
    expect(answer.body).toEqual({ payouts: [{ id: inRange.payoutTag, status: "PAID", arrivalDate: "2025-06-03", amount: 9_371, currency: "USD", transferFees: 0, days: { "2025-06-01": 9_710, "2025-06-02": -291 } }] });
  });
});

describe("the OpenAPI document", () => {
  let document: Record<string, unknown>;
  let ajv: Ajv2020;

  beforeAll(async () => {
    const response = await api("/openapi.json");
    expect(response.status).toBe(200);
    document = await response.json() as Record<string, unknown>;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, "openapi.json");
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  /** The answer validated against the schema the document gives for its status. */
  async function answersAsDocumented(path: string, url: string, key: string | undefined, expected: number): Promise<void> {
    const response = await api(url, key);
    expect(response.status, url).toBe(expected);
    expect(response.headers.get("Content-Type"), url).toMatch(/^application\/json/);
    const operation = (document["paths"] as Record<string, { get: { responses: Record<string, { content: { "application/json": { schema: Record<string, unknown> } } }> } }>)[path]!.get;
    const documented = operation.responses[String(expected)];
    expect(documented, `${path} documents ${String(expected)}`).toBeDefined();
    const schema = documented!.content["application/json"].schema;
    const ref = typeof schema["$ref"] === "string" ? { $ref: `openapi.json${schema["$ref"]}` } : schema;
    const validate = ajv.compile(ref);
    const body: unknown = await response.json();
    expect(validate(body) ? [] : validate.errors, `${url} answered as ${path} documents it`).toEqual([]);
  }

  it("is answered as documented by every route it lists: success, and each documented error", async () => {
    const paths = Object.keys(document["paths"] as object);
    expect(paths.length).toBe(7);
    const fill = (path: string, business: string, location: string) => path.replace("{businessId}", business).replace("{locationId}", location);
    for (const path of paths) {
      const operation = (document["paths"] as Record<string, { get: { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> } }>)[path]!.get;
      const query = (operation.parameters ?? []).some((parameter) => parameter.in === "query") ? `?from=2025-05-25&to=${DAY}` : "";
      for (const key of [keys.a, keys.accountant]) await answersAsDocumented(path, `${fill(path, a.merchantId, a.location.locationId)}${query}`, key, 200);
      const documented = Object.keys(operation.responses);
      if (documented.includes("401")) await answersAsDocumented(path, `${fill(path, a.merchantId, a.location.locationId)}${query}`, undefined, 401);
      if (documented.includes("404")) await answersAsDocumented(path, `${fill(path, b.merchantId, b.location.locationId)}${query}`, keys.a, 404);
      if (documented.includes("400")) await answersAsDocumented(path, fill(path, a.merchantId, a.location.locationId), keys.a, 400);
    }
  });
});
