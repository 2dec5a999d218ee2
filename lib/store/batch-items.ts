/**
 * DynamoDB's batch calls as daybook's stores use them: items found through a keys-only index read from
 * the table, and batch deletes, each retrying with backoff what DynamoDB left unprocessed. A module of
 * its own (not dynamo-items.ts, which every function loads at start): only account deletion, the
 * export and sign-in's index reads use it, and the bundler puts what a module holds wherever it loads.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { backoffDelayMs, sleep as wait } from "../http/backoff";
import type { Item } from "./dynamo-items";
import { StoreError } from "./errors";
import type { ItemKey } from "./keys";

const BATCH_WRITE_LIMIT = 25;

export interface BatchDeleteOptions {
  /** Attempts per batch of 25 before giving up. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Deletes every key, 25 to a BatchWriteItem, retrying with backoff what DynamoDB leaves unprocessed (it does under load). */
export async function deleteAll(client: DynamoDBDocumentClient, tableName: string, itemKeys: ItemKey[], options: BatchDeleteOptions = {}): Promise<void> {
  const { maxAttempts = 8, sleep = wait } = options;
  for (let start = 0; start < itemKeys.length; start += BATCH_WRITE_LIMIT) {
    let requests: unknown[] = itemKeys.slice(start, start + BATCH_WRITE_LIMIT).map((key) => ({ DeleteRequest: { Key: { PK: key.PK, SK: key.SK } } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new StoreError(`${requests.length} deletes were still unprocessed after ${maxAttempts} attempts; run the deletion again`);
      }
      if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, undefined, { baseMs: 50, maxMs: 2_000 }));
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({
        RequestItems: { [tableName]: requests as { DeleteRequest: { Key: ItemKey } }[] },
      }));
      requests = UnprocessedItems?.[tableName] ?? [];
    }
  }
}

const BATCH_GET_LIMIT = 100;

/**
 * The table's items, read strongly consistent, for entries found through a keys-only index (table.ts):
 * in the order found, an item deleted since left out. BatchGetItem, retrying what it leaves unprocessed.
 */
export async function itemsOfIndexEntries(client: DynamoDBDocumentClient, tableName: string, entries: readonly Item[], options: BatchDeleteOptions = {}): Promise<Item[]> {
  const { maxAttempts = 8, sleep = wait } = options;
  const keyText = (item: Item) => `${String(item.PK)}\u0000${String(item.SK)}`;
  const found = new Map<string, Item>();
  const wanted = [...new Map(entries.map((entry) => [keyText(entry), { PK: String(entry.PK), SK: String(entry.SK) }])).values()];
  for (let start = 0; start < wanted.length; start += BATCH_GET_LIMIT) {
    let keys: ItemKey[] = wanted.slice(start, start + BATCH_GET_LIMIT);
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new StoreError(`${keys.length} reads were still unprocessed after ${maxAttempts} attempts; try again`);
      if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, undefined, { baseMs: 50, maxMs: 2_000 }));
      const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } },
      }));
      for (const item of Responses?.[tableName] ?? []) found.set(keyText(item), item);
      keys = (UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
    }
  }
  return entries.flatMap((entry): Item[] => { const item = found.get(keyText(entry)); return item ? [item] : []; });
}
