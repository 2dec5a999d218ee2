/**
 * Where sync jobs go: a queue that takes jobs for one message group, in order. On AWS that is the FIFO
 * queue, ten jobs to a SendMessageBatch (SQS's limit), each checked against the message contract first;
 * the local stack runs its own in-process queue behind the same interface. All of a location's jobs
 * share its QuickBooks company's message group, so they arrive in the order given.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { deduplicationIdOf, type SyncJob, syncJobSchema } from "./job";
import { describeIssues } from "../validation";

const BATCH_LIMIT = 10;

export interface JobQueue {
  /** Sends every job, in order, to one message group, or throws: then none may be recorded as queued. */
  sendJobs(jobs: SyncJob[], messageGroup: string): Promise<void>;
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
