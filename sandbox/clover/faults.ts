/**
 * Faults the Clover simulator injects on demand, so tests can prove a client survives them: 429s with
 * retry-after, 5xx, answers slower than the client's timeout, bodies cut off mid-JSON and refused
 * tokens. A rule selects requests, then fires `times` times, or with a seeded `probability`, or on
 * every selected request until removed (sandbox/faults.ts). Injected 429s are separate from the
 * simulator's own rate limiting (rate-limits.ts), which needs no rule.
 */
import { type FaultHandle, type FaultRule as GenericFaultRule, FaultRules, type RequestInfo as GenericRequestInfo } from "../faults";

export type CloverEndpoint =
  | "GetMerchant"
  | "GetMerchantProperties"
  | "ListOrders"
  | "GetOrder"
  | "ListOrderLineItems"
  | "ListPayments"
  | "ListRefunds"
  | "ListItems"
  | "ListCategories"
  | "ListTenders"
  | "ListTaxRates"
  | "GetDefaultServiceCharge"
  | "OAuthAuthorize"
  | "OAuthToken"
  | "OAuthRefresh"
  | "OAuthRecovery"
  | "NotFound";

export type FaultKind = "429" | "500" | "503" | "slow" | "truncated" | "401";

/** The X-RateLimit-* header an injected 429 names (reference/clover.md §4). */
export type RateLimitName = "tokenLimit" | "tokenConcurrentLimit" | "crossTokenLimit" | "crossTokenConcurrentLimit";

export interface Fault {
  kind: FaultKind;
  /** Sent as retry-after with a 429, 500 or 503. */
  retryAfterSeconds?: number;
  /** For a 429: the limit it says was hit; default crossTokenLimit (the app's limit, hit by other merchants' traffic). */
  limit?: RateLimitName;
  /** How long a "slow" answer takes; default 10 s, longer than any test client waits. */
  delayMs?: number;
  /** For "slow": send the headers and half the body at once, and stall before the rest. */
  stallBody?: boolean;
}

export type RequestInfo = GenericRequestInfo<CloverEndpoint>;
export type FaultRule = GenericFaultRule<CloverEndpoint, Fault>;
export type { FaultHandle };

export class FaultInjector extends FaultRules<CloverEndpoint, Fault> {}
