/**
 * Part 1 (child process, one per case so that cases do not share a heap): replays the POS response
 * bodies part 2 captured, from memory, and times either the floor (JSON.parse of every body and a walk
 * counting its records) or the real summarising code over the same bodies. Network is out of it.
 *
 *   node --expose-gc --import tsx bench/summarise-case.ts <square|clover> <floor|summarise|reader> <capture file> <repeats>
 *
 * Modes: floor; summarise = what lib/sync/{square,clover}-day.ts do with the bodies (Square: the
 * catalog, then SquareDaySummariser over orders, payments and refunds pages; Clover: the list envelope
 * check, order-assembly.ts merging the three expansion copies, CloverItemCategories and
 * CloverDaySummariser); reader (Square only) = the night's real read (readSquareNight through
 * createSquareReader and the Square SDK) with fetch answered from memory: the whole POS read less the network.
 * Prints one JSON line: CaseResult. Memory: peak heapUsed and maxRSS above the level after the
 * bodies were loaded (the bodies themselves are not counted).
 */
import { readFileSync } from "node:fs";
import { businessDayWindow } from "../lib/domain/business-day";
import { CloverItemCategories } from "../lib/pos/clover/categories";
import { assembleOrders, type JsonObject, ORDER_EXPANSION_GROUPS, type OrderFetcher } from "../lib/pos/clover/order-assembly";
import { listEnvelopeSchema } from "../lib/pos/clover/responses";
import { CloverDaySummariser } from "../lib/pos/clover/summarise";
import { SquareCatalog } from "../lib/pos/square/catalog";
import { createSquareReader } from "../lib/pos/square/client";
import { SquareDaySummariser } from "../lib/pos/square/summarise";
import { readSquareNight } from "../lib/pos/square/night";
import { addDays } from "../lib/domain/business-day";
import type { DailySummary } from "../lib/domain/summary";

export interface CaptureLine {
  path: string;
  url: string;
  body: string;
}

export interface CaseResult {
  pos: string;
  mode: string;
  /** Orders (Square: as yielded once; Clover: order copies in the list pages / 3) handled per repeat. */
  orders: number;
  bodies: number;
  bodyBytes: number;
  /** Each repeat's time, ms. */
  runsMs: number[];
  peakHeapMb: number;
  peakRssMb: number;
  /** A check that the modes agree: the day's net sales and payments total (not in floor mode). */
  check?: string;
}

export function readCapture(path: string): CaptureLine[] {
  // Line by line from the bytes: a 100k-order day's capture is larger than the longest string V8 allows.
  const bytes = readFileSync(path);
  const lines: CaptureLine[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const line = bytes.toString("utf8", start, end);
    start = end + 1;
    if (line === "") continue;
    const first = line.indexOf("\t");
    const second = line.indexOf("\t", first + 1);
    lines.push({ path: line.slice(0, first), url: line.slice(first + 1, second), body: line.slice(second + 1) });
  }
  return lines;
}

/** The window the capture's requests asked for (Square: closedAt of the first SearchOrders body is not in the capture, so by date argument). */
function windowFor(date: string) {
  return businessDayWindow(date, "America/New_York", "00:00");
}

const sumBuckets = (buckets: Record<string, number>): number => Object.values(buckets).reduce((a, b) => a + b, 0);
const checkOf = (summary: DailySummary): string => `sales ${sumBuckets(summary.sales)} payments ${sumBuckets(summary.payments)} fees ${summary.fees}`;

interface Memory {
  sample(): void;
  peaks(): { heapMb: number; rssMb: number };
}

function memoryTracker(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  const baseMaxRss = process.resourceUsage().maxRSS * 1024;
  let heap = base.heapUsed;
  return {
    sample() {
      const used = process.memoryUsage().heapUsed;
      if (used > heap) heap = used;
    },
    peaks() {
      const maxRss = process.resourceUsage().maxRSS * 1024;
      return { heapMb: (heap - base.heapUsed) / 2 ** 20, rssMb: Math.max(0, maxRss - Math.max(baseMaxRss, base.rss)) / 2 ** 20 };
    },
  };
}

function countRecords(body: unknown): number {
  const object = body as Record<string, unknown>;
  let count = 0;
  for (const field of ["orders", "payments", "refunds", "elements", "objects"]) {
    const list = object[field];
    if (Array.isArray(list)) count += list.length;
  }
  return count;
}

function squareSummarise(lines: CaptureLine[], date: string, memory: Memory): Promise<{ orders: number; check: string }> {
  const window = windowFor(date);
  const catalog = new SquareCatalog();
  for (const line of lines) if (line.path.endsWith("/catalog/batch-retrieve")) catalog.addResponse(JSON.parse(line.body));
  const summariser = new SquareDaySummariser({ window, locationId: "GENLOCATION01", currency: "USD", catalog, feesFrom: "payments", refundsFrom: "payment-refunds" });
  // As the reader yields them: each order once across the two SearchOrders passes.
  const yielded = new Set<string>();
  let orders = 0;
  for (const line of lines) {
    if (line.path.endsWith("/orders/search")) {
      const page = JSON.parse(line.body) as { orders?: { id: string }[] };
      const fresh = (page.orders ?? []).filter((order) => !yielded.has(order.id) && yielded.add(order.id));
      orders += fresh.length;
      summariser.addOrdersPage({ ...page, orders: fresh });
    } else if (line.path.endsWith("/v2/payments")) {
      summariser.addPaymentsPage(JSON.parse(line.body));
    } else if (line.path.endsWith("/v2/refunds")) {
      summariser.addRefundsPage(JSON.parse(line.body));
    }
    memory.sample();
  }
  return Promise.resolve({ orders, check: checkOf(summariser.finish().summary) });
}

async function squareReader(lines: CaptureLine[], date: string, memory: Memory): Promise<{ orders: number; check: string }> {
  let next = 0;
  const realFetch = globalThis.fetch;
  const replay: typeof fetch = () => {
    const line = lines[next++];
    memory.sample();
    if (!line) return Promise.reject(new Error("the reader asked for more than the capture holds"));
    return Promise.resolve(new Response(line.body, { status: 200, headers: { "content-type": "application/json" } }));
  };
  globalThis.fetch = replay;
  try {
    // As part 2's night: D's changes, the three days before trusted and untouched.
    const window = windowFor(date);
    const plan = {
      changesSince: window.startMs,
      days: [3, 2, 1, 0].map((back) => ({ businessDay: addDays(date, -back), window: windowFor(addDays(date, -back)), trusted: back > 0 })),
    };
    const read = await readSquareNight(
      createSquareReader({ baseUrl: "http://replay.invalid", accessToken: () => Promise.resolve("replay"), maxRetries: 0 }),
      { locationId: "GENLOCATION01", currency: "USD" }, plan,
    );
    if (next !== lines.length) throw new Error(`the reader asked for ${next} bodies, the capture holds ${lines.length}`);
    const day = read.get(date);
    if (day === undefined || day === "unchanged") throw new Error("the night's read did not summarise its day");
    return { orders: -1, check: checkOf(day.summary) };
  } finally {
    globalThis.fetch = realFetch;
  }
}

const NO_REFETCH: OrderFetcher = {
  getList: () => Promise.reject(new Error("replay: the capture holds no re-fetch")),
  getObject: () => Promise.reject(new Error("replay: the capture holds no re-fetch")),
};

async function cloverSummarise(lines: CaptureLine[], date: string, memory: Memory): Promise<{ orders: number; check: string }> {
  const elementsOf = (body: string) => {
    const parsed = listEnvelopeSchema.safeParse(JSON.parse(body));
    if (!parsed.success) throw new Error("a captured Clover list body is not a list");
    return parsed.data.elements as JsonObject[];
  };
  const categories = new CloverItemCategories();
  const seenItems = new Set<string>();
  for (const line of lines) {
    if (!line.path.endsWith("/items")) continue;
    const fresh = elementsOf(line.body).filter((item) => !seenItems.has(String(item["id"])) && seenItems.add(String(item["id"])));
    if (fresh.length > 0) categories.addItemsPage({ elements: fresh });
  }
  const summariser = new CloverDaySummariser({ window: windowFor(date), currency: "USD", categories });
  const handedOn = new Set<string>();
  let orders = 0;
  for (const triple of orderPageTriples(lines)) {
    const pages = triple.map((line) => elementsOf(line.body));
    const assembled = await assembleOrders(NO_REFETCH, pages, handedOn);
    for (const order of assembled) handedOn.add(String(order["id"]));
    orders += assembled.length;
    if (assembled.length > 0) summariser.addOrdersPage({ elements: assembled });
    memory.sample();
  }
  return { orders, check: checkOf(summariser.finish().summary) };
}

/** The ListOrders bodies grouped by page (filters and offset), each group in ORDER_EXPANSION_GROUPS' order. */
export function orderPageTriples(lines: readonly CaptureLine[]): CaptureLine[][] {
  const groups = new Map<string, CaptureLine[]>();
  for (const line of lines) {
    if (!line.path.endsWith("/orders")) continue;
    const url = new URL(line.url);
    const expand = url.searchParams.get("expand") ?? "";
    url.searchParams.delete("expand");
    const key = url.search;
    const triple = groups.get(key) ?? [];
    triple[ORDER_EXPANSION_GROUPS.findIndex((group) => group.join(",") === expand)] = line;
    groups.set(key, triple);
  }
  return [...groups.values()];
}

async function main(): Promise<void> {
  const [pos, mode, capturePath, repeatsArg, date] = process.argv.slice(2);
  if (!pos || !mode || !capturePath || !date) throw new Error("usage: summarise-case.ts <square|clover> <floor|summarise|reader> <capture file> <repeats> <date>");
  const repeats = Number(repeatsArg ?? "3");
  const lines = readCapture(capturePath);
  const bodyBytes = lines.reduce((total, line) => total + line.body.length, 0);
  const memory = memoryTracker();
  const runsMs: number[] = [];
  let orders = 0;
  let check: string | undefined;
  for (let run = 0; run < repeats; run++) {
    const started = performance.now();
    if (mode === "floor") {
      let records = 0;
      for (const line of lines) {
        records += countRecords(JSON.parse(line.body));
        memory.sample();
      }
      orders = pos === "clover" ? Math.round(records / 3) : records;
    } else {
      const run = pos === "square" ? (mode === "reader" ? squareReader : squareSummarise) : cloverSummarise;
      const result = await run(lines, date, memory);
      if (result.orders >= 0) orders = result.orders;
      check = result.check;
    }
    runsMs.push(performance.now() - started);
    memory.sample();
  }
  const peaks = memory.peaks();
  const result: CaseResult = { pos, mode, orders, bodies: lines.length, bodyBytes, runsMs, peakHeapMb: peaks.heapMb, peakRssMb: peaks.rssMb, ...(check ? { check } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith("summarise-case.ts")) await main();
