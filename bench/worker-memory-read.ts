/**
 * The read process of bench/worker-memory.ts, bundled as the worker is (infra/bundle.ts's worker build:
 * ESM, minified, code-split): the worker's entry first (functions/worker.ts, its top level run as on
 * Lambda: what every worker holds before a job), then the night's read and summary of one location,
 * loaded on demand as the worker's job loads it (the POS reader and the SDK in chunks of their own).
 * Prints one JSON line: the process's resident set after the entry loaded and at its peak, the heap
 * limit, and the read's time.
 *
 *   node <Lambda's flags> worker-memory-read.mjs <square|clover> <simulator url> <token> <date> <zone> <location or merchant id>
 */
import { performance } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { addDays, businessDayWindow } from "../lib/domain/business-day";
import type { NightPlan } from "../lib/pos/night";

// The worker's entry first, as Lambda loads it: imported, not a static import, because in this bundle it
// is not the entry, and a module with a top-level await that is reached at the start of a bundle whose
// import() targets come back to the start chunk (infra/bundle.ts) would wait on itself.
await import("../functions/worker");
const MB = 1024 * 1024;
const [pos, url, token, date, zone, id] = process.argv.slice(2);
if ((pos !== "square" && pos !== "clover") || !url || !token || !date || !zone || !id) throw new Error("usage: worker-memory-read.mjs <square|clover> <url> <token> <date> <zone> <id>");
const loadedRssMb = process.memoryUsage().rss / MB;
const windowOf = (day: string) => businessDayWindow(day, zone, "00:00");
// Part 2's night: D read from its changes, the three days before trusted and quiet.
const plan: NightPlan = {
  changesSince: windowOf(date).startMs,
  days: [3, 2, 1, 0].map((back) => ({ businessDay: addDays(date, -back), window: windowOf(addDays(date, -back)), trusted: back > 0 })),
};
const accessToken = () => Promise.resolve(token);
const cpuBefore = process.cpuUsage();
const started = performance.now();
let read;
if (pos === "square") {
  const [{ createSquareReader }, { readSquareNight }] = await Promise.all([import("../lib/pos/square/client"), import("../lib/pos/square/night")]);
  read = await readSquareNight(createSquareReader({ baseUrl: url, accessToken, timeoutMs: 120_000 }), { locationId: id, currency: "USD" }, plan);
} else {
  const [{ createCloverReader }, { readCloverNight }] = await Promise.all([import("../lib/pos/clover/client"), import("../lib/pos/clover/night")]);
  read = await readCloverNight(createCloverReader({ merchantId: id, baseUrl: url, accessToken, timeoutMs: 120_000 }), { currency: "USD" }, plan);
}
const readMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const day = read.get(date);
if (day === undefined || day === "unchanged") throw new Error("the night's day was not read");
process.stdout.write(`${JSON.stringify({
  loadedRssMb, peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB, heapLimitMb: getHeapStatistics().heap_size_limit / MB,
  readMs, cpuMs: (cpu.user + cpu.system) / 1000,
})}\n`);
process.exit(0);
