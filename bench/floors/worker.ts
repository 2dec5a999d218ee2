/**
 * The worker's floor (bench/bundles.ts): the AWS clients every invocation of the worker uses, made at
 * load: DynamoDB (records, tokens; through lib-dynamodb), KMS (the tokens are sealed) and SSM (the app's
 * secrets, read at cold start). Not SES: a night emails only to alert (a failed or held day, a
 * backfill's summary, a stopped location); the reports go out in the scheduler's morning digests.
 * Nothing of daybook's own.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const region = process.env["AWS_REGION"];
const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({ region })), new KMSClient({ region }), new SSMClient({ region })];

export const handler = (): Promise<number> => Promise.resolve(clients.length);
