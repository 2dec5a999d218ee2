/**
 * The session cookie and the middleware that turns it into the signed-in merchant.
 *
 * Cookie: `__Host-daybook_session`, HttpOnly (no script reads it), Secure, SameSite=Lax (no cross-site
 * POST carries it), Path=/ and no Domain (the __Host- prefix makes browsers insist on both), Max-Age
 * the absolute timeout (the server enforces both timeouts whatever the browser keeps).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { formTokenOf, resumeSession, SESSION_ABSOLUTE_TIMEOUT_MS } from "../auth/sessions";
import { sameSecret } from "../auth/secrets";
import type { Merchant } from "../model";
import type { AppEnv, WebDeps } from "./deps";
import { formFields } from "./forms";
import { FORM_TOKEN_FIELD, type Viewer } from "./pages/layout";
import { RequestRejected } from "./security";

export const SESSION_COOKIE = "__Host-daybook_session";
const COOKIE_ATTRIBUTES = "Path=/; HttpOnly; Secure; SameSite=Lax";

export function setSessionCookie(c: Context, secret: string): void {
  c.header("Set-Cookie", `${SESSION_COOKIE}=${secret}; Max-Age=${SESSION_ABSOLUTE_TIMEOUT_MS / 1000}; ${COOKIE_ATTRIBUTES}`, { append: true });
}

export function clearSessionCookie(c: Context): void {
  c.header("Set-Cookie", `${SESSION_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}`, { append: true });
}

export function sessionSecretOf(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Sets `session`, `merchant` and `formToken` when the cookie names a live session of an existing merchant. */
export function loadSession(deps: WebDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("session", undefined);
    c.set("merchant", undefined);
    c.set("formToken", undefined);
    const secret = sessionSecretOf(c);
    if (secret !== undefined) {
      const session = await resumeSession(deps.auth, secret, deps.now());
      const merchant = session && (await deps.store.getMerchant(session.merchantId));
      if (session && merchant) {
        c.set("session", session);
        c.set("merchant", merchant);
        c.set("formToken", formTokenOf(secret));
      } else {
        clearSessionCookie(c);
      }
    }
    await next();
  };
}

export interface SignedIn {
  sessionHash: string;
  merchant: Merchant;
  viewer: Viewer;
}

/**
 * For routes behind sign-in: a page without a session goes to the sign-in page; a POST without one is
 * a 401, and a POST whose form token is not this session's is a 403, before any handler runs.
 */
export function requireSignedIn(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = c.get("session");
    const formToken = c.get("formToken");
    if (!session || !c.get("merchant") || formToken === undefined) {
      if (c.req.method === "POST") throw new SignInRequired();
      return c.redirect("/sign-in", 303);
    }
    if (c.req.method === "POST") {
      const sent = (await formFields(c))[FORM_TOKEN_FIELD];
      if (sent === undefined || !sameSecret(sent, formToken)) throw new RequestRejected(403, "csrf");
    }
    await next();
  };
}

export class SignInRequired extends Error {
  override name = "SignInRequired";
}

/** The signed-in merchant of a route behind requireSignedIn. */
export function signedIn(c: Context<AppEnv>): SignedIn {
  const session = c.get("session");
  const merchant = c.get("merchant");
  const formToken = c.get("formToken");
  if (!session || !merchant || formToken === undefined) throw new SignInRequired();
  return { sessionHash: session.sessionHash, merchant, viewer: viewerFor(merchant, formToken) };
}

/** The viewer for pages that may or may not be signed in (error pages). */
export function viewerOf(c: Context<AppEnv>): Viewer | undefined {
  const merchant = c.get("merchant");
  const formToken = c.get("formToken");
  return merchant && formToken !== undefined ? viewerFor(merchant, formToken) : undefined;
}

function viewerFor(merchant: Merchant, formToken: string): Viewer {
  return { email: merchant.email, formToken, ...(merchant.name.trim() !== "" ? { businessName: merchant.name } : {}) };
}
