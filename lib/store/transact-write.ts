/**
 * A conditional transaction, its conditions' failures as ConflictErrors (payouts.ts, carry-stamp.ts).
 * Apart from dynamo-items.ts, which every function loads at start: the api's start does not load
 * TransactWriteItems (infra/bundle.ts; test/unit/cdk-stack.test.ts's bundle layout).
 */
import { type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { cancellationCodes } from "./dynamo-items";
import { ConflictError } from "./store";

/**
 * One transaction. The n-th item's condition failing is the ConflictError `conflicts[n]` (an item
 * without one there: the error as DynamoDB gave it); a transaction cancelled by another on the same items
 * changed nothing and is tried again, up to five times.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItems, conflicts: readonly (string | undefined)[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = cancellationCodes(error);
      const failed = reasons?.findIndex((code) => code === "ConditionalCheckFailed") ?? -1;
      const conflict = failed >= 0 ? conflicts[failed] : undefined;
      if (conflict !== undefined) throw new ConflictError(conflict, { cause: error });
      if (!reasons?.includes("TransactionConflict") || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt * (1 + Math.random())));
    }
  }
}

export type TransactItems = NonNullable<TransactWriteCommandInput["TransactItems"]>;
