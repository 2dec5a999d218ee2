/**
 * Part 5's morning digest step, measured: one merchant's steady state seeded through lib/store on
 * moto_server, then the real digest step (lib/report/digest.ts sendDueDigests, with the stores the
 * scheduler gives it: lib/wiring/scheduler.ts digestDepsOf) for that merchant's morning, every DynamoDB
 * call and request unit counted (bench/aws-counter.ts: per started 4 KB, as DynamoDB bills).
 *
 * The steady state: `locations` Square locations posting payouts, each with a year (`days`) of daily
 * sync records with their posted entry (a generated 100-sale day's summary: sandbox/square/generate-day.ts)
 * and a posted report for each of the digest's week; and a year of daily payouts as the worker keeps
 * them (lib/payouts/payout-summary.ts summarisePayout over a day's charges and refunds, each paying
 * out the evening before and the day, posted as one deposit), keyed by creation as a location moved by
 * `daybook move-payout-keys` keeps them. The digest's marks are read before the
 * count, as the scheduler's tick reads them; the step after it (the merchant, its locations, the gate,
 * the lines, the Deposits section, the recipients, the send's claim and mark) is what is counted. The
 * morning before made each location's card clearing carry (lib/payouts/clearing-carry.ts), so the
 * counted morning is a steady one; the section is also counted alone on a morning that makes the
 * carries anew, and without carries (as before them).
 *
 * Usage: DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/digest-reads.ts [locations] [days]; prints one JSON line.
 */
import { randomBytes } from "node:crypto";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { addDays, businessDayOf } from "../lib/domain/business-day";
import { payoutDocNumber } from "../lib/domain/doc-number";
import type { LocationConfig, PayoutRecord, SyncRecord } from "../lib/model";
import type { PayoutEntry } from "../lib/payouts/payout";
import { sendDueDigests } from "../lib/report/digest";
import { dayTotals } from "../lib/report/day-figures";
import { CARRY_LIFE_DAYS } from "../lib/payouts/clearing-carry";
import { buildDeposits } from "../lib/report/digest-deposits";
import { digestMarkFor, dueDigestMarks } from "../lib/report/digest-marks";
import type { ClearingCarryStore } from "../lib/store/clearing-carries";
import type { Item } from "../lib/store/dynamo-items";
import { keys } from "../lib/store/keys";
import { payoutRecordItem } from "../lib/store/payouts";
import { businessDayExpiresAt } from "../lib/store/retention";
import { createDynamoStorage } from "../lib/store/storage";
import { syncRecordItem } from "../lib/store/sync-records";
import { digestDepsOf } from "../lib/wiring/scheduler";
import { awsClientConfig } from "../sandbox/aws";
import { generateDay } from "../sandbox/square/generate-day";
import { createSyncWorld } from "../sandbox/world";
import { entry, payoutOf, summaryOfPayout, ZONE } from "../test/support/payouts";
import { type AwsCounts, countCalls, emptyCounts, itemBytes, resetCounts } from "./aws-counter";

export interface DigestReadsResult {
  locations: number;
  days: number;
  /** The morning the digest was for (its slot) and the business day it covered. */
  slot: string;
  /** Digests the step sent. */
  sent: number;
  /** The whole step for the merchant's morning. */
  step: { calls: Record<string, number>; readUnits: number; writeUnits: number; readsByKind: Record<string, number>; writeUnitsByKind: Record<string, number> };
  /**
   * The Deposits section alone (buildDeposits over the merchant's locations), counted on its own, on a
   * steady morning: the card clearing carries made by the morning before (lib/payouts/clearing-carry.ts).
   */
  deposits: { calls: Record<string, number>; readUnits: number };
  /** The same section on a morning that makes the carries anew (none, or stale): every record, strongly consistent. */
  depositsMakingCarries?: { calls: Record<string, number>; readUnits: number; writeUnits: number };
  /** The same section without carries, as before them: every record, eventually consistent but for the digest's week. */
  depositsWithoutCarries?: { calls: Record<string, number>; readUnits: number };
  /**
   * The step's read units per merchant-day with a carry made anew every CARRY_LIFE_DAYS mornings: the steady
   * step plus the making morning's extra, spread over them (what part 5's cost counts). These three are
   * absent from results measured before the carries.
   */
  readUnitsPerMerchantDay?: number;
  /** DynamoDB's size of the seeded items, bytes: the median sync record and payout record. */
  syncRecordBytes: number;
  payoutRecordBytes: number;
  /** Wall time of the seeding and of the counted step, ms. */
  seedMs: number;
  stepMs: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const locationCount = Number(process.argv[2] ?? 2);
  const dayCount = Number(process.argv[3] ?? 365);
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if (!motoEndpoint || !(locationCount >= 1) || !(dayCount >= 7)) throw new Error("usage: DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/digest-reads.ts [locations] [days]");

  // This morning (moto_server keeps to the table's TTL by the real clock), 10:00 in New York: after the
  // digest's send time, before its deadline.
  const slot = businessDayOf(Date.now(), ZONE);
  const yesterday = addDays(slot, -1);
  const first = addDays(slot, -dayCount);
  const stepAt = new Date(`${slot}T14:00:00.000Z`);
  const nightAt = new Date(`${slot}T06:00:00.000Z`);
  // Seeded through the world's own (uncounted) storage; the step runs on a storage of its own whose client is counted.
  const world = await createSyncWorld({ motoEndpoint, source: "square", timeZone: ZONE, payouts: true, now: () => stepAt.getTime() });
  const { storage } = world;
  const counts: AwsCounts = emptyCounts();
  const countedClient = countCalls(new DynamoDBClient(awsClientConfig(motoEndpoint)), "DynamoDB", counts);
  const counted = createDynamoStorage({ client: countedClient, tableName: world.tableName });
  const seedStart = performance.now();

  const locations: LocationConfig[] = Array.from({ length: locationCount }, (_, index) => ({
    ...world.location, locationId: index === 0 ? world.location.locationId : `GENLOCATION${String(index + 1).padStart(2, "0")}`,
    name: index === 0 ? world.location.name : `Location ${index + 1}`, postingFrom: first,
  }));
  for (const location of locations) await storage.store.putLocation(location);
  const tenders = world.location.mapping.tenders ?? {};
  const cardAccount = tenders["CARD"] ?? "";
  const bankAccount = world.location.mapping.payouts?.bank ?? null;

  // A fortnight of distinct generated days, reused: what matters to the reads is each record's size.
  const summaries = Array.from({ length: 14 }, (_, index) => generateDay({
    seed: index + 1, sales: 100, date: addDays(first, index), timeZone: ZONE, locationId: world.location.locationId, returnRate: 0.03, openRate: 0, noiseRate: 0,
  }).truth);
  // The items as lib/store writes them (its own encoders), put 25 at a time: a year's conditional puts one
  // by one take minutes on moto_server, and their writes are not what is measured.
  const items: Item[] = [];
  const seedDay = (location: LocationConfig, day: string, seed: number): void => {
    const summary = summaries[seed % summaries.length] as (typeof summaries)[number];
    const postedAt = new Date(Date.parse(`${addDays(day, 1)}T06:00:00.000Z`) + (seed % 600) * 1000).toISOString();
    const record: Omit<SyncRecord, "version"> = {
      merchantId: world.merchantId, locationId: location.locationId, businessDay: day, state: "posted", attempts: 1,
      posted: [{ revision: 0, docNumber: `DB${day.slice(2).replaceAll("-", "")}-${location.locationId.slice(-4)}`, entryId: String(1000 + seed), txnDate: day, requestId: randomBytes(16).toString("hex"), summary, postedAt }],
      lastSummary: summary, lastReadAt: postedAt, updatedAt: postedAt,
    };
    items.push(syncRecordItem({ ...record, version: 1 }, keys.syncRecord(record.merchantId, record.locationId, day), { expiresAt: businessDayExpiresAt(day) }));

    // The payout arriving the day after `day`: the card sales of `day`'s evening before and of `day` until 17:00.
    const arrival = addDays(day, 1);
    const charges: PayoutEntry[] = [];
    for (let sale = 0; sale < 100; sale++) {
      const at = new Date(Date.parse(`${day}T00:00:00.000Z`) - 3 * 3600_000 + sale * 8 * 60_000).toISOString();
      const gross = 1000 + ((sale * 7919 + seed) % 4000);
      charges.push(entry("CHARGE", at, gross, Math.round(gross * 0.026) + 10, `pay_${seed}_${sale}`));
    }
    for (let refund = 0; refund < 3; refund++) charges.push(entry("REFUND", `${day}T15:${String(10 + refund)}:00.000Z`, -500, -13));
    const amount = charges.reduce((total, each) => total + each.net, 0);
    const payoutSummary = summaryOfPayout(payoutOf({
      id: `po_${location.locationId}_${day}`, locationId: location.locationId, amount, arrivalDate: arrival,
      createdAt: `${day}T21:30:00.000Z`, updatedAt: `${arrival}T13:00:00.000Z`,
    }), charges);
    const payout: Omit<PayoutRecord, "version"> = {
      merchantId: world.merchantId, locationId: location.locationId, payoutTag: payoutSummary.tag, state: "posted", summary: payoutSummary,
      posted: [{
        kind: "deposit", docNumber: payoutDocNumber(payoutSummary.tag, arrival, "deposit"), entryId: String(500_000 + seed), txnDate: arrival,
        requestId: randomBytes(16).toString("hex"), total: amount, bankAccountId: bankAccount, clearingAccountId: cardAccount, postedAt: `${addDays(arrival, 1)}T06:00:00.000Z`,
      }],
      warnings: [], updatedAt: `${addDays(arrival, 1)}T06:00:00.000Z`, expiresAt: new Date(Date.parse(`${arrival}T00:00:00.000Z`) + 13 * 30.4 * 86_400_000).toISOString(),
    };
    // As a location whose records were moved to their keys by creation keeps them (its check says so, below).
    items.push(payoutRecordItem({ ...payout, version: 1 }, "by-creation"));
  };
  let seed = 0;
  for (const location of locations) for (let day = first; day <= yesterday; day = addDays(day, 1)) seedDay(location, day, ++seed);
  const documents = DynamoDBDocumentClient.from(world.dynamo);
  for (let next = 0; next < items.length; next += 25) {
    let requests: Record<string, { PutRequest: { Item: Item } }[]> = { [world.tableName]: items.slice(next, next + 25).map((item) => ({ PutRequest: { Item: item } })) };
    while (Object.keys(requests).length > 0) {
      const written = await documents.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (written.UnprocessedItems ?? {}) as typeof requests;
    }
  }
  for (const location of locations) {
    // Moved (`daybook move-payout-keys`): the carries made from now on have their creation bounds.
    const lastRunAt = nightAt.toISOString();
    await storage.payouts.saveCheck({ merchantId: world.merchantId, locationId: location.locationId, readFrom: lastRunAt, lastRunAt, payoutKeys: "by-creation" }, 0);
    // The digest's week of reports (the lines read them), as a night keeps them.
    for (let back = 8; back >= 1; back--) {
      const day = addDays(slot, -back);
      const record = await storage.store.getSyncRecord(world.merchantId, location.locationId, day);
      const posted = record?.posted[0];
      if (!posted) throw new Error(`no record seeded for ${day}`);
      await storage.reports.save({
        merchantId: world.merchantId, locationId: location.locationId, businessDay: day, reportId: "posted-0", status: "posted", alert: false, createdAt: posted.postedAt,
        content: {
          merchantName: "Bench Bakery", locationName: location.name, source: "square", businessDay: day, timeZone: ZONE, status: "posted",
          entry: {
            docNumber: posted.docNumber, txnDate: day, currency: "USD", total: posted.summary.payments["CARD"] ?? 0,
            lines: Object.entries(tenders).map(([tender, accountId], index) => ({
              accountId, amount: 1000 * (index + 1), postingType: "Debit" as const, description: `${tender} payments`,
            })),
            quickBooksUrl: `https://app.sandbox.qbo.intuit.com/app/journal?txnId=${posted.entryId}`,
          },
          connectionsUrl: "https://daybook.example/connections", warnings: [], totals: dayTotals(posted.summary, "square"),
          reportUrl: `https://daybook.example/days/${location.locationId}/${day}`,
        },
      }, { replace: false });
    }
    await storage.digests.mark(digestMarkFor({ kind: "night", merchantId: world.merchantId, businessDay: yesterday }, ZONE, nightAt));
  }
  const seedMs = performance.now() - seedStart;
  const sizes = await seededSizes(world);

  // The morning before made the carries (uncounted): the measured morning is a steady one.
  const theMorningBefore = new Date(stepAt.getTime() - 86_400_000);
  await buildDeposits({ payouts: storage.payouts, store: storage.store, carries: { store: storage.carries, now: () => theMorningBefore } },
    world.merchantId, locations, { first: addDays(yesterday, -1), last: addDays(yesterday, -1) });
  for (const location of locations) {
    if (!(await storage.carries.getCarry(world.merchantId, location.locationId)).carry) throw new Error(`no carry made for ${location.locationId}`);
  }

  const deps = { ...digestDepsOf(counted, world.email, "https://daybook.example", randomBytes(32), () => stepAt), now: () => stepAt,
    log: (level: string, message: string, fields?: Record<string, unknown>) => say(`${level} ${message} ${JSON.stringify(fields ?? {})}`) };
  const marks = await dueDigestMarks(deps, stepAt);
  if (marks.length === 0) throw new Error("no digest mark is due");
  resetCounts(counts);
  const stepStart = performance.now();
  const run = await sendDueDigests(deps, marks);
  const stepMs = performance.now() - stepStart;
  const step = structuredClone(counts);
  if (run.sent < 1 || run.failed > 0) throw new Error(`the digest step sent ${run.sent}, failed ${run.failed}`);
  const sentEmail = world.email.sent.at(-1);
  if (!sentEmail?.text.includes("should come to")) throw new Error("the digest sent has no card clearing figure");

  const period = { first: yesterday, last: yesterday };
  resetCounts(counts);
  await buildDeposits({ payouts: counted.payouts, store: counted.store, carries: { store: counted.carries, now: () => stepAt } }, world.merchantId, locations, period);
  const deposits = structuredClone(counts);
  resetCounts(counts);
  await buildDeposits({ payouts: counted.payouts, store: counted.store }, world.merchantId, locations, period);
  const withoutCarries = structuredClone(counts);
  // A morning that makes them anew: the carries' version read finds none it can use (stale), so every record is read.
  const stale: ClearingCarryStore = {
    getCarry: async (merchantId, locationId) => ({ ...(await counted.carries.getCarry(merchantId, locationId)), carry: undefined }),
    saveCarry: (...args) => counted.carries.saveCarry(...args),
  };
  resetCounts(counts);
  await buildDeposits({ payouts: counted.payouts, store: counted.store, carries: { store: stale, now: () => stepAt } }, world.merchantId, locations, period);
  const making = structuredClone(counts);

  const result: DigestReadsResult = {
    locations: locationCount, days: dayCount, slot, sent: run.sent,
    step: { calls: step.calls, readUnits: step.readUnits, writeUnits: step.writeUnits, readsByKind: step.readsByKind ?? {}, writeUnitsByKind: step.writeUnitsByKind ?? {} },
    deposits: { calls: deposits.calls, readUnits: deposits.readUnits },
    depositsMakingCarries: { calls: making.calls, readUnits: making.readUnits, writeUnits: making.writeUnits },
    depositsWithoutCarries: { calls: withoutCarries.calls, readUnits: withoutCarries.readUnits },
    readUnitsPerMerchantDay: step.readUnits + Math.max(0, making.readUnits - deposits.readUnits) / CARRY_LIFE_DAYS,
    syncRecordBytes: sizes.syncRecord, payoutRecordBytes: sizes.payout, seedMs: Math.round(seedMs), stepMs: Math.round(stepMs),
  };
  say(`digest step: ${result.step.readUnits} RRU, ${result.step.writeUnits} WRU (${JSON.stringify(result.step.calls)}); Deposits section alone ${result.deposits.readUnits} RRU ` +
    `(making the carries ${making.readUnits} RRU, ${making.writeUnits} WRU; without carries ${withoutCarries.readUnits} RRU); ` +
    `${(step.readUnits + Math.max(0, making.readUnits - deposits.readUnits) / CARRY_LIFE_DAYS).toFixed(1)} RRU a merchant-day with a carry made anew every ${CARRY_LIFE_DAYS} mornings; ` +
    `sync record ${result.syncRecordBytes} B, payout record ${result.payoutRecordBytes} B; seeded in ${result.seedMs} ms`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  countedClient.destroy();
  await world.close();
}

/** The median DynamoDB size of the seeded sync records and payout records (the scan is not counted: counts are reset after). */
async function seededSizes(world: Awaited<ReturnType<typeof createSyncWorld>>): Promise<{ syncRecord: number; payout: number }> {
  const sync: number[] = [];
  const payout: number[] = [];
  let start: Record<string, import("@aws-sdk/client-dynamodb").AttributeValue> | undefined;
  do {
    const page = await world.dynamo.send(new ScanCommand({ TableName: world.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) {
      const sk = item["SK"]?.S ?? "";
      if (sk.startsWith("SYNC#")) sync.push(itemBytes(item));
      if (sk.startsWith("PAYOUT#")) payout.push(itemBytes(item));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { syncRecord: median(sync), payout: median(payout) };
}

if (process.argv[1]?.endsWith("digest-reads.ts")) await main();
