/**
 * A payout record as its item (lib/store/payouts.ts): the fields nothing names in a condition, a key,
 * an index or a query kept compressed in one attribute (recordZ), read back the same, checked by the
 * schema; a record kept before in the plain form read exactly as before; the merchant's export showing
 * either as readable fields. On in-process dynalite, as the night's store runs locally.
 */
import { readFileSync } from "node:fs";
import { type AttributeValue, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payoutDocNumber } from "../../lib/domain/doc-number";
import { parseMapping } from "../../lib/domain/mapping";
import type { PayoutRecord } from "../../lib/model";
import { buildPayoutEntry, linesHash } from "../../lib/payouts/payout-entry";
import { compressText, decompressJson } from "../../lib/store/compressed";
import { readableItem } from "../../lib/store/readable-item";
import { StoreError } from "../../lib/store/errors";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, type LocalDatabase, startLocalDatabase } from "../../lib/store/local/database";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { binaryIn } from "../support/binary";
import { dynamoItemSize } from "../support/item-size";
import { entry, payoutOf, summaryOfPayout, ZONE } from "../support/payouts";

const AT = "2025-06-18T09:00:00.000Z";
const LOCATION_ID = "L8EXAMPLE0001";
let database: LocalDatabase;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let storage: Storage;
let merchants = 0;

beforeAll(async () => {
  database = await startLocalDatabase();
  client = new DynamoDBClient({ endpoint: database.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureLocalTable(client);
  documents = DynamoDBDocumentClient.from(client);
  storage = createDynamoStorage({ client, tableName: LOCAL_TABLE, now: () => new Date(AT) });
});

afterAll(async () => {
  client.destroy();
  await database.close();
});

async function newMerchant(): Promise<string> {
  const merchantId = `m-payouts-${++merchants}`;
  await storage.store.createMerchant({ merchantId, name: "Main Street Coffee", email: `owner${merchants}@cafe.example`, createdAt: AT });
  return merchantId;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const mapping = parseMapping({ ...fixture, payouts: { bank: "13", fees: "63", disputes: "64", loan: "25", savings: "14", other: "65" } });

/** A daily payout as the night keeps it: Monday's and Tuesday's card sales, a refund, a deposit fee, arriving Wednesday. */
function summary(id = "po_b345d2c7-90b3-4f0b-a2aa-df1def7f8afc") {
  return summaryOfPayout(payoutOf({ id, locationId: LOCATION_ID, amount: 14_964, arrivalDate: "2025-06-18", createdAt: "2025-06-17T21:30:00Z" }), [
    entry("CHARGE", "2025-06-16T22:10:00Z", 5000, 140, "PAY_MONDAY"),
    entry("CHARGE", "2025-06-17T14:00:00Z", 12_000, 322, "PAY_TUESDAY"),
    entry("REFUND", "2025-06-17T16:00:00Z", -1000, -26, "PAY_MONDAY"),
    entry("SQUARE_CAPITAL_PAYMENT", "2025-06-17T21:00:00Z", -500),
    entry("DEPOSIT_FEE", "2025-06-17T21:30:00Z", -100),
  ]);
}

/** Its record while its deposit is being posted, with every optional field: the claimed entry's whole body, a warning, a skip and the error of a try. */
function pendingRecord(merchantId: string): Omit<PayoutRecord, "version"> {
  const kept = summary();
  const built = buildPayoutEntry(kept, mapping, { locationName: "Main Street", timeZone: ZONE });
  return {
    merchantId, locationId: LOCATION_ID, payoutTag: kept.tag, state: "posting", summary: kept, posted: [],
    pending: {
      kind: "deposit", docNumber: built.docNumber, requestId: "a1b2c3d4e5f60718293a4b5c6d7e8f90", total: built.total, bankAccountId: built.bankAccountId,
      clearingAccountId: built.clearingAccountId, body: built.journalEntry!, linesHash: linesHash(built.lines), startedAt: AT,
    },
    heldReason: "held once: choose the bank account on the mapping page",
    skipped: { reason: "before-first-day", firstDay: "2025-06-17", postedPart: 0 },
    warnings: [{ code: "unknown-payout-activity", message: "Square activity NEW_THING went to the other account." }],
    lastError: { kind: "retryable", message: "QuickBooks did not answer in time.", at: AT },
    updatedAt: AT, expiresAt: "2026-07-19T00:00:00.000Z",
  };
}

/** Its record once the deposit is posted. */
function postedRecord(merchantId: string, id?: string): Omit<PayoutRecord, "version"> {
  const kept = summary(id);
  return {
    merchantId, locationId: LOCATION_ID, payoutTag: kept.tag, state: "posted", summary: kept, warnings: [], updatedAt: AT, expiresAt: "2026-07-19T00:00:00.000Z",
    posted: [{
      kind: "deposit", docNumber: payoutDocNumber(kept.tag, "2025-06-18", "deposit"), entryId: "5012", txnDate: "2025-06-18", requestId: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      total: 14_964, bankAccountId: "13", clearingAccountId: "11", postedAt: AT,
    }],
  };
}

const keyOf = (record: Pick<PayoutRecord, "merchantId" | "locationId" | "payoutTag">) => ({ PK: `MERCHANT#${record.merchantId}`, SK: `PAYOUT#${record.locationId}#${record.payoutTag}` });

/** The item as daybook wrote it before recordZ: every field an attribute, the instant kept as expiresAtIso, the TTL in seconds. */
function plainItem(record: PayoutRecord): Record<string, unknown> {
  return { ...record, expiresAtIso: record.expiresAt, expiresAt: Math.ceil(Date.parse(record.expiresAt) / 1000), ...keyOf(record) };
}

async function rawItem(record: Pick<PayoutRecord, "merchantId" | "locationId" | "payoutTag">): Promise<Record<string, AttributeValue>> {
  const key = keyOf(record);
  const { Item } = await client.send(new GetItemCommand({ TableName: LOCAL_TABLE, Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true }));
  return Item!;
}

describe("a payout record's item", () => {
  it("keeps the summary, the entries, the pending entry with its body, the held reason, the skip, the warnings and the error in one compressed attribute, and reads them back the same", async () => {
    const merchantId = await newMerchant();
    const record = pendingRecord(merchantId);
    const written = await storage.payouts.savePayout(record, 0);
    expect(written).toEqual({ ...record, version: 1 });
    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, record.payoutTag)).toEqual(written);
    expect(await storage.payouts.listPayouts(merchantId, LOCATION_ID)).toEqual([written]);

    const raw = await rawItem(record);
    // Plain: the keys, what the writes' condition names (version), the TTL, and what a person scanning the table wants to see first;
    // not the ids (the keys hold them) nor the expiry's instant (the TTL's second is it).
    expect(Object.keys(raw).sort()).toEqual(["PK", "SK", "expiresAt", "recordZ", "state", "updatedAt", "version"]);
    expect(raw["expiresAt"]).toEqual({ N: String(Date.parse(record.expiresAt) / 1000) });
    expect(raw["recordZ"]?.B).toBeInstanceOf(Uint8Array);
    const { summary: kept, posted, pending, heldReason, skipped, warnings, lastError } = record;
    expect(JSON.parse(readableItem(raw)["recordZ"]?.S ?? "")).toEqual({ summary: kept, posted, pending, heldReason, skipped, warnings, lastError });
  });

  it("reads a record kept with its ids and expiry instant as attributes the same, and keeps an expiry the TTL's second does not give", async () => {
    const merchantId = await newMerchant();
    const record = { ...postedRecord(merchantId, "po_ids"), version: 1 };
    const { summary, posted, warnings } = record;
    // As written from recordZ's start until the keys' fields were left out.
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: {
      ...keyOf(record), merchantId, locationId: record.locationId, payoutTag: record.payoutTag, state: record.state, version: 1, updatedAt: record.updatedAt,
      expiresAt: Math.ceil(Date.parse(record.expiresAt) / 1000), expiresAtIso: record.expiresAt, recordZ: compressText(JSON.stringify({ summary, posted, warnings })),
    } }));
    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, record.payoutTag)).toEqual(record);
    expect((await storage.store.exportMerchant(merchantId))?.other.find((item) => item["payoutTag"] === record.payoutTag)).toMatchObject({ merchantId, locationId: LOCATION_ID, expiresAtIso: record.expiresAt });

    // An expiry between two seconds: the TTL rounds it up, so the instant is kept as it is.
    const between = await storage.payouts.savePayout({ ...postedRecord(merchantId, "po_between"), expiresAt: "2026-07-16T00:00:00.250Z" }, 0);
    expect((await rawItem(between))["expiresAtIso"]).toEqual({ S: "2026-07-16T00:00:00.250Z" });
    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, between.payoutTag)).toEqual(between);
    // The export shows a record written now with the same fields as one written before.
    const exported = (await storage.store.exportMerchant(merchantId))?.other.filter((item) => item["payoutTag"] !== undefined) ?? [];
    expect(exported.map((item) => Object.keys(item).sort())).toEqual([
      ["expiresAt", "expiresAtIso", "locationId", "merchantId", "payoutTag", "posted", "state", "summary", "updatedAt", "version", "warnings"],
      ["expiresAt", "expiresAtIso", "locationId", "merchantId", "payoutTag", "posted", "state", "summary", "updatedAt", "version", "warnings"],
    ]);
  });

  it("keeps a posted payout's record in under four fifths of its bytes as maps, and a claimed deposit's in 1 WRU where maps take 2", async () => {
    const sizes = async (record: Omit<PayoutRecord, "version">) => {
      const written = await storage.payouts.savePayout(record, 0);
      const compressed = dynamoItemSize(await rawItem(written));
      await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: plainItem(written) }));
      return { compressed, asMaps: dynamoItemSize(await rawItem(written)) };
    };
    const posted = await sizes(postedRecord(await newMerchant()));
    expect(posted.compressed).toBeLessThan(posted.asMaps * 0.8);
    // The deposit's whole body, which a retry re-sends as claimed, is what makes a pending record big.
    const { heldReason: _held, skipped: _skipped, lastError: _error, ...claimed } = pendingRecord(await newMerchant());
    const pending = await sizes({ ...claimed, warnings: [] });
    expect(pending.compressed).toBeLessThanOrEqual(1024);
    expect(pending.asMaps).toBeGreaterThan(1024);
  });

  it("reads a record kept before in the plain form exactly as before, beside compressed ones, and writes it compressed at its next version", async () => {
    const merchantId = await newMerchant();
    const older = { ...postedRecord(merchantId, "po_older"), version: 2 };
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: plainItem(older) }));
    const pending = { ...pendingRecord(merchantId), version: 1 };
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: plainItem(pending) }));
    const newer = await storage.payouts.savePayout(postedRecord(merchantId, "po_newer"), 0);

    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, older.payoutTag)).toEqual(older);
    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, pending.payoutTag)).toEqual(pending);
    expect(new Set(await storage.payouts.listPayouts(merchantId, LOCATION_ID))).toEqual(new Set([older, pending, newer]));
    expect(new Set(await storage.payouts.listPayouts(merchantId, LOCATION_ID, { consistent: false }))).toEqual(new Set([older, pending, newer]));

    // The next write is conditional on the version kept in the plain form, as before, and replaces the item whole.
    await expect(storage.payouts.savePayout(older, 1)).rejects.toThrow(/no longer at version 1/);
    const settled = await storage.payouts.savePayout({ ...older, state: "posted", warnings: [{ code: "over-short", message: "x" }] }, 2);
    expect(settled.version).toBe(3);
    const raw = await rawItem(older);
    expect(raw).not.toHaveProperty("summary");
    expect(raw).not.toHaveProperty("posted");
    expect(raw).not.toHaveProperty("warnings");
    expect(await storage.payouts.getPayout(merchantId, LOCATION_ID, older.payoutTag)).toEqual(settled);
  });

  it("checks what it reads: a compressed field changed by hand names the field, a field kept twice or bytes that are not what daybook wrote name the record", async () => {
    const merchantId = await newMerchant();
    const written = await storage.payouts.savePayout(postedRecord(merchantId), 0);
    const key = keyOf(written);
    const { recordZ, ...rest } = (await documents.send(new GetCommand({ TableName: LOCAL_TABLE, Key: key }))).Item as Record<string, unknown>;
    const fields = decompressJson(recordZ, "the record") as Record<string, Record<string, unknown>>;
    const read = () => storage.payouts.getPayout(merchantId, LOCATION_ID, written.payoutTag);
    const subject = `the stored payout ${key.PK} ${key.SK}`;

    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { ...rest, recordZ: compressText(JSON.stringify({ ...fields, summary: { ...fields["summary"], amount: "149.64" } })) } }));
    await expect(read()).rejects.toThrow(new RegExp(`${subject} is not valid: summary\\.amount`));

    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { ...rest, recordZ, warnings: [] } }));
    await expect(read()).rejects.toThrow(new StoreError(`${subject} holds its warnings both compressed and not`));

    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { ...rest, recordZ: new Uint8Array([1, 2, 3]) } }));
    await expect(read()).rejects.toThrow(new StoreError(`the compressed fields of ${subject} does not decompress`));

    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { ...rest, recordZ: compressText("[1, 2]") } }));
    await expect(read()).rejects.toThrow(new StoreError(`the compressed fields of ${subject} are not an object`));
  });
});

describe("a merchant's export of payout records", () => {
  it("shows each record's fields as JSON, the same whether it was kept compressed or in the plain form, and no binary", async () => {
    const merchantId = await newMerchant();
    const compressed = await storage.payouts.savePayout(pendingRecord(merchantId), 0);
    const plain = { ...postedRecord(merchantId, "po_older"), version: 4 };
    await documents.send(new PutCommand({ TableName: LOCAL_TABLE, Item: plainItem(plain) }));

    const exported = await storage.store.exportMerchant(merchantId);
    const withoutKeys = ({ PK: _pk, SK: _sk, ...item }: Record<string, unknown>) => item;
    expect(exported?.other).toEqual(expect.arrayContaining([withoutKeys(plainItem(compressed)), withoutKeys(plainItem(plain))]));
    expect(exported?.other).toHaveLength(2);
    expect(binaryIn(exported)).toEqual([]);
    expect(JSON.stringify(exported)).not.toContain("recordZ");
  });
});
