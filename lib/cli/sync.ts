/**
 * `daybook sync --merchant ID --location ID --date D`: one location-day, posted to QuickBooks exactly
 * once, as the nightly worker does it. For operators re-running a day, and for the local stack.
 */
import type { SyncConfig } from "../config";
import { parseIsoDate } from "../domain/business-day";
import { formatDecimal } from "../domain/money";
import { RECHECK_FAILED_WORDS, recheckFailed } from "../report/day-status";
import { type SyncOutcome, syncLocationDay } from "../sync/sync-day";
import type { CliIo } from "./io";

export interface SyncCommand {
  merchantId: string;
  locationId: string;
  businessDay: string;
}

export async function runSync(command: SyncCommand, config: SyncConfig, io: CliIo): Promise<SyncOutcome> {
  parseIsoDate(command.businessDay);
  // The clients and the providers load here, for this command only: `daybook preview` needs none of them.
  const { composeSyncCommand } = await import("../wiring/cli");
  const runtime = await composeSyncCommand(config);
  try {
    const outcome = await syncLocationDay(runtime.sync, command);
    // A failed day may have entries standing from before: then what failed is its re-check.
    const record = outcome.status === "failed" ? await runtime.sync.store.getSyncRecord(command.merchantId, command.locationId, command.businessDay) : undefined;
    io.stdout(describeOutcome(command, outcome, record?.posted.map((entry) => entry.docNumber) ?? []));
    return outcome;
  } finally {
    runtime.close();
  }
}

/** `postedBefore`: the day's journal entries already in QuickBooks (their numbers), if any. */
export function describeOutcome(command: SyncCommand, outcome: SyncOutcome, postedBefore: readonly string[] = []): string {
  const day = `Location ${command.locationId}, business day ${command.businessDay}`;
  const warnings = "warnings" in outcome && outcome.warnings.length > 0
    ? `\nWarnings:\n${outcome.warnings.map((warning) => `  - ${warning.message}`).join("\n")}`
    : "";
  switch (outcome.status) {
    case "posted":
    case "adjusted": {
      const total = formatDecimal(outcome.entry.total, outcome.entry.currency);
      const what = outcome.status === "posted" ? "posted" : `adjusted (revision ${outcome.revision})`;
      return `${day}: ${what} as journal entry ${outcome.docNumber} (QuickBooks Id ${outcome.entryId}) dated ${outcome.txnDate}, ${total} ${outcome.entry.currency} each side.${warnings}\n`;
    }
    case "unchanged":
      return `${day}: already posted and unchanged; nothing new to post.${warnings}\n`;
    case "no-sales":
      return `${day}: no sales; nothing to post.${warnings}\n`;
    case "held":
      return `${day}: held for review, not posted. ${outcome.reason}${warnings}\n`;
    case "failed": {
      const { kind, message } = outcome.failure;
      if (!recheckFailed(outcome.status, postedBefore.length > 0)) return `${day}: failed (${kind}). ${message}\n`;
      const one = postedBefore.length === 1;
      const entries = `Its journal ${one ? "entry" : "entries"} ${postedBefore.join(", ")} ${one ? "stands" : "stand"}`;
      return `${day}: ${RECHECK_FAILED_WORDS.toLowerCase()} (${kind}). ${entries} in QuickBooks; a change since is not posted. ${message}\n`;
    }
  }
}
