/**
 * What daybook keeps, and the store interface the sync and the web use. One DynamoDB table holds it
 * (lib/store/dynamo.ts); everything of a merchant sits under one partition. Only aggregates: no order,
 * payment, customer or card is ever stored.
 */
import type { JournalEntryBody } from "../domain/journal-entry";
import type { Mapping } from "../domain/mapping";
import type { DailySummary } from "../domain/summary";

export type PosSource = "square" | "clover";
export type Provider = PosSource | "quickbooks";
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
  provider: Provider;
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
   * ISO 8601: a worker holds the right to refresh these tokens until then (single flight: see
   * acquireRefreshLease). Absent when no refresh is under way.
   */
  refreshLeaseUntil?: string;
  createdAt: string;
  updatedAt: string;
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
  heldReason?: string;
  attempts: number;
  lastError?: SyncFailure;
  /** Optimistic lock: every write is conditional on the version read. */
  version: number;
  updatedAt: string;
}

/** A conditional write lost to another writer; re-read and decide again. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** Everything daybook holds for a merchant, for the export download: no ciphertext, no secret. */
export interface MerchantExport {
  merchant: Merchant;
  connections: Omit<Connection, "tokenCiphertext" | "refreshLeaseUntil">[];
  locations: LocationConfig[];
  syncRecords: SyncRecord[];
  /** Items of kinds added later (reports, recipients...), as stored minus keys: the export never silently drops data. */
  other: Record<string, unknown>[];
}

export interface Store {
  putMerchant(merchant: Merchant): Promise<void>;
  getMerchant(merchantId: string): Promise<Merchant | undefined>;
  /**
   * Creates the merchant and claims its email address in one transaction; ConflictError if the
   * address already belongs to a merchant (then nothing is written).
   */
  createMerchant(merchant: Merchant): Promise<void>;
  /** The merchant whose sign-in address this is (case-insensitive), if any. */
  findMerchantByEmail(email: string): Promise<Merchant | undefined>;
  /** The merchant's connections, all statuses, oldest first. */
  listConnections(merchantId: string): Promise<Connection[]>;
  /** Every daybook connection to this provider account (a provider's webhook names only its own id). */
  findConnectionsByExternalId(provider: Provider, externalId: string): Promise<Connection[]>;
  /**
   * Single flight for token refreshes: sets refreshLeaseUntil = `until` if the connection is active,
   * still at `expectedVersion`, and no unexpired lease exists at `now`; ConflictError otherwise.
   * updateConnectionTokens clears the lease.
   */
  acquireRefreshLease(merchantId: string, connectionId: string, expectedVersion: number, until: Date, now: Date): Promise<Connection>;
  /** The merchant's locations. */
  listLocations(merchantId: string): Promise<LocationConfig[]>;
  /** The merchant's sync records, newest business day first. */
  listSyncRecords(merchantId: string): Promise<SyncRecord[]>;
  /** Everything under the merchant's partition, secrets removed (see MerchantExport). */
  exportMerchant(merchantId: string): Promise<MerchantExport | undefined>;
  /**
   * Account deletion: removes the merchant's email claim and every item of its partition (tokens
   * first, so they are gone even if a later delete fails); returns how many items went. The caller
   * revokes at the providers and ends sessions (AuthStore) before calling this.
   */
  deleteMerchant(merchantId: string): Promise<number>;

  /** Creates a new connection (a reconnect gets a new connectionId); sets tokenVersion to 1. ConflictError if it exists. */
  putConnection(connection: Omit<Connection, "tokenVersion">): Promise<Connection>;
  getConnection(merchantId: string, connectionId: string): Promise<Connection | undefined>;
  /** Replaces the tokens (and clears any refresh lease) if tokenVersion still equals `expectedVersion` and the connection is active; ConflictError otherwise. */
  updateConnectionTokens(merchantId: string, connectionId: string, expectedVersion: number, tokenCiphertext: string): Promise<Connection>;
  setConnectionStatus(merchantId: string, connectionId: string, status: ConnectionStatus, reason?: string): Promise<void>;

  putLocation(location: LocationConfig): Promise<void>;
  getLocation(merchantId: string, locationId: string): Promise<LocationConfig | undefined>;

  getSyncRecord(merchantId: string, locationId: string, businessDay: string): Promise<SyncRecord | undefined>;
  /**
   * Writes the record if its stored version equals `expectedVersion` (0: it must not exist yet), with
   * version = expectedVersion + 1; ConflictError otherwise. Returns what was written.
   */
  saveSyncRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord>;
}
