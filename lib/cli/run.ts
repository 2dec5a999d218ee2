/**
 * The daybook command line: argument parsing and the mapping from errors to exit codes. A person's
 * mistake exits 2 with one line saying what is wrong; never a stack trace.
 */
import { parseArgs } from "node:util";
import { BusinessDayError, parseIsoDate } from "../domain/business-day";
import { JournalEntryError } from "../domain/journal-entry";
import { MappingError } from "../domain/mapping";
import { MoneyError } from "../domain/money";
import { SummaryError } from "../domain/summary";
import { CloverDataError } from "../pos/clover/errors";
import { SquareDataError } from "../pos/square/errors";
import { BackfillError } from "../schedule/backfill";
import { runBackfill } from "./backfill";
import { runPayoutKeys } from "./payout-keys";
import { CliUsageError, type CliIo } from "./io";
import { previewJson, previewTable, runPreview } from "./preview";
import { runSync } from "./sync";
import { ConfigError, loadConfig } from "../config";
import { isDaybookId, isPosLocationId } from "../ids";
import { SyncError } from "../sync/sync-day";

const PREVIEW_USAGE = `  daybook preview --source square --orders FILE [--orders FILE...] --catalog FILE [--catalog FILE...]
                  [--payments FILE...] [--refunds FILE...] --mapping FILE --date YYYY-MM-DD
                  --timezone ZONE [--fixed-offset] [--day-start HH:MM] [--location ID] [--currency CODE]
                  [--format json|table]

  daybook preview --source clover --orders FILE [--orders FILE...] [--items FILE...] --mapping FILE
                  --date YYYY-MM-DD --timezone ZONE [--fixed-offset] [--day-start HH:MM]
                  [--location MERCHANT_ID] [--currency CODE] [--format json|table]

  Summarises one business day of saved POS API responses and prints the QuickBooks journal entry
  daybook would post. Square: SearchOrders, BatchRetrieveCatalogObjects, ListPayments and
  ListPaymentRefunds bodies. Clover: {elements: [...]} pages of orders expanded with their line items,
  discounts, modifications, payments (with tender), refunds and credits, and of items with categories;
  Clover's payments and refunds come inside the orders, so --payments and --refunds are Square's only.
  --timezone is the location's IANA zone (America/New_York); an abbreviation such as EST or CET is
  refused, and a fixed offset (EST, Etc/GMT+5) is accepted only with --fixed-offset. UTC is fine.
`;

const SYNC_USAGE = `  daybook sync --merchant ID --location ID --date YYYY-MM-DD

  Reads the location's business day from Square or Clover and posts it to QuickBooks exactly once (or the
  adjusting entry for what changed since), held instead in review mode. Configured by the environment
  as the worker is (README, "Sync a day"): DAYBOOK_TABLE, DAYBOOK_PUBLIC_URL, DAYBOOK_KMS_KEY_ID or
  DAYBOOK_VAULT_KEY_FILE, DAYBOOK_EMAIL_FROM or DAYBOOK_OUTBOX_DIR, each provider's app credentials.
  Exit codes: 0 done (posted, adjusted, unchanged, no sales, or held for review); 2 bad input;
  3 failed and needs the merchant (reconnect, reopen a period, fix a mapping), also for a day posted
  before whose check for later changes failed (it says so, and which entries stand); 4 try again
  later; 1 unexpected.
`;

const BACKFILL_USAGE = `  daybook backfill --merchant ID --location ID --from YYYY-MM-DD --to YYYY-MM-DD [--watch]

  Queues the location's business days from --from to --to (at most 90 days back, up to the last day
  that has ended and settled) for the nightly worker. With --watch, shows on stderr how many days are
  done or failed until all are. Configured by the environment: DAYBOOK_TABLE, DAYBOOK_QUEUE_URL,
  DAYBOOK_DYNAMODB_ENDPOINT, DAYBOOK_SQS_ENDPOINT, DAYBOOK_WATCH_INTERVAL_MS.
  Exit codes: 0 queued (with --watch: every day done); 2 bad input; 3 some days failed (a day posted
  before whose check for later changes failed among them); 1 unexpected.
`;

const PAYOUT_KEYS_USAGE = `  daybook move-payout-keys --merchant ID --location ID

  Moves a Square location's payout records to their keys by creation, once, so that the morning
  digest reads only the payouts beside its card clearing carry. Meanwhile the location's payouts are
  not posted (its night tries again); run it again if it is interrupted: it goes on where it stopped.
  Configured by the environment: DAYBOOK_TABLE, DAYBOOK_DYNAMODB_ENDPOINT.
  A location that has not posted payouts yet has nothing to move: its first night keys them so.
  Exit codes: 0 moved, moved before, or nothing to move; 2 bad input; 1 unexpected.
`;

export const USAGE = `Usage:
${[PREVIEW_USAGE, SYNC_USAGE, BACKFILL_USAGE, PAYOUT_KEYS_USAGE].join("\n")}
  daybook <command> --help prints that command's usage.
`;

const INPUT_ERRORS = [
  BackfillError, CliUsageError, ConfigError, MappingError, BusinessDayError, SquareDataError, CloverDataError, MoneyError, SummaryError, JournalEntryError,
];

type Command = "preview" | "sync" | "backfill" | "move-payout-keys";

const COMMAND_USAGE: Record<Command, string> = { preview: PREVIEW_USAGE, sync: SYNC_USAGE, backfill: BACKFILL_USAGE, "move-payout-keys": PAYOUT_KEYS_USAGE };

function required(value: string | undefined, flag: string, command: Command): string {
  if (!value) throw new CliUsageError(`${flag} is required (see daybook ${command} --help)`);
  return value;
}

/** A date argument, checked before anything else is read, named by its flag. */
function dateArgument(value: string | undefined, flag: string, command: Command): string {
  const date = required(value, flag, command);
  try {
    parseIsoDate(date);
  } catch {
    throw new CliUsageError(`${flag} must be a date, YYYY-MM-DD, not ${JSON.stringify(date)}`);
  }
  return date;
}

/** How an id argument is shown in a message: quoted, escaped to one line, cut short. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** --merchant: daybook's id of the merchant, checked before anything is read. */
function merchantArgument(value: string | undefined, command: Command): string {
  const id = required(value, "--merchant", command);
  if (!isDaybookId(id)) throw new CliUsageError(`--merchant must be a daybook merchant id (letters, digits and dashes, as the locations page shows it), not ${shown(id)}`);
  return id;
}

/** --location: the POS's id of the location (a Square location id, a Clover merchant id), checked before anything is read. */
function locationArgument(value: string | undefined, command: Command): string {
  const id = required(value, "--location", command);
  if (!isPosLocationId(id)) throw new CliUsageError(`--location must be a Square location id or a Clover merchant id (letters and digits), not ${shown(id)}`);
  return id;
}

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** node:util parseArgs, its mistakes as usage errors that point at the command's --help. */
function parseArguments<O extends OptionsConfig>(args: string[], options: O, command: Command) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message} (see daybook ${command} --help)`);
  }
}

async function preview(args: string[], io: CliIo): Promise<number> {
  const values = parseArguments(args, {
    source: { type: "string" },
    orders: { type: "string", multiple: true },
    catalog: { type: "string", multiple: true },
    items: { type: "string", multiple: true },
    payments: { type: "string", multiple: true },
    refunds: { type: "string", multiple: true },
    mapping: { type: "string" },
    date: { type: "string" },
    timezone: { type: "string" },
    "fixed-offset": { type: "boolean" },
    "day-start": { type: "string" },
    location: { type: "string" },
    currency: { type: "string" },
    format: { type: "string" },
  }, "preview");
  const format = values.format ?? "json";
  if (format !== "json" && format !== "table") throw new CliUsageError(`--format must be json or table, not "${format}"`);
  const orders = values.orders ?? [];
  if (orders.length === 0) throw new CliUsageError("--orders is required (see daybook preview --help)");
  const result = await runPreview(
    {
      source: required(values.source, "--source", "preview"),
      orders,
      catalog: values.catalog ?? [],
      items: values.items ?? [],
      payments: values.payments ?? [],
      refunds: values.refunds ?? [],
      mapping: required(values.mapping, "--mapping", "preview"),
      date: required(values.date, "--date", "preview"),
      timezone: required(values.timezone, "--timezone", "preview"),
      fixedOffset: values["fixed-offset"] === true,
      dayStart: values["day-start"] ?? "00:00",
      format,
      ...(values.location ? { location: values.location } : {}),
      ...(values.currency ? { currency: values.currency } : {}),
    },
    io,
  );
  io.stdout(format === "json" ? previewJson(result) : previewTable(result));
  return 0;
}

async function sync(args: string[], io: CliIo): Promise<number> {
  const values = parseArguments(args, { merchant: { type: "string" }, location: { type: "string" }, date: { type: "string" } }, "sync");
  const command = {
    merchantId: merchantArgument(values.merchant, "sync"),
    locationId: locationArgument(values.location, "sync"),
    businessDay: dateArgument(values.date, "--date", "sync"),
  };
  // Only once the arguments are right: a mistake in them is the first thing to hear about.
  const config = loadConfig("sync", io.environment);
  try {
    const outcome = await runSync(command, config, io);
    return outcome.status === "failed" ? 3 : 0;
  } catch (error) {
    if (!(error instanceof SyncError)) throw error;
    io.stderr(`daybook: the sync did not finish (${error.kind}): ${error.message}\n`);
    return error.kind === "retryable" ? 4 : 1;
  }
}

async function backfill(args: string[], io: CliIo): Promise<number> {
  const values = parseArguments(args, {
    merchant: { type: "string" }, location: { type: "string" }, from: { type: "string" }, to: { type: "string" }, watch: { type: "boolean" },
  }, "backfill");
  const command = {
    merchantId: merchantArgument(values.merchant, "backfill"),
    locationId: locationArgument(values.location, "backfill"),
    from: dateArgument(values.from, "--from", "backfill"),
    to: dateArgument(values.to, "--to", "backfill"),
    watch: values.watch === true,
  };
  return runBackfill(command, loadConfig("backfill", io.environment), io);
}

async function movePayoutKeys(args: string[], io: CliIo): Promise<number> {
  const values = parseArguments(args, { merchant: { type: "string" }, location: { type: "string" } }, "move-payout-keys");
  const command = { merchantId: merchantArgument(values.merchant, "move-payout-keys"), locationId: locationArgument(values.location, "move-payout-keys") };
  return runPayoutKeys(command, loadConfig("payoutKeys", io.environment), io);
}

const COMMANDS: Record<Command, (args: string[], io: CliIo) => Promise<number>> = { preview, sync, backfill, "move-payout-keys": movePayoutKeys };

const isCommand = (name: string | undefined): name is Command => name !== undefined && Object.hasOwn(COMMANDS, name);
const HELP_FLAGS = new Set(["--help", "-h"]);

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (isCommand(command)) {
      if (rest.some((arg) => HELP_FLAGS.has(arg))) {
        io.stdout(`Usage:\n${COMMAND_USAGE[command]}`);
        return 0;
      }
      return await COMMANDS[command](rest, io);
    }
    if (command === undefined || command === "help" || HELP_FLAGS.has(command)) {
      const topic = rest[0];
      io.stdout(isCommand(topic) ? `Usage:\n${COMMAND_USAGE[topic]}` : USAGE);
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
