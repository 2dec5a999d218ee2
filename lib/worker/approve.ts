/**
 * Approving a held day (review mode), from the signed link in its report or signed in: approving
 * queues an "approve" job in the company's message group. Only a day whose record is held can be
 * approved: a date that is not in the calendar, a day that has not ended and settled, a day more than
 * 90 days back, or a day not waiting for review is refused with a sentence, and nothing is queued or
 * written. Approving twice while the day is held is harmless: SQS drops a duplicate within five
 * minutes, the worker's idempotency a redelivery, and the sync itself posts a day's figures only once.
 */
import { addDays, businessDayOf, isCalendarDate } from "../domain/business-day";
import { type LinkClaims, SignedLinkError, verifyLink } from "../links/signed-link";
import type { LocationConfig } from "../model";
import type { Store } from "../store/store";
import type { LocationDay } from "../sync/sync-day";
import { MAX_BACKFILL_DAYS_BACK } from "../schedule/backfill";
import { settledAt } from "../schedule/due-days";
import { enqueueJobs, type JobQueue } from "../schedule/enqueue";
import { messageGroupOf } from "../schedule/job";

export interface ApproveDeps {
  store: Pick<Store, "getLocation" | "getConnection" | "getSyncRecord">;
  queue: JobQueue;
  linkKey: Buffer;
  now(): Date;
}

/** The day cannot be approved; `message` says why to a person, `status` is the HTTP answer. */
export class ApproveError extends Error {
  override name = "ApproveError";
  constructor(message: string, readonly status: 400 | 404 | 409) {
    super(message);
  }
}

/** How far back a held day can be approved: as far as a backfill reaches. */
export const MAX_APPROVE_DAYS_BACK = MAX_BACKFILL_DAYS_BACK;

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

/** Why `day` of `location` cannot be approved at `now` by its date alone, or undefined. */
function dateProblem(day: LocationDay, location: Pick<LocationConfig, "timeZone" | "dayStart">, now: Date): ApproveError | undefined {
  if (!isCalendarDate(day.businessDay)) return new ApproveError(`${day.businessDay} is not a date in the calendar, so there is no such day to approve. Nothing was approved.`, 400);
  if (now.getTime() < settledAt(day.businessDay, location.timeZone, location.dayStart).getTime()) {
    return new ApproveError(`The business day ${day.businessDay} has not ended yet (with two hours for late payments to settle), so it cannot be approved. Nothing was approved.`, 409);
  }
  const earliest = addDays(businessDayOf(now.getTime(), location.timeZone, location.dayStart), -MAX_APPROVE_DAYS_BACK);
  if (day.businessDay < earliest) {
    return new ApproveError(`The business day ${day.businessDay} is more than ${MAX_APPROVE_DAYS_BACK} days back; daybook approves days from ${earliest} on. Nothing was approved.`, 400);
  }
  return undefined;
}

/**
 * Queues the approval of `day` of the signed-in or link-verified merchant, if the day is held for
 * review; an ApproveError (nothing queued) otherwise.
 */
export async function approveDay(deps: ApproveDeps, day: LocationDay): Promise<void> {
  const location = await deps.store.getLocation(day.merchantId, day.locationId);
  if (!location) throw new ApproveError("This location is no longer in daybook.", 404);
  const problem = dateProblem(day, location, deps.now());
  if (problem) throw problem;
  const record = await deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay);
  if (record?.state !== "held") {
    const why = record?.state === "posted" ? "it has been posted to QuickBooks already" : "it is not waiting for review";
    throw new ApproveError(`There is nothing to approve for ${day.businessDay}: ${why}. Nothing was approved.`, 409);
  }
  const quickBooks = await deps.store.getConnection(day.merchantId, location.quickbooksConnectionId);
  if (!quickBooks) throw new ApproveError("QuickBooks is not connected any more; connect it again, then approve.", 409);
  await enqueueJobs(deps, [{ ...day, kind: "approve" }], messageGroupOf(quickBooks.externalId));
}

export async function approveFromLink(deps: ApproveDeps, token: string): Promise<LocationDay> {
  const day = approveLinkDay(token, deps.linkKey, deps.now());
  await approveDay(deps, day);
  return day;
}
