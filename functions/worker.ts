/**
 * Lambda entry of the worker (SQS FIFO event source, ReportBatchItemFailures on): the runtime composed
 * by lib/wiring from the environment (secrets from SSM) once per container, and lib/worker's handler.
 * Logger and Metrics are Powertools', each loaded on its first line or count (lib/wiring/logger.ts, lib/wiring/metrics.ts:
 * a night that posted writes neither); a day that ends failed adds one to FailedDays, which an alarm
 * watches (lib/metrics-names.ts, shared with infra/stack.ts). Every 6 hours its schedule sends it the
 * refresh sweep's event instead (lib/connections/refresh-sweep.ts, loaded on those invocations); a sweep with connections that
 * could not be refreshed for a passing reason throws after the others are done, for the alarms.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { loadConfig } from "../lib/config";
import { isRefreshSweepEvent, REFRESH_SWEEP_EVENT } from "../lib/connections/refresh-sweep-event";
import { METRIC_NAMES, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createWorkerHandler, type LambdaContextLike, type SqsEvent } from "../lib/worker/handler";
import { lineWriter } from "../lib/wiring/logger";
import { metricCounter } from "../lib/wiring/metrics";
import { composeWorker } from "../lib/wiring/worker";

const lines = lineWriter(SERVICE_NAMES.worker);
const metrics = metricCounter(SERVICE_NAMES.worker);

const runtime = await composeWorker(loadConfig("worker", await withSecretsFromSsm(process.env)), {
  onFailedDay: () => {
    metrics.count(METRIC_NAMES.failedDays);
  },
  onEmailHeld: (held) => {
    lines.log("warn", "email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.count(METRIC_NAMES.emailsHeld);
  },
});
const log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => {
  lines.log(level, message, fields);
};
const handle = createWorkerHandler({ ...runtime.handler, log });

export const handler = async (event: SqsEvent | typeof REFRESH_SWEEP_EVENT, context: LambdaContextLike) => {
  try {
    if (isRefreshSweepEvent(event)) {
      // The sweep's own code loads on its invocations (every 6 hours), not with every job's.
      const { sweepConnections } = await import("../lib/connections/refresh-sweep");
      const result = await sweepConnections({ ...runtime.sweep, log });
      if (result.failed > 0) throw new Error(`${result.failed} connections could not be refreshed; the next sweep tries again`);
      return result;
    }
    return await handle(event, context);
  } finally {
    await Promise.all([metrics.publish(), lines.flush()]);
  }
};
