/**
 * The PayoutStore: what daybook keeps of each Square payout it dealt with (lib/model.ts PayoutRecord)
 * and where each location's payouts stand (PayoutCheck), on the one table, in the merchant's
 * partition so export and account deletion take them along:
 *
 *   MERCHANT#<id> / PAYOUT#<locationId>#<payoutTag>      a payout's record (TTL: expiresAt)
 *   MERCHANT#<id> / PAYOUTCHECK#<locationId>             where the location's payouts stand
 *   MERCHANT#<id> / PAYOUTSCOPE#<connectionId>           the merchant was asked once to reconnect for payouts
 *
 * Every write that can race is conditional on the version read, as sync records are; everything read is
 * checked by its schema. A record's fields that nothing names in a condition, a key, an index or a query
 * are kept as one compressed JSON attribute (`recordZ`: payout-items.ts; payoutRecordItem says why);
 * records written before are read as they are.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { PayoutCheck, PayoutRecord, PayoutSkip, PendingPayoutEntry, PostedPayoutEntry } from "../model";
import type { PayoutDay, PayoutSummary } from "../payouts/payout-summary";
import { mayBeCarried } from "../payouts/clearing-carry";
import { accountGuard } from "./account-guard";
import { putMarkingCarryStale, writtenAt } from "./clearing-carries";
import * as z from "zod/mini";
import { assertVersion, conflictOnCondition, describeItem, fromItem, type Item, names, queryAll, toItem, unlessConditionFails } from "./dynamo-items";
import { type ItemKey, keys, segment } from "./keys";
import { compressedPayoutItem, PAYOUT_RECORD_PREFIX, plainPayoutItem } from "./payout-items";
import { businessDay, currency, describing, id, minorUnits, timestamp } from "./schema-parts";
import { journalEntryBodySchema, syncFailureSchema } from "./schemas";

export interface ReadOptions {
  consistent?: boolean;
}

export interface PayoutStore {
  getPayout(merchantId: string, locationId: string, payoutTag: string): Promise<PayoutRecord | undefined>;
  /** Writes the record if its stored version equals `expectedVersion` (0: new); ConflictError otherwise. */
  savePayout(record: Omit<PayoutRecord, "version">, expectedVersion: number): Promise<PayoutRecord>;
  /**
   * The location's payout records, by arrival date. Strongly consistent unless `consistent` is false
   * (half the read units: the digest's Deposits section, lib/report/digest-deposits.ts, says why it may).
   */
  listPayouts(merchantId: string, locationId: string, options?: ReadOptions): Promise<PayoutRecord[]>;
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
export function payoutRecordItem(record: PayoutRecord): Item {
  return compressedPayoutItem(toItem(payoutRecordSchema, record, recordKeyOf(record.merchantId, record.locationId, record.payoutTag), "the payout record",
    { expiresAtIso: record.expiresAt, expiresAt: Math.ceil(Date.parse(record.expiresAt) / 1000) }));
}

function recordKeyOf(merchantId: string, locationId: string, payoutTag: string): ItemKey {
  return { PK: keys.merchantPartition(merchantId), SK: `${PAYOUT_RECORD_PREFIX}${segment(locationId, "locationId")}#${payoutTag}` };
}

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
    const stored = fromItem(storedRecordSchema, item, subject);
    return fromItem(payoutRecordSchema, { ...plainPayoutItem(item, subject), expiresAt: stored.expiresAtIso }, subject);
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

  return {
    async getPayout(merchantId, locationId, payoutTag) {
      const key = recordKeyOf(merchantId, locationId, payoutTag);
      const item = await get(key);
      return item && recordOf(item, `the stored payout ${key.PK} ${key.SK}`);
    },

    async savePayout(record, expectedVersion) {
      const item = payoutRecordItem({ ...record, version: expectedVersion + 1 });
      const at = writtenAt(record.updatedAt, now);
      // A payout arriving on an old day (Square returned it, a late first read): the location's carry may count it.
      await putVersioned(item, expectedVersion, `payout ${record.payoutTag} of location ${record.locationId}`, record.merchantId,
        mayBeCarried(record.summary.arrivalDate, at) ? { locationId: record.locationId, at } : undefined);
      return recordOf(item, "the payout record written");
    },

    async listPayouts(merchantId, locationId, options = {}) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": `${PAYOUT_RECORD_PREFIX}${segment(locationId, "locationId")}#` },
        ConsistentRead: options.consistent ?? true,
      });
      return items.map((item) => recordOf(item, `the stored payout ${describeItem(item)}`))
        .sort((a, b) => a.summary.arrivalDate.localeCompare(b.summary.arrivalDate) || a.summary.createdAt.localeCompare(b.summary.createdAt));
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
