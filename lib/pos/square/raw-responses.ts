/**
 * Calls Square through the official SDK and hands back the response body exactly as Square sent it
 * (snake_case, amounts as JSON numbers), which is what the summariser validates.
 *
 * Why capture the text rather than convert the SDK's parsed objects back: the SDK turns every body into
 * camelCase objects with bigint amounts, and the way back (`serialization.X.jsonOrThrow`) returns
 * bigints again, keeps unknown fields in whatever case they came, and pulls in the serializers of the
 * whole API. Capturing the text through the SDK's `fetch` option keeps everything the SDK is good for
 * (auth header, Square-Version, URL and query building, request serialisation, retries of 408/429/5xx
 * honouring Retry-After, timeouts, SquareError) and loses nothing of the wire body. It also closes
 * two gaps in the SDK: its timeout stops at the response headers, so a body that stalls would hang
 * (here the body is read inside the timeout), and a 2xx body that is not JSON comes back from it as a
 * silent non-answer (here it fails to parse and the call is retried).
 *
 * The SDK retries statuses only. Timeouts, dropped connections and cut-off bodies are retried here,
 * with lib/http/backoff.ts.
 *
 * The SDK is CommonJS with one entry point, so a bundle holds all of it (about 3 MB minified) whatever
 * is imported, and evaluating it takes hundreds of milliseconds. It is loaded on the first call, so a
 * Lambda that imports this module but never calls Square does not pay for it.
 */
import type * as SquareSdk from "square";
import { loadSquareSdk } from "./sdk";
import type { SquareClient } from "square";
import { backoffDelayMs, sleep } from "../../http/backoff";
import { SquareRequestError } from "./errors";
import { withoutIds } from "../provider-text";

export type JsonObject = Record<string, unknown>;

export interface RawResponseOptions {
  baseUrl: string;
  accessToken: () => Promise<string>;
  timeoutMs: number;
  /** Retries of one request: by the SDK for 408/429/5xx, and here for timeouts, dropped connections and cut-off bodies. */
  maxRetries: number;
}

/** One SDK call; its parsed result is ignored in favour of the captured body. */
export type SdkCall = (client: SquareClient) => Promise<unknown>;

export interface RawResponseCaller {
  /** `operation` names the call in errors, e.g. "SearchOrders". */
  call(operation: string, run: SdkCall): Promise<JsonObject>;
}

interface Capture {
  text?: string;
  /** Set when the connection failed or the body could not be read to its end. */
  transportFailure?: unknown;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/** Backoff of the retries made here (the SDK's own start at 1 s, or at Retry-After). */
const RETRY_BACKOFF = { baseMs: 250, maxMs: 5_000 };

function capturingFetch(capture: Capture): typeof fetch {
  return async (input, init) => {
    capture.text = undefined;
    capture.transportFailure = undefined;
    try {
      const response = await fetch(input, init);
      // Read here, while the SDK's timeout signal is still armed: a stalled body times out too.
      const text = await response.text();
      capture.text = text;
      // The SDK would parse a success body into camelCase objects with bigints that daybook never
      // reads; it gets an empty object instead, and the captured text is what is returned.
      const forSdk = response.ok ? "{}" : text;
      return new Response(NULL_BODY_STATUSES.has(response.status) ? null : forSdk, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      capture.transportFailure = error;
      throw error;
    }
  };
}

class CutOffBody extends Error {}

function parseObject(text: string | undefined): JsonObject {
  let body: unknown;
  try {
    body = JSON.parse(text ?? "");
  } catch {
    throw new CutOffBody("the response body is not complete JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new CutOffBody("the response body is not a JSON object");
  return body as JsonObject;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns what the SDK threw into an error the sync can act on; undefined when it should be retried here. */
function classify(
  sdk: typeof SquareSdk, error: unknown, capture: Capture, operation: string, options: RawResponseOptions,
): SquareRequestError | undefined {
  if (error instanceof sdk.SquareTimeoutError || error instanceof CutOffBody || capture.transportFailure !== undefined) return undefined;
  if (!(error instanceof sdk.SquareError)) throw error;
  const status = error.statusCode;
  const first = error.errors[0];
  const code = first?.code;
  const said = [code, first?.detail && withoutIds(first.detail)].filter(Boolean).join(": ");
  const answer = `${status ?? "no status"}${said ? ` ${said}` : ""}`;
  if (status === 401) {
    return new SquareRequestError(`Square rejected the access token on ${operation} (${answer}); the merchant must reconnect Square.`, "needs-reconnect", status, code);
  }
  if (status === 403) {
    return new SquareRequestError(`Square refused ${operation} for this connection (${answer}); the merchant must reconnect Square and grant access.`, "needs-reconnect", status, code);
  }
  if (status === 404) {
    return new SquareRequestError(`Square found nothing for ${operation} (${answer}); check the location in Square.`, "needs-merchant", status, code);
  }
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return new SquareRequestError(`Square kept failing ${operation} after ${options.maxRetries} retries (${answer}); try again later.`, "retryable", status, code);
  }
  return new SquareRequestError(`Square refused ${operation} (${answer}).`, "bug", status, code);
}

export function createRawResponseCaller(options: RawResponseOptions): RawResponseCaller {
  return {
    async call(operation, run) {
      const sdk = await loadSquareSdk();
      for (let attempt = 1; ; attempt++) {
        const capture: Capture = {};
        // A client per call, so each captured body belongs to its own call even when calls overlap.
        const client = new sdk.SquareClient({
          baseUrl: options.baseUrl,
          token: options.accessToken,
          timeoutInSeconds: options.timeoutMs / 1000,
          maxRetries: options.maxRetries,
          fetch: capturingFetch(capture),
        });
        let failure: unknown;
        try {
          await run(client);
          return parseObject(capture.text);
        } catch (error) {
          failure = error;
        }
        const final = classify(sdk, failure, capture, operation, options);
        if (final) throw final;
        if (attempt > options.maxRetries) {
          const what = failure instanceof sdk.SquareTimeoutError
            ? `did not answer within ${options.timeoutMs} ms`
            : `broke off (${describeFailure(capture.transportFailure ?? failure)})`;
          throw new SquareRequestError(`Square ${what} on ${operation}, ${attempt} times; try again later.`, "retryable");
        }
        await sleep(backoffDelayMs(attempt, undefined, RETRY_BACKOFF));
      }
    },
  };
}
