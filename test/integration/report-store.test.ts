/**
 * The storage ports of the reports and their email (lib/store/reports.ts, recipients.ts, settings.ts,
 * digests.ts, warnings-seen.ts, email-held.ts) on moto_server: what they write reads back, a retried
 * save leaves the first report as it was, conditional writes lose to the writer before them, and an
 * item that is not what daybook wrote fails with a sentence naming it instead of reaching an email
 * half-formed.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StoredReportContent } from "../../lib/report/report-store";
import { compressText } from "../../lib/store/compressed";
import { readableItem } from "../../lib/store/readable-item";
import { StoreError } from "../../lib/store/errors";
import { ConflictError } from "../../lib/store/store";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";

// Serialised as DynamoDB serialises conditional writes: the "first writer wins" test races two writers.
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
let tableName = "";
let storage: Storage;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName });
});

afterAll(() => {
  dynamo.destroy();
});

// In the order the worker writes a report's fields (lib/worker/process-job.ts), which packing keeps.
const content = (merchantName: string): StoredReportContent => ({
  merchantName, locationName: "Main Street", source: "square", businessDay: "2025-06-14", timeZone: "America/New_York", status: "posted",
  connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
  entry: { docNumber: "DB250614-AAAAAA", txnDate: "2025-06-14", currency: "USD", lines: [{ description: "Sales", postingType: "Credit", amount: 1200, accountId: "4" }], total: 1200 },
});

describe("the reports' storage", () => {
  it("keeps a report once, remembers who has it, and reads back what it wrote", async () => {
    const merchantId = `m-${randomUUID()}`;
    const report = { merchantId, locationId: "L1", businessDay: "2025-06-14", reportId: "R0000", status: "posted" as const, alert: false, createdAt: "2025-06-15T09:00:00.000Z" };
    await storage.reports.save({ ...report, content: content("First") });
    // A retried job saves the same report again: the first one stands.
    await storage.reports.save({ ...report, content: content("Second") });
    const [saved] = await storage.reports.listDay(merchantId, "L1", "2025-06-14");
    expect(saved).toMatchObject({ ...report, deliveredTo: [], content: content("First") });

    await storage.reports.markDeliveredTo(saved!, "hash-1");
    await storage.reports.markDeliveredTo(saved!, "hash-1");
    expect((await storage.reports.listDay(merchantId, "L1", "2025-06-14", true))[0]?.deliveredTo).toEqual(["hash-1"]);
    await storage.reports.markDelivered(saved!, new Date("2025-06-15T09:01:00.000Z"));
    expect(await storage.reports.listDay(merchantId, "L1", "2025-06-14", true)).toEqual([]);
  });

  it("keeps a report's content packed, and reads one written before that, compressed whole or as text, the same", async () => {
    const merchantId = `m-${randomUUID()}`;
    const lines = Array.from({ length: 15 }, (_, index) => ({
      description: `Sales – Category ${index}`, postingType: "Credit" as const, amount: 1000 + index, accountId: String(200 + index),
      accountLabel: `QuickBooks account ${200 + index}`, accountUrl: `https://daybook.test/locations/L1/mapping#account-${200 + index}`,
    }));
    const { connectionsUrl, reportUrl, warnings, entry, ...first } = content("Cafe");
    const big = { ...first, connectionsUrl, mappingUrl: "https://daybook.test/locations/L1/mapping", reportUrl, warnings, entry: { ...entry!, lines } };
    const report = { merchantId, locationId: "L1", businessDay: "2025-06-14", reportId: "R0000", status: "posted" as const, alert: false, createdAt: "2025-06-15T09:00:00.000Z" };
    await storage.reports.save({ ...report, content: big });
    const key = { PK: { S: `MERCHANT#${merchantId}` }, SK: { S: "REPORT#L1#2025-06-14#R0000" } };
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(Item).not.toHaveProperty("content");
    expect(Item).not.toHaveProperty("contentZ");
    // Packed (lib/store/report-pack.ts): the links and account names that follow from the rest are not kept.
    expect(Item?.packed?.B).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(readableItem(Item!).packed?.S ?? "")).toEqual(big);
    expect((await storage.reports.listDay(merchantId, "L1", "2025-06-14"))[0]?.content).toEqual(big);

    // Written before packing: the JSON compressed whole (contentZ). Read the same.
    const compressed = { ...key, SK: { S: "REPORT#L1#2025-06-13#R0000" }, status: { S: "posted" }, alert: { BOOL: false }, createdAt: { S: "2025-06-14T09:00:00.000Z" } };
    const earlier = { ...big, businessDay: "2025-06-13", reportUrl: "https://daybook.test/days/L1/2025-06-13" };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { ...compressed, contentZ: { B: compressText(JSON.stringify(earlier)) } } }));
    expect((await storage.reports.listDay(merchantId, "L1", "2025-06-13"))[0]?.content).toEqual(earlier);

    // Written before that: the JSON as text. Read the same; a failure failing again rewrites it packed.
    const before = { ...key, SK: { S: "REPORT#L1#2025-06-15#F-needs-merchant" }, status: { S: "failed" }, alert: { BOOL: true }, createdAt: { S: "2025-06-16T09:00:00.000Z" } };
    const failed = { ...content("Cafe"), businessDay: "2025-06-15", status: "failed" as const, reportUrl: "https://daybook.test/days/L1/2025-06-15", failure: { kind: "needs-merchant" as const, message: "closed books" } };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { ...before, content: { S: JSON.stringify(failed) } } }));
    const [old] = await storage.reports.listDay(merchantId, "L1", "2025-06-15");
    expect(old?.content).toEqual(failed);
    await storage.reports.save({ ...report, businessDay: "2025-06-15", reportId: "F-needs-merchant", status: "failed", alert: true, content: { ...failed, failure: { ...failed.failure, message: "still closed" } } }, { replace: true });
    const { Item: replaced } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { PK: before.PK, SK: before.SK }, ConsistentRead: true }));
    expect(replaced).not.toHaveProperty("content");
    expect(replaced).toHaveProperty("packed");
    expect((await storage.reports.listDay(merchantId, "L1", "2025-06-15"))[0]?.content).toEqual({ ...failed, failure: { ...failed.failure, message: "still closed" } });
  });

  it("keeps whole, compressed, a report packing would not give back as it was, and replaces a packed one so", async () => {
    const merchantId = `m-${randomUUID()}`;
    // A link made another way than daybook makes it: packing leaves it out and would make it again differently.
    const odd = { ...content("Cafe"), reportUrl: "https://elsewhere.test/day" };
    const report = { merchantId, locationId: "L1", businessDay: "2025-06-14", reportId: "F-bug", status: "failed" as const, alert: true, createdAt: "2025-06-15T09:00:00.000Z" };
    const failed = { ...content("Cafe"), status: "failed" as const, failure: { kind: "bug" as const, message: "first" } };
    await storage.reports.save({ ...report, content: failed }, { replace: true });
    const key = { PK: { S: `MERCHANT#${merchantId}` }, SK: { S: "REPORT#L1#2025-06-14#F-bug" } };
    expect((await dynamo.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item).toHaveProperty("packed");
    await storage.reports.save({ ...report, content: { ...odd, status: "failed", failure: { kind: "bug", message: "again" } } }, { replace: true });
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(Item).not.toHaveProperty("packed");
    expect(Item).toHaveProperty("contentZ");
    expect((await storage.reports.listDay(merchantId, "L1", "2025-06-14"))[0]?.content).toEqual({ ...odd, status: "failed", failure: { kind: "bug", message: "again" } });
  });

  it("refuses a stored report whose content is not what daybook wrote, with a sentence naming the item", async () => {
    const merchantId = `m-${randomUUID()}`;
    const item = (text: string) => ({
      PK: { S: `MERCHANT#${merchantId}` }, SK: { S: `REPORT#L1#2025-06-14#${text.length}` }, status: { S: "posted" }, alert: { BOOL: false },
      createdAt: { S: "2025-06-15T09:00:00.000Z" }, content: { S: text },
    });
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: item("{not json") }));
    await expect(storage.reports.listDay(merchantId, "L1", "2025-06-14")).rejects.toThrow(new StoreError(`the stored report MERCHANT#${merchantId} REPORT#L1#2025-06-14#9 holds a report that is not JSON`));

    const other = `m-${randomUUID()}`;
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { ...item(JSON.stringify({ merchantName: "Cafe", warnings: "none" })), PK: { S: `MERCHANT#${other}` } } }));
    const failure = await storage.reports.listDay(other, "L1", "2025-06-14").then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toMatch(/^the content of the stored report MERCHANT#m-[0-9a-f-]+ REPORT#L1#2025-06-14#\d+ is not valid: /);
  });

  it("keeps one failure report per location-day and kind: a later failure of that kind updates it and keeps its alert's mark", async () => {
    const merchantId = `m-${randomUUID()}`;
    const failed = (message: string, createdAt: string) => ({
      merchantId, locationId: "L1", businessDay: "2025-06-14", reportId: "F-needs-merchant", status: "failed" as const, alert: true, createdAt,
      content: { ...content("Cafe"), status: "failed" as const, failure: { kind: "needs-merchant" as const, message } },
    });
    await storage.reports.save(failed("the books are closed", "2025-06-15T09:00:00.000Z"), { replace: true });
    const [first] = await storage.reports.listDay(merchantId, "L1", "2025-06-14");
    await storage.reports.markDeliveredTo(first!, "alert");
    await storage.reports.save(failed("the books are still closed", "2025-06-16T09:00:00.000Z"), { replace: true });
    const reports = await storage.reports.listDay(merchantId, "L1", "2025-06-14");
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ createdAt: "2025-06-15T09:00:00.000Z", updatedAt: "2025-06-16T09:00:00.000Z", deliveredTo: ["alert"], content: { failure: { message: "the books are still closed" } } });
  });

  it("reads a location's reports over a range of days, and no other location's", async () => {
    const merchantId = `m-${randomUUID()}`;
    const save = (locationId: string, businessDay: string) => storage.reports.save({
      merchantId, locationId, businessDay, reportId: "R0000", status: "posted", alert: false, createdAt: `${businessDay}T12:00:00.000Z`, content: { ...content("Cafe"), businessDay },
    });
    for (const day of ["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13"]) await save("L1", day);
    await save("L10", "2025-06-11");
    expect((await storage.reports.listDays(merchantId, "L1", "2025-06-11", "2025-06-12")).map((report) => report.businessDay)).toEqual(["2025-06-11", "2025-06-12"]);
  });

  it("keeps recipients and review mode per merchant, off and the sign-in address until set, and writes a list only over the version it read", async () => {
    const merchantId = `m-${randomUUID()}`;
    expect(await storage.recipients.get(merchantId)).toEqual({ unsubscribed: [], version: 0 });
    expect(await storage.settings.getReviewMode(merchantId)).toBe(false);
    const list = {
      recipients: [{ address: "books@example.com", status: "pending" as const, frequency: "weekly" as const, addedAt: "2025-06-01T00:00:00.000Z", confirmationSentAt: "2025-06-01T00:00:00.000Z" }],
      unsubscribed: [{ hash: "h1", at: "2025-06-02T00:00:00.000Z" }], version: 0,
    };
    await storage.recipients.put(merchantId, list);
    await storage.settings.setReviewMode(merchantId, true, new Date());
    expect(await storage.recipients.get(merchantId)).toEqual({ ...list, version: 1 });
    expect(await storage.settings.getReviewMode(merchantId)).toBe(true);
    // Two writers read version 1; the second write loses.
    await storage.recipients.put(merchantId, { ...list, unsubscribed: [], version: 1 });
    await expect(storage.recipients.put(merchantId, { ...list, version: 1 })).rejects.toThrow(ConflictError);
    expect(await storage.recipients.get(`m-${randomUUID()}`)).toEqual({ unsubscribed: [], version: 0 });
  });

  it("reads a list written before confirmations as not yet confirmed, except the sign-in address", async () => {
    const merchantId = `m-${randomUUID()}`;
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: {
      PK: { S: `MERCHANT#${merchantId}` }, SK: { S: "RECIPIENTS" }, addresses: { L: [{ S: "owner@example.com" }, { S: "books@example.com" }] }, unsubscribed: { L: [] },
    } }));
    expect(await storage.recipients.addressesThatMayReceive(merchantId, "owner@example.com")).toEqual(["owner@example.com"]);
    const list = await storage.recipients.get(merchantId);
    await storage.recipients.put(merchantId, list);
    expect((await storage.recipients.get(merchantId)).version).toBe(1);
  });

  it("marks a merchant's digest of a morning once, finds it when due, moves and removes it, and claims each recipient's send once", async () => {
    const merchantId = `m-${randomUUID()}`;
    const mark = { merchantId, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: 3 };
    await storage.digests.mark(mark);
    await storage.digests.mark(mark);
    expect(await storage.digests.due("2025-06-15", 3, new Date("2025-06-15T10:59:00.000Z"))).not.toContainEqual(mark);
    expect((await storage.digests.due("2025-06-15", 3, new Date("2025-06-15T11:00:00.000Z"))).filter((each) => each.merchantId === merchantId)).toEqual([mark]);
    await storage.digests.postpone(mark, new Date("2025-06-15T14:00:00.000Z"));
    expect((await storage.digests.due("2025-06-15", 3, new Date("2025-06-15T13:00:00.000Z"))).filter((each) => each.merchantId === merchantId)).toEqual([]);
    const moved = { ...mark, notBefore: "2025-06-15T14:00:00.000Z" };
    expect((await storage.digests.due("2025-06-15", 3, new Date("2025-06-15T14:00:00.000Z"))).filter((each) => each.merchantId === merchantId)).toEqual([moved]);
    await storage.digests.finish(moved);
    expect((await storage.digests.due("2025-06-15", 3, new Date("2025-06-16T00:00:00.000Z"))).filter((each) => each.merchantId === merchantId)).toEqual([]);

    const at = new Date("2025-06-15T14:01:00.000Z");
    const lease = 600_000;
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h1", at, lease)).toBe(true);
    // Another tick meanwhile: claimed, not its to send.
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h1", new Date(at.getTime() + 60_000), lease)).toBe(false);
    // The claimer died: after the lease another may take it over.
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h1", new Date(at.getTime() + lease + 1), lease)).toBe(true);
    await storage.digests.markSent(merchantId, "daily#2025-06-15", "h1", at);
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h1", new Date(at.getTime() + 10 * lease), lease)).toBe(false);
    // A send that failed gives its claim back at once.
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h2", at, lease)).toBe(true);
    await storage.digests.release(merchantId, "daily#2025-06-15", "h2");
    expect(await storage.digests.claim(merchantId, "daily#2025-06-15", "h2", at, lease)).toBe(true);
  });

  it("keeps an accountant's combined digest apart: its mark beside the merchants', the clients that decided, and the seal", async () => {
    const personId = `p-${randomUUID()}`;
    const mark = { merchantId: personId, audience: "accountant" as const, slot: "2025-06-15", notBefore: "2025-06-15T11:05:00.000Z", shard: 5 };
    // The same id as a business too (an accountant with a business of their own): two marks, not one.
    const own = { merchantId: personId, slot: "2025-06-15", notBefore: "2025-06-15T11:05:00.000Z", shard: 5 };
    await storage.digests.mark(mark);
    await storage.digests.mark(own);
    const due = (await storage.digests.due("2025-06-15", 5, new Date("2025-06-15T11:05:00.000Z"))).filter((each) => each.merchantId === personId);
    expect(due).toHaveLength(2);
    expect(due).toContainEqual(mark);
    expect(due).toContainEqual(own);
    await storage.digests.finish(mark);
    expect((await storage.digests.due("2025-06-15", 5, new Date("2025-06-15T12:00:00.000Z"))).filter((each) => each.merchantId === personId)).toEqual([own]);
    await storage.digests.finish(own);

    const part = { businessId: `b-${randomUUID()}`, slot: "2025-06-15", decidedAt: "2025-06-15T11:05:00.000Z" };
    await storage.digests.putClientPart(personId, part);
    // Deciding again changes nothing: the first decision stands.
    await storage.digests.putClientPart(personId, { ...part, decidedAt: "2025-06-15T11:20:00.000Z" });
    await storage.digests.putClientPart(personId, { ...part, slot: "2025-06-16" });
    expect(await storage.digests.listClientParts(personId, "2025-06-15")).toEqual([part]);
    expect(await storage.digests.listClientParts(personId, "2025-06-14")).toEqual([]);

    expect(await storage.digests.isSealed(personId, "2025-06-15")).toBe(false);
    await storage.digests.seal(personId, "2025-06-15", new Date("2025-06-15T14:05:00.000Z"));
    await storage.digests.seal(personId, "2025-06-15", new Date("2025-06-15T14:20:00.000Z"));
    expect(await storage.digests.isSealed(personId, "2025-06-15")).toBe(true);
    expect(await storage.digests.isSealed(personId, "2025-06-16")).toBe(false);
    // After the seal: a business decided before it is in the combined digest, however often it decides
    // again (two ticks at once); one deciding now is late and writes no part, so it sends its own.
    expect(await storage.digests.putClientPart(personId, { ...part, decidedAt: "2025-06-15T14:30:00.000Z" })).toBe("in");
    const late = { businessId: `b-${randomUUID()}`, slot: "2025-06-15", decidedAt: "2025-06-15T14:30:00.000Z" };
    expect(await storage.digests.putClientPart(personId, late)).toBe("late");
    expect(await storage.digests.putClientPart(personId, late)).toBe("late");
    expect(await storage.digests.listClientParts(personId, "2025-06-15")).toEqual([part]);
    // The seal and the parts are not parts of each other's morning.
    expect(await storage.digests.listClientParts(personId, "2025-06-16")).toHaveLength(1);
  });

  it("remembers the day each unmapped item was first reported, per location; the first writer wins", async () => {
    const merchantId = `m-${randomUUID()}`;
    const first = await storage.seenWarnings.firstReported(merchantId, "L1", ["unmapped-category:C1", "unmapped-tender:OTHER"], "2025-06-14");
    expect(Object.fromEntries(first)).toEqual({ "unmapped-category:C1": "2025-06-14", "unmapped-tender:OTHER": "2025-06-14" });
    const later = await Promise.all([
      storage.seenWarnings.firstReported(merchantId, "L1", ["unmapped-category:C1", "unmapped-category:C2"], "2025-06-15"),
      storage.seenWarnings.firstReported(merchantId, "L1", ["unmapped-category:C2"], "2025-06-16"),
    ]);
    expect(later[0].get("unmapped-category:C1")).toBe("2025-06-14");
    expect(later[0].get("unmapped-category:C2")).toBe(later[1].get("unmapped-category:C2"));
    expect(Object.fromEntries(await storage.seenWarnings.firstReported(merchantId, "L2", ["unmapped-category:C1"], "2025-06-20"))).toEqual({ "unmapped-category:C1": "2025-06-20" });
  });

  it("counts held-back emails per merchant and UTC day, with their purposes and the subjects of the merchant's alerts", async () => {
    const merchantId = `m-${randomUUID()}`;
    const subject = "Action needed: Main Street: Saturday 14 June 2025 was not posted";
    await storage.heldEmails.recordHeld(merchantId, "digest", new Date("2025-06-14T23:00:00.000Z"));
    await storage.heldEmails.recordHeld(merchantId, "alert", new Date("2025-06-15T01:00:00.000Z"), subject);
    await storage.heldEmails.recordHeld(merchantId, "digest", new Date("2025-06-15T02:00:00.000Z"));
    // The same alert held again (its job retried): the same email, counted and named once.
    await storage.heldEmails.recordHeld(merchantId, "alert", new Date("2025-06-15T03:00:00.000Z"), subject);
    expect(await storage.heldEmails.listHeld(merchantId, new Date("2025-06-14T00:00:00.000Z"))).toEqual([
      { day: "2025-06-15", count: 2, purposes: ["alert", "digest"], alerts: [subject] },
      { day: "2025-06-14", count: 1, purposes: ["digest"], alerts: [] },
    ]);
    expect(await storage.heldEmails.listHeld(merchantId, new Date("2025-06-15T00:00:00.000Z"))).toHaveLength(1);
  });
});
