/**
 * Fault machinery shared by the Square and Clover simulators. A rule selects requests (by endpoint and
 * an optional predicate), lets `skip` of them through, then fires `times` times, or with a seeded
 * `probability`, or on every selected request until removed; what a fault is and how it is answered
 * stays with each simulator. Slow answers wait on delays that closing the simulator cuts short, and
 * cut-off answers are sent in halves.
 */
import type { ServerResponse } from "node:http";

export interface RequestInfo<Endpoint extends string> {
  endpoint: Endpoint;
  method: string;
  path: string;
}

export interface FaultRule<Endpoint extends string, Fault> {
  /** Which endpoints; all when absent. */
  endpoint?: Endpoint | readonly Endpoint[];
  /** A finer selector, e.g. on the path. */
  match?: (request: RequestInfo<Endpoint>) => boolean;
  fault: Fault;
  /** Fire on this many selected requests, then stop. */
  times?: number;
  /** Fire on each selected request with this probability (seeded, so runs repeat). */
  probability?: number;
  /** Let this many selected requests through first (e.g. fault only the second page). */
  skip?: number;
}

export interface FaultHandle {
  /** How many times the rule has fired. */
  readonly injected: number;
  remove(): void;
}

interface ActiveRule<Endpoint extends string, Fault> {
  rule: FaultRule<Endpoint, Fault>;
  selected: number;
  injected: number;
}

export class FaultRules<Endpoint extends string, Fault> {
  private rules: ActiveRule<Endpoint, Fault>[] = [];

  constructor(private readonly random: () => number) {}

  add(rule: FaultRule<Endpoint, Fault>): FaultHandle {
    if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 1)) throw new Error("times must be a positive integer");
    if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new Error("probability must be within 0..1");
    const active: ActiveRule<Endpoint, Fault> = { rule, selected: 0, injected: 0 };
    this.rules.push(active);
    return {
      get injected() {
        return active.injected;
      },
      remove: () => {
        this.rules = this.rules.filter((candidate) => candidate !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to inject into this request, if a rule fires. */
  pick(request: RequestInfo<Endpoint>): Fault | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      const endpoints = rule.endpoint === undefined ? undefined : typeof rule.endpoint === "string" ? [rule.endpoint] : rule.endpoint;
      if (endpoints && !endpoints.includes(request.endpoint)) continue;
      if (rule.match && !rule.match(request)) continue;
      active.selected += 1;
      if (active.selected <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && active.injected >= rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      active.injected += 1;
      return rule.fault;
    }
    return undefined;
  }
}

/** Timers for slow answers, all of which `releaseAll` ends at once so a simulator closes promptly. */
export class PendingDelays {
  private readonly pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  releaseAll(): void {
    for (const release of [...this.pending]) release();
  }
}

/**
 * Sends the first half of the answer with the full Content-Length, then either drops the connection
 * (`rest` undefined) or sends the rest once `rest` resolves.
 */
export async function sendInHalves(response: Response, outgoing: ServerResponse, rest?: Promise<void>): Promise<void> {
  const bytes = Buffer.from(await response.text());
  const half = Math.floor(bytes.length / 2);
  outgoing.writeHead(response.status, { "Content-Type": "application/json", "Content-Length": String(bytes.length) });
  if (rest === undefined) {
    outgoing.write(bytes.subarray(0, half), () => outgoing.destroy());
    return;
  }
  outgoing.write(bytes.subarray(0, half));
  await rest;
  outgoing.end(bytes.subarray(half));
}
