/**
 * Sync reports as sent, kept for the life of the account (no TTL) under the merchant's partition:
 * `REPORT#<locationId>#<businessDay>#<report id>` (reportIdFor: a posted entry's revision, a held
 * entry's lines, a failure's time), so a retried job writes the same item again instead of a second report. Each item also
 * remembers who it was delivered to, so a job retried after sending to some recipients sends only to
 * the rest, and a report saved but not yet sent goes out on the day's next run.
 */
import { createHash } from "node:crypto";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { queryAll } from "../store/dynamo-items";
import { keys } from "../store/keys";
import { z } from "../validation";
import type { MerchantItemsTable } from "./merchant-items";
import type { SyncReportInput } from "./sync-report";

/** What is kept: the report's facts, without the per-recipient unsubscribe link or the approve link (capabilities). */
export type StoredReportContent = Omit<SyncReportInput, "unsubscribeUrl" | "approveUrl">;

export interface StoredReport {
  merchantId: string;
  locationId: string;
  businessDay: string;
  /** The last SK segment (reportIdFor). */
  reportId: string;
  status: SyncReportInput["status"];
  /** The merchant is alerted at once as well (failures). */
  alert: boolean;
  content: StoredReportContent;
  createdAt: string;
  /** Hashes of the addresses it went to ("owner" for the alert). */
  deliveredTo: string[];
  /** Set once every recipient has it. */
  deliveredAt?: string;
}

const storedSchema = z.object({
  SK: z.string(),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  alert: z.boolean(),
  content: z.string(),
  createdAt: z.string(),
  deliveredTo: z.optional(z.unknown()),
  deliveredAt: z.optional(z.string()),
});

const PREFIX = "REPORT#";
const dayPrefix = (locationId: string, businessDay: string) => `${PREFIX}${locationId}#${businessDay}#`;

/**
 * A report's id within its day, the same for the same news, so a retried job rewrites one report
 * rather than adding a second: a posted entry by its revision, a held entry by its lines, "no sales"
 * once; a failure by its time.
 */
export function reportIdFor(status: SyncReportInput["status"], detail: { revision?: number; heldLines?: unknown }, now: Date): string {
  if ((status === "posted" || status === "adjusted") && detail.revision !== undefined) return `R${String(detail.revision).padStart(4, "0")}`;
  if (status === "held") return `H-${createHash("sha256").update(JSON.stringify(detail.heldLines ?? null)).digest("hex").slice(0, 16)}`;
  if (status === "no-sales") return "NOSALES";
  return `F-${now.toISOString()}`;
}

/** Saves the report unless one with its id exists (a retry), and returns the stored one. */
export async function saveReport(table: MerchantItemsTable, report: Omit<StoredReport, "deliveredTo" | "deliveredAt">): Promise<void> {
  try {
    await table.client.send(new PutCommand({
      TableName: table.tableName,
      Item: {
        PK: keys.merchantPartition(report.merchantId),
        SK: `${dayPrefix(report.locationId, report.businessDay)}${report.reportId}`,
        status: report.status,
        alert: report.alert,
        content: JSON.stringify(report.content),
        createdAt: report.createdAt,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    }));
  } catch (error) {
    if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
  }
}

function fromStored(merchantId: string, item: Record<string, unknown>): StoredReport {
  const stored = storedSchema.parse(item);
  const [, locationId = "", businessDay = "", ...rest] = stored.SK.split("#");
  const delivered = stored.deliveredTo instanceof Set ? [...(stored.deliveredTo as Set<string>)] : [];
  return {
    merchantId, locationId, businessDay, reportId: rest.join("#"), status: stored.status, alert: stored.alert,
    content: JSON.parse(stored.content) as StoredReportContent, createdAt: stored.createdAt, deliveredTo: delivered,
    ...(stored.deliveredAt ? { deliveredAt: stored.deliveredAt } : {}),
  };
}

/** The reports of one location-day, oldest first; with `undeliveredOnly`, those some recipient still lacks. */
export async function listDayReports(
  table: MerchantItemsTable, merchantId: string, locationId: string, businessDay: string, undeliveredOnly = false,
): Promise<StoredReport[]> {
  const items = await queryAll(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": dayPrefix(locationId, businessDay) },
    ConsistentRead: true,
  });
  return items.map((item) => fromStored(merchantId, item))
    .filter((report) => !undeliveredOnly || report.deliveredAt === undefined)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Every report of the merchant, newest first (the web's list of days). */
export async function listReports(table: MerchantItemsTable, merchantId: string): Promise<StoredReport[]> {
  const items = await queryAll(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": PREFIX },
  });
  return items.map((item) => fromStored(merchantId, item)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const reportKey = (report: StoredReport) => ({
  PK: keys.merchantPartition(report.merchantId), SK: `${dayPrefix(report.locationId, report.businessDay)}${report.reportId}`,
});

export async function markDeliveredTo(table: MerchantItemsTable, report: StoredReport, hash: string): Promise<void> {
  await table.client.send(new UpdateCommand({
    TableName: table.tableName, Key: reportKey(report),
    UpdateExpression: "ADD deliveredTo :hash", ExpressionAttributeValues: { ":hash": new Set([hash]) },
  }));
}

export async function markDelivered(table: MerchantItemsTable, report: StoredReport, at: Date): Promise<void> {
  await table.client.send(new UpdateCommand({
    TableName: table.tableName, Key: reportKey(report),
    UpdateExpression: "SET deliveredAt = :at", ExpressionAttributeValues: { ":at": at.toISOString() },
  }));
}
