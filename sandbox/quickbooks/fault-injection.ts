/**
 * Faults a test asks for: throttling, server errors, slowness, truncated bodies, dropped connections,
 * 401s and invalid_grant, on the requests it selects, a fixed number of times or with a probability
 * drawn from a seeded generator so a failing run can be replayed.
 */
import type { ServerResponse } from "node:http";
import { qboTimestamp } from "./clock";
import { authenticationFaultBody, OAuthProblem, SERVICE_UNAVAILABLE_PAGE, systemFaultBody, throttleFaultBody, type AuthFaultStyle } from "./faults";
import { JSON_HEADERS } from "./state";

/** Which endpoint family a request hit. */
export type RequestKind = "api" | "token" | "revoke" | "authorize" | "other";

export type InjectedFault =
  /** 429 with the ThrottleExceeded (003001) Fault, and Retry-After when given. */
  | { kind: "429"; retryAfterSeconds?: number }
  /** 500 with a SystemFault; nothing is performed. */
  | { kind: "500" }
  /** 503 with an HTML page, as a load balancer sends it; nothing is performed. */
  | { kind: "503" }
  /** Waits `delayMs` (default: the simulator's slowDelayMs), then performs the request and answers. */
  | { kind: "slow"; delayMs?: number }
  /** Performs the request, sends the headers and half of the body, then closes the connection. */
  | { kind: "truncated" }
  /** 401 as for an expired access token (token endpoint: invalid_client); nothing is performed. */
  | { kind: "401" }
  /** 400 {"error":"invalid_grant"}; nothing is performed. */
  | { kind: "invalid_grant" }
  /** Performs the request (a create commits), then destroys the socket without answering. */
  | { kind: "drop-after-commit" };

export interface RequestInfo {
  method: string;
  path: string;
  kind: RequestKind;
  realmId?: string;
}

/** A request kind; or kind, method and path (a string matches the whole path or its end, e.g. "/journalentry"); or a predicate. */
export type RequestSelector =
  | RequestKind
  | { kind?: RequestKind; method?: string; path?: string | RegExp }
  | ((request: RequestInfo) => boolean);

export interface FaultRule {
  /** Which requests the rule applies to; every request when left out. */
  match?: RequestSelector;
  fault: InjectedFault;
  /** How many requests get the fault. Default 1, or unlimited when `probability` is given. */
  times?: number;
  /** Chance, 0 to 1, that a matching request gets the fault (seeded, see the `seed` option). */
  probability?: number;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export function selects(selector: RequestSelector | undefined, request: RequestInfo): boolean {
  if (selector === undefined) return true;
  if (typeof selector === "string") return request.kind === selector;
  if (typeof selector === "function") return selector(request);
  if (selector.kind !== undefined && selector.kind !== request.kind) return false;
  if (selector.method !== undefined && selector.method.toUpperCase() !== request.method) return false;
  if (selector.path === undefined) return true;
  return typeof selector.path === "string" ? request.path === selector.path || request.path.endsWith(selector.path) : selector.path.test(request.path);
}


export class FaultInjector {
  #rules: ActiveRule[] = [];

  constructor(private readonly random: () => number) {}

  add(rule: FaultRule): void {
    const { times, probability } = rule;
    if (times !== undefined && (!Number.isInteger(times) || times < 1)) throw new RangeError(`times must be a whole number of at least 1, got ${times}`);
    if (probability !== undefined && !(probability >= 0 && probability <= 1)) throw new RangeError(`probability must be from 0 to 1, got ${probability}`);
    this.#rules.push({ rule, remaining: times ?? (probability === undefined ? 1 : Infinity) });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault for this request, if a rule picks it; uses up one of that rule's `times`. */
  take(request: RequestInfo): InjectedFault | undefined {
    for (const active of this.#rules) {
      if (active.remaining <= 0 || !selects(active.rule.match, request)) continue;
      const { probability } = active.rule;
      if (probability !== undefined && this.random() >= probability) continue;
      active.remaining -= 1;
      return active.rule.fault;
    }
    return undefined;
  }
}

/**
 * The answer for a fault that replaces the request; undefined for the faults that let the request
 * through ("slow", "truncated", "drop-after-commit"), which the server applies around it.
 */
export function injectedFaultResponse(fault: InjectedFault, kind: RequestKind, context: { authFaultStyle: () => AuthFaultStyle; nowMs: number }): Response | undefined {
  const time = qboTimestamp(context.nowMs, true);
  switch (fault.kind) {
    case "429": {
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
      return new Response(throttleFaultBody(time), { status: 429, headers });
    }
    case "500":
      return new Response(systemFaultBody(time), { status: 500, headers: JSON_HEADERS });
    case "503":
      return new Response(SERVICE_UNAVAILABLE_PAGE, { status: 503, headers: { "Content-Type": "text/html" } });
    case "401":
      if (kind !== "api") return new Response(new OAuthProblem(401, "invalid_client").body(), { status: 401, headers: JSON_HEADERS });
      return new Response(authenticationFaultBody(context.authFaultStyle(), "Token expired", context.nowMs, time), { status: 401, headers: JSON_HEADERS });
    case "invalid_grant":
      return new Response(new OAuthProblem(400, "invalid_grant").body(), { status: 400, headers: JSON_HEADERS });
    case "slow":
    case "truncated":
    case "drop-after-commit":
      return undefined;
  }
}

/**
 * Sends the status line, the headers (with the full Content-Length) and half of the body, then cuts
 * the connection. @hono/node-server cannot end a response early, so this writes to Node's response.
 */
export async function sendTruncated(response: Response, outgoing: ServerResponse): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(response.headers.entries());
  headers["content-length"] = String(body.length);
  outgoing.writeHead(response.status, headers);
  outgoing.write(body.subarray(0, Math.floor(body.length / 2)), () => outgoing.socket?.destroy());
}
