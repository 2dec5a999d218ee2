/**
 * Lambda entry of the worker (SQS FIFO event source, ReportBatchItemFailures on): the runtime composed
 * by lib/wiring from the environment (secrets from SSM) once per container, and lib/worker's handler.
 * Logger and Metrics are Powertools' (Metrics loads on the first count: lib/wiring/metrics.ts); a day that ends failed adds one to FailedDays, which an alarm
 * watches (lib/metrics-names.ts, shared with infra/stack.ts). Every 6 hours its schedule sends it the
 * refresh sweep's event instead (lib/connections/refresh-sweep.ts, loaded on those invocations); a sweep with connections that
 * could not be refreshed for a passing reason throws after the others are done, for the alarms.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { Logger } from "@aws-lambda-powertools/logger";
import { loadConfig } from "../lib/config";
import { isRefreshSweepEvent, REFRESH_SWEEP_EVENT } from "../lib/connections/refresh-sweep-event";
import { METRIC_NAMES, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createWorkerHandler, type LambdaContextLike, type SqsEvent } from "../lib/worker/handler";
import { metricCounter } from "../lib/wiring/metrics";
import { composeWorker } from "../lib/wiring/worker";

const logger = new Logger({ serviceName: SERVICE_NAMES.worker });
const metrics = metricCounter(SERVICE_NAMES.worker);

const runtime = await composeWorker(loadConfig("worker", await withSecretsFromSsm(process.env)), {
  onFailedDay: () => {
    metrics.count(METRIC_NAMES.failedDays);
  },
  onEmailHeld: (held) => {
    logger.warn("email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.count(METRIC_NAMES.emailsHeld);
  },
});
const log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => {
  logger[level](message, fields ?? {});
};
const handle = createWorkerHandler({ ...runtime.handler, log });

export const handler = async (event: SqsEvent | typeof REFRESH_SWEEP_EVENT, context: LambdaContextLike) => {
  if (isRefreshSweepEvent(event)) {
    // The sweep's own code loads on its invocations (every 6 hours), not with every job's.
    const { sweepConnections } = await import("../lib/connections/refresh-sweep");
    const result = await sweepConnections({ ...runtime.sweep, log });
    if (result.failed > 0) throw new Error(`${result.failed} connections could not be refreshed; the next sweep tries again`);
    return result;
  }
  try {
    return await handle(event, context);
  } finally {
    await metrics.publish();
  }
};
