/**
 * The web app's runtime (functions/api.ts): the shared services, the readers the pages use, the
 * webhook secrets, and the SQS queue behind the approve links and the backfill pages. Only the table's
 * client is made at start: KMS, SES and SQS load on the first request that uses them, the OAuth
 * providers and the token keeper on the first that connects, disconnects or reads a provider.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { payoutRecordsOf } from "../api/payouts";
import type { ApiConfig } from "../config";
import type { ProviderName } from "../model";
import { type ConsentSettings, consentOrigins } from "../oauth/consent-origins";
import type { OAuthProvider } from "../oauth/provider";
import type { TokenKeeper } from "../oauth/token-keeper";
import type { JobQueue } from "../schedule/enqueue";
import type { AuthStore } from "../auth/types";
import type { DynamoStoreOptions } from "../store/dynamo";
import { merchantProfiles } from "../store/merchant-profile";
import { sessionReads } from "../store/sessions";
import type { DynamoStorageOptions, Storage } from "../store/storage";
import type { Store } from "../store/store";
import type { WebDeps } from "../web/deps";
import { lazySqsClient } from "./aws";
import type { ProviderReaders } from "../locations/readers";
import { type AsyncPort, lazy, lazyPort } from "./lazy";
import { type ApiTuning, PAGE_TUNING } from "./provider-hosts";
import type { OAuthParts } from "./oauth";
import { composeCoreServices, type CoreServices, type ServiceParts, type Services } from "./services";

export interface ApiParts extends ServiceParts {
  sqs?: SQSClient;
  /** How patient the pages' provider calls are (15 s, one retry by default). */
  tuning?: ApiTuning;
}

/** The OAuth providers and the token keeper as the web app holds them: the providers asked for, the keeper's every method awaited. */
export interface WebOAuth {
  providers: () => Promise<Record<ProviderName, OAuthProvider>>;
  tokens: TokenKeeper;
}

export interface ApiRuntime {
  deps: WebDeps;
  services: CoreServices & WebOAuth;
  /** The services with the providers and the keeper made (loading them): for a process that runs the worker's code beside the app (the tests' world). */
  madeServices(): Promise<Services>;
  close(): void;
}

/** Providers and a keeper a process made already (the local stack's), as the web app holds them. */
export function oauthAtHand({ providers, tokens }: OAuthParts): WebOAuth {
  return { providers: () => Promise.resolve(providers), tokens };
}

/** The web app's deps from services a process already has (the local stack runs the worker beside it). */
export function webDepsOf(
  services: CoreServices & WebOAuth,
  settings: Pick<ApiConfig, "SQUARE_WEBHOOK_SIGNATURE_KEY" | "SQUARE_WEBHOOK_URL" | "CLOVER_WEBHOOK_AUTH_CODE" | "CLOVER_APP_ID" | "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN"> & ConsentSettings,
  options: { log: WebDeps["log"]; queue?: JobQueue; linkKey?: Buffer; tuning?: ApiTuning },
): WebDeps {
  const { publicUrl } = services;
  return {
    ...services.storage,
    vault: services.vault,
    email: services.email,
    providers: services.providers,
    tokens: services.tokens,
    consentOrigins: consentOrigins(settings),
    readers: pageReadersOnDemand(services, options.tuning ?? PAGE_TUNING),
    publicUrl,
    webhooks: {
      squareSignatureKey: settings.SQUARE_WEBHOOK_SIGNATURE_KEY,
      squareNotificationUrl: settings.SQUARE_WEBHOOK_URL ?? `${publicUrl}/webhooks/square`,
      cloverAuthCode: settings.CLOVER_WEBHOOK_AUTH_CODE,
      cloverAppId: settings.CLOVER_APP_ID,
      quickBooksVerifierToken: settings.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN,
    },
    now: services.now,
    apiPayouts: payoutRecordsOf(services.storage.payouts),
    ...(options.queue !== undefined && options.linkKey !== undefined ? { links: { key: options.linkKey, queue: options.queue } } : {}),
    ...(options.queue !== undefined ? { backfill: { queue: options.queue } } : {}),
    log: options.log,
  };
}

/**
 * What every signed-in request does, made at start: read and keep its session (the AuthStore's session
 * methods) and read the profiles of the person and the business (the Store's getMerchant). The two
 * stores' other methods, and the schemas of the records they read, load on the first call of one; an
 * accountant's access (members) on the first request acting for a business (lib/web/session.ts); every
 * other store on its first call (lib/wiring/storage.ts).
 */
export function sessionStores(options: DynamoStorageOptions): Pick<Storage, "store" | "auth"> {
  const client = DynamoDBDocumentClient.from(options.client);
  const storeOptions: DynamoStoreOptions = { ...options, client };
  return {
    store: partlyAtStart<Store>(merchantProfiles(storeOptions), async () => (await import("../store/dynamo")).createDynamoStore(storeOptions)),
    auth: partlyAtStart<AuthStore>(sessionReads(storeOptions), async () => (await import("../store/auth")).createDynamoAuthStore(storeOptions)),
  };
}

/** A port whose methods in `atStart` are made already and whose others are made with `load`, on the first call of one (lazyPort). */
function partlyAtStart<T extends AsyncPort<T>>(atStart: Partial<T>, load: () => Promise<T>): T {
  const rest = lazyPort(load);
  return new Proxy(rest, { get: (port, key, receiver) => (typeof key === "string" && Object.hasOwn(atStart, key) ? atStart[key as keyof T] : Reflect.get(port, key, receiver) as unknown) });
}

/**
 * The pages' readers, whose clients (the POS readers, the QuickBooks client) and summarisers load on
 * the first page that reads a provider: most requests read none.
 */
function pageReadersOnDemand(services: Pick<CoreServices, "hosts"> & Pick<WebOAuth, "tokens">, tuning: ApiTuning): ProviderReaders {
  const readers = lazy(async () => (await import("./on-demand/page-readers")).pageReaders(services.tokens, services.hosts, tuning));
  return {
    posLocations: async (connection) => (await readers.get()).posLocations(connection),
    posCatalog: async (connection, locationId) => (await readers.get()).posCatalog(connection, locationId),
    posDay: async (...args) => (await readers.get()).posDay(...args),
    quickBooks: (connection) => lazyPort(async () => (await readers.get()).quickBooks(connection)),
    accountName: async (connection) => (await readers.get()).accountName(connection),
  };
}

export async function composeApi(config: ApiConfig, parts: ApiParts & { log: WebDeps["log"] }): Promise<ApiRuntime> {
  // Every request reads its session: those stores are made at start, the others on their first call.
  const core = await composeCoreServices(config, { storageAtStart: sessionStores, ...parts });
  // Connecting, disconnecting, account deletion, the providers' webhooks and the pages that read a
  // provider use the providers and the keeper; most requests none: they load with the first that does.
  const oauth = lazy(async () => (await import("./oauth")).oauthOf(config, core, parts));
  const services = { ...core, providers: async () => (await oauth.get()).providers, tokens: lazyPort(async () => (await oauth.get()).tokens) };
  // One SQS client for everything the web queues (approvals and backfills), made on the first send.
  const queueUrl = config.DAYBOOK_QUEUE_URL;
  const sqs = queueUrl === undefined ? undefined : lazySqsClient(config, parts.sqs, parts.credentials);
  // What sends jobs (and validates them) loads with the client: only approvals and backfills queue any.
  const jobQueue = sqs && queueUrl !== undefined ? async () => (await import("../schedule/enqueue")).createSqsJobQueue(await sqs.get(), queueUrl) : undefined;
  const queue: JobQueue | undefined = jobQueue
    ? {
      sendJobs: async (jobs, messageGroup) => { await (await jobQueue()).sendJobs(jobs, messageGroup); },
      sendEach: async (messages) => (await jobQueue()).sendEach(messages),
    }
    : undefined;
  const deps = webDepsOf(services, config, {
    log: parts.log,
    ...(queue ? { queue } : {}),
    ...(config.DAYBOOK_LINK_KEY !== undefined ? { linkKey: Buffer.from(config.DAYBOOK_LINK_KEY, "base64") } : {}),
    ...(parts.tuning ? { tuning: parts.tuning } : {}),
  });
  return {
    deps,
    services,
    madeServices: async () => ({ ...core, ...(await oauth.get()) }),
    close() {
      services.close();
      sqs?.close();
    },
  };
}
