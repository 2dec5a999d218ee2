/**
 * The local stack's runtime (`npm start`): the web app and the worker in one process, so one set of
 * services and ONE token keeper serve both; the table in the embedded database (dynalite, its files
 * under the data folder), the local key file and the outbox. The in-process queue that stands in for
 * SQS and the worker Lambda is the caller's (sandbox/local-stack/local-queue.ts): given the worker's
 * job runner, it returns the queue the web app and the scheduler send to.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LocalConfig } from "../config";
import type { JobQueue } from "../schedule/enqueue";
import type { SyncJob } from "../schedule/job";
import type { SchedulerDeps } from "../schedule/scheduler";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_TABLE, startLocalDatabase } from "../store/local/database";
import { createDynamoStorage } from "../store/storage";
import type { WebDeps } from "../web/deps";
import { type Attempt, type JobResult, processJob, type WorkerDeps } from "../worker/process-job";
import { oauthAtHand, webDepsOf } from "./api";
import { awsClientConfig } from "./aws";
import type { DigestDeps } from "../report/digest";
import { digestDepsOf } from "./scheduler";
import { composeServices, type Services } from "./services";
import { quickBooksAppUrlOf, workerDepsOf } from "./worker";

export interface LocalParts<Q extends JobQueue> {
  /** The folder of the database's files. */
  databaseDir: string;
  log: WebDeps["log"];
  now?: () => Date;
  /** The in-process queue, given what runs a job. */
  queue(run: (job: SyncJob, attempt: Attempt) => Promise<JobResult>): Q;
}

export interface LocalRuntime<Q extends JobQueue> {
  web: WebDeps;
  worker: WorkerDeps;
  scheduler: Omit<SchedulerDeps, "now" | "log">;
  /** The morning digests, run after each tick as on AWS. */
  digests: Omit<DigestDeps, "now" | "log">;
  queue: Q;
  services: Services;
  /** Closes the database and the clients (the caller closes its queue first). */
  close(): Promise<void>;
}

export async function composeLocal<Q extends JobQueue>(config: LocalConfig, parts: LocalParts<Q>): Promise<LocalRuntime<Q>> {
  const database = await startLocalDatabase(parts.databaseDir);
  const settings = { ...config, DAYBOOK_TABLE: LOCAL_TABLE, DAYBOOK_DYNAMODB_ENDPOINT: database.endpoint };
  // dynalite checks no signature; the SDK still wants credentials to sign with.
  const dynamo = new DynamoDBClient(awsClientConfig(settings, "dynamodb", LOCAL_CREDENTIALS));
  try {
    await ensureLocalTable(dynamo, LOCAL_TABLE);
    // One process serves every function here: every store made at start.
    const services = await composeServices(settings, {
      storageAtStart: createDynamoStorage, dynamo, ...(parts.now ? { now: parts.now } : {}),
      onEmailHeld: (held) => {
        parts.log("warn", "email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
      },
    });
    const linkKey = Buffer.from(config.DAYBOOK_LINK_KEY, "base64");
    const worker = workerDepsOf(services, { linkKey, quickBooksAppUrl: quickBooksAppUrlOf(config) });
    const queue = parts.queue((job, attempt) => processJob(worker, job, attempt));
    return {
      web: webDepsOf({ ...services, ...oauthAtHand(services) }, config, { log: parts.log, queue, linkKey }),
      worker,
      scheduler: { dueIndex: services.storage.dueIndex, queue },
      digests: digestDepsOf(services.storage, services.email, services.publicUrl, linkKey),
      queue,
      services,
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
