/**
 * Square's token calls (square.ts says the flow): ObtainToken with the code and refresh grants, and
 * RevokeToken, on the official SDK. A module of its own, loaded with the SDK on the first call: the
 * provider's policy (when tokens are due, where consent is asked) is all a night that refreshes no
 * Square tokens needs, and every worker's start loads it (lib/wiring/providers.ts).
 */
import type * as SquareSdk from "square";
import * as z from "zod/mini";
import { loadSquareSdk } from "../pos/square/sdk";
import { isProviderAccountId } from "../ids";
import { type Authorization, type CallbackQuery, OAuthError } from "./provider";
import { SQUARE_SCOPES } from "./square";
import type { StoredTokens } from "./tokens";

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

/** What the calls need of the provider's options, resolved. */
export interface SquareTokenSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  baseUrl: string;
  timeoutInSeconds: number;
  now: () => Date;
}

export interface SquareTokenCalls {
  exchangeCode(query: CallbackQuery): Promise<Authorization>;
  refresh(tokens: StoredTokens): Promise<StoredTokens>;
  revoke(tokens: StoredTokens): Promise<void>;
}

export function squareTokenCalls(settings: SquareTokenSettings): SquareTokenCalls {
  const { baseUrl, timeoutInSeconds, now } = settings;
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
    async exchangeCode(query) {
      const declined = query["error"];
      if (declined) {
        const what = declined === "access_denied" ? "The Square connection was declined" : `Square did not connect (${declined.slice(0, 40)})`;
        throw new OAuthError(`${what}; connect Square again to continue.`, "needs-reconnect");
      }
      const code = query["code"];
      if (!code) throw new OAuthError("The Square callback has no authorization code; connect Square again.", "needs-reconnect");
      const token = await obtainToken("connect", {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        grantType: "authorization_code",
        code,
        redirectUri: settings.redirectUri,
      });
      // The merchant id names the connection in the table's keys: anything but a Square merchant id is no answer.
      if (!token.refreshToken || !token.merchantId || !isProviderAccountId("square", token.merchantId)) {
        throw new OAuthError("Square answered the code exchange without a refresh token or merchant id; connect Square again.", "retryable");
      }
      // Square grants every scope asked for, or none (the merchant declines the whole request).
      return { tokens: storedTokens(token, token.refreshToken), externalId: token.merchantId, grantedScopes: [...SQUARE_SCOPES] };
    },

    async refresh(tokens) {
      if (!tokens.refreshToken) throw new OAuthError("No Square refresh token is stored: reconnect Square in daybook.", "needs-reconnect");
      const token = await obtainToken("refresh", {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        grantType: "refresh_token",
        refreshToken: tokens.refreshToken,
      });
      // The code flow gives the same refresh token back; keep ours if the answer leaves it out.
      return storedTokens(token, token.refreshToken ?? tokens.refreshToken);
    },

    async revoke(tokens) {
      const sdk = await loadSquareSdk();
      try {
        await (await client()).oAuth.revokeToken(
          { clientId: settings.clientId, accessToken: tokens.accessToken },
          { headers: { Authorization: `Client ${settings.clientSecret}` }, maxRetries: 0 },
        );
      } catch (error) {
        // Square no longer knows the token: the authorization is already gone.
        if (error instanceof sdk.SquareError && error.statusCode === 404) return;
        throw failure(sdk, error, "disconnect");
      }
    },
  };
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
