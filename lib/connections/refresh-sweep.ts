/**
 * The refresh sweep (the worker runs it every 6 hours, infra/stack.ts): keeps every connection alive,
 * those no location uses included, which no nightly sync refreshes. It refreshes, through the
 * process's token keeper (single flight, rotation chain kept), each active connection whose:
 * - refresh token runs out within REFRESH_TOKEN_AHEAD_DAYS (QuickBooks: 100 days unused; Clover: about
 *   a year), or, where the provider gives the refresh token no end (Square), whose tokens the provider
 *   wants refreshed (Square: weekly);
 * - refresh lease was left behind (a worker stopped between taking it and writing new tokens: the
 *   provider may have rotated the refresh token with the answer lost, and QuickBooks accepts the one
 *   daybook still holds for 24 hours only; Clover's recovery takes it), or whose last refresh's answer
 *   was lost (refreshUncertainSince).
 * A refused refresh marks the connection needs-reconnect and the keeper emails the merchant a
 * reconnect link: a connection never lapses unnoticed.
 */
import type { Connection, ProviderName } from "../model";
import { OAuthError, type OAuthProvider } from "../oauth/provider";
import type { TokenKeeper } from "../oauth/token-keeper";
import { openTokens, type StoredTokens } from "../oauth/tokens";
import { CONNECTION_SHARDS } from "../store/keys";
import type { Store } from "../store/store";
import type { TokenVault } from "../vault/vault";

/** What the sweep's schedule sends the worker (infra/stack.ts), told apart from an SQS batch by it. */
export const REFRESH_SWEEP_EVENT = { daybook: "refresh-sweep" } as const;

export function isRefreshSweepEvent(event: unknown): event is typeof REFRESH_SWEEP_EVENT {
  return typeof event === "object" && event !== null && (event as { daybook?: unknown }).daybook === REFRESH_SWEEP_EVENT.daybook;
}

/** A refresh token with less than this left is refreshed: several sweeps' chances before it lapses. */
export const REFRESH_TOKEN_AHEAD_DAYS = 14;
const DAY_MS = 86_400_000;

export interface RefreshSweepDeps {
  store: Pick<Store, "listConnectionsInShard">;
  vault: TokenVault;
  tokens: TokenKeeper;
  providers: Partial<Record<ProviderName, OAuthProvider>>;
  now: () => Date;
  /** Counts and ids only. */
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
  /** CONNECTION_SHARDS unless a test says otherwise. */
  shards?: number;
}

export interface RefreshSweepResult {
  /** Active connections looked at. */
  checked: number;
  /** Refreshed because their refresh token was running out (or the provider wanted it). */
  refreshed: number;
  /** Refreshed because a crash or a lost answer left them mid-refresh. */
  mended: number;
  /** Refused by the provider: marked needs-reconnect, the merchant emailed. */
  refused: number;
  /** Failed for a passing reason; the next sweep tries again. */
  failed: number;
}

/** Why a connection needs refreshing now, if it does. */
export function sweepReason(connection: Connection, tokens: StoredTokens, provider: OAuthProvider | undefined, now: Date): "mend" | "expiring" | undefined {
  if (!tokens.refreshToken || !provider) return undefined;
  const leftBehind = connection.refreshLeaseUntil !== undefined && Date.parse(connection.refreshLeaseUntil) <= now.getTime();
  if (leftBehind || tokens.refreshUncertainSince !== undefined) return "mend";
  if (tokens.refreshTokenExpiresAt !== undefined) {
    return Date.parse(tokens.refreshTokenExpiresAt) - now.getTime() <= REFRESH_TOKEN_AHEAD_DAYS * DAY_MS ? "expiring" : undefined;
  }
  return provider.refreshDue(tokens, now) ? "expiring" : undefined;
}

export async function sweepConnections(deps: RefreshSweepDeps): Promise<RefreshSweepResult> {
  const result: RefreshSweepResult = { checked: 0, refreshed: 0, mended: 0, refused: 0, failed: 0 };
  for (let shard = 0; shard < (deps.shards ?? CONNECTION_SHARDS); shard++) {
    for (const connection of await deps.store.listConnectionsInShard(shard)) {
      if (connection.status !== "active") continue;
      result.checked++;
      try {
        const reason = sweepReason(connection, await openTokens(deps.vault, connection), deps.providers[connection.provider], deps.now());
        if (reason === undefined) continue;
        await deps.tokens.refreshNow(connection);
        result[reason === "mend" ? "mended" : "refreshed"]++;
      } catch (error) {
        const refused = error instanceof OAuthError && error.kind === "needs-reconnect";
        result[refused ? "refused" : "failed"]++;
        deps.log(refused ? "warn" : "error", refused ? "sweep: a connection was refused by its provider" : "sweep: a connection could not be refreshed", {
          merchantId: connection.merchantId, connectionId: connection.connectionId, provider: connection.provider,
          error: error instanceof OAuthError ? error.kind : error instanceof Error ? error.name : "unknown",
        });
      }
    }
  }
  deps.log("info", "refresh sweep", { ...result });
  return result;
}
