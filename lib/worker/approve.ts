/**
 * Approving a held day from the signed link in its report: the link names the merchant and the
 * location-day; approving queues an "approve" job in the company's message group. Approving twice is
 * harmless: SQS drops a duplicate within five minutes, the worker's idempotency a redelivery, and the
 * sync itself posts a day's figures only once (a posted day has nothing left to approve).
 */
import { type LinkClaims, SignedLinkError, verifyLink } from "../links/signed-link";
import type { Store } from "../store/store";
import type { LocationDay } from "../sync/sync-day";
import { enqueueJobs, type JobQueue } from "../schedule/enqueue";
import { messageGroupOf } from "../schedule/job";

export interface ApproveDeps {
  store: Store;
  queue: JobQueue;
  linkKey: Buffer;
  now(): Date;
}

/** The location-day an approve link names, if the link is valid now; a SignedLinkError to show otherwise. */
export function approveLinkDay(token: string, linkKey: Buffer, now: Date): LocationDay {
  return dayOf(verifyLink(token, "approve-day", linkKey, now));
}

function dayOf(claims: LinkClaims): LocationDay {
  const slash = claims.subject.lastIndexOf("/");
  const businessDay = claims.subject.slice(slash + 1);
  if (slash <= 0 || !/^\d{4}-\d{2}-\d{2}$/.test(businessDay)) throw new SignedLinkError("This link is not valid.");
  return { merchantId: claims.merchantId, locationId: claims.subject.slice(0, slash), businessDay };
}

/** Queues the approval of the day `day` of the signed-in or link-verified merchant. */
export async function approveDay(deps: ApproveDeps, day: LocationDay): Promise<void> {
  const location = await deps.store.getLocation(day.merchantId, day.locationId);
  if (!location) throw new SignedLinkError("This location is no longer in daybook.");
  const quickBooks = await deps.store.getConnection(day.merchantId, location.quickbooksConnectionId);
  if (!quickBooks) throw new SignedLinkError("QuickBooks is not connected any more; connect it again, then approve.");
  await enqueueJobs(deps, [{ ...day, kind: "approve" }], messageGroupOf(quickBooks.externalId));
}

export async function approveFromLink(deps: ApproveDeps, token: string): Promise<LocationDay> {
  const day = approveLinkDay(token, deps.linkKey, deps.now());
  await approveDay(deps, day);
  return day;
}
