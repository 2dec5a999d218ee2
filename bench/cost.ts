/**
 * The AWS cost model: monthly cost of daybook at a number of merchants, from per-job measurements
 * (bench/end-to-end.ts) and stated assumptions. Pure arithmetic, proven in test/unit/bench-cost.test.ts.
 */
import type { PriceTable } from "./prices";

/** What one worker job costs in requests and time, measured. */
export interface JobProfile {
  /** Handler time, ms (billed duration). */
  workerMs: number;
  /** DynamoDB request units. */
  readUnits: number;
  writeUnits: number;
  kmsRequests: number;
  emails: number;
  /** Bytes of log lines the job writes (the worker's own lines). */
  logBytes: number;
}

export interface CostAssumptions {
  locationsPerMerchant: number;
  daysPerMonth: number;
  /** Jobs per location-day: the first sync and the re-checks (lib/schedule/due-days.ts RECHECK_DAYS). */
  firstJobsPerLocationDay: number;
  recheckJobsPerLocationDay: number;
  /** Jobs one worker invocation handles (1 is the worst case: FIFO groups per QuickBooks company keep batches small). */
  jobsPerWorkerInvocation: number;
  workerMemoryGb: number;
  /** Share of worker invocations that start a fresh container, paying the module load (INIT is billed). */
  coldStartShare: number;
  /** Measured module load of the worker bundle, ms. */
  workerInitMs: number;
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
  /** Web app: requests per merchant-month and their time. */
  apiRequestsPerMerchantMonth: number;
  apiMs: number;
  apiMemoryGb: number;
  /** Lambda's own START/END/REPORT lines per invocation, bytes. */
  platformLogBytesPerInvocation: number;
  logRetentionDays: number;
  kmsKeys: number;
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

export function costModel(
  merchants: number, first: JobProfile, recheck: JobProfile, a: CostAssumptions, prices: PriceTable,
): CostResult {
  if (!(merchants > 0)) throw new RangeError("merchants must be positive");
  const locationDays = merchants * a.locationsPerMerchant * a.daysPerMonth;
  const firstJobs = locationDays * a.firstJobsPerLocationDay;
  const recheckJobs = locationDays * a.recheckJobsPerLocationDay;
  const jobs = firstJobs + recheckJobs;
  const workerInvocations = jobs / a.jobsPerWorkerInvocation;
  const ticks = a.schedulerTicksPerDay * a.daysPerMonth;
  const apiRequests = merchants * a.apiRequestsPerMerchantMonth;

  const workerSeconds = (firstJobs * first.workerMs + recheckJobs * recheck.workerMs + workerInvocations * a.coldStartShare * a.workerInitMs) / 1000;
  const schedulerSeconds = (ticks * a.schedulerTickBaseMs + locationDays * a.schedulerMsPerLocation) / 1000;
  const gbSeconds = workerSeconds * a.workerMemoryGb + schedulerSeconds * a.schedulerMemoryGb + (apiRequests * a.apiMs / 1000) * a.apiMemoryGb;

  const readUnits = firstJobs * first.readUnits + recheckJobs * recheck.readUnits
    + ticks * a.schedulerReadUnitsPerTick + locationDays * a.schedulerReadUnitsPerLocationDay;
  const writeUnits = firstJobs * first.writeUnits + recheckJobs * recheck.writeUnits + locationDays * a.schedulerWriteUnitsPerLocationDay;
  const sqsRequests = Math.ceil(jobs / 10) + 2 * workerInvocations + a.sqsIdlePollsPerDay * a.daysPerMonth;
  const kmsRequests = firstJobs * first.kmsRequests + recheckJobs * recheck.kmsRequests;
  const emails = firstJobs * first.emails + recheckJobs * recheck.emails;
  const invocations = workerInvocations + ticks + apiRequests;
  const logGb = (firstJobs * first.logBytes + recheckJobs * recheck.logBytes + invocations * a.platformLogBytesPerInvocation) / 1e9;

  const line = (item: string, quantityPerMonth: number, unit: string, unitPrice: number): CostLine =>
    ({ item, quantityPerMonth, unit, usdPerMonth: quantityPerMonth * unitPrice });
  const lines = [
    line("Lambda requests (worker, scheduler, api)", invocations, "requests", prices.lambdaRequest),
    line("Lambda duration (arm64)", gbSeconds, "GB-s", prices.lambdaArmGbSecond),
    line("SQS FIFO requests", sqsRequests, "requests", prices.sqsFifoRequest),
    line("DynamoDB reads (on-demand)", readUnits, "RRU", prices.dynamoReadRequestUnit),
    line("DynamoDB writes (on-demand)", writeUnits, "WRU", prices.dynamoWriteRequestUnit),
    line("KMS requests", kmsRequests, "requests", prices.kmsRequest),
    line("KMS key", a.kmsKeys, "key-months", prices.kmsKeyMonth),
    line("SES emails", emails, "emails", prices.sesEmail),
    line("EventBridge Scheduler", ticks, "invocations", prices.schedulerInvocation),
    line("CloudWatch Logs ingestion", logGb, "GB", prices.logsIngestGb),
    line("CloudWatch Logs storage", logGb * (a.logRetentionDays / a.daysPerMonth), "GB-months", prices.logsStoreGbMonth),
  ];
  const usdPerMonth = lines.reduce((total, entry) => total + entry.usdPerMonth, 0);
  return { merchants, lines, usdPerMonth, usdPerMerchantMonth: usdPerMonth / merchants };
}

/** The fewest API calls one location-day can take, from the page limits in shared/reference. */
export interface MinimumCallsInput {
  pos: "square" | "clover";
  /** Orders the day's queries return (Square: both SearchOrders passes; Clover: orders modified since the day's start). */
  orders: number;
  /** Square: payments and refunds created in the day. */
  payments?: number;
  refunds?: number;
  /** Square: BatchRetrieve calls the catalog needs at least (one when the day names ≤ 1000 variations and related objects come along). */
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
 * (deleted ones in the same list with filter). QuickBooks: one create; the DocNumber query that
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
    byEndpoint["ListItems"] = pages(input.items ?? 0, 1000);
  }
  byEndpoint["QuickBooks create JournalEntry"] = 1;
  if (input.tokenRefresh) byEndpoint["QuickBooks token refresh"] = 1;
  const total = Object.values(byEndpoint).reduce((sum, count) => sum + count, 0);
  return { byEndpoint, total };
}
