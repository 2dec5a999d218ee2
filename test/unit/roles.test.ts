/**
 * Every route of the app states its role in lib/web/roles.ts's one table. The app is built here on
 * deps that nothing calls (no handler runs): building it is enough to read app.routes, so a route
 * another change adds fails this test until it is given a role.
 */
import { expect, it } from "vitest";
import { createApp, routeHandlers } from "../../lib/web/app";
import type { WebDeps } from "../../lib/web/deps";
import { ROUTE_ROLES } from "../../lib/web/roles";
import { ROUTE_GROUPS } from "../../lib/web/route-groups";

/** Anything a route module keeps a hold of while the app is built; calling it fails loudly (no handler runs here). */
function inert(path: string): unknown {
  return new Proxy(() => undefined, {
    get: (_target, name) => (name === Symbol.toPrimitive ? () => path : inert(`${path}.${String(name)}`)),
    apply: () => {
      throw new Error(`${path} was called while the app was only being built`);
    },
  });
}

/** What createApp reads while it builds the app, and inert stand-ins for the rest. */
function buildOnlyDeps(): WebDeps {
  const known: Partial<WebDeps> = { publicUrl: "https://daybook.test", consentOrigins: ["https://consent.example"], log: () => undefined, now: () => new Date(0) };
  return new Proxy(known, { get: (target, name) => (name in target ? target[name as keyof WebDeps] : inert(`deps.${String(name)}`)) }) as WebDeps;
}

const appRouteKeys = (): string[] => [...new Set(createApp(buildOnlyDeps()).routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`))];

it("gives every route of the app a role in lib/web/roles.ts", () => {
  const routes = appRouteKeys();
  expect(routes.length).toBeGreaterThan(40);
  const missing = routes.filter((route) => !Object.hasOwn(ROUTE_ROLES, route));
  expect(
    missing,
    `These routes have no role: ${missing.join(", ")}. Add each to ROUTE_ROLES in lib/web/roles.ts, keyed exactly as shown ("METHOD /path"), `
    + `as "public", "signed-in", "member", "owner" or "api-key" (the comment at the top of roles.ts says what each allows). Until then it is treated as owner-only.`,
  ).toEqual([]);
  const stale = Object.keys(ROUTE_ROLES).filter((route) => !routes.includes(route));
  expect(stale, `ROUTE_ROLES in lib/web/roles.ts names routes the app no longer has: remove ${stale.join(", ")}`).toEqual([]);
});

it("registers at start, for each group of lib/web/route-groups.ts, exactly the routes its module adds when it loads", async () => {
  for (const group of ROUTE_GROUPS) {
    const added = [...routeHandlers(await group.load(), buildOnlyDeps()).keys()];
    expect(added, `${group.name}: the routes its module adds`).toEqual([...group.routes]);
  }
  // Each route in one group only, and the app registers them all.
  const listed = ROUTE_GROUPS.flatMap((group) => group.routes);
  expect(new Set(listed).size).toBe(listed.length);
  expect(appRouteKeys().filter((route) => route !== "GET /style.css").sort()).toEqual([...listed].sort());
});

it("authenticates the API by key only, and nothing else by key", () => {
  for (const [route, role] of Object.entries(ROUTE_ROLES)) {
    const api = route.split(" ")[1]!.startsWith("/api/v1/");
    if (api) expect(["api-key", "public"], route).toContain(role);
    else expect(role, route).not.toBe("api-key");
  }
  // The document is the one open route of the API.
  expect(Object.entries(ROUTE_ROLES).filter(([route, role]) => route.includes("/api/v1/") && role === "public").map(([route]) => route)).toEqual(["GET /api/v1/openapi.json"]);
});

it("keeps connecting, disconnecting, the time zone, invitations to the owner's address, export, deletion, the business's name and who has access for the owner", () => {
  const ownerOnly = Object.entries(ROUTE_ROLES).filter(([, role]) => role === "owner").map(([route]) => route).sort();
  expect(ownerOnly).toEqual([
    "GET /account", "GET /account/export", "GET /business-name", "GET /connect/:provider/callback", "GET /connections", "GET /connections/:connectionId/disconnect",
    "POST /account/delete", "POST /account/invitations", "POST /account/time-zone", "POST /business-name", "POST /connect/:provider", "POST /connections/:connectionId/disconnect",
    "POST /reports/access/cancel", "POST /reports/access/invite", "POST /reports/access/remove",
  ]);
  // An accountant approves held days, changes the mapping and report settings, and runs backfills.
  for (const route of ["POST /days/:locationId/:businessDay/approve", "POST /locations/:locationId/mapping", "POST /reports/recipients", "POST /reports/review-mode", "POST /backfill", "POST /locations/:locationId/start"]) {
    expect(ROUTE_ROLES[route], route).toBe("member");
  }
});
