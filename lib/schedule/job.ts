/**
 * One unit of nightly work: sync one location's business day. The scheduler and backfills send it
 * on the SQS FIFO queue; the worker receives it. The message group is the QuickBooks company, so SQS
 * itself runs at most one job per company at a time (QuickBooks allows 10 concurrent requests and
 * 500 a minute per company); the deduplication id makes a job sent twice within SQS's 5-minute
 * window one delivery, and the worker's idempotency (keyed on the location-day) covers the rest.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { isCalendarDate } from "../domain/business-day";
import { daybookIdField, posLocationIdField } from "../ids";

export const syncJobSchema = z.object({
  merchantId: daybookIdField(),
  locationId: posLocationIdField(),
  businessDay: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD"), z.refine(isCalendarDate, "must be a calendar date")),
  /**
   * night: the nightly job of a location, its day and the re-checks of the three before, from one read
   * (lib/worker/process-night.ts); backfill: asked for by a person; approve: post a held day. first and
   * recheck (one day each, as the scheduler sent them before nights) are still run.
   */
  kind: z.enum(["night", "first", "recheck", "backfill", "approve"]),
  /** The backfill this job belongs to, for its progress. */
  backfillId: z.optional(daybookIdField()),
});

export type SyncJob = z.infer<typeof syncJobSchema>;

/** The FIFO message group: one QuickBooks company (realm id) at a time. */
export function messageGroupOf(quickBooksRealmId: string): string {
  return `realm-${quickBooksRealmId}`;
}

/** Same job, same id: a digest, because SQS allows 128 characters from a limited set and ids are not bounded. */
export function deduplicationIdOf(job: SyncJob): string {
  return createHash("sha256").update(JSON.stringify([job.kind, job.merchantId, job.locationId, job.businessDay, job.backfillId ?? ""])).digest("hex");
}
