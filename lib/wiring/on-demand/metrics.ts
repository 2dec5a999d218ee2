/** What the first count loads (lib/wiring/metrics.ts): Powertools Metrics. */
export { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
