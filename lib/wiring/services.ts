/**
 * What every runtime that serves merchants or syncs their days shares (the web app, the worker,
 * `daybook sync`, the local stack, the tests' in-memory runtime): the stores, the token vault, email,
 * the OAuth providers, and ONE token keeper for the whole process, wired to the reconnect email, so a
 * connection refused anywhere (a page, a webhook, a night's sync) tells the merchant once.
 *
 * Any part may be handed in instead of made from the settings: the tests hand in AWS clients pointed at
 * moto_server, a clock, a vault with a key of their own. Made from the settings on AWS, KMS's and SES's
 * clients load on the vault's and the sender's first call (lib/wiring/vault.ts, lib/wiring/email.ts); the table's
 * client, which every request and job uses, is made at once.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { ConfigOf } from "../config";
import type { PostingStatusDeps } from "../locations/posting-status";
import type { EmailSender } from "../email/email";
import type { Connection, ProviderName } from "../model";
import type { ReconnectRequest } from "../connections/reconnect-email";
import type { OAuthProvider } from "../oauth/provider";
import type { TokenKeeper, WaitForPeerOptions } from "../oauth/token-keeper";
import type { DynamoStorageOptions, Storage } from "../store/storage";
import type { TokenVault } from "../vault/vault";
import { type AwsCredentials, awsClientConfig } from "./aws";
import { type ProviderHosts, providerHostsFrom } from "./provider-hosts";
import type { ProviderSettings } from "./providers";
import { cappedEmail, type EmailCapOptions, emailFrom } from "./email";
import { lazy } from "./lazy";
import { storageOnDemand } from "./storage";
import { vaultFrom } from "./vault";

/** The settings the shared parts read: `daybook sync`'s, which the web app's and the worker's include. */
export type ServiceSettings = ConfigOf<"sync"> & Partial<Pick<ProviderSettings, "SQUARE_AUTHORIZE_BASE_URL" | "QUICKBOOKS_AUTHORIZE_URL">>;

/** Parts handed in instead of made from the settings. */
export interface ServiceParts extends EmailCapOptions {
  /** The process's clock; the wall clock by default. */
  now?: () => Date;
  /** For AWS clients made here (moto_server and dynalite take any); the SDK's own lookup by default. */
  credentials?: AwsCredentials;
  /** The table's client (e.g. with a middleware of a test's). */
  dynamo?: DynamoDBClient;
  kms?: KMSClient;
  ses?: SESv2Client;
  storage?: Storage;
  /**
   * The stores made at start when the storage is made here (lib/wiring/storage.ts): the ones the
   * runtime's every invocation uses; every other one is made on its first call. None by default.
   */
  storageAtStart?: (options: DynamoStorageOptions) => Partial<Storage>;
  vault?: TokenVault;
  /** The sender under the daily caps (the caps are always applied: lib/wiring/email.ts). */
  email?: EmailSender;
  providers?: Record<ProviderName, OAuthProvider>;
  /** How long OAuth calls may take (the providers' defaults when unset). */
  oauthTimeoutMs?: number;
  /** How the token keeper waits for another process's refresh. */
  waitForPeer?: WaitForPeerOptions;
}

export interface Services {
  now: () => Date;
  publicUrl: string;
  storage: Storage;
  vault: TokenVault;
  /** Every email of the process goes through it, within the daily caps. */
  email: EmailSender;
  providers: Record<ProviderName, OAuthProvider>;
  /** The one token keeper of the process. */
  tokens: TokenKeeper;
  /** Where the providers' APIs are. */
  hosts: ProviderHosts;
  /**
   * Tells the merchant that a connection was refused and needs reconnecting (the reconnect email), and
   * stops the locations that need it (lib/locations/posting-status.ts).
   */
  connectionRefused: (connection: Pick<Connection, "merchantId" | "provider" | "connectionId">) => Promise<void>;
  /** Sends again a reconnect request the daily caps held back, once they allow it (the refresh sweep's: lib/connections/reconnect-email.ts). */
  owedReconnect: (connection: Pick<Connection, "merchantId" | "connectionId">) => Promise<ReconnectRequest | undefined>;
  /** Sends again the stopped-posting notices the daily caps held back, once they allow it (the refresh sweep's: lib/locations/posting-status.ts). */
  owedPostingNotices: (merchantId: string) => Promise<number>;
  /** What stops and resumes locations as their connections change, and tells people (reconcilePostingStatus). */
  postingStatus: PostingStatusDeps;
  /** The table's client, for the worker's idempotency records. */
  dynamo: DynamoDBClient;
  /** Closes the AWS clients made here (not the ones handed in). */
  close(): void;
}

/** The services but the OAuth providers and the token keeper (lib/wiring/oauth.ts), which the web app makes on first use. */
export type CoreServices = Omit<Services, "providers" | "tokens">;

export async function composeServices(config: ServiceSettings, parts: ServiceParts = {}): Promise<Services> {
  const core = await composeCoreServices(config, parts);
  // Imported here, not at the top: the web app loads composeCoreServices at start and the providers later.
  const { oauthOf } = await import("./oauth");
  return { ...core, ...oauthOf(config, core, parts) };
}

export async function composeCoreServices(config: ServiceSettings, parts: ServiceParts = {}): Promise<CoreServices> {
  const now = parts.now ?? (() => new Date());
  /** The AWS clients made here, to close with the runtime. */
  const made: { destroy(): void }[] = [];
  const remember = <T extends { destroy(): void }>(client: T): T => {
    made.push(client);
    return client;
  };
  const dynamo = parts.dynamo ?? remember(new DynamoDBClient(awsClientConfig(config, "dynamodb", parts.credentials)));
  const storageOptions: DynamoStorageOptions = { client: dynamo, tableName: config.DAYBOOK_TABLE, now };
  const storage = parts.storage ?? storageOnDemand(storageOptions, parts.storageAtStart?.(storageOptions));
  let vault = parts.vault;
  if (!vault) {
    const built = await vaultFrom(config, { ...(parts.kms ? { kms: parts.kms } : {}), ...(parts.credentials ? { credentials: parts.credentials } : {}) });
    remember({ destroy: built.close });
    vault = built.vault;
  }
  let sender = parts.email;
  if (!sender) {
    const built = emailFrom(config, { ...(parts.ses ? { ses: parts.ses } : {}), ...(parts.credentials ? { credentials: parts.credentials } : {}), now });
    remember({ destroy: built.close });
    sender = built.email;
  }
  const email = cappedEmail(sender, storage, now, parts);
  const postingStatus: PostingStatusDeps = { ...storage, email, publicUrl: config.DAYBOOK_PUBLIC_URL, now };
  // A refused connection stops the locations that need it (one email to the merchant and the report
  // recipients). Rare: what it does loads on the first one.
  const reconnectEmail = { store: storage.store, email, publicUrl: config.DAYBOOK_PUBLIC_URL, now };
  const refusals = lazy(async () => {
    const { reconnectNotifier, reconcilePostingStatus } = await import("./on-demand/connection-refused");
    const tellReconnect = reconnectNotifier(reconnectEmail);
    return async (connection: Pick<Connection, "merchantId" | "provider" | "connectionId">): Promise<void> => {
      await tellReconnect(connection);
      await reconcilePostingStatus(postingStatus, connection.merchantId);
    };
  });
  const connectionRefused = async (connection: Pick<Connection, "merchantId" | "provider" | "connectionId">): Promise<void> => (await refusals.get())(connection);
  const owedReconnect = async (connection: Pick<Connection, "merchantId" | "connectionId">) => {
    const { sendOwedReconnect } = await import("./on-demand/connection-refused");
    return sendOwedReconnect(reconnectEmail, connection);
  };
  const owedPostingNotices = async (merchantId: string) => {
    const { sendOwedPostingNotices } = await import("./on-demand/connection-refused");
    return sendOwedPostingNotices(postingStatus, merchantId);
  };
  return {
    now, publicUrl: config.DAYBOOK_PUBLIC_URL, storage, vault, email, hosts: providerHostsFrom(config), connectionRefused, owedReconnect, owedPostingNotices, postingStatus, dynamo,
    close() {
      for (const client of made.splice(0)) client.destroy();
    },
  };
}
