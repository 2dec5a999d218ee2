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
 * reconnect link: a connection never lapses unnoticed. A refused connection whose reconnect request
 * the daily email caps held back is owed it: the sweep sends it again once a new UTC day allows
 * (lib/connections/reconnect-email.ts sendOwedReconnect). So it does a notice that locations stopped
 * posting that the caps held back (lib/locations/posting-status.ts sendOwedPostingNotices), found in the
 * index of locations owed one (Store.listMerchantsOwedNotices): whatever became of the connection since,
 * refused still or disconnected, and reading nothing of a merchant who is owed none.
 *
 * Opening tokens costs a KMS Decrypt, and a connection is seldom due, so each connection carries in
 * plaintext when the sweep must next open its tokens (sweepDueAt, written with the tokens: a time is
 * not a secret): the sweep opens only connections whose time has come, whose lease was left behind, or
 * that carry no time yet (written before it was kept), and keeps the time of those it opened and found
 * not due. The time is at most SWEEP_LOOK_EVERY_DAYS ahead, so every connection is opened at least that
 * often whatever the rules above say.
 */
import type { Connection, ProviderName } from "../model";
import { OAuthError, type OAuthProvider } from "../oauth/provider";
import type { TokenKeeper } from "../oauth/token-keeper";
import { openTokens } from "../oauth/tokens";
import { CONNECTION_SHARDS } from "../store/keys";
import { ConflictError, type Store } from "../store/store";
import type { TokenVault } from "../vault/vault";
import { leaseLeftBehind, sweepDueAt, sweepReason } from "./sweep-due";

export { isRefreshSweepEvent, REFRESH_SWEEP_EVENT } from "./refresh-sweep-event";

export interface RefreshSweepDeps {
  store: Pick<Store, "listConnectionsInShard" | "setSweepDueAt" | "listMerchantsOwedNotices">;
  vault: TokenVault;
  tokens: TokenKeeper;
  providers: Partial<Record<ProviderName, OAuthProvider>>;
  now: () => Date;
  /** Counts and ids only. */
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
  /** CONNECTION_SHARDS unless a test says otherwise. */
  shards?: number;
  /** Sends again a reconnect request the caps held back, if it is owed now (lib/connections/reconnect-email.ts sendOwedReconnect). */
  owedReconnect?: (connection: Connection) => Promise<"sent" | "held" | "nobody" | undefined>;
  /** Sends again the merchant's stopped-posting notices the caps held back, if owed now; the emails sent (lib/locations/posting-status.ts sendOwedPostingNotices). */
  owedPostingNotices?: (merchantId: string) => Promise<number>;
}

export interface RefreshSweepResult {
  /** Active connections looked at. */
  checked: number;
  /** Of those, the ones whose tokens were opened (a KMS Decrypt each): due, left mid-refresh, or with no kept time. */
  opened: number;
  /** Refreshed because their refresh token was running out (or the provider wanted it). */
  refreshed: number;
  /** Refreshed because a crash or a lost answer left them mid-refresh. */
  mended: number;
  /** Refused by the provider: marked needs-reconnect, the merchant emailed. */
  refused: number;
  /** Failed for a passing reason; the next sweep tries again. */
  failed: number;
  /** Refused connections whose reconnect request, held back by the email caps before, went now. */
  askedAgain: number;
  /** Stopped-posting notices, held back by the email caps before, that went now (an email each address). */
  toldAgain: number;
}

/** Whether the sweep must open the connection's tokens now: its kept time has come, its lease was left behind, or it has no kept time. */
function mustOpen(connection: Connection, now: Date): boolean {
  if (leaseLeftBehind(connection, now)) return true;
  return connection.sweepDueAt === undefined || !(Date.parse(connection.sweepDueAt) > now.getTime());
}

export async function sweepConnections(deps: RefreshSweepDeps): Promise<RefreshSweepResult> {
  const result: RefreshSweepResult = { checked: 0, opened: 0, refreshed: 0, mended: 0, refused: 0, failed: 0, askedAgain: 0, toldAgain: 0 };
  for (let shard = 0; shard < (deps.shards ?? CONNECTION_SHARDS); shard++) {
    for (const connection of await deps.store.listConnectionsInShard(shard)) {
      if (connection.status === "needs-reconnect" && connection.reconnectHeldAt !== undefined) await askAgain(deps, connection, result);
      if (connection.status !== "active") continue;
      result.checked++;
      if (!mustOpen(connection, deps.now())) continue;
      result.opened++;
      try {
        const tokens = await openTokens(deps.vault, connection);
        const provider = deps.providers[connection.provider];
        const reason = sweepReason(connection, tokens, provider, deps.now());
        if (reason === undefined) {
          await keepNextLook(deps, connection, sweepDueAt(tokens, provider, deps.now()));
          continue;
        }
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
  if (deps.owedPostingNotices) for (const merchantId of await deps.store.listMerchantsOwedNotices()) await tellAgain(deps, merchantId, result);
  deps.log("info", "refresh sweep", { ...result });
  return result;
}

/** A reconnect request the caps held back: sent again when it is owed now. A failure is logged; the next sweep tries again. */
async function askAgain(deps: RefreshSweepDeps, connection: Connection, result: RefreshSweepResult): Promise<void> {
  if (!deps.owedReconnect) return;
  const fields = { merchantId: connection.merchantId, connectionId: connection.connectionId, provider: connection.provider };
  try {
    const request = await deps.owedReconnect(connection);
    if (request === "sent") result.askedAgain++;
    if (request !== undefined) deps.log("info", "sweep: a reconnect request held back before was tried again", { ...fields, request });
  } catch (error) {
    deps.log("error", "sweep: a reconnect request held back before could not be sent", { ...fields, error: error instanceof Error ? error.name : "unknown" });
  }
}

/** The merchant's stopped-posting notices the caps held back: sent again when owed now. A failure is logged; the next sweep tries again. */
async function tellAgain(deps: RefreshSweepDeps, merchantId: string, result: RefreshSweepResult): Promise<void> {
  if (!deps.owedPostingNotices) return;
  try {
    const sent = await deps.owedPostingNotices(merchantId);
    result.toldAgain += sent;
    if (sent > 0) deps.log("info", "sweep: a stopped-posting notice held back before was sent again", { merchantId, sent });
  } catch (error) {
    deps.log("error", "sweep: a stopped-posting notice held back before could not be sent", { merchantId, error: error instanceof Error ? error.name : "unknown" });
  }
}

/**
 * Keeps when the sweep must next open a connection it found not due. Best effort: the tokens may have
 * changed since it read them (their writer kept their own time), and if the write fails the next sweep
 * opens them again, as before.
 */
async function keepNextLook(deps: RefreshSweepDeps, connection: Connection, at: Date | undefined): Promise<void> {
  if (at === undefined) return;
  try {
    await deps.store.setSweepDueAt(connection.merchantId, connection.connectionId, connection.tokenVersion, at);
  } catch (error) {
    if (error instanceof ConflictError) return;
    deps.log("warn", "sweep: could not keep when to look at a connection next", {
      merchantId: connection.merchantId, connectionId: connection.connectionId, error: error instanceof Error ? error.name : "unknown",
    });
  }
}
