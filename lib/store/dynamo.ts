/**
 * The Store on DynamoDB (AWS SDK v3 document client), one table laid out as table.ts and keys.ts
 * say. Every state change that can race is a conditional write; a lost condition is a ConflictError.
 * Reads of the table are strongly consistent, so a version read is the version a conditional write
 * will meet; reads of the indexes (GSI1, GSI2) cannot be, and are used only to find, never to decide:
 * they hold keys only, and what they find is read from the table.
 */
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { describeIssues } from "../validation";
import { deletePartition } from "./account-sweep";
import { itemsOfIndexEntries } from "./batch-items";
import {
  assertVersion, cancellationCodes, conflictOnCondition, describeItem, describeKey, fromItem, type Item, names, queryAll,
  toItem,
  unlessConditionFails, withoutUndefined,
} from "./dynamo-items";
import { StoreError } from "./errors";
import { indexKeys, keys, KIND_PREFIX, normalizeEmail } from "./keys";
import { merchantExportOf, newestDayFirst, oldestFirst } from "./merchant-export";
import { merchantProfiles, merchantSchema, merchantTimeZone } from "./merchant-profile";
import { accountLabelsSchema, locationSchema, storedConnectionSchema } from "./schemas";
import { createDynamoNightStore, type DynamoStoreOptions, storeTable, toConnection } from "./night-store";
import { DELETED_ACCOUNT_HOURS } from "./retention";
import { syncRecordOf } from "./sync-records";
import { GSI1, GSI2 } from "./table";
import type { Connection, ConnectionStatus, LocationConfig, Merchant } from "../model";
import { ConflictError, type Store } from "./store";

export type { DynamoStoreOptions } from "./night-store";


const emailClaimSchema = z.object({ merchantId: z.string().check(z.minLength(1)) });

export function createDynamoStore(options: DynamoStoreOptions): Store {
  const { client, tableName, now = () => new Date(), pageSize, batchDelete } = options;
  const table = storeTable(options);
  const { read, put, guard } = table;
  /** The items of one kind in the merchant's partition. */
  function queryKind(merchantId: string, prefix: string): Promise<Item[]> {
    return queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": prefix },
      ConsistentRead: true,
      Limit: pageSize,
    });
  }

  function queryPartition(merchantId: string): Promise<Item[]> {
    return queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "PK = :partition",
      ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId) },
      ConsistentRead: true,
      Limit: pageSize,
    });
  }

  function profileItem(merchant: Merchant): Item {
    return toItem(merchantSchema, { ...merchant, email: normalizeEmail(merchant.email) }, keys.merchant(merchant.merchantId), "the merchant");
  }

  const { getMerchant, hasClients } = merchantProfiles({ client, tableName });

  function writeMerchantTimeZone(merchantId: string, timeZone: string, condition: string) {
    const key = keys.merchant(merchantId);
    const checked = merchantTimeZone.safeParse(timeZone);
    if (!checked.success) throw new StoreError(describeIssues(checked.error, `the time zone to write to ${describeKey(key)}`));
    return client.send(new UpdateCommand({
      TableName: tableName, Key: key,
      UpdateExpression: "SET #timeZone = :timeZone",
      ConditionExpression: condition,
      ExpressionAttributeNames: names("timeZone"),
      ExpressionAttributeValues: { ":timeZone": checked.data },
    }));
  }

  /** Deletes the address's claim if it is this merchant's; true if it did. */
  async function releaseEmail(email: string, merchantId: string): Promise<boolean> {
    const released = await unlessConditionFails(() => client.send(new DeleteCommand({
      TableName: tableName,
      Key: keys.emailClaim(email),
      ConditionExpression: "#merchantId = :merchantId",
      ExpressionAttributeNames: names("merchantId"),
      ExpressionAttributeValues: { ":merchantId": merchantId },
    })));
    return released !== undefined;
  }

  async function deleteProfile(merchantId: string): Promise<number> {
    const profile = await read(keys.merchant(merchantId), merchantSchema, "merchant");
    if (profile === undefined) return 0;
    // The marker before the profile: a writer that finds the profile gone finds it, and takes back what it wrote.
    await client.send(new PutCommand({
      TableName: tableName,
      Item: { ...keys.deletedAccount(merchantId), expiresAt: Math.ceil(now().getTime() / 1000) + DELETED_ACCOUNT_HOURS * 3600 },
    }));
    // The claim before the profile: a claim left without its profile would keep the address from signing up again.
    const released = await releaseEmail(profile.email, merchantId);
    await client.send(new DeleteCommand({ TableName: tableName, Key: keys.merchant(merchantId) }));
    return released ? 2 : 1;
  }

  return {
    ...createDynamoNightStore(options, table),

    async putMerchant(merchant) {
      await put(profileItem(merchant));
    },

    hasClients,

    async createMerchant(merchant) {
      const profile = profileItem(merchant);
      const claim = { ...keys.emailClaim(merchant.email), merchantId: merchant.merchantId };
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [profile, claim].map((Item) => ({
            Put: { TableName: tableName, Item, ConditionExpression: "attribute_not_exists(PK)" },
          })),
        }));
      } catch (error) {
        throw transactionConflict(error, merchant.merchantId) ?? error;
      }
    },

    async setMerchantName(merchantId, name) {
      await conflictOnCondition(`merchant ${merchantId} does not exist`, () => client.send(new UpdateCommand({
        TableName: tableName, Key: keys.merchant(merchantId),
        UpdateExpression: "SET #name = :name",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: names("name"),
        ExpressionAttributeValues: { ":name": name },
      })));
    },

    async setMerchantTimeZone(merchantId, timeZone) {
      await conflictOnCondition(`merchant ${merchantId} does not exist`, () => writeMerchantTimeZone(merchantId, timeZone, "attribute_exists(PK)"));
    },

    async adoptMerchantTimeZone(merchantId, timeZone) {
      const written = await unlessConditionFails(() => writeMerchantTimeZone(merchantId, timeZone, "attribute_exists(PK) AND attribute_not_exists(#timeZone)"));
      return written !== undefined;
    },

    async findMerchantByEmail(email) {
      const claim = await read(keys.emailClaim(email), emailClaimSchema, "email claim");
      if (claim === undefined) return undefined;
      const merchant = await getMerchant(claim.merchantId);
      return merchant?.email === normalizeEmail(email) ? merchant : undefined;
    },

    async listConnections(merchantId) {
      const items = await queryKind(merchantId, KIND_PREFIX.connection);
      return connectionsOf(items).sort(oldestFirst);
    },

    async findConnectionsByExternalId(provider, externalId) {
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: "GSI1PK = :account",
        ExpressionAttributeValues: { ":account": indexKeys.providerAccount(provider, externalId) },
        Limit: pageSize,
      });
      return connectionsOf(await itemsOfIndexEntries(client, tableName, items, batchDelete));
    },

    async listConnectionsInShard(shard) {
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI2.name,
        KeyConditionExpression: "GSI2PK = :shard",
        ExpressionAttributeValues: { ":shard": indexKeys.connectionShard(shard) },
        Limit: pageSize,
      });
      return connectionsOf(await itemsOfIndexEntries(client, tableName, items, batchDelete));
    },

    async listMerchantsOwedNotices() {
      const entries = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI2.name,
        KeyConditionExpression: "GSI2PK = :owed",
        ExpressionAttributeValues: { ":owed": indexKeys.owedNotices },
        Limit: pageSize,
      });
      const merchants = entries.map((entry) => String(entry.PK)).filter((pk) => pk.startsWith(MERCHANT_PREFIX)).map((pk) => pk.slice(MERCHANT_PREFIX.length));
      return [...new Set(merchants)];
    },

    async listLocations(merchantId) {
      const items = await queryKind(merchantId, KIND_PREFIX.location);
      return items.map((item) => fromItem(locationSchema, item, `the stored location ${describeItem(item)}`));
    },

    async listSyncRecords(merchantId) {
      const items = await queryKind(merchantId, KIND_PREFIX.syncRecord);
      return items.map((item) => syncRecordOf(item, `the stored sync record ${describeItem(item)}`))
        .sort(newestDayFirst);
    },

    async exportMerchant(merchantId) {
      return merchantExportOf(await queryPartition(merchantId));
    },

    deleteProfile,

    async deleteMerchant(merchantId) {
      const profile = await deleteProfile(merchantId);
      return profile + await deletePartition({ client, tableName, now, pageSize, batchDelete }, merchantId);
    },

    async putConnection(connection) {
      const key = keys.connection(connection.merchantId, connection.connectionId);
      const index = {
        ...indexKeys.connection(connection.provider, connection.externalId, connection.merchantId, connection.connectionId),
        ...indexKeys.connectionInShard(connection.merchantId, connection.connectionId),
      };
      const item = toItem(storedConnectionSchema, { ...connection, tokenVersion: 1 }, key, "the connection", index);
      await put(item, {
        expression: "attribute_not_exists(PK)",
        conflict: `connection ${connection.connectionId} of merchant ${connection.merchantId} already exists`,
      });
      await guard.settle(connection.merchantId);
      return toConnection(fromItem(storedConnectionSchema, item, "the connection written"));
    },

    async setSweepDueAt(merchantId, connectionId, tokenVersion, sweepDueAt) {
      assertVersion(tokenVersion, 1);
      await conflictOnCondition(
        `connection ${connectionId} of merchant ${merchantId} is no longer active at token version ${tokenVersion}`,
        () => client.send(new UpdateCommand({
          TableName: tableName,
          Key: keys.connection(merchantId, connectionId),
          UpdateExpression: "SET #sweepDueAt = :sweepDueAt",
          ConditionExpression: "#tokenVersion = :expected AND #status = :active",
          ExpressionAttributeNames: names("sweepDueAt", "tokenVersion", "status"),
          ExpressionAttributeValues: { ":sweepDueAt": sweepDueAt.toISOString(), ":expected": tokenVersion, ":active": "active" },
        })),
      );
    },

    async setConnectionStatus(merchantId, connectionId, status, reason) {
      const key = keys.connection(merchantId, connectionId);
      await conflictOnCondition(
        status === "active"
          ? `connection ${connectionId} of merchant ${merchantId} does not exist or has no tokens; only connecting again makes it active`
          : `connection ${connectionId} of merchant ${merchantId} does not exist`,
        () => client.send(new UpdateCommand({ TableName: tableName, Key: key, ...statusUpdate(status, reason, now()) })),
      );
    },

    async setReconnectHeld(merchantId, connectionId, heldAt, expected) {
      const written = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.connection(merchantId, connectionId),
        UpdateExpression: heldAt === undefined ? "REMOVE #reconnectHeldAt" : "SET #reconnectHeldAt = :heldAt",
        ConditionExpression: `#status = :needsReconnect AND ${expected === undefined ? "attribute_not_exists(#reconnectHeldAt)" : "#reconnectHeldAt = :expected"}`,
        ExpressionAttributeNames: names("reconnectHeldAt", "status"),
        ExpressionAttributeValues: {
          ":needsReconnect": "needs-reconnect",
          ...(heldAt === undefined ? {} : { ":heldAt": heldAt.toISOString() }),
          ...(expected === undefined ? {} : { ":expected": expected }),
        },
      })));
      return written !== undefined;
    },

    async removeConnection(merchantId, connectionId) {
      const { Attributes } = await client.send(new DeleteCommand({
        TableName: tableName, Key: keys.connection(merchantId, connectionId), ReturnValues: "ALL_OLD",
      }));
      return Attributes !== undefined;
    },

    async setConnectionAccountName(merchantId, connectionId, accountName) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.connection(merchantId, connectionId),
        UpdateExpression: "SET #accountName = :name",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: names("accountName"),
        ExpressionAttributeValues: { ":name": accountName },
      })));
    },

    async refreshAccountLabels(location, labels) {
      const key = keys.location(location.merchantId, location.locationId);
      const checked = accountLabelsSchema.safeParse(labels);
      if (!checked.success) throw new StoreError(`the account names to write to ${describeKey(key)} are not valid`);
      const written = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: "SET #accountLabels = :labels",
        ConditionExpression: "#updatedAt = :seen",
        ExpressionAttributeNames: names("accountLabels", "updatedAt"),
        ExpressionAttributeValues: { ":labels": withoutUndefined(checked.data), ":seen": location.updatedAt },
      })));
      return written !== undefined;
    },

    async putLocation(location) {
      await put(locationItem(location));
      await guard.settle(location.merchantId);
    },

    async replaceLocation(location, expectedUpdatedAt) {
      await put(locationItem(location), {
        expression: "#updatedAt = :expected",
        names: { "#updatedAt": "updatedAt" },
        values: { ":expected": expectedUpdatedAt },
        conflict: `location ${location.locationId} of merchant ${location.merchantId} changed since it was read`,
      });
    },

  };
}

/**
 * createMerchant's lost transaction as a ConflictError, naming which part was taken (never the
 * address); undefined for any other error.
 */
function transactionConflict(error: unknown, merchantId: string): ConflictError | undefined {
  const reasons = cancellationCodes(error);
  if (reasons === undefined) return undefined;
  if (reasons[1] === "ConditionalCheckFailed") return new ConflictError("that email address already belongs to a merchant", { cause: error });
  if (reasons[0] === "ConditionalCheckFailed") return new ConflictError(`merchant ${merchantId} already exists`, { cause: error });
  // DynamoDB cancels one of two transactions on the same items that overlap in time.
  if (reasons.includes("TransactionConflict")) {
    return new ConflictError(`another write to merchant ${merchantId} or its email address was under way`, { cause: error });
  }
  return undefined;
}

/**
 * The update for a new status. Leaving "active" removes the tokens (and any refresh lease) and bumps
 * their version, so a refresh already in flight cannot put them back.
 */
function statusUpdate(status: ConnectionStatus, reason: string | undefined, at: Date) {
  const set = ["#status = :status", "#updatedAt = :now"];
  // A new status owes no request held back under the old one.
  const remove: string[] = ["#reconnectHeldAt"];
  const attributes = ["status", "updatedAt", "statusReason", "tokenCiphertext", "reconnectHeldAt"];
  const values: Item = { ":status": status, ":now": at.toISOString() };
  if (reason === undefined) remove.push("#statusReason");
  else {
    set.push("#statusReason = :reason");
    values[":reason"] = reason;
  }
  if (status !== "active") {
    set.push("#tokenVersion = #tokenVersion + :one");
    values[":one"] = 1;
    attributes.push("tokenVersion", "refreshLeaseUntil", "sweepDueAt");
    remove.push("#tokenCiphertext", "#refreshLeaseUntil", "#sweepDueAt");
  }
  return {
    UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
    ConditionExpression: status === "active" ? "attribute_exists(#tokenCiphertext)" : "attribute_exists(PK)",
    // DynamoDB rejects a placeholder that no expression uses.
    ExpressionAttributeNames: names(...attributes),
    ExpressionAttributeValues: values,
  };
}

const MERCHANT_PREFIX = "MERCHANT#";

/** A location as the table holds it: in the owed-notices index (GSI2) while it is owed a stopped-posting notice, out of it once not. */
function locationItem(location: LocationConfig): Item {
  const item = toItem(locationSchema, location, keys.location(location.merchantId, location.locationId), "the location");
  return location.postingStopped?.noticeHeld ? { ...item, ...indexKeys.owedNotice(location.merchantId, location.locationId) } : item;
}

function connectionsOf(items: Item[]): Connection[] {
  return items.map((item) => toConnection(fromItem(storedConnectionSchema, item, `the stored connection ${describeItem(item)}`)));
}
