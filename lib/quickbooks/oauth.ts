/**
 * QuickBooks OAuth through intuit-oauth, reduced to what daybook needs: the authorize URL, the code
 * exchange on the callback, refresh and revoke. Failures come out as QuickBooksError, with
 * invalid_grant as "needs-reconnect". Tokens never reach a log or an error message: intuit-oauth's
 * logging (which writes request headers) stays off, and errors are rebuilt from safe fields only.
 *
 * Endpoints: intuit-oauth reads its URLs from static, process-wide fields, and its setAuthorizeURLs()
 * writes those same statics (qbo.md §1.7), so assigning them would point every client in the process
 * at one place. Here the statics are left alone: each client rewrites the URL of its own requests, so
 * two clients (say, two simulators in one test run) can use different endpoints side by side.
 */
import type OAuthClientType from "intuit-oauth";
import * as z from "zod/mini";
import { INTUIT_AUTHORIZE_URL } from "../oauth/consent-origins";
import { INTUIT_API_BASES, type QuickBooksEnvironment } from "./hosts";
import { QuickBooksError } from "./types";

export interface QuickBooksEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  /** Accounting API base, e.g. https://quickbooks.api.intuit.com, for createQuickBooksClient. */
  apiBase: string;
}

export type { QuickBooksEnvironment };

/** Intuit's endpoints (qbo.md §7). OAuth URLs are the same for sandbox and production. */
export function intuitEndpoints(environment: QuickBooksEnvironment): QuickBooksEndpoints {
  return {
    authorize: INTUIT_AUTHORIZE_URL,
    token: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    revoke: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
    apiBase: INTUIT_API_BASES[environment],
  };
}

export interface QuickBooksOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Must match a redirect URI registered on the app exactly. */
  redirectUri: string;
  environment: QuickBooksEnvironment;
  /** Overrides of Intuit's URLs, e.g. a local simulator's. */
  endpoints?: Partial<QuickBooksEndpoints>;
  now?: () => number;
  /** How long a token or revoke call may take; default 10 s, well inside the token keeper's 30 s refresh lease. */
  timeoutMs?: number;
}

export interface QuickBooksTokens {
  accessToken: string;
  /** Always store this one: QuickBooks rotates refresh tokens, and a replaced one dies after 24 h. */
  refreshToken: string;
  /** ISO 8601 instants. */
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  /** The 5-year limit no refresh extends, when QuickBooks says it (qbo.md §1.4). */
  refreshTokenHardExpiresAt?: string;
}

export interface QuickBooksConnection extends QuickBooksTokens {
  realmId: string;
}

export interface QuickBooksOAuth {
  readonly endpoints: QuickBooksEndpoints;
  /** Where to send the merchant to connect. `state` must be unguessable and checked on the callback. */
  authorizeUrl(state: string): string;
  /**
   * Exchanges the code on Intuit's redirect for tokens. The caller must have checked `state` first;
   * a declined consent (error=access_denied) throws without calling Intuit.
   */
  exchangeCode(callbackUrl: string): Promise<QuickBooksConnection>;
  refresh(refreshToken: string): Promise<QuickBooksTokens>;
  /** Ends the connection: QuickBooks revokes the whole grant. A token already dead counts as revoked. */
  revoke(refreshToken: string): Promise<void>;
}

const tokenResponse = z.object({
  access_token: z.string().check(z.minLength(1)),
  refresh_token: z.string().check(z.minLength(1)),
  expires_in: z.number(),
  x_refresh_token_expires_in: z.number(),
  x_refresh_token_hard_expires_in: z.optional(z.number()),
});

interface LibraryRequest {
  url: string;
}

const DEFAULT_OAUTH_TIMEOUT_MS = 10_000;

/** The scope daybook asks for (intuit-oauth's OAuthClient.scopes.Accounting). */
const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

type ClientConfig = ConstructorParameters<typeof OAuthClientType>[0];
type PerInstanceEndpointsClient = InstanceType<typeof OAuthClientType>;

let clientClass: Promise<new (config: ClientConfig, endpoints: QuickBooksEndpoints, timeoutMs: number) => PerInstanceEndpointsClient> | undefined;

/**
 * intuit-oauth (with axios, winston and jsonwebtoken) is loaded on the first token call, not with the
 * module: the web app's pages and a night's posting need none of it (infra/bundle.ts puts it in a
 * chunk of its own).
 */
function loadClientClass() {
  return (clientClass ??= import("intuit-oauth").then(({ default: OAuthClient }) => class extends OAuthClient {
    readonly #endpoints: QuickBooksEndpoints;

    readonly #timeoutMs: number;

    constructor(config: ClientConfig, endpoints: QuickBooksEndpoints, timeoutMs: number) {
      super(config);
      this.#endpoints = endpoints;
      this.#timeoutMs = timeoutMs;
    }

    /** Every token, revoke and userinfo call goes through here (src/OAuthClient.js loadResponse). */
    override loadResponse(request: LibraryRequest): Promise<unknown> {
      let url = request.url;
      if (url === OAuthClient.tokenEndpoint) url = this.#endpoints.token;
      else if (url === OAuthClient.revokeEndpoint) url = this.#endpoints.revoke;
      // The library sets no timeout; a token call must end well inside the token keeper's refresh lease,
      // or a second worker could take the lease over and spend the same refresh token.
      return super.loadResponse({ ...request, url, timeout: this.#timeoutMs });
    }

    /** No retries inside the library (it would wait 1, 2, 4 s): the sync decides when to try again. */
    override shouldRetry(): boolean {
      return false;
    }
  }));
}

/** The QuickBooksError for what a token call threw (oauth-failures.ts, loaded on a failed call: a night's refresh succeeds). */
async function failure(error: unknown, action: string): Promise<QuickBooksError> {
  return (await import("./oauth-failures")).oauthFailure(error, action);
}

export function createQuickBooksOAuth(config: QuickBooksOAuthConfig): QuickBooksOAuth {
  const endpoints: QuickBooksEndpoints = { ...intuitEndpoints(config.environment), ...config.endpoints };
  const now = config.now ?? Date.now;
  // A client per call: intuit-oauth keeps the last token on the instance, which concurrent calls would share.
  const client = async () =>
    new (await loadClientClass())(
      {
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri: config.redirectUri,
        environment: config.environment,
        logging: false,
        includeRefreshTokenHardExpiresIn: true,
      },
      endpoints,
      config.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS,
    );

  const tokensFrom = (json: unknown, action: string): QuickBooksTokens => {
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) throw new QuickBooksError(`QuickBooks answered the request to ${action} without usable tokens; try again later.`, "retryable");
    const at = now();
    const instant = (seconds: number) => new Date(at + seconds * 1000).toISOString();
    const token = parsed.data;
    return {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessTokenExpiresAt: instant(token.expires_in),
      refreshTokenExpiresAt: instant(token.x_refresh_token_expires_in),
      ...(token.x_refresh_token_hard_expires_in !== undefined ? { refreshTokenHardExpiresAt: instant(token.x_refresh_token_hard_expires_in) } : {}),
    };
  };

  return {
    endpoints,

    authorizeUrl(state) {
      // Without a state, intuit-oauth makes one up and forgets it, so the callback could not be checked.
      if (!state) throw new Error("authorizeUrl needs a state to check on the callback");
      // The query intuit-oauth's authorizeUri() makes (src/OAuthClient.js), made here so that showing a
      // "connect" link does not load the library (test/unit/quickbooks-authorize-url.test.ts compares them).
      const url = new URL(endpoints.authorize);
      url.search = new URLSearchParams({
        response_type: "code", redirect_uri: config.redirectUri, client_id: config.clientId, scope: ACCOUNTING_SCOPE, state,
      }).toString();
      return url.toString();
    },

    async exchangeCode(callbackUrl) {
      const params = new URL(callbackUrl, "http://callback.invalid").searchParams;
      const declined = params.get("error");
      if (declined) {
        const what = declined === "access_denied" ? "The QuickBooks connection was declined" : `QuickBooks did not connect (${declined.slice(0, 40)})`;
        throw new QuickBooksError(`${what}; connect QuickBooks again to continue.`, "needs-reconnect", { code: declined.slice(0, 40) });
      }
      const realmId = params.get("realmId");
      if (!params.get("code") || !realmId) throw new QuickBooksError("The QuickBooks callback has no code or realmId.", "bug");
      try {
        const response = await (await client()).createToken(callbackUrl);
        return { ...tokensFrom(response.json, "connect"), realmId };
      } catch (error) {
        throw await failure(error, "connect");
      }
    },

    async refresh(refreshToken) {
      if (!refreshToken) throw new QuickBooksError("No QuickBooks refresh token is stored: reconnect QuickBooks in daybook.", "needs-reconnect");
      try {
        const response = await (await client()).refreshUsingToken(refreshToken);
        return tokensFrom(response.json, "refresh the access token");
      } catch (error) {
        throw await failure(error, "refresh the access token");
      }
    },

    async revoke(refreshToken) {
      try {
        await (await client()).revoke({ refresh_token: refreshToken });
      } catch (error) {
        const problem = await failure(error, "disconnect");
        if (problem.kind !== "needs-reconnect") throw problem;
      }
    },
  };
}
