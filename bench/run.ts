/**
 * `npm run bench` (`-- --quick` for a smoke run, `-- --small` to leave out the 100k-order days): writes
 * bench/results.json and bench/results.md.
 *
 *  1. Summarise throughput and peak memory against the floor of parsing the same bodies (bench/summarise-case.ts),
 *     the same again with the young generation the worker has on Lambda (--max-semi-space-size), and the
 *     same day again with the whole V8 heap bounded to the loaded pages + 64 MB (--max-heap-size).
 *  2. API calls of one location-night (its day and the re-checks of the three before) through the real
 *     night job against the fewest the APIs allow, and of the same night again unchanged (bench/pos-night.ts).
 *  3. Bundle size and module load time of each Lambda entry (bench/bundles.ts).
 *  4. One location-day end to end, median and p95 (bench/end-to-end.ts).
 *  5. AWS cost per merchant-month: a merchant's two location-nights through the worker's handler, one
 *     after the other (the second finds the QuickBooks token the first refreshed), every AWS call and
 *     request unit counted (bench/cost-job.ts), their mean priced by bench/cost.ts (prices in bench/prices.ts).
 *  6. A night at scale: one scheduler tick over 10k and 25k due locations measured on moto_server
 *     (bench/tick.ts), and the night simulated at the measured rate (bench/night.ts).
 *  7. An accountant's client list with 200 clients, the whole GET /clients (bench/client-list.ts).
 *
 * `-- --client-list` runs part 7 alone and puts its figure into the results already written; `-- --cost`
 * likewise runs part 5 alone (the module loads it prices come from the results' part 3), and `-- --bundles`
 * part 3, and `-- --summarise` part 1 (its bodies captured by bench/capture-night.ts; with `--small`, 10k
 * orders only; with DAYBOOK_BENCH_CAPTURES=<dir>, captures are kept there and replayed by later runs); `-- --tick` part 6 (`-- --tick=10000,25000` for other sizes; the night from part 5's job).
 * Each measurement runs in a child process of its own; moto_server is started here once.
 * Not part of `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto } from "../sandbox/moto";
import { measureBundles } from "./bundles";
import type { ClientListResult } from "./client-list";
import { DEFAULT_FLEET, FUNCTION_MEMORY_MB, lambdaNodeFlags, workerConcurrencyFor } from "../infra/capacity";
import { SYNC_RECORD_MONTHS } from "../lib/store/retention";
import type { CostJobResult } from "./cost-job";
import type { DigestReadsResult } from "./digest-reads";
import type { WorkerMemoryResult } from "./worker-memory";
import { type CostAssumptions, costModel, type JobProfile, jobSeconds, jobWaitMs, PROVIDER_LATENCY_MS } from "./cost";
import { type NightResult, simulateNight } from "./night";
import type { TickResult } from "./tick";
import type { EndToEndResult } from "./end-to-end";
import type { PosDayResult } from "./pos-night";
import { lastSettledDay, ZONE } from "./pos-night";
import { PRICE_TABLE, PRICES } from "./prices";
import { type BoundedFigure, type BoundedRun, type CostFigures, type ProductionYoungFigure, renderMarkdown, type BenchResults, type SummariseFigure } from "./report";
import { median, spread } from "./stats";
import type { CaptureResult } from "./capture-night";
import type { BoundedResult, CaseResult, ModeResult } from "./summarise-case";

const quick = process.argv.includes("--quick");
const clientListOnly = process.argv.includes("--client-list");
const costOnly = process.argv.includes("--cost");
const bundlesOnly = process.argv.includes("--bundles");
const summariseOnly = process.argv.includes("--summarise");
/** Part 5's stated latency of one AWS call from Lambda (DynamoDB, KMS, SQS in the same region). */
const AWS_CALL_MS = 15;
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
  ? { posSizes: [100, 1_000], summariseSizes: [1_000], repeats: { 1_000: 4 } as Record<number, number>, warmupRounds: { 1_000: 1 } as Record<number, number>, bundleRuns: 4, endToEndRuns: 5, endToEndOrders: 300 }
  : {
    posSizes: large ? [100, 10_000, 100_000] : [100, 10_000], summariseSizes: large ? [10_000, 100_000] : [10_000],
    // Rounds of part 1 and how many of them warm up (a 10k-order round is short: the JIT and the young
    // generation's size take a few to settle); 100k-order rounds settle within the first.
    repeats: { 10_000: 9, 100_000: 4 } as Record<number, number>, warmupRounds: { 10_000: 3, 100_000: 1 } as Record<number, number>, bundleRuns: 40, endToEndRuns: 30, endToEndOrders: 300,
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

/**
 * One child of bench/summarise-case.ts over a capture, its modes alternated round by round: its result,
 * the floor's and the summariser's modes, the runs kept of a mode (the first `warmup` rounds left out)
 * and the floor's median over them. `nodeFlags` go to the child's node, `caseArgs` after its own.
 */
async function alternatedCase(what: string, pos: string, capture: string, rounds: number, warmup: number, date: string, nodeFlags: readonly string[] = [], caseArgs: readonly string[] = []) {
  const result = await child<CaseResult>(["--expose-gc", ...nodeFlags, "bench/summarise-case.ts", pos, capture, String(rounds), date, ...caseArgs]);
  const timedRuns = (m: ModeResult) => (m.runsMs.length > warmup ? m.runsMs.slice(warmup) : m.runsMs);
  const floor = result.modes.find((m) => m.mode === "floor");
  const summariser = result.modes.find((m) => m.mode === "summarise");
  if (!floor || !summariser) throw new Error(`part 1 ${what}: a mode is missing`);
  return { result, floor, summariser, timedRuns, floorMs: median(timedRuns(floor)) };
}

/** Part 1 over the captures `captureOf` names: floor and summariser alternated in one process per POS and size. */
async function measureSummarise(captureOf: (pos: string, size: number) => string, date: string): Promise<SummariseFigure[]> {
  const figures: SummariseFigure[] = [];
  for (const pos of ["square", "clover"] as const) {
    for (const size of PLAN.summariseSizes) {
      const rounds = PLAN.repeats[size] ?? 3;
      const warmup = PLAN.warmupRounds[size] ?? 1;
      const { result, floor, summariser, timedRuns, floorMs } = await alternatedCase(`${pos} ${size}`, pos, captureOf(pos, size), rounds, warmup, date);
      const orders = summariser.orders;
      for (const m of result.modes.filter((each) => each !== floor)) {
        const ms = median(timedRuns(m));
        figures.push({
          pos, size, mode: m.mode, orders, bodyMb: result.bodyBytes / 1e6, ms, floorMs, ratio: ms / floorMs,
          ordersPerSecond: orders / (ms / 1000), floorOrdersPerSecond: orders / (floorMs / 1000),
          peakHeapMb: m.peakHeapMb, floorPeakHeapMb: floor.peakHeapMb, peakLiveHeapMb: m.peakLiveHeapMb, floorPeakLiveHeapMb: floor.peakLiveHeapMb, firstRoundMs: m.runsMs[0] ?? 0, loadedHeapMb: result.loadedHeapMb, peakRssMb: result.peakRssMb, runs: timedRuns(m).length,
        });
        say(`   ${pos} ${size} ${m.mode}: ${Math.round(ms)} ms vs floor ${Math.round(floorMs)} ms (×${(ms / floorMs).toFixed(2)}), heap +${Math.round(m.peakHeapMb)} MB (floor +${Math.round(floor.peakHeapMb)} MB), live +${Math.round(m.peakLiveHeapMb)} MB (floor +${Math.round(floor.peakLiveHeapMb)} MB)`);
      }
      const summarised = figures.find((f) => f.pos === pos && f.size === size && f.mode === "summarise");
      if (summarised) {
        summarised.productionYoung = await measureProductionYoung(pos, captureOf(pos, size), rounds, warmup, date);
        summarised.bounded = await measureBounded(pos, captureOf(pos, size), Math.min(rounds, 3), date, result.loadedHeapMb);
      }
    }
  }
  return figures;
}

/**
 * Part 1 again, floor and summariser alternated as above, with the young generation the worker has on
 * Lambda (its --max-semi-space-size, infra/capacity.ts): the unbounded process sizes its young
 * generation by the hundreds of MB of loaded pages, the worker's does not. Old space is left unbounded
 * (the loaded pages alone exceed the worker's).
 */
async function measureProductionYoung(pos: string, capture: string, rounds: number, warmup: number, date: string): Promise<ProductionYoungFigure> {
  const flags = lambdaNodeFlags(FUNCTION_MEMORY_MB.worker).find((flag) => flag.startsWith("--max-semi-space-size=")) as string;
  const { floor, summariser, timedRuns, floorMs } = await alternatedCase(`${pos} ${capture} (${flags})`, pos, capture, rounds, warmup, date, [flags], ["--modes=floor,summarise"]);
  const ms = median(timedRuns(summariser));
  say(`   ${pos} young generation as on Lambda (${flags}): ${Math.round(ms)} ms vs floor ${Math.round(floorMs)} ms (×${(ms / floorMs).toFixed(2)}), heap +${Math.round(summariser.peakHeapMb)} MB (floor +${Math.round(floor.peakHeapMb)} MB)`);
  return { flags, ms, floorMs, ratio: ms / floorMs, peakHeapMb: summariser.peakHeapMb, floorPeakHeapMb: floor.peakHeapMb, runs: timedRuns(summariser).length };
}

/** Part 1's heap line: the loaded pages + 64 MB, the whole V8 heap bounded to it (young generation included), floor and summariser each alone. */
async function measureBounded(pos: string, capture: string, rounds: number, date: string, loadedHeapMb: number): Promise<BoundedFigure> {
  const heapLimitMb = Math.floor(loadedHeapMb + 64);
  const flags = `--max-heap-size=${heapLimitMb}`;
  const runOf = async (mode: string): Promise<BoundedRun> => {
    try {
      const result = await child<BoundedResult>(["--expose-gc", flags, "bench/summarise-case.ts", pos, capture, String(rounds), date, `--only=${mode}`]);
      return { completed: true, peakHeapMb: result.peakHeapMb, ms: median(result.runsMs), cpuMs: median(result.cpuMs), runs: result.runsMs.length };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { completed: false, error: /heap out of memory|Reached heap limit/.test(message) ? "JavaScript heap out of memory" : message.slice(-300) };
    }
  };
  const floor = await runOf("floor");
  const summariser = await runOf("summarise");
  const show = (run: BoundedRun) => (run.completed ? `+${Math.round(run.peakHeapMb ?? 0)} MB, ${Math.round(run.cpuMs ?? 0)} ms CPU` : `did not complete (${run.error ?? ""})`);
  say(`   ${pos} bounded (${flags}): floor ${show(floor)}; summariser ${show(summariser)}`);
  return { flags, heapLimitMb, floor, summariser };
}

/** Runs one part alone and puts its figures into the results already written (bench/results.json must exist). */
async function partAlone(part: number, measure: (results: BenchResults) => Promise<void>): Promise<void> {
  const results = JSON.parse(readFileSync("bench/results.json", "utf8")) as BenchResults;
  await measure(results);
  writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync("bench/results.md", renderMarkdown(results));
  say(`updated bench/results.json and bench/results.md with part ${part}`);
}

async function withMoto(run: (env: Record<string, string>) => Promise<void>): Promise<void> {
  const moto = await startMoto({ timeoutMs: 60_000 });
  try {
    await run({ DAYBOOK_BENCH_MOTO: moto.endpoint });
  } finally {
    await moto.stop();
  }
}

/**
 * Part 1 alone (`-- --summarise`): the nights' bodies captured from the simulators by the real night
 * read (bench/capture-night.ts, no DynamoDB or QuickBooks), then part 1, its figures put into the
 * results already written (bench/results.json must exist).
 */
const summariseAlone = () => partAlone(1, async (results) => {
  const seconds: Record<string, number> = {};
  // DAYBOOK_BENCH_CAPTURES=<dir> keeps the captures there between runs (by POS, size and day) and
  // replays them when present: for iterating on the summarisers. Unset, the bodies are captured fresh.
  const kept = process.env["DAYBOOK_BENCH_CAPTURES"];
  const work = kept ?? join(tmpdir(), `daybook-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const date = lastSettledDay(ZONE);
  const captureOf = (pos: string, size: number) => join(work, `${pos}-${size}-${date}.txt`);
  try {
    await timed("1. Capturing the nights' bodies", seconds, async () => {
      for (const pos of ["square", "clover"] as const) {
        for (const size of PLAN.summariseSizes) {
          if (kept !== undefined && existsSync(captureOf(pos, size))) {
            say(`   ${pos} ${size}: replaying ${captureOf(pos, size)} (DAYBOOK_BENCH_CAPTURES)`);
            continue;
          }
          const captured = await child<CaptureResult>(["bench/capture-night.ts", pos, String(size), `${captureOf(pos, size)}.part`, date]);
          renameSync(`${captureOf(pos, size)}.part`, captureOf(pos, size));
          say(`   ${pos} ${size}: ${captured.ordersServed} orders, ${captured.capturedResponses} bodies (${Math.round(captured.captureBytes / 1e6)} MB), generated in ${Math.round(captured.generateMs / 1000)} s, read in ${Math.round(captured.readMs / 1000)} s`);
        }
      }
    });
    results.summarise = await timed("1. Summarise vs parse floor", seconds, () => measureSummarise(captureOf, date));
    results.summariseRun = { when: new Date().toISOString(), loadAverage: loadavg(), seconds, large, ...(kept !== undefined ? { capturesKept: kept } : {}) };
  } finally {
    if (kept === undefined) rmSync(work, { recursive: true, force: true });
  }
});

async function measureClientList(env: Record<string, string>, seconds: Record<string, number>): Promise<ClientListResult> {
  const result = await timed("7. Client list", seconds, () => child<ClientListResult>(["bench/client-list.ts", String(CLIENTS), quick ? "5" : "30"], env));
  say(`   ${result.clients} clients: median ${Math.round(result.ms.median)} ms, p95 ${Math.round(result.ms.p95)} ms (the query alone ${Math.round(result.queryMs.median)} ms), ${Object.entries(result.aws.calls).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return result;
}

async function measureTicks(env: Record<string, string>, seconds: Record<string, number>): Promise<TickResult[]> {
  // SQS on a moto_server of its own, as AWS runs it apart from DynamoDB (bench/tick.ts says why).
  const sqsMoto = await startMoto({ timeoutMs: 60_000 });
  const { results: ticks } = await timed("6. Scheduler tick", seconds, () => child<{ results: TickResult[] }>(["bench/tick.ts", ...TICK_SIZES.map(String)], { ...env, DAYBOOK_BENCH_MOTO_SQS: sqsMoto.endpoint }))
    .finally(() => sqsMoto.stop());
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

/** Part 6 alone (bench/results.json must exist: the night's job is part 5's). */
const tickAlone = () => withMoto((env) => partAlone(6, async (results) => {
  const tick = await measureTicks(env, {});
  results.nights = { tick, results: nightsAt(tick, jobSeconds(results.cost.night, results.cost.assumptions), results.cost.assumptions.locationsPerMerchant) };
}));

/** Part 7 alone. */
const clientListAlone = () => withMoto((env) => partAlone(7, async (results) => {
  results.clientList = await measureClientList(env, {});
}));

/**
 * Part 5's stated retention of what a job leaves, by kind (lib/store/retention.ts), in months of 30.4 days; other
 * kinds (the payout check) are replaced in place. A payout record is kept 13 months after its arrival date, a day
 * after the night that posts it.
 */
const KEPT_MONTHS: Record<string, number> = {
  "sync-record": SYNC_RECORD_MONTHS, report: SYNC_RECORD_MONTHS, "payout-record": SYNC_RECORD_MONTHS, "digest-mark": 3 / 30.4, idempotency: 0.5 / 30.4,
};
/** Part 5's digest shares: how many merchants one accountant's morning digest covers (one per recipient address). */
const DIGEST_SHARES = [1, 5, 20];
/**
 * The headline's share: one digest per 5 merchants. An accountant's morning digest covers every client
 * that address receives (lib/report/digest.ts), and an accountant typically has more than 5; a merchant
 * who receives their own is 1. The table gives the figure at each share.
 */
const HEADLINE_MERCHANTS_PER_DIGEST = 5;
/** Part 5's merchant: its locations (bench/cost-job.ts measures each one's night), and the average account's age, months (what each location keeps: never more than its 13 months). */
const LOCATIONS_PER_MERCHANT = 2;
const AVERAGE_ACCOUNT_MONTHS = 12;
/** Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion to memory below it. */
const LAMBDA_ONE_VCPU_MB = 1769;
/**
 * Part 5's sweep: a connection's tokens are opened about once a week, one sweep in 28, beyond the
 * measured sweep (which finds none due): Square's weekly refresh (a Decrypt, the new tokens sealed under
 * the data key it opened: lib/vault/kms.ts; its lease and new tokens written) of one connection in two,
 * or the kept time's week running out on a connection nothing uses (a Decrypt, the new time written);
 * QuickBooks' tokens are rewritten nightly.
 */
const SWEEP_OPENS_PER_CHECK = 1 / 28;
/**
 * A data key seals a merchant's tokens for one calendar month at most (lib/vault/kms.ts): the first seal
 * of each month asks KMS for a new one (GenerateDataKey), and the month's first seal of each connection
 * may be made where the other's key is not kept (QuickBooks' in the night, the POS's in the sweep), so
 * stated as one request per connection-month, billed here over the month's sweeps of the connection (4 a day).
 */
const DATA_KEYS_PER_CHECK = 1 / (4 * 30.4);
/**
 * Part 5's night opens both of the merchant's connections with one Decrypt: the night before sealed
 * QuickBooks' refreshed tokens under the data key it opened for the POS's (lib/vault/kms.ts). After a
 * month turns they part: QuickBooks' first refresh of the month makes a new key, and the POS's tokens
 * (Square's, refreshed weekly by the sweep) keep last month's until their next seal, 1 to 7 days on (4 on
 * average), under a key of their own; the night after that seal joins them again. So 4 nights a month
 * open two keys: a second Decrypt on 4 of 30.4 nights.
 */
const JOB_EXTRA_KMS_REQUESTS = 4 / 30.4;
/**
 * Part 5's share of night jobs that meet a fresh worker container: a night's containers start cold once
 * each (nights are a day apart; Lambda keeps an idle container minutes, not hours) and then serve job
 * after job, so about the night's concurrency over its jobs: 23 of 20,000 at the default fleet
 * (infra/capacity.ts), 0.1%. Stated at ten times that, for scale-ups and the containers Lambda recycles.
 * (It was 10%, as if one job in ten started a container.)
 */
const WORKER_COLD_START_SHARE = 10 * workerConcurrencyFor(DEFAULT_FLEET) / DEFAULT_FLEET.locations;

/**
 * Part 5: a merchant's two location-nights through the worker's handler, one after the other as their
 * company's FIFO message group runs them (bench/cost-job.ts), and their mean priced with the stated assumptions.
 */
async function measureCost(_env: Record<string, string>, seconds: Record<string, number>, loads: { workerInitMs: number; apiInitMs: number; from: string }): Promise<CostFigures> {
  // A moto_server of its own that keeps its connections open, as DynamoDB and KMS do for the SDK on
  // Lambda (sandbox/moto-lean: the same answers; stock moto closes every connection, so each call would
  // open a TCP connection, CPU the job would not spend on AWS).
  const moto = await startMoto({ timeoutMs: 60_000, lean: true });
  try {
    return await measureCostOn({ DAYBOOK_BENCH_MOTO: moto.endpoint }, seconds, loads);
  } finally {
    await moto.stop();
  }
}

async function measureCostOn(env: Record<string, string>, seconds: Record<string, number>, loads: { workerInitMs: number; apiInitMs: number; from: string }): Promise<CostFigures> {
  const measured = await timed("5. Cost of a location-night", seconds, () => child<CostJobResult>(["bench/cost-job.ts", "100"], env));
  const { sweep } = measured;
  if (!sweep) throw new Error("bench/cost-job.ts measured no refresh sweep");
  if (measured.locations?.length !== LOCATIONS_PER_MERCHANT) throw new Error(`bench/cost-job.ts measured ${measured.locations?.length ?? 1} location-nights, the model's merchant has ${LOCATIONS_PER_MERCHANT} locations`);
  // The morning digest step over the merchant's steady state: each location's kept days and payouts.
  const keptDays = Math.round(Math.min(AVERAGE_ACCOUNT_MONTHS, SYNC_RECORD_MONTHS) * 30.4);
  const digest = await timed("5. Digest step", seconds, () => child<DigestReadsResult>(["bench/digest-reads.ts", String(LOCATIONS_PER_MERCHANT), String(keptDays)], env));
  say(`   digest step over ${digest.locations} locations' ${digest.days} days: ${digest.step.readUnits} RRU (the Deposits section ${digest.deposits.readUnits}; ` +
    `${digest.depositsMakingCarries?.readUnits ?? "?"} on a morning making its carries), ${(digest.readUnitsPerMerchantDay ?? digest.step.readUnits).toFixed(1)} RRU a merchant-day with them, ${digest.step.writeUnits} WRU`);
  const job: JobProfile = {
    cpuMs: measured.cpuMs,
    coldLoadCpuMs: measured.coldLoadCpuMs,
    providerCalls: measured.providerCalls,
    awsCalls: Object.values(measured.aws).reduce((total, count) => total + count, 0),
    readUnits: measured.readUnits,
    writeUnits: measured.writeUnits,
    kmsRequests: measured.kmsRequests,
    logBytes: 0,
    stored: Object.entries(measured.storedBytesByKind).map(([kind, bytes]) => ({ kind, bytes, keptMonths: KEPT_MONTHS[kind] ?? 0 })),
    calls: measured.calls,
    // The merchant's two locations' jobs of the night (the first refreshes the shared QuickBooks token, the second finds it valid): billed at their mean.
    callsOfEach: measured.locations.map((night) => night.calls),
  };
  const assumptions: CostAssumptions = {
    locationsPerMerchant: LOCATIONS_PER_MERCHANT, daysPerMonth: 30.4, jobsPerLocationDay: 1, providerLatencyMs: PROVIDER_LATENCY_MS, awsLatencyMs: AWS_CALL_MS, jobsPerWorkerInvocation: 1,
    workerMemoryGb: FUNCTION_MEMORY_MB.worker / 1024, workerCpuSlowdown: Math.max(1, LAMBDA_ONE_VCPU_MB / FUNCTION_MEMORY_MB.worker),
    coldStartShare: WORKER_COLD_START_SHARE, workerInitMs: loads.workerInitMs,
    digestRecipientsPerMerchant: 1, merchantsPerDigest: HEADLINE_MERCHANTS_PER_DIGEST, failedNightShare: 0.01,
    schedulerMemoryGb: FUNCTION_MEMORY_MB.scheduler / 1024, schedulerTicksPerDay: 96, schedulerTickBaseMs: 150, schedulerMsPerLocation: 10,
    // Per due location (lib/store/due-index.ts standings and advanceAll): its pointer and location read
    // (BatchGetItem bills each item, both under 4 KB) and its entry's share of the shard's Query; the new
    // entry put, the pointer moved (UpdateItem) and the old entry deleted, each under 1 KB.
    schedulerReadUnitsPerTick: 16, schedulerReadUnitsPerLocationDay: 2.1, schedulerWriteUnitsPerLocationDay: 3,
    // Reads measured (bench/digest-reads.ts, the merchant's own digest: a steady morning, plus the extra of the
    // morning making the card clearing carries anew, once every CARRY_LIFE_DAYS). Writes stated: the measured step's
    // (the mark removed; the claim and sent mark per digest) and, for an accountant's, its part, mark and seal.
    digestReadUnitsPerMerchantDay: digest.readUnitsPerMerchantDay ?? digest.step.readUnits, digestWriteUnitsPerMerchantDay: 3, digestMsPerMerchantDay: 200, digestWriteUnitsPerDigest: 3, digestMsPerDigest: 100,
    // infra/stack.ts's sweep every 6 hours; a Square and a QuickBooks connection per merchant; each read
    // from the table after the keys-only GSI2 (about 1 KB, strongly consistent); its tokens opened only
    // when due (measured after the night, plus the weekly opening).
    sweepsPerDay: 4, connectionsPerMerchant: 2, sweepReadUnitsPerConnection: 1, jobExtraKmsRequests: JOB_EXTRA_KMS_REQUESTS,
    sweepKmsRequestsPerConnection: sweep.kmsRequests / sweep.checked + SWEEP_OPENS_PER_CHECK + DATA_KEYS_PER_CHECK,
    sweepWriteUnitsPerConnection: sweep.writeUnits / sweep.checked + SWEEP_OPENS_PER_CHECK,
    sweepMsPerConnection: AWS_CALL_MS * (1 + sweep.opened / sweep.checked + SWEEP_OPENS_PER_CHECK),
    sqsIdlePollsPerDay: 5 * 3 * 60 * 24, apiRequestsPerMerchantMonth: 50, apiMs: 100, apiMemoryGb: FUNCTION_MEMORY_MB.api / 1024,
    apiColdStartShare: 0.5, apiInitMs: loads.apiInitMs,
    platformLogBytesPerInvocation: 400, logRetentionDays: 14, kmsKeys: 2, alarms: 4, customMetrics: 1, averageAccountMonths: AVERAGE_ACCOUNT_MONTHS,
  };
  const results = [1_000, 10_000, 100_000].map((merchants) => costModel(merchants, job, assumptions, PRICE_TABLE));
  const shares = DIGEST_SHARES.map((merchantsPerDigest) => ({
    merchantsPerDigest, usdPerMerchantMonth: costModel(10_000, job, { ...assumptions, merchantsPerDigest }, PRICE_TABLE).usdPerMerchantMonth,
  }));
  for (const each of measured.locations) {
    say(`   ${each.locationId}${each.refreshedQuickBooksToken ? " (refreshes the QuickBooks token)" : " (the token valid)"}: ${each.providerCalls} provider calls, ${each.writeUnits} WRU, ${each.readUnits} RRU, ${each.kmsRequests} KMS, CPU ${Math.round(each.cpuMs)} ms, waits ${Math.round(jobWaitMs({ ...job, calls: each.calls, callsOfEach: [each.calls] }, assumptions))} ms`);
  }
  say(`   mean: ${job.writeUnits} WRU (${Object.entries(measured.writeUnitsByKind).map(([k, v]) => `${k} ${v}`).join(", ")}), ${job.readUnits} RRU, ${job.kmsRequests} KMS, CPU ${Math.round(job.cpuMs)} ms (+${Math.round(measured.coldLoadCpuMs)} ms cold; the simulators' process ${Math.round(measured.simulatorsCpuMs ?? 0)} ms, not billed); sweep: ${sweep.opened} of ${sweep.checked} opened, ${sweep.kmsRequests} KMS, ${sweep.writeUnits} WRU; 10k merchants: ${shares.map((share) => `1 digest per ${share.merchantsPerDigest}: $${share.usdPerMerchantMonth.toFixed(4)}`).join(", ")}`);
  // The memory billed must hold a busy day: a 100k-order day of each POS through the worker at that memory.
  const workerMemory: WorkerMemoryResult[] = [];
  for (const pos of ["square", "clover"] as const) {
    const proved = await timed(`5. Worker memory, ${pos}`, seconds, () => child<WorkerMemoryResult>(["bench/worker-memory.ts", pos, String(quick ? 1_000 : 100_000), String(FUNCTION_MEMORY_MB.worker)]));
    say(`   ${pos} ${proved.orders} orders at ${proved.memoryMb} MB: peak RSS ${proved.peakRssMb.toFixed(1)} MB (${proved.loadedRssMb.toFixed(1)} MB loaded)`);
    if (!proved.fits) throw new Error(`the worker's ${proved.memoryMb} MB does not hold a ${proved.orders}-order ${pos} day: peak RSS ${proved.peakRssMb.toFixed(1)} MB`);
    workerMemory.push(proved);
  }
  const os = await import("node:os");
  return { assumptions, night: job, results, prices: PRICES, shares, measured, digest, workerMemory, loadsFrom: loads.from, measuredAt: new Date().toISOString(), loadAverage: os.loadavg() };
}

/** Part 5 alone (module loads from the results' part 3). */
const costAlone = () => withMoto((env) => partAlone(5, async (results) => {
  const worker = results.bundles.find((b) => b.name === "worker");
  const api = results.bundles.find((b) => b.name === "api");
  results.cost = await measureCost(env, {}, {
    workerInitMs: worker?.loadMs.median ?? 1000, apiInitMs: api?.loadMs.median ?? 1000, from: `part 3 of the run of ${(results.bundlesRun?.when ?? results.when).slice(0, 16).replace("T", " ")} UTC`,
  });
  // The night simulated again with this job's time (at the tick rate part 6 measured): no new tick.
  const { tick } = results.nights;
  results.nights = { tick, results: nightsAt(tick, jobSeconds(results.cost.night, results.cost.assumptions), results.cost.assumptions.locationsPerMerchant) };
}));

/** Part 3 alone. */
const bundlesAlone = () => partAlone(3, async (results) => {
  const work = join(tmpdir(), `daybook-bench-${process.pid}`);
  try {
    results.bundles = await measureAndSayBundles(join(work, "bundles"), {});
    results.bundlesRun = { when: new Date().toISOString() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

async function measureAndSayBundles(outdir: string, seconds: Record<string, number>) {
  const bundles = await timed("3. Bundles and load time", seconds, () => measureBundles(outdir, PLAN.bundleRuns));
  for (const b of bundles) {
    say(`   ${b.name}: ${(b.entryBytes / 1024).toFixed(0)} KiB at start; load median ${Math.round(b.loadMs.median)} ms wall, ${Math.round(b.cpuMs.median)} ms CPU; `
      + `floor ${Math.round(b.floorLoadMs.median)} ms wall, ${Math.round(b.floorCpuMs.median)} ms CPU (×${b.ratio.toFixed(2)} wall, ×${b.cpuRatio.toFixed(2)} CPU; halves ×${b.cpuRatioHalves.map((v) => v.toFixed(2)).join(", ×")})`);
  }
  say(`   load average ${(await import("node:os")).loadavg().map((v) => v.toFixed(1)).join(", ")}`);
  return bundles;
}

async function main(): Promise<void> {
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const work = join(tmpdir(), `daybook-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const moto = await startMoto({ timeoutMs: 60_000 });
  const env = { DAYBOOK_BENCH_MOTO: moto.endpoint };
  const date = lastSettledDay(ZONE);
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

    const summarise = await timed("1. Summarise vs parse floor", seconds, () => measureSummarise((pos, size) => join(work, `${pos}-${size}.txt`), date));

    const bundles = await measureAndSayBundles(join(work, "bundles"), seconds);

    const endToEnd = await timed("4. Location-day end to end", seconds, () =>
      child<EndToEndResult>(["bench/end-to-end.ts", String(PLAN.endToEndRuns + 1), String(PLAN.endToEndOrders)], env));
    // The first run loads the Square SDK and warms moto: a cold start, measured in part 3, not here.
    const first = endToEnd.first.slice(1);
    const recheck = endToEnd.recheck.slice(1);
    say(`   first sync median ${Math.round(median(first.map((r) => r.ms)))} ms, re-check ${Math.round(median(recheck.map((r) => r.ms)))} ms`);

    const worker = bundles.find((b) => b.name === "worker");
    const api = bundles.find((b) => b.name === "api");
    const cost = await measureCost(env, seconds, { workerInitMs: worker?.loadMs.median ?? 1000, apiInitMs: api?.loadMs.median ?? 1000, from: "part 3 of this run" });
    const nightJob = cost.night;
    const assumptions = cost.assumptions;

    // 6. The night at scale: the tick measured, the job priced in part 5, every location due at once.
    const tick = await measureTicks(env, seconds);
    const nights = nightsAt(tick, jobSeconds(nightJob, assumptions), assumptions.locationsPerMerchant);

    const clientList = await measureClientList(env, seconds);

    const results: BenchResults = {
      when: new Date(started).toISOString(), quick, large, node: process.version, cpus: (await import("node:os")).cpus().length,
      loadAverage: (await import("node:os")).loadavg(), seconds, businessDay: date,
      summarise, apiCalls, bundles,
      endToEnd: { orders: endToEnd.orders, first: spread(first.map((r) => r.ms)), recheck: spread(recheck.map((r) => r.ms)), firstAws: first[0]?.aws, recheckAws: recheck[0]?.aws, posCallsFirst: first[0]?.posCalls, quickBooksCallsFirst: first[0]?.quickBooksCalls, quickBooksCallsRecheck: recheck[0]?.quickBooksCalls },
      cost,
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

await (clientListOnly ? clientListAlone() : costOnly ? costAlone() : bundlesOnly ? bundlesAlone() : summariseOnly ? summariseAlone() : tickFlag !== undefined ? tickAlone() : main());
