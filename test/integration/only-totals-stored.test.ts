/**
 * Only daily totals are stored, never a POS transaction id: days whose data trips every warning and
 * every data error the Square and Clover summarisers have, read from the simulators and run through
 * the worker's processJob (so the day's record and its report, warnings and failure message included,
 * are stored), and then the whole table is scanned for the ids of the orders, payments, refunds,
 * tenders and lines the simulators served. Counts and kinds only.
 */
import { randomBytes } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import type { SyncJob } from "../../lib/schedule/job";
import { readableItem } from "../../lib/store/readable-item";
import { processJob, type WorkerDeps } from "../../lib/worker/process-job";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { generateDay } from "../../sandbox/square/generate-day";
import { CLOVER_MERCHANT_ID, createWorld, type World } from "../support/sync-world";

const ZONE = "America/New_York";
// Every day below has ended and settled by then.
const NIGHT = Date.parse("2024-06-21T07:00:00Z");
const worlds: World[] = [];

afterAll(async () => {
  await Promise.all(worlds.map((world) => world.close()));
});

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? value as Json[] : []);
const elements = (value: unknown): Json[] => list((value as { elements?: unknown } | undefined)?.elements);
const idOf = (value: unknown): string[] => (typeof value === "string" && value.length >= 8 ? [value] : []);

/** The transaction ids in Square orders: orders, tenders (payments), refunds, returns. */
function squareIds(orders: Json[]): string[] {
  return orders.flatMap((order) => [
    ...idOf(order["id"]),
    ...list(order["tenders"]).flatMap((tender) => [...idOf(tender["id"]), ...idOf(tender["payment_id"])]),
    ...list(order["refunds"]).flatMap((refund) => [...idOf(refund["id"]), ...idOf(refund["tender_id"])]),
    ...list(order["returns"]).flatMap((orderReturn) => idOf(orderReturn["source_order_id"])),
  ]);
}

/** The transaction ids in Clover orders: orders, line items, payments, refunds, credits. */
function cloverIds(orders: Json[]): string[] {
  return orders.flatMap((order) => [
    ...idOf(order["id"]),
    ...elements(order["lineItems"]).flatMap((line) => idOf(line["id"])),
    ...elements(order["payments"]).flatMap((payment) => idOf(payment["id"])),
    ...elements(order["refunds"]).flatMap((refund) => idOf(refund["id"])),
    ...elements(order["credits"]).flatMap((credit) => idOf(credit["id"])),
  ]);
}

function workerFor(world: World): Promise<WorkerDeps> {
  const now = () => new Date(NIGHT);
  return world.ports({ now }).then((sync) => ({
    store: world.store, reports: world.storage.reports, recipients: world.storage.recipients, backfills: world.storage.backfills, members: world.storage.members,
    digests: world.storage.digests, seenWarnings: world.storage.seenWarnings,
    sync, email: world.email, publicUrl: "https://daybook.test", linkKey: randomBytes(32), quickBooksAppUrl: "https://app.sandbox.qbo.intuit.com", now,
  }));
}

/** Runs the day as its last attempt: a failure is marked and reported, not retried. */
async function runDay(world: World, businessDay: string): Promise<void> {
  const job: SyncJob = { ...world.day(businessDay), kind: "first" };
  await processJob(await workerFor(world), job, { number: 1, max: 1 }).catch(() => undefined);
}

/** The whole table as text, what is kept compressed (a report's content, a pending entry's body) as the text it holds. */
async function tableText(world: World): Promise<string> {
  const { Items = [] } = await world.dynamo.send(new ScanCommand({ TableName: world.tableName, ConsistentRead: true }));
  // Every report the worker wrote is packed (lib/store/report-pack.ts: it gives back the very same report),
  // and opened here like the rest.
  const reports = Items.filter((item) => item["SK"]?.S?.startsWith("REPORT#"));
  expect(reports).not.toEqual([]);
  expect(reports.filter((item) => item["packed"] === undefined).map((item) => item["SK"]?.S)).toEqual([]);
  const text = JSON.stringify(Items.map(readableItem));
  // The reports are in it, opened: a scan that could not see inside them could not find an id there.
  expect(text).toContain("merchantName");
  return text;
}

async function storedOf(world: World, businessDay: string) {
  const record = await world.store.getSyncRecord(world.merchantId, world.location.locationId, businessDay);
  const reports = await world.storage.reports.listDay(world.merchantId, world.location.locationId, businessDay);
  return { record, warnings: reports.flatMap((report) => report.content.warnings.map((warning) => warning.code)), failure: reports.find((report) => report.content.failure)?.content.failure };
}

describe("what a day leaves in the table", () => {
  it("holds no Square order, payment, refund or tender id, whatever warnings and errors the day's data trips", async () => {
    const world = await createWorld({ timeZone: ZONE, now: () => NIGHT });
    worlds.push(world);
    const served: Json[] = [];
    const add = (orders: Json[]) => {
      world.square.addOrders(world.location.locationId, orders);
      served.push(...orders);
    };

    // A day of warnings: a line naming a catalog item Square no longer has, and a tender with no account.
    const warned = generateDay({ seed: 41, sales: 30, date: "2024-06-19", timeZone: ZONE, locationId: world.location.locationId, returnRate: 0.2, noiseRate: 0.1 });
    world.square.setCatalog(world.squareMerchantId, warned.catalog);
    const orders = warned.orders as Json[];
    const line = list(orders[0]!["line_items"])[0]!;
    line["catalog_object_id"] = "GEN_VAR_GONE_FROM_CATALOG";
    add(orders);
    // A day that fails: an amount in another currency.
    const failing = generateDay({ seed: 42, sales: 10, date: "2024-06-20", timeZone: ZONE, locationId: world.location.locationId });
    const foreign = failing.orders as Json[];
    for (const tender of list(foreign[3]!["tenders"])) (tender["amount_money"] as Json)["currency"] = "EUR";
    add(foreign);

    for (const day of ["2024-06-19", "2024-06-20"]) await runDay(world, day);

    const warnedDay = await storedOf(world, "2024-06-19");
    expect(warnedDay.warnings).toContain("uncatalogued-item");
    const failedDay = await storedOf(world, "2024-06-20");
    expect(failedDay.record?.state).toBe("failed");
    expect(failedDay.failure?.message).toMatch(/EUR/);

    const ids = [...new Set(squareIds(served))];
    expect(ids.length).toBeGreaterThan(40);
    const text = await tableText(world);
    expect(ids.filter((id) => text.includes(id))).toEqual([]);
  }, 120_000);

  it("holds no Clover order, line, payment, refund or credit id, whatever warnings and errors the day's data trips", async () => {
    const world = await createWorld({ timeZone: ZONE, now: () => NIGHT, source: "clover" });
    worlds.push(world);
    const clover = world.clover!;
    const served: Json[] = [];
    const add = (orders: Json[]) => {
      clover.addOrders(CLOVER_MERCHANT_ID, orders);
      served.push(...orders);
    };
    const day = (seed: number, date: string) => generateCloverDay({ seed, orders: 30, date, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID });

    // Clover is read by modified time from the day's start to the sync's clock, so each day runs
    // before the next one's orders arrive, the failing ones last.
    // A day of warnings: a refund naming a payment its order does not have, an item Clover no longer
    // has, and a payment whose tender comes without its label.
    const warned = day(51, "2024-06-10");
    clover.setItems(CLOVER_MERCHANT_ID, warned.items);
    const orders = warned.orders as Json[];
    const counted = (refund: Json) => refund["status"] === "SUCCESS" && refund["voided"] !== true;
    const refunded = orders.find((order) => elements(order["refunds"]).some(counted) && elements(order["payments"]).length > 0)!;
    const refund = elements(refunded["refunds"]).find(counted)!;
    refund["payment"] = { id: "PNOSUCHPAYMENT" };
    // Refunded within the day, so the day counts it.
    refund["createdTime"] = Number(elements(refunded["payments"])[0]!["createdTime"]) + 60_000;
    const withItem = orders.find((order) => elements(order["lineItems"]).some((line) => line["item"] !== undefined))!;
    elements(withItem["lineItems"]).find((line) => line["item"] !== undefined)!["item"] = { id: "GITEM_GONE_FROM_INVENTORY" };
    const paid = orders.find((order) => order !== refunded && elements(order["payments"]).length > 0)!;
    elements(paid["payments"])[0]!["tender"] = { id: "GTND_ODD", labelKey: "com.example.tender.odd" };
    add(orders);
    await runDay(world, "2024-06-10");

    // Days that fail: an exchange whose replacement line has no time; an order in another currency.
    const exchanged = day(53, "2024-06-14");
    const exchangeOrders = exchanged.orders as Json[];
    const lines = elements(exchangeOrders[1]!["lineItems"]);
    const replacement: Json = { ...lines[0]!, id: "L0REPLACEMENT0", exchanged: false };
    lines[0]!["exchanged"] = true;
    lines[0]!["exchangedLineItem"] = { id: "L0REPLACEMENT0" };
    delete replacement["createdTime"];
    lines.push(replacement);
    add(exchangeOrders);
    await runDay(world, "2024-06-14");
    const foreign = day(52, "2024-06-18");
    (foreign.orders[2] as Json)["currency"] = "EUR";
    add(foreign.orders);
    await runDay(world, "2024-06-18");

    const warnedDay = await storedOf(world, "2024-06-10");
    expect(warnedDay.warnings).toEqual(expect.arrayContaining(["unknown-refund-tender", "uncatalogued-item", "unknown-tender-label"]));
    for (const [date, message] of [["2024-06-14", /exchange/], ["2024-06-18", /EUR/]] as const) {
      const failed = await storedOf(world, date);
      expect(failed.record?.state, date).toBe("failed");
      expect(failed.failure?.message, date).toMatch(message);
    }

    const ids = [...new Set(cloverIds(served))];
    expect(ids.length).toBeGreaterThan(100);
    const text = await tableText(world);
    expect(ids.filter((id) => text.includes(id))).toEqual([]);
  }, 120_000);
});
