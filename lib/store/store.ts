/**
 * The Store port: the merchant's profile, connections, locations and sync records (lib/model.ts), as
 * the sync and the web use them. lib/store/dynamo.ts implements it on the one DynamoDB table.
 */
import type { AccountLabel, Connection, ConnectionStatus, LocationConfig, Merchant, ProviderName, QuickBooksCompany, SyncRecord } from "../model";

/** A conditional write lost to another writer; re-read and decide again. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** Everything daybook holds for a merchant, for the export download: no ciphertext, no secret. */
export interface MerchantExport {
  merchant: Merchant;
  connections: Omit<Connection, "tokenCiphertext" | "refreshLeaseUntil" | "sweepDueAt">[];
  locations: LocationConfig[];
  syncRecords: SyncRecord[];
  /** Items of kinds added later (reports, recipients...), as stored minus keys: the export never silently drops data. */
  other: Record<string, unknown>[];
}

export interface Store {
  /** Writes the profile whole, creating or replacing it: for seeding (sandbox, tests). A change to a live account's profile is a conditional update (setMerchantName, setMerchantTimeZone), so a deleted one never comes back. */
  putMerchant(merchant: Merchant): Promise<void>;
  getMerchant(merchantId: string): Promise<Merchant | undefined>;
  /** Whether any business gave this person access (a membership: lib/members): they have clients. */
  hasClients(personId: string): Promise<boolean>;
  /**
   * Creates the merchant and claims its email address in one transaction; ConflictError if the
   * address already belongs to a merchant (then nothing is written).
   */
  createMerchant(merchant: Merchant): Promise<void>;
  /** Renames the business (Merchant.name); ConflictError if there is no such merchant: a deleted account's profile never comes back. */
  setMerchantName(merchantId: string, name: string): Promise<void>;
  /** Sets the zone the merchant's pages show times in (Merchant.timeZone); ConflictError if there is no such merchant. */
  setMerchantTimeZone(merchantId: string, timeZone: string): Promise<void>;
  /**
   * Makes the zone the merchant's if it has none yet (its first location's, when it is set up); true if it
   * did. One conditional write: a zone the merchant has, chosen or adopted, is never overwritten.
   */
  adoptMerchantTimeZone(merchantId: string, timeZone: string): Promise<boolean>;
  /** The merchant whose sign-in address this is (case-insensitive), if any. */
  findMerchantByEmail(email: string): Promise<Merchant | undefined>;
  /** The merchant's connections, all statuses, oldest first. */
  listConnections(merchantId: string): Promise<Connection[]>;
  /** Every daybook connection to this provider account (a provider's webhook names only its own id). */
  findConnectionsByExternalId(provider: ProviderName, externalId: string): Promise<Connection[]>;
  /**
   * The connections of one of CONNECTION_SHARDS partitions of the connections index (keys.ts), every
   * merchant's, all statuses: the refresh sweep reads them all, shard by shard. Read from an index, so
   * possibly a moment stale: to find, never to decide.
   */
  listConnectionsInShard(shard: number): Promise<Connection[]>;
  /**
   * Single flight for token refreshes: sets refreshLeaseUntil = `until` if the connection is active,
   * still at `expectedVersion`, and no unexpired lease exists at `now`; ConflictError otherwise.
   * updateConnectionTokens clears the lease.
   */
  acquireRefreshLease(merchantId: string, connectionId: string, expectedVersion: number, until: Date, now: Date): Promise<Connection>;
  /**
   * The merchants with a location owed a stopped-posting notice (PostingStopped.noticeHeld), from an
   * index of those locations alone: what the refresh sweep reads to send them. Possibly a moment stale:
   * to find, never to decide.
   */
  listMerchantsOwedNotices(): Promise<string[]>;
  /** The merchant's locations. */
  listLocations(merchantId: string): Promise<LocationConfig[]>;
  /** The merchant's sync records, newest business day first. */
  listSyncRecords(merchantId: string): Promise<SyncRecord[]>;
  /**
   * One location's sync records from `from` to `to` (YYYY-MM-DD, both included), oldest first. Strongly
   * consistent unless `consistent` is false (lib/report/digest-deposits.ts says when that may be).
   */
  listSyncRecordsBetween(merchantId: string, locationId: string, from: string, to: string, options?: { consistent?: boolean }): Promise<SyncRecord[]>;
  /** Everything under the merchant's partition, secrets removed (see MerchantExport). */
  exportMerchant(merchantId: string): Promise<MerchantExport | undefined>;
  /**
   * Account deletion's first step: removes the merchant's email claim and its profile, the item every
   * writer's existence check reads (lib/store/account-guard.ts); from then on no write of the account's
   * sticks. Returns how many items went (0 when the profile was gone already).
   */
  deleteProfile(merchantId: string): Promise<number>;
  /**
   * Account deletion: removes the profile and its email claim if still there (deleteProfile), then every
   * item of the merchant's partition (tokens first, so they are gone even if a later delete fails) and
   * the other side of every accountant's access it had or gave (lib/members/types.ts); returns how many
   * items went. The caller revokes at the providers and ends sessions (AuthStore).
   */
  deleteMerchant(merchantId: string): Promise<number>;

  /** Creates a new connection (a reconnect gets a new connectionId); sets tokenVersion to 1. ConflictError if it exists. */
  putConnection(connection: Omit<Connection, "tokenVersion">): Promise<Connection>;
  getConnection(merchantId: string, connectionId: string): Promise<Connection | undefined>;
  /**
   * Replaces the tokens (and clears any refresh lease) if tokenVersion still equals `expectedVersion` and
   * the connection is active; ConflictError otherwise. `sweepDueAt` is when the refresh sweep must next
   * open the new tokens; without it the sweep opens them at its next run.
   */
  updateConnectionTokens(merchantId: string, connectionId: string, expectedVersion: number, tokenCiphertext: string, sweepDueAt?: Date): Promise<Connection>;
  /**
   * Keeps when the refresh sweep must next open the tokens of version `tokenVersion` (the sweep looked
   * and found them not due); ConflictError if the tokens changed since or the connection is not active.
   */
  setSweepDueAt(merchantId: string, connectionId: string, tokenVersion: number, sweepDueAt: Date): Promise<void>;
  /** Sets the status; any change of status also removes a reconnect request's held mark (reconnectHeldAt). */
  setConnectionStatus(merchantId: string, connectionId: string, status: ConnectionStatus, reason?: string): Promise<void>;
  /**
   * Marks the request to reconnect this connection as held back at `heldAt` (owed), or as no longer owed
   * (undefined), if the connection still needs reconnecting and its mark is still `expected` (undefined:
   * none). False, writing nothing, otherwise: of two writers deciding from one read, one wins.
   */
  setReconnectHeld(merchantId: string, connectionId: string, heldAt: Date | undefined, expected: string | undefined): Promise<boolean>;
  /** Keeps a QuickBooks company's settings on its connection (ConflictError if the connection is gone). */
  setConnectionCompany(merchantId: string, connectionId: string, company: QuickBooksCompany): Promise<void>;
  /**
   * Removes the connection's record, tokens and all: an ended connection is not kept. A refresh in
   * flight cannot write it back (its writes are conditional on the record). False if it was gone.
   */
  removeConnection(merchantId: string, connectionId: string): Promise<boolean>;
  /** Records the connected account's name (Connection.accountName); nothing happens when the connection is gone. */
  setConnectionAccountName(merchantId: string, connectionId: string, accountName: string): Promise<void>;

  putLocation(location: LocationConfig): Promise<void>;
  /**
   * Writes the location only if the stored one is still the one read (same updatedAt): of two writers
   * deciding from the same read, one wins and the other gets a ConflictError.
   */
  replaceLocation(location: LocationConfig, expectedUpdatedAt: string): Promise<void>;
  getLocation(merchantId: string, locationId: string): Promise<LocationConfig | undefined>;
  /**
   * Replaces the location's accountLabels (the sync, after QuickBooks said an account changed) unless
   * the location was saved since it was read (its updatedAt is no longer `location.updatedAt`): that
   * save captured the labels itself. True when written.
   */
  refreshAccountLabels(location: Pick<LocationConfig, "merchantId" | "locationId" | "updatedAt">, labels: Record<string, AccountLabel>): Promise<boolean>;

  getSyncRecord(merchantId: string, locationId: string, businessDay: string): Promise<SyncRecord | undefined>;
  /**
   * Writes the record if its stored version equals `expectedVersion` (0: it must not exist yet), with
   * version = expectedVersion + 1; ConflictError otherwise. Returns what was written.
   */
  saveSyncRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord>;
}
