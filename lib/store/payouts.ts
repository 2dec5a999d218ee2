/**
 * The PayoutStore: what daybook keeps of each Square payout it dealt with (lib/model.ts PayoutRecord)
 * and where each location's payouts stand (PayoutCheck), on the one table, in the merchant's
 * partition so export and account deletion take them along:
 *
 *   MERCHANT#<id> / PAYOUT#<locationId>#@<createdAt>#<payoutTag>  a payout's record (TTL: expiresAt), keyed by creation
 *   MERCHANT#<id> / PAYOUT#<locationId>#<payoutTag>      the same, as written before (a location not yet moved)
 *   MERCHANT#<id> / PAYOUTCHECK#<locationId>             where the location's payouts stand
 *   MERCHANT#<id> / PAYOUTSCOPE#<connectionId>           the merchant was asked once to reconnect for payouts
 *
 * Every write that can race is conditional on the version read, as sync records are; everything read is
 * checked by its schema. A record's fields that nothing names in a condition, a key, an index or a query
 * are kept as one compressed JSON attribute (`recordZ`: payout-items.ts; payoutRecordItem says why);
 * records written before are read as they are.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { PayoutCheck, PayoutRecord, PayoutSkip, PendingPayoutEntry, PostedPayoutEntry } from "../model";
import type { PayoutDay, PayoutSummary } from "../payouts/payout-summary";
import { mayBeCarried, writtenLongAfterCreation } from "../payouts/clearing-carry";
import { accountGuard } from "./account-guard";
import { writtenAt } from "../payouts/carry-window";
import { putMarkingCarryStale, staleCarry } from "./carry-stamp";
import * as z from "zod/mini";
import {
  assertVersion, conflictOnCondition, describeItem, fromItem, type Item, names, queryAll, toItem, unlessConditionFails,
} from "./dynamo-items";
import { type ItemKey, keys, segment } from "./keys";
import { compressedPayoutItem, PAYOUT_RECORD_PREFIX, plainPayoutItem } from "./payout-items";
import { businessDay, currency, describing, id, minorUnits, timestamp } from "./schema-parts";
import { journalEntryBodySchema, syncFailureSchema } from "./schemas";
import { StoreError } from "./errors";
import { type TransactItems, transactWrite } from "./transact-write";
import { ConflictError } from "./store";

export interface ReadOptions {
  consistent?: boolean;
}

/**
 * Which key a location's payout records are under (its check's `payoutKeys`): "by-tag", as written
 * before (`PAYOUT#<loc>#<tag>`), until movePayoutKeys moved them; "by-creation" after
 * (`PAYOUT#<loc>#@<createdAt>#<tag>`: the morning digest reads only the payouts outside its card
 * clearing carry, by their creation: lib/report/digest-deposits.ts).
 */
export type PayoutKeys = "by-tag" | "by-creation";

/** Creation instants of the payout records the digest reads beside a carry (ClearingCarry `created`). */
export interface CreatedRanges {
  /** Created at or after this instant. */
  after: string;
  /** And those created at or before this one; null: none. */
  before: string | null;
}

export interface MoveOutcome {
  /** "no-check": the location has posted no payouts yet (nothing to move, nothing marked). */
  status: "moved" | "already-moved" | "no-check";
  moved: number;
}

export interface PayoutStore {
  /**
   * One GetItem: under the key by creation when `createdAt` (Square's `created_at`, any offset) is given,
   * else under the tag's key as written before. The caller knows which from the location's check.
   */
  getPayout(merchantId: string, locationId: string, payoutTag: string, createdAt?: string): Promise<PayoutRecord | undefined>;
  /**
   * Writes the record if its stored version equals `expectedVersion` (0: new); ConflictError otherwise.
   * `keys`: the location's (default "by-tag"). A new record under the tag's key is written only while the
   * location's check does not say its records are moving or moved (one transaction with the check's
   * condition), so a night that read the check before a move began never leaves a record behind it.
   */
  savePayout(record: Omit<PayoutRecord, "version">, expectedVersion: number, keys?: PayoutKeys): Promise<PayoutRecord>;
  /**
   * The location's payout records, by arrival date. Strongly consistent unless `consistent` is false
   * (half the read units: the digest's Deposits section, lib/report/digest-deposits.ts, says why it may).
   */
  listPayouts(merchantId: string, locationId: string, options?: ReadOptions): Promise<PayoutRecord[]>;
  /**
   * The location's payout records keyed by creation and created in `ranges` (at most two ranged queries),
   * by arrival date; records under the tag's key are not read. Strongly consistent unless `consistent` is false.
   */
  listPayoutsCreated(merchantId: string, locationId: string, ranges: CreatedRanges, options?: ReadOptions): Promise<PayoutRecord[]>;
  /**
   * Whether the location keeps a record under the tag's key (two ranged queries of at most one item,
   * strongly consistent): a location without a check keys its records by creation from its first run
   * unless it does (a first run of before, which ended before it saved the check).
   */
  hasRecordsByTag(merchantId: string, locationId: string): Promise<boolean>;
  /**
   * Moves the location's records from the tag's key to the key by creation (the operator's one-off
   * `daybook move-payout-keys`), resumable: marks the check "moving" (nights then refuse to post the
   * location's payouts and are retried), moves each record in one transaction (Put under the new key if
   * absent, Delete the old at the version read: a night's write in between fails one of them, and the
   * record is read and moved again), and marks the check "by-creation" once none is left.
   */
  movePayoutKeys(merchantId: string, locationId: string): Promise<MoveOutcome>;
  getCheck(merchantId: string, locationId: string): Promise<PayoutCheck | undefined>;
  /** Conditional on the version as savePayout is. */
  saveCheck(check: Omit<PayoutCheck, "version">, expectedVersion: number): Promise<PayoutCheck>;
  /**
   * Marks that the merchant was asked to reconnect this connection for payouts; true for the one call
   * that marked it (that call sends the email), false ever after.
   */
  claimScopeRequest(merchantId: string, connectionId: string, at: Date): Promise<boolean>;
  /** Undoes claimScopeRequest: the email caps held the request back, so the next night asks again. */
  releaseScopeRequest(merchantId: string, connectionId: string): Promise<void>;
}

const CHECK_PREFIX = "PAYOUTCHECK#";
const SCOPE_PREFIX = "PAYOUTSCOPE#";

const tag = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, "must be a payout tag"));
const kind = z.enum(["deposit", "reversal", "failed"]);

const payoutDaySchema = describing<PayoutDay>()(z.object({
  payments: minorUnits, refunds: minorUnits, fees: minorUnits, net: minorUnits, count: z.int().check(z.nonnegative()), feeAdjustments: minorUnits,
}));

export const payoutSummarySchema = describing<PayoutSummary>()(z.object({
  tag,
  locationId: id,
  status: z.enum(["SENT", "PAID", "FAILED"]),
  type: z.enum(["BATCH", "SIMPLE"]),
  currency,
  amount: minorUnits,
  createdAt: timestamp,
  updatedAt: timestamp,
  arrivalDate: businessDay,
  version: z.int(),
  destinationType: z.nullable(z.string()),
  transferFees: minorUnits,
  days: z.record(businessDay, payoutDaySchema),
  activities: z.record(z.string(), minorUnits),
  entryCount: z.int().check(z.nonnegative()),
  sweptThrough: z.nullable(businessDay),
}));

const postedShape = {
  kind,
  docNumber: z.string().check(z.minLength(1)),
  requestId: z.string().check(z.minLength(1)),
  total: minorUnits,
  bankAccountId: z.nullable(z.string()),
  clearingAccountId: id,
};

const postedPayoutEntrySchema = describing<PostedPayoutEntry>()(z.object({
  ...postedShape, entryId: id, txnDate: businessDay, postedAt: timestamp,
}));

const pendingPayoutEntrySchema = describing<PendingPayoutEntry>()(z.object({
  ...postedShape, body: journalEntryBodySchema, linesHash: z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a sha256")), startedAt: timestamp,
}));

const warningSchema = z.object({
  code: z.enum([
    "unmapped-category", "unmapped-tender", "over-short", "uncatalogued-item", "unknown-refund-tender", "unknown-tender-label", "late-change",
    "unknown-payout-activity", "unmapped-payout-account",
  ]),
  message: z.string(),
});

const payoutSkipSchema = describing<PayoutSkip>()(z.object({ reason: z.literal("before-first-day"), firstDay: businessDay, postedPart: minorUnits }));

export const payoutRecordSchema = describing<PayoutRecord>()(z.object({
  merchantId: id,
  locationId: id,
  payoutTag: tag,
  state: z.enum(["posting", "posted", "nothing-to-post", "held", "failed", "before-daybook"]),
  summary: payoutSummarySchema,
  posted: z.array(postedPayoutEntrySchema),
  pending: z.optional(pendingPayoutEntrySchema),
  heldReason: z.optional(z.string()),
  skipped: z.optional(payoutSkipSchema),
  warnings: z.array(warningSchema),
  lastError: z.optional(syncFailureSchema),
  version: z.int().check(z.positive()),
  updatedAt: timestamp,
  expiresAt: timestamp,
}));

export const payoutCheckSchema = describing<PayoutCheck>()(z.object({
  merchantId: id,
  locationId: id,
  readFrom: timestamp,
  lastRunAt: timestamp,
  lastError: z.optional(syncFailureSchema),
  payoutKeys: z.optional(z.enum(["moving", "by-creation"])),
  version: z.int().check(z.positive()),
}));

/** The record's instant is kept as expiresAtIso; `expiresAt` is the table's TTL, epoch seconds. */
const storedRecordSchema = z.object({ expiresAtIso: timestamp });

/**
 * The record as its item (checked by the schema first): the record's key, its instant kept as
 * expiresAtIso and the table's TTL, and what payout-items.ts keeps compressed.
 * The morning digest reads every payout record a location keeps (lib/report/digest-deposits.ts),
 * billed by the 4 KB of their bytes, and each is kept and backed up 13 months. Measured on the bench's
 * daily payout (bench/digest-reads.ts; 2026-12-07 17:01 and 17:09 UTC, load average 4-9):
 * - posted, 925 B as maps; 664 B with one compressed attribute; 744 B with one per field (each Brotli
 *   stream starts without the others' names); 740 B compressed as sync records are (summary and posted
 *   apart, a pending body alone). Two locations' 730 records: 119 blocks of 4 KB instead of 165.
 * - claimed (the deposit's whole body, for a retry to re-send): 1,770 B (2 WRU a write); 937 B (1 WRU);
 *   1,025 B; 1,169 B.
 * - CPU: 1.3 ms a posted record's write (2.4 ms a claimed one's) at Brotli's quality 11, which
 *   compressText keeps (quality 5: about 0.15 ms, 35 B more a record, 6 blocks more each morning);
 *   reading back a merchant's 730 records 39 ms against 11 ms from maps.
 */
export function payoutRecordItem(record: PayoutRecord, keyed: PayoutKeys = "by-tag"): Item {
  const key = keyed === "by-creation"
    ? createdKeyOf(record.merchantId, record.locationId, record.summary.createdAt, record.payoutTag)
    : recordKeyOf(record.merchantId, record.locationId, record.payoutTag);
  return compressedPayoutItem(toItem(payoutRecordSchema, record, key, "the payout record",
    { expiresAtIso: record.expiresAt, expiresAt: Math.ceil(Date.parse(record.expiresAt) / 1000) }));
}

const locationPrefix = (locationId: string) => `${PAYOUT_RECORD_PREFIX}${segment(locationId, "locationId")}#`;
/** "@" sorts after the digits and before the letters: keys by creation never fall between two tags' keys. */
const CREATED_MARK = "@";
/** After every character an ISO instant or a tag holds: the end of a range. */
const RANGE_END = "~";

function recordKeyOf(merchantId: string, locationId: string, payoutTag: string): ItemKey {
  return { PK: keys.merchantPartition(merchantId), SK: `${locationPrefix(locationId)}${payoutTag}` };
}

/** An instant as the key holds it: UTC, milliseconds (`…Z`, `….000Z` and an offset make one key). */
export function createdKeyPart(createdAt: string): string {
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) throw new StoreError(`a payout's creation instant must be an ISO 8601 instant, not ${JSON.stringify(createdAt)}`);
  return new Date(at).toISOString();
}

function createdKeyOf(merchantId: string, locationId: string, createdAt: string, payoutTag: string): ItemKey {
  return { PK: keys.merchantPartition(merchantId), SK: `${locationPrefix(locationId)}${CREATED_MARK}${createdKeyPart(createdAt)}#${payoutTag}` };
}

/** Whether a payout record's item is under the key by creation. */
export const keyedByCreation = (item: Item, locationId: string): boolean => String(item.SK).startsWith(`${locationPrefix(locationId)}${CREATED_MARK}`);

export interface DynamoPayoutStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}

export function createDynamoPayoutStore({ client, tableName, now = () => new Date() }: DynamoPayoutStoreOptions): PayoutStore {
  const checkKey = (merchantId: string, locationId: string): ItemKey => ({
    PK: keys.merchantPartition(merchantId), SK: `${CHECK_PREFIX}${segment(locationId, "locationId")}`,
  });
  const scopeKey = (merchantId: string, connectionId: string): ItemKey => ({
    PK: keys.merchantPartition(merchantId), SK: `${SCOPE_PREFIX}${segment(connectionId, "connectionId")}`,
  });

  const recordOf = (item: Item, subject: string): PayoutRecord => {
    const plain = plainPayoutItem(item, subject);
    const stored = fromItem(storedRecordSchema, plain, subject);
    return fromItem(payoutRecordSchema, { ...plain, expiresAt: stored.expiresAtIso }, subject);
  };

  async function get(key: ItemKey): Promise<Item | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  const guard = accountGuard({ client, tableName });

  /**
   * A first version makes an item: checked after (account-guard.ts); later ones need the one before (their
   * condition). `carried`: the item may be counted by the location's card clearing carry, which the same
   * transaction marks stale (clearing-carries.ts).
   */
  async function putVersioned(item: Item, expectedVersion: number, what: string, merchantId: string, carried?: { locationId: string; at: Date }): Promise<void> {
    assertVersion(expectedVersion, 0);
    const conflict = expectedVersion === 0 ? `${what} already exists` : `${what} is no longer at version ${expectedVersion}`;
    const condition = expectedVersion === 0
      ? { ConditionExpression: "attribute_not_exists(PK)" }
      : { ConditionExpression: "#version = :expected", ExpressionAttributeNames: names("version"), ExpressionAttributeValues: { ":expected": expectedVersion } };
    if (carried) await putMarkingCarryStale(client, tableName, { Item: item, ...condition }, { merchantId, ...carried }, conflict);
    else await conflictOnCondition(conflict, () => client.send(new PutCommand({ TableName: tableName, Item: item, ...condition })));
    if (expectedVersion === 0) await guard.settle(merchantId);
  }

  /** A location's records as read (sorted by arrival); a record met under both keys (a read across a move) once, at its latest version. */
  const recordsOf = (items: Item[]): PayoutRecord[] => {
    const byTag = new Map<string, PayoutRecord>();
    for (const item of items) {
      const record = recordOf(item, `the stored payout ${describeItem(item)}`);
      const seen = byTag.get(record.payoutTag);
      if (!seen || seen.version < record.version) byTag.set(record.payoutTag, record);
    }
    return [...byTag.values()]
      .sort((a, b) => a.summary.arrivalDate.localeCompare(b.summary.arrivalDate) || a.summary.createdAt.localeCompare(b.summary.createdAt));
  };

  /**
   * A new record under the tag's key, conditional on the location's check not saying its records are
   * moving or moved: the night read the check before, and a move may have begun since.
   */
  async function putUnlessMoving(item: Item, what: string, merchantId: string, locationId: string, staleAt: Date | undefined): Promise<void> {
    const items: TransactItems = [
      { Put: { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" } },
      { ConditionCheck: { TableName: tableName, Key: checkKey(merchantId, locationId), ConditionExpression: "attribute_not_exists(#payoutKeys)", ExpressionAttributeNames: names("payoutKeys") } },
      ...(staleAt ? [staleCarry(tableName, merchantId, locationId, staleAt)] : []),
    ];
    await transactWrite(client, items, [`${what} already exists`, `the payout records of location ${locationId} are being moved to their keys by creation`]);
    await guard.settle(merchantId);
  }

  /**
   * Moves every record of the location still under the tag's key, each in one transaction, until none is
   * left; returns how many it moved. The item moves as it is (form, version, expiry): no figure changes,
   * so no carry goes stale. A record a night rewrote since it was read fails the Delete, and is read again.
   */
  async function moveAll(merchantId: string, locationId: string): Promise<number> {
    let moved = 0;
    for (let round = 1; ; round++) {
      const items = (await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": locationPrefix(locationId) },
        ConsistentRead: true,
      })).filter((item) => !keyedByCreation(item, locationId));
      if (items.length === 0) return moved;
      if (round > 20) throw new StoreError(`the payout records of location ${locationId} keep changing while they are moved; run the command again`);
      for (const item of items) {
        const record = recordOf(item, `the stored payout ${describeItem(item)}`);
        const target = createdKeyOf(merchantId, locationId, record.summary.createdAt, record.payoutTag);
        try {
          await transactWrite(client, [
            { Put: { TableName: tableName, Item: { ...item, ...target }, ConditionExpression: "attribute_not_exists(PK)" } },
            { Delete: {
              TableName: tableName, Key: { PK: item.PK, SK: item.SK },
              ConditionExpression: "#version = :version", ExpressionAttributeNames: names("version"), ExpressionAttributeValues: { ":version": record.version },
            } },
          ], [`payout ${record.payoutTag} of location ${locationId} is under both keys`, "changed"]);
          moved += 1;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          if (error.message !== "changed") throw new StoreError(error.message);
        }
      }
    }
  }

  return {
    async getPayout(merchantId, locationId, payoutTag, createdAt) {
      const key = createdAt === undefined ? recordKeyOf(merchantId, locationId, payoutTag) : createdKeyOf(merchantId, locationId, createdAt, payoutTag);
      const item = await get(key);
      return item && recordOf(item, `the stored payout ${key.PK} ${key.SK}`);
    },

    async savePayout(record, expectedVersion, keyed = "by-tag") {
      const item = payoutRecordItem({ ...record, version: expectedVersion + 1 }, keyed);
      const at = writtenAt(record.updatedAt, now);
      const what = `payout ${record.payoutTag} of location ${record.locationId}`;
      // A payout arriving on an old day (Square returned it, a late first read), or created long before
      // (the digest reads beside the carry only the payouts created since a bound: clearing-carry.ts
      // writtenLongAfterCreation): the location's carry may count it, or miss it.
      const carried = mayBeCarried(record.summary.arrivalDate, at) || writtenLongAfterCreation(record.summary.createdAt, at)
        ? { locationId: record.locationId, at } : undefined;
      if (keyed === "by-tag" && expectedVersion === 0) await putUnlessMoving(item, what, record.merchantId, record.locationId, carried?.at);
      else await putVersioned(item, expectedVersion, what, record.merchantId, carried);
      return recordOf(item, "the payout record written");
    },

    async listPayouts(merchantId, locationId, options = {}) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": locationPrefix(locationId) },
        ConsistentRead: options.consistent ?? true,
      });
      return recordsOf(items);
    },

    async listPayoutsCreated(merchantId, locationId, ranges, options = {}) {
      const prefix = `${locationPrefix(locationId)}${CREATED_MARK}`;
      const after = `${prefix}${createdKeyPart(ranges.after)}`;
      const before = ranges.before === null ? undefined : `${prefix}${createdKeyPart(ranges.before)}${RANGE_END}`;
      // Overlapping ranges are read as one: every record keyed by creation.
      const spans: [string, string][] = before === undefined ? [[after, `${prefix}${RANGE_END}`]]
        : before >= after ? [[prefix, `${prefix}${RANGE_END}`]] : [[prefix, before], [after, `${prefix}${RANGE_END}`]];
      const pages = await Promise.all(spans.map(([from, to]) => queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":from": from, ":to": to },
        ConsistentRead: options.consistent ?? true,
      })));
      return recordsOf(pages.flat());
    },

    async hasRecordsByTag(merchantId, locationId) {
      const prefix = locationPrefix(locationId);
      // Tags are Crockford base32 (0-9, A-Z): the keys by creation ("@") sort between the two ranges.
      const found = await Promise.all([["0", `9${RANGE_END}`], ["A", `Z${RANGE_END}`]].map(async ([from, to]) => (await client.send(new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":from": `${prefix}${from}`, ":to": `${prefix}${to}` },
        ProjectionExpression: "PK",
        Limit: 1,
        ConsistentRead: true,
      }))).Items?.length ?? 0));
      return found.some((count) => count > 0);
    },

    async movePayoutKeys(merchantId, locationId) {
      let moved = 0;
      for (let attempt = 1; ; attempt++) {
        const check = await this.getCheck(merchantId, locationId);
        if (check === undefined) return { status: "no-check", moved };
        if (check.payoutKeys === "by-creation") return { status: attempt === 1 ? "already-moved" : "moved", moved };
        const { version, ...rest } = check;
        try {
          // From here no night writes a new record under the tag's key (putUnlessMoving) or posts (postPayouts).
          const moving = check.payoutKeys === "moving" ? check : await this.saveCheck({ ...rest, payoutKeys: "moving" }, version);
          moved += await moveAll(merchantId, locationId);
          const { version: movingVersion, ...movingRest } = moving;
          await this.saveCheck({ ...movingRest, payoutKeys: "by-creation" }, movingVersion);
          return { status: "moved", moved };
        } catch (error) {
          // A night kept its failure on the check meanwhile: read it again.
          if (!(error instanceof ConflictError) || attempt >= 10) throw error;
        }
      }
    },

    async getCheck(merchantId, locationId) {
      const key = checkKey(merchantId, locationId);
      const item = await get(key);
      return item && fromItem(payoutCheckSchema, item, `the stored payout check ${key.PK} ${key.SK}`);
    },

    async saveCheck(check, expectedVersion) {
      const key = checkKey(check.merchantId, check.locationId);
      const item = toItem(payoutCheckSchema, { ...check, version: expectedVersion + 1 }, key, "the payout check");
      await putVersioned(item, expectedVersion, `the payout check of location ${check.locationId}`, check.merchantId);
      return fromItem(payoutCheckSchema, item, "the payout check written");
    },

    async claimScopeRequest(merchantId, connectionId, at) {
      const claimed = await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: { ...scopeKey(merchantId, connectionId), askedAt: at.toISOString() },
        ConditionExpression: "attribute_not_exists(PK)",
      })));
      if (claimed !== undefined) await guard.settle(merchantId);
      return claimed !== undefined;
    },

    async releaseScopeRequest(merchantId, connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: scopeKey(merchantId, connectionId) }));
    },
  };
}
