/**
 * A Square location's payouts, each posted exactly once (ACCOUNTING.md "Payouts (deposits)",
 * docs/accounting.md "Payouts (Square)"): once a night, the payouts created or changed since the last
 * run are read; a new one posts its deposit (or, failed at once, what it still carried); one daybook
 * posted and Square now reports FAILED posts its reversal; nothing else is ever posted again.
 *
 * Exactly once, with the day's machinery (lib/sync/sync-day.ts): each payout has its own record (keyed
 * by the payout's tag); the entry is claimed in it (a conditional write) before the create, which
 * carries a requestid derived from the body; a claim a crash left pending is settled first, by its
 * DocNumber in QuickBooks (postUnlessPosted) and, if absent, by the very same create. The location's
 * read-from instant moves on only when a run ends, and never past a payout that is held or failed, so
 * a crash, a held payout or a failure is read again the next night.
 *
 * Square is read as little as the run needs: one listing, the listed payouts' records looked up (one
 * GetItem each), then the entries of those whose record cannot settle what they need without them
 * (needsEntries): on a normal night, the one new payout's.
 *
 * A Square connection made before daybook asked for PAYOUTS_READ posts no payouts: the merchant is
 * asked once to reconnect, and the days keep posting meanwhile.
 */
import { businessDayOf } from "../domain/business-day";
import { payoutTag } from "../domain/doc-number";
import { formatDay } from "../report/format";
import { postsPayouts } from "../domain/mapping";
import type { Warning } from "../domain/warnings";
import type { Connection, LocationConfig, PayoutCheck, PayoutRecord, PayoutSkip, PendingPayoutEntry, SyncFailure } from "../model";
import { SquareRequestError } from "../pos/square/errors";
import { mapLimited } from "../schedule/limited";
import type { CompanySettings, QuickBooksClient } from "../quickbooks/types";
import type { PayoutKeys, PayoutStore } from "../store/payouts";
import { businessDayExpiresAt } from "../store/retention";
import { ConflictError } from "../store/store";
import {
  activeConnection, classify, companyOf, entryTagsOf, failureRecord, isClosedPeriod, postUnlessPosted, refusedForCompanySettings, requestIdOf, SyncError,
  type SyncPorts, withReconnectMarking,
} from "../sync/sync-day";
import { type BuiltPayoutEntry, buildPayoutEntry, buildPayoutReversal, isPayoutNote, linesHash, type PayoutEntryContext } from "./payout-entry";
import type { Payout, PayoutEntry } from "./payout";
import { beforeDaybook, payoutKeepsItsEntries, resummarisePayout, summarisePayout, type PayoutSummary } from "./payout-summary";

/** The scope ListPayouts and ListPayoutEntries need. */
export const PAYOUTS_SCOPE = "PAYOUTS_READ";
/** A location's first run posts the payouts of the week before. */
export const FIRST_RUN_LOOKBACK_MS = 7 * 86_400_000;
/** Each run reads again a day before the last one: Square's lists can lag behind its clock. */
export const READ_OVERLAP_MS = 86_400_000;
/** ListPayoutEntries reads at once (a night's new payouts: one, seldom more; a first run's week: a few). */
const ENTRIES_AT_ONCE = 4;
/** Payout records looked up at once (one GetItem each). */
const RECORDS_AT_ONCE = 8;

/** Square's answer to a run's listing (lib/pos/square/payouts.ts): the payouts, and how to read one's entries. */
export interface ListedPayouts {
  /** The location's payouts created or changed since the time asked, oldest first, without their entries (one ListPayouts read). */
  payouts: Payout[];
  /** Every entry of one of them (ListPayoutEntries; none for a SIMPLE payout). */
  entriesOf: (payout: Payout) => Promise<PayoutEntry[]>;
}

export interface PayoutPorts extends Pick<SyncPorts, "store" | "quickBooksClient" | "now" | "onNeedsReconnect" | "checkpoint"> {
  payouts: PayoutStore;
  /** The location's payouts created or changed at or after `sinceMs` (lib/pos/square/payouts.ts), their entries read on demand. */
  listPayouts(connection: Connection, locationId: string, sinceMs: number): Promise<ListedPayouts>;
  /** Tells the merchant that this Square connection must be made again for daybook to read payouts: "held" when the email caps held it back. */
  askToReconnectForPayouts(connection: Connection): Promise<"sent" | "held" | "nobody">;
}

export type PayoutResult = "posted" | "reversed" | "unchanged" | "nothing-to-post" | "held" | "failed" | "before-daybook";

export interface PayoutOutcome {
  tag: string;
  arrivalDate: string;
  amount: number;
  currency: string;
  result: PayoutResult;
  /** The entry posted by this run. */
  docNumber?: string;
  /** Why it is held, failed, or posts nothing. */
  reason?: string;
  warnings: Warning[];
}

export type PayoutRun =
  /** Not a Square location, or no payouts section in its mapping: payouts are not posted. */
  | { status: "not-mapped" }
  /** The Square connection lacks PAYOUTS_READ; `asked`: this run sent the one email. */
  | { status: "needs-scope"; asked: boolean }
  | { status: "done"; payouts: PayoutOutcome[] }
  /** Nothing could be read or posted (a connection refused, QuickBooks in another currency). */
  | { status: "failed"; failure: SyncFailure };

export interface LocationRef {
  merchantId: string;
  locationId: string;
}

/** Whether a connection was made with the scope payouts need (connections from before it was asked for were not). */
export function grantsPayouts(connection: Pick<Connection, "provider" | "grantedScopes">): boolean {
  return connection.provider !== "square" || (connection.grantedScopes ?? []).includes(PAYOUTS_SCOPE);
}

/**
 * A payout Square listed, as far as a run has read it: its record, once looked up (`found`; its
 * record undefined when there is none), and its entries, once read. Entries are read only for the
 * payouts that need them (needsEntries), after their records are looked up.
 */
export interface ReadPayout {
  payout: Payout;
  found?: { record: PayoutRecord | undefined };
  entries?: PayoutEntry[];
}

/** Square's listing as read so far, and its entries' reader. */
export interface ListedRead {
  payouts: ReadPayout[];
  entriesOf: ListedPayouts["entriesOf"];
}

/**
 * Square's payouts read ahead of their run (the night job reads them while it reads the POS:
 * lib/worker/night-payouts.ts), as the run would read them first: the location's check, the Square
 * connection read with, which key its records are under, and what Square answered with each payout's
 * record and the entries of those that need them (or how the read failed, which the run then meets as
 * its own read's failure).
 */
export interface PayoutReadAhead {
  at: Date;
  check: PayoutCheck | undefined;
  connectionId: string;
  /** Which key the location's records are under, as the run works it out (keysOf), when found; the records in `listed` were looked up under it. */
  keys?: PayoutKeys;
  listed: ListedRead | { error: unknown };
}

/**
 * Whether a run must read a payout's entries, given its record (docs/accounting.md "Posting payouts,
 * night by night"): only when it may build an entry from them.
 * - No record: a new payout, whose deposit (or what a failed one carried) is built from its entries.
 * - A record held or failed before anything was posted: built again from Square's entries as they are now.
 * - A record whose kept summary is not of the payout Square lists (another amount, currency or type):
 *   read again rather than trusted.
 * Not for a SIMPLE payout (it has none), nor for a record that settles what it needs from itself:
 * an entry posted (a deposit, or what a failed payout carried: what remains is the reversal, built from
 * Square's status and the deposit as posted, or the record's update); a claim a crash left pending (its
 * body is in the record: settling it finds or re-creates that very entry); a payout that posts nothing
 * (nothing-to-post, before-daybook: never posted later). Their summaries are brought up to Square's
 * listing (resummarisePayout): the entries of a payout are fixed when Square makes it.
 */
export function needsEntries(record: PayoutRecord | undefined, payout: Payout): boolean {
  if (payout.type === "SIMPLE") return false;
  if (!record || !payoutKeepsItsEntries(record.summary, payout)) return true;
  if (record.pending || record.posted.length > 0) return false;
  return record.state !== "nothing-to-post" && record.state !== "before-daybook";
}

/** Which key a location's records are under: its check's, or for a first run (no check) by creation unless a first run of before left records by tag. */
function keysFor(ports: PayoutPorts, ref: LocationRef, check: PayoutCheck | undefined): Promise<PayoutKeys | "moving"> {
  return check
    ? Promise.resolve(check.payoutKeys ?? "by-tag")
    : ports.payouts.hasRecordsByTag(ref.merchantId, ref.locationId).then((byTag) => (byTag ? "by-tag" : "by-creation"));
}

/** The record of each payout not looked up yet: one GetItem each, its key made from Square's answer (the tag, and its creation when the records are keyed so), a few at once. */
async function lookUpRecords(ports: PayoutPorts, ref: LocationRef, payouts: ReadPayout[], keys: PayoutKeys): Promise<ReadPayout[]> {
  return mapLimited(payouts, RECORDS_AT_ONCE, async (read) => read.found ? read : {
    ...read,
    found: { record: await ports.payouts.getPayout(ref.merchantId, ref.locationId, payoutTag(read.payout.id), keys === "by-creation" ? read.payout.createdAt : undefined) },
  });
}

/** The entries of each payout looked up that needs them (needsEntries) and has none yet, a few at once. */
async function readNeededEntries(listed: ListedRead): Promise<ReadPayout[]> {
  return mapLimited(listed.payouts, ENTRIES_AT_ONCE, async (read) =>
    read.found && read.entries === undefined && needsEntries(read.found.record, read.payout) ? { ...read, entries: await listed.entriesOf(read.payout) } : read);
}

/**
 * Reads ahead what postPayouts reads first: the check, Square's listing, the listed payouts' records,
 * and the entries of those that need them. Never rejects: undefined when there is nothing to read ahead
 * (the check or the connection could not be read, the connection lacks PAYOUTS_READ, or the records
 * are being moved, which the run refuses), and the run then reads as it would have, meeting any failure
 * in its own words. Records that could not be looked up are looked up by the run (and their entries
 * read then).
 */
export async function readPayoutsAhead(ports: PayoutPorts, ref: LocationRef, location: LocationConfig): Promise<PayoutReadAhead | undefined> {
  const at = ports.now();
  let check: PayoutCheck | undefined;
  let connection: Connection;
  try {
    [check, connection] = await Promise.all([
      ports.payouts.getCheck(ref.merchantId, ref.locationId),
      activeConnection(ports.store, ref.merchantId, location.posConnectionId, "square"),
    ]);
  } catch {
    return undefined;
  }
  if (!grantsPayouts(connection) || check?.payoutKeys === "moving") return undefined;
  // While Square lists: which key the records are under (a first run's two queries). Never rejects.
  const keying = keysFor(ports, ref, check).then((keys) => (keys === "moving" ? undefined : keys), () => undefined);
  let listed: ListedPayouts;
  try {
    listed = await ports.listPayouts(connection, location.locationId, readFromOf(check, at));
  } catch (error) {
    await keying;
    return { at, check, connectionId: connection.connectionId, listed: { error } };
  }
  const keys = await keying;
  const ahead = { at, check, connectionId: connection.connectionId, ...(keys ? { keys } : {}) };
  let read: ListedRead = { payouts: listed.payouts.map((payout) => ({ payout })), entriesOf: listed.entriesOf };
  if (keys) {
    try {
      read = { ...read, payouts: await lookUpRecords(ports, ref, read.payouts, keys) };
    } catch {
      // The run looks them up, and reads the entries they need then.
    }
  }
  try {
    return { ...ahead, listed: { ...read, payouts: await readNeededEntries(read) } };
  } catch (error) {
    return { ...ahead, listed: { error } };
  }
}

/** A run meeting the location's payout records while they are moved (lib/store/payouts.ts movePayoutKeys): a record read now could be missed. */
const beingMoved = () => new SyncError("the location's payout records are being moved to new keys; the next attempt posts its payouts", "retryable");

/** Where a run reads from: the check's instant, or a first run's week back. */
function readFromOf(check: PayoutCheck | undefined, at: Date): number {
  return check ? Date.parse(check.readFrom) : at.getTime() - FIRST_RUN_LOOKBACK_MS;
}

/**
 * Posts the location's new and changed payouts. Never throws for a provider's failure: a failure is
 * returned and kept on the location's check (or, for one payout only the merchant can fix, on its
 * record), and the next night reads the same payouts again. `known`: the location as the caller just
 * read it (the night job, deciding whether to load this module), instead of reading it again.
 * `ahead`: what readPayoutsAhead read for this run (its clock, check and Square's answer), used when
 * the location's Square connection is still the one it read with.
 */
export async function postPayouts(ports: PayoutPorts, ref: LocationRef, known?: LocationConfig, ahead?: PayoutReadAhead): Promise<PayoutRun> {
  const at = ahead?.at ?? ports.now();
  const location = known ?? (await ports.store.getLocation(ref.merchantId, ref.locationId));
  if (!location || !postsPayouts(location)) return { status: "not-mapped" };
  const check = ahead ? ahead.check : await ports.payouts.getCheck(ref.merchantId, ref.locationId);
  // Which key the location's records are under. A location's first run (no check yet) keys them by creation,
  // unless a first run of before, which ended before saving the check, left records under the tag's key.
  // As the read ahead found it, from the same check.
  let keying: Promise<PayoutKeys | "moving"> | undefined = ahead?.keys ? Promise.resolve(ahead.keys) : undefined;
  const keysOf = () => (keying ??= keysFor(ports, ref, check));
  const saveCheck = async (readFrom: string, lastError?: SyncFailure) => {
    const keys = await keysOf();
    try {
      await ports.payouts.saveCheck({
        ...ref, readFrom, lastRunAt: at.toISOString(), ...(lastError ? { lastError } : {}), ...(keys !== "by-tag" ? { payoutKeys: keys } : {}),
      }, check?.version ?? 0);
    } catch (error) {
      // Another run saved the check meanwhile; the next run reads from the earlier of the two, which is this one's.
      if (!(error instanceof ConflictError)) throw error;
    }
  };
  const readFromMs = readFromOf(check, at);
  if (check?.payoutKeys === "moving") {
    return failedRun(beingMoved(), check.readFrom, saveCheck, at);
  }

  let posConnection: Connection;
  let qbConnection: Connection;
  try {
    // Both at once; a refused Square connection is the failure said first, as when they were read in turn.
    const [pos, books] = await Promise.allSettled([
      activeConnection(ports.store, ref.merchantId, location.posConnectionId, "square"),
      activeConnection(ports.store, ref.merchantId, location.quickbooksConnectionId, "quickbooks"),
    ]);
    if (pos.status === "rejected") throw pos.reason;
    if (books.status === "rejected") throw books.reason;
    posConnection = pos.value;
    qbConnection = books.value;
  } catch (error) {
    return failedRun(error, check?.readFrom ?? new Date(readFromMs).toISOString(), saveCheck, at);
  }
  if (!grantsPayouts(posConnection)) return askForScope(ports, posConnection, at);

  let keys: PayoutKeys;
  try {
    const found = await keysOf();
    // Only a check read "moving" says so, and that run was refused above.
    if (found === "moving") throw beingMoved();
    keys = found;
  } catch (error) {
    return failedRun(error, new Date(readFromMs).toISOString(), saveCheck, at);
  }
  // Read ahead with this very connection: Square's answer then (with the records and entries read so
  // far), or its failure met here as the read's. What is not read yet is read now: the records of the
  // listed payouts, then the entries of those that need them.
  const early = ahead?.connectionId === posConnection.connectionId ? ahead.listed : undefined;
  // Square's reads in its words, a missing scope asked for.
  const fromSquare = <T>(read: () => Promise<T>) => withReconnectMarking(ports, posConnection, async () => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof SquareRequestError && error.code === "INSUFFICIENT_SCOPES") throw new MissingScope();
      throw error;
    }
  });
  let listed: ReadPayout[];
  try {
    let read = await fromSquare(async (): Promise<ListedRead> => {
      if (early) {
        if ("error" in early) throw early.error;
        return early;
      }
      const now = await ports.listPayouts(posConnection, location.locationId, readFromMs);
      return { payouts: now.payouts.map((payout) => ({ payout })), entriesOf: now.entriesOf };
    });
    read = { ...read, payouts: await lookUpRecords(ports, ref, read.payouts, keys) };
    listed = await fromSquare(() => readNeededEntries(read));
  } catch (error) {
    if (error instanceof MissingScope) return askForScope(ports, posConnection, at);
    return failedRun(error, new Date(readFromMs).toISOString(), saveCheck, at);
  }

  let quickbooks: QuickBooksClient;
  try {
    ({ client: quickbooks } = await withReconnectMarking(ports, qbConnection, () => ports.quickBooksClient(qbConnection)));
  } catch (error) {
    return failedRun(error, new Date(readFromMs).toISOString(), saveCheck, at);
  }
  let company: CompanySettings | undefined;
  const run: PayoutRunContext = {
    ports, location, qbConnection, quickbooks, at, keys,
    async company(options = {}) {
      // As kept on the connection, as the days use them: no QuickBooks read on a normal night.
      if (company === undefined || options.refresh) company = await withReconnectMarking(ports, qbConnection, () => companyOf(ports, qbConnection, quickbooks, at, options));
      if (company.homeCurrency !== location.currency) {
        throw new SyncError(
          `The QuickBooks company "${company.companyName}" keeps its books in ${company.homeCurrency}, but this location sells in ${location.currency}; daybook cannot post its payouts across currencies.`,
          "needs-merchant",
        );
      }
      return company;
    },
  };

  const outcomes: PayoutOutcome[] = [];
  let readFrom = at.getTime() - READ_OVERLAP_MS;
  try {
    for (const { payout, found, entries } of listed) {
      if (!found) throw new SyncError(`the record of payout ${payoutTag(payout.id)} was not looked up; this is a bug`, "bug");
      const options = { timeZone: location.timeZone, dayStart: location.dayStart };
      let summary: PayoutSummary;
      if (entries) summary = summarisePayout(payout, entries, options);
      else if (payout.type === "SIMPLE") summary = summarisePayout(payout, [], options);
      else if (found.record && !needsEntries(found.record, payout)) summary = resummarisePayout(found.record.summary, payout, options);
      else throw new SyncError(`the entries of payout ${payoutTag(payout.id)} were not read; this is a bug`, "bug");
      const outcome = await postPayout(run, summary, found.record);
      outcomes.push(outcome);
      // Held or failed: read again every night until it posts.
      if (outcome.result === "held" || outcome.result === "failed") readFrom = Math.min(readFrom, Date.parse(summary.createdAt));
    }
  } catch (error) {
    return failedRun(error, new Date(readFromMs).toISOString(), saveCheck, at);
  }
  await saveCheck(new Date(Math.max(readFrom, 0)).toISOString());
  return { status: "done", payouts: outcomes };
}

class MissingScope extends Error {
  override name = "MissingScope";
}

async function askForScope(ports: PayoutPorts, connection: Connection, at: Date): Promise<PayoutRun> {
  const asked = await ports.payouts.claimScopeRequest(connection.merchantId, connection.connectionId, at);
  if (asked && (await ports.askToReconnectForPayouts(connection)) === "held") {
    // Not sent: still owed, so the next night asks again (within the caps).
    await ports.payouts.releaseScopeRequest(connection.merchantId, connection.connectionId);
    return { status: "needs-scope", asked: false };
  }
  return { status: "needs-scope", asked };
}

async function failedRun(
  error: unknown, readFrom: string, saveCheck: (readFrom: string, lastError?: SyncFailure) => Promise<void>, at: Date,
): Promise<PayoutRun> {
  const recorded = failureRecord(classify(error), at);
  await saveCheck(readFrom, recorded);
  return { status: "failed", failure: recorded };
}

interface PayoutRunContext {
  ports: PayoutPorts;
  location: LocationConfig;
  qbConnection: Connection;
  quickbooks: QuickBooksClient;
  at: Date;
  /** Which key the location's records are under, as its check said at the run's start. */
  keys: PayoutKeys;
  /** The company's settings, as kept on the connection; read from QuickBooks again with `refresh`. */
  company(options?: { refresh?: boolean }): Promise<CompanySettings>;
}

/**
 * One payout: its pending claim settled, then whatever it still needs posted, each once. `found`: its
 * record as the run looked it up (lookUpRecords); every write is conditional on that record's version,
 * so a record another run wrote since fails the write (retried), never posts twice.
 */
async function postPayout(run: PayoutRunContext, summary: PayoutSummary, found: PayoutRecord | undefined): Promise<PayoutOutcome> {
  const { ports, location, at } = run;
  const tag = summary.tag;
  let record = found;
  const save = async (next: Omit<PayoutRecord, "version">): Promise<PayoutRecord> => {
    record = await ports.payouts.savePayout(next, record?.version ?? 0, run.keys);
    return record;
  };
  const outcome = (result: PayoutResult, extra: Partial<PayoutOutcome> = {}): PayoutOutcome => ({
    tag, arrivalDate: summary.arrivalDate, amount: summary.amount, currency: summary.currency, result, warnings: record?.warnings ?? [], ...extra,
  });
  const base = (): Omit<PayoutRecord, "version"> => {
    if (record) {
      const { version: _version, lastError: _error, ...rest } = record;
      return { ...rest, summary, updatedAt: at.toISOString() };
    }
    return {
      merchantId: location.merchantId, locationId: location.locationId, payoutTag: tag, state: "posting", summary, posted: [], warnings: [],
      updatedAt: at.toISOString(), expiresAt: new Date(businessDayExpiresAt(summary.arrivalDate) * 1000).toISOString(),
    };
  };

  try {
    if (summary.currency !== location.currency) {
      throw new SyncError(`The Square payout arriving ${formatDay(summary.arrivalDate)} is in ${summary.currency}, but this location sells in ${location.currency}.`, "needs-merchant");
    }
    // (1) A claim a crash left pending is settled first.
    const settledNow = record?.pending ? await settle(run, record.pending, save, base) : undefined;

    const posted = record?.posted ?? [];
    const deposit = posted.find((entry) => entry.kind === "deposit");
    const context = async (): Promise<PayoutEntryContext> => ({
      locationName: location.name, timeZone: location.timeZone, withCurrencyRef: (await run.company()).multiCurrencyEnabled, tags: entryTagsOf(location),
    });

    // (2) What the payout needs now.
    if (record?.state === "before-daybook") return outcome("before-daybook", { reason: skipReason(record.skipped) });
    const split = posted.length === 0 && !record?.pending ? beforeDaybook(summary, location.postingFrom) : undefined;
    if (split) {
      // It pays out sales from before daybook: the books from before daybook hold them, never card clearing.
      const skipped: PayoutSkip = { reason: "before-first-day", firstDay: split.firstDay, postedPart: split.postedPart };
      const { heldReason: _reason, pending: _pending, ...rest } = base();
      await save({ ...rest, state: "before-daybook", skipped, warnings: [] });
      return outcome("before-daybook", { reason: skipReason(skipped) });
    }
    if (posted.length === 0 && record?.state !== "nothing-to-post") {
      const built = buildPayoutEntry(summary, location.mapping, { locationName: location.name, timeZone: location.timeZone });
      if (built.held || !built.journalEntry) {
        const state = built.held ? "held" : "nothing-to-post";
        const reason = built.holdReason ?? built.nothingToPost ?? undefined;
        const { heldReason: _reason, pending: _pending, ...rest } = base();
        await save({ ...rest, state, warnings: built.warnings, ...(built.held && reason ? { heldReason: reason } : {}) });
        return outcome(state, reason ? { reason } : {});
      }
      const entryContext = await context();
      const created = await claimAndPost(run, (extra) => buildPayoutEntry(summary, location.mapping, { ...entryContext, ...extra }), save, base);
      return outcome("posted", { docNumber: created, warnings: built.warnings });
    }
    if (deposit && summary.status === "FAILED" && !posted.some((entry) => entry.kind === "reversal")) {
      const previous = record?.summary ?? summary;
      const postedDeposit = {
        docNumber: deposit.docNumber, amount: previous.amount, currency: previous.currency,
        bankAccountId: deposit.bankAccountId ?? "", clearingAccountId: deposit.clearingAccountId,
      };
      const entryContext = await context();
      return outcome("reversed", { docNumber: await claimAndPost(run, (extra) => buildPayoutReversal(summary, postedDeposit, { ...entryContext, ...extra }), save, base) });
    }
    if (record && (record.summary.status !== summary.status || record.summary.version !== summary.version)) {
      await save(base());
    }
    if (settledNow) return outcome(settledNow.kind === "reversal" ? "reversed" : "posted", { docNumber: settledNow.docNumber });
    return outcome("unchanged");
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === "retryable" || failure.kind === "bug") throw failure;
    const lastError = failureRecord(failure, at);
    const current = base();
    await save({ ...current, state: current.pending ? "posting" : "failed", lastError });
    return outcome("failed", { reason: failure.message });
  }
}

function skipReason(skipped: PayoutSkip | undefined): string {
  const from = skipped ? ` on ${skipped.firstDay}` : "";
  return `it pays out sales from before daybook started posting${from}: not posted`;
}

type Save = (next: Omit<PayoutRecord, "version">) => Promise<PayoutRecord>;

/**
 * Claims the entry in the payout's record, creates it with its requestid, records it; returns its
 * DocNumber. Books closed for the entry's date: it goes in today, saying which date it is for, as a
 * day's entry does.
 */
async function claimAndPost(
  run: PayoutRunContext, build: (extra: Partial<Pick<PayoutEntryContext, "txnDate" | "note" | "withCurrencyRef">>) => BuiltPayoutEntry, save: Save, base: () => Omit<PayoutRecord, "version">,
): Promise<string> {
  const { ports, location, qbConnection, at } = run;
  const claim = async (entry: BuiltPayoutEntry): Promise<PendingPayoutEntry> => {
    if (!entry.journalEntry) throw new SyncError(`the ${entry.kind} entry of a payout is empty`, "bug");
    const body = entry.journalEntry;
    const pending: PendingPayoutEntry = {
      kind: entry.kind, docNumber: entry.docNumber,
      requestId: requestIdOf([qbConnection.externalId, location.merchantId, location.locationId, "payout", base().payoutTag, entry.kind, body]),
      total: entry.total, bankAccountId: entry.bankAccountId, clearingAccountId: entry.clearingAccountId,
      body, linesHash: linesHash(entry.lines), startedAt: at.toISOString(),
    };
    await save({ ...base(), state: "posting", pending, warnings: entry.warnings });
    return pending;
  };
  // The record was just claimed: nothing of this entry can be in QuickBooks yet, so no lookup.
  const create = (pending: PendingPayoutEntry) =>
    withReconnectMarking(ports, qbConnection, () => run.quickbooks.createJournalEntry(pending.body, pending.requestId));
  let pending = await claim(build({}));
  await ports.checkpoint?.("after-claim");
  let created: Awaited<ReturnType<typeof create>>;
  try {
    created = await create(pending);
  } catch (error) {
    if (isClosedPeriod(error)) {
      const today = businessDayOf(at.getTime(), location.timeZone);
      pending = await claim(build({ txnDate: today, note: `Dated ${today} because the QuickBooks books are closed for ${pending.body.TxnDate}.` }));
      created = await create(pending);
    } else if (refusedForCompanySettings(error)) {
      // The kept settings may be out of date (multicurrency switched on since): read them again, as a day does.
      const kept = await run.company();
      const fresh = await run.company({ refresh: true });
      if (fresh.multiCurrencyEnabled === kept.multiCurrencyEnabled) throw error;
      pending = await claim(build({ withCurrencyRef: fresh.multiCurrencyEnabled }));
      created = await create(pending);
    } else {
      throw error;
    }
  }
  await ports.checkpoint?.("after-create");
  const current = base();
  await save(settled(current, pending, created, at));
  await ports.checkpoint?.("after-record");
  return created.docNumber;
}

/** A claim a crash left pending: found by its DocNumber in QuickBooks, or created now with the same requestid. */
async function settle(
  run: PayoutRunContext, pending: PendingPayoutEntry, save: Save, base: () => Omit<PayoutRecord, "version">,
): Promise<PendingPayoutEntry> {
  const created = await withReconnectMarking(run.ports, run.qbConnection, () =>
    postUnlessPosted(run.quickbooks, pending, { isOurs: isPayoutNote, fingerprint: pending.linesHash, what: "this payout" }));
  await save(settled(base(), pending, created, run.at));
  await run.ports.checkpoint?.("after-record");
  return pending;
}

function settled(
  record: Omit<PayoutRecord, "version">, pending: PendingPayoutEntry, created: { id: string; docNumber: string; txnDate: string }, at: Date,
): Omit<PayoutRecord, "version"> {
  const { pending: _settled, heldReason: _held, lastError: _error, ...rest } = record;
  const { body: _body, linesHash: _hash, startedAt: _started, ...kept } = pending;
  return {
    ...rest, state: "posted",
    posted: [...record.posted, { ...kept, entryId: created.id, txnDate: created.txnDate, postedAt: at.toISOString() }],
    updatedAt: at.toISOString(),
  };
}

