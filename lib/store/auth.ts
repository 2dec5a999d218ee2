/**
 * The AuthStore in daybook's one DynamoDB table (keys in lib/store/keys.ts). Every item carries
 * `expiresAt`, epoch seconds, the table's TTL attribute; DynamoDB deletes expired items only
 * eventually, so every read and every condition checks the ISO 8601 expiry itself. Sign-in links
 * and OAuth states keep theirs as `expiresAtIso`, since their `expiresAt` field is the TTL's.
 * Single use is a conditional delete: of two concurrent uses exactly one gets the item back. What
 * every signed-in request does with its session is sessions.ts's.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { accountGuard } from "./account-guard";
import { itemsOfIndexEntries } from "./batch-items";
import { conflictOnCondition, describeItem, fromItem, type Item, names, queryAll, toItem, unlessConditionFails } from "./dynamo-items";
import { StoreError } from "./errors";
import { indexKeys, type ItemKey, keys } from "./keys";
import { describing, normalizedEmail } from "./schema-parts";
import { earlier, instant, isLive, sessionReads, sessionSchema, sha256Hex, ttlOf } from "./sessions";
import { GSI1 } from "./table";
import * as z from "zod/mini";
import type { AuthStore, OAuthState, Session, SignInLink } from "../auth/types";

export interface DynamoAuthStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const signInLinkSchema = describing<SignInLink>()(z.object({
  tokenHash: sha256Hex,
  email: normalizedEmail,
  createdAt: instant,
  expiresAt: instant,
  next: z.optional(z.string().check(z.minLength(1), z.maxLength(1_000))),
}));

const oauthStateSchema = describing<OAuthState>()(z.object({
  stateHash: sha256Hex,
  sessionHash: sha256Hex,
  merchantId: z.string().check(z.minLength(1)),
  provider: z.enum(["square", "clover", "quickbooks"]),
  region: z.optional(z.string().check(z.minLength(1))),
  createdAt: instant,
  expiresAt: instant,
}));

export function createDynamoAuthStore({ client, tableName }: DynamoAuthStoreOptions): AuthStore {
  const { getSession, touchSession, setActingFor } = sessionReads({ client, tableName });
  const guard = accountGuard({ client, tableName });

  /** After an item naming the merchant outside its partition: taken back if the account went meanwhile (account-guard.ts). */
  async function unlessAccountGone(merchantId: string, key: ItemKey): Promise<void> {
    if (await guard.deleted(merchantId)) await client.send(new DeleteCommand({ TableName: tableName, Key: key }));
  }

  async function putNew(item: Item, what: string): Promise<void> {
    await conflictOnCondition(`${what} ${describeItem(item)} already exists`, () => client.send(new PutCommand({
      TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)",
    })));
  }

  /** Deletes and returns the item if it has not expired at `now`; undefined if it is gone, used or expired. */
  async function consume(key: ItemKey, now: Date): Promise<Item | undefined> {
    const result = await unlessConditionFails(() => client.send(new DeleteCommand({
      TableName: tableName,
      Key: key,
      ConditionExpression: "attribute_exists(PK) AND #expiresAtIso > :now",
      ExpressionAttributeNames: names("expiresAtIso"),
      ExpressionAttributeValues: { ":now": now.toISOString() },
      ReturnValues: "ALL_OLD",
    })));
    return result?.Attributes;
  }

  /** An item whose record has its own `expiresAt`: the record's instant as expiresAtIso, the TTL as expiresAt. */
  function expiringItem<T extends { expiresAt: string }>(schema: z.ZodMiniType<T>, record: T, key: ItemKey, what: string): Item {
    return toItem(schema, record, key, what, { expiresAtIso: record.expiresAt, expiresAt: ttlOf(record.expiresAt) });
  }

  const recordOf = (item: Item): Item => ({ ...item, expiresAt: item.expiresAtIso });

  async function merchantSessions(merchantId: string): Promise<Session[]> {
    const items = await queryAll(client, {
      TableName: tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: "GSI1PK = :sessions",
      ExpressionAttributeValues: { ":sessions": indexKeys.merchantSessions(merchantId) },
      // GSI1SK begins with createdAt: newest first.
      ScanIndexForward: false,
    });
    return (await itemsOfIndexEntries(client, tableName, items)).map((item) => fromItem(sessionSchema, item, `the stored session ${describeItem(item)}`));
  }

  async function deleteSession(merchantId: string, sessionHash: string): Promise<boolean> {
    const deleted = await unlessConditionFails(() => client.send(new DeleteCommand({
      TableName: tableName,
      Key: keys.session(sessionHash),
      // Only the merchant's own: a session hash from another account deletes nothing.
      ConditionExpression: "#merchantId = :merchantId",
      ExpressionAttributeNames: names("merchantId"),
      ExpressionAttributeValues: { ":merchantId": merchantId },
    })));
    return deleted !== undefined;
  }

  return {
    async putSignInLink(link) {
      await putNew(expiringItem(signInLinkSchema, link, keys.signInLink(link.tokenHash), "the sign-in link"), "sign-in link");
    },

    async consumeSignInLink(tokenHash, now) {
      const item = await consume(keys.signInLink(tokenHash), now);
      return item && fromItem(signInLinkSchema, recordOf(item), "the used sign-in link");
    },

    async getSignInLink(tokenHash, now) {
      const key = keys.signInLink(tokenHash);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (Item === undefined || !(String(Item.expiresAtIso) > now.toISOString())) return undefined;
      return fromItem(signInLinkSchema, recordOf(Item), `the stored sign-in link ${describeItem(Item)}`);
    },

    async putSession(session) {
      const key = keys.session(session.sessionHash);
      const item = toItem(sessionSchema, session, key, "the session", {
        ...indexKeys.session(session.merchantId, session.createdAt, session.sessionHash),
        expiresAt: ttlOf(earlier(session.idleExpiresAt, session.absoluteExpiresAt)),
      });
      await putNew(item, "session");
      await unlessAccountGone(session.merchantId, key);
    },

    getSession,
    touchSession,
    setActingFor,

    async listSessions(merchantId, now) {
      return (await merchantSessions(merchantId)).filter((session) => isLive(session, now));
    },

    deleteSession,

    async deleteSessions(merchantId, keepSessionHash) {
      const others = (await merchantSessions(merchantId)).filter((session) => session.sessionHash !== keepSessionHash);
      const deleted = await Promise.all(others.map((session) => deleteSession(merchantId, session.sessionHash)));
      return deleted.filter(Boolean).length;
    },

    async putOAuthState(state) {
      const item = { ...expiringItem(oauthStateSchema, state, keys.oauthState(state.stateHash), "the OAuth state"), ...indexKeys.oauthState(state.merchantId, state.stateHash) };
      await putNew(item, "OAuth state");
      await unlessAccountGone(state.merchantId, keys.oauthState(state.stateHash));
    },

    async consumeOAuthState(stateHash, now) {
      const item = await consume(keys.oauthState(stateHash), now);
      return item && fromItem(oauthStateSchema, recordOf(item), "the used OAuth state");
    },

    async deleteOAuthStates(merchantId) {
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: "GSI1PK = :states",
        ExpressionAttributeValues: { ":states": indexKeys.merchantOAuthStates(merchantId) },
      });
      const deleted = await Promise.all(items.map((item) => unlessConditionFails(() => client.send(new DeleteCommand({
        TableName: tableName,
        Key: { PK: String(item.PK), SK: String(item.SK) },
        ConditionExpression: "#merchantId = :merchantId",
        ExpressionAttributeNames: names("merchantId"),
        ExpressionAttributeValues: { ":merchantId": merchantId },
      })))));
      return deleted.filter((result) => result !== undefined).length;
    },

    async takeRateLimit(bucket, limit, windowSeconds, now) {
      if (bucket === "") throw new StoreError("a rate-limit bucket needs a name");
      for (const [name, value] of Object.entries({ limit, windowSeconds })) {
        if (!Number.isSafeInteger(value) || value < 1) throw new StoreError(`${name} must be a whole number of at least 1, got ${String(value)}`);
      }
      const windowStart = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
      const counted = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.rateLimit(bucket, windowStart),
        UpdateExpression: "SET #expiresAt = :windowEnd ADD #count :one",
        ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
        ExpressionAttributeNames: names("expiresAt", "count"),
        ExpressionAttributeValues: { ":windowEnd": windowStart + windowSeconds, ":one": 1, ":limit": limit },
      })));
      return counted !== undefined;
    },
  };
}
