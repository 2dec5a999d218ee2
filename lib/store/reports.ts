/**
 * The ReportStore (lib/report/report-store.ts) on the table: `MERCHANT#<id> / REPORT#<locationId>#<businessDay>#<reportId>`,
 * in the merchant's partition so account export and deletion take the reports along; kept 13 months
 * after the business day, a failure report 30 days (retention.ts). The report's
 * content is kept as JSON text and checked on the way out, like every other item.
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ReportStore, StoredReport, StoredReportContent } from "../report/report-store";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item, queryAll, unlessConditionFails } from "./dynamo-items";
import { keys } from "./keys";
import { StoreError } from "./errors";
import { businessDayExpiresAt, daysAfter, FAILURE_REPORT_DAYS } from "./retention";

export interface DynamoReportStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const PREFIX = "REPORT#";
const dayPrefix = (locationId: string, businessDay: string) => `${PREFIX}${locationId}#${businessDay}#`;

const storedSchema = z.object({
  SK: z.string().check(z.startsWith(PREFIX)),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  alert: z.boolean(),
  content: z.string(),
  createdAt: z.string().check(z.minLength(1)),
  // A string set, which the document client reads as a Set.
  deliveredTo: z.optional(z.set(z.string())),
  deliveredAt: z.optional(z.string()),
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
  connectionsUrl: z.string(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
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
      content: contentOf(stored.content, subject), createdAt: stored.createdAt, deliveredTo: [...(stored.deliveredTo ?? [])],
      ...(stored.deliveredAt ? { deliveredAt: stored.deliveredAt } : {}),
    };
  }

  return {
    async save(report) {
      // A report with this id exists already: the job ran before, and that report stands.
      await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: {
          ...keyOf(report),
          status: report.status,
          alert: report.alert,
          content: JSON.stringify(report.content),
          createdAt: report.createdAt,
          expiresAt: report.status === "failed" ? daysAfter(report.createdAt, FAILURE_REPORT_DAYS) : businessDayExpiresAt(report.businessDay),
        },
        ConditionExpression: "attribute_not_exists(PK)",
      })));
    },

    async listDay(merchantId, locationId, businessDay, undeliveredOnly = false) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": dayPrefix(locationId, businessDay) },
        ConsistentRead: true,
      });
      return items.map((item) => fromStored(merchantId, item))
        .filter((report) => !undeliveredOnly || report.deliveredAt === undefined)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
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
