/**
 * The sync world of sandbox/world.ts for a test: on the run's moto_server, with DynamoDB requests one
 * at a time (moto does not serialise conditional writes as DynamoDB does), and clients that give up
 * quickly and wait not at all between retries, so a test of faults is quick.
 */
import { inject } from "vitest";
import { createSyncWorld, type SyncWorld, type SyncWorldOptions } from "../../sandbox/world";

export { CLOVER_MERCHANT_ID, EXTRA_ACCOUNTS, MAPPING } from "../../sandbox/world";

export type World = SyncWorld & { vaultKey: Buffer };
export type WorldOptions = Omit<SyncWorldOptions, "motoEndpoint" | "vault">;

const noWait = () => Promise.resolve();

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const world = await createSyncWorld({
    motoEndpoint: inject("motoEndpoint"),
    serialiseDynamo: true,
    quickBooksSlowDelayMs: 600,
    tuning: {
      square: { timeoutMs: 500, maxRetries: 4 },
      clover: { timeoutMs: 1000, maxRetries: 6, sleep: noWait },
      quickBooks: { timeoutMs: 500, maxAttempts: 5, sleep: noWait },
    },
    ...options,
    vault: "local",
  });
  if (!world.vaultKey) throw new Error("the world's vault is local, with a key");
  return world as World;
}
