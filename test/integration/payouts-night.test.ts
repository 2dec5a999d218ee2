/**
 * Square payouts posted by the worker's nights, end to end (issue 18's "Done when"): a generated week
 * of a Square location (test/support/payout-world.ts: payouts spanning days, an instant deposit and its
 * fee, chargebacks, a payment hold, Square Capital repayments, automatic savings, gift-card load fees,
 * fee adjustments before and after their payout, a payout that fails at once and one the bank returns)
 * is run night by night through processJob, as the queue delivers it: each night the day's first sync
 * (which then posts the location's payouts) and the re-checks of the three days before. Then the
 * QuickBooks simulator's books are held against the Square simulator's ground truth, to the cent.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, businessDayOf } from "../../lib/domain/business-day";
import { payoutTag } from "../../lib/domain/doc-number";
import { sumMinor } from "../../lib/domain/money";
import type { PayoutRecord } from "../../lib/model";
import { buildDeposits, type SquareDeposits } from "../../lib/report/digest-deposits";
import { composeServices } from "../../lib/wiring/services";
import { workerDepsOf } from "../../lib/wiring/worker";
import { processJob, type WorkerDeps } from "../../lib/worker/process-job";
import { PAYOUT_ACCOUNTS } from "../../sandbox/world";
import { DEFAULT_ACCOUNT_IDS } from "../../sandbox/quickbooks/server";
import { PAYOUT_MERCHANT, PAYOUT_NOW, PAYOUT_ZONE, setUpPayoutWorld, weekDays } from "../support/payout-world";
import { createWorld, type World } from "../support/sync-world";

let clock = Date.parse("2025-06-09T09:00:00Z");
let world: World;
let deps: WorkerDeps;

/** debit − credit per account, minor units, of every entry in the company. */
function books(): Map<string, number> {
  const nets = new Map<string, number>();
  for (const entry of world.quickbooks.journalEntries(world.realmId)) {
    for (const line of entry["Line"] as { Amount: number; JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } } }[]) {
      const account = line.JournalEntryLineDetail.AccountRef.value;
      const cents = Math.round(line.Amount * 100) * (line.JournalEntryLineDetail.PostingType === "Debit" ? 1 : -1);
      nets.set(account, (nets.get(account) ?? 0) + cents);
    }
  }
  return nets;
}

const docNumbers = () => world.quickbooks.journalEntries(world.realmId).map((entry) => String(entry["DocNumber"]));

/** One night at 05:00 New York time: the re-checks of D−3..D−1, then D's first sync, which posts the payouts. */
async function night(at: number): Promise<void> {
  clock = at;
  const today = businessDayOf(at, PAYOUT_ZONE);
  const job = { merchantId: world.merchantId, locationId: world.location.locationId };
  for (const back of [4, 3, 2]) await processJob(deps, { ...job, businessDay: addDays(today, -back), kind: "recheck" }, { number: 1, max: 3 });
  await processJob(deps, { ...job, businessDay: addDays(today, -1), kind: "first" }, { number: 1, max: 3 });
}

beforeAll(async () => {
  world = await createWorld({
    now: () => clock,
    squareMerchant: (square) => {
      setUpPayoutWorld(square);
      square.setCatalog(PAYOUT_MERCHANT, weekDays[0]!.catalog);
      return PAYOUT_MERCHANT;
    },
    payouts: true,
  });
  const services = await composeServices(world.settings, {
    now: () => new Date(clock), dynamo: world.dynamo, storage: world.storage, vault: world.vault, email: world.email,
  });
  deps = workerDepsOf(services, { linkKey: randomBytes(32), quickBooksAppUrl: "https://app.sandbox.qbo.intuit.com" }, { tuning: world.tuning });
  // Every GetItem of a payout record, by night.
  world.dynamo.middlewareStack.add((next, context) => (args) => {
    const key = (args.input as { Key?: { SK?: string | { S?: string } } }).Key;
    const sk = typeof key?.SK === "string" ? key.SK : key?.SK?.S;
    if (recording && /^Get(Item)?Command$/.test(String(context.commandName)) && sk?.startsWith("PAYOUT#")) payoutGets.at(-1)?.keys.push(sk);
    return next(args);
  }, { step: "initialize", name: "payoutGets" });
  // A location that posted payouts before records were keyed by creation: its check, reading from the week before, names no keys.
  const weekBefore = new Date(Date.parse("2025-06-09T09:00:00Z") - 7 * 86_400_000).toISOString();
  await world.storage.payouts.saveCheck({ merchantId: world.merchantId, locationId: world.location.locationId, readFrom: weekBefore, lastRunAt: weekBefore }, 0);
  for (let at = Date.parse("2025-06-09T09:00:00Z"); at <= PAYOUT_NOW; at += 86_400_000) {
    payoutGets.push({ at, keys: [] });
    const recorded = new Map((await world.storage.payouts.listPayouts(world.merchantId, world.location.locationId)).map((record) => [record.payoutTag, record]));
    const sent = world.square.requests().length;
    if (at === MOVED_AT) {
      // The operator moves the location's records to their keys by creation while the night runs.
      const records = await world.storage.payouts.listPayouts(world.merchantId, world.location.locationId);
      beforeTheMove.push(...records);
      const [, moved] = await Promise.all([night(at), world.storage.payouts.movePayoutKeys(world.merchantId, world.location.locationId)]);
      movedCount = moved.moved;
    } else {
      await night(at);
    }
    const requests = world.square.requests().slice(sent);
    squareReads.push({
      at, recorded, listings: requests.filter((request) => request.endpoint === "ListPayouts").length,
      entriesOf: requests.filter((request) => request.endpoint === "ListPayoutEntries").map((request) => request.path.split("/")[3] ?? ""),
    });
    nights.push({ day: businessDayOf(at, PAYOUT_ZONE), books: books().get(DEFAULT_ACCOUNT_IDS.cardClearing) ?? 0, truth: world.square.payoutTruth(world.location.locationId).clearing, section: await depositsOn(businessDayOf(at, PAYOUT_ZONE)) });
  }
  recording = false;
}, 300_000);

/** The night the records are moved, racing the move; what the nights read by GetItem. */
const MOVED_AT = Date.parse("2025-06-13T09:00:00Z");
const payoutGets: { at: number; keys: string[] }[] = [];
const beforeTheMove: PayoutRecord[] = [];
let movedCount = 0;
let recording = true;

/** Square's payout reads of each night (ListPayouts, and the payouts whose entries were read), and the payout records at its start. */
const squareReads: { at: number; recorded: Map<string, PayoutRecord>; listings: number; entriesOf: string[] }[] = [];

/** After each night: card clearing in the books, in Square's truth, and in the Deposits section of that morning's digest. */
const nights: { day: string; books: number; truth: ReturnType<World["square"]["payoutTruth"]>["clearing"]; section: SquareDeposits }[] = [];

async function depositsOn(morning: string): Promise<SquareDeposits> {
  const location = await world.storage.store.getLocation(world.merchantId, world.location.locationId);
  const yesterday = addDays(morning, -1);
  const section = await buildDeposits({ payouts: world.storage.payouts, store: world.storage.store }, world.merchantId, [location!], { first: yesterday, last: yesterday });
  return section.locations[0] as SquareDeposits;
}

afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  await world.close();
});

describe("a week of Square payouts, night by night", () => {
  it("bank = Σ payout amounts, card clearing = card sales net of fees not yet paid out, every other account as Square moved it, to the cent", () => {
    const truth = world.square.payoutTruth(world.location.locationId);
    const nets = books();
    const ids = DEFAULT_ACCOUNT_IDS;
    expect(nets.get(ids.checking)).toBe(truth.bank);
    expect(nets.get(ids.cardClearing)).toBe(truth.clearing.total);
    expect(nets.get(PAYOUT_ACCOUNTS.squareFees) ?? 0).toBe(truth.accounts.depositFees + truth.accounts.giftCardLoadFees);
    expect(nets.get(PAYOUT_ACCOUNTS.chargebacks) ?? 0).toBe(truth.accounts.disputes);
    expect(nets.get(PAYOUT_ACCOUNTS.squareLoan) ?? 0).toBe(truth.accounts.loan);
    expect(nets.get(PAYOUT_ACCOUNTS.squareSavings) ?? 0).toBe(truth.accounts.savings);
    // The week has what the issue names: an instant deposit, a chargeback, loan repayments, a payout returned.
    expect(truth.payouts.some((payout) => payout.instant)).toBe(true);
    expect(truth.accounts.depositFees).toBeGreaterThan(0);
    expect(truth.accounts.disputes).toBeGreaterThan(0);
    expect(truth.accounts.loan).toBeGreaterThan(0);
  });

  it("posts each payout once: its deposit (or what a failed one carried), and the returned one's reversal", async () => {
    const truth = world.square.payoutTruth(world.location.locationId);
    const numbers = docNumbers();
    expect(new Set(numbers).size).toBe(numbers.length);
    const payoutNumbers = numbers.filter((number) => number.startsWith("DP"));
    const records = await world.storage.payouts.listPayouts(world.merchantId, world.location.locationId);
    expect(records.map((record) => record.payoutTag).sort()).toEqual(truth.payouts.map((payout) => payoutTag(payout.id)).sort());
    expect(records.every((record) => record.pending === undefined)).toBe(true);
    // Every posted entry is in QuickBooks once, under the DocNumber its record names.
    expect(records.flatMap((record) => record.posted.map((entry) => entry.docNumber)).sort()).toEqual([...payoutNumbers].sort());
    const deposits = payoutNumbers.filter((number) => /^DP\d{6}-[0-9A-Z]{8}$/.test(number));
    expect(deposits).toHaveLength(truth.payouts.filter((payout) => payout.status !== "FAILED").length + 1); // + the one paid, then returned
    expect(payoutNumbers.filter((number) => number.endsWith("-R"))).toHaveLength(1);
    expect(payoutNumbers.filter((number) => number.endsWith("-F"))).toHaveLength(1);
  });

  it("the digest's Deposits section: card clearing computed from daybook's records is the books' balance, the card sales net of fees Square has not paid out, to the cent", async () => {
    // Every morning of the week: the section's balance is the books' and Square's, and its parts are Square's.
    for (const { day, books: inBooks, truth, section } of nights) {
      const clearing = section.clearing;
      if (!clearing) {
        expect(inBooks, `${day}: no payout yet, card clearing holds the posted days' card sales`).toBeGreaterThanOrEqual(0);
        continue;
      }
      expect(clearing.balance, `${day}: the books' card clearing`).toBe(inBooks);
      // Square's truth counts today's sales too, which daybook posts tomorrow night: only what Square holds and returns compares mid-week.
      expect(clearing.held, `${day}: held`).toBe(truth.held);
      expect(clearing.returning, `${day}: returning`).toBe(truth.returning);
    }
    // The week has mornings with each part in it.
    expect(nights.some(({ section }) => (section.clearing?.unpaidSales ?? 0) > 0)).toBe(true);
    expect(nights.some(({ section }) => (section.clearing?.held ?? 0) > 0)).toBe(true);
    expect(nights.some(({ section }) => (section.clearing?.returning ?? 0) > 0)).toBe(true);

    const truth = world.square.payoutTruth(world.location.locationId);
    const location = await world.storage.store.getLocation(world.merchantId, world.location.locationId);
    const ports = { payouts: world.storage.payouts, store: world.storage.store };
    const square = (await buildDeposits(ports, world.merchantId, [location!], { first: "2025-06-09", last: "2025-06-19" })).locations[0] as SquareDeposits;
    // Now that every day up to now is posted: the section's figure and parts are Square's.
    expect(square.clearing?.balance).toBe(books().get(DEFAULT_ACCOUNT_IDS.cardClearing));
    expect(square.clearing?.balance).toBe(truth.clearing.total);
    expect(sumMinor(square.clearing!.unpaidSales, square.clearing!.paidNotPosted)).toBe(truth.clearing.unpaid);

    // Every payout that arrived in the period, with Square's amount; the failed one and the returned one said as such.
    const arrived = truth.payouts.filter((payout) => payout.arrivalDate <= "2025-06-19");
    expect(square.payouts.map((payout) => [payout.tag, payout.amount]).sort()).toEqual(arrived.map((payout) => [payoutTag(payout.id), payout.amount]).sort());
    expect(square.payouts.filter((payout) => payout.standing === "failed")).toHaveLength(1);
    const returned = square.payouts.filter((payout) => payout.standing === "returned");
    expect(returned).toHaveLength(1);
    expect(returned[0]!.entries.some((doc) => doc.endsWith("-R"))).toBe(true);
    // Wednesday's fee raised after its payout came as its own entry, counted on Friday; the night's re-check had
    // expensed it on Wednesday, so card clearing is right (0 above) and no difference is named.
    expect(square.payouts.flatMap((payout) => payout.notes).filter((note) => /processing fees on the payments/.test(note))).toEqual([]);
  });

  it("moved to keys by creation mid-week, racing a night: each payout is still posted once (above), its record kept with its versions and entries, and every night finds a record with one GetItem under the key its check names", async () => {
    const records = await world.storage.payouts.listPayouts(world.merchantId, world.location.locationId);
    expect(movedCount).toBeGreaterThan(0);
    expect(await world.storage.payouts.getCheck(world.merchantId, world.location.locationId)).toMatchObject({ payoutKeys: "by-creation" });
    for (const before of beforeTheMove) {
      const after = records.find((record) => record.payoutTag === before.payoutTag);
      expect(after?.version, before.payoutTag).toBeGreaterThanOrEqual(before.version);
      expect(after?.posted.slice(0, before.posted.length), before.payoutTag).toEqual(before.posted);
      expect(await world.storage.payouts.getPayout(world.merchantId, world.location.locationId, before.payoutTag)).toBeUndefined();
      expect(await world.storage.payouts.getPayout(world.merchantId, world.location.locationId, before.payoutTag, before.summary.createdAt)).toEqual(after);
    }
    const byCreation = (key: string) => key.startsWith(`PAYOUT#${world.location.locationId}#@`);
    for (const { at, keys } of payoutGets) {
      // One GetItem per payout a night reads: never a tag read under both keys, never a second read.
      const tags = keys.map((key) => key.slice(-8));
      expect(new Set(tags).size, new Date(at).toISOString()).toBe(tags.length);
      if (at < MOVED_AT) expect(keys.filter(byCreation), new Date(at).toISOString()).toEqual([]);
      if (at > MOVED_AT) expect(keys.every(byCreation), new Date(at).toISOString()).toBe(true);
    }
    expect(payoutGets.filter(({ at }) => at > MOVED_AT).flatMap(({ keys }) => keys).length).toBeGreaterThan(3);
    expect(payoutGets.filter(({ at }) => at < MOVED_AT).flatMap(({ keys }) => keys).length).toBeGreaterThan(3);
  });

  it("reads a payout's entries on the night daybook first records it, and never again: each night lists once and reads ListPayoutEntries for its new payouts alone (issue 17)", () => {
    const truth = world.square.payoutTruth(world.location.locationId);
    // The world's payouts are all BATCH payouts (entries to read).
    const batches = truth.payouts.map((payout) => payout.id);
    for (const { at, recorded, listings, entriesOf } of squareReads) {
      const night = new Date(at).toISOString();
      expect(listings, night).toBe(1);
      // Only a payout without a record: every record of the week holds what its later nights need (posted, or nothing to post).
      for (const id of entriesOf) expect(recorded.get(payoutTag(id)), `${night}: ${id}`).toBeUndefined();
    }
    // Each payout's entries read (every page of them) on one night of the week, though the nightly overlap lists most of them again, changed or not.
    const nightsRead = squareReads.flatMap(({ entriesOf }) => [...new Set(entriesOf)]);
    expect(nightsRead.sort()).toEqual([...batches].sort());
    const listedAgain = squareReads.reduce((total, { recorded }) => total + recorded.size, 0);
    expect(listedAgain).toBeGreaterThan(batches.length);
  });

  it("reads QuickBooks' company settings on the first night only: the days and the payouts use those kept on the connection (issue 17)", () => {
    const reads = world.quickbooks.requestLog().filter((request) => request.kind === "api" && request.method === "GET" && /\/(companyinfo|preferences)\b/.test(request.path));
    expect(reads.map((request) => /\/(companyinfo|preferences)\b/.exec(request.path)?.[1])).toEqual(["companyinfo", "preferences"]);
    expect(nights.length).toBeGreaterThan(3);
  });

  it("a night run again posts nothing more", { timeout: 60_000 }, async () => {
    const before = docNumbers().length;
    await night(PAYOUT_NOW);
    expect(docNumbers()).toHaveLength(before);
  });
});
