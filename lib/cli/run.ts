/**
 * The daybook command line: argument parsing and the mapping from errors to exit codes. A person's
 * mistake exits 2 with one line saying what is wrong; never a stack trace.
 */
import { parseArgs } from "node:util";
import { BusinessDayError } from "../domain/business-day";
import { JournalEntryError } from "../domain/journal-entry";
import { MappingError } from "../domain/mapping";
import { MoneyError } from "../domain/money";
import { SummaryError } from "../domain/summary";
import { CloverDataError } from "../pos/clover/errors";
import { SquareDataError } from "../pos/square/errors";
import { BackfillError } from "../schedule/backfill";
import { runBackfill } from "./backfill";
import { CliUsageError, type CliIo } from "./io";
import { previewJson, previewTable, runPreview } from "./preview";
import { runSync } from "./sync";
import { ConfigError, loadConfig } from "../config";
import { SyncError } from "../sync/sync-day";

export const USAGE = `Usage:
  daybook preview --source square --orders FILE [--orders FILE...] --catalog FILE [--catalog FILE...]
                  [--payments FILE...] [--refunds FILE...] --mapping FILE --date YYYY-MM-DD
                  --timezone ZONE [--day-start HH:MM] [--location ID] [--currency CODE]
                  [--format json|table]

  daybook preview --source clover --orders FILE [--orders FILE...] [--items FILE...] --mapping FILE
                  --date YYYY-MM-DD --timezone ZONE [--day-start HH:MM] [--location MERCHANT_ID]
                  [--currency CODE] [--format json|table]

  Summarises one business day of saved POS API responses and prints the QuickBooks journal entry
  daybook would post. Square: SearchOrders, BatchRetrieveCatalogObjects, ListPayments and
  ListPaymentRefunds bodies. Clover: {elements: [...]} pages of orders expanded with their line items,
  discounts, modifications, payments (with tender), refunds and credits, and of items with categories;
  Clover's payments and refunds come inside the orders, so --payments and --refunds are Square's only.

  daybook sync --merchant ID --location ID --date YYYY-MM-DD

  Reads the location's business day from Square or Clover and posts it to QuickBooks exactly once (or the
  adjusting entry for what changed since), held instead in review mode. Configured by the environment
  as the worker is (README, "Sync a day"): DAYBOOK_TABLE, DAYBOOK_PUBLIC_URL, DAYBOOK_KMS_KEY_ID or
  DAYBOOK_VAULT_KEY_FILE, DAYBOOK_EMAIL_FROM or DAYBOOK_OUTBOX_DIR, each provider's app credentials.
  Exit codes: 0 done (posted, adjusted, unchanged, no sales, or held for review); 2 bad input;
  3 failed and needs the merchant (reconnect, reopen a period, fix a mapping); 4 try again later;
  1 unexpected.

  daybook backfill --merchant ID --location ID --from YYYY-MM-DD --to YYYY-MM-DD [--watch]

  Queues the location's business days from --from to --to (at most 90 days back, up to the last day
  that has ended and settled) for the nightly worker. With --watch, shows on stderr how many days are
  done or failed until all are. Configured by the environment: DAYBOOK_TABLE, DAYBOOK_QUEUE_URL,
  DAYBOOK_DYNAMODB_ENDPOINT, DAYBOOK_SQS_ENDPOINT, DAYBOOK_WATCH_INTERVAL_MS.
  Exit codes: 0 queued (with --watch: every day done); 2 bad input; 3 some days failed; 1 unexpected.
`;

const INPUT_ERRORS = [
  BackfillError, CliUsageError, ConfigError, MappingError, BusinessDayError, SquareDataError, CloverDataError, MoneyError, SummaryError, JournalEntryError,
];

function required(value: string | undefined, flag: string): string {
  if (!value) throw new CliUsageError(`${flag} is required (see daybook --help)`);
  return value;
}

async function preview(args: string[], io: CliIo): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        source: { type: "string" },
        orders: { type: "string", multiple: true },
        catalog: { type: "string", multiple: true },
        items: { type: "string", multiple: true },
        payments: { type: "string", multiple: true },
        refunds: { type: "string", multiple: true },
        mapping: { type: "string" },
        date: { type: "string" },
        timezone: { type: "string" },
        "day-start": { type: "string" },
        location: { type: "string" },
        currency: { type: "string" },
        format: { type: "string" },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const format = values.format ?? "json";
  if (format !== "json" && format !== "table") throw new CliUsageError(`--format must be json or table, not "${format}"`);
  const orders = values.orders ?? [];
  if (orders.length === 0) throw new CliUsageError("--orders is required (see daybook --help)");
  const result = await runPreview(
    {
      source: required(values.source, "--source"),
      orders,
      catalog: values.catalog ?? [],
      items: values.items ?? [],
      payments: values.payments ?? [],
      refunds: values.refunds ?? [],
      mapping: required(values.mapping, "--mapping"),
      date: required(values.date, "--date"),
      timezone: required(values.timezone, "--timezone"),
      dayStart: values["day-start"] ?? "00:00",
      format,
      ...(values.location ? { location: values.location } : {}),
      ...(values.currency ? { currency: values.currency } : {}),
    },
    io,
  );
  io.stdout(format === "json" ? previewJson(result) : previewTable(result));
}

async function sync(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { merchant: { type: "string" }, location: { type: "string" }, date: { type: "string" } },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const config = loadConfig("sync", io.environment);
  try {
    const outcome = await runSync(
      { merchantId: required(values.merchant, "--merchant"), locationId: required(values.location, "--location"), businessDay: required(values.date, "--date") },
      config,
      io,
    );
    return outcome.status === "failed" ? 3 : 0;
  } catch (error) {
    if (!(error instanceof SyncError)) throw error;
    io.stderr(`daybook: the sync did not finish (${error.kind}): ${error.message}\n`);
    return error.kind === "retryable" ? 4 : 1;
  }
}

async function backfill(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        merchant: { type: "string" }, location: { type: "string" }, from: { type: "string" }, to: { type: "string" }, watch: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const command = {
    merchantId: required(values.merchant, "--merchant"),
    locationId: required(values.location, "--location"),
    from: required(values.from, "--from"),
    to: required(values.to, "--to"),
    watch: values.watch === true,
  };
  return runBackfill(command, loadConfig("backfill", io.environment), io);
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "preview") {
      await preview(rest, io);
      return 0;
    }
    if (command === "sync") return await sync(rest, io);
    if (command === "backfill") return await backfill(rest, io);
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new CliUsageError(`unknown command "${command}" (see daybook --help)`);
  } catch (error) {
    if (INPUT_ERRORS.some((type) => error instanceof type)) {
      io.stderr(`daybook: ${(error as Error).message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr(`daybook: unexpected error (${detail})\n`);
    return 1;
  }
}
