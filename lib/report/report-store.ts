/**
 * Sync reports as sent, kept for the life of the account (no TTL) in the merchant's partition, one per
 * location-day and report id (reportIdFor: a posted entry's revision, a held entry's lines, a failure's
 * time), so a retried job writes the same report again instead of a second one. Each report also
 * remembers who it was delivered to, so a job retried after sending to some recipients sends only to
 * the rest, and a report saved but not yet sent goes out on the day's next run.
 *
 * ReportStore is the storage port; lib/store/reports.ts implements it on the table.
 */
import { createHash } from "node:crypto";
import type { SyncReportInput } from "./sync-report";

/** What is kept: the report's facts, without the per-recipient unsubscribe link or the approve link (capabilities). */
export type StoredReportContent = Omit<SyncReportInput, "unsubscribeUrl" | "approveUrl">;

export interface StoredReport {
  merchantId: string;
  locationId: string;
  businessDay: string;
  /** Unique within the location-day (reportIdFor). */
  reportId: string;
  status: SyncReportInput["status"];
  /** The merchant is alerted at once as well (failures). */
  alert: boolean;
  content: StoredReportContent;
  createdAt: string;
  /** Hashes of the addresses it went to ("alert" for the merchant's alert). */
  deliveredTo: string[];
  /** Set once every recipient has it. */
  deliveredAt?: string;
}

export interface ReportStore {
  /** Saves the report unless one with its id exists already (a retry): then nothing changes. */
  save(report: Omit<StoredReport, "deliveredTo" | "deliveredAt">): Promise<void>;
  /** The reports of one location-day, oldest first; with `undeliveredOnly`, those some recipient still lacks. */
  listDay(merchantId: string, locationId: string, businessDay: string, undeliveredOnly?: boolean): Promise<StoredReport[]>;
  /** One location's reports for the days from `from` to `to` (YYYY-MM-DD, both included), oldest day first, each day's oldest first. */
  listBetween(merchantId: string, locationId: string, from: string, to: string): Promise<StoredReport[]>;
  /** Adds an address hash (or the alert's mark) to those the report went to. */
  markDeliveredTo(report: StoredReport, hash: string): Promise<void>;
  /** Every recipient has the report. */
  markDelivered(report: StoredReport, at: Date): Promise<void>;
}

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
