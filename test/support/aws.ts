/**
 * AWS SDK clients pointed at the test run's moto_server, and a table per test file built from the
 * same definition as production's (lib/store/table.ts), so files can run in parallel.
 */
import { randomUUID } from "node:crypto";
import {
  CreateTableCommand, type DynamoDBClient, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, TABLE } from "../../lib/store/table";

export interface AwsTestClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** For any v3 client: `new DynamoDBClient(awsClientConfig(inject("motoEndpoint")))`. */
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
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: TABLE.pointInTimeRecovery },
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
