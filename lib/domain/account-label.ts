/**
 * How an account is shown to a person: "4010 Sales – Food" where the company numbers its accounts,
 * "Sales – Food" where it does not. The Id is for links and lookups only; an account whose name
 * daybook has not captured yet is "QuickBooks account 79", which says what the number is.
 */
import type { AccountLabel } from "../model";

export function accountLabel(accountId: string, labels: Readonly<Record<string, AccountLabel>> | undefined): string {
  const label = labels?.[accountId];
  if (!label) return `QuickBooks account ${accountId}`;
  return labelText(label);
}

/** "4010 Sales – Food", or "Sales – Food" without a number: one way everywhere, pages' account choices included. */
export function labelText(label: AccountLabel): string {
  return label.number ? `${label.number} ${label.name}` : label.name;
}
