/**
 * The worker as Lambda runs it, on moto_server (SQS FIFO with a dead-letter queue, DynamoDB, SES) and
 * the Square and QuickBooks simulators: jobs go on the queue, sandbox/poll.ts plays the SQS event
 * source, and the real handler (Powertools Batch and Idempotency) runs them. Nothing is mocked.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { sendDueDigests } from "../../lib/report/digest";
import { formatAmount } from "../../lib/report/format";
import type { EntryLine } from "../../lib/domain/journal-entry";
import { unsubscribeFromLink } from "../../lib/report/unsubscribe";
import { getBackfill, requestBackfill } from "../../lib/schedule/backfill";
import { messageGroupOf, type SyncJob } from "../../lib/schedule/job";
import { approveFromLink } from "../../lib/worker/approve";
import { createWorkerHandler } from "../../lib/worker/handler";
import { IDEMPOTENCY_PARTITION } from "../../lib/store/idempotency";
import { digestDepsOf } from "../../lib/wiring/scheduler";
import { composeWorker, jobStores, type WorkerRuntime } from "../../lib/wiring/worker";
import { NIGHT_STORE_METHODS } from "../../lib/store/night-store";
import type { Storage } from "../../lib/store/storage";
import { processJob, type WorkerDeps } from "../../lib/worker/process-job";
import { createSqsJobQueue } from "../../lib/schedule/enqueue";
import { generateDay } from "../../sandbox/square/generate-day";
import { expectedAccountNets } from "../../sandbox/account-totals";
import { awsClientConfig } from "../../sandbox/aws";
import { createWorld, MAPPING, type World } from "../support/sync-world";
import { awsClients, createQueues, createSender, drain, peek, sentTo } from "../support/worker-world";

const motoEndpoint = inject("motoEndpoint");
// SES on a moto_server of its own, so reading what it sent stays cheap (test/support/moto-global-setup.ts).
const mailEndpoint = inject("mailEndpoint");
const DATE = "2025-06-14";
const ZONE = "America/New_York";
const NIGHT = Date.parse("2025-06-15T07:00:00Z");
const MAX_ATTEMPTS = 3;
const PUBLIC_URL = "https://app.daybook.example";

const { sqs } = awsClients(motoEndpoint);
const { ses } = awsClients(mailEndpoint);
const dynamo = new DynamoDBClient(awsClientConfig(motoEndpoint));
const worlds: World[] = [];

afterAll(async () => {
  for (const world of worlds) {
    expect(world.quickbooks.forbiddenWrites()).toEqual([]);
    await world.close();
  }
  sqs.destroy();
  ses.destroy();
  dynamo.destroy();
});

interface Setup {
  world: World;
  owner: string;
  deps: WorkerDeps;
  runtime: WorkerRuntime;
  queueUrl: string;
  deadLetterUrl: string;
  failedDays: SyncJob[];
  handler: ReturnType<typeof createWorkerHandler>;
  /** What the handler logged, for the operator. */
  logs: { message: string; fields?: Record<string, string | number | boolean> }[];
  send(job: SyncJob, deduplicationId?: string): Promise<void>;
  job(kind?: SyncJob["kind"]): SyncJob;
  sales: ReturnType<typeof generateDay>;
}

async function setUp(): Promise<Setup> {
  const world = await createWorld({ timeZone: ZONE, now: () => NIGHT });
  worlds.push(world);
  const owner = `owner-${randomUUID()}@cafe.example`;
  await world.store.putMerchant({ merchantId: world.merchantId, name: "Main Street Coffee", email: owner, createdAt: new Date(NIGHT).toISOString() });
  const sales = generateDay({ seed: 31, sales: 12, date: DATE, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0.1, noiseRate: 0.1 });
  world.square.setCatalog(world.squareMerchantId, sales.catalog);
  world.square.addOrders("GENLOCATION01", sales.orders);
  const { queueUrl, deadLetterUrl } = await createQueues(sqs, MAX_ATTEMPTS);
  const failedDays: SyncJob[] = [];
  // The worker as functions/worker.ts composes it, from the world's settings and the queue's.
  const runtime = await composeWorker({
    ...world.settings, DAYBOOK_PUBLIC_URL: PUBLIC_URL, DAYBOOK_QUEUE_URL: queueUrl, DAYBOOK_MAX_ATTEMPTS: MAX_ATTEMPTS,
    DAYBOOK_LINK_KEY: randomBytes(32).toString("base64"), DAYBOOK_EMAIL_FROM: await createSender(ses),
  }, {
    now: () => new Date(NIGHT), dynamo: world.dynamo, sqs, ses, storage: world.storage, vault: world.vault, tuning: world.tuning,
    onFailedDay: (job) => failedDays.push(job),
  });
  const { deps } = runtime;
  const logs: Setup["logs"] = [];
  const handler = createWorkerHandler({
    ...runtime.handler, backoff: { baseSeconds: 1, maxSeconds: 2 }, log: (_level, message, fields) => logs.push({ message, ...(fields ? { fields } : {}) }),
  });
  return {
    world, owner, deps, runtime, queueUrl, deadLetterUrl, failedDays, handler, sales, logs,
    job: (kind = "first") => ({ merchantId: world.merchantId, locationId: "GENLOCATION01", businessDay: DATE, kind }),
    async send(job, deduplicationId = randomUUID()) {
      await sqs.send(new SendMessageCommand({
        QueueUrl: queueUrl, MessageBody: JSON.stringify(job), MessageGroupId: messageGroupOf(world.realmId), MessageDeduplicationId: deduplicationId,
      }));
    },
  };
}

/** Net (debit − credit) per account of a report's lines. */
function linesNets(lines: EntryLine[]): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const line of lines) nets[line.accountId] = (nets[line.accountId] ?? 0) + (line.postingType === "Debit" ? line.amount : -line.amount);
  return Object.fromEntries(Object.entries(nets).filter(([, net]) => net !== 0).sort(([a], [b]) => a.localeCompare(b)));
}

function mergeNets(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged: Record<string, number> = { ...a };
  for (const [account, net] of Object.entries(b)) merged[account] = (merged[account] ?? 0) + net;
  return Object.fromEntries(Object.entries(merged).filter(([, net]) => net !== 0).sort(([x], [y]) => x.localeCompare(y)));
}

/** The first link in an email's HTML whose address starts with `prefix`. */
function linkIn(html: string, prefix: string): string {
  const found = [...html.matchAll(/href="([^"]+)"/g)].map((match) => (match[1] ?? "").replaceAll("&amp;", "&")).find((url) => url.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix} link in the email`);
  return found;
}

let setup: Setup;
beforeEach(async () => {
  setup = await setUp();
});

/** The scheduler's morning digests, at `at`, with the worker's services (its capped SES sender, its stores). */
async function morning(at: string): Promise<void> {
  const result = await sendDueDigests({ ...digestDepsOf(setup.world.storage, setup.runtime.services.email, PUBLIC_URL, setup.deps.linkKey), now: () => new Date(at) });
  expect(result.failed).toBe(0);
}
/** 07:00 in New York the morning after DATE, and a quarter of an hour later. */
const MORNING = "2025-06-15T11:05:00.000Z";
const NEXT_MORNING = "2025-06-16T11:05:00.000Z";

describe("the worker", () => {
  it("posts a queued day once and keeps its report with the entry's figures; the morning's digest names the entry, its total and its links", async () => {
    const { world, owner, sales } = setup;
    await setup.send(setup.job());
    expect(await drain(sqs, setup.queueUrl, setup.handler)).toBe(1);

    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(1);
    const [report] = await setup.deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE);
    expect(report).toMatchObject({ status: "posted", reportId: "R0000" });
    // The report's lines are the generator's truth, account by account.
    expect(linesNets(report?.content.entry?.lines ?? [])).toEqual(expectedAccountNets(sales.truth, MAPPING));
    // Nothing is emailed per day: the digest brings it in the morning.
    expect(await sentTo(mailEndpoint, owner)).toEqual([]);

    await morning(MORNING);
    const mail = await sentTo(mailEndpoint, owner);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toMatch(/^Main Street Coffee: Saturday 14 June 2025 – /);
    const html = mail[0]?.body ?? "";
    expect(html).toContain(String(entries[0]?.DocNumber));
    expect(html).toContain(formatAmount(report?.content.totals?.netSales ?? -1, "USD"));
    expect(linkIn(html, "https://app.sandbox.qbo.intuit.com/app/journal?txnId=")).toContain(String(entries[0]?.Id));
    expect(linkIn(html, `${PUBLIC_URL}/unsubscribe?token=`)).toMatch(/token=[\w-]+\.[\w-]+$/);
    expect(setup.failedDays).toEqual([]);
    // The next tick sends nothing more.
    await morning("2025-06-15T11:20:00.000Z");
    expect(await sentTo(mailEndpoint, owner)).toHaveLength(1);
  });

  it("posts once and reports once when the same job comes twice and a re-check overtakes the first sync", async () => {
    const { world, owner } = setup;
    // A re-check queued ahead of the first sync, then the first sync twice (distinct messages, as two ticks would send).
    await setup.send(setup.job("recheck"));
    await setup.send(setup.job("first"));
    await setup.send(setup.job("first"));
    expect(await drain(sqs, setup.queueUrl, setup.handler)).toBe(3);

    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect(await setup.deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE)).toHaveLength(1);
    await morning(MORNING);
    expect(await sentTo(mailEndpoint, owner)).toHaveLength(1);
    // Idempotency records are keyed on the location-day and kind: one for "recheck", one for "first".
    const { Items = [] } = await dynamo.send(new QueryCommand({
      TableName: world.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": { S: IDEMPOTENCY_PARTITION } },
    }));
    expect(Items.map((item) => item["status"]?.S)).toEqual(["COMPLETED", "COMPLETED"]);
  });

  it("a duplicate delivery waits for the run in progress instead of failing and spending the message's receives", async () => {
    const { world } = setup;
    await setup.send(setup.job("recheck"));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: setup.queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] }));
    const message = Messages[0]!;
    const record = {
      messageId: message.MessageId ?? "", receiptHandle: message.ReceiptHandle ?? "", body: message.Body ?? "",
      attributes: { ...message.Attributes, ApproximateReceiveCount: "1" }, messageAttributes: {}, md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs", eventSourceARN: setup.queueUrl, awsRegion: "us-east-1",
    };
    // The first run is slow at QuickBooks; the same message reaches a second worker meanwhile (SQS is at-least-once).
    world.quickbooks.injectFaults({ match: { kind: "api", path: "/journalentry" }, fault: { kind: "slow", delayMs: 1500 }, times: 1 });
    const second = createWorkerHandler({ ...setup.runtime.handler, inProgressPollMs: 100 });
    const context = { getRemainingTimeInMillis: () => 900_000 };
    const first = setup.handler({ Records: [record] }, context);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [one, two] = await Promise.all([first, second({ Records: [record] }, context)]);
    expect(one.batchItemFailures).toEqual([]);
    expect(two.batchItemFailures).toEqual([]);
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
  });

  it("retries a failing day with backoff, then marks it failed, alerts the merchant once and leaves the message in the dead-letter queue", async () => {
    const { world, owner } = setup;
    world.quickbooks.injectFaults({ match: "api", fault: { kind: "500" }, times: 1_000 });
    await setup.send(setup.job());

    expect(await drain(sqs, setup.queueUrl, setup.handler)).toBe(1);
    // Backed off: the message is not visible again at once.
    expect(await peek(sqs, setup.queueUrl)).toEqual([]);
    expect(await sentTo(mailEndpoint, owner)).toEqual([]);
    for (let round = 0; round < 20 && (await peek(sqs, setup.deadLetterUrl)).length === 0; round++) {
      await drain(sqs, setup.queueUrl, setup.handler, { waitSeconds: 1 });
    }

    expect(await peek(sqs, setup.deadLetterUrl)).toEqual([JSON.stringify(setup.job())]);
    expect(world.quickbooks.journalEntries(world.realmId)).toEqual([]);
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    // People read what happened in plain words; what QuickBooks said is the operator's, on the record and in the log.
    expect(record).toMatchObject({
      state: "failed",
      lastError: { kind: "retryable", message: "QuickBooks did not answer in time, or said it was busy or failing: nothing in your QuickBooks company needs changing.", detail: expect.stringContaining("QuickBooks could not read the company's settings") as string },
    });
    expect(setup.logs.filter((entry) => entry.message === "job failed").every((entry) => String(entry.fields?.["detail"]).startsWith("QuickBooks could not read the company's settings"))).toBe(true);
    expect(setup.logs.some((entry) => entry.message === "job failed")).toBe(true);
    expect(setup.failedDays).toHaveLength(1);
    const mail = await sentTo(mailEndpoint, owner);
    expect(mail.map((message) => message.subject)).toEqual(["Nothing to do yet: Main Street: Saturday 14 June 2025 was not posted"]);
  });

  it("holds every day in review mode, brings it in the digest with the approve link, and posts it exactly once when the link is used twice", async () => {
    const { world, owner, deps } = setup;
    await world.storage.settings.setReviewMode(world.merchantId, true, new Date(NIGHT));
    await setup.send(setup.job());
    await drain(sqs, setup.queueUrl, setup.handler);
    expect(world.quickbooks.journalEntries(world.realmId)).toEqual([]);
    // Review mode's own hold is routine: no alert, the digest brings it.
    expect(await sentTo(mailEndpoint, owner)).toEqual([]);
    await morning(MORNING);
    const [digest] = await sentTo(mailEndpoint, owner);
    expect(digest?.subject).toMatch(/^Main Street Coffee: Saturday 14 June 2025 – \d+ things? needs? attention$/);
    expect(digest?.body).toContain("Saturday 14 June 2025: held for review");

    // A re-check of the held day, figures unchanged: still held, nothing new.
    await setup.send(setup.job("recheck"));
    await drain(sqs, setup.queueUrl, setup.handler);
    expect(await setup.deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE)).toHaveLength(1);

    const approve = new URL(linkIn(digest?.body ?? "", `${PUBLIC_URL}/approve?token=`));
    const token = approve.searchParams.get("token") ?? "";
    const approveDeps = { store: world.store, queue: createSqsJobQueue(sqs, setup.queueUrl), linkKey: deps.linkKey, now: () => new Date(NIGHT) };
    await approveFromLink(approveDeps, token);
    await drain(sqs, setup.queueUrl, setup.handler);
    // The second click, after the first was done, is refused: the day is posted. An approve job sent
    // again all the same (SQS's five-minute deduplication aside: a new message id) posts nothing more.
    await setup.send(setup.job("approve"));
    await expect(approveFromLink(approveDeps, token)).rejects.toThrow("it has been posted to QuickBooks already");
    await drain(sqs, setup.queueUrl, setup.handler);

    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect((await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE))?.state).toBe("posted");
    expect((await setup.deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE)).map((report) => report.status)).toEqual(["held", "posted"]);
  });

  it("holds a day again when its figures changed before approval, and posts the new figures on the next approval", async () => {
    const { world, deps, sales } = setup;
    await world.storage.settings.setReviewMode(world.merchantId, true, new Date(NIGHT));
    await setup.send(setup.job());
    await drain(sqs, setup.queueUrl, setup.handler);
    const late = generateDay({ seed: 33, sales: 1, date: DATE, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0, noiseRate: 0 });
    world.square.addOrders("GENLOCATION01", late.orders, { arrivedAt: NIGHT - 60_000 });

    await setup.send(setup.job("approve"));
    await drain(sqs, setup.queueUrl, setup.handler);
    expect(world.quickbooks.journalEntries(world.realmId)).toEqual([]);
    const record = await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE);
    expect(record?.state).toBe("held");
    expect(record?.heldReason).toMatch(/changed after it was held/);

    await setup.send(setup.job("approve"));
    await drain(sqs, setup.queueUrl, setup.handler);
    const entries = world.quickbooks.journalEntries(world.realmId);
    expect(entries).toHaveLength(1);
    const [report] = (await deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE)).filter((stored) => stored.status === "posted");
    const both = { ...sales.truth };
    expect(linesNets(report?.content.entry?.lines ?? [])).toEqual(mergeNets(expectedAccountNets(both, MAPPING), expectedAccountNets(late.truth, MAPPING)));
    expect((await deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE)).map((stored) => stored.status)).toEqual(["held", "held", "posted"]);
  });

  it("sends no more digests to an address that used its one-click unsubscribe link", async () => {
    const { world, owner, deps } = setup;
    await setup.send(setup.job());
    await drain(sqs, setup.queueUrl, setup.handler);
    await morning(MORNING);
    const [first] = await sentTo(mailEndpoint, owner);
    const token = new URL(linkIn(first?.body ?? "", `${PUBLIC_URL}/unsubscribe?token=`)).searchParams.get("token") ?? "";
    await unsubscribeFromLink({ recipients: deps.recipients, store: deps.store, email: deps.email, publicUrl: PUBLIC_URL, linkKey: deps.linkKey, now: () => new Date(NIGHT) }, token);

    // A late order makes the next night's re-check post an adjustment; its digest has nobody left to go to.
    const late = generateDay({ seed: 32, sales: 1, date: DATE, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0, noiseRate: 0 });
    world.square.addOrders("GENLOCATION01", late.orders, { arrivedAt: NIGHT - 60_000 });
    await setup.send(setup.job("recheck"));
    await drain(sqs, setup.queueUrl, setup.handler);
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(2);
    await morning(NEXT_MORNING);
    expect(await sentTo(mailEndpoint, owner)).toHaveLength(1);
    const reports = await deps.reports.listDay(world.merchantId, "GENLOCATION01", DATE);
    expect(reports.map((report) => report.status)).toEqual(["posted", "adjusted"]);
  });
});

describe("a backfill through the worker", () => {
  const backfillOf = async (from: string, to: string) => {
    const { world } = setup;
    const backfillDeps = { ...world.storage, queue: createSqsJobQueue(sqs, setup.queueUrl) };
    const progress = await requestBackfill(backfillDeps, { merchantId: world.merchantId, locationId: "GENLOCATION01", from, to, requestedBy: "merchant" }, new Date(NIGHT));
    const latest = () => getBackfill(world.storage, world.merchantId, progress.backfillId);
    return { progress, latest };
  };

  it("counts each day as its job ends, and is complete when the last has, with one summary email; a day run again counts once and sends nothing", async () => {
    const { world, owner } = setup;
    const { progress, latest } = await backfillOf("2025-06-12", DATE);
    expect(await drain(sqs, setup.queueUrl, setup.handler)).toBe(3);
    // Two days without sales and the day with them, posted.
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    expect(await latest()).toMatchObject({ total: 3, done: 3, failed: 0, complete: true });

    // The same job delivered again (a new message, as a duplicate send after SQS's window is), and run
    // again past the handler's idempotency (as after a crash between counting and finishing).
    const again: SyncJob = { merchantId: world.merchantId, locationId: "GENLOCATION01", businessDay: DATE, kind: "backfill", backfillId: progress.backfillId };
    await setup.send(again);
    expect(await drain(sqs, setup.queueUrl, setup.handler)).toBe(1);
    await processJob(setup.deps, again, { number: 1, max: MAX_ATTEMPTS });
    await processJob(setup.deps, { ...again, businessDay: "2025-06-12" }, { number: 1, max: MAX_ATTEMPTS });
    expect(await latest()).toMatchObject({ total: 3, done: 3, failed: 0, complete: true });
    expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    const mail = await sentTo(mailEndpoint, owner);
    expect(mail.map((message) => message.subject)).toEqual([expect.stringMatching(/^Main Street Coffee: Thursday 12 June 2025 to Saturday 14 June 2025 synced – /) as unknown as string]);
    expect(mail[0]?.body).toContain("3 days: 1 posted, 2 no sales.");
  });

  it("counts a day failed on its last attempt, once, and not on the attempts before", async () => {
    const { world } = setup;
    const { progress, latest } = await backfillOf("2025-06-13", DATE);
    world.quickbooks.injectFaults({ match: "api", fault: { kind: "500" }, times: 1_000 });
    const job: SyncJob = { merchantId: world.merchantId, locationId: "GENLOCATION01", businessDay: DATE, kind: "backfill", backfillId: progress.backfillId };
    await expect(processJob(setup.deps, job, { number: 1, max: MAX_ATTEMPTS })).rejects.toThrow();
    expect(await latest()).toMatchObject({ done: 0, failed: 0, complete: false });
    await expect(processJob(setup.deps, job, { number: MAX_ATTEMPTS, max: MAX_ATTEMPTS })).rejects.toThrow();
    await expect(processJob(setup.deps, job, { number: MAX_ATTEMPTS, max: MAX_ATTEMPTS })).rejects.toThrow();
    expect(await latest()).toMatchObject({ total: 2, done: 0, failed: 1, complete: false });
    expect(setup.failedDays).toHaveLength(2);
  });
});

describe("a night's calls", () => {
  it("three nights in a row call only the Store's and the MemberStore's methods the worker makes at start, and no other's (lib/wiring/worker.ts jobStores)", async () => {
    let now = Date.parse("2025-06-15T07:00:00Z");
    const world = await createWorld({ timeZone: ZONE, now: () => now });
    worlds.push(world);
    await world.store.putMerchant({ merchantId: world.merchantId, name: "Main Street Coffee", email: `owner-${randomUUID()}@cafe.example`, createdAt: new Date(now).toISOString() });
    for (const [index, date] of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14", "2025-06-15", "2025-06-16"].entries()) {
      const sales = generateDay({ seed: 31 + index * 100, sales: 12, date, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0.1, noiseRate: 0.1 });
      world.square.setCatalog(world.squareMerchantId, sales.catalog);
      world.square.addOrders("GENLOCATION01", sales.orders);
    }
    // Every call of every store port, as "port.method".
    const calls = new Set<string>();
    const storage = Object.fromEntries(Object.entries(world.storage).map(([port, made]) => [port, new Proxy(made as object, {
      get(target, key) {
        const member = (target as Record<PropertyKey, unknown>)[key];
        if (typeof member !== "function") return member;
        return (...args: unknown[]) => {
          calls.add(`${port}.${String(key)}`);
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    })])) as unknown as Storage;
    const { queueUrl } = await createQueues(sqs, MAX_ATTEMPTS);
    const runtime = await composeWorker({
      ...world.settings, DAYBOOK_PUBLIC_URL: PUBLIC_URL, DAYBOOK_QUEUE_URL: queueUrl, DAYBOOK_MAX_ATTEMPTS: MAX_ATTEMPTS,
      DAYBOOK_LINK_KEY: randomBytes(32).toString("base64"), DAYBOOK_EMAIL_FROM: await createSender(ses),
    }, { now: () => new Date(now), dynamo: world.dynamo, sqs, ses, storage, vault: world.vault, tuning: world.tuning });
    const handler = createWorkerHandler({ ...runtime.handler, log: () => undefined });
    const atStart = new Set([...NIGHT_STORE_METHODS.map((method) => `store.${method}`), "members.listMembers"]);
    for (const [businessDay, at] of [["2025-06-14", "2025-06-15T07:00:00Z"], ["2025-06-15", "2025-06-16T07:00:00Z"], ["2025-06-16", "2025-06-17T07:00:00Z"]] as const) {
      now = Date.parse(at);
      const job: SyncJob = { merchantId: world.merchantId, locationId: "GENLOCATION01", businessDay, kind: "night" };
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job), MessageGroupId: messageGroupOf(world.realmId), MessageDeduplicationId: randomUUID() }));
      expect(await drain(sqs, queueUrl, handler)).toBe(1);
      const [record] = await world.store.listSyncRecordsBetween(world.merchantId, "GENLOCATION01", businessDay, businessDay);
      expect(record?.state).toBe("posted");
    }
    const storeAndMembers = [...calls].filter((call) => call.startsWith("store.") || call.startsWith("members."));
    expect(storeAndMembers.filter((call) => !atStart.has(call)), "calls of methods made on demand").toEqual([]);
    // Each night reads the business's accountants, and the QuickBooks tokens (an hour's) are refreshed after the first.
    expect(storeAndMembers).toEqual(expect.arrayContaining(["members.listMembers", "store.saveSyncRecord", "store.acquireRefreshLease", "store.updateConnectionTokens"]));
  });

  it("the worker's own stores (jobStores) answer on the table: a night's methods made at start, every other one on its first call", async () => {
    const world = await createWorld({ timeZone: ZONE, now: () => NIGHT });
    worlds.push(world);
    const stores = jobStores({ client: world.dynamo, tableName: world.settings.DAYBOOK_TABLE });
    const location = await world.store.getLocation(world.merchantId, "GENLOCATION01");
    expect(location).toBeDefined();
    // Made at start.
    expect(await stores.store.getLocation(world.merchantId, "GENLOCATION01")).toEqual(location);
    expect(await stores.members.listMembers(world.merchantId)).toEqual([]);
    // Loaded with the first call of one, then answered as the whole store answers.
    expect(await stores.store.listLocations(world.merchantId)).toEqual(await world.store.listLocations(world.merchantId));
    expect(await stores.store.listConnections(world.merchantId)).toEqual(await world.store.listConnections(world.merchantId));
    expect(await stores.members.listMemberships(world.merchantId)).toEqual([]);
  });
});
