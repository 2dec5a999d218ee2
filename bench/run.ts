/**
 * `npm run bench` (`-- --quick` for a smoke run, `-- --small` to leave out the 100k-order days): writes
 * bench/results.json and bench/results.md.
 *
 *  1. Summarise throughput and peak memory against the floor of parsing the same bodies (bench/summarise-case.ts).
 *  2. API calls of one location-day through the real sync against the fewest the APIs allow (bench/pos-day.ts).
 *  3. Bundle size and module load time of each Lambda entry (bench/bundles.ts).
 *  4. One location-day end to end, median and p95 (bench/end-to-end.ts).
 *  5. AWS cost per merchant-month (bench/cost.ts, prices in bench/prices.ts).
 *  6. An accountant's client list with 200 clients, the whole GET /clients (bench/client-list.ts).
 *
 * `-- --client-list` runs part 6 alone and puts its figure into the results already written.
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
import { type CostAssumptions, costModel, type JobProfile } from "./cost";
import type { EndToEndResult, RunProfile } from "./end-to-end";
import type { PosDayResult } from "./pos-day";
import { yesterday, ZONE } from "./pos-day";
import { PRICE_TABLE, PRICES } from "./prices";
import { renderMarkdown, type BenchResults, type SummariseFigure } from "./report";
import { median, spread } from "./stats";
import type { CaseResult } from "./summarise-case";

const quick = process.argv.includes("--quick");
const clientListOnly = process.argv.includes("--client-list");
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

const profileOf = (runs: RunProfile[], pick: (run: RunProfile) => number): number => median(runs.map(pick));

async function measureClientList(env: Record<string, string>, seconds: Record<string, number>): Promise<ClientListResult> {
  const result = await timed("6. Client list", seconds, () => child<ClientListResult>(["bench/client-list.ts", String(CLIENTS), quick ? "5" : "30"], env));
  say(`   ${result.clients} clients: median ${Math.round(result.ms.median)} ms, p95 ${Math.round(result.ms.p95)} ms (the query alone ${Math.round(result.queryMs.median)} ms), ${Object.entries(result.aws.calls).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return result;
}

/** Part 6 alone, its figure put into the results already written (bench/results.json must exist). */
async function clientListAlone(): Promise<void> {
  const results = JSON.parse(readFileSync("bench/results.json", "utf8")) as BenchResults;
  const moto = await startMoto({ timeoutMs: 60_000 });
  try {
    results.clientList = await measureClientList({ DAYBOOK_BENCH_MOTO: moto.endpoint }, {});
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync("bench/results.md", renderMarkdown(results));
    say("updated bench/results.json and bench/results.md with part 6");
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
    await timed("2. API calls per location-day", seconds, async () => {
      for (const pos of ["square", "clover"] as const) {
        for (const size of PLAN.posSizes) {
          const result = await child<PosDayResult>(["bench/pos-day.ts", pos, String(size), join(work, `${pos}-${size}.txt`)], env);
          say(`   ${pos} ${size}: ${result.totalCalls} calls (minimum ${result.minimum.total}), sync ${Math.round(result.syncMs)} ms`);
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
    for (const b of bundles) say(`   ${b.name}: ${(b.bytes / 1024).toFixed(0)} KiB, load median ${Math.round(b.loadMs.median)} ms`);

    const endToEnd = await timed("4. Location-day end to end", seconds, () =>
      child<EndToEndResult>(["bench/end-to-end.ts", String(PLAN.endToEndRuns + 1), String(PLAN.endToEndOrders)], env));
    // The first run loads the Square SDK and warms moto: a cold start, measured in part 3, not here.
    const first = endToEnd.first.slice(1);
    const recheck = endToEnd.recheck.slice(1);
    say(`   first sync median ${Math.round(median(first.map((r) => r.ms)))} ms, re-check ${Math.round(median(recheck.map((r) => r.ms)))} ms`);

    const worker = bundles.find((b) => b.name === "worker");
    // Per job, beyond what part 4 measures: Powertools Idempotency writes its record twice (in progress,
    // completed) and reads it once; a posted day's report is written and one email sent (lib/worker/process-job.ts).
    const job = (runs: RunProfile[], posted: boolean): JobProfile => ({
      workerMs: profileOf(runs, (r) => r.ms),
      readUnits: profileOf(runs, (r) => r.aws.readUnits) + 1,
      writeUnits: profileOf(runs, (r) => r.aws.writeUnits) + 2 + (posted ? 2 : 0),
      kmsRequests: profileOf(runs, (r) => (r.aws.calls["KMS.Decrypt"] ?? 0) + (r.aws.calls["KMS.Encrypt"] ?? 0)),
      emails: posted ? 1 : 0,
      logBytes: 0,
    });
    const assumptions: CostAssumptions = {
      locationsPerMerchant: 2, daysPerMonth: 30.4, firstJobsPerLocationDay: 1, recheckJobsPerLocationDay: 3, jobsPerWorkerInvocation: 1,
      workerMemoryGb: 1, coldStartShare: 0.1, workerInitMs: worker?.loadMs.median ?? 1000,
      schedulerMemoryGb: 0.5, schedulerTicksPerDay: 96, schedulerTickBaseMs: 150, schedulerMsPerLocation: 10,
      schedulerReadUnitsPerTick: 16, schedulerReadUnitsPerLocationDay: 1, schedulerWriteUnitsPerLocationDay: 1,
      sqsIdlePollsPerDay: 5 * 3 * 60 * 24, apiRequestsPerMerchantMonth: 50, apiMs: 100, apiMemoryGb: 1,
      platformLogBytesPerInvocation: 400, logRetentionDays: 14, kmsKeys: 1,
    };
    const clientList = await measureClientList(env, seconds);

    const firstJob = job(first, true);
    const recheckJob = job(recheck, false);
    const costs = [1_000, 10_000, 100_000].map((merchants) => costModel(merchants, firstJob, recheckJob, assumptions, PRICE_TABLE));

    const results: BenchResults = {
      when: new Date(started).toISOString(), quick, large, node: process.version, cpus: (await import("node:os")).cpus().length,
      loadAverage: (await import("node:os")).loadavg(), seconds, businessDay: date,
      summarise, apiCalls, bundles,
      endToEnd: { orders: endToEnd.orders, first: spread(first.map((r) => r.ms)), recheck: spread(recheck.map((r) => r.ms)), firstAws: first[0]?.aws, recheckAws: recheck[0]?.aws, posCallsFirst: first[0]?.posCalls, quickBooksCallsFirst: first[0]?.quickBooksCalls, quickBooksCallsRecheck: recheck[0]?.quickBooksCalls },
      cost: { assumptions, firstJob, recheckJob, results: costs, prices: PRICES }, clientList,
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

await (clientListOnly ? clientListAlone() : main());
