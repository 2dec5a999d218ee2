/**
 * A web world's table, item by item, kept current without a full scan after every request: each write
 * command (PutItem, UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem, through the world's
 * client or a document client on it) names the keys it may change, and only those items are read
 * again. A write command whose keys cannot be told (PartiQL, say) makes the next view a full scan. The
 * tests that use it still take a full scan now and then (`scan`) and compare it with the view, so a
 * change that bypassed the world's client would not go unseen.
 */
import { type AttributeValue, BatchGetItemCommand, type BatchGetItemCommandInput, type BatchGetItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { canonicalJson, type WebWorld } from "./world";

/** Every item of the table by "PK|SK", with its canonical JSON. */
export type Items = Map<string, { item: Record<string, AttributeValue>; text: string }>;

export interface Change {
  key: string;
  kind: "added" | "removed" | "changed";
  before?: Record<string, AttributeValue>;
  after?: Record<string, AttributeValue>;
  /** For "changed": the attributes whose values differ. */
  attributes: string[];
}

export interface TableView {
  /** The table now: the last view with every item a write command named since then read again (a new map; earlier ones stay as they were). */
  now(): Promise<Items>;
  /** A full scan, which becomes the view. */
  scan(): Promise<Items>;
  /** Write commands sent to the table so far. */
  writes(): number;
}

const READS = /^(Get|BatchGet|TransactGet|Query|Scan|Describe|List)/;
const KEY_BATCH = 100;

const itemKey = (key: Record<string, AttributeValue> | undefined): string => `${key?.["PK"]?.S ?? ""}|${key?.["SK"]?.S ?? ""}`;

export async function scanItems(world: WebWorld): Promise<Items> {
  const items: Items = new Map();
  for (const item of await world.scan()) items.set(itemKey(item), { item, text: canonicalJson(item) });
  return items;
}

type Keyed = Record<string, AttributeValue> | undefined;
interface WriteInput {
  TableName?: string;
  Item?: Keyed;
  Key?: Keyed;
  TransactItems?: { Put?: { TableName?: string; Item?: Keyed }; Update?: { TableName?: string; Key?: Keyed }; Delete?: { TableName?: string; Key?: Keyed } }[];
  RequestItems?: Record<string, { PutRequest?: { Item?: Keyed }; DeleteRequest?: { Key?: Keyed } }[]>;
}

type Key = { PK: AttributeValue; SK: AttributeValue };

/** The keys of the world's table a write command may change; undefined when they cannot be told. */
function keysWritten(commandName: string, input: WriteInput, tableName: string): Key[] | undefined {
  const name = commandName.replace(/Command$/, "");
  const mine = (table: string | undefined, key: Keyed): Key[] => (table === tableName && key?.["PK"] && key["SK"] ? [{ PK: key["PK"], SK: key["SK"] }] : []);
  switch (name) {
    case "PutItem":
    case "Put":
      return mine(input.TableName, input.Item);
    case "UpdateItem":
    case "Update":
    case "DeleteItem":
    case "Delete":
      return mine(input.TableName, input.Key);
    case "TransactWriteItems":
    case "TransactWrite":
      return (input.TransactItems ?? []).flatMap((each) => [
        ...mine(each.Put?.TableName, each.Put?.Item), ...mine(each.Update?.TableName, each.Update?.Key), ...mine(each.Delete?.TableName, each.Delete?.Key),
      ]);
    case "BatchWriteItem":
    case "BatchWrite":
      return (input.RequestItems?.[tableName] ?? []).flatMap((each) => [...mine(tableName, each.PutRequest?.Item), ...mine(tableName, each.DeleteRequest?.Key)]);
    default:
      return undefined;
  }
}

/** Watches the world's table client from now on; the first view is a full scan. */
export function watchTable(world: WebWorld): TableView {
  let writes = 0;
  let view: Items | undefined;
  const pending = new Map<string, Key>();
  let unknown = false;
  // At the build step the input is in DynamoDB's own form, whichever client (plain or document) sent it.
  world.dynamo.middlewareStack.add((next, context) => async (args) => {
    const commandName = context.commandName ?? "";
    if (!READS.test(commandName)) {
      writes++;
      const keys = keysWritten(commandName, args.input as WriteInput, world.tableName);
      if (keys === undefined) unknown = true;
      else for (const key of keys) pending.set(itemKey(key), key);
    }
    return next(args);
  }, { step: "build", name: "tableViewWrites" });

  const scan = async (): Promise<Items> => {
    pending.clear();
    unknown = false;
    view = await scanItems(world);
    return view;
  };

  return {
    scan,
    writes: () => writes,
    async now() {
      if (view === undefined || unknown) return scan();
      if (pending.size === 0) return view;
      const keys = [...pending.values()];
      pending.clear();
      const next: Items = new Map(view);
      for (let start = 0; start < keys.length; start += KEY_BATCH) {
        const chunk = keys.slice(start, start + KEY_BATCH);
        let request: BatchGetItemCommandInput["RequestItems"] = { [world.tableName]: { Keys: chunk, ConsistentRead: true } };
        for (const key of chunk) next.delete(itemKey(key));
        while (request && Object.keys(request).length > 0) {
          const page: BatchGetItemCommandOutput = await world.dynamo.send(new BatchGetItemCommand({ RequestItems: request }));
          for (const item of page.Responses?.[world.tableName] ?? []) next.set(itemKey(item), { item, text: canonicalJson(item) });
          request = page.UnprocessedKeys;
        }
      }
      view = next;
      return view;
    },
  };
}

export function changesBetween(before: Items, after: Items): Change[] {
  const changes: Change[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) changes.push({ key, kind: "added", after: now.item, attributes: Object.keys(now.item) });
    else if (was.text !== now.text) {
      const names = new Set([...Object.keys(was.item), ...Object.keys(now.item)]);
      const attributes = [...names].filter((name) => canonicalJson(was.item[name]) !== canonicalJson(now.item[name]));
      changes.push({ key, kind: "changed", before: was.item, after: now.item, attributes });
    }
  }
  for (const [key, was] of before) if (!after.has(key)) changes.push({ key, kind: "removed", before: was.item, attributes: [] });
  return changes;
}
