/**
 * The ReportStore (lib/report/report-store.ts) on the table: `MERCHANT#<id> / REPORT#<locationId>#<businessDay>#<reportId>`,
 * in the merchant's partition so account export and deletion take the reports along; kept 13 months
 * after the business day, a failure report 30 days (retention.ts). The report's content is kept packed
 * (`packed`, report-pack.ts: what the item and the content say already left out, the rest compressed
 * with a dictionary of the words reports share, about a twelfth of the JSON; writes, storage and
 * backups bill the bytes), or, where packing would not give back the very same JSON, as JSON text
 * compressed whole (`contentZ`, compressed.ts); either is checked on the way out, like every other item
 * (report-items.ts, which loads with the first read: a night job only writes). Reports written before
 * packing hold `contentZ`, and before that the text as it is (`content`); all read the same.
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ReportStore, StoredReport } from "../report/report-store";
import { type Item, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { accountGuard } from "./account-guard";
import { keys } from "./keys";
import { compressText, decompressText } from "./compressed";
import { packedBytes, packedText, packReport, unpackReport } from "./report-pack";
import { StoreError } from "./errors";
import { businessDayExpiresAt, daysAfter, FAILURE_REPORT_DAYS } from "./retention";

export interface DynamoReportStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export const REPORT_PREFIX = "REPORT#";
const PREFIX = REPORT_PREFIX;
const dayPrefix = (locationId: string, businessDay: string) => `${PREFIX}${locationId}#${businessDay}#`;

/** A stored report's content as JSON text, packed, compressed or not (the export reads it too). */
export function reportContentText(item: Item, subject: string): string {
  if (item["packed"] !== undefined) {
    const text = packedText(item["packed"], `the content of ${subject}`);
    const [, locationId = "", businessDay = ""] = String(item["SK"]).split("#");
    try {
      return JSON.stringify(unpackReport(text, { locationId, businessDay, status: String(item["status"]) }));
    } catch {
      throw new StoreError(`${subject} holds a packed report that does not unpack`);
    }
  }
  if (item["contentZ"] !== undefined) return decompressText(item["contentZ"], `the content of ${subject}`);
  if (typeof item["content"] === "string") return item["content"];
  throw new StoreError(`${subject} holds no report`);
}

export function createDynamoReportStore({ client, tableName }: DynamoReportStoreOptions): ReportStore {
  const keyOf = (report: Pick<StoredReport, "merchantId" | "locationId" | "businessDay" | "reportId">) => ({
    PK: keys.merchantPartition(report.merchantId), SK: `${dayPrefix(report.locationId, report.businessDay)}${report.reportId}`,
  });
  const guard = accountGuard({ client, tableName });

  /**
   * The content as kept: packed (report-pack.ts) when that gives back the very same report, else its
   * JSON compressed whole.
   */
  const keptContent = (report: Parameters<ReportStore["save"]>[0]): { name: "packed" | "contentZ"; bytes: Uint8Array } => {
    const packed = packReport(report.content, { locationId: report.locationId, businessDay: report.businessDay, status: report.status });
    return packed === undefined ? { name: "contentZ", bytes: compressText(JSON.stringify(report.content)) } : { name: "packed", bytes: packedBytes(packed) };
  };

  async function listBetween(merchantId: string, from: string, to: string): Promise<StoredReport[]> {
    const items = await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "PK = :partition AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":from": from, ":to": to },
      ConsistentRead: true,
    });
    // The reports' schemas load with the first read: a night job writes its report and reads none back.
    const { reportOf } = await import("./report-items");
    return items.map((item) => reportOf(merchantId, item)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  return {
    async save(report, options = {}) {
      const kept = keptContent(report);
      if (options.replace) {
        // A failure failing again: one report, its content brought up to date (in whichever form it is
        // kept now: the other goes), its alert not sent again.
        const other = kept.name === "packed" ? "contentZ" : "packed";
        await client.send(new UpdateCommand({
          TableName: tableName, Key: keyOf(report),
          UpdateExpression: `SET #status = :status, #alert = :alert, #${kept.name} = :content, #createdAt = if_not_exists(#createdAt, :createdAt), #updatedAt = :createdAt REMOVE #content, #${other}`,
          ExpressionAttributeNames: names("status", "alert", "content", "contentZ", "packed", "createdAt", "updatedAt"),
          ExpressionAttributeValues: { ":status": report.status, ":alert": report.alert, ":content": kept.bytes, ":createdAt": report.createdAt },
        }));
        await guard.settle(report.merchantId);
        return;
      }
      // A report with this id exists already: the job ran before, and that report stands.
      const written = await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: {
          ...keyOf(report),
          status: report.status,
          alert: report.alert,
          [kept.name]: kept.bytes,
          createdAt: report.createdAt,
          expiresAt: report.status === "failed" ? daysAfter(report.createdAt, FAILURE_REPORT_DAYS) : businessDayExpiresAt(report.businessDay),
        },
        ConditionExpression: "attribute_not_exists(PK)",
      })));
      if (written !== undefined) await guard.settle(report.merchantId);
    },

    async listDay(merchantId, locationId, businessDay, undeliveredOnly = false) {
      const prefix = dayPrefix(locationId, businessDay);
      return (await listBetween(merchantId, prefix, `${prefix}\uffff`)).filter((report) => !undeliveredOnly || report.deliveredAt === undefined);
    },

    async listDays(merchantId, locationId, fromDay, toDay) {
      return (await listBetween(merchantId, dayPrefix(locationId, fromDay), `${dayPrefix(locationId, toDay)}\uffff`))
        .sort((a, b) => a.businessDay.localeCompare(b.businessDay) || a.createdAt.localeCompare(b.createdAt));
    },

    // Marks only a report that is there: a mark never makes an item (of a deleted account, say) again.
    async markDeliveredTo(report, hash) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName, Key: keyOf(report),
        UpdateExpression: "ADD deliveredTo :hash", ConditionExpression: "attribute_exists(PK)", ExpressionAttributeValues: { ":hash": new Set([hash]) },
      })));
    },

    async markDelivered(report, at) {
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName, Key: keyOf(report),
        UpdateExpression: "SET deliveredAt = :at", ConditionExpression: "attribute_exists(PK)", ExpressionAttributeValues: { ":at": at.toISOString() },
      })));
    },
  };
}
