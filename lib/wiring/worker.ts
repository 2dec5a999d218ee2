/**
 * The worker's runtime (functions/worker.ts): the shared services, the sync's ports on the real
 * clients, SQS for the queue's visibility (made on a failed job's first change of it), and the
 * idempotency records in the table.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { WorkerConfig } from "../config";
import type { RefreshSweepDeps } from "../connections/refresh-sweep";
import { createDynamoDigestStore } from "../store/digests";
import { createIdempotencyStore } from "../store/idempotency";
import { memberList } from "../store/member-list";
import { createDynamoNightStore } from "../store/night-store";
import { createDynamoReportStore } from "../store/reports";
import { createDynamoMerchantSettings } from "../store/settings";
import type { DynamoStorageOptions, Storage } from "../store/storage";
import { createDynamoSeenWarningStore } from "../store/warnings-seen";
import type { WorkerHandlerOptions } from "../worker/handler";
import type { WorkerDeps } from "../worker/process-job";
import { awsClientConfig, lazySqsClient } from "./aws";
import { partlyOnDemand } from "./lazy";
// Every job opens its tokens through the keeper: the providers and the keeper load at start here, and
// are made at once (composeServices imports them when called, for the web app, which makes them on first use).
import { oauthOf } from "./oauth";
import { composeCoreServices, type ServiceParts, type Services } from "./services";
import { payoutPortsOf, recoveryOf, type SyncPortOptions, syncPortsOf } from "./sync-ports";

export interface WorkerParts extends ServiceParts, SyncPortOptions {
  sqs?: SQSClient;
  /** Counts a day that ended failed (the FailedDays metric). */
  onFailedDay?: WorkerDeps["onFailedDay"];
}

export interface WorkerRuntime {
  deps: WorkerDeps;
  /** For lib/worker/handler.ts's createWorkerHandler, with a log of the entry's. */
  handler: Omit<WorkerHandlerOptions, "log">;
  /** The refresh sweep's deps (its schedule invokes the worker), with a log of the entry's. */
  sweep: Omit<RefreshSweepDeps, "log">;
  services: Services;
  close(): void;
}

/** QuickBooks' web app, for links to entries in the reports. */
export function quickBooksAppUrlOf(config: Pick<WorkerConfig, "QUICKBOOKS_APP_URL" | "QUICKBOOKS_ENVIRONMENT">): string {
  return config.QUICKBOOKS_APP_URL ?? (config.QUICKBOOKS_ENVIRONMENT === "sandbox" ? "https://app.sandbox.qbo.intuit.com" : "https://app.qbo.intuit.com");
}

/** What processJob needs, from services a process already has (the local stack runs the web app beside it). */
export function workerDepsOf(
  services: Services,
  settings: { linkKey: Buffer; quickBooksAppUrl: string },
  options: Pick<WorkerParts, "onFailedDay" | "tuning" | "checkpoint" | "apis" | "payoutApis" | "recoveryUntil"> = {},
): WorkerDeps {
  const { storage } = services;
  return {
    store: storage.store,
    reports: storage.reports,
    recipients: storage.recipients,
    backfills: storage.backfills,
    digests: storage.digests,
    seenWarnings: storage.seenWarnings,
    sync: syncPortsOf(services, options),
    members: storage.members,
    // Fakes of the day's APIs come without Square's payouts unless handed in too: no real client then.
    ...(options.apis && !options.payoutApis ? {} : { payouts: payoutPortsOf(services, options) }),
    email: services.email,
    publicUrl: services.publicUrl,
    linkKey: settings.linkKey,
    quickBooksAppUrl: settings.quickBooksAppUrl,
    now: services.now,
    postingStatus: services.postingStatus,
    ...(options.onFailedDay ? { onFailedDay: options.onFailedDay } : {}),
  };
}

/** What the refresh sweep needs, from the process's services: its one token keeper above all. */
export function refreshSweepDepsOf(services: Services): Omit<RefreshSweepDeps, "log"> {
  return {
    store: services.storage.store, vault: services.vault, tokens: services.tokens, providers: services.providers, now: services.now,
    owedReconnect: services.owedReconnect, owedPostingNotices: services.owedPostingNotices,
  };
}

/**
 * The stores of every night job, with what a night calls of them (test/integration/worker.test.ts
 * records it): the records, the location, its connections and their tokens (store: the rest of its
 * methods on the first call of one), the business's accountants (members: likewise), the review mode
 * (settings), and the night's report with its digest mark and the warnings already said. The others
 * are made on their first call (lib/wiring/storage.ts): backfills and recipients (a backfill's progress
 * and summary), payouts (a Square location that posts them), the email caps' counters and held emails
 * (an email), the due-index (a location stopped or resumed).
 */
export function jobStores(options: DynamoStorageOptions): Pick<Storage, "store" | "members" | "settings" | "reports" | "digests" | "seenWarnings"> {
  const client = DynamoDBDocumentClient.from(options.client);
  const { tableName } = options;
  return {
    // A night's Store methods; the rest (sign-up, export, deletion, the sweep's listings) on the first call of one.
    store: partlyOnDemand(createDynamoNightStore({ ...options, client }), async () => (await import("./on-demand/store")).createDynamoStore({ ...options, client })),
    // Every night asks for the business's accountants (lib/members/location-status.ts); the rest of their store
    // (their client lists' updates, invitations) on the first call of one: a business that has accountants.
    members: partlyOnDemand(memberList({ client, tableName }), async () => (await import("./on-demand/members")).createDynamoMemberStore({ client, tableName })),
    settings: createDynamoMerchantSettings({ client, tableName }),
    reports: createDynamoReportStore({ client, tableName }),
    digests: createDynamoDigestStore({ client, tableName }),
    seenWarnings: createDynamoSeenWarningStore({ client, tableName }),
  };
}

export async function composeWorker(config: WorkerConfig, parts: WorkerParts = {}): Promise<WorkerRuntime> {
  // Every job opens a connection's tokens: on AWS, KMS's client is made at start. A job emails only to
  // alert (a failed or held day, a backfill's summary, a stopped location): SES's client loads with the
  // first email (lib/wiring/email.ts), as in the web app and the scheduler; most nights send none (the
  // digest goes out from the scheduler). Only a failed job sends SQS anything (its visibility): that
  // client is made then.
  const kms = parts.kms ?? (parts.vault || config.DAYBOOK_KMS_KEY_ID === undefined ? undefined : new KMSClient(awsClientConfig(config, "kms", parts.credentials)));
  const serviceParts = { storageAtStart: jobStores, ...parts, ...(kms ? { kms } : {}) };
  // As composeServices, without its import() of the OAuth parts: loaded with this module, not from a file of their own at start.
  const core = await composeCoreServices(config, serviceParts);
  const services: Services = { ...core, ...oauthOf(config, core, serviceParts) };
  const sqs = lazySqsClient(config, parts.sqs, parts.credentials);
  const deps = workerDepsOf(services, { linkKey: Buffer.from(config.DAYBOOK_LINK_KEY, "base64"), quickBooksAppUrl: quickBooksAppUrlOf(config) }, { ...recoveryOf(config), ...parts });
  return {
    deps,
    handler: {
      deps,
      sqs: { send: async (command) => (await sqs.get()).send(command) },
      queueUrl: config.DAYBOOK_QUEUE_URL,
      idempotency: createIdempotencyStore({ client: services.dynamo, tableName: config.DAYBOOK_TABLE }),
      maxAttempts: config.DAYBOOK_MAX_ATTEMPTS,
      ...(config.DAYBOOK_DEAD_LETTERS_ARN ? { deadLettersArn: config.DAYBOOK_DEAD_LETTERS_ARN } : {}),
    },
    sweep: refreshSweepDepsOf(services),
    services,
    close() {
      services.close();
      sqs.close();
      if (!parts.kms) kms?.destroy();
    },
  };
}

