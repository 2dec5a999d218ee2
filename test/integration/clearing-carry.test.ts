/**
 * The digest's card clearing carry on moto_server (lib/store/clearing-carries.ts, lib/report/digest-deposits.ts):
 * a morning without a carry computes everything from every record and makes one; the next morning's
 * Deposits section, from the carry and the records outside it, is the one every record gives (the
 * section without carries); a write that changes what the carry counts (an old day's sync record
 * rewritten, a carried payout returned by the bank) marks it stale in the same transaction, so the next
 * morning's figures are again every record's; and a write racing the making of a carry refuses its write.
 *
 * Dated from today (moto keeps to the table's TTL by the real clock): a Square location posting for the
 * 60 days before today, each day 100.00 of card sales, 3.00 of fees; each day's sales paid out the next.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays, businessDayOf } from "../../lib/domain/business-day";
import { parseMapping } from "../../lib/domain/mapping";
import type { LocationConfig, PayoutRecord, PostedPayoutEntry, SyncRecord } from "../../lib/model";
import { CARRY_TAIL_DAYS } from "../../lib/payouts/clearing-carry";
import type { PayoutSummary } from "../../lib/payouts/payout-summary";
import { buildDeposits, type DepositReadPorts, type DepositsSection, type SquareDeposits } from "../../lib/report/digest-deposits";
import type { ClearingCarryStore } from "../../lib/store/clearing-carries";
import { businessDayExpiresAt } from "../../lib/store/retention";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";
import { squareMapping } from "../support/fixtures";
import { summaryOf } from "../support/summaries";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";

const ZONE = "America/New_York";
const NOW = new Date();
const TODAY = businessDayOf(NOW.getTime(), ZONE);
const FIRST = addDays(TODAY, -60);
const dynamo = new DynamoDBClient(awsClientConfig(inject("motoEndpoint")));
let tableName = "";
let storage: Storage;
let merchantId = "";
let serial = 0;

const location = (): LocationConfig => ({
  merchantId, locationId: "L8CARRY00001", source: "square", name: "Main Street", posConnectionId: "c1", quickbooksConnectionId: "c2",
  timeZone: ZONE, dayStart: "00:00", currency: "USD", mapping: parseMapping({ ...squareMapping(), payouts: { bank: "13" } }), postingFrom: FIRST,
  accountLabels: {}, updatedAt: NOW.toISOString(),
});
const daysFrom = (first: string, last: string): string[] => {
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
};
const dated = (summary: PayoutSummary, kind: PostedPayoutEntry["kind"], txnDate: string): PostedPayoutEntry => ({
  kind, docNumber: `DBP-${summary.tag}-${kind}`, entryId: `${summary.tag}-${kind}`, txnDate, requestId: "r",
  total: summary.amount, bankAccountId: "13", clearingAccountId: "11", postedAt: `${txnDate}T12:00:00.000Z`,
});
const payoutOfDay = (day: string, status: "PAID" | "FAILED" = "PAID"): PayoutSummary => summaryOfPayout(payoutOf({
  id: `po_${merchantId}_${day}`, locationId: "L8CARRY00001", amount: 9700, arrivalDate: addDays(day, 1), status,
  createdAt: `${day}T21:30:00.000Z`, updatedAt: `${addDays(day, 1)}T13:00:00.000Z`,
}), [entry("CHARGE", `${day}T16:00:00.000Z`, 10_000, 300)]);
const payoutRecord = (summary: PayoutSummary, posted: PostedPayoutEntry[]): Omit<PayoutRecord, "version"> => ({
  merchantId, locationId: "L8CARRY00001", payoutTag: summary.tag, state: "posted", summary, posted, warnings: [],
  updatedAt: NOW.toISOString(), expiresAt: new Date(businessDayExpiresAt(summary.arrivalDate) * 1000).toISOString(),
});
const dayRecord = (day: string, entries: { card: number; fees: number }[] = [{ card: 10_000, fees: 300 }]): Omit<SyncRecord, "version"> => ({
  merchantId, locationId: "L8CARRY00001", businessDay: day, state: "posted", attempts: 1, updatedAt: NOW.toISOString(),
  posted: entries.map((figures, revision) => ({
    revision, docNumber: `DB-${day}-${String(revision)}`, entryId: `${day}-${String(revision)}`, txnDate: day, requestId: "r",
    summary: summaryOf({ payments: { CARD: figures.card }, fees: figures.fees }), postedAt: NOW.toISOString(),
  })),
});

/** What each morning read, for the assertions on what a carry saves. */
interface Reads { syncDays: string[]; payouts: string[]; payoutRecords?: number }
function portsOf(reads: Reads, carries?: ClearingCarryStore): DepositReadPorts {
  const counted = (records: PayoutRecord[]) => {
    reads.payoutRecords = (reads.payoutRecords ?? 0) + records.length;
    return records;
  };
  return {
    payouts: {
      listPayouts: async (merchant, locationId, options) => {
        reads.payouts.push(options?.consistent === false ? "eventually" : "strongly");
        return counted(await storage.payouts.listPayouts(merchant, locationId, options));
      },
      listPayoutsCreated: async (merchant, locationId, ranges, options) => {
        reads.payouts.push(`created ${options?.consistent === false ? "eventually" : "strongly"}`);
        return counted(await storage.payouts.listPayoutsCreated(merchant, locationId, ranges, options));
      },
      getCheck: (...args) => storage.payouts.getCheck(...args),
    },
    store: { listSyncRecordsBetween: (merchant, locationId, from, to, options) => {
      reads.syncDays.push(...daysFrom(from, to));
      return storage.store.listSyncRecordsBetween(merchant, locationId, from, to, options);
    } },
    ...(carries ? { carries: { store: carries, now: () => NOW } } : {}),
  };
}
const period = { first: addDays(TODAY, -1), last: addDays(TODAY, -1) };
const withCarries = (reads: Reads = { syncDays: [], payouts: [] }, carries: ClearingCarryStore = storage.carries) =>
  buildDeposits(portsOf(reads, carries), merchantId, [location()], period);
const everyRecord = () => buildDeposits(portsOf({ syncDays: [], payouts: [] }), merchantId, [location()], period);
const clearingOf = (section: DepositsSection) => (section.locations[0] as SquareDeposits).clearing;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  storage = createDynamoStorage({ client: dynamo, tableName, now: () => NOW });
});

afterAll(() => {
  dynamo.destroy();
});

async function seed(): Promise<void> {
  merchantId = `m-carry-${String(++serial)}-${String(Date.now())}`;
  await storage.store.createMerchant({ merchantId, name: "Carry Cafe", email: `${merchantId}@cafe.example`, createdAt: NOW.toISOString() });
  await storage.store.putLocation(location());
  // Days FIRST to yesterday posted; the payouts of FIRST to the day before yesterday arrived, each posted.
  for (const day of daysFrom(FIRST, addDays(TODAY, -1))) await storage.store.saveSyncRecord(dayRecord(day), 0);
  for (const day of daysFrom(FIRST, addDays(TODAY, -2))) {
    const summary = payoutOfDay(day);
    await storage.payouts.savePayout(payoutRecord(summary, [dated(summary, "deposit", summary.arrivalDate)]), 0);
  }
}

describe("the Deposits section with a card clearing carry", () => {
  beforeAll(seed);

  it("makes a carry from every record on a morning without one, then gives every record's figures from it and the records outside it", async () => {
    const first: Reads = { syncDays: [], payouts: [] };
    const made = await withCarries(first);
    // Yesterday's 97.00 is not paid out yet; every other day is.
    expect(clearingOf(made)).toMatchObject({ balance: 9700, unpaidSales: 9700, paidNotPosted: 0, since: FIRST });
    expect(made).toEqual(await everyRecord());
    // Made from strongly consistent reads of everything (after the carry's version was read).
    expect(first.payouts).toEqual(["strongly"]);
    expect(first.syncDays).toEqual(daysFrom(FIRST, addDays(TODAY, -1)));
    const { carry, stamp } = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    expect(carry?.payouts.to).toBe(addDays(period.first, -CARRY_TAIL_DAYS));
    // The seeding wrote old days and payouts: each marked the (then absent) carry stale, so it was made at a stamp of theirs.
    expect(stamp).toMatch(/^[0-9a-f]{32}$/);

    const next: Reads = { syncDays: [], payouts: [] };
    const carried = await withCarries(next);
    expect(carried).toEqual(await everyRecord());
    // The carry's days are not read again; the payouts are, eventually consistent as before.
    expect(next.payouts).toEqual(["eventually"]);
    expect(next.syncDays.filter((day) => carry && day >= carry.days.from && day <= carry.days.to)).toEqual([]);
    expect(next.syncDays.length).toBeLessThan(CARRY_TAIL_DAYS + 4);
  });

  it("an old day's sync record rewritten after the carry (an adjustment, a backfill) marks it stale: the next morning's figures are every record's", async () => {
    await withCarries();
    const before = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    if (!before.carry) throw new Error("no carry");
    const old = addDays(before.carry.days.from, 5);
    const record = await storage.store.getSyncRecord(merchantId, "L8CARRY00001", old);
    // An adjusting entry of 5.00 more card sales, 0.15 more fees: card clearing holds 4.85 more for the day.
    await storage.store.saveSyncRecord({ ...dayRecord(old, [{ card: 10_000, fees: 300 }, { card: 500, fees: 15 }]) }, record?.version ?? 0);
    const after = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    expect(after.stamp).not.toBe(before.stamp);
    expect(after.carry).toBeUndefined();

    const reads: Reads = { syncDays: [], payouts: [] };
    const section = await withCarries(reads);
    expect(clearingOf(section)).toMatchObject({ balance: 9700 + 485, unpaidSales: 9700 + 485 });
    expect(section).toEqual(await everyRecord());
    expect(reads.payouts).toEqual(["strongly"]);
    // And the carry made anew counts it.
    expect(clearingOf(await withCarries())).toMatchObject({ balance: 9700 + 485 });
    expect((await storage.carries.getCarry(merchantId, "L8CARRY00001")).carry?.days.unpaidSales).toBe(485);
  });

  it("a carried payout changing (the bank sent it back) marks it stale: the next morning's figures are every record's", async () => {
    await withCarries();
    const { carry } = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    if (!carry) throw new Error("no carry");
    const day = addDays(carry.days.from, 10);
    const failed = payoutOfDay(day, "FAILED");
    const stored = await storage.payouts.getPayout(merchantId, "L8CARRY00001", failed.tag);
    // Returned: its deposit reversed yesterday; its 97.00 on its way back to the Square balance.
    await storage.payouts.savePayout(payoutRecord(failed, [dated(failed, "deposit", failed.arrivalDate), dated(failed, "reversal", addDays(TODAY, -1))]), stored?.version ?? 0);
    expect((await storage.carries.getCarry(merchantId, "L8CARRY00001")).carry).toBeUndefined();
    const section = await withCarries();
    expect(clearingOf(section)).toMatchObject({ returning: 9700 });
    expect(section).toEqual(await everyRecord());
    // Shown in the period it was sent back in, though it arrived long before.
    expect((section.locations[0] as SquareDeposits).payouts.map((payout) => payout.standing)).toContain("returned");
  });
});

describe("the Deposits section with a carry, the location's payout records moved to their keys by creation", () => {
  beforeAll(async () => {
    await seed();
    await storage.payouts.saveCheck({ merchantId, locationId: "L8CARRY00001", readFrom: NOW.toISOString(), lastRunAt: NOW.toISOString() }, 0);
    expect(await storage.payouts.movePayoutKeys(merchantId, "L8CARRY00001")).toMatchObject({ status: "moved", moved: 59 });
  });

  it("a carry made since the move has their creation bounds, and the next morning reads only the payouts created outside them, by two ranges: every record's figures", async () => {
    const first: Reads = { syncDays: [], payouts: [] };
    const made = await withCarries(first);
    expect(made).toEqual(await everyRecord());
    expect(first.payouts).toEqual(["strongly"]);
    const { carry } = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    if (!carry?.created) throw new Error("no carry with creation bounds");
    // Made now from the payouts arriving up to `to`: those after it were created from `to`'s evening (each the evening
    // before its arrival), earlier than now less 30 days; none arrives before its payouts.
    expect(carry.created).toEqual({ after: `${carry.payouts.to}T21:30:00.000Z`, before: null });

    const next: Reads = { syncDays: [], payouts: [] };
    const carried = await withCarries(next);
    expect(carried).toEqual(await everyRecord());
    expect(next.payouts).toEqual(["created eventually"]);
    // The payouts arriving after `to` (31 days before yesterday) up to yesterday: created `to` to the day before yesterday.
    expect(next.payoutRecords).toBe(daysFrom(carry.payouts.to, addDays(TODAY, -2)).length);
    expect(next.payoutRecords).toBeLessThan(CARRY_TAIL_DAYS + 2);
  });

  it("a payout written since, created within 28 days, is in the ranges; one created 28 days or more before it is written marks the carry stale", async () => {
    await withCarries();
    // Today's payout (yesterday's sales), created yesterday evening: read beside the carry, counted in the figures.
    const today = payoutOfDay(addDays(TODAY, -1));
    await storage.payouts.savePayout(payoutRecord(today, [dated(today, "deposit", today.arrivalDate)]), 0, "by-creation");
    const reads: Reads = { syncDays: [], payouts: [] };
    const section = await withCarries(reads);
    expect(reads.payouts).toEqual(["created eventually"]);
    expect(clearingOf(section)).toMatchObject({ balance: 0, unpaidSales: 0 });
    expect(section).toEqual(await everyRecord());

    // A payout arriving today created 40 days ago (held back by Square), taking 5.00 out of card clearing as a hold.
    const held = summaryOfPayout(payoutOf({
      id: `po_${merchantId}_held`, locationId: "L8CARRY00001", amount: -500, arrivalDate: TODAY,
      createdAt: `${addDays(TODAY, -40)}T12:00:00.000Z`, updatedAt: NOW.toISOString(),
    }), [entry("HOLD_ADJUSTMENT", `${addDays(TODAY, -40)}T12:00:00.000Z`, -500)]);
    await storage.payouts.savePayout(payoutRecord(held, [dated(held, "deposit", held.arrivalDate)]), 0, "by-creation");
    expect((await storage.carries.getCarry(merchantId, "L8CARRY00001")).carry).toBeUndefined();
    const after: Reads = { syncDays: [], payouts: [] };
    const counted = await withCarries(after);
    expect(after.payouts).toEqual(["strongly"]);
    expect(clearingOf(counted)).toMatchObject({ held: 500 });
    expect(counted).toEqual(await everyRecord());
  });
});

describe("a write racing the making of a carry", () => {
  beforeAll(seed);

  it("between the carry's stamp read and its write: the write is refused, and the figures shown are every record's, the write's included", async () => {
    const old = addDays(TODAY, -40);
    let raced = false;
    const racing: ClearingCarryStore = {
      async getCarry(merchant, locationId) {
        const stored = await storage.carries.getCarry(merchant, locationId);
        if (!raced) {
          raced = true;
          const record = await storage.store.getSyncRecord(merchantId, "L8CARRY00001", old);
          await storage.store.saveSyncRecord(dayRecord(old, [{ card: 10_000, fees: 300 }, { card: 500, fees: 15 }]), record?.version ?? 0);
        }
        return stored;
      },
      saveCarry: (...args) => storage.carries.saveCarry(...args),
    };
    let saved: boolean | undefined;
    const watching: ClearingCarryStore = { getCarry: (...args) => racing.getCarry(...args), saveCarry: async (...args) => (saved = await racing.saveCarry(...args)) };
    const section = await withCarries(undefined, watching);
    expect(saved).toBe(false);
    expect(clearingOf(section)).toMatchObject({ balance: 9700 + 485 });
    expect(section).toEqual(await everyRecord());
    expect((await storage.carries.getCarry(merchantId, "L8CARRY00001")).carry).toBeUndefined();
  });

  it("between the records' reads and the carry's write: refused, so the carry never misses the write; the next morning counts it", async () => {
    await withCarries();
    const { carry } = await storage.carries.getCarry(merchantId, "L8CARRY00001");
    if (!carry) throw new Error("no carry");
    // Stale it, so the next morning makes one; a write lands after its reads, before its write.
    const old = addDays(carry.days.from, 3);
    const write = async (card: number) => {
      const record = await storage.store.getSyncRecord(merchantId, "L8CARRY00001", old);
      await storage.store.saveSyncRecord(dayRecord(old, [{ card: 10_000, fees: 300 }, { card, fees: 0 }]), record?.version ?? 0);
    };
    await write(100);
    let saved: boolean | undefined;
    const late: ClearingCarryStore = {
      getCarry: (...args) => storage.carries.getCarry(...args),
      async saveCarry(...args) {
        await write(200);
        saved = await storage.carries.saveCarry(...args);
        return saved;
      },
    };
    const shown = clearingOf(await withCarries(undefined, late));
    expect(saved).toBe(false);
    // What it showed was read before the write (the write came a moment later): the first adjustment only.
    expect(shown).toMatchObject({ balance: 9700 + 485 + 100 });
    // The next morning makes the carry from records with the write.
    const next = await withCarries();
    expect(clearingOf(next)).toMatchObject({ balance: 9700 + 485 + 200 });
    expect(next).toEqual(await everyRecord());
    expect((await storage.carries.getCarry(merchantId, "L8CARRY00001")).carry).toBeDefined();
  });
});
