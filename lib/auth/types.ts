/**
 * Sign-in links, sessions, OAuth states and rate-limit counters: the short-lived items of the front
 * door. Each sits in its own partition by a SHA-256 hash of its secret (the secret itself is never
 * stored) and expires through the table's TTL attribute; reads also treat an item past its expiry as
 * gone, because DynamoDB deletes expired items only eventually.
 *
 * Implemented on DynamoDB in lib/store/auth.ts.
 */
import type { ProviderName } from "../model";

export interface SignInLink {
  /** SHA-256 (hex) of the token in the emailed link. */
  tokenHash: string;
  /** Lower-cased, trimmed. */
  email: string;
  createdAt: string;
  /** ISO 8601; 15 minutes after createdAt. */
  expiresAt: string;
  /** The path of this site the person was going to when they asked for the link; they land there once signed in. */
  next?: string;
}

export interface Session {
  /** SHA-256 (hex) of the cookie's secret; also the handle the sessions page uses to end one. */
  sessionHash: string;
  /** The person signed in: their own account. */
  merchantId: string;
  /**
   * The business the person works on, when it is not their own: one that gave them access (chosen on
   * the client list). The access is checked again on every request.
   */
  actingFor?: string;
  createdAt: string;
  lastSeenAt: string;
  /** ISO 8601: lastSeenAt + idle timeout. */
  idleExpiresAt: string;
  /** ISO 8601: createdAt + absolute timeout; never extended. */
  absoluteExpiresAt: string;
  /** Truncated to 200 characters. */
  userAgent: string;
  /** e.g. "203.0.113.0/24" or "2001:db8:1234::/48": never the full address. */
  approximateIp: string;
}

export interface OAuthState {
  /** SHA-256 (hex) of `oauth-state:<sessionHash>:<state>`: a state presented in another session finds nothing (lib/auth/oauth-state.ts). */
  stateHash: string;
  /** The session that started the flow: the callback must come back in the same session. */
  sessionHash: string;
  merchantId: string;
  provider: ProviderName;
  /** Clover's region ("us" | "eu" | "la" | "sandbox"), chosen before the redirect. */
  region?: string;
  createdAt: string;
  /** ISO 8601; 10 minutes after createdAt. */
  expiresAt: string;
}

export interface AuthStore {
  putSignInLink(link: SignInLink): Promise<void>;
  /**
   * Deletes the link and returns it, if it exists and has not expired at `now`; undefined otherwise.
   * Atomic (a conditional delete): of two concurrent uses, exactly one gets the link.
   */
  consumeSignInLink(tokenHash: string, now: Date): Promise<SignInLink | undefined>;
  /** The link, without using it, if it exists and has not expired at `now` (what the confirm page names). */
  getSignInLink(tokenHash: string, now: Date): Promise<SignInLink | undefined>;

  putSession(session: Session): Promise<void>;
  /** The session if it exists and neither timeout has passed at `now`. */
  getSession(sessionHash: string, now: Date): Promise<Session | undefined>;
  /** Sets lastSeenAt and idleExpiresAt (never past absoluteExpiresAt); no-op if the session is gone. */
  touchSession(sessionHash: string, lastSeenAt: string, idleExpiresAt: string): Promise<void>;
  /** Sets (or, undefined, clears) the business the session works on; no-op if the session is gone or not this person's. */
  setActingFor(sessionHash: string, merchantId: string, businessId: string | undefined): Promise<void>;
  /** The merchant's live sessions at `now`, newest first. */
  listSessions(merchantId: string, now: Date): Promise<Session[]>;
  /** Ends one session of this merchant; false if there is none with that hash for this merchant. */
  deleteSession(merchantId: string, sessionHash: string): Promise<boolean>;
  /** Ends all the merchant's sessions except `keepSessionHash` (if given); returns how many ended. */
  deleteSessions(merchantId: string, keepSessionHash?: string): Promise<number>;

  putOAuthState(state: OAuthState): Promise<void>;
  /** Deletes and returns the state if it exists and has not expired at `now` (single use, atomic). */
  consumeOAuthState(stateHash: string, now: Date): Promise<OAuthState | undefined>;
  /** Deletes every OAuth state of the merchant (account deletion); returns how many went. */
  deleteOAuthStates(merchantId: string): Promise<number>;

  /**
   * Counts one more event under `bucket` (e.g. "sign-in-email#<hash>") in the fixed window that
   * contains `now`; returns false, counting nothing more, when the window already holds `limit`.
   */
  takeRateLimit(bucket: string, limit: number, windowSeconds: number, now: Date): Promise<boolean>;
}
