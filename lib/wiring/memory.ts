/**
 * The in-memory runtime, for the engine's fast tests (test/engine): the same services as production's
 * composed the same way (composeServices), on parts that need no network and no other process: the
 * real stores (lib/store) on dynalite in this process with its data in memory, the local vault with a
 * random key, an email sender that records what gets past the daily caps (which wrap every sender), a
 * job queue that records. The POS and QuickBooks ports are the caller's: in-memory fakes of the test's,
 * so no provider client is ever made or called.
 */
import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SyncConfig } from "../config";
import { createRecordingSender, type RecordingSender } from "../email/recording";
import type { DueIndex } from "../schedule/due-index";
import { createMemoryJobQueue, type MemoryJobQueue } from "../schedule/memory-queue";
import type { SchedulerDeps } from "../schedule/scheduler";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, startLocalDatabase } from "../store/local/database";
import { createDynamoStorage } from "../store/storage";
import type { SyncPorts } from "../sync/sync-day";
import { createLocalVault } from "../vault/local";
import type { WorkerDeps } from "../worker/process-job";
import { awsClientConfig } from "./aws";
import type { DigestDeps } from "../report/digest";
import type { EmailCapOptions } from "./email";
import { digestDepsOf } from "./scheduler";
import { composeServices, type Services } from "./services";
import { type SyncPortOptions, syncPortsOf } from "./sync-ports";
import { workerDepsOf } from "./worker";

/** Settings with nothing to reach: the providers' hosts are never called (the POS and QuickBooks ports are fakes). */
const IN_MEMORY_SETTINGS: SyncConfig = {
  DAYBOOK_TABLE: LOCAL_TABLE,
  AWS_REGION: LOCAL_REGION,
  DAYBOOK_PUBLIC_URL: "https://daybook.test",
  SQUARE_CLIENT_ID: "in-memory", SQUARE_CLIENT_SECRET: "in-memory", SQUARE_BASE_URL: "http://127.0.0.1:9",
  CLOVER_APP_ID: "in-memory", CLOVER_APP_SECRET: "in-memory", CLOVER_BASE_URL: "http://127.0.0.1:9",
  QUICKBOOKS_CLIENT_ID: "in-memory", QUICKBOOKS_CLIENT_SECRET: "in-memory", QUICKBOOKS_ENVIRONMENT: "sandbox", QUICKBOOKS_BASE_URL: "http://127.0.0.1:9",
};

export interface InMemoryParts extends EmailCapOptions {
  /** The POS's day and the QuickBooks client: in-memory fakes. */
  apis: NonNullable<SyncPortOptions["apis"]>;
  /** Square's payouts: a fake too; without it the worker posts no payouts. */
  payoutApis?: SyncPortOptions["payoutApis"];
  now?: () => Date;
  checkpoint?: SyncPortOptions["checkpoint"];
  onFailedDay?: WorkerDeps["onFailedDay"];
}

export interface InMemoryRuntime {
  services: Services;
  /** What was sent: the emails the caps let through (services.email is the capped sender in front of it). */
  email: RecordingSender;
  queue: MemoryJobQueue;
  /** The sync engine's ports. */
  sync: SyncPorts;
  /** processJob's deps. */
  worker: WorkerDeps;
  /** runSchedulerTick's deps but the tick's `now`, with the whole due-index (tests register locations with it). */
  scheduler: Omit<SchedulerDeps, "now" | "log" | "dueIndex"> & { dueIndex: DueIndex };
  /** sendDueDigests's deps but its `now`. */
  digests: Omit<DigestDeps, "now" | "log">;
  close(): Promise<void>;
}

export async function composeInMemory(parts: InMemoryParts): Promise<InMemoryRuntime> {
  const database = await startLocalDatabase();
  const dynamo = new DynamoDBClient(awsClientConfig({ ...IN_MEMORY_SETTINGS, DAYBOOK_DYNAMODB_ENDPOINT: database.endpoint }, "dynamodb", LOCAL_CREDENTIALS));
  try {
    await ensureLocalTable(dynamo, LOCAL_TABLE);
    const email = createRecordingSender();
    const queue = createMemoryJobQueue();
    // Every store made at start (tests may spread a port to wrap one of its methods).
    const services = await composeServices(IN_MEMORY_SETTINGS, {
      storageAtStart: createDynamoStorage, dynamo, email, vault: createLocalVault(randomBytes(32)), ...(parts.now ? { now: parts.now } : {}),
      ...(parts.onEmailHeld ? { onEmailHeld: parts.onEmailHeld } : {}), ...(parts.emailCaps ? { emailCaps: parts.emailCaps } : {}),
    });
    const portOptions = {
      apis: parts.apis, ...(parts.payoutApis ? { payoutApis: parts.payoutApis } : {}), ...(parts.checkpoint ? { checkpoint: parts.checkpoint } : {}),
    };
    const linkKey = randomBytes(32);
    return {
      services, email, queue,
      sync: syncPortsOf(services, portOptions),
      worker: workerDepsOf(services, { linkKey, quickBooksAppUrl: "https://app.sandbox.qbo.intuit.com" }, {
        ...portOptions, ...(parts.onFailedDay ? { onFailedDay: parts.onFailedDay } : {}),
      }),
      scheduler: { dueIndex: services.storage.dueIndex, queue },
      digests: digestDepsOf(services.storage, services.email, services.publicUrl, linkKey),
      async close() {
        services.close();
        dynamo.destroy();
        await database.close();
      },
    };
  } catch (error) {
    dynamo.destroy();
    await database.close();
    throw error;
  }
}
