/**
 * The token keeper: working access tokens for every connection, refreshed ahead of expiry (each
 * provider's refreshDue) and after a provider refused one, without ever breaking a rotation chain.
 *
 * Single flight, across workers and within one: a refresh starts with acquireRefreshLease, a
 * conditional write that only one worker can win for a token version. The winner calls the provider
 * with the refresh token, seals the new tokens (with the refresh token it just spent as
 * previousRefreshToken) and writes them conditionally on the version, which clears the lease. A worker
 * that loses the lease never calls the provider with the same refresh token: it polls the connection
 * until the winner's new version appears and uses those tokens. Within one process, concurrent callers
 * share one refresh.
 *
 * A lease can run out while its holder is still waiting on the provider (a cold start, an overloaded
 * process): then a second worker refreshes with the same refresh token, and the provider makes two
 * pairs from it, of which only the last made lives on. The worker whose write loses finds the
 * winner's tokens made from the token it spent too, and refreshes once more (mendTwoPairs) rather
 * than keep tokens the provider may already have replaced.
 *
 * When the provider refuses the refresh token (invalid_grant and its kin) and the provider has a
 * recovery (Clover), the refused token is offered to it once: if an earlier refresh rotated the tokens
 * at the provider but its answer or its write was lost, the token daybook still holds is exactly the
 * "immediately preceding refresh token that was used to generate the current token" that Clover's
 * recovery takes (https://docs.clover.com/dev/docs/refresh-access-tokens). If that fails too, the
 * connection is marked needs-reconnect (which destroys its tokens) and onNeedsReconnect is told once.
 *
 * A refresh that fails for a passing reason (timeout, 5xx) gives the lease back at once, and marks the
 * tokens refreshUncertainSince: the provider may have rotated them with the answer lost, so the next
 * use refreshes at once, while the refresh token in hand still works (QuickBooks keeps a replaced one
 * for 24 hours), rather than when the access token is next due.
 */
import { sweepDueAt } from "../connections/sweep-due";
import type { Connection, ProviderName } from "../model";
import { ConflictError, type Store } from "../store/store";
import { providerReason } from "../sync/failure-reason";
import type { TokenVault } from "../vault/vault";
import { OAuthError, type OAuthProvider } from "./provider";
import { openTokens, sealTokens, type StoredTokens } from "./tokens";

/** `start()` once per key while it runs: callers that arrive meanwhile share its promise. */
function shareWhileRunning<T>(running: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  const current = running.get(key);
  if (current) return current;
  const started = start().finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

export interface TokenKeeper {
  /** A working access token for the connection: the newest this keeper knows, refreshed first when due. */
  accessToken(connection: Connection): Promise<string>;
  /**
   * After the provider refused an access token (a 401): new tokens, unless another worker already
   * replaced the ones in hand, in which case those are used. `refusedAccessToken` is the token that was
   * refused, when the caller knows it; without it, a newer stored version than `connection`'s counts as
   * already replaced.
   */
  refreshNow(connection: Connection, refusedAccessToken?: string): Promise<string>;
}

export interface WaitForPeerOptions {
  /** How many times to look for the lease holder's new tokens before giving up (retryable). Default 12. */
  attempts?: number;
  /** The first wait, doubled each time up to maxDelayMs. Defaults 50 ms and 1 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TokenKeeperOptions {
  store: Store;
  vault: TokenVault;
  /** The providers this keeper can refresh; a connection to another provider keeps its stored access token. */
  providers: Partial<Record<ProviderName, OAuthProvider>>;
  now?: () => Date;
  /** How long a refresh lease lasts: longer than a provider call can take. Default 30 s. */
  leaseMs?: number;
  waitForPeer?: WaitForPeerOptions;
  /**
   * Told once when a connection was just marked needs-reconnect (the web side emails the merchant a
   * reconnect link). Its failure does not hide the needs-reconnect error; it becomes that error's cause.
   */
  onNeedsReconnect?: (connection: Connection) => Promise<void> | void;
}

interface Held {
  connection: Connection;
  tokens: StoredTokens;
}

/** Provider calls per refresh under one lease: the first and two quick retries (see refreshWithRetries). */
const REFRESH_ATTEMPTS = 3;
const REFRESH_RETRY_DELAY_MS = 250;

/** Whether `theirs` were made from the refresh token `spent` (or still are it), and are not `ours`. */
function madeFromSameToken(theirs: StoredTokens, spent: string, ours: StoredTokens): boolean {
  return theirs.refreshToken !== ours.refreshToken && (theirs.previousRefreshToken === spent || theirs.refreshToken === spent);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const keyOf = (connection: Pick<Connection, "merchantId" | "connectionId">) => `${connection.merchantId}/${connection.connectionId}`;

export function createTokenKeeper(options: TokenKeeperOptions): TokenKeeper {
  const { store, vault, providers } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 30_000;
  const wait = {
    attempts: options.waitForPeer?.attempts ?? 12,
    initialDelayMs: options.waitForPeer?.initialDelayMs ?? 50,
    maxDelayMs: options.waitForPeer?.maxDelayMs ?? 1000,
    sleep: options.waitForPeer?.sleep ?? realSleep,
  };
  /** The newest tokens seen per connection: a refreshed token is used from then on, and decrypted once. */
  const held = new Map<string, Held>();
  const refreshing = new Map<string, Promise<Held>>();

  const notActive = (connection: Pick<Connection, "connectionId" | "provider" | "statusReason">) =>
    new OAuthError(
      `The ${connection.provider} connection ${connection.connectionId} is no longer active${connection.statusReason ? ` (${connection.statusReason})` : ""}: reconnect it in daybook.`,
      "needs-reconnect",
    );

  /** Tokens being decrypted, per connection and version: callers that arrive meanwhile (reads at once) share one KMS Decrypt. */
  const opening = new Map<string, Promise<Held>>();

  async function holdingOf(connection: Connection): Promise<Held> {
    const known = held.get(keyOf(connection));
    if (known && known.connection.tokenVersion >= connection.tokenVersion) return known;
    if (connection.status !== "active") throw notActive(connection);
    return shareWhileRunning(opening, `${keyOf(connection)}#${connection.tokenVersion}`, async () => remember(connection, await openTokens(vault, connection)));
  }

  function remember(connection: Connection, tokens: StoredTokens): Held {
    const key = keyOf(connection);
    const known = held.get(key);
    if (known && known.connection.tokenVersion > connection.tokenVersion) return known;
    const fresh = { connection, tokens };
    held.set(key, fresh);
    return fresh;
  }

  async function latestOf(connection: Connection): Promise<Connection> {
    const latest = await store.getConnection(connection.merchantId, connection.connectionId);
    if (!latest) throw new OAuthError(`The ${connection.provider} connection ${connection.connectionId} no longer exists: connect it again in daybook.`, "needs-reconnect");
    if (latest.status !== "active") throw notActive(latest);
    return latest;
  }

  /** One refresh per connection in this process; callers that arrive meanwhile share it. */
  function refreshOnce(from: Connection): Promise<Held> {
    return shareWhileRunning(refreshing, keyOf(from), () => refreshAcrossWorkers(from));
  }

  /** `alternate`: tokens to refresh with if the provider refuses the connection's (see mendTwoPairs). */
  async function refreshAcrossWorkers(from: Connection, alternate?: StoredTokens): Promise<Held> {
    let current = from;
    let delay = wait.initialDelayMs;
    for (let attempt = 0; ; attempt++) {
      const at = now();
      let lease: Connection;
      try {
        lease = await store.acquireRefreshLease(current.merchantId, current.connectionId, current.tokenVersion, new Date(at.getTime() + leaseMs), at);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const latest = await latestOf(current);
        // Another worker wrote new tokens: use them, never the provider with the spent refresh token.
        if (latest.tokenVersion > current.tokenVersion) return await holdingOf(latest);
        if (attempt + 1 >= wait.attempts) {
          throw new OAuthError(`Another worker is refreshing the ${current.provider} tokens of connection ${current.connectionId} and has not finished; try again later.`, "retryable");
        }
        await wait.sleep(delay);
        delay = Math.min(delay * 2, wait.maxDelayMs);
        current = latest;
        continue;
      }
      return await refreshUnderLease(lease, alternate);
    }
  }

  async function refreshUnderLease(lease: Connection, alternate?: StoredTokens): Promise<Held> {
    const provider = providerOf(lease);
    // The lease leaves the tokens as they were at its version: those in hand need no second KMS Decrypt.
    const known = held.get(keyOf(lease));
    const tokens = known?.connection.tokenVersion === lease.tokenVersion ? known.tokens : await openTokens(vault, lease);
    let spent = tokens.refreshToken;
    let fresh: StoredTokens;
    const tried = { inHand: tokens };
    try {
      ({ fresh, spent } = await refreshFirstTaken(provider, alternate ? [tokens, alternate] : [tokens], lease.region, tried));
    } catch (error) {
      if (!(error instanceof OAuthError && error.kind === "needs-reconnect")) {
        // Kept: the pair the provider did not refuse. A pair it refused is dead; the other may be the live one.
        const inHand = tried.inHand;
        await giveBackLease(lease, { ...inHand, refreshUncertainSince: inHand.refreshUncertainSince ?? now().toISOString() });
        throw error;
      }
      if (!provider.recover || !spent) return await markNeedsReconnect(lease, error);
      try {
        fresh = await provider.recover(spent, lease.region);
      } catch (recoveryError) {
        if (recoveryError instanceof OAuthError && recoveryError.kind === "needs-reconnect") return await markNeedsReconnect(lease, error);
        await giveBackLease(lease, tokens);
        throw recoveryError;
      }
    }
    // The provider's answer: new tokens, and with them no uncertainty left.
    const next: StoredTokens = { ...fresh, ...(spent ? { previousRefreshToken: spent } : {}) };
    const sealed = await sealTokens(vault, lease, next);
    let written: Connection;
    try {
      written = await store.updateConnectionTokens(lease.merchantId, lease.connectionId, lease.tokenVersion, sealed, sweepDueAt(next, provider, now()));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Ended meanwhile (disconnected), or the lease ran out and another worker wrote first.
      const theirs = await holdingOf(await latestOf(lease));
      if (spent !== undefined && madeFromSameToken(theirs.tokens, spent, next)) return await mendTwoPairs(theirs, next);
      return theirs;
    }
    return remember(written, next);
  }

  /**
   * The other worker's tokens come from the very refresh token these do, or are that token still (its
   * lease given back after a passing failure): this lease ran out while the provider was answering, and
   * the provider made two pairs from one refresh token. Only the pair it made last lives on (Intuit
   * keeps the other refresh token 24 hours; Clover's recovery ends the other at once), and which came
   * last is not knowable here. Keeping theirs blindly loses the chain a night later, so one more refresh
   * under a new lease makes a single chain again: from theirs, or, if the provider refuses that, from these.
   * If the provider refuses theirs and then fails for a passing reason, these are stored (marked uncertain,
   * so the next use refreshes them at once): theirs are dead, these may be the pair that lives.
   */
  async function mendTwoPairs(theirs: Held, ours: StoredTokens): Promise<Held> {
    return await refreshAcrossWorkers(theirs.connection, ours);
  }

  /**
   * The provider's new tokens from the first candidate's refresh token it still takes; its refusal of the
   * first if it takes none. `tried.inHand` is left on the candidate being tried when a passing failure ends it.
   */
  async function refreshFirstTaken(
    provider: OAuthProvider, candidates: StoredTokens[], region: string | undefined, tried: { inHand: StoredTokens },
  ): Promise<{ fresh: StoredTokens; spent: string | undefined }> {
    let refused: unknown;
    for (const candidate of candidates) {
      tried.inHand = candidate;
      try {
        return { fresh: await refreshWithRetries(provider, candidate, region), spent: candidate.refreshToken };
      } catch (error) {
        if (!(error instanceof OAuthError && error.kind === "needs-reconnect")) throw error;
        refused ??= error;
      }
    }
    throw refused;
  }

  /**
   * The provider call, tried again at once (twice, a moment apart) when it fails for a passing reason:
   * a lost answer may mean the provider already rotated the refresh token, and the one in hand works
   * for a limited time only (Intuit: 24 hours), so the chain is mended now rather than at the next use.
   */
  async function refreshWithRetries(provider: OAuthProvider, tokens: StoredTokens, region: string | undefined): Promise<StoredTokens> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await provider.refresh(tokens, region);
      } catch (error) {
        if (!(error instanceof OAuthError && error.kind === "retryable") || attempt >= REFRESH_ATTEMPTS) throw error;
        await wait.sleep(REFRESH_RETRY_DELAY_MS * attempt);
      }
    }
  }

  /** Lets the next attempt start at once: the same tokens (perhaps marked uncertain), a new version, no lease. Best effort. */
  async function giveBackLease(lease: Connection, tokens: StoredTokens): Promise<void> {
    try {
      const written = await store.updateConnectionTokens(
        lease.merchantId, lease.connectionId, lease.tokenVersion, await sealTokens(vault, lease, tokens), sweepDueAt(tokens, providers[lease.provider], now()),
      );
      const known = held.get(keyOf(lease));
      if (known && known.connection.tokenVersion === lease.tokenVersion) held.set(keyOf(lease), { connection: written, tokens });
    } catch {
      // The lease runs out by itself.
    }
  }

  async function markNeedsReconnect(connection: Connection, cause: OAuthError): Promise<Held> {
    // If this lease ran out and another worker wrote working tokens meanwhile, those stand.
    const latest = await latestOf(connection);
    if (latest.tokenVersion > connection.tokenVersion) return await holdingOf(latest);
    // The connections page says it in a person's words; the provider's own (invalid_grant, HTTP 400) go on in the error, for the operator.
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "needs-reconnect", providerReason(connection.provider, "needs-reconnect") ?? cause.message);
    held.delete(keyOf(connection));
    let hookFailure: unknown;
    try {
      await options.onNeedsReconnect?.(connection);
    } catch (error) {
      hookFailure = error;
    }
    throw new OAuthError(cause.message, "needs-reconnect", hookFailure === undefined ? undefined : { cause: hookFailure });
  }

  function providerOf(connection: Connection): OAuthProvider {
    const provider = providers[connection.provider];
    if (!provider) throw new OAuthError(`No ${connection.provider} OAuth client is configured, so its tokens cannot be refreshed.`, "bug");
    return provider;
  }

  return {
    async accessToken(connection) {
      const current = await holdingOf(connection);
      const provider = providers[connection.provider];
      const due = current.tokens.refreshUncertainSince !== undefined || (provider?.refreshDue(current.tokens, now()) ?? false);
      if (!provider || !current.tokens.refreshToken || !due) return current.tokens.accessToken;
      try {
        return (await refreshOnce(current.connection)).tokens.accessToken;
      } catch (error) {
        // Refreshing ahead of time can wait for a passing failure while the token in hand still works.
        const expiresAt = current.tokens.accessTokenExpiresAt ? Date.parse(current.tokens.accessTokenExpiresAt) : undefined;
        const stillValid = expiresAt === undefined || expiresAt > now().getTime();
        if (error instanceof OAuthError && error.kind === "retryable" && stillValid) return current.tokens.accessToken;
        throw error;
      }
    },

    async refreshNow(connection, refusedAccessToken) {
      providerOf(connection);
      const running = refreshing.get(keyOf(connection));
      if (running) return (await running).tokens.accessToken;
      // A newer version is not always newer tokens (a lease given back rewrites the same ones): compare the tokens.
      const known = held.get(keyOf(connection));
      const refused = refusedAccessToken ?? (known?.connection.tokenVersion === connection.tokenVersion ? known.tokens.accessToken : (await openTokens(vault, connection)).accessToken);
      const latest = await holdingOf(await latestOf(connection));
      const replaced = latest.tokens.accessToken !== refused;
      if (replaced) return latest.tokens.accessToken;
      return (await refreshOnce(latest.connection)).tokens.accessToken;
    },
  };
}
