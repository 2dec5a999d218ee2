/**
 * Running the worker against moto_server's SQS in the tests: the queue drained through the real
 * handler, and a look at what a queue holds. The queues, the SES sender and the sent mail are
 * sandbox/aws.ts's (the fault campaign uses them too).
 */
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { BatchResponse, LambdaContextLike, SqsEvent } from "../../lib/worker/handler";
import { pollOnce } from "../../sandbox/poll";

export { awsClients, createQueues, createSender, type Queues, type SentMail, sentMail, sentTo } from "../../sandbox/aws";

/** Runs the handler over the queue until it is empty (failed messages wait out their backoff first). */
export async function drain(
  sqs: SQSClient, queueUrl: string, handler: (event: SqsEvent, context: LambdaContextLike) => Promise<BatchResponse>,
  { idleRounds = 1, waitSeconds = 0 } = {},
): Promise<number> {
  let handled = 0;
  let idle = 0;
  while (idle < idleRounds) {
    const { received } = await pollOnce({ sqs, queueUrl, handler, waitSeconds });
    handled += received;
    idle = received === 0 ? idle + 1 : 0;
  }
  return handled;
}

/** The bodies of the messages in a queue (made visible again at once). */
export async function peek(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
  return Messages.map((message) => message.Body ?? "");
}
