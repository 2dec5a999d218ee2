/**
 * Clover's per-token limits (reference/clover.md §4): 16 requests per rolling second and 5 in flight.
 * The simulator enforces them as Clover does, answering 429 with retry-after and the X-RateLimit-*
 * header that names the limit, and keeps per-token statistics of what clients actually sent, so a test
 * can show that a client never went over them.
 */

export const TOKEN_REQUESTS_PER_SECOND = 16;
export const TOKEN_CONCURRENT_REQUESTS = 5;
const WINDOW_MS = 1_000;

export interface RateStats {
  /** The most requests that arrived within any rolling second, refused ones included. */
  maxPerSecond: number;
  /** The most requests in flight at once, counting the one arriving. */
  maxConcurrent: number;
  /** 429s the simulator's own limits sent (injected faults not counted). */
  limited429s: number;
}

export type Admission =
  | { admitted: true; /** Ends the request's time in flight; safe to call more than once. */ release: () => void }
  | { admitted: false; limit: "tokenLimit" | "tokenConcurrentLimit"; retryAfterSeconds: number };

interface TokenTraffic {
  /** Arrival times within the last second. */
  arrivals: number[];
  /** Arrival times of the admitted requests within the last second. */
  admitted: number[];
  inFlight: number;
  stats: RateStats;
}

/** Drops the times that have left the rolling second (t − 1 s, t]. */
function trim(times: number[], now: number): void {
  while (times.length > 0 && (times[0] ?? 0) <= now - WINDOW_MS) times.shift();
}

export class TokenRateLimits {
  private readonly traffic = new Map<string, TokenTraffic>();

  /** `clock` counts in real milliseconds: clients pace themselves in real time, so the limits must too. */
  constructor(private readonly clock: () => number) {}

  admit(token: string): Admission {
    const now = this.clock();
    let traffic = this.traffic.get(token);
    if (!traffic) {
      traffic = { arrivals: [], admitted: [], inFlight: 0, stats: { maxPerSecond: 0, maxConcurrent: 0, limited429s: 0 } };
      this.traffic.set(token, traffic);
    }
    const { stats } = traffic;
    trim(traffic.arrivals, now);
    trim(traffic.admitted, now);
    traffic.arrivals.push(now);
    stats.maxPerSecond = Math.max(stats.maxPerSecond, traffic.arrivals.length);
    stats.maxConcurrent = Math.max(stats.maxConcurrent, traffic.inFlight + 1);

    if (traffic.inFlight >= TOKEN_CONCURRENT_REQUESTS) {
      stats.limited429s += 1;
      return { admitted: false, limit: "tokenConcurrentLimit", retryAfterSeconds: 1 };
    }
    const [oldest] = traffic.admitted;
    if (oldest !== undefined && traffic.admitted.length >= TOKEN_REQUESTS_PER_SECOND) {
      stats.limited429s += 1;
      return { admitted: false, limit: "tokenLimit", retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    traffic.admitted.push(now);
    traffic.inFlight += 1;
    const counted = traffic;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        counted.inFlight -= 1;
      },
    };
  }

  /** The statistics of these tokens together: the highest rate and concurrency of any, and all their 429s. */
  stats(tokens: readonly string[]): RateStats {
    const all = tokens.flatMap((token) => {
      const traffic = this.traffic.get(token);
      return traffic ? [traffic.stats] : [];
    });
    return {
      maxPerSecond: Math.max(0, ...all.map((stats) => stats.maxPerSecond)),
      maxConcurrent: Math.max(0, ...all.map((stats) => stats.maxConcurrent)),
      limited429s: all.reduce((sum, stats) => sum + stats.limited429s, 0),
    };
  }
}
