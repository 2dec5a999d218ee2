/**
 * The DigestStore (lib/report/digest.ts) on the table.
 *
 * Marks: `DIGEST#<slot>#<shard>` / `<notBefore ISO>#<merchantId>`, so the marks of a morning due by now
 * are one range query per shard, and the scheduler never scans. A mark names the merchant and expires
 * (TTL) three days after its morning; the digest step removes it once its digests went, and a mark
 * whose merchant is gone is removed when it falls due.
 *
 * Claims: `MERCHANT#<id> / DIGESTSENT#<period>#<recipient hash>`, in the merchant's partition (exported
 * and deleted with the account), expiring after CLAIM_DAYS. An accountant's combined digest claims in the
 * accountant's own partition (period `combined-daily#<slot>`), beside its bookkeeping of the morning:
 * `DIGESTSENT#combined#<slot>#part#<businessId>` (that client decided) and `DIGESTSENT#combined#<slot>#seal`
 * (the combined digest is being made), which expire with the claims; a business's parts go at once when
 * its access ends or its account is deleted (removeClientParts), as they name it.
 *
 * An accountant's mark is in the same partitions as the merchants' (`…#<personId>#accountant`), so the
 * scheduler's one range query per shard finds both. That query, the one part every tick uses, is
 * lib/store/due-digest-marks.ts.
 */
import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type DigestMark, type DigestStore, digestShardOf } from "../report/digest-marks";
import * as z from "zod/mini";
import { cancellationCodes, describeItem, fromItem, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { accountGuard } from "./account-guard";
import { createDynamoDueDigestMarks, instant, markSchema, nonEmpty, slot } from "./due-digest-marks";
import { keys } from "./keys";

export interface DynamoDigestStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const MARK_DAYS = 3;
const CLAIM_DAYS = 60;
const DAY_SECONDS = 86_400;

const partSchema = z.object({
  businessId: nonEmpty,
  slot,
  decidedAt: instant,
});

const markKey = (mark: Pick<DigestMark, "slot" | "shard" | "notBefore" | "merchantId" | "audience">) => ({
  PK: `DIGEST#${mark.slot}#${String(mark.shard)}`,
  // keys.merchantPartition checks the id is a key segment.
  SK: `${mark.notBefore}#${keys.merchantPartition(mark.merchantId).slice("MERCHANT#".length)}${mark.audience === "accountant" ? "#accountant" : ""}`,
});

const claimKey = (merchantId: string, period: string, hash: string) => ({ PK: keys.merchantPartition(merchantId), SK: `DIGESTSENT#${period}#${hash}` });
const COMBINED_PREFIX = "DIGESTSENT#combined#";
const morningPrefix = (slot: string) => `${COMBINED_PREFIX}${slot}#`;
const partKey = (personId: string, slot: string, businessId: string) => ({ PK: keys.merchantPartition(personId), SK: `${morningPrefix(slot)}part#${keys.merchantPartition(businessId).slice("MERCHANT#".length)}` });
const sealKey = (personId: string, slot: string) => ({ PK: keys.merchantPartition(personId), SK: `${morningPrefix(slot)}seal` });

const claimExpiry = (at: Date) => Math.floor(at.getTime() / 1000) + CLAIM_DAYS * DAY_SECONDS;

export function createDynamoDigestStore({ client, tableName }: DynamoDigestStoreOptions): DigestStore {
  const guard = accountGuard({ client, tableName });
  const put = async (mark: DigestMark) => {
    const checked = markSchema.parse(mark);
    const expiresAt = Math.floor(Date.parse(`${checked.slot}T00:00:00.000Z`) / 1000) + MARK_DAYS * DAY_SECONDS;
    const written = await unlessConditionFails(() => client.send(new PutCommand({
      TableName: tableName,
      Item: { ...markKey(checked), ...checked, expiresAt },
      ConditionExpression: "attribute_not_exists(PK)",
    })));
    // Outside the merchant's partition, so the account's deletion may have looked for marks already.
    if (written !== undefined && await guard.deleted(checked.merchantId)) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: markKey(checked) }));
    }
  };

  return {
    mark: put,

    ...createDynamoDueDigestMarks({ client, tableName }),

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
          ":expires": claimExpiry(now),
        },
      })));
      return claimed !== undefined && await guard.settle(merchantId);
    },

    async markSent(merchantId, period, hash, at) {
      // On the claim only: a mark never makes an item (of a deleted account, say) again.
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName, Key: claimKey(merchantId, period, hash),
        UpdateExpression: "SET #sentAt = :at", ConditionExpression: "attribute_exists(PK)", ExpressionAttributeNames: names("sentAt"), ExpressionAttributeValues: { ":at": at.toISOString() },
      })));
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

    async putClientPart(personId, part) {
      const checked = partSchema.parse(part);
      // One transaction: the part only while the morning is unsealed, so a part that exists was there
      // before the seal; and the first decision stands (a crash, a retry, two ticks at once change nothing).
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: tableName, Key: sealKey(personId, checked.slot), ConditionExpression: "attribute_not_exists(PK)" } },
            {
              Put: {
                TableName: tableName,
                Item: { ...partKey(personId, checked.slot, checked.businessId), ...checked, expiresAt: claimExpiry(new Date(checked.decidedAt)) },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          ],
        }));
      } catch (error) {
        const reasons = cancellationCodes(error);
        if (reasons?.[1] === "ConditionalCheckFailed") return "in";
        if (reasons?.[0] === "ConditionalCheckFailed") return "late";
        throw error;
      }
      await guard.settle(personId);
      return "in";
    },

    async listClientParts(personId, slot) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.merchantPartition(personId), ":prefix": `${morningPrefix(slot)}part#` },
        ConsistentRead: true,
      });
      return items.map((item) => fromItem(partSchema, item, `the digest part ${describeItem(item)}`));
    },

    async removeClientParts(personId, businessId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        FilterExpression: "#businessId = :businessId",
        ExpressionAttributeNames: names("businessId"),
        ExpressionAttributeValues: { ":pk": keys.merchantPartition(personId), ":prefix": COMBINED_PREFIX, ":businessId": businessId },
        ConsistentRead: true,
      });
      for (const item of items) await client.send(new DeleteCommand({ TableName: tableName, Key: { PK: String(item.PK), SK: String(item.SK) } }));
      return items.length;
    },

    async seal(personId, slot, at) {
      await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: { ...sealKey(personId, slot), sealedAt: at.toISOString(), expiresAt: claimExpiry(at) },
        ConditionExpression: "attribute_not_exists(PK)",
      })));
      await guard.settle(personId);
    },

    async isSealed(personId, slot) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: sealKey(personId, slot), ConsistentRead: true }));
      return Item !== undefined;
    },

    async release(merchantId, period, hash) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName, Key: claimKey(merchantId, period, hash),
        UpdateExpression: "REMOVE #claimedAt", ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(#sentAt)", ExpressionAttributeNames: names("claimedAt", "sentAt"),
      })));
    },
  };
}
