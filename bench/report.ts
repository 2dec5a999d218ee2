/** The benchmark results' shape and their markdown (bench/results.md, for the README). */
import type { BundleResult } from "./bundles";
import type { ClientListResult } from "./client-list";
import { type CostAssumptions, type CostResult, type JobProfile, jobSeconds, jobWaitMs, storedBytesPerLocation } from "./cost";
import type { CostJobResult, LocationNight } from "./cost-job";
import type { DigestReadsResult } from "./digest-reads";
import type { WorkerMemoryResult } from "./worker-memory";
import type { AwsCounts } from "./aws-counter";
import type { PosDayResult } from "./pos-night";
import type { NightResult } from "./night";
import type { TickResult } from "./tick";
import type { Price } from "./prices";
import type { Spread } from "./stats";
import { round3 } from "./stats";

export interface SummariseFigure {
  pos: string;
  size: number;
  mode: string;
  orders: number;
  bodyMb: number;
  ms: number;
  floorMs: number;
  ratio: number;
  ordersPerSecond: number;
  floorOrdersPerSecond: number;
  peakHeapMb: number;
  /** The process's peak RSS above its level with the bodies loaded, all modes of the case together. */
  peakRssMb: number;
  floorPeakHeapMb: number;
  /** The most the run holds at once (collected before each sample), and the floor's. Absent before round 4. */
  peakLiveHeapMb?: number;
  floorPeakLiveHeapMb?: number;
  /** The first round's time, JIT and heap still cold (left out of `ms`). */
  firstRoundMs?: number;
  /** heapUsed with the bodies loaded and collected: what each run starts from. Absent before round 4. */
  loadedHeapMb?: number;
  runs: number;
  /** The same day in processes whose whole V8 heap is bounded (summarise mode only; absent before round 6). */
  bounded?: BoundedFigure;
  /** The same case again with the worker's young generation on Lambda (summarise mode only; absent before round 8). */
  productionYoung?: ProductionYoungFigure;
}

/** Floor and summariser alternated as in the main table, in a process given the worker's --max-semi-space-size. */
export interface ProductionYoungFigure {
  flags: string;
  ms: number;
  floorMs: number;
  ratio: number;
  /** Sampled as SummariseFigure's peakHeapMb (garbage not yet collected included). */
  peakHeapMb: number;
  floorPeakHeapMb: number;
  runs: number;
}

/** One POS and size run again, floor and summariser each alone, with `flags` bounding the whole heap to the loaded pages + 64 MB. */
export interface BoundedFigure {
  flags: string;
  heapLimitMb: number;
  floor: BoundedRun;
  summariser: BoundedRun;
}

export interface BoundedRun {
  /** Every run ended; false when V8 ran out of heap (`error` says how). */
  completed: boolean;
  error?: string;
  peakHeapMb?: number;
  /** Medians of the runs (wall, and the process's CPU). */
  ms?: number;
  cpuMs?: number;
  runs?: number;
}

/** Part 5: the measured job, the stated assumptions, the model's figures, and the figure per digest share at 10k merchants. */
export interface CostFigures {
  assumptions: CostAssumptions;
  night: JobProfile;
  results: CostResult[];
  prices: Record<string, Price>;
  shares: { merchantsPerDigest: number; usdPerMerchantMonth: number }[];
  measured: CostJobResult;
  /** The morning digest step over a merchant's steady state, measured (bench/digest-reads.ts; absent from results measured before it was). */
  digest?: DigestReadsResult;
  /** The worker's memory proved against a 100k-order day of each POS at the memory billed (bench/worker-memory.ts; absent from results measured before it was). */
  workerMemory?: WorkerMemoryResult[];
  /** Where the module loads priced for cold starts come from. */
  loadsFrom: string;
  measuredAt: string;
  loadAverage: number[];
}

export interface BenchResults {
  when: string;
  quick: boolean;
  large: boolean;
  node: string;
  cpus: number;
  loadAverage: number[];
  seconds: Record<string, number>;
  businessDay: string;
  summarise: SummariseFigure[];
  /** When part 3 was last rerun alone (`-- --bundles`): the cost model bills its load figures. */
  bundlesRun?: { when: string };
  /** When part 1 was last run alone (`-- --summarise`), if it was. */
  summariseRun?: { when: string; loadAverage: number[]; seconds: Record<string, number>; large: boolean; capturesKept?: string };
  apiCalls: PosDayResult[];
  bundles: BundleResult[];
  endToEnd: {
    orders: number; first: Spread; recheck: Spread; firstAws: AwsCounts | undefined; recheckAws: AwsCounts | undefined;
    posCallsFirst: number | undefined; quickBooksCallsFirst: number | undefined; quickBooksCallsRecheck: number | undefined;
  };
  cost: CostFigures;
  /** Part 6: the scheduler tick measured on moto_server, and the night simulated at its rate. */
  nights: { tick: TickResult[]; results: NightResult[] };
  /** Part 7; absent from results written before it existed. */
  clientList?: ClientListResult;
}

const n = (value: number): string => round3(value).toLocaleString("en-US");
const usd = (value: number): string => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const row = (cells: (string | number)[]): string => `| ${cells.join(" | ")} |`;

/**
 * Part 5's CPU of the night job, and what it holds: the job process's alone once the simulators ran in
 * a process of their own (their CPU serving the night shown beside it, not billed); before, theirs too.
 */
export function jobCpuWords(cpuMs: number, simulatorsCpuMs: number | undefined): string {
  if (simulatorsCpuMs === undefined) return `CPU ${n(cpuMs)} ms (the simulators run in the same process, about 11 ms of it in a CPU profile, so an upper bound)`;
  return `CPU **${n(cpuMs)} ms**, the job process's own (process.cpuUsage around the night, begun on a collected heap: the worker's handler and its clients, the AWS SDK's and fetch's requests and answers; the simulators answer from a process of their own, which spent ${n(simulatorsCpuMs)} ms serving the night, not billed)`;
}

/** Part 5's two location-nights of one merchant: why the second does not refresh the QuickBooks token, and each one's figures. */
export function twoLocationsWords(nights: readonly LocationNight[], waitMs: (night: LocationNight) => number): string {
  const refresher = nights.find((night) => night.refreshedQuickBooksToken);
  const connectionWrite = refresher?.writesByKind["connection"] ? ` (on the connection item, ${n((refresher.writeUnitsByKind["connection"] ?? 0) / refresher.writesByKind["connection"])} WRU each with access tokens the size of Intuit's, sandbox/quickbooks/tokens.ts)` : "";
  return `The merchant's ${nights.length} locations (the model's locations per merchant) are Square locations of one Square merchant on one Square connection and one QuickBooks connection (one company: a merchant's locations share it), the second like the first (the same zone and day start, the same payouts mapping) with sales and payouts of its own. They fall due at the same tick and their jobs share the company's SQS FIFO message group, so they run one after the other, each in a worker of its own: the first finds the access token the night before stored expired (1 hour) and refreshes it: the token call, its lease write and token write${connectionWrite}; the second, seconds later, finds the token the first stored valid (its worker's token keeper is empty, so it opens the stored tokens, one KMS Decrypt, and refreshes only 5 minutes before they expire, lib/oauth/token-keeper.ts) and does not refresh (checked). Each job: ${nights.map((night) => `${night.locationId}${night.refreshedQuickBooksToken ? " (refreshes)" : " (token valid)"} ${night.providerCalls} provider calls, ${n(night.writeUnits)} WRU, ${n(night.readUnits)} RRU, ${night.kmsRequests} KMS, CPU ${n(night.cpuMs)} ms, waits ${n(waitMs(night))} ms`).join("; ")}.`;
}

function table(header: string[], rows: (string | number)[][]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

const MODE_NAMES: Record<string, string> = {
  summarise: "summariser (parse + validate + fold)",
  reader: "reader + summariser (Square SDK, no network)",
};

/** The measured night's payouts in words: the one it posted, the one it updated, the ones it read unchanged. */
function describePayouts(changes: readonly { before?: string; after?: string; result: string }[]): string {
  return [...changes].reverse().map((change) => change.result === "posted"
    ? `the one made the evening of the night's day (${change.after}: its deposit posted)`
    : change.result === "updated" ? `the one before it (${change.before} the night before, ${change.after} now: its record updated)` : `one that turned ${change.after} after the window's start, before the night before ran (read again, unchanged)`).join(", ");
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`## Benchmarks${r.quick ? " (quick run)" : r.large ? " (with 100k-order days)" : ""}`, "");
  out.push(`Measured ${r.when.slice(0, 16).replace("T", " ")} UTC on Node ${r.node}, ${r.cpus} cores, load average ${r.loadAverage.map((l) => l.toFixed(1)).join(" ")}; \`npm run bench\` took ${r.seconds["total"] ?? "?"} s (${Object.entries(r.seconds).filter(([k]) => k !== "total").map(([k, v]) => `${k.split(".")[0]}: ${v} s`).join(", ")}).`, "");

  out.push("### 1. Summarising a day against the floor of parsing its pages", "");
  const alone = r.summariseRun;
  const when = alone ? ` Measured ${alone.when.slice(0, 16).replace("T", " ")} UTC, load average ${alone.loadAverage.map((l) => l.toFixed(1)).join(" ")}, by \`npm run bench -- --summarise\` (${alone.seconds["1. Capturing the nights' bodies"] ?? "?"} s capturing, ${alone.seconds["1. Summarise vs parse floor"] ?? "?"} s measuring): the bodies captured by bench/capture-night.ts, the night's real read against the simulator alone${alone.capturesKept ? " (captures kept between runs in DAYBOOK_BENCH_CAPTURES and replayed where present)" : ""}.` : "";
  out.push(`The POS response bodies of one location-night's read (part 2's night: D from its changes, D−1..D−3 re-checked), captured from the simulators and replayed from memory (loaded once as strings, the "loaded pages"). Floor: \`JSON.parse\` of every body and a count of its records. The floor and the summariser (and Square's reader) run alternately, round by round, in one process per POS and size, over the same bodies; the first rounds warm the JIT and the heap up and are left out (the first round's time is shown); times are medians of the rest. Figure = time ÷ floor time (throughput = its inverse). Memory: each run starts from a full collection with the bodies loaded; peak heap is its heapUsed above that level sampled after each body without forcing collection, so it includes garbage not yet collected (the largest of the runs); peak live heap is the same in one more, untimed run that collects before each sample: the most a run holds at once. Peak RSS is the process's, all modes together. The full collection at each run's start costs the summariser, not the floor, a fixed amount: it frees the hidden classes of the previous run's pages and summary, V8 discards the compiled code that depended on them (\`--trace-deopt\`: "embedded weak objects cleared"), and the run warms the JIT up again, while the floor is \`JSON.parse\`, built in; the smaller the day, the larger that share of it.${when}`, "");
  const mb = (value: number | undefined) => (value === undefined ? "" : n(value));
  out.push(table(
    ["POS", "orders", "bodies (MB)", "what", "time (ms)", "first round (ms)", "orders/s", "floor (ms)", "floor orders/s", "× floor (time)", "throughput × floor", "peak heap above loaded (MB)", "floor peak heap (MB)", "peak live heap (MB)", "floor peak live heap (MB)", "heap with bodies loaded (MB)", "peak RSS (MB)", "runs"],
    r.summarise.map((f) => [f.pos, n(f.orders), n(f.bodyMb), MODE_NAMES[f.mode] ?? f.mode, n(f.ms), mb(f.firstRoundMs), n(f.ordersPerSecond), n(f.floorMs), n(f.floorOrdersPerSecond), `**${f.ratio.toFixed(2)}**`, `**${(1 / f.ratio).toFixed(2)}**`, `**${n(f.peakHeapMb)}**`, n(f.floorPeakHeapMb), mb(f.peakLiveHeapMb), mb(f.floorPeakLiveHeapMb), mb(f.loadedHeapMb), n(f.peakRssMb), f.runs]),
  ), "");

  const young = r.summarise.filter((f) => f.productionYoung !== undefined);
  if (young.length > 0) {
    out.push(`The same cases again with the young generation the worker has on Lambda (\`${young[0]?.productionYoung?.flags ?? ""}\`, the semi-space Lambda's Node runtime gives 256 MB, infra/capacity.ts; old space left unbounded, since the loaded pages alone exceed the worker's): floor and summariser alternated round by round in one process, timed and sampled exactly as in the table above. Without the flag V8 grows the young generation with the hundreds of MB of loaded pages, and the unforced samples above then hold up to that much uncollected garbage, the floor's as much as the summariser's; here both meet the collector as often as they would in the worker. Both tables are kept: the one above is the line's own definition.`, "");
    out.push(table(
      ["POS", "orders", "time (ms)", "floor (ms)", "× floor (time)", "throughput × floor", "peak heap above loaded (MB)", "floor peak heap (MB)", "runs"],
      young.map((f) => {
        const y = f.productionYoung as ProductionYoungFigure;
        return [f.pos, n(f.orders), n(y.ms), n(y.floorMs), `**${y.ratio.toFixed(2)}**`, `**${(1 / y.ratio).toFixed(2)}**`, `**${n(y.peakHeapMb)}**`, n(y.floorPeakHeapMb), y.runs];
      }),
    ), "");
  }

  const bounded = r.summarise.filter((f) => f.bounded !== undefined);
  if (bounded.length > 0) {
    out.push(`The same days again with the whole V8 heap bounded to the loaded pages + 64 MB (\`${bounded[0]?.bounded?.flags ?? ""}\`, V8 sizing the young generation within it): the floor and the summariser each in a process of its own, each run from a full collection as above, peak heap sampled the same way (garbage included). "completed" means every run ended inside the bound; a run that cannot ends the process (JavaScript heap out of memory). Times are medians of the runs, wall and the process's CPU (all threads, the collector's included); the ratio is CPU ÷ the floor's CPU in the same bound.`, "");
    const cell = (run: BoundedRun) => (run.completed ? "yes" : `**no**: ${run.error ?? ""}`);
    out.push(table(
      ["POS", "orders", "heap bound (MB)", "floor completed", "floor peak heap above loaded (MB)", "floor wall / CPU (ms)", "summariser completed", "summariser peak heap above loaded (MB)", "summariser wall / CPU (ms)", "× floor (CPU, bounded)", "runs"],
      bounded.map((f) => {
        const b = f.bounded as BoundedFigure;
        const ratio = b.floor.cpuMs && b.summariser.cpuMs ? `**${(b.summariser.cpuMs / b.floor.cpuMs).toFixed(2)}**` : "";
        const times = (run: BoundedRun) => (run.completed ? `${mb(run.ms)} / ${mb(run.cpuMs)}` : "");
        return [f.pos, n(f.orders), n(b.heapLimitMb), cell(b.floor), mb(b.floor.peakHeapMb), times(b.floor), cell(b.summariser), b.summariser.completed ? `**${mb(b.summariser.peakHeapMb)}**` : "", times(b.summariser), ratio, b.summariser.runs ?? ""];
      }),
    ), "");
  }

  out.push("### 2. API calls per location-night: made and fewest possible", "");
  out.push("One location-night through the real night job (lib/sync/sync-night.ts: the night's day posted, the three days before re-checked, all from one read of the POS's changes) against the simulators, DynamoDB and KMS on moto_server, the QuickBooks token expired as on every night. The three days before were synced by the night before (quiet days), so each night's calls are all its day costs, re-checks included. Fewest: from the page limits in shared/reference (Square SearchOrders 1000, ListPayments/Refunds 100, the catalog in two round-trips; Clover 1000 per page × 3 expansion copies, the items and the deleted items; one journal entry create and one token refresh). Then the same night an hour later with nothing changed.", "");
  out.push(table(
    ["POS", "orders served", "POS + QuickBooks calls", "fewest", "× fewest", "QuickBooks reads", "by endpoint", "fewest by endpoint", "unchanged re-run: QuickBooks calls", "unchanged re-run: POS calls", "AWS calls"],
    r.apiCalls.map((a) => {
      const external = Object.entries(a.calls).filter(([k]) => !k.includes("."));
      const aws = Object.entries(a.calls).filter(([k]) => k.includes("."));
      const quickBooksReads = external.filter(([k]) => k.startsWith("QuickBooks GET")).reduce((sum, [, v]) => sum + v, 0);
      return [a.pos, n(a.ordersServed), a.totalCalls, a.minimum.total, `**${(a.totalCalls / a.minimum.total).toFixed(2)}**`, `**${quickBooksReads}**`,
        external.map(([k, v]) => `${k.replace(/^(Square|Clover|QuickBooks) /, "")} ${v}`).join(", "),
        Object.entries(a.minimum.byEndpoint).map(([k, v]) => `${k} ${v}`).join(", "), `**${a.recheckQuickBooksCalls}**`,
        Object.values(a.recheckCalls).reduce((sum, v) => sum + v, 0), aws.map(([k, v]) => `${k} ${v}`).join(", ")];
    }),
  ), "");

  out.push("### 3. Lambda bundles and module load, against the floor", "");
  const bundleLoad = r.bundles[0]?.loadAverage;
  out.push("Bundled as the stack deploys them (infra/bundle.ts: esbuild, ESM, node24, minified, code-split); load = `import()` of the function's entry in a fresh `node` process (this machine's Node, not Lambda's), environment set to harmless values, against the floor: a bundle of only hono (api) and the AWS clients every invocation of the function uses, made at load (bench/floors/). Every function's entry and floor runs interleave in one sequence (entry first on even runs, floor first on odd). Each load is measured as wall time and as the CPU time the process spent importing: on a loaded machine the wall time also holds the waits for a core. What is not loaded at start is loaded by the paths that need it (lib/wiring/lazy.ts; the square SDK, intuit-oauth)."
    + (bundleLoad ? ` Load average when the runs ended: ${bundleLoad.map((v) => v.toFixed(1)).join(", ")} (1, 5, 15 min) on ${r.cpus} cores.` : ""), "");
  out.push(table(
    ["function", "loaded at start (KiB)", "all files (KiB)", "load median, wall (ms)", "load p95, wall (ms)", "load median, CPU (ms)", "floor (KiB)", "floor median, wall (ms)", "floor median, CPU (ms)", "× floor, wall", "× floor, CPU", "× floor, CPU, 1st / 2nd half of runs", "AWS clients at start", "chunks on demand", "runs"],
    r.bundles.map((b) => [b.name, n(b.entryBytes / 1024), n(b.bytes / 1024), n(b.loadMs.median), n(b.loadMs.p95), n(b.cpuMs.median), n(b.floorBytes / 1024), n(b.floorLoadMs.median), n(b.floorCpuMs.median),
      `**${b.ratio.toFixed(2)}**`, `**${b.cpuRatio.toFixed(2)}**`, b.cpuRatioHalves.map((v) => v.toFixed(2)).join(" / "),
      b.packagesAtStart.filter((p) => p.name.startsWith("@aws-sdk/client-")).map((p) => p.name.replace("@aws-sdk/client-", "")).join(", "),
      b.chunks.filter((c) => !c.atStart && c.bytes > 20_000).sort((x, y) => y.bytes - x.bytes).map((c) => {
        const name = c.path.replace(/^chunks\//, "").replace(/-[A-Z0-9]+\.mjs$/, "");
        return `${name}${c.mostly && c.mostly !== name ? ` (mostly ${c.mostly})` : ""} ${n(c.bytes / 1024)} KiB`;
      }).join(", "), b.loadMs.n]),
  ), "");

  const e = r.endToEnd;
  out.push("### 4. One location-day end to end", "");
  out.push(`A Square location-day of ${e.orders} sales: POS read (simulator), summary, QuickBooks post (simulator, token refresh included), record (DynamoDB on moto_server, tokens decrypted with moto's KMS); fresh ports each run. SQS, Powertools Idempotency and the report email are not in this path.`, "");
  out.push(table(
    ["run", "median (ms)", "p95 (ms)", "min (ms)", "runs", "POS calls", "QuickBooks calls", "AWS calls"],
    [
      ["first sync (posted)", n(e.first.median), n(e.first.p95), n(e.first.min), e.first.n, e.posCallsFirst ?? "", e.quickBooksCallsFirst ?? "", Object.entries(e.firstAws?.calls ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")],
      ["re-check (unchanged)", n(e.recheck.median), n(e.recheck.p95), n(e.recheck.min), e.recheck.n, e.posCallsFirst ?? "", e.quickBooksCallsRecheck ?? "", Object.entries(e.recheckAws?.calls ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")],
    ],
  ), "");

  const c = r.cost;
  out.push("### 5. AWS cost per merchant-month (us-east-1, list prices, no free tiers)", "");
  const a = c.assumptions;
  const job = c.night;
  const m = c.measured;
  const list = (counts: Record<string, number>, unit = ""): string => Object.entries(counts).map(([k, v]) => `${k} ${n(v)}${unit}`).join(", ");
  out.push(`Measured ${c.measuredAt.slice(0, 16).replace("T", " ")} UTC, load average ${c.loadAverage.map((each) => each.toFixed(1)).join(" ")}: ${m.locations ? `a merchant's ${m.locations.length} location-nights, each a ${m.orders}-sale Square day, one after the other` : `one location-night of a ${m.orders}-sale Square day`} through the worker's SQS handler (bench/cost-job.ts: Powertools Idempotency's record, the night's day posted and the three before re-checked, each day's report kept, the digest marked${m.payouts ? ", the night's Square payouts posted" : ""}), the Square and QuickBooks simulators on loopback${m.simulatorsCpuMs !== undefined ? " in a process of their own (bench/simulators-process.ts)" : ""} answering after the stated provider latency (so calls made at once overlap as they would), DynamoDB and KMS on a moto_server that keeps its connections open as AWS does for the SDK (sandbox/moto-lean). The steady state: the three nights before each posted a day of sales${m.payouts ? `, a day apart at 02:15 in the location's zone; the location posts Square payouts (a payouts mapping, its connection granted PAYOUTS_READ), as every location of the digest step below does, and Square pays out daily (sandbox/square/payouts.ts: a 17:00 cut-off, arriving the next weekday, PAID at 09:00 that day; a night of a Wednesday, Thursday or Friday, whose payouts each arrive the next day), so each night before posted the payout made the evening of its day, and the measured night's read window (the last run less a day, lib/payouts/post-payouts.ts READ_OVERLAP_MS) holds ${m.payouts.filter((payout) => payout.read).length} of them: ${describePayouts(m.payouts.filter((payout) => payout.read))}` : ""}, each night in a worker of its own (its vault and token keeper empty, as a container that has not served this merchant), the connections sealed apart at set-up, and the modules a night loads on first use are loaded, as in a warm container (their load measured on its own and billed on cold starts). ${m.locations ? "Every figure below is counted, not assumed: the mean of the two jobs, the model's job (a job is a location-night); each job's own after the list:" : "Every figure below is that job's, counted, not assumed:"}`, "");
  const fewest = m.minimum ? ` against a fewest of ${m.minimum.total} (${list(m.minimum.byEndpoint)}; bench/cost.ts minimumCalls, from what Square served the night: its day read once, its new payout's entries alone; the mean of the jobs' fewest): **${(job.providerCalls / m.minimum.total).toFixed(2)}×**` : "";
  out.push(`- provider calls ${job.providerCalls} (${list(m.providerCallsByEndpoint)})${fewest}; AWS calls ${job.awsCalls} (${list(m.aws)});`);
  out.push(`- DynamoDB, billed as DynamoDB bills (bench/aws-counter.ts: each write on the larger of the item before and after, plus the index entry of each index the item enters or leaves, two when its index key changes: both indexes project keys only, so a token rewrite writes the table alone; reads per started 4 KB): **${n(job.writeUnits)} WRU** (${list(m.writeUnitsByKind)}; writes ${list(m.writesByKind)}), **${n(job.readUnits)} RRU**;`);
  out.push(`- **${job.kmsRequests} KMS requests**; ${jobCpuWords(job.cpuMs, m.simulatorsCpuMs)}; a fresh container's first night loads the Square SDK and intuit-oauth on top: ${n(job.coldLoadCpuMs ?? 0)} ms of CPU (median of three plain Node processes loading the packages file by file: an upper bound of the bundle's two chunks);`);
  if (c.workerMemory?.length) {
    out.push(`- the worker's memory, ${c.workerMemory[0]?.memoryMb ?? "?"} MB, holds a 100k-order day (bench/worker-memory.ts: the worker built as the stack builds it, its entry loaded and then the night's real read and summary through the SDK or Clover's reader, in a Node process started with the V8 flags Lambda's Node runtime gives that memory, ${c.workerMemory[0]?.flags.join(" ") ?? ""}, against the simulator over loopback; peak resident set, what Lambda counts as memory used): ${c.workerMemory.map((each) => `${each.pos} ${n(each.orders)} orders, **${n(each.peakRssMb)} MB** at peak (${n(each.loadedRssMb)} MB once the entry loaded; read in ${n(each.cpuMs)} ms of CPU here)`).join("; ")};`);
  }
  if (c.digest) {
    const d = c.digest;
    out.push(`- the morning digest step for one merchant (bench/digest-reads.ts: ${d.locations} Square locations posting payouts, each with ${d.days} days of sync records with their posted entry (${n(d.syncRecordBytes)} B each) and ${d.days} daily payout records as the worker keeps them (${n(d.payoutRecordBytes)} B each), seeded through lib/store's own item encoders on moto_server; then the real step, sendDueDigests with the scheduler's stores, its marks read before as a tick reads them): ${d.readUnitsPerMerchantDay === undefined || !d.depositsMakingCarries || !d.depositsWithoutCarries
    ? `**${n(d.step.readUnits)} RRU** a merchant-day, of which the Deposits section ${n(d.deposits.readUnits)} (${list(d.deposits.calls)}: every payout kept and the sync records of the days they pay out, lib/report/digest-deposits.ts, eventually consistent but for the digest's period and the week before it), and`
    : `${n(d.step.readUnits)} RRU on a steady morning, of which the Deposits section ${n(d.deposits.readUnits)} (${list(d.deposits.calls)}: each location's card clearing carry, made the morning before (lib/payouts/clearing-carry.ts), every payout kept, and the sync records of the days outside the carry; ${n(d.depositsWithoutCarries.readUnits)} without carries), and ${n(d.depositsMakingCarries.readUnits)} on a morning making the carries anew (every record, strongly consistent; once every 30 mornings, or after a backfill or approval of a day over 30 days old): **${d.readUnitsPerMerchantDay.toFixed(1)} RRU** a merchant-day, and`} ${n(d.step.writeUnits)} WRU (${list(d.step.writeUnitsByKind)}); ${list(d.step.calls)};`);
  }
  if (m.sweep) out.push(`- the refresh sweep after the night, over the merchant's ${m.sweep.checked} connections: ${m.sweep.opened} opened, ${m.sweep.kmsRequests} KMS requests, ${n(m.sweep.writeUnits)} WRU (each connection keeps when its tokens are next due, lib/connections/refresh-sweep.ts);`);
  if (job.calls) out.push(`- the job's waits on its critical path${job.callsOfEach ? " (the mean of the two jobs')" : ""} (bench/cost.ts waitPathMs: each call recorded from its send to its answer, and taken to wait on every call that had ended before it started, so calls made at once wait once): **${n(jobWaitMs(job, a))} ms** at the stated latencies, against ${n(job.providerCalls * a.providerLatencyMs + job.awsCalls * a.awsLatencyMs)} ms were every call made in turn;`);
  out.push(`- stored by the night, bytes by kind (DynamoDB's item size, plus the 100 bytes of storage overhead DynamoDB bills for each item), and how long each is kept (lib/store/retention.ts): ${job.stored.map((each) => `${each.kind} ${n(each.bytes)} B for ${each.keptMonths >= 1 ? `${n(each.keptMonths)} months` : each.keptMonths > 0 ? `${n(each.keptMonths * a.daysPerMonth)} days` : "none (replaced in place)"}`).join(", ")}: ${n(storedBytesPerLocation(job, a) / 1e6)} MB per location at steady state.`, "");
  if (m.locations) out.push(twoLocationsWords(m.locations, (each) => jobWaitMs({ ...job, calls: each.calls, callsOfEach: [each.calls] }, a)), "");
  out.push(`Assumptions, stated: ${a.locationsPerMerchant} locations per merchant, ${a.daysPerMonth} days a month, one job per location-night${m.locations ? ` (billed at the mean of the merchant's ${m.locations.length} measured above: the first refreshes the QuickBooks token, the second finds it valid)` : ""}; each provider call waits **${a.providerLatencyMs} ms** and each AWS call **${a.awsLatencyMs} ms** (billed: the CPU × ${n(a.workerCpuSlowdown)}, as Lambda gives ${a.workerMemoryGb * 1024} MB ${n(1 / a.workerCpuSlowdown)} of a vCPU (one at 1,769 MB), + the waits on the critical path = ${n(jobSeconds(job, a))} s a job); one job per worker invocation at ${a.workerMemoryGb * 1024} MB (infra/capacity.ts), arm64, ${a.jobExtraKmsRequests ? `${n(a.jobExtraKmsRequests)} KMS requests a job beyond the measured night's (after a month turns, the merchant's two connections carry two data keys until the POS's tokens are next sealed: about 4 nights a month open both, bench/run.ts JOB_EXTRA_KMS_REQUESTS), ` : ""}with ${n(a.coldStartShare * 100)}% of jobs meeting a fresh container (a night's containers start cold once each, then serve job after job: ten times the default fleet's concurrency over its jobs, infra/capacity.ts), each paying the worker entry's load (${n(a.workerInitMs)} ms, ${c.loadsFrom}) and the first-use loads above at the worker's share of a vCPU; **email with the accountant's daily digest**: ${a.digestRecipientsPerMerchant} recipient a merchant-day, **one digest per ${a.merchantsPerDigest} merchants** in the table below (an accountant's morning digest covers every client that address receives, and an accountant typically has more than ${a.merchantsPerDigest}; a merchant who receives their own digest is 1: the figure at 1, 5 and 20 after it), plus an alert to the merchant on the ${a.failedNightShare * 100}% of nights that fail (SES bills each recipient); ${a.apiRequestsPerMerchantMonth} web requests per merchant-month at ${a.apiMs} ms and ${a.apiMemoryGb * 1024} MB, ${Math.round(a.apiColdStartShare * 100)}% of them cold at the api entry's load (${n(a.apiInitMs)} ms); scheduler ticks every 15 min (${a.schedulerTickBaseMs} ms + ${a.schedulerMsPerLocation} ms per due location, ${a.schedulerReadUnitsPerTick} RRU a tick, ${a.schedulerReadUnitsPerLocationDay} RRU and ${a.schedulerWriteUnitsPerLocationDay} WRU per due location: its pointer and location read, its new entry put, its pointer moved and its old entry deleted, lib/store/due-index.ts); the morning digest step (lib/report/digest.ts), ${c.digest ? "its reads measured (above), its writes and time counted from its code" : "counted from its code, not measured"}: ${n(a.digestReadUnitsPerMerchantDay)} RRU, ${a.digestWriteUnitsPerMerchantDay} WRU and ${a.digestMsPerMerchantDay} ms per merchant-day, ${a.digestWriteUnitsPerDigest} WRU and ${a.digestMsPerDigest} ms per digest sent; the refresh sweep ${a.sweepsPerDay} times a day over ${a.connectionsPerMerchant} connections per merchant, each read (${a.sweepReadUnitsPerConnection} RRU), its tokens opened only when due: the measured sweep's plus about once a week (Square's weekly refresh, or the kept time's week running out), and a new data key for each connection each month (lib/vault/kms.ts), ${n(a.sweepKmsRequestsPerConnection)} KMS requests and ${n(a.sweepWriteUnitsPerConnection)} WRU per connection checked, and ${n(a.sweepMsPerConnection)} ms of the worker; ${a.platformLogBytesPerInvocation} bytes of platform log lines per invocation, kept ${a.logRetentionDays} days; ${a.sqsIdlePollsPerDay.toLocaleString("en-US")} idle SQS long polls a day; fixed: ${a.kmsKeys} KMS keys, ${a.alarms} alarms, ${a.customMetrics} custom metric; storage grows for as long as each kind is kept, never longer than the account (average age ${a.averageAccountMonths} months), and is backed up continuously (PITR, billed on the table's size).`, "");
  const items = c.results[0]?.lines.map((line) => line.item) ?? [];
  out.push(table(
    ["", ...c.results.map((result) => `${result.merchants.toLocaleString("en-US")} merchants`)],
    [
      ...items.map((item, i) => [item, ...c.results.map((result) => usd(result.lines[i]?.usdPerMonth ?? 0))]),
      ["**total per month**", ...c.results.map((result) => `**${usd(result.usdPerMonth)}**`)],
      ["**per merchant-month**", ...c.results.map((result) => `**${usd(result.usdPerMerchantMonth)}**`)],
    ],
  ), "");
  if (c.shares.length > 0) {
    out.push(`The digest's share, at 10,000 merchants: one morning digest per recipient address covers every business that address receives, so an accountant with many clients gets one email; the model's share is how many merchants a digest covers on average (${a.merchantsPerDigest} in the table above). The figure for each:`, "");
    out.push(table(
      ["merchants per digest", ...c.shares.map((share) => String(share.merchantsPerDigest))],
      [["**per merchant-month at 10,000 merchants**", ...c.shares.map((share) => `**${usd(share.usdPerMerchantMonth)}**`)]],
    ), "");
  }
  out.push("Prices (read 2026-11-23, sources in bench/prices.ts):", "");
  for (const [name, price] of Object.entries(c.prices)) out.push(`- ${name}: $${price.usd} per ${price.per} — ${price.source}`);
  out.push("");

  const nights = r.nights;
  out.push("### 6. A night at scale: the scheduler's tick measured, the night simulated", "");
  const ticks = nights.tick;
  const slowest = Math.min(...ticks.map((tick) => tick.locationsPerSecond));
  out.push(`bench/tick.ts: one scheduler tick (lib/schedule/scheduler.ts) over N locations all due at once (one zone's midnight; 2 locations per merchant, each merchant its own QuickBooks company), against the due-index in a table on one moto_server and SQS FIFO on another (as AWS runs them apart; one moto process serialises both on one core), seeded with BatchWriteItem. Each location sent exactly once and moved on, nothing left due (checked). Measured ${ticks[0]?.loadAverage ? `with load average ${ticks.map((tick) => tick.loadAverage[0]?.toFixed(1)).join(" and ")} at the ends of the ticks` : ""} on a 2-core machine: moto_server is CPU-bound Python, so **the rate is a lower bound** of what DynamoDB and SQS would give. ${ticks.some((tick) => tick.locations >= 100_000) ? "The 100k row is the line's own measurement: one tick over 100,000 due locations." : "100k due locations were not measured here (`-- --tick=100000` measures them: about 20 minutes on this machine); the rate is shown at two sizes instead."} moto's FIFO queue costs O(messages held) per send, which SQS does not, so the bench sends each batch to the next of a pool of queues of 50 messages.`, "");
  out.push(table(
    ["due locations", "tick (s)", "locations enqueued / s", "100k at this rate (min)", "against the 15-min interval", "AWS calls"],
    ticks.map((tick) => [
      n(tick.locations), n(tick.ms / 1000), `**${n(tick.locationsPerSecond)}**`, `**${n(tick.minutesFor100k)}**`, `${n(tick.minutesFor100k / 15)}×`,
      Object.entries(tick.calls).map(([kind, count]) => `${kind} ${n(count)}`).join(", "),
    ]),
  ), "");
  out.push(`bench/night.ts: every location due at once (the worst case); the tick enqueues them at the slowest measured rate above (${n(slowest)} locations a second); each job takes the part 5 job's ${n(nights.results[0]?.jobSeconds ?? 0)} s (measured CPU at the worker's share of a vCPU + the stated waits on its critical path); the worker's concurrency is infra/capacity.ts's for the fleet; one job per QuickBooks company in flight.`, "");
  out.push(table(
    ["merchants", "locations", "worker concurrency", "tick enqueues all (min)", "night ends after (h)", "jobs that waited for their company"],
    nights.results.map((night) => [n(night.merchants), n(night.jobs), night.concurrency, n(night.enqueuedSeconds / 60), `**${(night.nightSeconds / 3600).toFixed(2)}**`, n(night.waitedForCompany)]),
  ), "");
  const l = r.clientList;
  if (l) {
    out.push("### 7. An accountant's client list", "");
    out.push(`GET /clients through the web app as lib/wiring composes it (the session, the one query of the accountant's partition, the ordering worst first, the page), DynamoDB on moto_server, for an accountant with ${l.clients} clients (${l.locations} locations; one in ten failed, one in ten held, one in ten not posting). The first request is left out. Measured ${l.measuredAt.slice(0, 16).replace("T", " ")} UTC, load average ${l.loadAverage.map((each) => each.toFixed(1)).join(" ")}.`, "");
    out.push(table(
      ["clients", "median (ms)", "p95 (ms)", "min (ms)", "runs", "the query alone, median (ms)", "DynamoDB calls per request", "read units", "page (KiB)"],
      [[l.clients, n(l.ms.median), n(l.ms.p95), n(l.ms.min), l.ms.n, n(l.queryMs.median), Object.entries(l.aws.calls).map(([k, v]) => `${k} ${v}`).join(", "), n(l.aws.readUnits), n(l.pageBytes / 1024)]],
    ), "");
  }
  return `${out.join("\n")}\n`;
}
