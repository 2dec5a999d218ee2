/**
 * How many worker invocations may run at once (the SQS event source's maximum concurrency), sized from
 * the fleet: a zone's locations all fall due at once (their day's end plus the settle delay), and each
 * location-night job takes about `jobSeconds` (mostly waiting on the POS and QuickBooks), so finishing
 * the busiest zone's night within `hours` needs locations × jobSeconds ÷ (hours × 3600) jobs running
 * at once, with headroom for retries and slow providers. FIFO message groups still keep one job per
 * QuickBooks company in flight, whatever the concurrency. bench/night.ts simulates the night with it.
 */
export interface Fleet {
  /** Locations due in the busiest zone's night. */
  locations: number;
  /** Seconds one location-night job takes, provider latency included (bench/night.ts measures and states it). */
  jobSeconds: number;
  /** The night must end this many hours after its locations fall due. */
  hours: number;
}

/** Lambda's ceiling for an SQS event source's maximum concurrency. */
export const MAX_EVENT_SOURCE_CONCURRENCY = 1000;
/** AWS's floor for it. */
export const MIN_EVENT_SOURCE_CONCURRENCY = 2;
const HEADROOM = 1.5;

export function workerConcurrencyFor(fleet: Fleet): number {
  const needed = Math.ceil((fleet.locations * fleet.jobSeconds * HEADROOM) / (fleet.hours * 3600));
  return Math.min(MAX_EVENT_SOURCE_CONCURRENCY, Math.max(MIN_EVENT_SOURCE_CONCURRENCY, needed));
}

/**
 * The worker's timeout, minutes: Lambda's most. A job reads a POS's pages one after another (each
 * page's cursor comes with the page before), so the busiest day sets it, not the usual one: a 100k-order
 * Square day is about 1,300 ListPayments pages (100 a page, shared/reference/square.md), about 390 s at
 * the 300 ms a provider call the cost model states (bench/cost.ts). At 5 minutes every attempt of that
 * day was cut off and it was never posted. Lambda bills the time a job takes, not its timeout.
 */
export const WORKER_TIMEOUT_MINUTES = 15;

/** The fleet cdk.json describes by default: 20,000 locations in one zone's night, 4-second jobs, within 1.5 hours. */
export const DEFAULT_FLEET: Fleet = { locations: 20_000, jobSeconds: 4, hours: 1.5 };

/**
 * Each function's memory, MB (Lambda bills GB-seconds, and CPU comes with memory). The worker waits on
 * the POS and QuickBooks for most of a job, and Lambda bills every waiting second by memory, so it runs
 * at 256 MB: half of 512's GB-seconds while it waits, at twice the CPU time (0.145 of a vCPU). It holds
 * a 100k-order day because pages are validated where they lie and read one at a time: `npm run bench
 * -- --cost` runs that day of each POS through the worker at this memory, with the V8 flags Lambda's
 * Node runtime gives it, and fails if the peak resident set exceeds it (bench/worker-memory.ts). The
 * cost model (bench/cost.ts) bills these figures.
 */
export const FUNCTION_MEMORY_MB = { api: 1024, scheduler: 512, worker: 256 } as const;

/**
 * The V8 flags Lambda's Node runtime starts a function of `memoryMb` with: /var/runtime/bootstrap of
 * AWS's Node base image (public.ecr.aws/lambda/nodejs; read from the nodejs18.x image) sets new space to
 * a tenth of AWS_LAMBDA_FUNCTION_MEMORY_SIZE, each semi-space to half of that, old space to the rest.
 * Not verified for the nodejs24.x image. What bench/worker-memory.ts runs the worker's busiest day under.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}
