/**
 * The web app's runtime (functions/api.ts): the shared services, the readers the pages use, the
 * webhook secrets, and the SQS queue behind the approve links and the backfill pages. Only the table's
 * client is made at start: KMS, SES and SQS load on the first request that uses them.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { payoutRecordsOf } from "../api/payouts";
import type { ApiConfig } from "../config";
import { createSqsJobQueue, type JobQueue } from "../schedule/enqueue";
import type { WebDeps } from "../web/deps";
import { lazySqsClient } from "./aws";
import { type ApiTuning, PAGE_TUNING, pageReaders } from "./provider-apis";
import { composeServices, type ServiceParts, type Services } from "./services";

export interface ApiParts extends ServiceParts {
  sqs?: SQSClient;
  /** How patient the pages' provider calls are (15 s, one retry by default). */
  tuning?: ApiTuning;
}

export interface ApiRuntime {
  deps: WebDeps;
  services: Services;
  close(): void;
}

/** The web app's deps from services a process already has (the local stack runs the worker beside it). */
export function webDepsOf(
  services: Services,
  settings: Pick<ApiConfig, "SQUARE_WEBHOOK_SIGNATURE_KEY" | "SQUARE_WEBHOOK_URL" | "CLOVER_WEBHOOK_AUTH_CODE" | "CLOVER_APP_ID" | "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN">,
  options: { log: WebDeps["log"]; queue?: JobQueue; linkKey?: Buffer; tuning?: ApiTuning },
): WebDeps {
  const { publicUrl } = services;
  return {
    ...services.storage,
    vault: services.vault,
    email: services.email,
    providers: services.providers,
    tokens: services.tokens,
    readers: pageReaders(services.tokens, services.hosts, options.tuning ?? PAGE_TUNING),
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

export async function composeApi(config: ApiConfig, parts: ApiParts & { log: WebDeps["log"] }): Promise<ApiRuntime> {
  const services = await composeServices(config, parts);
  // One SQS client for everything the web queues (approvals and backfills), made on the first send.
  const queueUrl = config.DAYBOOK_QUEUE_URL;
  const sqs = queueUrl === undefined ? undefined : lazySqsClient(config, parts.sqs, parts.credentials);
  const queue: JobQueue | undefined = sqs && queueUrl !== undefined
    ? {
      sendJobs: async (jobs, messageGroup) => { await createSqsJobQueue(await sqs.get(), queueUrl).sendJobs(jobs, messageGroup); },
      sendEach: async (messages) => createSqsJobQueue(await sqs.get(), queueUrl).sendEach(messages),
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
    close() {
      services.close();
      sqs?.close();
    },
  };
}
