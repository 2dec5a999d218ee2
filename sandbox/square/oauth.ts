/**
 * Square's OAuth, code flow (reference/square.md §1): authorization codes, ObtainToken with the
 * authorization_code and refresh_token grants, RevokeToken, RetrieveTokenStatus, and the bearer check
 * every v2 endpoint makes. Access tokens live 30 days of simulated time (24 hours when short-lived);
 * the code-flow refresh token is multi-use and never expires; revoking kills the whole authorization.
 */
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { invalidRequest, LegacyOAuthError, notFound, SquareApiError, unauthorized } from "./api-error";
import { mintSecret } from "../secret-token";
import {
  type JsonObject,
  optionalBoolean,
  optionalString,
  rejectUnknownFields,
  stringArray,
} from "./request-checks";

/** What daybook asks for (reference/square.md §1.3), with PAYOUTS_READ for posting deposits (issue 18). */
export const SYNC_SCOPES = ["MERCHANT_PROFILE_READ", "ORDERS_READ", "PAYMENTS_READ", "ITEMS_READ", "PAYOUTS_READ"] as const;
/** What Square grants when the authorize URL names no scope. */
export const DEFAULT_AUTHORIZE_SCOPES = ["MERCHANT_PROFILE_READ", "PAYMENTS_READ", "SETTLEMENTS_READ", "BANK_ACCOUNTS_READ"];

const DAY_MS = 86_400_000;
const ACCESS_TOKEN_LIFETIME_MS = 30 * DAY_MS;
const SHORT_LIVED_LIFETIME_MS = DAY_MS;
const CODE_LIFETIME_MS = 5 * 60_000;

export interface OAuthApp {
  applicationId: string;
  applicationSecret: string;
  /** Registered redirect URLs; the first is used when an authorize URL names none. */
  redirectUris: readonly string[];
}

interface Authorization {
  merchantId: string;
  scopes: string[];
  refreshToken: string;
  revoked: boolean;
}

interface AccessToken {
  authorization: Authorization;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface AuthorizationCode {
  merchantId: string;
  scopes: string[];
  redirectUri: string | undefined;
  expiresAt: number;
  used: boolean;
}

/** Who a request's bearer token speaks for. */
export interface Caller {
  merchantId: string;
  scopes: readonly string[];
}

/** The grants and tokens, as saved between runs of the local stack (authorization codes are not kept). */
export const squareOAuthStateSchema = z.object({
  authorizations: z.array(z.object({ merchantId: z.string(), scopes: z.array(z.string()), refreshToken: z.string(), revoked: z.boolean() })),
  accessTokens: z.array(z.object({
    token: z.string(), authorization: z.int().check(z.nonnegative()), scopes: z.array(z.string()), expiresAt: z.number(), revoked: z.boolean(),
  })),
});
export type SquareOAuthState = z.infer<typeof squareOAuthStateSchema>;

const randomToken = (prefix: string, bytes: number): string => mintSecret(prefix, bytes);

/** Square's timestamps in OAuth answers carry no milliseconds ("2025-04-03T18:31:06Z"). */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class OAuthAuthority {
  private readonly authorizations: Authorization[] = [];
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly codes = new Map<string, AuthorizationCode>();

  constructor(
    readonly app: OAuthApp,
    private readonly now: () => number,
  ) {}

  exportState(): SquareOAuthState {
    return {
      authorizations: this.authorizations.map((authorization) => ({ ...authorization, scopes: [...authorization.scopes] })),
      accessTokens: [...this.accessTokens].map(([token, record]) => ({
        token, authorization: this.authorizations.indexOf(record.authorization), scopes: [...record.scopes], expiresAt: record.expiresAt, revoked: record.revoked,
      })),
    };
  }

  /** Replaces the grants and tokens with saved ones. */
  importState(saved: unknown): void {
    const state = squareOAuthStateSchema.parse(saved);
    const authorizations = state.authorizations.map((authorization) => ({ ...authorization }));
    this.authorizations.splice(0, this.authorizations.length, ...authorizations);
    this.accessTokens.clear();
    for (const { token, authorization, scopes, expiresAt, revoked } of state.accessTokens) {
      const owner = authorizations[authorization];
      if (!owner) throw new Error("a saved Square access token names an authorization that is not there");
      this.accessTokens.set(token, { authorization: owner, scopes, expiresAt, revoked });
    }
  }

  /** A new authorization with its first access token, as if the merchant had gone through the flow. */
  authorize(merchantId: string, scopes: readonly string[], shortLived = false): { accessToken: string; refreshToken: string; expiresAt: number } {
    const authorization: Authorization = { merchantId, scopes: [...scopes], refreshToken: randomToken("EQAAl", 48), revoked: false };
    this.authorizations.push(authorization);
    const { token, expiresAt } = this.issueAccessToken(authorization, authorization.scopes, shortLived);
    return { accessToken: token, refreshToken: authorization.refreshToken, expiresAt };
  }

  createCode(merchantId: string, scopes: readonly string[], redirectUri: string | undefined): string {
    const code = randomToken("sq0cgp-", 24);
    this.codes.set(code, { merchantId, scopes: [...scopes], redirectUri, expiresAt: this.now() + CODE_LIFETIME_MS, used: false });
    return code;
  }

  /** The bearer check of every v2 endpoint. */
  authenticate(header: string | undefined): Caller {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    const token = match?.[1] ? this.accessTokens.get(match[1]) : undefined;
    if (!token) throw unauthorized("This request could not be authorized: the access token is missing or not valid.");
    if (token.revoked || token.authorization.revoked) {
      throw unauthorized("The access token has been revoked.", "ACCESS_TOKEN_REVOKED");
    }
    if (this.now() >= token.expiresAt) throw unauthorized("The access token has expired.", "ACCESS_TOKEN_EXPIRED");
    return { merchantId: token.authorization.merchantId, scopes: token.scopes };
  }

  /** POST /oauth2/token (ObtainToken). */
  obtainToken(body: JsonObject): JsonObject {
    rejectUnknownFields(
      body,
      ["client_id", "client_secret", "code", "redirect_uri", "grant_type", "refresh_token", "migration_token", "scopes", "short_lived", "code_verifier"],
      "",
    );
    const clientId = optionalString(body["client_id"], "client_id");
    const grantType = optionalString(body["grant_type"], "grant_type");
    if (!clientId) throw invalidRequest("MISSING_REQUIRED_PARAMETER", "`client_id` is required.", "client_id");
    if (!grantType) throw invalidRequest("MISSING_REQUIRED_PARAMETER", "`grant_type` is required.", "grant_type");
    if (body["code_verifier"] != null) {
      throw invalidRequest("BAD_REQUEST", "This simulator implements the code flow only, not PKCE.", "code_verifier");
    }
    if (clientId !== this.app.applicationId || optionalString(body["client_secret"], "client_secret") !== this.app.applicationSecret) {
      throw new LegacyOAuthError(401, "service.not_authorized", "Not Authorized");
    }
    const narrowed = body["scopes"] == null ? undefined : stringArray(body["scopes"], "scopes", 0, 100);
    const shortLived = optionalBoolean(body["short_lived"], "short_lived") ?? false;

    let authorization: Authorization;
    if (grantType === "authorization_code") {
      authorization = this.redeemCode(optionalString(body["code"], "code"), optionalString(body["redirect_uri"], "redirect_uri"));
    } else if (grantType === "refresh_token") {
      const refreshToken = optionalString(body["refresh_token"], "refresh_token");
      const found = this.authorizations.find((candidate) => candidate.refreshToken === refreshToken);
      if (!refreshToken || !found) throw new LegacyOAuthError(400, "bad_request", "Invalid refresh token.");
      if (found.revoked) throw new LegacyOAuthError(400, "bad_request", "cannot renew revoked token");
      authorization = found;
    } else {
      throw new LegacyOAuthError(400, "bad_request", `Unsupported grant_type: ${grantType}.`);
    }
    const scopes = narrowed ? authorization.scopes.filter((scope) => narrowed.includes(scope)) : authorization.scopes;
    const { token, expiresAt } = this.issueAccessToken(authorization, scopes, shortLived);
    return {
      access_token: token,
      token_type: "bearer",
      expires_at: isoSeconds(expiresAt),
      merchant_id: authorization.merchantId,
      refresh_token: authorization.refreshToken,
      short_lived: shortLived,
    };
  }

  /** POST /oauth2/revoke (RevokeToken), authorised by `Authorization: Client <application secret>`. */
  revokeToken(header: string | undefined, body: JsonObject): JsonObject {
    if (header !== `Client ${this.app.applicationSecret}`) {
      throw unauthorized("RevokeToken needs the header `Authorization: Client <application secret>`.");
    }
    rejectUnknownFields(body, ["client_id", "access_token", "merchant_id", "revoke_only_access_token"], "");
    const clientId = optionalString(body["client_id"], "client_id");
    if (clientId !== undefined && clientId !== this.app.applicationId) {
      throw unauthorized("The client_id does not match the application secret.");
    }
    const accessToken = optionalString(body["access_token"], "access_token");
    const merchantId = optionalString(body["merchant_id"], "merchant_id");
    const onlyAccessToken = optionalBoolean(body["revoke_only_access_token"], "revoke_only_access_token") ?? false;
    if (accessToken && merchantId) {
      throw invalidRequest("CONFLICTING_PARAMETERS", "Send either `access_token` or `merchant_id`, not both.");
    }
    if (accessToken) {
      const token = this.accessTokens.get(accessToken);
      if (!token) throw notFound("No authorization was found for that access token.");
      if (onlyAccessToken) token.revoked = true;
      else token.authorization.revoked = true;
    } else if (merchantId) {
      const authorizations = this.authorizations.filter((candidate) => candidate.merchantId === merchantId && !candidate.revoked);
      if (authorizations.length === 0) throw notFound(`No authorization was found for merchant ${merchantId}.`);
      for (const authorization of authorizations) authorization.revoked = true;
    } else {
      throw invalidRequest("MISSING_REQUIRED_PARAMETER", "Either `access_token` or `merchant_id` is required.");
    }
    return { success: true };
  }

  /** POST /oauth2/token/status (RetrieveTokenStatus). */
  tokenStatus(header: string | undefined): JsonObject {
    const caller = this.authenticate(header);
    const token = this.accessTokens.get(/^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "");
    return {
      scopes: [...caller.scopes],
      ...(token ? { expires_at: isoSeconds(token.expiresAt) } : {}),
      client_id: this.app.applicationId,
      merchant_id: caller.merchantId,
    };
  }

  /** The redirect URL an authorize request will answer to, or undefined when it is not registered. */
  redirectUriFor(requested: string | undefined): string | undefined {
    if (requested === undefined || requested === "") return this.app.redirectUris[0];
    return this.app.redirectUris.length === 0 || this.app.redirectUris.includes(requested) ? requested : undefined;
  }

  private redeemCode(code: string | undefined, redirectUri: string | undefined): Authorization {
    const grant = code ? this.codes.get(code) : undefined;
    if (!grant) throw new LegacyOAuthError(400, "bad_request", "Invalid authorization code.");
    if (grant.used) throw new LegacyOAuthError(400, "bad_request", "The authorization code has already been redeemed.");
    if (this.now() >= grant.expiresAt) throw new LegacyOAuthError(400, "bad_request", "The authorization code has expired.");
    if (grant.redirectUri !== undefined && redirectUri !== undefined && redirectUri !== grant.redirectUri) {
      throw new LegacyOAuthError(400, "bad_request", "The redirect_uri does not match the one of the authorization request.");
    }
    grant.used = true;
    const authorization: Authorization = { merchantId: grant.merchantId, scopes: grant.scopes, refreshToken: randomToken("EQAAl", 48), revoked: false };
    this.authorizations.push(authorization);
    return authorization;
  }

  private issueAccessToken(authorization: Authorization, scopes: readonly string[], shortLived: boolean): { token: string; expiresAt: number } {
    const token = randomToken("EAAA", 48);
    const expiresAt = this.now() + (shortLived ? SHORT_LIVED_LIFETIME_MS : ACCESS_TOKEN_LIFETIME_MS);
    this.accessTokens.set(token, { authorization, scopes: [...scopes], expiresAt, revoked: false });
    return { token, expiresAt };
  }
}

/** 403 INSUFFICIENT_SCOPES unless the caller's token carries the scope. */
export function requireScope(caller: Caller, scope: string): void {
  if (!caller.scopes.includes(scope)) {
    throw new SquareApiError(403, "AUTHENTICATION_ERROR", "INSUFFICIENT_SCOPES", `The access token lacks the ${scope} scope this endpoint needs.`);
  }
}
