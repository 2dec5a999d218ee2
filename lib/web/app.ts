/**
 * The web front door: sign-in, sessions, connections, provider webhooks and the account, as one Hono
 * app. functions/api.ts serves it on Lambda, the local stack with @hono/node-server, and tests call
 * app.request() directly.
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import type { ProviderName } from "../model";
import type { AppEnv, WebDeps } from "./deps";
import { MessagePage, STYLESHEET } from "./pages/layout";
import { NotFoundPage, ProblemPage, ServerErrorPage } from "./pages/messages";
import { addAccountRoutes } from "./routes/account";
import { addBackfillRoutes } from "./routes/backfill";
import { addBusinessNameRoutes } from "./routes/business-name";
import { addConnectionRoutes } from "./routes/connections";
import { addDayRoutes } from "./routes/days";
import { addHistoryRoutes } from "./routes/history";
import { addLocationRoutes } from "./routes/locations";
import { addMappingRoutes } from "./routes/mapping";
import { addReportSettingsRoutes } from "./routes/report-settings";
import { addSessionRoutes } from "./routes/sessions";
import { addSignInRoutes } from "./routes/sign-in";
import { addUnsubscribeRoutes } from "./routes/unsubscribe";
import { addWebhookRoutes, PUBLIC_PATHS } from "./routes/webhooks";
import { ALLOWED_METHODS, bodyLimits, noStore, onlyAllowedMethods, RequestRejected, sameOriginForms, securityHeaders, WEBHOOK_PREFIX } from "./security";
import { loadSession, SignInRequired, viewerOf } from "./session";

/** Regions whose consent pages forms may lead to (see securityHeaders). */
const AUTHORIZE_REGIONS: Record<ProviderName, (string | undefined)[]> = { square: [undefined], quickbooks: [undefined], clover: ["us", "eu", "la"] };

export function createApp(deps: WebDeps): Hono<AppEnv> {
  const publicOrigin = new URL(deps.publicUrl).origin;
  const app = new Hono<AppEnv>();

  app.use(onlyAllowedMethods());
  app.use(securityHeaders(authorizeOrigins(deps)));
  app.use(noStore());
  app.use(bodyLimits());
  app.use(sameOriginForms(publicOrigin));
  app.use(async (c, next) => {
    // Providers' servers and the stylesheet need no session: skip the table read.
    if (c.req.path.startsWith(WEBHOOK_PREFIX) || PUBLIC_PATHS.includes(c.req.path) || c.req.path === "/style.css") {
      c.set("session", undefined);
      c.set("merchant", undefined);
      c.set("formToken", undefined);
      await next();
      return;
    }
    await loadSession(deps)(c, next);
  });

  app.get("/style.css", (c) => c.body(STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  addSignInRoutes(app, deps);
  addSessionRoutes(app, deps);
  addConnectionRoutes(app, deps);
  addAccountRoutes(app, deps);
  addBusinessNameRoutes(app, deps);
  addWebhookRoutes(app, deps);
  addDayRoutes(app, deps);
  addLocationRoutes(app, deps);
  addMappingRoutes(app, deps);
  addReportSettingsRoutes(app, deps);
  addHistoryRoutes(app, deps);
  addBackfillRoutes(app, deps);
  addUnsubscribeRoutes(app, deps);

  const routePatterns = () => app.routes.filter((route) => route.method !== "ALL").map((route) => ({ method: route.method, pattern: routeRegExp(route.path) }));
  let patterns: ReturnType<typeof routePatterns> | undefined;

  app.notFound((c) => {
    patterns ??= routePatterns();
    const path = c.req.path;
    if (patterns.some((route) => route.pattern.test(path))) return methodNotAllowed(c);
    return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
  });

  app.onError((error, c) => {
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

function methodNotAllowed(c: Context<AppEnv>) {
  c.header("Allow", ALLOWED_METHODS.join(", "));
  return c.html(ProblemPage({ title: "Not allowed", next: { href: "/", label: "Go to the start page" }, children: "This page does not accept that kind of request." }), 405);
}

/**
 * An error's message as a log may hold it: messages can quote the request's input (a store error
 * quotes the id it refused), so email addresses and token-shaped values are masked.
 */
export function redactForLog(message: string): string {
  return message
    .replace(/[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+/g, "[email]")
    .replace(/[A-Za-z0-9_-]{32,}/g, "[token]");
}

/** `/connect/:provider/callback` → /^\/connect\/[^/]+\/callback$/ */
function routeRegExp(path: string): RegExp {
  const source = path.split("/").map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
  return new RegExp(`^${source}$`);
}

/** The origins of the providers' consent pages, asked of the providers themselves. */
function authorizeOrigins(deps: WebDeps): string[] {
  const origins = new Set<string>();
  for (const [name, regions] of Object.entries(AUTHORIZE_REGIONS) as [ProviderName, (string | undefined)[]][]) {
    for (const region of regions) {
      const url = deps.providers[name].authorizeUrl({ state: "csp", ...(region !== undefined ? { region } : {}) });
      origins.add(new URL(url).origin);
    }
  }
  return [...origins];
}
