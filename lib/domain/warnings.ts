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
}
