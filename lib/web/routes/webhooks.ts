/**
 * Disconnects from the providers' side. None of these requests has a session or comes from a form:
 * Square's webhook is checked by its HMAC signature, Clover's by its auth code, and QuickBooks'
 * disconnect URL (a plain browser redirect anyone could forge) is not trusted at all: daybook asks
 * QuickBooks, with a read under the tokens it holds, and ends only connections QuickBooks refuses.
 * QuickBooks' webhook (checked by its HMAC signature) says a company's chart of accounts changed: the
 * account names its locations show are read again.
 */
import type { Hono } from "hono";
import { sha256Hex } from "../../auth/secrets";
import { PROVIDER_ACCOUNT_ID } from "../../ids";
import { endConnection } from "../../connections/end-connection";
import { reconcilePostingStatus } from "../../locations/posting-status";
import { refreshAccountLabelsOf } from "../../locations/refresh-account-labels";
import { OAuthError } from "../../oauth/provider";
import { QuickBooksError } from "../../quickbooks/types";
import {
  CLOVER_AUTH_HEADER, parseCloverEvent, parseQuickBooksEvent, parseSquareEvent, QUICKBOOKS_SIGNATURE_HEADER, SQUARE_SIGNATURE_HEADER, verifyCloverAuth,
  verifyQuickBooksSignature, verifySquareSignature, WebhookBodyError,
} from "../../oauth/webhook-signatures";
import type { Connection, ProviderName } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { QuickBooksDisconnectPage } from "../pages/messages";
import { connectionDeps } from "./connections";


/** Checks per QuickBooks company per hour: each one is a read of the company at Intuit. */
const QUICKBOOKS_DISCONNECT_CHECKS = { limit: 10, windowSeconds: 3600 };

const realmIdQuery = z.string().check(z.regex(PROVIDER_ACCOUNT_ID.quickbooks));
/** When Square says the authorization ended; only connections made before then are ended by it. */
const squareRevokedAt = z.object({ data: z.object({ object: z.object({ revocation: z.object({ revoked_at: z.iso.datetime({ offset: true }) }) }) }) });

export function addWebhookRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { webhooks } = deps;

  app.post("/webhooks/square", async (c) => {
    // The bytes as received: Request.text() would drop a leading byte-order mark, and the signature covers it.
    const rawBody = Buffer.from(await c.req.arrayBuffer()).toString("utf8");
    const genuine = verifySquareSignature({
      rawBody, signature: c.req.header(SQUARE_SIGNATURE_HEADER), signatureKey: webhooks.squareSignatureKey, notificationUrl: webhooks.squareNotificationUrl,
    });
    if (!genuine) {
      deps.log("warn", "webhook refused: bad signature", { provider: "square" });
      return c.text("The signature does not match.", 401);
    }
    let event;
    try {
      event = parseSquareEvent(rawBody);
    } catch (error) {
      if (!(error instanceof WebhookBodyError)) throw error;
      deps.log("warn", "webhook body not understood", { provider: "square" });
      return c.text("The body is not a Square event.", 400);
    }
    if (event.kind !== "authorization-revoked") return c.text("Ignored.", 200);
    const revoked = squareRevokedAt.safeParse(JSON.parse(rawBody));
    // A signed event can be replayed (the signature has no timestamp): it never ends a later reconnect.
    // Square gives whole seconds, so a connection made within the second of the revocation counts as earlier.
    const madeBefore = revoked.success ? Date.parse(revoked.data.data.object.revocation.revoked_at) + 1000 : Number.POSITIVE_INFINITY;
    const ended = await endProviderConnections(deps, "square", event.merchantId, (connection) => Date.parse(connection.createdAt) < madeBefore);
    deps.log("info", "square authorization revoked", { ended });
    return c.text("OK", 200);
  });

  app.post("/webhooks/clover", async (c) => {
    const rawBody = await c.req.text();
    const genuine = verifyCloverAuth(c.req.header(CLOVER_AUTH_HEADER), webhooks.cloverAuthCode);
    let event;
    try {
      event = parseCloverEvent(rawBody, webhooks.cloverAppId);
    } catch (error) {
      if (!(error instanceof WebhookBodyError)) throw error;
      if (!genuine) return c.text("The X-Clover-Auth code does not match.", 401);
      deps.log("warn", "webhook body not understood", { provider: "clover" });
      return c.text("The body is not a Clover webhook message.", 400);
    }
    // Setting up the URL: Clover posts a one-time code for the developer to paste into its dashboard,
    // before any auth code exists. Answered, acted on in no way, and never logged.
    if (event.kind === "verification") return c.text("OK", 200);
    if (!genuine) {
      deps.log("warn", "webhook refused: bad auth code", { provider: "clover" });
      return c.text("The X-Clover-Auth code does not match.", 401);
    }
    let ended = 0;
    for (const merchantId of event.uninstalledMerchantIds) {
      ended += await endProviderConnections(deps, "clover", merchantId, () => true);
    }
    deps.log("info", "clover app events", { uninstalled: event.uninstalledMerchantIds.length, ended });
    return c.text("OK", 200);
  });

  app.post("/webhooks/quickbooks", async (c) => {
    const verifierToken = webhooks.quickBooksVerifierToken;
    if (!verifierToken) {
      deps.log("warn", "webhook refused: QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN is not set", { provider: "quickbooks" });
      return c.text("QuickBooks webhooks are not set up here.", 404);
    }
    const rawBody = Buffer.from(await c.req.arrayBuffer()).toString("utf8");
    if (!verifyQuickBooksSignature(rawBody, c.req.header(QUICKBOOKS_SIGNATURE_HEADER), verifierToken)) {
      deps.log("warn", "webhook refused: bad signature", { provider: "quickbooks" });
      return c.text("The signature does not match.", 401);
    }
    let event;
    try {
      event = parseQuickBooksEvent(rawBody);
    } catch (error) {
      if (!(error instanceof WebhookBodyError)) throw error;
      deps.log("warn", "webhook body not understood", { provider: "quickbooks" });
      return c.text("The body is not a QuickBooks webhook notification.", 400);
    }
    let refreshed = 0;
    for (const realmId of event.accountsChangedIn) refreshed += await refreshCompanyAccountNames(deps, realmId);
    deps.log("info", "quickbooks accounts changed", { companies: event.accountsChangedIn.length, locationsRefreshed: refreshed });
    return c.text("OK", 200);
  });

  // Intuit's Disconnect URL: the merchant's browser arrives here after disconnecting daybook in QuickBooks.
  app.get("/disconnect/quickbooks", async (c) => {
    const realmId = realmIdQuery.safeParse(c.req.query("realmId"));
    if (!realmId.success) return c.html(QuickBooksDisconnectPage(), 400);
    const { limit, windowSeconds } = QUICKBOOKS_DISCONNECT_CHECKS;
    if (!(await deps.auth.takeRateLimit(`quickbooks-disconnect#${sha256Hex(realmId.data)}`, limit, windowSeconds, deps.now()))) {
      deps.log("warn", "quickbooks disconnect checks rate limited");
      return c.html(QuickBooksDisconnectPage());
    }
    const ended = await endRefusedQuickBooksConnections(deps, realmId.data);
    deps.log("info", "quickbooks disconnect checked", { ended });
    return c.html(QuickBooksDisconnectPage());
  });
}

/** Ends (removes) the daybook connections to the provider account the provider says it disconnected. */
async function endProviderConnections(
  deps: WebDeps, provider: ProviderName, externalId: string, applies: (connection: Connection) => boolean,
): Promise<number> {
  let ended = 0;
  const byMerchant = new Map<string, Connection[]>();
  for (const connection of await deps.store.findConnectionsByExternalId(provider, externalId)) {
    if (!applies(connection)) continue;
    const result = await endConnection(await connectionDeps(deps), connection, { revokeAtProvider: false });
    if (result.ended) ended++;
    byMerchant.set(connection.merchantId, [...(byMerchant.get(connection.merchantId) ?? []), connection]);
  }
  // The locations that needed those connections stop posting, and people are told once.
  for (const [merchantId, connections] of byMerchant) await reconcilePostingStatus(deps, merchantId, connections);
  return ended;
}

/**
 * Asks QuickBooks about each connection of the company with a read of the company through the
 * process's token keeper: the access token in hand, refreshed only when it is due or QuickBooks
 * refuses it (401), as Intuit asks; a forged visit while the tokens work refreshes nothing. A refused
 * refresh (invalid_grant) is the proof of the disconnect and ends the connection (the keeper has told
 * the merchant); tokens that still work stay; a passing failure decides nothing.
 */
async function endRefusedQuickBooksConnections(deps: WebDeps, realmId: string): Promise<number> {
  let ended = 0;
  for (const connection of await deps.store.findConnectionsByExternalId("quickbooks", realmId)) {
    if (connection.status !== "active") continue;
    try {
      await deps.readers.quickBooks(connection).getCompanySettings();
      continue;
    } catch (error) {
      if (!(error instanceof OAuthError || error instanceof QuickBooksError)) throw error;
      // Only the token endpoint's refusal proves the disconnect; any API answer decides nothing.
      if (!(error instanceof OAuthError) || error.kind !== "needs-reconnect") {
        deps.log("warn", "quickbooks disconnect check inconclusive", { connectionId: connection.connectionId, kind: error.kind });
        continue;
      }
    }
    // The keeper marked it needs-reconnect and destroyed the tokens; the merchant did this on purpose.
    const result = await endConnection(await connectionDeps(deps), connection, { revokeAtProvider: false });
    if (result.ended) ended++;
    // The keeper's refusal already stopped the company's locations; this makes sure, and remembers the company for a reconnect.
    await reconcilePostingStatus(deps, connection.merchantId, [connection]);
  }
  return ended;
}

/**
 * Reads the chart of each active connection to the company again and keeps its locations' account
 * names. A chart that cannot be read now is logged and left: the names are read again at the next
 * change, when the mapping is saved, or when QuickBooks refuses an account.
 */
async function refreshCompanyAccountNames(deps: WebDeps, realmId: string): Promise<number> {
  let refreshed = 0;
  for (const connection of await deps.store.findConnectionsByExternalId("quickbooks", realmId)) {
    if (connection.status !== "active") continue;
    try {
      refreshed += await refreshAccountLabelsOf({ store: deps.store, readChart: (company) => deps.readers.quickBooks(company).listActiveAccounts() }, connection);
    } catch (error) {
      deps.log("warn", "account names not refreshed: the chart could not be read", {
        merchantId: connection.merchantId, connectionId: connection.connectionId, error: error instanceof Error ? error.name : "unknown",
      });
    }
  }
  return refreshed;
}
