/**
 * The AWS cost model: monthly cost of daybook at a number of merchants, from a measured location-night
 * job (bench/pos-night.ts) and stated assumptions, billed as AWS bills. Pure arithmetic, proven in test/unit/bench-cost.test.ts.
 */
import type { PriceTable } from "./prices";

/** What one location-night job costs, measured (bench/pos-night.ts). */
export interface JobProfile {
  /** CPU the night took on this machine (user + system), ms: the part of its duration that is not waiting. */
  cpuMs: number;
  /** Calls to the POS and QuickBooks: each waits on the provider. */
  providerCalls: number;
  /** DynamoDB request units (bench/aws-counter.ts: writes on the whole item and its index copies). */
  readUnits: number;
  writeUnits: number;
  kmsRequests: number;
  /** Bytes of log lines the job writes (the worker's own lines). */
  logBytes: number;
}

export interface CostAssumptions {
  locationsPerMerchant: number;
  daysPerMonth: number;
  /** One job per location-night (lib/sync/sync-night.ts): its day and the re-checks of the three before. */
  jobsPerLocationDay: number;
  /** Stated: how long each POS or QuickBooks call waits on the provider, ms (loopback timings leave it out). */
  providerLatencyMs: number;
  /** Jobs one worker invocation handles (1 is the worst case: FIFO groups per QuickBooks company keep batches small). */
  jobsPerWorkerInvocation: number;
  workerMemoryGb: number;
  /** Stated share of worker invocations that start a fresh container, paying the module load (INIT is billed). */
  coldStartShare: number;
  /** Measured module load of the worker's entry, ms. */
  workerInitMs: number;
  /** Powertools Idempotency per job: its record written twice (in progress, completed) and read once. */
  idempotencyWriteUnits: number;
  idempotencyReadUnits: number;
  /** The night's sync report, kept for the merchant: WRU of writing it (about 3 KB). */
  reportWriteUnits: number;
  /**
   * Email: with the accountant's daily digest, one message a day per recipient covers all of a merchant's
   * locations (and of an accountant's clients: `merchantsPerDigest`); a location that failed also alerts
   * the merchant (`failedNightShare` of nights).
   */
  digestRecipientsPerMerchant: number;
  merchantsPerDigest: number;
  failedNightShare: number;
  schedulerMemoryGb: number;
  schedulerTicksPerDay: number;
  /** A tick's time with nothing due, and what each due location adds, ms. */
  schedulerTickBaseMs: number;
  schedulerMsPerLocation: number;
  /** DynamoDB reads of an empty tick (one Query per due-index shard), and per due location (read the location, move its entry). */
  schedulerReadUnitsPerTick: number;
  schedulerReadUnitsPerLocationDay: number;
  schedulerWriteUnitsPerLocationDay: number;
  /** SQS: the scheduler sends ten jobs to a SendMessageBatch; the event source receives and deletes per invocation; idle long polls. */
  sqsIdlePollsPerDay: number;
  /** Web app: requests per merchant-month, their time, and the share that meet a cold start (a low-traffic function). */
  apiRequestsPerMerchantMonth: number;
  apiMs: number;
  apiMemoryGb: number;
  apiColdStartShare: number;
  apiInitMs: number;
  /** Lambda's own START/END/REPORT lines per invocation, bytes. */
  platformLogBytesPerInvocation: number;
  logRetentionDays: number;
  /** Fixed: customer managed keys (the tokens' and the table's), alarms and custom metrics (infra/stack.ts). */
  kmsKeys: number;
  alarms: number;
  customMetrics: number;
  /** Storage: bytes kept per location-day (its sync record and report, for the life of the account), and the average age of an account, months. */
  storedBytesPerLocationDay: number;
  averageAccountMonths: number;
}

export interface CostLine {
  item: string;
  quantityPerMonth: number;
  unit: string;
  usdPerMonth: number;
}

export interface CostResult {
  merchants: number;
  lines: CostLine[];
  usdPerMonth: number;
  usdPerMerchantMonth: number;
}

/** The seconds one night job is billed for: its CPU and its wait on the providers. */
export function jobSeconds(night: JobProfile, a: Pick<CostAssumptions, "providerLatencyMs">): number {
  return (night.cpuMs + night.providerCalls * a.providerLatencyMs) / 1000;
}

export function costModel(merchants: number, night: JobProfile, a: CostAssumptions, prices: PriceTable): CostResult {
  if (!(merchants > 0)) throw new RangeError("merchants must be positive");
  const locationDays = merchants * a.locationsPerMerchant * a.daysPerMonth;
  const jobs = locationDays * a.jobsPerLocationDay;
  const workerInvocations = jobs / a.jobsPerWorkerInvocation;
  const ticks = a.schedulerTicksPerDay * a.daysPerMonth;
  const apiRequests = merchants * a.apiRequestsPerMerchantMonth;

  const workerSeconds = jobs * jobSeconds(night, a) + workerInvocations * a.coldStartShare * a.workerInitMs / 1000;
  const schedulerSeconds = (ticks * a.schedulerTickBaseMs + locationDays * a.schedulerMsPerLocation) / 1000;
  const apiSeconds = apiRequests * (a.apiMs + a.apiColdStartShare * a.apiInitMs) / 1000;
  const gbSeconds = workerSeconds * a.workerMemoryGb + schedulerSeconds * a.schedulerMemoryGb + apiSeconds * a.apiMemoryGb;

  const readUnits = jobs * (night.readUnits + a.idempotencyReadUnits) + ticks * a.schedulerReadUnitsPerTick + locationDays * a.schedulerReadUnitsPerLocationDay;
  const writeUnits = jobs * (night.writeUnits + a.idempotencyWriteUnits + a.reportWriteUnits) + locationDays * a.schedulerWriteUnitsPerLocationDay;
  const sqsRequests = Math.ceil(jobs / 10) + 2 * workerInvocations + a.sqsIdlePollsPerDay * a.daysPerMonth;
  const kmsRequests = jobs * night.kmsRequests;
  const emails = merchants * a.daysPerMonth * a.digestRecipientsPerMerchant / a.merchantsPerDigest + jobs * a.failedNightShare;
  const invocations = workerInvocations + ticks + apiRequests;
  const logGb = (jobs * night.logBytes + invocations * a.platformLogBytesPerInvocation) / 1e9;
  const storedGb = merchants * a.locationsPerMerchant * a.daysPerMonth * a.averageAccountMonths * a.storedBytesPerLocationDay / 1e9;

  const line = (item: string, quantityPerMonth: number, unit: string, unitPrice: number): CostLine =>
    ({ item, quantityPerMonth, unit, usdPerMonth: quantityPerMonth * unitPrice });
  const lines = [
    line("Lambda requests (worker, scheduler, api)", invocations, "requests", prices.lambdaRequest),
    line("Lambda duration (arm64)", gbSeconds, "GB-s", prices.lambdaArmGbSecond),
    line("SQS FIFO requests", sqsRequests, "requests", prices.sqsFifoRequest),
    line("DynamoDB reads (on-demand)", readUnits, "RRU", prices.dynamoReadRequestUnit),
    line("DynamoDB writes (on-demand)", writeUnits, "WRU", prices.dynamoWriteRequestUnit),
    line("DynamoDB storage", storedGb, "GB-months", prices.dynamoStorageGbMonth),
    line("DynamoDB backups (PITR)", storedGb, "GB-months", prices.dynamoBackupGbMonth),
    line("KMS requests", kmsRequests, "requests", prices.kmsRequest),
    line("KMS keys", a.kmsKeys, "key-months", prices.kmsKeyMonth),
    line("SES emails (per recipient)", emails, "emails", prices.sesEmail),
    line("EventBridge Scheduler", ticks, "invocations", prices.schedulerInvocation),
    line("CloudWatch alarms", a.alarms, "alarm-months", prices.cloudwatchAlarm),
    line("CloudWatch custom metrics", a.customMetrics, "metric-months", prices.customMetric),
    line("CloudWatch Logs ingestion", logGb, "GB", prices.logsIngestGb),
    line("CloudWatch Logs storage", logGb * (a.logRetentionDays / a.daysPerMonth), "GB-months", prices.logsStoreGbMonth),
  ];
  const usdPerMonth = lines.reduce((total, entry) => total + entry.usdPerMonth, 0);
  return { merchants, lines, usdPerMonth, usdPerMerchantMonth: usdPerMonth / merchants };
}

/** The fewest API calls one location-night can take (its day read once, its re-checks free), from the page limits in shared/reference. */
export interface MinimumCallsInput {
  pos: "square" | "clover";
  /** Orders the night's changes hold (updated since the day's start). */
  orders: number;
  /** Square: payments and refunds created in the day. */
  payments?: number;
  refunds?: number;
  /** Square: BatchRetrieve calls the catalog needs at least (two: related objects go one level deep, variation → item → category). */
  catalogCalls?: number;
  /** Clover: inventory items, live and deleted. */
  items?: number;
  /** QuickBooks: whether the access token (1 h) must be refreshed first, as on every nightly run. */
  tokenRefresh: boolean;
}

export interface MinimumCalls {
  byEndpoint: Record<string, number>;
  total: number;
}

const pages = (count: number, limit: number): number => Math.max(1, Math.ceil(count / limit));

/**
 * Square: SearchOrders max 1000 per page (square.md §2.2), ListPayments and ListPaymentRefunds max
 * 100 (§2.4), BatchRetrieveCatalogObjects ids per call. Clover: 1000 per page, at most three expansions
 * per call and eight needed, so three copies of each page (clover.md §2.1), items 1000 per page
 * and one list of the deleted ones. QuickBooks: one create; the DocNumber query that
 * makes the post exactly-once is not required by the API, so the minimum leaves it out (qbo.md §3).
 */
export function minimumCalls(input: MinimumCallsInput): MinimumCalls {
  const byEndpoint: Record<string, number> = {};
  if (input.pos === "square") {
    byEndpoint["SearchOrders"] = pages(input.orders, 1000);
    byEndpoint["ListPayments"] = pages(input.payments ?? 0, 100);
    byEndpoint["ListPaymentRefunds"] = pages(input.refunds ?? 0, 100);
    byEndpoint["BatchRetrieveCatalogObjects"] = input.catalogCalls ?? 1;
  } else {
    byEndpoint["ListOrders"] = 3 * pages(input.orders, 1000);
    // Live items, then the deleted ones (a sold item may be deleted since; Clover lists deleted objects
    // only when the filter asks for them, and then only them).
    byEndpoint["ListItems"] = pages(input.items ?? 0, 1000) + 1;
  }
  byEndpoint["QuickBooks create JournalEntry"] = 1;
  if (input.tokenRefresh) byEndpoint["QuickBooks token refresh"] = 1;
  const total = Object.values(byEndpoint).reduce((sum, count) => sum + count, 0);
  return { byEndpoint, total };
}
