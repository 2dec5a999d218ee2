/**
 * Backfills: a merchant or an operator asks for a range of past business days, and each day is queued
 * like a nightly one (kind "backfill", in the location's QuickBooks company's message group, so it
 * never runs beside that company's nightly jobs). A progress item in the merchant's partition counts
 * how its days ended (posted, adjusted, unchanged, held, no sales, posted with its re-check failed, failed); the worker adds to it as each
 * job ends (lib/worker/process-job.ts), and it remembers which days it counted, so a job that runs twice
 * (a redelivery, a duplicate, a crash after counting) counts its day once.
 *
 * Each job is one business day, and the worker reads that day's window on its own, so a long range
 * never becomes one long POS read (Clover's client also splits any read over 90 days).
 */
import { randomUUID } from "node:crypto";
import { addDays, BusinessDayError, businessDayOf, parseIsoDate } from "../domain/business-day";
import type { AuthStore } from "../auth/types";
import { bucketHash } from "../auth/bucket-hash";
import { isDaybookId, isPosLocationId } from "../ids";
import type { LocationConfig } from "../model";
import type { Store } from "../store/store";
import { lastDayDueBy } from "./due-days";
import { type DueIndex, scheduleOf } from "./due-index";
import { enqueueJobs, type QueueDeps } from "./enqueue";
import { messageGroupOf, type SyncJob } from "./job";

/** How far back a backfill may reach, in business days before today. */
export const MAX_BACKFILL_DAYS_BACK = 90;

export interface BackfillDeps extends QueueDeps {
  backfills: BackfillStore;
  dueIndex: Pick<DueIndex, "get">;
  store: Pick<Store, "getLocation" | "getConnection">;
  /** The table's counters: backfill requests per merchant and day (MAX_BACKFILLS_PER_DAY). */
  auth: Pick<AuthStore, "takeRateLimit">;
}

/**
 * Backfill requests a merchant (or an operator for it) may make per UTC day, web and CLI together.
 * Each ends in one summary email to the merchant and its recipients, so this also bounds that mail.
 */
export const MAX_BACKFILLS_PER_DAY = 20;

export interface BackfillRequest {
  merchantId: string;
  locationId: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  requestedBy: "merchant" | "operator";
}

/**
 * How one of a backfill's days ended. "done" is a day that ended without failing, not said how (older
 * callers). "recheck-failed" is a day posted before whose re-sync failed: it is posted (its entries stand
 * in QuickBooks, lib/report/day-status.ts), so it counts as done, not failed.
 */
export type BackfillDayOutcome = "posted" | "adjusted" | "unchanged" | "held" | "no-sales" | "recheck-failed" | "failed" | "done";

/** A backfill's progress as kept: how many of its days ended so far, and how. */
export interface BackfillRecord {
  backfillId: string;
  merchantId: string;
  locationId: string;
  from: string;
  to: string;
  requestedBy: "merchant" | "operator";
  total: number;
  /** Days that ended without failing: the sum of the six counts below (and of days counted as plain "done"). */
  done: number;
  failed: number;
  /** Posted for the first time. */
  posted: number;
  /** Already posted, and posted again as an adjusting entry because the POS figures changed. */
  adjusted: number;
  /** Already posted, and unchanged since. */
  unchanged: number;
  /** Held for review (review mode, or figures that do not add up). */
  held: number;
  /** No sales: nothing to post. */
  noSales: number;
  /** Posted before, and its check for later changes failed: its entries stand; a change since is not posted. */
  recheckFailed: number;
  createdAt: string;
}

/** The counter each outcome adds to (besides `done`, which every outcome but a failure adds to). */
export const BACKFILL_COUNTERS: Record<Exclude<BackfillDayOutcome, "done">, "posted" | "adjusted" | "unchanged" | "held" | "noSales" | "recheckFailed" | "failed"> = {
  posted: "posted", adjusted: "adjusted", unchanged: "unchanged", held: "held", "no-sales": "noSales", "recheck-failed": "recheckFailed", failed: "failed",
};

/**
 * Where backfills' progress is kept (lib/store/backfills.ts), in the merchant's partition. Counting a
 * day is atomic and happens once per day, however often its job runs.
 */
export interface BackfillStore {
  /** Writes a new backfill's progress (ConflictError if its id exists). */
  create(progress: BackfillRecord): Promise<void>;
  /**
   * Counts `businessDay` with its outcome, once: recording a day again changes nothing. Without a day
   * (older callers) each call counts, but never past the total. The progress after, or undefined if
   * the backfill does not exist (the account was deleted meanwhile).
   */
  record(merchantId: string, backfillId: string, outcome: BackfillDayOutcome, businessDay?: string): Promise<BackfillRecord | undefined>;
  get(merchantId: string, backfillId: string): Promise<BackfillRecord | undefined>;
  /** Every backfill of the merchant, in no particular order. */
  list(merchantId: string): Promise<BackfillRecord[]>;
}

export type BackfillProgress = BackfillRecord & {
  /** Every day has ended, done or failed. */
  complete: boolean;
};

/** Which part of the request a refusal is about, for a form to put the message next to. */
export type BackfillField = "merchant" | "location" | "from" | "to";

/** The request cannot be carried out as asked; the message says why in a sentence. */
export class BackfillError extends Error {
  override name = "BackfillError";
  constructor(message: string, readonly field?: BackfillField) {
    super(message);
  }
}

function checkedDate(value: string, flag: "from" | "to"): string {
  try {
    parseIsoDate(value);
  } catch (error) {
    if (error instanceof BusinessDayError) throw new BackfillError(`${flag} must be a date, YYYY-MM-DD, not ${JSON.stringify(value)}`, flag);
    throw error;
  }
  return value;
}

/** Checks the request, writes its progress item and queues one job per day, oldest first. */
export async function requestBackfill(deps: BackfillDeps, request: BackfillRequest, now: Date): Promise<BackfillProgress> {
  if (!isDaybookId(request.merchantId)) throw new BackfillError(`the merchant id is not a daybook merchant id: ${JSON.stringify(request.merchantId.slice(0, 64))}`, "merchant");
  if (!isPosLocationId(request.locationId)) throw new BackfillError(`the location id is not a POS location id: ${JSON.stringify(request.locationId.slice(0, 64))}`, "location");
  const from = checkedDate(request.from, "from");
  const to = checkedDate(request.to, "to");
  if (from > to) throw new BackfillError(`the range starts (${from}) after it ends (${to})`, "to");
  const location = await deps.store.getLocation(request.merchantId, request.locationId);
  if (location === undefined) throw new BackfillError(`merchant ${request.merchantId} has no location ${request.locationId}`, "location");

  if (location.awaitingStart) {
    throw new BackfillError(`${location.name} is not posting yet: review its mapping and start posting on the locations page first`, "location");
  }
  if (location.postingStopped) {
    throw new BackfillError(`${location.name} is not posting: ${location.postingStopped.reason}. Mend that first (the locations page says how)`, "location");
  }
  const { latest: lastDue, earliest } = await backfillableDays(deps, location, now);
  if (to > lastDue) {
    throw new BackfillError(`${to} is not yet over and settled in ${location.timeZone}; the latest day that can be backfilled now is ${lastDue}`, "to");
  }
  if (from < earliest) {
    throw new BackfillError(`a backfill reaches back at most ${MAX_BACKFILL_DAYS_BACK} days: the earliest day that can be asked for now is ${earliest}`, "from");
  }
  if (location.postingFrom !== undefined && from < location.postingFrom) {
    throw new BackfillError(
      `${location.name} posts from ${location.postingFrom}, the first day chosen when it started posting: choose ${location.postingFrom} or later`, "from",
    );
  }
  const quickBooks = await deps.store.getConnection(request.merchantId, location.quickbooksConnectionId);
  if (quickBooks?.provider !== "quickbooks") throw new BackfillError(`location ${request.locationId} has no QuickBooks connection`, "location");
  if (quickBooks.status === "needs-reconnect") {
    throw new BackfillError(`QuickBooks no longer accepts daybook's access to ${location.name}'s company: reconnect QuickBooks on the connections page first`, "location");
  }
  if (quickBooks.status === "revoked") {
    throw new BackfillError(`${location.name}'s QuickBooks company was disconnected: connect it again on the connections page first`, "location");
  }

  // Counted last, so a request refused for its dates or its connection costs nothing.
  if (!(await deps.auth.takeRateLimit(`backfill#${bucketHash(request.merchantId)}`, MAX_BACKFILLS_PER_DAY, 86_400, now))) {
    throw new BackfillError(`this business has asked for ${String(MAX_BACKFILLS_PER_DAY)} backfills today, the most daybook runs in a day; ask again tomorrow`, "location");
  }
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  const progress: BackfillRecord = {
    backfillId: randomUUID(),
    merchantId: request.merchantId,
    locationId: request.locationId,
    from,
    to,
    requestedBy: request.requestedBy,
    total: days.length,
    done: 0,
    failed: 0,
    posted: 0,
    adjusted: 0,
    unchanged: 0,
    held: 0,
    noSales: 0,
    recheckFailed: 0,
    createdAt: now.toISOString(),
  };
  // The item first: the worker may finish a job before the last one is sent.
  await deps.backfills.create(progress);
  const jobs: SyncJob[] = days.map((businessDay) => ({
    merchantId: request.merchantId, locationId: request.locationId, businessDay, kind: "backfill", backfillId: progress.backfillId,
  }));
  await enqueueJobs(deps, jobs, messageGroupOf(quickBooks.externalId));
  return withComplete(progress);
}

/**
 * The range of days a location can be backfilled now: from MAX_BACKFILL_DAYS_BACK business days
 * before today to the last day that is over and settled in the location's own day settings (the
 * earlier ones for the days they still apply to), both inclusive.
 */
export async function backfillableDays(
  deps: Pick<BackfillDeps, "dueIndex">, location: Pick<LocationConfig, "merchantId" | "locationId" | "timeZone" | "dayStart" | "earlierDaySettings">, now: Date,
): Promise<{ earliest: string; latest: string }> {
  const dueEntry = await deps.dueIndex.get(location.merchantId, location.locationId);
  const schedule = scheduleOf(location, dueEntry?.settleMinutes);
  return {
    earliest: addDays(businessDayOf(now.getTime(), location.timeZone, location.dayStart), -MAX_BACKFILL_DAYS_BACK),
    latest: lastDayDueBy(now, schedule),
  };
}

/** Counts the day `businessDay` of the backfill with its outcome, once (BackfillStore.record). */
export async function recordBackfillProgress(
  deps: Pick<BackfillDeps, "backfills">, merchantId: string, backfillId: string, outcome: BackfillDayOutcome, businessDay?: string,
): Promise<BackfillProgress | undefined> {
  const recorded = await deps.backfills.record(merchantId, backfillId, outcome, businessDay);
  return recorded && withComplete(recorded);
}

/** The merchant's backfills, newest first, at most `limit`. */
export async function listBackfills(deps: Pick<BackfillDeps, "backfills">, merchantId: string, limit = 10): Promise<BackfillProgress[]> {
  const found = await deps.backfills.list(merchantId);
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.backfillId.localeCompare(b.backfillId)).slice(0, limit).map(withComplete);
}

export async function getBackfill(deps: Pick<BackfillDeps, "backfills">, merchantId: string, backfillId: string): Promise<BackfillProgress | undefined> {
  const found = await deps.backfills.get(merchantId, backfillId);
  return found && withComplete(found);
}

function withComplete(progress: BackfillRecord): BackfillProgress {
  return { ...progress, complete: progress.done + progress.failed >= progress.total };
}
