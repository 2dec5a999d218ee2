/**
 * The worker's real clients from its configuration: DynamoDB, SQS, SES (or the outbox), the KMS (or
 * local) vault, the token keeper with QuickBooks' refresh, and the sync's readers.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createQuickBooksProvider } from "../oauth/quickbooks";
import { createCloverProvider } from "../oauth/clover";
import { createSquareProvider } from "../oauth/square";
import { createTokenKeeper } from "../oauth/token-keeper";
import { createIdempotencyStore } from "../store/idempotency";
import { createDynamoStorage } from "../store/storage";
import { createSyncPorts } from "../sync/ports";
import type { WorkerConfig } from "./config";
import type { WorkerHandlerOptions } from "./handler";
import type { WorkerDeps } from "./process-job";
import { emailFrom, vaultFrom } from "../wiring/vault-and-email";

export async function workerFromConfig(config: WorkerConfig, onFailedDay: WorkerDeps["onFailedDay"]): Promise<Omit<WorkerHandlerOptions, "log">> {
  const region = config.AWS_REGION;
  const now = () => new Date();
  const dynamo = new DynamoDBClient({ region, ...(config.DAYBOOK_DYNAMODB_ENDPOINT ? { endpoint: config.DAYBOOK_DYNAMODB_ENDPOINT } : {}) });
  const storage = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE, now });
  const { store } = storage;
  const linkKey = Buffer.from(config.DAYBOOK_LINK_KEY, "base64");
  const quickbooks = createQuickBooksProvider({
    clientId: config.QUICKBOOKS_CLIENT_ID,
    clientSecret: config.QUICKBOOKS_CLIENT_SECRET,
    // The worker only refreshes and revokes; the redirect is the web's.
    redirectUri: `${config.DAYBOOK_PUBLIC_URL}/connect/quickbooks/callback`,
    environment: config.QUICKBOOKS_ENVIRONMENT,
    endpoints: {
      ...(config.QUICKBOOKS_TOKEN_URL ? { token: config.QUICKBOOKS_TOKEN_URL } : {}),
      ...(config.QUICKBOOKS_REVOKE_URL ? { revoke: config.QUICKBOOKS_REVOKE_URL } : {}),
    },
  });
  // Clover access tokens last minutes to hours and Square wants a refresh every 7 days: the nightly
  // worker refreshes them ahead of use, as it does QuickBooks'.
  const square = createSquareProvider({
    clientId: config.SQUARE_CLIENT_ID, clientSecret: config.SQUARE_CLIENT_SECRET,
    redirectUri: `${config.DAYBOOK_PUBLIC_URL}/connect/square/callback`, baseUrl: config.SQUARE_BASE_URL,
  });
  const clover = createCloverProvider({
    clientId: config.CLOVER_APP_ID, clientSecret: config.CLOVER_APP_SECRET,
    redirectUri: `${config.DAYBOOK_PUBLIC_URL}/connect/clover/callback`,
    ...(config.CLOVER_BASE_URL ? { hostsOverride: config.CLOVER_BASE_URL } : {}),
  });
  const tokens = createTokenKeeper({ store, vault: await vaultFrom(config), providers: { quickbooks, square, clover }, now });
  const deps: WorkerDeps = {
    store,
    reports: storage.reports,
    recipients: storage.recipients,
    backfills: storage.backfills,
    sync: createSyncPorts({
      store, settings: storage.settings, tokens, now,
      square: { baseUrl: config.SQUARE_BASE_URL },
      clover: config.CLOVER_BASE_URL ? { baseUrl: config.CLOVER_BASE_URL } : {},
      quickBooks: { baseUrl: config.QUICKBOOKS_BASE_URL },
    }),
    email: emailFrom(config),
    publicUrl: config.DAYBOOK_PUBLIC_URL,
    linkKey,
    quickBooksAppUrl: config.QUICKBOOKS_APP_URL,
    now,
    ...(onFailedDay ? { onFailedDay } : {}),
  };
  return {
    deps,
    idempotency: createIdempotencyStore({ client: dynamo, tableName: config.DAYBOOK_TABLE }),
    sqs: new SQSClient({ region, ...(config.DAYBOOK_SQS_ENDPOINT ? { endpoint: config.DAYBOOK_SQS_ENDPOINT } : {}) }),
    queueUrl: config.DAYBOOK_QUEUE_URL,
    maxAttempts: config.DAYBOOK_MAX_ATTEMPTS,
  };
}
