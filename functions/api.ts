/**
 * Lambda entry of the web app (function URL): the settings from the environment and the app secrets
 * from SSM Parameter Store, the runtime composed by lib/wiring once per container, and the Hono app
 * behind hono/aws-lambda's handle().
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { Logger } from "@aws-lambda-powertools/logger";
import { handle } from "hono/aws-lambda";
import { loadConfig } from "../lib/config";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createApp } from "../lib/web/app";
import type { WebDeps } from "../lib/web/deps";
import { composeApi } from "../lib/wiring/api";

const logger = new Logger({ serviceName: "daybook-api" });

const log: WebDeps["log"] = (level, message, fields) => {
  logger[level](message, fields ?? {});
};

// hono/aws-lambda is deprecated in favour of @hono/aws-lambda, which is not a dependency yet.
// eslint-disable-next-line @typescript-eslint/no-deprecated
export const handler = handle(createApp((await composeApi(loadConfig("api", await withSecretsFromSsm(process.env)), { log })).deps));
