/**
 * One POS or accounting provider's OAuth, as the web front door and the token keeper use it.
 * Implementations: square.ts (official `square` SDK), clover.ts (fetch, v2 expiring tokens, regions),
 * quickbooks.ts (intuit-oauth via lib/quickbooks/oauth.ts). None of them logs a token or puts one in
 * an error message.
 */
import type { ProviderName } from "../model";
import type { StoredTokens } from "./tokens";

export interface AuthorizeRequest {
  /** The random, single-use state; the provider echoes it to the callback. */
  state: string;
  /** Clover only: "us" | "eu" | "la" | "sandbox". */
  region?: string;
}

/** The query string the provider's redirect brought back to the callback, as received. */
export type CallbackQuery = Record<string, string | undefined>;

export interface Authorization {
  tokens: StoredTokens;
  /** The provider's id of the connected account: Square merchant id, Clover merchant id, QuickBooks realm id. */
  externalId: string;
  /** Clover only: the region whose hosts serve this merchant. */
  region?: string;
  /** The scopes granted, where the provider has scopes (Square). */
  grantedScopes?: string[];
}

/** A failure the merchant or the token keeper must act on: "needs-reconnect" is invalid_grant and its kin. */
export class OAuthError extends Error {
  override name = "OAuthError";
  constructor(message: string, readonly kind: "needs-reconnect" | "retryable" | "bug", options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The provider's tokens are not for the account the callback named (a callback's merchant_id or
 * realmId is only what the browser brought back): nothing may be stored.
 */
export class AccountMismatchError extends OAuthError {
  override name = "AccountMismatchError";
  constructor(message: string) {
    super(message, "needs-reconnect");
  }
}

/**
 * Asks the provider, with the new access token, about the account the callback named: true when it
 * answers for it, an AccountMismatchError when it refuses the token for it (401, 403) or knows no such
 * account (404), a retryable OAuthError when it did not answer.
 */
export async function confirmAccount(provider: string, url: string, accessToken: string, answersFor: (body: unknown) => boolean): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new OAuthError(`${provider} did not answer when daybook checked the account it connected; try again later.`, "retryable", { cause: error });
  }
  const text = await response.text().catch(() => "");
  const mismatch = new AccountMismatchError(`${provider}'s authorization is not for the account the callback named; connect ${provider} again.`);
  if (response.status === 401 || response.status === 403 || response.status === 404) throw mismatch;
  if (!response.ok) throw new OAuthError(`${provider} failed when daybook checked the account it connected (HTTP ${response.status}); try again later.`, "retryable");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OAuthError(`${provider} answered daybook's check of the account with something other than JSON; try again later.`, "retryable");
  }
  if (!answersFor(body)) throw mismatch;
}

export interface OAuthProvider {
  readonly name: ProviderName;
  /** Where to send the browser to ask for consent. */
  authorizeUrl(request: AuthorizeRequest): string;
  /** Exchanges the callback's code (the state was already checked by the caller). */
  exchangeCode(query: CallbackQuery, region?: string): Promise<Authorization>;
  /** New tokens from the refresh token; rotating providers return a new refresh token. */
  refresh(tokens: StoredTokens, region?: string): Promise<StoredTokens>;
  /** Clover's recovery with the refresh token that preceded the current one; absent where the provider has none. */
  recover?(previousRefreshToken: string, region?: string): Promise<StoredTokens>;
  /**
   * Revokes the authorization at the provider. Absent where the provider gives daybook no way to
   * revoke (Clover: only the merchant can, by uninstalling daybook in Clover).
   */
  revoke?(tokens: StoredTokens, externalId: string): Promise<void>;
  /** When the token keeper should refresh before use: true if `tokens` are due at `now`. */
  refreshDue(tokens: StoredTokens, now: Date): boolean;
  /** The moment refreshDue turns true for `tokens` (it stays true after); undefined if it never does. */
  refreshDueAt(tokens: StoredTokens): Date | undefined;
}

/** The earliest of the instants (ms since the epoch) that are valid times, as a Date; undefined if none is. */
export function earliestInstant(...instants: number[]): Date | undefined {
  const valid = instants.filter((ms) => Number.isFinite(ms));
  return valid.length === 0 ? undefined : new Date(Math.min(...valid));
}

/** refreshDue from refreshDueAt: due from that moment on. */
export function dueBy(dueAt: Date | undefined, at: Date): boolean {
  return dueAt !== undefined && at.getTime() >= dueAt.getTime();
}
