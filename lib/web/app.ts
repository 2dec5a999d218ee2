/**
 * The web front door: sign-in, sessions, connections, provider webhooks, the account, accountants'
 * access and the read-only API (/api/v1), as one Hono app. functions/api.ts serves it on Lambda, the
 * local stack with @hono/node-server, and tests call app.request() directly. Who may use each route is
 * one table, lib/web/roles.ts, enforced here before any handler runs. Every route is registered at
 * start; each group's handlers load on the first request to one of its routes (lib/web/route-groups.ts).
 * The pages this module answers with itself (not found, not allowed, a problem) and the stylesheet load
 * on the first request that needs one, as a group's pages load with it: most requests render none.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { ApiError, apiErrorBody, apiErrorResponse, isApiPath, NOT_FOUND_MESSAGE } from "../api/errors";
import { onFirstUse } from "../on-first-use";
import type { AppEnv, WebDeps } from "./deps";
import { AccessEnded, enforceRoles, OwnerOnly } from "./roles";
import { redactForLog } from "./redact-for-log";
import { type AddRoutes, ROUTE_GROUPS, type RouteGroup } from "./route-groups";
import { ALLOWED_METHODS, bodyLimits, noStore, onlyAllowedMethods, PUBLIC_PATHS, RequestRejected, sameOriginForms, securityHeaders, WEBHOOK_PREFIX } from "./security";
import { clearSignedIn, loadSession, SignInRequired, viewerOf } from "./session";

export function createApp(deps: WebDeps): Hono<AppEnv> {
  const publicOrigin = new URL(deps.publicUrl).origin;
  const app = new Hono<AppEnv>();

  app.use(onlyAllowedMethods());
  app.use(securityHeaders(deps.consentOrigins));
  app.use(noStore());
  app.use(bodyLimits());
  app.use(sameOriginForms(publicOrigin));
  app.use(async (c, next) => {
    // Providers' servers and the stylesheet need no session: skip the table read. The API never
    // reads the session cookie: a cookie alone must not authenticate it.
    if (c.req.path.startsWith(WEBHOOK_PREFIX) || PUBLIC_PATHS.includes(c.req.path) || c.req.path === "/style.css" || isApiPath(c.req.path)) {
      clearSignedIn(c);
      await next();
      return;
    }
    await loadSession(deps)(c, next);
  });
  app.use(enforceRoles(deps.log));

  app.get("/style.css", async (c) => c.body((await import("./pages/layout")).STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  for (const group of ROUTE_GROUPS) mountOnDemand(app, group, deps);

  const routePatterns = () => app.routes.filter((route) => route.method !== "ALL").map((route) => ({ method: route.method, pattern: routeRegExp(route.path) }));
  let patterns: ReturnType<typeof routePatterns> | undefined;

  app.notFound(async (c) => {
    patterns ??= routePatterns();
    const path = c.req.path;
    if (patterns.some((route) => route.pattern.test(path))) return methodNotAllowed(c);
    if (isApiPath(path)) return c.json(apiErrorBody("not_found", NOT_FOUND_MESSAGE), 404);
    const { NotFoundPage } = await messagePages();
    return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
  });

  app.onError(async (error, c) => {
    if (isApiPath(c.req.path)) return apiProblem(c, error, deps);
    const { AccessEndedPage, MessagePage, OwnerOnlyPage, ProblemPage, ServerErrorPage } = await messagePages();
    if (error instanceof OwnerOnly) return c.html(OwnerOnlyPage({ viewer: viewerOf(c) }), 403);
    if (error instanceof AccessEnded) return c.html(AccessEndedPage({ viewer: viewerOf(c) }), 403);
    if (error instanceof SignInRequired) {
      return c.html(ProblemPage({ title: "Please sign in", next: { href: "/sign-in", label: "Sign in" }, children: "Your session has ended. Sign in again, then try once more." }), 401);
    }
    if (error instanceof RequestRejected) {
      if (error.reason === "method") return methodNotAllowed(c);
      const pages = {
        csrf: { status: 403, title: "This form was not accepted", text: "daybook only accepts forms sent from its own pages. Go back, reload the page and try again." },
        "too-large": { status: 413, title: "Too much data", text: "This request was larger than daybook accepts." },
        "not-a-form": { status: 415, title: "Not a form", text: "daybook expected a form sent from one of its pages." },
      } as const;
      const page = pages[error.reason];
      return c.html(ProblemPage({ title: page.title, next: { href: "/", label: "Go to the start page" }, children: page.text }), page.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.html(MessagePage({ title: "This request was not accepted", children: "daybook could not use this request." }), error.status);
    }
    // A bug or an outage: log what it was (names and messages carry no secrets, by rule), answer plainly.
    deps.log("error", "request failed", { method: c.req.method, route: routePath(c), error: error.name, message: redactForLog(error.message).slice(0, 500) });
    return c.html(ServerErrorPage(), 500);
  });

  return app;
}

/**
 * Registers each of the group's routes with a handler that loads the group's module on the first
 * request to any of them, then runs the route's own handlers (its middleware and handler, in order,
 * with the request's context), as Hono runs a mounted app's. A load that failed is tried again.
 */
function mountOnDemand(app: Hono<AppEnv>, group: RouteGroup, deps: WebDeps): void {
  const handlers = onFirstUse(async () => routeHandlers(await group.load(), deps));
  for (const key of group.routes) {
    const [method = "", path = ""] = key.split(" ");
    app.on(method, path, async (c, next) => {
      const handler = (await handlers()).get(key);
      if (!handler) throw new Error(`the ${group.name} routes do not include ${key}`);
      return handler(c, next);
    });
  }
}

/** Each route's handlers as one, from the group's module adding its routes to an app of their own (which never serves). */
export function routeHandlers(add: AddRoutes, deps: WebDeps): Map<string, MiddlewareHandler<AppEnv>> {
  const own = new Hono<AppEnv>();
  add(own, deps);
  const covers = (pattern: string, path: string) => pattern === path || pattern === "*" || pattern === "/*" || (pattern.endsWith("/*") && path.startsWith(pattern.slice(0, -1)));
  const handlers = new Map<string, MiddlewareHandler<AppEnv>>();
  for (const route of own.routes) {
    const key = `${route.method} ${route.path}`;
    if (route.method === "ALL" || handlers.has(key)) continue;
    const chain = own.routes.filter((each) => (each.method === route.method && each.path === route.path) || (each.method === "ALL" && covers(each.path, route.path)));
    handlers.set(key, every(...chain.map((each) => each.handler as MiddlewareHandler<AppEnv>)));
  }
  return handlers;
}

/** The pages this module answers with itself: loaded by the first request that is answered with one. */
async function messagePages() {
  const [{ MessagePage }, messages] = await Promise.all([import("./pages/layout"), import("./pages/messages")]);
  return { MessagePage, ...messages };
}

async function methodNotAllowed(c: Context<AppEnv>) {
  if (isApiPath(c.req.path)) {
    c.header("Allow", "GET, HEAD");
    return c.json(apiErrorBody("method_not_allowed", "The API is read-only: it answers GET (and HEAD) requests only."), 405);
  }
  c.header("Allow", ALLOWED_METHODS.join(", "));
  const { ProblemPage } = await messagePages();
  return c.html(ProblemPage({ title: "Not allowed", next: { href: "/", label: "Go to the start page" }, children: "This page does not accept that kind of request." }), 405);
}

/** The API's answer to what the app's own middleware refused (a method, a body too large) or a bug: JSON, never a page. */
function apiProblem(c: Context<AppEnv>, error: Error, deps: WebDeps) {
  if (error instanceof ApiError) return apiErrorResponse(c, error, deps);
  if (error instanceof RequestRejected && error.reason === "method") return methodNotAllowed(c);
  if (error instanceof RequestRejected && error.reason === "too-large") return c.json(apiErrorBody("too_large", "This request was larger than daybook accepts."), 413);
  if (error instanceof HTTPException && error.status < 500) return c.json(apiErrorBody("bad_request", "daybook could not use this request."), 400);
  deps.log("error", "request failed", { method: c.req.method, route: routePath(c), error: error.name, message: redactForLog(error.message).slice(0, 500) });
  return c.json(apiErrorBody("internal", "daybook could not answer this request. Nothing is wrong with it; try again in a few minutes."), 500);
}

/** `/connect/:provider/callback` → /^\/connect\/[^/]+\/callback$/ */
function routeRegExp(path: string): RegExp {
  const source = path.split("/").map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
  return new RegExp(`^${source}$`);
}
