/**
 * One location-night job (kind "night"): its day D and the re-checks of D−1..D−3 from one read of the
 * POS (lib/sync/sync-night.ts), then what follows each day's sync as a job of its own would have it
 * (process-job.ts afterSync: D as a first sync, the others as re-checks): its report kept, the
 * merchant's next digest marked, and one alert email for every day of the night that failed or that
 * daybook held (process-job.ts alertMerchant), sent before the night's payouts (and, on the last
 * attempt, one more for the days that threw every time).
 *
 * A day that threw (a retryable failure, a bug) sends the whole night back to the queue once every
 * other day is done and reported; the next attempt finds those days unchanged, and reads only the
 * changes again. On the last attempt each such day is marked failed and reported, and the message goes
 * on to the dead-letter queue.
 *
 * The business's accountants are told the night's day as it stands (their client lists show each
 * location's latest day) whenever the day itself is done: synced, or failed on the last attempt.
 *
 * Square's payouts are read while the POS is (night-payouts.ts readNightPayoutsAhead), and posted after
 * the days, as before; the job never ends with that read still in flight.
 */
import { tellAccountants } from "../members/location-status";
import type { SyncJob } from "../schedule/job";
import { markDayFailed } from "../sync/sync-day";
import { syncNight } from "../sync/sync-night";
import { postNightPayouts, readNightPayoutsAhead } from "./night-payouts";
import type { PayoutReadAhead } from "../payouts/post-payouts";
import { afterSync, alertMerchant, type Attempt, type JobResult, type OwedAlert, reportLastAttemptFailed, type WorkerDeps } from "./process-job";

export async function processNight(deps: WorkerDeps, job: SyncJob, attempt: Attempt): Promise<JobResult> {
  const payouts: { ahead?: Promise<PayoutReadAhead | undefined> } = {};
  try {
    return await runNight(deps, job, attempt, payouts);
  } finally {
    // Never rejects; awaited so that nothing of the job is left running when it ends, whichever way.
    await payouts.ahead;
  }
}

async function runNight(deps: WorkerDeps, job: SyncJob, attempt: Attempt, payouts: { ahead?: Promise<PayoutReadAhead | undefined> }): Promise<JobResult> {
  // The location and merchant the night read, and each day's record as its sync left it, serve what follows (not read again).
  const { days: results, location, merchant } = await syncNight(deps.sync, { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay }, {
    onLocation: (read) => {
      payouts.ahead = readNightPayoutsAhead(deps.payouts, job, read);
    },
  });
  let emailsSent = 0;
  let status: JobResult["status"] = "failed";
  const thrown: { day: (typeof results)[number]["day"]; error: unknown }[] = [];
  const alerts: OwedAlert[] = [];
  for (const result of results) {
    const own = result.day.businessDay === job.businessDay;
    if ("error" in result) {
      thrown.push(result);
      continue;
    }
    emailsSent += await afterSync(deps, dayJob(job, result.day.businessDay), result.day, result.before, result.outcome, alerts, {
      merchant, location, ...(result.after ? { record: result.after } : {}),
    });
    if (own) status = result.outcome.status;
  }
  // Before the payouts, which may throw: the days done are told whatever happens next.
  emailsSent += await alertMerchant(deps, alerts.splice(0));
  await postNightPayouts(deps.payouts, job, attempt, location, payouts.ahead);
  const night = { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay };
  const first = thrown[0];
  if (first === undefined) {
    await tellAccountants(deps, night);
    return { status, emailsSent };
  }
  if (attempt.number < attempt.max) {
    if (!thrown.some(({ day }) => day.businessDay === job.businessDay)) await tellAccountants(deps, night);
    throw first.error;
  }
  // The last attempt: each day that failed is failed, said so (one more alert), and the message goes on to the dead-letter queue.
  for (const { day, error } of thrown) {
    const failure = await markDayFailed(deps.sync, day, error);
    await reportLastAttemptFailed(deps, dayJob(job, day.businessDay), failure, alerts);
  }
  await alertMerchant(deps, alerts);
  await tellAccountants(deps, night);
  throw first.error;
}

/** One day of the night as a job of its own: the night's day a first sync, the days before re-checks. */
function dayJob(night: SyncJob, businessDay: string): SyncJob {
  return { ...night, kind: businessDay === night.businessDay ? "first" : "recheck", businessDay };
}
