/** The benchmark results' shape and their markdown (bench/results.md, for the README). */
import type { BundleResult } from "./bundles";
import type { ClientListResult } from "./client-list";
import { type CostAssumptions, type CostResult, type JobProfile, jobSeconds } from "./cost";
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
  peakRssMb: number;
  floorPeakHeapMb: number;
  runs: number;
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
  apiCalls: PosDayResult[];
  bundles: BundleResult[];
  endToEnd: {
    orders: number; first: Spread; recheck: Spread; firstAws: AwsCounts | undefined; recheckAws: AwsCounts | undefined;
    posCallsFirst: number | undefined; quickBooksCallsFirst: number | undefined; quickBooksCallsRecheck: number | undefined;
  };
  cost: { assumptions: CostAssumptions; night: JobProfile; results: CostResult[]; prices: Record<string, Price> };
  /** Part 6: the scheduler tick measured on moto_server, and the night simulated at its rate. */
  nights: { tick: TickResult[]; results: NightResult[] };
  /** Part 7; absent from results written before it existed. */
  clientList?: ClientListResult;
}

const n = (value: number): string => round3(value).toLocaleString("en-US");
const usd = (value: number): string => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const row = (cells: (string | number)[]): string => `| ${cells.join(" | ")} |`;

function table(header: string[], rows: (string | number)[][]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

const MODE_NAMES: Record<string, string> = {
  summarise: "summariser (parse + validate + fold)",
  reader: "reader + summariser (Square SDK, no network)",
};

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`## Benchmarks${r.quick ? " (quick run)" : r.large ? " (with 100k-order days)" : ""}`, "");
  out.push(`Measured ${r.when.slice(0, 16).replace("T", " ")} UTC on Node ${r.node}, ${r.cpus} cores, load average ${r.loadAverage.map((l) => l.toFixed(1)).join(" ")}; \`npm run bench\` took ${r.seconds["total"] ?? "?"} s (${Object.entries(r.seconds).filter(([k]) => k !== "total").map(([k, v]) => `${k.split(".")[0]}: ${v} s`).join(", ")}).`, "");

  out.push("### 1. Summarising a day against the floor of parsing its pages", "");
  out.push("The POS response bodies of one location-night's read (part 2), captured from the simulators and replayed from memory. Floor: `JSON.parse` of every body and a count of its records. Figure = time ÷ floor time. Memory: peak above the loaded bodies, in a process of its own per case, sampled after each body without forcing collection, so it includes garbage not yet collected (the floor's own peak is given for comparison).", "");
  out.push(table(
    ["POS", "orders", "bodies (MB)", "what", "time (ms)", "orders/s", "floor (ms)", "floor orders/s", "× floor", "peak heap (MB)", "floor peak heap (MB)", "peak RSS (MB)"],
    r.summarise.map((f) => [f.pos, n(f.orders), n(f.bodyMb), MODE_NAMES[f.mode] ?? f.mode, n(f.ms), n(f.ordersPerSecond), n(f.floorMs), n(f.floorOrdersPerSecond), `**${f.ratio.toFixed(1)}**`, n(f.peakHeapMb), n(f.floorPeakHeapMb), n(f.peakRssMb)]),
  ), "");

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
  out.push("Bundled as the stack deploys them (infra/bundle.ts: esbuild, ESM, node24, minified, code-split); load = `import()` of the function's entry in a fresh `node` process (this machine's Node, not Lambda's), environment set to harmless values, alternating run by run with the floor: a bundle of only hono (api) and the AWS clients every invocation of the function uses, made at load (bench/floors/). Chunks not loaded at start are loaded by the paths that need them (the square SDK, intuit-oauth).", "");
  out.push(table(
    ["function", "loaded at start (KiB)", "all files (KiB)", "load median (ms)", "load p95 (ms)", "floor (KiB)", "floor load median (ms)", "× floor", "chunks on demand", "runs"],
    r.bundles.map((b) => [b.name, n(b.entryBytes / 1024), n(b.bytes / 1024), n(b.loadMs.median), n(b.loadMs.p95), n(b.floorBytes / 1024), n(b.floorLoadMs.median),
      `**${b.ratio.toFixed(2)}**`, b.chunks.filter((c) => !c.atStart && c.bytes > 50_000).map((c) => `${c.path.replace(/^chunks\//, "")} ${n(c.bytes / 1024)} KiB`).join(", "), b.loadMs.n]),
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
  out.push(`Priced: one job per location-night (part 2's smallest Square night: ${job.providerCalls} POS and QuickBooks calls, ${n(job.cpuMs)} ms of CPU measured on this machine with the simulators in the same process, so high; ${job.readUnits} RRU and ${job.writeUnits} WRU sized as DynamoDB bills them, whole items and index copies; ${job.kmsRequests} KMS requests). Assumptions, stated: ${a.locationsPerMerchant} locations per merchant, ${a.daysPerMonth} days a month; each provider call waits **${a.providerLatencyMs} ms** (billed: CPU + calls × latency = ${n(jobSeconds(job, a))} s a job); one job per worker invocation (${a.workerMemoryGb * 1024} MB, arm64) with ${Math.round(a.coldStartShare * 100)}% cold starts at the measured worker entry load (${n(a.workerInitMs)} ms); Powertools Idempotency ${a.idempotencyWriteUnits} WRU + ${a.idempotencyReadUnits} RRU and the night's report ${a.reportWriteUnits} WRU a job; **email with the accountant's daily digest**: ${a.digestRecipientsPerMerchant} recipient a merchant-day, one digest per ${a.merchantsPerDigest} merchant(s), plus an alert to the merchant on the ${a.failedNightShare * 100}% of nights that fail (SES bills each recipient); ${a.apiRequestsPerMerchantMonth} web requests per merchant-month at ${a.apiMs} ms, ${Math.round(a.apiColdStartShare * 100)}% of them cold at the measured api entry load (${n(a.apiInitMs)} ms); scheduler ticks every 15 min (${a.schedulerTickBaseMs} ms + ${a.schedulerMsPerLocation} ms per due location, one Query per due-index shard); ${a.platformLogBytesPerInvocation} bytes of platform log lines per invocation, kept ${a.logRetentionDays} days; ${a.sqsIdlePollsPerDay.toLocaleString("en-US")} idle SQS long polls a day; fixed: ${a.kmsKeys} KMS keys, ${a.alarms} alarms, ${a.customMetrics} custom metric; storage ${n(a.storedBytesPerLocationDay)} bytes per location-day (the day's items as measured plus a 3 KB report), kept for the account's life, at an average account age of ${a.averageAccountMonths} months, backed up continuously (PITR).`, "");
  const items = c.results[0]?.lines.map((line) => line.item) ?? [];
  out.push(table(
    ["", ...c.results.map((result) => `${result.merchants.toLocaleString("en-US")} merchants`)],
    [
      ...items.map((item, i) => [item, ...c.results.map((result) => usd(result.lines[i]?.usdPerMonth ?? 0))]),
      ["**total per month**", ...c.results.map((result) => `**${usd(result.usdPerMonth)}**`)],
      ["**per merchant-month**", ...c.results.map((result) => `**${usd(result.usdPerMerchantMonth)}**`)],
    ],
  ), "");
  out.push("Prices (read 2026-11-23, sources in bench/prices.ts):", "");
  for (const [name, price] of Object.entries(c.prices)) out.push(`- ${name}: $${price.usd} per ${price.per} — ${price.source}`);
  out.push("");

  const nights = r.nights;
  out.push("### 6. A night at scale: the scheduler's tick measured, the night simulated", "");
  const ticks = nights.tick;
  const slowest = Math.min(...ticks.map((tick) => tick.locationsPerSecond));
  out.push(`bench/tick.ts: one scheduler tick (lib/schedule/scheduler.ts) over N locations all due at once (one zone's midnight; 2 locations per merchant, each merchant its own QuickBooks company), against the due-index in a table on moto_server and SQS FIFO on moto_server, seeded with BatchWriteItem. Each location sent exactly once and moved on, nothing left due (checked). Measured ${ticks[0]?.loadAverage ? `with load average ${ticks.map((tick) => tick.loadAverage[0]?.toFixed(1)).join(" and ")} at the ends of the ticks` : ""} on a 2-core machine shared with other engineers' work: moto_server is CPU-bound Python, so **the rate is a lower bound** of what DynamoDB and SQS would give. 100k due locations were not measured: at this rate seeding and ticking them takes most of an hour on this machine; the rate is shown at two sizes instead. moto's FIFO queue costs O(messages held) per send, which SQS does not, so the bench sends each batch to the next of a pool of queues of 50 messages.`, "");
  out.push(table(
    ["due locations", "tick (s)", "locations enqueued / s", "100k at this rate (min)", "against the 15-min interval", "AWS calls"],
    ticks.map((tick) => [
      n(tick.locations), n(tick.ms / 1000), `**${n(tick.locationsPerSecond)}**`, `**${n(tick.minutesFor100k)}**`, `${n(tick.minutesFor100k / 15)}×`,
      Object.entries(tick.calls).map(([kind, count]) => `${kind} ${n(count)}`).join(", "),
    ]),
  ), "");
  out.push(`bench/night.ts: every location due at once (the worst case); the tick enqueues them at the slowest measured rate above (${n(slowest)} locations a second); each job takes the part 5 job's ${n(nights.results[0]?.jobSeconds ?? 0)} s (measured CPU + provider calls × stated latency); the worker's concurrency is infra/capacity.ts's for the fleet; one job per QuickBooks company in flight.`, "");
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
