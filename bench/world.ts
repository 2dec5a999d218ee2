/**
 * The sync world of sandbox/world.ts for the benchmarks: tokens sealed by KMS on moto_server, as on
 * AWS, counters on every AWS client the world makes (zeroed once it is set up: setting up is not what
 * is measured), and clients patient enough for a 100k-order day. The simulators count their own requests.
 */
import type { QuickBooksSimulator } from "../sandbox/quickbooks/server";
import type { SquareSimulator } from "../sandbox/square/server";
import { createSyncWorld, type SyncWorld, type SyncWorldOptions, type WorldQuickBooks, type WorldSquare } from "../sandbox/world";
import { type AwsCounts, countCalls, emptyCounts, resetCounts } from "./aws-counter";

export { CLOVER_MERCHANT_ID, SQUARE_LOCATION_ID } from "../sandbox/world";

export interface BenchWorld<S extends WorldSquare = SquareSimulator, Q extends WorldQuickBooks = QuickBooksSimulator> extends SyncWorld<S, Q> {
  /** Every AWS call the world's clients made since it was set up, DynamoDB units included. */
  aws: AwsCounts;
}

export interface BenchWorldOptions<S extends WorldSquare = SquareSimulator, Q extends WorldQuickBooks = QuickBooksSimulator> {
  motoEndpoint: string;
  source: "square" | "clover";
  timeZone: string;
  now: () => number;
  ownerEmail?: string;
  /** How long every Square and QuickBooks answer waits first (part 5: the stated provider latency). */
  providerLatencyMs?: number;
  /** Post Square payouts (sandbox/world.ts SyncWorldOptions.payouts): the payouts mapping and its accounts. */
  payouts?: boolean;
  /** More Square locations of the merchant, each like the first, on the same connections (sandbox/world.ts SyncWorldOptions.moreSquareLocations). */
  moreSquareLocations?: readonly string[];
  /** The simulators to use instead of starting them in this process (part 5: bench/simulators-process.ts, so the job's CPU is its own). */
  simulators?: { square: S; quickbooks: Q };
}

export async function createBenchWorld(options: BenchWorldOptions): Promise<BenchWorld>;
export async function createBenchWorld<S extends WorldSquare, Q extends WorldQuickBooks>(options: BenchWorldOptions<S, Q> & { simulators: { square: S; quickbooks: Q } }): Promise<BenchWorld<S, Q>>;
export async function createBenchWorld(options: BenchWorldOptions<WorldSquare, WorldQuickBooks>): Promise<BenchWorld<WorldSquare, WorldQuickBooks>> {
  const aws = emptyCounts();
  const { simulators, ...rest } = options;
  const settings: Omit<SyncWorldOptions, "squareMerchant" | "simulators"> = {
    ...rest,
    vault: "kms",
    tuning: {
      square: { timeoutMs: 120_000, maxRetries: 2 },
      clover: { timeoutMs: 120_000, maxRetries: 6 },
      quickBooks: { timeoutMs: 30_000, maxAttempts: 3 },
    },
    instrument: (client, service) => {
      countCalls(client, service, aws);
    },
  };
  const world = simulators ? await createSyncWorld({ ...settings, simulators }) : await createSyncWorld(settings);
  resetCounts(aws);
  return { ...world, aws };
}
