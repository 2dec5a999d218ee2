/**
 * The sync world of sandbox/world.ts for the benchmarks: tokens sealed by KMS on moto_server, as on
 * AWS, counters on every AWS client the world makes (zeroed once it is set up: setting up is not what
 * is measured), and clients patient enough for a 100k-order day. The simulators count their own requests.
 */
import { createSyncWorld, type SyncWorld } from "../sandbox/world";
import { type AwsCounts, countCalls, emptyCounts, resetCounts } from "./aws-counter";

export { CLOVER_MERCHANT_ID, SQUARE_LOCATION_ID } from "../sandbox/world";

export interface BenchWorld extends SyncWorld {
  /** Every AWS call the world's clients made since it was set up, DynamoDB units included. */
  aws: AwsCounts;
}

export interface BenchWorldOptions {
  motoEndpoint: string;
  source: "square" | "clover";
  timeZone: string;
  now: () => number;
  ownerEmail?: string;
  /** How long every Square and QuickBooks answer waits first (part 5: the stated provider latency). */
  providerLatencyMs?: number;
  /** Post Square payouts (sandbox/world.ts SyncWorldOptions.payouts): the payouts mapping and its accounts. */
  payouts?: boolean;
}

export async function createBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  const aws = emptyCounts();
  const world = await createSyncWorld({
    ...options,
    vault: "kms",
    tuning: {
      square: { timeoutMs: 120_000, maxRetries: 2 },
      clover: { timeoutMs: 120_000, maxRetries: 6 },
      quickBooks: { timeoutMs: 30_000, maxAttempts: 3 },
    },
    instrument: (client, service) => {
      countCalls(client, service, aws);
    },
  });
  resetCounts(aws);
  return { ...world, aws };
}
