/**
 * The fault campaign: many location-days through the real worker (lib/worker/handler.ts with Powertools
 * Batch and Idempotency, lib/worker/process-job.ts, lib/sync) on moto_server (DynamoDB, SQS FIFO with
 * its dead-letter queue, SES) and the Square, Clover and QuickBooks simulators, while everything that
 * can go wrong at night does: 429s with Retry-After, 5xx, timeouts, cut-off bodies and answers lost
 * after QuickBooks committed; a worker crash at every step boundary of the sync; jobs sent twice,
 * batches delivered out of order across groups, a message delivered to two workers at once and one
 * delivered again after it was processed but before it was deleted; two workers refreshing one
 * QuickBooks or Clover connection at once; a QuickBooks company and a Clover merchant revoking daybook
 * partway through a night; and POS data changing after a day was posted, so adjustments follow.
 *
 * Then it counts, from the ground truth (the QuickBooks simulator's books, the providers' token
 * stores, the generator's figures): every location-day must end posted (exactly once, with the
 * generator's figures, adjusted when its data changed), without sales, held for review, or failed
 * with a report and an alert; no duplicate entries; no refresh chain broken that was not revoked.
 * Square locations are paid out by the Square simulator's payouts (daily, with loan repayments, gift-card
 * load fees, an instant deposit and a failed payout); every payout Square made must end posted once
 * (or, failed carrying only card sales, posting nothing), and each location's bank account in
 * QuickBooks must hold Σ its payouts, to the cent, whatever crashed or failed on the way.
 *
 * Used by scripts/chaos.ts (`npm run chaos`, ≥ 2,000 location-days) and test/chaos/chaos.test.ts
 * (a small campaign). The plan (data, faults, crashes, duplicates, revocations, late changes) follows
 * from the seed; the interleaving of the two workers does not, as on AWS.
 *
 * What is simulated, not real: a crash is an exception thrown at the sync's checkpoint, after which
 * the crashed worker's store refuses every call (a dead process writes nothing more) and its whole
 * batch goes back to the queue. Unlike a real crash, Powertools still removes its in-progress
 * idempotency record (a dead Lambda's would wait out its timeout), and the batch comes back at once
 * instead of after the visibility timeout. Time is compressed: the waits the QuickBooks and Clover
 * clients ask for (Retry-After), and a duplicate delivery's waits for the run in progress, are recorded
 * and cut to at most 100 ms; the Square SDK waits in full.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient,
} from "@aws-sdk/client-sqs";
import type { WorkerConfig } from "../lib/config";
import type { HeldEmail } from "../lib/email/caps";
import { addDays } from "../lib/domain/business-day";
import { docNumber } from "../lib/domain/doc-number";
import { addSummaries, type DailySummary, isEmptySummary } from "../lib/domain/summary";
import type { Connection, LocationConfig, SyncRecord } from "../lib/model";
import { payoutTag } from "../lib/domain/doc-number";
import { OAuthError } from "../lib/oauth/provider";
import { SQUARE_SCOPES } from "../lib/oauth/square";
import type { TokenKeeper } from "../lib/oauth/token-keeper";
import { openTokens, sealTokens } from "../lib/oauth/tokens";
import type { QuickBooksClient } from "../lib/quickbooks/types";
import { dayTitle } from "../lib/report/sync-report";
import { createSqsJobQueue } from "../lib/schedule/enqueue";
import { deduplicationIdOf, messageGroupOf, type SyncJob } from "../lib/schedule/job";
import { createDynamoStorage } from "../lib/store/storage";
import type { PayoutStore } from "../lib/store/payouts";
import type { Store } from "../lib/store/store";
import type { SyncStep } from "../lib/sync/sync-day";
import { createLocalVault } from "../lib/vault/local";
import { type BatchResponse, createWorkerHandler, type SqsEvent, type SqsRecord } from "../lib/worker/handler";
import { composeServices, type ServiceParts } from "../lib/wiring/services";
import { composeWorker } from "../lib/wiring/worker";
import { expectedAccountNets } from "../sandbox/account-totals";
import { awsClientConfig, awsClients, createQueues, createSender, createTestTable, sentMail } from "../sandbox/aws";
import { cloverItems, generateCloverDay } from "../sandbox/clover/generate-day";
import { startCloverSimulator } from "../sandbox/clover/server";
import { prng } from "../sandbox/random";
import { DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, startQuickBooksSimulator } from "../sandbox/quickbooks/server";
import { catalogBody, generateDay } from "../sandbox/square/generate-day";
import { startSquareSimulator } from "../sandbox/square/server";
import { EXTRA_ACCOUNTS, MAPPING, PAYOUT_ACCOUNTS, PAYOUTS_MAPPING } from "../sandbox/world";

export interface CampaignOptions {
  motoEndpoint: string;
  seed: number;
  merchants: number;
  /** Locations per merchant (at least 2): every third reads from Clover, the rest from Square. */
  locationsPerMerchant: number;
  /** Business days per location (one night each, plus a last night for re-checks). */
  days: number;
  /** Worker instances draining the queue at once, each with its own token keeper (default 3). */
  workers?: number;
  /**
   * A deliberately broken worker, to show the checks can fail: it skips the pending-entry write, does
   * not look for its own entry by DocNumber before posting, and sends a new requestid on every attempt.
   */
  brokenWorker?: boolean;
  /** Share of location-days planned to crash once, at one of `crashSteps` (default 0.12, all four steps). */
  crashRate?: number;
  crashSteps?: readonly SyncStep[];
  /** Progress lines (one per night). */
  log?: (line: string) => void;
}

export interface CampaignCounts {
  locationDays: number;
  /** Days with exactly one original entry in QuickBooks and no repeated revision. */
  postedExactlyOnce: number;
  /** Days with at least one adjusting entry. */
  adjusted: number;
  noSales: number;
  held: number;
  /** Failed days with a stored failure report, flagged as an alert, and the alert email sent. */
  failedAndVisible: number;
  /** Entries in QuickBooks beyond one per revision of a day (the simulator's books). */
  duplicates: number;
  /**
   * Days between the planned ones (which are two days apart) that a night's re-checks found sales in and
   * posted: the planned days' sales just outside their day (paid at its end, or a moment before its
   * start), and Clover's earlier days' orders paid again today. No truth is kept for them; their
   * entries are checked for duplicates.
   */
  daysBetweenPosted: number;
  /** Days neither posted, without sales, held nor failed-and-visible. */
  lostDays: number;
  /** Days whose entries in QuickBooks do not net, account by account, to the generator's figures. */
  wrongFigures: number;
  /** Connections not revoked whose stored refresh token no longer works at the provider. */
  brokenRefreshChains: number;
  /** Stored refresh tokens the provider no longer takes as they are (Intuit replaced them; Clover needs its recovery). */
  staleRefreshTokens: number;
  refreshChainsChecked: number;
  /** Messages left on the dead-letter queue (each must be a failed-and-visible day). */
  deadLetters: number;
  /** Square payouts made for the campaign's paid-out locations (the simulator's ground truth). */
  payouts: number;
  /** Payouts whose record is settled: every entry they need is in QuickBooks, once. */
  payoutsSettled: number;
  /** Payout entries in QuickBooks beyond one per DocNumber, or that no payout record names. */
  payoutDuplicates: number;
  /**
   * Payouts not posted because the location's QuickBooks connection needs reconnecting, said on the
   * location's payout check, which reads from before them: they post the night after a reconnect
   * (test/engine/post-payouts.test.ts), so they are not lost. Only a revoked company's can be; any
   * other connection needing a reconnect is a broken refresh chain, which fails the campaign.
   */
  payoutsAwaitingReconnect: number;
  /** Payouts Square made that daybook never settled, nor holds back visibly for a reconnect. */
  payoutsLost: number;
  /** Paid-out locations whose bank account in QuickBooks is not Σ their payouts. */
  wrongBankBalances: number;
}

export interface CampaignResult {
  seed: number;
  sizes: { merchants: number; locationsPerMerchant: number; days: number; workers: number };
  counts: CampaignCounts;
  /** What was injected, by kind. */
  injected: Record<string, number>;
  /** A few examples of each problem found, for a person to start from. */
  problems: string[];
  durationMs: number;
  ok: boolean;
}

const STEPS: readonly SyncStep[] = ["after-fetch", "after-claim", "after-create", "after-record"];
const MAX_ATTEMPTS = 5;
/** Messages per invocation (the event source mapping's batch size). */
const BATCH_SIZE = 5;
/** A campaign day sees one late change at most: revisions beyond a few would be a finding of their own ("unknown entry"). */
const MAX_REVISIONS_CHECKED = 9;
/** The clients' time limit per request, and how long a "slow" fault takes: longer. */
const TIMEOUT_MS = 1000;
const SLOW_MS = 1500;
const BASE_DAY = Date.parse("2026-04-01T00:00:00Z");
const DAY_MS = 86_400_000;
const ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles"] as const;
const PUBLIC_URL = "https://app.daybook.example";
const CRASH_MESSAGE = "chaos: the worker crashed";

interface PlannedDay {
  businessDay: string;
  truth: DailySummary;
  /** The figures after the late change, when the POS data changes after posting. */
  lateTruth?: DailySummary;
  lateSeed?: number;
  sales: number;
}

interface PlannedLocation {
  location: LocationConfig;
  posConnectionId: string;
  days: PlannedDay[];
  /** Square pays it out (the simulator's payout schedule), and daybook posts its payouts. */
  payouts: boolean;
}

interface PlannedMerchant {
  index: number;
  merchantId: string;
  realmId: string;
  owner: string;
  squareMerchantId: string;
  review: boolean;
  locations: PlannedLocation[];
}

interface WorkerState {
  dead: boolean;
  /** The location-day the worker is on (FIFO batches run one record at a time). */
  current?: string;
  /** The highest receive count in the batch: no crash on a batch that could not come back. */
  batchReceiveMax: number;
  crashed: boolean;
}

interface Worker {
  state: WorkerState;
  handler: (event: SqsEvent, context: { getRemainingTimeInMillis(): number }) => Promise<BatchResponse>;
}

const hasCrashed = (state: WorkerState) => state.crashed;
const dayKey = (merchantId: string, locationId: string, businessDay: string) => `${merchantId}|${locationId}|${businessDay}`;
/** The crash plan's key for a location's payouts step: one planned crash per location over the campaign. */
const payoutKey = (merchantId: string, locationId: string) => `payouts|${merchantId}|${locationId}`;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const { seed, merchants: merchantCount, locationsPerMerchant, days } = options;
  if (merchantCount < 4 || locationsPerMerchant < 2 || days < 3) throw new Error("a campaign needs at least 4 merchants, 2 locations each and 3 days");
  const workerCount = options.workers ?? 3;
  const crashRate = options.crashRate ?? 0.12;
  const crashSteps = options.crashSteps ?? STEPS;
  const log = options.log ?? (() => undefined);
  // The plan (data, faults, crashes, late changes) from one generator, so a seed repeats it; the
  // delivery chaos from another, since how many batches a night takes depends on timing.
  const random = prng(seed);
  const deliveryRandom = prng(seed + 7919);
  const chance = (p: number) => random() < p;
  const deliveryChance = (p: number) => deliveryRandom() < p;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const shuffle = <T>(items: T[], from = random): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(from() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  };
  let seedCounter = 0;
  const nextSeed = () => (seed % 2000) * 1_000_000 + ++seedCounter;
  const runId = randomUUID().slice(0, 6);
  const injected: Record<string, number> = {};
  const count = (what: string, by = 1) => { injected[what] = (injected[what] ?? 0) + by; };
  const problems: string[] = [];
  const problem = (kind: string, text: string) => {
    if (problems.filter((line) => line.startsWith(kind)).length < 5) problems.push(`${kind}: ${text}`);
  };

  // The simulated clock: each night's, plus the real time spent since the night began.
  let clock = BASE_DAY;
  let nightStartedAt = Date.now();
  const now = () => clock + (Date.now() - nightStartedAt);
  const nowDate = () => new Date(now());

  const square = await startSquareSimulator({ now, seed });
  const clover = await startCloverSimulator({ now, seed });
  const quickbooks = await startQuickBooksSimulator({ now, seed });
  const { sqs, ses } = awsClients(options.motoEndpoint);
  // DynamoDB serialises conditional writes to one item; moto does not, so every request goes one at a
  // time (sandbox/aws.ts), or moto's own races would show up as daybook's.
  const dynamo = oneWriteAtATime(new DynamoDBClient(awsClientConfig(options.motoEndpoint)));
  try {
    const tableName = await createTestTable(dynamo);
    const storage = createDynamoStorage({ client: dynamo, tableName, now: nowDate });
    const { store } = storage;
    const vault = createLocalVault(randomBytes(32));
    const queues = await createQueues(sqs, MAX_ATTEMPTS);
    const jobQueue = createSqsJobQueue(sqs, queues.queueUrl);
    const from = await createSender(ses);
    // Each worker is a Lambda of its own, composed as functions/worker.ts composes one, from these settings
    // pointed at the campaign's moto_server and simulators; the AWS clients, the table and the vault are shared.
    const config: WorkerConfig = {
      DAYBOOK_TABLE: tableName, AWS_REGION: "us-east-1", DAYBOOK_PUBLIC_URL: PUBLIC_URL, DAYBOOK_QUEUE_URL: queues.queueUrl, DAYBOOK_MAX_ATTEMPTS: MAX_ATTEMPTS,
      DAYBOOK_LINK_KEY: randomBytes(32).toString("base64"), DAYBOOK_EMAIL_FROM: from,
      SQUARE_CLIENT_ID: square.applicationId, SQUARE_CLIENT_SECRET: square.applicationSecret, SQUARE_BASE_URL: square.url,
      CLOVER_APP_ID: clover.appId, CLOVER_APP_SECRET: clover.appSecret, CLOVER_BASE_URL: clover.url,
      QUICKBOOKS_CLIENT_ID: quickbooks.clientId, QUICKBOOKS_CLIENT_SECRET: quickbooks.clientSecret, QUICKBOOKS_ENVIRONMENT: "sandbox",
      QUICKBOOKS_BASE_URL: quickbooks.endpoints.apiBase, QUICKBOOKS_TOKEN_URL: quickbooks.endpoints.token, QUICKBOOKS_REVOKE_URL: quickbooks.endpoints.revoke,
    };
    const shared = {
      now: nowDate, dynamo, sqs, ses, vault, oauthTimeoutMs: TIMEOUT_MS, waitForPeer: { initialDelayMs: 5, maxDelayMs: 50, attempts: 80 },
      // Shown beside the injected faults: an alert a cap held would explain a failed day without one.
      onEmailHeld: (held: HeldEmail) => { count(`emails held by a daily cap (${held.purpose}, ${held.reason})`); },
    } satisfies ServiceParts & { sqs: SQSClient };
    /** Another process's token keeper, on the campaign's table. */
    const keeperOfAnotherProcess = async (): Promise<TokenKeeper> => (await composeServices(config, { ...shared, storage })).tokens;

    // ---- the merchants --------------------------------------------------------------------------
    const REVIEW = 0;
    const QUICKBOOKS_REVOKED = 1;
    const CLOVER_REVOKED = 2;
    const planned: PlannedMerchant[] = [];
    const createdAt = new Date(BASE_DAY).toISOString();
    for (let index = 0; index < merchantCount; index++) planned.push(await setUpMerchant(index));

    async function setUpMerchant(index: number): Promise<PlannedMerchant> {
      const merchantId = `m-${runId}-${String(index)}`;
      const realmId = `92${String(seed % 1000).padStart(3, "0")}${String(index).padStart(8, "0")}`;
      const owner = `owner-${String(index)}-${runId}@chaos.example`;
      const squareMerchantId = `SQ${runId.toUpperCase()}${String(index)}`;
      await store.putMerchant({ merchantId, name: `Chaos Cafe ${String(index)}`, email: owner, createdAt });
      quickbooks.addCompany({
        realmId, companyName: `Chaos Cafe ${String(index)} LLC`, homeCurrency: "USD",
        accounts: [
          ...DEFAULT_ACCOUNTS,
          ...Object.entries(EXTRA_ACCOUNTS).map(([name, Id]) => ({ Id, Name: name, AccountType: name === "deposits" ? "Other Current Liability" : "Income", Active: true })),
          ...Object.entries(PAYOUT_ACCOUNTS).map(([name, Id]) => ({ Id, Name: name, AccountType: "Other Current Liability", Active: true })),
        ],
      });
      const connection = (connectionId: string, provider: "square" | "clover" | "quickbooks", externalId: string) =>
        ({ merchantId, connectionId, provider, status: "active" as const, externalId, createdAt, updatedAt: createdAt });
      const issued = quickbooks.issueTokens(realmId);
      const qb = connection("quickbooks-1", "quickbooks", realmId);
      await store.putConnection({
        ...qb,
        tokenCiphertext: await sealTokens(vault, qb, {
          accessToken: issued.access_token, refreshToken: issued.refresh_token, accessTokenExpiresAt: new Date(now() + issued.expires_in * 1000).toISOString(),
        }),
      });
      const slots = Array.from({ length: locationsPerMerchant }, (_, slot) => {
        const fromClover = (index + slot) % 3 === 0;
        return {
          slot, fromClover, timeZone: ZONES[(index + slot) % ZONES.length] ?? ZONES[0],
          locationId: fromClover ? `C${runId.toUpperCase()}${String(index * 100 + slot).padStart(6, "0")}`.slice(0, 13) : `L${runId.toUpperCase()}${String(index)}X${String(slot)}`,
        };
      });
      const squareSlots = slots.filter(({ fromClover }) => !fromClover);
      square.addMerchant({
        merchantId: squareMerchantId,
        locations: squareSlots.map(({ locationId, slot, timeZone }) => ({ id: locationId, name: `Store ${String(slot)}`, timezone: timeZone, currency: "USD" })),
      });
      square.setCatalog(squareMerchantId, catalogBody());
      const sq = { ...connection("square-1", "square", squareMerchantId), grantedScopes: [...SQUARE_SCOPES] };
      await store.putConnection({ ...sq, tokenCiphertext: await sealTokens(vault, sq, { accessToken: square.issueToken(squareMerchantId) }) });

      const locations: PlannedLocation[] = [];
      for (const { slot, fromClover, timeZone, locationId } of slots) {
        let posConnectionId = "square-1";
        if (fromClover) {
          posConnectionId = `clover-${String(slot)}`;
          clover.addMerchant({ merchantId: locationId, name: `Store ${String(slot)}`, timezone: timeZone, currency: "USD" });
          clover.setItems(locationId, cloverItems());
          const pair = clover.grantTokens(locationId);
          const cl = connection(posConnectionId, "clover", locationId);
          await store.putConnection({
            ...cl,
            tokenCiphertext: await sealTokens(vault, cl, {
              accessToken: pair.access_token, refreshToken: pair.refresh_token, accessTokenExpiresAt: new Date(pair.access_token_expiration * 1000).toISOString(),
            }),
          });
        }
        // Square pays out every Square location but the revoked company's (its payouts could never post).
        const paidOut = !fromClover && index !== QUICKBOOKS_REVOKED;
        const location: LocationConfig = {
          merchantId, locationId, source: fromClover ? "clover" : "square", name: `Store ${String(slot)}`, posConnectionId,
          quickbooksConnectionId: "quickbooks-1", timeZone, dayStart: "00:00", currency: "USD", mapping: paidOut ? PAYOUTS_MAPPING : MAPPING, updatedAt: createdAt,
        };
        await store.putLocation(location);
        // Days two apart: what a generated day spills into the next calendar day falls on a day nobody syncs.
        const plannedDays = Array.from({ length: days }, (_, night): PlannedDay => {
          const sales = chance(0.06) ? 0 : between(1, 3);
          return { businessDay: isoDay(BASE_DAY + night * 2 * DAY_MS), truth: undefined as unknown as DailySummary, sales };
        });
        if (paidOut) {
          const first = plannedDays[0]?.businessDay ?? isoDay(BASE_DAY);
          const last = plannedDays.at(-1)?.businessDay ?? first;
          square.setPayoutSchedule(locationId, {
            from: first, to: last, loanRepaymentBasisPoints: 500, giftCardLoadFeeBasisPoints: 150,
            // Now and then the balance goes out at once (an instant deposit), or the bank rejects a payout.
            ...(chance(0.3) ? { instantDeposits: [{ at: `${isoDay(BASE_DAY + between(0, days - 1) * 2 * DAY_MS)}T18:00:00Z` }] } : {}),
            ...(chance(0.2) ? { failures: [{ date: first }] } : {}),
          });
        }
        locations.push({ location, posConnectionId, days: plannedDays, payouts: paidOut });
      }
      if (index === REVIEW) await storage.settings.setReviewMode(merchantId, true, nowDate());
      return { index, merchantId, realmId, owner, squareMerchantId, review: index === REVIEW, locations };
    }

    /** Puts a day's sales into its POS, as they arrived there, and returns the generator's figures. */
    function addSales(location: LocationConfig, businessDay: string, sales: number, arrivedAt: number, late: boolean): DailySummary {
      const daySeed = nextSeed();
      if (location.source === "clover") {
        const generated = generateCloverDay({
          seed: daySeed, orders: sales, date: businessDay, timeZone: location.timeZone, merchantId: location.locationId, noiseRate: late ? 0 : 0.05,
          ...(late ? { previousDayRate: 0, splitRate: 0, refundRate: 0 } : {}),
        });
        clover.addOrders(location.locationId, generated.orders, { arrivedAt });
        return generated.truth;
      }
      const generated = generateDay({
        seed: daySeed, sales, date: businessDay, timeZone: location.timeZone, locationId: location.locationId, returnRate: late ? 0 : 0.15, noiseRate: late ? 0 : 0.05,
      });
      square.addOrders(location.locationId, generated.orders, { arrivedAt });
      return generated.truth;
    }

    // ---- the workers ----------------------------------------------------------------------------
    const crashPlan = new Map<string, { step: SyncStep; fired: boolean }>();
    const failedDays: SyncJob[] = [];
    const compressedSleep = (what: string) => async (ms: number) => {
      count(what);
      await sleep(Math.min(ms, 100));
    };

    /**
     * The payout store as a crashed worker has it: it refuses every call; the payouts step names the location it is on
     * when it writes a payout's record, before that payout's checkpoints (a night reads the location's check and its
     * payouts' records ahead, while its days run: lib/worker/night-payouts.ts, so a read names nothing).
     */
    function chaosPayouts(state: WorkerState): PayoutStore {
      return new Proxy(storage.payouts, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (state.dead) return Promise.reject(new Error(CRASH_MESSAGE));
            if (property === "savePayout") {
              const record = args[0] as { merchantId: string; locationId: string };
              state.current = payoutKey(record.merchantId, record.locationId);
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    }

    function chaosStore(state: WorkerState): Store {
      return new Proxy(store, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (state.dead) return Promise.reject(new Error(CRASH_MESSAGE));
            if (property === "getSyncRecord") state.current = dayKey(String(args[0]), String(args[1]), String(args[2]));
            // A night reads its days' records in one query, up to its own day (lib/sync/sync-night.ts).
            if (property === "listSyncRecordsBetween") state.current = dayKey(String(args[0]), String(args[1]), String(args[3]));
            if (options.brokenWorker && property === "saveSyncRecord") {
              const { pending: _skipped, ...record } = args[0] as SyncRecord;
              return (value as (...a: unknown[]) => unknown).apply(target, [record, ...args.slice(1)]);
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    }

    /** The broken worker's QuickBooks client: never finds its own entries, and a new requestid each time. */
    const naive = (client: QuickBooksClient): QuickBooksClient => ({
      ...client,
      findJournalEntries: () => Promise.resolve([]),
      createJournalEntry: (body) => client.createJournalEntry(body, `naive-${randomUUID().slice(0, 30)}`),
    });

    async function createWorker(): Promise<Worker> {
      const state: WorkerState = { dead: false, batchReceiveMax: 1, crashed: false };
      const runtime = await composeWorker(config, {
        ...shared,
        storage: { ...storage, store: chaosStore(state), payouts: chaosPayouts(state) },
        tuning: {
          square: { timeoutMs: TIMEOUT_MS, maxRetries: 1 },
          clover: { timeoutMs: TIMEOUT_MS, maxRetries: 3, sleep: compressedSleep("clover waits asked") },
          quickBooks: { timeoutMs: TIMEOUT_MS, maxAttempts: 3, sleep: compressedSleep("quickbooks waits asked") },
        },
        checkpoint(step) {
          const plan = state.current === undefined ? undefined : crashPlan.get(state.current);
          if (!plan || plan.fired || plan.step !== step || state.batchReceiveMax > MAX_ATTEMPTS - 2) return;
          plan.fired = true;
          state.dead = true;
          state.crashed = true;
          count(state.current?.startsWith("payouts|") ? `crash payouts ${step}` : `crash ${step}`);
          throw new Error(CRASH_MESSAGE);
        },
        onFailedDay: (job) => failedDays.push(job),
      });
      if (options.brokenWorker) {
        // The broken worker's QuickBooks client, in place of the composed one's.
        const ports = runtime.deps.sync;
        runtime.deps.sync = { ...ports, quickBooksClient: async (connection) => { const made = await ports.quickBooksClient(connection); return { ...made, client: naive(made.client) }; } };
      }
      const handler = createWorkerHandler({
        ...runtime.handler, backoff: { baseSeconds: 0, maxSeconds: 0 },
        sleep: compressedSleep("waits for a run in progress"),
        ...(process.env["DAYBOOK_CHAOS_TRACE"] ? { log: (level: string, message: string, fields?: Record<string, unknown>) => { process.stderr.write(`worker ${level}: ${message} ${JSON.stringify(fields ?? {})}\n`); } } : {}),
      });
      return { state, handler };
    }

    const workers = await Promise.all(Array.from({ length: workerCount }, createWorker));
    // Another Lambda instance that sometimes gets the same message at the same time (SQS is at-least-once).
    const shadow = await createWorker();

    const toRecord = (message: Message): SqsRecord => ({
      messageId: message.MessageId ?? "", receiptHandle: message.ReceiptHandle ?? "", body: message.Body ?? "",
      attributes: { ...message.Attributes, ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1" },
      messageAttributes: {}, md5OfBody: message.MD5OfBody ?? "", eventSource: "aws:sqs", eventSourceARN: queues.queueUrl, awsRegion: "us-east-1",
    });
    const visibleAgain = (records: SqsRecord[]) => Promise.all(records.map((record) =>
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined)));

    /** One Lambda invocation; a crash loses the whole batch, which comes back (at once, here). Returns the ids that succeeded. */
    async function invoke(worker: Worker, records: SqsRecord[]): Promise<Set<string>> {
      worker.state.dead = false;
      worker.state.crashed = false;
      worker.state.batchReceiveMax = Math.max(...records.map((record) => Number(record.attributes.ApproximateReceiveCount)));
      const startedAt = Date.now();
      const trace = process.env["DAYBOOK_CHAOS_TRACE"];
      try {
        const { batchItemFailures } = await worker.handler({ Records: records }, { getRemainingTimeInMillis: () => 900_000 - (Date.now() - startedAt) });
        if (trace) {
          const failedIds = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
          for (const record of records.filter((each) => each.body.includes(trace))) {
            process.stderr.write(`trace: ${record.body} receive ${record.attributes.ApproximateReceiveCount} ${failedIds.has(record.messageId) ? "failed" : "ok"} crashed=${String(hasCrashed(worker.state))} batch=${String(records.length)} shadow=${String(worker === shadow)}\n`);
          }
        }
        // Set by the checkpoint meanwhile: the whole invocation died, nothing of it is deleted.
        if (hasCrashed(worker.state)) return new Set();
        const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        return new Set(records.filter((record) => !failed.has(record.messageId)).map((record) => record.messageId));
      } finally {
        worker.state.dead = false;
      }
    }

    let handledThisNight = 0;
    let deliveredTwiceThisNight = false;
    // At least once a night each, whatever the interleaving: the campaign must always exercise both.
    let redeliveredThisNight = false;
    let midNight: (() => Promise<void>) | undefined;
    let midNightAfter = Infinity;

    async function drain(worker: Worker): Promise<void> {
      let idle = 0;
      while (idle < 3) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
          QueueUrl: queues.queueUrl, MaxNumberOfMessages: BATCH_SIZE, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"],
        }));
        if (Messages.length === 0) {
          idle += 1;
          await sleep(30);
          continue;
        }
        idle = 0;
        let records = Messages.map(toRecord);
        // Out of order across groups: the groups of the batch in another order (each group's own order kept).
        const groups = [...new Set(records.map((record) => record.attributes.MessageGroupId ?? ""))];
        if (groups.length > 1 && deliveryChance(0.4)) {
          const order = shuffle([...groups], deliveryRandom);
          records = order.flatMap((group) => records.filter((record) => (record.attributes.MessageGroupId ?? "") === group));
          count("batches reordered");
        }
        // The same message to two workers at once.
        const first = records.find((record) => record.attributes.ApproximateReceiveCount === "1");
        const twice = first !== undefined && (!deliveredTwiceThisNight || deliveryChance(0.04)) ? first : undefined;
        if (twice) deliveredTwiceThisNight = true;
        if (twice) count("messages delivered to two workers at once");
        const [succeeded, shadowSucceeded] = await Promise.all([
          invoke(worker, records),
          twice ? invoke(shadow, [twice]) : Promise.resolve(new Set<string>()),
        ]);
        for (const id of shadowSucceeded) succeeded.add(id);
        // What failed, or was skipped behind a failure in its group, comes back once its visibility
        // timeout ends: at once here (the worker's backoff is 0 too).
        const undone = records.filter((record) => !succeeded.has(record.messageId));
        if (undone.length > 0) await visibleAgain(undone);
        let done = records.filter((record) => succeeded.has(record.messageId));
        // Processed, but the delete never happened: the message comes back.
        if (done.length > 0 && (!redeliveredThisNight || deliveryChance(0.05))) {
          redeliveredThisNight = true;
          const again = done[Math.floor(deliveryRandom() * done.length)] as SqsRecord;
          done = done.filter((record) => record !== again);
          await visibleAgain([again]);
          count("messages delivered again after processing");
        }
        if (done.length > 0) {
          await sqs.send(new DeleteMessageBatchCommand({
            QueueUrl: queues.queueUrl, Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }));
        }
        handledThisNight += records.length;
        if (midNight && handledThisNight >= midNightAfter) {
          const event = midNight;
          midNight = undefined;
          await event();
        }
      }
    }

    // ---- refresh races --------------------------------------------------------------------------
    const racers: TokenKeeper[] = await Promise.all([0, 1].map(keeperOfAnotherProcess));
    async function raceRefresh(merchant: PlannedMerchant, connectionId: string): Promise<void> {
      const connection = await store.getConnection(merchant.merchantId, connectionId);
      if (connection?.status !== "active") return;
      count(`concurrent refreshes (${connection.provider})`);
      await Promise.all(racers.map(async (racer) => {
        try {
          await racer.refreshNow(connection);
          return;
        } catch (error) {
          if (!(error instanceof OAuthError) || error.kind !== "retryable") return;
        }
        // A worker whose refresh failed for a passing reason runs its job again: it reads the
        // connection anew and asks for a working access token.
        for (let attempt = 2; attempt <= 6; attempt++) {
          const latest = await store.getConnection(merchant.merchantId, connectionId);
          if (latest?.status !== "active") return;
          try {
            await racer.accessToken(latest);
            return;
          } catch (error) {
            if (!(error instanceof OAuthError) || error.kind !== "retryable") return;
          }
        }
      }));
    }

    // ---- faults ---------------------------------------------------------------------------------
    const quiet401 = new Map<string, number>();
    const spurious401 = (request: { kind: string; realmId?: string }): boolean => {
      if (request.kind !== "api" || request.realmId === undefined) return false;
      const quiet = quiet401.get(request.realmId) ?? 0;
      if (quiet > 0) {
        quiet401.set(request.realmId, quiet - 1);
        return false;
      }
      if (!deliveryChance(0.01)) return false;
      quiet401.set(request.realmId, 6);
      return true;
    };
    function injectNightFaults(): void {
      square.clearFaults();
      clover.clearFaults();
      quickbooks.clearFaults();
      const squareData = ["SearchOrders", "BatchRetrieveCatalogObjects", "ListPayments", "ListPaymentRefunds", "ListPayouts", "ListPayoutEntries"] as const;
      for (const fault of [
        { kind: "429", retryAfterSeconds: 1 }, { kind: "500" }, { kind: "503", retryAfterSeconds: 1 }, { kind: "truncated" }, { kind: "slow", delayMs: SLOW_MS },
      ] as const) {
        square.injectFaults({ endpoint: squareData, fault, times: 1, skip: between(0, 20) });
        square.injectFaults({ endpoint: squareData, fault, probability: fault.kind === "slow" ? 0.002 : 0.006 });
      }
      const cloverData = ["ListOrders", "ListItems", "ListCategories", "GetMerchant", "ListPayments", "ListRefunds"] as const;
      for (const fault of [
        { kind: "429", retryAfterSeconds: 2 }, { kind: "500" }, { kind: "503", retryAfterSeconds: 1 }, { kind: "truncated" }, { kind: "slow", delayMs: SLOW_MS },
      ] as const) {
        clover.injectFaults({ endpoint: cloverData, fault, times: 1, skip: between(0, 10) });
        clover.injectFaults({ endpoint: cloverData, fault, probability: fault.kind === "slow" ? 0.003 : 0.01 });
      }
      // A refresh whose answer is lost after Clover rotated the tokens, and one that fails outright.
      clover.injectFaults({ endpoint: "OAuthRefresh", fault: { kind: "truncated" }, times: 1 });
      clover.injectFaults({ endpoint: "OAuthRefresh", fault: { kind: "truncated" }, probability: 0.08 });
      clover.injectFaults({ endpoint: "OAuthRefresh", fault: { kind: "500" }, probability: 0.05 });
      const journal = { kind: "api" as const, method: "POST", path: "/journalentry" };
      quickbooks.injectFaults(
        { match: journal, fault: { kind: "drop-after-commit" }, times: 2 },
        { match: journal, fault: { kind: "drop-after-commit" }, probability: 0.03 },
        { match: journal, fault: { kind: "slow", delayMs: SLOW_MS }, times: 1 },
        { match: "api", fault: { kind: "429", retryAfterSeconds: 3 }, probability: 0.02 },
        { match: "api", fault: { kind: "500" }, probability: 0.015 },
        { match: "api", fault: { kind: "503" }, probability: 0.01 },
        // Each once for sure: a night makes few QuickBooks calls (no reads on the normal path), so chance alone may miss one.
        ...(["429", "500", "503", "truncated"] as const).map((kind) => ({ match: "api" as const, fault: kind === "429" ? { kind, retryAfterSeconds: 3 } : { kind }, times: 1 })),
        { match: "api", fault: { kind: "truncated" }, probability: 0.01 },
        // A refused access token now and then, but never again on the next few requests for the company:
        // the client refreshes once per request and takes a second 401 as a dead connection.
        { match: spurious401, fault: { kind: "401" }, probability: 1 },
        { match: "api", fault: { kind: "slow", delayMs: SLOW_MS }, probability: 0.002 },
        { match: "token", fault: { kind: "truncated" }, times: 1 },
        { match: "token", fault: { kind: "truncated" }, probability: 0.05 },
        { match: "token", fault: { kind: "500" }, probability: 0.04 },
        { match: "token", fault: { kind: "slow", delayMs: SLOW_MS }, probability: 0.02 },
      );
    }

    // ---- the nights -----------------------------------------------------------------------------
    const revocationNight = { quickbooks: Math.floor(days / 2), clover: Math.max(1, Math.floor(days / 3)) };
    const revoked = new Set<string>();
    let lateChanges: { merchant: PlannedMerchant; planned: PlannedLocation; day: PlannedDay }[] = [];
    const jobsOf = new Map<string, { jobs: SyncJob[]; realmId: string }>();

    for (let night = 0; night <= days; night++) {
      clock = BASE_DAY + night * 2 * DAY_MS + 36 * 3_600_000 + (night === days ? DAY_MS : 0);
      nightStartedAt = Date.now();
      handledThisNight = 0;
      deliveredTwiceThisNight = false;
      redeliveredThisNight = false;
      jobsOf.clear();
      const queueJob = (merchant: PlannedMerchant, job: SyncJob) => {
        const entry = jobsOf.get(merchant.merchantId) ?? { jobs: [], realmId: merchant.realmId };
        entry.jobs.push(job);
        jobsOf.set(merchant.merchantId, entry);
      };

      // The POS data changes after the day was posted: the re-check posts the difference.
      for (const { merchant, planned: place, day } of lateChanges) {
        const extra = addSales(place.location, day.businessDay, 1, now() - 3_600_000, true);
        day.lateTruth = addSummaries(day.lateTruth ?? day.truth, extra);
        count("late changes");
        // The next night's job re-checks the day (two days before its own); after the last night, a re-check of its own.
        if (night === days) queueJob(merchant, { merchantId: merchant.merchantId, locationId: place.location.locationId, businessDay: day.businessDay, kind: "recheck" });
      }
      lateChanges = [];
      for (const merchant of planned) {
        for (const place of merchant.locations) {
          const previous = place.days[night - 1];
          // The reviewer approves half of yesterday's held days.
          if (merchant.review && previous && previous.sales > 0 && chance(0.5)) {
            queueJob(merchant, { merchantId: merchant.merchantId, locationId: place.location.locationId, businessDay: previous.businessDay, kind: "approve" });
            count("approvals");
          }
          const day = place.days[night];
          if (!day) continue;
          day.truth = addSales(place.location, day.businessDay, day.sales, now() - 3 * 3_600_000, false);
          const key = dayKey(merchant.merchantId, place.location.locationId, day.businessDay);
          if (chance(crashRate)) crashPlan.set(key, { step: crashSteps[between(0, crashSteps.length - 1)] ?? "after-create", fired: false });
          // Not where Square pays out: the simulator makes its payouts from the payments as they stand, so a
          // sale added to a day already paid out would change a payout Square made, which Square never does.
          if (!merchant.review && !place.payouts && day.sales > 0 && chance(0.1)) lateChanges.push({ merchant, planned: place, day });
          if (place.payouts && chance(crashRate)) {
            crashPlan.set(payoutKey(merchant.merchantId, place.location.locationId), { step: crashSteps[between(0, crashSteps.length - 1)] ?? "after-create", fired: false });
          }
          // One job per location-night: the day, and the re-checks of the three before it.
          queueJob(merchant, { merchantId: merchant.merchantId, locationId: place.location.locationId, businessDay: day.businessDay, kind: "night" });
        }
      }
      injectNightFaults();

      // Send: groups in a random order, some jobs twice (another deduplication id, as a second scheduler tick would).
      let sent = 0;
      for (const { jobs, realmId } of shuffle([...jobsOf.values()])) {
        await jobQueue.sendJobs(jobs, messageGroupOf(realmId));
        sent += jobs.length;
        for (const job of jobs) {
          if (!chance(0.06)) continue;
          await sqs.send(new SendMessageCommand({
            QueueUrl: queues.queueUrl, MessageBody: JSON.stringify(job), MessageGroupId: messageGroupOf(realmId), MessageDeduplicationId: `${deduplicationIdOf(job)}-again`,
          }));
          count("jobs sent twice");
          sent += 1;
        }
      }

      // A revocation partway through the night, once half its jobs are through.
      const revokeQuickBooks = night === revocationNight.quickbooks ? planned[QUICKBOOKS_REVOKED] : undefined;
      const revokeClover = night === revocationNight.clover ? planned[CLOVER_REVOKED] : undefined;
      if (revokeQuickBooks || revokeClover) {
        midNightAfter = Math.floor(sent / 2);
        midNight = async () => {
          if (revokeQuickBooks) {
            quickbooks.revokeAll(revokeQuickBooks.realmId);
            revoked.add(`${revokeQuickBooks.merchantId}/quickbooks-1`);
            count("connections revoked mid-night (QuickBooks)");
          }
          const cloverPlace = revokeClover?.locations.find((place) => place.location.source === "clover");
          if (revokeClover && cloverPlace) {
            await clover.uninstallApp(cloverPlace.location.locationId);
            revoked.add(`${revokeClover.merchantId}/${cloverPlace.posConnectionId}`);
            count("connections revoked mid-night (Clover)");
          }
        };
      }

      // Two workers refreshing one connection at once, while the night's jobs run.
      const races = planned.filter((merchant) => merchant.index !== QUICKBOOKS_REVOKED && chance(0.25)).map((merchant) => {
        const cloverPlace = merchant.locations.find((place) => place.location.source === "clover");
        return raceRefresh(merchant, cloverPlace && chance(0.5) ? cloverPlace.posConnectionId : "quickbooks-1");
      });
      await Promise.all([...workers.map(drain), ...races]);
      if (midNight) await midNight();
      midNight = undefined;
      log(`night ${String(night + 1)} of ${String(days + 1)}: ${String(sent)} jobs sent, ${String(handledThisNight)} deliveries, ${Math.round((performance.now() - started) / 1000)} s`);
    }

    // ---- counting -------------------------------------------------------------------------------
    square.clearFaults();
    clover.clearFaults();
    quickbooks.clearFaults();
    for (const record of quickbooks.requestLog()) if (record.fault) count(`quickbooks ${record.kind} ${record.fault}`);
    for (const record of square.requests()) if (record.fault) count(`square ${record.fault}`);
    for (const record of clover.requests()) {
      if (record.fault) count(`clover ${record.endpoint === "OAuthRefresh" ? "refresh " : ""}${record.fault}`);
    }

    const counts: CampaignCounts = {
      locationDays: 0, postedExactlyOnce: 0, adjusted: 0, noSales: 0, held: 0, failedAndVisible: 0, duplicates: 0, daysBetweenPosted: 0, lostDays: 0,
      wrongFigures: 0, brokenRefreshChains: 0, staleRefreshTokens: 0, refreshChainsChecked: 0, deadLetters: 0,
      payouts: 0, payoutsSettled: 0, payoutDuplicates: 0, payoutsAwaitingReconnect: 0, payoutsLost: 0, wrongBankBalances: 0,
    };
    const mail = await sentMail(options.motoEndpoint);
    // An alert asks for action, or says there is nothing to do yet (a passing failure daybook tries again): either says the day.
    const ALERT_PREFIXES = ["Action needed: ", "Nothing to do yet: "];
    const alertsSent = mail.filter((message) => ALERT_PREFIXES.some((prefix) => message.subject.startsWith(prefix)));

    /**
     * The day's failure was said: a failed report with an alert kept, and the alert email sent (its subject
     * names the day alone; one for the days of a location's night names each in its body).
     */
    const failedVisibly = async (merchant: (typeof planned)[number], location: { locationId: string; name: string }, businessDay: string) => {
      const reports = await storage.reports.listDay(merchant.merchantId, location.locationId, businessDay);
      const reported = reports.some((report) => report.status === "failed" && report.alert);
      const title = dayTitle({ locationName: location.name, businessDay });
      // A day posted before whose re-check failed says so instead of "not posted".
      const said = [`${title} was not posted`, `${title} was posted, but its re-check failed`];
      return reported && alertsSent.some((message) => (message.destinations.ToAddresses ?? []).includes(merchant.owner) &&
        said.some((words) => ALERT_PREFIXES.some((prefix) => message.subject === `${prefix}${words}`) || message.body.includes(words)));
    };

    for (const merchant of planned) {
      const records = new Map((await store.listSyncRecords(merchant.merchantId)).map((record) => [`${record.locationId}|${record.businessDay}`, record]));
      // Entries are told apart by DocNumber, the key daybook itself finds them by: each planned
      // location-day's numbers, revision 0 and its adjustments, lead back to it.
      const dayOfDocNumber = new Map<string, { key: string; revision: number }>();
      for (const place of merchant.locations) {
        // The days between the planned ones too, which a night's re-checks may post (counted below).
        const days = new Set(place.days.flatMap((day) => [addDays(day.businessDay, -1), day.businessDay, addDays(day.businessDay, 1)]));
        for (const businessDay of days) {
          for (let revision = 0; revision <= MAX_REVISIONS_CHECKED; revision++) {
            dayOfDocNumber.set(docNumber(place.location.source, place.location.locationId, businessDay, revision), { key: `${place.location.locationId}|${businessDay}`, revision });
          }
        }
      }
      const entriesOf = new Map<string, { revision: number; entry: Record<string, unknown> }[]>();
      for (const entry of quickbooks.journalEntries(merchant.realmId)) {
        // Payouts' entries are counted below.
        if (String(entry.DocNumber).startsWith("DP")) continue;
        const known = dayOfDocNumber.get(typeof entry.DocNumber === "string" ? entry.DocNumber : "");
        if (!known) {
          problem("unknown entry", `${merchant.realmId} ${String(entry.DocNumber)}`);
          counts.duplicates += 1;
          continue;
        }
        entriesOf.set(known.key, [...(entriesOf.get(known.key) ?? []), { revision: known.revision, entry }]);
      }
      for (const place of merchant.locations) {
        for (const day of place.days) {
          counts.locationDays += 1;
          const key = `${place.location.locationId}|${day.businessDay}`;
          const what = `${merchant.merchantId} ${key}`;
          const record = records.get(key);
          const entries = entriesOf.get(key) ?? [];
          entriesOf.delete(key);
          const revisions = new Set(entries.map(({ revision }) => revision));
          const extra = entries.length - revisions.size;
          if (extra > 0) {
            counts.duplicates += extra;
            problem("duplicate", `${what}: ${String(entries.length)} entries for ${String(revisions.size)} revisions`);
          }
          if (entries.filter(({ revision }) => revision === 0).length === 1 && extra === 0) counts.postedExactlyOnce += 1;
          if ([...revisions].some((revision) => revision > 0)) counts.adjusted += 1;
          if (entries.length > 0) {
            const nets = sumNets(entries.map(({ entry }) => entry));
            const expected = expectedAccountNets(day.truth, place.location.mapping);
            const late = day.lateTruth ? expectedAccountNets(day.lateTruth, place.location.mapping) : undefined;
            const matches = record?.state === "posted"
              ? same(nets, late ?? expected)
              : same(nets, expected) || (late !== undefined && same(nets, late));
            // A late change whose re-check failed on its last attempt, while a concurrent delivery kept the
            // record "posted": the books hold the day as first posted, and the failure was reported.
            const lateChangeFailedVisibly = !matches && record?.state === "posted" && late !== undefined && same(nets, expected) &&
              (await failedVisibly(merchant, place.location, day.businessDay));
            if (lateChangeFailedVisibly) {
              counts.failedAndVisible += 1;
              continue;
            }
            if (!matches) {
              counts.wrongFigures += 1;
              problem("wrong figures", `${what} (${record?.state ?? "no record"}): ${String(entries.length)} entries, revisions ${[...revisions].join(",")}, record lists ${String(record?.posted.length ?? 0)}; books = first truth ${String(same(nets, expected))}, = late truth ${late ? String(same(nets, late)) : "no late change"}; last error ${record?.lastError ? `${record.lastError.kind}: ${(record.lastError.detail ?? record.lastError.message).slice(0, 160)}` : "none"}`);
            }
          }
          const state = record?.state;
          if (state === "posted" && entries.length > 0 && record?.posted.length === revisions.size) continue;
          if (state === "no-sales" && entries.length === 0 && isEmptySummary(day.truth)) {
            counts.noSales += 1;
            continue;
          }
          if (state === "held" && merchant.review && entries.length === 0) {
            counts.held += 1;
            continue;
          }
          // A last attempt that lost its record write to a concurrent delivery leaves "posting" (with the
          // pending entry the next run settles); the failure report and alert went out all the same.
          if ((state === "failed" || state === "posting") && (await failedVisibly(merchant, place.location, day.businessDay))) {
            counts.failedAndVisible += 1;
            continue;
          }
          counts.lostDays += 1;
          problem("lost", `${what}: state ${state ?? "none"}, ${String(entries.length)} entries, record lists ${String(record?.posted.length ?? 0)}${record?.pending ? ", pending" : ""}${record?.lastError ? `, ${record.lastError.kind}: ${record.lastError.detail ?? record.lastError.message}` : ""}`);
        }
      }
      const planned = new Set(merchant.locations.flatMap((place) => place.days.map((day) => day.businessDay)));
      for (const [key, entries] of entriesOf) {
        const businessDay = key.split("|")[1] ?? "";
        // A day between two planned ones, posted by a night's re-check: each revision once.
        const between = [-1, 1].some((step) => planned.has(addDays(businessDay, step)));
        const extra = entries.length - new Set(entries.map(({ revision }) => revision)).size;
        if (between && extra === 0) {
          counts.daysBetweenPosted += 1;
          continue;
        }
        counts.duplicates += between ? extra : entries.length;
        problem(between ? "duplicate" : "entry for no planned day", `${merchant.merchantId} ${key}`);
      }
      await countPayouts(merchant);
    }

    /** Each payout Square made, settled once; each payout entry once; each location's bank = Σ its payouts. */
    async function countPayouts(merchant: PlannedMerchant): Promise<void> {
      const entries = quickbooks.journalEntries(merchant.realmId).filter((entry) => String(entry.DocNumber).startsWith("DP"));
      const byNumber = new Map<string, Record<string, unknown>[]>();
      for (const entry of entries) byNumber.set(String(entry.DocNumber), [...(byNumber.get(String(entry.DocNumber)) ?? []), entry]);
      const named = new Set<string>();
      for (const place of merchant.locations.filter((candidate) => candidate.payouts)) {
        const { locationId } = place.location;
        const truth = square.payoutTruth(locationId);
        const records = new Map((await storage.payouts.listPayouts(merchant.merchantId, locationId)).map((record) => [record.payoutTag, record]));
        const check = await storage.payouts.getCheck(merchant.merchantId, locationId);
        const books = await store.getConnection(merchant.merchantId, place.location.quickbooksConnectionId);
        let bank = 0;
        let bankAwaiting = 0;
        for (const payout of truth.payouts) {
          counts.payouts += 1;
          const record = records.get(payoutTag(payout.id));
          const settled = record !== undefined && record.pending === undefined && (record.state === "posted" || record.state === "nothing-to-post");
          // Refused before its record was made (the run's failure, on the location's check) or while posting it (on its record).
          const said = record === undefined ? check?.lastError : record.lastError;
          const awaitingReconnect = !settled && books?.status !== "active" && said?.kind === "needs-reconnect" &&
            check !== undefined && Date.parse(check.readFrom) <= Date.parse(payout.createdAt);
          if (awaitingReconnect) {
            counts.payoutsAwaitingReconnect += 1;
            if (payout.status !== "FAILED") bankAwaiting += payout.amount;
            problem("payout awaiting a reconnect", `${merchant.merchantId} ${locationId} payout of ${payout.arrivalDate} (${payout.status}, ${String(payout.amount)}): ${said.message.slice(0, 160)}`);
            continue;
          }
          if (!settled) {
            counts.payoutsLost += 1;
            problem("payout lost", `${merchant.merchantId} ${locationId} payout of ${payout.arrivalDate} (${payout.status}, ${String(payout.amount)}): ${record ? `record ${record.state}${record.pending ? ", pending" : ""}${record.lastError ? `, ${record.lastError.kind}: ${record.lastError.message.slice(0, 160)}` : ""}` : "no record"}`);
            continue;
          }
          counts.payoutsSettled += 1;
          for (const posted of record.posted) {
            named.add(posted.docNumber);
            for (const entry of byNumber.get(posted.docNumber) ?? []) bank += sumNets([entry])[DEFAULT_ACCOUNT_IDS.checking] ?? 0;
          }
        }
        // What Square paid, less what waits for a reconnect.
        if (bank !== truth.bank - bankAwaiting) {
          counts.wrongBankBalances += 1;
          problem("bank balance", `${merchant.merchantId} ${locationId}: QuickBooks ${String(bank)}, Square paid ${String(truth.bank)}${bankAwaiting ? `, of which ${String(bankAwaiting)} awaits a reconnect` : ""}`);
        }
      }
      for (const [docNumber, same] of byNumber) {
        const extra = named.has(docNumber) ? same.length - 1 : same.length;
        if (extra > 0) {
          counts.payoutDuplicates += extra;
          problem("payout duplicate", `${merchant.merchantId} ${docNumber}: ${String(same.length)} entries${named.has(docNumber) ? "" : ", no record names it"}`);
        }
      }
    }

    // Refresh chains, a night later (past Intuit's 24-hour grace for a replaced refresh token): the
    // tokens daybook holds for every connection not revoked must still refresh, as tomorrow's worker
    // would (Clover's recovery included), and the new access token must work at the provider. Stored
    // refresh tokens the provider no longer takes as they are (Clover recovered them, or Intuit
    // replaced them) are counted apart.
    clock = now() + DAY_MS + 3_600_000;
    nightStartedAt = Date.now();
    const intuit = quickbooks.exportState().tokens;
    const tomorrow = await keeperOfAnotherProcess();
    for (const merchant of planned) {
      const connectionIds = ["quickbooks-1", ...merchant.locations.filter((place) => place.location.source === "clover").map((place) => place.posConnectionId)];
      for (const connectionId of connectionIds) {
        if (revoked.has(`${merchant.merchantId}/${connectionId}`)) continue;
        counts.refreshChainsChecked += 1;
        const connection: Connection | undefined = await store.getConnection(merchant.merchantId, connectionId);
        const refreshToken = connection?.status === "active" ? (await openTokens(vault, connection)).refreshToken : undefined;
        if (refreshToken && connection?.provider === "clover" && !clover.refreshTokenUsable(refreshToken)) counts.staleRefreshTokens += 1;
        if (refreshToken && connection?.provider === "quickbooks") {
          const held = intuit.refreshTokens.find((candidate) => candidate.token === refreshToken);
          if (held?.replacedAt !== undefined) counts.staleRefreshTokens += 1;
        }
        let works = false;
        let why = connection ? `${connection.status}${connection.statusReason ? ` (${connection.statusReason})` : ""}` : "missing";
        if (connection?.status === "active") {
          try {
            const accessToken = await tomorrow.refreshNow(connection);
            const probe = connection.provider === "quickbooks"
              ? `${quickbooks.endpoints.apiBase}/v3/company/${connection.externalId}/companyinfo/${connection.externalId}`
              : `${clover.url}/v3/merchants/${connection.externalId}`;
            const response = await fetch(probe, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
            await response.body?.cancel();
            works = response.ok;
            why = `the refreshed token got ${String(response.status)}`;
          } catch (error) {
            why = error instanceof Error ? error.message : String(error);
          }
        }
        if (!works) {
          counts.brokenRefreshChains += 1;
          const tokens = connection?.status === "active" ? await openTokens(vault, connection) : undefined;
          const replacedAt = intuit.refreshTokens.find((candidate) => candidate.token === tokens?.refreshToken)?.replacedAt;
          const hoursAgo = (at: number | string | undefined) => at === undefined ? "never" : `${((now() - (typeof at === "string" ? Date.parse(at) : at)) / 3_600_000).toFixed(1)} h before the check`;
          // Marked during the nights: its tokens were destroyed then, so there is nothing more to show.
          const details = tokens
            ? `tokens obtained ${hoursAgo(tokens.obtainedAt)}, refresh token replaced at the provider ${hoursAgo(replacedAt)}, lease ${connection?.refreshLeaseUntil ?? "none"}, uncertain ${tokens.refreshUncertainSince ?? "no"}`
            : `marked during the nights (at ${connection?.updatedAt ?? "?"}), its tokens destroyed then`;
          problem("broken refresh chain", `${merchant.merchantId}/${connectionId}: ${why}; ${details}`);
        }
      }
    }
    counts.deadLetters = await countMessages(sqs, queues.deadLetterUrl);
    count("days failed (FailedDays)", failedDays.length);

    const ok = counts.duplicates === 0 && counts.lostDays === 0 && counts.brokenRefreshChains === 0 && counts.wrongFigures === 0 &&
      counts.payoutDuplicates === 0 && counts.payoutsLost === 0 && counts.wrongBankBalances === 0;
    return {
      seed, sizes: { merchants: merchantCount, locationsPerMerchant, days, workers: workerCount }, counts,
      injected: Object.fromEntries(Object.entries(injected).sort(([a], [b]) => a.localeCompare(b))), problems,
      durationMs: Math.round(performance.now() - started), ok,
    };
  } finally {
    await Promise.all([square.close(), clover.close(), quickbooks.close()]);
    sqs.destroy();
    ses.destroy();
    dynamo.destroy();
  }
}

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "TransactWriteItemsCommand", "BatchWriteItemCommand"]);

/**
 * DynamoDB never lets two conditional writes to one item both pass; moto's threaded server can (see
 * oneRequestAtATime in sandbox/aws.ts). Like that helper, but only writes wait their turn: reads
 * change nothing, so they need no order, and letting them run alongside keeps the campaign quick.
 */
function oneWriteAtATime(client: DynamoDBClient): DynamoDBClient {
  let previous: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (!WRITES.has(String(context.commandName))) return next(args);
      const turn = previous.then(() => next(args));
      previous = turn.catch(() => undefined);
      return turn;
    },
    { step: "finalizeRequest", priority: "low", name: "oneWriteAtATime" },
  );
  return client;
}

async function countMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageSystemAttributeNames: ["All"] }));
    if (Messages.length === 0) return total;
    if (process.env["DAYBOOK_CHAOS_TRACE"]) for (const message of Messages) process.stderr.write(`dead letter: ${message.Body ?? ""} received ${message.Attributes?.ApproximateReceiveCount ?? "?"}\n`);
    total += Messages.length;
  }
}

interface LedgerLine {
  Amount: number;
  JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } };
}

/** Net (debit − credit) per account over entries, in cents. */
function sumNets(entries: Record<string, unknown>[]): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const entry of entries) {
    for (const line of (entry.Line ?? []) as LedgerLine[]) {
      const account = line.JournalEntryLineDetail.AccountRef.value;
      const cents = Math.round(line.Amount * 100);
      nets[account] = (nets[account] ?? 0) + (line.JournalEntryLineDetail.PostingType === "Debit" ? cents : -cents);
    }
  }
  return Object.fromEntries(Object.entries(nets).filter(([, net]) => net !== 0));
}

function same(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}

/** The results as a Markdown report. */
export function resultsMarkdown(result: CampaignResult): string {
  const { counts } = result;
  const rows: [string, number | string][] = [
    ["location-days", counts.locationDays],
    ["posted exactly once", counts.postedExactlyOnce],
    ["adjusted (POS data changed after posting)", counts.adjusted],
    ["no sales", counts.noSales],
    ["held for review", counts.held],
    ["failed and visible (report and alert)", counts.failedAndVisible],
    ["duplicates (QuickBooks books)", counts.duplicates],
    ["days between the planned ones posted by re-checks (their neighbours' sales outside the day)", counts.daysBetweenPosted],
    ["lost days", counts.lostDays],
    ["days with figures other than the generator's", counts.wrongFigures],
    ["broken refresh chains", `${String(counts.brokenRefreshChains)} of ${String(counts.refreshChainsChecked)}`],
    ["stored refresh tokens the provider took only by grace or recovery", counts.staleRefreshTokens],
    ["dead-letter messages", counts.deadLetters],
    ["Square payouts made", counts.payouts],
    ["payouts settled (posted once, or nothing to post)", counts.payoutsSettled],
    ["payout duplicates (QuickBooks books)", counts.payoutDuplicates],
    ["payouts awaiting a reconnect of QuickBooks (said on the location's payout check)", counts.payoutsAwaitingReconnect],
    ["payouts lost", counts.payoutsLost],
    ["locations whose bank is not Σ their payouts", counts.wrongBankBalances],
  ];
  const lines = [
    `# Fault campaign, seed ${String(result.seed)}`,
    "",
    `${String(result.sizes.merchants)} merchants × ${String(result.sizes.locationsPerMerchant)} locations × ${String(result.sizes.days)} days, ${String(result.sizes.workers)} workers; ${(result.durationMs / 1000).toFixed(0)} s. ${result.ok ? "PASS" : "FAIL"}.`,
    "",
    "| outcome | count |",
    "| --- | ---: |",
    ...rows.map(([name, value]) => `| ${name} | ${String(value)} |`),
    "",
    "| injected | count |",
    "| --- | ---: |",
    ...Object.entries(result.injected).map(([name, value]) => `| ${name} | ${String(value)} |`),
  ];
  if (result.problems.length > 0) lines.push("", "Problems:", "", ...result.problems.map((line) => `- ${line}`));
  return `${lines.join("\n")}\n`;
}
