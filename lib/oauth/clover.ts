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
 *
 * The calls (clover-tokens.ts) load on the first one: the worker's start holds the policy alone.
 */
import { CLOVER_API_HOSTS, type CloverRegion } from "../pos/clover/hosts";
import type { CloverTokenCalls } from "./clover-tokens";
import { CLOVER_AUTHORIZE_HOSTS } from "./consent-origins";
import { onFirstUse } from "../on-first-use";
import { type AuthorizeRequest, dueBy, earliestInstant, OAuthError, type OAuthProvider } from "./provider";
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

  const calls = onFirstUse(async (): Promise<CloverTokenCalls> => (await import("./clover-tokens")).cloverTokenCalls({
    clientId: options.clientId, clientSecret: options.clientSecret, timeoutMs, now, regionOf, apiHost,
  }));

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

    async exchangeCode(query, region) {
      return (await calls()).exchangeCode(query, region);
    },

    async refresh(tokens, region) {
      return (await calls()).refresh(tokens, region);
    },

    async recover(previousRefreshToken, region) {
      return (await calls()).recover(previousRefreshToken, region);
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
