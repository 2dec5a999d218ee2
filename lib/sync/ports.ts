/**
 * Wires the sync's ports to real clients: the Square SDK reader and the QuickBooks fetch client, each
 * acting with a connection's tokens from the vault. The same wiring serves the CLI, the Lambda worker,
 * the local stack and the tests; only the endpoints and the store differ.
 */
import { openTokens } from "../oauth/tokens";
import { createSquareReader } from "../pos/square/client";
import { createQuickBooksClient } from "../quickbooks/client";
import type { QuickBooksOAuth } from "../quickbooks/oauth";
import type { Store } from "../store/types";
import type { TokenVault } from "../vault/vault";
import { quickBooksTokenSource } from "./quickbooks-tokens";
import { summariseSquareLocationDay } from "./square-day";
import { summariseCloverLocationDay } from "./clover-day";
import { createCloverReader } from "../pos/clover/client";
import { SyncError, type SyncPorts, type SyncStep } from "./sync-day";

export interface SyncWiring {
  store: Store;
  vault: TokenVault;
  square: { baseUrl: string; timeoutMs?: number; maxRetries?: number };
  /** One Clover host for now (a region's, or a simulator); per-merchant regions come with Clover OAuth. */
  clover?: { baseUrl: string; timeoutMs?: number; maxRetries?: number; sleep?: (ms: number) => Promise<void> };
  quickBooks: {
    baseUrl: string;
    oauth: Pick<QuickBooksOAuth, "refresh">;
    timeoutMs?: number;
    maxAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
  };
  now?: () => Date;
  checkpoint?: (step: SyncStep) => void | Promise<void>;
}

export function createSyncPorts(wiring: SyncWiring): SyncPorts {
  const { store, vault } = wiring;
  return {
    store,
    now: wiring.now ?? (() => new Date()),
    ...(wiring.checkpoint ? { checkpoint: wiring.checkpoint } : {}),
    async summarisePosDay(location, connection, window) {
      const { accessToken } = await openTokens(vault, connection);
      if (location.source === "clover") {
        if (!wiring.clover) throw new SyncError(`location ${location.locationId} reads from Clover, but no Clover host is configured`, "bug");
        const reader = createCloverReader({
          baseUrl: wiring.clover.baseUrl,
          merchantId: connection.externalId,
          accessToken: () => Promise.resolve(accessToken),
          ...(wiring.clover.timeoutMs ? { timeoutMs: wiring.clover.timeoutMs } : {}),
          ...(wiring.clover.maxRetries !== undefined ? { maxRetries: wiring.clover.maxRetries } : {}),
          ...(wiring.clover.sleep ? { sleep: wiring.clover.sleep } : {}),
        });
        return summariseCloverLocationDay(reader, location, window);
      }
      const reader = createSquareReader({
        baseUrl: wiring.square.baseUrl,
        accessToken: () => Promise.resolve(accessToken),
        ...(wiring.square.timeoutMs ? { timeoutMs: wiring.square.timeoutMs } : {}),
        ...(wiring.square.maxRetries !== undefined ? { maxRetries: wiring.square.maxRetries } : {}),
      });
      return summariseSquareLocationDay(reader, location, window);
    },
    quickBooksClient(connection) {
      const tokens = quickBooksTokenSource({ store, vault, refresh: (refreshToken) => wiring.quickBooks.oauth.refresh(refreshToken) }, connection);
      const client = createQuickBooksClient({
        baseUrl: wiring.quickBooks.baseUrl,
        realmId: connection.externalId,
        tokens,
        ...(wiring.quickBooks.timeoutMs ? { timeoutMs: wiring.quickBooks.timeoutMs } : {}),
        ...(wiring.quickBooks.maxAttempts ? { maxAttempts: wiring.quickBooks.maxAttempts } : {}),
        ...(wiring.quickBooks.sleep ? { sleep: wiring.quickBooks.sleep } : {}),
      });
      return Promise.resolve({ client, tokens });
    },
  };
}
