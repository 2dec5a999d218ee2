/**
 * Many due locations on moto_server, fast, for the scheduler's tick at scale (bench/tick.ts and
 * test/integration/scheduler.test.ts): each location's stored record, due-index entry and pointer,
 * as the API writes them, put with BatchWriteItem; and an SQS client that spreads its SendMessageBatch
 * calls over a pool of FIFO queues. moto's FIFO queue recomputes its attributes over every message
 * it holds at each send (O(n) per message: 3.6 s for one batch of ten into a queue of 500 on a
 * loaded 2-core machine), a cost SQS does not have; the calls are the sender's own, only the
 * QueueUrl is rewritten.
 *
 * moto_server (5.2.1) can lose a write when two requests at once make the first writes to the same
 * partition: its table keeps a partition's items in a dict it creates on first use (a defaultdict,
 * keyed by a type whose hash is Python code, so a thread can be switched out between finding no
 * partition and storing a new one), and the thread that stores last throws away the other's items.
 * So each partition's first write here comes from one request: every shard's first entry is put
 * before anything else, and a merchant's items (its records and pointers) never span two batches.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput, type SQSClient } from "@aws-sdk/client-sqs";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { LocationConfig } from "../lib/model";
import { dueAt, type DueSchedule } from "../lib/schedule/due-days";
import { type DueEntry, shardOf } from "../lib/schedule/due-index";
import { messageGroupOf } from "../lib/schedule/job";
import { mapLimited } from "../lib/schedule/limited";
import { dueIndexItems } from "../lib/store/due-index";
import { keys } from "../lib/store/keys";

const MAPPING = { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" };

export interface DueLocationsOptions {
  count: number;
  /** The business day every location is due for (each at its end plus the settle delay). */
  businessDay: string;
  schedule: DueSchedule;
  locationsPerMerchant: number;
  /** Merchant ids are `<prefix>-<number>`; each merchant is its own QuickBooks company. */
  prefix: string;
  shards?: number;
}

/** Seeds the locations; answers their due-index entries. */
export async function seedDueLocations(dynamo: DynamoDBClient, tableName: string, options: DueLocationsOptions): Promise<DueEntry[]> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const nextDueAt = dueAt(options.businessDay, options.schedule).toISOString();
  const byMerchant = new Map<string, Record<string, unknown>[]>();
  const entries: DueEntry[] = [];
  for (let index = 0; index < options.count; index++) {
    const company = Math.floor(index / options.locationsPerMerchant);
    const merchantId = `${options.prefix}-${String(company).padStart(6, "0")}`;
    const locationId = `L${String(index % options.locationsPerMerchant)}`;
    const location: LocationConfig = {
      merchantId, locationId, source: "square", name: `Store ${locationId}`, posConnectionId: "c-square", quickbooksConnectionId: "c-qbo",
      timeZone: options.schedule.timeZone, dayStart: options.schedule.dayStart, currency: "USD", mapping: { defaults: MAPPING }, updatedAt: "2025-01-01T00:00:00.000Z",
    };
    const entry: DueEntry = {
      merchantId, locationId, ...options.schedule, nextDueAt, messageGroup: messageGroupOf(`9130${String(company).padStart(12, "0")}`),
      shard: shardOf(merchantId, locationId, options.shards),
    };
    entries.push(entry);
    const items = byMerchant.get(merchantId) ?? [];
    items.push({ ...location, ...keys.location(merchantId, locationId) }, ...dueIndexItems(entry));
    byMerchant.set(merchantId, items);
  }
  // Each shard's first entry, alone, before the rest: then no two requests create a shard's partition at once.
  const firstOfShard = new Map<number, Record<string, unknown>>();
  for (const items of byMerchant.values()) {
    for (const item of items) {
      const shard = /^DUE#(\d+)$/.exec(String(item["PK"]))?.[1];
      if (shard !== undefined && !firstOfShard.has(Number(shard))) firstOfShard.set(Number(shard), item);
    }
  }
  const first = [...firstOfShard.values()];
  // Whole merchants to a batch, so a merchant's partition is written by one request.
  const batches: Record<string, unknown>[][] = [];
  let batch: Record<string, unknown>[] = [];
  for (const items of byMerchant.values()) {
    const rest = items.filter((item) => !first.includes(item));
    if (rest.length > BATCH_WRITE_LIMIT) throw new Error(`a merchant's ${String(rest.length)} items do not fit one BatchWriteItem`);
    if (batch.length + rest.length > BATCH_WRITE_LIMIT) {
      batches.push(batch);
      batch = [];
    }
    batch.push(...rest);
  }
  if (batch.length > 0) batches.push(batch);
  const write = async (items: Record<string, unknown>[]): Promise<void> => {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  };
  for (let start = 0; start < first.length; start += BATCH_WRITE_LIMIT) await write(first.slice(start, start + BATCH_WRITE_LIMIT));
  await mapLimited(batches, 16, write);
  return entries;
}

const BATCH_WRITE_LIMIT = 25;

export interface SpreadQueues {
  /** The pool's queues; give the sender any of them. */
  queueUrls: string[];
  /** Times each deduplication id was taken by a queue (SQS answered it Successful). */
  taken: Map<string, number>;
}

interface Middlewared {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/** Makes FIFO queues for `messages` messages, at most `perQueue` each, and sends every SendMessageBatch of `sqs` to the next of them. */
export async function spreadFifoSends(sqs: SQSClient, messages: number, perQueue = 50): Promise<SpreadQueues> {
  const name = `daybook-pool-${String(process.pid)}-${String(Date.now())}`;
  const queueUrls = await mapLimited(Array.from({ length: Math.max(1, Math.ceil(messages / perQueue)) }, (_, index) => index), 16, async (index) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${String(index)}.fifo`, Attributes: { FifoQueue: "true" } }));
    if (QueueUrl === undefined) throw new Error("moto_server returned no queue URL");
    return QueueUrl;
  });
  const taken = new Map<string, number>();
  let sent = 0;
  (sqs as Middlewared).middlewareStack.add(
    (next: (args: { input: SendMessageBatchCommandInput }) => Promise<{ output: SendMessageBatchCommandOutput }>, context: { commandName?: string }) =>
      async (args: { input: SendMessageBatchCommandInput }) => {
        if (context.commandName !== "SendMessageBatchCommand") return next(args);
        const entries = args.input.Entries ?? [];
        const queueUrl = queueUrls[Math.floor(sent / perQueue) % queueUrls.length] as string;
        sent += entries.length;
        const result = await next({ ...args, input: { ...args.input, QueueUrl: queueUrl } });
        const byId = new Map(entries.map((entry) => [entry.Id, entry.MessageDeduplicationId ?? ""]));
        for (const success of result.output.Successful ?? []) {
          const id = byId.get(success.Id) ?? "";
          taken.set(id, (taken.get(id) ?? 0) + 1);
        }
        return result;
      },
    { step: "initialize", name: "spreadFifoSends", priority: "high" },
  );
  return { queueUrls, taken };
}
