/**
 * The protections every response and request goes through: methods, security headers, caching,
 * body sizes, and the same-origin check on state-changing requests.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./deps";

export const ALLOWED_METHODS = ["GET", "HEAD", "POST"] as const;

/** Paths whose POSTs come from providers' servers, authenticated by a signature instead of a session. */
export const WEBHOOK_PREFIX = "/webhooks/";

/** Browser-facing paths that need no session (QuickBooks' disconnect landing page: lib/web/routes/webhooks.ts). */
export const PUBLIC_PATHS = ["/disconnect/quickbooks"];

/**
 * RFC 8058 one-click unsubscribe: mail clients POST here cross-site, with no Origin (or their own) and
 * no form token; the signed token in the query is the authority. The one POST exempt from the check below.
 */
export const ONE_CLICK_UNSUBSCRIBE_PATH = "/unsubscribe";

export const FORM_BODY_LIMIT_BYTES = 16 * 1024;
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

/** Thrown by the middleware below; the app's onError renders a page for it. */
export class RequestRejected extends HTTPException {
  constructor(status: 403 | 405 | 413 | 415, readonly reason: "csrf" | "method" | "too-large" | "not-a-form") {
    super(status, { message: reason });
  }
}

export function onlyAllowedMethods(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!(ALLOWED_METHODS as readonly string[]).includes(c.req.method)) throw new RequestRejected(405, "method");
    await next();
  };
}

/**
 * CSP: nothing but this origin, no script at all, no framing. form-action also names the providers'
 * consent pages, because Chrome applies form-action to the redirect that follows a form's POST
 * (POST /connect/:provider answers 303 to the provider). Referrer-Policy is same-origin, not
 * no-referrer: under no-referrer browsers send `Origin: null` on form POSTs, and the CSRF check needs
 * the real Origin.
 */
export function securityHeaders(formActionOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'", ...formActionOrigins],
    },
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    referrerPolicy: "same-origin",
    xFrameOptions: "DENY",
    crossOriginOpenerPolicy: "same-origin",
    crossOriginResourcePolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  });
}

/**
 * Every response is `no-store` (pages carry account data, and error pages may too), except what a
 * route marked cacheable itself (the stylesheet).
 */
export function noStore(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (!c.res.headers.get("Cache-Control")?.startsWith("public")) c.res.headers.set("Cache-Control", "no-store");
  };
}

export function bodyLimits(): MiddlewareHandler<AppEnv> {
  const tooLarge = (): never => {
    throw new RequestRejected(413, "too-large");
  };
  const forForms = bodyLimit({ maxSize: FORM_BODY_LIMIT_BYTES, onError: tooLarge });
  const forWebhooks = bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT_BYTES, onError: tooLarge });
  return (c, next) => (c.req.path.startsWith(WEBHOOK_PREFIX) ? forWebhooks(c, next) : forForms(c, next));
}

/**
 * Cross-site request forgery: a POST other than a webhook must be a urlencoded form and carry this
 * app's Origin. The form check comes first because hono/csrf looks at the Origin only for the content
 * types a cross-site form can send; with it, hono/csrf sees every POST. Sec-Fetch-Site alone is not
 * enough. Signed-in forms also carry a form token (requireSignedIn), and cookies are SameSite=Lax.
 */
export function sameOriginForms(publicOrigin: string): MiddlewareHandler<AppEnv> {
  const checkOrigin = csrf({ origin: (origin) => origin === publicOrigin, secFetchSite: () => false });
  return async (c, next) => {
    // The API (/api/v1) is read-only and authenticated by a key, never a cookie: a POST there is refused as a method.
    if (c.req.method !== "POST" || c.req.path.startsWith(WEBHOOK_PREFIX) || c.req.path === ONE_CLICK_UNSUBSCRIBE_PATH || c.req.path.startsWith("/api/v1/")) {
      await next();
      return;
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header("Content-Type") ?? "")) throw new RequestRejected(415, "not-a-form");
    try {
      await checkOrigin(c, () => Promise.resolve());
    } catch (error) {
      // hono/csrf throws its own plain-text 403; the app renders a page for ours.
      if (error instanceof HTTPException && error.status === 403) throw new RequestRejected(403, "csrf");
      throw error;
    }
    await next();
  };
}
