/** The benchmark results' shape and their markdown (bench/results.md, for the README). */
import type { BundleResult } from "./bundles";
import type { ClientListResult } from "./client-list";
import type { CostAssumptions, CostResult, JobProfile } from "./cost";
import type { AwsCounts } from "./aws-counter";
import type { PosDayResult } from "./pos-day";
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
  cost: { assumptions: CostAssumptions; firstJob: JobProfile; recheckJob: JobProfile; results: CostResult[]; prices: Record<string, Price> };
  /** Part 6; absent from results written before it existed. */
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
  out.push("The POS response bodies of one location-day, captured from the simulators and replayed from memory. Floor: `JSON.parse` of every body and a count of its records. Figure = time ÷ floor time. Memory: peak above the loaded bodies, in a process of its own per case, sampled after each body without forcing collection, so it includes garbage not yet collected (the floor's own peak is given for comparison).", "");
  out.push(table(
    ["POS", "orders", "bodies (MB)", "what", "time (ms)", "orders/s", "floor (ms)", "floor orders/s", "× floor", "peak heap (MB)", "floor peak heap (MB)", "peak RSS (MB)"],
    r.summarise.map((f) => [f.pos, n(f.orders), n(f.bodyMb), MODE_NAMES[f.mode] ?? f.mode, n(f.ms), n(f.ordersPerSecond), n(f.floorMs), n(f.floorOrdersPerSecond), `**${f.ratio.toFixed(1)}**`, n(f.peakHeapMb), n(f.floorPeakHeapMb), n(f.peakRssMb)]),
  ), "");

  out.push("### 2. API calls per location-day: made and fewest possible", "");
  out.push("One location-day through the real sync (lib/sync) against the simulators, DynamoDB and KMS on moto_server, the QuickBooks token expired as on every nightly run. Fewest: from the page limits in shared/reference (Square SearchOrders 1000, ListPayments/Refunds 100; Clover 1000 per page × 3 expansion copies; one journal entry create and one token refresh).", "");
  out.push(table(
    ["POS", "orders served", "POS + QuickBooks calls", "fewest", "by endpoint", "fewest by endpoint", "AWS calls"],
    r.apiCalls.map((a) => {
      const external = Object.entries(a.calls).filter(([k]) => !k.includes("."));
      const aws = Object.entries(a.calls).filter(([k]) => k.includes("."));
      return [a.pos, n(a.ordersServed), a.totalCalls, a.minimum.total, external.map(([k, v]) => `${k.replace(/^(Square|Clover|QuickBooks) /, "")} ${v}`).join(", "),
        Object.entries(a.minimum.byEndpoint).map(([k, v]) => `${k} ${v}`).join(", "), aws.map(([k, v]) => `${k} ${v}`).join(", ")];
    }),
  ), "");

  out.push("### 3. Lambda bundles and module load", "");
  out.push("Bundled as infra/stack.ts does (esbuild, ESM, node24, minified); load = `import()` of the bundle in a fresh `node` process (this machine's Node, not Lambda's), environment set to harmless values.", "");
  out.push(table(
    ["function", "bundle (KiB)", "load median (ms)", "load p95 (ms)", "process median (ms)", "runs"],
    r.bundles.map((b) => [b.name, n(b.bytes / 1024), n(b.loadMs.median), n(b.loadMs.p95), n(b.processMs.median), b.loadMs.n]),
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
  out.push(`Assumptions: ${a.locationsPerMerchant} locations per merchant, ${a.daysPerMonth} days a month, ${a.firstJobsPerLocationDay} first sync + ${a.recheckJobsPerLocationDay} re-checks per location-day, one job per worker invocation (1 GB, arm64), ${Math.round(a.coldStartShare * 100)}% cold starts at the measured worker load (${n(a.workerInitMs)} ms), job durations from part 4 (this machine, not Lambda), ${a.apiRequestsPerMerchantMonth} web requests per merchant-month at ${a.apiMs} ms, scheduler ticks every 15 min (${a.schedulerTickBaseMs} ms + ${a.schedulerMsPerLocation} ms per due location, one Query per due-index shard), DynamoDB units from the wire sizes plus 2 WRU + 1 RRU for the idempotency record and 2 WRU for a posted day's report, ${a.platformLogBytesPerInvocation} bytes of Lambda platform log lines per invocation (the worker logs nothing of its own on success), logs kept ${a.logRetentionDays} days, ${a.sqsIdlePollsPerDay.toLocaleString("en-US")} idle SQS long polls a day.`, "");
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
  const l = r.clientList;
  if (l) {
    out.push("### 6. An accountant's client list", "");
    out.push(`GET /clients through the web app as lib/wiring composes it (the session, the one query of the accountant's partition, the ordering worst first, the page), DynamoDB on moto_server, for an accountant with ${l.clients} clients (${l.locations} locations; one in ten failed, one in ten held, one in ten not posting). The first request is left out. Measured ${l.measuredAt.slice(0, 16).replace("T", " ")} UTC, load average ${l.loadAverage.map((each) => each.toFixed(1)).join(" ")}.`, "");
    out.push(table(
      ["clients", "median (ms)", "p95 (ms)", "min (ms)", "runs", "the query alone, median (ms)", "DynamoDB calls per request", "read units", "page (KiB)"],
      [[l.clients, n(l.ms.median), n(l.ms.p95), n(l.ms.min), l.ms.n, n(l.queryMs.median), Object.entries(l.aws.calls).map(([k, v]) => `${k} ${v}`).join(", "), n(l.aws.readUnits), n(l.pageBytes / 1024)]],
    ), "");
  }
  return `${out.join("\n")}\n`;
}
