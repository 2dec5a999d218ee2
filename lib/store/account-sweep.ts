/**
 * Deleting a merchant's partition: what account deletion does once the profile is gone (Store.deleteMerchant),
 * and what a write that finds the profile gone does again (account-guard.ts).
 */
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type BatchDeleteOptions, deleteAll } from "./batch-items";
import { type Item, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { type ItemKey, keys, KIND_PREFIX } from "./keys";

export interface PartitionSweepOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  now: () => Date;
  pageSize?: number | undefined;
  batchDelete?: BatchDeleteOptions | undefined;
}

/**
 * Deletes every item of the merchant's partition (tokens first, one at a time, so they are gone even if
 * a later delete fails) and the other side of every accountant's access in it (lib/members/types.ts);
 * returns how many items went. Read strongly consistent: it finds every write that landed before it.
 */
export async function deletePartition({ client, tableName, now, pageSize, batchDelete }: PartitionSweepOptions, merchantId: string): Promise<number> {
  const items = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: "PK = :partition",
    ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId) },
    ConsistentRead: true,
    Limit: pageSize,
  });
  const keyOf = (item: Item): ItemKey => ({ PK: String(item.PK), SK: String(item.SK) });
  for (const item of items) {
    if (item.tokenCiphertext !== undefined) await destroyTokens(client, tableName, keyOf(item), now());
  }
  const counterparts = items.flatMap((item): ItemKey[] => {
    const sortKey = String(item.SK);
    if (sortKey.startsWith(KIND_PREFIX.member)) return [keys.membership(sortKey.slice(KIND_PREFIX.member.length), merchantId)];
    if (sortKey.startsWith(KIND_PREFIX.membership)) return [keys.member(sortKey.slice(KIND_PREFIX.membership.length), merchantId)];
    return [];
  });
  const itemKeys = [...items.map(keyOf), ...counterparts];
  await deleteAll(client, tableName, itemKeys, batchDelete);
  return itemKeys.length;
}

/** Takes the tokens off a connection for good: revoked, version bumped so no refresh in flight can write them back. */
async function destroyTokens(client: DynamoDBDocumentClient, tableName: string, key: ItemKey, at: Date): Promise<void> {
  await unlessConditionFails(() => client.send(new UpdateCommand({
    TableName: tableName,
    Key: key,
    UpdateExpression: "SET #status = :revoked, #statusReason = :reason, #updatedAt = :now, #tokenVersion = if_not_exists(#tokenVersion, :zero) + :one REMOVE #tokenCiphertext, #refreshLeaseUntil, #sweepDueAt",
    ConditionExpression: "attribute_exists(PK)",
    ExpressionAttributeNames: names("status", "statusReason", "updatedAt", "tokenVersion", "tokenCiphertext", "refreshLeaseUntil", "sweepDueAt"),
    ExpressionAttributeValues: { ":revoked": "revoked", ":reason": "account deleted", ":now": at.toISOString(), ":zero": 0, ":one": 1 },
  })));
}
