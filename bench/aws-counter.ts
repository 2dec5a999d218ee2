/**
 * Counts AWS SDK v3 calls by service and command, with DynamoDB request units as DynamoDB bills them
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html and
 * .../GSI.html#GSI.ThroughputConsiderations.Writes):
 * - a PutItem, UpdateItem or DeleteItem costs one WRU per started KB of the LARGER of the item before
 *   and after the write (an update is billed on the whole item, not on what it changed; a delete on the
 *   item deleted); the counter reads the item before and after, uncounted, and sizes them by
 *   DynamoDB's rules. A write refused by its condition still costs its units.
 * - each secondary index costs as well: one write of the index entry when an item enters it, leaves it,
 *   or changes a projected attribute (table.ts says what each projects: keys only, so an attribute
 *   change that leaves the index key as it was writes no index), two when the item's index key
 *   changes, none when the item is in neither version or nothing projected changed.
 * - a GetItem costs one RRU per started 4 KB of the item (one when there is none), a Query or Scan per
 *   started 4 KB of all the items it returned; half as much when not strongly consistent (index queries).
 * Batch and transactional writes are sized from the request body, transactions doubled.
 * Units are also kept by the kind of item (lib/store/retention.ts's kinds), so a report can say which
 * items a job's writes are spent on.
 */
import { performance } from "node:perf_hooks";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { itemKindOf } from "../lib/store/retention";
import { TABLE } from "../lib/store/table";

export interface AwsCounts {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** WRU by kind of item written ("sync-record", "report", "connection", …; "other" for batches and unknown shapes). */
  writeUnitsByKind?: Record<string, number>;
  /** Item writes by kind (PutItem, UpdateItem, DeleteItem). */
  writesByKind?: Record<string, number>;
  /** Reads by kind of the item or partition read ("sync-record", "location", …; a Query by its partition's kind). */
  readsByKind?: Record<string, number>;
  /** Each counted call's start and end (performance.now(), ms), in the order they started: what the critical path is computed from. */
  spans?: CallSpan[];
}

/** One call's time in flight, as the caller saw it (from the command's send to its answer). */
export interface CallSpan {
  name: string;
  startMs: number;
  endMs: number;
}

export function emptyCounts(): AwsCounts {
  return { calls: {}, readUnits: 0, writeUnits: 0, writeUnitsByKind: {}, writesByKind: {}, readsByKind: {}, spans: [] };
}

/** Zeroes the counts in place (the world's clients keep the same object). */
export function resetCounts(counts: AwsCounts): void {
  Object.assign(counts, emptyCounts());
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

type Item = Record<string, AttributeValue>;

/** DynamoDB's item size: each attribute's name and value, in UTF-8 bytes (numbers about one byte per two digits). */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, "").length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  if (value.L !== undefined) return 3 + value.L.reduce((total, each) => total + 1 + valueBytes(each), 0);
  if (value.SS !== undefined) return value.SS.reduce((total, each) => total + Buffer.byteLength(each), 0);
  if (value.NS !== undefined) return value.NS.reduce((total, each) => total + Math.ceil(each.length / 2) + 1, 0);
  return 0;
}

const kb = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** The request body as text (the JSON protocol hands a byte array that is also a string adapter). */
function bodyText(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return undefined;
}

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
const sameItem = (a: Item, b: Item): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([name, value]) => sameValue(value, b[name]));

/**
 * WRU of one item write, from the item before and after it (undefined: absent): the table's, on the
 * larger of the two, and each index's as table.ts projects it. An index that projects every attribute
 * is written whenever anything of an item in it changes; a keys-only index only when the item enters
 * it, leaves it or changes its index key, and its entry is the item's keys alone.
 */
export function writeUnitsOf(before: Item | undefined, after: Item | undefined, layout: readonly IndexLayout[] = TABLE.globalIndexes): number {
  const table = kb(Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0));
  let indexes = 0;
  for (const index of layout) {
    const projected = (item: Item | undefined): number => {
      if (!item) return 0;
      if (index.projection === "ALL") return itemBytes(item);
      const names = [TABLE.partitionKey.name, TABLE.sortKey.name, index.partitionKey.name, index.sortKey.name];
      return itemBytes(Object.fromEntries(names.flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]]))));
    };
    const keyOf = (item: Item | undefined) => (item?.[index.partitionKey.name] !== undefined ? [item[index.partitionKey.name], item[index.sortKey.name]] : undefined);
    const was = keyOf(before);
    const is = keyOf(after);
    if (was && is) {
      if (!sameValue(was[0], is[0]) || !sameValue(was[1], is[1])) indexes += kb(projected(before)) + kb(projected(after));
      else if (index.projection === "ALL" && !sameItem(before ?? {}, after ?? {})) indexes += kb(projected(after));
    } else if (was) indexes += kb(projected(before));
    else if (is) indexes += kb(projected(after));
  }
  return table + indexes;
}

/** A secondary index as table.ts lays it out. */
export interface IndexLayout {
  partitionKey: { name: string };
  sortKey: { name: string };
  projection: "ALL" | "KEYS_ONLY";
}

/**
 * The size of an item as a read handed it back: as AttributeValues (the DynamoDB client's), or already
 * unmarshalled into plain values (the DocumentClient's: lib-dynamodb unmarshalls its output before this
 * counter sees it, so its items' strings and numbers are not AttributeValues), by the same rules. The
 * table's partition key tells them apart: a string in the DocumentClient's form.
 */
export function readItemBytes(item: Record<string, unknown>): number {
  if (typeof item[TABLE.partitionKey.name] !== "string") return itemBytes(item as Item);
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) bytes += Buffer.byteLength(name) + plainValueBytes(value);
  return bytes;
}

const numberBytes = (text: string): number => Math.ceil(text.replace(/^-|\.|^0+/g, "").length / 2) + 1;

function plainValueBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "bigint") return numberBytes(String(value));
  if (typeof value === "boolean" || value === null) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return [...value as Set<unknown>].reduce<number>((total, each) => total + plainValueBytes(each), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((total, each) => total + 1 + plainValueBytes(each), 0);
  if (typeof value === "object") {
    // lib-dynamodb's NumberValue (wrapNumbers) holds its digits as text.
    if ("value" in value && typeof value.value === "string" && value.constructor.name === "NumberValue") return numberBytes(value.value);
    const entries = Object.entries(value).filter(([, each]) => each !== undefined);
    return 3 + entries.reduce((total, [name, each]) => total + Buffer.byteLength(name) + plainValueBytes(each), 0) + entries.length;
  }
  return 0;
}

/** RRU of a read that returned `items` (all of a Query's pages are separate calls), in either form readItemBytes sizes. */
export function readUnitsOf(items: readonly Record<string, unknown>[], consistent: boolean): number {
  const units = Math.max(1, Math.ceil(items.reduce((total, item) => total + readItemBytes(item), 0) / 4096));
  return consistent ? units : units / 2;
}

/** The inputs of the counter's own reads (an item read before and after a write): neither counted nor sized. */
const ownInputs = new WeakSet<object>();

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand", "TransactWriteItemsCommand"]);
const ITEM_WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);
const READS = new Set(["GetItemCommand", "QueryCommand", "BatchGetItemCommand", "ScanCommand", "TransactGetItemsCommand"]);

interface ItemRequest {
  TableName: string;
  Key?: Item;
  Item?: Item;
  ConsistentRead?: boolean;
  IndexName?: string;
}

/** Adds the counting middleware to a client (any v3 client: DynamoDB, KMS, SES, SQS). */
export function countCalls<T extends MiddlewareClient>(client: T, service: string, counts: AwsCounts): T {
  const readItem = async (tableName: string, key: Item): Promise<Item | undefined> => {
    const input = { TableName: tableName, Key: key, ConsistentRead: true };
    ownInputs.add(input);
    const read = await (client as unknown as { send(command: GetItemCommand): Promise<{ Item?: Item }> }).send(new GetItemCommand(input));
    return read.Item;
  };
  const keyOf = (request: ItemRequest): Item | undefined => {
    if (request.Key) return request.Key;
    const pk = request.Item?.[TABLE.partitionKey.name];
    const sk = request.Item?.[TABLE.sortKey.name];
    return pk && sk ? { [TABLE.partitionKey.name]: pk, [TABLE.sortKey.name]: sk } : undefined;
  };
  const addWrite = (kind: string, units: number) => {
    counts.writeUnits += units;
    const byKind = (counts.writeUnitsByKind ??= {});
    const writes = (counts.writesByKind ??= {});
    byKind[kind] = (byKind[kind] ?? 0) + units;
    writes[kind] = (writes[kind] ?? 0) + 1;
  };

  // Timed from the first step, so two calls sent at once are seen to overlap (the counting below runs at the last).
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: object }) => {
      if (args.input && ownInputs.has(args.input)) return next(args);
      const span: CallSpan = { name: `${service}.${(context.commandName ?? "Unknown").replace(/Command$/, "")}`, startMs: performance.now(), endMs: Number.NaN };
      (counts.spans ??= []).push(span);
      try {
        return await next(args);
      } finally {
        span.endMs = performance.now();
      }
    },
    { step: "initialize", priority: "high", name: `benchTime${service}` },
  );
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: object; request?: { body?: unknown } }) => {
      const command = context.commandName ?? "Unknown";
      const key = `${service}.${command.replace(/Command$/, "")}`;
      if (args.input && ownInputs.has(args.input)) return next(args);
      counts.calls[key] = (counts.calls[key] ?? 0) + 1;
      const body = bodyText(args.request?.body);
      const request = service === "DynamoDB" && typeof body === "string" ? JSON.parse(body) as ItemRequest : undefined;
      if (service === "DynamoDB" && WRITES.has(command) && !ITEM_WRITES.has(command)) {
        const bytes = typeof body === "string" ? Buffer.byteLength(body) : 0;
        addWrite("other", kb(bytes) * (command === "TransactWriteItemsCommand" ? 2 : 1));
      }
      const itemKey = request && ITEM_WRITES.has(command) ? keyOf(request) : undefined;
      const before = request && itemKey ? await readItem(request.TableName, itemKey) : undefined;
      let result: { response?: { statusCode?: number }; output?: { Item?: Item; Items?: Item[]; Responses?: Record<string, Item[]> } };
      try {
        result = await next(args) as typeof result;
      } catch (error) {
        // A write refused by its condition is billed as a write of the item it left as it was.
        if (request && itemKey && (error as { name?: string }).name === "ConditionalCheckFailedException") {
          addWrite(kindOf(before ?? itemKey), kb(before ? itemBytes(before) : 0));
        }
        throw error;
      }
      if (request && itemKey) {
        const after = command === "DeleteItemCommand" ? undefined : await readItem(request.TableName, itemKey);
        addWrite(kindOf(after ?? before ?? itemKey), writeUnitsOf(before, after));
      }
      if (service === "DynamoDB" && READS.has(command)) {
        const reads = (counts.readsByKind ??= {});
        const partition = (request as { ExpressionAttributeValues?: Item } | undefined)?.ExpressionAttributeValues?.[":partition"];
        const readKind = request?.Key ? kindOf(request.Key) : partition?.S !== undefined ? `${kindOf({ PK: partition })} query` : "other";
        reads[readKind] = (reads[readKind] ?? 0) + 1;
        const output = result.output ?? {};
        const consistent = request?.ConsistentRead === true && request.IndexName === undefined;
        if (output.Item !== undefined || command === "GetItemCommand") counts.readUnits += readUnitsOf(output.Item ? [output.Item] : [], consistent);
        else if (output.Items !== undefined) counts.readUnits += readUnitsOf(output.Items, consistent);
        else if (output.Responses !== undefined) {
          for (const items of Object.values(output.Responses)) for (const item of items) counts.readUnits += readUnitsOf([item], consistent);
        }
      }
      return result;
    },
    { step: "finalizeRequest", priority: "low", name: `benchCount${service}` },
  );
  return client;
}

function kindOf(item: Item): string {
  return itemKindOf({ PK: item["PK"]?.S, SK: item["SK"]?.S, status: item["status"]?.S }) ?? "other";
}
