/**
 * The digest: ONE email per recipient per period with all of the business's locations, a line per
 * location-day, and only what needs attention expanded (lib/report/digest-document.ts lays it out).
 *
 * When. A business's digest for the morning of date R covers business day R − 1 (weekly: Monday's
 * covers the week before, R − 7 to R − 1). It goes at DIGEST_SEND_TIME local time of the business's
 * westernmost location once every location has had its night (its day R − 1 synced, or the location is
 * not being synced), and at the latest at DIGEST_DEADLINE local, whatever is still missing, so a stuck
 * location never silences the others.
 *
 * How it is triggered. Every nightly job marks its merchant's next digest (`DigestStore.mark`: the
 * slot R, and the earliest it may go), in partitions by slot date, so no table is scanned; backfill
 * jobs do not (a backfill sends its own summary). `sendDueDigests` runs in the scheduler's Lambda after
 * each tick: it reads the marks due by now, and for each merchant decides, builds and sends.
 *
 * Exactly once per recipient and period, even if two ticks overlap or one crashes half way: each send
 * is claimed first by a conditional write (`claim`: only if not sent and not claimed by someone else
 * within CLAIM_LEASE_MS), marked sent after, and a claim whose send failed is released. A tick that dies
 * between SES accepting an email and marking it sent leaves a claim that expires, and the next tick
 * sends that one email again: the only duplicate left, and a rare one. A mark is removed only after
 * every recipient's digest went.
 *
 * What each recipient gets: "daily" the digest every morning; "weekly" Monday's digest of the week;
 * "exceptions" the daily digest only on mornings it has something to act on (a held or failed day, an
 * adjustment, a new unmapped item). Only confirmed, not unsubscribed recipients (lib/report/recipients.ts).
 */
import { createHash } from "node:crypto";
import { addDays, businessDayOf, businessDayWindow } from "../domain/business-day";
import type { EmailSender } from "../email/email";
import type { LocationConfig, Merchant, SyncRecord } from "../model";
import type { Store } from "../store/store";
import { type DayTotals, daySummary, dayTotals } from "./day-figures";
import { buildDeposits, type DepositReadPorts, type DepositsSection } from "./digest-deposits";
import { renderDigest } from "./digest-document";
import { approveUrl, dayUrl, type LinkSigner, mappingUrl, unsubscribeHeaders, unsubscribeUrl } from "./links";
import { addressHash, deliverableRecipients, type DigestFrequency, type RecipientStore } from "./recipients";
import type { ReportStore, StoredReport, StoredReportContent } from "./report-store";
import { isUnmapped } from "./sync-report";
import { warningKey } from "./warnings-seen";

/** Local time of the business's westernmost location at which the digest may go. */
export const DIGEST_SEND_TIME = "07:00";
/** Local time by which it goes, whatever is still missing. */
export const DIGEST_DEADLINE = "11:00";
export const DIGEST_SHARDS = 8;
/** How long a claimed send is left to its claimer before another may take it over. */
export const CLAIM_LEASE_MS = 10 * 60_000;

/** A merchant's digest of one morning is to be looked at from `notBefore` on. */
export interface DigestMark {
  merchantId: string;
  /** The morning's date, YYYY-MM-DD (the day after the business day it covers). */
  slot: string;
  /** ISO 8601: not looked at before then. */
  notBefore: string;
  shard: number;
}

/** The digests' storage port (lib/store/digests.ts). */
export interface DigestStore {
  /** Marks the merchant's digest of `slot` as coming; a second mark with the same notBefore changes nothing. */
  mark(mark: DigestMark): Promise<void>;
  /** The marks of the slot in the shard due at or before `now`. */
  due(slot: string, shard: number, now: Date): Promise<DigestMark[]>;
  /** Moves a mark to a later notBefore. */
  postpone(mark: DigestMark, notBefore: Date): Promise<void>;
  /** Removes a mark: its digests went. */
  finish(mark: DigestMark): Promise<void>;
  /**
   * Takes the right to send `period`'s email to the recipient (by address hash): true unless it went
   * already or someone else claimed it less than `leaseMs` ago.
   */
  claim(merchantId: string, period: string, recipientHash: string, now: Date, leaseMs: number): Promise<boolean>;
  markSent(merchantId: string, period: string, recipientHash: string, at: Date): Promise<void>;
  /** Gives a claim back after its send failed, so the next try may take it at once. */
  release(merchantId: string, period: string, recipientHash: string): Promise<void>;
  /** Removes the merchant's marks (an account deleted): those of the mornings around `now`, the only ones a mark can have. */
  removeMerchant(merchantId: string, now: Date): Promise<number>;
}

export function digestShardOf(merchantId: string, shards = DIGEST_SHARDS): number {
  return createHash("sha256").update(merchantId).digest().readUInt32BE(0) % shards;
}

/** The instant of local `time` on `date` in the zone (the day-start arithmetic of business days). */
export function localInstant(date: string, timeZone: string, time: string): Date {
  return new Date(businessDayWindow(date, timeZone, time).startMs);
}

/**
 * The digest a job's news goes into: a nightly first sync of day D, the morning after D; anything else
 * (a re-check, an approval), the next morning whose send time has not passed where the location is.
 */
export function digestMarkFor(job: { kind: string; merchantId: string; businessDay: string }, timeZone: string, now: Date, shards = DIGEST_SHARDS): DigestMark {
  let slot = job.kind === "first" ? addDays(job.businessDay, 1) : businessDayOf(now.getTime(), timeZone);
  if (job.kind !== "first" && now.getTime() >= localInstant(slot, timeZone, DIGEST_SEND_TIME).getTime()) slot = addDays(slot, 1);
  return { merchantId: job.merchantId, slot, notBefore: localInstant(slot, timeZone, DIGEST_SEND_TIME).toISOString(), shard: digestShardOf(job.merchantId, shards) };
}

// --- what a digest says -----------------------------------------------------------------------------

export type LineState = SyncRecord["state"] | "not-synced";

export interface DigestLine {
  location: Pick<LocationConfig, "locationId" | "name" | "source" | "currency">;
  businessDay: string;
  state: LineState;
  /** Adjusting entries posted after the first. */
  adjustments: number;
  totals: DayTotals | undefined;
  /** The day's entries in QuickBooks, first one first, with their links where known. */
  entries: { docNumber: string; url?: string }[];
  dayUrl: string;
}

export type ExceptionKind = "held" | "failed" | "adjusted";

export interface DigestException {
  kind: ExceptionKind;
  locationId: string;
  businessDay: string;
  content: StoredReportContent;
  /** Held days: the signed approve link. */
  approveUrl?: string;
}

export interface UnmappedItem {
  locationName: string;
  message: string;
  mappingUrl: string;
}

export interface DigestModel {
  businessName: string;
  kind: "daily" | "weekly" | "backfill";
  /** The business days covered, first to last. */
  first: string;
  last: string;
  lines: DigestLine[];
  exceptions: DigestException[];
  /** Unmapped items reported for the first time in this digest. */
  newUnmapped: UnmappedItem[];
  /** Per location, unmapped items reported before that are still unmapped. */
  repeatedUnmapped: { locationName: string; count: number; mappingUrl: string }[];
  /** Square payouts and Clover's expected deposits (digest-deposits.ts); absent where the deps read none. */
  deposits?: DepositsSection;
  historyUrl: string;
}

/** Something to act on: a held or failed day, an adjustment, a new unmapped item. */
export function needsAttention(model: DigestModel): boolean {
  return model.exceptions.length > 0 || model.newUnmapped.length > 0;
}

export interface DigestReadDeps extends LinkSigner {
  store: Pick<Store, "getSyncRecord">;
  reports: Pick<ReportStore, "listDays">;
  /** The Deposits section's reads; without them the digest has no Deposits section. */
  deposits?: DepositReadPorts;
}

/**
 * The digest of `locations` for business days `first` to `last`: their lines, and what needs
 * attention: held and failed days of the period, and news that came within `window` (adjustments, and
 * days that failed or were held again) about any of the days before too. Reports of backfills are left
 * to the backfill's own summary unless `backfillId` names the one summarised.
 */
export async function buildDigest(
  deps: DigestReadDeps, merchant: Pick<Merchant, "merchantId" | "name">, locations: LocationConfig[],
  period: { kind: DigestModel["kind"]; first: string; last: string; window: { from: Date; to: Date }; backfillId?: string },
): Promise<DigestModel> {
  const days: string[] = [];
  for (let day = period.first; day <= period.last; day = addDays(day, 1)) days.push(day);
  const inPeriod = new Set(days);
  const model: DigestModel = {
    businessName: merchant.name, kind: period.kind, first: period.first, last: period.last,
    lines: [], exceptions: [], newUnmapped: [], repeatedUnmapped: [], historyUrl: `${deps.publicUrl}/history`,
  };
  const sorted = [...locations].sort((a, b) => a.name.localeCompare(b.name) || a.locationId.localeCompare(b.locationId));
  for (const location of sorted) {
    const [records, allReports] = await Promise.all([
      Promise.all(days.map((day) => deps.store.getSyncRecord(merchant.merchantId, location.locationId, day))),
      // A week before the period too: adjustments of earlier days that came within the window.
      deps.reports.listDays(merchant.merchantId, location.locationId, addDays(period.first, -7), period.last),
    ]);
    const reports = allReports.filter((report) => {
      const backfillId = (report.content as { backfillId?: string }).backfillId;
      return period.backfillId === undefined ? backfillId === undefined : backfillId === period.backfillId;
    });
    const recordOf = new Map(days.map((day, index) => [day, records[index]]));
    for (const day of days) model.lines.push(lineOf(deps, location, day, recordOf.get(day), reports.filter((report) => report.businessDay === day)));

    const inWindow = (report: StoredReport) => {
      const at = Date.parse(report.updatedAt ?? report.createdAt);
      return at > period.window.from.getTime() && at <= period.window.to.getTime();
    };
    const news = reports.filter((report) => inPeriod.has(report.businessDay) || inWindow(report));
    // An earlier day first posted in the window (its re-check found sales it had missed): a line of its own.
    const latePosted = [...new Set(news.filter((report) => report.status === "posted" && !inPeriod.has(report.businessDay)).map((report) => report.businessDay))].sort();
    const lateRecords = await Promise.all(latePosted.map((day) => deps.store.getSyncRecord(merchant.merchantId, location.locationId, day)));
    latePosted.forEach((day, index) => {
      model.lines.push(lineOf(deps, location, day, lateRecords[index], reports.filter((report) => report.businessDay === day)));
    });
    addExceptions(deps, model, merchant.merchantId, location, days, recordOf, news);
    addUnmapped(deps, model, location, news);
  }
  if (deps.deposits) model.deposits = await buildDeposits(deps.deposits, merchant.merchantId, sorted, period);
  return model;
}

function lineOf(deps: LinkSigner, location: LocationConfig, day: string, record: SyncRecord | undefined, reports: StoredReport[]): DigestLine {
  const urls = new Map(reports.flatMap((report) => (report.content.entry?.quickBooksUrl ? [[report.content.entry.docNumber, report.content.entry.quickBooksUrl] as const] : [])));
  const summary = record && daySummary(record);
  return {
    location: { locationId: location.locationId, name: location.name, source: location.source, currency: location.currency },
    businessDay: day,
    state: record?.state ?? "not-synced",
    adjustments: Math.max(0, (record?.posted.length ?? 0) - 1),
    totals: summary && dayTotals(summary, location.source),
    entries: (record?.posted ?? []).map((entry) => ({ docNumber: entry.docNumber, ...(urls.get(entry.docNumber) ? { url: urls.get(entry.docNumber) } : {}) })),
    dayUrl: dayUrl(deps.publicUrl, location.locationId, day),
  };
}

function addExceptions(
  deps: LinkSigner, model: DigestModel, merchantId: string, location: LocationConfig, days: string[],
  recordOf: Map<string, SyncRecord | undefined>, news: StoredReport[],
): void {
  const latest = (day: string, status: "held" | "failed") => news.filter((report) => report.businessDay === day && report.status === status).at(-1);
  // Held and failed days as they stand now: the period's, and earlier ones whose news came in the window.
  const stuckDays = [...new Set([...days, ...news.filter((report) => report.status === "held" || report.status === "failed").map((report) => report.businessDay)])].sort();
  for (const day of stuckDays) {
    const state = recordOf.has(day) ? recordOf.get(day)?.state : news.filter((report) => report.businessDay === day).at(-1)?.status;
    if (state !== "held" && state !== "failed") continue;
    const report = latest(day, state);
    if (!report) continue;
    model.exceptions.push({
      kind: state, locationId: location.locationId, businessDay: day, content: report.content,
      ...(state === "held" ? { approveUrl: approveUrl(deps, { merchantId, locationId: location.locationId, businessDay: day }) } : {}),
    });
  }
  for (const report of news.filter((each) => each.status === "adjusted")) {
    model.exceptions.push({ kind: "adjusted", locationId: location.locationId, businessDay: report.businessDay, content: report.content });
  }
}

function addUnmapped(deps: LinkSigner, model: DigestModel, location: LocationConfig, news: StoredReport[]): void {
  const url = mappingUrl(deps.publicUrl, location.locationId);
  const seen = new Set<string>();
  for (const report of news) {
    for (const warning of report.content.warnings.filter(isUnmapped)) {
      const key = warningKey(warning);
      if (seen.has(key)) continue;
      seen.add(key);
      model.newUnmapped.push({ locationName: location.name, message: warning.message, mappingUrl: url });
    }
  }
  const repeated = Math.max(0, ...news.map((report) => report.content.repeatedWarnings ?? 0));
  if (repeated > 0) model.repeatedUnmapped.push({ locationName: location.name, count: repeated, mappingUrl: url });
}

// --- sending -----------------------------------------------------------------------------------------

export interface DigestDeps extends DigestReadDeps {
  digests: DigestStore;
  store: Pick<Store, "getMerchant" | "listLocations" | "getSyncRecord">;
  recipients: Pick<RecipientStore, "get">;
  email: EmailSender;
  shards?: number;
  /** Counts and ids only: never an address. */
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
}

export interface DigestRunResult {
  /** Merchants whose digests were decided (sent, or nothing due to anyone). */
  merchants: number;
  /** Emails sent. */
  sent: number;
  /** Merchants whose locations have not all had their night yet, before the deadline. */
  waiting: number;
  /** Merchants whose digest failed; their marks stay and the next tick tries again. */
  failed: number;
}

/** The slots a tick looks at: every morning that may be due somewhere on Earth now, and two before (missed ticks). */
function slotsAround(now: Date): string[] {
  const today = now.toISOString().slice(0, 10);
  return [-2, -1, 0, 1].map((offset) => addDays(today, offset));
}

export async function sendDueDigests(deps: DigestDeps): Promise<DigestRunResult> {
  const now = deps.now();
  const shards = deps.shards ?? DIGEST_SHARDS;
  const result: DigestRunResult = { merchants: 0, sent: 0, waiting: 0, failed: 0 };
  const marks = (await Promise.all(slotsAround(now).flatMap((slot) => Array.from({ length: shards }, (_, shard) => deps.digests.due(slot, shard, now))))).flat();
  const byMerchantSlot = new Map<string, DigestMark[]>();
  for (const mark of marks) {
    const key = `${mark.slot}|${mark.merchantId}`;
    byMerchantSlot.set(key, [...(byMerchantSlot.get(key) ?? []), mark]);
  }
  for (const group of byMerchantSlot.values()) {
    const first = group[0];
    if (!first) continue;
    try {
      const outcome = await digestOfMorning(deps, first.merchantId, first.slot, group, now);
      if (outcome === "waiting") result.waiting++;
      else {
        result.merchants++;
        result.sent += outcome;
      }
    } catch (error) {
      result.failed++;
      deps.log?.("error", "a digest failed; its mark stays for the next tick", { merchantId: first.merchantId, slot: first.slot, error: error instanceof Error ? error.name : "unknown" });
    }
  }
  if (marks.length > 0) deps.log?.("info", "digests", { now: now.toISOString(), ...result });
  return result;
}

/** Decides and sends one merchant's digests of one morning; the number sent, or "waiting". */
async function digestOfMorning(deps: DigestDeps, merchantId: string, slot: string, marks: DigestMark[], now: Date): Promise<number | "waiting"> {
  const finishAll = () => Promise.all(marks.map((mark) => deps.digests.finish(mark)));
  const [merchant, locations] = await Promise.all([deps.store.getMerchant(merchantId), deps.store.listLocations(merchantId)]);
  if (!merchant || locations.length === 0) {
    await finishAll();
    return 0;
  }
  const notBefore = latestLocal(slot, locations, DIGEST_SEND_TIME);
  if (now < notBefore) {
    // A mark from an eastern location of a business with a western one: wait for the western morning.
    await Promise.all(marks.map((mark) => deps.digests.postpone(mark, notBefore)));
    return "waiting";
  }
  const yesterday = addDays(slot, -1);
  if (now < latestLocal(slot, locations, DIGEST_DEADLINE) && !(await allHadTheirNight(deps, merchantId, locations, yesterday))) return "waiting";

  const window = { from: latestLocal(yesterday, locations, DIGEST_SEND_TIME), to: notBefore };
  const daily = await buildDigest(deps, merchant, locations, { kind: "daily", first: yesterday, last: yesterday, window });
  const monday = new Date(`${slot}T00:00:00.000Z`).getUTCDay() === 1;
  const weekly = monday
    ? await buildDigest(deps, merchant, locations, { kind: "weekly", first: addDays(slot, -7), last: yesterday, window: { from: latestLocal(addDays(slot, -7), locations, DIGEST_SEND_TIME), to: notBefore } })
    : undefined;
  const recipients = deliverableRecipients(await deps.recipients.get(merchantId), merchant.email);
  let sent = 0;
  for (const recipient of recipients) {
    const chosen = digestFor(recipient.frequency, daily, weekly);
    if (!chosen) continue;
    if (await sendOnce(deps, merchant, `${chosen.kind}#${slot}`, recipient.address, chosen, recipient.frequency, now)) sent++;
  }
  await finishAll();
  return sent;
}

function digestFor(frequency: DigestFrequency, daily: DigestModel, weekly: DigestModel | undefined): DigestModel | undefined {
  switch (frequency) {
    case "daily":
      return daily;
    case "weekly":
      return weekly;
    case "exceptions":
      return needsAttention(daily) ? daily : undefined;
  }
}

/** The latest of the locations' local `time` on `date`: the westernmost location's. */
function latestLocal(date: string, locations: Pick<LocationConfig, "timeZone">[], time: string): Date {
  return new Date(Math.max(...locations.map((location) => localInstant(date, location.timeZone, time).getTime())));
}

/**
 * Every location had its night: its day has a settled record, or it is not being synced nightly (no
 * record for the day before either: set up since, or stopped).
 */
async function allHadTheirNight(deps: DigestDeps, merchantId: string, locations: LocationConfig[], day: string): Promise<boolean> {
  const settled = await Promise.all(locations.map(async (location) => {
    const record = await deps.store.getSyncRecord(merchantId, location.locationId, day);
    if (record) return record.state !== "posting";
    return (await deps.store.getSyncRecord(merchantId, location.locationId, addDays(day, -1))) === undefined;
  }));
  return settled.every(Boolean);
}

/**
 * Sends `model` to one recipient once for `period`: claimed first, marked sent after; a failed send
 * gives its claim back and throws, so the merchant's mark stays for the next tick. False when it went
 * already (or is being sent by another tick).
 */
export async function sendOnce(
  deps: Pick<DigestDeps, "digests" | "email" | "publicUrl" | "linkKey" | "now">, merchant: Pick<Merchant, "merchantId" | "name">,
  period: string, address: string, model: DigestModel, frequency: DigestFrequency | "owner", now: Date,
): Promise<boolean> {
  const hash = addressHash(address);
  if (!(await deps.digests.claim(merchant.merchantId, period, hash, now, CLAIM_LEASE_MS))) return false;
  const unsubscribe = unsubscribeUrl(deps, merchant.merchantId, address);
  const rendered = renderDigest(model, { address, frequency, unsubscribeUrl: unsubscribe });
  try {
    await deps.email.send({
      to: [address], subject: rendered.subject, text: rendered.text, html: rendered.html, headers: unsubscribeHeaders(unsubscribe),
      purpose: model.kind === "backfill" ? "backfill-summary" : "digest", merchantId: merchant.merchantId,
    });
  } catch (error) {
    await deps.digests.release(merchant.merchantId, period, hash);
    throw error;
  }
  await deps.digests.markSent(merchant.merchantId, period, hash, deps.now());
  return true;
}
