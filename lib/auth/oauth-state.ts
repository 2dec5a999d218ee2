/**
 * OAuth `state`: random, single use, 10 minutes, bound to the session that started the flow.
 *
 * The stored key is the SHA-256 of the state together with the session's hash, so a callback can only
 * find a state in the session that made it: another session presenting it (a forged or shared
 * callback link) looks up a key that does not exist, fails, and leaves the owner's flow untouched.
 * The item also names its session, merchant and provider, and all three are checked again.
 */
import type { ProviderName } from "../model";
import { newSecret, SECRET_PATTERN, sha256Hex } from "./secrets";
import type { AuthStore, OAuthState } from "./types";

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export function oauthStateHash(sessionHash: string, state: string): string {
  return sha256Hex(`oauth-state:${sessionHash}:${state}`);
}

/** Stores a new state for this session's flow and returns it, to send to the provider. */
export async function beginOAuthFlow(
  auth: AuthStore,
  flow: { sessionHash: string; merchantId: string; provider: ProviderName; region?: string | undefined; now: Date },
): Promise<string> {
  const state = newSecret();
  await auth.putOAuthState({
    stateHash: oauthStateHash(flow.sessionHash, state),
    sessionHash: flow.sessionHash,
    merchantId: flow.merchantId,
    provider: flow.provider,
    ...(flow.region !== undefined ? { region: flow.region } : {}),
    createdAt: flow.now.toISOString(),
    expiresAt: new Date(flow.now.getTime() + OAUTH_STATE_TTL_MS).toISOString(),
  });
  return state;
}

/**
 * Uses the callback's state: the stored flow if the state was made by this session for this merchant
 * and provider, unexpired and not used before; undefined otherwise. Single use either way.
 */
export async function finishOAuthFlow(
  auth: AuthStore,
  callback: { sessionHash: string; merchantId: string; provider: ProviderName; state: string | undefined; now: Date },
): Promise<OAuthState | undefined> {
  if (callback.state === undefined || !SECRET_PATTERN.test(callback.state)) return undefined;
  const stored = await auth.consumeOAuthState(oauthStateHash(callback.sessionHash, callback.state), callback.now);
  if (!stored) return undefined;
  const matches = stored.sessionHash === callback.sessionHash && stored.merchantId === callback.merchantId && stored.provider === callback.provider;
  return matches ? stored : undefined;
}
