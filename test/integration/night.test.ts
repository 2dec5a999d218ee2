/**
 * A whole night, as it runs on AWS, on a moto_server of its own (DynamoDB, SQS FIFO with its dead-letter queue,
 * SES) and one Square, one Clover and one QuickBooks simulator: 20 merchants with 2 locations each,
 * in 5 time zones, days starting at 00:00 and 04:00, on the night the US springs forward
 * (2026-03-08). Every location is registered in the due-index; the scheduler ticks every 15 simulated
 * minutes with its `now`, and after each tick the real worker handler drains the queue with the
 * clock at that tick and the morning digests go as the scheduler sends them. Two merchants carry
 * injected failures: one revoked daybook's QuickBooks access, one closed its books for the year.
 *
 * 20 merchants hold every case the night asserts: Square locations in each of the 5 zones with each
 * day start (the 10 pairs, from merchants 0-9 alone), Clover locations in each of the 5 zones
 * (merchants 0, 4, 8, 12 and 16; their days start at 04:00), the revoked connection (merchant 7) and
 * the closed books (merchant 13): 40 locations and about 160 jobs. NIGHT_MERCHANTS=100 runs the
 * night at the size it had before (~800 jobs, a few minutes, nearly all of it moto answering).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DailySummary } from "../../lib/domain/summary";
import { sealTokens } from "../../lib/oauth/tokens";
import { registerLocation } from "../../lib/schedule/due-index";
import type { SyncJob } from "../../lib/schedule/job";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { dayTotals } from "../../lib/report/day-figures";
import { sendDueDigests } from "../../lib/report/digest";
import { formatAmount, formatDay, formatShortDay } from "../../lib/report/format";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import type { LocationConfig, SyncRecord } from "../../lib/model";
import { createKmsVault } from "../../lib/vault/kms";
import type { TokenVault } from "../../lib/vault/vault";
import { createWorkerHandler } from "../../lib/worker/handler";
import { composeScheduler } from "../../lib/wiring/scheduler";
import { composeWorker } from "../../lib/wiring/worker";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { startCloverSimulator } from "../../sandbox/clover/server";
import { DEFAULT_ACCOUNTS, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { generateDay } from "../../sandbox/square/generate-day";
import { startSquareSimulator } from "../../sandbox/square/server";
import { expectedAccountNets } from "../../sandbox/account-totals";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";
import { startMoto } from "../../sandbox/moto";
import { EXTRA_ACCOUNTS, MAPPING } from "../support/sync-world";
import { awsClients, createQueues, createSender, drain, peek, type SentMail, sentMail } from "../support/worker-world";
import { createSqsJobQueue } from "../../lib/schedule/enqueue";

// A moto_server of its own: the night's thousands of requests do not queue behind other files' (nor
// theirs behind these), and its state holds only this night.
const moto = await startMoto({ lean: true });
const motoEndpoint = moto.endpoint;
const MERCHANTS = Number(process.env.NIGHT_MERCHANTS ?? 20);
const DAY = "2026-03-07";
const START = Date.parse("2026-03-08T04:00:00Z");
const END = Date.parse("2026-03-08T14:00:00Z");
const QUARTER_HOUR = 15 * 60_000;
const ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"] as const;

/**
 * When each day is due (UTC): the day's end in the zone plus the two-hour settle delay, worked out by
 * hand. A day starting 00:00 ends at midnight, before the 02:00 switch (standard time); one starting
 * 04:00 ends after it (daylight time, 23 hours later), except in Phoenix, which does not switch.
 */
const DUE: Record<string, Record<(typeof ZONES)[number], string>> = {
  "00:00": {
    "America/New_York": "07:00", "America/Chicago": "08:00", "America/Denver": "09:00", "America/Phoenix": "09:00", "America/Los_Angeles": "10:00",
  },
  "04:00": {
    "America/New_York": "10:00", "America/Chicago": "11:00", "America/Denver": "12:00", "America/Phoenix": "13:00", "America/Los_Angeles": "13:00",
  },
};

const REVOKED = 7;
const CLOSED_BOOKS = 13;
const runId = randomUUID().slice(0, 8);

/**
 * The simulated time: the current tick's, plus the real time spent since the tick began, so clocks
 * move on while the worker drains the queue (Clover's rate limits refill with it).
 */
let clock = START;
let tickStartedAt = Date.now();
const now = () => clock + (Date.now() - tickStartedAt);

const { sqs, ses } = awsClients(motoEndpoint);
const dynamo = new DynamoDBClient(awsClientConfig(motoEndpoint));

interface PlannedLocation {
  location: LocationConfig;
  truth: DailySummary;
  due: string;
}

interface PlannedMerchant {
  index: number;
  merchantId: string;
  realmId: string;
  owner: string;
  locations: PlannedLocation[];
}

const square = await startSquareSimulator({ now, seed: 7 });
const clover = await startCloverSimulator({ now, seed: 7 });
const quickbooks = await startQuickBooksSimulator({ now, seed: 7 });
const merchants: PlannedMerchant[] = [];
const failedDays: SyncJob[] = [];
let mail: SentMail[] = [];
/** Each merchant's sync records after the night. */
const recordsOf = new Map<string, SyncRecord[]>();
let deadLetterUrl = "";
let tableName = "";
/**
 * The due-index in a table of its own here, unlike production: moto deep-copies a whole table for every
 * TransactWriteItems (its rollback), and the due-index moves each location with one, so in the shared
 * table the night's cost grew with the square of its size.
 */
let dueTableName = "";
let storage: Storage;
let store: Storage["store"];
const tickTimes: number[] = [];

afterAll(async () => {
  expect(quickbooks.forbiddenWrites()).toEqual([]);
  await Promise.all([square.close(), clover.close(), quickbooks.close()]);
  sqs.destroy();
  ses.destroy();
  dynamo.destroy();
  await moto.stop();
});

/** Two letters and eleven digits: a Clover merchant id (13 characters) of its own for each Clover location. */
const cloverId = (index: number) => `CL${String(index).padStart(11, "0")}`;

async function setUpMerchant(index: number, vault: TokenVault): Promise<PlannedMerchant> {
  const merchantId = `m-${runId}-${String(index)}`;
  const realmId = `91301000000${String(index).padStart(5, "0")}`;
  const owner = `owner-${String(index)}-${runId}@night.example`;
  const createdAt = new Date(START).toISOString();
  await store.putMerchant({ merchantId, name: `Cafe ${String(index)}`, email: owner, createdAt });
  quickbooks.addCompany({
    realmId, companyName: `Cafe ${String(index)} LLC`, homeCurrency: "USD",
    ...(index === CLOSED_BOOKS ? { closingDate: "2026-12-31" } : {}),
    accounts: [
      ...DEFAULT_ACCOUNTS,
      ...Object.entries(EXTRA_ACCOUNTS).map(([name, Id]) => ({
        Id, Name: name, AccountType: name === "deposits" ? "Other Current Liability" : "Income", Active: true,
      })),
    ],
  });
  const squareMerchantId = `SQ${runId.toUpperCase()}${String(index)}`;
  const connection = (connectionId: string, provider: "square" | "clover" | "quickbooks", externalId: string) =>
    ({ merchantId, connectionId, provider, status: "active" as const, externalId, createdAt, updatedAt: createdAt });
  const issued = quickbooks.issueTokens(realmId);
  const qb = connection("quickbooks-1", "quickbooks", realmId);
  await store.putConnection({
    ...qb,
    tokenCiphertext: await sealTokens(vault, qb, {
      accessToken: issued.access_token, refreshToken: issued.refresh_token, accessTokenExpiresAt: new Date(START + issued.expires_in * 1000).toISOString(),
    }),
  });

  const slots = [0, 1].map((slot) => {
    // Every fourth merchant's second location reads from Clover.
    const fromClover = slot === 1 && index % 4 === 0;
    return {
      slot, fromClover,
      timeZone: ZONES[(index * 2 + slot) % ZONES.length] ?? ZONES[0],
      dayStart: (index + slot) % 2 === 0 ? "00:00" : "04:00",
      locationId: fromClover ? cloverId(index) : `L${runId.toUpperCase()}${String(index)}X${String(slot)}`,
      name: `Store ${slot === 0 ? "A" : "B"}`,
    };
  });
  const squareSlots = slots.filter(({ fromClover }) => !fromClover);
  square.addMerchant({
    merchantId: squareMerchantId,
    locations: squareSlots.map(({ locationId, name, timeZone }) => ({ id: locationId, name, timezone: timeZone, currency: "USD" })),
  });
  const sq = connection("square-1", "square", squareMerchantId);
  await store.putConnection({ ...sq, tokenCiphertext: await sealTokens(vault, sq, { accessToken: square.issueToken(squareMerchantId) }) });

  const locations: PlannedLocation[] = [];
  for (const { slot, fromClover, timeZone, dayStart, locationId, name } of slots) {
    const seed = index * 10 + slot;
    let truth: DailySummary;
    if (fromClover) {
      clover.addMerchant({ merchantId: locationId, name, timezone: timeZone, currency: "USD" });
      const generated = generateCloverDay({ seed, orders: 3, date: DAY, timeZone, dayStart, merchantId: locationId, previousDayRate: 0, noiseRate: 0 });
      clover.setItems(locationId, generated.items);
      clover.addOrders(locationId, generated.orders, { arrivedAt: START });
      truth = generated.truth;
      const cl = connection("clover-1", "clover", locationId);
      await store.putConnection({ ...cl, tokenCiphertext: await sealTokens(vault, cl, { accessToken: clover.issueToken(locationId, { expiresInMs: 30 * 86_400_000 }) }) });
    } else {
      const generated = generateDay({ seed, sales: 3, date: DAY, timeZone, dayStart, locationId, returnRate: 0.2, noiseRate: 0 });
      square.setCatalog(squareMerchantId, generated.catalog);
      square.addOrders(locationId, generated.orders, { arrivedAt: START });
      truth = generated.truth;
    }
    const location: LocationConfig = {
      merchantId, locationId, source: fromClover ? "clover" : "square", name, posConnectionId: fromClover ? "clover-1" : "square-1",
      quickbooksConnectionId: "quickbooks-1", timeZone, dayStart, currency: "USD", mapping: MAPPING, updatedAt: createdAt,
    };
    await store.putLocation(location);
    await registerLocation(storage.dueIndex, location, realmId, new Date(START));
    locations.push({ location, truth, due: `2026-03-08T${DUE[dayStart]?.[timeZone] ?? "?"}:00.000Z` });
  }
  if (index === REVOKED) quickbooks.revokeAll(realmId);
  return { index, merchantId, realmId, owner, locations };
}

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  dueTableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName, dueIndexTableName: dueTableName, now: () => new Date(now()) });
  store = storage.store;
  // Tokens sealed by KMS on moto, as on AWS.
  const kms = new KMSClient(awsClientConfig(motoEndpoint));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Description: "daybook night tokens" }));
  const vault = createKmsVault({ client: kms, keyId: KeyMetadata?.KeyId ?? "" });
  for (let index = 0; index < MERCHANTS; index++) merchants.push(await setUpMerchant(index, vault));

  const queues = await createQueues(sqs, 3);
  deadLetterUrl = queues.deadLetterUrl;
  // The worker composed as functions/worker.ts composes it, from settings pointed at moto_server and the simulators.
  const shared = {
    DAYBOOK_TABLE: tableName, AWS_REGION: "us-east-1", DAYBOOK_PUBLIC_URL: "https://app.daybook.example", DAYBOOK_QUEUE_URL: queues.queueUrl,
    DAYBOOK_LINK_KEY: randomBytes(32).toString("base64"), DAYBOOK_EMAIL_FROM: await createSender(ses),
  };
  // The morning digests as functions/scheduler.ts sends them after each tick (the tick itself is run below, on the due-index's own table).
  const scheduler = composeScheduler({ ...shared, DAYBOOK_DUE_SHARDS: 16 }, { dynamo, sqs, ses, now: () => new Date(now()) });
  const runtime = await composeWorker({
    ...shared, DAYBOOK_MAX_ATTEMPTS: 3,
    SQUARE_CLIENT_ID: square.applicationId, SQUARE_CLIENT_SECRET: square.applicationSecret, SQUARE_BASE_URL: square.url,
    CLOVER_APP_ID: clover.appId, CLOVER_APP_SECRET: clover.appSecret, CLOVER_BASE_URL: clover.url,
    QUICKBOOKS_CLIENT_ID: quickbooks.clientId, QUICKBOOKS_CLIENT_SECRET: quickbooks.clientSecret, QUICKBOOKS_ENVIRONMENT: "sandbox",
    QUICKBOOKS_BASE_URL: quickbooks.endpoints.apiBase, QUICKBOOKS_TOKEN_URL: quickbooks.endpoints.token, QUICKBOOKS_REVOKE_URL: quickbooks.endpoints.revoke,
  }, {
    now: () => new Date(now()), dynamo, sqs, ses, storage, vault,
    tuning: {
      square: { timeoutMs: 2000, maxRetries: 4 },
      // Clover's rate limits count real time, so its reader waits as Clover asks (Retry-After).
      clover: { timeoutMs: 2000, maxRetries: 6 },
      quickBooks: { timeoutMs: 2000, maxAttempts: 3, sleep: () => Promise.resolve() },
    },
    onFailedDay: (job) => failedDays.push(job),
  });
  // Two Lambda instances at once, each with its own handler, as the event source mapping scales out.
  const handlers = Array.from({ length: 2 }, () => createWorkerHandler({ ...runtime.handler, backoff: { baseSeconds: 0, maxSeconds: 0 } }));

  for (clock = START; clock <= END; clock += QUARTER_HOUR) {
    tickStartedAt = Date.now();
    const tick = await runSchedulerTick({ dueIndex: storage.dueIndex, queue: createSqsJobQueue(sqs, queues.queueUrl), now: new Date(clock) });
    expect(tick.failed).toBe(0);
    if (tick.enqueued > 0) tickTimes.push(clock);
    await Promise.all(handlers.map((handler) => drain(sqs, queues.queueUrl, handler, { idleRounds: 2 })));
    expect((await sendDueDigests({ ...scheduler.digests, now: () => new Date(now()), log: () => undefined })).failed).toBe(0);
  }
  // The digests' deadline (11:00 where the westernmost location is) has passed for every merchant.
  clock = Date.parse("2026-03-08T18:15:00Z");
  tickStartedAt = Date.now();
  expect((await sendDueDigests({ ...scheduler.digests, now: () => new Date(now()), log: () => undefined })).failed).toBe(0);
  scheduler.close();
  await Promise.all(merchants.map(async (merchant) => {
    recordsOf.set(merchant.merchantId, await store.listSyncRecords(merchant.merchantId));
  }));
  mail = (await sentMail(motoEndpoint)).filter((message) => message.destinations.ToAddresses?.some((to) => to.endsWith(`-${runId}@night.example`)));
}, 240_000);

const healthy = () => merchants.filter((merchant) => merchant.index !== REVOKED && merchant.index !== CLOSED_BOOKS);
const mailTo = (owner: string) => mail.filter((message) => message.destinations.ToAddresses?.includes(owner));

interface LedgerLine {
  Amount: number;
  JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } };
}
const linesOf = (entry: Record<string, unknown> | undefined) => (entry?.Line ?? []) as LedgerLine[];
const cents = (amount: number) => Math.round(amount * 100);

/** Net (debit − credit) per account of one entry in QuickBooks. */
function entryNets(entry: Record<string, unknown> | undefined): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const line of linesOf(entry)) {
    const account = line.JournalEntryLineDetail.AccountRef.value;
    nets[account] = (nets[account] ?? 0) + (line.JournalEntryLineDetail.PostingType === "Debit" ? cents(line.Amount) : -cents(line.Amount));
  }
  return Object.fromEntries(Object.entries(nets).filter(([, net]) => net !== 0).sort(([a], [b]) => a.localeCompare(b)));
}

describe("a whole night across the US spring-forward", () => {
  it("holds every case: Square in each zone with each day start, Clover in each zone, a revoked connection and closed books", () => {
    const cases = new Set(merchants.flatMap((merchant) => merchant.locations.map(({ location }) => `${location.source} ${location.timeZone} ${location.dayStart}`)));
    for (const zone of ZONES) {
      expect(cases).toContain(`square ${zone} 00:00`);
      expect(cases).toContain(`square ${zone} 04:00`);
      expect([...cases].filter((each) => each.startsWith(`clover ${zone} `))).not.toEqual([]);
    }
    expect(merchants[REVOKED]).toBeDefined();
    expect(merchants[CLOSED_BOOKS]).toBeDefined();
  });

  it("posts every location's day exactly once, at the tick it fell due, with the generator's figures account by account", () => {
    expect(tickTimes.length).toBeGreaterThan(1);
    for (const merchant of healthy()) {
      const entries = quickbooks.journalEntries(merchant.realmId);
      expect(entries.filter((entry) => entry.TxnDate === DAY)).toHaveLength(2);
      for (const { location, due, truth } of merchant.locations) {
        const what = `${location.locationId} ${location.timeZone} ${location.dayStart}`;
        const record = recordsOf.get(merchant.merchantId)?.find((candidate) => candidate.locationId === location.locationId && candidate.businessDay === DAY);
        expect(record?.state, what).toBe("posted");
        expect(record?.posted, what).toHaveLength(1);
        // Due on the hour: the tick at that very instant posts it, while it drains the queue.
        const late = Date.parse(record?.posted[0]?.postedAt ?? "") - Date.parse(due);
        expect(late, what).toBeGreaterThanOrEqual(0);
        expect(late, what).toBeLessThan(QUARTER_HOUR);
        const entry = entries.find((candidate) => candidate.Id === record?.posted[0]?.entryId);
        expect(entryNets(entry), what).toEqual(expectedAccountNets(truth, MAPPING));
      }
    }
  });

  it("posts nothing twice: one entry in QuickBooks per posted record, each DocNumber once", () => {
    for (const merchant of healthy()) {
      const records = (recordsOf.get(merchant.merchantId) ?? []).filter((record) => record.posted.length > 0);
      const entries = quickbooks.journalEntries(merchant.realmId);
      expect(entries).toHaveLength(records.reduce((sum, record) => sum + record.posted.length, 0));
      expect(new Set(entries.map((entry) => entry.DocNumber)).size).toBe(entries.length);
    }
  });

  it("emails each merchant one morning digest with both locations' days, each entry's number and net sales, and nothing else", () => {
    for (const merchant of healthy()) {
      const received = mailTo(merchant.owner);
      const entries = quickbooks.journalEntries(merchant.realmId);
      const posted = (recordsOf.get(merchant.merchantId) ?? []).filter((record) => record.posted.length > 0);
      expect(received.map((message) => message.subject.split(" – ")[0])).toEqual([`Cafe ${String(merchant.index)}: ${formatDay(DAY)}`]);
      const digest = received[0]!.body;
      // Every day posted in the night, the day before included where its re-check posted it.
      for (const record of posted) {
        const { location, truth } = merchant.locations.find(({ location: candidate }) => candidate.locationId === record.locationId)!;
        const entry = entries.find((candidate) => candidate.Id === record.posted[0]?.entryId);
        expect(digest).toContain(`${location.name}, ${formatShortDay(record.businessDay)}`);
        expect(digest).toContain(String(entry?.DocNumber));
        if (record.businessDay === DAY) expect(digest).toContain(formatAmount(dayTotals(truth, location.source).netSales, "USD"));
      }
    }
  });

  it("shows the injected failures as failed days, each with its report and an alert to the merchant; the refused company's locations stop, told once", async () => {
    const revoked = merchants[REVOKED];
    const closed = merchants[CLOSED_BOOKS];
    if (!revoked || !closed) throw new Error("the failing merchants are missing");
    expect(quickbooks.journalEntries(revoked.realmId)).toEqual([]);
    expect(quickbooks.journalEntries(closed.realmId)).toEqual([]);
    // The first day refused stops every location of the company: a day that ran failed, the others were not sent (they wait for the reconnect).
    const revokedRecords = await Promise.all(revoked.locations.map(({ location }) => store.getSyncRecord(revoked.merchantId, location.locationId, DAY)));
    expect(revokedRecords.filter((record) => record !== undefined).length).toBeGreaterThanOrEqual(1);
    for (const record of revokedRecords) if (record) expect(record).toMatchObject({ state: "failed", lastError: { kind: "needs-reconnect" } });
    for (const { location } of revoked.locations) {
      expect((await store.getLocation(revoked.merchantId, location.locationId))?.postingStopped?.reason).toContain("QuickBooks");
    }
    for (const { location } of closed.locations) {
      expect(await store.getSyncRecord(closed.merchantId, location.locationId, DAY)).toMatchObject({ state: "failed", lastError: { kind: "needs-merchant" } });
    }
    for (const merchant of [revoked, closed]) {
      const days = failedDays.filter((job) => job.merchantId === merchant.merchantId);
      expect(days.length).toBeGreaterThanOrEqual(merchant === closed ? 2 : 1);
      const received = mailTo(merchant.owner);
      // Each failed day alerts the merchant at once, one email for the days of a location's night (its
      // subject names a day alone, its body each of several); the morning digest then names them, once.
      const alerts = received.filter((message) => message.subject.startsWith("Action needed: "));
      expect(alerts).toHaveLength(new Set(days.map((job) => job.locationId)).size);
      const digests = received.filter((message) => message.subject.startsWith(`Cafe ${String(merchant.index)}: `));
      expect(digests).toHaveLength(1);
      for (const job of days) {
        const name = merchant.locations.find(({ location }) => location.locationId === job.locationId)!.location.name;
        const said = `${name}: ${formatDay(job.businessDay)} was not posted`;
        expect(alerts.filter((message) => message.subject === `Action needed: ${said}` || message.body.includes(said))).toHaveLength(1);
        expect(digests[0]!.body).toContain(`${name}, ${formatDay(job.businessDay)}: failed`);
      }
    }
    expect(mailTo(closed.owner).map((message) => message.subject)).toEqual(expect.arrayContaining([`Action needed: Store A: ${formatDay(DAY)} was not posted`, `Action needed: Store B: ${formatDay(DAY)} was not posted`]));
    // The refusal itself is told once, by the worker's one token keeper: not once per day or location; and that posting stopped, once.
    expect(mailTo(revoked.owner).filter((message) => message.subject === "Reconnect QuickBooks to daybook")).toHaveLength(1);
    expect(mailTo(revoked.owner).filter((message) => message.subject.startsWith("daybook stopped posting"))).toHaveLength(1);
    expect(mailTo(closed.owner).filter((message) => message.subject.startsWith("daybook stopped posting"))).toEqual([]);
    // Only the two failing merchants failed anything, and nothing was left for the dead-letter queue.
    expect(new Set(failedDays.map((job) => job.merchantId))).toEqual(new Set([revoked.merchantId, closed.merchantId]));
    expect(await peek(sqs, deadLetterUrl)).toEqual([]);
  });
});
