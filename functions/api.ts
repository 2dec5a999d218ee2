/**
 * Lambda entry of the web app (function URL): the settings from the environment and the app secrets
 * from SSM Parameter Store, the runtime composed by lib/wiring once per container, and the Hono app
 * behind hono/aws-lambda's handle(). An email the daily caps hold back (a confirmation request, a
 * notice) is logged and counted at once.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { handle } from "hono/aws-lambda";
import { loadConfig } from "../lib/config";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createApp } from "../lib/web/app";
import type { WebDeps } from "../lib/web/deps";
import { composeApi } from "../lib/wiring/api";

const logger = new Logger({ serviceName: SERVICE_NAMES.api });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.api });

const log: WebDeps["log"] = (level, message, fields) => {
  logger[level](message, fields ?? {});
};

const runtime = await composeApi(loadConfig("api", await withSecretsFromSsm(process.env)), {
  log,
  onEmailHeld: (held) => {
    log("warn", "email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.addMetric(METRIC_NAMES.emailsHeld, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  },
});

// hono/aws-lambda is deprecated in favour of @hono/aws-lambda, which is not a dependency yet.
// eslint-disable-next-line @typescript-eslint/no-deprecated
export const handler = handle(createApp(runtime.deps));
