/**
 * Clover's token calls (clover.ts says the flow): the code exchange, refresh and recovery, on fetch. A
 * module of its own, loaded on the first call: the provider's policy (when tokens are due, where consent
 * is asked) is all a night that refreshes no Clover tokens needs, and every worker's start loads it
 * (lib/wiring/providers.ts).
 */
import * as z from "zod/mini";
import { isProviderAccountId } from "../ids";
import { type Authorization, type CallbackQuery, confirmAccount, OAuthError } from "./provider";
import type { StoredTokens } from "./tokens";

const tokenResponse = z.object({
  access_token: z.string().check(z.minLength(1)),
  access_token_expiration: z.number(),
  refresh_token: z.string().check(z.minLength(1)),
  refresh_token_expiration: z.number(),
});

type Action = "connect" | "refresh" | "recover";

const ACTION_WORDS: Record<Action, string> = {
  connect: "connect the merchant",
  refresh: "refresh the access token",
  recover: "recover the lost refresh token",
};

/** What the calls need of the provider: its settings, and the region's API host. */
export interface CloverTokenSettings {
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  now: () => Date;
  /** The region a call names, checked (an unknown one is an OAuthError), or the provider's default. */
  regionOf: (region: string | undefined) => string;
  apiHost: (region: string | undefined) => string;
}

export interface CloverTokenCalls {
  exchangeCode(query: CallbackQuery, region?: string): Promise<Authorization>;
  refresh(tokens: StoredTokens, region?: string): Promise<StoredTokens>;
  recover(previousRefreshToken: string, region?: string): Promise<StoredTokens>;
}

export function cloverTokenCalls(settings: CloverTokenSettings): CloverTokenCalls {
  const { timeoutMs, now, regionOf, apiHost } = settings;

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
    async exchangeCode(query: CallbackQuery, region?: string): Promise<Authorization> {
      const declined = query["error"];
      if (declined) {
        const what = declined === "access_denied" ? "The Clover connection was declined" : `Clover did not connect (${declined.slice(0, 40)})`;
        throw new OAuthError(`${what}; connect Clover again to continue.`, "needs-reconnect");
      }
      const code = query["code"];
      const merchantId = query["merchant_id"];
      if (!code || !merchantId) throw new OAuthError("The Clover callback has no code or merchant id; connect Clover again.", "needs-reconnect");
      if (query["client_id"] !== undefined && query["client_id"] !== settings.clientId) {
        throw new OAuthError("The Clover callback is for another app; connect Clover again.", "needs-reconnect");
      }
      if (!isProviderAccountId("clover", merchantId)) throw new OAuthError("The Clover callback names a merchant id Clover does not make; connect Clover again.", "needs-reconnect");
      const chosen = regionOf(region);
      const tokens = await post("connect", chosen, "/oauth/v2/token", { client_id: settings.clientId, client_secret: settings.clientSecret, code });
      // The callback's merchant_id is only what the browser brought back: Clover says whose the token is.
      await confirmAccount("Clover", `${apiHost(chosen)}/v3/merchants/${merchantId}`, tokens.accessToken, (body) => (body as { id?: unknown } | null)?.id === merchantId);
      return { tokens, externalId: merchantId, region: chosen };
    },

    async refresh(tokens: StoredTokens, region?: string): Promise<StoredTokens> {
      if (!tokens.refreshToken) throw new OAuthError("No Clover refresh token is stored: reconnect Clover in daybook.", "needs-reconnect");
      return await post("refresh", region, "/oauth/v2/refresh", { client_id: settings.clientId, refresh_token: tokens.refreshToken });
    },

    async recover(previousRefreshToken: string, region?: string): Promise<StoredTokens> {
      return await post("recover", region, "/oauth/v2/recovery", {
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        refresh_token: previousRefreshToken,
      });
    },
  };
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
