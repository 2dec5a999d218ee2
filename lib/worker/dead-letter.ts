/**
 * A job in the dead-letter queue that no attempt reported: its receives were used up by attempts that
 * never ended (the worker timed out or ran out of memory on it, every time), so the last attempt's
 * report (process-job.ts) never ran. Its day is failed and said so, as a last attempt's would be: the
 * record, the report, the merchant's alert, the FailedDays count, a backfill's progress. A day already
 * settled (posted, no sales, held) by an attempt that got that far is left as it is. The worker reads
 * the dead-letter queue for this (infra/stack.ts); what it cannot read (a body that is not a job) stays
 * there, for the DeadLettersWaiting alarm.
 */
import type { SyncJob } from "../schedule/job";
import { markDayFailed, SyncError } from "../sync/sync-day";
import { reportLastAttemptFailed, type WorkerDeps } from "./process-job";
import { tellAccountants } from "../members/location-status";

/** Said in the day's report: what happened, on whose side; the report adds what daybook does next. */
export const DEAD_LETTER_REASON = "daybook ran out of time or memory reading or posting this day, on every attempt";

/** "reported": the day is failed and said so; "settled": an attempt had already ended the day, nothing changed. */
export async function reportDeadLetter(deps: WorkerDeps, job: SyncJob): Promise<"reported" | "settled"> {
  // A night's own day; its re-checks were of days already ended, which the nights after re-check again.
  const day = { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay };
  const record = await deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay);
  if (record && (record.state === "posted" || record.state === "no-sales" || record.state === "held") && record.pending === undefined) return "settled";
  const failure = await markDayFailed(deps.sync, day, new SyncError(DEAD_LETTER_REASON, "bug"));
  await reportLastAttemptFailed(deps, { ...job, kind: job.kind === "night" ? "first" : job.kind }, failure);
  await tellAccountants(deps, day);
  return "reported";
}
