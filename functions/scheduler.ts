/**
 * Lambda entry of the scheduler (EventBridge Scheduler, every 15 minutes): the runtime composed by
 * lib/wiring from the environment once per container, and one tick at the current time. A tick with
 * failed locations throws after the others are done, so the invocation counts as an error for the
 * alarms; the failed ones stay due and the next tick retries them.
 */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { Logger } from "@aws-lambda-powertools/logger";
import { loadConfig } from "../lib/config";
import { runSchedulerTick, type SchedulerTickResult } from "../lib/schedule/scheduler";
import { composeScheduler } from "../lib/wiring/scheduler";

const logger = new Logger({ serviceName: "daybook-scheduler" });
const { deps } = composeScheduler(loadConfig("scheduler"));

export const handler = async (): Promise<SchedulerTickResult> => {
  const result = await runSchedulerTick({
    ...deps, now: new Date(),
    log: (level, message, fields) => {
      logger[level](message, fields ?? {});
    },
  });
  if (result.failed > 0) throw new Error(`${result.failed} locations could not be scheduled; they stay due for the next tick`);
  return result;
};
