/**
 * One location-day, end to end: read the POS, summarise, build the entry, post it exactly once, record.
 *
 * Exactly once, in order: (1) daybook's own record — an entry left pending by a crash is resolved before
 * anything else, by its DocNumber in QuickBooks and, if absent, by re-sending the very same body with the
 * same requestid; (2) the claim: the pending entry written before the create; (3) the create, with a
 * requestid derived from the body, so a retry replays rather than duplicates; (4) the record. A crash
 * between QuickBooks accepting and daybook recording leaves the claim pending, which (1) settles, so it
 * never yields a second entry. QuickBooks' reads are metered, so the normal path makes none: the DocNumber
 * is looked up only where daybook's own record cannot be trusted (a pending entry, or inside a recovery
 * window the operator opens after restoring the table: SyncPorts.recoveryUntil), and the company's
 * settings are kept on the connection.
 *
 * A re-check posts only the difference between the POS's figures now and everything already posted for
 * the day, as the next revision (an adjusting entry). QuickBooks is never asked to change anything.
 *
 * The merchant's review mode is decided here, for every caller (the worker, the CLI): an entry is held
 * for approval, and an approval posts it only with the figures that were reviewed. A run reads the
 * clock once; everything it records carries that instant.
 */
import { createHash } from "node:crypto";
import { type BusinessDayWindow, businessDayOf, isCalendarDate } from "../domain/business-day";
import { dayWindowOf } from "../domain/day-settings";
import { buildJournalEntry, type BuiltEntry, type EntryTags, isDaybookNote, type JournalEntryBody } from "../domain/journal-entry";
import {
  addSummaries, type DailySummary, emptySummary, isEmptySummary, normaliseSummary, subtractSummaries, summaryHash,
} from "../domain/summary";
import type { Warning } from "../domain/warnings";
import type { NightPlan, NightRead } from "../pos/night";
import { type CreatedJournalEntry, type QuickBooksClient, QuickBooksError, type QuickBooksTokenSource } from "../quickbooks/types";
import { formatDay } from "../report/format";
import type { MerchantSettings } from "../report/review-mode";
import { settledAt } from "../schedule/due-days";
import type { Connection, FailureKind, LocationConfig, Merchant, PendingEntry, PostedEntry, ProviderName, QuickBooksCompany, SyncFailure, SyncRecord } from "../model";
import { type Store, ConflictError } from "../store/store";
import { providerReason, unusableConnectionReason } from "./failure-reason";

export { DAYBOOK_NOTE_MARKER } from "../domain/journal-entry";
/** QuickBooks' "Account Period Closed" (6210 in real faults, 6200 in Intuit's list). */
const CLOSED_PERIOD_CODES = new Set(["6210", "6200"]);

/** QuickBooks refused an entry because its books are closed for the entry's date. */
export function isClosedPeriod(error: unknown): boolean {
  return error instanceof QuickBooksError && CLOSED_PERIOD_CODES.has(error.details.code ?? "");
}

/** Points a crash can be injected at in tests; a no-op in production. */
export type SyncStep = "after-fetch" | "after-claim" | "after-create" | "after-record";

export interface PosDay {
  summary: DailySummary;
  warnings: Warning[];
}

export interface SyncPorts {
  store: Store;
  /** Whether the merchant reviews each entry before it is posted. */
  settings: Pick<MerchantSettings, "getReviewMode">;
  /**
   * Reads the location's business day from its POS (Square or Clover), acting with the POS connection's
   * tokens, with what the POS holds as of `asOf` (the run's clock).
   */
  summarisePosDay(location: LocationConfig, connection: Connection, window: BusinessDayWindow, asOf: Date): Promise<PosDay>;
  /** A QuickBooks client for the connection's company, with a token source that refreshes. */
  quickBooksClient(connection: Connection): Promise<{ client: QuickBooksClient; tokens: QuickBooksTokenSource }>;
  /**
   * A connection's working access token from the process's token keeper (which the POS's reader and the
   * QuickBooks client ask too, sharing one opening): the night opens the POS's before it makes
   * QuickBooks' ready, so QuickBooks' refreshed tokens join the POS's data key (lib/vault/kms.ts).
   */
  accessToken?(connection: Connection): Promise<string>;
  /** Read once per run. */
  now(): Date;
  /**
   * Told once when this run found a connection refused and marked it needs-reconnect (the reconnect
   * email); the token keeper tells of the refusals it finds itself.
   */
  onNeedsReconnect?(connection: Connection): Promise<void> | void;
  checkpoint?(step: SyncStep): void | Promise<void>;
  /**
   * A location-night's one read of its POS (lib/pos/night.ts): the changes since the night's day began,
   * which make that day complete and tell which earlier days changed; those are read again in full.
   * Without it, a night reads each of its days on its own (summarisePosDay).
   */
  readPosNight?(location: LocationConfig, connection: Connection, plan: NightPlan, asOf: Date): Promise<NightRead>;
  /**
   * Until this instant daybook's own records are not trusted to say what QuickBooks holds (the table
   * was restored from a backup): every create is preceded by the DocNumber lookup
   * (DAYBOOK_RECOVERY_UNTIL). Unset, only a pending entry is looked up.
   */
  recoveryUntil?: Date;
}

export interface LocationDay {
  merchantId: string;
  locationId: string;
  businessDay: string;
}

export type SyncOutcome =
  | { status: "posted" | "adjusted"; revision: number; docNumber: string; entryId: string; txnDate: string; entry: BuiltEntry; warnings: Warning[] }
  | { status: "unchanged"; warnings: Warning[] }
  | { status: "no-sales"; warnings: Warning[] }
  | { status: "held"; reason: string; entry: BuiltEntry; warnings: Warning[] }
  | { status: "failed"; failure: SyncFailure };

/**
 * A failure the sync understands: what kind, and words for the merchant and the accountant. `detail`:
 * what the provider said (status, error code, the operation), for the operator's log only.
 */
export class SyncError extends Error {
  override name = "SyncError";
  constructor(message: string, readonly kind: FailureKind, readonly intuitTid?: string, readonly detail?: string) {
    super(message);
  }
}

export function classify(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof QuickBooksError) {
    const reason = providerReason("quickbooks", error.kind, error.details.status);
    return reason === undefined ? new SyncError(error.message, error.kind, error.details.intuitTid) : new SyncError(reason, error.kind, error.details.intuitTid, error.message);
  }
  if (error instanceof ConflictError) return new SyncError("another worker changed this day at the same time", "retryable");
  const kind = (error as { kind?: unknown } | null)?.kind;
  const message = error instanceof Error ? error.message : "the sync stopped without saying why";
  if (kind === "retryable" || kind === "needs-reconnect" || kind === "needs-merchant" || kind === "bug") {
    return new SyncError(message, kind);
  }
  return new SyncError(message, "bug");
}

/** The requestid of a create: ≤ 50 characters, and different whenever the body is. */
export function requestIdFor(realmId: string, day: LocationDay, revision: number, body: JournalEntryBody): string {
  return requestIdOf([realmId, day.merchantId, day.locationId, day.businessDay, revision, body]);
}

/** A requestid from everything that makes a create what it is (the company, what it posts, the body). */
export function requestIdOf(parts: readonly unknown[]): string {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
  return `daybook-${digest.slice(0, 40)}`;
}

const postedTotal = (record: SyncRecord | undefined, currency: string): DailySummary =>
  (record?.posted ?? []).reduce((total, entry) => addSummaries(total, entry.summary), emptySummary(currency));

/** Held for the merchant's review: the reason stored on the record and shown in the report. */
export const REVIEW_HOLD_REASON = "this business reviews each entry before daybook posts it";
export const CHANGED_SINCE_REVIEW_REASON = "the day's figures changed after it was held for review, so these are the new figures to review";

export interface SyncOptions {
  /**
   * The run approves the day (an "approve" job). In review mode a held day's entry is then posted if
   * the POS still gives exactly the figures that were held (what the reviewer saw); otherwise it is
   * held again with the new figures. A day already posted has nothing to approve. Without review mode
   * it is an ordinary run.
   */
  approve?: boolean;
  /**
   * The day as a night's one read of the POS found it (lib/sync/sync-night.ts), used instead of reading
   * the POS again; `readAt` is that run's clock, read before the POS was. `error`: the night's read
   * failed, and the day fails with it where its read would have been (after a pending entry is settled).
   */
  read?: { pos: PosDay; readAt: Date } | { error: unknown };
  /**
   * What the caller has already read for this run, so it is not read again (a night reads them once
   * for its four days): the location, the merchant, its review mode, and the day's record as it stood.
   * Every write is still conditional on that record's version, so a record another run changed since
   * fails the write (retryable) and is never overwritten.
   */
  known?: { location: LocationConfig; merchant: Merchant | undefined; reviewMode: boolean; record: SyncRecord | undefined; connections?: KnownConnections };
  /**
   * A night's re-check (lib/sync/sync-night.ts) found unchanged, whose record would change only in when
   * it was read, is left as it is, and `onLeft` told. The read stamp (lastReadAt) is what lets the next
   * night trust a day without reading it again, and the stamp is not needed on the day's own record:
   * "last-recheck", the night's oldest re-check, which no later night re-checks; "vouched", the others,
   * for which the night's own day's record vouches (`vouch`).
   */
  leaveUnchanged?: "last-recheck" | "vouched";
  /** The night's own day: the earlier days the night left unwritten, by their records' versions, kept on this day's record with its read stamp (SyncRecord.vouched). */
  vouch?: Record<string, number>;
  /** Told each record this run writes (the last one is the day as the run left it, unless it failed), so a caller need not read it back. */
  onRecord?(record: SyncRecord): void;
  /** Told the record `leaveUnchanged` left as it was. */
  onLeft?(record: SyncRecord): void;
}

/**
 * The location's connections, both found active by the caller (a night, for its days), used instead of
 * reading them again. A day that reads the QuickBooks company's settings keeps them here too, for the
 * days after it.
 */
export interface KnownConnections {
  pos: Connection;
  quickbooks: Connection;
}

type Review = "hold" | "approve" | undefined;

export async function syncLocationDay(ports: SyncPorts, day: LocationDay, options: SyncOptions = {}): Promise<SyncOutcome> {
  const { store } = ports;
  const at = ports.now();
  const { known } = options;
  const location = known ? known.location : await store.getLocation(day.merchantId, day.locationId);
  if (!location) {
    throw new SyncError(`location ${day.locationId} of merchant ${day.merchantId} is not set up in daybook`, "bug");
  }
  // Before anything is read or written: a day that has not ended and settled is never posted, whoever asks.
  assertSettled(day, location, at);
  const reviewMode = known ? known.reviewMode : await ports.settings.getReviewMode(day.merchantId);
  const review: Review = reviewMode ? (options.approve ? "approve" : "hold") : undefined;
  let record = known ? known.record : await store.getSyncRecord(day.merchantId, day.locationId, day.businessDay);
  try {
    const setRecord = (next: SyncRecord) => {
      record = next;
      options.onRecord?.(next);
    };
    return await run(ports, day, location, () => record, setRecord, {
      review, at, ...(options.read ? { read: options.read } : {}), ...(known ? { merchant: { value: known.merchant } } : {}),
      ...(known?.connections ? { connections: known.connections } : {}),
      ...(options.leaveUnchanged ? { leaveUnchanged: options.leaveUnchanged } : {}), ...(options.vouch ? { vouch: options.vouch } : {}),
      ...(options.onLeft ? { onLeft: (left: SyncRecord) => options.onLeft?.(left) } : {}),
    });
  } catch (error) {
    const failure = classify(error);
    const recorded = await recordFailure(ports, day, failure, { at, lastAttempt: false, known: record });
    if (failure.kind === "retryable" || failure.kind === "bug") throw failure;
    return { status: "failed", failure: recorded };
  }
}

/**
 * Refuses a business day that is not a calendar date, or that has not ended plus the settle delay in
 * the location's zone at `at`: its figures are not final (late card payments, tips added after
 * close), and a partial day posted would stay in the books. Retryable: the day will settle.
 */
export function assertSettled(day: LocationDay, location: Pick<LocationConfig, "timeZone" | "dayStart">, at: Date): void {
  if (!isCalendarDate(day.businessDay)) {
    throw new SyncError(`${JSON.stringify(day.businessDay)} is not a calendar date, so there is no such business day to sync.`, "bug");
  }
  const settled = settledAt(day.businessDay, location.timeZone, location.dayStart);
  if (at.getTime() < settled.getTime()) {
    throw new SyncError(
      `The business day ${day.businessDay} has not ended and settled yet in ${location.timeZone}: daybook syncs it from ${settled.toISOString()}, two hours after it ends. Nothing was posted.`,
      "retryable",
    );
  }
}

/**
 * The last attempt at the day failed (`error` is what it threw): the day is marked failed, whatever
 * the failure's kind, and the failure returned for the report. A pending entry stays: whatever runs
 * next for the day settles it before anything else.
 */
export async function markDayFailed(ports: Pick<SyncPorts, "store" | "now">, day: LocationDay, error: unknown): Promise<SyncFailure> {
  const failure = classify(error);
  const at = ports.now();
  // A location, or the whole account, deleted while its job waited in the queue: nothing is kept of it
  // (a record would bring back a deleted account's data for 13 months), and nobody is left to tell.
  if (!(await ports.store.getLocation(day.merchantId, day.locationId))) return failureRecord(failure, at);
  return recordFailure(ports, day, failure, { at, lastAttempt: true });
}

/**
 * A failure as a record keeps it: the words people read, and what the provider said for the operator.
 * QuickBooks' reference for support is kept once, on its own (the report gives it a line), not in the words.
 */
export function failureRecord(failure: SyncError, at: Date): SyncFailure {
  return {
    kind: failure.kind,
    message: failure.intuitTid ? failure.message.replace(` [intuit_tid ${failure.intuitTid}]`, "") : failure.message,
    at: at.toISOString(),
    ...(failure.intuitTid ? { intuitTid: failure.intuitTid } : {}),
    ...(failure.detail ? { detail: failure.detail } : {}),
  };
}

/**
 * Records a failure on the day's record. A retryable failure leaves the state (and any pending entry)
 * as it is, so the next attempt carries on, and counts the attempt; the others, and a last attempt,
 * mark the day failed (the last attempt was counted when it failed).
 */
async function recordFailure(
  ports: Pick<SyncPorts, "store">, day: LocationDay, failure: SyncError, options: { at: Date; lastAttempt: boolean; known?: SyncRecord | undefined },
): Promise<SyncFailure> {
  const lastError = failureRecord(failure, options.at);
  // Re-read: the failure may have come after a write.
  const latest = await ports.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay).catch((error: unknown) => {
    if (options.lastAttempt) throw error;
    return options.known;
  });
  const base: Omit<SyncRecord, "version"> = latest ? withoutVersion(latest) : {
    merchantId: day.merchantId, locationId: day.locationId, businessDay: day.businessDay,
    state: "failed", posted: [], attempts: 0, updatedAt: lastError.at,
  };
  try {
    await ports.store.saveSyncRecord(
      {
        ...base,
        state: failure.kind === "retryable" && !options.lastAttempt ? base.state : "failed",
        attempts: options.lastAttempt ? base.attempts : base.attempts + 1,
        lastError,
        updatedAt: lastError.at,
      },
      latest?.version ?? 0,
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Another run wrote the day meanwhile; its record stands, and this failure is still reported.
  }
  return lastError;
}

async function run(
  ports: SyncPorts,
  day: LocationDay,
  location: LocationConfig,
  currentRecord: () => SyncRecord | undefined,
  setRecord: (record: SyncRecord) => void,
  { review, at, read, merchant: knownMerchant, connections, leaveUnchanged, vouch, onLeft }: {
    review: Review; at: Date; read?: SyncOptions["read"]; merchant?: { value: Merchant | undefined }; connections?: KnownConnections;
  } & Pick<SyncOptions, "leaveUnchanged" | "vouch" | "onLeft">,
): Promise<SyncOutcome> {
  const { store } = ports;
  const save = async (next: Omit<SyncRecord, "version">): Promise<SyncRecord> => {
    const saved = await store.saveSyncRecord(next, currentRecord()?.version ?? 0);
    setRecord(saved);
    return saved;
  };
  // Go-live: nothing is posted before the merchant starts the location, nor any day before its first.
  if (location.awaitingStart) {
    throw new SyncError(`daybook does not post ${location.name} yet: review its mapping and start posting on the locations page`, "needs-merchant");
  }
  if (location.postingFrom !== undefined && day.businessDay < location.postingFrom) {
    throw new SyncError(`daybook posts ${location.name} from ${formatDay(location.postingFrom)}; ${formatDay(day.businessDay)} is before that, so it is not posted`, "needs-merchant");
  }
  const [posConnection, qbConnection] = connections ? [connections.pos, connections.quickbooks] : await bothConnections(location, (connectionId, isPos) =>
    activeConnection(store, location.merchantId, connectionId, isPos ? location.source : "quickbooks"));
  /** The company's settings as this run found them, kept for the days after it that share the connection. */
  const keepCompany = (company: QuickBooksCompany) => {
    if (connections && connections.quickbooks.company !== company) connections.quickbooks = { ...connections.quickbooks, company };
  };
  const { client: quickbooks } = await withReconnectMarking(ports, qbConnection, () => ports.quickBooksClient(qbConnection));
  const inRecovery = ports.recoveryUntil !== undefined && at.getTime() < ports.recoveryUntil.getTime();
  const markOnReconnect = <T>(connection: Connection, action: () => Promise<T>) => withReconnectMarking(ports, connection, action);
  const merchant = knownMerchant ? knownMerchant.value : await store.getMerchant(day.merchantId);
  // The company's settings, read once (kept on the connection: no QuickBooks call on a normal night).
  let companyRead: Promise<QuickBooksCompany> | undefined;
  const companyAsKept = () => (companyRead ??= markOnReconnect(qbConnection, () => companyOf(ports, qbConnection, quickbooks, at)));
  const contextOf = (revision: number, company: QuickBooksCompany) => ({
    source: location.source, locationId: location.locationId, businessDay: day.businessDay, revision,
    withCurrencyRef: company.multiCurrencyEnabled,
    businessName: merchant?.name ?? "", locationName: location.name, accountLabels: location.accountLabels ?? {}, tags: entryTagsOf(location),
  });

  /**
   * Posts a claimed entry: created at once, or after the DocNumber lookup (postPending) when `lookup`
   * says daybook's record cannot be trusted to know. When QuickBooks refuses something the entry names (an account,
   * the Location or Class: lib/sync/refusals.ts), nothing was created: the claim is void, and the day
   * fails saying what changed and what to do.
   */
  const postClaim = async (claim: Claim, lookup = true): Promise<CreatedJournalEntry> => {
    try {
      return await markOnReconnect(qbConnection, () => (lookup ? postPending(quickbooks, claim) : quickbooks.createJournalEntry(claim.body, claim.requestId)));
    } catch (error) {
      const lines = claim.body.Line.map((line) => ({ accountId: line.JournalEntryLineDetail.AccountRef.value, description: line.Description }));
      // Only QuickBooks' refusals are explained (refusals.ts, loaded then: a night QuickBooks takes the entry needs none of it).
      if (!(error instanceof QuickBooksError)) throw error;
      const explained = await (await import("./refusals")).explainRefusal({ store }, quickbooks, location, lines, error);
      if (explained === undefined) throw error;
      const record = currentRecord();
      if (record?.pending) {
        const { pending: _void, ...rest } = withoutVersion(record);
        await save({ ...rest, updatedAt: at.toISOString() });
      }
      throw new SyncError(explained, "needs-merchant", error.details.intuitTid);
    }
  };

  /**
   * The entry a claim holds no body of (a claim keeps only its summary: lib/store/sync-records.ts), built
   * again as it was claimed: the same summary, revision and date, under the location's mapping and
   * names as they are now. Its requestid says whether it is the very body claimed.
   */
  const rebuilt = async (pending: PendingEntry): Promise<Claim> => {
    const built = buildJournalEntry(pending.summary, location.mapping, {
      ...contextOf(pending.revision, await companyAsKept()),
      ...(pending.txnDate === undefined ? {} : { txnDate: pending.txnDate, note: closedPeriodNote(pending.txnDate, day.businessDay) }),
    });
    if (!built.journalEntry) throw new SyncError(`the entry left pending for ${formatDay(day.businessDay)} cannot be built again from its figures`, "bug");
    return claimOf(qbConnection.externalId, day, pending.revision, built.docNumber, built.journalEntry, pending.summary, pending.startedAt);
  };

  /**
   * Settles an entry a crash left pending: re-sent as claimed unless QuickBooks has it (postPending).
   * When the entry built again is not the body claimed (the mapping or a name changed since), only
   * QuickBooks can say whether the claimed one went in: found, it is adopted; not found, nothing of the
   * claim was created, and the entry as built now is claimed in its place (its own requestid) and posted.
   */
  const settlePending = async (pending: PendingEntry): Promise<{ claim: PendingEntry; created: CreatedJournalEntry }> => {
    if (pending.body) return { claim: pending, created: await postClaim({ ...pending, body: pending.body }) };
    const again = await rebuilt(pending);
    if (again.requestId === pending.requestId) return { claim: pending, created: await postClaim(again) };
    const found = await markOnReconnect(qbConnection, () => findPending(quickbooks, pending));
    if (found) return { claim: pending, created: found };
    const record = currentRecord();
    if (!record) throw new SyncError("the pending entry's record disappeared", "bug");
    await save({ ...withoutVersion(record), pending: stored(again, day), updatedAt: at.toISOString() });
    return { claim: again, created: await postClaim(again, false) };
  };

  // (1) An entry a crash left pending is settled first, so what follows starts from the truth.
  const pending = currentRecord()?.pending;
  if (pending) {
    const settled = await settlePending(pending);
    const record = currentRecord();
    if (!record) throw new SyncError("the pending entry's record disappeared", "bug");
    await save(settle(record, settled.claim, settled.created, at));
    await ports.checkpoint?.("after-record");
  }

  let company = await companyAsKept();
  keepCompany(company);
  assertSameCurrency(company, location);

  // The day's own settings: a later change of day start or zone never moves a day already posted.
  const given = read && "pos" in read ? read : undefined;
  const readAt = given?.readAt ?? at;
  const readDay = async (): Promise<PosDay> => {
    if (read && "error" in read) throw read.error;
    return ports.summarisePosDay(location, posConnection, dayWindowOf(location, day.businessDay), at);
  };
  const { summary, warnings: summaryWarnings }: PosDay = given ? given.pos : await markOnReconnect(posConnection, readDay);
  await ports.checkpoint?.("after-fetch");
  // The read stamp, and what the night vouches for as of it: always written together (SyncRecord.vouched).
  const lastRead = { lastSummary: normaliseSummary(summary), lastReadAt: readAt.toISOString(), ...(vouch ? { vouched: vouch } : {}) };

  const before = currentRecord();
  const alreadyPosted = postedTotal(before, location.currency);
  const delta = subtractSummaries(summary, alreadyPosted);
  const base: Omit<SyncRecord, "version"> = before ? withoutVouch(withoutVersion(before)) : {
    merchantId: day.merchantId, locationId: day.locationId, businessDay: day.businessDay,
    state: "no-sales", posted: [], attempts: 0, updatedAt: at.toISOString(),
  };
  const nowIso = at.toISOString();

  if (isEmptySummary(delta)) {
    const state = base.posted.length === 0 ? "no-sales" : "posted";
    const next: Omit<SyncRecord, "version"> = { ...withoutError(base), state, ...lastRead, attempts: 0, updatedAt: nowIso };
    if (leaveUnchanged && before && onlyReadStampDiffers(before, next)) onLeft?.(before);
    else await save(next);
    return { status: state === "no-sales" ? "no-sales" : "unchanged", warnings: summaryWarnings };
  }

  const revision = base.posted.length;
  const context = () => contextOf(revision, company);
  let entry = buildJournalEntry(delta, location.mapping, context());
  const warnings = [...summaryWarnings, ...entry.warnings];
  const reviewHold = reviewHoldReason(review, before, summary);
  if (entry.held || !entry.journalEntry || reviewHold) {
    const reason = entry.holdReason ?? reviewHold ?? "nothing to post";
    await save({ ...base, state: "held", heldReason: reason, ...lastRead, updatedAt: nowIso });
    return { status: "held", reason, entry, warnings };
  }

  // (2) Claim the revision: write what is about to be posted before posting it (its summary and date: the body is built again from them).
  const claim = (body: JournalEntryBody): Claim => claimOf(qbConnection.externalId, day, revision, entry.docNumber, body, delta, nowIso);
  let claimed = claim(entry.journalEntry);
  await save({ ...base, state: "posting", pending: stored(claimed, day), ...lastRead, updatedAt: nowIso });
  await ports.checkpoint?.("after-claim");

  // Where the record can be trusted, nothing of this revision can be in QuickBooks yet: no lookup.
  const post = (pending: Claim) => postClaim(pending, inRecovery);
  /** Claims a rebuilt entry in place of the refused one (nothing of the refused one was created) and posts it. */
  const reclaimAndPost = async (rebuilt: BuiltEntry): Promise<CreatedJournalEntry> => {
    if (!rebuilt.journalEntry) throw new SyncError("the rebuilt entry is empty", "bug");
    entry = rebuilt;
    claimed = claim(rebuilt.journalEntry);
    const record = currentRecord();
    if (!record) throw new SyncError("the claimed record disappeared", "bug");
    await save({ ...withoutVersion(record), pending: stored(claimed, day), updatedAt: nowIso });
    return post(claimed);
  };

  let created: CreatedJournalEntry;
  try {
    created = await post(claimed);
  } catch (error) {
    if (error instanceof QuickBooksError && CLOSED_PERIOD_CODES.has(error.details.code ?? "")) {
      // The books are closed for the business day: the entry goes in today, saying which day it is for.
      const today = businessDayOf(at.getTime(), location.timeZone);
      created = await reclaimAndPost(buildJournalEntry(delta, location.mapping, {
        ...context(), txnDate: today, note: closedPeriodNote(today, day.businessDay),
      }));
    } else if (refusedForCompanySettings(error)) {
      // The kept settings may be out of date (multicurrency switched on since): read them again.
      const fresh = await markOnReconnect(qbConnection, () => companyOf(ports, qbConnection, quickbooks, at, { refresh: true }));
      keepCompany(fresh);
      if (fresh.multiCurrencyEnabled === company.multiCurrencyEnabled && fresh.homeCurrency === company.homeCurrency) throw error;
      company = fresh;
      assertSameCurrency(company, location);
      created = await reclaimAndPost(buildJournalEntry(delta, location.mapping, context()));
    } else {
      throw error;
    }
  }
  await ports.checkpoint?.("after-create");

  const record = currentRecord();
  if (!record) throw new SyncError("the claimed record disappeared", "bug");
  await save(settle(record, claimed, created, at));
  await ports.checkpoint?.("after-record");
  return {
    status: revision === 0 ? "posted" : "adjusted",
    revision, docNumber: created.docNumber, entryId: created.id, txnDate: created.txnDate, entry, warnings,
  };
}

/**
 * The company's settings, as kept on its connection; read from QuickBooks (and kept) only when the
 * connection has none yet or `refresh` says they may be out of date.
 */
/**
 * The QuickBooks company's settings as kept on the connection (issue 17: no QuickBooks read on a normal
 * night), read from QuickBooks and kept when the connection has none or `refresh` asks (a create refused
 * for a reason they explain: refusedForCompanySettings).
 */
export async function companyOf(
  ports: Pick<SyncPorts, "store">, connection: Connection, quickbooks: QuickBooksClient, at: Date, options: { refresh?: boolean } = {},
): Promise<QuickBooksCompany> {
  if (connection.company && !options.refresh) return connection.company;
  const settings = await quickbooks.getCompanySettings();
  const company: QuickBooksCompany = { ...settings, readAt: at.toISOString() };
  try {
    await ports.store.setConnectionCompany(connection.merchantId, connection.connectionId, company);
  } catch (error) {
    // A connection removed meanwhile: this run still uses what QuickBooks said.
    if (!(error instanceof ConflictError)) throw error;
  }
  return company;
}

function assertSameCurrency(company: QuickBooksCompany, location: LocationConfig): void {
  if (company.homeCurrency === location.currency) return;
  throw new SyncError(
    `The QuickBooks company "${company.companyName}" keeps its books in ${company.homeCurrency}, but this location sells in ${location.currency}; daybook cannot post across currencies yet.`,
    "needs-merchant",
  );
}

/** A create refused for a reason the company's settings explain: a currency the books do not expect. */
export function refusedForCompanySettings(error: unknown): boolean {
  if (!(error instanceof QuickBooksError) || error.details.status !== 400) return false;
  return /currency/i.test(`${error.details.detail ?? ""} ${error.message}`);
}

/** Why review mode holds this entry, or undefined when it may be posted. */
function reviewHoldReason(review: Review, before: SyncRecord | undefined, summary: DailySummary): string | undefined {
  if (!review) return undefined;
  if (review === "hold") return REVIEW_HOLD_REASON;
  const reviewed = before?.state === "held" && before.lastSummary !== undefined ? summaryHash(before.lastSummary) : undefined;
  return reviewed === summaryHash(summary) ? undefined : CHANGED_SINCE_REVIEW_REASON;
}

/** Posts a pending entry unless QuickBooks already has it: DocNumber first, then the create. */
function postPending(quickbooks: QuickBooksClient, pending: Claim): Promise<CreatedJournalEntry> {
  return postUnlessPosted(quickbooks, pending, { isOurs: isDaybookNote, fingerprint: summaryHash(pending.summary), what: "this day" });
}

/** The pending entry as QuickBooks holds it (by its DocNumber and the hash of its figures), or undefined when it holds none. */
function findPending(quickbooks: QuickBooksClient, pending: PendingEntry): Promise<CreatedJournalEntry | undefined> {
  return findPosted(quickbooks, pending, { isOurs: isDaybookNote, fingerprint: summaryHash(pending.summary), what: "this day" });
}

/** A claim with the body it posts: what a run holds; the record keeps it without (stored). */
type Claim = PendingEntry & { body: JournalEntryBody };

function claimOf(realmId: string, day: LocationDay, revision: number, docNumber: string, body: JournalEntryBody, summary: DailySummary, startedAt: string): Claim {
  return { revision, docNumber, requestId: requestIdFor(realmId, day, revision, body), body, summary, startedAt };
}

/** The claim as the record keeps it: no body; its date only when it is not the business day's. */
function stored(claim: Claim, day: LocationDay): PendingEntry {
  const { body, ...kept } = claim;
  return body.TxnDate === day.businessDay ? kept : { ...kept, txnDate: body.TxnDate };
}

/** What an entry dated after its business day says of it (QuickBooks' books closed for the day). */
function closedPeriodNote(txnDate: string, businessDay: string): string {
  return `Dated ${txnDate} because the QuickBooks books are closed for ${businessDay}`;
}

/**
 * Creates a claimed entry unless QuickBooks already has it: its DocNumber first, then the create with
 * the claim's requestid. An entry whose PrivateNote `isOurs` says daybook wrote is the claimed one when
 * it carries `fingerprint` (the hash of what it posts); any other is a conflict for a person.
 */
export async function postUnlessPosted(
  quickbooks: QuickBooksClient,
  claim: { docNumber: string; requestId: string; body: JournalEntryBody },
  how: { isOurs: (note: string | undefined) => boolean; fingerprint: string; what: string },
): Promise<CreatedJournalEntry> {
  return (await findPosted(quickbooks, claim, how)) ?? quickbooks.createJournalEntry(claim.body, claim.requestId);
}

/**
 * The claimed entry if QuickBooks holds it under its DocNumber (daybook's, carrying `fingerprint`);
 * undefined if it holds none; an error for one with other figures or not daybook's.
 */
async function findPosted(
  quickbooks: QuickBooksClient,
  claim: { docNumber: string },
  { isOurs, fingerprint, what }: { isOurs: (note: string | undefined) => boolean; fingerprint: string; what: string },
): Promise<CreatedJournalEntry | undefined> {
  const found = await quickbooks.findJournalEntries({ docNumber: claim.docNumber });
  const ours = found.filter((candidate) => isOurs(candidate.privateNote));
  if (ours.length > 0) {
    const same = ours.find((candidate) => candidate.privateNote?.includes(fingerprint));
    if (same) return same;
    throw new SyncError(
      `QuickBooks already holds entry ${claim.docNumber} from daybook with other figures than daybook recorded; it needs a look before anything more is posted for ${what}.`,
      "bug",
    );
  }
  if (found.length > 0) {
    throw new SyncError(
      `QuickBooks already holds a journal entry numbered ${claim.docNumber} that daybook did not make; rename it in QuickBooks so daybook can post ${what}.`,
      "needs-merchant",
    );
  }
  return undefined;
}

/** The location's QuickBooks Location and Class, as the entry builders (a day's, a payout's) take them. */
export function entryTagsOf(location: LocationConfig): EntryTags {
  const tags = location.quickBooksTags;
  return { ...(tags?.location ? { departmentId: tags.location.id } : {}), ...(tags?.class ? { classId: tags.class.id } : {}) };
}

function settle(record: SyncRecord, pending: PendingEntry, created: CreatedJournalEntry, now: Date): Omit<SyncRecord, "version"> {
  const posted: PostedEntry = {
    revision: pending.revision, docNumber: created.docNumber, entryId: created.id, txnDate: created.txnDate,
    requestId: pending.requestId, summary: pending.summary, postedAt: now.toISOString(),
  };
  const { pending: _settled, ...rest } = withoutError(record);
  return { ...rest, state: "posted", posted: [...record.posted, posted], attempts: 0, updatedAt: now.toISOString() };
}

/** Whether `next` is `record` but for when the day was read (and the record written): same figures, state and entries. */
function onlyReadStampDiffers(record: SyncRecord, next: Omit<SyncRecord, "version">): boolean {
  const { version: _version, lastReadAt: _read, vouched: _vouched, updatedAt: _updated, lastSummary: was, ...rest } = record;
  const { lastReadAt: _nextRead, vouched: _nextVouched, updatedAt: _nextUpdated, lastSummary: is, ...nextRest } = next;
  return was !== undefined && is !== undefined && summaryHash(was) === summaryHash(is) && JSON.stringify(rest) === JSON.stringify(nextRest);
}

/** A vouch holds as of the record's read stamp only: a write that stamps the record anew drops it, or sets a new one (SyncRecord.vouched). */
function withoutVouch<T extends { vouched?: Record<string, number> }>(record: T): Omit<T, "vouched"> {
  const { vouched: _dropped, ...rest } = record;
  return rest;
}

function withoutVersion(record: SyncRecord): Omit<SyncRecord, "version"> {
  const { version: _version, ...rest } = record;
  return rest;
}

function withoutError<T extends { lastError?: SyncFailure; version?: number }>(record: T): Omit<T, "lastError" | "version"> {
  const { lastError: _cleared, version: _version, ...rest } = record;
  return rest;
}

/**
 * The location's POS and QuickBooks connections, read at once; when both fail, the POS's failure is
 * the one thrown, as when they were read one after the other.
 */
export async function bothConnections(
  location: Pick<LocationConfig, "posConnectionId" | "quickbooksConnectionId">, read: (connectionId: string, isPos: boolean) => Promise<Connection>,
): Promise<[Connection, Connection]> {
  const [pos, quickBooks] = await Promise.allSettled([read(location.posConnectionId, true), read(location.quickbooksConnectionId, false)]);
  if (pos.status === "rejected") throw pos.reason;
  if (quickBooks.status === "rejected") throw quickBooks.reason;
  return [pos.value, quickBooks.value];
}

export async function activeConnection(store: Store, merchantId: string, connectionId: string, provider: ProviderName): Promise<Connection> {
  const connection = await store.getConnection(merchantId, connectionId);
  if (!connection) throw new SyncError(unusableConnectionReason(provider, "missing"), "needs-reconnect");
  if (connection.status !== "active") {
    throw new SyncError(unusableConnectionReason(provider, "needs-reconnect"), "needs-reconnect", undefined, connection.statusReason);
  }
  return connection;
}

/**
 * Runs a provider call; when it says the connection is dead, the connection is marked so, and the
 * merchant told, before the error goes on. A connection the token keeper already marked (a refused
 * refresh) is left as it is: the keeper has told the merchant.
 */
export async function withReconnectMarking<T>(ports: Pick<SyncPorts, "store" | "onNeedsReconnect">, connection: Connection, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const failure = classify(error);
    const worded = inPlainWords(error, failure, connection.provider);
    if (failure.kind !== "needs-reconnect") throw worded;
    const latest = await ports.store.getConnection(connection.merchantId, connection.connectionId);
    if (latest?.status !== "active") throw worded;
    await ports.store.setConnectionStatus(connection.merchantId, connection.connectionId, "needs-reconnect", worded instanceof SyncError ? worded.message : failure.message);
    try {
      await ports.onNeedsReconnect?.(connection);
    } catch {
      // Telling the merchant failed; the day's failure report and alert still say it.
    }
    throw worded;
  }
}

/**
 * What a provider's client threw, in a person's words (lib/sync/failure-reason.ts), naming the provider
 * of the connection it was made with (the token keeper's OAuthError does not say which). daybook's own
 * failures go on as they are, and so do QuickBooks' (the caller may explain a refusal: refusals.ts;
 * classify words the rest).
 */
function inPlainWords(error: unknown, failure: SyncError, provider: ProviderName): unknown {
  // Only a provider's client says what kind of failure its answer was; anything else is daybook's own.
  const said = error as { kind?: unknown; status?: unknown } | null;
  if (error instanceof SyncError || error instanceof QuickBooksError || typeof said?.kind !== "string") return error;
  const status = said.status;
  const reason = providerReason(provider, failure.kind, typeof status === "number" ? status : undefined);
  return reason === undefined ? error : new SyncError(reason, failure.kind, failure.intuitTid, failure.message);
}
