/**
 * lib/wiring/metrics.ts: the functions' custom metrics through the real Powertools Metrics, loaded on
 * the first count; what an invocation counted is written once at its end as one embedded-metric-format
 * record, and an invocation that counted nothing writes nothing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAMES } from "../../lib/metrics-names";
import { metricCounter } from "../../lib/wiring/metrics";

/** What `run` writes to stdout and stderr (Powertools Metrics writes through a Console of its own on both). */
async function outputOf(run: () => Promise<void>): Promise<{ stdout: string[]; stderr: string[] }> {
  const output = { stdout: [] as string[], stderr: [] as string[] };
  const spies = (["stdout", "stderr"] as const).map((stream) => vi.spyOn(process[stream], "write").mockImplementation((chunk: string | Uint8Array) => {
    output[stream].push(...String(chunk).split("\n").filter((line) => line !== ""));
    return true;
  }));
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return output;
}

/** The embedded-metric-format records written to stdout while `run` runs. */
async function recordsOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const { stdout } = await outputOf(run);
  return stdout.filter((line) => line.includes("_aws")).map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("metricCounter", () => {
  it("writes what an invocation counted once, at its end, under the service's name; then nothing until the next count", async () => {
    const metrics = metricCounter(SERVICE_NAMES.worker);
    const records = await recordsOf(async () => {
      metrics.count(METRIC_NAMES.failedDays);
      metrics.count(METRIC_NAMES.emailsHeld);
      metrics.count(METRIC_NAMES.failedDays);
      await metrics.publish();
      await metrics.publish();
    });
    expect(records).toHaveLength(1);
    const [record] = records as [Record<string, unknown>];
    expect(record["service"]).toBe(SERVICE_NAMES.worker);
    expect(record[METRIC_NAMES.failedDays]).toEqual([1, 1]);
    expect(record[METRIC_NAMES.emailsHeld]).toBe(1);
    const { CloudWatchMetrics } = record["_aws"] as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
    expect(CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(CloudWatchMetrics[0]?.Metrics).toEqual(expect.arrayContaining([{ Name: METRIC_NAMES.failedDays, Unit: "Count" }, { Name: METRIC_NAMES.emailsHeld, Unit: "Count" }]));

    const next = await recordsOf(async () => {
      metrics.count(METRIC_NAMES.emailsHeld);
      await metrics.publish();
    });
    expect(next.map((each) => each[METRIC_NAMES.emailsHeld])).toEqual([1]);
  });

  it("writes nothing for an invocation that counted nothing: no empty record, no warning", async () => {
    const metrics = metricCounter(SERVICE_NAMES.scheduler);
    expect(await outputOf(() => metrics.publish())).toEqual({ stdout: [], stderr: [] });
  });
});
