/**
 * QuickBooks Online as an OAuthProvider, over the intuit-oauth wrapper in lib/quickbooks/oauth.ts
 * (reference/qbo.md §1): the accounting scope, the company's realmId from the callback, refresh
 * tokens that rotate on every refresh (the one replaced keeps working for 24 hours), and revoke, which
 * ends the whole grant. Access tokens live an hour and are refreshed when 5 minutes or less remain.
 */
import { createQuickBooksOAuth, type QuickBooksEndpoints, type QuickBooksEnvironment, type QuickBooksOAuth, type QuickBooksTokens } from "../quickbooks/oauth";
import { MINOR_VERSION, QuickBooksError } from "../quickbooks/types";
import { isProviderAccountId } from "../ids";
import { AccountMismatchError, type Authorization, type AuthorizeRequest, type CallbackQuery, confirmAccount, dueBy, earliestInstant, OAuthError, type OAuthProvider } from "./provider";
import type { StoredTokens } from "./tokens";

export interface QuickBooksProviderOptions {
  clientId: string;
  clientSecret: string;
  /** Must match a redirect URI registered on the app exactly. */
  redirectUri: string;
  environment: QuickBooksEnvironment;
  /** Overrides of Intuit's URLs, e.g. the simulator's. */
  endpoints?: Partial<QuickBooksEndpoints>;
  now?: () => Date;
}

const REFRESH_AHEAD_MS = 5 * 60_000;

export function createQuickBooksProvider(options: QuickBooksProviderOptions): OAuthProvider {
  const now = options.now ?? (() => new Date());
  const oauth: QuickBooksOAuth = createQuickBooksOAuth({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    environment: options.environment,
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    now: () => now().getTime(),
  });

  const stored = (tokens: QuickBooksTokens): StoredTokens => ({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    obtainedAt: now().toISOString(),
  });

  return {
    name: "quickbooks",

    authorizeUrl(request: AuthorizeRequest) {
      if (!request.state) throw new OAuthError("authorizeUrl needs a state to check on the callback", "bug");
      return oauth.authorizeUrl(request.state);
    },

    async exchangeCode(query: CallbackQuery): Promise<Authorization> {
      const declined = query["error"];
      if (declined) {
        const what = declined === "access_denied" ? "The QuickBooks connection was declined" : `QuickBooks did not connect (${declined.slice(0, 40)})`;
        throw new OAuthError(`${what}; connect QuickBooks again to continue.`, "needs-reconnect");
      }
      const realmId = query["realmId"];
      if (!query["code"] || !realmId) throw new OAuthError("The QuickBooks callback has no code or company (realmId); connect QuickBooks again.", "needs-reconnect");
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
      if (!isProviderAccountId("quickbooks", realmId)) throw new OAuthError("The QuickBooks callback names a company id (realmId) QuickBooks does not make; connect QuickBooks again.", "needs-reconnect");
      let connection;
      try {
        connection = await oauth.exchangeCode(`${options.redirectUri}?${params.toString()}`);
      } catch (error) {
        throw asOAuthError(error);
      }
      // The callback's realmId is only what the browser brought back: a token opens one company, and
      // QuickBooks refuses it (401) for any other. (CompanyInfo's own Id is "1", not the realm.)
      const companyInfo = `${oauth.endpoints.apiBase.replace(/\/+$/, "")}/v3/company/${realmId}/companyinfo/${realmId}?minorversion=${MINOR_VERSION}`;
      try {
        await confirmAccount("QuickBooks", companyInfo, connection.accessToken, (body) => typeof (body as { CompanyInfo?: unknown } | null)?.CompanyInfo === "object");
      } catch (error) {
        // Tokens daybook will not keep are given back; they opened some other company, or none.
        if (error instanceof AccountMismatchError) await oauth.revoke(connection.refreshToken).catch(() => undefined);
        throw error;
      }
      return { tokens: stored(connection), externalId: realmId };
    },

    async refresh(tokens: StoredTokens): Promise<StoredTokens> {
      if (!tokens.refreshToken) throw new OAuthError("No QuickBooks refresh token is stored: reconnect QuickBooks in daybook.", "needs-reconnect");
      try {
        return stored(await oauth.refresh(tokens.refreshToken));
      } catch (error) {
        throw asOAuthError(error);
      }
    },

    async revoke(tokens: StoredTokens): Promise<void> {
      // Revoking either token ends the whole grant (qbo.md §1.6); a token already dead counts as revoked.
      try {
        await oauth.revoke(tokens.refreshToken ?? tokens.accessToken);
      } catch (error) {
        throw asOAuthError(error);
      }
    },

    refreshDue(tokens: StoredTokens, at: Date): boolean {
      return dueBy(dueAt(tokens), at);
    },

    refreshDueAt: dueAt,
  };
}

/** Due REFRESH_AHEAD_MS before the access token (1 hour) runs out. */
function dueAt(tokens: StoredTokens): Date | undefined {
  return tokens.accessTokenExpiresAt ? earliestInstant(Date.parse(tokens.accessTokenExpiresAt) - REFRESH_AHEAD_MS) : undefined;
}

/** The wrapper's QuickBooksError (messages built from safe fields only) as an OAuthError. */
function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof QuickBooksError) {
    const kind = error.kind === "needs-reconnect" || error.kind === "retryable" ? error.kind : "bug";
    return new OAuthError(error.message, kind);
  }
  // Not the wrapper's: a fault in daybook. Only the error's name is kept; its fields may hold a request with tokens.
  const name = error instanceof Error ? error.name : typeof error;
  return new OAuthError(`The QuickBooks OAuth call failed unexpectedly (${name}).`, "bug");
}
