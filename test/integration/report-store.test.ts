/**
 * The storage ports of the reports (lib/store/reports.ts, recipients.ts, settings.ts) on moto_server:
 * what they write reads back, a retried save leaves the first report as it was, and an item that is
 * not what daybook wrote fails with a sentence naming it instead of reaching an email half-formed.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StoredReportContent } from "../../lib/report/report-store";
import { StoreError } from "../../lib/store/errors";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";

const dynamo = new DynamoDBClient(awsClientConfig(inject("motoEndpoint")));
let tableName = "";
let storage: Storage;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName });
});

afterAll(() => {
  dynamo.destroy();
});

const content = (merchantName: string): StoredReportContent => ({
  merchantName, locationName: "Main Street", source: "square", businessDay: "2025-06-14", timeZone: "America/New_York", status: "posted",
  entry: { docNumber: "DB250614-AAAAAA", txnDate: "2025-06-14", currency: "USD", lines: [{ description: "Sales", postingType: "Credit", amount: 1200, accountId: "4" }], total: 1200 },
  connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
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

  it("keeps recipients and review mode per merchant, off and the sign-in address until set", async () => {
    const merchantId = `m-${randomUUID()}`;
    expect(await storage.recipients.get(merchantId)).toEqual({ unsubscribed: [] });
    expect(await storage.settings.getReviewMode(merchantId)).toBe(false);
    await storage.recipients.put(merchantId, { addresses: ["books@example.com"], unsubscribed: ["h1"] });
    await storage.settings.setReviewMode(merchantId, true, new Date());
    expect(await storage.recipients.get(merchantId)).toEqual({ addresses: ["books@example.com"], unsubscribed: ["h1"] });
    expect(await storage.settings.getReviewMode(merchantId)).toBe(true);
    expect(await storage.recipients.get(`m-${randomUUID()}`)).toEqual({ unsubscribed: [] });
  });
});
