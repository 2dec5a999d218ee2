/**
 * Wires the sync's ports to real clients: the Square SDK reader, the Clover reader and the QuickBooks
 * fetch client, each acting with a connection's tokens from the token keeper (refreshed ahead of
 * expiry, one refresh per connection across workers). The same wiring serves the CLI, the Lambda
 * worker, the local stack and the tests; only the endpoints and the store differ.
 */
import type { TokenKeeper } from "../oauth/token-keeper";
import { CLOVER_API_HOSTS, type CloverRegion, createCloverReader } from "../pos/clover/client";
import { createSquareReader } from "../pos/square/client";
import { createQuickBooksClient } from "../quickbooks/client";
import type { Store } from "../store/store";
import { summariseCloverLocationDay } from "../pos/clover/day";
import { quickBooksTokenSource } from "./quickbooks-tokens";
import { summariseSquareLocationDay } from "../pos/square/day";
import { SyncError, type SyncPorts, type SyncStep } from "./sync-day";

export interface SyncWiring {
  store: Store;
  settings: SyncPorts["settings"];
  /** Access tokens of every connection (lib/oauth/token-keeper.ts). */
  tokens: TokenKeeper;
  square: { baseUrl: string; timeoutMs?: number; maxRetries?: number };
  /**
   * Clover: `baseUrl` sends every merchant to one host (a simulator, a proxy); without it each
   * connection's region decides (us when it names none).
   */
  clover?: { baseUrl?: string; timeoutMs?: number; maxRetries?: number; sleep?: (ms: number) => Promise<void> };
  quickBooks: {
    baseUrl: string;
    timeoutMs?: number;
    maxAttempts?: number;
    sleep?: (ms: number) => Promise<void>;
  };
  now?: () => Date;
  checkpoint?: (step: SyncStep) => void | Promise<void>;
}

export function createSyncPorts(wiring: SyncWiring): SyncPorts {
  const { store, settings, tokens: keeper } = wiring;
  const now = wiring.now ?? (() => new Date());
  return {
    store,
    settings,
    now,
    ...(wiring.checkpoint ? { checkpoint: wiring.checkpoint } : {}),
    async summarisePosDay(location, connection, window, asOf) {
      const accessToken = () => keeper.accessToken(connection);
      if (location.source === "clover") {
        if (!wiring.clover) throw new SyncError(`location ${location.locationId} reads from Clover, but Clover is not configured`, "bug");
        const region = connection.region ?? "us";
        if (!wiring.clover.baseUrl && !Object.hasOwn(CLOVER_API_HOSTS, region)) {
          throw new SyncError(`the Clover connection ${connection.connectionId} names an unknown region`, "bug");
        }
        const reader = createCloverReader({
          baseUrl: wiring.clover.baseUrl ?? CLOVER_API_HOSTS[region as CloverRegion],
          merchantId: connection.externalId,
          accessToken,
          ...(wiring.clover.timeoutMs ? { timeoutMs: wiring.clover.timeoutMs } : {}),
          ...(wiring.clover.maxRetries !== undefined ? { maxRetries: wiring.clover.maxRetries } : {}),
          ...(wiring.clover.sleep ? { sleep: wiring.clover.sleep } : {}),
          // The sync's own clock: orders modified up to the run's instant are read, and no later.
          now: () => asOf.getTime(),
        });
        return summariseCloverLocationDay(reader, location, window);
      }
      const reader = createSquareReader({
        baseUrl: wiring.square.baseUrl,
        accessToken,
        ...(wiring.square.timeoutMs ? { timeoutMs: wiring.square.timeoutMs } : {}),
        ...(wiring.square.maxRetries !== undefined ? { maxRetries: wiring.square.maxRetries } : {}),
      });
      return summariseSquareLocationDay(reader, location, window);
    },
    quickBooksClient(connection) {
      const tokens = quickBooksTokenSource(keeper, connection);
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
