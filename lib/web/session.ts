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
import { type AccessRole, businessNameOf } from "../members/types";
import type { Merchant } from "../model";
import type { AppEnv, WebDeps } from "./deps";
import { FORM_TOKEN_FIELD, formFields } from "./form-body";
import type { Viewer } from "./pages/layout";
import { RequestRejected } from "./security";
import { signInAddress } from "./return-path";

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

/** Everything the session middleware sets, cleared: an anonymous request. */
export function clearSignedIn(c: Context<AppEnv>): void {
  c.set("session", undefined);
  c.set("merchant", undefined);
  c.set("person", undefined);
  c.set("role", undefined);
  c.set("hasClients", false);
  c.set("accessEnded", false);
  c.set("formToken", undefined);
}

/**
 * Sets `session`, `person` (who is signed in), `merchant` (the business worked on: the person's own,
 * or the one the session acts for) with the person's `role` in it, and `formToken`, when the cookie
 * names a live session of an existing person. An access the session acts for is checked again on
 * every request: when it has ended, the session falls back to the person's own account and
 * `accessEnded` is set, so the request is refused (lib/web/roles.ts) rather than served.
 */
export function loadSession(deps: WebDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    clearSignedIn(c);
    const secret = sessionSecretOf(c);
    if (secret !== undefined) {
      const session = await resumeSession(deps.auth, secret, deps.now());
      // Whether the person has clients is for their own desk's menu: at a client's, the menu has Clients anyway.
      const atClient = session?.actingFor !== undefined && session.actingFor !== session.merchantId;
      const [person, ownDeskClients] = session
        ? await Promise.all([deps.store.getMerchant(session.merchantId), atClient ? false : deps.store.hasClients(session.merchantId)])
        : [undefined, false];
      let hasClients = ownDeskClients;
      if (session && person) {
        let merchant = person;
        let role: AccessRole = "owner";
        let current = session;
        if (session.actingFor !== undefined && session.actingFor !== person.merchantId) {
          const [membership, business] = await Promise.all([
            deps.members.getMembership(person.merchantId, session.actingFor),
            deps.store.getMerchant(session.actingFor),
          ]);
          if (membership && business) {
            merchant = business;
            role = "accountant";
          } else {
            await deps.auth.setActingFor(session.sessionHash, person.merchantId, undefined);
            const { actingFor: _ended, ...rest } = session;
            current = rest;
            c.set("accessEnded", true);
            hasClients = await deps.store.hasClients(person.merchantId);
          }
        }
        c.set("session", current);
        c.set("person", person);
        c.set("merchant", merchant);
        c.set("role", role);
        c.set("hasClients", hasClients);
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
  /** The business worked on (the person's own, or one that gave them access). */
  merchant: Merchant;
  /** Who is signed in. */
  person: Merchant;
  role: AccessRole;
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
      const url = new URL(c.req.url);
      return c.redirect(signInAddress(`${url.pathname}${url.search}`), 303);
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

/** The signed-in person and the business they work on, for a route behind requireSignedIn. */
export function signedIn(c: Context<AppEnv>): SignedIn {
  const session = c.get("session");
  const merchant = c.get("merchant");
  const person = c.get("person");
  const role = c.get("role");
  const viewer = viewerOf(c);
  if (!session || !merchant || !person || !role || !viewer) throw new SignInRequired();
  return { sessionHash: session.sessionHash, merchant, person, role, viewer };
}

/** The viewer for pages that may or may not be signed in (error pages). */
export function viewerOf(c: Context<AppEnv>): Viewer | undefined {
  const merchant = c.get("merchant");
  const person = c.get("person");
  const formToken = c.get("formToken");
  if (!merchant || !person || formToken === undefined) return undefined;
  // Times are shown in the zone of the business worked on: an accountant reads the client's books in the client's hours.
  const timeZone = merchant.timeZone === undefined ? {} : { timeZone: merchant.timeZone };
  if (c.get("role") === "accountant") return { email: person.email, formToken, role: "accountant", businessName: businessNameOf(merchant), ...timeZone };
  return {
    email: person.email, formToken, role: "owner", ...(merchant.name.trim() !== "" ? { businessName: merchant.name } : {}), ...timeZone,
    ...(c.get("hasClients") ? { hasClients: true } : {}),
  };
}
