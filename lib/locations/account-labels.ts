/**
 * The names of a location's mapped accounts, captured from the QuickBooks chart of accounts whenever
 * daybook has just read it for another reason (a mapping saved, a mapping suggested, QuickBooks
 * refusing an entry because an account changed), and kept on the location (LocationConfig.accountLabels):
 * pages, reports and warnings show them (lib/domain/account-label.ts), and no night reads the chart to
 * show a name.
 */
import type { Mapping } from "../domain/mapping";
import type { AccountLabel } from "../model";
import type { QuickBooksAccount } from "../quickbooks/types";

/** Every account Id the mapping names: its defaults, its per-category, tender, tax, charge and item accounts, and its payout accounts. */
export function mappedAccountIds(mapping: Mapping): string[] {
  const ids = new Set<string>(Object.values(mapping.defaults));
  for (const byKey of [mapping.categories, mapping.tenders, mapping.taxes, mapping.serviceCharges, mapping.nonRevenue, mapping.payouts]) {
    for (const id of Object.values(byKey ?? {})) if (id) ids.add(id);
  }
  return [...ids].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** An account as a person reads it in the chart: its number where it has one, and its full name (Parent:Child for a sub-account). */
export function labelOf(account: Pick<QuickBooksAccount, "name" | "fullyQualifiedName" | "acctNum">): AccountLabel {
  const name = account.fullyQualifiedName.trim() || account.name;
  return account.acctNum ? { name, number: account.acctNum } : { name };
}

/**
 * The labels of the mapping's accounts, from the chart as just read. An account the chart no longer
 * lists (made inactive, which is how QuickBooks deletes) keeps the label it had in `previous`: its
 * name is still the best way to tell the merchant which account it was. Accounts the mapping no
 * longer names are dropped.
 */
export function captureAccountLabels(
  chart: readonly QuickBooksAccount[], mapping: Mapping, previous: Readonly<Record<string, AccountLabel>> = {},
): Record<string, AccountLabel> {
  const byId = new Map(chart.map((account) => [account.id, account]));
  const labels: Record<string, AccountLabel> = {};
  for (const id of mappedAccountIds(mapping)) {
    const account = byId.get(id);
    const label = account ? labelOf(account) : previous[id];
    if (label) labels[id] = label;
  }
  return labels;
}
