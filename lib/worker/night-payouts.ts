/**
 * The payouts part of a location's night (lib/payouts/post-payouts.ts), run by the night job (or a
 * first-sync job) after its days: Square locations with a payouts mapping post their new and changed payouts. A
 * passing failure (a provider's outage, a crash) sends the job back to the queue, as a day's does, so
 * the payouts are tried again within the night; the day itself is done and is found unchanged. On the
 * job's last attempt the failure stays on the location's payout check instead, and the next night
 * reads the same payouts again: payouts never fail a day.
 *
 * Most locations post none (Clover's, and Square's without a payouts mapping): what reads and posts
 * payouts loads on the first job of a location that does (lib/payouts/post-payouts.ts, in the Lambda
 * bundle a chunk of its own).
 */
import { postsPayouts } from "../domain/mapping";
import type { PayoutPorts, PayoutRun } from "../payouts/post-payouts";
import type { LocationConfig } from "../model";
import type { SyncJob } from "../schedule/job";
import { SyncError } from "../sync/sync-day";

/** `known`: the location as the night just read it (its days were synced with it), so it is not read again. */
export async function postNightPayouts(
  payouts: PayoutPorts | undefined, job: SyncJob, attempt: { number: number; max: number }, known?: LocationConfig,
): Promise<PayoutRun | undefined> {
  if (!payouts || (job.kind !== "night" && job.kind !== "first")) return undefined;
  const location = known ?? await payouts.store.getLocation(job.merchantId, job.locationId);
  if (!location || !postsPayouts(location)) return { status: "not-mapped" };
  const { postPayouts } = await import("../payouts/post-payouts");
  const run = await postPayouts(payouts, { merchantId: job.merchantId, locationId: job.locationId }, location);
  if (run.status === "failed" && (run.failure.kind === "retryable" || run.failure.kind === "bug") && attempt.number < attempt.max) {
    throw new SyncError(`Square payouts: ${run.failure.message}`, run.failure.kind);
  }
  return run;
}
