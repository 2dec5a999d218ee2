/**
 * Lambda entry of the worker (SQS FIFO event source, ReportBatchItemFailures on): the real clients
 * from the environment (secrets from SSM), built once per container, and lib/worker's handler.
 * Logger and Metrics are Powertools'; a day that ends failed adds one to FailedDays, which an alarm
 * watches (lib/metrics-names.ts, shared with infra/stack.ts).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../lib/metrics-names";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { loadWorkerConfig } from "../lib/worker/config";
import { createWorkerHandler, type LambdaContextLike, type SqsEvent } from "../lib/worker/handler";
import { workerFromConfig } from "../lib/worker/wiring";

const logger = new Logger({ serviceName: SERVICE_NAMES.worker });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.worker });

const options = await workerFromConfig(loadWorkerConfig(await withSecretsFromSsm(process.env)), () => {
  metrics.addMetric(METRIC_NAMES.failedDays, MetricUnit.Count, 1);
});
const handle = createWorkerHandler({
  ...options,
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
