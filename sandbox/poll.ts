/**
 * What Lambda's SQS event source mapping does, for running the worker off AWS against an SQS of
 * moto_server's (the tests): receive a batch with its attributes, hand it to the handler, and delete the messages the
 * handler did not report as failed. A failed message stays on the queue, comes back when its
 * visibility timeout ends, and after the queue's maxReceiveCount goes to the dead-letter queue.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { BatchResponse, LambdaContextLike, SqsEvent, SqsRecord } from "../lib/worker/handler";

export interface PollOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: (event: SqsEvent, context: LambdaContextLike) => Promise<BatchResponse>;
  batchSize?: number;
  waitSeconds?: number;
  /** The invocation's time limit, as Lambda would report it. */
  timeoutMs?: number;
}

export interface PollResult {
  received: number;
  failed: number;
}

export async function pollOnce(options: PollOptions): Promise<PollResult> {
  const { sqs, queueUrl } = options;
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: options.batchSize ?? 10,
    WaitTimeSeconds: options.waitSeconds ?? 0,
    MessageSystemAttributeNames: ["All"],
  }));
  if (Messages.length === 0) return { received: 0, failed: 0 };
  const records: SqsRecord[] = Messages.map((message) => ({
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: { ...message.Attributes, ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1" },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueUrl,
    awsRegion: "us-east-1",
  }));
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 900_000;
  const { batchItemFailures } = await options.handler({ Records: records }, { getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started) });
  const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = records.filter((record) => !failed.has(record.messageId));
  if (done.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
    }));
  }
  return { received: records.length, failed: failed.size };
}
