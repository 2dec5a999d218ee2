/**
 * Lambda entry of the web app (function URL): the settings from the environment and the app secrets
 * from SSM Parameter Store, the runtime composed by lib/wiring once per container, and the Hono app
 * behind hono/aws-lambda's handle(). An email the daily caps hold back (a confirmation request, a
 * notice) is logged and counted in the request's metrics record (lib/wiring/metrics.ts). A page view
 * logs nothing: Powertools Logger loads on the first line (lib/wiring/logger.ts), and each request's
 * lines are out before it answers.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { handle } from "hono/aws-lambda";
import { loadConfig } from "../lib/config";
import { METRIC_NAMES, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createApp } from "../lib/web/app";
import type { WebDeps } from "../lib/web/deps";
import { composeApi } from "../lib/wiring/api";
import { lineWriter } from "../lib/wiring/logger";
import { metricCounter } from "../lib/wiring/metrics";

const lines = lineWriter(SERVICE_NAMES.api);
const metrics = metricCounter(SERVICE_NAMES.api);

const log: WebDeps["log"] = (level, message, fields) => {
  lines.log(level, message, fields);
};

const runtime = await composeApi(loadConfig("api", await withSecretsFromSsm(process.env)), {
  log,
  onEmailHeld: (held) => {
    log("warn", "email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.count(METRIC_NAMES.emailsHeld);
  },
});

// hono/aws-lambda is deprecated in favour of @hono/aws-lambda, which is not a dependency yet.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const serve = handle(createApp(runtime.deps));

/** The request, then what it counted (an email held back) written as the invocation's metrics record, and its log lines. */
export const handler: typeof serve = async (event, lambdaContext) => {
  try {
    return await serve(event, lambdaContext);
  } finally {
    await Promise.all([metrics.publish(), lines.flush()]);
  }
};
