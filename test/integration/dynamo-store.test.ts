import { createHash, randomUUID } from "node:crypto";
import {
  type AttributeValue, DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import type { DailySummary } from "../../lib/domain/summary";
import { createDynamoStore } from "../../lib/store/dynamo";
import { createDynamoClearingCarryStore } from "../../lib/store/clearing-carries";
import { createDynamoPayoutStore, type PayoutStore } from "../../lib/store/payouts";
import type { PayoutRecord } from "../../lib/model";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";
import { compressText } from "../../lib/store/compressed";
import { readableItem } from "../../lib/store/readable-item";
import { StoreError } from "../../lib/store/errors";
import { CONNECTION_SHARDS, keys } from "../../lib/store/keys";
import type { Connection, LocationConfig, Merchant, PendingEntry, PostedEntry, SyncRecord } from "../../lib/model";
import { ConflictError, type Store } from "../../lib/store/store";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";
import { squareMapping } from "../support/fixtures";
import { dynamoItemSize } from "../support/item-size";
import { writeUnitsOf } from "../../bench/aws-counter";
import { summaryOf } from "../support/summaries";

// One request at a time: moto does not serialise writes to an item as DynamoDB does (see aws.ts).
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
const documents = DynamoDBDocumentClient.from(dynamo);
const NOW = new Date("2025-03-15T09:00:00.000Z");
let tableName = "";
let store: Store;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  store = createDynamoStore({ client: documents, tableName, now: () => NOW });
});

afterAll(() => {
  dynamo.destroy();
});

/** Each test works in its own merchant partition. */
const newMerchantId = (): string => `m-${randomUUID()}`;

async function rawItem(key: { PK: string; SK: string }): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await dynamo.send(new GetItemCommand({
    TableName: tableName, Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true,
  }));
  return Item;
}

async function putRaw(item: Record<string, unknown>): Promise<void> {
  await documents.send(new PutCommand({ TableName: tableName, Item: item }));
}

function aConnection(merchantId: string, overrides: Partial<Connection> = {}): Omit<Connection, "tokenVersion"> {
  return {
    merchantId,
    connectionId: `c-${randomUUID()}`,
    provider: "quickbooks",
    status: "active",
    externalId: "9130357992219876",
    tokenCiphertext: "v1.iv.tag.first",
    createdAt: "2025-03-14T08:00:00.000Z",
    updatedAt: "2025-03-14T08:00:00.000Z",
    ...overrides,
  };
}

function aLocation(merchantId: string): LocationConfig {
  return {
    merchantId,
    locationId: "L8EXAMPLE0001",
    source: "square",
    name: "Mission St",
    posConnectionId: "c-square",
    quickbooksConnectionId: "c-qbo",
    timeZone: "America/Los_Angeles",
    dayStart: "04:00",
    currency: "USD",
    mapping: squareMapping(),
    updatedAt: "2025-03-14T08:00:00.000Z",
  };
}

const worked: DailySummary = summaryOf({
  sales: { CAT_BEVERAGES: 900, CAT_FOOD: 350, CAT_MERCH: 2000 },
  categoryNames: { CAT_BEVERAGES: "Beverages", CAT_FOOD: "Food", CAT_MERCH: "Merchandise" },
  discounts: 125,
  tax: { "State Sales Tax": 266 },
  tips: 200,
  payments: { CARD: 1421, CASH: 2170 },
  fees: 52,
});

function pendingFor(summary: DailySummary, revision: number): PendingEntry {
  const built = buildJournalEntry(summary, squareMapping(), { source: "square", locationId: "L8EXAMPLE0001", businessDay: "2025-03-14", revision });
  if (built.journalEntry === null) throw new Error("the test summary has nothing to post");
  return {
    revision,
    docNumber: built.docNumber,
    requestId: randomUUID(),
    body: built.journalEntry,
    summary,
    startedAt: "2025-03-15T09:00:00.000Z",
  };
}

function postedFor(summary: DailySummary, revision: number): PostedEntry {
  const { docNumber, requestId } = pendingFor(summary, revision);
  return { revision, docNumber, entryId: String(1000 + revision), txnDate: "2025-03-14", requestId, summary, postedAt: "2025-03-15T09:00:05.000Z" };
}

function aSyncRecord(merchantId: string, overrides: Partial<SyncRecord> = {}): Omit<SyncRecord, "version"> {
  return {
    merchantId,
    locationId: "L8EXAMPLE0001",
    businessDay: "2025-03-14",
    state: "posting",
    posted: [],
    attempts: 1,
    updatedAt: "2025-03-15T09:00:00.000Z",
    ...overrides,
  };
}

describe("the test table", () => {
  it("has production's keys, billing, TTL attribute and point-in-time recovery", async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: "PK", KeyType: "HASH" }, { AttributeName: "SK", KeyType: "RANGE" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const { TimeToLiveDescription } = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" });
    const { ContinuousBackupsDescription } = await dynamo.send(new DescribeContinuousBackupsCommand({ TableName: tableName }));
    expect(ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe("ENABLED");
  });

  it("has the generic index GSI1 and the connections index GSI2, projecting keys only", async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => ({ name: index.IndexName, keys: index.KeySchema, projection: index.Projection?.ProjectionType }))).toEqual([
      { name: "GSI1Keys", keys: [{ AttributeName: "GSI1PK", KeyType: "HASH" }, { AttributeName: "GSI1SK", KeyType: "RANGE" }], projection: "KEYS_ONLY" },
      { name: "GSI2Keys", keys: [{ AttributeName: "GSI2PK", KeyType: "HASH" }, { AttributeName: "GSI2SK", KeyType: "RANGE" }], projection: "KEYS_ONLY" },
    ]);
  });
});

describe("merchants and locations", () => {
  it("round-trip under the merchant's partition", async () => {
    const merchantId = newMerchantId();
    const merchant = { merchantId, name: "Café Ünïcode & Co", email: "owner@cafe.example", createdAt: "2025-03-01T10:00:00.000Z" };
    await store.putMerchant(merchant);
    expect(await store.getMerchant(merchantId)).toEqual(merchant);
    expect(await rawItem({ PK: `MERCHANT#${merchantId}`, SK: "PROFILE" })).toBeDefined();

    const location = aLocation(merchantId);
    await store.putLocation(location);
    expect(await store.getLocation(merchantId, location.locationId)).toEqual(location);
    expect(await rawItem({ PK: `MERCHANT#${merchantId}`, SK: "LOCATION#L8EXAMPLE0001" })).toBeDefined();
  });

  it("answers undefined for what is not there", async () => {
    const merchantId = newMerchantId();
    expect(await store.getMerchant(merchantId)).toBeUndefined();
    expect(await store.getLocation(merchantId, "L1")).toBeUndefined();
    expect(await store.getConnection(merchantId, "c1")).toBeUndefined();
    expect(await store.getSyncRecord(merchantId, "L1", "2025-03-14")).toBeUndefined();
  });

  it("refuses an id that would blur the key", async () => {
    await expect(store.getMerchant("a#b")).rejects.toThrow(StoreError);
  });

  it("keep the merchant's time zone: adopting one fills it only while there is none, choosing one replaces it", async () => {
    const merchantId = newMerchantId();
    const merchant = { merchantId, name: "Zone Bakery", email: "owner@zone.example", createdAt: "2025-03-01T10:00:00.000Z" };
    await store.putMerchant(merchant);
    expect(await store.adoptMerchantTimeZone(merchantId, "America/New_York")).toBe(true);
    expect(await store.adoptMerchantTimeZone(merchantId, "America/Los_Angeles")).toBe(false);
    expect(await store.getMerchant(merchantId)).toEqual({ ...merchant, timeZone: "America/New_York" });
    await store.setMerchantTimeZone(merchantId, "America/Los_Angeles");
    expect(await store.getMerchant(merchantId)).toEqual({ ...merchant, timeZone: "America/Los_Angeles" });
    await expect(store.setMerchantTimeZone(merchantId, "not a zone")).rejects.toThrow(StoreError);

    const missing = newMerchantId();
    expect(await store.adoptMerchantTimeZone(missing, "America/New_York")).toBe(false);
    await expect(store.setMerchantTimeZone(missing, "America/New_York")).rejects.toThrow(ConflictError);
    expect(await store.getMerchant(missing)).toBeUndefined();
  });
});

describe("connections", () => {
  it("are created at token version 1 and read back as written", async () => {
    const connection = aConnection(newMerchantId());
    const created = await store.putConnection(connection);
    expect(created).toEqual({ ...connection, tokenVersion: 1 });
    expect(await store.getConnection(connection.merchantId, connection.connectionId)).toEqual(created);
  });

  it("are only created once", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await expect(store.putConnection({ ...connection, tokenCiphertext: "v1.iv.tag.other" })).rejects.toThrow(ConflictError);
    expect((await store.getConnection(connection.merchantId, connection.connectionId))?.tokenCiphertext).toBe("v1.iv.tag.first");
  });

  it("take new tokens at the expected version, and refuse a stale one", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    const updated = await store.updateConnectionTokens(connection.merchantId, connection.connectionId, 1, "v1.iv.tag.second");
    expect(updated).toEqual({ ...connection, tokenCiphertext: "v1.iv.tag.second", tokenVersion: 2, updatedAt: NOW.toISOString() });
    await expect(store.updateConnectionTokens(connection.merchantId, connection.connectionId, 1, "v1.iv.tag.stale")).rejects.toThrow(ConflictError);
    expect(await store.getConnection(connection.merchantId, connection.connectionId)).toEqual(updated);
  });

  it("let exactly one of two concurrent refreshes win", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    const results = await Promise.allSettled(
      ["v1.iv.tag.A", "v1.iv.tag.B"].map((ciphertext) => store.updateConnectionTokens(connection.merchantId, connection.connectionId, 1, ciphertext)),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    const stored = await store.getConnection(connection.merchantId, connection.connectionId);
    expect(stored).toEqual(won[0]!.value);
    expect(stored?.tokenVersion).toBe(2);
  });

  it("lose their tokens in the same write that takes them out of active", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "needs-reconnect", "invalid_grant");

    const raw = await rawItem(keys.connection(connection.merchantId, connection.connectionId));
    expect(raw).toBeDefined();
    expect(raw).not.toHaveProperty("tokenCiphertext");
    expect(raw?.status).toEqual({ S: "needs-reconnect" });
    expect(raw?.statusReason).toEqual({ S: "invalid_grant" });

    expect(await store.getConnection(connection.merchantId, connection.connectionId)).toEqual({
      ...connection, status: "needs-reconnect", statusReason: "invalid_grant", tokenCiphertext: "", tokenVersion: 2, updatedAt: NOW.toISOString(),
    });
    // A refresh that read version 1 before the disconnect cannot put tokens back.
    await expect(store.updateConnectionTokens(connection.merchantId, connection.connectionId, 1, "v1.iv.tag.late")).rejects.toThrow(ConflictError);
    await expect(store.updateConnectionTokens(connection.merchantId, connection.connectionId, 2, "v1.iv.tag.late")).rejects.toThrow(ConflictError);
    expect(await rawItem(keys.connection(connection.merchantId, connection.connectionId))).not.toHaveProperty("tokenCiphertext");
  });

  it("are not made active again without tokens, nor given a status when missing", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "revoked");
    await expect(store.setConnectionStatus(connection.merchantId, connection.connectionId, "active")).rejects.toThrow(ConflictError);
    await expect(store.setConnectionStatus(connection.merchantId, "c-missing", "revoked")).rejects.toThrow(ConflictError);
    expect(await store.getConnection(connection.merchantId, "c-missing")).toBeUndefined();
  });

  it("keep their tokens and drop a stale reason when set active", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "active", "checked by support");
    expect((await store.getConnection(connection.merchantId, connection.connectionId))?.statusReason).toBe("checked by support");
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "active");
    expect(await store.getConnection(connection.merchantId, connection.connectionId)).toEqual({
      ...connection, tokenVersion: 1, updatedAt: NOW.toISOString(),
    });
  });
});

describe("sync records", () => {
  it("round-trip with every optional part, the version counting writes", async () => {
    const merchantId = newMerchantId();
    const record = aSyncRecord(merchantId, {
      state: "failed",
      posted: [postedFor(worked, 0)],
      pending: pendingFor(summaryOf({ sales: { CAT_FOOD: 150 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 150 } }), 1),
      lastSummary: worked,
      heldReason: "over/short of 1.25 USD is above the tolerance",
      attempts: 3,
      lastError: { kind: "retryable", message: "QuickBooks answered 503", at: "2025-03-15T09:00:06.000Z", intuitTid: "1-67d4-abc" },
    });
    const first = await store.saveSyncRecord(record, 0);
    expect(first).toEqual({ ...record, version: 1 });
    expect(await store.getSyncRecord(merchantId, record.locationId, record.businessDay)).toEqual(first);
    expect(await rawItem(keys.syncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14"))).toMatchObject({
      PK: { S: `MERCHANT#${merchantId}` }, SK: { S: "SYNC#L8EXAMPLE0001#2025-03-14" }, version: { N: "1" },
    });

    // Optional parts set to undefined are removed, whatever the document client's marshall options.
    const second = await store.saveSyncRecord({ ...record, state: "posted", pending: undefined, lastError: undefined }, 1);
    expect(second.version).toBe(2);
    const stored = await store.getSyncRecord(merchantId, record.locationId, record.businessDay);
    expect(stored).toEqual(second);
    expect(stored).not.toHaveProperty("pending");
    expect(stored).not.toHaveProperty("lastError");
  });

  it("refuse a write at a version that is not the stored one", async () => {
    const record = aSyncRecord(newMerchantId());
    await store.saveSyncRecord(record, 0);
    await expect(store.saveSyncRecord(record, 0)).rejects.toThrow(ConflictError);
    await expect(store.saveSyncRecord(record, 2)).rejects.toThrow(ConflictError);
    await expect(store.saveSyncRecord(aSyncRecord(newMerchantId()), 1)).rejects.toThrow(ConflictError);
    await store.saveSyncRecord({ ...record, attempts: 2 }, 1);
    await expect(store.saveSyncRecord({ ...record, attempts: 9 }, 1)).rejects.toThrow(/no longer at version 1/);
    expect((await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay))?.attempts).toBe(2);
  });

  it.each([0, 1])("let exactly one of two concurrent writers at version %i win", async (startVersion) => {
    const merchantId = newMerchantId();
    if (startVersion === 1) await store.saveSyncRecord(aSyncRecord(merchantId), 0);
    const writers = ["worker A", "worker B"].map((who) => aSyncRecord(merchantId, { heldReason: who }));
    const results = await Promise.allSettled(writers.map((record) => store.saveSyncRecord(record, startVersion)));
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    const stored = await store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14");
    expect(stored).toEqual(won[0]!.value);
    expect(stored?.version).toBe(startVersion + 1);
  });

  it("keep integer amounts exact, at the edges of the safe range and below zero", async () => {
    const extreme = summaryOf({
      sales: { CAT_BIG: Number.MAX_SAFE_INTEGER, CAT_SMALL: 1 },
      returns: { CAT_BIG: -Number.MAX_SAFE_INTEGER },
      categoryNames: { CAT_BIG: "Big", CAT_SMALL: "Small" },
      discounts: -1234,
      payments: { CARD: -987_654_321_012_345 },
      rounding: -1,
    });
    const record = aSyncRecord(newMerchantId(), { lastSummary: extreme });
    await store.saveSyncRecord(record, 0);
    const stored = await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay);
    expect(stored?.lastSummary).toEqual(extreme);
    expect(stored?.lastSummary?.sales.CAT_BIG).toBe(9007199254740991);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    expect(raw?.lastSummary?.M?.sales?.M?.CAT_BIG).toEqual({ N: "9007199254740991" });
    expect(raw?.lastSummary?.M?.payments?.M?.CARD).toEqual({ N: "-987654321012345" });
  });

  it("keep QuickBooks' decimal amounts in a pending body as they were", async () => {
    const pending = pendingFor(worked, 0);
    const record = aSyncRecord(newMerchantId(), { pending });
    await store.saveSyncRecord(record, 0);
    const stored = await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay);
    expect(stored?.pending?.body?.Line.map((line) => line.Amount)).toEqual(pending.body?.Line.map((line) => line.Amount));
    expect(stored?.pending?.body?.Line.map((line) => line.Amount)).toContain(14.21);
  });

  it("are not written with an amount that is not a safe integer", async () => {
    for (const amount of [12.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      const record = aSyncRecord(newMerchantId(), { lastSummary: summaryOf({ tips: amount }) });
      await expect(store.saveSyncRecord(record, 0)).rejects.toThrow(/lastSummary\.tips/);
      expect(await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay))).toBeUndefined();
    }
  });

  it("stay well under DynamoDB's 400 KB with 50 categories and 10 revisions", async () => {
    const categories = Array.from({ length: 50 }, (_, index) => `CAT_${String(index).padStart(2, "0")}_${"X".repeat(20)}`);
    const daySummary = (revision: number): DailySummary => summaryOf({
      sales: Object.fromEntries(categories.map((id, index) => [id, 100_000 + index * 1_337 + revision])),
      returns: Object.fromEntries(categories.slice(0, 10).map((id) => [id, 2_500])),
      categoryNames: Object.fromEntries(categories.map((id, index) => [id, `Category ${index} – Hot drinks and pastries`])),
      discounts: 12_345,
      tax: { "State Sales Tax": 45_678, "City Tax": 12_345 },
      tips: 23_456,
      payments: { CARD: 4_000_000, CASH: 1_234_567, WALLET: 345_678 },
      refunds: { CARD: 25_000 },
      fees: 98_765,
    });
    const posted = Array.from({ length: 10 }, (_, revision) => postedFor(daySummary(revision), revision));
    const record = aSyncRecord(newMerchantId(), {
      state: "posting", posted, pending: pendingFor(daySummary(10), 10), lastSummary: daySummary(10),
    });
    await store.saveSyncRecord(record, 0);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    const size = dynamoItemSize(raw!);
    // The record is a big one (8.7 KB with its entries and its claim's summary compressed, postedZ and summaryZ; over 20 KB as maps before).
    expect(size).toBeGreaterThan(8_000);
    expect(size).toBeLessThan(100_000);
  });
});

describe("sync records, slimmed for what a write bills", () => {
  const other: DailySummary = summaryOf({ sales: { CAT_FOOD: 500 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CARD: 500 } });

  it("leave out the last summary while it is what the entries add up to, and read it back the same", async () => {
    // Posted revision 0, then an adjustment: the day's figures are their sum, as after any post or unchanged re-check.
    const adjusted = summaryOf({ ...worked, sales: { ...worked.sales, CAT_FOOD: 850 } });
    const delta = summaryOf({ sales: { CAT_FOOD: 500 }, categoryNames: { CAT_FOOD: "Food" } });
    const record = aSyncRecord(newMerchantId(), {
      state: "posted", posted: [postedFor(worked, 0), postedFor(delta, 1)], lastSummary: adjusted, lastReadAt: "2025-03-15T09:00:00.000Z",
    });
    const written = await store.saveSyncRecord(record, 0);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    expect(raw).not.toHaveProperty("lastSummary");
    expect(raw?.lastSummaryFromEntries).toEqual({ BOOL: true });
    // The keys hold the ids; they are not repeated.
    expect(raw).not.toHaveProperty("merchantId");
    expect(raw).not.toHaveProperty("businessDay");
    const stored = await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay);
    expect(stored).toEqual(written);
    expect(stored?.lastSummary).toEqual(adjusted);
    expect((await store.listSyncRecords(record.merchantId))[0]).toEqual(written);
    // The export too: what the merchant downloads is the record, not its stored form.
    await store.putMerchant({ merchantId: record.merchantId, name: "Cafe", email: `${record.merchantId}@example.com`, createdAt: "2025-03-01T00:00:00.000Z" });
    expect((await store.exportMerchant(record.merchantId))?.syncRecords).toEqual([written]);
  });

  it("keep their own last summary when the entries do not add up to it: a held day, a changed one, one with nothing posted", async () => {
    for (const overrides of [
      { state: "held" as const, heldReason: "review", posted: [postedFor(worked, 0)], lastSummary: summaryOf({ ...worked, tips: 300 }) },
      { state: "no-sales" as const, posted: [], lastSummary: summaryOf({}) },
      // Same amounts, a category renamed since it was posted: the names differ, so it is kept.
      { state: "posted" as const, posted: [postedFor(worked, 0)], lastSummary: summaryOf({ ...worked, categoryNames: { ...worked.categoryNames, CAT_FOOD: "Kitchen" } }) },
      // Entries that cannot be added up (two currencies): the record is still written, with its own.
      { state: "posted" as const, posted: [postedFor(summaryOf({ sales: { CAT_FOOD: 1 } }, "EUR"), 0), postedFor(worked, 1)], lastSummary: worked },
    ]) {
      const record = aSyncRecord(newMerchantId(), overrides);
      await store.saveSyncRecord(record, 0);
      const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
      expect(raw).toHaveProperty("lastSummary");
      expect(raw).not.toHaveProperty("lastSummaryFromEntries");
      expect((await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay))?.lastSummary).toEqual(overrides.lastSummary);
    }
  });

  it("keep a pending entry's body whole, compressed: what a retry re-sends is what was claimed, and the claim adds up with what was posted", async () => {
    const pending = pendingFor(other, 1);
    const record = aSyncRecord(newMerchantId(), {
      state: "posting", posted: [postedFor(worked, 0)], pending, lastSummary: summaryOf({ ...worked, sales: { ...worked.sales, CAT_FOOD: 850 }, payments: { ...worked.payments, CARD: 1921 } }),
    });
    await store.saveSyncRecord(record, 0);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    expect(raw?.pending?.M).not.toHaveProperty("body");
    expect(raw?.pending?.M?.bodyZ?.B).toBeInstanceOf(Uint8Array);
    expect(raw?.lastSummaryFromEntries).toEqual({ BOOL: true });
    const stored = await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay);
    expect(stored?.pending).toEqual(pending);
    expect(JSON.stringify(stored?.pending?.body)).toBe(JSON.stringify(pending.body));
    expect(stored?.lastSummary).toEqual(record.lastSummary);
    // Smaller than the body alone was: under 1 KB of it for this entry.
    expect(dynamoItemSize(raw!)).toBeLessThan(dynamoItemSize({ body: { S: JSON.stringify(pending.body) } }) + 1500);
  });

  it("keep a claim as its figures alone, compressed, so a night's claim of its day is one write unit (and so is the write that settles it)", async () => {
    // A trading day's figures as the cost job's night posts them (bench/cost-job.ts, 19:24 UTC 2026-12-07).
    const night = summaryOf({
      sales: { GEN_CAT_BEV: 56700, GEN_CAT_FOOD: 131750, GEN_CAT_MERCH: 152400, "custom-amounts": 63532, uncategorized: 99350 },
      returns: { GEN_CAT_BEV: 1500 },
      categoryNames: { GEN_CAT_BEV: "Beverages", GEN_CAT_FOOD: "Food", GEN_CAT_MERCH: "Merchandise", "custom-amounts": "Custom amounts", uncategorized: "Uncategorized" },
      discounts: 32391, serviceCharges: { "Delivery fee": 3975 }, autoGratuities: { "Large party 18%": 1650 },
      tax: { "City Tax": 2562, "State Sales Tax": 40307 }, tips: 17641, giftCardSales: 138750,
      payments: { CARD: 477825, CASH: 129319, OTHER: 31649, SQUARE_GIFT_CARD: 13252, WALLET: 24315 }, refunds: { SQUARE_GIFT_CARD: 1628 },
      fees: 13878, rounding: 6,
    });
    const { body, ...claim } = pendingFor(night, 0);
    const record = aSyncRecord(newMerchantId(), {
      state: "posting", pending: claim, lastSummary: night, lastReadAt: "2025-03-15T07:15:00.176Z", vouched: { "2025-03-12": 2, "2025-03-13": 2 },
    });
    await store.saveSyncRecord(record, 0);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    expect(raw?.pending?.M).not.toHaveProperty("summary");
    expect(raw?.pending?.M).not.toHaveProperty("bodyZ");
    expect(raw?.pending?.M?.summaryZ?.B).toBeInstanceOf(Uint8Array);
    expect((await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay))?.pending).toEqual(claim);
    expect(writeUnitsOf(undefined, raw)).toBe(1);
    // With its body, even compressed, as claims were kept before: more than one unit.
    const withBody = { ...record, merchantId: newMerchantId(), pending: { ...claim, body } };
    await store.saveSyncRecord(withBody, 0);
    expect(writeUnitsOf(undefined, await rawItem(keys.syncRecord(withBody.merchantId, record.locationId, record.businessDay)))).toBeGreaterThan(1);
  });

  it("keep the posted entries as JSON compressed with their dictionary (postedD), smaller than Brotli made them and the list of maps, and read them back the same", async () => {
    const delta = summaryOf({ sales: { CAT_FOOD: 500 }, categoryNames: { CAT_FOOD: "Food" } });
    const record = aSyncRecord(newMerchantId(), {
      state: "posted", posted: [postedFor(worked, 0), postedFor(delta, 1)], lastSummary: summaryOf({ ...worked, sales: { ...worked.sales, CAT_FOOD: 850 } }),
      lastReadAt: "2025-03-15T09:00:00.000Z",
    });
    const written = await store.saveSyncRecord(record, 0);
    const raw = await rawItem(keys.syncRecord(record.merchantId, record.locationId, record.businessDay));
    expect(raw).not.toHaveProperty("posted");
    expect(raw).not.toHaveProperty("postedZ");
    expect(raw?.postedD?.B).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(readableItem(raw!).postedD?.S ?? "")).toEqual(record.posted);
    // The same item with the entries Brotli-compressed (postedZ), as written before: read the same, and bigger.
    const { postedD, ...rest } = raw!;
    const brotli = { ...rest, postedZ: { B: compressText(JSON.stringify(record.posted)) } };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: brotli }));
    expect(await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay)).toEqual(written);
    expect(postedD!.B!.byteLength).toBeLessThan(brotli.postedZ.B.byteLength);
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: raw! }));
    // The same item with the entries as DynamoDB maps, as written before that: the compressed one is smaller.
    const before = { ...keys.syncRecord(newMerchantId(), record.locationId, record.businessDay), posted: record.posted };
    await putRaw(before);
    const asMaps = await rawItem(before);
    expect(dynamoItemSize(raw!)).toBeLessThan(dynamoItemSize({ ...rest, posted: asMaps!.posted! }) - 150);
    const stored = await store.getSyncRecord(record.merchantId, record.locationId, record.businessDay);
    expect(stored).toEqual(written);
    expect((await store.listSyncRecordsBetween(record.merchantId, record.locationId, record.businessDay, record.businessDay))[0]).toEqual(written);
    // Nothing posted: an empty list, nothing to compress.
    const none = aSyncRecord(newMerchantId(), { state: "no-sales", posted: [], lastSummary: summaryOf({}) });
    await store.saveSyncRecord(none, 0);
    const rawNone = await rawItem(keys.syncRecord(none.merchantId, none.locationId, none.businessDay));
    expect(rawNone?.posted).toEqual({ L: [] });
    expect(rawNone).not.toHaveProperty("postedZ");
    expect(rawNone).not.toHaveProperty("postedD");
  });

  it("written before they were slimmed read as they did", async () => {
    const merchantId = newMerchantId();
    const record = aSyncRecord(merchantId, { state: "posting", posted: [postedFor(worked, 0)], pending: pendingFor(other, 1), lastSummary: worked });
    await putRaw({ ...keys.syncRecord(merchantId, record.locationId, record.businessDay), ...record, version: 3 });
    expect(await store.getSyncRecord(merchantId, record.locationId, record.businessDay)).toEqual({ ...record, version: 3 });
  });

  it("fail with a sentence when the slimmed parts are not what daybook wrote", async () => {
    const merchantId = newMerchantId();
    const key = keys.syncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14");
    const base = { ...key, state: "posting", posted: [], attempts: 0, version: 1, updatedAt: "2025-03-15T09:00:00.000Z" };
    const { body: _body, ...claim } = pendingFor(worked, 0);
    await putRaw({ ...base, pending: { ...claim, bodyZ: new Uint8Array([1, 2, 3]) } });
    await expect(store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14")).rejects.toThrow(/pending entry's body in the stored sync record .* does not decompress/);
    await putRaw({ ...base, lastSummaryFromEntries: true });
    await expect(store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14")).rejects.toThrow(StoreError);
    const { posted: _posted, ...withoutPosted } = base;
    await putRaw({ ...withoutPosted, postedZ: new Uint8Array([1, 2, 3]) });
    await expect(store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14")).rejects.toThrow(/posted entries in the stored sync record .* does not decompress/);
    await putRaw({ ...withoutPosted, postedD: new Uint8Array([1, 255, 255, 255]) });
    await expect(store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14")).rejects.toThrow(/posted entries in the stored sync record .* does not decompress/);
    await putRaw({ ...withoutPosted, postedD: new Uint8Array([9, 1, 2]) });
    await expect(store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14")).rejects.toThrow(/posted entries in the stored sync record .* are not kept as daybook keeps them/);
  });
});

describe("a corrupt item", () => {
  it.each([
    ["an amount stored as a string", { sales: { CAT_FOOD: "350" } }, /lastSummary\.sales\.CAT_FOOD/],
    ["a fractional amount", { tips: 2.5 }, /lastSummary\.tips/],
    ["an amount past the safe range", { fees: 2n ** 60n }, /lastSummary\.fees/],
  ])("fails with a clear error: %s", async (_name, figures, path) => {
    const merchantId = newMerchantId();
    const key = keys.syncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14");
    await putRaw({ ...key, ...aSyncRecord(merchantId), version: 1, lastSummary: { ...worked, ...figures } });
    const error = await store.getSyncRecord(merchantId, "L8EXAMPLE0001", "2025-03-14").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(`the stored sync record ${key.PK} ${key.SK} is not valid`);
    expect((error as Error).message).toMatch(path);
  });

  it("fails for a connection with an unknown status or no tokens while active", async () => {
    const merchantId = newMerchantId();
    const tokenless: Record<string, unknown> = { ...aConnection(merchantId, { connectionId: "c-tokenless" }), tokenVersion: 1 };
    delete tokenless.tokenCiphertext;
    await putRaw({ ...keys.connection(merchantId, "c-tokenless"), ...tokenless });
    await expect(store.getConnection(merchantId, "c-tokenless")).rejects.toThrow(/tokenCiphertext: an active connection must have a tokenCiphertext/);
    await putRaw({ ...keys.connection(merchantId, "c-paused"), ...aConnection(merchantId, { connectionId: "c-paused" }), tokenVersion: 1, status: "paused" });
    await expect(store.getConnection(merchantId, "c-paused")).rejects.toThrow(/status/);
  });

  it("fails for a merchant profile missing its name", async () => {
    const merchantId = newMerchantId();
    await putRaw({ ...keys.merchant(merchantId), merchantId, email: "owner@cafe.example", createdAt: "2025-03-01T10:00:00.000Z" });
    await expect(store.getMerchant(merchantId)).rejects.toThrow(/the stored merchant .* is not valid: name/);
  });
});

const uniqueEmail = (): string => `owner-${randomUUID()}@cafe.example`;

function aMerchant(merchantId: string, email = uniqueEmail()): Merchant {
  return { merchantId, name: "Main Street Coffee", email, createdAt: "2025-03-01T10:00:00.000Z" };
}

/** Every item of a partition, straight from the table. */
async function rawPartition(partitionKey: string): Promise<Record<string, AttributeValue>[]> {
  const { Items } = await dynamo.send(new QueryCommand({
    TableName: tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": { S: partitionKey } }, ConsistentRead: true,
  }));
  return Items ?? [];
}

const claimKey = (email: string) => ({ PK: `EMAIL#${createHash("sha256").update(email).digest("hex")}`, SK: "EMAIL" });

describe("merchant accounts", () => {
  it("claim their sign-in address, normalised, and are found by it in any case", async () => {
    const merchantId = newMerchantId();
    const email = uniqueEmail();
    await store.createMerchant(aMerchant(merchantId, `  ${email.toUpperCase()} `));
    expect(await store.getMerchant(merchantId)).toEqual(aMerchant(merchantId, email));
    expect(await store.findMerchantByEmail(email.toUpperCase())).toEqual(aMerchant(merchantId, email));
    expect(await store.findMerchantByEmail(` ${email}`)).toEqual(aMerchant(merchantId, email));
    // The claim is keyed by a hash: no key shows the address.
    expect(await rawItem(claimKey(email))).toEqual({ PK: { S: claimKey(email).PK }, SK: { S: "EMAIL" }, merchantId: { S: merchantId } });
    expect(await store.findMerchantByEmail(uniqueEmail())).toBeUndefined();
  });

  it("refuse an address another merchant holds, in any case, writing nothing and naming no address", async () => {
    const email = uniqueEmail();
    await store.createMerchant(aMerchant(newMerchantId(), email));
    const second = newMerchantId();
    const error = await store.createMerchant(aMerchant(second, email.replace("owner", "OWNER"))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).not.toContain("cafe.example");
    expect(await store.getMerchant(second)).toBeUndefined();
  });

  it("refuse a merchant id that exists, leaving the new address unclaimed", async () => {
    const merchantId = newMerchantId();
    await store.createMerchant(aMerchant(merchantId));
    const other = uniqueEmail();
    await expect(store.createMerchant(aMerchant(merchantId, other))).rejects.toThrow(ConflictError);
    expect(await rawItem(claimKey(other))).toBeUndefined();
    expect(await store.findMerchantByEmail(other)).toBeUndefined();
  });

  it("give an address to exactly one of two concurrent sign-ups", async () => {
    const email = uniqueEmail();
    const ids = [newMerchantId(), newMerchantId()];
    const results = await Promise.allSettled([
      store.createMerchant(aMerchant(ids[0]!, email)),
      store.createMerchant(aMerchant(ids[1]!, email.toUpperCase())),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const lost = results.find((result) => result.status === "rejected");
    expect(lost?.reason).toBeInstanceOf(ConflictError);
    const winner = ids[results.findIndex((result) => result.status === "fulfilled")]!;
    const loser = ids.find((id) => id !== winner)!;
    expect((await store.findMerchantByEmail(email))?.merchantId).toBe(winner);
    expect(await store.getMerchant(loser)).toBeUndefined();
  });

  it("are not written with something that is not an address", async () => {
    await expect(store.createMerchant(aMerchant(newMerchantId(), "not an address"))).rejects.toThrow(/email: must be an email address/);
  });
});

describe("listing a merchant's items", () => {
  // Two items a page, so every list below crosses pages.
  const paged = (): Store => createDynamoStore({ client: documents, tableName, now: () => NOW, pageSize: 2 });

  it("lists connections of every status, oldest first, and only the merchant's own", async () => {
    const merchantId = newMerchantId();
    const created = ["2025-03-04", "2025-03-01", "2025-03-05", "2025-03-02", "2025-03-03"].map((day) => aConnection(merchantId, { createdAt: `${day}T08:00:00.000Z` }));
    for (const connection of created) await store.putConnection(connection);
    await store.setConnectionStatus(merchantId, created[2]!.connectionId, "revoked", "disconnected");
    await store.putConnection(aConnection(newMerchantId()));

    const listed = await paged().listConnections(merchantId);
    expect(listed.map((connection) => connection.createdAt.slice(0, 10))).toEqual(["2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05"]);
    expect(listed.find((connection) => connection.connectionId === created[2]!.connectionId)).toMatchObject({ status: "revoked", tokenCiphertext: "" });
    expect(listed.every((connection) => connection.merchantId === merchantId)).toBe(true);
    expect(await store.listConnections(newMerchantId())).toEqual([]);
  });

  it("lists locations and sync records, newest business day first", async () => {
    const merchantId = newMerchantId();
    const locations = ["L1", "L2", "L3"].map((locationId) => ({ ...aLocation(merchantId), locationId }));
    for (const location of locations) await store.putLocation(location);
    for (const [locationId, businessDay] of [["L1", "2025-03-12"], ["L2", "2025-03-14"], ["L1", "2025-03-14"], ["L2", "2025-03-13"]] as const) {
      await store.saveSyncRecord(aSyncRecord(merchantId, { locationId, businessDay }), 0);
    }
    expect(await paged().listLocations(merchantId)).toEqual(locations);
    const records = await paged().listSyncRecords(merchantId);
    expect(records.map((record) => `${record.businessDay} ${record.locationId}`)).toEqual([
      "2025-03-14 L1", "2025-03-14 L2", "2025-03-13 L2", "2025-03-12 L1",
    ]);
    expect(records[0]).toEqual({ ...aSyncRecord(merchantId, { locationId: "L1", businessDay: "2025-03-14" }), version: 1 });
  });

  it("finds every connection to one provider account, across merchants, through the index", async () => {
    const realmId = `realm-${randomUUID()}`;
    const [first, second] = [aConnection(newMerchantId(), { externalId: realmId }), aConnection(newMerchantId(), { externalId: realmId })];
    await store.putConnection(first);
    await store.putConnection(second);
    // The same id at another provider, and another account at the same provider, are not it.
    await store.putConnection(aConnection(newMerchantId(), { provider: "square", externalId: realmId }));
    await store.putConnection(aConnection(newMerchantId(), { externalId: `realm-${randomUUID()}` }));

    const found = await paged().findConnectionsByExternalId("quickbooks", realmId);
    expect(found.sort((a, b) => a.merchantId.localeCompare(b.merchantId))).toEqual(
      [first, second].map((connection) => ({ ...connection, tokenVersion: 1 })).sort((a, b) => a.merchantId.localeCompare(b.merchantId)),
    );
    expect(await store.findConnectionsByExternalId("clover", realmId)).toEqual([]);
    expect(await rawItem(keys.connection(first.merchantId, first.connectionId))).toMatchObject({
      GSI1PK: { S: `PROVIDERACCOUNT#quickbooks#${realmId}` }, GSI1SK: { S: `MERCHANT#${first.merchantId}#CONNECTION#${first.connectionId}` },
    });
  });

  it("lists every connection, each in exactly one shard of the connections index, and keeps it there through a token update", async () => {
    const made = await Promise.all(Array.from({ length: 6 }, () => store.putConnection(aConnection(newMerchantId()))));
    await store.updateConnectionTokens(made[0]!.merchantId, made[0]!.connectionId, 1, "v1.new-tokens");
    const shards = await Promise.all(Array.from({ length: CONNECTION_SHARDS }, (_, shard) => paged().listConnectionsInShard(shard)));
    const ids = made.map((connection) => connection.connectionId);
    const found = shards.flatMap((connections, shard) => connections.filter((connection) => ids.includes(connection.connectionId)).map((connection) => ({ shard, connection })));
    expect(found.map(({ connection }) => connection.connectionId).sort()).toEqual([...ids].sort());
    expect(found.find(({ connection }) => connection.connectionId === made[0]!.connectionId)?.connection).toMatchObject({ tokenVersion: 2, tokenCiphertext: "v1.new-tokens" });
    await expect(store.listConnectionsInShard(CONNECTION_SHARDS)).rejects.toThrow("a connection shard is a whole number from 0 to 15");
  });
});

describe("the locations owed a stopped-posting notice", () => {
  it("are found by the index while their notice is owed, whichever way the location is written, and leave it once it is not", async () => {
    const owed = aLocation(newMerchantId());
    const other = aLocation(newMerchantId());
    const stopped = { reason: "Square no longer accepts daybook's access", since: NOW.toISOString(), resumeFrom: "2025-06-10" };
    const noticeHeld = { at: NOW.toISOString(), to: ["owner@example.com"] };
    const merchants = async () => (await createDynamoStore({ client: documents, tableName, now: () => NOW, pageSize: 1 }).listMerchantsOwedNotices())
      .filter((merchantId) => merchantId === owed.merchantId || merchantId === other.merchantId);
    await store.putLocation({ ...owed, postingStopped: { ...stopped, noticeHeld } });
    await store.putLocation({ ...other, postingStopped: stopped });
    expect(await merchants()).toEqual([owed.merchantId]);
    // Its notice sent, the location is written without it: out of the index.
    const read = (await store.getLocation(owed.merchantId, owed.locationId))!;
    await store.replaceLocation({ ...read, postingStopped: stopped, updatedAt: "2025-06-10T12:00:01.000Z" }, read.updatedAt);
    expect(await merchants()).toEqual([]);
    // Held back again (replaceLocation, as the notices do): in it again; the stored location holds no index key.
    const again = (await store.getLocation(owed.merchantId, owed.locationId))!;
    await store.replaceLocation({ ...again, postingStopped: { ...stopped, noticeHeld }, updatedAt: "2025-06-10T12:00:02.000Z" }, again.updatedAt);
    expect(await merchants()).toEqual([owed.merchantId]);
    expect(await store.getLocation(owed.merchantId, owed.locationId)).toEqual({ ...again, postingStopped: { ...stopped, noticeHeld }, updatedAt: "2025-06-10T12:00:02.000Z" });
  });
});

describe("the refresh lease", () => {
  const MINUTE = 60_000;
  const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * MINUTE);

  it("goes to exactly one of two workers at the same token version", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    const results = await Promise.allSettled([1, 2].map(() => store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(2), NOW)));
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(won[0]!.value).toEqual({ ...connection, tokenVersion: 1, refreshLeaseUntil: at(2).toISOString() });
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
  });

  it("holds until it ends, then another worker can take it over", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(2), NOW);
    await expect(store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(3), at(1))).rejects.toThrow(/holds its refresh lease/);
    const takenOver = await store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(5), at(3));
    expect(takenOver.refreshLeaseUntil).toBe(at(5).toISOString());
  });

  it("is cleared by the new tokens, so the next refresh can take it at the next version", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(2), NOW);
    const refreshed = await store.updateConnectionTokens(connection.merchantId, connection.connectionId, 1, "v1.iv.tag.second");
    expect(refreshed).not.toHaveProperty("refreshLeaseUntil");
    expect(await rawItem(keys.connection(connection.merchantId, connection.connectionId))).not.toHaveProperty("refreshLeaseUntil");
    await expect(store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, at(2), NOW)).rejects.toThrow(ConflictError);
    expect((await store.acquireRefreshLease(connection.merchantId, connection.connectionId, 2, at(2), NOW)).tokenVersion).toBe(2);
  });

  it("is refused for a connection that is not active, is missing, or with an end not after now", async () => {
    const connection = aConnection(newMerchantId());
    await store.putConnection(connection);
    await store.setConnectionStatus(connection.merchantId, connection.connectionId, "needs-reconnect", "invalid_grant");
    await expect(store.acquireRefreshLease(connection.merchantId, connection.connectionId, 2, at(2), NOW)).rejects.toThrow(ConflictError);
    await expect(store.acquireRefreshLease(connection.merchantId, "c-missing", 1, at(2), NOW)).rejects.toThrow(ConflictError);
    await expect(store.acquireRefreshLease(connection.merchantId, connection.connectionId, 2, NOW, NOW)).rejects.toThrow(StoreError);
    expect(await rawItem(keys.connection(connection.merchantId, "c-missing"))).toBeUndefined();
  });
});

/** A merchant with one item of every kind, two connections (one mid-refresh) and an item of a kind the store does not know. */
async function aFullMerchant(): Promise<{ merchant: Merchant; connections: Connection[]; location: LocationConfig; records: SyncRecord[]; report: Record<string, unknown> }> {
  const merchant = aMerchant(newMerchantId());
  await store.createMerchant(merchant);
  const connections = [
    await store.putConnection(aConnection(merchant.merchantId, { tokenCiphertext: "v1.iv.tag.QBO-SECRET", createdAt: "2025-03-01T08:00:00.000Z" })),
    await store.putConnection(aConnection(merchant.merchantId, {
      provider: "clover", externalId: `clover-${randomUUID()}`, region: "eu", tokenCiphertext: "v1.iv.tag.CLOVER-SECRET", createdAt: "2025-03-02T08:00:00.000Z",
    })),
  ];
  await store.acquireRefreshLease(merchant.merchantId, connections[0]!.connectionId, 1, new Date(NOW.getTime() + 60_000), NOW);
  const location = aLocation(merchant.merchantId);
  await store.putLocation(location);
  const records = [
    await store.saveSyncRecord(aSyncRecord(merchant.merchantId, { businessDay: "2025-03-14", lastSummary: worked, posted: [postedFor(worked, 0)], state: "posted" }), 0),
    await store.saveSyncRecord(aSyncRecord(merchant.merchantId, { businessDay: "2025-03-13" }), 0),
  ];
  const report = { month: "2025-03", sent: ["2025-04-01T09:00:00.000Z"], totals: { sales: 3250 } };
  await putRaw({ PK: `MERCHANT#${merchant.merchantId}`, SK: "REPORT#2025-03", GSI1PK: "REPORTS#due", GSI1SK: merchant.merchantId, ...report });
  return { merchant, connections, location, records, report };
}

describe("the merchant export", () => {
  it("holds every item of the partition, with no ciphertext, lease or key", async () => {
    const { merchant, connections, location, records, report } = await aFullMerchant();
    const exported = await store.exportMerchant(merchant.merchantId);
    expect(exported).toEqual({
      merchant,
      connections: connections.map(({ tokenCiphertext: _secret, ...connection }) => connection),
      locations: [location],
      syncRecords: records,
      other: [report],
    });
    const partition = await rawPartition(`MERCHANT#${merchant.merchantId}`);
    const exportedCount = 1 + exported!.connections.length + exported!.locations.length + exported!.syncRecords.length + exported!.other.length;
    expect(exportedCount).toBe(partition.length);
    const text = JSON.stringify(exported);
    for (const withheld of ["SECRET", "v1.iv.tag", "tokenCiphertext", "refreshLeaseUntil", '"PK"', '"SK"', "GSI1"]) expect(text).not.toContain(withheld);
  });

  it("is undefined for a merchant that does not exist", async () => {
    expect(await store.exportMerchant(newMerchantId())).toBeUndefined();
  });
});

/**
 * A store whose first `times` BatchWriteItem deletes go wrong: "unprocessed" deletes only the first
 * item asked for and hands the rest back as UnprocessedItems, as DynamoDB does under load (moto
 * never does); "fail" sends nothing and throws, as a throttled or cut-off request would.
 */
function storeWithBatchFault(fault: "unprocessed" | "fail", times: number, maxAttempts?: number): { store: Store; batchCalls: () => number } {
  const client = new DynamoDBClient(awsClientConfig(inject("motoEndpoint")));
  let calls = 0;
  client.middlewareStack.add((next) => async (args) => {
    const input = args.input as { RequestItems?: Record<string, unknown[]> };
    const [table, requests] = Object.entries(input.RequestItems ?? {})[0] ?? [];
    if (table === undefined || requests === undefined || !("DeleteRequest" in (requests[0] as object))) return await next(args);
    calls += 1;
    if (calls > times) return await next(args);
    if (fault === "fail") throw new Error("injected: the batch write did not reach DynamoDB");
    const result = await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, 1) } } });
    (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = requests.length > 1 ? { [table]: requests.slice(1) } : {};
    return result;
  }, { step: "initialize", name: "batchWriteFault" });
  afterAll(() => { client.destroy(); });
  const faultyStore = createDynamoStore({
    client: DynamoDBDocumentClient.from(client), tableName, now: () => NOW, batchDelete: { maxAttempts, sleep: () => Promise.resolve() },
  });
  return { store: faultyStore, batchCalls: () => calls };
}

describe("deleting a merchant", () => {
  it("leaves nothing of its partition, frees its address and returns how many items went", async () => {
    const { merchant, connections } = await aFullMerchant();
    const partitionSize = (await rawPartition(`MERCHANT#${merchant.merchantId}`)).length;
    expect(partitionSize).toBe(7);

    expect(await store.deleteMerchant(merchant.merchantId)).toBe(partitionSize + 1);
    expect(await rawPartition(`MERCHANT#${merchant.merchantId}`)).toEqual([]);
    expect(await rawItem(claimKey(merchant.email))).toBeUndefined();
    expect(await store.findMerchantByEmail(merchant.email)).toBeUndefined();
    expect(await store.findConnectionsByExternalId("clover", connections[1]!.externalId)).toEqual([]);
    // The address can sign up again.
    await store.createMerchant(aMerchant(newMerchantId(), merchant.email));
  });

  it("takes back a write that lands after the deletion removed the profile, and keeps one for a partition that never had a profile", async () => {
    const merchantId = newMerchantId();
    await store.createMerchant(aMerchant(merchantId));
    await store.putLocation(aLocation(merchantId));
    // The deletion's first step; a night that read the account before writes its record now.
    expect(await store.deleteProfile(merchantId)).toBe(2);
    await store.saveSyncRecord(aSyncRecord(merchantId), 0);
    expect(await rawPartition(`MERCHANT#${merchantId}`)).toEqual([]);
    expect(await store.deleteMerchant(merchantId)).toBe(0);
    const marker = await rawItem(keys.deletedAccount(merchantId));
    expect(marker && Object.keys(marker).sort()).toEqual(["PK", "SK", "expiresAt"]);
    expect(JSON.stringify(marker)).not.toContain(merchantId);

    const neverCreated = newMerchantId();
    await store.saveSyncRecord(aSyncRecord(neverCreated), 0);
    expect(await rawPartition(`MERCHANT#${neverCreated}`)).toHaveLength(1);
  });

  it("retries what DynamoDB leaves unprocessed, across batches of 25", async () => {
    const merchantId = newMerchantId();
    await store.createMerchant(aMerchant(merchantId));
    for (let day = 1; day <= 30; day++) {
      await store.saveSyncRecord(aSyncRecord(merchantId, { businessDay: `2025-03-${String(day).padStart(2, "0")}` }), 0);
    }
    const { store: slowStore, batchCalls } = storeWithBatchFault("unprocessed", 3);
    expect(await slowStore.deleteMerchant(merchantId)).toBe(32);
    expect(await rawPartition(`MERCHANT#${merchantId}`)).toEqual([]);
    // 31 items are two batches; each of the first three calls left all but one item over.
    expect(batchCalls()).toBe(5);
  });

  it("gives up with a clear error when DynamoDB keeps leaving items unprocessed", async () => {
    const merchantId = newMerchantId();
    await store.createMerchant(aMerchant(merchantId));
    await store.putLocation(aLocation(merchantId));
    await store.saveSyncRecord(aSyncRecord(merchantId), 0);
    // Three items for the batches: the profile goes on its own, first.
    await store.saveSyncRecord(aSyncRecord(merchantId, { businessDay: "2025-03-02" }), 0);
    const { store: stuckStore } = storeWithBatchFault("unprocessed", Infinity, 2);
    await expect(stuckStore.deleteMerchant(merchantId)).rejects.toThrow("1 deletes were still unprocessed after 2 attempts; run the deletion again");
    // Running it again finishes the job.
    expect(await store.deleteMerchant(merchantId)).toBe(1);
    expect(await rawPartition(`MERCHANT#${merchantId}`)).toEqual([]);
  });

  it("has removed the tokens even when the rest cannot be deleted", async () => {
    const { merchant, connections } = await aFullMerchant();
    const { store: failingStore } = storeWithBatchFault("fail", Infinity);
    await expect(failingStore.deleteMerchant(merchant.merchantId)).rejects.toThrow(/injected/);
    for (const connection of connections) {
      const raw = await rawItem(keys.connection(merchant.merchantId, connection.connectionId));
      expect(raw).toBeDefined();
      expect(raw).not.toHaveProperty("tokenCiphertext");
      expect(raw).not.toHaveProperty("refreshLeaseUntil");
      expect(raw?.status).toEqual({ S: "revoked" });
    }
    // A refresh that read the tokens before the deletion cannot write them back.
    await expect(store.updateConnectionTokens(merchant.merchantId, connections[1]!.connectionId, 1, "v1.iv.tag.late")).rejects.toThrow(ConflictError);
    expect((await rawPartition(`MERCHANT#${merchant.merchantId}`)).some((item) => "tokenCiphertext" in item)).toBe(false);
  });
});

describe("payout records keyed by creation (lib/store/payouts.ts)", () => {
  const LOCATION = "L8EXAMPLE0001";
  const payouts = (): PayoutStore => createDynamoPayoutStore({ client: documents, tableName, now: () => NOW });
  /** A payout arriving `arrival`, created the evening before (in New York, at an offset), its record written at `updatedAt`. */
  function record(merchantId: string, id: string, arrival = "2025-03-14", figures: { createdAt?: string; updatedAt?: string } = {}): Omit<PayoutRecord, "version"> {
    const summary = summaryOfPayout(payoutOf({ id, amount: 9700, arrivalDate: arrival, createdAt: figures.createdAt ?? `${arrival}T01:30:00-04:00` }), [
      entry("CHARGE", `${arrival}T12:00:00Z`, 10_000, 300),
    ]);
    return {
      merchantId, locationId: LOCATION, payoutTag: summary.tag, state: "nothing-to-post", summary, posted: [], warnings: [],
      updatedAt: figures.updatedAt ?? NOW.toISOString(), expiresAt: "2026-04-15T00:00:00.000Z",
    };
  }
  const check = (merchantId: string) => ({ merchantId, locationId: LOCATION, readFrom: "2025-03-14T09:00:00.000Z", lastRunAt: "2025-03-15T09:00:00.000Z" });
  const oldKey = (merchantId: string, tag: string) => ({ PK: `MERCHANT#${merchantId}`, SK: `PAYOUT#${LOCATION}#${tag}` });
  const newKey = (merchantId: string, createdAt: string, tag: string) => ({ PK: `MERCHANT#${merchantId}`, SK: `PAYOUT#${LOCATION}#@${createdAt}#${tag}` });

  it("are found with one GetItem under either key, the new one made from the tag and Square's creation instant in any form; the location's list holds both", async () => {
    const merchantId = newMerchantId();
    const store = payouts();
    const old = await store.savePayout(record(merchantId, "po_old"), 0);
    const created = await store.savePayout(record(merchantId, "po_new", "2025-03-15"), 0, "by-creation");
    // 15 March 01:30 at −04:00 is 05:30 UTC.
    expect(await rawItem(newKey(merchantId, "2025-03-15T05:30:00.000Z", created.payoutTag))).toBeDefined();
    expect(await rawItem(oldKey(merchantId, created.payoutTag))).toBeUndefined();
    expect(await rawItem(oldKey(merchantId, old.payoutTag))).toBeDefined();
    expect(await store.getPayout(merchantId, LOCATION, old.payoutTag)).toEqual(old);
    for (const form of ["2025-03-15T01:30:00-04:00", "2025-03-15T05:30:00Z", "2025-03-15T05:30:00.000Z"]) {
      expect(await store.getPayout(merchantId, LOCATION, created.payoutTag, form)).toEqual(created);
    }
    expect(await store.getPayout(merchantId, LOCATION, created.payoutTag)).toBeUndefined();
    expect(await store.listPayouts(merchantId, LOCATION)).toEqual([old, created]);
    // Later versions keep their key.
    const next = await store.savePayout({ ...created, state: "posted" }, created.version, "by-creation");
    expect(await store.getPayout(merchantId, LOCATION, created.payoutTag, "2025-03-15T05:30:00Z")).toEqual(next);
    await expect(store.savePayout(created, created.version, "by-creation")).rejects.toThrow(ConflictError);
  });

  it("say whether a location keeps any under the tag's key (a first run of before): records by creation are not such", async () => {
    const merchantId = newMerchantId();
    const store = payouts();
    expect(await store.hasRecordsByTag(merchantId, LOCATION)).toBe(false);
    await store.savePayout(record(merchantId, "po_created"), 0, "by-creation");
    expect(await store.hasRecordsByTag(merchantId, LOCATION)).toBe(false);
    // Tags begin with a digit or a letter: each found. The other location's records are not this one's.
    for (const [id, first] of [["po_digit", /^[0-9]/], ["po_letter", /^[A-Z]/]] as const) {
      let n = 0;
      let made = record(merchantId, `${id}_${String(n)}`);
      while (!first.test(made.payoutTag)) made = record(merchantId, `${id}_${String(++n)}`);
      const other = newMerchantId();
      await store.savePayout({ ...made, merchantId: other }, 0);
      expect(await store.hasRecordsByTag(other, LOCATION), made.payoutTag).toBe(true);
      expect(await store.hasRecordsByTag(other, "L8OTHER00001")).toBe(false);
    }
  });

  it("are read by the ranges of their creation: those created at or after one instant, and those at or before another", async () => {
    const merchantId = newMerchantId();
    const store = payouts();
    const written = [];
    for (const day of ["2025-01-10", "2025-02-01", "2025-02-20", "2025-03-01", "2025-03-10"]) {
      written.push(await store.savePayout(record(merchantId, `po_${day}`, day, { createdAt: `${day}T12:00:00Z` }), 0, "by-creation"));
    }
    await store.savePayout(record(merchantId, "po_by_tag", "2025-02-25", { createdAt: "2025-02-25T12:00:00Z" }), 0);
    const tags = (records: PayoutRecord[]) => records.map((each) => each.summary.arrivalDate);
    expect(tags(await store.listPayoutsCreated(merchantId, LOCATION, { after: "2025-02-20T12:00:00Z", before: null }))).toEqual(["2025-02-20", "2025-03-01", "2025-03-10"]);
    expect(tags(await store.listPayoutsCreated(merchantId, LOCATION, { after: "2025-02-20T12:00:00.001Z", before: "2025-01-10T07:00:00-05:00" }))).toEqual(["2025-01-10", "2025-03-01", "2025-03-10"]);
    // Overlapping: every record keyed by creation, once; never one under the tag's key.
    expect(tags(await store.listPayoutsCreated(merchantId, LOCATION, { after: "2025-01-01T00:00:00Z", before: "2025-03-01T12:00:00Z" }, { consistent: false })))
      .toEqual(written.map((each) => each.summary.arrivalDate));
  });

  it("written 28 days or more after the payout was created mark the location's card clearing carry stale, as one arriving on an old day does", async () => {
    const merchantId = newMerchantId();
    const store = payouts();
    const carries = createDynamoClearingCarryStore({ client: documents, tableName });
    // Written 15 March 09:00 UTC; arriving 14 March (a recent day).
    await store.savePayout(record(merchantId, "po_recent", "2025-03-14", { createdAt: "2025-02-15T09:00:00.001Z" }), 0, "by-creation");
    expect((await carries.getCarry(merchantId, LOCATION)).stamp).toBeUndefined();
    await store.savePayout(record(merchantId, "po_held", "2025-03-14", { createdAt: "2025-02-15T09:00:00Z" }), 0, "by-creation");
    const marked = (await carries.getCarry(merchantId, LOCATION)).stamp;
    expect(marked).toMatch(/^[0-9a-f]{32}$/);
    // Under the tag's key too (a location not moved yet: its digest reads every record, and the rule holds all the same).
    await store.savePayout(record(merchantId, "po_held_old_key", "2025-03-14", { createdAt: "2025-01-15T09:00:00Z" }), 0);
    expect((await carries.getCarry(merchantId, LOCATION)).stamp).not.toBe(marked);
  });

  it("are moved by movePayoutKeys, each at its version and in its form, and the location's check says so; run again, it has nothing to do", async () => {
    const merchantId = newMerchantId();
    const store = payouts();
    expect(await store.movePayoutKeys(merchantId, LOCATION)).toEqual({ status: "no-check", moved: 0 });
    const first = await store.savePayout(record(merchantId, "po_one", "2025-03-13"), 0);
    const second = await store.savePayout({ ...first, payoutTag: record(merchantId, "po_two").payoutTag, summary: record(merchantId, "po_two").summary }, 0);
    const posted = await store.savePayout({ ...second, state: "posted" }, second.version);
    await store.saveCheck(check(merchantId), 0);
    const before = await rawItem(oldKey(merchantId, first.payoutTag));

    expect(await store.movePayoutKeys(merchantId, LOCATION)).toEqual({ status: "moved", moved: 2 });
    expect(await rawItem(oldKey(merchantId, first.payoutTag))).toBeUndefined();
    expect(await rawItem(oldKey(merchantId, posted.payoutTag))).toBeUndefined();
    const moved = await rawItem(newKey(merchantId, "2025-03-13T05:30:00.000Z", first.payoutTag));
    expect({ ...moved, SK: undefined }).toEqual({ ...before, SK: undefined });
    expect(await store.getPayout(merchantId, LOCATION, first.payoutTag, first.summary.createdAt)).toEqual(first);
    expect(await store.getPayout(merchantId, LOCATION, posted.payoutTag, posted.summary.createdAt)).toEqual(posted);
    expect(await store.getCheck(merchantId, LOCATION)).toMatchObject({ payoutKeys: "by-creation", version: 3 });
    expect(await store.movePayoutKeys(merchantId, LOCATION)).toEqual({ status: "already-moved", moved: 0 });
  });

  it("racing a night: the night's write of a record it read before the move fails (and its retry finds the record moved), one landing between the move's read and its transaction is moved at its new version, and no new record goes under the tag's key once the move began", async () => {
    const merchantId = newMerchantId();
    const night = payouts();
    const read = await night.savePayout(record(merchantId, "po_read"), 0);
    const racing = await night.savePayout(record(merchantId, "po_racing", "2025-03-13"), 0);
    await night.saveCheck(check(merchantId), 0);

    // The move's first transaction waits for a night's write of the record it read.
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
    let raced: PayoutRecord | undefined;
    client.middlewareStack.add((next, context) => async (args) => {
      if (/TransactWrite/.test(String(context.commandName)) && raced === undefined) {
        raced = await night.savePayout({ ...racing, state: "posted" }, racing.version);
      }
      return next(args);
    }, { step: "initialize", name: "nightRacesTheMove" });
    const mover = createDynamoPayoutStore({ client, tableName, now: () => NOW });
    expect(await mover.movePayoutKeys(merchantId, LOCATION)).toEqual({ status: "moved", moved: 2 });
    client.destroy();

    // The racing write landed first: the move's Delete failed on its version, it read the record again and moved version 2.
    expect(raced?.version).toBe(2);
    expect(await night.getPayout(merchantId, LOCATION, racing.payoutTag, racing.summary.createdAt)).toEqual(raced);
    // A night that read the record before the move: its write fails, nothing is written under the tag's key again.
    await expect(night.savePayout({ ...read, state: "posted" }, read.version)).rejects.toThrow(ConflictError);
    expect(await rawItem(oldKey(merchantId, read.payoutTag))).toBeUndefined();
    // A night that read the check before the move: a new payout's first write under the tag's key is refused.
    await expect(night.savePayout(record(merchantId, "po_late"), 0)).rejects.toThrow(/being moved to their keys by creation/);
    expect(await night.listPayouts(merchantId, LOCATION)).toEqual([
      await night.getPayout(merchantId, LOCATION, racing.payoutTag, racing.summary.createdAt),
      await night.getPayout(merchantId, LOCATION, read.payoutTag, read.summary.createdAt),
    ]);
    expect((await night.listPayouts(merchantId, LOCATION)).map((each) => each.version)).toEqual([2, 1]);
  });
});
