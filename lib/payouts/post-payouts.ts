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
 * A Square connection made before daybook asked for PAYOUTS_READ posts no payouts: the merchant is
 * asked once to reconnect, and the days keep posting meanwhile.
 */
import { businessDayOf } from "../domain/business-day";
import { formatDay } from "../report/format";
import { postsPayouts } from "../domain/mapping";
import type { Warning } from "../domain/warnings";
import type { Connection, LocationConfig, PayoutCheck, PayoutRecord, PayoutSkip, PendingPayoutEntry, SyncFailure } from "../model";
import { SquareRequestError } from "../pos/square/errors";
import type { PayoutWithEntries } from "../pos/square/payouts";
import type { CompanySettings, QuickBooksClient } from "../quickbooks/types";
import type { PayoutKeys, PayoutStore } from "../store/payouts";
import { businessDayExpiresAt } from "../store/retention";
import { ConflictError } from "../store/store";
import {
  activeConnection, classify, companyOf, entryTagsOf, failureRecord, isClosedPeriod, postUnlessPosted, refusedForCompanySettings, requestIdOf, SyncError,
  type SyncPorts, withReconnectMarking,
} from "../sync/sync-day";
import { type BuiltPayoutEntry, buildPayoutEntry, buildPayoutReversal, isPayoutNote, linesHash, type PayoutEntryContext } from "./payout-entry";
import { beforeDaybook, summarisePayout, type PayoutSummary } from "./payout-summary";

/** The scope ListPayouts and ListPayoutEntries need. */
export const PAYOUTS_SCOPE = "PAYOUTS_READ";
/** A location's first run posts the payouts of the week before. */
export const FIRST_RUN_LOOKBACK_MS = 7 * 86_400_000;
/** Each run reads again a day before the last one: Square's lists can lag behind its clock. */
export const READ_OVERLAP_MS = 86_400_000;

export interface PayoutPorts extends Pick<SyncPorts, "store" | "quickBooksClient" | "now" | "onNeedsReconnect" | "checkpoint"> {
  payouts: PayoutStore;
  /** The location's payouts created or changed at or after `sinceMs`, with their entries (lib/pos/square/payouts.ts). */
  readPayouts(connection: Connection, locationId: string, sinceMs: number): Promise<PayoutWithEntries[]>;
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
 * Square's payouts read ahead of their run (the night job reads them while it reads the POS:
 * lib/worker/night-payouts.ts), as the run would read them first: the location's check, the Square
 * connection read with, and what Square answered (or how it failed, which the run then meets as its
 * own read's failure).
 */
export interface PayoutReadAhead {
  at: Date;
  check: PayoutCheck | undefined;
  connectionId: string;
  listed: { payouts: PayoutWithEntries[] } | { error: unknown };
}

/**
 * Reads ahead what postPayouts reads first. Never rejects: undefined when there is nothing to read
 * ahead (the check or the connection could not be read, or the connection lacks PAYOUTS_READ), and the
 * run then reads as it would have, meeting any failure in its own words.
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
  if (!grantsPayouts(connection)) return undefined;
  const ahead = { at, check, connectionId: connection.connectionId };
  try {
    return { ...ahead, listed: { payouts: await ports.readPayouts(connection, location.locationId, readFromOf(check, at)) } };
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
  let keying: Promise<PayoutKeys | "moving"> | undefined;
  const keysOf = () => (keying ??= check
    ? Promise.resolve(check.payoutKeys ?? "by-tag")
    : ports.payouts.hasRecordsByTag(ref.merchantId, ref.locationId).then((byTag) => (byTag ? "by-tag" : "by-creation")));
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
    posConnection = await activeConnection(ports.store, ref.merchantId, location.posConnectionId, "square");
    qbConnection = await activeConnection(ports.store, ref.merchantId, location.quickbooksConnectionId, "quickbooks");
  } catch (error) {
    return failedRun(error, check?.readFrom ?? new Date(readFromMs).toISOString(), saveCheck, at);
  }
  if (!grantsPayouts(posConnection)) return askForScope(ports, posConnection, at);

  // Read ahead with this very connection: Square's answer then, or its failure met here as the read's.
  const early = ahead?.connectionId === posConnection.connectionId ? ahead.listed : undefined;
  let listed: PayoutWithEntries[];
  try {
    listed = await withReconnectMarking(ports, posConnection, async () => {
      try {
        if (early) {
          if ("error" in early) throw early.error;
          return early.payouts;
        }
        return await ports.readPayouts(posConnection, location.locationId, readFromMs);
      } catch (error) {
        if (error instanceof SquareRequestError && error.code === "INSUFFICIENT_SCOPES") throw new MissingScope();
        throw error;
      }
    });
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
  let keys: PayoutKeys;
  try {
    const found = await keysOf();
    // Only a check read "moving" says so, and that run was refused above.
    if (found === "moving") throw beingMoved();
    keys = found;
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
    for (const { payout, entries } of listed) {
      const summary = summarisePayout(payout, entries, { timeZone: location.timeZone, dayStart: location.dayStart });
      const outcome = await postPayout(run, summary);
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

/** One payout: its pending claim settled, then whatever it still needs posted, each once. */
async function postPayout(run: PayoutRunContext, summary: PayoutSummary): Promise<PayoutOutcome> {
  const { ports, location, at } = run;
  const tag = summary.tag;
  // One GetItem, its key made from Square's answer (the tag, and its creation once the records are keyed so).
  let record = await ports.payouts.getPayout(location.merchantId, location.locationId, tag, run.keys === "by-creation" ? summary.createdAt : undefined);
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

