/**
 * Part 1 (child process, one per POS and size): replays the POS response bodies of one location-night's
 * read, from memory, and times the floor (JSON.parse of every body and a walk counting its records)
 * and the real summarising code over the same bodies, ALTERNATING round by round in this one process,
 * so that both meet the same machine load, the same JIT state and the same bodies. Network is out of it.
 *
 *   node --expose-gc --import tsx bench/summarise-case.ts <square|clover> <capture file> <rounds> <date>
 *
 * Modes, each once a round: floor; summarise = what lib/pos/{square,clover}/night.ts do with the bodies
 * (Square: the catalog, then SquareDaySummariser over orders, payments and refunds pages; Clover: the
 * list envelope check, order-assembly.ts merging the three expansion copies, CloverItemCategories and
 * CloverDaySummariser); reader (Square only) = the night's real read (readSquareNight through
 * createSquareReader and the Square SDK) with fetch answered from memory: the whole POS read less the network.
 * Prints one JSON line: CaseResult. Memory: each run starts from a full collection with the bodies
 * loaded; its peak heap above that level is sampled after each body without forcing collection, so it
 * includes garbage not yet collected; then one more run per mode, untimed, collects before each sample
 * (its peak is what a run holds at once).
 *
 * Young generation as production sizes it (`--modes=floor,summarise`, started by bench/run.ts with the
 * --max-semi-space-size Lambda's Node runtime gives the worker's memory, infra/capacity.ts
 * lambdaNodeFlags): the same alternating rounds and memory samples as above, of the named modes only.
 * Prints one JSON line: CaseResult.
 *
 * Bounded (`--only=<mode>`, started by bench/run.ts with `--max-old-space-size=<MB>`): that one mode's
 * runs alone, as above (each from a full collection, heapUsed sampled after each body), in a process
 * whose old generation V8 may not grow past the bound (young generation at its default). A run that
 * cannot stay within it ends the process ("JavaScript heap out of memory"); one that does shows the
 * day fits, and its time shows what fitting costs. Prints one JSON line: BoundedResult.
 */
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { addDays, businessDayWindow } from "../lib/domain/business-day";
import { CloverItemCategories } from "../lib/pos/clover/categories";
import { assembleOrders, ORDER_EXPANSION_GROUPS, type OrderFetcher } from "../lib/pos/clover/order-assembly";
import { listElements } from "../lib/pos/clover/responses";
import { CloverDaySummariser } from "../lib/pos/clover/summarise";
import { SquareCatalog } from "../lib/pos/square/catalog";
import { createSquareReader, withoutOrdersSeen } from "../lib/pos/square/client";
import type { JsonObject } from "../lib/pos/square/raw-responses";
import { SquareDaySummariser } from "../lib/pos/square/summarise";
import { readSquareNight } from "../lib/pos/square/night";
import type { NightPlan } from "../lib/pos/night";
import type { DailySummary } from "../lib/domain/summary";

export interface CaptureLine {
  path: string;
  url: string;
  body: string;
}

export interface ModeResult {
  mode: string;
  /** Orders handled per run (Square: as yielded once; Clover: orders assembled; floor: order copies in the list pages, Clover's / 3). */
  orders: number;
  /** Each round's time, ms (the first rounds warm the JIT and the heap up). */
  runsMs: number[];
  /** Peak heapUsed above the level at the run's start (bodies loaded, garbage collected), the largest of the runs; garbage not yet collected included. */
  peakHeapMb: number;
  /** The same in one more run, untimed, collecting before each sample: the most the run holds at once. */
  peakLiveHeapMb: number;
  /** A check that the modes agree: the day's sales, payments and fees (not in floor mode). */
  check?: string;
}

export interface CaseResult {
  pos: string;
  bodies: number;
  bodyBytes: number;
  /** heapUsed with the bodies loaded, after a full collection. */
  loadedHeapMb: number;
  /** The process's peak RSS above its level with the bodies loaded (all modes together). */
  peakRssMb: number;
  modes: ModeResult[];
}

/** One mode's runs in a process with a bounded heap. */
export interface BoundedResult {
  pos: string;
  mode: string;
  /** V8's heap_size_limit in the bounded process (old generation bound plus the young generation). */
  heapLimitMb: number;
  loadedHeapMb: number;
  runsMs: number[];
  /** The process's CPU time in each run (all its threads, the collector's included), ms. */
  cpuMs: number[];
  /** As ModeResult's, in these runs. */
  peakHeapMb: number;
}

export function readCapture(path: string): CaptureLine[] {
  // Line by line from the bytes: a 100k-order day's capture is larger than the longest string V8 allows.
  // The bodies are loaded as strings, on the heap, once: every run reads the same strings, and none
  // makes a new one (decoding a body per run puts a string of a megabyte or more in the large-object
  // space, which only a full collection frees: the peak would then measure V8's collection of those
  // strings, the floor's as much as the summariser's).
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
    if (first === -1 || second === -1) throw new Error(`${path}: a line without its three tab-separated fields`);
    lines.push({ path: line.slice(0, first), url: line.slice(first + 1, second), body: line.slice(second + 1) });
  }
  return lines;
}

export const CAPTURE_ZONE = "America/New_York";

/** The window of a day the capture holds (by the date argument: the bodies do not say which day was asked for). */
function windowFor(date: string) {
  return businessDayWindow(date, CAPTURE_ZONE, "00:00");
}

/** The night of part 2: D read from its changes, the three days before trusted and quiet. */
export function nightPlan(date: string): NightPlan {
  return {
    changesSince: windowFor(date).startMs,
    days: [3, 2, 1, 0].map((back) => ({ businessDay: addDays(date, -back), window: windowFor(addDays(date, -back)), trusted: back > 0 })),
  };
}

const sumBuckets = (buckets: Record<string, number>): number => Object.values(buckets).reduce((a, b) => a + b, 0);
const checkOf = (summary: DailySummary): string => `sales ${sumBuckets(summary.sales)} payments ${sumBuckets(summary.payments)} fees ${summary.fees}`;

interface Memory {
  sample(): void;
}

/**
 * Peak heapUsed above the level after a full collection, from now on; sampled by the caller after each
 * body. `live`: each sample first collects the garbage, so the peak is what the run holds (a run of its
 * own, untimed, since a collection per body costs more than the work measured).
 */
function memoryTracker(live = false): Memory & { peakMb(): number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc: each run must start from a collected heap");
  gc();
  const base = getHeapStatistics().used_heap_size;
  let heap = base;
  return {
    sample() {
      if (live) gc();
      const used = getHeapStatistics().used_heap_size;
      if (used > heap) heap = used;
    },
    peakMb: () => (heap - base) / 2 ** 20,
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
  for (const line of lines) {
    if (!line.path.endsWith("/catalog/batch-retrieve")) continue;
    catalog.addResponse(JSON.parse(line.body));
    memory.sample();
  }
  const summariser = new SquareDaySummariser({ window, locationId: "GENLOCATION01", currency: "USD", catalog, feesFrom: "payments", refundsFrom: "payment-refunds" });
  // As the reader yields them, by its own code: each order once across the SearchOrders pages.
  const yielded = new Set<string>();
  let orders = 0;
  for (const line of lines) {
    if (line.path.endsWith("/orders/search")) {
      const page = withoutOrdersSeen(JSON.parse(line.body) as JsonObject, yielded);
      if (page) {
        orders += (page["orders"] as unknown[] | undefined)?.length ?? 0;
        summariser.addOrdersPage(page);
      }
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
  // The reader reads orders, payments and refunds at once, so requests of different endpoints interleave
  // in whatever order they are answered; each endpoint's own pages follow one another, so each endpoint
  // is replayed in its captured order.
  const byPath = new Map<string, CaptureLine[]>();
  for (const line of lines) byPath.set(line.path, [...(byPath.get(line.path) ?? []), line]);
  let next = 0;
  const realFetch = globalThis.fetch;
  const replay: typeof fetch = (input) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const line = byPath.get(path)?.shift();
    next += 1;
    memory.sample();
    if (!line) return Promise.reject(new Error(`the reader asked for more of ${path} than the capture holds`));
    return Promise.resolve(new Response(line.body, { status: 200, headers: { "content-type": "application/json" } }));
  };
  globalThis.fetch = replay;
  try {
    const plan = nightPlan(date);
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
    // As the reader checks it (lib/pos/clover/client.ts).
    return listElements(JSON.parse(body), () => new Error("a captured Clover list body is not a list"));
  };
  const categories = new CloverItemCategories();
  const seenItems = new Set<string>();
  for (const line of lines) {
    if (!line.path.endsWith("/items")) continue;
    const fresh = elementsOf(line.body).filter((item) => !seenItems.has(item.id) && seenItems.add(item.id));
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

function floor(lines: CaptureLine[], pos: string, memory: Memory): Promise<{ orders: number }> {
  let records = 0;
  for (const line of lines) {
    records += countRecords(JSON.parse(line.body));
    memory.sample();
  }
  return Promise.resolve({ orders: pos === "clover" ? Math.round(records / 3) : records });
}

async function main(): Promise<void> {
  const [pos, capturePath, roundsArg, date, onlyArg] = process.argv.slice(2);
  if ((pos !== "square" && pos !== "clover") || !capturePath || !date) throw new Error("usage: summarise-case.ts <square|clover> <capture file> <rounds> <date> [--only=<mode> | --modes=<mode>,<mode>]");
  const rounds = Number(roundsArg ?? "3");
  const lines = readCapture(capturePath);
  const bodyBytes = lines.reduce((total, line) => total + line.body.length, 0);
  const allRuns: Record<string, (memory: Memory) => Promise<{ orders: number; check?: string }>> = pos === "square"
    ? { floor: (memory) => floor(lines, pos, memory), summarise: (memory) => squareSummarise(lines, date, memory), reader: (memory) => squareReader(lines, date, memory) }
    : { floor: (memory) => floor(lines, pos, memory), summarise: (memory) => cloverSummarise(lines, date, memory) };
  const named = onlyArg?.startsWith("--modes=") ? onlyArg.slice("--modes=".length).split(",") : undefined;
  if (named?.some((mode) => !(mode in allRuns))) throw new Error(`no mode among ${named.join(", ")}`);
  const runs = named ? Object.fromEntries(named.map((mode) => [mode, allRuns[mode] as (typeof allRuns)[string]])) : allRuns;
  if (onlyArg?.startsWith("--only=")) {
    const mode = onlyArg.slice("--only=".length);
    const run = runs[mode];
    if (!run) throw new Error(`no mode ${mode}`);
    (globalThis as { gc?: () => void }).gc?.();
    const result: BoundedResult = { pos, mode, heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20, loadedHeapMb: getHeapStatistics().used_heap_size / 2 ** 20, runsMs: [], cpuMs: [], peakHeapMb: 0 };
    for (let round = 0; round < rounds; round++) {
      const memory = memoryTracker();
      const started = performance.now();
      const cpu = process.cpuUsage();
      await run(memory);
      result.runsMs.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      result.cpuMs.push((used.user + used.system) / 1000);
      memory.sample();
      result.peakHeapMb = Math.max(result.peakHeapMb, memory.peakMb());
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const modes: ModeResult[] = Object.keys(runs).map((mode) => ({ mode, orders: 0, runsMs: [], peakHeapMb: 0, peakLiveHeapMb: 0 }));
  (globalThis as { gc?: () => void }).gc?.();
  const loadedHeap = getHeapStatistics().used_heap_size;
  const baseRss = process.memoryUsage.rss();
  for (let round = 0; round < rounds; round++) {
    for (const result of modes) {
      const memory = memoryTracker();
      const started = performance.now();
      const { orders, check } = await (runs[result.mode] as (memory: Memory) => Promise<{ orders: number; check?: string }>)(memory);
      result.runsMs.push(performance.now() - started);
      memory.sample();
      result.peakHeapMb = Math.max(result.peakHeapMb, memory.peakMb());
      if (orders >= 0) result.orders = orders;
      if (check !== undefined) {
        if (result.check !== undefined && result.check !== check) throw new Error(`${result.mode} gave ${check}, then ${result.check}`);
        result.check = check;
      }
    }
  }
  for (const result of modes) {
    const memory = memoryTracker(true);
    await (runs[result.mode] as (memory: Memory) => Promise<unknown>)(memory);
    memory.sample();
    result.peakLiveHeapMb = memory.peakMb();
  }
  const checks = new Set(modes.flatMap((m) => (m.check ? [m.check] : [])));
  if (checks.size > 1) throw new Error(`the modes disagree on the day: ${[...checks].join(" / ")}`);
  const peakRssMb = Math.max(0, process.resourceUsage().maxRSS * 1024 - baseRss) / 2 ** 20;
  const result: CaseResult = { pos, bodies: lines.length, bodyBytes, loadedHeapMb: loadedHeap / 2 ** 20, peakRssMb, modes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith("summarise-case.ts")) await main();
