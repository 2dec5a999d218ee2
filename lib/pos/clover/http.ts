/**
 * GET requests to Clover's REST API v3 on fetch, for the Clover reader. Every request of one caller
 * goes through one RequestPacer set to Clover's per-token limits (reference/clover.md §4), so the
 * reader never trips them by itself however much it asks for at once. What still fails is retried:
 * - 429 (another client on the same token, or the app-wide limit): wait retry-after, at least 1 s,
 *   backing off exponentially, and hold this caller's other requests meanwhile;
 * - 408 and 5xx (retry-after honoured), timeouts, dropped connections and bodies cut off mid-JSON:
 *   exponential backoff with jitter.
 * 401 and 403 mean the merchant must reconnect, 404 that the merchant (or what was asked for) is not
 * there; neither is retried. Errors never carry the token.
 */
import { backoffDelayMs } from "../../http/backoff";
import { RequestPacer } from "../../http/request-pacer";
import type { FailureKind } from "../../model";
import { CloverRequestError } from "./errors";
import { errorBodySchema } from "./responses";
import { withoutIds } from "../provider-text";

/** Query parameters in order; a name may repeat (Clover ANDs repeated `filter`s). */
export type Query = readonly (readonly [string, string])[];

export interface CloverCallerOptions {
  baseUrl: string;
  accessToken: () => Promise<string>;
  timeoutMs: number;
  /** Retries of one request. */
  maxRetries: number;
  /** How the caller waits before a retry. */
  sleep: (ms: number) => Promise<void>;
}

export interface CloverCaller {
  /** The parsed JSON body of a 2xx answer; `operation` names the call in errors, e.g. "ListOrders". */
  get(operation: string, path: string, query?: Query): Promise<unknown>;
}

/**
 * Clover allows 16 requests a second and 5 in flight per token, counted when requests arrive. Arrival
 * trails departure by a varying latency, so requests that left more than a second apart can land
 * within one second: any second at Clover holds what left within 1 s plus the latency's spread. The
 * pacer therefore counts a wider window: at most 15 requests in any 1.5 s, which keeps any second at
 * Clover within the limit while arrivals are up to 500 ms late relative to each other (13 per 1 s was
 * seen landing 17 in one second on a loaded CI machine).
 */
const PER_TOKEN_PACING = { perWindow: 15, windowMs: 1_500, maxInFlight: 5 };
const RETRY_BACKOFF = { baseMs: 250, maxMs: 5_000 };
/** After a 429 Clover wants at least a second's pause, then exponential backoff (its sample: 2^attempt s). */
const RATE_LIMIT_BACKOFF = { baseMs: 1_000, maxMs: 30_000 };
const MIN_RATE_LIMIT_WAIT_MS = 1_000;

type Attempt =
  | { answered: true; status: number; retryAfter: string | null; text: string }
  | { answered: false; reason: string };

/** What an attempt comes to: the body, a failure not worth retrying, or a problem to retry. */
type Verdict =
  | { body: unknown }
  | { final: string; kind: FailureKind; status: number }
  | { retry: string };

function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

/** What Clover said in an error body, for messages: "400 Bad Request: limit must be …". */
function describeAnswer(status: number, text: string): string {
  let said = "";
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) said = withoutIds([parsed.data.message, parsed.data.details].filter(Boolean).join(": "));
  } catch {
    // Not JSON (a proxy's page, say): the status alone will do.
  }
  return said ? `${status} ${said}` : String(status);
}

function judge(operation: string, result: Attempt): Verdict {
  if (!result.answered) return { retry: result.reason };
  const { status, text } = result;
  if (status >= 200 && status < 300) {
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      return { retry: "the answer's body was cut off" };
    }
  }
  const answer = describeAnswer(status, text);
  if (status === 401 || status === 403) {
    return { final: `Clover refused the access token on ${operation} (${answer}); the merchant must reconnect Clover.`, kind: "needs-reconnect", status };
  }
  if (status === 404) {
    return { final: `Clover found nothing for ${operation} (${answer}); check the merchant id and that the merchant still has daybook installed.`, kind: "needs-merchant", status };
  }
  if (status === 408 || status === 429 || status >= 500) return { retry: answer };
  return { final: `Clover refused ${operation} (${answer}).`, kind: "bug", status };
}

export function createCloverCaller(options: CloverCallerOptions): CloverCaller {
  const pacer = new RequestPacer(PER_TOKEN_PACING);

  async function attempt(url: string, token: string): Promise<Attempt> {
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        // Covers the body too: a body that stalls half way times out like a silent server.
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      return { answered: true, status: response.status, retryAfter: response.headers.get("retry-after"), text };
    } catch (error) {
      return { answered: false, reason: describeFailure(error) };
    }
  }

  /** Waits before retry number `retry`; after a 429 this caller's other requests wait too. */
  async function waitToRetry(retry: number, result: Attempt): Promise<void> {
    if (!result.answered || result.status !== 429) {
      await options.sleep(backoffDelayMs(retry, result.answered ? result.retryAfter : undefined, RETRY_BACKOFF));
      return;
    }
    const waiting = options.sleep(Math.max(MIN_RATE_LIMIT_WAIT_MS, backoffDelayMs(retry, result.retryAfter, RATE_LIMIT_BACKOFF)));
    pacer.pause(waiting);
    await waiting;
  }

  return {
    async get(operation, path, query = []) {
      const search = new URLSearchParams(query.map(([name, value]): [string, string] => [name, value])).toString();
      const url = `${options.baseUrl.replace(/\/+$/, "")}${path}${search ? `?${search}` : ""}`;
      for (let retry = 1; ; retry++) {
        const token = await options.accessToken();
        const result = await pacer.run(() => attempt(url, token));
        const verdict = judge(operation, result);
        if ("body" in verdict) return verdict.body;
        // Belt and braces: whatever Clover echoed, the token never leaves in an error.
        const scrub = (message: string) => message.replaceAll(token, "[token]");
        if ("final" in verdict) throw new CloverRequestError(scrub(verdict.final), verdict.kind, verdict.status);
        if (retry > options.maxRetries) {
          const status = result.answered ? result.status : undefined;
          throw new CloverRequestError(scrub(`Clover kept failing ${operation} (${verdict.retry}) after ${options.maxRetries} retries; try again later.`), "retryable", status);
        }
        await waitToRetry(retry, result);
      }
    },
  };
}
