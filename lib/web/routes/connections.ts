/**
 * Connecting Square, Clover and QuickBooks by OAuth, and disconnecting from daybook's side.
 *
 * Connect: POST /connect/:provider stores a state bound to the session and sends the browser to the
 * provider's consent page. The callback uses the state (single use, 10 minutes, same session, same
 * provider) before anything else; a declined consent, a bad state or a missing code ends on a page
 * that says so, with nothing stored. Connecting an account daybook had before (the same QuickBooks
 * company, the same Square or Clover merchant), even one disconnected, moves every location that used
 * it to the new connection, and they post again (lib/locations/posting-status.ts tells people).
 *
 * Disconnect: GET /connections/:connectionId/disconnect asks first, naming the locations that will stop
 * posting; its button posts to POST /connections/:connectionId/disconnect, which ends the connection.
 */
import { randomUUID } from "node:crypto";
import type { Context, Hono } from "hono";
import { beginOAuthFlow, finishOAuthFlow } from "../../auth/oauth-state";
import { type EndConnectionDeps, endConnection, type EndedConnection } from "../../connections/end-connection";
import { reconcilePostingStatus } from "../../locations/posting-status";
import { CLOVER_CONSENT_REGIONS } from "../../oauth/consent-origins";
import { AccountMismatchError, OAuthError } from "../../oauth/provider";
import { sealTokens } from "../../oauth/tokens";
import { type Connection, type LocationConfig, PROVIDER_NAMES } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { check, connectionIdField, formFields } from "../forms";
import { ConnectionsPage, DisconnectConfirmPage } from "../pages/connections";
import type { Viewer } from "../pages/layout";
import { NotFoundPage, ProblemPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";

const providerName = z.enum(["square", "clover", "quickbooks"]);
const cloverRegionForm = z.object({
  region: z.enum(CLOVER_CONSENT_REGIONS, { error: "Choose where your Clover account is." }),
});
const connectionId = connectionIdField;
/** The outcome of a disconnect, as its redirect names it: fixed words chosen by it, nothing echoed. */
const disconnectedQuery = z.object({
  disconnected: providerName,
  revoke: z.enum(["revoked", "not-revocable", "skipped", "failed"]),
  region: z.optional(z.enum(["us", "eu", "la", "sandbox"])),
});

function endedConnectionOf(query: z.infer<typeof disconnectedQuery>): EndedConnection {
  return { provider: query.disconnected, outcome: query.revoke, ...(query.region ? { region: query.region } : {}) };
}
/** Longer values are not from a provider: state and code are tens of characters. */
const MAX_CALLBACK_VALUE = 2048;

export function addConnectionRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/connections", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const [listed, locations] = await Promise.all([deps.store.listConnections(merchant.merchantId), deps.store.listLocations(merchant.merchantId)]);
    const connections = await withAccountNames(deps, listed);
    const connected = providerName.safeParse(c.req.query("connected"));
    const ended = disconnectedQuery.safeParse(c.req.query());
    const notice = connected.success ? `${PROVIDER_NAMES[connected.data]} is connected.` : undefined;
    return c.html(ConnectionsPage({
      viewer, connections, hasLocations: locations.length > 0, ...(notice ? { notice } : {}),
      ...(ended.success ? { disconnected: { ended: endedConnectionOf(ended.data), cloverAppId: deps.webhooks.cloverAppId } } : {}),
    }));
  });

  app.post("/connect/:provider", requireSignedIn(), async (c) => {
    const { merchant, sessionHash, viewer } = signedIn(c);
    const provider = providerName.safeParse(c.req.param("provider"));
    if (!provider.success) return c.html(NotFoundPage({ viewer }), 404);
    let region: string | undefined;
    if (provider.data === "clover") {
      const form = check(cloverRegionForm, await formFields(c));
      if (!form.ok) {
        const connections = await deps.store.listConnections(merchant.merchantId);
        return c.html(ConnectionsPage({ viewer, connections, regionError: form.errors["region"] ?? "Choose where your Clover account is." }), 400);
      }
      region = form.value.region;
    }
    const state = await beginOAuthFlow(deps.auth, { sessionHash, merchantId: merchant.merchantId, provider: provider.data, region, now: deps.now() });
    return c.redirect((await deps.providers())[provider.data].authorizeUrl({ state, ...(region !== undefined ? { region } : {}) }), 303);
  });

  app.get("/connect/:provider/callback", requireSignedIn(), async (c) => {
    const { merchant, sessionHash, viewer } = signedIn(c);
    const provider = providerName.safeParse(c.req.param("provider"));
    if (!provider.success) return c.html(NotFoundPage({ viewer }), 404);
    const name = PROVIDER_NAMES[provider.data];
    const query = c.req.query();
    if (Object.values(query).some((value) => value.length > MAX_CALLBACK_VALUE)) return connectProblem(c, viewer, name, "bad-request");

    // The state first, whatever else the redirect says: it is spent even when the consent was declined.
    const flow = await finishOAuthFlow(deps.auth, { sessionHash, merchantId: merchant.merchantId, provider: provider.data, state: query["state"], now: deps.now() });
    if (!flow) {
      deps.log("warn", "oauth callback with an unknown, used, expired or foreign state", { provider: provider.data });
      return connectProblem(c, viewer, name, "state");
    }
    if (query["error"] !== undefined) return connectProblem(c, viewer, name, "declined");
    if (!query["code"]) return connectProblem(c, viewer, name, "no-code");

    let authorization;
    try {
      authorization = await (await deps.providers())[provider.data].exchangeCode(query, flow.region);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const mismatch = error instanceof AccountMismatchError;
      deps.log("warn", mismatch ? "oauth callback named an account its tokens are not for" : "oauth code exchange failed", { provider: provider.data, kind: error.kind });
      return connectProblem(c, viewer, name, mismatch ? "mismatch" : error.kind === "retryable" ? "unavailable" : "refused");
    }

    const at = deps.now().toISOString();
    const identity = { merchantId: merchant.merchantId, provider: provider.data, connectionId: randomUUID() };
    const region = authorization.region ?? flow.region;
    const connection = await deps.store.putConnection({
      ...identity,
      status: "active",
      externalId: authorization.externalId,
      tokenCiphertext: await sealTokens(deps.vault, identity, authorization.tokens),
      ...(region !== undefined ? { region } : {}),
      ...(authorization.grantedScopes ? { grantedScopes: authorization.grantedScopes } : {}),
      createdAt: at,
      updatedAt: at,
    });
    await captureAccountName(deps, connection);
    await replaceEarlierConnections(deps, connection);
    await reconcilePostingStatus(deps, merchant.merchantId);
    if (connection.provider === "quickbooks") await keepCompanySettings(deps, connection);
    deps.log("info", "connection created", { merchantId: merchant.merchantId, provider: provider.data, connectionId: connection.connectionId });
    return c.redirect(`/connections?connected=${provider.data}`, 303);
  });

  app.get("/connections/:connectionId/disconnect", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const id = connectionId.safeParse(c.req.param("connectionId"));
    const connection = id.success ? await deps.store.getConnection(merchant.merchantId, id.data) : undefined;
    if (!connection) return c.html(NotFoundPage({ viewer }), 404);
    const locations = (await deps.store.listLocations(merchant.merchantId))
      .filter((location) => location.posConnectionId === connection.connectionId || location.quickbooksConnectionId === connection.connectionId);
    return c.html(DisconnectConfirmPage({ viewer, connection, locations }));
  });

  app.post("/connections/:connectionId/disconnect", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const id = connectionId.safeParse(c.req.param("connectionId"));
    // Looked up under the signed-in merchant only: another merchant's id is simply not found.
    const connection = id.success ? await deps.store.getConnection(merchant.merchantId, id.data) : undefined;
    if (!connection) return c.html(NotFoundPage({ viewer }), 404);
    const ended = await endConnection(await connectionDeps(deps), connection, { revokeAtProvider: true });
    deps.log(ended.revoke.outcome === "failed" ? "warn" : "info", "connection ended by the merchant", {
      merchantId: merchant.merchantId, provider: connection.provider, connectionId: connection.connectionId, revoke: ended.revoke.outcome,
    });
    // Its locations stop (one email), remembering the account: connecting it again resumes them.
    await reconcilePostingStatus(deps, merchant.merchantId, [connection]);
    const outcome = new URLSearchParams({ disconnected: connection.provider, revoke: ended.revoke.outcome, ...(connection.region ? { region: connection.region } : {}) });
    return c.redirect(`/connections?${outcome.toString()}`, 303);
  });
}

/**
 * A QuickBooks company's settings (home currency, multicurrency), kept on the connection so the nightly
 * sync reads nothing from QuickBooks. Best effort: a company that does not answer now has them read at
 * its first sync instead.
 */
async function keepCompanySettings(deps: WebDeps, connection: Connection): Promise<void> {
  try {
    const settings = await deps.readers.quickBooks(connection).getCompanySettings();
    await deps.store.setConnectionCompany(connection.merchantId, connection.connectionId, { ...settings, readAt: deps.now().toISOString() });
  } catch (error) {
    deps.log("warn", "the QuickBooks company's settings could not be read at connect; the first sync reads them", {
      merchantId: connection.merchantId, connectionId: connection.connectionId, error: error instanceof Error ? error.name : "unknown",
    });
  }
}

/** How long connecting, or the connections page, waits for an account's name before going on without it. */
const NAME_WAIT_MS = 3000;

/**
 * Reads the connected account's name with the connection's tokens and keeps it (Connection.accountName),
 * so pages name the account rather than show its id. A name that cannot be read now is read when the
 * connections page is next shown. Returns the name, if read.
 */
async function captureAccountName(deps: WebDeps, connection: Connection): Promise<string | undefined> {
  try {
    const name = (await Promise.race([deps.readers.accountName(connection), timeout(NAME_WAIT_MS)])).trim().slice(0, 200);
    if (name === "") return undefined;
    await deps.store.setConnectionAccountName(connection.merchantId, connection.connectionId, name);
    return name;
  } catch (error) {
    deps.log("warn", "the connected account's name could not be read", {
      merchantId: connection.merchantId, provider: connection.provider, connectionId: connection.connectionId, error: error instanceof Error ? error.name : "unknown",
    });
    return undefined;
  }
}

const timeout = (ms: number) => new Promise<never>((_, reject) => {
  setTimeout(() => { reject(new Error(`no answer within ${String(ms)} ms`)); }, ms).unref();
});

/** Active connections made before daybook kept their names get them now, each read once and kept. */
async function withAccountNames(deps: WebDeps, connections: Connection[]): Promise<Connection[]> {
  return Promise.all(connections.map(async (connection) => {
    if (connection.accountName !== undefined || connection.status !== "active") return connection;
    const accountName = await captureAccountName(deps, connection);
    return accountName === undefined ? connection : { ...connection, accountName };
  }));
}

export async function connectionDeps(deps: WebDeps): Promise<EndConnectionDeps> {
  return { store: deps.store, vault: deps.vault, providers: await deps.providers() };
}

/**
 * A reconnect to the same provider account makes a new connection; the merchant's locations that used
 * an earlier connection of that account (still stored, or removed by a disconnect and remembered by the
 * stopped location) move to it, so they post again. The earlier ones still stored end here (removed
 * with their tokens, not revoked at the provider: Square revokes every token of the seller and app at
 * once, which would take the new connection with it).
 */
async function replaceEarlierConnections(deps: WebDeps, connection: Connection): Promise<void> {
  const earlier = (await deps.store.listConnections(connection.merchantId)).filter(
    (other) => other.connectionId !== connection.connectionId && other.provider === connection.provider && other.externalId === connection.externalId,
  );
  const replaced = new Set(earlier.map((other) => other.connectionId));
  const sameAccount = (location: LocationConfig) =>
    location.postingStopped?.accounts?.some((account) => account.provider === connection.provider && account.externalId === connection.externalId) ?? false;
  for (const location of await deps.store.listLocations(connection.merchantId)) {
    const remembered = sameAccount(location);
    const pos = replaced.has(location.posConnectionId) || (remembered && location.source === connection.provider);
    const books = replaced.has(location.quickbooksConnectionId) || (remembered && connection.provider === "quickbooks");
    if (!pos && !books) continue;
    await deps.store.putLocation({
      ...location,
      ...(pos ? { posConnectionId: connection.connectionId } : {}),
      ...(books ? { quickbooksConnectionId: connection.connectionId } : {}),
      updatedAt: deps.now().toISOString(),
    });
  }
  for (const other of earlier) {
    await endConnection(await connectionDeps(deps), other, { revokeAtProvider: false });
  }
}

type ConnectProblem = "bad-request" | "state" | "declined" | "no-code" | "refused" | "mismatch" | "unavailable";

function connectProblem(c: Context<AppEnv>, viewer: Viewer, provider: string, problem: ConnectProblem) {
  const text: Record<ConnectProblem, { title: string; body: string }> = {
    "bad-request": { title: `${provider} was not connected`, body: `The answer from ${provider} was not one daybook understands. Nothing was saved.` },
    state: {
      title: `${provider} was not connected`,
      body: `This connection attempt has expired, was already used, or was started in another browser or session. Nothing was saved. Start again from your connections page; a connection attempt lasts 10 minutes.`,
    },
    declined: { title: `${provider} was not connected`, body: `You declined the request in ${provider}, so daybook has no access. Nothing was saved.` },
    "no-code": { title: `${provider} was not connected`, body: `${provider} did not send back an authorization. Nothing was saved.` },
    refused: { title: `${provider} was not connected`, body: `${provider} did not accept the authorization. Nothing was saved.` },
    mismatch: {
      title: `${provider} was not connected`,
      body: `The answer from ${provider} named another account than the one its authorization is for, so daybook did not trust it. Nothing was saved. Start again from your connections page.`,
    },
    unavailable: { title: `${provider} did not answer`, body: `daybook could not reach ${provider} to finish connecting. Nothing was saved; please try again in a few minutes.` },
  };
  const { title, body } = text[problem];
  return c.html(ProblemPage({ title, viewer, next: { href: "/connections", label: "Back to your connections" }, children: body }), problem === "unavailable" ? 502 : 400);
}
