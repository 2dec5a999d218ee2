/**
 * The payouts part of a location's night (lib/payouts/post-payouts.ts), run by the night's first-sync
 * job after its day: Square locations with a payouts mapping post their new and changed payouts. It
 * never fails the day's job: its failures are kept on the location's payout check, and the next night
 * reads the same payouts again.
 */
import { type PayoutPorts, type PayoutRun, postPayouts } from "../payouts/post-payouts";
import type { SyncJob } from "../schedule/job";

export async function postNightPayouts(payouts: PayoutPorts | undefined, job: SyncJob): Promise<PayoutRun | undefined> {
  if (!payouts || job.kind !== "first") return undefined;
  return postPayouts(payouts, { merchantId: job.merchantId, locationId: job.locationId });
}
