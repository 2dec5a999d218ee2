/**
 * The locations page, every part real: the merchant connects Square (or Clover) and QuickBooks through
 * the simulators' consent pages, the page lists the POS's locations read with the stored tokens, and
 * saving one stores its settings with a mapping suggested from the company's chart of accounts and
 * puts it in the due-index the scheduler reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { parseMapping } from "../../lib/domain/mapping";
import type { Connection } from "../../lib/model";
import { DEFAULT_ACCOUNTS } from "../../sandbox/quickbooks/server";
import { summaryOf } from "../support/summaries";
import { type Browser, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

let counter = 0;
interface Merchant {
  browser: Browser;
  merchantId: string;
  connection: (provider: Connection["provider"]) => Promise<Connection>;
}

async function merchantWith(connections: [Connection["provider"], string][]): Promise<Merchant> {
  const browser = world.browser({ ip: `192.0.2.${String(++counter)}` });
  const email = `locations${counter}.${Date.now()}@example.com`;
  await browser.signIn(email);
  for (const [provider, account] of connections) expect((await browser.connect(provider, account)).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  const connection = async (provider: Connection["provider"]) =>
    (await world.deps.store.listConnections(merchantId)).find((each) => each.provider === provider && each.status === "active")!;
  return { browser, merchantId, connection };
}


/** The location ids the page offers forms for. */
const offeredLocations = (html: string) => [...html.matchAll(/name="locationId" value="([^"]+)"/g)].map((match) => match[1]!);

async function expectNothingStored(merchantId: string, locationId: string): Promise<void> {
  expect(await world.deps.store.listLocations(merchantId)).toEqual([]);
  expect(await world.deps.dueIndex.get(merchantId, locationId)).toBeUndefined();
}

describe("the locations page", () => {
  let a: Merchant;
  let squareLocationId: string;
  let form: Record<string, string>;

  beforeAll(async () => {
    a = await merchantWith([["square", world.accounts.square[0]!], ["quickbooks", world.accounts.quickbooks[0]!]]);
    const page = await a.browser.get("/locations");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Main Street");
    expect(html).toContain("Not set up yet");
    [squareLocationId] = offeredLocations(html) as [string];
    form = {
      posConnectionId: (await a.connection("square")).connectionId, locationId: squareLocationId,
      timeZone: "America/New_York", dayStart: "04:00", quickbooksConnectionId: (await a.connection("quickbooks")).connectionId,
    };
  });

  it("lists the Square location with the zone Square gives it, and asks for sign-in first", async () => {
    expect(offeredLocations(await (await a.browser.get("/locations")).text())).toEqual([squareLocationId]);
    const html = await (await a.browser.get("/locations")).text();
    expect(html).toMatch(/name="timeZone"[^>]*value="America\/New_York"/);
    // The day start says what it is for, tied to its field.
    expect(html).toMatch(/<p id="([^"]+-dayStart-hint)" class="hint">When one business day ends and the next begins\. Midnight suits most places; a bar open until 2 in the morning might choose 04:00, so its late sales count to the night they belong to\.<\/p>\s*<input type="time" name="dayStart"[^>]*aria-describedby="\1"/);
    const stranger = await world.browser().get("/locations");
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get("Location")).toBe("/sign-in?next=%2Flocations");
  });

  it("offers every IANA zone to search as the merchant types, the POS's own preselected, and no abbreviation", async () => {
    const html = await (await a.browser.get("/locations")).text();
    expect(html).toMatch(/<input type="text" name="timeZone"[^>]*list="time-zones"[^>]*value="America\/New_York"/);
    const zones = [...(/<datalist id="time-zones">([\s\S]*?)<\/datalist>/.exec(html)?.[1] ?? "").matchAll(/<option value="([^"]+)"/g)].map((match) => match[1]);
    expect(zones.length).toBeGreaterThan(300);
    expect(zones).toEqual(expect.arrayContaining(["UTC", "America/New_York", "America/Phoenix", "Europe/London", "Asia/Tokyo"]));
    for (const abbreviation of ["EST", "PST", "CET", "GMT", "EST5EDT"]) expect(zones).not.toContain(abbreviation);
  });

  it.each([
    ["timeZone", "Mars/Olympus", "not a time zone daybook knows"],
    ["timeZone", "", "Enter a time zone"],
    // A New York shop on EST would post its days an hour off all summer; CET is whatever the zone library guesses.
    ["timeZone", "EST", "is a fixed offset [(]UTC-05:00[)] with no daylight saving"],
    ["timeZone", "CET", "is an abbreviation, not a time zone"],
    ["dayStart", "04:10", "quarter hour"],
    ["dayStart", "24:00", "quarter hour"],
  ])("rejects %s %j with the message next to the field and the typed values kept, storing nothing", async (field, value, message) => {
    const response = await a.browser.post("/locations", { ...form, [field]: value });
    expect(response.status).toBe(400);
    const html = await response.text();
    const fieldId = `loc-${form["posConnectionId"]!}-${squareLocationId}-${field}`;
    expect(html).toMatch(new RegExp(`id="${fieldId}"[^>]*aria-invalid="true"`));
    expect(html).toMatch(new RegExp(`id="${fieldId}-error"[^>]*>[^<]*${message}`));
    // What was typed comes back: the other field's value and this one's.
    const other = field === "timeZone" ? 'value="04:00"' : 'value="America/New_York"';
    expect(html).toContain(other);
    if (value !== "") expect(html).toContain(`value="${value}"`);
    await expectNothingStored(a.merchantId, squareLocationId);
  });

  it("answers 404 for another merchant's connections or an unknown location, storing nothing", async () => {
    const b = await merchantWith([["square", world.accounts.square[1]!], ["quickbooks", world.accounts.quickbooks[1]!]]);
    const bSquare = await b.connection("square");
    const bBooks = await b.connection("quickbooks");
    const bLocationId = offeredLocations(await (await b.browser.get("/locations")).text())[0]!;
    for (const fields of [
      { ...form, posConnectionId: bSquare.connectionId, locationId: bLocationId },
      { ...form, posConnectionId: bSquare.connectionId },
      { ...form, quickbooksConnectionId: bBooks.connectionId },
      { ...form, locationId: bLocationId },
      { ...form, posConnectionId: form["quickbooksConnectionId"]! },
    ]) {
      const response = await a.browser.post("/locations", fields);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain(bLocationId);
    }
    await expectNothingStored(a.merchantId, squareLocationId);
    await expectNothingStored(a.merchantId, bLocationId);
    await expectNothingStored(b.merchantId, bLocationId);
  });

  it("sets the location up with a complete, balanced mapping from the chart of accounts, not scheduled until it starts, and sends the merchant to review it", async () => {
    const response = await a.browser.post("/locations", { ...form, dayStart: "04:30" });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`/locations/${squareLocationId}/mapping?setup`);

    const saved = await world.deps.store.getLocation(a.merchantId, squareLocationId);
    expect(saved).toMatchObject({
      merchantId: a.merchantId, locationId: squareLocationId, source: "square", name: "Main Street", currency: "USD",
      posConnectionId: form["posConnectionId"], quickbooksConnectionId: form["quickbooksConnectionId"], timeZone: "America/New_York", dayStart: "04:30",
      awaitingStart: true,
    });
    const mapping = parseMapping(saved!.mapping);
    const active = new Set(DEFAULT_ACCOUNTS.filter((account) => account.Active).map((account) => account.Id));
    for (const id of Object.values(mapping.defaults)) expect(active).toContain(id);

    const summary = summaryOf({
      sales: { FOOD: 12_000 }, categoryNames: { FOOD: "Food" }, discounts: 500, tax: { State: 920 }, tips: 1_000, giftCardSales: 2_500,
      serviceCharges: { Delivery: 300 }, nonRevenue: { Deposit: 100 }, payments: { CARD: 15_120, CASH: 1_200 }, fees: 450, rounding: 0,
    });
    const entry = buildJournalEntry(summary, mapping, { source: "square", locationId: squareLocationId, businessDay: "2025-06-02", revision: 0 });
    const side = (type: string) => entry.lines.filter((line) => line.postingType === type).reduce((sum, line) => sum + line.amount, 0);
    expect(entry.held).toBe(false);
    expect(side("Debit")).toBe(side("Credit"));

    // Nothing is scheduled before the merchant starts it (go-live step 3).
    expect(await world.deps.dueIndex.get(a.merchantId, squareLocationId)).toBeUndefined();
    const page = await (await a.browser.get("/locations")).text();
    expect(page).toContain("Not posting yet: review the mapping and start posting.");
    expect(page).toContain(`<a href="/locations/${squareLocationId}/mapping">Review and start posting Main Street</a>`);
    expect(page).toMatch(/name="dayStart"[^>]*value="04:30"/);
  });

  it("says under a Square location that posts its payouts where they stand, and why they did not post", async () => {
    const saved = (await world.deps.store.getLocation(a.merchantId, squareLocationId)) ?? (() => { throw new Error("saved above"); })();
    await world.deps.store.putLocation({ ...saved, mapping: { ...saved.mapping, payouts: { bank: "35" } } });
    let page = await (await a.browser.get("/locations")).text();
    expect(page).toContain("Deposits: each Square payout is posted to your bank account in QuickBooks, from the next night on.");
    const at = world.clock.date().toISOString();
    await world.deps.payouts.saveCheck({
      merchantId: a.merchantId, locationId: squareLocationId, readFrom: at, lastRunAt: at,
      lastError: { kind: "retryable", message: "QuickBooks did not answer in time.", at },
    }, 0);
    page = await (await a.browser.get("/locations")).text();
    expect(page).toContain('<p role="alert">Deposits: the last night could not post this location&#39;s Square payouts: QuickBooks did not answer in time. daybook tries again every night.</p>');
    await world.deps.store.putLocation(saved);
  });

  it("says which account the QuickBooks company lacks, next to the field, and stores nothing", async () => {
    const realmId = `9132${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`;
    world.quickbooks.addCompany({ realmId, companyName: "Bare Books LLC", accounts: DEFAULT_ACCOUNTS.filter((account) => account.AccountType !== "Expense") });
    const c = await merchantWith([["square", world.accounts.square[0]!], ["quickbooks", realmId]]);
    const locationId = offeredLocations(await (await c.browser.get("/locations")).text())[0]!;
    const response = await c.browser.post("/locations", {
      posConnectionId: (await c.connection("square")).connectionId, locationId, timeZone: "America/Chicago", dayStart: "05:00",
      quickbooksConnectionId: (await c.connection("quickbooks")).connectionId,
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/-quickbooksConnectionId-error"[^>]*>[^<]*lacks an Expense account/);
    expect(html).toContain('value="America/Chicago"');
    await expectNothingStored(c.merchantId, locationId);
  });

  it("says under a Clover location that its deposits are matched in the bank feed, with its last days' expected card deposits", async () => {
    const d = await merchantWith([["clover", world.accounts.clover[0]!], ["quickbooks", world.accounts.quickbooks[0]!]]);
    const square = (await world.deps.store.getLocation(a.merchantId, squareLocationId))!;
    const locationId = world.accounts.clover[0]!;
    await world.deps.store.putLocation({
      ...square, merchantId: d.merchantId, locationId, source: "clover", name: "Harbor Kiosk",
      posConnectionId: (await d.connection("clover")).connectionId, quickbooksConnectionId: (await d.connection("quickbooks")).connectionId,
    });
    let html = await (await d.browser.get("/locations")).text();
    expect(html).toContain("Deposits: Clover&#39;s deposits are matched in QuickBooks&#39; bank feed; daybook posts nothing for them. The expected card deposit of each day");
    const yesterday = new Date(world.clock.date().getTime() - 86_400_000).toISOString().slice(0, 10);
    // 250.00 by credit card and 40.00 by debit card, 15.00 refunded to a card; the cash is not Clover's to deposit.
    await world.deps.store.saveSyncRecord({
      merchantId: d.merchantId, locationId, businessDay: yesterday, state: "posted", posted: [], attempts: 1, updatedAt: world.clock.date().toISOString(),
      lastSummary: summaryOf({ payments: { "Credit Card": 25_000, "Debit Card": 4000, Cash: 6000 }, refunds: { "Credit Card": 1500 } }),
    }, 0);
    html = await (await d.browser.get("/locations")).text();
    const day = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${yesterday}T00:00:00Z`)).replace(",", "");
    expect(html).toContain(`Expected card deposits (card payments less card refunds, USD): ${day} 275.00.`);
  });

  it("makes the first location's zone the merchant's, for the pages' times; a second location's does not replace it", async () => {
    expect((await world.deps.store.getMerchant(a.merchantId))?.timeZone).toBe("America/New_York");
    expect((await a.browser.connect("clover", world.accounts.clover[0])).status).toBe(303);
    const second = await a.browser.post("/locations", {
      posConnectionId: (await a.connection("clover")).connectionId, locationId: world.accounts.clover[0]!, timeZone: "America/Los_Angeles", dayStart: "00:00",
      quickbooksConnectionId: form["quickbooksConnectionId"]!,
    });
    expect(second.status).toBe(303);
    expect((await world.deps.store.getLocation(a.merchantId, world.accounts.clover[0]!))?.timeZone).toBe("America/Los_Angeles");
    expect((await world.deps.store.getMerchant(a.merchantId))?.timeZone).toBe("America/New_York");
  });

  it("says in plain words when the POS cannot be read, and logs what the provider said with addresses and token-shaped values masked", async () => {
    const e = await merchantWith([["square", world.accounts.square[0]!], ["quickbooks", world.accounts.quickbooks[0]!]]);
    const { readers } = world.deps;
    const posLocations = readers.posLocations.bind(readers);
    readers.posLocations = () => Promise.reject(new Error(`Square said: 401 for owner@shop.example with ${"EAAAl".padEnd(64, "x")}`));
    try {
      const html = await (await e.browser.get("/locations")).text();
      expect(html).toContain("daybook could not read this account&#39;s locations just now.");
    } finally {
      readers.posLocations = posLocations;
    }
    const line = world.logs.findLast((each) => each.message === "locations page could not read a provider");
    expect(line?.fields).toMatchObject({ merchantId: e.merchantId, what: "pos", error: "Error", message: "Square said: 401 for [email] with [token]" });
  });

  it("shows a Clover merchant as one location with its own zone", async () => {
    const d = await merchantWith([["clover", world.accounts.clover[0]!], ["quickbooks", world.accounts.quickbooks[0]!]]);
    const html = await (await d.browser.get("/locations")).text();
    expect(offeredLocations(html)).toEqual([world.accounts.clover[0]]);
    expect(html).toContain("Clover shop 1");
    expect(html).toMatch(/name="timeZone"[^>]*value="America\/New_York"/);
  });
});
