/**
 * A location-day's reports, kept for the life of the account (no TTL) in the merchant's partition, one
 * per location-day and report id (reportIdFor: a posted entry's revision, a held entry's lines, a
 * failure's kind), so a retried job writes the same report again instead of a second one, and a day
 * that fails again the same way updates its one failure report. The day page shows them; the digest
 * reads them for what needs attention. A report that alerts the merchant remembers that the alert
 * went ("alert" in deliveredTo), so it goes once however often the job runs.
 *
 * ReportStore is the storage port; lib/store/reports.ts implements it on the table.
 */
import { createHash } from "node:crypto";
import type { SyncReportInput } from "./sync-report";

/** What is kept: the report's facts, without the approve link (a capability, made afresh for each email that carries it). */
export type StoredReportContent = Omit<SyncReportInput, "approveUrl">;

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
  /** A failure report updated by a later failure of the same kind. */
  updatedAt?: string;
}

export interface ReportStore {
  /**
   * Saves the report unless one with its id exists already (a retry): then nothing changes, unless
   * `replace` is set (a failure failing again): then its content, status and updatedAt are replaced,
   * and its creation and deliveries kept.
   */
  save(report: Omit<StoredReport, "deliveredTo" | "deliveredAt" | "updatedAt">, options?: { replace?: boolean }): Promise<void>;
  /** The reports of one location-day, oldest first; with `undeliveredOnly`, those some recipient still lacks. */
  listDay(merchantId: string, locationId: string, businessDay: string, undeliveredOnly?: boolean): Promise<StoredReport[]>;
  /** The reports of a location's business days from `fromDay` to `toDay` (YYYY-MM-DD, both included), oldest day first, each day's oldest first. */
  listDays(merchantId: string, locationId: string, fromDay: string, toDay: string): Promise<StoredReport[]>;
  /** Adds an address hash (or the alert's mark) to those the report went to. */
  markDeliveredTo(report: StoredReport, hash: string): Promise<void>;
  /** Every recipient has the report. */
  markDelivered(report: StoredReport, at: Date): Promise<void>;
}

/**
 * A report's id within its day, the same for the same news, so a retried job rewrites one report
 * rather than adding a second: a posted entry by its revision, a held entry by its lines, "no sales"
 * once, a failure by its kind (a day failing again the same way updates its report; see save).
 */
export function reportIdFor(status: SyncReportInput["status"], detail: { revision?: number; heldLines?: unknown; failureKind?: string }): string {
  if ((status === "posted" || status === "adjusted") && detail.revision !== undefined) return `R${String(detail.revision).padStart(4, "0")}`;
  if (status === "held") return `H-${createHash("sha256").update(JSON.stringify(detail.heldLines ?? null)).digest("hex").slice(0, 16)}`;
  if (status === "no-sales") return "NOSALES";
  return `F-${detail.failureKind ?? "bug"}`;
}
