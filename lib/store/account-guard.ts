/**
 * Write-then-check, what keeps account deletion whole against work in flight. Deletion marks the account
 * deleted (keys.deletedAccount, for DELETED_ACCOUNT_HOURS) and removes its profile first
 * (lib/account/delete-account.ts), then everything else. A writer checked the account before it wrote;
 * if the deletion ran in between, its write could land after the deletion's sweep and outlive the
 * account. So every write that can make an item of a merchant's (in its partition, or naming it
 * elsewhere) is followed by this check: a strongly consistent read of the profile. Either the write
 * landed before the profile went, and the deletion's partition query, which comes after, finds and
 * deletes it; or it landed after, and this read finds no profile (and the marker) and deletes the
 * partition again (the caller deletes what it wrote elsewhere). Writes that only change an item that
 * must exist (a condition on its version, its status or attribute_exists) cannot bring one back and
 * need no check. The marker tells a deleted account from one that never had a profile, whose items
 * (a test's) are left alone.
 */
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { BatchDeleteOptions } from "./batch-items";
import { keys } from "./keys";

export interface AccountGuard {
  /** Whether the account was deleted (or is being deleted): its profile is gone and its marker there, both read strongly consistent. */
  deleted(merchantId: string): Promise<boolean>;
  /**
   * After a write into the merchant's partition: false if the account was deleted, and then the partition
   * is deleted again (what was just written, and anything else another writer left); true otherwise.
   */
  settle(merchantId: string): Promise<boolean>;
}

export interface AccountGuardOptions {
  client: DynamoDBDocumentClient;
  /** The table of the merchants' partitions. */
  tableName: string;
  batchDelete?: BatchDeleteOptions;
  now?: () => Date;
}

export function accountGuard({ client, tableName, batchDelete, now = () => new Date() }: AccountGuardOptions): AccountGuard {
  const isThere = async (key: { PK: string; SK: string }) => (await client.send(new GetCommand({
    TableName: tableName, Key: key, ConsistentRead: true, ProjectionExpression: "PK",
  }))).Item !== undefined;
  // The profile first: on every write to a live account, the one read.
  const deleted = async (merchantId: string) => !(await isThere(keys.merchant(merchantId))) && await isThere(keys.deletedAccount(merchantId));
  return {
    deleted,
    async settle(merchantId) {
      if (!(await deleted(merchantId))) return true;
      // Rare (a write raced the account's deletion): the sweep's module loads only then.
      const { deletePartition } = await import("./account-sweep");
      await deletePartition({ client, tableName, now, ...(batchDelete ? { batchDelete } : {}) }, merchantId);
      return false;
    },
  };
}
