/**
 * Faults the Square simulator injects on demand, so tests can prove a client survives them: rate
 * limits with Retry-After, 5xx, answers slower than the client's timeout, bodies cut off mid-JSON,
 * rejected tokens and rejected grants. A rule selects requests, then fires `times` times, or with a
 * seeded `probability`, or on every selected request until removed (sandbox/faults.ts).
 */
import { type FaultHandle, type FaultRule as GenericFaultRule, FaultRules, type RequestInfo as GenericRequestInfo } from "../faults";

export type SquareEndpoint =
  | "ListLocations"
  | "RetrieveLocation"
  | "SearchOrders"
  | "BatchRetrieveCatalogObjects"
  | "ListCatalog"
  | "ListPayments"
  | "ListPaymentRefunds"
  | "ListPayouts"
  | "GetPayout"
  | "ListPayoutEntries"
  | "Authorize"
  | "ObtainToken"
  | "RevokeToken"
  | "RetrieveTokenStatus"
  | "NotFound";

export type FaultKind = "429" | "500" | "503" | "slow" | "truncated" | "401" | "invalid_grant";

export interface Fault {
  kind: FaultKind;
  /** Sent as Retry-After with a 429, 500 or 503. */
  retryAfterSeconds?: number;
  /** How long a "slow" answer takes; default 10 s, longer than any test client waits. */
  delayMs?: number;
  /** For "slow": send the headers and half the body at once, and stall before the rest. */
  stallBody?: boolean;
}

export type RequestInfo = GenericRequestInfo<SquareEndpoint>;
export type FaultRule = GenericFaultRule<SquareEndpoint, Fault>;
export type { FaultHandle };

export class FaultInjector extends FaultRules<SquareEndpoint, Fault> {}
