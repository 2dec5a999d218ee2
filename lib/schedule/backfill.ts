/**
 * Backfills: a merchant or an operator asks for a range of past business days, and each day is queued
 * like a nightly one (kind "backfill", in the location's QuickBooks company's message group, so it
 * never runs beside that company's nightly jobs). A progress item in the merchant's partition counts
 * the days done and failed; the worker adds to it as each job ends (lib/worker/process-job.ts), and it
 * remembers which days it counted, so a job that runs twice (a redelivery, a duplicate, a crash after
 * counting) counts its day once.
 *
 * Each job is one business day, and the worker reads that day's window on its own, so a long range
 * never becomes one long POS read (Clover's client also splits any read over 90 days).
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { addDays, BusinessDayError, businessDayOf, parseIsoDate } from "../domain/business-day";
import { describeItem, fromItem, unlessConditionFails } from "../store/dynamo-items";
import { keys } from "../store/keys";
import type { LocationConfig } from "../model";
import type { Store } from "../store/store";
import { z } from "../validation";
import { firstDayDueAfter } from "./due-days";
import { DEFAULT_SETTLE_MINUTES, getDueEntry } from "./due-index";
import { enqueueJobs, type QueueDeps } from "./enqueue";
import { messageGroupOf, type SyncJob } from "./job";

/** How far back a backfill may reach, in business days before today. */
export const MAX_BACKFILL_DAYS_BACK = 90;

export interface BackfillDeps extends QueueDeps {
  documents: DynamoDBDocumentClient;
  tableName: string;
  store: Pick<Store, "getLocation" | "getConnection">;
}

export interface BackfillRequest {
  merchantId: string;
  locationId: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  requestedBy: "merchant" | "operator";
}

const progressSchema = z.object({
  backfillId: z.string().check(z.minLength(1)),
  merchantId: z.string().check(z.minLength(1)),
  locationId: z.string().check(z.minLength(1)),
  from: z.string(),
  to: z.string(),
  requestedBy: z.enum(["merchant", "operator"]),
  total: z.number().check(z.int(), z.minimum(1)),
  done: z.number().check(z.int(), z.nonnegative()),
  failed: z.number().check(z.int(), z.nonnegative()),
  createdAt: z.iso.datetime(),
});

export type BackfillProgress = z.infer<typeof progressSchema> & {
  /** Every day has ended, done or failed. */
  complete: boolean;
};

/** Which part of the request a refusal is about, for a form to put the message next to. */
export type BackfillField = "merchant" | "location" | "from" | "to";

/** The request cannot be carried out as asked; the message says why in a sentence. */
export class BackfillError extends Error {
  override name = "BackfillError";
  constructor(message: string, readonly field?: BackfillField) {
    super(message);
  }
}

function progressKey(merchantId: string, backfillId: string): { PK: string; SK: string } {
  return { PK: keys.merchantPartition(merchantId), SK: `BACKFILL#${backfillId}` };
}

function checkedDate(value: string, flag: "from" | "to"): string {
  try {
    parseIsoDate(value);
  } catch (error) {
    if (error instanceof BusinessDayError) throw new BackfillError(`${flag} must be a date, YYYY-MM-DD, not ${JSON.stringify(value)}`, flag);
    throw error;
  }
  return value;
}

/** Checks the request, writes its progress item and queues one job per day, oldest first. */
export async function requestBackfill(deps: BackfillDeps, request: BackfillRequest, now: Date): Promise<BackfillProgress> {
  for (const [what, id] of [["merchant", request.merchantId], ["location", request.locationId]] as const) {
    if (id === "" || id.includes("#")) throw new BackfillError(`the ${what} id must be non-empty and without "#", not ${JSON.stringify(id)}`, what);
  }
  const from = checkedDate(request.from, "from");
  const to = checkedDate(request.to, "to");
  if (from > to) throw new BackfillError(`the range starts (${from}) after it ends (${to})`, "to");
  const location = await deps.store.getLocation(request.merchantId, request.locationId);
  if (location === undefined) throw new BackfillError(`merchant ${request.merchantId} has no location ${request.locationId}`, "location");

  const { latest: lastDue, earliest } = await backfillableDays(deps, location, now);
  if (to > lastDue) {
    throw new BackfillError(`${to} is not yet over and settled in ${location.timeZone}; the latest day that can be backfilled now is ${lastDue}`, "to");
  }
  if (from < earliest) {
    throw new BackfillError(`a backfill reaches back at most ${MAX_BACKFILL_DAYS_BACK} days: the earliest day that can be asked for now is ${earliest}`, "from");
  }
  const quickBooks = await deps.store.getConnection(request.merchantId, location.quickbooksConnectionId);
  if (quickBooks?.provider !== "quickbooks") throw new BackfillError(`location ${request.locationId} has no QuickBooks connection`, "location");
  if (quickBooks.status !== "active") throw new BackfillError(`the location's QuickBooks connection is ${quickBooks.status}: reconnect it first`, "location");

  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  const progress: z.infer<typeof progressSchema> = {
    backfillId: randomUUID(),
    merchantId: request.merchantId,
    locationId: request.locationId,
    from,
    to,
    requestedBy: request.requestedBy,
    total: days.length,
    done: 0,
    failed: 0,
    createdAt: now.toISOString(),
  };
  // The item first: the worker may finish a job before the last one is sent.
  await deps.documents.send(new PutCommand({
    TableName: deps.tableName,
    Item: { ...progressSchema.parse(progress), ...progressKey(progress.merchantId, progress.backfillId) },
    ConditionExpression: "attribute_not_exists(PK)",
  }));
  const jobs: SyncJob[] = days.map((businessDay) => ({
    merchantId: request.merchantId, locationId: request.locationId, businessDay, kind: "backfill", backfillId: progress.backfillId,
  }));
  await enqueueJobs(deps, jobs, messageGroupOf(quickBooks.externalId));
  return withComplete(progress);
}

/**
 * The range of days a location can be backfilled now: from MAX_BACKFILL_DAYS_BACK business days
 * before today to the last day that is over and settled (the day before the first one the scheduler
 * has yet to post), both inclusive.
 */
export async function backfillableDays(
  deps: Pick<BackfillDeps, "documents" | "tableName">, location: Pick<LocationConfig, "merchantId" | "locationId" | "timeZone" | "dayStart">, now: Date,
): Promise<{ earliest: string; latest: string }> {
  const dueEntry = await getDueEntry(deps, location.merchantId, location.locationId);
  const schedule = { timeZone: location.timeZone, dayStart: location.dayStart, settleMinutes: dueEntry?.settleMinutes ?? DEFAULT_SETTLE_MINUTES };
  return {
    earliest: addDays(businessDayOf(now.getTime(), location.timeZone, location.dayStart), -MAX_BACKFILL_DAYS_BACK),
    latest: addDays(firstDayDueAfter(now, schedule), -1),
  };
}

/**
 * Counts the day `businessDay` of the backfill as done or failed, atomically, once: the item keeps
 * the days it counted (`recordedDays`), so recording a day again (the job ran twice) changes nothing.
 * Without a day (older callers) each call counts, but never past the total. Returns the progress,
 * or undefined if the backfill does not exist (the account was deleted meanwhile).
 */
export async function recordBackfillProgress(
  deps: Pick<BackfillDeps, "documents" | "tableName">, merchantId: string, backfillId: string, outcome: "done" | "failed", businessDay?: string,
): Promise<BackfillProgress | undefined> {
  const counted = "attribute_exists(PK) AND (attribute_not_exists(#recorded) OR #recorded < #total)";
  const updated = await unlessConditionFails(() => deps.documents.send(new UpdateCommand({
    TableName: deps.tableName,
    Key: progressKey(merchantId, backfillId),
    ...(businessDay === undefined
      ? {
        UpdateExpression: "ADD #outcome :one, #recorded :one",
        ConditionExpression: counted,
        ExpressionAttributeNames: { "#outcome": outcome, "#recorded": "recorded", "#total": "total" },
        ExpressionAttributeValues: { ":one": 1 },
      }
      : {
        UpdateExpression: "ADD #outcome :one, #recorded :one, #days :days",
        ConditionExpression: `${counted} AND (attribute_not_exists(#days) OR NOT contains(#days, :day))`,
        ExpressionAttributeNames: { "#outcome": outcome, "#recorded": "recorded", "#total": "total", "#days": "recordedDays" },
        ExpressionAttributeValues: { ":one": 1, ":day": businessDay, ":days": new Set([businessDay]) },
      }),
    ReturnValues: "ALL_NEW",
  })));
  if (updated?.Attributes !== undefined) return withComplete(fromItem(progressSchema, updated.Attributes, `the backfill ${describeItem(updated.Attributes)}`));
  return getBackfill(deps, merchantId, backfillId);
}

/** The merchant's backfills, newest first, at most `limit`. */
export async function listBackfills(
  deps: Pick<BackfillDeps, "documents" | "tableName">, merchantId: string, limit = 10,
): Promise<BackfillProgress[]> {
  const found: BackfillProgress[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.documents.send(new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.merchantPartition(merchantId), ":prefix": "BACKFILL#" },
      ExclusiveStartKey: start,
    }));
    for (const item of page.Items ?? []) found.push(withComplete(fromItem(progressSchema, item, `the backfill ${describeItem(item)}`)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.backfillId.localeCompare(b.backfillId)).slice(0, limit);
}

export async function getBackfill(
  deps: Pick<BackfillDeps, "documents" | "tableName">, merchantId: string, backfillId: string,
): Promise<BackfillProgress | undefined> {
  const { Item } = await deps.documents.send(new GetCommand({ TableName: deps.tableName, Key: progressKey(merchantId, backfillId), ConsistentRead: true }));
  return Item === undefined ? undefined : withComplete(fromItem(progressSchema, Item, `the backfill ${describeItem(Item)}`));
}

function withComplete(progress: z.infer<typeof progressSchema>): BackfillProgress {
  return { ...progress, complete: progress.done + progress.failed >= progress.total };
}
