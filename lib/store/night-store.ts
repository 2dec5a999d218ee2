/**
 * The Store's methods a night uses (lib/sync, the token keeper: see NIGHT_STORE_METHODS), on the table
 * as dynamo.ts lays it out: the location, its connections and their tokens, the merchant's profile, the
 * sync records. dynamo.ts makes the whole Store from these and the rest; the worker's start makes only
 * these, and the rest on the first call of one of them (lib/wiring/worker.ts), so a night loads no
 * sign-up, export, deletion or connection-listing code, nor the schemas they check.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { writtenAt, mayBeCarried } from "../payouts/carry-window";
import type { Connection, SyncRecord } from "../model";
import { describeIssues } from "../validation";
import { accountGuard, type AccountGuard } from "./account-guard";
import type { BatchDeleteOptions } from "./batch-items";
import {
  assertVersion, conflictOnCondition, describeItem, describeKey, fromItem, type Item, names, queryAll,
} from "./dynamo-items";
import { StoreError } from "./errors";
import { indexKeys, type ItemKey, keys } from "./keys";
import { merchantProfiles } from "./merchant-profile";
import { businessDayExpiresAt } from "./retention";
import { locationSchema, storedConnectionSchema, syncRecordSchema } from "./schemas";
import type { Store } from "./store";
import { syncRecordItem, syncRecordOf } from "./sync-records";

export interface DynamoStoreOptions {
  /** Any translateConfig will do: the store drops undefined values itself and checks every number it reads. */
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
  /** Items per Query page (DynamoDB's 1 MB pages when unset); tests set it small to exercise paging. */
  pageSize?: number;
  /** How account deletion retries what BatchWriteItem leaves unprocessed. */
  batchDelete?: BatchDeleteOptions;
}

/**
 * What a night calls (test/integration/worker.test.ts's nights record it): the location, connection and
 * merchant it syncs, the records of D−3..D read and written, the company's settings kept on the
 * connection, and the token keeper's refresh (its lease and the new tokens).
 */
export const NIGHT_STORE_METHODS = [
  "getMerchant", "getLocation", "getConnection", "getSyncRecord", "listSyncRecordsBetween", "saveSyncRecord",
  "acquireRefreshLease", "updateConnectionTokens", "setConnectionCompany",
] as const satisfies readonly (keyof Store)[];

export type NightStore = Pick<Store, (typeof NIGHT_STORE_METHODS)[number]>;

/** The table's reads and writes both halves of the Store make. */
export interface StoreTable {
  read: <T>(key: ItemKey, schema: z.ZodMiniType<T>, what: string) => Promise<T | undefined>;
  put: (item: Item, condition?: { expression: string; values?: Item; names?: Record<string, string>; conflict: string }) => Promise<void>;
  guard: AccountGuard;
}

export function storeTable({ client, tableName, now = () => new Date(), batchDelete }: DynamoStoreOptions): StoreTable {
  return {
    read: async <T>(key: ItemKey, schema: z.ZodMiniType<T>, what: string): Promise<T | undefined> => {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Item === undefined ? undefined : fromItem(schema, Item, `the stored ${what} ${describeKey(key)}`);
    },
    put: async (item, condition) => {
      await conflictOnCondition(condition?.conflict, () => client.send(new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: condition?.expression,
        ExpressionAttributeValues: condition?.values,
        ExpressionAttributeNames: condition?.names,
      })));
    },
    guard: accountGuard({ client, tableName, now, ...(batchDelete ? { batchDelete } : {}) }),
  };
}

export function createDynamoNightStore(options: DynamoStoreOptions, table: StoreTable = storeTable(options)): NightStore {
  const { client, tableName, now = () => new Date(), pageSize } = options;
  const { read, put, guard } = table;
  const { getMerchant } = merchantProfiles({ client, tableName });

  return {
    getMerchant,

    async acquireRefreshLease(merchantId, connectionId, expectedVersion, until, at) {
      assertVersion(expectedVersion, 1);
      if (!(until.getTime() > at.getTime())) throw new StoreError("a refresh lease must end after the time it is taken");
      const key = keys.connection(merchantId, connectionId);
      const { Attributes } = await conflictOnCondition(
        `connection ${connectionId} of merchant ${merchantId} is not active at token version ${expectedVersion}, or another worker holds its refresh lease`,
        () => client.send(new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: "SET #refreshLeaseUntil = :until",
          // ISO 8601 instants from toISOString compare as strings in time order.
          ConditionExpression: "#status = :active AND #tokenVersion = :expected AND (attribute_not_exists(#refreshLeaseUntil) OR #refreshLeaseUntil < :now)",
          ExpressionAttributeNames: names("refreshLeaseUntil", "status", "tokenVersion"),
          ExpressionAttributeValues: { ":until": until.toISOString(), ":active": "active", ":expected": expectedVersion, ":now": at.toISOString() },
          ReturnValues: "ALL_NEW",
        })),
      );
      return toConnection(fromItem(storedConnectionSchema, Attributes ?? {}, `the leased connection ${describeKey(key)}`));
    },

    async listSyncRecordsBetween(merchantId, locationId, from, to, options = {}) {
      const prefix = (day: string) => keys.syncRecord(merchantId, locationId, day).SK;
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":from": prefix(from), ":to": prefix(to) },
        ConsistentRead: options.consistent ?? true,
        Limit: pageSize,
      });
      return items.map((item) => syncRecordOf(item, `the stored sync record ${describeItem(item)}`));
    },

    async getConnection(merchantId, connectionId) {
      const stored = await read(keys.connection(merchantId, connectionId), storedConnectionSchema, "connection");
      return stored && toConnection(stored);
    },

    async updateConnectionTokens(merchantId, connectionId, expectedVersion, tokenCiphertext, sweepDueAt) {
      assertVersion(expectedVersion, 1);
      if (tokenCiphertext === "") throw new StoreError("the new tokenCiphertext is empty");
      const key = keys.connection(merchantId, connectionId);
      const sweepIndex = indexKeys.connectionInShard(merchantId, connectionId);
      const { Attributes } = await conflictOnCondition(
        `connection ${connectionId} of merchant ${merchantId} is no longer active at token version ${expectedVersion}`,
        () => client.send(new UpdateCommand({
          TableName: tableName,
          Key: key,
          // The new tokens end the refresh that held the lease. The sweep's index keys are set again, for a
          // connection written before GSI2 existed.
          // The sweep's next look belongs to these tokens: set with them, or removed (it opens them next time).
          UpdateExpression: `SET #tokenCiphertext = :ciphertext, #tokenVersion = :next, #updatedAt = :now, GSI2PK = :shard, GSI2SK = :inShard${sweepDueAt ? ", #sweepDueAt = :sweepDueAt" : ""} REMOVE #refreshLeaseUntil${sweepDueAt ? "" : ", #sweepDueAt"}`,
          // A connection that is not active has no tokens to refresh; reconnecting makes a new one.
          ConditionExpression: "#tokenVersion = :expected AND #status = :active",
          ExpressionAttributeNames: names("tokenCiphertext", "tokenVersion", "updatedAt", "refreshLeaseUntil", "status", "sweepDueAt"),
          ExpressionAttributeValues: {
            ...(sweepDueAt ? { ":sweepDueAt": sweepDueAt.toISOString() } : {}),
            ":ciphertext": tokenCiphertext,
            ":next": expectedVersion + 1,
            ":now": now().toISOString(),
            ":expected": expectedVersion,
            ":active": "active",
            ":shard": sweepIndex.GSI2PK,
            ":inShard": sweepIndex.GSI2SK,
          },
          ReturnValues: "ALL_NEW",
        })),
      );
      return toConnection(fromItem(storedConnectionSchema, Attributes ?? {}, `the updated connection ${describeKey(key)}`));
    },

    async setConnectionCompany(merchantId, connectionId, company) {
      const key = keys.connection(merchantId, connectionId);
      const checked = storedConnectionSchema.def.shape.company.safeParse(company);
      if (!checked.success) throw new StoreError(describeIssues(checked.error, "the QuickBooks company's settings"));
      await conflictOnCondition(`connection ${connectionId} of merchant ${merchantId} does not exist`, () => client.send(new UpdateCommand({
        TableName: tableName, Key: key,
        UpdateExpression: "SET #company = :company",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: names("company"),
        ExpressionAttributeValues: { ":company": checked.data },
      })));
    },

    async getLocation(merchantId, locationId) {
      return await read(keys.location(merchantId, locationId), locationSchema, "location");
    },

    async getSyncRecord(merchantId, locationId, businessDay) {
      const key = keys.syncRecord(merchantId, locationId, businessDay);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Item === undefined ? undefined : syncRecordOf(Item, `the stored sync record ${describeKey(key)}`);
    },

    async saveSyncRecord(record, expectedVersion) {
      assertVersion(expectedVersion, 0);
      const key = keys.syncRecord(record.merchantId, record.locationId, record.businessDay);
      const written: SyncRecord = { ...record, version: expectedVersion + 1 };
      const item = syncRecordItem(written, key, { expiresAt: businessDayExpiresAt(record.businessDay) });
      const what = `sync record ${record.locationId} ${record.businessDay} of merchant ${record.merchantId}`;
      const condition = expectedVersion === 0
        ? { expression: "attribute_not_exists(PK)", conflict: `${what} already exists` }
        : {
            expression: "#version = :expected",
            names: names("version"),
            values: { ":expected": expectedVersion },
            conflict: `${what} is no longer at version ${expectedVersion}`,
          };
      // An old day (a backfill, an approval): the location's card clearing carry may count it. When: the
      // record's updatedAt, its writer's instant (the run's one clock read), not the store's clock again.
      // Never a night's days: the transaction that marks the carry loads here.
      const at = writtenAt(record.updatedAt, now);
      if (mayBeCarried(record.businessDay, at)) {
        const { putMarkingCarryStale } = await import("./carry-stamp");
        await putMarkingCarryStale(client, tableName, {
          Item: item, ConditionExpression: condition.expression, ExpressionAttributeNames: condition.names, ExpressionAttributeValues: condition.values,
        }, { merchantId: record.merchantId, locationId: record.locationId, at }, condition.conflict);
      } else await put(item, condition);
      // A first record makes an item; later versions need the one before (their condition).
      if (expectedVersion === 0) await guard.settle(record.merchantId);
      return fromItem(syncRecordSchema, { ...written }, "the sync record written");
    },
  };
}

export function toConnection(stored: z.output<typeof storedConnectionSchema>): Connection {
  // The contract's tokenCiphertext is a string; a connection that is not active has none.
  return { ...stored, tokenCiphertext: stored.tokenCiphertext ?? "" };
}
