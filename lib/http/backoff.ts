/**
 * Retry delays: exponential backoff with full jitter, honouring a server's Retry-After (seconds or an
 * HTTP date) when it sends one. `random` and `now` are passed in so tests are deterministic.
 */
export interface BackoffOptions {
  /** First delay's upper bound, ms. */
  baseMs?: number;
  /** No delay is longer than this, ms, Retry-After included. */
  maxMs?: number;
  random?: () => number;
  now?: () => number;
}

export function retryAfterMs(header: string | null | undefined, now: () => number = Date.now): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/** Delay before retry number `attempt` (1 for the first retry). */
export function backoffDelayMs(attempt: number, retryAfter: string | null | undefined, options: BackoffOptions = {}): number {
  const { baseMs = 200, maxMs = 20_000, random = Math.random, now = Date.now } = options;
  const told = retryAfterMs(retryAfter, now);
  if (told !== undefined) return Math.min(told, maxMs);
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
