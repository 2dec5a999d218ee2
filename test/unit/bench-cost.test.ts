import { describe, expect, it } from "vitest";
import { type CostAssumptions, costModel, type JobProfile, minimumCalls } from "../../bench/cost";
import { PRICE_TABLE, PRICES, type PriceTable } from "../../bench/prices";

const zeroAssumptions: CostAssumptions = {
  locationsPerMerchant: 2, daysPerMonth: 30, firstJobsPerLocationDay: 1, recheckJobsPerLocationDay: 3, jobsPerWorkerInvocation: 1,
  workerMemoryGb: 1, coldStartShare: 0, workerInitMs: 0, schedulerMemoryGb: 0.5, schedulerTicksPerDay: 0, schedulerTickBaseMs: 0,
  schedulerMsPerLocation: 0, schedulerReadUnitsPerTick: 0, schedulerReadUnitsPerLocationDay: 0, schedulerWriteUnitsPerLocationDay: 0,
  sqsIdlePollsPerDay: 0, apiRequestsPerMerchantMonth: 0, apiMs: 0, apiMemoryGb: 1, platformLogBytesPerInvocation: 0, logRetentionDays: 0, kmsKeys: 0,
};
const idle: JobProfile = { workerMs: 0, readUnits: 0, writeUnits: 0, kmsRequests: 0, emails: 0, logBytes: 0 };
/** Every price 1, so each line's cost is its quantity. */
const unitPrices = Object.fromEntries(Object.keys(PRICE_TABLE).map((name) => [name, 1])) as PriceTable;

const lineOf = (lines: { item: string; quantityPerMonth: number; usdPerMonth: number }[], prefix: string) => {
  const found = lines.find((line) => line.item.startsWith(prefix));
  if (!found) throw new Error(`no line ${prefix}`);
  return found;
};

describe("the benchmarks' cost model", () => {
  it("multiplies per-job measurements by the jobs of a month", () => {
    // 10 merchants × 2 locations × 30 days = 600 location-days; 600 first jobs and 1800 re-checks.
    const first: JobProfile = { workerMs: 1000, readUnits: 5, writeUnits: 4, kmsRequests: 4, emails: 1, logBytes: 0 };
    const recheck: JobProfile = { workerMs: 500, readUnits: 5, writeUnits: 1, kmsRequests: 2, emails: 0, logBytes: 0 };
    const { lines, usdPerMonth, usdPerMerchantMonth } = costModel(10, first, recheck, zeroAssumptions, unitPrices);
    expect(lineOf(lines, "Lambda requests").quantityPerMonth).toBe(2400);
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBe(600 * 1 + 1800 * 0.5);
    expect(lineOf(lines, "DynamoDB reads").quantityPerMonth).toBe(2400 * 5);
    expect(lineOf(lines, "DynamoDB writes").quantityPerMonth).toBe(600 * 4 + 1800);
    expect(lineOf(lines, "KMS requests").quantityPerMonth).toBe(600 * 4 + 1800 * 2);
    expect(lineOf(lines, "SES").quantityPerMonth).toBe(600);
    // SQS: one SendMessageBatch per ten jobs, a receive and a delete per invocation.
    expect(lineOf(lines, "SQS").quantityPerMonth).toBe(240 + 2 * 2400);
    expect(usdPerMonth).toBeCloseTo(lines.reduce((total, line) => total + line.quantityPerMonth, 0), 6);
    expect(usdPerMerchantMonth).toBeCloseTo(usdPerMonth / 10, 9);
  });

  it("charges fixed costs once, so a merchant costs less at scale", () => {
    const a = { ...zeroAssumptions, kmsKeys: 1, schedulerTicksPerDay: 96, schedulerTickBaseMs: 200, schedulerReadUnitsPerTick: 16, sqsIdlePollsPerDay: 1000 };
    const small = costModel(10, idle, idle, a, PRICE_TABLE);
    const large = costModel(1000, idle, idle, a, PRICE_TABLE);
    for (const fixed of ["KMS key", "EventBridge", "Lambda duration", "DynamoDB reads"]) {
      expect(lineOf(large.lines, fixed).usdPerMonth).toBeCloseTo(lineOf(small.lines, fixed).usdPerMonth, 12);
    }
    expect(large.usdPerMerchantMonth).toBeLessThan(small.usdPerMerchantMonth / 10);
    // 96 ticks a day × 30 days × 0.2 s × 0.5 GB.
    expect(lineOf(small.lines, "Lambda duration").quantityPerMonth).toBeCloseTo(96 * 30 * 0.2 * 0.5, 9);
    expect(lineOf(small.lines, "EventBridge").usdPerMonth).toBeCloseTo(96 * 30 * PRICES.schedulerInvocation.usd, 12);
  });

  it("adds cold starts, logs and their storage", () => {
    const a = { ...zeroAssumptions, coldStartShare: 0.5, workerInitMs: 800, platformLogBytesPerInvocation: 1e6, logRetentionDays: 15 };
    const { lines } = costModel(1, idle, idle, a, unitPrices);
    // 60 location-days, 240 jobs, half of them cold at 0.8 s.
    expect(lineOf(lines, "Lambda duration").quantityPerMonth).toBeCloseTo(240 * 0.5 * 0.8, 9);
    expect(lineOf(lines, "CloudWatch Logs ingestion").quantityPerMonth).toBeCloseTo(240 * 1e6 / 1e9, 9);
    expect(lineOf(lines, "CloudWatch Logs storage").quantityPerMonth).toBeCloseTo(0.24 * 15 / 30, 9);
  });

  it("refuses no merchants", () => {
    expect(() => costModel(0, idle, idle, zeroAssumptions, PRICE_TABLE)).toThrow(RangeError);
  });

  it("uses the list prices it names, each with a source", () => {
    expect(PRICE_TABLE.lambdaArmGbSecond).toBe(0.0000133334);
    expect(PRICE_TABLE.sqsFifoRequest).toBeCloseTo(0.5e-6, 15);
    for (const price of Object.values(PRICES)) expect(price.source).toMatch(/^https:\/\//);
  });
});

describe("the fewest API calls of a location-day", () => {
  it("counts Square pages from the page limits", () => {
    const fewest = minimumCalls({ pos: "square", orders: 10_001, payments: 10_050, refunds: 0, catalogCalls: 1, tokenRefresh: true });
    expect(fewest.byEndpoint).toEqual({
      SearchOrders: 11, ListPayments: 101, ListPaymentRefunds: 1, BatchRetrieveCatalogObjects: 1,
      "QuickBooks create JournalEntry": 1, "QuickBooks token refresh": 1,
    });
    expect(fewest.total).toBe(116);
  });

  it("counts Clover's three expansion copies of each page", () => {
    const fewest = minimumCalls({ pos: "clover", orders: 2000, items: 40, tokenRefresh: false });
    expect(fewest.byEndpoint).toEqual({ ListOrders: 6, ListItems: 1, "QuickBooks create JournalEntry": 1 });
    expect(fewest.total).toBe(8);
  });
});
