/**
 * One SQS job, start to finish: sync the location-day (exactly once: lib/sync/sync-day.ts), keep the
 * report, and email it to the merchant's report recipients, with an alert to the merchant when the
 * day failed. A retryable failure throws, so SQS delivers the job again later; on the last attempt the
 * day is marked failed and reported before the job goes on to the dead-letter queue. Failures only the
 * merchant can fix (reconnect, a change in QuickBooks) are reported at once, without retrying.
 *
 * A backfill's job also counts its day in the backfill's progress when the sync ends (posted, adjusted,
 * unchanged, no sales, held; or failed: a failure only the merchant can fix, or the last attempt
 * failing), before the report goes out, so a report that cannot be sent does not hold the
 * backfill back.
 *
 * When the job ends, the business's accountants are told the location's latest day (their client list).
 *
 * Everything here may run twice for one job (a redelivery, a duplicate): the sync posts once, a
 * posted entry's report is keyed by its revision, each report remembers who already has it, and the
 * backfill's progress counts each day once.
 */
import { accountLabel } from "../domain/account-label";
import type { EntryLine } from "../domain/journal-entry";
import { summaryHash } from "../domain/summary";
import type { EmailSender } from "../email/email";
import { type PostingStatusDeps, reconcilePostingStatus } from "../locations/posting-status";
import { signLink } from "../links/signed-link";
import { addressHash, getRecipients, type RecipientStore } from "../report/recipients";
import { type ReportStore, reportIdFor, type StoredReport, type StoredReportContent } from "../report/report-store";
import { type BackfillDayOutcome, type BackfillStore, recordBackfillProgress } from "../schedule/backfill";
import { escapeHtml, renderSyncReport, type ReportEntry, type ReportLine, type ReportStatus } from "../report/sync-report";
import type { SyncJob } from "../schedule/job";
import type { LocationConfig, Merchant, SyncRecord } from "../model";
import type { Store } from "../store/store";
import { tellAccountants } from "../members/location-status";
import type { MemberStore } from "../members/types";
import { type LocationDay, markDayFailed, type SyncOutcome, type SyncPorts, syncLocationDay } from "../sync/sync-day";
import type { PayoutPorts } from "../payouts/post-payouts";
import { postNightPayouts } from "./night-payouts";
import { processNight } from "./process-night";

export interface WorkerDeps {
  store: Store;
  reports: ReportStore;
  recipients: RecipientStore;
  backfills: BackfillStore;
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
  /** Report emails sent by this run (recipients and alerts). */
  emailsSent: number;
}

const DAY_MS = 86_400_000;
const UNSUBSCRIBE_LINK_DAYS = 365;
const APPROVE_LINK_DAYS = 30;

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
    deps.onFailedDay?.(job);
    await countBackfillDay(deps, job, "failed");
    await report(deps, day, { status: "failed", failure });
    throw error;
  }

  const emailsSent = await afterSync(deps, job, day, before, outcome);
  await postNightPayouts(deps.payouts, job, attempt);
  return { status: outcome.status, emailsSent };
}

/**
 * What follows a day's sync: the failure counted, a backfill's progress, and the report kept and sent
 * unless it has nothing new to say. Returns the emails sent. `job.kind` is the day's part in its job:
 * "recheck" for a night's earlier days.
 */
export async function afterSync(deps: WorkerDeps, job: SyncJob, day: LocationDay, before: SyncRecord | undefined, outcome: SyncOutcome): Promise<number> {
  if (outcome.status === "failed") deps.onFailedDay?.({ ...job, businessDay: day.businessDay });
  await countBackfillDay(deps, job, outcome.status);
  if (outcome.status === "failed" && outcome.failure.kind === "needs-reconnect" && deps.postingStatus) {
    // Idempotent: a night whose days all fail for the connection stops the location, and emails, once.
    await reconcilePostingStatus(deps.postingStatus, job.merchantId);
  }
  if (outcome.status === "held" && before?.state === "held" && (await heldAsBefore(deps, day, before))) {
    // A re-check of a day still waiting for review, with the same figures: the report already went.
    return deliverPending(deps, day);
  }
  // Nothing new to say: a day unchanged since its last report, or a re-check finding no sales (a day
  // with no sales was reported when it was first synced, and one never synced predates the account).
  if (outcome.status === "unchanged" || (outcome.status === "no-sales" && (job.kind === "recheck" || before?.state === "no-sales"))) {
    return deliverPending(deps, day);
  }
  return report(deps, day, outcome);
}

/** A backfill's job: its day ended, and how; counted once however often the job runs. */
async function countBackfillDay(deps: WorkerDeps, job: SyncJob, outcome: BackfillDayOutcome): Promise<void> {
  if (job.kind !== "backfill" || job.backfillId === undefined) return;
  await recordBackfillProgress(deps, job.merchantId, job.backfillId, outcome, job.businessDay);
}

async function heldAsBefore(deps: WorkerDeps, day: LocationDay, before: SyncRecord): Promise<boolean> {
  const after = await deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay);
  return before.lastSummary !== undefined && after?.lastSummary !== undefined && before.heldReason === after.heldReason &&
    summaryHash(before.lastSummary) === summaryHash(after.lastSummary);
}

type Reportable = Exclude<SyncOutcome, { status: "unchanged" }>;

/** Keeps the report for the day and sends it (and any earlier one not yet sent). */
export async function report(deps: WorkerDeps, day: LocationDay, outcome: Reportable): Promise<number> {
  const [merchant, location] = await Promise.all([
    deps.store.getMerchant(day.merchantId),
    deps.store.getLocation(day.merchantId, day.locationId),
  ]);
  // An account or location deleted meanwhile has nobody to tell.
  if (!merchant || !location) return 0;
  const now = deps.now();
  const detail = outcome.status === "posted" || outcome.status === "adjusted"
    ? { revision: outcome.revision }
    : outcome.status === "held" ? { heldLines: outcome.entry.lines } : {};
  await deps.reports.save({
    ...day,
    reportId: reportIdFor(outcome.status, detail, now),
    status: outcome.status,
    alert: outcome.status === "failed",
    content: reportContent(deps, merchant, location, day, outcome),
    createdAt: now.toISOString(),
  });
  return deliverPending(deps, day, { merchant, location });
}

/** The entry's lines as the report keeps them: each account by name, the Id only in the link to where it is mapped. */
function reportLines(deps: WorkerDeps, location: LocationConfig, lines: readonly EntryLine[]): ReportLine[] {
  const mapping = `${deps.publicUrl}/locations/${encodeURIComponent(location.locationId)}/mapping`;
  return lines.map((line) => ({
    ...line,
    accountLabel: accountLabel(line.accountId, location.accountLabels),
    accountUrl: `${mapping}#account-${encodeURIComponent(line.accountId)}`,
  }));
}

function reportContent(deps: WorkerDeps, merchant: Merchant, location: LocationConfig, day: LocationDay, outcome: Reportable): StoredReportContent {
  const base = {
    merchantName: merchant.name,
    locationName: location.name,
    source: location.source,
    businessDay: day.businessDay,
    timeZone: location.timeZone,
    status: outcome.status satisfies ReportStatus,
    connectionsUrl: `${deps.publicUrl}/connections`,
    reportUrl: `${deps.publicUrl}/days/${encodeURIComponent(day.locationId)}/${day.businessDay}`,
  };
  switch (outcome.status) {
    case "posted":
    case "adjusted": {
      const entry: ReportEntry = {
        docNumber: outcome.docNumber, txnDate: outcome.txnDate, currency: outcome.entry.currency, lines: reportLines(deps, location, outcome.entry.lines),
        total: outcome.entry.total, cashBack: outcome.entry.cashBack,
        quickBooksUrl: `${deps.quickBooksAppUrl}/app/journal?txnId=${encodeURIComponent(outcome.entryId)}`,
      };
      return { ...base, entry, warnings: outcome.warnings };
    }
    case "held": {
      const { docNumber, txnDate, currency, lines, total, cashBack } = outcome.entry;
      return {
        ...base, entry: { docNumber, txnDate, currency, lines: reportLines(deps, location, lines), total, cashBack }, heldReason: outcome.reason, warnings: outcome.warnings,
      };
    }
    case "no-sales":
      return { ...base, warnings: outcome.warnings };
    case "failed":
      return { ...base, failure: outcome.failure, warnings: [] };
  }
}

/**
 * Sends every report of the day some recipient still lacks: one email per recipient (each with its
 * own unsubscribe link), then the alert to the merchant for a failure. Returns how many went.
 */
async function deliverPending(
  deps: WorkerDeps, day: LocationDay, known?: { merchant: Merchant; location: LocationConfig },
): Promise<number> {
  const pending = await deps.reports.listDay(day.merchantId, day.locationId, day.businessDay, true);
  if (pending.length === 0) return 0;
  const merchant = known?.merchant ?? (await deps.store.getMerchant(day.merchantId));
  if (!merchant) return 0;
  const recipients = await getRecipients(deps.recipients, day.merchantId, merchant.email);
  let sent = 0;
  for (const stored of pending) {
    const done = new Set(stored.deliveredTo);
    for (const address of recipients) {
      const hash = addressHash(address);
      if (done.has(hash)) continue;
      const rendered = renderSyncReport({
        ...stored.content,
        unsubscribeUrl: `${deps.publicUrl}/unsubscribe?token=${unsubscribeToken(deps, day.merchantId, hash)}`,
        ...(stored.status === "held" ? { approveUrl: approveUrl(deps, day) } : {}),
      });
      await deps.email.send({ to: [address], subject: rendered.subject, text: rendered.text, html: rendered.html, headers: rendered.headers, purpose: "report" });
      await deps.reports.markDeliveredTo(stored, hash);
      sent++;
    }
    if (stored.alert && !done.has(ALERT_MARK)) {
      await deps.email.send(alertEmail(merchant.email, stored));
      await deps.reports.markDeliveredTo(stored, ALERT_MARK);
      sent++;
    }
    await deps.reports.markDelivered(stored, deps.now());
  }
  return sent;
}

const ALERT_MARK = "alert";

function unsubscribeToken(deps: WorkerDeps, merchantId: string, hash: string): string {
  const expiresAt = Math.floor((deps.now().getTime() + UNSUBSCRIBE_LINK_DAYS * DAY_MS) / 1000);
  return signLink({ purpose: "unsubscribe", merchantId, subject: hash, expiresAt }, deps.linkKey);
}

/** The approve link of a held day: the web's confirm page, which then queues the approval. */
export function approveUrl(deps: Pick<WorkerDeps, "publicUrl" | "linkKey" | "now">, day: LocationDay): string {
  const expiresAt = Math.floor((deps.now().getTime() + APPROVE_LINK_DAYS * DAY_MS) / 1000);
  const token = signLink({ purpose: "approve-day", merchantId: day.merchantId, subject: `${day.locationId}/${day.businessDay}`, expiresAt }, deps.linkKey);
  return `${deps.publicUrl}/approve?token=${token}`;
}

/** The merchant's own alert: short, what failed and what to do, the full report one click away. */
function alertEmail(ownerEmail: string, stored: StoredReport) {
  const { content } = stored;
  const failure = content.failure ?? { kind: "bug" as const, message: "the sync stopped without saying why" };
  const reconnect = failure.kind === "needs-reconnect";
  const subject = `Action needed: daybook could not post ${content.locationName}, ${content.businessDay}`;
  const todo = reconnect
    ? `Reconnect on your connections page: ${content.connectionsUrl}`
    : failure.kind === "needs-merchant"
      ? "This needs a change in QuickBooks; the report says which."
      : "daybook tried several times and will look again on its next run; we have been alerted too.";
  const text = `daybook could not post ${content.locationName} for ${content.businessDay}.\n\nReason: ${failure.message}\n\n${todo}\n\nThe full report: ${content.reportUrl}\n`;
  const html = `<p>daybook could not post ${escapeHtml(content.locationName)} for ${escapeHtml(content.businessDay)}.</p><p>Reason: ${escapeHtml(failure.message)}</p>` +
    `<p>${reconnect ? `<a href="${escapeHtml(content.connectionsUrl)}">Reconnect on your connections page</a>` : escapeHtml(todo)}</p>` +
    `<p><a href="${escapeHtml(content.reportUrl)}">The full report</a></p>`;
  return { to: [ownerEmail], subject, text, html, purpose: "alert" as const };
}
