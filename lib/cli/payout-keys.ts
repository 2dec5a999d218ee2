/**
 * `daybook move-payout-keys --merchant ID --location ID`: moves a Square location's payout records to
 * their keys by creation (lib/store/payouts.ts movePayoutKeys), as an operator runs a migration, once
 * per location; resumable: run again after an interruption, it goes on where it stopped.
 */
import type { PayoutKeysConfig } from "../config";
import { CliUsageError, type CliIo } from "./io";

export interface PayoutKeysCommand {
  merchantId: string;
  locationId: string;
}

/** Returns the exit code: 0 moved, moved before, or nothing to move (the location has posted no payouts: its first night keys them by creation). */
export async function runPayoutKeys(command: PayoutKeysCommand, config: PayoutKeysConfig, io: CliIo): Promise<number> {
  const { composePayoutKeysCommand } = await import("../wiring/cli");
  const runtime = composePayoutKeysCommand(config);
  try {
    const { store, payouts } = runtime.storage;
    const location = await store.getLocation(command.merchantId, command.locationId);
    if (!location) throw new CliUsageError(`merchant ${command.merchantId} has no location ${command.locationId}; nothing was changed`);
    if (location.source !== "square") throw new CliUsageError(`location ${command.locationId} is a Clover location, which keeps no payout records; nothing was changed`);
    const outcome = await payouts.movePayoutKeys(command.merchantId, command.locationId);
    const records = outcome.moved === 1 ? "1 payout record" : `${outcome.moved} payout records`;
    if (outcome.status === "no-check") {
      io.stdout(`Location ${command.locationId} has not posted payouts yet: nothing to move; its first night keys its records by creation.\n`);
      return 0;
    }
    io.stdout(outcome.status === "already-moved"
      ? `Location ${command.locationId}'s payout records were moved to their keys by creation before: nothing to do.\n`
      : `Moved ${records} of location ${command.locationId} to their keys by creation; its nights and digests read them there from now on.\n`);
    return 0;
  } finally {
    runtime.close();
  }
}
