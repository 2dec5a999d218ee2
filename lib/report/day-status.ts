/**
 * A day posted before whose check for later changes (its re-check) failed is posted: its entries stand
 * in QuickBooks, and only a change since is not posted yet. Said the same way wherever a person reads
 * a day's state: its report and subject (sync-report.ts), the digest (digest-document.ts), the history
 * page and the accountant's client list. Only a day with nothing in QuickBooks failed.
 */
export const RECHECK_FAILED_WORDS = "Posted; the check for later changes failed";

/** The same, where a table cell has little room (the digest's lines). */
export const RECHECK_FAILED_SHORT = "Posted; re-check failed";

/** A failed day with entries in QuickBooks: what failed is its re-check, not its posting. */
export function recheckFailed(state: string, hasEntries: boolean): boolean {
  return state === "failed" && hasEntries;
}
