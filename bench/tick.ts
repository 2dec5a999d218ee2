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
 * DynamoDB and SQS are separate services on AWS; one moto_server process answers both on one core (its
 * threads share one interpreter lock), so the tick's sends wait on its table calls there and nowhere
 * else. With DAYBOOK_BENCH_MOTO_SQS set, SQS is a moto_server of its own (bench/run.ts does so); the
 * record says which (`sqsOwnServer`). moto's CPU per call kind, measured inside the server (thread
 * CPU of each request) during a tick over 10,000: the conditional PutItem that moves a pointer 1.7 ms
 * (a conditional UpdateItem was 2.2 ms), BatchGetItem 0.3 ms a pointer and 0.5 ms a location (its
 * projection converts the whole record once per attribute named), BatchWriteItem about 0.2 ms an item,
 * a SendMessageBatch about 3.3 ms a message; a Query walks every item of the table (about 13 µs each)
 * and then costs about 0.7 ms an entry returned, so its cost a location grows with the table over the
 * page size (lib/schedule/scheduler.ts's PAGE_SIZE). Each request also pays moto's routing, which
 * lists its own package directory: few requests a location is what makes a tick fast there.
 *
 * `tsx bench/tick.ts <locations> [<locations>…]` with DAYBOOK_BENCH_MOTO set (DAYBOOK_BENCH_MOTO_PID and
 * DAYBOOK_BENCH_MOTO_SQS_PID, if set, name the servers' processes, whose CPU is then recorded); prints
 * `{ results }` as JSON last.
 */
import { readFileSync } from "node:fs";
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
  /** Wall time of those calls by kind, summed over calls in flight at once, ms (where the tick waits). */
  callMs: Record<string, number>;
  /** CPU the tick's own process spent, ms (its AWS SDK work included; moto_server's is `motoCpuMs`). */
  tickCpuMs: number;
  /** CPU each moto_server spent during the tick, ms, where DAYBOOK_BENCH_MOTO_PID (DAYBOOK_BENCH_MOTO_SQS_PID) names its process (Linux /proc). */
  motoCpuMs: { dynamodb?: number; sqs?: number };
  /** SQS ran on a moto_server of its own (DAYBOOK_BENCH_MOTO_SQS), not the table's. */
  sqsOwnServer: boolean;
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

/** Counts every call by service and command, and its wall time, touching nothing else. */
function countCalls(client: Middlewared, service: string, calls: Record<string, number>, callMs: Record<string, number>): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const key = `${service}.${(context.commandName ?? "Unknown").replace(/Command$/, "")}`;
      calls[key] = (calls[key] ?? 0) + 1;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        callMs[key] = (callMs[key] ?? 0) + performance.now() - started;
      }
    },
    { step: "initialize", name: `tickCount${service}` },
  );
}

export async function measureTick(endpoint: string, count: number, sqsEndpoint = endpoint): Promise<TickResult> {
  const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
  const sqs = new SQSClient(awsClientConfig(sqsEndpoint));
  try {
    const tableName = await createTestTable(dynamo);
    const seeded = performance.now();
    await seedDueLocations(dynamo, tableName, { count, businessDay: DAY, schedule: SCHEDULE, locationsPerMerchant: LOCATIONS_PER_MERCHANT, prefix: "m" });
    const { queueUrls, taken } = await spreadFifoSends(sqs, count);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const calls: Record<string, number> = {};
    const callMs: Record<string, number> = {};
    countCalls(dynamo, "DynamoDB", calls, callMs);
    countCalls(sqs, "SQS", calls, callMs);
    const { dueIndex } = createDynamoStorage({ client: dynamo, tableName });
    const now = new Date(dueAt(DAY, SCHEDULE).getTime() + 60_000);

    const motoBefore = { dynamodb: motoCpuMs("DAYBOOK_BENCH_MOTO_PID"), sqs: motoCpuMs("DAYBOOK_BENCH_MOTO_SQS_PID") };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const tick = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrls[0] as string), now, shards: DUE_INDEX_SHARDS });
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const motoAfter = { dynamodb: motoCpuMs("DAYBOOK_BENCH_MOTO_PID"), sqs: motoCpuMs("DAYBOOK_BENCH_MOTO_SQS_PID") };

    // Every location sent once, moved on once, nothing left due.
    const twice = [...taken.values()].filter((times) => times > 1).length;
    if (tick.locations !== count || tick.enqueued !== count || tick.failed !== 0 || taken.size !== count || twice !== 0) {
      throw new Error(`the tick over ${String(count)} locations: ${JSON.stringify(tick)}, ${String(taken.size)} deduplication ids taken, ${String(twice)} taken twice`);
    }
    const left = (await Promise.all(Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => dueIndex.due(shard, now)))).flat().length;
    if (left !== 0) throw new Error(`${String(left)} locations still due after the tick`);
    const locationsPerSecond = count / (ms / 1000);
    return {
      locations: count, ms, locationsPerSecond, minutesFor100k: 100_000 / locationsPerSecond / 60, calls, callMs,
      tickCpuMs: (cpu.user + cpu.system) / 1000,
      motoCpuMs: {
        ...(motoBefore.dynamodb === undefined || motoAfter.dynamodb === undefined ? {} : { dynamodb: motoAfter.dynamodb - motoBefore.dynamodb }),
        ...(motoBefore.sqs === undefined || motoAfter.sqs === undefined ? {} : { sqs: motoAfter.sqs - motoBefore.sqs }),
      },
      sqsOwnServer: sqsEndpoint !== endpoint,
      seedSeconds, tick, loadAverage: loadavg(),
    };
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

/** A moto_server's CPU so far, ms (utime + stime from /proc), if the variable names its process. */
function motoCpuMs(variable: string): number | undefined {
  const pid = process.env[variable];
  if (!pid) return undefined;
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
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
    const result = await measureTick(endpoint, count, process.env["DAYBOOK_BENCH_MOTO_SQS"] || endpoint);
    process.stderr.write(`tick over ${String(count)}: ${Math.round(result.ms)} ms, ${Math.round(result.locationsPerSecond)} locations/s (seeded in ${result.seedSeconds.toFixed(0)} s); `
      + `CPU: tick ${Math.round(result.tickCpuMs)} ms${Object.entries(result.motoCpuMs).map(([server, ms]) => `, moto_server (${server}) ${String(Math.round(ms))} ms`).join("")}`
      + `${result.sqsOwnServer ? " (SQS on its own moto_server)" : " (one moto_server)"}; `
      + `calls (count, summed ms): ${Object.entries(result.calls).map(([kind, n]) => `${kind} ${String(n)} ${String(Math.round(result.callMs[kind] ?? 0))}`).join(", ")}\n`);
    results.push(result);
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await main();
