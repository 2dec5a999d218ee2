/**
 * The DigestStore (lib/report/digest.ts) on the table.
 *
 * Marks: `DIGEST#<slot>#<shard>` / `<notBefore ISO>#<merchantId>`, so the marks of a morning due by now
 * are one range query per shard, and the scheduler never scans. A mark names the merchant and expires
 * (TTL) three days after its morning; the digest step removes it once its digests went, and a mark
 * whose merchant is gone is removed when it falls due.
 *
 * Claims: `MERCHANT#<id> / DIGESTSENT#<period>#<recipient hash>`, in the merchant's partition (exported
 * and deleted with the account), expiring after CLAIM_DAYS.
 */
import { type DynamoDBDocumentClient, DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type DigestMark, type DigestStore, digestShardOf } from "../report/digest";
import * as z from "zod/mini";
import { describeItem, fromItem, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { keys } from "./keys";

export interface DynamoDigestStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const MARK_DAYS = 3;
const CLAIM_DAYS = 60;
const DAY_SECONDS = 86_400;

const markSchema = z.object({
  merchantId: z.string().check(z.minLength(1)),
  slot: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  notBefore: z.iso.datetime(),
  shard: z.number().check(z.int(), z.nonnegative()),
});

const markKey = (mark: Pick<DigestMark, "slot" | "shard" | "notBefore" | "merchantId">) => ({
  PK: `DIGEST#${mark.slot}#${String(mark.shard)}`,
  // keys.merchantPartition checks the id is a key segment.
  SK: `${mark.notBefore}#${keys.merchantPartition(mark.merchantId).slice("MERCHANT#".length)}`,
});

const claimKey = (merchantId: string, period: string, hash: string) => ({ PK: keys.merchantPartition(merchantId), SK: `DIGESTSENT#${period}#${hash}` });

export function createDynamoDigestStore({ client, tableName }: DynamoDigestStoreOptions): DigestStore {
  const put = async (mark: DigestMark) => {
    const checked = markSchema.parse(mark);
    const expiresAt = Math.floor(Date.parse(`${checked.slot}T00:00:00.000Z`) / 1000) + MARK_DAYS * DAY_SECONDS;
    await unlessConditionFails(() => client.send(new PutCommand({
      TableName: tableName,
      Item: { ...markKey(checked), ...checked, expiresAt },
      ConditionExpression: "attribute_not_exists(PK)",
    })));
  };

  return {
    mark: put,

    async due(slot, shard, now) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND SK < :after",
        // "$" is the character after "#": every key whose instant is `now` or earlier sorts before `<now>$`.
        ExpressionAttributeValues: { ":pk": `DIGEST#${slot}#${String(shard)}`, ":after": `${now.toISOString()}$` },
        ConsistentRead: true,
      });
      return items.map((item) => fromItem(markSchema, item, `the digest mark ${describeItem(item)}`));
    },

    async postpone(mark, notBefore) {
      // The new mark first: a crash in between leaves two marks, never none.
      await put({ ...mark, notBefore: notBefore.toISOString() });
      await client.send(new DeleteCommand({ TableName: tableName, Key: markKey(mark) }));
    },

    async finish(mark) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: markKey(mark) }));
    },

    async claim(merchantId, period, hash, now, leaseMs) {
      const claimed = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: claimKey(merchantId, period, hash),
        UpdateExpression: "SET #claimedAt = :now, #expiresAt = :expires",
        ConditionExpression: "attribute_not_exists(#sentAt) AND (attribute_not_exists(#claimedAt) OR #claimedAt < :stale)",
        ExpressionAttributeNames: names("claimedAt", "sentAt", "expiresAt"),
        ExpressionAttributeValues: {
          ":now": now.toISOString(), ":stale": new Date(now.getTime() - leaseMs).toISOString(),
          ":expires": Math.floor(now.getTime() / 1000) + CLAIM_DAYS * DAY_SECONDS,
        },
      })));
      return claimed !== undefined;
    },

    async markSent(merchantId, period, hash, at) {
      await client.send(new UpdateCommand({
        TableName: tableName, Key: claimKey(merchantId, period, hash),
        UpdateExpression: "SET #sentAt = :at", ExpressionAttributeNames: names("sentAt"), ExpressionAttributeValues: { ":at": at.toISOString() },
      }));
    },

    async removeMerchant(merchantId, now) {
      // A mark's morning is at most two days after the day its job ran, and it expires three days after it.
      const today = now.toISOString().slice(0, 10);
      let removed = 0;
      for (let offset = -MARK_DAYS; offset <= 2; offset++) {
        const slot = new Date(Date.parse(`${today}T00:00:00.000Z`) + offset * DAY_SECONDS * 1000).toISOString().slice(0, 10);
        const items = await queryAll(client, {
          TableName: tableName,
          KeyConditionExpression: "PK = :pk",
          FilterExpression: "#merchantId = :merchantId",
          ExpressionAttributeNames: names("merchantId"),
          ExpressionAttributeValues: { ":pk": `DIGEST#${slot}#${String(digestShardOf(merchantId))}`, ":merchantId": merchantId },
          ConsistentRead: true,
        });
        for (const item of items) {
          await client.send(new DeleteCommand({ TableName: tableName, Key: markKey(fromItem(markSchema, item, `the digest mark ${describeItem(item)}`)) }));
          removed++;
        }
      }
      return removed;
    },

    async release(merchantId, period, hash) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName, Key: claimKey(merchantId, period, hash),
        UpdateExpression: "REMOVE #claimedAt", ConditionExpression: "attribute_not_exists(#sentAt)", ExpressionAttributeNames: names("claimedAt", "sentAt"),
      })));
    },
  };
}
