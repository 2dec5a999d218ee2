/**
 * Square's seller-facing authorize page (GET /oauth2/authorize), reduced to what a connect flow needs:
 * pick the signed-in seller, Allow or Deny, and a redirect back with `code`, `state` and
 * `response_type=code`, or with `error=access_denied&error_description=user_denied` and `state`.
 */
import type { Env, Hono } from "hono";
import { DEFAULT_AUTHORIZE_SCOPES, type OAuthAuthority } from "./oauth";
import type { SquareData } from "./store";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

const scopesOf = (scope: string | undefined): string[] =>
  scope?.trim() ? scope.split(/[\s+]+/).filter(Boolean) : DEFAULT_AUTHORIZE_SCOPES;

function redirectWith(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export function addAuthorizeRoutes<E extends Env>(app: Hono<E>, oauth: OAuthAuthority, data: SquareData): void {
  app.get("/oauth2/authorize", (c) => {
    const clientId = c.req.query("client_id");
    if (clientId !== oauth.app.applicationId) {
      return c.html(page("Authorization failed", "<p>Unknown application (client_id).</p>"), 400);
    }
    const redirectUri = oauth.redirectUriFor(c.req.query("redirect_uri"));
    if (!redirectUri) {
      return c.html(page("Authorization failed", "<p>The redirect_uri is not registered for this application.</p>"), 400);
    }
    const scopes = scopesOf(c.req.query("scope"));
    const merchants = data.merchantIds();
    if (merchants.length === 0) return c.html(page("Sign in to Square", "<p>No seller account exists in this simulator.</p>"), 400);
    const hidden = (name: string, value: string | undefined) =>
      value === undefined ? "" : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const options = merchants
      .map((id) => `<option value="${escapeHtml(id)}">${escapeHtml(data.businessName(id))} (${escapeHtml(id)})</option>`)
      .join("");
    return c.html(page(
      "Allow access to your Square account?",
      `<p>The application <strong>${escapeHtml(oauth.app.applicationId)}</strong> asks for: ${scopes.map(escapeHtml).join(", ")}.</p>` +
        `<form method="post" action="/oauth2/authorize">` +
        hidden("client_id", clientId) + hidden("scope", scopes.join(" ")) + hidden("state", c.req.query("state")) +
        hidden("redirect_uri", c.req.query("redirect_uri")) +
        `<label>Seller account <select name="merchant_id">${options}</select></label> ` +
        `<button type="submit" name="decision" value="allow">Allow</button> ` +
        `<button type="submit" name="decision" value="deny">Deny</button></form>`,
    ));
  });

  app.post("/oauth2/authorize", async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === "string" ? form[name] : undefined);
    const redirectUri = oauth.redirectUriFor(field("redirect_uri"));
    const merchantId = field("merchant_id");
    if (field("client_id") !== oauth.app.applicationId || !redirectUri || !merchantId || !data.hasMerchant(merchantId)) {
      return c.html(page("Authorization failed", "<p>The authorization request is not valid.</p>"), 400);
    }
    const state = field("state");
    if (field("decision") !== "allow") {
      return c.redirect(redirectWith(redirectUri, { error: "access_denied", error_description: "user_denied", state }), 302);
    }
    const code = oauth.createCode(merchantId, scopesOf(field("scope")), field("redirect_uri"));
    return c.redirect(redirectWith(redirectUri, { code, state, response_type: "code" }), 302);
  });
}
