/**
 * Clover's v2 OAuth for a high-trust app, as the simulator keeps it (reference/clover.md §1.3–1.4):
 *
 * - authorization codes: single use, 10 minutes, bound to the merchant who approved;
 * - POST /oauth/v2/token  {client_id, client_secret, code} → an access token and a refresh token;
 * - POST /oauth/v2/refresh {client_id, refresh_token} → a new pair; the refresh token sent is used up
 *   at once ("You can only use refresh tokens once, and they become invalid after use",
 *   https://docs.clover.com/dev/docs/refresh-access-tokens);
 * - POST /oauth/v2/recovery: the refresh token that was used to make the current one (the "recovery
 *   token") buys a new pair while the current one has never been used, for up to 2 weeks after the
 *   current one was made ("If the current refresh_token is lost, a high-trust app can restore
 *   authentication by using the immediately preceding refresh_token that was used to generate the
 *   current token", same page; "A recovery token associated with a current refresh_token remains valid
 *   for up to 2 weeks or until the refresh_token is successfully used",
 *   https://docs.clover.com/dev/docs/high-trust-app-auth-flow). The docs name the endpoint but show no
 *   body; the simulator takes the refresh endpoint's body plus the client secret (the endpoint is for
 *   high-trust apps only, which is what the secret proves): {client_id, client_secret, refresh_token};
 * - a merchant has at most `maxActiveRefreshTokens` live refresh tokens for the app; a new one beyond
 *   that kills the oldest ("If an app exceeds the limit, prior tokens become invalid", same page; the
 *   real limit is not published);
 * - expirations are Unix seconds in the answers; tokens expire on the simulator's clock;
 * - uninstalling the app kills every token of the merchant (there is no revoke endpoint, §1.7).
 *
 * Error bodies are Clover's `{message, details}`: a refused refresh or recovery token or wrong client
 * credentials answer 401, a bad authorization code or a malformed request 400 (Clover documents
 * neither; these are the plausible statuses).
 */
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { badRequest, CloverApiError, unauthorized } from "./api-error";
import { type AccessTokens, accessTokensStateSchema } from "./tokens";
import { mintSecret } from "../secret-token";

const CODE_LIFETIME_MS = 10 * 60_000;
/** Clover says lifetimes are "dynamic"; these are plausible values from its samples (clover.md §1.4). */
export const ACCESS_TOKEN_LIFETIME_MS = 3_600_000;
export const REFRESH_TOKEN_LIFETIME_MS = 365 * 86_400_000;
const RECOVERY_WINDOW_MS = 14 * 86_400_000;

export interface CloverApp {
  appId: string;
  appSecret: string;
  /** Registered redirect URIs; any http(s) URI is accepted when empty. */
  redirectUris: readonly string[];
}

/** The token endpoints' JSON (expirations in Unix seconds). */
export interface CloverTokenPair {
  access_token: string;
  access_token_expiration: number;
  refresh_token: string;
  refresh_token_expiration: number;
}

interface RefreshToken {
  merchantId: string;
  issuedAt: number;
  expiresAt: number;
  /** Used (single use), replaced through recovery, pushed out by the per-merchant limit, or uninstalled. */
  dead: boolean;
  /** The refresh token used to make this one: the recovery token while this one is unused. */
  madeWith?: string;
}

interface AuthorizationCode {
  merchantId: string;
  expiresAt: number;
  used: boolean;
}

export interface OAuthCounts {
  token: number;
  refresh: number;
  recovery: number;
}

/** The tokens and counts, as saved between runs of the local stack (authorization codes are not kept). */
export const cloverOAuthStateSchema = z.object({
  accessTokens: accessTokensStateSchema,
  refreshTokens: z.array(z.object({
    token: z.string(), merchantId: z.string(), issuedAt: z.number(), expiresAt: z.number(), dead: z.boolean(), madeWith: z.optional(z.string()),
  })),
  counts: z.object({ token: z.number(), refresh: z.number(), recovery: z.number() }),
});
export type CloverOAuthState = z.infer<typeof cloverOAuthStateSchema>;

const randomToken = (bytes: number): string => mintSecret("", bytes);
const seconds = (ms: number): number => Math.floor(ms / 1000);

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw badRequest(`${field} is required`);
  return value;
}

export class CloverOAuth {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** Successful grants per endpoint, so tests can count what the provider saw. */
  readonly counts: OAuthCounts = { token: 0, refresh: 0, recovery: 0 };

  constructor(
    readonly app: CloverApp,
    private readonly accessTokens: AccessTokens,
    private readonly now: () => number,
    private readonly maxActiveRefreshTokens: number,
    private readonly accessTokenLifetimeMs: number = ACCESS_TOKEN_LIFETIME_MS,
  ) {}

  exportState(): CloverOAuthState {
    return {
      accessTokens: this.accessTokens.exportState(),
      refreshTokens: [...this.refreshTokens].map(([token, record]) => ({ token, ...record })),
      counts: { ...this.counts },
    };
  }

  /** Replaces the tokens and counts with saved ones. */
  importState(saved: unknown): void {
    const state = cloverOAuthStateSchema.parse(saved);
    this.accessTokens.importState(state.accessTokens);
    this.refreshTokens.clear();
    for (const { token, madeWith, ...record } of state.refreshTokens) this.refreshTokens.set(token, { ...record, ...(madeWith === undefined ? {} : { madeWith }) });
    Object.assign(this.counts, state.counts);
  }

  redirectUriAllowed(redirectUri: string): boolean {
    if (this.app.redirectUris.length > 0) return this.app.redirectUris.includes(redirectUri);
    return URL.canParse(redirectUri) && /^https?:$/.test(new URL(redirectUri).protocol);
  }

  createCode(merchantId: string): string {
    const code = randomToken(18);
    this.codes.set(code, { merchantId, expiresAt: this.now() + CODE_LIFETIME_MS, used: false });
    return code;
  }

  /** POST /oauth/v2/token */
  exchangeCode(body: Record<string, unknown>): CloverTokenPair {
    this.requireClient(body, true);
    const code = this.codes.get(requiredString(body, "code"));
    if (!code || code.used || this.now() >= code.expiresAt) throw badRequest("The authorization code is not valid or has expired.");
    code.used = true;
    this.counts.token += 1;
    return this.issue(code.merchantId, undefined);
  }

  /** POST /oauth/v2/refresh */
  refresh(body: Record<string, unknown>): CloverTokenPair {
    this.requireClient(body, false);
    const value = requiredString(body, "refresh_token");
    const token = this.refreshTokens.get(value);
    if (!token || token.dead || this.now() >= token.expiresAt) throw unauthorized("Invalid refresh token.");
    token.dead = true;
    this.counts.refresh += 1;
    return this.issue(token.merchantId, value);
  }

  /** POST /oauth/v2/recovery */
  recover(body: Record<string, unknown>): CloverTokenPair {
    this.requireClient(body, true);
    const recoveryToken = requiredString(body, "refresh_token");
    const now = this.now();
    const current = [...this.refreshTokens.values()].find(
      (candidate) => candidate.madeWith === recoveryToken && !candidate.dead && now < candidate.issuedAt + RECOVERY_WINDOW_MS,
    );
    if (!current) throw unauthorized("Invalid recovery token.");
    current.dead = true;
    this.counts.recovery += 1;
    // The new pair keeps the same recovery token: it stays good until the new refresh token is used.
    return this.issue(current.merchantId, recoveryToken);
  }

  /** A pair as if the merchant had just approved the app. */
  grant(merchantId: string): CloverTokenPair {
    return this.issue(merchantId, undefined);
  }

  /** The app was uninstalled: every token of the merchant dies. */
  uninstall(merchantId: string): void {
    for (const token of this.refreshTokens.values()) if (token.merchantId === merchantId) token.dead = true;
    this.accessTokens.revokeMerchant(merchantId);
  }

  /** Whether a refresh token would be accepted by /oauth/v2/refresh now. */
  refreshTokenUsable(value: string): boolean {
    const token = this.refreshTokens.get(value);
    return token !== undefined && !token.dead && this.now() < token.expiresAt;
  }

  private requireClient(body: Record<string, unknown>, withSecret: boolean): void {
    const clientId = requiredString(body, "client_id");
    if (clientId !== this.app.appId) throw unauthorized("Unknown client_id.");
    if (withSecret && requiredString(body, "client_secret") !== this.app.appSecret) {
      throw new CloverApiError(401, "401 Unauthorized", "The client_secret does not match the app.");
    }
  }

  private issue(merchantId: string, madeWith: string | undefined): CloverTokenPair {
    const now = this.now();
    const accessToken = this.accessTokens.issue(merchantId, this.accessTokenLifetimeMs);
    const refreshToken = randomToken(32);
    const record: RefreshToken = { merchantId, issuedAt: now, expiresAt: now + REFRESH_TOKEN_LIFETIME_MS, dead: false, ...(madeWith ? { madeWith } : {}) };
    this.refreshTokens.set(refreshToken, record);
    const live = [...this.refreshTokens.values()].filter((token) => token.merchantId === merchantId && !token.dead);
    // Map order is insertion order: the first live ones are the oldest.
    for (const stale of live.slice(0, Math.max(0, live.length - this.maxActiveRefreshTokens))) stale.dead = true;
    return {
      access_token: accessToken,
      access_token_expiration: seconds(this.accessTokens.expiryOf(accessToken)),
      refresh_token: refreshToken,
      refresh_token_expiration: seconds(record.expiresAt),
    };
  }
}
