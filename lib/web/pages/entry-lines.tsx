/**
 * A journal entry's lines as pages show them, and an account as pages show it: its number and name
 * (lib/domain/account-label.ts), linking to where the location maps it. The Id is only ever in the
 * link, never in the text.
 */
import { accountLabel } from "../../domain/account-label";
import { formatDecimal } from "../../domain/money";
import type { AccountLabel } from "../../model";
import type { ReportLine } from "../../report/sync-report";
import { mappingPath } from "./mapping";

export function accountHref(locationId: string, accountId: string): string {
  return `${mappingPath(locationId)}#account-${encodeURIComponent(accountId)}`;
}

/** A line's account: the name the report kept, else the location's captured one. */
export function AccountName(props: { line: Pick<ReportLine, "accountId" | "accountLabel">; locationId: string; labels: Readonly<Record<string, AccountLabel>> | undefined }) {
  const { line } = props;
  return <a href={accountHref(props.locationId, line.accountId)}>{line.accountLabel ?? accountLabel(line.accountId, props.labels)}</a>;
}

/**
 * A journal entry's lines: the account by name, the description, debit and credit. On a phone each
 * line stacks into its own block, each value under its column's name (the stylesheet's table.stack).
 */
export function EntryLines(props: {
  currency: string; lines: readonly ReportLine[]; total: number; locationId: string; labels: Readonly<Record<string, AccountLabel>> | undefined;
}) {
  const { currency } = props;
  const total = formatDecimal(props.total, currency);
  return (
    <table class="stack">
      <caption>Journal entry lines ({currency})</caption>
      <thead><tr><th scope="col">Account</th><th scope="col">Description</th><th scope="col" class="amount">Debit</th><th scope="col" class="amount">Credit</th></tr></thead>
      <tbody>
        {props.lines.map((line) => (
          <tr>
            <td data-label="Account"><AccountName line={line} locationId={props.locationId} labels={props.labels} /></td>
            <td data-label="Description">{line.description}</td>
            <td data-label="Debit" class="amount">{line.postingType === "Debit" ? formatDecimal(line.amount, currency) : ""}</td>
            <td data-label="Credit" class="amount">{line.postingType === "Credit" ? formatDecimal(line.amount, currency) : ""}</td>
          </tr>
        ))}
      </tbody>
      <tfoot><tr><th scope="row" colspan={2}>Total</th><td data-label="Debit" class="amount">{total}</td><td data-label="Credit" class="amount">{total}</td></tr></tfoot>
    </table>
  );
}
