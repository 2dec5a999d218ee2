/**
 * Sending sync jobs to the FIFO queue: the message group is the job's QuickBooks company, so one
 * company's jobs run one at a time; the deduplication id makes a job sent twice within SQS's five
 * minutes one message (lib/schedule/job.ts).
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { deduplicationIdOf, messageGroupOf, type SyncJob } from "../schedule/job";

export interface JobQueue {
  send(job: SyncJob, quickBooksRealmId: string): Promise<void>;
}

export function createSqsJobQueue(sqs: SQSClient, queueUrl: string): JobQueue {
  return {
    async send(job, quickBooksRealmId) {
      await sqs.send(new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(job),
        MessageGroupId: messageGroupOf(quickBooksRealmId),
        MessageDeduplicationId: deduplicationIdOf(job),
      }));
    },
  };
}
