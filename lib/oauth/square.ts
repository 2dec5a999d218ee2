/**
 * Square's OAuth, code flow (reference/square.md §1), on the official `square` SDK v46:
 *
 * - authorize: {base}/oauth2/authorize?client_id&scope&state&redirect_uri, with the sync's read-only
 *   scopes; the callback brings `code` and `state`, or `error=access_denied`;
 * - ObtainToken (oAuth.obtainToken) with the authorization_code and refresh_token grants. In the code
 *   flow the refresh token never rotates (the same one comes back) and never expires; access tokens live
 *   30 days, and Square wants a refresh at least every 7 days (§1.4), so tokens are due when 7 days old
 *   or within a day of expiry;
 * - RevokeToken (oAuth.revokeToken) under `Authorization: Client <application secret>` (§1.5), which
 *   ends the whole authorization, whichever of its tokens is named.
 *
 * No request is retried here (the SDK would retry 5xx): the token keeper and the sync decide. The calls
 * (square-tokens.ts) load with the SDK on the first one: the worker's start holds the policy alone.
 */
import { type AuthorizeRequest, dueBy, earliestInstant, OAuthError, type OAuthProvider } from "./provider";
import type { SquareTokenCalls, SquareTokenSettings } from "./square-tokens";
import { onFirstUse } from "../on-first-use";
import type { StoredTokens } from "./tokens";

/** PAYOUTS_READ: each payout posted to the bank (lib/payouts); connections from before it lack it and are asked to reconnect once. */
export const SQUARE_SCOPES = ["ORDERS_READ", "PAYMENTS_READ", "ITEMS_READ", "MERCHANT_PROFILE_READ", "PAYOUTS_READ"] as const;

export const SQUARE_BASE_URLS = {
  production: "https://connect.squareup.com",
  sandbox: "https://connect.squareupsandbox.com",
} as const;

export interface SquareOAuthOptions {
  /** The application id. */
  clientId: string;
  /** The application secret (the code flow's client_secret). */
  clientSecret: string;
  /** Must match the redirect URL registered for the app. */
  redirectUri: string;
  /** Square production or sandbox, or a simulator's URL; default production. */
  baseUrl?: string;
  /** Where the browser goes to consent; default `baseUrl`. */
  authorizeBaseUrl?: string;
  now?: () => Date;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

const DAY_MS = 86_400_000;
const REFRESH_EVERY_MS = 7 * DAY_MS;
const REFRESH_BEFORE_EXPIRY_MS = DAY_MS;

export function createSquareProvider(options: SquareOAuthOptions): OAuthProvider {
  const baseUrl = (options.baseUrl ?? SQUARE_BASE_URLS.production).replace(/\/+$/, "");
  const authorizeBaseUrl = (options.authorizeBaseUrl ?? baseUrl).replace(/\/+$/, "");
  const settings: SquareTokenSettings = {
    clientId: options.clientId, clientSecret: options.clientSecret, redirectUri: options.redirectUri, baseUrl,
    timeoutInSeconds: (options.timeoutMs ?? 15_000) / 1000, now: options.now ?? (() => new Date()),
  };
  const calls = onFirstUse(async (): Promise<SquareTokenCalls> => (await import("./square-tokens")).squareTokenCalls(settings));

  return {
    name: "square",

    authorizeUrl(request: AuthorizeRequest) {
      if (!request.state) throw new OAuthError("authorizeUrl needs a state to check on the callback", "bug");
      const url = new URL(`${authorizeBaseUrl}/oauth2/authorize`);
      url.search = new URLSearchParams({
        client_id: options.clientId,
        scope: SQUARE_SCOPES.join(" "),
        state: request.state,
        redirect_uri: options.redirectUri,
      }).toString();
      return url.toString();
    },

    async exchangeCode(query) {
      return (await calls()).exchangeCode(query);
    },

    async refresh(tokens) {
      return (await calls()).refresh(tokens);
    },

    async revoke(tokens) {
      return (await calls()).revoke(tokens);
    },

    refreshDue(tokens: StoredTokens, at: Date): boolean {
      return dueBy(dueAt(tokens), at);
    },

    refreshDueAt: dueAt,
  };
}

/** Due a week after the tokens were obtained, or a day before the access token runs out, whichever is first. */
function dueAt(tokens: StoredTokens): Date | undefined {
  return earliestInstant(
    tokens.obtainedAt ? Date.parse(tokens.obtainedAt) + REFRESH_EVERY_MS : Number.NaN,
    tokens.accessTokenExpiresAt ? Date.parse(tokens.accessTokenExpiresAt) - REFRESH_BEFORE_EXPIRY_MS : Number.NaN,
  );
}
