/** Something the sync report must tell the merchant's accountant; never a reason to fail the day. */
export interface Warning {
  code:
    | "unmapped-category"
    | "unmapped-tender"
    | "over-short"
    | "uncatalogued-item"
    | "unknown-refund-tender"
    | "unknown-tender-label"
    | "late-change"
    | "unknown-payout-activity"
    | "unmapped-payout-account";
  message: string;
  /**
   * What the warning is about, the same from night to night (an unmapped category's id, a tender's
   * key), so reports can say it in full once and then only count it (lib/report/warnings-seen.ts).
   */
  subject?: string;
}

/** An item the mapping has no account for (a category, a tender, a tax, ...): reported in full once. */
export function isUnmapped(warning: Pick<Warning, "code">): boolean {
  return warning.code.startsWith("unmapped-");
}
