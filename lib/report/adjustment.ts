/**
 * An adjustment explained: for each line of the day's entry that changed, what the day carried on it
 * before the adjustment and after. The sync record's posted entries hold the figures each revision
 * carried (revision 0 the whole day, each later one the difference), so the day before revision r is
 * the sum of revisions 0 to r − 1, and after it that plus revision r. Both are laid out as entries with
 * the location's mapping as it is now, and compared line by line (a line is its description and
 * account); the day's total as it now stands is the later entry's.
 */
import { buildJournalEntry, type EntryLine } from "../domain/journal-entry";
import { addSummaries, type DailySummary, emptySummary } from "../domain/summary";
import type { LocationConfig, SyncRecord } from "../model";
import type { AdjustmentDetail, AdjustmentChange } from "./sync-report";

export function adjustmentDetail(
  record: Pick<SyncRecord, "posted" | "businessDay">, revision: number, location: Pick<LocationConfig, "mapping" | "source" | "locationId" | "currency">,
): AdjustmentDetail | undefined {
  const original = record.posted.find((entry) => entry.revision === 0);
  const adjusting = record.posted.find((entry) => entry.revision === revision);
  if (!original || !adjusting || revision === 0) return undefined;
  const currency = adjusting.summary.currency;
  const before = record.posted.filter((entry) => entry.revision < revision).reduce<DailySummary>((sum, entry) => addSummaries(sum, entry.summary), emptySummary(currency));
  const after = addSummaries(before, adjusting.summary);
  const layout = (summary: DailySummary) => buildJournalEntry(summary, location.mapping, {
    source: location.source, locationId: location.locationId, businessDay: record.businessDay, revision, withCurrencyRef: false,
  });
  const beforeEntry = layout(before);
  const afterEntry = layout(after);
  return { originalDocNumber: original.docNumber, changes: changedLines(beforeEntry.lines, afterEntry.lines), dayTotal: afterEntry.total };
}

/** Lines keyed by description and account, signed debit-positive; those whose amount differs, in the later entry's order. */
export function changedLines(before: EntryLine[], after: EntryLine[]): AdjustmentChange[] {
  const signed = (line: EntryLine) => (line.postingType === "Debit" ? line.amount : -line.amount);
  const keyOf = (line: EntryLine) => `${line.description}\u0000${line.accountId}`;
  const rows = new Map<string, AdjustmentChange>();
  for (const line of after) rows.set(keyOf(line), { description: line.description, accountId: line.accountId, before: 0, after: signed(line) });
  for (const line of before) {
    const row = rows.get(keyOf(line)) ?? { description: line.description, accountId: line.accountId, before: 0, after: 0 };
    rows.set(keyOf(line), { ...row, before: signed(line) });
  }
  return [...rows.values()].filter((row) => row.before !== row.after);
}
