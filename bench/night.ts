/**
 * Part 6: a night at scale, simulated. Every location of the fleet falls due at once (the worst case:
 * one zone's midnight plus the settle delay); the scheduler's tick enqueues them at the rate
 * bench/tick.ts measured on moto_server (a lower bound); the worker runs at the concurrency the stack
 * sizes from the fleet (infra/capacity.ts); each job takes the
 * measured CPU of a location-night plus its provider calls × a stated latency; SQS FIFO message groups
 * keep one job per QuickBooks company (here: per merchant) in flight, which also keeps each company
 * under its providers' rate limits (one job's calls at a time). Jobs are taken in the order they were
 * enqueued, each by the worker free soonest, waiting for its company's job before it if one is in
 * flight (a worker held while it waits, so the figure errs long). The due-index's shards put a
 * merchant's locations at unrelated places in the tick's order: a seeded shuffle stands in for that.
 */
import { workerConcurrencyFor } from "../infra/capacity";

export interface NightParameters {
  merchants: number;
  locationsPerMerchant: number;
  /** Seconds one location-night job takes: its CPU and its wait on the providers. */
  jobSeconds: number;
  /** Locations the scheduler's tick enqueues a second (bench/tick.ts measures it). */
  tickLocationsPerSecond: number;
  /** The night must end within this many hours of the last location's settle time. */
  hours: number;
}

export interface NightResult extends NightParameters {
  jobs: number;
  concurrency: number;
  /** From the moment every location is due until the tick has enqueued the last, s. */
  enqueuedSeconds: number;
  /** From the moment every location is due until the last job ends, s. */
  nightSeconds: number;
  /** Jobs that waited for their company's job before them. */
  waitedForCompany: number;
}

/** A seeded permutation of 0..n-1 (Fisher–Yates with a 32-bit LCG). */
function shuffled(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

export function simulateNight(p: NightParameters, seed = 17): NightResult {
  const jobs = p.merchants * p.locationsPerMerchant;
  const concurrency = workerConcurrencyFor({ locations: jobs, jobSeconds: p.jobSeconds, hours: p.hours });
  const order = shuffled(jobs, seed);
  const workers = new Float64Array(concurrency);
  const companyFreeAt = new Float64Array(p.merchants);
  let nightSeconds = 0;
  let waitedForCompany = 0;
  for (let k = 0; k < jobs; k++) {
    const company = Math.floor((order[k] as number) / p.locationsPerMerchant);
    const enqueuedAt = k / p.tickLocationsPerSecond;
    let soonest = 0;
    for (let w = 1; w < concurrency; w++) if ((workers[w] as number) < (workers[soonest] as number)) soonest = w;
    const free = Math.max(workers[soonest] as number, enqueuedAt);
    const start = Math.max(free, companyFreeAt[company] as number);
    if (start > free) waitedForCompany++;
    const end = start + p.jobSeconds;
    workers[soonest] = end;
    companyFreeAt[company] = end;
    if (end > nightSeconds) nightSeconds = end;
  }
  return { ...p, jobs, concurrency, enqueuedSeconds: jobs / p.tickLocationsPerSecond, nightSeconds, waitedForCompany };
}
