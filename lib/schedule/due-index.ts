/**
 * The due-index: when each location's next business day is due, kept so the scheduler finds the due
 * ones with a few queries and never scans the table. Each location has one entry in the partition
 * `DUE#<shard>` with the sort key `<nextDueAt ISO>#<merchantId>#<locationId>`, so "everything due by
 * now" is one range query per shard; the shards spread a night's many locations over several
 * partitions. A pointer item in the merchant's partition (`DUEPTR#<locationId>`) names the entry's
 * current sort key, so the entry can be replaced or moved in one transaction and goes away with the
 * account (the scheduler removes an entry whose location is gone).
 */
import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { dueAt, type DueSchedule, firstDayDueAfter } from "./due-days";
import { messageGroupOf } from "./job";
import { describeItem, fromItem, type Item, queryAll } from "../store/dynamo-items";
import { StoreError } from "../store/errors";
import { keys } from "../store/keys";
import type { LocationConfig } from "../model";
import { ConflictError, type Store } from "../store/store";
import { z } from "../validation";

/** How many partitions the index is spread over. Changing it strands entries in shards no longer read: re-register then. */
export const DUE_INDEX_SHARDS = 16;
/** Two hours after a day's end, unless the merchant says otherwise (due-days.ts). */
export const DEFAULT_SETTLE_MINUTES = 120;

export interface DueIndexDeps {
  documents: DynamoDBDocumentClient;
  tableName: string;
}

export interface DueEntry extends DueSchedule {
  merchantId: string;
  locationId: string;
  /** ISO 8601, UTC: when the location's next first-time day is due. */
  nextDueAt: string;
  /** The SQS message group: the location's QuickBooks company. */
  messageGroup: string;
  shard: number;
}

export interface LocationToSchedule extends Pick<LocationConfig, "merchantId" | "locationId" | "timeZone" | "dayStart"> {
  settleMinutes?: number;
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

export function shardOf(merchantId: string, locationId: string, shards = DUE_INDEX_SHARDS): number {
  const digest = createHash("sha256").update(`${merchantId}/${locationId}`).digest();
  return digest.readUInt32BE(0) % shards;
}

export const duePartition = (shard: number): string => `DUE#${String(shard)}`;

function entryKey(entry: Pick<DueEntry, "shard" | "nextDueAt" | "merchantId" | "locationId">): { PK: string; SK: string } {
  return { PK: duePartition(entry.shard), SK: `${entry.nextDueAt}#${entry.merchantId}#${entry.locationId}` };
}

function pointerKey(merchantId: string, locationId: string): { PK: string; SK: string } {
  // keys.location checks both ids are key segments (non-empty, no "#").
  const location = keys.location(merchantId, locationId);
  return { PK: location.PK, SK: `DUEPTR#${locationId}` };
}

function toEntryItem(entry: DueEntry): Item {
  const checked = dueEntrySchema.safeParse(entry);
  if (!checked.success) throw new StoreError(`the due-index entry of location ${entry.locationId} is not valid`);
  return { ...checked.data, ...entryKey(checked.data) };
}

/**
 * Puts the location in the index, due when its first business day after `now` is: replaces any
 * earlier entry of the location in the same transaction. Call it when a location is set up or its
 * time zone, day start or QuickBooks company changes.
 */
export async function registerLocation(
  deps: DueIndexDeps, location: LocationToSchedule, quickBooksRealmId: string, now: Date, options: { shards?: number } = {},
): Promise<DueEntry> {
  const schedule: DueSchedule = {
    timeZone: location.timeZone, dayStart: location.dayStart, settleMinutes: location.settleMinutes ?? DEFAULT_SETTLE_MINUTES,
  };
  const entry: DueEntry = {
    merchantId: location.merchantId,
    locationId: location.locationId,
    ...schedule,
    nextDueAt: dueAt(firstDayDueAfter(now, schedule), schedule).toISOString(),
    messageGroup: messageGroupOf(quickBooksRealmId),
    shard: shardOf(location.merchantId, location.locationId, options.shards),
  };
  const pointer = pointerKey(entry.merchantId, entry.locationId);
  const newKey = entryKey(entry);
  // Two registrations at once: the loser's pointer condition fails; read again and replace the winner's entry.
  for (let attempt = 1; ; attempt++) {
    const current = await readPointer(deps, entry.merchantId, entry.locationId);
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]> = [];
    if (current !== undefined && (current.shard !== entry.shard || current.dueSK !== newKey.SK)) {
      items.push({ Delete: { TableName: deps.tableName, Key: { PK: duePartition(current.shard), SK: current.dueSK } } });
    }
    items.push({ Put: { TableName: deps.tableName, Item: toEntryItem(entry) } });
    items.push({
      Put: {
        TableName: deps.tableName,
        Item: { ...pointer, dueSK: newKey.SK, shard: entry.shard },
        ...(current === undefined
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : { ConditionExpression: "dueSK = :expected", ExpressionAttributeValues: { ":expected": current.dueSK } }),
      },
    });
    try {
      await deps.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return entry;
    } catch (error) {
      const conflict = transactionConflict(error, `the due-index entry of location ${entry.locationId} changed while it was being registered`);
      if (conflict === undefined || attempt >= 3) throw conflict ?? error;
    }
  }
}

/** registerLocation for a location already in the store, in its QuickBooks connection's company. */
export async function registerStoredLocation(
  deps: DueIndexDeps & { store: Pick<Store, "getLocation" | "getConnection"> }, merchantId: string, locationId: string, now: Date,
  options: { shards?: number; settleMinutes?: number } = {},
): Promise<DueEntry> {
  const location = await deps.store.getLocation(merchantId, locationId);
  if (location === undefined) throw new StoreError(`merchant ${merchantId} has no location ${locationId}`);
  const quickBooks = await deps.store.getConnection(merchantId, location.quickbooksConnectionId);
  if (quickBooks?.provider !== "quickbooks") throw new StoreError(`location ${locationId} has no QuickBooks connection`);
  const settle = options.settleMinutes === undefined ? {} : { settleMinutes: options.settleMinutes };
  return registerLocation(deps, { ...location, ...settle }, quickBooks.externalId, now, options);
}

async function readPointer(deps: DueIndexDeps, merchantId: string, locationId: string): Promise<z.infer<typeof pointerSchema> | undefined> {
  const { Item } = await deps.documents.send(new GetCommand({
    TableName: deps.tableName, Key: pointerKey(merchantId, locationId), ConsistentRead: true,
  }));
  return Item === undefined ? undefined : fromItem(pointerSchema, Item, `the due-index pointer ${describeItem(Item)}`);
}

/** The location's entry in the index, if it has one. */
export async function getDueEntry(deps: DueIndexDeps, merchantId: string, locationId: string): Promise<DueEntry | undefined> {
  const pointer = await readPointer(deps, merchantId, locationId);
  if (pointer === undefined) return undefined;
  const { Item } = await deps.documents.send(new GetCommand({
    TableName: deps.tableName, Key: { PK: duePartition(pointer.shard), SK: pointer.dueSK }, ConsistentRead: true,
  }));
  return Item === undefined ? undefined : fromItem(dueEntrySchema, Item, `the due-index entry ${describeItem(Item)}`);
}

/** The shard's entries due at or before `now`, soonest first. */
export async function dueEntries(deps: DueIndexDeps, shard: number, now: Date): Promise<DueEntry[]> {
  const items = await queryAll(deps.documents, {
    TableName: deps.tableName,
    KeyConditionExpression: "PK = :pk AND SK < :after",
    // "$" is the character after "#": every key whose instant is `now` or earlier sorts before `<now>$`.
    ExpressionAttributeValues: { ":pk": duePartition(shard), ":after": `${now.toISOString()}$` },
    ConsistentRead: true,
  });
  return items.map((item) => fromItem(dueEntrySchema, item, `the due-index entry ${describeItem(item)}`));
}

/**
 * Moves the entry to its next due instant: deletes it, puts its successor and points the pointer at
 * it, all or nothing, and only if the entry is still there. Of two ticks advancing the same entry
 * one wins; the other gets a ConflictError and should skip it.
 */
export async function advance(deps: DueIndexDeps, entry: DueEntry, newNextDueAt: Date): Promise<DueEntry> {
  const next: DueEntry = { ...entry, nextDueAt: newNextDueAt.toISOString() };
  const oldKey = entryKey(entry);
  const newKey = entryKey(next);
  if (newKey.SK <= oldKey.SK) throw new StoreError(`the next due instant must be after ${entry.nextDueAt}, got ${next.nextDueAt}`);
  try {
    await deps.documents.send(new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: deps.tableName, Key: oldKey, ConditionExpression: "attribute_exists(PK)" } },
        { Put: { TableName: deps.tableName, Item: toEntryItem(next) } },
        {
          // Conditional, so a deleted account's partition gets no pointer back.
          Update: {
            TableName: deps.tableName,
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
}

/** Takes the entry (and its pointer, unless it already points elsewhere) out of the index. */
export async function removeEntry(deps: DueIndexDeps, entry: DueEntry): Promise<void> {
  const key = entryKey(entry);
  try {
    await deps.documents.send(new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: deps.tableName, Key: key } },
        {
          Delete: {
            TableName: deps.tableName,
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
