/**
 * Part 5's measured jobs (child process): a merchant's two location-nights as the worker runs them on
 * AWS, one after the other, each in a worker of its own, through the real SQS handler (lib/worker/handler.ts: Powertools Idempotency's record in the table, the night's
 * sync of D and re-checks of D−1..D−3, each day's report kept, the digest marked, the accountants told,
 * Square's payouts looked at), with the Square and QuickBooks simulators on loopback in a process of
 * their own (bench/simulators-process.ts: this process's CPU is the job's alone) and DynamoDB and KMS on
 * moto_server, every AWS call counted and billed as AWS bills it (bench/aws-counter.ts).
 *
 * The merchant (the model's 2 locations per merchant): two Square locations of one Square merchant, on
 * one Square connection and one QuickBooks connection (one company, as a merchant's locations share),
 * the second like the first (the same zone and day start, the same payouts mapping) with its own sales
 * and its own payouts. Both fall due at the same tick and their jobs share the company's SQS FIFO
 * message group, so they run one after the other: the first finds the access token the night before
 * stored expired and refreshes it (a lease write, the token call, the token write); the second, a few
 * seconds later, finds the token the first stored valid for the hour (lib/oauth/token-keeper.ts: its
 * worker's keeper is empty, so it opens the stored tokens, one KMS Decrypt, and refreshes only when
 * due, 5 minutes before expiry) and does not refresh (checked). The model's job is their mean; each is
 * in the result (locations).
 *
 * The steady state: the nights run a day apart, each at 02:15 in the location's zone (its day settled
 * at 02:00, the scheduler's next tick), on the world's clock (nightClock); the three nights before each
 * posted their own day of sales (so the night's re-checks rewrite posted records, as they do for a
 * trading location) and read the days the night re-checks (so they are trusted and not read again); the
 * night before refreshed the QuickBooks token and its access token (1 h) has expired since, as on every
 * night. Each location posts Square payouts (the world's payouts mapping, a connection with PAYOUTS_READ)
 * and Square pays out daily (sandbox/square/payouts.ts: a 17:00 cut-off, arriving the next weekday, PAID
 * at 09:00 that day): each night before posted the payout made the evening of its day, so the measured
 * night's read window (lib/payouts/post-payouts.ts READ_OVERLAP_MS) holds the one made the evening of D
 * (SENT: posted), the one of D−1 (PAID since the night before: its record updated) and the one of D−2
 * (PAID the morning the night before ran, so updated inside the window: read, unchanged). The night is
 * one whose days D−2..D+1 are weekdays' cut-offs' arrivals as on most nights (D a Wednesday, Thursday or
 * Friday): around a weekend Square pays two or three payouts out on the Monday, the same payouts
 * and changes a week spread differently;
 * the process has loaded the modules a night loads on first use (the Square SDK, intuit-oauth), as a
 * warm worker has: their load is measured on its own first (coldLoadCpuMs) and billed on cold starts.
 * The refresh sweep then runs once over the connections the night left, counted on its own (sweep).
 *
 *   tsx bench/cost-job.ts [orders]   (moto endpoint in DAYBOOK_BENCH_MOTO; DAYBOOK_BENCH_DUMP=1 prints the
 *   table's items after the night, and the result, on stderr; DAYBOOK_BENCH_PROFILE=<file> writes the
 *   first location's measured night's CPU profile)
 * Prints one JSON line: CostJobResult.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import type { ClientRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { sweepConnections } from "../lib/connections/refresh-sweep";
import { addDays, businessDayWindow } from "../lib/domain/business-day";
import { payoutTag } from "../lib/domain/doc-number";
import type { PayoutRecord } from "../lib/model";
import type { QuickBooksSimulator, RequestRecord } from "../sandbox/quickbooks/server";
import type { SquareSimulator } from "../sandbox/square/server";
import { DEFAULT_PAYOUT_LOOKBACK_MS } from "../lib/pos/square/payouts";
import { itemKindOf } from "../lib/store/retention";
import { createIdempotencyStore } from "../lib/store/idempotency";
import { createWorkerHandler, type SqsEvent } from "../lib/worker/handler";
import { composeServices } from "../lib/wiring/services";
import { refreshSweepDepsOf, workerDepsOf } from "../lib/wiring/worker";
import { awsClientConfig } from "../sandbox/aws";
import { generateDay } from "../sandbox/square/generate-day";
import { itemBytes, resetCounts } from "./aws-counter";
import { type MinimumCalls, minimumCalls, PROVIDER_LATENCY_MS, type RecordedCall } from "./cost";
import { median } from "./stats";
import { nightClock } from "./night-clock";
import { ZONE } from "./pos-night";
import { type Remote, startSimulatorsProcess } from "./simulators-process";
import { type BenchWorld, createBenchWorld, SQUARE_LOCATION_ID } from "./world";

/**
 * One location's job of the measured night, measured on its own: the model's job is the mean of the
 * merchant's two (CostJobResult), these are each.
 */
export interface LocationNight {
  locationId: string;
  /** Whether the job refreshed the QuickBooks token: the first of the night does (the token the night before stored ran out), the second finds the one the first stored. */
  refreshedQuickBooksToken: boolean;
  /** How the night's days ended, oldest first. */
  statuses: Record<string, string>;
  /**
   * CPU of the job in this process (user + system), ms, from a collected heap: the worker's handler, its
   * clients' (the AWS SDK's, fetch's) sending and reading; the simulators answer from a process of their
   * own, not counted here (in results measured before they did, their share was included: an upper bound).
   */
  cpuMs: number;
  /** CPU the simulators' process spent while the job ran (serving its provider calls), ms: not the job's, not billed (absent from results measured before it was apart). */
  simulatorsCpuMs?: number;
  /** Calls to Square and QuickBooks (each waits on the provider). */
  providerCalls: number;
  providerCallsByEndpoint: Record<string, number>;
  /**
   * The fewest calls the night could make (bench/cost.ts minimumCalls: its day read once, its re-checks
   * free, its new payout's entries alone), from what Square served it, counted after the night (absent
   * from results measured before it was).
   */
  minimum?: MinimumCalls;
  aws: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  writeUnitsByKind: Record<string, number>;
  writesByKind: Record<string, number>;
  readsByKind: Record<string, number>;
  kmsRequests: number;
  /** Bytes the job added to the table, by kind of item (DynamoDB's item size, and 100 bytes for each new item): what storage and backups bill. */
  storedBytesByKind: Record<string, number>;
  /** The size of each item of the night's day D, by kind, as it stands after the job: the location's, and the merchant's (the digest mark). */
  dayItemBytes: Record<string, number>;
  /**
   * Square's payouts made by the night, oldest first, as the night left their records: the one made the
   * evening of D posted, the one before it updated (PAID), the others unchanged (absent from results
   * measured before the night posted payouts).
   */
  payouts?: PayoutChange[];
  /**
   * Every call the job waited on, in the order they started, with when each was in flight (ms from the
   * first): the provider calls and the AWS calls as their clients sent them.
   */
  calls: RecordedCall[];
}

/**
 * The measured night: the mean of the merchant's two location-nights (`locations`, each measured on its
 * own) in every figure, the model's job; `statuses`, `dayItemBytes`, `payouts` and `calls` are the first
 * location's (results measured before there were two have one location-night's figures and no `locations`).
 */
export interface CostJobResult extends Omit<LocationNight, "locationId" | "refreshedQuickBooksToken"> {
  orders: number;
  /** CPU of loading what a night loads on first use (the Square SDK and intuit-oauth, in plain Node processes of their own: an upper bound of the bundle's chunks), ms. */
  coldLoadCpuMs: number;
  /** The refresh sweep run once after the night, over the merchant's connections: what it looked at, opened and cost (absent from results measured before it was). */
  sweep?: { checked: number; opened: number; aws: Record<string, number>; readUnits: number; writeUnits: number; kmsRequests: number };
  /** Each location's job of the night, in the order they ran (absent from results measured before there were two). */
  locations?: LocationNight[];
}

const say = (line: string) => process.stderr.write(`${line}\n`);
/**
 * What DynamoDB bills for storing an item beyond its size: "every item in DynamoDB requires 100 bytes
 * of storage overhead for indexing" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
const STORAGE_BYTES_PER_ITEM = 100;
const run = promisify(execFile);

async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 100);
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if (!motoEndpoint || !(orders > 0)) throw new Error("usage: DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/cost-job.ts [orders]");
  // Loaded on first use by a fresh container's first night (lib/oauth/square.ts, lib/quickbooks/oauth.ts):
  // measured in plain Node processes of their own, then loaded here, so the measured night runs warm.
  const loads: number[] = [];
  for (let run = 0; run < 3; run++) loads.push(await firstUseLoadCpuMs());
  const coldLoadCpuMs = median(loads);
  await import("square");
  await import("intuit-oauth");
  const night = nightClock(ZONE, Date.now());
  const day = night.day;
  // The simulators answer after the stated provider latency, so the calls the night makes at once overlap
  // as they would against Square and Intuit, and the critical path (bench/cost.ts waitPathMs) shows it.
  // They run in a process of their own, on this process's clock (the same offset from the machine's).
  const simulators = await startSimulatorsProcess({ providerLatencyMs: PROVIDER_LATENCY_MS });
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const setClock = async (instantMs: number) => {
    offsetMs = instantMs - Date.now();
    await simulators.setClockOffset(offsetMs);
  };
  await setClock(night.atMs - 3 * DAY_MS);
  const nowDate = () => new Date(now());
  const world = await createBenchWorld({ motoEndpoint, source: "square", timeZone: ZONE, now, payouts: true, simulators, moreSquareLocations: [SECOND_LOCATION_ID] });
  // Square pays out daily from the first night's day on (its sales before its 17:00 cut-off), at each location.
  for (const locationId of LOCATION_IDS) await world.square.setPayoutSchedule(locationId, { from: addDays(day, -3), to: day });
  // Each job in a worker of its own (a vault with no data key kept), as jobs of one merchant's locations
  // and nights a day apart are.
  const composeWorker = () => composeServices(world.settings, { now: nowDate, dynamo: world.dynamo, storage: world.storage, vault: world.newVault(), email: world.email });
  const services = await composeWorker();
  const linkKey = randomBytes(32);
  const sqs = new SQSClient(awsClientConfig(motoEndpoint));
  const workerFor = (from: typeof services) => createWorkerHandler({
    deps: workerDepsOf(from, { linkKey, quickBooksAppUrl: "https://app.sandbox.qbo.intuit.com" }, { tuning: world.tuning }),
    sqs, queueUrl: `${motoEndpoint}/123456789012/unused.fifo`, maxAttempts: 5,
    idempotency: createIdempotencyStore({ client: world.dynamo, tableName: world.tableName }),
  });
  const context = { getRemainingTimeInMillis: () => 600_000, functionName: "worker", awsRequestId: "bench" };
  let message = 0;
  const runNight = async (handler: ReturnType<typeof workerFor>, locationId: string, businessDay: string): Promise<void> => {
    message++;
    const event: SqsEvent = {
      Records: [{
        messageId: `m-${message}`, receiptHandle: `r-${message}`,
        body: JSON.stringify({ kind: "night", merchantId: world.merchantId, locationId, businessDay }),
        attributes: { ApproximateReceiveCount: "1", MessageGroupId: `realm-${world.realmId}` },
        eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:daybook-jobs.fifo",
      }],
    };
    const response = await handler(event, context);
    if (response.batchItemFailures.length > 0) throw new Error(`the night of ${businessDay} at ${locationId} failed`);
  };
  // Each location its own sales (seeds apart, so orders and payments have ids of their own); the merchant's one catalog.
  const addSales = async (locationId: string, businessDay: string, seed: number) => {
    const generated = generateDay({ seed, sales: orders, date: businessDay, timeZone: ZONE, locationId, returnRate: 0.03, openRate: 0.02, noiseRate: 0 });
    await world.square.setCatalog(world.squareMerchantId, generated.catalog);
    await world.square.addOrders(locationId, generated.orders);
  };
  // Seeds a hundred apart per location: the generator's order and payment ids follow its seed, so ten apart
  // gave the second location's day (11 + 10) the ids of the first's day before (21), and the simulator
  // then moved a payout already paid out to the other location's payments (its amount changed, which
  // Square never does; daybook read its entries again, as it should for a changed amount).
  const seedOf = (locationId: string, base: number) => base + 100 * LOCATION_IDS.indexOf(locationId);

  // The three nights before, each posting its own day and payout at both locations, and a sweep that has
  // looked at every connection once. Each night comes after the QuickBooks token (1 h) of the one before
  // ran out, so its first job refreshes it as every night's does; the second finds the token the first
  // stored valid. The connection holds what a refresh leaves (the replaced refresh token too).
  for (const back of [3, 2, 1]) {
    await setClock(night.atMs - back * DAY_MS);
    for (const locationId of LOCATION_IDS) await addSales(locationId, addDays(day, -back), seedOf(locationId, 20 + back));
    for (const locationId of LOCATION_IDS) {
      const before = await composeWorker();
      await runNight(workerFor(before), locationId, addDays(day, -back));
      before.close();
    }
  }
  const sweepOf = (from: typeof services) => sweepConnections({ ...refreshSweepDepsOf(from), log: () => undefined });
  await sweepOf(services);
  for (const locationId of LOCATION_IDS) await addSales(locationId, day, seedOf(locationId, 11));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await setClock(night.atMs);

  // The night: the merchant's two locations fall due together and their jobs share the company's FIFO
  // message group, so they run one after the other, each measured on its own.
  const measuredNights: LocationNight[] = [];
  let lastWorker: typeof services | undefined;
  for (const [index, locationId] of LOCATION_IDS.entries()) {
    const before = await scanBytes(world);
    const payoutTags = (await world.square.payoutIds(locationId)).map(payoutTag);
    const payoutsBefore = await payoutRecordsOf(world, locationId, payoutTags);
    const readFrom = (await world.storage.payouts.getCheck(world.merchantId, locationId))?.readFrom ?? "";
    await world.square.clearRequestLog();
    const quickBooksBefore = (await world.quickbooks.requestLog()).length;
    // A new process's view: nothing decrypted yet (a warm worker seldom holds the same merchant's tokens).
    const fresh = await composeWorker();
    lastWorker?.close();
    lastWorker = fresh;
    const handler = workerFor(fresh);
    resetCounts(world.aws);
    const providerSpans = recordProviderRequests(motoEndpoint);

    const profile = index === 0 ? process.env["DAYBOOK_BENCH_PROFILE"] : undefined;
    const profiler = profile ? await startProfiler() : undefined;
    // The night starts on a collected heap: a collection of the set-up's garbage (the nights before, the
    // seeding, the scans) falls in the measured window or not by chance otherwise (one major GC there
    // measured about 80 ms more CPU), and it is not this night's work.
    collectGarbage();
    const simulatorsCpuBefore = await simulators.cpuMs();
    const cpuBefore = process.cpuUsage();
    await runNight(handler, locationId, day);
    const cpu = process.cpuUsage(cpuBefore);
    const simulatorsCpuMs = await simulators.cpuMs() - simulatorsCpuBefore;
    if (profile && profiler) writeFileSync(profile, JSON.stringify(await profiler.stop()));
    providerSpans.stop();
    const counted = structuredClone(world.aws);
    resetCounts(world.aws);

    const providerCallsByEndpoint = providerCallsOf(await world.square.requestLog(), (await world.quickbooks.requestLog()).slice(quickBooksBefore));
    const records = await world.store.listSyncRecordsBetween(world.merchantId, locationId, addDays(day, -3), day);
    const statuses = Object.fromEntries(records.map((record) => [record.businessDay, record.state]));
    if (statuses[day] !== "posted" || records.length !== 4 || records.some((record) => record.state !== "posted")) {
      throw new Error(`the night at ${locationId} ended ${JSON.stringify(statuses)}`);
    }
    // The steady state stated above: the first job refreshes the QuickBooks token, the second does not.
    const refreshes = providerCallsByEndpoint["QuickBooks token"] ?? 0;
    if (refreshes !== (index === 0 ? 1 : 0)) throw new Error(`the night's job ${index + 1} (${locationId}) refreshed the QuickBooks token ${refreshes} times`);
    const payoutsAfter = await payoutRecordsOf(world, locationId, payoutTags);
    const payouts = payoutChanges(payoutsBefore, payoutsAfter, readFrom);
    const minimum = await fewestCallsOf(world, locationId, day, payoutsBefore, payoutsAfter, night.atMs, index === 0);
    const after = await scanBytes(world);
    const storedBytesByKind: Record<string, number> = {};
    for (const [key, { kind, bytes }] of after) {
      const was = before.get(key);
      const added = bytes - (was?.bytes ?? 0) + (was ? 0 : STORAGE_BYTES_PER_ITEM);
      if (added !== 0) storedBytesByKind[kind] = (storedBytesByKind[kind] ?? 0) + added;
    }
    const dayItemBytes: Record<string, number> = {};
    for (const [key, { kind, bytes }] of after) if (key.includes(day) && (key.includes(locationId) || !LOCATION_IDS.some((id) => key.includes(id)))) dayItemBytes[kind] = (dayItemBytes[kind] ?? 0) + bytes;
    measuredNights.push({
      locationId, refreshedQuickBooksToken: refreshes > 0, statuses, cpuMs: (cpu.user + cpu.system) / 1000, simulatorsCpuMs,
      providerCalls: Object.values(providerCallsByEndpoint).reduce((total, count) => total + count, 0), providerCallsByEndpoint, minimum,
      aws: counted.calls, readUnits: counted.readUnits, writeUnits: counted.writeUnits, writeUnitsByKind: counted.writeUnitsByKind ?? {}, writesByKind: counted.writesByKind ?? {}, readsByKind: counted.readsByKind ?? {},
      kmsRequests: kmsRequestsOf(counted.calls), storedBytesByKind, dayItemBytes, payouts,
      calls: recordedCalls(providerSpans.spans, counted.spans ?? []),
    });
  }
  // The refresh sweep after the night, counted on its own (not the scans and reads of the checks above).
  resetCounts(world.aws);
  const swept = await sweepOf(lastWorker ?? services);
  const sweepCounts = structuredClone(world.aws);
  if (process.env["DAYBOOK_BENCH_DUMP"]) {
    const page = await world.dynamo.send(new ScanCommand({ TableName: world.tableName }));
    for (const item of page.Items ?? []) say(`${itemBytes(item)} ${JSON.stringify(item)}`);
  }

  const [first] = measuredNights;
  if (!first) throw new Error("no night was measured");
  const result: CostJobResult = {
    orders, statuses: first.statuses, coldLoadCpuMs,
    ...meanNight(measuredNights),
    sweep: {
      checked: swept.checked, opened: swept.opened, aws: sweepCounts.calls, readUnits: sweepCounts.readUnits, writeUnits: sweepCounts.writeUnits,
      kmsRequests: kmsRequestsOf(sweepCounts.calls),
    },
    minimum: meanMinimum(measuredNights.map((each) => each.minimum)),
    dayItemBytes: first.dayItemBytes, payouts: first.payouts, calls: first.calls,
    locations: measuredNights,
  };
  if (process.env["DAYBOOK_BENCH_DUMP"]) say(JSON.stringify(result, null, 2));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  services.close();
  lastWorker?.close();
  sqs.destroy();
  await world.close();
}

/** The merchant's second Square location: like the first (same zone, day start and payouts mapping), its own sales and payouts. */
export const SECOND_LOCATION_ID = "GENLOCATION02";
/** The model's 2 locations per merchant (bench/run.ts LOCATIONS_PER_MERCHANT), in the order their jobs run. */
const LOCATION_IDS = [SQUARE_LOCATION_ID, SECOND_LOCATION_ID];

const MEANT = ["cpuMs", "simulatorsCpuMs", "providerCalls", "readUnits", "writeUnits", "kmsRequests"] as const;
const MEANT_BY_KEY = ["providerCallsByEndpoint", "aws", "writeUnitsByKind", "writesByKind", "readsByKind", "storedBytesByKind"] as const;

const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / values.length;

/** Each key's mean over `counts` (a key absent from one counts 0 there). */
function meanByKey(counts: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(counts.flatMap((each) => Object.keys(each)))];
  return Object.fromEntries(keys.map((key) => [key, mean(counts.map((each) => each[key] ?? 0))]));
}

/** The nights' mean, figure by figure (a count absent from a night counts 0 there): the model's job, a location-night. */
export function meanNight(nights: readonly LocationNight[]): Pick<LocationNight, (typeof MEANT)[number] | (typeof MEANT_BY_KEY)[number]> {
  return {
    ...Object.fromEntries(MEANT.map((field) => [field, mean(nights.map((night) => night[field] ?? 0))])) as Pick<LocationNight, (typeof MEANT)[number]>,
    ...Object.fromEntries(MEANT_BY_KEY.map((field) => [field, meanByKey(nights.map((night) => night[field]))])) as Pick<LocationNight, (typeof MEANT_BY_KEY)[number]>,
  };
}

/** The fewest calls of the mean job: each endpoint's fewest averaged over the nights (absent when a night has none). */
export function meanMinimum(each: readonly (MinimumCalls | undefined)[]): MinimumCalls | undefined {
  const known = each.filter((minimum): minimum is MinimumCalls => minimum !== undefined);
  if (known.length === 0 || known.length !== each.length) return undefined;
  return { byEndpoint: meanByKey(known.map((minimum) => minimum.byEndpoint)), total: mean(known.map((minimum) => minimum.total)) };
}

const DAY_MS = 86_400_000;

/** The night's calls to the providers by endpoint, from the simulators' logs: Square's counts and QuickBooks' requests since the night began. */
export function providerCallsOf(square: Record<string, number | undefined>, quickBooks: readonly Pick<RequestRecord, "kind" | "method" | "path">[]): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(square)) if (count !== undefined) calls[`Square ${endpoint}`] = count;
  for (const request of quickBooks) {
    const name = `QuickBooks ${request.kind === "api" ? `${request.method} ${request.path.split("/").at(-1) ?? ""}` : request.kind}`;
    calls[name] = (calls[name] ?? 0) + 1;
  }
  return calls;
}

/**
 * The night's fewest calls (minimumCalls), from what Square holds for it, asked after the night (through
 * the simulator's own API, not counted): the orders, payments and refunds updated since D began (what the
 * night's one read lists), the payouts created in ListPayouts' look-back, the entries of each payout the
 * night had no record of (the new one), and the payouts it posted; the catalog in two round-trips, one
 * token refresh (the night before's access token has expired).
 */
async function fewestCallsOf(
  world: Pick<BenchWorld<Remote<SquareSimulator>, Remote<QuickBooksSimulator>>, "square" | "squareMerchantId">,
  locationId: string, day: string, before: PayoutRecords, after: PayoutRecords, atMs: number, tokenRefresh: boolean,
): Promise<MinimumCalls> {
  const token = await world.square.issueToken(world.squareMerchantId);
  const since = new Date(businessDayWindow(day, ZONE).startMs).toISOString();
  const square = async (path: string, init?: RequestInit): Promise<Record<string, unknown>> => {
    const response = await fetch(`${world.square.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "square-version": "2025-01-23" } });
    if (!response.ok) throw new Error(`the Square simulator answered ${response.status} to ${path}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const count = async (path: (cursor: string | undefined) => string, field: string): Promise<number> => {
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await square(path(cursor));
      total += ((page[field] as unknown[] | undefined) ?? []).length;
      cursor = page["cursor"] as string | undefined;
    } while (cursor);
    return total;
  };
  const location = `location_id=${locationId}&limit=100`;
  const after$ = (cursor: string | undefined) => (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
  const payments = await count((cursor) => `/v2/payments?${location}&updated_at_begin_time=${since}${after$(cursor)}`, "payments");
  const refunds = await count((cursor) => `/v2/refunds?${location}&updated_at_begin_time=${since}${after$(cursor)}`, "refunds");
  const search = await square("/v2/orders/search", { method: "POST", body: JSON.stringify({
    location_ids: [locationId], limit: 1000, query: { filter: { date_time_filter: { updated_at: { start_at: since } } }, sort: { sort_field: "UPDATED_AT" } },
  }) });
  const orders = ((search["orders"] as unknown[] | undefined) ?? []).length;
  const lookback = new Date(atMs - DEFAULT_PAYOUT_LOOKBACK_MS).toISOString();
  const listed = await count((cursor) => `/v2/payouts?${location}&begin_time=${lookback}${after$(cursor)}`, "payouts");
  const created = [...after].filter(([tag, record]) => record && !before.get(tag));
  return minimumCalls({
    pos: "square", orders, payments, refunds, catalogCalls: 2, tokenRefresh,
    payouts: { listed, entries: created.map(([, record]) => record?.summary.entryCount ?? 0), posted: created.filter(([, record]) => (record?.posted.length ?? 0) > 0).length },
  });
}

export interface PayoutChange {
  tag: string;
  /** Square's status of the payout as its record held it before the night (absent: no record, a new payout) and after. */
  before?: string;
  after?: string;
  /** "posted": its deposit entry created by the night; "updated": its record rewritten (a new status); "unchanged". */
  result: "posted" | "updated" | "unchanged";
  /** In the night's read window: created or changed since the location's check said to read from (its entries read). */
  read: boolean;
}

type PayoutRecords = Map<string, PayoutRecord | undefined>;

/** The payout records of these tags (read before the counts are reset, or after they are copied: not counted). */
async function payoutRecordsOf(world: Pick<BenchWorld, "storage" | "merchantId" | "dynamo" | "tableName">, locationId: string, tags: readonly string[]): Promise<PayoutRecords> {
  // Under either key (by tag, or by creation once the location's records are keyed so): found by tag among all.
  const kept = await world.storage.payouts.listPayouts(world.merchantId, locationId);
  return new Map(tags.map((tag) => [tag, kept.find((record) => record.payoutTag === tag)]));
}

/**
 * What the night did to each payout, checked against the steady state the bench states: the newest
 * posted with one deposit, the one before updated to PAID with its deposit kept, every other untouched.
 */
function payoutChanges(before: PayoutRecords, after: PayoutRecords, readFrom: string): PayoutChange[] {
  const changes: PayoutChange[] = [...after].map(([tag, record]) => {
    const was = before.get(tag);
    const result = !was && record?.state === "posted" ? "posted" : was && record && record.version !== was.version ? "updated" : "unchanged";
    const read = record !== undefined && (record.summary.createdAt >= readFrom || record.summary.updatedAt >= readFrom);
    return { tag, ...(was ? { before: was.summary.status } : {}), ...(record ? { after: record.summary.status } : {}), result, read };
  });
  const [older, previous, newest] = [changes.slice(0, -2), changes.at(-2), changes.at(-1)];
  const posted = newest ? after.get(newest.tag)?.posted ?? [] : [];
  const steady = newest?.result === "posted" && newest.after === "SENT" && posted.length === 1 && posted[0]?.kind === "deposit"
    && previous?.result === "updated" && previous.before === "SENT" && previous.after === "PAID"
    && JSON.stringify(before.get(previous.tag)?.posted) === JSON.stringify(after.get(previous.tag)?.posted)
    && newest.read && previous.read && older.length >= 1 && older.every((change) => change.result === "unchanged" && change.after === "PAID");
  if (!steady) throw new Error(`the night's payouts are not the steady state: ${JSON.stringify(changes)}`);
  return changes;
}

/** Every KMS request counted (Decrypt, GenerateDataKey, Encrypt: each is billed). */
function kmsRequestsOf(calls: Record<string, number>): number {
  return Object.entries(calls).reduce((total, [name, count]) => total + (name.startsWith("KMS.") ? count : 0), 0);
}

/**
 * CPU of loading the Square SDK and intuit-oauth in a fresh Node process, as a cold worker's first night
 * does (their packages from node_modules, file by file: an upper bound of the bundle's one chunk each).
 */
async function firstUseLoadCpuMs(): Promise<number> {
  const script = 'const t = process.cpuUsage(); await import("square"); await import("intuit-oauth"); const u = process.cpuUsage(t); console.log((u.user + u.system) / 1000);';
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
  const ms = Number(stdout.trim());
  if (!(ms > 0)) throw new Error(`loading the Square SDK and intuit-oauth printed ${JSON.stringify(stdout)}`);
  return ms;
}

/** A full garbage collection, now (V8's gc(), exposed for this call: the job runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** The V8 CPU profiler around the measured night alone (DAYBOOK_BENCH_PROFILE=<file>: a .cpuprofile that Chrome's DevTools opens). */
async function startProfiler(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => {
    session.post(method, (error, result) => {
      if (error) reject(error);
      else resolve((result as { profile?: unknown } | undefined)?.profile);
    });
  });
  await post("Profiler.enable");
  await post("Profiler.start");
  return { stop: async () => {
    const result = await post("Profiler.stop");
    session.disconnect();
    return result;
  } };
}

type Span = { name: string; startMs: number; endMs: number };

/**
 * The job's requests to the providers (the Square and QuickBooks simulators), each from the moment the
 * client sends it to the end of its answer, as the client saw them: fetch's (undici's) and the http
 * module's own diagnostics channels, so no client library is patched. Requests to `awsOrigin`
 * (moto_server) are left out: the AWS clients' calls are timed by bench/aws-counter.ts.
 */
function recordProviderRequests(awsOrigin: string): { spans: Span[]; stop(): void } {
  const spans: Span[] = [];
  const open = new Map<object, Span>();
  const aws = new URL(awsOrigin);
  let recording = true;
  const begin = (key: object, name: string, origin: string) => {
    if (!recording || origin === aws.origin || origin === aws.host) return;
    const span = { name, startMs: performance.now(), endMs: Number.NaN };
    open.set(key, span);
    spans.push(span);
  };
  const end = (key: object) => {
    const span = open.get(key);
    if (span) span.endMs = performance.now();
    open.delete(key);
  };
  subscribe("undici:request:create", (message) => {
    const { request } = message as { request: { origin: string; method: string; path: string } };
    begin(request, `${request.method} ${request.path.split("?")[0] ?? ""}`, request.origin);
  });
  const ended = (message: unknown) => {
    end((message as { request: object }).request);
  };
  subscribe("undici:request:trailers", ended);
  subscribe("undici:request:error", ended);
  subscribe("http.client.request.start", (message) => {
    const { request } = message as { request: ClientRequest };
    begin(request, `${request.method} ${request.path.split("?")[0] ?? ""}`, `${request.host}:${String(request.getHeader("host") ?? "").split(":")[1] ?? ""}`);
  });
  subscribe("http.client.response.finish", ended);
  subscribe("http.client.request.error", ended);
  return { spans, stop: () => (recording = false) };
}

/** The job's calls, provider and AWS, in the order they started, from the first one's start. */
function recordedCalls(provider: readonly Span[], aws: readonly Span[]): RecordedCall[] {
  const calls: RecordedCall[] = [
    ...provider.map((span) => ({ ...span, to: "provider" as const })),
    ...aws.map((span) => ({ ...span, to: "aws" as const })),
  ].sort((a, b) => a.startMs - b.startMs);
  const origin = calls[0]?.startMs ?? 0;
  if (calls.some((call) => Number.isNaN(call.endMs))) throw new Error("a call the job made had not ended when the job did");
  const round = (ms: number) => Math.round((ms - origin) * 1000) / 1000;
  return calls.map((call) => ({ name: call.name, to: call.to, startMs: round(call.startMs), endMs: round(call.endMs) }));
}

/** Every item of the table: its kind and DynamoDB size, by key (the scan is not counted: the counts are copied before). */
async function scanBytes(world: Pick<BenchWorld, "storage" | "merchantId" | "dynamo" | "tableName">): Promise<Map<string, { kind: string; bytes: number }>> {
  const items = new Map<string, { kind: string; bytes: number }>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await world.dynamo.send(new ScanCommand({ TableName: world.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) {
      const kind = itemKindOf({ PK: item["PK"]?.S, SK: item["SK"]?.S, status: item["status"]?.S }) ?? "other";
      items.set(`${item["PK"]?.S ?? ""}|${item["SK"]?.S ?? ""}`, { kind, bytes: itemBytes(item) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

if (process.argv[1]?.endsWith("cost-job.ts")) await main();
