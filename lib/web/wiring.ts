/**
 * The web app's real clients from its configuration: DynamoDB stores, the KMS (or local) vault, SES
 * (or the outbox), the three OAuth providers and the webhook secrets. functions/api.ts uses it on
 * Lambda; the local stack can too.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { WebConfig } from "../config";
import { createCloverProvider } from "../oauth/clover";
import type { OAuthProvider } from "../oauth/provider";
import type { ProviderName } from "../model";
import { createQuickBooksProvider } from "../oauth/quickbooks";
import { intuitEndpoints } from "../quickbooks/oauth";
import { createSquareProvider } from "../oauth/square";
import { createDynamoStorage } from "../store/storage";
import { createSqsJobQueue } from "../schedule/enqueue";
import type { WebDeps } from "./deps";
import { emailFrom, vaultFrom } from "../wiring/vault-and-email";

export async function webDepsFromConfig(config: WebConfig, log: WebDeps["log"]): Promise<WebDeps> {
  const region = config.AWS_REGION;
  const now = () => new Date();
  const storage = createDynamoStorage({
    client: new DynamoDBClient({ region, ...(config.DAYBOOK_DYNAMODB_ENDPOINT ? { endpoint: config.DAYBOOK_DYNAMODB_ENDPOINT } : {}) }), tableName: config.DAYBOOK_TABLE, now,
  });
  const publicUrl = config.DAYBOOK_PUBLIC_URL;
  // One SQS client for everything the web queues: approvals and backfills.
  const queue = config.DAYBOOK_QUEUE_URL === undefined
    ? undefined
    : createSqsJobQueue(new SQSClient({ region, ...(config.DAYBOOK_SQS_ENDPOINT ? { endpoint: config.DAYBOOK_SQS_ENDPOINT } : {}) }), config.DAYBOOK_QUEUE_URL);
  const redirectUri = (provider: ProviderName) => `${publicUrl}/connect/${provider}/callback`;
  const providers: Record<ProviderName, OAuthProvider> = {
    square: createSquareProvider({
      clientId: config.SQUARE_CLIENT_ID, clientSecret: config.SQUARE_CLIENT_SECRET, redirectUri: redirectUri("square"),
      baseUrl: config.SQUARE_BASE_URL, ...(config.SQUARE_AUTHORIZE_BASE_URL ? { authorizeBaseUrl: config.SQUARE_AUTHORIZE_BASE_URL } : {}),
    }),
    clover: createCloverProvider({
      clientId: config.CLOVER_APP_ID, clientSecret: config.CLOVER_APP_SECRET, redirectUri: redirectUri("clover"),
      ...(config.CLOVER_HOSTS_OVERRIDE ? { hostsOverride: config.CLOVER_HOSTS_OVERRIDE } : {}),
    }),
    quickbooks: createQuickBooksProvider({
      clientId: config.QUICKBOOKS_CLIENT_ID, clientSecret: config.QUICKBOOKS_CLIENT_SECRET, redirectUri: redirectUri("quickbooks"),
      environment: config.QUICKBOOKS_ENVIRONMENT,
      endpoints: {
        ...(config.QUICKBOOKS_AUTHORIZE_URL ? { authorize: config.QUICKBOOKS_AUTHORIZE_URL } : {}),
        ...(config.QUICKBOOKS_TOKEN_URL ? { token: config.QUICKBOOKS_TOKEN_URL } : {}),
        ...(config.QUICKBOOKS_REVOKE_URL ? { revoke: config.QUICKBOOKS_REVOKE_URL } : {}),
      },
    }),
  };
  return {
    ...storage,
    vault: await vaultFrom(config),
    email: emailFrom(config),
    providers,
    publicUrl,
    webhooks: {
      squareSignatureKey: config.SQUARE_WEBHOOK_SIGNATURE_KEY,
      squareNotificationUrl: config.SQUARE_WEBHOOK_URL ?? `${publicUrl}/webhooks/square`,
      cloverAuthCode: config.CLOVER_WEBHOOK_AUTH_CODE,
      cloverAppId: config.CLOVER_APP_ID,
    },
    now,
    locations: {
      hosts: {
        squareBaseUrl: config.SQUARE_BASE_URL,
        ...(config.CLOVER_HOSTS_OVERRIDE ? { cloverBaseUrl: config.CLOVER_HOSTS_OVERRIDE } : {}),
        quickBooksBaseUrl: config.QUICKBOOKS_BASE_URL ?? intuitEndpoints(config.QUICKBOOKS_ENVIRONMENT).apiBase,
      },
    },
    ...(queue !== undefined && config.DAYBOOK_LINK_KEY !== undefined
      ? { links: { key: Buffer.from(config.DAYBOOK_LINK_KEY, "base64"), queue } }
      : {}),
    ...(queue !== undefined ? { backfill: { queue } } : {}),
    log,
  };
}
