/**
 * The providers' APIs for one connection, acting with its tokens from the process's token keeper: the
 * Square reader (the official SDK, loaded on first use), the Clover reader on the connection's own
 * region's host, and the QuickBooks client with a token source that refreshes. Made per call, since a
 * reader holds one connection's tokens; handed out as the sync's ports and the pages' readers.
 */
import type { Connection } from "../model";
import type { TokenKeeper } from "../oauth/token-keeper";
import { CloverRequestError } from "../pos/clover/errors";
import { CLOVER_API_HOSTS, type CloverRegion } from "../pos/clover/hosts";
import { createQuickBooksClient, type QuickBooksAccountCreator } from "../quickbooks/client";
import type { QuickBooksClient, QuickBooksTokenSource, QuickBooksTrackingReader } from "../quickbooks/types";
import { quickBooksTokenSource } from "../sync/quickbooks-tokens";
import type { PayoutPorts } from "../payouts/post-payouts";
import type { SyncPorts } from "../sync/sync-day";
import type { ApiTuning, ProviderHosts } from "./provider-hosts";

export { type ApiTuning, PAGE_TUNING, type ProviderHosts, providerHostsFrom } from "./provider-hosts";

/** The host that serves a Clover connection: the stand-in's, or its region's (us when it names none). */
export function cloverHostOf(hosts: Pick<ProviderHosts, "cloverBaseUrl">, connection: Pick<Connection, "connectionId" | "region">): string {
  if (hosts.cloverBaseUrl !== undefined) return hosts.cloverBaseUrl;
  const region = connection.region ?? "us";
  if (!Object.hasOwn(CLOVER_API_HOSTS, region)) throw new CloverRequestError(`the Clover connection ${connection.connectionId} names an unknown region`, "bug");
  return CLOVER_API_HOSTS[region as CloverRegion];
}

/**
 * The clients for one connection. Each POS's reader and what reads and summarises its days loads on the
 * process's first read of that POS (lib/wiring/on-demand): a job reads one POS, and never loads the other's.
 */
export function providerApis(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning) {
  const { square = {}, clover = {}, quickBooks = {} } = tuning;
  const accessToken = (connection: Connection) => () => tokens.accessToken(connection);
  const cloverPos = () => import("./on-demand/clover-pos");
  const squarePos = () => import("./on-demand/square-pos");
  return {
    clover: cloverPos,
    square: squarePos,
    async cloverReader(connection: Connection, asOf?: Date) {
      const baseUrl = cloverHostOf(hosts, connection);
      const { createCloverReader } = await cloverPos();
      return createCloverReader({
        baseUrl,
        merchantId: connection.externalId,
        accessToken: accessToken(connection),
        ...(clover.timeoutMs !== undefined ? { timeoutMs: clover.timeoutMs } : {}),
        ...(clover.maxRetries !== undefined ? { maxRetries: clover.maxRetries } : {}),
        ...(clover.sleep ? { sleep: clover.sleep } : {}),
        ...(asOf ? { now: () => asOf.getTime() } : {}),
      });
    },
    async squareReader(connection: Connection, asOf?: Date) {
      const { createSquareReader } = await squarePos();
      return createSquareReader({
        baseUrl: hosts.squareBaseUrl,
        ...(asOf ? { now: () => asOf.getTime() } : {}),
        accessToken: accessToken(connection),
        ...(square.timeoutMs !== undefined ? { timeoutMs: square.timeoutMs } : {}),
        ...(square.maxRetries !== undefined ? { maxRetries: square.maxRetries } : {}),
      });
    },
    async squareCaller(connection: Connection) {
      const { createRawResponseCaller } = await squarePos();
      return createRawResponseCaller({
        baseUrl: hosts.squareBaseUrl, accessToken: accessToken(connection), timeoutMs: square.timeoutMs ?? 30_000, maxRetries: square.maxRetries ?? 3,
      });
    },
    quickBooks: (connection: Connection): { client: QuickBooksClient & QuickBooksAccountCreator & QuickBooksTrackingReader; tokens: QuickBooksTokenSource } => {
      const source = quickBooksTokenSource(tokens, connection);
      const client = createQuickBooksClient({
        baseUrl: hosts.quickBooksBaseUrl,
        realmId: connection.externalId,
        tokens: source,
        ...(quickBooks.timeoutMs !== undefined ? { timeoutMs: quickBooks.timeoutMs } : {}),
        ...(quickBooks.maxAttempts !== undefined ? { maxAttempts: quickBooks.maxAttempts } : {}),
        ...(quickBooks.sleep ? { sleep: quickBooks.sleep } : {}),
      });
      return { client, tokens: source };
    },
  };
}

type ProviderApis = ReturnType<typeof providerApis>;

/** A location's day from its POS, as the sync (and the go-live preview) reads it. */
export function summariserOf(apis: ProviderApis): SyncPorts["summarisePosDay"] {
  return async (location, connection, window, asOf) => {
    // The sync's own clock: Clover orders modified up to the run's instant are read, and no later.
    if (location.source === "clover") {
      const [{ summariseCloverLocationDay }, reader] = await Promise.all([apis.clover(), apis.cloverReader(connection, asOf)]);
      return summariseCloverLocationDay(reader, location, window);
    }
    const [{ summariseSquareLocationDay }, reader] = await Promise.all([apis.square(), apis.squareReader(connection)]);
    return summariseSquareLocationDay(reader, location, window);
  };
}

/** What the sync reads and posts with: a location's day from its POS, and the QuickBooks client. */
export function syncApis(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = {}): Pick<SyncPorts, "summarisePosDay" | "quickBooksClient" | "readPosNight" | "accessToken"> {
  const apis = providerApis(tokens, hosts, tuning);
  return {
    summarisePosDay: summariserOf(apis),
    async readPosNight(location, connection, plan, asOf) {
      if (location.source === "clover") {
        const [{ readCloverNight }, reader] = await Promise.all([apis.clover(), apis.cloverReader(connection, asOf)]);
        return readCloverNight(reader, location, plan);
      }
      const [{ readSquareNight }, reader] = await Promise.all([apis.square(), apis.squareReader(connection, asOf)]);
      return readSquareNight(reader, location, plan);
    },
    quickBooksClient: (connection) => Promise.resolve(apis.quickBooks(connection)),
    accessToken: (connection) => tokens.accessToken(connection),
  };
}

/** What the payouts step reads with: a Square location's payouts created or changed since a time, and the entries of those it needs. */
export function payoutApis(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = {}, now: () => Date = () => new Date()): Pick<PayoutPorts, "listPayouts"> {
  const { square = {} } = tuning;
  return {
    async listPayouts(connection, locationId, sinceMs) {
      const { createSquarePayoutReader } = await import("./on-demand/square-payouts");
      const reader = createSquarePayoutReader({
        baseUrl: hosts.squareBaseUrl,
        accessToken: () => tokens.accessToken(connection),
        now: () => now().getTime(),
        ...(square.timeoutMs !== undefined ? { timeoutMs: square.timeoutMs } : {}),
        ...(square.maxRetries !== undefined ? { maxRetries: square.maxRetries } : {}),
      });
      return { payouts: await reader.listChangedSince(locationId, sinceMs), entriesOf: (payout) => reader.listPayoutEntries(payout) };
    },
  };
}
