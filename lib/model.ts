/**
 * The records daybook keeps, shared by every layer: the domain and the sync read them, the POS and
 * QuickBooks adapters name their failures with them, and lib/store keeps them in one DynamoDB table
 * (lib/store/store.ts is the storage port). Everything of a merchant sits under one partition. Only
 * aggregates: no order, payment, customer or card is ever stored.
 */
import type { PayoutEntryKind } from "./domain/doc-number";
import type { JournalEntryBody } from "./domain/journal-entry";
import type { Mapping } from "./domain/mapping";
import type { DailySummary } from "./domain/summary";
import type { Warning } from "./domain/warnings";
import type { PayoutSummary } from "./payouts/payout-summary";

export type PosSource = "square" | "clover";
export type ProviderName = PosSource | "quickbooks";
export type ConnectionStatus = "active" | "needs-reconnect" | "revoked";

export interface Merchant {
  merchantId: string;
  name: string;
  /** Lower-cased, trimmed; the sign-in address, unique across merchants. */
  email: string;
  createdAt: string;
  /**
   * The IANA zone the pages show times in (Sat 7 Mar 2026, 09:05 PST): the first location's zone when it
   * is set up, or the one chosen on the account page. Absent on an account that has neither: pages show UTC.
   */
  timeZone?: string;
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
  /**
   * The scopes the merchant granted when connecting (Square: the ones daybook asked for, which Square
   * grants all or none of). Absent on connections made before daybook kept them.
   */
  grantedScopes?: string[];
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
   * ISO 8601: when the refresh sweep must next open these tokens (lib/connections/refresh-sweep.ts's
   * sweepDueAt), kept in plaintext beside them (a time is not a secret) so that the sweep's other looks
   * need no KMS Decrypt. Written with the tokens and removed with them; absent, the sweep opens them.
   */
  sweepDueAt?: string;
  /**
   * ISO 8601: when the email asking the merchant to reconnect this (refused) connection was last held
   * back by the daily email caps (lib/email/caps.ts). It is owed: the refresh sweep sends it again from
   * the next UTC day (lib/connections/reconnect-email.ts sendOwedReconnect). Absent once it went, and
   * removed with any change of status.
   */
  reconnectHeldAt?: string;
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
  /**
   * Set up but not started (go-live step 2: the merchant reviews the mapping and its preview): nothing
   * of the location is posted, by the nightly sync or anyone else, until "Start posting from" clears it.
   * Absent on locations set up before the go-live steps existed, which post as they always did.
   */
  awaitingStart?: true;
  /** The first business day daybook posts (go-live step 3); no day before it is posted by anyone. */
  postingFrom?: string;
  /**
   * The time zone and day start in force before the current ones, oldest first: each entry applied to
   * the business days before its `until` (YYYY-MM-DD), so a change applies from the day the merchant
   * chose and the days already posted keep their windows (lib/domain/day-settings.ts).
   */
  earlierDaySettings?: EarlierDaySettings[];
  /**
   * daybook stopped posting the location's nights because a connection it needs is gone (lib/locations/
   * posting-status.ts): why, since when, and the first business day it had yet to send, from which the
   * nights resume when the connection is mended. The merchant and the report recipients were told once.
   */
  postingStopped?: PostingStopped;
  /**
   * The mapping page's items (figure and POS key, e.g. "tenders:CARD") the merchant last saved the mapping
   * with: an unmapped item the nightly sync sees that is not among them is marked new. Keys only.
   */
  mappingSeen?: string[];
  /** The QuickBooks Location and/or Class every line of this location's entries carries (chosen on the locations page). */
  quickBooksTags?: { location?: QuickBooksTag; class?: QuickBooksTag };
  updatedAt: string;
}

/** A location's time zone and day start as they were before `until`. */
export interface EarlierDaySettings {
  timeZone: string;
  /** HH:MM, quarter hours. */
  dayStart: string;
  /** YYYY-MM-DD: the first business day that no longer used these settings. */
  until: string;
}

export interface PostingStopped {
  /** Why, for the merchant: "the QuickBooks connection was disconnected". */
  reason: string;
  /** ISO 8601. */
  since: string;
  /** YYYY-MM-DD: the first business day not yet sent for posting when it stopped. */
  resumeFrom: string;
  /**
   * The provider accounts of the connections it lost that were removed (a disconnect removes the record):
   * connecting the same account again re-points the location to the new connection.
   */
  accounts?: { provider: ProviderName; externalId: string }[];
  /**
   * The notice that it stopped, held back by the daily email caps (lib/email/caps.ts): when it was last
   * held (ISO 8601) and the addresses still owed it. The refresh sweep sends it again from the next UTC
   * day while the location is still stopped (lib/locations/posting-status.ts sendOwedPostingNotices).
   */
  noticeHeld?: { at: string; to: string[] };
}

export type SyncState = "posting" | "posted" | "no-sales" | "held" | "failed";

export type FailureKind = "retryable" | "needs-reconnect" | "needs-merchant" | "bug";

export interface SyncFailure {
  kind: FailureKind;
  message: string;
  at: string;
  /** QuickBooks' transaction id for support, when the failure came from QuickBooks. */
  intuitTid?: string;
  /** What the provider said (status, error code, operation), for the operator; `message` is what people read. */
  detail?: string;
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

/**
 * An entry being posted: written before the create so a crash can be resolved without a duplicate.
 * A claim holds no body (lib/sync/sync-day.ts rebuilds it from the summary, and re-sends it as claimed
 * when it hashes to the claim's requestid); claims written before that held it, and are still read.
 */
export interface PendingEntry {
  revision: number;
  docNumber: string;
  requestId: string;
  body?: JournalEntryBody;
  /** The entry's date when it is not the business day (QuickBooks' books were closed for it). */
  txnDate?: string;
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
  /**
   * Set on a night's own day: the earlier days of the night found unchanged as of this record's
   * lastReadAt and left unwritten, each by the version of its record then. The next night trusts each
   * of them as of that instant while its record is still at that version (lib/sync/sync-night.ts
   * trustedSince), as if its own lastReadAt said so; written with lastReadAt, always together.
   */
  vouched?: Record<string, number>;
  heldReason?: string;
  attempts: number;
  lastError?: SyncFailure;
  /** Optimistic lock: every write is conditional on the version read. */
  version: number;
  updatedAt: string;
}

/**
 * A Square payout daybook has dealt with (lib/payouts/post-payouts.ts): posting, posted, nothing to
 * post (a SIMPLE payout, one that failed carrying only card sales), held (no bank account mapped,
 * entries that do not add up), or failed (a failure only the merchant can fix).
 */
/** "before-daybook": it pays out sales from before the location's first posting day; never posted (docs/accounting.md). */
export type PayoutState = "posting" | "posted" | "nothing-to-post" | "held" | "failed" | "before-daybook";

/** One journal entry daybook posted for a payout: its deposit, its reversal, or what a failed one carried. */
export interface PostedPayoutEntry {
  kind: PayoutEntryKind;
  docNumber: string;
  entryId: string;
  txnDate: string;
  requestId: string;
  /** Σ debits = Σ credits, minor units. */
  total: number;
  /** The accounts the entry used, which a reversal must use again. */
  bankAccountId: string | null;
  clearingAccountId: string;
  postedAt: string;
}

/** A payout entry being posted: claimed before the create, as a day's PendingEntry is. */
export interface PendingPayoutEntry extends Omit<PostedPayoutEntry, "entryId" | "txnDate" | "postedAt"> {
  body: JournalEntryBody;
  /** The sha256 of the entry's lines, which its PrivateNote carries: how daybook knows the entry in QuickBooks. */
  linesHash: string;
  startedAt: string;
}

export interface PayoutRecord {
  merchantId: string;
  locationId: string;
  /** payoutTag of the Square payout id: daybook keeps no Square id. */
  payoutTag: string;
  state: PayoutState;
  /** The payout as Square last reported it (aggregates only). */
  summary: PayoutSummary;
  posted: PostedPayoutEntry[];
  pending?: PendingPayoutEntry;
  heldReason?: string;
  /** Why a payout of state "before-daybook" is not posted: the tie-out's reason, and what of it daybook's card clearing holds. */
  skipped?: PayoutSkip;
  warnings: Warning[];
  lastError?: SyncFailure;
  version: number;
  updatedAt: string;
  /** ISO 8601: when the record may go (the table's TTL): 13 months after the arrival date (lib/store/retention.ts). */
  expiresAt: string;
}

export interface PayoutSkip {
  /** lib/payouts/tie-out.ts's reason for a day before the location's first posting day. */
  reason: "before-first-day";
  /** The location's first posting day (LocationConfig.postingFrom) when the payout was seen. */
  firstDay: string;
  /** Σ net of the payout's card sales of days on or after firstDay: to move from card clearing by hand. */
  postedPart: number;
}

/** Where a Square location's payouts stand: what the next night reads from, and how the last one went. */
export interface PayoutCheck {
  merchantId: string;
  locationId: string;
  /** ISO 8601: the next night reads the payouts created or changed since this instant. */
  readFrom: string;
  lastRunAt: string;
  lastError?: SyncFailure;
  /**
   * Which key the location's payout records are under (lib/store/payouts.ts PayoutKeys): absent, the
   * tag's (as before); "moving" while `daybook move-payout-keys` moves them; "by-creation" after.
   */
  payoutKeys?: "moving" | "by-creation";
  version: number;
}

/** The providers' names as a merchant reads them. */
export const PROVIDER_NAMES: Record<ProviderName, string> = { square: "Square", clover: "Clover", quickbooks: "QuickBooks" };
