/**
 * Part 2 (child process): one location-day through the real sync (lib/sync/sync-day.ts) with the
 * simulators on loopback and DynamoDB and KMS on moto_server, counting the calls by endpoint. While it
 * runs, every POS response body is written to a capture file, one per line, for part 1 to replay.
 *
 *   tsx bench/pos-day.ts <square|clover> <orders> <capture file>   (moto endpoint in DAYBOOK_BENCH_MOTO)
 * Prints one JSON line: PosDayResult.
 */
import { createWriteStream } from "node:fs";
import { syncLocationDay } from "../lib/sync/sync-day";
import { generateCloverDay } from "../sandbox/clover/generate-day";
import { generateDay } from "../sandbox/square/generate-day";
import { minimumCalls, type MinimumCalls } from "./cost";
import { CLOVER_MERCHANT_ID, createBenchWorld, SQUARE_LOCATION_ID } from "./world";

export const ZONE = "America/New_York";
/**
 * Yesterday in the location's zone, synced now: the readers take "now" from the real clock (Clover
 * reads every order modified from the day's start until now, in 89-day ranges), so the day must be
 * recent for the calls to be those of a nightly run.
 */
export function yesterday(zone: string, nowMs = Date.now()): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(nowMs);
  return new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
const DATE = yesterday(ZONE);

export interface PosDayResult {
  pos: "square" | "clover";
  orders: number;
  /** Orders the generator made (sales, returns, noise), all served. */
  ordersServed: number;
  status: string;
  syncMs: number;
  calls: Record<string, number>;
  totalCalls: number;
  minimum: MinimumCalls;
  captureBytes: number;
  capturedResponses: number;
}

async function main(): Promise<void> {
  const [pos, ordersArg, capturePath] = process.argv.slice(2);
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if ((pos !== "square" && pos !== "clover") || !ordersArg || !capturePath || !motoEndpoint) {
    throw new Error("usage: DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/pos-day.ts <square|clover> <orders> <capture file>");
  }
  const orders = Number(ordersArg);
  // Connected two hours ago: the QuickBooks access token (1 h) needs refreshing, as on every nightly run.
  let offsetMs = -2 * 3600_000;
  const now = () => Date.now() + offsetMs;
  const world = await createBenchWorld({ motoEndpoint, source: pos, timeZone: ZONE, now });
  let ordersServed: number;
  let payments = 0;
  let refunds = 0;
  let items = 0;
  if (pos === "square") {
    const day = generateDay({ seed: 11, sales: orders, date: DATE, timeZone: ZONE, locationId: SQUARE_LOCATION_ID, returnRate: 0.03, openRate: 0.02, noiseRate: 0.05 });
    world.square.setCatalog(world.squareMerchantId, day.catalog);
    world.square.addOrders(SQUARE_LOCATION_ID, day.orders);
    ordersServed = day.orders.length;
  } else {
    const day = generateCloverDay({ seed: 11, orders, date: DATE, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID });
    if (!world.clover) throw new Error("no Clover simulator");
    world.clover.setItems(CLOVER_MERCHANT_ID, day.items);
    world.clover.addOrders(CLOVER_MERCHANT_ID, day.orders);
    ordersServed = day.orders.length;
    items = day.items.length;
  }
  offsetMs = 0;
  world.square.clearRequestLog();
  world.clover?.clearRequestLog();

  // Capture every POS response body (not QuickBooks'), one line each: endpoint, URL, body.
  const out = createWriteStream(capturePath);
  let captureBytes = 0;
  let capturedResponses = 0;
  const posUrl = pos === "square" ? world.square.url : (world.clover?.url ?? "");
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(posUrl) && response.ok) {
      const text = await response.clone().text();
      const line = `${new URL(url).pathname}\t${url}\t${text}\n`;
      captureBytes += text.length;
      const path = new URL(url).pathname;
      if (path === "/v2/payments") payments += ((JSON.parse(text) as { payments?: unknown[] }).payments ?? []).length;
      if (path === "/v2/refunds") refunds += ((JSON.parse(text) as { refunds?: unknown[] }).refunds ?? []).length;
      capturedResponses += 1;
      if (!out.write(line)) await new Promise<void>((resolve) => { out.once("drain", () => { resolve(); }); });
    }
    return response;
  };

  const started = performance.now();
  const outcome = await syncLocationDay(await world.ports(), { merchantId: world.merchantId, locationId: world.location.locationId, businessDay: DATE });
  const syncMs = performance.now() - started;
  globalThis.fetch = realFetch;
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => { if (error) reject(error); else resolve(); }));
  if (outcome.status !== "posted") throw new Error(`the sync ended ${outcome.status}${outcome.status === "failed" ? `: ${outcome.failure.message}` : ""}`);

  const calls: Record<string, number> = {};
  const posLog = pos === "square" ? world.square.requestLog() : (world.clover?.requestLog() ?? {});
  for (const [endpoint, count] of Object.entries(posLog)) calls[`${pos === "square" ? "Square" : "Clover"} ${endpoint}`] = count;
  for (const name of quickBooksCallNames(world.quickbooks.requestLog())) calls[name] = (calls[name] ?? 0) + 1;
  for (const [call, count] of Object.entries(world.aws.calls)) calls[call] = count;

  const minimum = pos === "square"
    ? minimumCalls({ pos, orders: ordersServed, payments, refunds, catalogCalls: 1, tokenRefresh: true })
    : minimumCalls({ pos, orders: ordersServed, items, tokenRefresh: true });
  const totalCalls = Object.entries(calls).filter(([name]) => !name.includes(".")).reduce((sum, [, count]) => sum + count, 0);
  const result: PosDayResult = { pos, orders, ordersServed, status: outcome.status, syncMs, calls, totalCalls, minimum, captureBytes, capturedResponses };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await world.close();
}

/** "QuickBooks POST journalentry", "QuickBooks GET query (JournalEntry)", "QuickBooks token". */
export function quickBooksCallNames(log: readonly { method: string; path: string; search: string; kind: string }[]): string[] {
  return log.map((request) => {
    if (request.kind !== "api") return `QuickBooks ${request.kind}`;
    const resource = /^\/v3\/company\/[^/]+\/([^/?]+)/.exec(request.path)?.[1] ?? request.path;
    const entity = resource === "query" ? / from (\w+)/i.exec(decodeURIComponent(request.search.replaceAll("+", " ")))?.[1] : undefined;
    return `QuickBooks ${request.method} ${resource}${entity ? ` (${entity})` : ""}`;
  });
}

if (process.argv[1]?.endsWith("pos-day.ts")) await main();
