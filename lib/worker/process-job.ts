/**
 * One SQS job, start to finish: sync the location-day (exactly once: lib/sync/sync-day.ts) and keep its
 * report (the day page shows it). Nothing is emailed per day to the report recipients: a nightly job
 * marks the merchant's next digest (lib/report/digest.ts), which the scheduler sends each morning, one
 * per recipient with all the business's locations. What cannot wait goes to the merchant at once, as an
 * alert: a failed day, and a day daybook held itself (an over/short beyond the tolerance; review mode's
 * own holds are routine and go in the digest). The recipients get neither alert: they read the digest
 * next morning, where held and failed days are expanded with what to do, and most of what an alert
 * asks (reconnect, reopen a period) only the merchant can do.
 *
 * A retryable failure throws, so SQS delivers the job again later; on the last attempt the day is
 * marked failed and reported before the job goes on to the dead-letter queue. Failures only the
 * merchant can fix (reconnect, a change in QuickBooks) are reported at once, without retrying. A day
 * that fails again the same way updates its one failure report and is not alerted again.
 *
 * A backfill's job counts its day in the backfill's progress when the sync ends (done: posted,
 * adjusted, unchanged, no sales, held; failed: a failure only the merchant can fix, or the last
 * attempt failing), before its report is kept; it alerts nobody per day: when the last day is counted,
 * the backfill's one summary goes to the merchant and the report recipients (a digest of its days).
 *
 * When the job ends, the business's accountants are told the location's latest day (their client list).
 *
 * Everything here may run twice for one job (a redelivery, a duplicate): the sync posts once, a
 * report is keyed by its news, an alert remembers it went, the backfill's progress counts each day
 * once, and each summary is claimed per recipient before it is sent.
 */
import { accountLabel } from "../domain/account-label";
import type { EntryLine } from "../domain/journal-entry";
import { DEFAULT_HOLD_TOLERANCE } from "../domain/mapping";
import { summaryHash } from "../domain/summary";
import type { EmailSender } from "../email/email";
import type { PostingStatusDeps } from "../locations/posting-status";
import { adjustmentDetail } from "../report/adjustment";
import { daySummary, dayTotals } from "../report/day-figures";
import { recheckFailed } from "../report/day-status";
import { digestMarkFor, type DigestStore } from "../report/digest-marks";
import { accountMappingUrl, dayUrl, mappingUrl } from "../report/links";
import type { RecipientStore } from "../report/recipients";
import { type ReportStore, reportIdFor, type StoredReportContent } from "../report/report-store";
import type { ReportEntry, ReportLine, ReportStatus } from "../report/sync-report";
import { type SeenWarningStore, sortWarnings } from "../report/warnings-seen";
import { type BackfillDayOutcome, type BackfillProgress, type BackfillStore, recordBackfillProgress } from "../schedule/backfill";
import type { SyncJob } from "../schedule/job";
import type { LocationConfig, Merchant, SyncRecord } from "../model";
import type { Store } from "../store/store";
import { tellAccountants } from "../members/location-status";
import type { MemberStore } from "../members/types";
import { type LocationDay, markDayFailed, type SyncOutcome, type SyncPorts, syncLocationDay } from "../sync/sync-day";
import type { PayoutPorts } from "../payouts/post-payouts";
import { postNightPayouts } from "./night-payouts";
import { expectedCloverDeposit } from "../payouts/clover-expected-deposit";
import { processNight } from "./process-night";

export { approveUrl } from "../report/links";

export interface WorkerDeps {
  store: Store;
  reports: ReportStore;
  recipients: RecipientStore;
  backfills: BackfillStore;
  /** Marks the next digest; claims each backfill summary per recipient. */
  digests: DigestStore;
  /** Unmapped items reported before, so each is said in full once. */
  seenWarnings: SeenWarningStore;
  sync: SyncPorts;
  /** The business's accountants, whose client list shows each location's latest day. */
  members: MemberStore;
  /** Square payouts, posted once a night per location (night-payouts.ts); absent where none are read. */
  payouts?: PayoutPorts;
  email: EmailSender;
  /** The origin merchants use, for links in reports. */
  publicUrl: string;
  /** Signs the approve and unsubscribe links (lib/links/signed-link.ts). */
  linkKey: Buffer;
  /** QuickBooks' web app, for links to entries: https://app.qbo.intuit.com (or app.sandbox.qbo.intuit.com). */
  quickBooksAppUrl: string;
  now(): Date;
  /** Counts a day that ended failed (the FailedDays metric). */
  onFailedDay?(job: SyncJob): void;
  /**
   * Stops the merchant's locations whose connection is gone (lib/locations/posting-status.ts): a day that
   * failed for a connection takes its location out of the nightly schedule, with one email, instead of
   * failing and alerting again every night.
   */
  postingStatus?: PostingStatusDeps;
}

export interface Attempt {
  /** 1 for the first delivery (SQS's ApproximateReceiveCount). */
  number: number;
  /** The queue's maxReceiveCount: after this attempt the message goes to the dead-letter queue. */
  max: number;
}

export interface JobResult {
  /** The sync's outcome, or "failed" when the last attempt failed. */
  status: SyncOutcome["status"];
  /** Emails sent by this run: the merchant's alert, a backfill's summary. */
  emailsSent: number;
}

export async function processJob(deps: WorkerDeps, job: SyncJob, attempt: Attempt): Promise<JobResult> {
  // A location-night: its day and the re-checks of the three before, from one read (process-night.ts).
  if (job.kind === "night") return processNight(deps, job, attempt);
  const day: LocationDay = { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay };
  try {
    const result = await syncAndReport(deps, job, day, attempt);
    await tellAccountants(deps, day);
    return result;
  } catch (error) {
    // The last attempt marked the day failed: the accountants' client lists say so.
    if (attempt.number >= attempt.max) await tellAccountants(deps, day);
    throw error;
  }
}

async function syncAndReport(deps: WorkerDeps, job: SyncJob, day: LocationDay, attempt: Attempt): Promise<JobResult> {
  const before = await deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay);

  let outcome: SyncOutcome;
  try {
    outcome = await syncLocationDay(deps.sync, day, { approve: job.kind === "approve" });
  } catch (error) {
    if (attempt.number < attempt.max) throw error;
    // The last attempt: the day is failed, said so, and the message goes on to the dead-letter queue.
    const failure = await markDayFailed(deps.sync, day, error);
    await reportLastAttemptFailed(deps, job, failure);
    throw error;
  }

  const emailsSent = await afterSync(deps, job, day, before, outcome);
  await postNightPayouts(deps.payouts, job, attempt);
  return { status: outcome.status, emailsSent };
}

/**
 * What follows a day's sync, for a job of one day and for each day of a night alike: the failure
 * counted, a backfill's progress, the report kept (the digest marked, the merchant alerted when it
 * cannot wait) unless it has nothing new to say, and the backfill's summary once its last day is
 * counted. Returns the emails sent. `job` is the day's own job: a night's days come as "first" (its
 * day) and "recheck" (the three before), each with its business day.
 */
export async function afterSync(
  deps: WorkerDeps, job: SyncJob, day: LocationDay, before: SyncRecord | undefined, outcome: SyncOutcome, alerts?: OwedAlert[], known?: KnownAfterSync,
): Promise<number> {
  const dayJob: SyncJob = { ...job, businessDay: day.businessDay };
  if (outcome.status === "failed") deps.onFailedDay?.(dayJob);
  const after = recordAfterSync(deps, day, known?.record);
  const progress = await countBackfillDay(deps, dayJob, outcome.status, after);
  if (outcome.status === "failed" && outcome.failure.kind === "needs-reconnect" && deps.postingStatus) {
    // Idempotent: a night whose days all fail for the connection stops the location, and emails, once.
    // Rare (a connection gone): what stops locations and emails about it loads then.
    const { reconcilePostingStatus } = await import("../locations/posting-status");
    await reconcilePostingStatus(deps.postingStatus, job.merchantId);
  }
  let sent = 0;
  const heldAgain = outcome.status === "held" && before?.state === "held" && heldAsBefore(before, await after());
  // Nothing new to say: a day still held with the same figures, a day unchanged since its last report,
  // or a re-check finding no sales (a day with no sales was reported when it was first synced, and one
  // never synced predates the account).
  const nothingNew = heldAgain || outcome.status === "unchanged" || (outcome.status === "no-sales" && (dayJob.kind === "recheck" || before?.state === "no-sales"));
  if (outcome.status !== "unchanged" && !nothingNew) sent += await report(deps, dayJob, outcome, after, alerts, known);
  sent += await summariseBackfill(deps, progress);
  return sent;
}

/**
 * A backfill's job: its day ended, and how (posted, adjusted, unchanged, held, no sales, failed); counted
 * once however often the job runs. A failed day with entries in QuickBooks is posted, its re-check failed.
 */
async function countBackfillDay(deps: WorkerDeps, job: SyncJob, status: SyncOutcome["status"], after: DayRecord): Promise<BackfillProgress | undefined> {
  if (job.kind !== "backfill" || job.backfillId === undefined) return undefined;
  let outcome: BackfillDayOutcome = status;
  if (status === "failed") {
    const record = await after();
    if (recheckFailed(status, (record?.posted.length ?? 0) > 0)) outcome = "recheck-failed";
  }
  return recordBackfillProgress(deps, job.merchantId, job.backfillId, outcome, job.businessDay);
}

/**
 * What a night already holds for what follows a day's sync (process-night.ts), so it is not read again:
 * the merchant and location it read for its days (the merchant absent if the account was deleted), and
 * the day's record as its sync left it.
 */
export interface KnownAfterSync {
  merchant: Merchant | undefined;
  location: LocationConfig;
  record?: SyncRecord;
}

/** The day's record as its sync left it, read once however many parts of the job ask for it (the count, the report), or as the caller knows it. */
type DayRecord = () => Promise<SyncRecord | undefined>;

function recordAfterSync(deps: WorkerDeps, day: LocationDay, known?: SyncRecord): DayRecord {
  let read: Promise<SyncRecord | undefined> | undefined = known ? Promise.resolve(known) : undefined;
  return () => (read ??= deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay));
}

function heldAsBefore(before: SyncRecord, after: SyncRecord | undefined): boolean {
  return before.lastSummary !== undefined && after?.lastSummary !== undefined && before.heldReason === after.heldReason &&
    summaryHash(before.lastSummary) === summaryHash(after.lastSummary);
}

type Reportable = Exclude<SyncOutcome, { status: "unchanged" }>;

/**
 * A job's last attempt failed (its day, or one day of a night, threw every time): the day is counted
 * failed, reported (the merchant alerted, or the alert added to `alerts`), and a backfill summarised if
 * it was its last day.
 */
export async function reportLastAttemptFailed(
  deps: WorkerDeps, job: SyncJob, failure: Extract<SyncOutcome, { status: "failed" }>["failure"], alerts?: OwedAlert[],
): Promise<void> {
  deps.onFailedDay?.(job);
  const after = recordAfterSync(deps, job);
  const progress = await countBackfillDay(deps, job, "failed", after);
  await report(deps, job, { status: "failed", failure }, after, alerts);
  await summariseBackfill(deps, progress);
}

/**
 * Keeps the day's report, alerts the merchant when it cannot wait (a nightly job's failure or
 * daybook's own hold), and marks the merchant's next digest (not for a backfill's days). Returns the
 * emails sent. `job` names the day (its business day) and its part: a backfill's, a night's own day
 * ("first") or an earlier one re-checked. With `alerts` (a night's days, process-night.ts), the alert
 * is added there, for the night's one alert email, instead of sent at once.
 */
async function report(deps: WorkerDeps, job: SyncJob, outcome: Reportable, after: DayRecord, alerts?: OwedAlert[], known?: KnownAfterSync): Promise<number> {
  const day: LocationDay = { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay };
  const [merchant, location] = known ? [known.merchant, known.location] : await Promise.all([
    deps.store.getMerchant(day.merchantId),
    deps.store.getLocation(day.merchantId, day.locationId),
  ]);
  // An account or location deleted meanwhile has nobody to tell. (A night's account deleted after it read
  // the merchant: the report's and the mark's own checks take them back (lib/store/account-guard.ts), and
  // an alert finds no report to send.)
  if (!merchant || !location) return 0;
  const now = deps.now();
  const detail = outcome.status === "posted" || outcome.status === "adjusted"
    ? { revision: outcome.revision }
    : outcome.status === "held" ? { heldLines: outcome.entry.lines } : outcome.status === "failed" ? { failureKind: outcome.failure.kind } : {};
  const reportId = reportIdFor(outcome.status, detail);
  const content = await reportContent(deps, job, merchant, location, outcome, await after());
  const alert = job.kind !== "backfill" && (outcome.status === "failed" || (outcome.status === "held" && outcome.entry.held));
  await deps.reports.save(
    { ...day, reportId, status: outcome.status, alert, content, createdAt: now.toISOString() },
    { replace: outcome.status === "failed" },
  );
  if (job.kind !== "backfill") await deps.digests.mark(digestMarkFor(job, location.timeZone, now));
  if (!alert) return 0;
  const owed: OwedAlert = { ...day, reportId, merchant };
  if (alerts) {
    alerts.push(owed);
    return 0;
  }
  return alertMerchant(deps, [owed]);
}

/** The entry's lines as the report keeps them: each account by name, the Id only in the link to where it is mapped. */
function reportLines(deps: WorkerDeps, location: LocationConfig, lines: readonly EntryLine[]): ReportLine[] {
  const mapping = mappingUrl(deps.publicUrl, location.locationId);
  return lines.map((line) => ({
    ...line,
    accountLabel: accountLabel(line.accountId, location.accountLabels),
    accountUrl: accountMappingUrl(mapping, line.accountId),
  }));
}

async function reportContent(
  deps: WorkerDeps, job: SyncJob, merchant: Merchant, location: LocationConfig, outcome: Reportable, record: SyncRecord | undefined,
): Promise<StoredReportContent> {
  const day = { merchantId: job.merchantId, locationId: job.locationId, businessDay: job.businessDay };
  const summary = record && daySummary(record);
  const sorted = outcome.status === "failed"
    ? { warnings: [], repeatedKeys: [] }
    : await sortWarnings(deps.seenWarnings, day, outcome.warnings, location.mappingSeen);
  const base = {
    merchantName: merchant.name,
    locationName: location.name,
    source: location.source,
    businessDay: day.businessDay,
    timeZone: location.timeZone,
    status: outcome.status satisfies ReportStatus,
    connectionsUrl: `${deps.publicUrl}/connections`,
    mappingUrl: mappingUrl(deps.publicUrl, location.locationId),
    reportUrl: dayUrl(deps.publicUrl, day.locationId, day.businessDay),
    warnings: sorted.warnings,
    ...(sorted.repeatedKeys.length > 0 ? { repeatedWarnings: sorted.repeatedKeys.length, repeatedItems: sorted.repeatedKeys } : {}),
    ...(location.accountLabels ? { accountLabels: location.accountLabels } : {}),
    ...(summary && outcome.status !== "failed" ? { totals: dayTotals(summary, location.source) } : {}),
    ...(summary && outcome.status !== "failed" && location.source === "clover" ? { expectedDeposit: expectedCloverDeposit(day.businessDay, summary) } : {}),
    // A backfill's reports go in its summary, not in the digest.
    ...(job.kind === "backfill" && job.backfillId !== undefined ? { backfillId: job.backfillId } : {}),
  };
  switch (outcome.status) {
    case "posted":
    case "adjusted": {
      const entry: ReportEntry = {
        docNumber: outcome.docNumber, txnDate: outcome.txnDate, currency: outcome.entry.currency, lines: reportLines(deps, location, outcome.entry.lines),
        total: outcome.entry.total, cashBack: outcome.entry.cashBack,
        quickBooksUrl: `${deps.quickBooksAppUrl}/app/journal?txnId=${encodeURIComponent(outcome.entryId)}`,
      };
      const adjustment = outcome.status === "adjusted" && record ? adjustmentDetail(record, outcome.revision, location) : undefined;
      return { ...base, entry, ...(adjustment ? { adjustment, cause: { kind: "pos-changes" as const } } : {}) };
    }
    case "held": {
      const { docNumber, txnDate, currency, lines, total, cashBack, residual } = outcome.entry;
      // daybook's own hold (an over/short beyond the tolerance) says how much and which way; review mode's says why.
      const overShort = outcome.entry.held && residual !== 0
        ? { overShort: { amount: residual, tolerance: location.mapping.holdTolerance ?? DEFAULT_HOLD_TOLERANCE, accountId: location.mapping.defaults.overShort } }
        : {};
      return { ...base, entry: { docNumber, txnDate, currency, lines: reportLines(deps, location, lines), total, cashBack }, heldReason: outcome.reason, ...overShort };
    }
    case "no-sales":
      return base;
    case "failed":
      // A re-check that failed: the day's entries stand in QuickBooks, and the report says so.
      return { ...base, failure: outcome.failure, ...(record && record.posted.length > 0 ? { postedBefore: record.posted.map((entry) => entry.docNumber) } : {}) };
  }
}

const ALERT_MARK = "alert";

/** A report that asks for the merchant's alert: its day and id. */
export interface OwedAlert extends LocationDay {
  reportId: string;
  /** The merchant as the report read it, so the alert does not read it again. */
  merchant?: Merchant;
}

/**
 * The merchant's alert for the reports given that have not had one, in one email (a night's days
 * together): each whole report, with what to do. A report remembers that its alert went, so a job run
 * again sends nothing twice; one a daily cap held back (lib/email/caps.ts) is not marked and stays
 * owed: the next run that reports it (the day's re-check, failing again the same way) sends it. A
 * worker that dies between SES taking the email and the marks sends it again when the job is retried:
 * twice, never none. Returns the emails sent (0 or 1).
 */
export async function alertMerchant(deps: WorkerDeps, owed: readonly OwedAlert[]): Promise<number> {
  const first = owed[0];
  if (first === undefined) return 0;
  const merchant = first.merchant ?? (await deps.store.getMerchant(first.merchantId));
  if (!merchant) return 0;
  const days = [...new Map(owed.map((each) => [`${each.locationId}|${each.businessDay}`, each])).values()];
  const stored = (await Promise.all(days.map((day) => deps.reports.listDay(day.merchantId, day.locationId, day.businessDay)))).flat()
    .filter((report) => report.alert && !report.deliveredTo.includes(ALERT_MARK) &&
      owed.some((each) => each.locationId === report.locationId && each.businessDay === report.businessDay && each.reportId === report.reportId));
  if (stored.length === 0) return 0;
  const { alertEmail } = await import("./job-emails");
  if ((await deps.email.send(alertEmail(deps, merchant, stored))) === "held") return 0;
  for (const report of stored) await deps.reports.markDeliveredTo(report, ALERT_MARK);
  return 1;
}

/**
 * The backfill's one summary, when its last day has been counted (job-emails.ts sends it): what
 * builds and sends it loads then.
 */
async function summariseBackfill(deps: WorkerDeps, progress: BackfillProgress | undefined): Promise<number> {
  if (!progress?.complete) return 0;
  const { sendBackfillSummary } = await import("./job-emails");
  return sendBackfillSummary(deps, progress);
}
