/**
 * The email that says daybook stopped posting one or more locations (and why, and what mends it), and
 * the one that says they post again. Sent to the merchant and the report recipients
 * (lib/locations/posting-status.ts); the links carry no secret: the merchant signs in as usual.
 */
import { escapeHtml } from "../report/email-document";
import { formatDay } from "../report/format";
import type { PostingChange } from "./posting-status";

export interface PostingStatusMessage {
  subject: string;
  text: string;
  html: string;
}

const names = (changes: readonly PostingChange[]): string =>
  changes.length === 1 && changes[0] ? changes[0].location.name : `${String(changes.length)} locations`;

/** "Days from Monday 16 June 2025 on", said as every other email says a day. */
const daysFrom = (day: string | undefined): string => day === undefined ? "Days from now on" : `Days from ${formatDay(day)} on`;

export function postingStatusEmail(kind: "stopped" | "resumed", changes: readonly PostingChange[], publicUrl: string): PostingStatusMessage {
  const locationsUrl = `${publicUrl}/locations`;
  const backfillUrl = `${publicUrl}/backfill`;
  if (kind === "stopped") {
    const lines = changes.map((change) =>
      `${change.location.name}: ${change.reason ?? "a connection it needs is not working"}. ${daysFrom(change.location.postingStopped?.resumeFrom)} wait until this is mended.`);
    const text =
      `daybook has stopped posting ${names(changes)} to QuickBooks, and sends no reports for ${changes.length === 1 ? "it" : "them"} until it can post again:\n\n` +
      `${lines.map((line) => `- ${line}`).join("\n")}\n\n` +
      `Nothing already posted is affected, and no sales are lost: once the connection works again, daybook posts the days it missed.\n\n` +
      `The locations page says what to do (sign in if asked):\n${locationsUrl}\n`;
    const html =
      `<p>daybook has stopped posting ${escapeHtml(names(changes))} to QuickBooks, and sends no reports for ${changes.length === 1 ? "it" : "them"} until it can post again:</p>` +
      `<ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>` +
      `<p>Nothing already posted is affected, and no sales are lost: once the connection works again, daybook posts the days it missed.</p>` +
      `<p><a href="${escapeHtml(locationsUrl)}">The locations page says what to do</a> (sign in if asked).</p>`;
    return { subject: `daybook stopped posting ${names(changes)}`, text, html };
  }
  const lines = changes.map((change) => change.toBackfill
    ? `${change.location.name}: posting again. The nightly run posts the last week it missed; the days from ${formatDay(change.toBackfill.from)} to ${formatDay(change.toBackfill.to)} are older and need a backfill.`
    : `${change.location.name}: posting again, with the days it missed.`);
  const needsBackfill = changes.some((change) => change.toBackfill);
  const text =
    `daybook is posting ${names(changes)} to QuickBooks again:\n\n${lines.map((line) => `- ${line}`).join("\n")}\n\n` +
    (needsBackfill ? `Backfill those days on the backfill page (sign in if asked):\n${backfillUrl}\n` : `Each day's report follows as usual.\n`);
  const html =
    `<p>daybook is posting ${escapeHtml(names(changes))} to QuickBooks again:</p><ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>` +
    (needsBackfill ? `<p><a href="${escapeHtml(backfillUrl)}">Backfill those days on the backfill page</a> (sign in if asked).</p>` : `<p>Each day's report follows as usual.</p>`);
  return { subject: `daybook is posting ${names(changes)} again`, text, html };
}
