/**
 * In-memory fakes of the sync's POS and QuickBooks ports, for the engine's fast tests: fakes, said so,
 * because the real clients are tested against the simulators elsewhere (test/integration). They keep
 * the rules the engine relies on: QuickBooks finds entries by DocNumber, answers a requestid it has
 * seen with the entry it made (never a second one), refuses an unbalanced entry, and holds its books
 * in one currency; the POS gives a location's day as it stands, or refuses the connection.
 */
import type { JournalEntryBody } from "../../lib/domain/journal-entry";
import { emptySummary, type DailySummary } from "../../lib/domain/summary";
import type { CompanySettings, CreatedJournalEntry, QuickBooksAccount, QuickBooksClient, QuickBooksTokenSource } from "../../lib/quickbooks/types";
import { QuickBooksError } from "../../lib/quickbooks/types";
import type { SyncPorts } from "../../lib/sync/sync-day";

/** A failure a provider answers with, as the real clients throw it (a `kind` the sync classifies). */
export class ProviderFailure extends Error {
  override name = "ProviderFailure";
  constructor(message: string, readonly kind: "retryable" | "needs-reconnect" | "needs-merchant") {
    super(message);
  }
}

export class FakePos {
  readonly #days = new Map<string, DailySummary>();
  /** Set to make every read fail so. */
  failure: ProviderFailure | undefined;
  reads = 0;

  setDay(locationId: string, businessDay: string, summary: DailySummary): void {
    this.#days.set(`${locationId}|${businessDay}`, summary);
  }

  day(locationId: string, businessDay: string, currency: string): DailySummary {
    return this.#days.get(`${locationId}|${businessDay}`) ?? emptySummary(currency);
  }
}

export interface PostedBody extends CreatedJournalEntry {
  body: JournalEntryBody;
  requestId: string;
}

export class FakeQuickBooks implements QuickBooksClient {
  readonly entries: PostedBody[] = [];
  company: CompanySettings = { companyName: "Main Street Coffee LLC", homeCurrency: "USD", multiCurrencyEnabled: false };
  /** The next calls of these methods fail so, once each. */
  readonly failNext: Partial<Record<"createJournalEntry" | "getCompanySettings" | "findJournalEntries", ProviderFailure | QuickBooksError>> = {};

  #fail(method: keyof FakeQuickBooks["failNext"]): void {
    const failure = this.failNext[method];
    if (failure === undefined) return;
    this.failNext[method] = undefined;
    throw failure;
  }

  createJournalEntry(body: JournalEntryBody, requestId: string): Promise<CreatedJournalEntry> {
    this.#fail("createJournalEntry");
    const replay = this.entries.find((entry) => entry.requestId === requestId);
    if (replay) return Promise.resolve(created(replay));
    const cents = (side: "Debit" | "Credit") => body.Line.filter((line) => line.JournalEntryLineDetail.PostingType === side).reduce((sum, line) => sum + Math.round(line.Amount * 100), 0);
    if (cents("Debit") !== cents("Credit")) return Promise.reject(new QuickBooksError("the entry does not balance", "bug", { code: "6000" }));
    const entry: PostedBody = { id: String(this.entries.length + 1), docNumber: body.DocNumber, txnDate: body.TxnDate, privateNote: body.PrivateNote, body, requestId };
    this.entries.push(entry);
    return Promise.resolve(created(entry));
  }

  findJournalEntries(query: { docNumber: string; txnDate?: string }): Promise<CreatedJournalEntry[]> {
    this.#fail("findJournalEntries");
    return Promise.resolve(this.entries.filter((entry) => entry.docNumber === query.docNumber && (query.txnDate === undefined || entry.txnDate === query.txnDate)).map(created));
  }

  listActiveAccounts(): Promise<QuickBooksAccount[]> {
    return Promise.resolve([]);
  }

  /** How often the company's settings were read: reads Intuit meters. */
  companyReads = 0;

  getCompanySettings(): Promise<CompanySettings> {
    this.companyReads++;
    this.#fail("getCompanySettings");
    return Promise.resolve(this.company);
  }
}

function created(entry: PostedBody): CreatedJournalEntry {
  return { id: entry.id, docNumber: entry.docNumber, txnDate: entry.txnDate, ...(entry.privateNote !== undefined ? { privateNote: entry.privateNote } : {}) };
}

/** The sync's POS and QuickBooks ports on the fakes. */
export function fakeApis(pos: FakePos, quickbooks: FakeQuickBooks): Pick<SyncPorts, "summarisePosDay" | "quickBooksClient"> {
  const tokens: QuickBooksTokenSource = { accessToken: () => Promise.resolve("fake"), refresh: () => Promise.resolve("fake") };
  return {
    summarisePosDay(location, _connection, window) {
      pos.reads++;
      if (pos.failure) return Promise.reject(pos.failure);
      return Promise.resolve({ summary: pos.day(location.locationId, window.date, location.currency), warnings: [] });
    },
    quickBooksClient: () => Promise.resolve({ client: quickbooks, tokens }),
  };
}
