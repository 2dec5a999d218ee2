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

export interface Store {
  putMerchant(merchant: Merchant): Promise<void>;
  getMerchant(merchantId: string): Promise<Merchant | undefined>;

  /** Creates a new connection (a reconnect gets a new connectionId); sets tokenVersion to 1. ConflictError if it exists. */
  putConnection(connection: Omit<Connection, "tokenVersion">): Promise<Connection>;
  getConnection(merchantId: string, connectionId: string): Promise<Connection | undefined>;
  /** Replaces the tokens if tokenVersion still equals `expectedVersion`; ConflictError otherwise. */
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
