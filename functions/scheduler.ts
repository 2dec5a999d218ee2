/**
 * Lambda entry of the scheduler (EventBridge Scheduler, every 15 minutes): the runtime composed by
 * lib/wiring from the environment (the link-signing key from SSM) once per container; one tick at the
 * current time, then the morning digests now due (lib/report/digest.ts). A tick with failed locations,
 * or digests that failed, throws after the rest is done, so the invocation counts as an error for the
 * alarms; what failed stays due and the next run retries it. A tick that found nothing due logs
 * nothing: Powertools Logger loads on the first line (lib/wiring/logger.ts), and an invocation's lines
 * are out before it returns.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { loadConfig } from "../lib/config";
import { METRIC_NAMES, SERVICE_NAMES } from "../lib/metrics-names";
import type { DigestRunResult } from "../lib/report/digest";
import { runSchedulerTick, type SchedulerTickResult } from "../lib/schedule/scheduler";
import { withSecretsFromSsm } from "../lib/secrets/ssm";
import { lineWriter } from "../lib/wiring/logger";
import { metricCounter } from "../lib/wiring/metrics";
import { composeScheduler } from "../lib/wiring/scheduler";

const lines = lineWriter(SERVICE_NAMES.scheduler);
const metrics = metricCounter(SERVICE_NAMES.scheduler);
const log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => {
  lines.log(level, message, fields);
};
const { deps, sendDigests } = composeScheduler(loadConfig("scheduler", await withSecretsFromSsm(process.env)), {
  onEmailHeld: (held) => {
    log("warn", "email held back by the daily cap", { merchantId: held.merchantId ?? "none", purpose: held.purpose, cap: held.reason });
    metrics.count(METRIC_NAMES.emailsHeld);
  },
});

/**
 * The tick starts no page once less than this is left of the invocation: the page in flight and the
 * morning digests after the tick still fit in the function's timeout (infra/stack.ts). What the tick
 * did not reach stays due, and the next invocation continues from it.
 */
const AFTER_TICK_MS = 45_000;

export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<SchedulerTickResult & { digests: DigestRunResult }> => {
  try {
    const now = new Date();
    const result = await runSchedulerTick({
      ...deps, now, log, ...(context ? { timeLeftMs: () => context.getRemainingTimeInMillis() - AFTER_TICK_MS } : {}),
    });
    if (result.unfinished) log("warn", "the tick ran out of time; the locations it did not reach stay due for the next invocation", { locations: result.locations });
    const sent = await sendDigests(now, log);
    if (result.failed > 0) throw new Error(`${String(result.failed)} locations could not be scheduled; they stay due for the next tick`);
    if (sent.failed > 0) throw new Error(`${String(sent.failed)} merchants' digests failed; they stay due for the next tick`);
    return { ...result, digests: sent };
  } finally {
    await Promise.all([metrics.publish(), lines.flush()]);
  }
};
