/**
 * The API's days, reports and locations, from what daybook keeps: the sync records (status, the
 * POS's figures, each posted entry's DocNumber and figures), the reports (the lines each entry was
 * posted with, as they went out) and the location (its accounts' numbers and names). Pure.
 */
import { accountLabel } from "../domain/account-label";
import type { EntryLine } from "../domain/journal-entry";
import { subtractMinor, sumMinor } from "../domain/money";
import { addSummaries, bucketTotal, type DailySummary } from "../domain/summary";
import type { LocationStatus } from "../members/types";
import type { LocationConfig, SyncRecord } from "../model";
import { recheckFailed } from "../report/day-status";
import type { StoredReport } from "../report/report-store";
import type { ApiDay, ApiEntry, ApiFigures, ApiLine, ApiLocation, ApiReport } from "./schemas";

export function figuresOf(summary: DailySummary): ApiFigures {
  const grossSales = bucketTotal(summary.sales);
  const returns = bucketTotal(summary.returns);
  return {
    currency: summary.currency,
    grossSales,
    returns,
    discounts: summary.discounts,
    netSales: subtractMinor(subtractMinor(grossSales, returns), summary.discounts),
    tax: bucketTotal(summary.tax),
    tips: summary.tips,
    serviceCharges: sumMinor(bucketTotal(summary.serviceCharges), bucketTotal(summary.autoGratuities)),
    giftCardSales: summary.giftCardSales,
    fees: summary.fees,
  };
}

/** The day as the POS last reported it, else as posted (the entries' summaries add up to the day). */
function dayFiguresOf(record: SyncRecord): ApiFigures | null {
  if (record.lastSummary) return figuresOf(record.lastSummary);
  const [first, ...rest] = record.posted.map((entry) => entry.summary);
  if (!first || rest.some((summary) => summary.currency !== first.currency)) return null;
  return figuresOf(rest.reduce(addSummaries, first));
}

export function apiLine(line: EntryLine, labels: LocationConfig["accountLabels"]): ApiLine {
  const label = labels?.[line.accountId];
  return {
    description: line.description,
    postingType: line.postingType,
    amount: line.amount,
    account: { id: line.accountId, number: label?.number ?? null, name: label?.name ?? null, label: accountLabel(line.accountId, labels) },
  };
}

/** A posted entry's report id (lib/report/report-store.ts reportIdFor): its revision. */
const postedReportId = (revision: number) => `R${String(revision).padStart(4, "0")}`;

export function apiDay(record: SyncRecord, reports: readonly StoredReport[], location: Pick<LocationConfig, "accountLabels">): ApiDay {
  const sent = new Map(reports.filter((report) => report.businessDay === record.businessDay).map((report) => [report.reportId, report]));
  const entries = [...record.posted].sort((a, b) => a.revision - b.revision).map((entry): ApiEntry => {
    const lines = sent.get(postedReportId(entry.revision))?.content.entry?.lines;
    return {
      docNumber: entry.docNumber,
      revision: entry.revision,
      kind: entry.revision === 0 ? "original" : "adjustment",
      txnDate: entry.txnDate,
      postedAt: entry.postedAt,
      quickBooksEntryId: entry.entryId,
      figures: figuresOf(entry.summary),
      lines: lines ? lines.map((line) => apiLine(line, location.accountLabels)) : null,
    };
  });
  return {
    businessDay: record.businessDay,
    status: record.state,
    recheckFailed: recheckFailed(record.state, record.posted.length > 0),
    figures: dayFiguresOf(record),
    entries,
    heldReason: record.state === "held" ? (record.heldReason ?? null) : null,
    failure: record.state === "failed" && record.lastError ? { kind: record.lastError.kind, message: record.lastError.message } : null,
  };
}

export function apiReport(report: StoredReport, publicUrl: string): ApiReport {
  const { content } = report;
  return {
    id: report.reportId,
    businessDay: report.businessDay,
    status: report.status,
    recheckFailed: recheckFailed(report.status, (content.postedBefore ?? []).length > 0),
    createdAt: report.createdAt,
    docNumber: content.entry?.docNumber ?? null,
    heldReason: content.heldReason ?? null,
    failure: content.failure ? { kind: content.failure.kind, message: content.failure.message } : null,
    warnings: content.warnings.map((warning) => ({ code: warning.code, message: warning.message })),
    url: `${publicUrl}/days/${encodeURIComponent(report.locationId)}/${report.businessDay}`,
  };
}

export function apiLocation(location: LocationConfig, last: LocationStatus | undefined): ApiLocation {
  return {
    id: location.locationId,
    businessId: location.merchantId,
    name: location.name,
    source: location.source,
    timeZone: location.timeZone,
    dayStart: location.dayStart,
    currency: location.currency,
    lastDay: last ? { businessDay: last.businessDay, status: last.state, recheckFailed: recheckFailed(last.state, last.posted === true) } : null,
  };
}
