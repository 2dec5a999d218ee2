/**
 * When the refresh sweep (refresh-sweep.ts) must look at a connection again: why its tokens need a
 * refresh now (sweepReason), and the time kept on the connection for its next look (sweepDueAt), which
 * the token keeper writes with every set of new tokens. Apart from the sweep, which loads on its own
 * invocations only: every job's refresh needs this, no job needs the sweep.
 */
import type { Connection } from "../model";
import { dueBy, earliestInstant, type OAuthProvider } from "../oauth/provider";
import type { StoredTokens } from "../oauth/tokens";

/** A refresh token with less than this left is refreshed: several sweeps' chances before it lapses. */
export const REFRESH_TOKEN_AHEAD_DAYS = 14;
/** The sweep opens every active connection's tokens at least this often, whatever its kept time says. */
export const SWEEP_LOOK_EVERY_DAYS = 7;
const DAY_MS = 86_400_000;

/** Why a connection needs refreshing now, if it does. */
export function sweepReason(connection: Connection, tokens: StoredTokens, provider: OAuthProvider | undefined, now: Date): "mend" | "expiring" | undefined {
  if (!tokens.refreshToken || !provider) return undefined;
  if (leaseLeftBehind(connection, now) || tokens.refreshUncertainSince !== undefined) return "mend";
  return dueBy(expiringAt(tokens, provider), now) ? "expiring" : undefined;
}

/** When the tokens start to need a refresh for their age: REFRESH_TOKEN_AHEAD_DAYS before the refresh token ends, or the provider's own time. */
function expiringAt(tokens: StoredTokens, provider: OAuthProvider): Date | undefined {
  if (tokens.refreshTokenExpiresAt !== undefined) return earliestInstant(Date.parse(tokens.refreshTokenExpiresAt) - REFRESH_TOKEN_AHEAD_DAYS * DAY_MS);
  return provider.refreshDueAt(tokens);
}

/** A refresh lease whose time has passed: a worker stopped between taking it and writing new tokens. */
export function leaseLeftBehind(connection: Connection, now: Date): boolean {
  return connection.refreshLeaseUntil !== undefined && Date.parse(connection.refreshLeaseUntil) <= now.getTime();
}

/**
 * When the sweep must next open these tokens: the moment sweepReason could first say they need a
 * refresh (at once if a refresh's answer was lost), and never more than SWEEP_LOOK_EVERY_DAYS after
 * `now`. A lease left behind is seen on the connection itself. Undefined where no provider is
 * configured to tell: the sweep then opens them every time, as it did before it kept the time.
 */
export function sweepDueAt(tokens: StoredTokens, provider: OAuthProvider | undefined, now: Date): Date | undefined {
  if (!provider) return undefined;
  const lookAgain = now.getTime() + SWEEP_LOOK_EVERY_DAYS * DAY_MS;
  if (!tokens.refreshToken) return new Date(lookAgain);
  if (tokens.refreshUncertainSince !== undefined) return now;
  return earliestInstant(expiringAt(tokens, provider)?.getTime() ?? Number.NaN, lookAgain);
}
