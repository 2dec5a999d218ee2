/**
 * Part 1's bodies without part 2 (`npm run bench -- --summarise`): the generated day served by the POS
 * simulator alone and read through the night's real read (readSquareNight or readCloverNight on the real
 * readers: the SDK, paging, Clover's three expansion passes), every POS response body written to a
 * capture file in part 2's format. The night is part 2's: D read from its changes, D−1..D−3 trusted and
 * quiet. No DynamoDB, KMS or QuickBooks: those are part 2's subject, and at 100k orders they are most of
 * its time.
 *
 *   tsx bench/capture-night.ts <square|clover> <orders> <capture file> <date>
 * Prints one JSON line: CaptureResult.
 */
import { createWriteStream } from "node:fs";
import { createCloverReader } from "../lib/pos/clover/client";
import { readCloverNight } from "../lib/pos/clover/night";
import { createSquareReader } from "../lib/pos/square/client";
import { readSquareNight } from "../lib/pos/square/night";
import { generateCloverDay } from "../sandbox/clover/generate-day";
import { startCloverSimulator } from "../sandbox/clover/server";
import { generateDay } from "../sandbox/square/generate-day";
import { startSquareSimulator } from "../sandbox/square/server";
import { CAPTURE_ZONE, nightPlan } from "./summarise-case";
import { CLOVER_MERCHANT_ID, SQUARE_LOCATION_ID } from "./world";

export interface CaptureResult {
  pos: "square" | "clover";
  /** Orders the generator made, all served. */
  ordersServed: number;
  capturedResponses: number;
  captureBytes: number;
  generateMs: number;
  readMs: number;
}

/** fetch that writes every answered body of `baseUrl` to `path`, one line each: endpoint, URL, body. */
function capturingFetch(baseUrl: string, path: string, counts: { bytes: number; responses: number }) {
  const out = createWriteStream(path);
  const realFetch = globalThis.fetch;
  const wrapped: typeof fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(baseUrl)) return response;
    if (!response.ok) throw new Error(`the simulator answered ${response.status} to ${new URL(url).pathname}: the capture would not be a night's`);
    const text = await response.clone().text();
    counts.bytes += text.length;
    counts.responses += 1;
    if (!out.write(`${new URL(url).pathname}\t${url}\t${text}\n`)) await new Promise<void>((resolve) => { out.once("drain", () => { resolve(); }); });
    return response;
  };
  return {
    install: () => { globalThis.fetch = wrapped; },
    finish: async () => {
      globalThis.fetch = realFetch;
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => { if (error) reject(error); else resolve(); }));
    },
  };
}

async function main(): Promise<void> {
  const [pos, ordersArg, capturePath, date] = process.argv.slice(2);
  if ((pos !== "square" && pos !== "clover") || !ordersArg || !capturePath || !date) {
    throw new Error("usage: tsx bench/capture-night.ts <square|clover> <orders> <capture file> <date>");
  }
  const orders = Number(ordersArg);
  const plan = nightPlan(date);
  const counts = { bytes: 0, responses: 0 };
  const generateStarted = performance.now();
  let ordersServed: number;
  let readMs: number;
  if (pos === "square") {
    const square = await startSquareSimulator({ seed: 7 });
    try {
      const merchantId = "SQMERCHANTBENCH";
      square.addMerchant({ merchantId, locations: [{ id: SQUARE_LOCATION_ID, name: "Main Street", timezone: CAPTURE_ZONE, currency: "USD" }] });
      // As part 2 (bench/pos-night.ts) generates it.
      const day = generateDay({ seed: 11, sales: orders, date, timeZone: CAPTURE_ZONE, locationId: SQUARE_LOCATION_ID, returnRate: 0.03, openRate: 0.02, noiseRate: 0 });
      square.setCatalog(merchantId, day.catalog);
      square.addOrders(SQUARE_LOCATION_ID, day.orders);
      ordersServed = day.orders.length;
      const token = square.issueToken(merchantId);
      const generateMs = performance.now() - generateStarted;
      const capture = capturingFetch(square.url, capturePath, counts);
      const started = performance.now();
      capture.install();
      try {
        await readSquareNight(createSquareReader({ baseUrl: square.url, accessToken: () => Promise.resolve(token), timeoutMs: 120_000 }), { locationId: SQUARE_LOCATION_ID, currency: "USD" }, plan);
      } finally {
        await capture.finish();
      }
      readMs = performance.now() - started;
      report({ pos, ordersServed, capturedResponses: counts.responses, captureBytes: counts.bytes, generateMs, readMs });
    } finally {
      await square.close();
    }
  } else {
    const clover = await startCloverSimulator({ seed: 7 });
    try {
      clover.addMerchant({ merchantId: CLOVER_MERCHANT_ID, name: "Main Street", timezone: CAPTURE_ZONE, currency: "USD" });
      // As part 2 generates it: the days before quiet.
      const day = generateCloverDay({ seed: 11, orders, date, timeZone: CAPTURE_ZONE, merchantId: CLOVER_MERCHANT_ID, previousDayRate: 0, noiseRate: 0 });
      clover.setItems(CLOVER_MERCHANT_ID, day.items);
      clover.addOrders(CLOVER_MERCHANT_ID, day.orders);
      ordersServed = day.orders.length;
      const token = clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 365 * 86_400_000 });
      const generateMs = performance.now() - generateStarted;
      const capture = capturingFetch(clover.url, capturePath, counts);
      const started = performance.now();
      capture.install();
      try {
        await readCloverNight(createCloverReader({ merchantId: CLOVER_MERCHANT_ID, baseUrl: clover.url, accessToken: () => Promise.resolve(token), timeoutMs: 120_000 }), { currency: "USD" }, plan);
      } finally {
        await capture.finish();
      }
      readMs = performance.now() - started;
      report({ pos, ordersServed, capturedResponses: counts.responses, captureBytes: counts.bytes, generateMs, readMs });
    } finally {
      await clover.close();
    }
  }
}

function report(result: CaptureResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith("capture-night.ts")) await main();
