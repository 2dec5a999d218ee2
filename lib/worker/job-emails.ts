/**
 * The emails a job sends itself (process-job.ts): the merchant's alert for a failed day or one daybook
 * held, and a backfill's one summary. Most jobs send neither (a night's news goes into the next
 * morning's digest, which the scheduler sends), so what lays out and renders them loads with the first
 * job that sends one (in the Lambda bundle a chunk of its own).
 */
import type { Merchant } from "../model";
import { buildDigest, sendOnce } from "../report/digest";
import { renderEmail } from "../report/email-document";
import { approveUrl } from "../report/links";
import { deliverableRecipients } from "../report/recipients";
import type { StoredReport } from "../report/report-store";
import { dayReportDocument, dayTitle } from "../report/sync-report";
import type { BackfillProgress } from "../schedule/backfill";
import type { WorkerDeps } from "./process-job";

/** The merchant's alert of a stored report: the whole report, with what to do. */
export function alertEmail(deps: WorkerDeps, merchant: Merchant, stored: StoredReport) {
  const held = stored.status === "held";
  const content = { ...stored.content, ...(held ? { approveUrl: approveUrl(deps, stored) } : {}) };
  const document = dayReportDocument(content);
  const business = merchant.name.trim() === "" ? "your business" : merchant.name;
  document.footer = [{ text: `You get this alert at ${merchant.email} because you run daybook for ${business}: it goes at once, and to you only. The report recipients see this day in their next digest.` }];
  const { html, text } = renderEmail(document);
  const subject = `Action needed: ${dayTitle(content)} ${held ? "is held for review" : "was not posted"}`;
  return { to: [merchant.email], subject, text, html, purpose: "alert" as const, merchantId: merchant.merchantId };
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
