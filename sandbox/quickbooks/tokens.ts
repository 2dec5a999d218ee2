/**
 * Intuit's OAuth 2.0 grants, as the simulator keeps them (qbo.md §1.3–1.6):
 * - an access token lives 3600 s of simulated time;
 * - every refresh issues a new refresh token; the one it replaces keeps working for 24 h, then
 *   answers invalid_grant;
 * - refresh tokens expire after 100 days unused and at the latest 5 years after the grant;
 * - revoking any token of a grant kills the whole grant, access and refresh tokens alike.
 */
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import type { SimulatorClock } from "./clock";
import { OAuthProblem } from "./faults";
import { randomBytes } from "node:crypto";
import { mintSecret, SECRET_MARKER } from "../secret-token";

export const ACCESS_TOKEN_LIFETIME_S = 3600;
export const REFRESH_TOKEN_LIFETIME_S = 100 * 86_400;
export const REFRESH_TOKEN_HARD_LIFETIME_S = 5 * 365 * 86_400;
export const REPLACED_REFRESH_TOKEN_GRACE_MS = 24 * 3600_000;
const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60_000;

/** The token endpoint's JSON. */
export interface TokenResponse {
  token_type: "bearer";
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
}

interface Grant {
  realmId: string;
  createdAt: number;
  revoked: boolean;
  currentRefreshToken: string;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

interface RefreshToken {
  grant: Grant;
  expiresAt: number;
  /** When a newer refresh token replaced this one; it works for 24 h more. */
  replacedAt?: number;
}

interface AuthorizationCode {
  realmId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export type AccessCheck = { ok: true; realmId: string } | { ok: false; reason: string };

const token = (prefix: string) => mintSecret(prefix);

/**
 * Intuit's access tokens are JWE compact serializations: five base64url parts joined by dots, the
 * protected header {"enc":"A128CBC-HS256","alg":"dir"}, an empty encrypted key (direct encryption),
 * a 16-byte IV, the ciphertext and a 16-byte tag. Intuit does not document their size; two real
 * ones left in a public GitHub script (found by searching public code for that header's base64url,
 * eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0) are 842 and 863 characters, their ciphertexts
 * 560 and 576 bytes: minted here at the larger, 863 characters, so what daybook stores and sends
 * weighs what Intuit's do. The ciphertext carries SECRET_MARKER
 * (sandbox/secret-token.ts) so a leaked one is found in the logs; the rest is random, so each is unique.
 */
const JWE_HEADER = Buffer.from(JSON.stringify({ enc: "A128CBC-HS256", alg: "dir" })).toString("base64url");
const JWE_CIPHERTEXT_BYTES = 576;
export function mintAccessToken(): string {
  const part = (bytes: number) => randomBytes(bytes).toString("base64url");
  const marked = `${SECRET_MARKER}${part(JWE_CIPHERTEXT_BYTES)}`.slice(0, Math.ceil((JWE_CIPHERTEXT_BYTES * 4) / 3));
  return [JWE_HEADER, "", part(16), marked, part(16)].join(".");
}

const grantIndex = z.int().check(z.nonnegative());

/** The grants and tokens, as saved between runs of the local stack (authorization codes are not kept). */
export const tokenStoreStateSchema = z.object({
  grants: z.array(z.object({ realmId: z.string(), createdAt: z.number(), revoked: z.boolean(), currentRefreshToken: z.string() })),
  accessTokens: z.array(z.object({ token: z.string(), grant: grantIndex, expiresAt: z.number() })),
  refreshTokens: z.array(z.object({ token: z.string(), grant: grantIndex, expiresAt: z.number(), replacedAt: z.optional(z.number()) })),
});
export type TokenStoreState = z.infer<typeof tokenStoreStateSchema>;

export class TokenStore {
  readonly #grants: Grant[] = [];
  readonly #accessTokens = new Map<string, AccessToken>();
  readonly #refreshTokens = new Map<string, RefreshToken>();
  readonly #codes = new Map<string, AuthorizationCode>();

  constructor(private readonly clock: SimulatorClock) {}

  exportState(): TokenStoreState {
    const grantOf = (grant: Grant) => this.#grants.indexOf(grant);
    return {
      grants: this.#grants.map((grant) => ({ ...grant })),
      accessTokens: [...this.#accessTokens].map(([value, record]) => ({ token: value, grant: grantOf(record.grant), expiresAt: record.expiresAt })),
      refreshTokens: [...this.#refreshTokens].map(([value, record]) => ({
        token: value, grant: grantOf(record.grant), expiresAt: record.expiresAt, ...(record.replacedAt === undefined ? {} : { replacedAt: record.replacedAt }),
      })),
    };
  }

  /** Replaces the grants and tokens with saved ones. */
  importState(saved: unknown): void {
    const state = tokenStoreStateSchema.parse(saved);
    const grants = state.grants.map((grant) => ({ ...grant }));
    const grantAt = (index: number): Grant => {
      const grant = grants[index];
      if (!grant) throw new Error("a saved QuickBooks token names a grant that is not there");
      return grant;
    };
    this.#grants.splice(0, this.#grants.length, ...grants);
    this.#accessTokens.clear();
    for (const record of state.accessTokens) this.#accessTokens.set(record.token, { grant: grantAt(record.grant), expiresAt: record.expiresAt });
    this.#refreshTokens.clear();
    for (const record of state.refreshTokens) {
      this.#refreshTokens.set(record.token, { grant: grantAt(record.grant), expiresAt: record.expiresAt, ...(record.replacedAt === undefined ? {} : { replacedAt: record.replacedAt }) });
    }
  }

  /** A new grant for the realm, as if its owner had just approved the app. */
  issue(realmId: string, includeHardExpiry = false): TokenResponse {
    const grant: Grant = { realmId, createdAt: this.clock.now(), revoked: false, currentRefreshToken: "" };
    this.#grants.push(grant);
    return this.#mint(grant, includeHardExpiry);
  }

  createCode(realmId: string, redirectUri: string): string {
    const code = token("sim-code-");
    this.#codes.set(code, { realmId, redirectUri, expiresAt: this.clock.now() + AUTHORIZATION_CODE_LIFETIME_MS, used: false });
    return code;
  }

  /** Authorization codes are single-use, live 10 minutes and are bound to their redirect_uri. */
  exchangeCode(code: string, redirectUri: string, includeHardExpiry: boolean): TokenResponse {
    const record = this.#codes.get(code);
    if (!record || record.used || record.expiresAt <= this.clock.now()) throw new OAuthProblem(400, "invalid_grant");
    if (record.redirectUri !== redirectUri) throw new OAuthProblem(400, "invalid_grant", "redirect_uri does not match the authorization request");
    record.used = true;
    return this.issue(record.realmId, includeHardExpiry);
  }

  refresh(refreshToken: string, includeHardExpiry: boolean): TokenResponse {
    const record = this.#refreshTokens.get(refreshToken);
    const now = this.clock.now();
    const usable =
      record !== undefined &&
      !record.grant.revoked &&
      record.expiresAt > now &&
      this.#hardExpiry(record.grant) > now &&
      (record.replacedAt === undefined || record.replacedAt + REPLACED_REFRESH_TOKEN_GRACE_MS > now);
    if (!usable) throw new OAuthProblem(400, "invalid_grant");
    return this.#mint(record.grant, includeHardExpiry);
  }

  /** Revokes the grant the token (access or refresh) belongs to; unknown tokens are ignored (RFC 7009). */
  revoke(tokenValue: string): void {
    const grant = this.#refreshTokens.get(tokenValue)?.grant ?? this.#accessTokens.get(tokenValue)?.grant;
    if (grant) grant.revoked = true;
  }

  revokeRealm(realmId: string): void {
    for (const grant of this.#grants) if (grant.realmId === realmId) grant.revoked = true;
  }

  expireAccessTokens(realmId: string): void {
    const now = this.clock.now();
    for (const record of this.#accessTokens.values()) if (record.grant.realmId === realmId) record.expiresAt = Math.min(record.expiresAt, now);
  }

  checkAccess(accessToken: string, realmId: string): AccessCheck {
    const record = this.#accessTokens.get(accessToken);
    if (!record) return { ok: false, reason: "Token invalid" };
    if (record.grant.revoked) return { ok: false, reason: "Token revoked" };
    if (record.expiresAt <= this.clock.now()) return { ok: false, reason: "Token expired" };
    if (record.grant.realmId !== realmId) return { ok: false, reason: "Token is not valid for this company" };
    return { ok: true, realmId };
  }

  #hardExpiry(grant: Grant): number {
    return grant.createdAt + REFRESH_TOKEN_HARD_LIFETIME_S * 1000;
  }

  #mint(grant: Grant, includeHardExpiry: boolean): TokenResponse {
    const now = this.clock.now();
    const accessToken = mintAccessToken();
    this.#accessTokens.set(accessToken, { grant, expiresAt: now + ACCESS_TOKEN_LIFETIME_S * 1000 });

    const previous = this.#refreshTokens.get(grant.currentRefreshToken);
    if (previous && previous.replacedAt === undefined) previous.replacedAt = now;
    const refreshToken = token("AB11sim");
    const hardExpiresInS = Math.floor((this.#hardExpiry(grant) - now) / 1000);
    const expiresInS = Math.min(REFRESH_TOKEN_LIFETIME_S, hardExpiresInS);
    this.#refreshTokens.set(refreshToken, { grant, expiresAt: now + expiresInS * 1000 });
    grant.currentRefreshToken = refreshToken;

    return {
      token_type: "bearer",
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      x_refresh_token_expires_in: expiresInS,
      ...(includeHardExpiry ? { x_refresh_token_hard_expires_in: hardExpiresInS } : {}),
    };
  }
}
