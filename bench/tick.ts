/**
 * Part 6's measured half: one scheduler tick (lib/schedule/scheduler.ts, as functions/scheduler.ts runs
 * it) over N locations all due at once (one zone's midnight), against the due-index in a table on
 * moto_server and SQS FIFO on moto_server. The table is seeded with BatchWriteItem (each location's
 * stored record, due-index entry and pointer, as the API writes them); 2 locations per merchant, each
 * merchant its own QuickBooks company (message group). Measured: the tick's wall time, locations
 * enqueued a second, and its AWS calls by kind; checked: every location sent exactly once (each
 * deduplication id taken once) and moved on, nothing left due.
 *
 * moto's FIFO queue recomputes its attributes over every message it holds at each send (O(n) per
 * message: 3.6 s for one SendMessageBatch into a queue of 500 on this machine), a cost SQS does not
 * have; so the bench's SQS client sends each SendMessageBatch to the next of a pool of queues of at
 * most QUEUE_MESSAGES messages (a middleware rewriting the QueueUrl; the calls are the tick's own).
 *
 * `tsx bench/tick.ts <locations> [<locations>…]` with DAYBOOK_BENCH_MOTO set; prints JSON last.
 */
import { loadavg } from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput, SQSClient } from "@aws-sdk/client-sqs";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { dueAt } from "../lib/schedule/due-days";
import { DUE_INDEX_SHARDS, type DueEntry, shardOf } from "../lib/schedule/due-index";
import { createSqsJobQueue } from "../lib/schedule/enqueue";
import { messageGroupOf } from "../lib/schedule/job";
import { mapLimited } from "../lib/schedule/limited";
import { runSchedulerTick, type SchedulerTickResult } from "../lib/schedule/scheduler";
import { dueIndexItems } from "../lib/store/due-index";
import { keys } from "../lib/store/keys";
import { createDynamoStorage } from "../lib/store/storage";
import type { LocationConfig } from "../lib/model";
import { awsClientConfig, createTestTable } from "../sandbox/aws";

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

const ZONE = "America/New_York";
const DAY = "2026-11-30";
const LOCATIONS_PER_MERCHANT = 2;
const QUEUE_MESSAGES = 50;
const MAPPING = { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" };

const progress = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

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

async function seed(dynamo: DynamoDBClient, tableName: string, count: number): Promise<void> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const schedule = { timeZone: ZONE, dayStart: "00:00", settleMinutes: 120 };
  const nextDueAt = dueAt(DAY, schedule).toISOString();
  const items: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const merchantId = `m-${String(Math.floor(index / LOCATIONS_PER_MERCHANT)).padStart(6, "0")}`;
    const locationId = `L${String(index % LOCATIONS_PER_MERCHANT)}`;
    const location: LocationConfig = {
      merchantId, locationId, source: "square", name: `Store ${locationId}`, posConnectionId: "c-square", quickbooksConnectionId: "c-qbo",
      timeZone: ZONE, dayStart: "00:00", currency: "USD", mapping: { defaults: MAPPING }, updatedAt: "2026-11-01T00:00:00.000Z",
    };
    const entry: DueEntry = {
      merchantId, locationId, ...schedule, nextDueAt, messageGroup: messageGroupOf(`9130${String(Math.floor(index / LOCATIONS_PER_MERCHANT)).padStart(12, "0")}`),
      shard: shardOf(merchantId, locationId),
    };
    items.push({ ...location, ...keys.location(merchantId, locationId) }, ...dueIndexItems(entry));
  }
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await mapLimited(batches, 16, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  });
}

/** Sends each SendMessageBatch to the next queue of a pool of fresh FIFO queues (see the header), and records the deduplication ids taken. */
async function spreadSends(sqs: SQSClient, count: number, taken: Map<string, number>): Promise<string> {
  const pool = await mapLimited(Array.from({ length: Math.max(1, Math.ceil(count / QUEUE_MESSAGES)) }, (_, index) => index), 16, async (index) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `daybook-tick-${String(process.pid)}-${String(count)}-${String(index)}.fifo`, Attributes: { FifoQueue: "true" } }));
    if (QueueUrl === undefined) throw new Error("moto_server returned no queue URL");
    return QueueUrl;
  });
  let sentMessages = 0;
  (sqs as Middlewared).middlewareStack.add(
    (next: (args: { input: SendMessageBatchCommandInput }) => Promise<{ output: SendMessageBatchCommandOutput }>, context: { commandName?: string }) =>
      async (args: { input: SendMessageBatchCommandInput }) => {
        if (context.commandName !== "SendMessageBatchCommand") return next(args);
        const entries = args.input.Entries ?? [];
        const queueUrl = pool[Math.floor(sentMessages / QUEUE_MESSAGES) % pool.length] as string;
        sentMessages += entries.length;
        const result = await next({ ...args, input: { ...args.input, QueueUrl: queueUrl } });
        const byId = new Map(entries.map((entry) => [entry.Id, entry.MessageDeduplicationId ?? ""]));
        for (const success of result.output.Successful ?? []) {
          const id = byId.get(success.Id) ?? "";
          taken.set(id, (taken.get(id) ?? 0) + 1);
        }
        return result;
      },
    { step: "initialize", name: "spreadSends", priority: "high" },
  );
  return pool[0] as string;
}

export async function measureTick(endpoint: string, count: number): Promise<TickResult> {
  const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
  const sqs = new SQSClient(awsClientConfig(endpoint));
  try {
    const tableName = await createTestTable(dynamo);
    const seeded = performance.now();
    await seed(dynamo, tableName, count);
    progress(`seeded ${String(count)}`);
    const taken = new Map<string, number>();
    const queueUrl = await spreadSends(sqs, count, taken);
    const seedSeconds = (performance.now() - seeded) / 1000;
    progress("queues made");
    const calls: Record<string, number> = {};
    countCalls(dynamo, "DynamoDB", calls);
    countCalls(sqs, "SQS", calls);
    const { dueIndex } = createDynamoStorage({ client: dynamo, tableName });
    const now = new Date(dueAt(DAY, { timeZone: ZONE, dayStart: "00:00", settleMinutes: 120 }).getTime() + 60_000);

    const started = performance.now();
    const tick = await runSchedulerTick({ dueIndex, queue: createSqsJobQueue(sqs, queueUrl), now, shards: DUE_INDEX_SHARDS });
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
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await main();
