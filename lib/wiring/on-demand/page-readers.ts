/**
 * What the first page that reads a provider loads (lib/wiring/api.ts): the pages' readers, with the
 * QuickBooks client; each POS's reader and summariser loads with the first page that reads that POS.
 */
export { pageReaders } from "../page-readers";
