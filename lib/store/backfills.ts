/**
 * The BackfillStore (lib/schedule/backfill.ts) on the table: `MERCHANT#<id> / BACKFILL#<backfillId>`.
 * The item remembers the days it counted (`recordedDays`), so a job that runs twice counts its day once.
 * Kept 30 days (retention.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { BACKFILL_COUNTERS, type BackfillRecord, type BackfillStore } from "../schedule/backfill";
import { accountGuard } from "./account-guard";
import * as z from "zod/mini";
import { conflictOnCondition, describeItem, fromItem, queryAll, toItem, unlessConditionFails } from "./dynamo-items";
import { keys } from "./keys";
import { BACKFILL_DAYS, daysAfter } from "./retention";
import { describing } from "./schema-parts";

export interface DynamoBackfillStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const count = z.number().check(z.int(), z.nonnegative());

const progressSchema = describing<BackfillRecord>()(z.object({
  backfillId: z.string().check(z.minLength(1)),
  merchantId: z.string().check(z.minLength(1)),
  locationId: z.string().check(z.minLength(1)),
  from: z.string(),
  to: z.string(),
  requestedBy: z.enum(["merchant", "operator"]),
  total: z.number().check(z.int(), z.minimum(1)),
  done: z.number().check(z.int(), z.nonnegative()),
  failed: z.number().check(z.int(), z.nonnegative()),
  // Backfills counted before the outcomes were told apart have none of these.
  posted: z._default(count, 0),
  adjusted: z._default(count, 0),
  unchanged: z._default(count, 0),
  held: z._default(count, 0),
  noSales: z._default(count, 0),
  recheckFailed: z._default(count, 0),
  createdAt: z.iso.datetime(),
}));

const PREFIX = "BACKFILL#";

export function createDynamoBackfillStore({ client, tableName }: DynamoBackfillStoreOptions): BackfillStore {
  const keyOf = (merchantId: string, backfillId: string) => ({ PK: keys.merchantPartition(merchantId), SK: `${PREFIX}${backfillId}` });

  async function get(merchantId: string, backfillId: string): Promise<BackfillRecord | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keyOf(merchantId, backfillId), ConsistentRead: true }));
    return Item === undefined ? undefined : fromItem(progressSchema, Item, `the backfill ${describeItem(Item)}`);
  }

  const guard = accountGuard({ client, tableName });
  return {
    async create(progress) {
      const key = keyOf(progress.merchantId, progress.backfillId);
      await conflictOnCondition(`backfill ${progress.backfillId} of merchant ${progress.merchantId} already exists`, () => client.send(new PutCommand({
        TableName: tableName,
        Item: toItem(progressSchema, progress, key, "the backfill", { expiresAt: daysAfter(progress.createdAt, BACKFILL_DAYS) }),
        ConditionExpression: "attribute_not_exists(PK)",
      })));
      await guard.settle(progress.merchantId);
    },

    async record(merchantId, backfillId, outcome, businessDay) {
      const counted = "attribute_exists(PK) AND (attribute_not_exists(#recorded) OR #recorded < #total)";
      // Every day adds to `recorded`; a day that did not fail to `done`; a told outcome to its own count.
      const counters = [...new Set(outcome === "done" ? ["done"] : outcome === "failed" ? ["failed"] : ["done", BACKFILL_COUNTERS[outcome]])];
      const adds = counters.map((_, index) => `#c${String(index)} :one`).join(", ");
      const counterNames = Object.fromEntries(counters.map((name, index) => [`#c${String(index)}`, name]));
      const updated = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keyOf(merchantId, backfillId),
        ...(businessDay === undefined
          ? {
            UpdateExpression: `ADD ${adds}, #recorded :one`,
            ConditionExpression: counted,
            ExpressionAttributeNames: { ...counterNames, "#recorded": "recorded", "#total": "total" },
            ExpressionAttributeValues: { ":one": 1 },
          }
          : {
            UpdateExpression: `ADD ${adds}, #recorded :one, #days :days`,
            ConditionExpression: `${counted} AND (attribute_not_exists(#days) OR NOT contains(#days, :day))`,
            ExpressionAttributeNames: { ...counterNames, "#recorded": "recorded", "#total": "total", "#days": "recordedDays" },
            ExpressionAttributeValues: { ":one": 1, ":day": businessDay, ":days": new Set([businessDay]) },
          }),
        ReturnValues: "ALL_NEW",
      })));
      if (updated?.Attributes !== undefined) return fromItem(progressSchema, updated.Attributes, `the backfill ${describeItem(updated.Attributes)}`);
      return get(merchantId, backfillId);
    },

    get,

    async list(merchantId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.merchantPartition(merchantId), ":prefix": PREFIX },
      });
      return items.map((item) => fromItem(progressSchema, item, `the backfill ${describeItem(item)}`));
    },
  };
}
