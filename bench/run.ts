/**
 * `npm run bench` (`-- --quick` for a smoke run, `-- --small` to leave out the 100k-order days): writes
 * bench/results.json and bench/results.md.
 *
 *  1. Summarise throughput and peak memory against the floor of parsing the same bodies (bench/summarise-case.ts).
 *  2. API calls of one location-night (its day and the re-checks of the three before) through the real
 *     night job against the fewest the APIs allow, and of the same night again unchanged (bench/pos-night.ts).
 *  3. Bundle size and module load time of each Lambda entry (bench/bundles.ts).
 *  4. One location-day end to end, median and p95 (bench/end-to-end.ts).
 *  5. AWS cost per merchant-month (bench/cost.ts, prices in bench/prices.ts).
 *  6. A night at scale: one scheduler tick over 10k and 25k due locations measured on moto_server
 *     (bench/tick.ts), and the night simulated at the measured rate (bench/night.ts).
 *  7. An accountant's client list with 200 clients, the whole GET /clients (bench/client-list.ts).
 *
 * `-- --client-list` runs part 7 alone and puts its figure into the results already written; `-- --tick`
 * runs part 6 alone the same way (`-- --tick=10000,25000` for other sizes; the night from part 5's job).
 * Each measurement runs in a child process of its own; moto_server is started here once.
 * Not part of `npm test`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto } from "../sandbox/moto";
import { measureBundles } from "./bundles";
import type { ClientListResult } from "./client-list";
import { type CostAssumptions, costModel, type JobProfile, jobSeconds } from "./cost";
import { type NightResult, simulateNight } from "./night";
import type { TickResult } from "./tick";
import type { EndToEndResult } from "./end-to-end";
import type { PosDayResult } from "./pos-night";
import { yesterday, ZONE } from "./pos-night";
import { PRICE_TABLE, PRICES } from "./prices";
import { renderMarkdown, type BenchResults, type SummariseFigure } from "./report";
import { median, spread } from "./stats";
import type { CaseResult } from "./summarise-case";

const quick = process.argv.includes("--quick");
const clientListOnly = process.argv.includes("--client-list");
const tickFlag = process.argv.find((arg) => arg === "--tick" || arg.startsWith("--tick="));
/** Part 6's tick sizes: 100k due locations do not seed and tick in reasonable time on moto_server on a loaded 2-core machine; the rate is shown flat across two sizes. */
const TICK_SIZES = tickFlag?.startsWith("--tick=") ? tickFlag.slice("--tick=".length).split(",").map(Number) : quick ? [1_000, 2_000] : [10_000, 25_000];
const CLIENTS = 200;
/**
 * The 100k-order days are in the default run (the issue asks for 10k and 100k): on a loaded 2-core
 * machine their part 2 runs take about a minute each (the simulators keep a query's filtered, sorted
 * result for its following pages) and their part 1 cases about 100 s in all. --small leaves them out.
 * (--large, which used to add them, is still accepted and changes nothing.)
 */
const large = !quick && !process.argv.includes("--small");
const PLAN = quick
  ? { posSizes: [100, 1_000], summariseSizes: [1_000], repeats: { 1_000: 4 } as Record<number, number>, bundleRuns: 3, endToEndRuns: 5, endToEndOrders: 300 }
  : {
    posSizes: large ? [100, 10_000, 100_000] : [100, 10_000], summariseSizes: large ? [10_000, 100_000] : [10_000],
    repeats: { 10_000: 6, 100_000: 3 } as Record<number, number>, bundleRuns: 20, endToEndRuns: 30, endToEndOrders: 300,
  };


const say = (line: string) => process.stdout.write(`${line}\n`);

/** Runs a child (node with tsx) and resolves with its last stdout line parsed as JSON. */
function child<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (chunk: Buffer) => { out += chunk.toString("utf8"); });
    proc.stderr.on("data", (chunk: Buffer) => { err = (err + chunk.toString("utf8")).slice(-4000); });
    proc.on("error", reject);
    proc.on("close", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) {
        reject(new Error(`${args.join(" ")} exited ${String(code)}: ${err.split("\n").filter((l) => l.trim() && !/NodeVersionSupportWarning|node >=22|upgrade to node|a\.co\/|versions published|security updates/.test(l)).slice(-6).join(" | ")}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}

async function timed<T>(label: string, seconds: Record<string, number>, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  say(`${label}…`);
  const result = await work();
  seconds[label] = Math.round((performance.now() - started) / 100) / 10;
  say(`${label}: ${seconds[label]} s`);
  return result;
}


async function measureClientList(env: Record<string, string>, seconds: Record<string, number>): Promise<ClientListResult> {
  const result = await timed("7. Client list", seconds, () => child<ClientListResult>(["bench/client-list.ts", String(CLIENTS), quick ? "5" : "30"], env));
  say(`   ${result.clients} clients: median ${Math.round(result.ms.median)} ms, p95 ${Math.round(result.ms.p95)} ms (the query alone ${Math.round(result.queryMs.median)} ms), ${Object.entries(result.aws.calls).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return result;
}

async function measureTicks(env: Record<string, string>, seconds: Record<string, number>): Promise<TickResult[]> {
  const { results: ticks } = await timed("6. Scheduler tick", seconds, () => child<{ results: TickResult[] }>(["bench/tick.ts", ...TICK_SIZES.map(String)], env));
  for (const tick of ticks) {
    say(`   ${tick.locations} due: ${Math.round(tick.ms)} ms, ${Math.round(tick.locationsPerSecond)} locations/s, 100k in ${tick.minutesFor100k.toFixed(1)} min (${Object.entries(tick.calls).map(([k, v]) => `${k} ${v}`).join(", ")})`);
  }
  return ticks;
}

/** The night at scale at the tick's measured rate (the slowest of its sizes), every location due at once. */
function nightsAt(ticks: TickResult[], jobSecondsEach: number, locationsPerMerchant: number): NightResult[] {
  const tickLocationsPerSecond = Math.min(...ticks.map((tick) => tick.locationsPerSecond));
  const nights = [1_000, 10_000, 100_000].map((merchants) => simulateNight({
    merchants, locationsPerMerchant, jobSeconds: jobSecondsEach, tickLocationsPerSecond, hours: 1.5,
  }));
  for (const each of nights) say(`   night of ${each.merchants} merchants: ${(each.nightSeconds / 3600).toFixed(2)} h at concurrency ${each.concurrency}`);
  return nights;
}

/** Part 6 alone, its figures put into the results already written (bench/results.json must exist: the night's job is part 5's). */
async function tickAlone(): Promise<void> {
  const results = JSON.parse(readFileSync("bench/results.json", "utf8")) as BenchResults;
  const moto = await startMoto({ timeoutMs: 60_000 });
  try {
    const tick = await measureTicks({ DAYBOOK_BENCH_MOTO: moto.endpoint }, {});
    results.nights = { tick, results: nightsAt(tick, jobSeconds(results.cost.night, results.cost.assumptions), results.cost.assumptions.locationsPerMerchant) };
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync("bench/results.md", renderMarkdown(results));
    say("updated bench/results.json and bench/results.md with part 6");
  } finally {
    await moto.stop();
  }
}

/** Part 7 alone, its figure put into the results already written (bench/results.json must exist). */
async function clientListAlone(): Promise<void> {
  const results = JSON.parse(readFileSync("bench/results.json", "utf8")) as BenchResults;
  const moto = await startMoto({ timeoutMs: 60_000 });
  try {
    results.clientList = await measureClientList({ DAYBOOK_BENCH_MOTO: moto.endpoint }, {});
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync("bench/results.md", renderMarkdown(results));
    say("updated bench/results.json and bench/results.md with part 7");
  } finally {
    await moto.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const work = join(tmpdir(), `daybook-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const moto = await startMoto({ timeoutMs: 60_000 });
  const env = { DAYBOOK_BENCH_MOTO: moto.endpoint };
  const date = yesterday(ZONE);
  try {
    // 2 first: its runs capture the bodies part 1 replays.
    const apiCalls: PosDayResult[] = [];
    await timed("2. API calls per location-night", seconds, async () => {
      for (const pos of ["square", "clover"] as const) {
        for (const size of PLAN.posSizes) {
          const result = await child<PosDayResult>(["bench/pos-night.ts", pos, String(size), join(work, `${pos}-${size}.txt`)], env);
          say(`   ${pos} ${size}: ${result.totalCalls} calls (fewest ${result.minimum.total}, ×${(result.totalCalls / result.minimum.total).toFixed(2)}), unchanged re-run ${result.recheckQuickBooksCalls} QuickBooks calls, night ${Math.round(result.syncMs)} ms`);
          apiCalls.push(result);
        }
      }
    });

    const summarise: SummariseFigure[] = [];
    await timed("1. Summarise vs parse floor", seconds, async () => {
      for (const pos of ["square", "clover"] as const) {
        for (const size of PLAN.summariseSizes) {
          const repeats = PLAN.repeats[size] ?? 3;
          const modes = pos === "square" ? ["floor", "summarise", "reader"] : ["floor", "summarise"];
          const cases: Record<string, CaseResult> = {};
          for (const mode of modes) {
            cases[mode] = await child<CaseResult>(["--expose-gc", "bench/summarise-case.ts", pos, mode, join(work, `${pos}-${size}.txt`), String(repeats), date]);
          }
          const timedRuns = (c: CaseResult) => (c.runsMs.length > 1 ? c.runsMs.slice(1) : c.runsMs); // the first is warm-up
          const floorMs = median(timedRuns(cases["floor"] as CaseResult));
          const orders = (cases["summarise"] as CaseResult).orders;
          for (const mode of modes.slice(1)) {
            const c = cases[mode] as CaseResult;
            const ms = median(timedRuns(c));
            summarise.push({
              pos, size, mode, orders, bodyMb: c.bodyBytes / 1e6, ms, floorMs, ratio: ms / floorMs,
              ordersPerSecond: orders / (ms / 1000), floorOrdersPerSecond: orders / (floorMs / 1000),
              peakHeapMb: c.peakHeapMb, peakRssMb: c.peakRssMb, floorPeakHeapMb: (cases["floor"] as CaseResult).peakHeapMb, runs: timedRuns(c).length,
            });
            say(`   ${pos} ${size} ${mode}: ${Math.round(ms)} ms vs floor ${Math.round(floorMs)} ms (×${(ms / floorMs).toFixed(1)}), heap +${Math.round(c.peakHeapMb)} MB`);
          }
        }
      }
    });

    const bundles = await timed("3. Bundles and load time", seconds, () => measureBundles(join(work, "bundles"), PLAN.bundleRuns));
    for (const b of bundles) say(`   ${b.name}: ${(b.entryBytes / 1024).toFixed(0)} KiB at start, load median ${Math.round(b.loadMs.median)} ms, floor ${Math.round(b.floorLoadMs.median)} ms (×${b.ratio.toFixed(2)})`);

    const endToEnd = await timed("4. Location-day end to end", seconds, () =>
      child<EndToEndResult>(["bench/end-to-end.ts", String(PLAN.endToEndRuns + 1), String(PLAN.endToEndOrders)], env));
    // The first run loads the Square SDK and warms moto: a cold start, measured in part 3, not here.
    const first = endToEnd.first.slice(1);
    const recheck = endToEnd.recheck.slice(1);
    say(`   first sync median ${Math.round(median(first.map((r) => r.ms)))} ms, re-check ${Math.round(median(recheck.map((r) => r.ms)))} ms`);

    const worker = bundles.find((b) => b.name === "worker");
    const api = bundles.find((b) => b.name === "api");
    // The job priced: part 2's smallest Square night (a location's ordinary day).
    const night = apiCalls.find((a) => a.pos === "square");
    if (!night) throw new Error("part 2 measured no Square night");
    const nightJob: JobProfile = {
      cpuMs: night.cpuMs,
      providerCalls: night.totalCalls,
      readUnits: night.readUnits,
      writeUnits: night.writeUnits,
      kmsRequests: (night.calls["KMS.Decrypt"] ?? 0) + (night.calls["KMS.Encrypt"] ?? 0),
      logBytes: 0,
    };
    const assumptions: CostAssumptions = {
      locationsPerMerchant: 2, daysPerMonth: 30.4, jobsPerLocationDay: 1, providerLatencyMs: 300, jobsPerWorkerInvocation: 1,
      workerMemoryGb: 0.5, coldStartShare: 0.1, workerInitMs: worker?.loadMs.median ?? 1000,
      idempotencyWriteUnits: 2, idempotencyReadUnits: 1, reportWriteUnits: 3,
      digestRecipientsPerMerchant: 1, merchantsPerDigest: 1, failedNightShare: 0.01,
      schedulerMemoryGb: 0.5, schedulerTicksPerDay: 96, schedulerTickBaseMs: 150, schedulerMsPerLocation: 10,
      schedulerReadUnitsPerTick: 16, schedulerReadUnitsPerLocationDay: 1, schedulerWriteUnitsPerLocationDay: 1,
      sqsIdlePollsPerDay: 5 * 3 * 60 * 24, apiRequestsPerMerchantMonth: 50, apiMs: 100, apiMemoryGb: 1,
      apiColdStartShare: 0.5, apiInitMs: api?.loadMs.median ?? 1000,
      platformLogBytesPerInvocation: 400, logRetentionDays: 14, kmsKeys: 2, alarms: 4, customMetrics: 1,
      storedBytesPerLocationDay: night.storedBytes + 3000, averageAccountMonths: 12,
    };
    const costs = [1_000, 10_000, 100_000].map((merchants) => costModel(merchants, nightJob, assumptions, PRICE_TABLE));

    // 6. The night at scale: the tick measured, the job priced in part 5, every location due at once.
    const tick = await measureTicks(env, seconds);
    const nights = nightsAt(tick, jobSeconds(nightJob, assumptions), assumptions.locationsPerMerchant);

    const clientList = await measureClientList(env, seconds);

    const results: BenchResults = {
      when: new Date(started).toISOString(), quick, large, node: process.version, cpus: (await import("node:os")).cpus().length,
      loadAverage: (await import("node:os")).loadavg(), seconds, businessDay: date,
      summarise, apiCalls, bundles,
      endToEnd: { orders: endToEnd.orders, first: spread(first.map((r) => r.ms)), recheck: spread(recheck.map((r) => r.ms)), firstAws: first[0]?.aws, recheckAws: recheck[0]?.aws, posCallsFirst: first[0]?.posCalls, quickBooksCallsFirst: first[0]?.quickBooksCalls, quickBooksCallsRecheck: recheck[0]?.quickBooksCalls },
      cost: { assumptions, night: nightJob, results: costs, prices: PRICES },
      nights: { tick, results: nights }, clientList,
    };
    seconds["total"] = Math.round((Date.now() - started) / 1000);
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync("bench/results.md", renderMarkdown(results));
    say(`wrote bench/results.json and bench/results.md in ${seconds["total"]} s`);
  } finally {
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await (clientListOnly ? clientListAlone() : tickFlag !== undefined ? tickAlone() : main());
