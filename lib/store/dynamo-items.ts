/**
 * The small pieces every DynamoDB module of daybook shares: items checked by a schema on the way in
 * and out, conditional writes turned into ConflictError, queries read to the last page. Batch reads
 * and deletes are batch-items.ts: only the paths that use them load them.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { describeIssues } from "../validation";
import { StoreError } from "./errors";
import type { ItemKey } from "./keys";
import { ConflictError } from "./store";

export type Item = Record<string, unknown>;

/** Placeholders for every attribute named in an expression: no reserved-word surprises (STATUS is one). */
export function names(...attributes: string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

export async function conflictOnCondition<T>(conflict: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (conflict !== undefined && isConditionFailure(error)) throw new ConflictError(conflict, { cause: error });
    throw error;
  }
}

/** A cancelled transaction's reason per item, in order ("ConditionalCheckFailed", "TransactionConflict", "None"); undefined for any other error. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  return "CancellationReasons" in error && Array.isArray(error.CancellationReasons)
    ? (error.CancellationReasons as { Code?: string }[]).map((reason) => reason.Code)
    : [];
}

/** The write's result, or undefined when its condition did not hold. */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export function assertVersion(version: number, minimum: number): void {
  if (!Number.isSafeInteger(version) || version < minimum) {
    throw new StoreError(`the expected version must be a whole number of at least ${minimum}, got ${String(version)}`);
  }
}

/** The value checked by `schema`, as an item under `key` (plus any index keys). */
export function toItem<T>(schema: z.ZodMiniType<T>, value: unknown, key: ItemKey, what: string, extra: Item = {}): Item {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreError(describeIssues(result.error, `${what} to write to ${describeKey(key)}`));
  return { ...(withoutUndefined(result.data) as Item), ...extra, ...key };
}

export function fromItem<T>(schema: z.ZodMiniType<T>, item: Item, subject: string): T {
  const result = schema.safeParse(item);
  if (!result.success) throw new StoreError(describeIssues(result.error, subject));
  return result.data;
}

/** The marshaller rejects undefined unless the client was built to drop it; the store does not rely on that. */
export function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined).map(([name, entry]) => [name, withoutUndefined(entry)]),
  );
}

export function describeKey(key: ItemKey): string {
  return `${key.PK} ${key.SK}`;
}

/** An item read from the table, named by its keys for an error message. */
export function describeItem(item: Item): string {
  return `${String(item.PK)} ${String(item.SK)}`;
}

/** Every item the query matches, page after page. */
export async function queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, "ExclusiveStartKey">): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
