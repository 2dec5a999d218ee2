/**
 * The emails a job sends itself (process-job.ts): the merchant's alert for the failed days and those
 * daybook held (one email a job: a night's days together), and a backfill's one summary. Most jobs send neither (a night's news goes into the next
 * morning's digest, which the scheduler sends), so what lays out and renders them loads with the first
 * job that sends one (in the Lambda bundle a chunk of its own).
 */
import type { OutgoingEmail } from "../email/email";
import type { Merchant } from "../model";
import { buildDigest, sendOnce } from "../report/digest";
import { type EmailDocument, renderEmail } from "../report/email-document";
import { approveUrl } from "../report/links";
import { deliverableRecipients } from "../report/recipients";
import type { StoredReport } from "../report/report-store";
import { dayReportDocument, dayTitle } from "../report/sync-report";
import type { BackfillProgress } from "../schedule/backfill";
import type { WorkerDeps } from "./process-job";

/**
 * The merchant's alert for stored reports of one job (one day, or the days of one location's night):
 * each whole report, with what to do. One report reads as the day page does; several go in one email,
 * each day under a heading that says what happened to it, so a bad night is one email per location.
 */
export function alertEmail(deps: WorkerDeps, merchant: Merchant, reports: readonly StoredReport[]): OutgoingEmail {
  const documents = reports.map((stored) => {
    const held = stored.status === "held";
    const content = { ...stored.content, ...(held ? { approveUrl: approveUrl(deps, stored) } : {}) };
    // A passing failure (the provider did not answer) and daybook's own fault ask nothing of the merchant: the report says so.
    const kind = content.failure?.kind ?? "bug";
    const action = held || (kind !== "retryable" && kind !== "bug");
    return { held, action, checkFailed: (content.postedBefore ?? []).length > 0, title: dayTitle(content), document: dayReportDocument(content) };
  });
  // "Action needed" only when a day asks something of the merchant; never over a report that says "nothing to do".
  const prefix = documents.some((each) => each.action) ? "Action needed" : "Nothing to do yet";
  const [only] = documents;
  if (only === undefined) throw new Error("An alert needs at least one report.");
  const business = merchant.name.trim() === "" ? "your business" : merchant.name;
  const footer = (days: string) => [{ text: `You get this alert at ${merchant.email} because you run daybook for ${business}: it goes at once, and to you only. The report recipients see ${days} in their next digest.` }];
  const whatHappened = (each: (typeof documents)[number]) => (each.held ? "is held for review" : each.checkFailed ? "was posted, but its re-check failed" : "was not posted");
  let document: EmailDocument;
  let subject: string;
  if (documents.length === 1) {
    document = { ...only.document, footer: footer("this day") };
    subject = `${prefix}: ${only.title} ${whatHappened(only)}`;
  } else {
    // Named by the latest day (a night's own), so two nights' alerts never read alike.
    const latest = reports.reduce((last, stored) => (stored.businessDay > last.businessDay ? stored : last));
    const oneLocation = new Set(reports.map((stored) => stored.locationId)).size === 1;
    const others = documents.length - 1;
    const days = oneLocation ? `${dayTitle(latest.content)} and ${String(others)} ${others === 1 ? "day" : "days"} before` : `${String(documents.length)} days`;
    const verbs = [...new Set(documents.map((each) => (each.held ? "are held for review" : each.checkFailed ? "failed their re-check" : "were not posted")))];
    subject = `${prefix}: ${days} ${verbs.join(" or ")}`;
    document = {
      title: documents.some((each) => each.action) ? `${days} need you` : `${days}: nothing to do yet`,
      blocks: [
        { kind: "paragraph", text: "Each day below says what happened, why, and what to do." },
        ...documents.flatMap((each) => [{ kind: "heading" as const, text: `${each.title} ${whatHappened(each)}` }, ...each.document.blocks]),
      ],
      footer: footer("these days"),
    };
  }
  const { html, text } = renderEmail(document);
  return { to: [merchant.email], subject, text, html, purpose: "alert", merchantId: merchant.merchantId };
}

/**
 * The backfill's one summary, its last day counted: a digest of its days to the merchant and the
 * report recipients (daily ones; exceptions-only ones when something needs attention; weekly ones wait
 * for Monday's digest), each claimed before it is sent, so a job run again sends nothing twice.
 */
export async function sendBackfillSummary(deps: WorkerDeps, progress: BackfillProgress): Promise<number> {
  const [merchant, location] = await Promise.all([deps.store.getMerchant(progress.merchantId), deps.store.getLocation(progress.merchantId, progress.locationId)]);
  if (!merchant || !location) return 0;
  const model = await buildDigest(deps, merchant, [location], {
    kind: "backfill", first: progress.from, last: progress.to, backfillId: progress.backfillId,
    window: { from: new Date(progress.createdAt), to: deps.now() },
  });
  const attention = model.exceptions.length + model.newUnmapped.length > 0;
  const recipients = deliverableRecipients(await deps.recipients.get(merchant.merchantId), merchant.email)
    .filter((recipient) => recipient.frequency === "daily" || (recipient.frequency === "exceptions" && attention));
  const audience = recipients.some((recipient) => recipient.address === merchant.email)
    ? recipients.map((recipient) => ({ address: recipient.address, frequency: recipient.frequency }))
    : [{ address: merchant.email, frequency: "owner" as const }, ...recipients.map((recipient) => ({ address: recipient.address, frequency: recipient.frequency }))];
  let sent = 0;
  for (const each of audience) {
    if (await sendOnce(deps, merchant, `backfill#${progress.backfillId}`, each.address, model, each.frequency, deps.now())) sent++;
  }
  return sent;
}
