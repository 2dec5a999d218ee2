/**
 * The scheduler's floor (bench/bundles.ts): the AWS clients every tick uses, made at load: DynamoDB
 * (the due-index; through lib-dynamodb) and SQS (the jobs). Nothing of daybook's own.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const region = process.env["AWS_REGION"];
const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({ region })), new SQSClient({ region })];

export const handler = (): Promise<number> => Promise.resolve(clients.length);
