/**
 * The ReportStore (lib/report/report-store.ts) on the table: `MERCHANT#<id> / REPORT#<locationId>#<businessDay>#<reportId>`,
 * in the merchant's partition so account export and deletion take the reports along; kept 13 months
 * after the business day, a failure report 30 days (retention.ts). The report's content is kept as
 * JSON text, compressed (`contentZ`, compressed.ts: about a fifth of its size, which is what a write,
 * storage and backups bill), and checked on the way out, like every other item. Reports written
 * before that hold the text as it is (`content`), and read the same.
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ReportStore, StoredReport, StoredReportContent } from "../report/report-store";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { keys } from "./keys";
import { compressText, decompressText } from "./compressed";
import { StoreError } from "./errors";
import { businessDayExpiresAt, daysAfter, FAILURE_REPORT_DAYS } from "./retention";

export interface DynamoReportStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export const REPORT_PREFIX = "REPORT#";
const PREFIX = REPORT_PREFIX;
const dayPrefix = (locationId: string, businessDay: string) => `${PREFIX}${locationId}#${businessDay}#`;

const storedSchema = z.object({
  SK: z.string().check(z.startsWith(PREFIX)),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  alert: z.boolean(),
  // Written compressed (contentZ); a report written before that holds its JSON as text (content).
  content: z.optional(z.string()),
  contentZ: z.optional(z.instanceof(Uint8Array)),
  createdAt: z.string().check(z.minLength(1)),
  // A string set, which the document client reads as a Set.
  deliveredTo: z.optional(z.set(z.string())),
  deliveredAt: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
});

const minorUnits = z.int();
const entryLine = z.looseObject({
  description: z.string(), postingType: z.enum(["Debit", "Credit"]), amount: minorUnits, accountId: z.string(),
  accountLabel: z.optional(z.string()), accountUrl: z.optional(z.string()),
});

/**
 * What the report template reads of a stored report. Loose: fields added to the report later are kept
 * as they are, and an old report read by newer code still has everything this names.
 */
const contentSchema = z.looseObject({
  merchantName: z.string(),
  locationName: z.string(),
  source: z.enum(["square", "clover"]),
  businessDay: z.string(),
  timeZone: z.string(),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  entry: z.optional(z.looseObject({
    docNumber: z.string(), txnDate: z.string(), currency: z.string(), lines: z.array(entryLine), total: minorUnits, quickBooksUrl: z.optional(z.string()),
  })),
  heldReason: z.optional(z.string()),
  failure: z.optional(z.looseObject({
    kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]), message: z.string(), intuitTid: z.optional(z.string()),
  })),
  postedBefore: z.optional(z.array(z.string())),
  connectionsUrl: z.string(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string(), subject: z.optional(z.string()) })),
  repeatedWarnings: z.optional(z.int().check(z.nonnegative())),
  adjustment: z.optional(z.looseObject({
    originalDocNumber: z.string(),
    changes: z.array(z.looseObject({ description: z.string(), accountId: z.string(), before: minorUnits, after: minorUnits })),
    dayTotal: minorUnits,
  })),
  cause: z.optional(z.looseObject({ kind: z.enum(["pos-changes", "day-start", "mapping", "other"]), detail: z.optional(z.string()) })),
  expectedDeposit: z.optional(z.looseObject({ businessDay: z.string(), currency: z.string(), cardPayments: minorUnits, cardRefunds: minorUnits, expected: minorUnits })),
  reportUrl: z.string(),
});

function contentOf(text: string, subject: string): StoredReportContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError(`${subject} holds a report that is not JSON`);
  }
  // Loose on purpose (see contentSchema); the cast names what the template reads.
  return fromItem(contentSchema, parsed as Item, `the content of ${subject}`) as unknown as StoredReportContent;
}

/** A stored report's content as JSON text, compressed or not (the export reads it too). */
export function reportContentText(item: Item, subject: string): string {
  if (item["contentZ"] !== undefined) return decompressText(item["contentZ"], `the content of ${subject}`);
  if (typeof item["content"] === "string") return item["content"];
  throw new StoreError(`${subject} holds no report`);
}

export function createDynamoReportStore({ client, tableName }: DynamoReportStoreOptions): ReportStore {
  const keyOf = (report: Pick<StoredReport, "merchantId" | "locationId" | "businessDay" | "reportId">) => ({
    PK: keys.merchantPartition(report.merchantId), SK: `${dayPrefix(report.locationId, report.businessDay)}${report.reportId}`,
  });

  function fromStored(merchantId: string, item: Item): StoredReport {
    const subject = `the stored report ${describeItem(item)}`;
    const stored = fromItem(storedSchema, item, subject);
    const [, locationId = "", businessDay = "", ...rest] = stored.SK.split("#");
    return {
      merchantId, locationId, businessDay, reportId: rest.join("#"), status: stored.status, alert: stored.alert,
      content: contentOf(reportContentText(item, subject), subject), createdAt: stored.createdAt, deliveredTo: [...(stored.deliveredTo ?? [])],
      ...(stored.deliveredAt ? { deliveredAt: stored.deliveredAt } : {}),
      ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}),
    };
  }

  async function listBetween(merchantId: string, from: string, to: string): Promise<StoredReport[]> {
    const items = await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "PK = :partition AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":from": from, ":to": to },
      ConsistentRead: true,
    });
    return items.map((item) => fromStored(merchantId, item)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  return {
    async save(report, options = {}) {
      if (options.replace) {
        // A failure failing again: one report, its content brought up to date, its alert not sent again.
        await client.send(new UpdateCommand({
          TableName: tableName, Key: keyOf(report),
          UpdateExpression: "SET #status = :status, #alert = :alert, #contentZ = :content, #createdAt = if_not_exists(#createdAt, :createdAt), #updatedAt = :createdAt REMOVE #content",
          ExpressionAttributeNames: names("status", "alert", "content", "contentZ", "createdAt", "updatedAt"),
          ExpressionAttributeValues: { ":status": report.status, ":alert": report.alert, ":content": compressText(JSON.stringify(report.content)), ":createdAt": report.createdAt },
        }));
        return;
      }
      // A report with this id exists already: the job ran before, and that report stands.
      await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: {
          ...keyOf(report),
          status: report.status,
          alert: report.alert,
          contentZ: compressText(JSON.stringify(report.content)),
          createdAt: report.createdAt,
          expiresAt: report.status === "failed" ? daysAfter(report.createdAt, FAILURE_REPORT_DAYS) : businessDayExpiresAt(report.businessDay),
        },
        ConditionExpression: "attribute_not_exists(PK)",
      })));
    },

    async listDay(merchantId, locationId, businessDay, undeliveredOnly = false) {
      const prefix = dayPrefix(locationId, businessDay);
      return (await listBetween(merchantId, prefix, `${prefix}\uffff`)).filter((report) => !undeliveredOnly || report.deliveredAt === undefined);
    },

    async listDays(merchantId, locationId, fromDay, toDay) {
      return (await listBetween(merchantId, dayPrefix(locationId, fromDay), `${dayPrefix(locationId, toDay)}\uffff`))
        .sort((a, b) => a.businessDay.localeCompare(b.businessDay) || a.createdAt.localeCompare(b.createdAt));
    },

    async markDeliveredTo(report, hash) {
      await client.send(new UpdateCommand({
        TableName: tableName, Key: keyOf(report),
        UpdateExpression: "ADD deliveredTo :hash", ExpressionAttributeValues: { ":hash": new Set([hash]) },
      }));
    },

    async markDelivered(report, at) {
      await client.send(new UpdateCommand({
        TableName: tableName, Key: keyOf(report),
        UpdateExpression: "SET deliveredAt = :at", ExpressionAttributeValues: { ":at": at.toISOString() },
      }));
    },
  };
}
