/**
 * The local stack's DynamoDB: dynalite keeps the table on disk across restarts, and the front that
 * adds TransactWriteItems (lib/store/local/transactions.ts) is all-or-nothing with DynamoDB's
 * cancellation reasons, so the real store's sign-up transaction behaves as on AWS.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDynamoStore } from "../../lib/store/dynamo";
import { ConflictError } from "../../lib/store/store";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, type LocalDatabase, startLocalDatabase } from "../../lib/store/local/database";

let folder = "";
let database: LocalDatabase;
let documents: DynamoDBDocumentClient;

async function open(): Promise<void> {
  database = await startLocalDatabase(folder);
  const client = new DynamoDBClient({ endpoint: database.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureLocalTable(client);
  documents = DynamoDBDocumentClient.from(client);
}

async function close(): Promise<void> {
  documents.destroy();
  await database.close();
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "daybook-dynalite-"));
  await open();
});

afterEach(async () => {
  await close();
  await rm(folder, { recursive: true, force: true });
});

const item = (pk: string, fields: Record<string, unknown> = {}) => ({ PK: pk, SK: "ITEM", ...fields });
const get = async (pk: string) => (await documents.send(new GetCommand({ TableName: LOCAL_TABLE, Key: { PK: pk, SK: "ITEM" }, ConsistentRead: true }))).Item;

async function cancellation(send: Promise<unknown>): Promise<{ name: string; reasons: (string | undefined)[] }> {
  const error = await send.then(() => undefined, (failure: unknown) => failure);
  if (!(error instanceof Error)) throw new Error("the transaction was not refused");
  const reasons = "CancellationReasons" in error && Array.isArray(error.CancellationReasons) ? (error.CancellationReasons as { Code?: string }[]).map((reason) => reason.Code) : [];
  return { name: error.name, reasons };
}

describe("the local DynamoDB", () => {
  it("keeps the table's items across a restart", async () => {
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: item("KEPT", { value: 1 }) }));
    await close();
    await open();
    expect(await get("KEPT")).toEqual(item("KEPT", { value: 1 }));
  });
});

describe("TransactWriteItems on dynalite", () => {
  it("writes every action when every condition holds", async () => {
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: item("COUNTER", { count: 1 }) }));
    await documents.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: LOCAL_TABLE, Item: item("NEW"), ConditionExpression: "attribute_not_exists(PK)" } },
        {
          Update: {
            TableName: LOCAL_TABLE, Key: { PK: "COUNTER", SK: "ITEM" },
            UpdateExpression: "SET #count = #count + :one", ConditionExpression: "#count = :expected",
            ExpressionAttributeNames: { "#count": "count" }, ExpressionAttributeValues: { ":one": 1, ":expected": 1 },
          },
        },
      ],
    }));
    expect(await get("NEW")).toEqual(item("NEW"));
    expect(await get("COUNTER")).toEqual(item("COUNTER", { count: 2 }));
  });

  it("cancels the whole transaction, with a reason per action, when one condition fails", async () => {
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: item("TAKEN", { owner: "first" }) }));
    const refused = await cancellation(documents.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: LOCAL_TABLE, Item: item("FRESH"), ConditionExpression: "attribute_not_exists(PK)" } },
        { Put: { TableName: LOCAL_TABLE, Item: item("TAKEN", { owner: "second" }), ConditionExpression: "attribute_not_exists(PK)" } },
        { ConditionCheck: { TableName: LOCAL_TABLE, Key: { PK: "TAKEN", SK: "NONE" }, ConditionExpression: "attribute_not_exists(PK)" } },
      ],
    })));
    expect(refused).toEqual({ name: "TransactionCanceledException", reasons: ["None", "ConditionalCheckFailed", "None"] });
    expect(await get("FRESH")).toBeUndefined();
    expect(await get("TAKEN")).toEqual(item("TAKEN", { owner: "first" }));
  });

  it("undoes the actions already written when a later one is refused", async () => {
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: item("BEFORE", { value: "old" }) }));
    const error = await documents.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: LOCAL_TABLE, Item: item("BEFORE", { value: "new" }) } },
        { Put: { TableName: LOCAL_TABLE, Item: item("ADDED") } },
        // Adding a number to a string: refused only when the update is applied.
        { Update: { TableName: LOCAL_TABLE, Key: { PK: "BAD", SK: "ITEM" }, UpdateExpression: "SET #a = :text + :one", ExpressionAttributeNames: { "#a": "a" }, ExpressionAttributeValues: { ":text": "x", ":one": 1 } } },
      ],
    })).then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeInstanceOf(Error);
    expect(await get("BEFORE")).toEqual(item("BEFORE", { value: "old" }));
    expect(await get("ADDED")).toBeUndefined();
    expect(await get("BAD")).toBeUndefined();
  });

  it("refuses two actions on one item, as DynamoDB does", async () => {
    const error = await documents.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: LOCAL_TABLE, Item: item("TWICE") } },
        { Delete: { TableName: LOCAL_TABLE, Key: { PK: "TWICE", SK: "ITEM" } } },
      ],
    })).then(() => undefined, (failure: unknown) => failure);
    expect(error).toMatchObject({ name: "ValidationException" });
    expect(await get("TWICE")).toBeUndefined();
  });

  it("lets the real store sign a merchant up once per email address", async () => {
    const store = createDynamoStore({ client: documents, tableName: LOCAL_TABLE, now: () => new Date("2025-06-02T14:00:00.000Z") });
    const merchant = { merchantId: "m-local-1", name: "Corner Cafe", email: "owner@corner.example", createdAt: "2025-06-02T14:00:00.000Z" };
    await store.createMerchant(merchant);
    await expect(store.createMerchant({ ...merchant, merchantId: "m-local-2" })).rejects.toThrow(ConflictError);
    expect(await store.findMerchantByEmail(merchant.email)).toEqual(merchant);
    expect(await store.getMerchant("m-local-2")).toBeUndefined();
  });
});
