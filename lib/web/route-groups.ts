/**
 * The web app's routes, group by group: each group is one module of lib/web/routes (or the read-only
 * API), loaded on the first request to one of its routes. lib/web/app.ts registers every route listed
 * here at start, so routing, the roles (lib/web/roles.ts), 405s and logs see the whole app from the
 * first request; a route's handlers come from its group's module, imported once (in the Lambda bundle
 * a chunk of its own: infra/bundle.ts). A request loads the group it needs and nothing else.
 *
 * Each group lists its routes as `METHOD /pattern`; test/unit/roles.test.ts holds each list to what
 * its module registers.
 */
import type { Hono } from "hono";
import { API_PREFIX } from "../api/errors";
import type { AppEnv, WebDeps } from "./deps";

/** What a group's module does: adds its routes to an app, as each addXRoutes(app, deps) does. */
export type AddRoutes = (app: Hono<AppEnv>, deps: WebDeps) => void;

export interface RouteGroup {
  name: string;
  routes: readonly string[];
  load(): Promise<AddRoutes>;
}

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  {
    name: "sign-in",
    routes: ["GET /", "GET /sign-in", "POST /sign-in", "GET /sign-in/confirm", "POST /sign-in/confirm", "POST /sign-out"],
    load: async () => (await import("./routes/sign-in")).addSignInRoutes,
  },
  { name: "sessions", routes: ["GET /sessions", "POST /sessions/end", "POST /sessions/end-others"], load: async () => (await import("./routes/sessions")).addSessionRoutes },
  {
    name: "connections",
    routes: ["GET /connections", "POST /connect/:provider", "GET /connect/:provider/callback", "GET /connections/:connectionId/disconnect", "POST /connections/:connectionId/disconnect"],
    load: async () => (await import("./routes/connections")).addConnectionRoutes,
  },
  { name: "account", routes: ["GET /account", "POST /account/time-zone", "POST /account/invitations", "GET /account/export", "POST /account/delete"], load: async () => (await import("./routes/account")).addAccountRoutes },
  { name: "business-name", routes: ["GET /business-name", "POST /business-name"], load: async () => (await import("./routes/business-name")).addBusinessNameRoutes },
  {
    name: "webhooks",
    routes: ["POST /webhooks/square", "POST /webhooks/clover", "POST /webhooks/quickbooks", "GET /disconnect/quickbooks"],
    load: async () => (await import("./routes/webhooks")).addWebhookRoutes,
  },
  {
    name: "days",
    routes: ["GET /approve", "POST /approve", "GET /days/:locationId/:businessDay", "POST /days/:locationId/:businessDay/approve"],
    load: async () => (await import("./routes/days")).addDayRoutes,
  },
  { name: "locations", routes: ["GET /locations", "POST /locations"], load: async () => (await import("./routes/locations")).addLocationRoutes },
  {
    name: "mapping",
    routes: ["GET /locations/:locationId/mapping", "POST /locations/:locationId/mapping", "POST /locations/:locationId/mapping/create-accounts", "POST /quickbooks/:connectionId/create-accounts"],
    load: async () => (await import("./routes/mapping")).addMappingRoutes,
  },
  { name: "go-live", routes: ["POST /locations/:locationId/start"], load: async () => (await import("./routes/go-live")).addGoLiveRoutes },
  {
    name: "report-settings",
    routes: ["GET /reports", "POST /reports/recipients", "POST /reports/recipients/resend", "POST /reports/recipients/remove", "POST /reports/recipients/frequency", "POST /reports/review-mode"],
    load: async () => (await import("./routes/report-settings")).addReportSettingsRoutes,
  },
  { name: "history", routes: ["GET /history"], load: async () => (await import("./routes/history")).addHistoryRoutes },
  {
    name: "backfill",
    routes: ["GET /backfill", "POST /backfill", "POST /backfill/latest", "GET /backfill/:backfillId"],
    load: async () => (await import("./routes/backfill")).addBackfillRoutes,
  },
  {
    name: "unsubscribe",
    routes: ["GET /unsubscribe", "POST /unsubscribe", "POST /unsubscribe/frequency", "POST /unsubscribe/undo", "GET /recipients/confirm", "POST /recipients/confirm"],
    load: async () => (await import("./routes/unsubscribe")).addUnsubscribeRoutes,
  },
  {
    name: "clients",
    routes: ["GET /clients", "POST /clients/switch", "GET /clients/open", "POST /clients/:businessId/leave"],
    load: async () => (await import("./routes/clients")).addClientRoutes,
  },
  {
    name: "access",
    routes: [
      "POST /reports/access/invite", "POST /reports/access/remove", "POST /reports/access/cancel", "GET /invitations/accept", "POST /invitations/accept",
      "GET /invitations/stop", "POST /invitations/stop", "POST /invitations/allow",
    ],
    load: async () => (await import("./routes/access")).addAccessRoutes,
  },
  { name: "api-keys", routes: ["GET /api-keys", "POST /api-keys", "POST /api-keys/:keyId/revoke"], load: async () => (await import("./routes/api-keys")).addApiKeyRoutes },
  {
    name: "api",
    routes: [
      "GET /api/v1/openapi.json", "GET /api/v1/businesses", "GET /api/v1/businesses/:businessId", "GET /api/v1/businesses/:businessId/locations",
      "GET /api/v1/businesses/:businessId/locations/:locationId/days", "GET /api/v1/businesses/:businessId/locations/:locationId/payouts",
      "GET /api/v1/businesses/:businessId/locations/:locationId/reports",
    ],
    load: async () => {
      const { createApiApp } = await import("../api/routes");
      return (app, deps) => app.route(API_PREFIX, createApiApp(deps));
    },
  },
];
