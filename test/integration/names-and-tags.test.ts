/**
 * What the accountant reads in QuickBooks, end to end over HTTP against the Square and QuickBooks
 * simulators and the real store on moto_server: the entry's memo in words, the location's QuickBooks
 * Location and Class on every line, and what happens when QuickBooks refuses an account or a tag that
 * changed (the chart read once then, never on a normal night; the account or tag named; the day posted
 * once it is put right). Nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summaryHash } from "../../lib/domain/summary";
import { captureAccountLabels } from "../../lib/locations/account-labels";
import { syncLocationDay } from "../../lib/sync/sync-day";
import { DEFAULT_ACCOUNT_IDS as IDS } from "../../sandbox/quickbooks/server";
import { generateDay } from "../../sandbox/square/generate-day";
import { createWorld, type World } from "../support/sync-world";

const ZONE = "America/New_York";
let clock = Date.parse("2025-06-15T07:00:00Z");
const now = () => clock;
const DAY_MS = 86_400_000;

let world: World;
beforeAll(async () => {
  world = await createWorld({ timeZone: ZONE, now });
  // The location's mapping was saved from the chart: its accounts' names were captured then.
  const { client } = await (await world.ports()).quickBooksClient((await world.store.getConnection(world.merchantId, "quickbooks-1"))!);
  await world.store.putLocation({ ...world.location, accountLabels: captureAccountLabels(await client.listActiveAccounts(), world.location.mapping) });
}, 60_000);
afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  await world.close();
});

let seed = 100;
/** A day of sales at the world's location; returns its truth. */
function sell(date: string, sales = 40) {
  const generated = generateDay({ seed: ++seed, sales, date, timeZone: ZONE, locationId: "GENLOCATION01", returnRate: 0, noiseRate: 0 });
  world.square.setCatalog(world.squareMerchantId, generated.catalog);
  world.square.addOrders("GENLOCATION01", generated.orders);
  return generated.truth;
}

/** Runs a night for the day, after it ended. */
async function night(date: string) {
  clock = Date.parse(`${date}T12:00:00Z`) + DAY_MS;
  return syncLocationDay(await world.ports(), world.day(date));
}

const entriesOf = (date: string) => world.quickbooks.journalEntries(world.realmId).filter((entry) => entry.TxnDate === date);
/** The entity of each chart or list query QuickBooks saw since `from` (an index into the request log). */
const listReads = (from: number) => world.quickbooks.requestLog().slice(from)
  .map((record) => (record.path.endsWith("/query") ? /FROM (Account|Department|Class)\b/.exec(new URLSearchParams(record.search).get("query") ?? "")?.[1] : undefined))
  .filter((entity) => entity !== undefined);

describe("the entry in QuickBooks", () => {
  it("names the business, the location and the day in words, ending with the marker and the summary's hash", async () => {
    const truth = sell("2025-06-14");
    const outcome = await night("2025-06-14");
    expect(outcome.status).toBe("posted");
    const [entry] = entriesOf("2025-06-14");
    expect(entry?.PrivateNote).toBe(
      `Main Street Coffee – Main Street – Saturday 14 June 2025 – daily sales from Square – revision 0. Posted by daybook; summary sha256 ${summaryHash(truth)}.`,
    );
  });

  it("carries the location's QuickBooks Location and Class on every line, and reads no list to do so", async () => {
    world.quickbooks.setTracking(world.realmId, { departments: true, classes: "per-line" });
    world.quickbooks.addDepartment(world.realmId, { Id: "3", Name: "Main Street", Active: true });
    world.quickbooks.addClass(world.realmId, { Id: "7", Name: "Coffee bar", Active: true });
    const location = (await world.store.getLocation(world.merchantId, "GENLOCATION01"))!;
    await world.store.putLocation({ ...location, quickBooksTags: { location: { id: "3", name: "Main Street" }, class: { id: "7", name: "Coffee bar" } } });

    sell("2025-06-15");
    const before = world.quickbooks.requestLog().length;
    expect((await night("2025-06-15")).status).toBe("posted");
    expect(listReads(before)).toEqual([]);
    const [entry] = entriesOf("2025-06-15");
    const lines = (entry?.Line ?? []) as { JournalEntryLineDetail: Record<string, unknown> }[];
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.JournalEntryLineDetail).toMatchObject({ DepartmentRef: { value: "3", name: "Main Street" }, ClassRef: { value: "7", name: "Coffee bar" } });
    }
  });

  it("fails a day whose tag QuickBooks refuses, naming it, posts nothing, and posts the day once the choice is changed", async () => {
    // The company stops tracking classes: QuickBooks refuses the ClassRef.
    world.quickbooks.setTracking(world.realmId, { classes: "off" });
    sell("2025-06-16");
    const failed = await night("2025-06-16");
    expect(failed.status).toBe("failed");
    if (failed.status !== "failed") return;
    expect(failed.failure.kind).toBe("needs-merchant");
    expect(failed.failure.message).toMatch(/^QuickBooks refused the entry's Class "Coffee bar": .* Choose another on the locations page, or none\.$/);
    expect(entriesOf("2025-06-16")).toEqual([]);
    expect((await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", "2025-06-16"))?.pending).toBeUndefined();

    const location = (await world.store.getLocation(world.merchantId, "GENLOCATION01"))!;
    await world.store.putLocation({ ...location, quickBooksTags: { location: { id: "3", name: "Main Street" } } });
    expect((await night("2025-06-16")).status).toBe("posted");
    const lines = (entriesOf("2025-06-16")[0]?.Line ?? []) as { JournalEntryLineDetail: Record<string, unknown> }[];
    for (const line of lines) {
      expect(line.JournalEntryLineDetail.DepartmentRef).toMatchObject({ value: "3" });
      expect(line.JournalEntryLineDetail.ClassRef).toBeUndefined();
    }
  });

  it("after QuickBooks refuses an account, reads the chart once, names the account, refreshes the names, and posts once it is active again", async () => {
    world.quickbooks.setAccountActive(world.realmId, IDS.tips, false);
    world.quickbooks.renameAccount(world.realmId, IDS.salesTax, "Sales Tax Payable (POS)");
    sell("2025-06-17");
    const before = world.quickbooks.requestLog().length;
    const failed = await night("2025-06-17");
    expect(failed.status).toBe("failed");
    if (failed.status !== "failed") return;
    expect(failed.failure.kind).toBe("needs-merchant");
    expect(failed.failure.message).toMatch(
      /^QuickBooks refused the entry because the account Tips Payable \(Auto-gratuity – Large party 18%, Tips\) is no longer active in QuickBooks: made inactive or deleted \(error 2500\)\. Make it active again in QuickBooks, or map another account on this location's mapping page\.$/,
    );
    expect(failed.failure.intuitTid).toBeDefined();
    // One read of the chart, at the refusal.
    expect(listReads(before)).toEqual(["Account"]);
    const labels = (await world.store.getLocation(world.merchantId, "GENLOCATION01"))?.accountLabels;
    expect(labels?.[IDS.salesTax]).toEqual({ name: "Sales Tax Payable (POS)" });
    // Inactive: its name is kept, the best way to say which account it was.
    expect(labels?.[IDS.tips]).toEqual({ name: "Tips Payable" });
    expect(entriesOf("2025-06-17")).toEqual([]);
    expect((await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", "2025-06-17"))?.pending).toBeUndefined();

    world.quickbooks.setAccountActive(world.realmId, IDS.tips, true);
    const again = world.quickbooks.requestLog().length;
    expect((await night("2025-06-17")).status).toBe("posted");
    expect(entriesOf("2025-06-17")).toHaveLength(1);
    expect(listReads(again)).toEqual([]);
  });
});
