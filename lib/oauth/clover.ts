/**
 * Clover's v2 OAuth for a high-trust app (reference/clover.md §1.2–1.4), on fetch:
 *
 * - authorize: https://{authorize host}/oauth/v2/authorize?client_id&redirect_uri&state&response_type=code;
 *   the callback brings `merchant_id`, `client_id`, `code` and `state`;
 * - POST https://{API host}/oauth/v2/token {client_id, client_secret, code};
 * - POST /oauth/v2/refresh {client_id, refresh_token}: the refresh token is single use, so every refresh
 *   rotates it (the token keeper makes sure only one worker ever spends one);
 * - POST /oauth/v2/recovery: the refresh token that was spent to make the current one buys a new pair
 *   while the current one is unused (up to 2 weeks). Clover names the endpoint but shows no body
 *   (https://docs.clover.com/dev/docs/refresh-access-tokens, /high-trust-app-auth-flow); daybook sends
 *   the refresh body plus the client secret, since the endpoint is for high-trust apps only.
 * - expirations come as Unix seconds.
 *
 * The merchant's region decides both hosts. Clover has no revoke endpoint (§1.7), so this provider has
 * no revoke: ending a connection deletes daybook's tokens (the refresh token with them, so daybook never
 * refreshes again), but the access token works until the merchant uninstalls daybook in Clover
 * (cloverAppManagementUrl), which daybook hears about through the app-uninstall webhook.
 */
import { CLOVER_API_HOSTS, type CloverRegion } from "../pos/clover/hosts";
import * as z from "zod/mini";
import { isProviderAccountId } from "../ids";
import { CLOVER_AUTHORIZE_HOSTS } from "./consent-origins";
import { type Authorization, type AuthorizeRequest, type CallbackQuery, confirmAccount, dueBy, earliestInstant, OAuthError, type OAuthProvider } from "./provider";
import type { StoredTokens } from "./tokens";


export interface CloverOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The region an authorize request or token call names none of. Default "us". */
  defaultRegion?: CloverRegion;
  /** One base URL standing in for every region's authorize and API hosts: a simulator. */
  hostsOverride?: string;
  now?: () => Date;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

const REFRESH_AHEAD_MS = 5 * 60_000;

const tokenResponse = z.object({
  access_token: z.string().check(z.minLength(1)),
  access_token_expiration: z.number(),
  refresh_token: z.string().check(z.minLength(1)),
  refresh_token_expiration: z.number(),
});

const isRegion = (region: string): region is CloverRegion => Object.hasOwn(CLOVER_API_HOSTS, region);

/**
 * Where a merchant uninstalls daybook: daybook's page in their region's Clover App Market, which
 * offers Uninstall for an installed app (also reached in the Clover dashboard: More Tools, Installed
 * Apps). The only way to end daybook's Clover access for good.
 */
export function cloverAppManagementUrl(region: string | undefined, appId: string): string {
  const host = region !== undefined && isRegion(region) ? CLOVER_AUTHORIZE_HOSTS[region] : CLOVER_AUTHORIZE_HOSTS.us;
  return `${host}/appmarket/apps/${encodeURIComponent(appId)}`;
}

type Action = "connect" | "refresh" | "recover";

const ACTION_WORDS: Record<Action, string> = {
  connect: "connect the merchant",
  refresh: "refresh the access token",
  recover: "recover the lost refresh token",
};

export function createCloverProvider(options: CloverOAuthOptions): OAuthProvider {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 15_000;
  const override = options.hostsOverride?.replace(/\/+$/, "");

  const regionOf = (region: string | undefined): CloverRegion => {
    const chosen = region ?? options.defaultRegion ?? "us";
    if (!isRegion(chosen)) throw new OAuthError(`Clover has no region "${chosen.slice(0, 20)}"; daybook knows us, eu, la and sandbox.`, "bug");
    return chosen;
  };
  const apiHost = (region: string | undefined) => override ?? CLOVER_API_HOSTS[regionOf(region)];
  const authorizeHost = (region: string | undefined) => override ?? CLOVER_AUTHORIZE_HOSTS[regionOf(region)];

  async function post(action: Action, region: string | undefined, path: string, body: Record<string, string>): Promise<StoredTokens> {
    const url = `${apiHost(region)}${path}`;
    const what = ACTION_WORDS[action];
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // The fetch error names the host at most, never the body.
      throw new OAuthError(`Clover did not answer the request to ${what}; try again later.`, "retryable", { cause: error });
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) throw failure(action, response.status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new OAuthError(`Clover answered the request to ${what} with something other than JSON; try again later.`, "retryable");
    }
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) throw new OAuthError(`Clover answered the request to ${what} without usable tokens; try again later.`, "retryable");
    const token = parsed.data;
    return {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessTokenExpiresAt: new Date(token.access_token_expiration * 1000).toISOString(),
      refreshTokenExpiresAt: new Date(token.refresh_token_expiration * 1000).toISOString(),
      obtainedAt: now().toISOString(),
    };
  }

  return {
    name: "clover",

    authorizeUrl(request: AuthorizeRequest) {
      if (!request.state) throw new OAuthError("authorizeUrl needs a state to check on the callback", "bug");
      const url = new URL("/oauth/v2/authorize", authorizeHost(request.region));
      url.search = new URLSearchParams({
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        state: request.state,
        response_type: "code",
      }).toString();
      return url.toString();
    },

    async exchangeCode(query: CallbackQuery, region?: string): Promise<Authorization> {
      const declined = query["error"];
      if (declined) {
        const what = declined === "access_denied" ? "The Clover connection was declined" : `Clover did not connect (${declined.slice(0, 40)})`;
        throw new OAuthError(`${what}; connect Clover again to continue.`, "needs-reconnect");
      }
      const code = query["code"];
      const merchantId = query["merchant_id"];
      if (!code || !merchantId) throw new OAuthError("The Clover callback has no code or merchant id; connect Clover again.", "needs-reconnect");
      if (query["client_id"] !== undefined && query["client_id"] !== options.clientId) {
        throw new OAuthError("The Clover callback is for another app; connect Clover again.", "needs-reconnect");
      }
      if (!isProviderAccountId("clover", merchantId)) throw new OAuthError("The Clover callback names a merchant id Clover does not make; connect Clover again.", "needs-reconnect");
      const chosen = regionOf(region);
      const tokens = await post("connect", chosen, "/oauth/v2/token", { client_id: options.clientId, client_secret: options.clientSecret, code });
      // The callback's merchant_id is only what the browser brought back: Clover says whose the token is.
      await confirmAccount("Clover", `${apiHost(chosen)}/v3/merchants/${merchantId}`, tokens.accessToken, (body) => (body as { id?: unknown } | null)?.id === merchantId);
      return { tokens, externalId: merchantId, region: chosen };
    },

    async refresh(tokens: StoredTokens, region?: string): Promise<StoredTokens> {
      if (!tokens.refreshToken) throw new OAuthError("No Clover refresh token is stored: reconnect Clover in daybook.", "needs-reconnect");
      return await post("refresh", region, "/oauth/v2/refresh", { client_id: options.clientId, refresh_token: tokens.refreshToken });
    },

    async recover(previousRefreshToken: string, region?: string): Promise<StoredTokens> {
      return await post("recover", region, "/oauth/v2/recovery", {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        refresh_token: previousRefreshToken,
      });
    },

    refreshDue(tokens: StoredTokens, at: Date): boolean {
      return dueBy(dueAt(tokens), at);
    },

    refreshDueAt: dueAt,
  };
}

/** Due REFRESH_AHEAD_MS before the access token runs out. */
function dueAt(tokens: StoredTokens): Date | undefined {
  return tokens.accessTokenExpiresAt ? earliestInstant(Date.parse(tokens.accessTokenExpiresAt) - REFRESH_AHEAD_MS) : undefined;
}

function failure(action: Action, status: number): OAuthError {
  const what = ACTION_WORDS[action];
  if (status === 408 || status === 429 || status >= 500) {
    return new OAuthError(`Clover's OAuth service failed while trying to ${what} (HTTP ${status}); try again later.`, "retryable");
  }
  // A refused refresh or recovery token: spent, expired, pushed out by Clover's limit, or the app was uninstalled.
  if (action !== "connect" && (status === 400 || status === 401 || status === 403)) {
    return new OAuthError(`Clover no longer accepts daybook's authorization (HTTP ${status}) while trying to ${what}: reconnect Clover in daybook.`, "needs-reconnect");
  }
  if (action === "connect" && status === 400) {
    return new OAuthError("Clover refused the authorization code (expired or already used); connect Clover again.", "needs-reconnect");
  }
  if (status === 401) {
    return new OAuthError(`Clover rejected daybook's app credentials while trying to ${what} (HTTP 401): check the app id and secret.`, "bug");
  }
  return new OAuthError(`Clover refused to ${what} (HTTP ${status}).`, "bug");
}
