/**
 * Counts AWS SDK v3 calls by service and command, with DynamoDB request units as DynamoDB bills them:
 * a PutItem or UpdateItem costs one WRU per started KB of the WHOLE item as it stands after the write
 * (an update is billed on the item, not on what it changed: the counter reads the item back, uncounted,
 * and sizes it by DynamoDB's rules), and as much again for each secondary index the item is in
 * (GSI1 projects everything); a DeleteItem one WRU; a read one RRU per started 4 KB of what came back
 * (strongly consistent; an eventually consistent read costs half, so this errs high). Batch and
 * transactional writes are sized from the request body, transactions doubled.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TABLE } from "../lib/store/table";
export interface AwsCounts {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export function emptyCounts(): AwsCounts {
  return { calls: {}, readUnits: 0, writeUnits: 0 };
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/** DynamoDB's item size: each attribute's name and value, in UTF-8 bytes (numbers about one byte per two digits). */
export function itemBytes(item: Record<string, AttributeValue>): number {
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

/** The request body as text (the JSON protocol hands a byte array that is also a string adapter). */
function bodyText(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return undefined;
}

/** WRU of writing `item`: its started KBs, in the table and in each index whose keys it has. */
export function writeUnitsOf(item: Record<string, AttributeValue>): number {
  const units = Math.max(1, Math.ceil(itemBytes(item) / 1024));
  const indexes = TABLE.globalIndexes.filter((index) => item[index.partitionKey.name] !== undefined).length;
  return units * (1 + indexes);
}

/** The inputs of the counter's own reads (an updated item read back): neither counted nor sized. */
const ownInputs = new WeakSet<object>();

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand", "TransactWriteItemsCommand"]);
const ITEM_WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);
const READS = new Set(["GetItemCommand", "QueryCommand", "BatchGetItemCommand", "ScanCommand", "TransactGetItemsCommand"]);

/** Adds the counting middleware to a client (any v3 client: DynamoDB, KMS, SES, SQS). */
export function countCalls<T extends MiddlewareClient>(client: T, service: string, counts: AwsCounts): T {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: object; request?: { body?: unknown } }) => {
      const command = context.commandName ?? "Unknown";
      const key = `${service}.${command.replace(/Command$/, "")}`;
      if (args.input && ownInputs.has(args.input)) return next(args);
      counts.calls[key] = (counts.calls[key] ?? 0) + 1;
      const body = bodyText(args.request?.body);
      if (service === "DynamoDB" && WRITES.has(command) && !ITEM_WRITES.has(command)) {
        const bytes = typeof body === "string" ? Buffer.byteLength(body) : 0;
        counts.writeUnits += Math.max(1, Math.ceil(bytes / 1024)) * (command === "TransactWriteItemsCommand" ? 2 : 1);
      }
      const result = await next(args) as { response?: { headers?: Record<string, string>; statusCode?: number } };
      if (service === "DynamoDB" && ITEM_WRITES.has(command) && typeof body === "string" && (result.response?.statusCode ?? 200) < 300) {
        const request = JSON.parse(body) as { TableName: string; Key?: Record<string, AttributeValue>; Item?: Record<string, AttributeValue> };
        if (command === "DeleteItemCommand") counts.writeUnits += 1;
        else if (request.Item) counts.writeUnits += writeUnitsOf(request.Item);
        else if (request.Key) {
          const input = { TableName: request.TableName, Key: request.Key, ConsistentRead: true };
          ownInputs.add(input);
          const read = await (client as unknown as { send(command: GetItemCommand): Promise<{ Item?: Record<string, AttributeValue> }> }).send(new GetItemCommand(input));
          counts.writeUnits += read.Item ? writeUnitsOf(read.Item) : 1;
        }
      }
      if (service === "DynamoDB" && READS.has(command)) {
        const length = Number(result.response?.headers?.["content-length"] ?? 0);
        counts.readUnits += Math.max(1, Math.ceil(length / 4096));
      }
      return result;
    },
    { step: "finalizeRequest", priority: "low", name: `benchCount${service}` },
  );
  return client;
}
