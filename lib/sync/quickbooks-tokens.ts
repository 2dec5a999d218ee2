/**
 * Access tokens for one QuickBooks connection, refreshed when QuickBooks says the one in hand is no
 * good. QuickBooks rotates refresh tokens, so the new pair is written back with a conditional write on
 * the connection's token version: when another worker refreshed first, its tokens are the ones to use,
 * and this worker's are dropped, never written over them.
 */
import { openTokens, sealTokens, type StoredTokens } from "../oauth/tokens";
import type { QuickBooksTokenSource } from "../quickbooks/types";
import { type Connection, ConflictError, type Store } from "../store/types";
import type { TokenVault } from "../vault/vault";

export type RefreshQuickBooksTokens = (refreshToken: string) => Promise<StoredTokens>;

export function quickBooksTokenSource(
  deps: { store: Store; vault: TokenVault; refresh: RefreshQuickBooksTokens },
  connection: Connection,
): QuickBooksTokenSource {
  let current = connection;
  let tokens: StoredTokens | undefined;
  const load = async () => (tokens ??= await openTokens(deps.vault, current));

  return {
    async accessToken() {
      return (await load()).accessToken;
    },
    async refresh() {
      const { refreshToken } = await load();
      if (!refreshToken) throw new Error(`QuickBooks connection ${connection.connectionId} has no refresh token`);
      const fresh = await deps.refresh(refreshToken);
      const sealed = await sealTokens(deps.vault, current, fresh);
      try {
        current = await deps.store.updateConnectionTokens(current.merchantId, current.connectionId, current.tokenVersion, sealed);
        tokens = fresh;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const latest = await deps.store.getConnection(current.merchantId, current.connectionId);
        if (!latest || latest.status !== "active") throw error;
        current = latest;
        tokens = await openTokens(deps.vault, latest);
      }
      return tokens.accessToken;
    },
  };
}
