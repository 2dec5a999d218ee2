/**
 * Ends a connection the one way every path does it (the merchant's disconnect, a provider's
 * disconnect webhook, a reconnect replacing it, account deletion): the tokens are opened in memory,
 * the connection's record is removed at once, tokens and all (a refresh in flight writes
 * conditionally on the record and so cannot bring it back), and then, when asked, the authorization
 * is revoked at the provider with the tokens in hand.
 *
 * The outcome says truthfully what happened at the provider: "revoked" only when the provider was
 * asked and accepted; "not-revocable" for a provider that gives daybook no way to revoke (Clover: the
 * merchant must uninstall daybook in Clover); "failed" when the provider could not be told. A revoke
 * that fails never keeps the tokens: they are gone from daybook either way, and never used or
 * refreshed again.
 */
import type { OAuthProvider } from "../oauth/provider";
import { openTokens, type StoredTokens } from "../oauth/tokens";
import type { Connection, ProviderName } from "../model";
import type { Store } from "../store/store";
import type { TokenVault } from "../vault/vault";

export interface EndConnectionDeps {
  store: Store;
  vault: TokenVault;
  providers: Partial<Record<ProviderName, OAuthProvider>>;
}

export interface EndConnectionOptions {
  /** Revoke at the provider too: yes for the merchant's disconnect and account deletion; no when the provider told us. */
  revokeAtProvider: boolean;
}

export type RevokeOutcome =
  | { outcome: "revoked" }
  /** The provider has no way for daybook to revoke (Clover): only the merchant can, by uninstalling daybook there. */
  | { outcome: "not-revocable" }
  /** Not asked, or nothing to revoke with (the connection had no tokens left). */
  | { outcome: "skipped" }
  /** The tokens are gone from daybook all the same; `message` says why the provider was not told. */
  | { outcome: "failed"; message: string };

/** A connection that was ended, and what became of daybook's access at its provider: what the pages say. */
export interface EndedConnection {
  provider: ProviderName;
  outcome: RevokeOutcome["outcome"];
  /** Clover's region, for the link to its App Market. */
  region?: string;
}

export interface EndConnectionResult {
  /** False when the connection no longer existed. */
  ended: boolean;
  revoke: RevokeOutcome;
}

export async function endConnection(
  deps: EndConnectionDeps,
  connection: Pick<Connection, "merchantId" | "connectionId">,
  options: EndConnectionOptions,
): Promise<EndConnectionResult> {
  const { store, vault, providers } = deps;
  // The stored version, not the caller's copy: a refresh may have replaced the tokens since.
  const latest = await store.getConnection(connection.merchantId, connection.connectionId);
  if (!latest) return { ended: false, revoke: { outcome: "skipped" } };
  const provider = providers[latest.provider];
  const revocable = provider?.revoke !== undefined;

  let tokens: StoredTokens | undefined;
  let openFailure: string | undefined;
  if (options.revokeAtProvider && revocable && latest.status === "active" && latest.tokenCiphertext !== "") {
    try {
      tokens = await openTokens(vault, latest);
    } catch (error) {
      openFailure = `the stored tokens could not be opened to revoke them (${error instanceof Error ? error.name : "error"})`;
    }
  }

  await store.removeConnection(latest.merchantId, latest.connectionId);

  if (!options.revokeAtProvider) return { ended: true, revoke: { outcome: "skipped" } };
  if (!provider) return { ended: true, revoke: { outcome: "failed", message: `no ${latest.provider} OAuth client is configured to revoke with` } };
  if (!provider.revoke) return { ended: true, revoke: { outcome: "not-revocable" } };
  if (openFailure) return { ended: true, revoke: { outcome: "failed", message: openFailure } };
  if (!tokens) return { ended: true, revoke: { outcome: "skipped" } };
  try {
    await provider.revoke(tokens, latest.externalId);
    return { ended: true, revoke: { outcome: "revoked" } };
  } catch (error) {
    // The providers' errors carry no token or secret (lib/oauth/*.ts).
    return { ended: true, revoke: { outcome: "failed", message: error instanceof Error ? error.message : String(error) } };
  }
}
