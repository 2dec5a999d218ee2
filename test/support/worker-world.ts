/**
 * The AWS side of the worker for tests, on the run's moto_server: a FIFO queue with its dead-letter
 * queue (redrive after `maxAttempts` receives), an SES identity to send from, and readers of what
 * moto's SES sent and what the queues hold.
 */
import { randomUUID } from "node:crypto";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient,
} from "@aws-sdk/client-sqs";
import type { BatchResponse, LambdaContextLike, SqsEvent } from "../../lib/worker/handler";
import { pollOnce } from "../../lib/worker/poll";
import { awsClientConfig } from "./aws";

export interface Queues {
  queueUrl: string;
  deadLetterUrl: string;
}

export async function createQueues(sqs: SQSClient, maxAttempts: number): Promise<Queues> {
  const name = `daybook-jobs-${randomUUID().slice(0, 8)}`;
  const dead = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: { FifoQueue: "true" } }));
  const deadLetterUrl = dead.QueueUrl ?? "";
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ["QueueArn"] }));
  const main = await sqs.send(new CreateQueueCommand({
    QueueName: `${name}.fifo`,
    Attributes: {
      FifoQueue: "true",
      VisibilityTimeout: "30",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: maxAttempts }),
    },
  }));
  return { queueUrl: main.QueueUrl ?? "", deadLetterUrl };
}

/** A sender domain of the test's own (identities are shared by every test file on this moto). */
export async function createSender(ses: SESv2Client): Promise<string> {
  const domain = `mail-${randomUUID()}.daybook.example`;
  await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
  return `daybook <no-reply@${domain}>`;
}

export function awsClients(motoEndpoint: string) {
  return { sqs: new SQSClient(awsClientConfig(motoEndpoint)), ses: new SESv2Client(awsClientConfig(motoEndpoint)) };
}

export interface SentMail {
  source: string;
  subject: string;
  /** The HTML part when there is one (moto keeps one body). */
  body: string;
  destinations: { ToAddresses?: string[] };
}

/** Everything moto's SES has sent in this run (all test files), from its model dump. */
export async function sentMail(motoEndpoint: string): Promise<SentMail[]> {
  const response = await fetch(`${motoEndpoint}/moto-api/data.json`);
  const data = await response.json() as { ses?: { Message?: SentMail[] }; sesv2?: { Message?: SentMail[] } };
  return data.ses?.Message ?? [];
}

export async function sentTo(motoEndpoint: string, recipient: string): Promise<SentMail[]> {
  return (await sentMail(motoEndpoint)).filter((message) => message.destinations.ToAddresses?.includes(recipient));
}

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
