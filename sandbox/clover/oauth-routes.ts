/**
 * The Clover simulator's OAuth routes (reference/clover.md §1.2–1.4; oauth.ts keeps the grants):
 *
 * - GET /oauth/v2/authorize?client_id&redirect_uri&state&response_type=code: the merchant's consent
 *   page (pick the signed-in merchant, Approve or Deny). Approve redirects to the redirect URI with
 *   `merchant_id`, `client_id`, `code` and `state`, as Clover's callback does
 *   (https://docs.clover.com/dev/docs/high-trust-app-auth-flow, step 2); Deny with
 *   `error=access_denied` and `state`.
 * - POST /oauth/v2/token, /oauth/v2/refresh, /oauth/v2/recovery: JSON in, JSON out.
 *
 * One simulator stands for every region, so the authorize page and the API share its one host.
 */
import type { Context, Env, Hono } from "hono";
import { html } from "hono/html";
import { badRequest } from "./api-error";
import type { CloverOAuth } from "./oauth";
import type { CloverData } from "./store";

export const CLOVER_OAUTH_PATHS = {
  authorize: "/oauth/v2/authorize",
  decision: "/oauth/v2/authorize/decision",
  token: "/oauth/v2/token",
  refresh: "/oauth/v2/refresh",
  recovery: "/oauth/v2/recovery",
} as const;

function redirectTo(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

function errorPage<E extends Env>(c: Context<E>, message: string) {
  return c.html(html`<!doctype html><title>Clover simulator: authorization error</title><h1>Authorization error</h1><p>${message}</p>`, 400);
}

async function jsonBody<E extends Env>(c: Context<E>): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw badRequest("The body must be JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("The body must be a JSON object.");
  return body as Record<string, unknown>;
}

export function registerCloverOAuthRoutes<E extends Env>(app: Hono<E>, oauth: CloverOAuth, data: CloverData): void {
  const problemWith = (clientId: string, redirectUri: string): string | undefined => {
    if (clientId !== oauth.app.appId) return "The client_id is not a Clover app.";
    if (!oauth.redirectUriAllowed(redirectUri)) return "The redirect_uri is not registered for this app.";
    return undefined;
  };

  app.get(CLOVER_OAUTH_PATHS.authorize, (c) => {
    const clientId = c.req.query("client_id") ?? "";
    const redirectUri = c.req.query("redirect_uri") ?? "";
    const state = c.req.query("state") ?? "";
    const responseType = c.req.query("response_type");
    if (responseType !== undefined && responseType !== "code") return errorPage(c, "Only response_type=code is supported.");
    const problem = problemWith(clientId, redirectUri);
    if (problem) return errorPage(c, problem);
    const merchants = data.merchantIds();
    if (merchants.length === 0) return errorPage(c, "No merchant exists in this simulator.");
    return c.html(html`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Clover (simulator): allow the app?</title></head>
  <body>
    <h1>Allow ${clientId} to access your Clover business?</h1>
    <form method="post" action="${CLOVER_OAUTH_PATHS.decision}">
      <input type="hidden" name="client_id" value="${clientId}" />
      <input type="hidden" name="redirect_uri" value="${redirectUri}" />
      <input type="hidden" name="state" value="${state}" />
      <label>Merchant
        <select name="merchant_id">
          ${merchants.map((id) => html`<option value="${id}">${data.merchant(id)?.name ?? id} (${id})</option>`)}
        </select>
      </label>
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
  </body>
</html>`);
  });

  app.post(CLOVER_OAUTH_PATHS.decision, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const clientId = form.get("client_id") ?? "";
    const redirectUri = form.get("redirect_uri") ?? "";
    const state = form.get("state") || undefined;
    const problem = problemWith(clientId, redirectUri);
    if (problem) return errorPage(c, problem);
    if (form.get("decision") !== "approve") return c.redirect(redirectTo(redirectUri, { error: "access_denied", state }), 302);
    const merchantId = form.get("merchant_id") ?? "";
    if (!data.merchant(merchantId)) return errorPage(c, "There is no such merchant.");
    const code = oauth.createCode(merchantId);
    return c.redirect(redirectTo(redirectUri, { merchant_id: merchantId, client_id: clientId, code, state }), 302);
  });

  app.post(CLOVER_OAUTH_PATHS.token, async (c) => c.json(oauth.exchangeCode(await jsonBody(c))));
  app.post(CLOVER_OAUTH_PATHS.refresh, async (c) => c.json(oauth.refresh(await jsonBody(c))));
  app.post(CLOVER_OAUTH_PATHS.recovery, async (c) => c.json(oauth.recover(await jsonBody(c))));
}
