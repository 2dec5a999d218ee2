/**
 * A FIFO queue per test on moto_server, read to the end, and a record of what a real SQS client
 * sent (a middleware on the client, not a stand-in): SQS deduplicates, so the queue alone cannot
 * show that something was sent twice.
 */
import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SendMessageBatchCommandInput, type SQSClient,
} from "@aws-sdk/client-sqs";

export async function createFifoQueue(sqs: SQSClient): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: `daybook-test-${randomUUID()}.fifo`,
    Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false", VisibilityTimeout: "300" },
  }));
  if (QueueUrl === undefined) throw new Error("moto_server returned no queue URL");
  return QueueUrl;
}

export interface ReceivedJob {
  body: unknown;
  groupId: string | undefined;
  deduplicationId: string | undefined;
}

/** Every message in the queue, deleting each as read (a FIFO group stays locked while a message of it is out). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<ReceivedJob[]> {
  const received: ReceivedJob[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"],
    }));
    if (Messages.length === 0) return received;
    for (const message of Messages) {
      received.push({
        body: JSON.parse(message.Body ?? "null") as unknown,
        groupId: message.Attributes?.MessageGroupId,
        deduplicationId: message.Attributes?.MessageDeduplicationId,
      });
    }
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }));
  }
}

export interface SentMessage {
  body: unknown;
  groupId: string | undefined;
  deduplicationId: string | undefined;
}

/** Records every SendMessageBatch entry the client sends, in order. */
export function recordSends(sqs: SQSClient): SentMessage[] {
  const sent: SentMessage[] = [];
  sqs.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "SendMessageBatchCommand") {
        for (const entry of (args.input as SendMessageBatchCommandInput).Entries ?? []) {
          sent.push({ body: JSON.parse(entry.MessageBody ?? "null") as unknown, groupId: entry.MessageGroupId, deduplicationId: entry.MessageDeduplicationId });
        }
      }
      return next(args);
    },
    { step: "initialize", name: "recordSends" },
  );
  return sent;
}
