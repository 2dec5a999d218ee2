/**
 * The worker's SQS handler, with its AWS parts injected (functions/worker.ts wires the real ones; the
 * tests wire moto's). Powertools Batch reports partial failures, so one failed job does not send its
 * whole batch back; on a FIFO queue a failure also holds back the rest of that company's messages in
 * the batch (skipGroupOnError), keeping its jobs in order, but for a job on its last receive, which
 * runs whatever (lastReceivesApart). Powertools Idempotency is keyed on the
 * location-day and the job's kind, not on the SQS message id, so the same job sent twice (two
 * scheduler ticks, a retried send) runs once. Approvals are the exception (see recordHandler).
 */
import { BatchProcessingError, processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type * as Sqs from "@aws-sdk/client-sqs";
import { syncJobSchema } from "../schedule/job";
import { type Attempt, type JobResult, processJob, type WorkerDeps } from "./process-job";

/** The parts of an SQS event record the worker reads (aws-lambda's SQSRecord). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; MessageGroupId?: string; [name: string]: string | undefined };
  eventSourceARN?: string;
  [other: string]: unknown;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The Lambda context, as far as Powertools uses it (remaining time bounds an in-progress job). */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  [other: string]: unknown;
}

export interface WorkerHandlerOptions {
  deps: WorkerDeps;
  /** Only a failed job's visibility change is sent: an SQS client, or a port that makes one on first use. */
  sqs: { send(command: Sqs.ChangeMessageVisibilityCommand): Promise<unknown> };
  queueUrl: string;
  /** Where Powertools Idempotency keeps its records (lib/store/idempotency.ts). */
  idempotency: BasePersistenceLayer;
  /** The queue's redrive maxReceiveCount. */
  maxAttempts: number;
  /** The dead-letter queue's ARN: its records are jobs no attempt reported, and are reported (dead-letter.ts). */
  deadLettersArn?: string;
  /** Visibility timeout before attempt n+1: base · 2^(n−1), at most max (seconds). */
  backoff?: { baseSeconds: number; maxSeconds: number };
  /** How long a finished job's result stops a repeat of it. */
  idempotencySeconds?: number;
  /**
   * A delivery that finds the same job running elsewhere (a duplicate delivery) waits for that run,
   * looking again after this long, doubling up to 10 s; default 1 s. Failing at once instead would
   * spend one of the message's receives each time it came back, and a slow run could see them all
   * spent and the message go to the dead-letter queue with no last attempt to report the day.
   */
  inProgressPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?(level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>): void;
}

/**
 * Repeats of a job within this window return the first run's result. Shorter than a day on purpose:
 * the re-checks of a day (D−1..D−3) are the same job (same location-day, kind "recheck") a day apart,
 * 23 hours on a spring-forward night, and each must run. Duplicates and redeliveries come within
 * minutes; anything later is made harmless by the sync's own exactly-once record.
 */
export const IDEMPOTENCY_SECONDS = 12 * 3600;

/** Time left in the invocation that a wait for another run must not eat into. */
const IN_PROGRESS_MARGIN_MS = 30_000;

export function backoffSeconds(attempt: number, backoff: { baseSeconds: number; maxSeconds: number }): number {
  return Math.min(backoff.maxSeconds, Math.round(backoff.baseSeconds * 2 ** Math.max(0, attempt - 1)));
}

export function createWorkerHandler(options: WorkerHandlerOptions): (event: SqsEvent, context: LambdaContextLike) => Promise<BatchResponse> {
  const { deps, sqs, queueUrl, maxAttempts } = options;
  const backoff = options.backoff ?? { baseSeconds: 30, maxSeconds: 900 };
  const persistenceStore = options.idempotency;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "powertools_json(body).[merchantId, locationId, businessDay, kind, backfillId]",
    expiresAfterSeconds: options.idempotencySeconds ?? IDEMPOTENCY_SECONDS,
    throwOnNoIdempotencyKey: true,
  });

  const attemptOf = (record: SqsRecord): Attempt => ({ number: Number(record.attributes.ApproximateReceiveCount) || 1, max: maxAttempts });

  const runJob = makeIdempotent(async (record: SqsRecord): Promise<JobResult> => {
    return processJob(deps, syncJobSchema.parse(JSON.parse(record.body)), attemptOf(record));
  }, { persistenceStore, config });

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  /** The job, or the result of the run that holds it, once that run has ended; time out as "in progress" with the invocation. */
  const runOnce = async (record: SqsRecord, context: LambdaContextLike): Promise<JobResult> => {
    for (let pause = options.inProgressPollMs ?? 1000; ; pause = Math.min(pause * 2, 10_000)) {
      try {
        return await runJob(record);
      } catch (error) {
        if (!(error instanceof IdempotencyAlreadyInProgressError) || context.getRemainingTimeInMillis() < pause + IN_PROGRESS_MARGIN_MS) throw error;
        await sleep(pause);
      }
    }
  };

  const recordHandler = async (record: SqsRecord, context: LambdaContextLike): Promise<JobResult> => {
    try {
      // An approval is never deduplicated: approving again after the figures changed (the day was held
      // anew) must run. Approving is safe to repeat anyway: a posted day has nothing left to approve.
      const kind = (JSON.parse(record.body) as { kind?: unknown } | null)?.kind;
      if (kind === "approve") return await processJob(deps, syncJobSchema.parse(JSON.parse(record.body)), attemptOf(record));
      return await runOnce(record, context);
    } catch (error) {
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      // What the provider said stays here, for the operator; the day's report says it in a person's words.
      const detail = (error as { detail?: unknown } | null)?.detail;
      options.log?.("warn", "job failed", { attempt, maxAttempts, error: error instanceof Error ? error.name : "unknown", ...(typeof detail === "string" ? { detail } : {}) });
      // Exponential backoff: the message comes back after this many seconds, not the queue's default.
      // After the last attempt (the day is failed and reported) at once, so SQS moves it to the
      // dead-letter queue on the next receive.
      // SQS's command loads here, on the failure path, not with every invocation.
      await import("../schedule/sqs-commands").then(({ ChangeMessageVisibilityCommand }) => sqs.send(new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: attempt < maxAttempts ? backoffSeconds(attempt, backoff) : 0,
      }))).catch(() => undefined);
      throw error;
    }
  };

  const processor = new SqsFifoPartialProcessorAsync();
  return async (event, context) => {
    if (options.deadLettersArn !== undefined && event.Records.some((record) => record.eventSourceARN === options.deadLettersArn)) {
      return reportDeadLetters(options, event.Records);
    }
    config.registerLambdaContext(context);
    try {
      const records = { Records: lastReceivesApart(event.Records, maxAttempts) };
      return await processPartialResponse(records, (record: SqsRecord) => recordHandler(record, context), processor, { context: context as never, skipGroupOnError: true, throwOnFullBatchFailure: false });
    } catch (error) {
      if (error instanceof BatchProcessingError) return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
      throw error;
    }
  };
}

/**
 * Each record on its last receive in a group of its own, for this batch only. A record held back
 * behind a failed one of its group (skipGroupOnError) was received all the same: SQS counts the
 * receive, so jobs queued behind a day that keeps failing use up their receives in step with it and
 * would follow it to the dead-letter queue without ever running, their days neither reported nor
 * alerted. On its last receive a job runs whatever came before it (it is its last chance to say how
 * its day ended), and its failure, final, holds back nothing after it.
 */
function lastReceivesApart(records: SqsRecord[], maxAttempts: number): SqsRecord[] {
  return records.map((record) => (Number(record.attributes.ApproximateReceiveCount) >= maxAttempts
    ? { ...record, attributes: { ...record.attributes, MessageGroupId: `${record.attributes.MessageGroupId ?? ""}#last-receive#${record.messageId}` } }
    : record));
}

/**
 * Dead letters, one after another: each job's day reported (or found already ended), then the message
 * deleted by Lambda. One that is not a job, or whose report fails, stays in the queue (a batch item
 * failure) for the DeadLettersWaiting alarm; the failure's reason goes to the log.
 */
async function reportDeadLetters(options: WorkerHandlerOptions, records: SqsRecord[]): Promise<BatchResponse> {
  const { reportDeadLetter } = await import("./dead-letter");
  const failures: BatchResponse["batchItemFailures"] = [];
  for (const record of records) {
    try {
      const job = syncJobSchema.parse(JSON.parse(record.body));
      const result = await reportDeadLetter(options.deps, job);
      options.log?.(result === "reported" ? "error" : "info", result === "reported" ? "dead-lettered job's day reported failed" : "dead-lettered job's day had already ended", {
        merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay, kind: job.kind,
      });
    } catch (error) {
      options.log?.("error", "dead-lettered job could not be reported", { messageId: record.messageId, error: error instanceof Error ? error.name : "unknown" });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
