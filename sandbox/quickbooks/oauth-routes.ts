/**
 * Intuit's OAuth endpoints, enough for intuit-oauth (qbo.md §1.3–1.7): the authorize page (Approve or
 * Deny, then a redirect to the app), the token endpoint (authorization_code and refresh_token grants,
 * form-encoded, Basic client authentication) and the revoke endpoint (JSON {token}).
 */
import { randomInt } from "node:crypto";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { OAuthProblem } from "./faults";
import type { SimulatorEnv, SimulatorState } from "./state";

export const OAUTH_PATHS = {
  authorize: "/connect/oauth2",
  decision: "/connect/oauth2/decision",
  token: "/oauth2/v1/tokens/bearer",
  revoke: "/v2/oauth2/tokens/revoke",
} as const;

const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

function clientAuthenticated(state: SimulatorState, header: string | undefined): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  return Buffer.from(match[1], "base64").toString("utf8") === `${state.clientId}:${state.clientSecret}`;
}

function requireClient(state: SimulatorState, c: Context<SimulatorEnv>): void {
  if (!clientAuthenticated(state, c.req.header("Authorization"))) throw new OAuthProblem(401, "invalid_client");
}

function redirectUriAllowed(state: SimulatorState, redirectUri: string): boolean {
  if (state.redirectUris) return state.redirectUris.includes(redirectUri);
  return URL.canParse(redirectUri) && /^https?:$/.test(new URL(redirectUri).protocol);
}

function redirectTo(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string | undefined;
}

/** Problems Intuit shows on its own page rather than redirecting (an unknown client or redirect URI). */
function authorizeProblem(state: SimulatorState, request: AuthorizeRequest): string | undefined {
  if (request.clientId !== state.clientId) return "The client_id is not a registered app.";
  if (!redirectUriAllowed(state, request.redirectUri)) return "The redirect_uri is not registered for this app.";
  if (!request.scope.split(" ").includes(ACCOUNTING_SCOPE)) return `The scope must include ${ACCOUNTING_SCOPE}.`;
  return undefined;
}

function errorPage(c: Context<SimulatorEnv>, message: string) {
  return c.html(html`<!doctype html><title>QuickBooks simulator: authorization error</title><h1>Authorization error</h1><p>${message}</p>`, 400);
}

export function registerOAuthRoutes(app: Hono<SimulatorEnv>, state: SimulatorState): void {
  app.get(OAUTH_PATHS.authorize, (c) => {
    const request: AuthorizeRequest = {
      clientId: c.req.query("client_id") ?? "",
      redirectUri: c.req.query("redirect_uri") ?? "",
      scope: c.req.query("scope") ?? "",
      state: c.req.query("state"),
    };
    if (c.req.query("response_type") !== "code") return errorPage(c, "response_type must be code.");
    const problem = authorizeProblem(state, request);
    if (problem) return errorPage(c, problem);
    const companies = [...state.companies.values()];
    return c.html(html`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Connect to QuickBooks (simulator)</title></head>
  <body>
    <h1>Connect your QuickBooks company</h1>
    <form method="post" action="${OAUTH_PATHS.decision}">
      <input type="hidden" name="client_id" value="${request.clientId}" />
      <input type="hidden" name="redirect_uri" value="${request.redirectUri}" />
      <input type="hidden" name="scope" value="${request.scope}" />
      <input type="hidden" name="state" value="${request.state ?? ""}" />
      ${companies.length === 0
        ? html`<p>No company yet: approving creates one.</p>`
        : html`<label>Company
            <select name="realmId">
              ${companies.map((company) => html`<option value="${company.realmId}">${company.companyName}</option>`)}
            </select>
          </label>`}
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
  </body>
</html>`);
  });

  app.post(OAUTH_PATHS.decision, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const request: AuthorizeRequest = {
      clientId: form.get("client_id") ?? "",
      redirectUri: form.get("redirect_uri") ?? "",
      scope: form.get("scope") ?? "",
      state: form.get("state") || undefined,
    };
    const problem = authorizeProblem(state, request);
    if (problem) return errorPage(c, problem);
    if (form.get("decision") !== "approve") {
      return c.redirect(redirectTo(request.redirectUri, { error: "access_denied", state: request.state }), 302);
    }
    const chosen = form.get("realmId");
    let realmId: string;
    if (chosen) {
      if (!state.companies.has(chosen)) return errorPage(c, `There is no company ${chosen}.`);
      realmId = chosen;
    } else {
      realmId = `9130${String(randomInt(0, 1e12)).padStart(12, "0")}`;
      state.addCompany({ realmId, companyName: `Sandbox Company ${state.companies.size + 1}` });
    }
    const code = state.tokens.createCode(realmId, request.redirectUri);
    return c.redirect(redirectTo(request.redirectUri, { code, state: request.state, realmId }), 302);
  });

  app.post(OAUTH_PATHS.token, async (c) => {
    requireClient(state, c);
    if (!(c.req.header("Content-Type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      throw new OAuthProblem(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(await c.req.text());
    const includeHardExpiry = c.req.header("x-include-refresh-token-hard-expires-in") === "true";
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = form.get("code");
      const redirectUri = form.get("redirect_uri");
      if (!code || !redirectUri) throw new OAuthProblem(400, "invalid_request", "code and redirect_uri are required");
      return c.json(state.tokens.exchangeCode(code, redirectUri, includeHardExpiry));
    }
    if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw new OAuthProblem(400, "invalid_request", "refresh_token is required");
      return c.json(state.tokens.refresh(refreshToken, includeHardExpiry));
    }
    throw new OAuthProblem(400, "unsupported_grant_type");
  });

  app.post(OAUTH_PATHS.revoke, async (c) => {
    requireClient(state, c);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new OAuthProblem(400, "invalid_request", "the body must be JSON: {\"token\": \"...\"}");
    }
    const token = typeof body === "object" && body !== null && "token" in body ? body.token : undefined;
    if (typeof token !== "string" || !token) throw new OAuthProblem(400, "invalid_request", "token is required");
    state.tokens.revoke(token);
    return c.json({});
  });
}
