/**
 * The providers' APIs for one connection, acting with its tokens from the process's token keeper: the
 * Square reader (the official SDK, loaded on first use), the Clover reader on the connection's own
 * region's host, and the QuickBooks client with a token source that refreshes. Made per call, since a
 * reader holds one connection's tokens; handed out as the sync's ports and the pages' readers.
 */
import { cloverCatalog, squareCatalog } from "../locations/pos-catalog";
import { cloverLocations, type ProviderReaders, squareBusinessName, squareLocations } from "../locations/readers";
import type { Connection } from "../model";
import type { TokenKeeper } from "../oauth/token-keeper";
import { CLOVER_API_HOSTS, type CloverRegion, createCloverReader } from "../pos/clover/client";
import { summariseCloverLocationDay } from "../pos/clover/day";
import { readCloverNight } from "../pos/clover/night";
import { CloverRequestError } from "../pos/clover/errors";
import { createSquareReader } from "../pos/square/client";
import { createSquarePayoutReader } from "../pos/square/payouts";
import { summariseSquareLocationDay } from "../pos/square/day";
import { readSquareNight } from "../pos/square/night";
import { createRawResponseCaller } from "../pos/square/raw-responses";
import { createQuickBooksClient, type QuickBooksAccountCreator } from "../quickbooks/client";
import type { QuickBooksClient, QuickBooksTokenSource, QuickBooksTrackingReader } from "../quickbooks/types";
import { quickBooksTokenSource } from "../sync/quickbooks-tokens";
import type { PayoutPorts } from "../payouts/post-payouts";
import type { SyncPorts } from "../sync/sync-day";
import { type ApiTuning, PAGE_TUNING, type ProviderHosts } from "./provider-hosts";

export { type ApiTuning, PAGE_TUNING, type ProviderHosts, providerHostsFrom } from "./provider-hosts";

/** The host that serves a Clover connection: the stand-in's, or its region's (us when it names none). */
export function cloverHostOf(hosts: Pick<ProviderHosts, "cloverBaseUrl">, connection: Pick<Connection, "connectionId" | "region">): string {
  if (hosts.cloverBaseUrl !== undefined) return hosts.cloverBaseUrl;
  const region = connection.region ?? "us";
  if (!Object.hasOwn(CLOVER_API_HOSTS, region)) throw new CloverRequestError(`the Clover connection ${connection.connectionId} names an unknown region`, "bug");
  return CLOVER_API_HOSTS[region as CloverRegion];
}

function apisFor(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning) {
  const { square = {}, clover = {}, quickBooks = {} } = tuning;
  const accessToken = (connection: Connection) => () => tokens.accessToken(connection);
  return {
    cloverReader: (connection: Connection, asOf?: Date) => createCloverReader({
      baseUrl: cloverHostOf(hosts, connection),
      merchantId: connection.externalId,
      accessToken: accessToken(connection),
      ...(clover.timeoutMs !== undefined ? { timeoutMs: clover.timeoutMs } : {}),
      ...(clover.maxRetries !== undefined ? { maxRetries: clover.maxRetries } : {}),
      ...(clover.sleep ? { sleep: clover.sleep } : {}),
      ...(asOf ? { now: () => asOf.getTime() } : {}),
    }),
    squareReader: (connection: Connection, asOf?: Date) => createSquareReader({
      baseUrl: hosts.squareBaseUrl,
      ...(asOf ? { now: () => asOf.getTime() } : {}),
      accessToken: accessToken(connection),
      ...(square.timeoutMs !== undefined ? { timeoutMs: square.timeoutMs } : {}),
      ...(square.maxRetries !== undefined ? { maxRetries: square.maxRetries } : {}),
    }),
    squareCaller: (connection: Connection) => createRawResponseCaller({
      baseUrl: hosts.squareBaseUrl, accessToken: accessToken(connection), timeoutMs: square.timeoutMs ?? 30_000, maxRetries: square.maxRetries ?? 3,
    }),
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

function summariserOf(apis: ReturnType<typeof apisFor>): SyncPorts["summarisePosDay"] {
  return async (location, connection, window, asOf) => {
    // The sync's own clock: Clover orders modified up to the run's instant are read, and no later.
    if (location.source === "clover") return summariseCloverLocationDay(apis.cloverReader(connection, asOf), location, window);
    return summariseSquareLocationDay(apis.squareReader(connection), location, window);
  };
}

/** What the sync reads and posts with: a location's day from its POS, and the QuickBooks client. */
export function syncApis(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = {}): Pick<SyncPorts, "summarisePosDay" | "quickBooksClient" | "readPosNight"> {
  const apis = apisFor(tokens, hosts, tuning);
  return {
    summarisePosDay: summariserOf(apis),
    async readPosNight(location, connection, plan, asOf) {
      if (location.source === "clover") return readCloverNight(apis.cloverReader(connection, asOf), location, plan);
      return readSquareNight(apis.squareReader(connection, asOf), location, plan);
    },
    quickBooksClient: (connection) => Promise.resolve(apis.quickBooks(connection)),
  };
}

/** What the payouts step reads with: a Square location's payouts created or changed since a time, with their entries. */
export function payoutApis(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = {}, now: () => Date = () => new Date()): Pick<PayoutPorts, "readPayouts"> {
  const { square = {} } = tuning;
  return {
    readPayouts: (connection, locationId, sinceMs) => createSquarePayoutReader({
      baseUrl: hosts.squareBaseUrl,
      accessToken: () => tokens.accessToken(connection),
      now: () => now().getTime(),
      ...(square.timeoutMs !== undefined ? { timeoutMs: square.timeoutMs } : {}),
      ...(square.maxRetries !== undefined ? { maxRetries: square.maxRetries } : {}),
    }).payoutsChangedSince(locationId, sinceMs),
  };
}

/** What the locations and mapping pages read with. */
export function pageReaders(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = PAGE_TUNING): ProviderReaders {
  const apis = apisFor(tokens, hosts, tuning);
  return {
    posLocations(connection) {
      if (connection.provider === "clover") return cloverLocations(apis.cloverReader(connection));
      if (connection.provider === "square") return squareLocations(apis.squareCaller(connection));
      return Promise.reject(new Error(`connection ${connection.connectionId} is not a POS connection`));
    },
    posCatalog(connection, locationId) {
      if (connection.provider === "clover") return cloverCatalog(apis.cloverReader(connection));
      if (connection.provider === "square") return squareCatalog(apis.squareCaller(connection), locationId);
      return Promise.reject(new Error(`connection ${connection.connectionId} is not a POS connection`));
    },
    posDay: summariserOf(apis),
    quickBooks: (connection) => apis.quickBooks(connection).client,
    async accountName(connection) {
      if (connection.provider === "square") return squareBusinessName(apis.squareCaller(connection));
      if (connection.provider === "clover") return (await apis.cloverReader(connection).getMerchant()).name;
      return (await apis.quickBooks(connection).client.getCompanySettings()).companyName;
    },
  };
}
