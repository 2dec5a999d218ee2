/**
 * The ApiKeyStore (lib/api/keys.ts) on the table, in the person's partition (so account export and
 * deletion take them along): `MERCHANT#<person> / APIKEY#<keyId>`, found through GSI1 by the key's
 * hash and then read consistently (a revoked key is refused at once, whatever the index still says);
 * and `MERCHANT#<person> / APIREQUEST#<at>#<id>`, one per request, which the table's TTL removes after
 * 14 days. A key's item expires 14 days after the key does, or after it is revoked.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type ApiKey, type ApiKeyStore, type ApiRequestRecord, requestLogExpiry } from "../api/keys";
import { accountGuard } from "./account-guard";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item, names, queryAll, toItem, unlessConditionFails } from "./dynamo-items";
import { indexKeys, keys, KIND_PREFIX } from "./keys";
import { describing } from "./schema-parts";
import { GSI1 } from "./table";

export interface DynamoApiKeyStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const id = z.string().check(z.minLength(1));
const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "must be an ISO 8601 instant as toISOString writes it"));

const apiKeySchema = describing<ApiKey>()(z.object({
  keyId: id,
  ownerId: id,
  name: z.string().check(z.minLength(1), z.maxLength(100)),
  tokenHash: z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a SHA-256 digest in lower-case hex")),
  createdAt: instant,
  expiresAt: instant,
  revokedAt: z.optional(instant),
  lastUsedAt: z.optional(instant),
}));

const requestSchema = describing<ApiRequestRecord>()(z.object({
  requestId: id,
  keyId: id,
  ownerId: id,
  at: instant,
  method: z.string().check(z.regex(/^[A-Z]{3,7}$/)),
  route: z.string().check(z.maxLength(200)),
  status: z.int().check(z.gte(100), z.lte(599)),
  durationMs: z.int().check(z.nonnegative()),
}));

const DAY_MS = 86_400_000;
const KEPT_AFTER_END_MS = 14 * DAY_MS;
const ttlOf = (ms: number): number => Math.ceil(ms / 1000);

export function createDynamoApiKeyStore({ client, tableName }: DynamoApiKeyStoreOptions): ApiKeyStore {
  const keyOf = (item: Item): ApiKey => fromItem(apiKeySchema, { ...item, expiresAt: item.expiresAtIso }, `the stored API key ${describeItem(item)}`);

  const guard = accountGuard({ client, tableName });

  return {
    async putKey(key) {
      const item = toItem(apiKeySchema, key, keys.apiKey(key.ownerId, key.keyId), "the API key", {
        ...indexKeys.apiKey(key.tokenHash),
        expiresAtIso: key.expiresAt,
        expiresAt: ttlOf(Date.parse(key.expiresAt) + KEPT_AFTER_END_MS),
      });
      await client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" }));
      await guard.settle(key.ownerId);
    },

    async findKey(tokenHash) {
      const found = await client.send(new QueryCommand({
        TableName: tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: "GSI1PK = :hash",
        ExpressionAttributeValues: { ":hash": indexKeys.apiKey(tokenHash).GSI1PK },
        Limit: 1,
      }));
      const first = found.Items?.[0];
      if (first === undefined) return undefined;
      // The index holds keys only.
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { PK: String(first.PK), SK: String(first.SK) }, ConsistentRead: true }));
      if (Item === undefined) return undefined;
      const key = keyOf(Item);
      return key.tokenHash === tokenHash ? key : undefined;
    },

    async listKeys(ownerId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(ownerId), ":prefix": KIND_PREFIX.apiKey },
        ConsistentRead: true,
      });
      return items.map(keyOf).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async revokeKey(ownerId, keyId, at) {
      const revoked = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.apiKey(ownerId, keyId),
        UpdateExpression: "SET #revokedAt = :at, #expiresAt = :ttl",
        ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(#revokedAt)",
        ExpressionAttributeNames: names("revokedAt", "expiresAt"),
        ExpressionAttributeValues: { ":at": at.toISOString(), ":ttl": ttlOf(at.getTime() + KEPT_AFTER_END_MS) },
      })));
      return revoked !== undefined;
    },

    async markUsed(ownerId, keyId, at) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.apiKey(ownerId, keyId),
        UpdateExpression: "SET #lastUsedAt = :at",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: names("lastUsedAt"),
        ExpressionAttributeValues: { ":at": at.toISOString() },
      })));
    },

    async logRequest(record) {
      const item = toItem(requestSchema, record, keys.apiRequest(record.ownerId, record.at, record.requestId), "the API request", {
        expiresAt: ttlOf(requestLogExpiry(new Date(record.at)).getTime()),
      });
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
      // Kept 14 days, and then 28 in backups: longer than deletion promises, so checked like any other.
      await guard.settle(record.ownerId);
    },

    async listRequests(ownerId, limit) {
      const { Items = [] } = await client.send(new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(ownerId), ":prefix": KIND_PREFIX.apiRequest },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }));
      return Items.map((item) => fromItem(requestSchema, item, `the stored API request ${describeItem(item)}`));
    },
  };
}
