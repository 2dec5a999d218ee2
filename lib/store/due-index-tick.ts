/**
 * The part of the due-index on the table (lib/store/due-index.ts) that the scheduler's every tick uses
 * (lib/schedule/due-index.ts's DueTick): a shard's due entries a page at a time, their standings, and
 * moving them on, setting aside or removing them. Registering a location, reading or moving one entry
 * and removing an account's entries are lib/store/due-index.ts, built on this: a module of its own, so
 * that the scheduler's bundle loads them only on the paths that use them (the bundler puts what a module
 * holds wherever the module loads, whoever uses it). The keys and the tick's batched move are described
 * there.
 */
import {
  BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { backoffDelayMs, sleep } from "../http/backoff";
import type { AdvanceOutcome, DueEntry, DueStanding, DueTick } from "../schedule/due-index";
import { mapLimited } from "../schedule/limited";
import * as z from "zod/mini";
import { cancellationCodes, describeItem, fromItem, isConditionFailure, type Item, names } from "./dynamo-items";
import { StoreError } from "./errors";
import { keys } from "./keys";
import { ConflictError } from "./store";

export interface DynamoDueIndexOptions {
  client: DynamoDBDocumentClient;
  /** The table (tests may give the index a table of its own). */
  tableName: string;
  /** The table of the locations' records, whose posting state the tick reads: `tableName` unless said. */
  locationTableName?: string;
}

// Each kind of field made once and shared (a zod schema is immutable): the tick builds these at every cold start.
const nonEmpty = z.string().check(z.minLength(1));
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const timeOfDay = z.string().check(z.regex(/^\d{2}:\d{2}$/));
const wholeNonNegative = z.number().check(z.int(), z.nonnegative());

export const dueEntrySchema = z.object({
  merchantId: nonEmpty,
  locationId: nonEmpty,
  nextDueAt: z.iso.datetime(),
  timeZone: nonEmpty,
  dayStart: timeOfDay,
  settleMinutes: wholeNonNegative,
  earlierDaySettings: z.optional(z.array(z.object({
    timeZone: nonEmpty,
    dayStart: timeOfDay,
    until: day,
  }))),
  messageGroup: nonEmpty,
  shard: wholeNonNegative,
});

export const pointerSchema = z.object({ dueSK: nonEmpty, shard: wholeNonNegative });

/** The location's fields a tick reads (lib/store/schemas.ts's locationSchema has them in full). */
const postingStateSchema = z.object({
  awaitingStart: z.optional(z.literal(true)),
  postingFrom: z.optional(day),
  postingStopped: z.optional(z.object({})),
});
/** Only what the tick reads of a location (its record is large); a pointer is read whole (it is all the tick reads). */
const POSTING_STATE_ATTRIBUTES = ["PK", "SK", "awaitingStart", "postingFrom", "postingStopped"];

/** DynamoDB's limits: 100 keys to a BatchGetItem, 25 requests to a BatchWriteItem. */
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Batched calls, and pointer moves, in flight at once for one call of standings or advanceAll. */
const CONCURRENCY = 8;
/** Attempts of a batch before what DynamoDB keeps leaving unprocessed counts as failed. */
const BATCH_ATTEMPTS = 6;

export const duePartition = (shard: number): string => `DUE#${String(shard)}`;

export function entryKey(entry: Pick<DueEntry, "shard" | "nextDueAt" | "merchantId" | "locationId">): { PK: string; SK: string } {
  return { PK: duePartition(entry.shard), SK: `${entry.nextDueAt}#${entry.merchantId}#${entry.locationId}` };
}

export const POINTER_PREFIX = "DUEPTR#";

export function pointerKey(merchantId: string, locationId: string): { PK: string; SK: string } {
  // keys.location checks both ids are key segments (non-empty, no "#").
  const location = keys.location(merchantId, locationId);
  return { PK: location.PK, SK: `${POINTER_PREFIX}${locationId}` };
}

export function toEntryItem(entry: DueEntry): Item {
  const checked = dueEntrySchema.safeParse(entry);
  if (!checked.success) throw new StoreError(`the due-index entry of location ${entry.locationId} is not valid`);
  return { ...checked.data, ...entryKey(checked.data) };
}

/** An entry's items as the table holds them: the entry in its shard, and the pointer in the merchant's partition (for seeding a bench's table). */
export function dueIndexItems(entry: DueEntry): [Item, Item] {
  const item = toEntryItem(entry);
  return [item, { ...pointerKey(entry.merchantId, entry.locationId), dueSK: item.SK, shard: entry.shard }];
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: { PK: string; SK: string } } };

/** One page of the shard's entries due by `now` (DueIndex's duePage). */
export async function queryDuePage(
  { client, tableName }: Pick<DynamoDueIndexOptions, "client" | "tableName">, shard: number, now: Date, limit: number, after: string | undefined,
): Promise<{ entries: DueEntry[]; after?: string }> {
  const { Items = [], LastEvaluatedKey } = await client.send(new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: "PK = :pk AND SK < :after",
    // "$" is the character after "#": every key whose instant is `now` or earlier sorts before `<now>$`.
    ExpressionAttributeValues: { ":pk": duePartition(shard), ":after": `${now.toISOString()}$` },
    ConsistentRead: true,
    Limit: limit,
    ...(after === undefined ? {} : { ExclusiveStartKey: { PK: duePartition(shard), SK: after } }),
  }));
  const entries = Items.map((item) => fromItem(dueEntrySchema, item, `the due-index entry ${describeItem(item)}`));
  return LastEvaluatedKey === undefined ? { entries } : { entries, after: String(LastEvaluatedKey.SK) };
}

/** Takes the entry and its pointer out (DueIndex's remove): a ConflictError if the pointer names another entry meanwhile. */
export async function removeDueEntry({ client, tableName }: Pick<DynamoDueIndexOptions, "client" | "tableName">, entry: DueEntry): Promise<void> {
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
}

export function createDynamoDueTick({ client, tableName, locationTableName = tableName }: DynamoDueIndexOptions): DueTick {
  /** Writes every request, 25 to a BatchWriteItem, retrying what DynamoDB leaves unprocessed; answers which requests never went through. */
  async function writeAll(requests: WriteRequest[]): Promise<Set<WriteRequest>> {
    const batches: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) batches.push(requests.slice(start, start + BATCH_WRITE_LIMIT));
    const failed = new Set<WriteRequest>();
    await mapLimited(batches, CONCURRENCY, async (batch) => {
      let pending = batch;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > BATCH_ATTEMPTS) break;
        if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, undefined, { baseMs: 50, maxMs: 2_000 }));
        try {
          const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          const left = UnprocessedItems?.[tableName] ?? [];
          // The unprocessed requests come back as equal values, not the same objects: find ours by key.
          const leftKeys = new Set(left.map((request) => keyText(request.PutRequest?.Item ?? request.DeleteRequest?.Key)));
          pending = pending.filter((request) => leftKeys.has(keyText("PutRequest" in request ? request.PutRequest.Item : request.DeleteRequest.Key)));
        } catch (error) {
          if (attempt >= BATCH_ATTEMPTS) break;
          if (!(error instanceof Error) || !/Throttl|ProvisionedThroughput|InternalServer|ServiceUnavailable|RequestLimit/.test(error.name)) break;
        }
      }
      for (const request of pending) failed.add(request);
    });
    return failed;
  }

  /** Every key's item (absent where there is none), 100 to a BatchGetItem, strongly consistent, only `attributes` if given. */
  async function readAll(table: string, itemKeys: { PK: string; SK: string }[], attributes?: string[]): Promise<Map<string, Item>> {
    const batches: { PK: string; SK: string }[][] = [];
    for (let start = 0; start < itemKeys.length; start += BATCH_GET_LIMIT) batches.push(itemKeys.slice(start, start + BATCH_GET_LIMIT));
    const found = new Map<string, Item>();
    await mapLimited(batches, CONCURRENCY, async (batch) => {
      let pending: Item[] = batch;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > BATCH_ATTEMPTS) throw new StoreError(`${pending.length} due-index reads were still unprocessed after ${BATCH_ATTEMPTS} attempts`);
        if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, undefined, { baseMs: 50, maxMs: 2_000 }));
        const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending, ConsistentRead: true,
              ...(attributes === undefined ? {} : {
                ProjectionExpression: attributes.map((name) => `#${name}`).join(", "),
                ExpressionAttributeNames: names(...attributes),
              }),
            },
          },
        }));
        for (const item of Responses?.[table] ?? []) found.set(keyText(item), item);
        pending = UnprocessedKeys?.[table]?.Keys ?? [];
      }
    });
    return found;
  }

  /** Deletes the entry unless its location's pointer names it (then a ConflictError). */
  async function discardUnlessCurrent(entry: DueEntry): Promise<void> {
    const key = entryKey(entry);
    try {
      await client.send(new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName, Key: key } },
          {
            ConditionCheck: {
              TableName: tableName,
              Key: pointerKey(entry.merchantId, entry.locationId),
              ConditionExpression: "attribute_not_exists(PK) OR dueSK <> :entry",
              ExpressionAttributeValues: { ":entry": key.SK },
            },
          },
        ],
      }));
    } catch (error) {
      throw transactionConflict(error, `the due-index entry of location ${entry.locationId} is its location's entry again`) ?? error;
    }
  }

  return {
    async duePage(shard, now, { limit, after }) {
      return await queryDuePage({ client, tableName }, shard, now, limit, after);
    },

    async standings(entries) {
      const pointerKeys = entries.map((entry) => pointerKey(entry.merchantId, entry.locationId));
      const locationKeys = entries.map((entry) => keys.location(entry.merchantId, entry.locationId));
      const [pointers, locations] = await Promise.all([readAll(tableName, pointerKeys), readAll(locationTableName, locationKeys, POSTING_STATE_ATTRIBUTES)]);
      const found = new Map([...pointers, ...locations]);
      return entries.map((entry): DueStanding => {
        const pointerItem = found.get(keyText(pointerKey(entry.merchantId, entry.locationId)));
        const pointer = pointerItem === undefined ? undefined : fromItem(pointerSchema, pointerItem, `the due-index pointer ${describeItem(pointerItem)}`);
        const key = entryKey(entry);
        const locationItem = found.get(keyText(keys.location(entry.merchantId, entry.locationId)));
        // No pointer and no location: the account or the location was deleted, the entry outlived it.
        if (pointer === undefined && locationItem === undefined) return { kind: "gone" };
        if (pointer === undefined || pointer.shard !== entry.shard || pointer.dueSK !== key.SK) return { kind: "stale" };
        if (locationItem === undefined) return { kind: "gone" };
        const state = fromItem(postingStateSchema, locationItem, `the location ${describeItem(locationItem)}`);
        return {
          kind: "current",
          location: {
            ...(state.awaitingStart ? { awaitingStart: true as const } : {}),
            ...(state.postingFrom === undefined ? {} : { postingFrom: state.postingFrom }),
            postingStopped: state.postingStopped !== undefined,
          },
        };
      });
    },

    async advanceAll(moves) {
      const outcomes: AdvanceOutcome[] = moves.map(() => "failed");
      const planned = moves.map(({ entry, nextDueAt }) => {
        const next: DueEntry = { ...entry, nextDueAt: nextDueAt.toISOString() };
        const oldKey = entryKey(entry);
        const newItem = toEntryItem(next);
        if (String(newItem.SK) <= oldKey.SK) throw new StoreError(`the next due instant must be after ${entry.nextDueAt}, got ${next.nextDueAt}`);
        const put: WriteRequest = { PutRequest: { Item: newItem } };
        return { entry, next, oldKey, newSK: String(newItem.SK), put };
      });
      // 1. The new entries. Until its pointer moves, a new entry is not its location's: a crash here leaves it stale.
      const notPut = await writeAll(planned.map((move) => move.put));
      // 2. The pointers, each on the condition that it still names the old entry (its sort key, in its
      // shard): the tick that moves it wins. The pointer is put whole: it holds nothing but the entry it
      // names, and a PutItem costs what an UpdateItem does (1 WRU) with less to evaluate.
      const won: number[] = [];
      await mapLimited(planned, CONCURRENCY, async (move, index) => {
        if (notPut.has(move.put)) return;
        try {
          await client.send(new PutCommand({
            TableName: tableName,
            Item: { ...pointerKey(move.entry.merchantId, move.entry.locationId), dueSK: move.newSK, shard: move.entry.shard },
            ConditionExpression: "dueSK = :previous AND #shard = :shard",
            ExpressionAttributeNames: { "#shard": "shard" },
            ExpressionAttributeValues: { ":previous": move.oldKey.SK, ":shard": move.entry.shard },
          }));
          won.push(index);
          outcomes[index] = "moved";
        } catch (error) {
          if (!isConditionFailure(error)) return;
          outcomes[index] = "conflict";
          // Lost: the new entry just put is no one's unless the winner moved the pointer to the same place.
          // If this fails too, the entry stays stale and a later tick discards it.
          await discardUnlessCurrent(move.next).catch(() => undefined);
        }
      });
      // 3. The old entries. One left behind is stale (its pointer names the new one): the next tick discards it.
      await writeAll(won.map((index) => ({ DeleteRequest: { Key: (planned[index] as (typeof planned)[number]).oldKey } })));
      return outcomes;
    },

    async discard(entry) {
      await discardUnlessCurrent(entry);
    },

    remove: (entry) => removeDueEntry({ client, tableName }, entry),
  };
}

/** An item's key as one string, to match batch answers to their requests. */
function keyText(item: { PK?: unknown; SK?: unknown } | undefined): string {
  return `${String(item?.PK)}\u0000${String(item?.SK)}`;
}

/** A transaction lost to a condition or to an overlapping transaction, as a ConflictError; undefined for anything else. */
export function transactionConflict(error: unknown, message: string): ConflictError | undefined {
  const reasons = cancellationCodes(error);
  if (reasons === undefined) return undefined;
  if (reasons.includes("ConditionalCheckFailed") || reasons.includes("TransactionConflict")) return new ConflictError(message, { cause: error });
  return undefined;
}
