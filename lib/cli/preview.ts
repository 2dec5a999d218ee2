/**
 * `daybook preview`: a day of saved Square or Clover API responses in, the summary and the exact
 * QuickBooks journal entry out, with nothing sent anywhere. Accountants use it to check a mapping; we use it to
 * pin the accounting rules to worked examples.
 */
import { assertLocationTimeZone, type BusinessDayWindow, businessDayWindow } from "../domain/business-day";
import { type BuiltEntry, buildJournalEntry, type EntryLine, type PosSource } from "../domain/journal-entry";
import { type Mapping, parseMapping } from "../domain/mapping";
import { formatDecimal, isCurrencyCode } from "../domain/money";
import type { DailySummary } from "../domain/summary";
import type { Warning } from "../domain/warnings";
import { CloverItemCategories } from "../pos/clover/categories";
import { CloverDaySummariser } from "../pos/clover/summarise";
import { SquareCatalog } from "../pos/square/catalog";
import { SquareDaySummariser, squareTenderKey } from "../pos/square/summarise";
import { CliUsageError, type CliIo } from "./io";

export interface PreviewOptions {
  source: string;
  orders: string[];
  catalog: string[];
  items: string[];
  payments: string[];
  refunds: string[];
  mapping: string;
  date: string;
  timezone: string;
  /** Accept a fixed-offset zone (EST, Etc/GMT+5) on purpose. */
  fixedOffset?: boolean;
  dayStart: string;
  format: "json" | "table";
  location?: string;
  currency?: string;
}

export interface PreviewResult {
  source: PosSource;
  window: BusinessDayWindow;
  locationId: string;
  summary: DailySummary;
  entry: BuiltEntry;
  warnings: Warning[];
}

async function readJson(io: CliIo, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? "unreadable");
    throw new CliUsageError(`cannot read ${what} file ${path}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`${what} file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

interface OrderPeek {
  id?: unknown;
  location_id?: unknown;
  total_money?: { currency?: unknown } | null;
  tenders?: { id?: unknown; type?: unknown; note?: unknown }[] | null;
}

function ordersOf(page: unknown): OrderPeek[] {
  const orders = (page as { orders?: unknown } | null)?.orders;
  return Array.isArray(orders) ? (orders as OrderPeek[]) : [];
}

/** What the input files say about themselves: the one location, its currency, and tender keys by id. */
function describeInput(pages: unknown[], options: PreviewOptions) {
  const locations = new Set<string>();
  const orderIds = new Set<string>();
  const tenderKeys = new Map<string, string>();
  let currency = options.currency;
  for (const page of pages) {
    for (const order of ordersOf(page)) {
      if (typeof order.id === "string") {
        if (orderIds.has(order.id)) {
          throw new CliUsageError(`order ${order.id} appears more than once in the --orders files; each order must be given once`);
        }
        orderIds.add(order.id);
      }
      if (typeof order.location_id === "string") locations.add(order.location_id);
      const orderCurrency = order.total_money?.currency;
      if (!currency && typeof orderCurrency === "string") currency = orderCurrency;
      for (const tender of Array.isArray(order.tenders) ? order.tenders : []) {
        if (typeof tender.id === "string" && typeof tender.type === "string") {
          tenderKeys.set(tender.id, squareTenderKey({ type: tender.type, note: typeof tender.note === "string" ? tender.note : null }));
        }
      }
    }
  }
  const locationId = chosenLocation(options.location, locations, "location");
  currency ??= "USD";
  if (!isCurrencyCode(currency)) throw new CliUsageError(`"${currency}" is not a currency code such as USD`);
  return { locationId, currency, tenderKeys };
}

/**
 * The location (Square) or merchant (Clover) the day is for: --location when given, which must be one
 * the orders are from (a typo would otherwise give an empty day), else the orders' only one.
 */
function chosenLocation(chosen: string | undefined, inInput: ReadonlySet<string>, what: "location" | "merchant"): string {
  const known = [...inInput].sort();
  if (chosen) {
    if (known.length > 0 && !inInput.has(chosen)) {
      throw new CliUsageError(`--location ${chosen} matches none of the orders; they are from ${what} ${known.join(", ")}`);
    }
    return chosen;
  }
  if (known.length > 1) throw new CliUsageError(`the orders are from several ${what}s (${known.join(", ")}); choose one with --location`);
  return known[0] ?? "unknown";
}

/** Which POS a response body comes from, by its envelope: Clover's {elements}, Square's named lists. */
function sourceOfBody(body: unknown): PosSource | undefined {
  if (!body || typeof body !== "object") return undefined;
  if (Array.isArray((body as { elements?: unknown }).elements)) return "clover";
  if (["orders", "objects", "related_objects", "payments", "refunds"].some((key) => Array.isArray((body as Record<string, unknown>)[key]))) {
    return "square";
  }
  return undefined;
}

const SOURCE_NAMES: Record<PosSource, string> = { square: "Square", clover: "Clover" };

/** Refuses a file from the other POS: read as this one's it would summarise to an empty day, silently. */
function assertFromSource(body: unknown, source: PosSource, path: string, what: string): void {
  const actual = sourceOfBody(body);
  if (actual && actual !== source) {
    const shape = actual === "clover" ? "an {elements: [...]} page" : "a response with Square's named lists (orders, objects, ...)";
    throw new CliUsageError(
      `${what} file ${path} looks like ${SOURCE_NAMES[actual]} data (${shape}), not ${SOURCE_NAMES[source]}'s: use --source ${actual}`,
    );
  }
}

/** Options that belong to the other source: refused, so that a file is never silently ignored. */
const FOREIGN_OPTIONS: Record<PosSource, readonly [keyof PreviewOptions, string][]> = {
  square: [["items", "--items is for --source clover; Square's categories come from --catalog"]],
  clover: [
    ["catalog", "--catalog is for --source square; Clover's categories come from --items (item pages with categories expanded)"],
    ["payments", "--payments is for --source square; Clover's payments come inside the orders (expand=payments)"],
    ["refunds", "--refunds is for --source square; Clover's refunds come inside the orders (expand=refunds)"],
  ],
};

function sourceOf(options: PreviewOptions): PosSource {
  const { source } = options;
  if (source !== "square" && source !== "clover") {
    throw new CliUsageError(`--source ${source} is not supported; daybook preview reads square or clover`);
  }
  for (const [option, message] of FOREIGN_OPTIONS[source]) {
    if ((options[option] as string[]).length > 0) throw new CliUsageError(message);
  }
  return source;
}

interface SourceDay {
  locationId: string;
  summary: DailySummary;
  warnings: Warning[];
}

/** Reads the JSON files given for one option, each checked to come from the chosen POS. */
function readBodies(io: CliIo, paths: readonly string[], what: string, source: PosSource): Promise<unknown[]> {
  return Promise.all(paths.map(async (path) => {
    const body = await readJson(io, path, what);
    assertFromSource(body, source, path, what);
    return body;
  }));
}

async function squareDay(options: PreviewOptions, window: BusinessDayWindow, orderPages: unknown[], io: CliIo): Promise<SourceDay> {
  const catalogPages = await readBodies(io, options.catalog, "catalog", "square");
  const paymentPages = await readBodies(io, options.payments, "payments", "square");
  const refundPages = await readBodies(io, options.refunds, "refunds", "square");
  const { locationId, currency, tenderKeys } = describeInput(orderPages, options);

  const summariser = new SquareDaySummariser({
    window,
    locationId,
    currency,
    catalog: SquareCatalog.fromResponses(catalogPages),
    feesFrom: paymentPages.length > 0 ? "payments" : "tenders",
    refundsFrom: refundPages.length > 0 ? "payment-refunds" : "orders",
    tenderKeyOf: (id) => tenderKeys.get(id),
  });
  for (const page of orderPages) summariser.addOrdersPage(page);
  for (const page of paymentPages) summariser.addPaymentsPage(page);
  for (const page of refundPages) summariser.addRefundsPage(page);
  return { locationId, ...summariser.finish() };
}

interface CloverOrderPeek {
  id?: unknown;
  currency?: unknown;
  merchant?: { id?: unknown } | null;
  href?: unknown;
}

/** What Clover order pages say about themselves: the one merchant (merchant.id, or the href) and its currency. */
function describeCloverInput(pages: unknown[], options: PreviewOptions): { merchantId: string; currency: string } {
  const merchants = new Set<string>();
  const orderIds = new Set<string>();
  let currency = options.currency;
  for (const page of pages) {
    const elements = (page as { elements?: unknown } | null)?.elements;
    for (const order of Array.isArray(elements) ? (elements as CloverOrderPeek[]) : []) {
      if (typeof order.id === "string") {
        if (orderIds.has(order.id)) {
          throw new CliUsageError(`order ${order.id} appears more than once in the --orders files; each order must be given once`);
        }
        orderIds.add(order.id);
      }
      const fromHref = typeof order.href === "string" ? /\/merchants\/([^/]+)\//.exec(order.href)?.[1] : undefined;
      const merchant = typeof order.merchant?.id === "string" ? order.merchant.id : fromHref;
      if (merchant) merchants.add(merchant);
      if (!currency && typeof order.currency === "string") currency = order.currency;
    }
  }
  const merchantId = chosenLocation(options.location, merchants, "merchant");
  currency ??= "USD";
  if (!isCurrencyCode(currency)) throw new CliUsageError(`"${currency}" is not a currency code such as USD`);
  return { merchantId, currency };
}

async function cloverDay(options: PreviewOptions, window: BusinessDayWindow, orderPages: unknown[], io: CliIo): Promise<SourceDay> {
  const itemPages = await readBodies(io, options.items, "items", "clover");
  const { merchantId, currency } = describeCloverInput(orderPages, options);
  const summariser = new CloverDaySummariser({ window, currency, categories: CloverItemCategories.fromItemPages(itemPages) });
  for (const page of orderPages) summariser.addOrdersPage(page);
  return { locationId: merchantId, ...summariser.finish() };
}

export async function runPreview(options: PreviewOptions, io: CliIo): Promise<PreviewResult> {
  const source = sourceOf(options);
  assertLocationTimeZone(options.timezone, { allowFixedOffset: options.fixedOffset === true, howToAllowFixedOffset: "pass --fixed-offset" });
  const window = businessDayWindow(options.date, options.timezone, options.dayStart);
  const mapping: Mapping = parseMapping(await readJson(io, options.mapping, "mapping"));
  const orderPages = await readBodies(io, options.orders, "orders", source);
  const { locationId, summary, warnings } =
    source === "square" ? await squareDay(options, window, orderPages, io) : await cloverDay(options, window, orderPages, io);
  const entry = buildJournalEntry(summary, mapping, {
    source,
    locationId,
    businessDay: options.date,
    revision: 0,
  });
  return { source, window, locationId, summary, entry, warnings: [...warnings, ...entry.warnings] };
}

export function previewJson(result: PreviewResult): string {
  const { entry } = result;
  const output = {
    summary: result.summary,
    journalEntry: entry.journalEntry,
    held: entry.held,
    ...(entry.held ? { holdReason: entry.holdReason } : {}),
    warnings: result.warnings,
    window: { start: result.window.start, end: result.window.end, timeZone: result.window.timeZone, dayStart: result.window.dayStart },
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

function pad(text: string, width: number, alignRight = false): string {
  return alignRight ? text.padStart(width) : text.padEnd(width);
}

export function previewTable(result: PreviewResult): string {
  const { entry, window, locationId } = result;
  const out: string[] = [
    `${result.source === "square" ? "Square location" : "Clover merchant"} ${locationId}, business day ${window.date} (${window.timeZone}, day starts ${window.dayStart})`,
    `Window ${window.start} to ${window.end} (UTC, end excluded)`,
  ];
  if (entry.journalEntry === null) {
    out.push("", "Nothing to post: no sales, refunds or fees on this business day.");
  } else {
    out.push(`DocNumber ${entry.docNumber}   TxnDate ${entry.txnDate}   Currency ${entry.currency}`, "");
    const money = (line: EntryLine, side: EntryLine["postingType"]) =>
      line.postingType === side ? formatDecimal(line.amount, entry.currency) : "";
    const descriptionWidth = Math.max(11, ...entry.lines.map((line) => line.description.length));
    const accountWidth = Math.max(7, ...entry.lines.map((line) => line.accountId.length));
    const total = formatDecimal(entry.total, entry.currency);
    const amountWidth = Math.max(6, total.length);
    const row = (account: string, description: string, debit: string, credit: string) =>
      `${pad(account, accountWidth)}  ${pad(description, descriptionWidth)}  ${pad(debit, amountWidth, true)}  ${pad(credit, amountWidth, true)}`.trimEnd();
    out.push(row("Account", "Description", "Debit", "Credit"));
    out.push(row("-".repeat(accountWidth), "-".repeat(descriptionWidth), "-".repeat(amountWidth), "-".repeat(amountWidth)));
    for (const line of entry.lines) {
      out.push(row(line.accountId, line.description, money(line, "Debit"), money(line, "Credit")));
    }
    out.push(row("", "Total", total, total));
  }
  if (result.warnings.length > 0) {
    out.push("", "Warnings:", ...result.warnings.map((warning) => `  - ${warning.message}`));
  }
  if (entry.held) out.push("", `HELD FOR REVIEW: ${entry.holdReason ?? ""}`);
  return `${out.join("\n")}\n`;
}
