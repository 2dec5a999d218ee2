/**
 * The go-live preview: the location's last complete day, read from its POS and summarised exactly as
 * the nightly sync does (the real readers and summarisers), turned into the journal entry daybook
 * would post with the mapping as it is now (the real entry builder), in words a person reads: "Credit
 * Sales – Food 1,234.00 to 4010 Sales – Food". Nothing is written anywhere, QuickBooks least of all.
 */
import { accountLabel } from "../domain/account-label";
import { dayWindowOf } from "../domain/day-settings";
import { buildJournalEntry, leftOnDefault, type PostingType } from "../domain/journal-entry";
import type { DailySummary } from "../domain/summary";
import type { AccountLabel, Connection, LocationConfig } from "../model";
import type { QuickBooksAccount } from "../quickbooks/types";
import { labelOf } from "./account-labels";
import type { ProviderReaders } from "./readers";

export interface PreviewLine {
  side: PostingType;
  description: string;
  /** Minor units, positive. */
  amount: number;
  /** The account as a person reads it (accountLabel). */
  account: string;
}

export interface DayPreview {
  businessDay: string;
  currency: string;
  lines: PreviewLine[];
  /** Each side's total, minor units. */
  total: number;
  /** Why the day would be held for review instead of posted, if it would. */
  heldReason?: string;
  /** What the day's report would tell the accountant. */
  warnings: string[];
  /** The day's figures, for the mapping page's list of items. */
  summary: DailySummary;
}

/** The chart's numbers and names by account Id, for accountLabel: those the company uses now, over those captured before. */
export function chartLabels(chart: readonly QuickBooksAccount[], known: Readonly<Record<string, AccountLabel>> = {}): Record<string, AccountLabel> {
  return { ...known, ...Object.fromEntries(chart.map((account) => [account.id, labelOf(account)])) };
}

export async function previewDay(
  readers: Pick<ProviderReaders, "posDay">, location: LocationConfig, pos: Connection, businessDay: string, now: Date, labels: Readonly<Record<string, AccountLabel>>,
): Promise<DayPreview> {
  const { summary, warnings } = await readers.posDay(location, pos, dayWindowOf(location, businessDay), now);
  const seen = new Set(location.mappingSeen);
  const entry = buildJournalEntry(summary, location.mapping, { source: location.source, locationId: location.locationId, businessDay, revision: 0, accountLabels: labels });
  return {
    businessDay,
    currency: entry.currency,
    lines: entry.lines.map((line) => ({ side: line.postingType, description: line.description, amount: line.amount, account: accountLabel(line.accountId, labels) })),
    total: entry.total,
    ...(entry.held && entry.holdReason ? { heldReason: entry.holdReason } : {}),
    // As the report will: an item the mapping was saved with on Default is not worth a word.
    warnings: [...warnings, ...entry.warnings].filter((warning) => !leftOnDefault(warning, seen)).map((warning) => warning.message),
    summary,
  };
}
