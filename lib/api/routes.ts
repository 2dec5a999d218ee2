/**
 * The read-only API under /api/v1, for accountants' tools: JSON only, authenticated by an API key
 * (`Authorization: Bearer dbk_…`) and never by the session cookie, rate-limited per key, every request
 * logged (key id, route, status, duration) and kept 14 days. Each route is described once, in
 * API_ROUTES, from which both the Hono routes and the OpenAPI document (openapi.ts, generated ahead of
 * time into openapi.json) are made; input is validated and every answer checked against the schemas in
 * schemas.ts before it is sent.
 *
 * A key sees what its creator can see at the time of the request: their own business and those that
 * gave them access. Any other id is simply not found (404), as is an id that cannot exist.
 */
import { type Context, Hono } from "hono";
import { matchedRoutes } from "hono/route";
import type { AuthStore } from "../auth/types";
import { currentLocationStatuses } from "../members/location-status";
import { businessNameOf, type MemberStore } from "../members/types";
import type { LocationConfig } from "../model";
import type { ReportStore } from "../report/report-store";
import type { Store } from "../store/store";
import * as z from "zod/mini";
import { describeIssues } from "../validation";
import { apiDay, apiLocation, apiReport } from "./days";
import { API_PREFIX, ApiError, apiErrorResponse, NOT_FOUND_MESSAGE } from "./errors";
import { API_RATE_LIMIT, type ApiKey, type ApiKeyStore, authenticateApiKey, type KeyRefusal, newRequestId } from "./keys";
import { apiPayout, type PayoutRecords } from "./payouts";
import {
  type ApiBusiness, businessListSchema, businessParams, businessSchema, dayListSchema, locationListSchema, locationParams, openApiDocumentSchema,
  payoutListSchema, rangeQuery, reportListSchema,
} from "./schemas";

export interface ApiDeps {
  store: Store;
  members: MemberStore;
  reports: ReportStore;
  apiKeys: ApiKeyStore;
  auth: AuthStore;
  apiPayouts: PayoutRecords;
  publicUrl: string;
  now: () => Date;
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
}

/** One route of the API, as the document describes it and the app serves it. */
export interface ApiRoute {
  /** As OpenAPI writes it, under /api/v1: /businesses/{businessId}. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  response: { name: string; schema: z.ZodMiniType; description: string };
  /** Needs no key (the document itself). */
  open?: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  {
    path: "/openapi.json", operationId: "getOpenApiDocument", summary: "This document", open: true,
    description: "The OpenAPI 3.1 document of this API, generated from the schemas that validate it. Needs no key.",
    response: { name: "OpenApiDocument", schema: openApiDocumentSchema, description: "The OpenAPI document." },
  },
  {
    path: "/businesses", operationId: "listBusinesses", summary: "The businesses the key can see",
    description: "The key's creator's own business and every business that invited them as its accountant, as of this request.",
    response: { name: "BusinessList", schema: businessListSchema, description: "The businesses." },
  },
  {
    path: "/businesses/{businessId}", operationId: "getBusiness", summary: "One business", params: businessParams,
    description: "One business the key can see.",
    response: { name: "Business", schema: businessSchema, description: "The business." },
  },
  {
    path: "/businesses/{businessId}/locations", operationId: "listLocations", summary: "A business's locations", params: businessParams,
    description: "Every location daybook posts for, with its latest finished business day.",
    response: { name: "LocationList", schema: locationListSchema, description: "The locations." },
  },
  {
    path: "/businesses/{businessId}/locations/{locationId}/days", operationId: "listDays", summary: "A location's days in a date range",
    params: locationParams, query: rangeQuery,
    description: "Each day daybook has a record of from `from` to `to` (both included, at most 92 days): its status, its figures, and every entry posted for it (DocNumber, lines with account numbers and names, adjustments).",
    response: { name: "DayList", schema: dayListSchema, description: "The days." },
  },
  {
    path: "/businesses/{businessId}/locations/{locationId}/payouts", operationId: "listPayouts", summary: "A location's payouts in a date range",
    params: locationParams, query: rangeQuery,
    description: "The location's Square payouts arriving from `from` to `to`, as daybook last read them: paid, on their way, or failed (posted or not).",
    response: { name: "PayoutList", schema: payoutListSchema, description: "The payouts." },
  },
  {
    path: "/businesses/{businessId}/locations/{locationId}/reports", operationId: "listReports", summary: "A location's sync reports in a date range",
    params: locationParams, query: rangeQuery,
    description: "The sync reports daybook sent about the location's days from `from` to `to` (at most 92 days).",
    response: { name: "ReportList", schema: reportListSchema, description: "The reports." },
  },
];

/** The committed OpenAPI document (openapi.ts generates it) with this deployment's API as its server, after `info` as generated before. */
export function withServer(document: Record<string, unknown>, publicUrl: string): Record<string, unknown> {
  const { openapi, info, ...rest } = document;
  return { openapi, info, servers: [{ url: `${publicUrl}${API_PREFIX}` }], ...rest };
}

/** `/businesses/{businessId}` → `/businesses/:businessId`. */
export const honoPath = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");

interface ApiEnv {
  Variables: { key: ApiKey | undefined };
}

type Handler = (c: Context<ApiEnv>, key: ApiKey, input: { params: Record<string, string>; query: Record<string, string> }) => Promise<unknown>;

const REFUSALS: Record<KeyRefusal, string> = {
  missing: "This API needs an API key: send it as Authorization: Bearer <key>. Make one on the API keys page of daybook.",
  malformed: "The Authorization header does not hold a daybook API key (Bearer dbk_…).",
  unknown: "This API key is not valid. It may have been mistyped, or its account deleted.",
  revoked: "This API key was revoked. Make a new one on the API keys page of daybook.",
  expired: "This API key has expired. Make a new one on the API keys page of daybook.",
};

export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();

  api.use(async (c, next) => {
    const started = performance.now();
    const requestAt = deps.now();
    const route = matchedRoutes(c).findLast((each) => each.method !== "ALL")?.path ?? "unknown";
    const spec = API_ROUTES.find((each) => `/api/v1${honoPath(each.path)}` === route);
    // No API route here: the app's not-found answer, in JSON (lib/web/app.ts).
    if (!spec) {
      await next();
      return;
    }
    let key: ApiKey | undefined;
    try {
      if (!spec.open) key = await authenticate(c.req.header("Authorization"), requestAt);
      c.set("key", key);
      await next();
    } catch (error) {
      c.res = apiErrorResponse(c, error, deps);
    }
    const durationMs = Math.round(performance.now() - started);
    const status = c.res.status;
    deps.log("info", "api request", { keyId: key?.keyId ?? "none", method: c.req.method, route, status, durationMs });
    if (key) {
      await deps.apiKeys.logRequest({ requestId: newRequestId(), keyId: key.keyId, ownerId: key.ownerId, at: requestAt.toISOString(), method: c.req.method, route, status, durationMs });
    }
  });

  async function authenticate(authorization: string | undefined, now: Date): Promise<ApiKey> {
    const result = await authenticateApiKey(deps.apiKeys, authorization, now);
    if (!result.ok) throw new ApiError(401, "unauthorized", REFUSALS[result.refusal], { "WWW-Authenticate": 'Bearer realm="daybook"' });
    const { limit, windowSeconds } = API_RATE_LIMIT;
    if (!(await deps.auth.takeRateLimit(`api-key#${result.key.keyId}`, limit, windowSeconds, now))) {
      const nowSeconds = now.getTime() / 1000;
      const retryAfter = Math.max(1, Math.ceil((Math.floor(nowSeconds / windowSeconds) + 1) * windowSeconds - nowSeconds));
      throw new ApiError(429, "rate_limited", `This API key made more than ${String(limit)} requests in a minute. Wait ${String(retryAfter)} seconds, then try again.`, {
        "Retry-After": String(retryAfter),
      });
    }
    return result.key;
  }

  /** The business, if the key's creator can see it; otherwise not found. */
  async function visibleBusiness(key: ApiKey, businessId: string): Promise<ApiBusiness> {
    if (businessId === key.ownerId) {
      const own = await deps.store.getMerchant(key.ownerId);
      if (own) return { id: own.merchantId, name: businessNameOf(own), role: "owner" };
    } else {
      const membership = await deps.members.getMembership(key.ownerId, businessId);
      if (membership) return { id: businessId, name: membership.businessName, role: "accountant" };
    }
    throw new ApiError(404, "not_found", NOT_FOUND_MESSAGE);
  }

  async function visibleLocation(key: ApiKey, params: Record<string, string>): Promise<LocationConfig> {
    const business = await visibleBusiness(key, params["businessId"] ?? "");
    const location = await deps.store.getLocation(business.id, params["locationId"] ?? "");
    if (!location) throw new ApiError(404, "not_found", NOT_FOUND_MESSAGE);
    return location;
  }

  const handlers: Record<string, Handler> = {
    // Loaded on this route only: the other routes' cold starts do not parse it.
    getOpenApiDocument: async () => withServer((await import("./openapi.json", { with: { type: "json" } })).default, deps.publicUrl),
    async listBusinesses(_c, key) {
      const [own, memberships] = await Promise.all([deps.store.getMerchant(key.ownerId), deps.members.listMemberships(key.ownerId)]);
      const businesses: ApiBusiness[] = [
        ...(own ? [{ id: own.merchantId, name: businessNameOf(own), role: "owner" as const }] : []),
        ...memberships.map((membership) => ({ id: membership.businessId, name: membership.businessName, role: "accountant" as const }))
          .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
      ];
      return { businesses };
    },
    getBusiness: (_c, key, { params }) => visibleBusiness(key, params["businessId"] ?? ""),
    async listLocations(_c, key, { params }) {
      const business = await visibleBusiness(key, params["businessId"] ?? "");
      const locations = await deps.store.listLocations(business.id);
      const latest = await currentLocationStatuses(deps.store, business.id, deps.now(), locations);
      return {
        locations: locations.sort((a, b) => a.name.localeCompare(b.name) || a.locationId.localeCompare(b.locationId))
          .map((location) => apiLocation(location, latest[location.locationId])),
      };
    },
    async listDays(_c, key, { params, query }) {
      const location = await visibleLocation(key, params);
      const { from, to } = rangeQuery.parse(query);
      const [records, reports] = await Promise.all([
        deps.store.listSyncRecordsBetween(location.merchantId, location.locationId, from, to),
        deps.reports.listDays(location.merchantId, location.locationId, from, to),
      ]);
      return { businessId: location.merchantId, locationId: location.locationId, from, to, days: records.map((record) => apiDay(record, reports, location)) };
    },
    async listPayouts(_c, key, { params, query }) {
      const location = await visibleLocation(key, params);
      const { from, to } = rangeQuery.parse(query);
      return { payouts: (await deps.apiPayouts.listPayouts(location.merchantId, location.locationId, from, to)).map(apiPayout) };
    },
    async listReports(_c, key, { params, query }) {
      const location = await visibleLocation(key, params);
      const { from, to } = rangeQuery.parse(query);
      const reports = await deps.reports.listDays(location.merchantId, location.locationId, from, to);
      return { reports: reports.map((report) => apiReport(report, deps.publicUrl)) };
    },
  };

  for (const spec of API_ROUTES) {
    const handler = handlers[spec.operationId];
    if (!handler) throw new Error(`the API route ${spec.operationId} has no handler`);
    api.get(honoPath(spec.path), async (c) => {
      const params = spec.params ? checkedInput(spec.params, c.req.param(), "path") : {};
      const query = spec.query ? checkedInput(spec.query, c.req.query(), "query") : {};
      const key = c.get("key");
      if (!key && !spec.open) throw new ApiError(401, "unauthorized", REFUSALS.missing);
      const body = await handler(c, key as ApiKey, { params, query });
      // The answer is checked against its documented schema: one that does not match is daybook's bug, never sent.
      const checked = spec.response.schema.safeParse(body);
      if (!checked.success) throw new Error(describeIssues(checked.error, `the answer of ${spec.operationId}`));
      return c.json(checked.data as object, 200);
    });
  }
  return api;
}

/** Path and query input checked by its schema: a path id that cannot exist is not found, a bad query a 400 naming the field. */
function checkedInput(schema: z.ZodMiniObject, input: Record<string, string>, where: "path" | "query"): Record<string, string> {
  const result = schema.safeParse(input);
  if (result.success) return input;
  if (where === "path") throw new ApiError(404, "not_found", NOT_FOUND_MESSAGE);
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") || "the query";
  const message = issue?.code === "invalid_type" ? "is missing; give it as a date, YYYY-MM-DD" : (issue?.message ?? "is not valid");
  throw new ApiError(400, "bad_request", `The query parameter ${field} ${message}.`);
}

