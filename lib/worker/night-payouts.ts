/**
 * The payouts part of a location's night (lib/payouts/post-payouts.ts), run by the night job (or a
 * first-sync job) after its days: Square locations with a payouts mapping post their new and changed payouts. A
 * passing failure (a provider's outage, a crash) sends the job back to the queue, as a day's does, so
 * the payouts are tried again within the night; the day itself is done and is found unchanged. On the
 * job's last attempt the failure stays on the location's payout check instead, and the next night
 * reads the same payouts again: payouts never fail a day.
 *
 * A night job starts reading the payouts (readNightPayoutsAhead: the listing, the payouts' records,
 * the entries of those that need them) as soon as it has read the location, while it reads the POS for
 * its days, so Square's answers are not waited for after them; what is
 * posted, and when, is unchanged: the payouts still post after the days are done and told.
 *
 * Most locations post none (Clover's, and Square's without a payouts mapping): what reads and posts
 * payouts loads on the first job of a location that does (lib/payouts/post-payouts.ts, in the Lambda
 * bundle a chunk of its own).
 */
import { postsPayouts } from "../domain/mapping";
import type { PayoutPorts, PayoutReadAhead, PayoutRun } from "../payouts/post-payouts";
import type { LocationConfig } from "../model";
import type { SyncJob } from "../schedule/job";
import { SyncError } from "../sync/sync-day";

/**
 * Starts reading a night's payouts (lib/payouts/post-payouts.ts readPayoutsAhead) for postNightPayouts:
 * undefined where the night posts none. The promise never rejects (whatever goes wrong, postPayouts
 * then reads as it would have), so it may be left unawaited without an unhandled rejection.
 */
export function readNightPayoutsAhead(payouts: PayoutPorts | undefined, job: SyncJob, location: LocationConfig): Promise<PayoutReadAhead | undefined> | undefined {
  if (!payouts || job.kind !== "night" || !postsPayouts(location)) return undefined;
  return import("../payouts/post-payouts")
    .then(({ readPayoutsAhead }) => readPayoutsAhead(payouts, { merchantId: job.merchantId, locationId: job.locationId }, location))
    .catch(() => undefined);
}

/**
 * `known`: the location as the night just read it (its days were synced with it), so it is not read
 * again; `ahead`: the read readNightPayoutsAhead started for it.
 */
export async function postNightPayouts(
  payouts: PayoutPorts | undefined, job: SyncJob, attempt: { number: number; max: number }, known?: LocationConfig,
  ahead?: Promise<PayoutReadAhead | undefined>,
): Promise<PayoutRun | undefined> {
  if (!payouts || (job.kind !== "night" && job.kind !== "first")) return undefined;
  const location = known ?? await payouts.store.getLocation(job.merchantId, job.locationId);
  if (!location || !postsPayouts(location)) return { status: "not-mapped" };
  const { postPayouts } = await import("../payouts/post-payouts");
  const run = await postPayouts(payouts, { merchantId: job.merchantId, locationId: job.locationId }, location, await ahead);
  if (run.status === "failed" && (run.failure.kind === "retryable" || run.failure.kind === "bug") && attempt.number < attempt.max) {
    throw new SyncError(`Square payouts: ${run.failure.message}`, run.failure.kind);
  }
  return run;
}
