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
 *
 * Accountants: one digest for all their clients. A recipient address that is an accountant of the
 * business (a member: lib/members) does not get the business's own digest; it gets ONE combined email a
 * morning with every client's block (the business's own digest's, lib/report/digest-document.ts
 * businessBlocks), clients that need attention first, by each client's setting for that address (daily;
 * exceptions: only when that client needs attention; weekly: a second, weekly combined email on Mondays).
 * An address that is not a member keeps the business's own digest.
 * - When a business decides its morning it writes, for each of its accountants, a part in the
 *   accountant's partition (`putClientPart`) and marks the accountant's combined digest (a mark like the
 *   merchants', `audience: "accountant"`, same slot and shards: no scan). The combined digest goes once
 *   every client that is syncing nightly (its client-list status has the day before yesterday or later)
 *   has its part, at the latest at DIGEST_DEADLINE where the westernmost client location is; a client
 *   still missing is listed as not ready yet. Until then its marks wait at that deadline, and every
 *   client that decides marks it again, so it goes in the tick its last client decided.
 * - Never both, never neither: before it reads the parts, the combined digest seals the morning
 *   (`seal`); a business writes its part only while the morning is unsealed (one transaction with a
 *   check of the seal), so every part is read by the combined digest (consistent reads), and a client
 *   refused by the seal sends the accountant its own digest (once, under its claim). Two ticks deciding
 *   one business at once find its one part there, and both leave the accountant to the combined digest.
 * - Exactly once per accountant and period (`combined-daily#<slot>`, `combined-weekly#<slot>`), with
 *   the same claim, markSent and release, in the accountant's partition. Its unsubscribe link stops it
 *   for every client at once (lib/report/unsubscribe.ts).
 * - Cost: each client's records are read once per accountant as its own digest reads them (merchant,
 *   locations, recipients, a record and a report query per location-day), plus, per business and
 *   accountant, a part, a seal read, a mark and its removal; per accountant, the memberships and the
 *   parts (one query each), the seal, the claim: linear in clients, never per pair of clients.
 */
import { addDays } from "../domain/business-day";
import type { EmailSender, OutgoingEmail } from "../email/email";
import { businessNameOf, type MemberStore, type Membership } from "../members/types";
import type { LocationConfig, Merchant, SyncRecord } from "../model";
import { normalizeEmail } from "../store/keys";
import type { Store } from "../store/store";
import { type DayTotals, daySummary, dayTotals } from "./day-figures";
import { buildDeposits, DIGEST_NEWS_DAYS, type DepositReadPorts, type DepositsSection } from "./digest-deposits";
import { renderCombinedDigest, renderDigest } from "./digest-document";
import { approveUrl, combinedUnsubscribeUrl, dayPath, type LinkSigner, locationMappingPath, openInBusiness, unsubscribeHeaders, unsubscribeUrl } from "./links";
import { addressHash, deliverableRecipients, type DigestFrequency, type RecipientStore } from "./recipients";
import type { ReportStore, StoredReport, StoredReportContent } from "./report-store";
import { isUnmapped } from "../domain/warnings";
import { DIGEST_SEND_TIME, type DigestMark, type DigestStore, digestShardOf, dueDigestMarks, localInstant } from "./digest-marks";
import { warningKey } from "./warnings-seen";

export {
  type ClientPart, DIGEST_SEND_TIME, DIGEST_SHARDS, type DigestMark, digestMarkFor, type DigestStore, digestShardOf, dueDigestMarks, localInstant,
} from "./digest-marks";

/** Local time by which it goes, whatever is still missing. */
export const DIGEST_DEADLINE = "11:00";
/** How long a claimed send is left to its claimer before another may take it over. */
export const CLAIM_LEASE_MS = 10 * 60_000;

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
    lines: [], exceptions: [], newUnmapped: [], repeatedUnmapped: [], historyUrl: openInBusiness(deps.publicUrl, merchant.merchantId, "/history"),
  };
  const sorted = [...locations].sort((a, b) => a.name.localeCompare(b.name) || a.locationId.localeCompare(b.locationId));
  for (const location of sorted) {
    const [records, allReports] = await Promise.all([
      Promise.all(days.map((day) => deps.store.getSyncRecord(merchant.merchantId, location.locationId, day))),
      // A week before the period too: adjustments of earlier days that came within the window.
      deps.reports.listDays(merchant.merchantId, location.locationId, addDays(period.first, -DIGEST_NEWS_DAYS), period.last),
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
    dayUrl: openInBusiness(deps.publicUrl, location.merchantId, dayPath(location.locationId, day)),
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
      kind: state, locationId: location.locationId, businessDay: day, content: inBusiness(deps.publicUrl, merchantId, report.content),
      ...(state === "held" ? { approveUrl: approveUrl(deps, { merchantId, locationId: location.locationId, businessDay: day }) } : {}),
    });
  }
  for (const report of news.filter((each) => each.status === "adjusted")) {
    model.exceptions.push({ kind: "adjusted", locationId: location.locationId, businessDay: report.businessDay, content: inBusiness(deps.publicUrl, merchantId, report.content) });
  }
}

/**
 * A stored report's links to daybook's pages (the day, the mapping, the connections), made when the day
 * was processed, as links that open them in that business (GET /clients/open): an accountant reading
 * the digest may be working on another client. Links elsewhere (QuickBooks) are kept as they are.
 */
function inBusiness(publicUrl: string, merchantId: string, content: StoredReportContent): StoredReportContent {
  const open = (url: string) => (url.startsWith(`${publicUrl}/`) ? openInBusiness(publicUrl, merchantId, url.slice(publicUrl.length)) : url);
  return {
    ...content, reportUrl: open(content.reportUrl), connectionsUrl: open(content.connectionsUrl),
    ...(content.mappingUrl === undefined ? {} : { mappingUrl: open(content.mappingUrl) }),
  };
}

function addUnmapped(deps: LinkSigner, model: DigestModel, location: LocationConfig, news: StoredReport[]): void {
  const url = openInBusiness(deps.publicUrl, location.merchantId, locationMappingPath(location.locationId));
  const seen = new Set<string>();
  for (const report of news) {
    for (const warning of report.content.warnings.filter(isUnmapped)) {
      const key = warningKey(warning);
      if (seen.has(key)) continue;
      seen.add(key);
      model.newUnmapped.push({ locationName: location.name, message: warning.message, mappingUrl: url });
    }
  }
  // Each item once across the days, and never one listed above as new (a backfill's first day says it in
  // full, its later days count it). A report kept before the items were named gives only its count.
  const repeatedKeys = new Set(news.flatMap((report) => report.content.repeatedItems ?? []).filter((key) => !seen.has(key)));
  const unnamed = news.filter((report) => report.content.repeatedItems === undefined).map((report) => report.content.repeatedWarnings ?? 0);
  const repeated = Math.max(repeatedKeys.size, ...unnamed);
  if (repeated > 0) model.repeatedUnmapped.push({ locationName: location.name, count: repeated, mappingUrl: url });
}

// --- sending -----------------------------------------------------------------------------------------

export interface DigestDeps extends DigestReadDeps {
  digests: DigestStore;
  store: Pick<Store, "getMerchant" | "listLocations" | "getSyncRecord">;
  recipients: Pick<RecipientStore, "get">;
  /** Who of a business's recipients are accountants (its members), and an accountant's clients. */
  members: Pick<MemberStore, "listMembers" | "listMemberships">;
  email: EmailSender;
  shards?: number;
  /** Counts and ids only: never an address. */
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
}

export interface DigestRunResult {
  /** Merchants whose digests were decided (sent, or nothing due to anyone), and accountants whose combined digest was. */
  merchants: number;
  /** Emails sent. */
  sent: number;
  /** Merchants whose locations have not all had their night yet, before the deadline. */
  waiting: number;
  /** Merchants whose digest failed; their marks stay and the next tick tries again. */
  failed: number;
}

/** `marks`: the due marks when the caller read them already (lib/wiring/scheduler.ts: dueDigestMarks); read here otherwise. */
export async function sendDueDigests(deps: DigestDeps, marks?: DigestMark[]): Promise<DigestRunResult> {
  const now = deps.now();
  const result: DigestRunResult = { merchants: 0, sent: 0, waiting: 0, failed: 0 };
  marks ??= await dueDigestMarks(deps, now);
  const groups = (list: DigestMark[], into = new Map<string, DigestMark[]>()) => {
    for (const mark of list) {
      const key = `${mark.slot}|${mark.merchantId}`;
      into.set(key, [...(into.get(key) ?? []), mark]);
    }
    return into;
  };
  const run = async (group: DigestMark[], decide: (first: DigestMark) => Promise<number | "waiting">) => {
    const first = group[0];
    if (!first) return;
    try {
      const outcome = await decide(first);
      if (outcome === "waiting") result.waiting++;
      else {
        result.merchants++;
        result.sent += outcome;
      }
    } catch (error) {
      result.failed++;
      deps.log?.("error", "a digest failed; its mark stays for the next tick", {
        merchantId: first.merchantId, slot: first.slot, combined: first.audience === "accountant", error: error instanceof Error ? error.name : "unknown",
      });
    }
  };
  // The businesses first; the accountants' combined digests after, with the marks the businesses just
  // wrote for them, so a combined digest goes in the tick its last client decided.
  const fresh: DigestMark[] = [];
  for (const group of groups(marks.filter((mark) => mark.audience !== "accountant")).values()) {
    await run(group, (first) => digestOfMorning(deps, first.merchantId, first.slot, group, now, fresh));
  }
  for (const group of groups(fresh, groups(marks.filter((mark) => mark.audience === "accountant"))).values()) {
    await run(group, (first) => combinedOfMorning(deps, first.merchantId, first.slot, group, now));
  }
  if (marks.length > 0) deps.log?.("info", "digests", { now: now.toISOString(), ...result });
  return result;
}

/** A business's digests of one morning, each built only when someone is to get it. */
interface MorningDigests {
  daily(): Promise<DigestModel>;
  /** Monday's digest of the week; undefined on other mornings. */
  weekly(): Promise<DigestModel | undefined>;
}

function morningDigests(deps: DigestReadDeps, merchant: Pick<Merchant, "merchantId" | "name">, locations: LocationConfig[], slot: string): MorningDigests {
  const yesterday = addDays(slot, -1);
  const notBefore = latestLocal(slot, locations, DIGEST_SEND_TIME);
  let daily: Promise<DigestModel> | undefined;
  let weekly: Promise<DigestModel | undefined> | undefined;
  const monday = new Date(`${slot}T00:00:00.000Z`).getUTCDay() === 1;
  return {
    daily: () => (daily ??= buildDigest(deps, merchant, locations, { kind: "daily", first: yesterday, last: yesterday, window: { from: latestLocal(yesterday, locations, DIGEST_SEND_TIME), to: notBefore } })),
    weekly: () => (weekly ??= monday
      ? buildDigest(deps, merchant, locations, { kind: "weekly", first: addDays(slot, -7), last: yesterday, window: { from: latestLocal(addDays(slot, -7), locations, DIGEST_SEND_TIME), to: notBefore } })
      : Promise.resolve(undefined)),
  };
}

/** Decides and sends one merchant's digests of one morning; the number sent, or "waiting". */
async function digestOfMorning(deps: DigestDeps, merchantId: string, slot: string, marks: DigestMark[], now: Date, fresh: DigestMark[]): Promise<number | "waiting"> {
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

  const digests = morningDigests(deps, merchant, locations, slot);
  const recipients = deliverableRecipients(await deps.recipients.get(merchantId), merchant.email);
  const combined = await leaveToCombined(deps, merchantId, slot, now, fresh);
  let sent = 0;
  for (const recipient of recipients) {
    if (combined.has(recipient.address)) continue;
    const chosen = await digestFor(recipient.frequency, digests);
    if (!chosen) continue;
    if (await sendOnce(deps, merchant, `${chosen.kind}#${slot}`, recipient.address, chosen, recipient.frequency, now)) sent++;
  }
  await finishAll();
  return sent;
}

async function digestFor(frequency: DigestFrequency, digests: MorningDigests): Promise<DigestModel | undefined> {
  switch (frequency) {
    case "daily":
      return digests.daily();
    case "weekly":
      return digests.weekly();
    case "exceptions": {
      const daily = await digests.daily();
      return needsAttention(daily) ? daily : undefined;
    }
  }
}

/**
 * The business's decision is told to each of its accountants (its members): a part in the accountant's
 * partition, and a mark so their combined digest is looked at. The addresses returned get the combined
 * digest and not the business's own. An accountant whose combined digest of the morning is already
 * being made (sealed: this business is late) gets the business's own digest instead, so never neither.
 */
async function leaveToCombined(deps: DigestDeps, merchantId: string, slot: string, now: Date, fresh: DigestMark[]): Promise<Set<string>> {
  const members = await deps.members.listMembers(merchantId);
  const taken = new Set<string>();
  for (const member of members) {
    // A part is written only while the morning is unsealed, and the combined digest reads the parts after
    // sealing: a business whose part is there is in it (decided by this tick or, at once, by another);
    // one too late sends the accountant its own digest.
    if ((await deps.digests.putClientPart(member.personId, { businessId: merchantId, slot, decidedAt: now.toISOString() })) === "late") continue;
    const mark: DigestMark = { merchantId: member.personId, audience: "accountant", slot, notBefore: now.toISOString(), shard: digestShardOf(member.personId, deps.shards) };
    await deps.digests.mark(mark);
    fresh.push(mark);
    taken.add(normalizeEmail(member.email));
  }
  return taken;
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

// --- the accountants' combined digest ----------------------------------------------------------------

/** The accountant's one email of a morning: each client's digest, clients that need attention first. */
export interface CombinedDigestModel {
  kind: "daily" | "weekly";
  first: string;
  last: string;
  /** Each client's digest (the same model as the business's own), in the order they are shown. */
  clients: DigestModel[];
  /** Clients whose digest of the morning had not been decided by the deadline. */
  notReady: { businessId: string; businessName: string }[];
  /** The accountant's client list. */
  clientsUrl: string;
}

/**
 * A client is expected to decide the morning's digest when one of its locations is being synced
 * nightly: its latest finished day (the membership's status, kept by the worker) is the day before
 * yesterday or later, as allHadTheirNight counts a location with neither day as not synced.
 */
function expectsNight(membership: Membership, yesterday: string): boolean {
  return Object.values(membership.locations).some((status) => status.businessDay >= addDays(yesterday, -1));
}

const ATTENTION_ORDER: Record<ExceptionKind | "unmapped" | "none", number> = { failed: 0, held: 1, adjusted: 2, unmapped: 3, none: 4 };

function attentionRank(model: DigestModel): number {
  const kinds = [...model.exceptions.map((exception) => exception.kind), ...(model.newUnmapped.length > 0 ? ["unmapped" as const] : [])];
  return Math.min(ATTENTION_ORDER.none, ...kinds.map((kind) => ATTENTION_ORDER[kind]));
}

/**
 * Decides and sends an accountant's combined digests of one morning: once every client that is
 * expected has decided (each by its own rule, digestOfMorning), and at the latest at DIGEST_DEADLINE
 * where the westernmost client location is, listing the missing ones as not ready yet. Monday's weekly
 * clients go in a second email, the week's. The number sent, or "waiting".
 */
async function combinedOfMorning(deps: DigestDeps, personId: string, slot: string, marks: DigestMark[], now: Date): Promise<number | "waiting"> {
  const finishAll = () => Promise.all(marks.map((mark) => deps.digests.finish(mark)));
  const [person, memberships, early] = await Promise.all([deps.store.getMerchant(personId), deps.members.listMemberships(personId), deps.digests.listClientParts(personId, slot)]);
  if (!person || memberships.length === 0) {
    await finishAll();
    return 0;
  }
  const yesterday = addDays(slot, -1);
  const expected = memberships.filter((membership) => expectsNight(membership, yesterday));
  const zones = memberships.flatMap((membership) => Object.values(membership.locations));
  const deadline = zones.length > 0 ? latestLocal(slot, zones, DIGEST_DEADLINE) : now;
  const decidedEarly = new Set(early.map((part) => part.businessId));
  if (now < deadline && expected.some((membership) => !decidedEarly.has(membership.businessId))) {
    // Another client's decision marks this digest again; the deadline is the latest it waits.
    await Promise.all(marks.map((mark) => (mark.notBefore === deadline.toISOString() ? Promise.resolve() : deps.digests.postpone(mark, deadline))));
    return "waiting";
  }
  await deps.digests.seal(personId, slot, now);
  // The mark an earlier tick moved to the deadline, if any: decided now, it has nothing left to do.
  const atDeadline: DigestMark = { merchantId: personId, audience: "accountant", slot, notBefore: deadline.toISOString(), shard: digestShardOf(personId, deps.shards) };
  // Read again after the seal: a client that decided before the seal is in, one after it sends its own.
  const decided = new Set((await deps.digests.listClientParts(personId, slot)).map((part) => part.businessId));
  const monday = new Date(`${slot}T00:00:00.000Z`).getUTCDay() === 1;
  let sent = 0;
  for (const kind of monday ? (["daily", "weekly"] as const) : (["daily"] as const)) {
    const period = `combined-${kind}#${slot}`;
    const went = await claimAndSend(deps, personId, period, person.email, now, async () => {
      const model = await combinedModel(deps, person.email, memberships.filter((membership) => decided.has(membership.businessId)), expected.filter((membership) => !decided.has(membership.businessId)), slot, kind);
      if (model.clients.length === 0) return undefined;
      const unsubscribe = combinedUnsubscribeUrl(deps, personId, person.email);
      const rendered = renderCombinedDigest(model, { address: person.email, unsubscribeUrl: unsubscribe });
      return { to: [person.email], subject: rendered.subject, text: rendered.text, html: rendered.html, headers: unsubscribeHeaders(unsubscribe), purpose: "digest", merchantId: personId };
    });
    if (went) sent++;
  }
  await finishAll();
  if (!marks.some((mark) => mark.notBefore === atDeadline.notBefore)) await deps.digests.finish(atDeadline);
  return sent;
}

/** The frequency the client's recipient list gives the address now, if it may receive the client's digests. */
async function frequencyAt(deps: DigestDeps, business: Pick<Merchant, "merchantId" | "email">, address: string): Promise<DigestFrequency | undefined> {
  const recipients = deliverableRecipients(await deps.recipients.get(business.merchantId), business.email);
  return recipients.find((recipient) => recipient.address === normalizeEmail(address))?.frequency;
}

const takesKind = (frequency: DigestFrequency | undefined, kind: "daily" | "weekly") => (kind === "weekly" ? frequency === "weekly" : frequency === "daily" || frequency === "exceptions");

async function combinedModel(
  deps: DigestDeps, address: string, decided: Membership[], missing: Membership[], slot: string, kind: "daily" | "weekly",
): Promise<CombinedDigestModel> {
  const yesterday = addDays(slot, -1);
  const clients: DigestModel[] = [];
  // One client at a time: each reads its records as its own digest does, and no more.
  for (const membership of decided) {
    const [business, locations] = await Promise.all([deps.store.getMerchant(membership.businessId), deps.store.listLocations(membership.businessId)]);
    if (!business || locations.length === 0) continue;
    const frequency = await frequencyAt(deps, business, address);
    if (!takesKind(frequency, kind)) continue;
    const digests = morningDigests(deps, business, locations, slot);
    const model = kind === "weekly" ? await digests.weekly() : await digests.daily();
    if (!model || (frequency === "exceptions" && !needsAttention(model))) continue;
    clients.push({ ...model, businessName: businessNameOf(business) });
  }
  clients.sort((a, b) => attentionRank(a) - attentionRank(b) || a.businessName.localeCompare(b.businessName));
  const notReady: CombinedDigestModel["notReady"] = [];
  for (const membership of missing) {
    const business = await deps.store.getMerchant(membership.businessId);
    if (business && takesKind(await frequencyAt(deps, business, address), kind)) notReady.push({ businessId: membership.businessId, businessName: businessNameOf(business) });
  }
  notReady.sort((a, b) => a.businessName.localeCompare(b.businessName));
  return {
    kind, first: kind === "weekly" ? addDays(slot, -7) : yesterday, last: yesterday, clients, notReady, clientsUrl: `${deps.publicUrl}/clients`,
  };
}

// --- sending once ------------------------------------------------------------------------------------

/**
 * Sends one email once for `period` to `address`, in `partition`'s (a merchant's or an accountant's)
 * claims: claimed first, then composed (undefined: nothing to send, the claim is given back), sent and
 * marked sent. A failed send gives its claim back and throws, so the mark stays for the next tick.
 * False when it went already, is being sent by another tick, or there was nothing to send.
 */
async function claimAndSend(
  deps: Pick<DigestDeps, "digests" | "email" | "now">, partition: string, period: string, address: string, now: Date, compose: () => Promise<OutgoingEmail | undefined>,
): Promise<boolean> {
  const hash = addressHash(address);
  if (!(await deps.digests.claim(partition, period, hash, now, CLAIM_LEASE_MS))) return false;
  let email: OutgoingEmail | undefined;
  try {
    email = await compose();
    if (email) await deps.email.send(email);
  } catch (error) {
    await deps.digests.release(partition, period, hash);
    throw error;
  }
  if (!email) {
    await deps.digests.release(partition, period, hash);
    return false;
  }
  await deps.digests.markSent(partition, period, hash, deps.now());
  return true;
}

/**
 * Sends `model` to one recipient once for `period` (claimAndSend); false when it went already (or is
 * being sent by another tick).
 */
export async function sendOnce(
  deps: Pick<DigestDeps, "digests" | "email" | "publicUrl" | "linkKey" | "now">, merchant: Pick<Merchant, "merchantId" | "name">,
  period: string, address: string, model: DigestModel, frequency: DigestFrequency | "owner", now: Date,
): Promise<boolean> {
  return claimAndSend(deps, merchant.merchantId, period, address, now, () => {
    const unsubscribe = unsubscribeUrl(deps, merchant.merchantId, address);
    const rendered = renderDigest(model, { address, frequency, unsubscribeUrl: unsubscribe });
    return Promise.resolve({
      to: [address], subject: rendered.subject, text: rendered.text, html: rendered.html, headers: unsubscribeHeaders(unsubscribe),
      purpose: model.kind === "backfill" ? "backfill-summary" : "digest", merchantId: merchant.merchantId,
    });
  });
}
