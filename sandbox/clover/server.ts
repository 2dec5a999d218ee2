/**
 * A local simulator of the parts of Clover's REST API v3 daybook reads, on a free loopback port: the
 * merchant and its properties, orders (listed, by id, and an order's line items), payments, refunds,
 * items and categories, with Clover's rules (reference/clover.md §2, §4): `{elements}` envelopes,
 * limit/offset paging, ANDed filters on allowed fields only, at most 3 expansions, nested collections
 * capped at 100, 90-day time ranges, expiring tokens, `{message, details}` errors and per-token rate
 * limits. Faults are injected on demand and every request is logged. One simulator stands for every
 * regional host; the client's base URL decides which it thinks it talks to. It also plays Clover's v2
 * OAuth for one high-trust app (oauth.ts: consent page, code exchange, single-use refresh tokens,
 * recovery) and sends the app's webhooks (webhooks.ts: an uninstall's `A` DELETE event).
 *
 *   const clover = await startCloverSimulator();
 *   clover.addMerchant({ merchantId: "K3V8AZN1QW5YM", name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
 *   clover.addOrders("K3V8AZN1QW5YM", day.orders);
 *   const token = clover.issueToken("K3V8AZN1QW5YM");
 */
import { once } from "node:events";
import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { type HttpBindings, serve } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { PendingDelays, sendInHalves } from "../faults";
import { prng } from "../random";
import { CloverApiError, type CloverErrorBody, notFound, unauthorized } from "./api-error";
import { type CloverEndpoint, type Fault, type FaultHandle, FaultInjector, type FaultKind, type FaultRule, type RateLimitName } from "./faults";
import { listCategories, listItems } from "./inventory";
import type { ListAnswer } from "./list-query";
import { merchantBody, propertiesBody } from "./merchant";
import { getOrder, listOrderLineItems, listOrders } from "./orders";
import { listPayments, listRefunds } from "./payments";
import { type Admission, type RateStats, TOKEN_CONCURRENT_REQUESTS, TOKEN_REQUESTS_PER_SECOND, TokenRateLimits } from "./rate-limits";
import { type CloverOAuthState, type CloverTokenPair, CloverOAuth, type OAuthCounts } from "./oauth";
import { CLOVER_OAUTH_PATHS, registerCloverOAuthRoutes } from "./oauth-routes";
import { CloverData, type MerchantInput } from "./store";
import { AccessTokens, bearerToken } from "./tokens";
import { appEventMessage, deliverWebhook } from "./webhooks";

export type { CloverEndpoint, Fault, FaultHandle, FaultKind, FaultRule, RateLimitName } from "./faults";
export type { RateStats } from "./rate-limits";
export type { CloverOAuthState, CloverTokenPair, OAuthCounts } from "./oauth";
export type { CloverWebhookMessage } from "./webhooks";
export type { CloverRegion, MerchantInput } from "./store";

export interface CloverSimulatorOptions {
  /** Seeds the random faults (probability rules). */
  seed?: number;
  /** The simulated clock (token expiry, the open end of time filters); advanceTime() moves it further. */
  now?: () => number;
  /** The clock rate limits count in, in ms; real (monotonic) time unless a test drives it. */
  rateClock?: () => number;
  /** The OAuth app; defaults "SIMAPPID0001" / "sim-app-secret" and any http(s) redirect URI. */
  appId?: string;
  appSecret?: string;
  redirectUris?: readonly string[];
  /** The "Clover Auth Code" the app's webhook messages carry in X-Clover-Auth. */
  webhookAuthCode?: string;
  /** Live refresh tokens a merchant may have for the app; more kill the oldest. Default 10. */
  maxActiveRefreshTokens?: number;
  /** Lifetime of access tokens issued through OAuth; default an hour. */
  accessTokenLifetimeMs?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Called after every request is answered (the local stack saves the OAuth state then). */
  afterRequest?: () => void;
}

export interface LoggedRequest {
  endpoint: CloverEndpoint;
  method: string;
  path: string;
  /** The query parameters, each with every value it was given (filter repeats). */
  query: Record<string, string[]>;
  /** The status sent; 0 while the answer is pending or when the client went away first. */
  status: number;
  fault?: FaultKind;
  /** Set when the simulator's own rate limits refused the request. */
  rateLimited?: "tokenLimit" | "tokenConcurrentLimit";
}

export interface CloverSimulator {
  readonly url: string;
  close(): Promise<void>;

  addMerchant(merchant: MerchantInput): void;
  /**
   * Adds (or replaces, by id) complete order bodies: every collection expanded and wrapped in
   * `{elements}`. The endpoints serve them trimmed to what each request expands. With `arrivedAt`, the
   * orders reached Clover at that time: their modifiedTime moves up to it.
   */
  addOrders(merchantId: string, orders: readonly object[], options?: { arrivedAt?: number | string }): void;
  /** Replaces a merchant's items: bodies with `categories: {elements}` expanded, deleted ones (deleted/deletedTime) included. */
  setItems(merchantId: string, items: readonly object[]): void;
  /** An access token for the merchant, valid for `expiresInMs` (default an hour) of the simulator's clock. */
  issueToken(merchantId: string, options?: { expiresInMs?: number }): string;

  readonly appId: string;
  readonly appSecret: string;
  readonly webhookAuthCode: string;
  /** A token pair as /oauth/v2/token gives, as if the merchant had just approved the app. */
  grantTokens(merchantId: string): CloverTokenPair;
  /** An authorization code as the consent page gives, for exchange tests without a browser. */
  createAuthorizationCode(merchantId: string): string;
  /** Whether /oauth/v2/refresh would accept this refresh token now (without using it up). */
  refreshTokenUsable(refreshToken: string): boolean;
  /** Successful code exchanges, refreshes and recoveries so far. */
  oauthCounts(): OAuthCounts;
  /**
   * The merchant uninstalls the app: every token of the merchant stops working. With `webhookUrl`, the
   * app's `A` DELETE event is POSTed there with X-Clover-Auth; resolves with that answer's status.
   */
  uninstallApp(merchantId: string, options?: { webhookUrl?: string }): Promise<number | undefined>;

  injectFaults(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  /** Requests per endpoint since the start or the last clearRequestLog(). */
  requestLog(): Partial<Record<CloverEndpoint, number>>;
  /** Every request since the start or the last clearRequestLog(), in order. */
  requests(): readonly LoggedRequest[];
  clearRequestLog(): void;
  /** What a token (or all of a merchant's tokens) sent: the highest rate and concurrency seen, and the 429s the limits sent. */
  rateStats(tokenOrMerchantId: string): RateStats;

  now(): number;
  advanceTime(ms: number): void;

  /** The OAuth tokens (access and refresh) and counts, to be saved and given back to importState() by a later run. */
  exportState(): CloverOAuthState;
  importState(state: unknown): void;
}

const OAUTH_ROUTES: readonly (readonly [string, string, CloverEndpoint])[] = [
  ["GET", CLOVER_OAUTH_PATHS.authorize, "OAuthAuthorize"],
  ["POST", CLOVER_OAUTH_PATHS.decision, "OAuthAuthorize"],
  ["POST", CLOVER_OAUTH_PATHS.token, "OAuthToken"],
  ["POST", CLOVER_OAUTH_PATHS.refresh, "OAuthRefresh"],
  ["POST", CLOVER_OAUTH_PATHS.recovery, "OAuthRecovery"],
];

const ROUTES: readonly (readonly [RegExp, CloverEndpoint])[] = [
  [/^\/v3\/merchants\/[^/]+$/, "GetMerchant"],
  [/^\/v3\/merchants\/[^/]+\/properties$/, "GetMerchantProperties"],
  [/^\/v3\/merchants\/[^/]+\/orders$/, "ListOrders"],
  [/^\/v3\/merchants\/[^/]+\/orders\/[^/]+$/, "GetOrder"],
  [/^\/v3\/merchants\/[^/]+\/orders\/[^/]+\/line_items$/, "ListOrderLineItems"],
  [/^\/v3\/merchants\/[^/]+\/payments$/, "ListPayments"],
  [/^\/v3\/merchants\/[^/]+\/refunds$/, "ListRefunds"],
  [/^\/v3\/merchants\/[^/]+\/items$/, "ListItems"],
  [/^\/v3\/merchants\/[^/]+\/categories$/, "ListCategories"],
];

function endpointOf(method: string, path: string): CloverEndpoint {
  const oauthRoute = OAUTH_ROUTES.find(([m, p]) => m === method && p === path);
  if (oauthRoute) return oauthRoute[2];
  if (method !== "GET") return "NotFound";
  return ROUTES.find(([pattern]) => pattern.test(path))?.[1] ?? "NotFound";
}

const LIMIT_VALUES: Readonly<Record<RateLimitName, number>> = {
  tokenLimit: TOKEN_REQUESTS_PER_SECOND,
  tokenConcurrentLimit: TOKEN_CONCURRENT_REQUESTS,
  crossTokenLimit: 50,
  crossTokenConcurrentLimit: 10,
};

function tooManyRequests(limit: RateLimitName, retryAfterSeconds: number | undefined): Response {
  const body: CloverErrorBody = { message: "Too Many Requests", details: `The ${limit} rate limit was exceeded; wait before sending more requests.` };
  const headers: Record<string, string> = { [`X-RateLimit-${limit}`]: String(LIMIT_VALUES[limit]) };
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  return Response.json(body, { status: 429, headers });
}

function faultResponse(fault: Fault): Response {
  const retryAfter: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
  switch (fault.kind) {
    case "429":
      return tooManyRequests(fault.limit ?? "crossTokenLimit", fault.retryAfterSeconds);
    case "500":
      return Response.json({ message: "Internal Server Error" } satisfies CloverErrorBody, { status: 500, headers: retryAfter });
    case "503":
      return Response.json({ message: "Service Unavailable", details: "Try again later." } satisfies CloverErrorBody, { status: 503, headers: retryAfter });
    case "401":
      return Response.json(unauthorized("The access token has expired; refresh it.").body(), { status: 401 });
    case "slow":
    case "truncated":
      throw new Error(`${fault.kind} is not an immediate fault`);
  }
}

type Env = { Bindings: HttpBindings; Variables: { merchantId: string } };

export async function startCloverSimulator(options: CloverSimulatorOptions = {}): Promise<CloverSimulator> {
  const baseNow = options.now ?? Date.now;
  let offsetMs = 0;
  const now = () => baseNow() + offsetMs;
  const data = new CloverData(now);
  const tokens = new AccessTokens(now);
  const oauth = new CloverOAuth(
    { appId: options.appId ?? "SIMAPPID0001", appSecret: options.appSecret ?? "sim-app-secret", redirectUris: options.redirectUris ?? [] },
    tokens,
    now,
    options.maxActiveRefreshTokens ?? 10,
    options.accessTokenLifetimeMs,
  );
  const webhookAuthCode = options.webhookAuthCode ?? "0307e264-b33a-4913-88aa-37b10014a0b8";
  const limits = new TokenRateLimits(options.rateClock ?? (() => performance.now()));
  const faults = new FaultInjector(prng(options.seed ?? 1));
  const delays = new PendingDelays();
  let log: LoggedRequest[] = [];

  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    const entry: LoggedRequest = { endpoint: endpointOf(c.req.method, c.req.path), method: c.req.method, path: c.req.path, query, status: 0 };
    log.push(entry);

    // OAuth calls carry no bearer token and are not REST API calls: Clover's per-token limits do not apply.
    const admission: Admission = c.req.path.startsWith("/oauth/")
      ? { admitted: true, release: () => undefined }
      : limits.admit(bearerToken(c.req.header("Authorization")) ?? "(no token)");
    if (!admission.admitted) {
      entry.status = 429;
      entry.rateLimited = admission.limit;
      return tooManyRequests(admission.limit, admission.retryAfterSeconds);
    }
    // In flight until the answer is handed over, or until the client goes away (a timed-out client no
    // longer counts the request, so neither does Clover's limit here).
    c.env.outgoing.once("close", admission.release);
    try {
      const fault = faults.pick(entry);
      if (fault) entry.fault = fault.kind;
      if (fault && fault.kind !== "slow" && fault.kind !== "truncated") {
        const response = faultResponse(fault);
        entry.status = response.status;
        return response;
      }
      const stallBody = fault?.kind === "slow" && fault.stallBody === true;
      if (fault?.kind === "slow" && !stallBody) await delays.wait(fault.delayMs ?? 10_000);
      await next();
      entry.status = c.res.status;
      options.afterRequest?.();
      if (fault?.kind === "truncated" || stallBody) {
        await sendInHalves(c.res, c.env.outgoing, stallBody ? delays.wait(fault.delayMs ?? 10_000) : undefined);
        c.res = RESPONSE_ALREADY_SENT;
      }
      return undefined;
    } finally {
      admission.release();
    }
  });

  // Every /v3/merchants/{mId}/... call: a live token of that very merchant.
  app.use("/v3/merchants/:mId/*", async (c, next) => {
    const tokenMerchant = tokens.merchantOf(bearerToken(c.req.header("Authorization")));
    const merchantId = c.req.param("mId");
    if (!data.merchant(merchantId)) throw notFound("Merchant not found");
    if (tokenMerchant !== merchantId) throw unauthorized(`The access token is not authorized for merchant ${merchantId}.`);
    c.set("merchantId", merchantId);
    await next();
  });

  const params = (requestUrl: string) => new URL(requestUrl).searchParams;
  const list = (answer: ListAnswer) => Response.json(answer.body, { headers: answer.headers });

  app.get("/v3/merchants/:mId", (c) => {
    const merchant = data.merchant(c.get("merchantId"));
    if (!merchant) throw notFound("Merchant not found");
    return c.json(merchantBody(merchant, params(c.req.url)));
  });
  app.get("/v3/merchants/:mId/properties", (c) => {
    const merchant = data.merchant(c.get("merchantId"));
    if (!merchant) throw notFound("Merchant not found");
    return c.json(propertiesBody(merchant));
  });
  app.get("/v3/merchants/:mId/orders", (c) => list(listOrders(data, c.get("merchantId"), params(c.req.url), now(), c.req.url)));
  app.get("/v3/merchants/:mId/orders/:orderId", (c) => c.json(getOrder(data, c.get("merchantId"), c.req.param("orderId"), params(c.req.url))));
  app.get("/v3/merchants/:mId/orders/:orderId/line_items", (c) =>
    list(listOrderLineItems(data, c.get("merchantId"), c.req.param("orderId"), params(c.req.url), c.req.url)),
  );
  app.get("/v3/merchants/:mId/payments", (c) => list(listPayments(data, c.get("merchantId"), params(c.req.url), now(), c.req.url)));
  app.get("/v3/merchants/:mId/refunds", (c) => list(listRefunds(data, c.get("merchantId"), params(c.req.url), now(), c.req.url)));
  app.get("/v3/merchants/:mId/items", (c) => list(listItems(data, c.get("merchantId"), params(c.req.url), c.req.url)));
  app.get("/v3/merchants/:mId/categories", (c) => list(listCategories(data, c.get("merchantId"), params(c.req.url), c.req.url)));

  registerCloverOAuthRoutes(app, oauth, data);

  app.notFound((c) => c.json(notFound(`No such endpoint: ${c.req.method} ${c.req.path}`).body(), 404));
  app.onError((error, c) => {
    if (error instanceof CloverApiError) return c.json(error.body(), error.status, { ...error.headers });
    // Anything else is a bug in the simulator; answer as Clover would and say what broke.
    const body: CloverErrorBody = { message: "Internal Server Error", details: `Simulator bug: ${error.message}` };
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
    addOrders: (merchantId, orders, addOptions = {}) => {
      const arrivedAt = addOptions.arrivedAt === undefined ? undefined : toMs(addOptions.arrivedAt);
      if (arrivedAt !== undefined && Number.isNaN(arrivedAt)) throw new Error(`arrivedAt is not a time: ${String(addOptions.arrivedAt)}`);
      data.addOrders(merchantId, orders, arrivedAt);
    },
    setItems: (merchantId, items) => {
      data.setItems(merchantId, items);
    },
    issueToken: (merchantId, tokenOptions = {}) => {
      if (!data.merchant(merchantId)) throw new Error(`unknown merchant ${merchantId}`);
      return tokens.issue(merchantId, tokenOptions.expiresInMs);
    },

    appId: oauth.app.appId,
    appSecret: oauth.app.appSecret,
    webhookAuthCode,
    grantTokens: (merchantId) => {
      if (!data.merchant(merchantId)) throw new Error(`unknown merchant ${merchantId}`);
      return oauth.grant(merchantId);
    },
    createAuthorizationCode: (merchantId) => {
      if (!data.merchant(merchantId)) throw new Error(`unknown merchant ${merchantId}`);
      return oauth.createCode(merchantId);
    },
    refreshTokenUsable: (refreshToken) => oauth.refreshTokenUsable(refreshToken),
    oauthCounts: () => ({ ...oauth.counts }),
    uninstallApp: async (merchantId, uninstallOptions = {}) => {
      oauth.uninstall(merchantId);
      if (uninstallOptions.webhookUrl === undefined) return undefined;
      return await deliverWebhook(uninstallOptions.webhookUrl, webhookAuthCode, appEventMessage(oauth.app.appId, [merchantId], "DELETE", now()));
    },

    injectFaults: (rule) => faults.add(rule),
    clearFaults: () => {
      faults.clear();
    },
    requestLog: () => {
      const counts: Partial<Record<CloverEndpoint, number>> = {};
      for (const entry of log) counts[entry.endpoint] = (counts[entry.endpoint] ?? 0) + 1;
      return counts;
    },
    requests: () => log.map((entry) => structuredClone(entry)),
    clearRequestLog: () => {
      log = [];
    },
    rateStats: (tokenOrMerchantId) => limits.stats(tokens.has(tokenOrMerchantId) ? [tokenOrMerchantId] : tokens.tokensOf(tokenOrMerchantId)),

    now,
    advanceTime: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceTime takes a positive number of milliseconds, got ${ms}`);
      offsetMs += ms;
    },
  };
}
