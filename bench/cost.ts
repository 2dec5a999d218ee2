/**
 * The AWS cost model: monthly cost of daybook at a number of merchants, from a measured location-night
 * job (bench/cost-job.ts: the mean of a merchant's two locations' jobs of one night, their calls,
 * request units, KMS requests and stored bytes) and stated
 * assumptions, billed as AWS bills. Pure arithmetic, proven in test/unit/bench-cost.test.ts.
 */
import type { PriceTable } from "./prices";

/** Items a job leaves in the table, by kind: their bytes (DynamoDB's item size) and how long each kind is kept. */
export interface StoredItems {
  kind: string;
  bytes: number;
  /** lib/store/retention.ts's retention of the kind, in months (30.4 days). */
  keptMonths: number;
}

/**
 * What one location-night job costs, measured (bench/cost-job.ts: the whole job through the worker's SQS
 * handler; the mean of the merchant's two locations' jobs of a night, of which only the first refreshes
 * the QuickBooks token the two share).
 */
export interface JobProfile {
  /** CPU the job took on this machine (user + system), ms: the part of its duration that is not waiting. */
  cpuMs: number;
  /**
   * CPU of loading the modules a night loads on first use (the POS and QuickBooks clients' chunks), ms:
   * a warm worker has them already, a fresh container pays it on top of its entry's load.
   */
  coldLoadCpuMs?: number;
  /** Calls to the POS and QuickBooks: each waits on the provider. */
  providerCalls: number;
  /** Calls to AWS (DynamoDB, KMS): each waits on the region. */
  awsCalls: number;
  /** DynamoDB request units as DynamoDB bills them (bench/aws-counter.ts: the larger of the item before and after, index copies). */
  readUnits: number;
  writeUnits: number;
  /** KMS requests (Decrypt, GenerateDataKey, Encrypt). */
  kmsRequests: number;
  /** Bytes of log lines the job writes (the worker's own lines). */
  logBytes: number;
  /** What the job adds to the table, by kind: storage and backups bill it for as long as it is kept. */
  stored: StoredItems[];
  /**
   * Each call the job waited on, as recorded (bench/cost-job.ts: its start and end in the real run):
   * what the job's waits are on its critical path (waitPathMs). Without it, every call is taken to wait
   * after the one before.
   */
  calls?: RecordedCall[];
  /**
   * The calls of each job measured, when the profile is the mean of several (part 5: a merchant's two
   * locations' jobs of one night): the job's waits are the mean of their critical paths (jobWaitMs).
   */
  callsOfEach?: RecordedCall[][];
}

/** One call of a job as the run recorded it: to a provider (POS, QuickBooks) or to AWS, and when it was in flight (ms). */
export interface RecordedCall {
  name: string;
  to: "provider" | "aws";
  startMs: number;
  endMs: number;
}

/**
 * The stated wait of each provider call, ms: the model's (CostAssumptions.providerLatencyMs) and the
 * simulators' in part 5's measured job, so the calls a job makes at once overlap as they would.
 */
export const PROVIDER_LATENCY_MS = 300;

export interface CostAssumptions {
  locationsPerMerchant: number;
  daysPerMonth: number;
  /** One job per location-night (lib/sync/sync-night.ts): its day and the re-checks of the three before. */
  jobsPerLocationDay: number;
  /** Stated: how long each POS or QuickBooks call waits on the provider, ms (loopback timings leave it out). */
  providerLatencyMs: number;
  /** Stated: how long each DynamoDB or KMS call waits, in the region, ms. */
  awsLatencyMs: number;
  /** Jobs one worker invocation handles (1 is the worst case: FIFO groups per QuickBooks company keep batches small). */
  jobsPerWorkerInvocation: number;
  /** infra/capacity.ts's FUNCTION_MEMORY_MB, in GB. */
  workerMemoryGb: number;
  /**
   * How much longer the worker's CPU work takes on Lambda than measured here: Lambda gives a function
   * CPU in proportion to its memory, one vCPU at 1,769 MB, so at 512 MB CPU-bound work takes 1769/512
   * as long (this machine's core taken as one vCPU).
   */
  workerCpuSlowdown: number;
  /** Stated share of worker invocations that start a fresh container, paying the module load (INIT is billed). */
  coldStartShare: number;
  /** Measured module load of the worker's entry, ms. */
  workerInitMs: number;
  /**
   * Email: with the accountant's daily digest, one message a day per recipient covers all of a merchant's
   * locations, and all of an accountant's clients (`merchantsPerDigest`: the merchants one digest covers
   * on average); a location that failed also alerts the merchant (`failedNightShare` of nights).
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
  /**
   * The morning digest step (the scheduler, lib/report/digest.ts, lib/store/digests.ts): per
   * merchant-day, what it reads, measured (bench/digest-reads.ts: the merchant, its locations, each
   * day's record and the week's reports, its recipients and members, and the Deposits section's payout
   * and sync records, most of it), and, counted from its code, what it writes (the mark removed, the
   * accountant's part and mark) and its time; per digest sent, its claim and sent mark (and a combined
   * digest's seal) and its time (made and handed to SES).
   */
  digestReadUnitsPerMerchantDay: number;
  digestWriteUnitsPerMerchantDay: number;
  digestMsPerMerchantDay: number;
  digestWriteUnitsPerDigest: number;
  digestMsPerDigest: number;
  /**
   * The refresh sweep (lib/connections/refresh-sweep.ts, every 6 hours on the worker): each active
   * connection found through GSI2 and read from the table; its tokens opened (one KMS Decrypt) only
   * when the time kept beside them has come (at most a week after they were last written or looked at).
   */
  sweepsPerDay: number;
  connectionsPerMerchant: number;
  /**
   * KMS requests a night job makes beyond the measured night's, averaged over the month: the merchant's
   * two connections carry one data key (lib/vault/kms.ts) except after a month turns, from QuickBooks'
   * first refresh of the month (a new key) until the night after the POS's tokens are next sealed, when
   * the night opens both (a second Decrypt).
   */
  jobExtraKmsRequests: number;
  sweepReadUnitsPerConnection: number;
  sweepKmsRequestsPerConnection: number;
  /** Writes per connection checked: the kept time of one opened and found not due, a refresh's lease and tokens. */
  sweepWriteUnitsPerConnection: number;
  sweepMsPerConnection: number;
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
  /** The average age of an account, months: nothing is kept longer than the account (storage grows to min(age, retention)). */
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

/**
 * A job's waits on its critical path, ms, at the stated latencies: each recorded call is taken to wait
 * on every call that had ended before it started in the run (its order is what the code allowed), and
 * on nothing else, so calls in flight together wait once. The longest such chain of stated waits.
 */
export function waitPathMs(calls: readonly RecordedCall[], a: Pick<CostAssumptions, "providerLatencyMs" | "awsLatencyMs">): number {
  const ordered = [...calls].sort((x, y) => x.startMs - y.startMs);
  const finish: number[] = [];
  let longest = 0;
  for (const [index, call] of ordered.entries()) {
    let ready = 0;
    for (let before = 0; before < index; before++) {
      if ((ordered[before] as RecordedCall).endMs <= call.startMs) ready = Math.max(ready, finish[before] as number);
    }
    finish[index] = ready + (call.to === "provider" ? a.providerLatencyMs : a.awsLatencyMs);
    longest = Math.max(longest, finish[index]);
  }
  return longest;
}

/**
 * The waits one night job is billed for, ms: the mean of the measured jobs' critical paths when it is
 * the mean of several, its critical path when its calls were recorded, else every call in turn.
 */
export function jobWaitMs(job: Pick<JobProfile, "providerCalls" | "awsCalls" | "calls" | "callsOfEach">, a: Pick<CostAssumptions, "providerLatencyMs" | "awsLatencyMs">): number {
  if (job.callsOfEach?.length) return job.callsOfEach.reduce((total, calls) => total + waitPathMs(calls, a), 0) / job.callsOfEach.length;
  return job.calls ? waitPathMs(job.calls, a) : job.providerCalls * a.providerLatencyMs + job.awsCalls * a.awsLatencyMs;
}

/**
 * The seconds one night job is billed for: its CPU at the worker's share of a vCPU (taken as never
 * overlapping a wait: an upper bound) and its waits on the providers and on AWS.
 */
export function jobSeconds(
  job: Pick<JobProfile, "cpuMs" | "providerCalls" | "awsCalls" | "calls" | "callsOfEach">, a: Pick<CostAssumptions, "providerLatencyMs" | "awsLatencyMs" | "workerCpuSlowdown">,
): number {
  return (job.cpuMs * a.workerCpuSlowdown + jobWaitMs(job, a)) / 1000;
}

/** Bytes stored per location at steady state: each kind's bytes a day, for as long as it is kept (never longer than the account). */
export function storedBytesPerLocation(job: Pick<JobProfile, "stored">, a: Pick<CostAssumptions, "daysPerMonth" | "averageAccountMonths">): number {
  return job.stored.reduce((total, each) => total + each.bytes * a.daysPerMonth * Math.min(each.keptMonths, a.averageAccountMonths), 0);
}

export function costModel(merchants: number, job: JobProfile, a: CostAssumptions, prices: PriceTable): CostResult {
  if (!(merchants > 0)) throw new RangeError("merchants must be positive");
  if (!(a.merchantsPerDigest >= 1)) throw new RangeError("a digest covers at least one merchant");
  const locationDays = merchants * a.locationsPerMerchant * a.daysPerMonth;
  const jobs = locationDays * a.jobsPerLocationDay;
  const workerInvocations = jobs / a.jobsPerWorkerInvocation;
  const ticks = a.schedulerTicksPerDay * a.daysPerMonth;
  const apiRequests = merchants * a.apiRequestsPerMerchantMonth;

  const merchantDays = merchants * a.daysPerMonth;
  const digests = merchantDays * a.digestRecipientsPerMerchant / a.merchantsPerDigest;
  const connectionChecks = merchants * a.connectionsPerMerchant * a.sweepsPerDay * a.daysPerMonth;
  const sweeps = a.sweepsPerDay * a.daysPerMonth;
  const coldMs = a.workerInitMs + (job.coldLoadCpuMs ?? 0) * a.workerCpuSlowdown;
  const workerSeconds = jobs * jobSeconds(job, a) + workerInvocations * a.coldStartShare * coldMs / 1000 + connectionChecks * a.sweepMsPerConnection / 1000;
  const schedulerSeconds = (ticks * a.schedulerTickBaseMs + locationDays * a.schedulerMsPerLocation + merchantDays * a.digestMsPerMerchantDay + digests * a.digestMsPerDigest) / 1000;
  const apiSeconds = apiRequests * (a.apiMs + a.apiColdStartShare * a.apiInitMs) / 1000;
  const gbSeconds = workerSeconds * a.workerMemoryGb + schedulerSeconds * a.schedulerMemoryGb + apiSeconds * a.apiMemoryGb;

  const readUnits = jobs * job.readUnits + ticks * a.schedulerReadUnitsPerTick + locationDays * a.schedulerReadUnitsPerLocationDay
    + merchantDays * a.digestReadUnitsPerMerchantDay + connectionChecks * a.sweepReadUnitsPerConnection;
  const writeUnits = jobs * job.writeUnits + locationDays * a.schedulerWriteUnitsPerLocationDay
    + digests * a.digestWriteUnitsPerDigest + merchantDays * a.digestWriteUnitsPerMerchantDay + connectionChecks * a.sweepWriteUnitsPerConnection;
  const sqsRequests = Math.ceil(jobs / 10) + 2 * workerInvocations + a.sqsIdlePollsPerDay * a.daysPerMonth;
  const kmsRequests = jobs * (job.kmsRequests + a.jobExtraKmsRequests) + connectionChecks * a.sweepKmsRequestsPerConnection;
  const emails = digests + jobs * a.failedNightShare;
  const invocations = workerInvocations + ticks + sweeps + apiRequests;
  const logGb = (jobs * job.logBytes + invocations * a.platformLogBytesPerInvocation) / 1e9;
  const storedGb = merchants * a.locationsPerMerchant * storedBytesPerLocation(job, a) / 1e9;

  const line = (item: string, quantityPerMonth: number, unit: string, unitPrice: number): CostLine =>
    ({ item, quantityPerMonth, unit, usdPerMonth: quantityPerMonth * unitPrice });
  const lines = [
    line("Lambda requests (worker, sweep, scheduler, api)", invocations, "requests", prices.lambdaRequest),
    line("Lambda duration (arm64)", gbSeconds, "GB-s", prices.lambdaArmGbSecond),
    line("SQS FIFO requests", sqsRequests, "requests", prices.sqsFifoRequest),
    line("DynamoDB reads (on-demand)", readUnits, "RRU", prices.dynamoReadRequestUnit),
    line("DynamoDB writes (on-demand)", writeUnits, "WRU", prices.dynamoWriteRequestUnit),
    line("DynamoDB storage", storedGb, "GB-months", prices.dynamoStorageGbMonth),
    line("DynamoDB backups (PITR)", storedGb, "GB-months", prices.dynamoBackupGbMonth),
    line("KMS requests", kmsRequests, "requests", prices.kmsRequest),
    line("KMS keys", a.kmsKeys, "key-months", prices.kmsKeyMonth),
    line("SES emails (per recipient)", emails, "emails", prices.sesEmail),
    line("EventBridge Scheduler", ticks + sweeps, "invocations", prices.schedulerInvocation),
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
  /**
   * Square payouts (a location that posts them): `listed`, the payouts ListPayouts must page through
   * (every status over the look-back, which is how a payout changed since is found); `entries`, the entry
   * count of each payout whose entries are needed (one daybook has no record of: the night's new one; a
   * payout turned PAID, or listed again unchanged, needs none); `posted`, the entries created for them.
   */
  payouts?: { listed: number; entries: readonly number[]; posted: number };
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
 * Square payouts: the listing's pages, each needed payout's entries' pages, and one create per payout posted.
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
  if (input.payouts) {
    // ListPayouts and ListPayoutEntries: at most 100 a page (the spec's limit).
    byEndpoint["ListPayouts"] = pages(input.payouts.listed, 100);
    if (input.payouts.entries.length > 0) byEndpoint["ListPayoutEntries"] = input.payouts.entries.reduce((sum, entries) => sum + pages(entries, 100), 0);
  }
  byEndpoint["QuickBooks create JournalEntry"] = 1 + (input.payouts?.posted ?? 0);
  if (input.tokenRefresh) byEndpoint["QuickBooks token refresh"] = 1;
  const total = Object.values(byEndpoint).reduce((sum, count) => sum + count, 0);
  return { byEndpoint, total };
}
