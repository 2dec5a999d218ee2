/**
 * The QuickBooks client's token source for one connection, over the token keeper: the access token
 * the keeper holds (refreshed ahead of expiry), and after a 401 a refresh, unless another worker has
 * already replaced the refused token. The keeper makes sure the rotating refresh token is spent by
 * one worker only.
 */
import type { TokenKeeper } from "../oauth/token-keeper";
import type { QuickBooksTokenSource } from "../quickbooks/types";
import type { Connection } from "../model";

export function quickBooksTokenSource(keeper: TokenKeeper, connection: Connection): QuickBooksTokenSource {
  let handedOut: string | undefined;
  return {
    async accessToken() {
      handedOut = await keeper.accessToken(connection);
      return handedOut;
    },
    async refresh() {
      handedOut = await keeper.refreshNow(connection, handedOut);
      return handedOut;
    },
  };
}
