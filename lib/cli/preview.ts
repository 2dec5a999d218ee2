/**
 * `daybook preview`: a day of saved Square or Clover API responses in, the summary and the exact
 * QuickBooks journal entry out, with nothing sent anywhere. Accountants use it to check a mapping; we use it to
 * pin the accounting rules to worked examples.
 */
import { type BusinessDayWindow, businessDayWindow } from "../domain/business-day";
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
  let locationId = options.location;
  if (!locationId) {
    if (locations.size > 1) {
      throw new CliUsageError(`the orders are from several locations (${[...locations].sort().join(", ")}); choose one with --location`);
    }
    locationId = [...locations][0] ?? "unknown";
  }
  currency ??= "USD";
  if (!isCurrencyCode(currency)) throw new CliUsageError(`"${currency}" is not a currency code such as USD`);
  return { locationId, currency, tenderKeys };
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

async function squareDay(options: PreviewOptions, window: BusinessDayWindow, orderPages: unknown[], io: CliIo): Promise<SourceDay> {
  const catalogPages = await Promise.all(options.catalog.map((path) => readJson(io, path, "catalog")));
  const paymentPages = await Promise.all(options.payments.map((path) => readJson(io, path, "payments")));
  const refundPages = await Promise.all(options.refunds.map((path) => readJson(io, path, "refunds")));
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
  let merchantId = options.location;
  if (!merchantId) {
    if (merchants.size > 1) {
      throw new CliUsageError(`the orders are from several merchants (${[...merchants].sort().join(", ")}); choose one with --location`);
    }
    merchantId = [...merchants][0] ?? "unknown";
  }
  currency ??= "USD";
  if (!isCurrencyCode(currency)) throw new CliUsageError(`"${currency}" is not a currency code such as USD`);
  return { merchantId, currency };
}

async function cloverDay(options: PreviewOptions, window: BusinessDayWindow, orderPages: unknown[], io: CliIo): Promise<SourceDay> {
  const itemPages = await Promise.all(options.items.map((path) => readJson(io, path, "items")));
  const { merchantId, currency } = describeCloverInput(orderPages, options);
  const summariser = new CloverDaySummariser({ window, currency, categories: CloverItemCategories.fromItemPages(itemPages) });
  for (const page of orderPages) summariser.addOrdersPage(page);
  return { locationId: merchantId, ...summariser.finish() };
}

export async function runPreview(options: PreviewOptions, io: CliIo): Promise<PreviewResult> {
  const source = sourceOf(options);
  const window = businessDayWindow(options.date, options.timezone, options.dayStart);
  const mapping: Mapping = parseMapping(await readJson(io, options.mapping, "mapping"));
  const orderPages = await Promise.all(options.orders.map((path) => readJson(io, path, "orders")));
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
