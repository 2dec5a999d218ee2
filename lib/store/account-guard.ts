/**
 * Write-then-check, what keeps account deletion whole against work in flight. Deletion removes the
 * merchant's profile first (lib/account/delete-account.ts), then everything else. A writer checked the
 * account before it wrote; if the deletion ran in between, its write could land after the deletion's
 * sweep and outlive the account. So every write that can make an item of a merchant's (in its partition,
 * or naming it elsewhere) is followed by this check: a strongly consistent read of the profile. Either
 * the write landed before the profile went, and the deletion's partition query, which comes after, finds
 * and deletes it; or it landed after, and this read finds no profile and deletes the partition again
 * (the caller deletes what it wrote elsewhere). Writes that only change an item that must exist (a
 * condition on its version, its status or attribute_exists) cannot bring one back and need no check.
 */
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { BatchDeleteOptions } from "./batch-items";
import { keys } from "./keys";

export interface AccountGuard {
  /** Whether the merchant's profile is there (strongly consistent): the account exists, and is not being deleted. */
  exists(merchantId: string): Promise<boolean>;
  /**
   * After a write into the merchant's partition: true if the account exists; if not, deletes the
   * partition (what was just written, and anything else another writer left) and answers false.
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
  async function exists(merchantId: string): Promise<boolean> {
    const { Item } = await client.send(new GetCommand({
      TableName: tableName, Key: keys.merchant(merchantId), ConsistentRead: true, ProjectionExpression: "PK",
    }));
    return Item !== undefined;
  }
  return {
    exists,
    async settle(merchantId) {
      if (await exists(merchantId)) return true;
      // Rare (a write raced the account's deletion): the sweep's module loads only then.
      const { deletePartition } = await import("./account-sweep");
      await deletePartition({ client, tableName, now, ...(batchDelete ? { batchDelete } : {}) }, merchantId);
      return false;
    },
  };
}
