/**
 * The QuickBooks Online client daybook's sync uses (lib/quickbooks/client.ts implements it with fetch;
 * intuit-oauth is used for OAuth only). QuickBooks is append-only for daybook: this interface has no
 * update and no delete, on purpose.
 */
import type { JournalEntryBody } from "../domain/journal-entry";
import type { FailureKind } from "../model";

export interface CreatedJournalEntry {
  id: string;
  docNumber: string;
  txnDate: string;
  privateNote?: string;
}

export interface QuickBooksAccount {
  id: string;
  name: string;
  /** The account's number (AcctNum), where the company numbers its accounts. */
  acctNum?: string;
  fullyQualifiedName: string;
  accountType: string;
  accountSubType?: string;
  classification?: string;
  active: boolean;
}

export interface CompanySettings {
  companyName: string;
  homeCurrency: string;
  multiCurrencyEnabled: boolean;
}

export interface QuickBooksClient {
  /** POST journalentry?minorversion=75&requestid=…; retries with the same requestid. */
  createJournalEntry(body: JournalEntryBody, requestId: string): Promise<CreatedJournalEntry>;
  /** SELECT * FROM JournalEntry WHERE DocNumber = '…' [AND TxnDate = '…'] */
  findJournalEntries(query: { docNumber: string; txnDate?: string }): Promise<CreatedJournalEntry[]>;
  listActiveAccounts(): Promise<QuickBooksAccount[]>;
  /** CompanyInfo and Preferences: name, home currency, multicurrency. */
  getCompanySettings(): Promise<CompanySettings>;
}

/** A Location (the API's Department) or a Class of the company's lists. */
export interface TrackingTag {
  id: string;
  name: string;
}

/**
 * What the company tracks transactions by, from its Preferences, with the active records of each list
 * it tracks: `locations` when TrackDepartments is on, `classes` when class tracking is on (per
 * transaction or per line: a journal entry carries its class on its lines either way); undefined when
 * the company does not track them. `locationTerm` is what the company calls a Location (its
 * DepartmentTerminology: Location, Business, Department, Division, Property, Store or Territory).
 */
export interface TrackingLists {
  locationTerm: string;
  locations?: TrackingTag[];
  classes?: TrackingTag[];
}

/** Reading the company's Location and Class lists: only the location page asks. */
export interface QuickBooksTrackingReader {
  readTracking(): Promise<TrackingLists>;
}

/**
 * Supplies access tokens to the client. `refresh` is called at most once per request, after a 401, and
 * must throw a QuickBooksError of kind "needs-reconnect" when the refresh token is dead (invalid_grant).
 */
export interface QuickBooksTokenSource {
  accessToken(): Promise<string>;
  refresh(): Promise<string>;
}

/** The Accounting API's minor version every call names (the client's, and the connect callback's CompanyInfo check). */
export const MINOR_VERSION = "75";

export class QuickBooksError extends Error {
  override name = "QuickBooksError";
  constructor(
    message: string,
    readonly kind: FailureKind,
    /** `element`: the field QuickBooks' fault names (AccountRef, ClassRef, DepartmentRef, …), when it names one. */
    readonly details: { status?: number; code?: string; detail?: string; element?: string; intuitTid?: string } = {},
  ) {
    super(message);
  }
}
