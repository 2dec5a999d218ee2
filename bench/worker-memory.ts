/**
 * Does a 100k-order day fit the worker's memory? The worker as the stack builds it (infra/bundle.ts),
 * its entry loaded and then the night's real read and summary of one location (readSquareNight /
 * readCloverNight on the real readers: the SDK, paging, Clover's expansion passes; bench/worker-memory-read.ts),
 * in a Node process started as Lambda's Node runtime starts a function of `memoryMb`
 * (/var/runtime/bootstrap: --max-semi-space-size = memory/10/2 MB, --max-old-space-size = memory −
 * memory/10 MB), against the POS simulator in this process over loopback. The figure is that process's
 * peak resident set (getrusage's maxrss), which is what Lambda holds against the function's memory (its
 * "Max Memory Used"): the read's heap, garbage not yet collected, and everything off the heap.
 *
 *   tsx bench/worker-memory.ts <square|clover> <orders> <memoryMb>
 * Prints one JSON line: WorkerMemoryResult.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunction, PROJECT_ROOT } from "../infra/bundle";
import { lambdaNodeFlags } from "../infra/capacity";
import { generateCloverDay } from "../sandbox/clover/generate-day";
import { startCloverSimulator } from "../sandbox/clover/server";
import { generateDay } from "../sandbox/square/generate-day";
import { startSquareSimulator } from "../sandbox/square/server";
import { FUNCTION_ENV } from "./bundles";
import { lastSettledDay } from "./pos-night";
import { CLOVER_MERCHANT_ID, SQUARE_LOCATION_ID } from "./world";

export interface WorkerMemoryResult {
  pos: "square" | "clover";
  /** Orders of the night's day, all served and read. */
  orders: number;
  memoryMb: number;
  /** The V8 flags Lambda's Node runtime starts a function of memoryMb with. */
  flags: string[];
  /** The read process's resident set once the worker's entry had loaded, and at its peak, MB; its V8 heap limit. */
  loadedRssMb: number;
  peakRssMb: number;
  heapLimitMb: number;
  /** The read's wall and CPU time in that process (this machine's core, not Lambda's share of one), ms. */
  readMs: number;
  cpuMs: number;
  /** The read completed and its peak resident set stayed within memoryMb. */
  fits: boolean;
}

const ZONE = "America/New_York";

async function serveDay(pos: "square" | "clover", orders: number, date: string): Promise<{ url: string; token: string; id: string; close(): Promise<void> }> {
  if (pos === "square") {
    const square = await startSquareSimulator({ seed: 7 });
    const merchantId = "SQMERCHANTBENCH";
    square.addMerchant({ merchantId, locations: [{ id: SQUARE_LOCATION_ID, name: "Main Street", timezone: ZONE, currency: "USD" }] });
    // As part 2 (bench/pos-night.ts) generates it.
    const day = generateDay({ seed: 11, sales: orders, date, timeZone: ZONE, locationId: SQUARE_LOCATION_ID, returnRate: 0.03, openRate: 0.02, noiseRate: 0 });
    square.setCatalog(merchantId, day.catalog);
    square.addOrders(SQUARE_LOCATION_ID, day.orders);
    return { url: square.url, token: square.issueToken(merchantId), id: SQUARE_LOCATION_ID, close: () => square.close() };
  }
  const clover = await startCloverSimulator({ seed: 7 });
  clover.addMerchant({ merchantId: CLOVER_MERCHANT_ID, name: "Main Street", timezone: ZONE, currency: "USD" });
  const day = generateCloverDay({ seed: 11, orders, date, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID, previousDayRate: 0, noiseRate: 0 });
  clover.setItems(CLOVER_MERCHANT_ID, day.items);
  clover.addOrders(CLOVER_MERCHANT_ID, day.orders);
  return { url: clover.url, token: clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 365 * 86_400_000 }), id: CLOVER_MERCHANT_ID, close: () => clover.close() };
}

export async function measureWorkerMemory(pos: "square" | "clover", orders: number, memoryMb: number): Promise<WorkerMemoryResult> {
  const outdir = join(tmpdir(), `daybook-worker-memory-${process.pid}`);
  const flags = lambdaNodeFlags(memoryMb);
  const date = lastSettledDay(ZONE);
  try {
    const bundle = bundleFunction("worker", outdir, join(PROJECT_ROOT, "bench", "worker-memory-read.ts"));
    const served = await serveDay(pos, orders, date);
    try {
      const child = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
        const proc = spawn(process.execPath, [...flags, join(outdir, bundle.entry), pos, served.url, served.token, date, ZONE, served.id], {
          env: { PATH: process.env["PATH"] ?? "", ...FUNCTION_ENV.worker }, stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        proc.stdout.on("data", (chunk: Buffer) => { out += chunk.toString("utf8"); });
        proc.stderr.on("data", (chunk: Buffer) => { err = (err + chunk.toString("utf8")).slice(-2000); });
        proc.on("error", reject);
        proc.on("close", (code) => { resolve({ code, out, err }); });
      });
      const last = child.out.trim().split("\n").at(-1) ?? "";
      if (child.code !== 0 || !last.startsWith("{")) {
        const lines = child.err.split("\n").filter((line) => line.trim() !== "" && line.length < 400);
        throw new Error(`the worker's read of a ${orders}-order ${pos} day at ${memoryMb} MB ended ${String(child.code)}: ${lines.slice(-12).join(" | ")}`);
      }
      const measured = JSON.parse(last) as Pick<WorkerMemoryResult, "loadedRssMb" | "peakRssMb" | "heapLimitMb" | "readMs" | "cpuMs">;
      return { pos, orders, memoryMb, flags, ...measured, fits: measured.peakRssMb <= memoryMb };
    } finally {
      await served.close();
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("worker-memory.ts")) {
  const [pos, ordersArg, memoryArg] = process.argv.slice(2);
  const orders = Number(ordersArg);
  const memoryMb = Number(memoryArg);
  if ((pos !== "square" && pos !== "clover") || !(orders > 0) || !(memoryMb >= 128)) throw new Error("usage: tsx bench/worker-memory.ts <square|clover> <orders> <memoryMb>");
  process.stdout.write(`${JSON.stringify(await measureWorkerMemory(pos, orders, memoryMb))}\n`);
}
