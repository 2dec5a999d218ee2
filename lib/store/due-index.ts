/**
 * The DueIndex (lib/schedule/due-index.ts) on the table. Each location has one entry in the partition
 * `DUE#<shard>` with the sort key `<nextDueAt ISO>#<merchantId>#<locationId>`, so "everything due by
 * now" is one range query per shard. A pointer item in the merchant's partition
 * (`DUEPTR#<locationId>`) names the entry's current sort key, so the entry can be replaced or moved in
 * one transaction and goes away with the account.
 */
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DueEntry, DueIndex } from "../schedule/due-index";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item, queryAll } from "./dynamo-items";
import { StoreError } from "./errors";
import { keys } from "./keys";
import { ConflictError } from "./store";

export interface DynamoDueIndexOptions {
  client: DynamoDBDocumentClient;
  /** The table (tests may give the index a table of its own). */
  tableName: string;
}

const dueEntrySchema = z.object({
  merchantId: z.string().check(z.minLength(1)),
  locationId: z.string().check(z.minLength(1)),
  nextDueAt: z.iso.datetime(),
  timeZone: z.string().check(z.minLength(1)),
  dayStart: z.string().check(z.regex(/^\d{2}:\d{2}$/)),
  settleMinutes: z.number().check(z.int(), z.nonnegative()),
  messageGroup: z.string().check(z.minLength(1)),
  shard: z.number().check(z.int(), z.nonnegative()),
});

const pointerSchema = z.object({ dueSK: z.string().check(z.minLength(1)), shard: z.number().check(z.int(), z.nonnegative()) });

export const duePartition = (shard: number): string => `DUE#${String(shard)}`;

function entryKey(entry: Pick<DueEntry, "shard" | "nextDueAt" | "merchantId" | "locationId">): { PK: string; SK: string } {
  return { PK: duePartition(entry.shard), SK: `${entry.nextDueAt}#${entry.merchantId}#${entry.locationId}` };
}

const POINTER_PREFIX = "DUEPTR#";

function pointerKey(merchantId: string, locationId: string): { PK: string; SK: string } {
  // keys.location checks both ids are key segments (non-empty, no "#").
  const location = keys.location(merchantId, locationId);
  return { PK: location.PK, SK: `${POINTER_PREFIX}${locationId}` };
}

function toEntryItem(entry: DueEntry): Item {
  const checked = dueEntrySchema.safeParse(entry);
  if (!checked.success) throw new StoreError(`the due-index entry of location ${entry.locationId} is not valid`);
  return { ...checked.data, ...entryKey(checked.data) };
}

export function createDynamoDueIndex({ client, tableName }: DynamoDueIndexOptions): DueIndex {
  async function readPointer(merchantId: string, locationId: string): Promise<z.infer<typeof pointerSchema> | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: pointerKey(merchantId, locationId), ConsistentRead: true }));
    return Item === undefined ? undefined : fromItem(pointerSchema, Item, `the due-index pointer ${describeItem(Item)}`);
  }

  return {
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
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND SK < :after",
        // "$" is the character after "#": every key whose instant is `now` or earlier sorts before `<now>$`.
        ExpressionAttributeValues: { ":pk": duePartition(shard), ":after": `${now.toISOString()}$` },
        ConsistentRead: true,
      });
      return items.map((item) => fromItem(dueEntrySchema, item, `the due-index entry ${describeItem(item)}`));
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

    async remove(entry) {
      const key = entryKey(entry);
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: key } },
            {
              Delete: {
                TableName: tableName,
                Key: pointerKey(entry.merchantId, entry.locationId),
                ConditionExpression: "attribute_not_exists(PK) OR dueSK = :current",
                ExpressionAttributeValues: { ":current": key.SK },
              },
            },
          ],
        }));
      } catch (error) {
        throw transactionConflict(error, `the due-index entry of location ${entry.locationId} changed while it was being removed`) ?? error;
      }
    },
  };
}

/** A transaction lost to a condition or to an overlapping transaction, as a ConflictError; undefined for anything else. */
function transactionConflict(error: unknown, message: string): ConflictError | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = "CancellationReasons" in error && Array.isArray(error.CancellationReasons)
    ? (error.CancellationReasons as { Code?: string }[]).map((reason) => reason.Code)
    : [];
  if (reasons.includes("ConditionalCheckFailed") || reasons.includes("TransactionConflict")) return new ConflictError(message, { cause: error });
  return undefined;
}
