/**
 * What the first page that reads a provider loads (lib/wiring/api.ts): the pages' readers, with the
 * POS readers, the QuickBooks client and the summarisers.
 */
export { pageReaders } from "../provider-apis";
