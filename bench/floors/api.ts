/**
 * The api's floor (bench/bundles.ts): hono and the AWS clients every invocation of the api uses, made
 * at load as functions/api.ts makes its own: DynamoDB (sessions; through lib-dynamodb, as lib/store
 * uses it) and SSM (the app's secrets, read at cold start). Nothing of daybook's own.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";

const region = process.env["AWS_REGION"];
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
const ssm = new SSMClient({ region });
const app = new Hono();
app.get("/", (c) => c.json({ documents: typeof documents.send, ssm: typeof ssm.send }));

// As functions/api.ts does.
// eslint-disable-next-line @typescript-eslint/no-deprecated
export const handler = handle(app);
