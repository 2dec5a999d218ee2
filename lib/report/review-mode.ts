/**
 * Review mode, per merchant: when on, every entry is held with a report saying so, and posted only
 * when someone approves it (a signed link in the report, or the web). The sync decides what it means
 * for a day (lib/sync/sync-day.ts); MerchantSettings is where it is kept (lib/store/settings.ts).
 */
export interface MerchantSettings {
  /** Off until the merchant turns it on. */
  getReviewMode(merchantId: string): Promise<boolean>;
  setReviewMode(merchantId: string, reviewMode: boolean, now: Date): Promise<void>;
}
