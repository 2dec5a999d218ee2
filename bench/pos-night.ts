/**
 * Part 2 (child process): one location-night through the real night job (lib/sync/sync-night.ts: the
 * night's day D and the re-checks of D−1..D−3) with the simulators on loopback and DynamoDB and KMS on
 * moto_server, counting the calls by endpoint. The three days before were synced by the night before
 * (quiet days, as a new location's are), so this is the steady state: every location-day is re-checked
 * by three later nights, and each night's calls are all the calls its day costs. Then the same night
 * again with nothing changed: the re-check a late change would be caught by. While the measured night
 * runs, every POS response body is written to a capture file, one per line, for part 1 to replay.
 *
 *   tsx bench/pos-night.ts <square|clover> <orders> <capture file>   (moto endpoint in DAYBOOK_BENCH_MOTO)
 * Prints one JSON line: PosDayResult.
 */
import { createWriteStream } from "node:fs";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { addDays } from "../lib/domain/business-day";
import { DEFAULT_SETTLE_MINUTES, lastDayDueBy } from "../lib/schedule/due-days";
import { type NightDayResult, syncLocationNight } from "../lib/sync/sync-night";
import { generateCloverDay } from "../sandbox/clover/generate-day";
import { generateDay } from "../sandbox/square/generate-day";
import { itemBytes, resetCounts } from "./aws-counter";
import { minimumCalls, type MinimumCalls } from "./cost";
import { CLOVER_MERCHANT_ID, createBenchWorld, SQUARE_LOCATION_ID } from "./world";

export const ZONE = "America/New_York";
/**
 * The last day that has ended and settled in the location's zone (DEFAULT_SETTLE_MINUTES after its
 * midnight), synced now: the readers take "now" from the real clock (Clover reads every order modified
 * from the day's start until now, in 89-day ranges), so the day must be recent for the calls to be those
 * of a nightly run; and a day not yet settled is not due, so a night job would not post it (the bench
 * failed so between 00:00 and 02:00 in New York when it took plain yesterday).
 */
export function lastSettledDay(zone: string, nowMs = Date.now()): string {
  return lastDayDueBy(new Date(nowMs), { timeZone: zone, dayStart: "00:00", settleMinutes: DEFAULT_SETTLE_MINUTES });
}
const DATE = lastSettledDay(ZONE);

export interface PosDayResult {
  pos: "square" | "clover";
  orders: number;
  /** Orders the generator made (sales, returns, noise), all served. */
  ordersServed: number;
  /** POS calls answered with an error status in the measured night (a 429 is a call made and wasted). */
  refused: string[];
  /** Each day of the night, oldest first, as it ended. */
  statuses: Record<string, string>;
  syncMs: number;
  /** CPU of the measured night in this process (user + system), ms; the simulators' share included. */
  cpuMs: number;
  calls: Record<string, number>;
  /** The same night again with nothing changed: its calls by endpoint, and how many went to QuickBooks. */
  recheckCalls: Record<string, number>;
  recheckQuickBooksCalls: number;
  /** DynamoDB units of the measured night and of the unchanged one (bench/aws-counter.ts: whole items, indexes). */
  readUnits: number;
  writeUnits: number;
  recheckReadUnits: number;
  recheckWriteUnits: number;
  /** Bytes of the items the night left about its day (its sync record, its report), by DynamoDB's item size. */
  storedBytes: number;
  /** AWS calls of the unchanged night. */
  recheckAws: Record<string, number>;
  totalCalls: number;
  minimum: MinimumCalls;
  captureBytes: number;
  capturedResponses: number;
}

/**
 * The generators' noise includes orders of the day before changed today, and Clover's generator also
 * refunds and edits the day before's sales today: each makes the night re-read that day in full, which
 * is right (daybook keeps no order to apply a change to) but not the normal night measured here, so both
 * generators run without them. test/integration/sync-night.test.ts counts the calls of a night with a
 * late change.
 */
const QUIET_EARLIER_DAYS = { previousDayRate: 0, noiseRate: 0 };

async function main(): Promise<void> {
  const [pos, ordersArg, capturePath] = process.argv.slice(2);
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if ((pos !== "square" && pos !== "clover") || !ordersArg || !capturePath || !motoEndpoint) {
    throw new Error("usage: DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/pos-night.ts <square|clover> <orders> <capture file>");
  }
  const orders = Number(ordersArg);
  // The night before ran three hours ago: its QuickBooks access token (1 h) has expired, as on every night.
  let offsetMs = -3 * 3600_000;
  const now = () => Date.now() + offsetMs;
  const world = await createBenchWorld({ motoEndpoint, source: pos, timeZone: ZONE, now });
  const statusesOf = (results: NightDayResult[]) => Object.fromEntries(results.map((result) =>
    [result.day.businessDay, "outcome" in result ? result.outcome.status : `threw ${String(result.error)}`]));
  const before = statusesOf(await syncLocationNight(await world.ports(), world.day(addDays(DATE, -1))));
  if (Object.values(before).some((status) => status !== "no-sales")) throw new Error(`the night before ended ${JSON.stringify(before)}`);
  let ordersServed: number;
  let payments = 0;
  let refunds = 0;
  let items = 0;
  if (pos === "square") {
    const day = generateDay({ seed: 11, sales: orders, date: DATE, timeZone: ZONE, locationId: SQUARE_LOCATION_ID, returnRate: 0.03, openRate: 0.02, noiseRate: 0 });
    world.square.setCatalog(world.squareMerchantId, day.catalog);
    world.square.addOrders(SQUARE_LOCATION_ID, day.orders);
    ordersServed = day.orders.length;
  } else {
    const day = generateCloverDay({ seed: 11, orders, date: DATE, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID, ...QUIET_EARLIER_DAYS });
    if (!world.clover) throw new Error("no Clover simulator");
    world.clover.setItems(CLOVER_MERCHANT_ID, day.items);
    world.clover.addOrders(CLOVER_MERCHANT_ID, day.orders);
    ordersServed = day.orders.length;
    items = day.items.length;
  }
  // Clover allows 16 requests a second per token: the night before was a day ago, not a moment ago.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  offsetMs = 0;
  world.square.clearRequestLog();
  world.clover?.clearRequestLog();
  const quickBooksBefore = world.quickbooks.requestLog().length;
  resetCounts(world.aws);

  // Capture every POS response body (not QuickBooks'), one line each: endpoint, URL, body.
  const out = createWriteStream(capturePath);
  let captureBytes = 0;
  let capturedResponses = 0;
  const posUrl = pos === "square" ? world.square.url : (world.clover?.url ?? "");
  const realFetch = globalThis.fetch;
  const refused: string[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(posUrl) && !response.ok) refused.push(`${response.status} ${new URL(url).pathname}`);
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
  const cpuBefore = process.cpuUsage();
  const statuses = statusesOf(await syncLocationNight(await world.ports(), world.day(DATE)));
  const syncMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // This process also runs the simulators, so this is an upper bound on the worker's own CPU.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  globalThis.fetch = realFetch;
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => { if (error) reject(error); else resolve(); }));
  // The days before were quiet and stay so (a day with no sales re-checked says so again).
  const quiet = Object.entries(statuses).every(([day, status]) => (day === DATE ? status === "posted" : status === "unchanged" || status === "no-sales"));
  if (!quiet) throw new Error(`the night ended ${JSON.stringify(statuses)}`);

  const callsSince = (quickBooksFrom: number, aws: boolean): Record<string, number> => {
    const calls: Record<string, number> = {};
    const posLog = pos === "square" ? world.square.requestLog() : (world.clover?.requestLog() ?? {});
    for (const [endpoint, count] of Object.entries(posLog)) calls[`${pos === "square" ? "Square" : "Clover"} ${endpoint}`] = count;
    for (const name of quickBooksCallNames(world.quickbooks.requestLog().slice(quickBooksFrom))) calls[name] = (calls[name] ?? 0) + 1;
    if (aws) for (const [call, count] of Object.entries(world.aws.calls)) calls[call] = count;
    return calls;
  };
  const calls = callsSince(quickBooksBefore, true);
  const { readUnits, writeUnits } = world.aws;
  resetCounts(world.aws);

  // The same night an hour later, nothing changed.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  offsetMs = 3600_000;
  world.square.clearRequestLog();
  world.clover?.clearRequestLog();
  const quickBooksAfter = world.quickbooks.requestLog().length;
  const again = statusesOf(await syncLocationNight(await world.ports(), world.day(DATE)));
  if (Object.values(again).some((status) => status !== "unchanged" && status !== "no-sales")) throw new Error(`the unchanged night ended ${JSON.stringify(again)}`);
  const recheckCalls = callsSince(quickBooksAfter, false);
  const recheckQuickBooksCalls = world.quickbooks.requestLog().length - quickBooksAfter;
  const recheckAws = { ...world.aws.calls };
  const storedBytes = await storedBytesOf(world, DATE);

  // Square's catalog takes two round-trips at the least: include_related_objects goes one level deep,
  // variation → item, then item → category (shared/reference/square.md).
  const minimum = pos === "square"
    ? minimumCalls({ pos, orders: ordersServed, payments, refunds, catalogCalls: 2, tokenRefresh: true })
    : minimumCalls({ pos, orders: ordersServed, items, tokenRefresh: true });
  const totalCalls = Object.entries(calls).filter(([name]) => !name.includes(".")).reduce((sum, [, count]) => sum + count, 0);
  const result: PosDayResult = {
    refused,
    pos, orders, ordersServed, statuses, syncMs, cpuMs, calls, totalCalls, minimum, recheckCalls, recheckQuickBooksCalls, captureBytes, capturedResponses,
    storedBytes, readUnits, writeUnits, recheckReadUnits: world.aws.readUnits, recheckWriteUnits: world.aws.writeUnits, recheckAws,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await world.close();
}

/** The DynamoDB item size of every item whose keys name the day (read after the measured runs, uncounted by then). */
async function storedBytesOf(world: Awaited<ReturnType<typeof createBenchWorld>>, day: string): Promise<number> {
  let bytes = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await world.dynamo.send(new ScanCommand({ TableName: world.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) if (`${item["PK"]?.S ?? ""}#${item["SK"]?.S ?? ""}`.includes(day)) bytes += itemBytes(item);
    start = page.LastEvaluatedKey;
  } while (start);
  return bytes;
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

if (process.argv[1]?.endsWith("pos-night.ts")) await main();
