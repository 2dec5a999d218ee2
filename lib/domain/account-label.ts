/**
 * How an account is shown to a person: "4010 Sales – Food" where the company numbers its accounts,
 * "Sales – Food" where it does not. The Id is for links and lookups only; an account whose name
 * daybook has not captured yet is "QuickBooks account 79", which says what the number is.
 */
import type { AccountLabel } from "../model";

export function accountLabel(accountId: string, labels: Readonly<Record<string, AccountLabel>> | undefined): string {
  const label = labels?.[accountId];
  return label ? labelText(label) : `QuickBooks account ${accountId}`;
}

/** A captured label as a person reads it: "4010 Sales – Food", or "Sales – Food" without a number. */
export const labelText = (label: AccountLabel): string => (label.number ? `${label.number} ${label.name}` : label.name);
