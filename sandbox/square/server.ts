/**
 * A faithful local simulator of the parts of Square's API daybook uses, on a free loopback port:
 * Locations, SearchOrders, BatchRetrieveCatalogObjects, ListPayments, ListPaymentRefunds, ListPayouts,
 * GetPayout, ListPayoutEntries and OAuth, with Square's rules (reference/square.md) and error shapes,
 * fault injection on demand, and a log of requests. Tests drive it through the control API returned
 * by startSquareSimulator().
 *
 *   const square = await startSquareSimulator();
 *   square.addMerchant({ merchantId: "MERCHANT01", locations: [{ id: "L1", name: "Main", timezone: "America/New_York", currency: "USD" }] });
 *   square.addOrders("L1", generateDay({ ..., locationId: "L1" }).orders);
 *   square.setPayoutSchedule("L1", { from: "2025-06-14", to: "2025-06-20", loanRepaymentBasisPoints: 1000 });
 *   const token = square.issueToken("MERCHANT01");
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type HttpBindings, serve } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { PendingDelays, sendInHalves } from "../faults";
import { prng } from "../random";
import { LegacyOAuthError, notFound, SquareApiError, type SquareErrorBody } from "./api-error";
import { addAuthorizeRoutes } from "./authorize-page";
import { listCatalog } from "./catalog-list";
import { batchRetrieveCatalogObjects } from "./catalog-retrieve";
import { type Fault, type FaultHandle, FaultInjector, type FaultKind, type FaultRule, type SquareEndpoint } from "./faults";
import { searchOrders } from "./orders-search";
import { CursorCodec } from "./paging";
import { derivePayments, listPaymentRefunds, listPayments } from "./payments";
import { checkSchedule, getPayout, listPayoutEntries, listPayouts, type PayoutSchedule, type PayoutTruth, payoutIds, payoutTruth } from "./payouts";
import { type Caller, OAuthAuthority, requireScope, type SquareOAuthState, SYNC_SCOPES } from "./oauth";
import { parseJsonBody } from "./request-checks";
import { locationBody, merchantBody, type MerchantInput, SquareData } from "./store";

export type { Fault, FaultHandle, FaultKind, FaultRule, SquareEndpoint } from "./faults";
export type { LocationInput, MerchantInput } from "./store";
export type { PayoutSchedule, PayoutTruth } from "./payouts";
export { SYNC_SCOPES, type SquareOAuthState } from "./oauth";

export interface SquareSimulatorOptions {
  applicationId?: string;
  applicationSecret?: string;
  /** Registered OAuth redirect URLs; any is accepted when none is registered. */
  redirectUris?: readonly string[];
  /** Seeds the random faults (probability rules). */
  seed?: number;
  /** The simulated clock (token expiry, default time ranges); advanceTime() moves it further. */
  now?: () => number;
  /** Default 0: a free port. */
  port?: number;
  /** Called after every request is answered (the local stack saves the OAuth state then). */
  afterRequest?: () => void;
  /** Every answer waits this long first, as Square's over the internet would (the benchmarks' stated latency). Default 0. */
  latencyMs?: number;
}

export interface LoggedRequest {
  endpoint: SquareEndpoint;
  method: string;
  path: string;
  /** The query parameters, for a GET. */
  query?: Record<string, string>;
  /** The JSON body as sent, for a POST to a v2 endpoint (OAuth bodies, which carry secrets, are not kept). */
  body?: unknown;
  /** The status sent; 0 while the answer is pending or when the client went away first. */
  status: number;
  fault?: FaultKind;
}

export interface SquareSimulator {
  readonly url: string;
  readonly applicationId: string;
  readonly applicationSecret: string;
  close(): Promise<void>;

  addMerchant(merchant: MerchantInput): void;
  /**
   * Adds (or replaces, by id) raw order bodies. With `arrivedAt`, the orders reached Square at that
   * time (late offline orders, returns days later): their updated_at is moved up to it.
   */
  addOrders(locationId: string, orders: readonly object[], options?: { arrivedAt?: number | string }): void;
  /** Replaces a merchant's catalog with a BatchRetrieve-shaped body (objects and related objects, deleted ones included). */
  setCatalog(merchantId: string, catalog: { objects?: readonly object[]; related_objects?: readonly object[] }): void;
  /** A later processing-fee change on a payment (ProcessingFee type ADJUSTMENT), in minor units. */
  addFeeAdjustment(paymentId: string, amount: number, effectiveAt: string): void;
  /**
   * Makes payouts for a location from its card and wallet payments, refunds and fees, by a daily
   * cut-off, with instant deposits, chargebacks, holds, loan repayments, savings, gift-card load fees
   * and failed or returned payouts on demand (sandbox/square/payouts.ts). Replaces any earlier schedule.
   */
  setPayoutSchedule(locationId: string, schedule: PayoutSchedule): void;
  /** The location's payouts as of now and what the books must show once daybook has posted them. */
  payoutTruth(locationId: string): PayoutTruth;
  /** The ids of the location's payouts made by now, oldest first. */
  payoutIds(locationId: string): string[];

  /** An access token for the merchant without the OAuth dance; the sync's scopes unless told. */
  issueToken(merchantId: string, options?: { scopes?: readonly string[]; shortLived?: boolean }): string;
  /** An authorization code as the authorize page would give, for token-exchange tests without a browser. */
  createAuthorizationCode(merchantId: string, options?: { scopes?: readonly string[]; redirectUri?: string }): string;

  injectFaults(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  /** Requests per endpoint since the start or the last clearRequestLog(). */
  requestLog(): Partial<Record<SquareEndpoint, number>>;
  /** Every request since the start or the last clearRequestLog(), in order. */
  requests(): readonly LoggedRequest[];
  clearRequestLog(): void;

  now(): number;
  advanceTime(ms: number): void;

  /** The OAuth grants and tokens, to be saved and given back to importState() by a later run. */
  exportState(): SquareOAuthState;
  importState(state: unknown): void;
}

const ROUTES: readonly (readonly [string, RegExp, SquareEndpoint])[] = [
  ["GET", /^\/v2\/locations\/?$/, "ListLocations"],
  ["GET", /^\/v2\/locations\/[^/]+$/, "RetrieveLocation"],
  ["POST", /^\/v2\/orders\/search$/, "SearchOrders"],
  ["POST", /^\/v2\/catalog\/batch-retrieve$/, "BatchRetrieveCatalogObjects"],
  ["GET", /^\/v2\/catalog\/list$/, "ListCatalog"],
  ["GET", /^\/v2\/payments$/, "ListPayments"],
  ["GET", /^\/v2\/refunds$/, "ListPaymentRefunds"],
  ["GET", /^\/v2\/payouts\/?$/, "ListPayouts"],
  ["GET", /^\/v2\/payouts\/[^/]+\/payout-entries$/, "ListPayoutEntries"],
  ["GET", /^\/v2\/payouts\/[^/]+$/, "GetPayout"],
  ["GET", /^\/oauth2\/authorize$/, "Authorize"],
  ["POST", /^\/oauth2\/authorize$/, "Authorize"],
  ["POST", /^\/oauth2\/token$/, "ObtainToken"],
  ["POST", /^\/oauth2\/revoke$/, "RevokeToken"],
  ["POST", /^\/oauth2\/token\/status$/, "RetrieveTokenStatus"],
];

function endpointOf(method: string, path: string): SquareEndpoint {
  return ROUTES.find(([m, pattern]) => m === method && pattern.test(path))?.[2] ?? "NotFound";
}

type Env = { Bindings: HttpBindings; Variables: { caller: Caller } };

function parseLoggedBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

function faultResponse(fault: Fault): Response {
  const retryAfter: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
  const errors = (category: SquareErrorBody["errors"][number]["category"], code: string, detail: string): SquareErrorBody => ({
    errors: [{ category, code, detail }],
  });
  switch (fault.kind) {
    case "429":
      return json(errors("RATE_LIMIT_ERROR", "RATE_LIMITED", "Too many requests; slow down."), 429, retryAfter);
    case "500":
      return json(errors("API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error occurred."), 500, retryAfter);
    case "503":
      return json(errors("API_ERROR", "SERVICE_UNAVAILABLE", "The service is temporarily unavailable."), 503, retryAfter);
    case "401":
      return json(errors("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."), 401);
    case "invalid_grant":
      return json(new LegacyOAuthError(400, "bad_request", "Invalid refresh token.").body(), 400);
    case "slow":
    case "truncated":
      throw new Error(`${fault.kind} is not an immediate fault`);
  }
}

export async function startSquareSimulator(options: SquareSimulatorOptions = {}): Promise<SquareSimulator> {
  const baseNow = options.now ?? Date.now;
  let offsetMs = 0;
  const now = () => baseNow() + offsetMs;
  const data = new SquareData();
  const cursors = new CursorCodec();
  const faults = new FaultInjector(prng(options.seed ?? 1));
  const oauth = new OAuthAuthority(
    {
      applicationId: options.applicationId ?? "sq0idp-daybook-simulator",
      applicationSecret: options.applicationSecret ?? `sq0csp-${randomBytes(24).toString("base64url")}`,
      redirectUris: options.redirectUris ?? [],
    },
    now,
  );
  let log: LoggedRequest[] = [];
  const delays = new PendingDelays();
  const delay = (ms: number) => delays.wait(ms);

  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    const entry: LoggedRequest = { endpoint: endpointOf(c.req.method, c.req.path), method: c.req.method, path: c.req.path, status: 0 };
    if (c.req.method === "GET") entry.query = c.req.query();
    if (c.req.method === "POST" && c.req.path.startsWith("/v2/")) entry.body = parseLoggedBody(await c.req.text());
    log.push(entry);
    if (options.latencyMs) await delay(options.latencyMs);
    const fault = faults.pick(entry);
    if (fault) entry.fault = fault.kind;
    if (fault && fault.kind !== "slow" && fault.kind !== "truncated") {
      const response = faultResponse(fault);
      entry.status = response.status;
      return response;
    }
    const stallBody = fault?.kind === "slow" && fault.stallBody === true;
    if (fault?.kind === "slow" && !stallBody) await delay(fault.delayMs ?? 10_000);
    await next();
    entry.status = c.res.status;
    options.afterRequest?.();
    if (fault?.kind === "truncated" || stallBody) {
      await sendInHalves(c.res, c.env.outgoing, stallBody ? delay(fault.delayMs ?? 10_000) : undefined);
      c.res = RESPONSE_ALREADY_SENT;
    }
    return undefined;
  });

  app.use("/v2/*", async (c, next) => {
    c.set("caller", oauth.authenticate(c.req.header("Authorization")));
    await next();
  });

  app.get("/v2/locations", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "MERCHANT_PROFILE_READ");
    const name = data.businessName(caller.merchantId);
    const locations = data.locationsOf(caller.merchantId).sort((a, b) => a.name.localeCompare(b.name));
    return c.json({ locations: locations.map((location) => locationBody(location, name)) });
  });

  // RetrieveMerchant: "me" is the merchant the token acts for; another merchant's id is not this token's to read.
  app.get("/v2/merchants/:merchantId", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "MERCHANT_PROFILE_READ");
    const id = c.req.param("merchantId");
    if (id !== "me" && id !== caller.merchantId) {
      throw new SquareApiError(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", `This access token is not authorized for merchant ${id}.`);
    }
    return c.json({ merchant: merchantBody(data, caller.merchantId) });
  });

  app.get("/v2/locations/:locationId", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "MERCHANT_PROFILE_READ");
    const id = c.req.param("locationId");
    const location = id === "main" ? data.mainLocationOf(caller.merchantId) : data.location(id);
    if (!location) throw notFound(`Location ${id} was not found.`);
    if (location.merchantId !== caller.merchantId) {
      throw new SquareApiError(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", `This access token is not authorized for location ${id}.`);
    }
    return c.json({ location: locationBody(location, data.businessName(caller.merchantId)) });
  });

  app.post("/v2/orders/search", async (c) => {
    const caller = c.get("caller");
    requireScope(caller, "ORDERS_READ");
    return c.json(searchOrders(data, cursors, caller.merchantId, parseJsonBody(await c.req.text()), now()));
  });

  app.post("/v2/catalog/batch-retrieve", async (c) => {
    const caller = c.get("caller");
    requireScope(caller, "ITEMS_READ");
    return c.json(batchRetrieveCatalogObjects(data, caller.merchantId, parseJsonBody(await c.req.text())));
  });

  app.get("/v2/catalog/list", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "ITEMS_READ");
    return c.json(listCatalog(data, cursors, caller.merchantId, c.req.query()));
  });

  app.get("/v2/payments", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "PAYMENTS_READ");
    return c.json(listPayments(data, cursors, caller.merchantId, c.req.query(), now()));
  });

  app.get("/v2/refunds", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "PAYMENTS_READ");
    return c.json(listPaymentRefunds(data, cursors, caller.merchantId, c.req.query(), now()));
  });

  app.get("/v2/payouts", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "PAYOUTS_READ");
    return c.json(listPayouts(data, cursors, caller.merchantId, c.req.query(), now()));
  });

  app.get("/v2/payouts/:payoutId/payout-entries", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "PAYOUTS_READ");
    return c.json(listPayoutEntries(data, cursors, caller.merchantId, c.req.param("payoutId"), c.req.query(), now()));
  });

  app.get("/v2/payouts/:payoutId", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "PAYOUTS_READ");
    return c.json(getPayout(data, caller.merchantId, c.req.param("payoutId"), now()));
  });

  addAuthorizeRoutes(app, oauth, data);

  app.post("/oauth2/token", async (c) => c.json(oauth.obtainToken(parseJsonBody(await c.req.text()))));
  app.post("/oauth2/revoke", async (c) => c.json(oauth.revokeToken(c.req.header("Authorization"), parseJsonBody(await c.req.text()))));
  app.post("/oauth2/token/status", (c) => c.json(oauth.tokenStatus(c.req.header("Authorization"))));

  app.notFound((c) => c.json(notFound(`No such endpoint: ${c.req.method} ${c.req.path}.`).body(), 404));
  app.onError((error, c) => {
    if (error instanceof SquareApiError || error instanceof LegacyOAuthError) return c.json(error.body(), error.status);
    // Anything else is a bug in the simulator; answer as Square would and say what broke.
    const body: SquareErrorBody = { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR", detail: `Simulator bug: ${error.message}` }] };
    return c.json(body, 500);
  });

  // overrideGlobalObjects: false keeps the test process's own Request and Response (and lets a
  // truncated answer be written by hand).
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: options.port ?? 0, overrideGlobalObjects: false });
  if (!(server instanceof Server)) throw new Error("expected an HTTP/1.1 server");
  // A client reuses an idle kept-alive socket; on a busy machine Node's 5 s default can close it under
  // the request, and the client sees ECONNRESET. The simulator keeps idle sockets for a minute instead.
  server.keepAliveTimeout = 60_000;
  if (!server.listening) await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const toMs = (at: number | string) => (typeof at === "number" ? at : Date.parse(at));

  return {
    url: `http://127.0.0.1:${port}`,
    exportState: () => oauth.exportState(),
    importState: (state) => {
      oauth.importState(state);
    },
    applicationId: oauth.app.applicationId,
    applicationSecret: oauth.app.applicationSecret,
    close: () =>
      new Promise<void>((resolve, reject) => {
        delays.releaseAll();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),

    addMerchant: (merchant) => {
      data.addMerchant(merchant);
    },
    addOrders: (locationId, orders, addOptions = {}) => {
      const arrivedAt = addOptions.arrivedAt === undefined ? undefined : toMs(addOptions.arrivedAt);
      if (arrivedAt !== undefined && Number.isNaN(arrivedAt)) throw new Error(`arrivedAt is not a time: ${String(addOptions.arrivedAt)}`);
      data.addOrders(locationId, orders, arrivedAt);
    },
    setCatalog: (merchantId, catalog) => {
      data.setCatalog(merchantId, catalog);
    },
    addFeeAdjustment: (paymentId, amount, effectiveAt) => {
      if (!Number.isInteger(amount)) throw new Error("a fee adjustment is an integer amount of minor units");
      const known = data.merchantIds().some((merchantId) => derivePayments(data, merchantId).payments.some((p) => p["id"] === paymentId));
      if (!known) throw new Error(`no payment ${paymentId}`);
      data.addFeeAdjustment(paymentId, { amount, effectiveAt });
    },

    setPayoutSchedule: (locationId, schedule) => {
      const location = data.location(locationId);
      if (!location) throw new Error(`unknown location ${locationId}`);
      checkSchedule(schedule, location);
      const previous = data.payoutScheduleOf(locationId);
      data.setPayoutSchedule(locationId, schedule);
      try {
        payoutTruth(data, locationId, now()); // makes the payouts now, so a schedule naming an unknown payment fails here
      } catch (error) {
        data.setPayoutSchedule(locationId, previous);
        throw error;
      }
    },
    payoutTruth: (locationId) => payoutTruth(data, locationId, now()),
    payoutIds: (locationId) => payoutIds(data, locationId, now()),

    issueToken: (merchantId, tokenOptions = {}) => {
      if (!data.hasMerchant(merchantId)) throw new Error(`unknown merchant ${merchantId}`);
      return oauth.authorize(merchantId, tokenOptions.scopes ?? SYNC_SCOPES, tokenOptions.shortLived).accessToken;
    },
    createAuthorizationCode: (merchantId, codeOptions = {}) => {
      if (!data.hasMerchant(merchantId)) throw new Error(`unknown merchant ${merchantId}`);
      return oauth.createCode(merchantId, codeOptions.scopes ?? SYNC_SCOPES, codeOptions.redirectUri);
    },

    injectFaults: (rule) => faults.add(rule),
    clearFaults: () => {
      faults.clear();
    },
    requestLog: () => {
      const counts: Partial<Record<SquareEndpoint, number>> = {};
      for (const entry of log) counts[entry.endpoint] = (counts[entry.endpoint] ?? 0) + 1;
      return counts;
    },
    requests: () => log.map((entry) => structuredClone(entry)),
    clearRequestLog: () => {
      log = [];
    },

    now,
    advanceTime: (ms) => {
      offsetMs += ms;
    },
  };
}
