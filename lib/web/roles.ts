/**
 * Who may use each route, in one table, enforced by one middleware (enforceRoles, in lib/web/app.ts)
 * before any handler runs. A route's handler keeps reading `c.get("merchant")`: the business the
 * session works on, which the session middleware has already checked the person may see.
 *
 * - "public": anyone; the route authenticates what it needs itself (a signed link, a provider's
 *   signature, a sign-in or invitation token), or serves nothing private.
 * - "signed-in": any signed-in person, about themselves rather than a business (their sessions, their
 *   client list, their API keys, signing out).
 * - "member": the business's owner or an accountant it invited: every page of the business, approving
 *   held days, the mapping and report settings, backfills.
 * - "owner": the business's own account only: connecting and disconnecting accounts, the account page
 *   (time zone, export and deletion), the business's name, and who has access.
 * - "api-key": the read-only API, authenticated by an API key and never by the session cookie.
 *
 * A route must be in the table (test/unit/roles.test.ts holds every route of the app to it); one that
 * is not is treated as "owner", the narrowest role a signed-in person can have, and logged.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv, WebDeps } from "./deps";
import { requireSignedIn } from "./session";

export type RouteRole = "public" | "signed-in" | "member" | "owner" | "api-key";

export const ROUTE_ROLES: Readonly<Record<string, RouteRole>> = {
  "GET /style.css": "public",
  "GET /": "public",
  "GET /sign-in": "public",
  "POST /sign-in": "public",
  "GET /sign-in/confirm": "public",
  "POST /sign-in/confirm": "public",
  "GET /invitations/accept": "public",
  "POST /invitations/accept": "public",
  "GET /invitations/stop": "public",
  "POST /invitations/stop": "public",
  "POST /invitations/allow": "public",
  "GET /approve": "public",
  "POST /approve": "public",
  "GET /unsubscribe": "public",
  "POST /unsubscribe": "public",
  "POST /unsubscribe/frequency": "public",
  "POST /unsubscribe/undo": "public",
  "GET /recipients/confirm": "public",
  "POST /recipients/confirm": "public",
  "POST /webhooks/square": "public",
  "POST /webhooks/clover": "public",
  "POST /webhooks/quickbooks": "public",
  "GET /disconnect/quickbooks": "public",

  "POST /sign-out": "signed-in",
  "GET /sessions": "signed-in",
  "POST /sessions/end": "signed-in",
  "POST /sessions/end-others": "signed-in",
  "GET /clients": "signed-in",
  "GET /clients/open": "signed-in",
  "POST /clients/switch": "signed-in",
  "POST /clients/:businessId/leave": "signed-in",
  "GET /api-keys": "signed-in",
  "POST /api-keys": "signed-in",
  "POST /api-keys/:keyId/revoke": "signed-in",

  "GET /locations": "member",
  "POST /locations": "member",
  "GET /locations/:locationId/mapping": "member",
  "POST /locations/:locationId/mapping": "member",
  "POST /locations/:locationId/start": "member",
  "POST /locations/:locationId/mapping/create-accounts": "member",
  "POST /quickbooks/:connectionId/create-accounts": "member",
  "GET /days/:locationId/:businessDay": "member",
  "POST /days/:locationId/:businessDay/approve": "member",
  "GET /history": "member",
  "GET /reports": "member",
  "POST /reports/recipients": "member",
  "POST /reports/recipients/resend": "member",
  "POST /reports/recipients/frequency": "member",
  "POST /reports/recipients/remove": "member",
  "POST /reports/review-mode": "member",
  "GET /backfill": "member",
  "POST /backfill": "member",
  "POST /backfill/latest": "member",
  "GET /backfill/:backfillId": "member",

  "GET /connections": "owner",
  "POST /connect/:provider": "owner",
  "GET /connect/:provider/callback": "owner",
  "POST /connections/:connectionId/disconnect": "owner",
  "GET /connections/:connectionId/disconnect": "owner",
  "GET /account": "owner",
  "GET /account/export": "owner",
  "POST /account/delete": "owner",
  "POST /account/time-zone": "owner",
  "POST /account/invitations": "owner",
  "GET /business-name": "owner",
  "POST /business-name": "owner",
  "POST /reports/access/invite": "owner",
  "POST /reports/access/remove": "owner",
  "POST /reports/access/cancel": "owner",

  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/businesses": "api-key",
  "GET /api/v1/businesses/:businessId": "api-key",
  "GET /api/v1/businesses/:businessId/locations": "api-key",
  "GET /api/v1/businesses/:businessId/locations/:locationId/days": "api-key",
  "GET /api/v1/businesses/:businessId/locations/:locationId/payouts": "api-key",
  "GET /api/v1/businesses/:businessId/locations/:locationId/reports": "api-key",
};

/** The route a request matched, as `METHOD /pattern` (HEAD answers from the GET route); undefined when none did. */
export function routeKeyOf(c: Context): string | undefined {
  const route = matchedRoutes(c).findLast((each) => each.method !== "ALL");
  return route && `${route.method} ${route.path}`;
}

/** Refused before the handler: what the person asked for is the owner's to do. */
export class OwnerOnly extends Error {
  override name = "OwnerOnly";
}

/** Refused once: the business the session worked on has ended the person's access (or closed its account). */
export class AccessEnded extends Error {
  override name = "AccessEnded";
}

export function enforceRoles(log: WebDeps["log"]): MiddlewareHandler<AppEnv> {
  const signedIn = requireSignedIn();
  const warned = new Set<string>();
  return async (c, next) => {
    const key = routeKeyOf(c);
    if (key === undefined) {
      await next();
      return;
    }
    let role = ROUTE_ROLES[key];
    if (role === undefined) {
      if (!warned.has(key)) log("warn", "route without a role: treated as owner-only", { route: key });
      warned.add(key);
      role = "owner";
    }
    if (role === "public" || role === "api-key") {
      await next();
      return;
    }
    const needed = role;
    return signedIn(c, async () => {
      if (c.get("accessEnded") && needed !== "signed-in") throw new AccessEnded();
      if (needed === "owner" && c.get("role") !== "owner") throw new OwnerOnly();
      await next();
    });
  };
}
