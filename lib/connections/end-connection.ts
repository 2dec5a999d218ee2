/**
 * Ends a connection the one way every path does it (the merchant's disconnect, a provider's
 * disconnect webhook, account deletion): the tokens are opened in memory, the stored ones destroyed at
 * once (setConnectionStatus removes the ciphertext and bumps the token version, so a refresh in flight
 * cannot write them back), and then, when asked, the authorization is revoked at the provider with the
 * tokens in hand. A revoke that fails is reported back; it never keeps the tokens stored.
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
  status: "revoked" | "needs-reconnect";
  /** Why, for the merchant (never a token or an address). */
  reason?: string;
}

export type RevokeOutcome =
  | { outcome: "revoked" }
  /** Not asked, or nothing to revoke with (the connection had no tokens left). */
  | { outcome: "skipped" }
  /** The tokens are gone from daybook all the same; `message` says why the provider was not told. */
  | { outcome: "failed"; message: string };

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

  let tokens: StoredTokens | undefined;
  let openFailure: string | undefined;
  if (options.revokeAtProvider && latest.status === "active" && latest.tokenCiphertext !== "") {
    try {
      tokens = await openTokens(vault, latest);
    } catch (error) {
      openFailure = `the stored tokens could not be opened to revoke them (${error instanceof Error ? error.name : "error"})`;
    }
  }

  await store.setConnectionStatus(latest.merchantId, latest.connectionId, options.status, options.reason);

  if (!options.revokeAtProvider) return { ended: true, revoke: { outcome: "skipped" } };
  if (openFailure) return { ended: true, revoke: { outcome: "failed", message: openFailure } };
  if (!tokens) return { ended: true, revoke: { outcome: "skipped" } };
  const provider = providers[latest.provider];
  if (!provider) return { ended: true, revoke: { outcome: "failed", message: `no ${latest.provider} OAuth client is configured to revoke with` } };
  try {
    await provider.revoke(tokens, latest.externalId);
    return { ended: true, revoke: { outcome: "revoked" } };
  } catch (error) {
    // The providers' errors carry no token or secret (lib/oauth/*.ts).
    return { ended: true, revoke: { outcome: "failed", message: error instanceof Error ? error.message : String(error) } };
  }
}
