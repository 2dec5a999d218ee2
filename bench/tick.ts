/**
 * Part 6's measured half: one scheduler tick (lib/schedule/scheduler.ts, as functions/scheduler.ts runs
 * it) over N locations all due at once (one zone's midnight), against the due-index in a table on
 * moto_server and SQS FIFO on moto_server. The table is seeded with BatchWriteItem (each location's
 * stored record, due-index entry and pointer, as the API writes them); 2 locations per merchant, each
 * merchant its own QuickBooks company (message group). Measured: the tick's wall time, locations
 * enqueued a second, and its AWS calls by kind; checked: every location sent exactly once (each
 * deduplication id taken once) and moved on, nothing left due.
 *
 * moto's FIFO queue costs O(messages held) per send, which SQS does not: the bench's SQS client sends
 * each SendMessageBatch to the next of a pool of queues of 50 (sandbox/due-locations.ts).
 *
 * `tsx bench/tick.ts <locations> [<locations>…]` with DAYBOOK_BENCH_MOTO set; prints `{ results }` as JSON last.
 */
import { loadavg } from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { dueAt } from "../lib/schedule/due-days";
import { DUE_INDEX_SHARDS } from "../lib/schedule/due-index";
import { createSqsJobQueue } from "../lib/schedule/enqueue";
import { runSchedulerTick, type SchedulerTickResult } from "../lib/schedule/scheduler";
import { createDynamoStorage } from "../lib/store/storage";
import { awsClientConfig, createTestTable } from "../sandbox/aws";
import { seedDueLocations, spreadFifoSends } from "../sandbox/due-locations";

export interface TickResult {
  locations: number;
  /** The tick's wall time, ms. */
  ms: number;
  locationsPerSecond: number;
  /** At this rate, minutes to enqueue 100,000 due locations. */
  minutesFor100k: number;
  /** Every AWS call the tick made, by kind. */
  calls: Record<string, number>;
  /** Seconds seeding took (not part of the figure). */
  seedSeconds: number;
  tick: SchedulerTickResult;
  /** Load average when the tick ended. */
  loadAverage: number[];
}

const DAY = "2026-11-30";
const SCHEDULE = { timeZone: "America/New_York", dayStart: "00:00", settleMinutes: 120 };
const LOCATIONS_PER_MERCHANT = 2;

interface Middlewared {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/** Counts every call by service and command, touching nothing else. */
function countCalls(client: Middlewared, service: string, calls: Record<string, number>): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const key = `${service}.${(context.commandName ?? "Unknown").replace(/Command$/, "")}`;
      calls[key] = (calls[key] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: `tickCount${service}` },
  );
}

export async function measureTick(endpoint: string, count: number): Promise<TickResult> {
  const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
  const sqs = new SQSClient(awsClientConfig(endpoint));
  try {
    const tableName = await createTestTable(dynamo);
    const seeded = performance.now();
    await seedDueLocations(dynamo, tableName, { count, businessDay: DAY, schedule: SCHEDULE, locationsPerMerchant: LOCATIONS_PER_MERCHANT, prefix: "m" });
    const { queueUrls, taken } = await spreadFifoSends(sqs, count);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const calls: Record<string, number> = {};
    countCalls(dynamo, "DynamoDB", calls);
    countCalls(sqs, "SQS", calls);
    const { dueIndex } = createDynamoStorage({ client: dynamo, tableName });
    const now = new Date(dueAt(DAY, SCHEDULE).getTime() + 60_000);

    const started = performance.now();
    const tick = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrls[0] as string), now, shards: DUE_INDEX_SHARDS });
    const ms = performance.now() - started;

    // Every location sent once, moved on once, nothing left due.
    const twice = [...taken.values()].filter((times) => times > 1).length;
    if (tick.locations !== count || tick.enqueued !== count || tick.failed !== 0 || taken.size !== count || twice !== 0) {
      throw new Error(`the tick over ${String(count)} locations: ${JSON.stringify(tick)}, ${String(taken.size)} deduplication ids taken, ${String(twice)} taken twice`);
    }
    const left = (await Promise.all(Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => dueIndex.due(shard, now)))).flat().length;
    if (left !== 0) throw new Error(`${String(left)} locations still due after the tick`);
    const locationsPerSecond = count / (ms / 1000);
    return { locations: count, ms, locationsPerSecond, minutesFor100k: 100_000 / locationsPerSecond / 60, calls, seedSeconds, tick, loadAverage: loadavg() };
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

async function main(): Promise<void> {
  const endpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if (!endpoint) throw new Error("DAYBOOK_BENCH_MOTO is not set");
  const counts = process.argv.slice(2).map(Number);
  if (counts.length === 0 || counts.some((count) => !Number.isSafeInteger(count) || count < LOCATIONS_PER_MERCHANT)) {
    throw new Error("usage: tsx bench/tick.ts <locations> [<locations>…], each a whole number of at least 2");
  }
  const results: TickResult[] = [];
  for (const count of counts) {
    const result = await measureTick(endpoint, count);
    process.stderr.write(`tick over ${String(count)}: ${Math.round(result.ms)} ms, ${Math.round(result.locationsPerSecond)} locations/s (seeded in ${result.seedSeconds.toFixed(0)} s)\n`);
    results.push(result);
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await main();
