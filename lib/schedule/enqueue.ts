/**
 * Sends sync jobs to the FIFO queue, ten to a SendMessageBatch (SQS's limit), each checked against the
 * message contract first. All of a location's jobs share its QuickBooks company's message group, so
 * they arrive in the order given.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { deduplicationIdOf, type SyncJob, syncJobSchema } from "./job";
import { describeIssues } from "../validation";

const BATCH_LIMIT = 10;

export interface QueueDeps {
  sqs: SQSClient;
  queueUrl: string;
}

export class EnqueueError extends Error {
  override name = "EnqueueError";
}

/** Sends every job or throws: the caller must not record them as queued unless all went. */
export async function enqueueJobs(deps: QueueDeps, jobs: SyncJob[], messageGroup: string): Promise<void> {
  const bodies = jobs.map((job) => {
    const checked = syncJobSchema.safeParse(job);
    if (!checked.success) throw new EnqueueError(describeIssues(checked.error, "the sync job"));
    return checked.data;
  });
  for (let start = 0; start < bodies.length; start += BATCH_LIMIT) {
    const batch = bodies.slice(start, start + BATCH_LIMIT);
    const { Failed } = await deps.sqs.send(new SendMessageBatchCommand({
      QueueUrl: deps.queueUrl,
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
}
