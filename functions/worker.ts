/**
 * Lambda entry of the worker (SQS FIFO event source, ReportBatchItemFailures on): the runtime composed
 * by lib/wiring from the environment (secrets from SSM) once per container, and lib/worker's handler.
 * Logger and Metrics are Powertools'; a day that ends failed adds one to FailedDays, which an alarm
 * watches (lib/metrics-names.ts, shared with infra/stack.ts).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { loadConfig } from "../lib/config";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { createWorkerHandler, type LambdaContextLike, type SqsEvent } from "../lib/worker/handler";
import { composeWorker } from "../lib/wiring/worker";

const logger = new Logger({ serviceName: SERVICE_NAMES.worker });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.worker });

const runtime = await composeWorker(loadConfig("worker", await withSecretsFromSsm(process.env)), {
  onFailedDay: () => {
    metrics.addMetric(METRIC_NAMES.failedDays, MetricUnit.Count, 1);
  },
  onEmailHeld: (held) => {
    logger.warn("email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.addMetric(METRIC_NAMES.emailsHeld, MetricUnit.Count, 1);
  },
});
const handle = createWorkerHandler({
  ...runtime.handler,
  log: (level, message, fields) => {
    logger[level](message, fields ?? {});
  },
});

export const handler = async (event: SqsEvent, context: LambdaContextLike) => {
  try {
    return await handle(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
