/**
 * The records daybook keeps, shared by every layer: the domain and the sync read them, the POS and
 * QuickBooks adapters name their failures with them, and lib/store keeps them in one DynamoDB table
 * (lib/store/store.ts is the storage port). Everything of a merchant sits under one partition. Only
 * aggregates: no order, payment, customer or card is ever stored.
 */
import type { JournalEntryBody } from "./domain/journal-entry";
import type { Mapping } from "./domain/mapping";
import type { DailySummary } from "./domain/summary";

export type PosSource = "square" | "clover";
export type ProviderName = PosSource | "quickbooks";
export type ConnectionStatus = "active" | "needs-reconnect" | "revoked";

export interface Merchant {
  merchantId: string;
  name: string;
  /** Lower-cased, trimmed; the sign-in address, unique across merchants. */
  email: string;
  createdAt: string;
}

export interface Connection {
  merchantId: string;
  connectionId: string;
  provider: ProviderName;
  status: ConnectionStatus;
  /** The provider's id of the connected account: Square merchant id, QuickBooks realm id, Clover merchant id. */
  externalId: string;
  /** The tokens, encrypted by the vault; never plaintext. */
  tokenCiphertext: string;
  /** Bumped on every token change; token writes are conditional on it, so two refreshes never both win. */
  tokenVersion: number;
  /** Why the connection is not active, for the merchant. */
  statusReason?: string;
  /** Clover only: "us" | "eu" | "la" | "sandbox", whose hosts serve the merchant. */
  region?: string;
  /**
   * The connected account's name as the provider gave it when it was connected: the Square business
   * name, the Clover merchant's name, the QuickBooks company name. What pages show instead of externalId.
   */
  accountName?: string;
  /**
   * ISO 8601: a worker holds the right to refresh these tokens until then (single flight: see
   * acquireRefreshLease). Absent when no refresh is under way.
   */
  refreshLeaseUntil?: string;
  /**
   * QuickBooks only: the company's settings that decide how an entry is written, read when it was
   * connected (or at its first sync), and read again only when QuickBooks refuses a create for a reason
   * they explain: the home currency cannot change, and multicurrency can only be switched on.
   */
  company?: QuickBooksCompany;
  createdAt: string;
  updatedAt: string;
}

export interface QuickBooksCompany {
  companyName: string;
  homeCurrency: string;
  multiCurrencyEnabled: boolean;
  /** ISO 8601: when QuickBooks was asked. */
  readAt: string;
}

/** A QuickBooks account as the company's chart names it: its number (AcctNum, where the company uses them) and name. */
export interface AccountLabel {
  name: string;
  number?: string;
}

/** A QuickBooks Location (the API's Department) or Class, by Id, with the name the company's list gave it when it was chosen. */
export interface QuickBooksTag {
  id: string;
  name: string;
}

export interface LocationConfig {
  merchantId: string;
  /** The POS's location id. */
  locationId: string;
  source: PosSource;
  name: string;
  posConnectionId: string;
  quickbooksConnectionId: string;
  timeZone: string;
  /** HH:MM, quarter hours. */
  dayStart: string;
  currency: string;
  mapping: Mapping;
  /**
   * The accounts the mapping names, as the chart named them when the mapping was saved (refreshed when
   * QuickBooks says one changed), by account Id: what pages and emails show instead of a bare Id.
   */
  accountLabels?: Record<string, AccountLabel>;
  /** The QuickBooks Location and/or Class every line of this location's entries carries (chosen on the locations page). */
  quickBooksTags?: { location?: QuickBooksTag; class?: QuickBooksTag };
  updatedAt: string;
}

export type SyncState = "posting" | "posted" | "no-sales" | "held" | "failed";

export type FailureKind = "retryable" | "needs-reconnect" | "needs-merchant" | "bug";

export interface SyncFailure {
  kind: FailureKind;
  message: string;
  at: string;
  /** QuickBooks' transaction id for support, when the failure came from QuickBooks. */
  intuitTid?: string;
}

/** One journal entry daybook posted for a location-day. */
export interface PostedEntry {
  revision: number;
  docNumber: string;
  entryId: string;
  txnDate: string;
  requestId: string;
  /** The figures this entry carried: the whole day for revision 0, the difference for an adjustment. */
  summary: DailySummary;
  postedAt: string;
}

/** An entry being posted: written before the create so a crash can be resolved without a duplicate. */
export interface PendingEntry {
  revision: number;
  docNumber: string;
  requestId: string;
  body: JournalEntryBody;
  summary: DailySummary;
  startedAt: string;
}

export interface SyncRecord {
  merchantId: string;
  locationId: string;
  businessDay: string;
  state: SyncState;
  posted: PostedEntry[];
  pending?: PendingEntry;
  /** The day's last summary from the POS (aggregates only). */
  lastSummary?: DailySummary;
  /**
   * ISO 8601: the instant as of which lastSummary held everything the POS had for the day (the run's
   * clock, read before the POS was). A night's read of the changes since then can tell the day is
   * unchanged without reading it again (lib/sync/sync-night.ts).
   */
  lastReadAt?: string;
  heldReason?: string;
  attempts: number;
  lastError?: SyncFailure;
  /** Optimistic lock: every write is conditional on the version read. */
  version: number;
  updatedAt: string;
}

/** The providers' names as a merchant reads them. */
export const PROVIDER_NAMES: Record<ProviderName, string> = { square: "Square", clover: "Clover", quickbooks: "QuickBooks" };
