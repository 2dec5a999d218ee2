/**
 * Many due locations on moto_server, fast, for the scheduler's tick at scale (bench/tick.ts and
 * test/integration/scheduler.test.ts): each location's stored record, due-index entry and pointer,
 * as the API writes them, put with BatchWriteItem; and an SQS client that spreads its SendMessageBatch
 * calls over a pool of FIFO queues. moto's FIFO queue recomputes its attributes over every message
 * it holds at each send (O(n) per message: 3.6 s for one batch of ten into a queue of 500 on a
 * loaded 2-core machine), a cost SQS does not have; the calls are the sender's own, only the
 * QueueUrl is rewritten.
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
  const items: Record<string, unknown>[] = [];
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
  return entries;
}

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
