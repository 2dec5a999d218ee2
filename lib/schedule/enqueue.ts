/**
 * Where sync jobs go: a queue that takes jobs for one message group, in order. On AWS that is the FIFO
 * queue, ten jobs to a SendMessageBatch (SQS's limit), each checked against the message contract first;
 * the local stack runs its own in-process queue behind the same interface. All of a location's jobs
 * share its QuickBooks company's message group, so they arrive in the order given.
 */
import type { SendMessageBatchRequestEntry, SQSClient } from "@aws-sdk/client-sqs";
import { backoffDelayMs, sleep } from "../http/backoff";
import { deduplicationIdOf, type SyncJob, syncJobSchema } from "./job";
import { mapLimited } from "./limited";
import { describeIssues } from "../validation";

const BATCH_LIMIT = 10;
/** SendMessageBatch calls in flight at once for one sendEach. */
const SEND_CONCURRENCY = 8;
/** Attempts of an entry SQS refused for its own reasons (SenderFault false), within seconds: its deduplication id still holds. */
const SEND_ATTEMPTS = 3;

export interface QueuedJob {
  job: SyncJob;
  /** The job's FIFO message group: its location's QuickBooks company. */
  messageGroup: string;
}

export interface JobQueue {
  /** Sends every job, in order, to one message group, or throws: then none may be recorded as queued. */
  sendJobs(jobs: SyncJob[], messageGroup: string): Promise<void>;
  /**
   * Sends many jobs of many message groups in as few calls as the queue allows (a group's jobs in the
   * order given), and answers, for each, whether the queue took it; never throws for a job it refused.
   */
  sendEach(messages: readonly QueuedJob[]): Promise<boolean[]>;
}

/**
 * sendEach for a queue that sends one message group at a time: each run of consecutive messages of one
 * group in one sendJobs, all taken or none.
 */
export async function sendEachByGroup(queue: Pick<JobQueue, "sendJobs">, messages: readonly QueuedJob[]): Promise<boolean[]> {
  const taken: boolean[] = [];
  for (let start = 0; start < messages.length;) {
    let end = start + 1;
    while (end < messages.length && messages[end]?.messageGroup === messages[start]?.messageGroup) end++;
    const run = messages.slice(start, end);
    const sent = await queue.sendJobs(run.map(({ job }) => job), run[0]?.messageGroup ?? "").then(() => true, () => false);
    for (let index = start; index < end; index++) taken.push(sent);
    start = end;
  }
  return taken;
}

export interface QueueDeps {
  queue: JobQueue;
}

export class EnqueueError extends Error {
  override name = "EnqueueError";
}

export function createSqsJobQueue(sqs: SQSClient, queueUrl: string): JobQueue {
  return {
    async sendJobs(jobs, messageGroup) {
      // Loaded on the first send: the web app, which imports this module, sends on few of its requests.
      const { SendMessageBatchCommand } = await import("./sqs-commands");
      for (let start = 0; start < jobs.length; start += BATCH_LIMIT) {
        const batch = jobs.slice(start, start + BATCH_LIMIT);
        const { Failed } = await sqs.send(new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((job, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(job),
            MessageGroupId: messageGroup,
            MessageDeduplicationId: deduplicationIdOf(job),
          })),
        }));
        if (Failed !== undefined && Failed.length > 0) {
          const codes = [...new Set(Failed.map((failure) => failure.Code ?? "unknown"))].join(", ");
          throw new EnqueueError(`SQS refused ${Failed.length} of ${batch.length} sync jobs (${codes})`);
        }
      }
    },

    async sendEach(messages) {
      const taken = messages.map(() => false);
      // Only valid jobs go out; an invalid one is reported not taken (the scheduler logs and keeps it due).
      const valid = messages.flatMap((message, index) => (syncJobSchema.safeParse(message.job).success ? [index] : []));
      const { SendMessageBatchCommand } = await import("./sqs-commands");
      const batches: number[][] = [];
      for (let start = 0; start < valid.length; start += BATCH_LIMIT) batches.push(valid.slice(start, start + BATCH_LIMIT));
      await mapLimited(batches, SEND_CONCURRENCY, async (batch) => {
        let pending = batch;
        for (let attempt = 1; pending.length > 0 && attempt <= SEND_ATTEMPTS; attempt++) {
          if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, undefined, { baseMs: 100, maxMs: 1_000 }));
          const entries: SendMessageBatchRequestEntry[] = pending.map((index) => {
            const { job, messageGroup } = messages[index] as QueuedJob;
            return { Id: String(index), MessageBody: JSON.stringify(job), MessageGroupId: messageGroup, MessageDeduplicationId: deduplicationIdOf(job) };
          });
          let retry: number[];
          try {
            const { Successful = [], Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
            for (const success of Successful) taken[Number(success.Id)] = true;
            // A refusal that is the sender's fault (a malformed entry) would be refused again; anything else is tried again.
            retry = Failed.filter((failure) => failure.SenderFault !== true).map((failure) => Number(failure.Id));
          } catch {
            retry = pending;
          }
          pending = retry;
        }
      });
      return taken;
    },
  };
}

/** Checks every job against the message contract, then sends them all or throws. */
export async function enqueueJobs(deps: QueueDeps, jobs: SyncJob[], messageGroup: string): Promise<void> {
  const bodies = jobs.map((job) => {
    const checked = syncJobSchema.safeParse(job);
    if (!checked.success) throw new EnqueueError(describeIssues(checked.error, "the sync job"));
    return checked.data;
  });
  await deps.queue.sendJobs(bodies, messageGroup);
}
