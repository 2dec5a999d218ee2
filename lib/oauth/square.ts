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
 * No request is retried here (the SDK would retry 5xx): the token keeper and the sync decide.
 */
import type * as SquareSdk from "square";
import { loadSquareSdk } from "../pos/square/sdk";
import * as z from "zod/mini";
import { isProviderAccountId } from "../ids";
import { type Authorization, type AuthorizeRequest, type CallbackQuery, dueBy, earliestInstant, OAuthError, type OAuthProvider } from "./provider";
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

/** What daybook needs of an ObtainToken answer (the SDK's camelCase). */
const obtainTokenResponse = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.optional(z.string()),
  expiresAt: z.string(),
  merchantId: z.optional(z.string()),
});

type Action = "connect" | "refresh" | "disconnect";

const ACTION_WORDS: Record<Action, string> = {
  connect: "connect the merchant",
  refresh: "refresh the access token",
  disconnect: "revoke the authorization",
};

export function createSquareProvider(options: SquareOAuthOptions): OAuthProvider {
  const now = options.now ?? (() => new Date());
  const baseUrl = (options.baseUrl ?? SQUARE_BASE_URLS.production).replace(/\/+$/, "");
  const authorizeBaseUrl = (options.authorizeBaseUrl ?? baseUrl).replace(/\/+$/, "");
  const timeoutInSeconds = (options.timeoutMs ?? 15_000) / 1000;

  // No bearer auth (not even SQUARE_TOKEN from the environment): ObtainToken needs none, and RevokeToken
  // sends its own `Client <secret>` header.
  const client = async () => new (await loadSquareSdk()).SquareClient({ baseUrl, auth: false, timeoutInSeconds, maxRetries: 0 });

  async function obtainToken(action: Action, request: SquareSdk.Square.ObtainTokenRequest): Promise<z.infer<typeof obtainTokenResponse>> {
    const sdk = await loadSquareSdk();
    let answer: unknown;
    try {
      answer = await (await client()).oAuth.obtainToken(request, { maxRetries: 0 });
    } catch (error) {
      throw failure(sdk, error, action);
    }
    const parsed = obtainTokenResponse.safeParse(answer);
    if (!parsed.success) throw new OAuthError(`Square answered the request to ${ACTION_WORDS[action]} without usable tokens; try again later.`, "retryable");
    return parsed.data;
  }

  const storedTokens = (token: z.infer<typeof obtainTokenResponse>, refreshToken: string | undefined): StoredTokens => ({
    accessToken: token.accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    accessTokenExpiresAt: new Date(token.expiresAt).toISOString(),
    obtainedAt: now().toISOString(),
  });

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

    async exchangeCode(query: CallbackQuery): Promise<Authorization> {
      const declined = query["error"];
      if (declined) {
        const what = declined === "access_denied" ? "The Square connection was declined" : `Square did not connect (${declined.slice(0, 40)})`;
        throw new OAuthError(`${what}; connect Square again to continue.`, "needs-reconnect");
      }
      const code = query["code"];
      if (!code) throw new OAuthError("The Square callback has no authorization code; connect Square again.", "needs-reconnect");
      const token = await obtainToken("connect", {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        grantType: "authorization_code",
        code,
        redirectUri: options.redirectUri,
      });
      // The merchant id names the connection in the table's keys: anything but a Square merchant id is no answer.
      if (!token.refreshToken || !token.merchantId || !isProviderAccountId("square", token.merchantId)) {
        throw new OAuthError("Square answered the code exchange without a refresh token or merchant id; connect Square again.", "retryable");
      }
      // Square grants every scope asked for, or none (the merchant declines the whole request).
      return { tokens: storedTokens(token, token.refreshToken), externalId: token.merchantId, grantedScopes: [...SQUARE_SCOPES] };
    },

    async refresh(tokens: StoredTokens): Promise<StoredTokens> {
      if (!tokens.refreshToken) throw new OAuthError("No Square refresh token is stored: reconnect Square in daybook.", "needs-reconnect");
      const token = await obtainToken("refresh", {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        grantType: "refresh_token",
        refreshToken: tokens.refreshToken,
      });
      // The code flow gives the same refresh token back; keep ours if the answer leaves it out.
      return storedTokens(token, token.refreshToken ?? tokens.refreshToken);
    },

    async revoke(tokens: StoredTokens): Promise<void> {
      const sdk = await loadSquareSdk();
      try {
        await (await client()).oAuth.revokeToken(
          { clientId: options.clientId, accessToken: tokens.accessToken },
          { headers: { Authorization: `Client ${options.clientSecret}` }, maxRetries: 0 },
        );
      } catch (error) {
        // Square no longer knows the token: the authorization is already gone.
        if (error instanceof sdk.SquareError && error.statusCode === 404) return;
        throw failure(sdk, error, "disconnect");
      }
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

/** An OAuthError from what the SDK threw; only the status and Square's error code are repeated. */
function failure(sdk: typeof SquareSdk, error: unknown, action: Action): OAuthError {
  const what = ACTION_WORDS[action];
  if (error instanceof sdk.SquareTimeoutError) {
    return new OAuthError(`Square did not answer the request to ${what} in time; try again later.`, "retryable");
  }
  if (!(error instanceof sdk.SquareError)) {
    return new OAuthError(`The request to ${what} at Square failed before an answer came; try again later.`, "retryable");
  }
  const status = error.statusCode;
  const rawCode = error.errors[0]?.code;
  const code = rawCode && /^[A-Za-z_.]{1,60}$/.test(rawCode) ? rawCode : undefined;
  const said = `HTTP ${status ?? "without status"}${code ? `, ${code}` : ""}`;
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return new OAuthError(`Square's OAuth service failed while trying to ${what} (${said}); try again later.`, "retryable");
  }
  // ObtainToken's 400s: a refresh token of a revoked authorization ("cannot renew revoked token"), an
  // unknown refresh token, or a spent or expired code. Each needs the merchant to connect again.
  if (status === 400 && action !== "disconnect") {
    return new OAuthError(`Square no longer accepts daybook's authorization (${said}) while trying to ${what}: reconnect Square in daybook.`, "needs-reconnect");
  }
  if (status === 401) {
    return new OAuthError(`Square rejected daybook's application credentials while trying to ${what} (${said}): check the application id and secret.`, "bug");
  }
  return new OAuthError(`Square refused to ${what} (${said}).`, "bug");
}
