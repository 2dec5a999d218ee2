/**
 * The AWS side of a world on moto_server (the tests, the fault campaign, the benchmarks): client
 * settings pointed at it, a table per world built from the same definition as production's
 * (lib/store/table.ts), so worlds can run in parallel, a FIFO queue with its dead-letter queue, an SES
 * identity to send from, and what moto's SES sent.
 */
import { randomUUID } from "node:crypto";
import {
  CreateTableCommand, type DynamoDBClient, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createTableInput, TABLE } from "../lib/store/table";

export interface AwsTestClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** For any v3 client: `new DynamoDBClient(awsClientConfig(moto.endpoint))`. */
export function awsClientConfig(endpoint: string): AwsTestClientConfig {
  return {
    region: "us-east-1",
    endpoint,
    // Static and fake: the SDK never looks for real credentials, and moto accepts any.
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
}

/** Creates a table with a unique name, its TTL and point-in-time recovery set as in production; returns the name. */
export async function createTestTable(client: DynamoDBClient): Promise<string> {
  const tableName = `daybook-test-${randomUUID()}`;
  const { TableDescription } = await client.send(new CreateTableCommand(createTableInput(tableName)));
  // moto creates tables ACTIVE at once; real DynamoDB would need a waiter here.
  if (TableDescription?.TableStatus !== "ACTIVE") throw new Error(`table ${tableName} is ${String(TableDescription?.TableStatus)}, not ACTIVE`);
  await client.send(new UpdateTimeToLiveCommand({
    TableName: tableName,
    TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE.timeToLiveAttribute },
  }));
  await client.send(new UpdateContinuousBackupsCommand({
    TableName: tableName,
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: TABLE.pointInTimeRecoveryDays },
  }));
  return tableName;
}

/**
 * DynamoDB never lets two conditional writes to one item both pass: it serialises them. moto does
 * not (its threaded server checks the condition and writes without a lock; 16 of 100 concurrent
 * UpdateItem pairs both "won" when measured), so a test that races writers sends the client's
 * requests through this, one at a time, to get DynamoDB's guarantee back. The racing store calls
 * still start together and both read nothing in between. Not for long polls (SQS ReceiveMessage).
 */
export function oneRequestAtATime(client: DynamoDBClient): DynamoDBClient {
  let previous: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => (args) => {
      const turn = previous.then(() => next(args));
      previous = turn.catch(() => undefined);
      return turn;
    },
    { step: "finalizeRequest", priority: "low", name: "oneRequestAtATime" },
  );
  return client;
}

export interface Queues {
  queueUrl: string;
  deadLetterUrl: string;
}

/** A FIFO queue and its dead-letter queue (redrive after `maxAttempts` receives). */
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

/** A sender domain of the world's own (identities are shared by everything on one moto_server). */
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

/** Everything moto's SES has sent (from everything on this moto_server), from its model dump. */
export async function sentMail(motoEndpoint: string): Promise<SentMail[]> {
  // moto dumps every backend for data.json; a request that changes one meanwhile (another test file on the
  // same moto_server) can make the dump fail with its HTML error page, so a failed dump is asked for again.
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${motoEndpoint}/moto-api/data.json`);
    if (response.ok || attempt >= 5) {
      if (!response.ok) throw new Error(`moto_server's data.json answered ${String(response.status)} ${(await response.text()).slice(0, 200)}`);
      const data = await response.json() as { ses?: { Message?: SentMail[] }; sesv2?: { Message?: SentMail[] } };
      return data.ses?.Message ?? [];
    }
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

export async function sentTo(motoEndpoint: string, recipient: string): Promise<SentMail[]> {
  return (await sentMail(motoEndpoint)).filter((message) => message.destinations.ToAddresses?.includes(recipient));
}
