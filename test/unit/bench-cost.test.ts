import { describe, expect, it } from "vitest";
import { type CostAssumptions, costModel, type JobProfile, jobSeconds, minimumCalls, type RecordedCall, waitPathMs } from "../../bench/cost";
import { PRICE_TABLE, PRICES, type PriceTable } from "../../bench/prices";

const zeroAssumptions: CostAssumptions = {
  locationsPerMerchant: 2, daysPerMonth: 30, jobsPerLocationDay: 1, providerLatencyMs: 0, awsLatencyMs: 0, jobsPerWorkerInvocation: 1,
  workerMemoryGb: 1, workerCpuSlowdown: 1, coldStartShare: 0, workerInitMs: 0,
  digestRecipientsPerMerchant: 0, merchantsPerDigest: 1, failedNightShare: 0,
  schedulerMemoryGb: 0.5, schedulerTicksPerDay: 0, schedulerTickBaseMs: 0,
  schedulerMsPerLocation: 0, schedulerReadUnitsPerTick: 0, schedulerReadUnitsPerLocationDay: 0, schedulerWriteUnitsPerLocationDay: 0,
  digestReadUnitsPerMerchantDay: 0, digestWriteUnitsPerMerchantDay: 0, digestMsPerMerchantDay: 0, digestWriteUnitsPerDigest: 0, digestMsPerDigest: 0,
  sweepsPerDay: 0, connectionsPerMerchant: 0, jobExtraKmsRequests: 0, sweepReadUnitsPerConnection: 0, sweepKmsRequestsPerConnection: 0, sweepWriteUnitsPerConnection: 0, sweepMsPerConnection: 0,
  sqsIdlePollsPerDay: 0, apiRequestsPerMerchantMonth: 0, apiMs: 0, apiMemoryGb: 1, apiColdStartShare: 0, apiInitMs: 0,
  platformLogBytesPerInvocation: 0, logRetentionDays: 0, kmsKeys: 0, alarms: 0, customMetrics: 0, averageAccountMonths: 0,
};
const idle: JobProfile = { cpuMs: 0, providerCalls: 0, awsCalls: 0, readUnits: 0, writeUnits: 0, kmsRequests: 0, logBytes: 0, stored: [] };
/** Every price 1, so each line's cost is its quantity. */
const unitPrices = Object.fromEntries(Object.keys(PRICE_TABLE).map((name) => [name, 1])) as PriceTable;

const lineOf = (lines: { item: string; quantityPerMonth: number; usdPerMonth: number }[], prefix: string) => {
  const found = lines.find((line) => line.item.startsWith(prefix));
  if (!found) throw new Error(`no line ${prefix}`);
  return found;
};

describe("the benchmarks' cost model", () => {
  it("multiplies one location-night's measurements by the nights of a month", () => {
    // 10 merchants × 2 locations × 30 days = 600 location-nights, one job each.
    const night: JobProfile = { ...idle, cpuMs: 200, providerCalls: 8, awsCalls: 40, readUnits: 36, writeUnits: 20, kmsRequests: 3 };
    const a = { ...zeroAssumptions, providerLatencyMs: 300, awsLatencyMs: 15 };
    const { lines, usdPerMonth, usdPerMerchantMonth } = costModel(10, night, a, unitPrices);
    expect(lineOf(lines, "Lambda requests").quantityPerMonth).toBe(600);
    // Billed: the CPU and the waits on the providers and on AWS, 0.2 s + 8 × 0.3 s + 40 × 0.015 s = 3.2 s a job, at 1 GB.
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBeCloseTo(600 * 3.2, 9);
    // The job's own units, as measured: nothing added on top.
    expect(lineOf(lines, "DynamoDB reads").quantityPerMonth).toBe(600 * 36);
    expect(lineOf(lines, "DynamoDB writes").quantityPerMonth).toBe(600 * 20);
    expect(lineOf(lines, "KMS requests").quantityPerMonth).toBe(600 * 3);
    // The stated share of nights that open two data keys (after a month turns) adds to every job's.
    expect(lineOf(costModel(10, night, { ...a, jobExtraKmsRequests: 0.25 }, unitPrices).lines, "KMS requests").quantityPerMonth).toBe(600 * 3.25);
    // SQS: one SendMessageBatch per ten jobs, a receive and a delete per invocation.
    expect(lineOf(lines, "SQS").quantityPerMonth).toBe(60 + 2 * 600);
    expect(usdPerMonth).toBeCloseTo(lines.reduce((total, line) => total + line.quantityPerMonth, 0), 6);
    expect(usdPerMerchantMonth).toBeCloseTo(usdPerMonth / 10, 9);
  });

  it("bills SES per recipient: a daily digest per recipient, shared by an accountant's clients, and an alert per failed night", () => {
    const a = { ...zeroAssumptions, digestRecipientsPerMerchant: 2, merchantsPerDigest: 4, failedNightShare: 0.05 };
    const { lines } = costModel(8, idle, a, unitPrices);
    // 8 merchants × 30 days × 2 recipients ÷ 4 = 120 digests; 480 location-nights × 5% = 24 alerts.
    expect(lineOf(lines, "SES").quantityPerMonth).toBeCloseTo(120 + 24, 9);
  });

  it("charges fixed costs once, so a merchant costs less at scale", () => {
    const a = { ...zeroAssumptions, kmsKeys: 2, alarms: 4, customMetrics: 1, schedulerTicksPerDay: 96, schedulerTickBaseMs: 200, schedulerReadUnitsPerTick: 16, sqsIdlePollsPerDay: 1000 };
    const small = costModel(10, idle, a, PRICE_TABLE);
    const large = costModel(1000, idle, a, PRICE_TABLE);
    for (const fixed of ["KMS keys", "CloudWatch alarms", "CloudWatch custom metrics", "EventBridge", "Lambda duration", "DynamoDB reads"]) {
      expect(lineOf(large.lines, fixed).usdPerMonth).toBeCloseTo(lineOf(small.lines, fixed).usdPerMonth, 12);
    }
    expect(lineOf(small.lines, "KMS keys").usdPerMonth).toBe(2);
    expect(lineOf(small.lines, "CloudWatch alarms").usdPerMonth).toBeCloseTo(0.4, 12);
    expect(large.usdPerMerchantMonth).toBeLessThan(small.usdPerMerchantMonth / 10);
    // 96 ticks a day × 30 days × 0.2 s × 0.5 GB.
    expect(lineOf(small.lines, "Lambda duration").quantityPerMonth).toBeCloseTo(96 * 30 * 0.2 * 0.5, 9);
    expect(lineOf(small.lines, "EventBridge").usdPerMonth).toBeCloseTo(96 * 30 * PRICES.schedulerInvocation.usd, 12);
  });

  it("adds cold starts (the api's too), logs, and storage and backups that grow for as long as each kind is kept", () => {
    const a = {
      ...zeroAssumptions, coldStartShare: 0.5, workerInitMs: 800, apiRequestsPerMerchantMonth: 10, apiColdStartShare: 0.5, apiInitMs: 400,
      platformLogBytesPerInvocation: 1e6, logRetentionDays: 15, averageAccountMonths: 12,
    };
    const job: JobProfile = {
      ...idle,
      stored: [
        { kind: "sync-record", bytes: 1000, keptMonths: 13 }, { kind: "report", bytes: 4000, keptMonths: 13 },
        { kind: "digest-mark", bytes: 300, keptMonths: 0.1 }, { kind: "connection", bytes: 200, keptMonths: 0 },
      ],
    };
    const { lines } = costModel(1, job, a, unitPrices);
    // 60 location-nights, half of them cold at 0.8 s; 10 web requests, half cold at 0.4 s.
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBeCloseTo(60 * 0.5 * 0.8 + 10 * 0.5 * 0.4, 9);
    expect(lineOf(lines, "CloudWatch Logs ingestion").quantityPerMonth).toBeCloseTo(70 * 1e6 / 1e9, 9);
    expect(lineOf(lines, "CloudWatch Logs storage").quantityPerMonth).toBeCloseTo(0.07 * 15 / 30, 9);
    // 2 locations × 30 days a month: the records and reports for 12 months (the account is younger than
    // their 13), the digest marks for a tenth of a month, the connection replaced in place.
    const bytes = 2 * 30 * (5000 * 12 + 300 * 0.1);
    expect(lineOf(lines, "DynamoDB storage").quantityPerMonth).toBeCloseTo(bytes / 1e9, 12);
    expect(lineOf(lines, "DynamoDB backups").quantityPerMonth).toBeCloseTo(bytes / 1e9, 12);
    // An account older than the retention keeps no more than it.
    const old = costModel(1, job, { ...a, averageAccountMonths: 40 }, unitPrices);
    expect(lineOf(old.lines, "DynamoDB storage").quantityPerMonth).toBeCloseTo(2 * 30 * (5000 * 13 + 300 * 0.1) / 1e9, 12);
  });

  it("bills a job's waits on its critical path: calls in flight together wait once, a call waits for those that ended before it started", () => {
    const call = (name: string, to: RecordedCall["to"], startMs: number, endMs: number): RecordedCall => ({ name, to, startMs, endMs });
    const a = { providerLatencyMs: 300, awsLatencyMs: 15, workerCpuSlowdown: 1 };
    const calls = [
      call("GetItem", "aws", 0, 5),
      // Orders, payments and refunds at once, after the read; the catalog after the orders.
      call("SearchOrders", "provider", 6, 9), call("ListPayments", "provider", 6, 8), call("ListPaymentRefunds", "provider", 7, 8),
      call("BatchRetrieve", "provider", 10, 11),
      // The payments' second page follows the first, still in flight when the catalog is asked for.
      call("ListPayments 2", "provider", 8.5, 10.5),
      call("PutItem", "aws", 12, 13),
    ];
    // 15 (the read) + 300 (the three at once) + 300 (the catalog, beside the payments' second page) + 15 (the write).
    expect(waitPathMs(calls, a)).toBe(630);
    // Not recorded: every call in turn.
    expect(jobSeconds({ cpuMs: 100, providerCalls: 5, awsCalls: 2 }, a)).toBeCloseTo((100 + 5 * 300 + 2 * 15) / 1000, 9);
    expect(jobSeconds({ cpuMs: 100, providerCalls: 5, awsCalls: 2, calls }, a)).toBeCloseTo((100 + 630) / 1000, 9);
    // At 512 MB Lambda gives 512/1769 of a vCPU: the CPU takes 1769/512 as long.
    expect(jobSeconds({ cpuMs: 100, providerCalls: 0, awsCalls: 0, calls: [] }, { ...a, workerCpuSlowdown: 1769 / 512 })).toBeCloseTo(100 * 1769 / 512 / 1000, 9);
  });

  it("bills a job measured as the mean of several (a merchant's two locations' nights) at the mean of their critical paths", () => {
    const call = (name: string, to: RecordedCall["to"], startMs: number, endMs: number): RecordedCall => ({ name, to, startMs, endMs });
    const a = { providerLatencyMs: 300, awsLatencyMs: 15, workerCpuSlowdown: 1 };
    // The first refreshes the QuickBooks token (a lease write, the token call, the token write) before it posts; the second posts at once.
    const first = [call("UpdateItem lease", "aws", 0, 1), call("POST token", "provider", 2, 3), call("UpdateItem tokens", "aws", 4, 5), call("POST journalentry", "provider", 6, 7)];
    const second = [call("POST journalentry", "provider", 0, 1)];
    expect(waitPathMs(first, a)).toBe(630);
    expect(waitPathMs(second, a)).toBe(300);
    // (630 + 300) / 2, whatever `calls` holds (the first's, kept for the record).
    expect(jobSeconds({ cpuMs: 100, providerCalls: 2.5, awsCalls: 1, calls: first, callsOfEach: [first, second] }, a)).toBeCloseTo((100 + 465) / 1000, 9);
  });

  it("bills the scheduler's writes per due location, the morning digest step, and the refresh sweep's token checks", () => {
    const a = {
      ...zeroAssumptions, schedulerWriteUnitsPerLocationDay: 3, schedulerReadUnitsPerLocationDay: 2, digestRecipientsPerMerchant: 1, merchantsPerDigest: 5,
      digestReadUnitsPerMerchantDay: 8, digestWriteUnitsPerMerchantDay: 3, digestMsPerMerchantDay: 200, digestWriteUnitsPerDigest: 3, digestMsPerDigest: 100,
      sweepsPerDay: 4, connectionsPerMerchant: 2, sweepReadUnitsPerConnection: 1, sweepKmsRequestsPerConnection: 1, sweepWriteUnitsPerConnection: 0.25, sweepMsPerConnection: 30,
    };
    const { lines } = costModel(10, idle, a, unitPrices);
    // 10 merchants × 30 days: 600 location-days, 300 merchant-days, 60 digests, 2,400 connection checks.
    expect(lineOf(lines, "DynamoDB writes").quantityPerMonth).toBeCloseTo(600 * 3 + 300 * 3 + 60 * 3 + 2400 * 0.25, 9);
    expect(lineOf(lines, "DynamoDB reads").quantityPerMonth).toBeCloseTo(600 * 2 + 300 * 8 + 2400 * 1, 9);
    expect(lineOf(lines, "KMS requests").quantityPerMonth).toBeCloseTo(2400, 9);
    // The worker's sweep at 1 GB, the scheduler's digest step at 0.5 GB.
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBeCloseTo(2400 * 0.03 * 1 + (300 * 0.2 + 60 * 0.1) * 0.5, 9);
    // 4 sweeps a day are invocations of the worker and of EventBridge Scheduler.
    expect(lineOf(lines, "EventBridge").quantityPerMonth).toBe(120);
    expect(lineOf(lines, "Lambda requests").quantityPerMonth).toBe(600 + 120);
  });

  it("bills the modules a night loads on first use on the share of invocations that start a fresh container, at the worker's share of a vCPU", () => {
    const a = { ...zeroAssumptions, coldStartShare: 0.1, workerInitMs: 80, workerCpuSlowdown: 2 };
    const { lines } = costModel(10, { ...idle, coldLoadCpuMs: 50 }, a, unitPrices);
    // 600 invocations, 10% cold, each paying its entry's 80 ms and 50 ms of CPU at half a vCPU, at 1 GB.
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBeCloseTo(600 * 0.1 * (80 + 50 * 2) / 1000, 9);
  });

  it("refuses no merchants", () => {
    expect(() => costModel(0, idle, zeroAssumptions, PRICE_TABLE)).toThrow(RangeError);
    expect(() => costModel(1, idle, { ...zeroAssumptions, merchantsPerDigest: 0 }, PRICE_TABLE)).toThrow(RangeError);
  });

  it("uses the list prices it names, each with a source", () => {
    expect(PRICE_TABLE.lambdaArmGbSecond).toBe(0.0000133334);
    expect(PRICE_TABLE.sqsFifoRequest).toBeCloseTo(0.5e-6, 15);
    for (const price of Object.values(PRICES)) expect(price.source).toMatch(/^https:\/\//);
  });
});

describe("the fewest API calls of a location-night", () => {
  it("counts Square pages from the page limits", () => {
    const fewest = minimumCalls({ pos: "square", orders: 10_001, payments: 10_050, refunds: 0, catalogCalls: 2, tokenRefresh: true });
    expect(fewest.byEndpoint).toEqual({
      SearchOrders: 11, ListPayments: 101, ListPaymentRefunds: 1, BatchRetrieveCatalogObjects: 2,
      "QuickBooks create JournalEntry": 1, "QuickBooks token refresh": 1,
    });
    expect(fewest.total).toBe(117);
  });

  it("counts a payouts night's listing, the entries of the payouts that need them only, and each payout's create", () => {
    // Part 5's night: 4 payouts in the look-back, the new one's 121 entries in two pages, one deposit posted.
    const fewest = minimumCalls({ pos: "square", orders: 100, payments: 150, refunds: 3, catalogCalls: 2, tokenRefresh: true, payouts: { listed: 4, entries: [121], posted: 1 } });
    expect(fewest.byEndpoint).toEqual({
      SearchOrders: 1, ListPayments: 2, ListPaymentRefunds: 1, BatchRetrieveCatalogObjects: 2, ListPayouts: 1, ListPayoutEntries: 2,
      "QuickBooks create JournalEntry": 2, "QuickBooks token refresh": 1,
    });
    expect(fewest.total).toBe(12);
    // Nothing new: the listing alone.
    expect(minimumCalls({ pos: "square", orders: 100, payments: 150, refunds: 3, catalogCalls: 2, tokenRefresh: true, payouts: { listed: 3, entries: [], posted: 0 } }).total).toBe(9);
  });

  it("counts Clover's three expansion copies of each page, and the list of deleted items", () => {
    const fewest = minimumCalls({ pos: "clover", orders: 2000, items: 40, tokenRefresh: false });
    expect(fewest.byEndpoint).toEqual({ ListOrders: 6, ListItems: 2, "QuickBooks create JournalEntry": 1 });
    expect(fewest.total).toBe(9);
  });
});
