/**
 * The custom metrics a function counts (lib/metrics-names.ts: a failed day, an email held back by the
 * caps), through Powertools Metrics as CloudWatch's embedded metric format. Most invocations count
 * none (a tick with nothing to send, a page view, a night that posted), so Powertools Metrics loads on
 * the first count (in the Lambda bundles a chunk of its own, infra/bundle.ts) and an invocation that
 * counted nothing publishes nothing: no empty record, and not Powertools' warning that there was
 * nothing to publish on every invocation.
 */
import { METRICS_NAMESPACE, type METRIC_NAMES, type SERVICE_NAMES } from "../metrics-names";
import { lazy } from "./lazy";

type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

export interface MetricCounter {
  /** Adds one to `name` (unit Count) for this invocation's record. */
  count(name: MetricName): void;
  /** Writes this invocation's record if it counted anything; call it once at the invocation's end. */
  publish(): Promise<void>;
}

export function metricCounter(serviceName: (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES]): MetricCounter {
  const metrics = lazy(async () => {
    const { Metrics, MetricUnit } = await import("./on-demand/metrics");
    return { metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }), count: MetricUnit.Count };
  });
  let counted: Promise<unknown>[] = [];
  return {
    count(name) {
      const adding = metrics.get().then(({ metrics: made, count }) => made.addMetric(name, count, 1));
      // Handled here so a failure waits for publish(), which throws it: the invocation fails, visibly.
      adding.catch(() => undefined);
      counted.push(adding);
    },
    async publish() {
      if (counted.length === 0) return;
      const pending = counted;
      counted = [];
      await Promise.all(pending);
      (await metrics.get()).metrics.publishStoredMetrics();
    },
  };
}
