/**
 * What the first read of Square payouts loads (lib/wiring/provider-apis.ts's payoutApis): their reader,
 * for the Square locations whose mapping posts payouts.
 */
export { createSquarePayoutReader } from "../../pos/square/payouts";
