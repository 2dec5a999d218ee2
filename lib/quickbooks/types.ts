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

/**
 * Supplies access tokens to the client. `refresh` is called at most once per request, after a 401, and
 * must throw a QuickBooksError of kind "needs-reconnect" when the refresh token is dead (invalid_grant).
 */
export interface QuickBooksTokenSource {
  accessToken(): Promise<string>;
  refresh(): Promise<string>;
}

export class QuickBooksError extends Error {
  override name = "QuickBooksError";
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly details: { status?: number; code?: string; detail?: string; intuitTid?: string } = {},
  ) {
    super(message);
  }
}
