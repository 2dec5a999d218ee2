/**
 * `daybook backfill --merchant ID --location ID --from D --to D [--watch]`: queues past business days
 * for the worker, as an operator; with --watch, shows on stderr how many are done until all are.
 */
import type { BackfillConfig } from "../config";
import { sleep as wait } from "../http/backoff";
import { RECHECK_FAILED_WORDS } from "../report/day-status";
import { type BackfillProgress, getBackfill, requestBackfill } from "../schedule/backfill";
import type { CliIo } from "./io";

export interface BackfillCommand {
  merchantId: string;
  locationId: string;
  from: string;
  to: string;
  watch: boolean;
}

/**
 * Returns the exit code: 0 queued (or, watched, all done), 3 watched and some days failed (a day posted
 * before whose re-sync failed among them: it is posted, but a change since is not).
 */
export async function runBackfill(command: BackfillCommand, config: BackfillConfig, io: CliIo, now = new Date()): Promise<number> {
  const { composeBackfillCommand } = await import("../wiring/cli");
  const runtime = composeBackfillCommand(config);
  try {
    const { deps } = runtime;
    const requested = await requestBackfill(deps, { ...command, requestedBy: "operator" }, now);
    const days = requested.total === 1 ? "1 day" : `${requested.total} days`;
    io.stdout(`Backfill ${requested.backfillId} queued: ${days} of location ${command.locationId}, ${requested.from} to ${requested.to}.\n`);
    if (!command.watch) return 0;

    let progress = requested;
    let shown = "";
    for (;;) {
      const line = progressLine(progress);
      if (line !== shown) {
        io.stderr(io.stderrIsTerminal === true ? `\r${line}\u001b[K` : `${line}\n`);
        shown = line;
      }
      if (progress.complete) break;
      await wait(config.DAYBOOK_WATCH_INTERVAL_MS);
      const latest = await getBackfill(deps, command.merchantId, requested.backfillId);
      if (latest === undefined) {
        if (io.stderrIsTerminal === true) io.stderr("\n");
        io.stderr("daybook: the backfill's progress is gone (was the account deleted?)\n");
        return 1;
      }
      progress = latest;
    }
    if (io.stderrIsTerminal === true) io.stderr("\n");
    return progress.failed + progress.recheckFailed > 0 ? 3 : 0;
  } finally {
    runtime.close();
  }
}

const BAR_WIDTH = 30;

export function progressLine(progress: Pick<BackfillProgress, "total" | "done" | "failed"> & Partial<Pick<BackfillProgress, "recheckFailed">>): string {
  const ended = progress.done + progress.failed;
  const filled = Math.min(BAR_WIDTH, Math.floor((ended / progress.total) * BAR_WIDTH));
  const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
  const recheck = progress.recheckFailed ? `; ${progress.recheckFailed} ${RECHECK_FAILED_WORDS.toLowerCase()}` : "";
  return `[${bar}] ${ended}/${progress.total} days (${progress.done} done, ${progress.failed} failed${recheck})`;
}
