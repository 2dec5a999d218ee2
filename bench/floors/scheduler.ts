/**
 * The scheduler's floor (bench/bundles.ts): the AWS clients every tick uses, made at load: DynamoDB
 * (the due-index; through lib-dynamodb), SQS (the jobs) and SSM (the link-signing key, read at cold
 * start as every function's secrets are: infra/stack.ts gives the scheduler its parameter's name).
 * Nothing of daybook's own.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const region = process.env["AWS_REGION"];
const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({ region })), new SQSClient({ region }), new SSMClient({ region })];

export const handler = (): Promise<number> => Promise.resolve(clients.length);
