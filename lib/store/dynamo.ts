/**
 * The Store on DynamoDB (AWS SDK v3 document client), one table laid out as table.ts and keys.ts
 * say. Every state change that can race is a conditional write; a lost condition is a ConflictError.
 * Reads are strongly consistent, so a version read is the version a conditional write will meet.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describeIssues, type z } from "../validation";
import { StoreError } from "./errors";
import { type ItemKey, keys } from "./keys";
import { locationSchema, merchantSchema, storedConnectionSchema, syncRecordSchema } from "./schemas";
import { type Connection, type ConnectionStatus, ConflictError, type Store } from "./types";

export interface DynamoStoreOptions {
  /** Any translateConfig will do: the store drops undefined values itself and checks every number it reads. */
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}

type Item = Record<string, unknown>;

export function createDynamoStore({ client, tableName, now = () => new Date() }: DynamoStoreOptions): Store {
  async function read<T>(key: ItemKey, schema: z.ZodMiniType<T>, what: string): Promise<T | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item === undefined ? undefined : fromItem(schema, Item, `the stored ${what} ${describeKey(key)}`);
  }

  async function put(item: Item, condition?: { expression: string; values?: Item; names?: Record<string, string>; conflict: string }): Promise<void> {
    await conflictOnCondition(condition?.conflict, () => client.send(new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: condition?.expression,
      ExpressionAttributeValues: condition?.values,
      ExpressionAttributeNames: condition?.names,
    })));
  }

  return {
    async putMerchant(merchant) {
      const key = keys.merchant(merchant.merchantId);
      await put(toItem(merchantSchema, merchant, key, "the merchant"));
    },

    async getMerchant(merchantId) {
      return await read(keys.merchant(merchantId), merchantSchema, "merchant");
    },

    async putConnection(connection) {
      const key = keys.connection(connection.merchantId, connection.connectionId);
      const item = toItem(storedConnectionSchema, { ...connection, tokenVersion: 1 }, key, "the connection");
      await put(item, {
        expression: "attribute_not_exists(PK)",
        conflict: `connection ${connection.connectionId} of merchant ${connection.merchantId} already exists`,
      });
      return toConnection(fromItem(storedConnectionSchema, item, "the connection written"));
    },

    async getConnection(merchantId, connectionId) {
      const stored = await read(keys.connection(merchantId, connectionId), storedConnectionSchema, "connection");
      return stored && toConnection(stored);
    },

    async updateConnectionTokens(merchantId, connectionId, expectedVersion, tokenCiphertext) {
      assertVersion(expectedVersion, 1);
      if (tokenCiphertext === "") throw new StoreError("the new tokenCiphertext is empty");
      const key = keys.connection(merchantId, connectionId);
      const { Attributes } = await conflictOnCondition(
        `connection ${connectionId} of merchant ${merchantId} is no longer active at token version ${expectedVersion}`,
        () => client.send(new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: "SET #tokenCiphertext = :ciphertext, #tokenVersion = :next, #updatedAt = :now",
          // A connection that is not active has no tokens to refresh; reconnecting makes a new one.
          ConditionExpression: "#tokenVersion = :expected AND #status = :active",
          ExpressionAttributeNames: names("tokenCiphertext", "tokenVersion", "updatedAt", "status"),
          ExpressionAttributeValues: {
            ":ciphertext": tokenCiphertext,
            ":next": expectedVersion + 1,
            ":now": now().toISOString(),
            ":expected": expectedVersion,
            ":active": "active",
          },
          ReturnValues: "ALL_NEW",
        })),
      );
      return toConnection(fromItem(storedConnectionSchema, Attributes ?? {}, `the updated connection ${describeKey(key)}`));
    },

    async setConnectionStatus(merchantId, connectionId, status, reason) {
      const key = keys.connection(merchantId, connectionId);
      await conflictOnCondition(
        status === "active"
          ? `connection ${connectionId} of merchant ${merchantId} does not exist or has no tokens; only connecting again makes it active`
          : `connection ${connectionId} of merchant ${merchantId} does not exist`,
        () => client.send(new UpdateCommand({ TableName: tableName, Key: key, ...statusUpdate(status, reason, now()) })),
      );
    },

    async putLocation(location) {
      const key = keys.location(location.merchantId, location.locationId);
      await put(toItem(locationSchema, location, key, "the location"));
    },

    async getLocation(merchantId, locationId) {
      return await read(keys.location(merchantId, locationId), locationSchema, "location");
    },

    async getSyncRecord(merchantId, locationId, businessDay) {
      return await read(keys.syncRecord(merchantId, locationId, businessDay), syncRecordSchema, "sync record");
    },

    async saveSyncRecord(record, expectedVersion) {
      assertVersion(expectedVersion, 0);
      const key = keys.syncRecord(record.merchantId, record.locationId, record.businessDay);
      const item = toItem(syncRecordSchema, { ...record, version: expectedVersion + 1 }, key, "the sync record");
      const what = `sync record ${record.locationId} ${record.businessDay} of merchant ${record.merchantId}`;
      await put(item, expectedVersion === 0
        ? { expression: "attribute_not_exists(PK)", conflict: `${what} already exists` }
        : {
            expression: "#version = :expected",
            names: names("version"),
            values: { ":expected": expectedVersion },
            conflict: `${what} is no longer at version ${expectedVersion}`,
          });
      return fromItem(syncRecordSchema, item, "the sync record written");
    },
  };
}

/** The update for a new status. Leaving "active" removes the tokens and bumps their version, so a refresh already in flight cannot put them back. */
function statusUpdate(status: ConnectionStatus, reason: string | undefined, at: Date) {
  const set = ["#status = :status", "#updatedAt = :now"];
  const remove: string[] = [];
  const attributes = ["status", "updatedAt", "statusReason", "tokenCiphertext"];
  const values: Item = { ":status": status, ":now": at.toISOString() };
  if (reason === undefined) remove.push("#statusReason");
  else {
    set.push("#statusReason = :reason");
    values[":reason"] = reason;
  }
  if (status !== "active") {
    set.push("#tokenVersion = #tokenVersion + :one");
    values[":one"] = 1;
    attributes.push("tokenVersion");
    remove.push("#tokenCiphertext");
  }
  return {
    UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
    ConditionExpression: status === "active" ? "attribute_exists(#tokenCiphertext)" : "attribute_exists(PK)",
    // DynamoDB rejects a placeholder that no expression uses.
    ExpressionAttributeNames: names(...attributes),
    ExpressionAttributeValues: values,
  };
}

/** Placeholders for every attribute named in an expression: no reserved-word surprises (STATUS is one). */
function names(...attributes: string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
}

function toConnection(stored: z.output<typeof storedConnectionSchema>): Connection {
  // The contract's tokenCiphertext is a string; a connection that is not active has none.
  return { ...stored, tokenCiphertext: stored.tokenCiphertext ?? "" };
}

async function conflictOnCondition<T>(conflict: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (conflict !== undefined && error instanceof Error && error.name === "ConditionalCheckFailedException") {
      throw new ConflictError(conflict, { cause: error });
    }
    throw error;
  }
}

function assertVersion(version: number, minimum: number): void {
  if (!Number.isSafeInteger(version) || version < minimum) {
    throw new StoreError(`the expected version must be a whole number of at least ${minimum}, got ${String(version)}`);
  }
}

function toItem<T>(schema: z.ZodMiniType<T>, value: unknown, key: ItemKey, what: string): Item {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreError(describeIssues(result.error, `${what} to write to ${describeKey(key)}`));
  return { ...(withoutUndefined(result.data) as Item), ...key };
}

function fromItem<T>(schema: z.ZodMiniType<T>, item: Item, subject: string): T {
  const result = schema.safeParse(item);
  if (!result.success) throw new StoreError(describeIssues(result.error, subject));
  return result.data;
}

/** The marshaller rejects undefined unless the client was built to drop it; the store does not rely on that. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined).map(([name, entry]) => [name, withoutUndefined(entry)]),
  );
}

function describeKey(key: ItemKey): string {
  return `${key.PK} ${key.SK}`;
}
