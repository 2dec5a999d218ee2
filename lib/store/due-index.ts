/**
 * The DueIndex (lib/schedule/due-index.ts) on the table. Each location has one entry in the partition
 * `DUE#<shard>` with the sort key `<nextDueAt ISO>#<merchantId>#<locationId>`, so "everything due by
 * now" is one range query per shard. A pointer item in the merchant's partition
 * (`DUEPTR#<locationId>`) names the entry's current sort key, so the entry can be replaced or moved in
 * one transaction and goes away with the account.
 *
 * The scheduler's tick moves many entries at once, so its move (advanceAll) is three batched steps
 * rather than a transaction per entry: put the new entry, move the pointer (a conditional PutItem of
 * the whole pointer, on the condition that it still names the old entry: the one step that decides
 * which tick moved it), delete the old entry. A crash between steps leaves
 * an entry its pointer does not name; the tick reads each entry's standing (its pointer) before sending
 * anything, and discards such an entry instead. `advance`, `put`, `remove` and `removeMerchant` stay
 * transactions: they are rare.
 *
 * What every tick uses (its queries, reads and moves) is lib/store/due-index-tick.ts, which this builds on.
 */
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DueEntry, DueIndex } from "../schedule/due-index";
import type * as z from "zod/mini";
import { accountGuard } from "./account-guard";
import {
  createDynamoDueTick, dueEntrySchema, duePartition, type DynamoDueIndexOptions, entryKey, POINTER_PREFIX, pointerKey, pointerSchema, queryDuePage,
  removeDueEntry, toEntryItem, transactionConflict,
} from "./due-index-tick";
import { describeItem, fromItem, queryAll } from "./dynamo-items";
import { StoreError } from "./errors";
import { keys } from "./keys";

export { dueIndexItems, duePartition, type DynamoDueIndexOptions } from "./due-index-tick";

export function createDynamoDueIndex(options: DynamoDueIndexOptions): DueIndex {
  const { client, tableName, locationTableName = tableName } = options;
  const guard = accountGuard({ client, tableName: locationTableName });
  const removeEntry = (entry: DueEntry): Promise<void> => removeDueEntry({ client, tableName }, entry);

  async function readPointer(merchantId: string, locationId: string): Promise<z.infer<typeof pointerSchema> | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: pointerKey(merchantId, locationId), ConsistentRead: true }));
    return Item === undefined ? undefined : fromItem(pointerSchema, Item, `the due-index pointer ${describeItem(Item)}`);
  }

  return {
    ...createDynamoDueTick(options),

    async put(entry) {
      const pointer = pointerKey(entry.merchantId, entry.locationId);
      const newKey = entryKey(entry);
      // Two registrations at once: the loser's pointer condition fails; read again and replace the winner's entry.
      for (let attempt = 1; ; attempt++) {
        const current = await readPointer(entry.merchantId, entry.locationId);
        const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]> = [];
        if (current !== undefined && (current.shard !== entry.shard || current.dueSK !== newKey.SK)) {
          items.push({ Delete: { TableName: tableName, Key: { PK: duePartition(current.shard), SK: current.dueSK } } });
        }
        items.push({ Put: { TableName: tableName, Item: toEntryItem(entry) } });
        items.push({
          Put: {
            TableName: tableName,
            Item: { ...pointer, dueSK: newKey.SK, shard: entry.shard },
            ...(current === undefined
              ? { ConditionExpression: "attribute_not_exists(PK)" }
              : { ConditionExpression: "dueSK = :expected", ExpressionAttributeValues: { ":expected": current.dueSK } }),
          },
        });
        try {
          await client.send(new TransactWriteCommand({ TransactItems: items }));
          // A location saved while its account was deleted: its entry and pointer go again (account-guard.ts).
          if (await guard.deleted(entry.merchantId)) await removeEntry(entry);
          return;
        } catch (error) {
          const conflict = transactionConflict(error, `the due-index entry of location ${entry.locationId} changed while it was being registered`);
          if (conflict === undefined || attempt >= 3) throw conflict ?? error;
        }
      }
    },

    async get(merchantId, locationId) {
      const pointer = await readPointer(merchantId, locationId);
      if (pointer === undefined) return undefined;
      const { Item } = await client.send(new GetCommand({
        TableName: tableName, Key: { PK: duePartition(pointer.shard), SK: pointer.dueSK }, ConsistentRead: true,
      }));
      return Item === undefined ? undefined : fromItem(dueEntrySchema, Item, `the due-index entry ${describeItem(Item)}`);
    },

    async due(shard, now) {
      const entries: DueEntry[] = [];
      let after: string | undefined;
      do {
        const page = await queryDuePage({ client, tableName }, shard, now, 1000, after);
        entries.push(...page.entries);
        after = page.after;
      } while (after !== undefined);
      return entries;
    },

    async advance(entry, newNextDueAt) {
      const next: DueEntry = { ...entry, nextDueAt: newNextDueAt.toISOString() };
      const oldKey = entryKey(entry);
      const newKey = entryKey(next);
      if (newKey.SK <= oldKey.SK) throw new StoreError(`the next due instant must be after ${entry.nextDueAt}, got ${next.nextDueAt}`);
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: oldKey, ConditionExpression: "attribute_exists(PK)" } },
            { Put: { TableName: tableName, Item: toEntryItem(next) } },
            {
              // Conditional, so a deleted account's partition gets no pointer back.
              Update: {
                TableName: tableName,
                Key: pointerKey(entry.merchantId, entry.locationId),
                UpdateExpression: "SET dueSK = :next",
                ConditionExpression: "dueSK = :previous",
                ExpressionAttributeValues: { ":next": newKey.SK, ":previous": oldKey.SK },
              },
            },
          ],
        }));
      } catch (error) {
        throw transactionConflict(error, `the due-index entry of location ${entry.locationId} was already moved or removed`) ?? error;
      }
      return next;
    },

    async removeMerchant(merchantId) {
      const pointers = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.merchantPartition(merchantId), ":prefix": POINTER_PREFIX },
        ConsistentRead: true,
      });
      for (const item of pointers) {
        const key = { PK: String(item.PK), SK: String(item.SK) };
        let pointer: z.infer<typeof pointerSchema> | undefined = fromItem(pointerSchema, item, `the due-index pointer ${describeItem(item)}`);
        // The pointer goes first, on the condition that it still names the entry: a tick moving the
        // entry meanwhile needs the pointer (its condition), so it either wins first (and this reads
        // the pointer again) or finds it gone and writes nothing.
        for (let attempt = 1; pointer !== undefined; attempt++) {
          try {
            await client.send(new TransactWriteCommand({
              TransactItems: [
                { Delete: { TableName: tableName, Key: key, ConditionExpression: "dueSK = :current", ExpressionAttributeValues: { ":current": pointer.dueSK } } },
                { Delete: { TableName: tableName, Key: { PK: duePartition(pointer.shard), SK: pointer.dueSK } } },
              ],
            }));
            break;
          } catch (error) {
            const conflict = transactionConflict(error, `the due-index entry behind ${key.SK} kept moving while the account was deleted`);
            if (conflict === undefined || attempt >= 5) throw conflict ?? error;
            const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
            pointer = Item === undefined ? undefined : fromItem(pointerSchema, Item, `the due-index pointer ${describeItem(Item)}`);
          }
        }
      }
      return pointers.length;
    },

    remove: removeEntry,
  };
}
