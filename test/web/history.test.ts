/**
 * The history page, every part real (the app, its session, the store on moto's DynamoDB): the synced
 * days the store holds, newest first, with each day's status in words, net sales and fees in the
 * location's currency, a chart per location, the location filter, the 90-day limit and the empty
 * state. Another merchant's days and locations never show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DailySummary } from "../../lib/domain/summary";
import type { LocationConfig, PostedEntry, SyncRecord } from "../../lib/model";
import { payoutDocNumber } from "../../lib/domain/doc-number";
import { formatDay } from "../../lib/report/format";
import { entry as payoutEntry, payoutOf, summaryOfPayout } from "../support/payouts";
import { summaryOf } from "../support/summaries";
import { type Browser, canonicalJson, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

const MAPPING = {
  defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" },
};

let counter = 0;
interface Merchant {
  browser: Browser;
  merchantId: string;
}

async function newMerchant(): Promise<Merchant> {
  const browser = world.browser({ ip: `192.0.2.${String(++counter)}` });
  const email = `history${counter}.${Date.now()}@example.com`;
  await browser.signIn(email);
  return { browser, merchantId: (await world.deps.store.findMerchantByEmail(email))!.merchantId };
}

async function addLocation(merchant: Merchant, locationId: string, name: string, currency = "USD", more: Partial<LocationConfig> = {}): Promise<LocationConfig> {
  const location: LocationConfig = {
    merchantId: merchant.merchantId, locationId, source: "square", name, posConnectionId: "CONN-POS", quickbooksConnectionId: "CONN-QB",
    timeZone: "America/New_York", dayStart: "04:00", currency, mapping: MAPPING, updatedAt: world.clock.date().toISOString(), ...more,
  };
  await world.deps.store.putLocation(location);
  return location;
}

const entry = (revision: number, summary: DailySummary): PostedEntry => ({
  revision, docNumber: `DB-${String(revision)}`, entryId: String(500 + revision), txnDate: "2025-05-01", requestId: `req-${String(revision)}`, summary, postedAt: "2025-05-02T06:00:00.000Z",
});

async function seed(merchant: Merchant, locationId: string, businessDay: string, record: Partial<SyncRecord> & Pick<SyncRecord, "state">): Promise<void> {
  await world.deps.store.saveSyncRecord({
    merchantId: merchant.merchantId, locationId, businessDay, posted: [], attempts: 0, updatedAt: world.clock.date().toISOString(), ...record,
  }, 0);
}

interface Row {
  location: string;
  href: string;
  day: string;
  status: string;
  netSales: string;
  fees: string;
}

function rows(html: string): Row[] {
  const body = /<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
  const cell = (label: string) => `<td data-label="${label}"[^>]*>`;
  const row = new RegExp(`<tr>${cell("Location")}([^<]*)</td>${cell("Business day")}<a href="([^"]*)">([^<]*)</a></td>${cell("Status")}([^<]*)</td>${cell("Net sales")}([^<]*)</td>${cell("Fees")}([^<]*)</td></tr>`, "g");
  return [...body.matchAll(row)]
    .map(([, location, href, day, status, netSales, fees]) => ({ location: location!, href: href!, day: day!, status: status!, netSales: netSales!, fees: fees! }));
}

const chartLabels = (html: string) => [...html.matchAll(/<svg [^>]*role="img" aria-label="([^"]*)"/g)].map((match) => match[1]!);

describe("the history page", () => {
  let a: Merchant;
  let b: Merchant;
  beforeAll(async () => {
    a = await newMerchant();
    await addLocation(a, "LMAIN", "Main Street");
    await addLocation(a, "LPIER", "Pier Kiosk", "JPY");
    await seed(a, "LMAIN", "2025-05-01", {
      state: "posted", lastSummary: summaryOf({ sales: { FOOD: 10_000 }, discounts: 500, tax: { State: 800 }, tips: 700, fees: 300 }),
      posted: [entry(0, summaryOf({ sales: { FOOD: 10_000 }, discounts: 500, tax: { State: 800 }, tips: 700, fees: 300 }))],
    });
    // No last summary: the figures are the posted entries' summed.
    await seed(a, "LMAIN", "2025-05-02", {
      state: "posted",
      posted: [entry(0, summaryOf({ sales: { FOOD: 20_000 }, fees: 600 })), entry(1, summaryOf({ returns: { FOOD: 1_000 }, fees: -30 })), entry(2, summaryOf({ discounts: 250, fees: 5 }))],
    });
    await seed(a, "LMAIN", "2025-05-03", { state: "no-sales", lastSummary: summaryOf({}) });
    await seed(a, "LMAIN", "2025-05-04", {
      state: "held", heldReason: "review mode is on", lastSummary: summaryOf({ sales: { FOOD: 1_000 }, returns: { FOOD: 3_000 }, fees: -45 }),
    });
    await seed(a, "LMAIN", "2025-05-05", {
      state: "failed", lastError: { kind: "needs-merchant", message: "The QuickBooks company \"Books 1 LLC\" keeps its books in EUR.", at: "2025-05-06T06:00:00.000Z" },
    });
    await seed(a, "LMAIN", "2025-05-06", { state: "posting", lastSummary: summaryOf({ sales: { FOOD: 4_200 }, fees: 120 }) });
    await seed(a, "LPIER", "2025-05-02", { state: "posted", lastSummary: summaryOf({ sales: { FISH: 12_345 }, fees: 370 }, "JPY"), posted: [entry(0, summaryOf({ sales: { FISH: 12_345 }, fees: 370 }, "JPY"))] });

    b = await newMerchant();
    await addLocation(b, "LOTHER", "Other Merchant Cafe");
    await seed(b, "LOTHER", "2025-05-07", { state: "posted", lastSummary: summaryOf({ sales: { X: 99_999 } }), posted: [entry(0, summaryOf({ sales: { X: 99_999 } }))] });
  });

  it("lists the days newest first with links, statuses in words and figures in each location's currency", async () => {
    const response = await a.browser.get("/history");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(rows(html)).toEqual([
      { location: "Main Street", href: "/days/LMAIN/2025-05-06", day: formatDay("2025-05-06"), status: "posting", netSales: "42.00 USD", fees: "1.20 USD" },
      { location: "Main Street", href: "/days/LMAIN/2025-05-05", day: formatDay("2025-05-05"), status: "failed: The QuickBooks company &quot;Books 1 LLC&quot; keeps its books in EUR.", netSales: "no figures", fees: "no figures" },
      { location: "Main Street", href: "/days/LMAIN/2025-05-04", day: formatDay("2025-05-04"), status: "held for review: review mode is on", netSales: "-20.00 USD", fees: "-0.45 USD" },
      { location: "Main Street", href: "/days/LMAIN/2025-05-03", day: formatDay("2025-05-03"), status: "no sales", netSales: "0.00 USD", fees: "0.00 USD" },
      { location: "Main Street", href: "/days/LMAIN/2025-05-02", day: formatDay("2025-05-02"), status: "posted: DB-0 + 2 adjustments (DB-1, DB-2)", netSales: "187.50 USD", fees: "5.75 USD" },
      { location: "Pier Kiosk", href: "/days/LPIER/2025-05-02", day: formatDay("2025-05-02"), status: "posted: DB-0", netSales: "12,345 JPY", fees: "370 JPY" },
      { location: "Main Street", href: "/days/LMAIN/2025-05-01", day: formatDay("2025-05-01"), status: "posted: DB-0", netSales: "95.00 USD", fees: "3.00 USD" },
    ]);
    expect(html).toContain("The last 6 days daybook synced, newest first.");
    expect(html).not.toContain("older");
    // One chart per location, by name; the failed day without figures is left out of Main Street's.
    expect(chartLabels(html)).toEqual([
      "Daily net sales and fees for Main Street from Thursday 1 May 2025 to Tuesday 6 May 2025 (5 days): in total net sales 304.50 USD, fees 9.50 USD.",
      "Daily net sales and fees for Pier Kiosk on Friday 2 May 2025: net sales 12,345 JPY, fees 370 JPY.",
    ]);
    expect(html).toContain("<title>Daily net sales and fees, Main Street</title>");
    expect(html).not.toMatch(/style=|<script/);
    // The filter lists the merchant's locations.
    expect(html).toMatch(/<label for="history-location">Location<\/label><select id="history-location" name="location"><option value="" selected="">All locations<\/option><option value="LMAIN">Main Street<\/option><option value="LPIER">Pier Kiosk<\/option><\/select>/);
    // A linked day opens.
    expect((await a.browser.get(rows(html)[0]!.href)).status).toBe(200);
  });

  it("lists the days someone has to act on above the chart, oldest first, each linked to its page", async () => {
    const html = await (await a.browser.get("/history")).text();
    const section = /<section aria-labelledby="history-attention">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
    expect(section).toContain("<h2 id=\"history-attention\">Needs attention (2)</h2>");
    expect([...section.matchAll(/<li><a href="([^"]*)">([^<]*)<\/a>([^<]*)<\/li>/g)].map(([, href, day, status]) => [href, day, status])).toEqual([
      ["/days/LMAIN/2025-05-04", `Main Street, ${formatDay("2025-05-04")}`, ": held for review: review mode is on"],
      ["/days/LMAIN/2025-05-05", `Main Street, ${formatDay("2025-05-05")}`, ": failed: The QuickBooks company &quot;Books 1 LLC&quot; keeps its books in EUR."],
    ]);
    expect(html.indexOf("history-attention")).toBeLessThan(html.indexOf("<svg"));
    // Nothing to act on, nothing said.
    expect(await (await a.browser.get("/history?location=LPIER")).text()).not.toContain("Needs attention");
  });

  it("lists the adjusting entries posted in the last 14 days, newest first, each with its day, its entry and the change in net sales", async () => {
    const f = await newMerchant();
    await addLocation(f, "LMILL", "Mill Lane");
    const now = world.clock.date().getTime();
    const postedAt = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    const adjusted = (revision: number, daysAgo: number, summary: DailySummary, txnDate: string): PostedEntry => ({
      ...entry(revision, summary), docNumber: `DB-MILL-A${String(revision)}`, txnDate, postedAt: postedAt(daysAgo),
    });
    // 12 May: a late sale of 30.00 found the next day; then, 10 days ago, a refund of 12.50 posted to 12 May once more.
    // 20 May: a late return of 8.00 found yesterday, dated today since the books were closed for 20 May. 5 May: one adjustment 20 days ago, too old to show.
    await seed(f, "LMILL", "2025-05-12", { state: "posted", posted: [
      { ...entry(0, summaryOf({ sales: { FOOD: 10_000 } })), postedAt: postedAt(21) },
      adjusted(1, 20, summaryOf({ sales: { FOOD: 3_000 } }), "2025-05-12"),
      adjusted(2, 10, summaryOf({ returns: { FOOD: 1_250 } }), "2025-05-12"),
    ] });
    await seed(f, "LMILL", "2025-05-20", { state: "posted", posted: [
      { ...entry(0, summaryOf({ sales: { FOOD: 5_000 } })), postedAt: postedAt(13) },
      adjusted(1, 1, summaryOf({ returns: { FOOD: 800 } }), "2025-06-01"),
    ] });
    const html = await (await f.browser.get("/history")).text();
    const section = /<section aria-labelledby="history-adjustments">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
    expect(section).toContain("Adjustments posted in the last 14 days");
    const cells = [...section.matchAll(/<tr>(.*?)<\/tr>/gs)].slice(1).map(([, row]) => [...row!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map(([, cell]) => cell!.replace(/<[^>]+>/g, "")));
    expect(cells).toEqual([
      ["Sun 1 Jun 2025, 10:00 EDT", "Mill Lane", formatDay("2025-05-20"), `DB-MILL-A1, dated ${formatDay("2025-06-01")} (the books were closed for the day)`, "-8.00 USD"],
      ["Fri 23 May 2025, 10:00 EDT", "Mill Lane", formatDay("2025-05-12"), "DB-MILL-A2", "-12.50 USD"],
    ]);
    expect(section).toContain('<a href="/days/LMILL/2025-05-12">');
    // Nothing posted lately, nothing said.
    expect(await (await a.browser.get("/history")).text()).not.toContain("history-adjustments");
  });

  it("shows one location's days and chart with ?location=, and all of them for an empty filter", async () => {
    const html = await (await a.browser.get("/history?location=LPIER")).text();
    expect(rows(html).map((row) => row.href)).toEqual(["/days/LPIER/2025-05-02"]);
    expect(chartLabels(html)).toEqual(["Daily net sales and fees for Pier Kiosk on Friday 2 May 2025: net sales 12,345 JPY, fees 370 JPY."]);
    expect(html).toContain("<h1>History: Pier Kiosk</h1>");
    expect(html).toContain('<option value="LPIER" selected="">Pier Kiosk</option>');
    expect(html).toContain('<a href="/history">Show all locations</a>');
    expect(rows(await (await a.browser.get("/history?location=")).text())).toHaveLength(7);
  });

  it("answers 404 for another merchant's or an unknown location, and 400 for something that is not a location id", async () => {
    for (const location of ["LOTHER", "LNOPE"]) {
      const response = await a.browser.get(`/history?location=${location}`);
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).not.toContain("Other Merchant Cafe");
      expect(html).not.toContain("2025-05-07");
    }
    for (const location of ["L%23MAIN", "x".repeat(101), "L%20MAIN"]) {
      const response = await a.browser.get(`/history?location=${location}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("This address does not name a location.");
    }
  });

  it("never shows another merchant's days, and changes nothing", async () => {
    const before = (await world.scan()).map(canonicalJson).sort();
    const html = await (await b.browser.get("/history")).text();
    expect(rows(html)).toEqual([{ location: "Other Merchant Cafe", href: "/days/LOTHER/2025-05-07", day: formatDay("2025-05-07"), status: "posted: DB-0", netSales: "999.99 USD", fees: "0.00 USD" }]);
    expect(html).not.toMatch(/Main Street|Pier Kiosk|LMAIN|LPIER/);
    expect(html).toContain("The last day daybook synced.");
    // With one location there is nothing to filter by.
    expect(html).not.toContain('name="location"');
    const aHtml = await (await a.browser.get("/history")).text();
    expect(aHtml).not.toMatch(/Other Merchant Cafe|LOTHER|2025-05-07/);
    expect((await world.scan()).map(canonicalJson).sort()).toEqual(before);
  });

  it("shows at most the last 90 days, and says how many older days it leaves out", async () => {
    const c = await newMerchant();
    await addLocation(c, "LBUSY", "Busy Bistro");
    const start = Date.parse("2025-01-01T00:00:00Z");
    const days = Array.from({ length: 93 }, (_, index) => new Date(start + index * 86_400_000).toISOString().slice(0, 10));
    await Promise.all(days.map((day, index) => seed(c, "LBUSY", day, { state: "no-sales", lastSummary: summaryOf({ sales: { A: 100 * (index + 1) } }) })));
    const html = await (await c.browser.get("/history")).text();
    const shown = rows(html);
    expect(shown).toHaveLength(90);
    expect(shown[0]!.day).toBe(formatDay(days[92]!));
    expect(shown.at(-1)!.day).toBe(formatDay(days[3]!));
    expect(html).toContain("The last 90 days daybook synced, newest first. daybook shows at most 90 days here: 3 older days are not shown.");
    // 4.00 + 5.00 + ... + 93.00
    expect(chartLabels(html)).toEqual([`Daily net sales and fees for Busy Bistro from ${formatDay(days[3]!)} to ${formatDay(days[92]!)} (90 days): in total net sales 4,365.00 USD, fees 0.00 USD.`]);
  });

  it("shows the deposits of the last 14 days under the days: each Square payout with the days it pays out, and each Clover day's expected card deposit (whose chart draws no fee line)", async () => {
    // The world's today is Monday 2 June 2025: the deposits shown arrived from Tuesday 20 May on.
    const e = await newMerchant();
    await addLocation(e, "LDOCK", "Dock Street", "USD", { dayStart: "00:00", mapping: { ...MAPPING, payouts: { bank: "11" } }, postingFrom: "2025-05-16" });
    await addLocation(e, "LHARBOR", "Harbor Kiosk", "USD", { source: "clover", dayStart: "00:00" });
    // Fridays 16 and 30 May: 100.00 of card sales each, 2.90 of fees. Sunday at Harbor Kiosk: 50.00 on credit cards, 5.00 refunded to one.
    for (const day of ["2025-05-16", "2025-05-30"]) await seed(e, "LDOCK", day, { state: "posted", posted: [entry(0, summaryOf({ sales: { FOOD: 10_000 }, payments: { CARD: 10_000 }, fees: 290 }))] });
    await seed(e, "LHARBOR", "2025-06-01", {
      state: "posted", posted: [entry(0, summaryOf({ sales: { FOOD: 6_000 }, payments: { "Credit Card": 5_000, Cash: 1_000 }, refunds: { "Credit Card": 500 } }))],
    });
    // Square paid each Friday out: 100.00 − 2.90 = 97.10; daybook posted both. The one that arrived on 19 May is older than the 14 days.
    for (const [id, arrivalDate, effectiveAt] of [["po_dock1", "2025-06-01", "2025-05-30T16:00:00Z"], ["po_dock0", "2025-05-19", "2025-05-16T16:00:00Z"]] as const) {
      const summary = summaryOfPayout(payoutOf({ id, amount: 9_710, arrivalDate, locationId: "LDOCK" }), [payoutEntry("CHARGE", effectiveAt, 10_000, 290)]);
      const docNumber = payoutDocNumber(summary.tag, arrivalDate, "deposit");
      await world.deps.payouts.savePayout({
        merchantId: e.merchantId, locationId: "LDOCK", payoutTag: summary.tag, state: "posted", summary, warnings: [], updatedAt: summary.updatedAt, expiresAt: "2026-07-01T00:00:00.000Z",
        posted: [{ kind: "deposit", docNumber, entryId: "900", txnDate: arrivalDate, requestId: "r", total: 9_710, bankAccountId: "11", clearingAccountId: "8", postedAt: summary.updatedAt }],
      }, 0);
    }
    const newest = payoutDocNumber(summaryOfPayout(payoutOf({ id: "po_dock1", amount: 9_710, arrivalDate: "2025-06-01" }), []).tag, "2025-06-01", "deposit");

    const html = await (await e.browser.get("/history")).text();
    expect(html).toContain('<a href="#deposits">Deposits</a> are below the days.');
    const section = /<section aria-labelledby="deposits">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
    const text = section.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("What the bank feed should show from Tuesday 20 May 2025 to Monday 2 June 2025");
    expect(text).toContain(`Dock Street: Square payouts (USD) Arrival Status Business days paid out Amount Entry Sun 1 Jun Paid Fri 30 May 97.10 ${newest}`);
    expect(text).not.toContain("Mon 19 May");
    // Card clearing: both Fridays' 97.10 posted, all of it paid out.
    expect(text).toContain("Dock Street in QuickBooks account 8 0.00");
    expect(text).toContain("Harbor Kiosk: expected Clover card deposits (USD) Business day Card payments Card refunds Expected deposit Sun 1 Jun 50.00 5.00 45.00");
    // Clover reports no fees: its chart draws none rather than a line at zero.
    expect(chartLabels(html)).toContain("Daily net sales for Harbor Kiosk on Sunday 1 June 2025: net sales 60.00 USD; fees not reported by Clover.");
    // With one location chosen, only its deposits.
    const dock = await (await e.browser.get("/history?location=LDOCK")).text();
    expect(dock).toContain("Dock Street: Square payouts");
    expect(dock).not.toContain("Harbor Kiosk: expected Clover card deposits");
  });

  it("points to the locations and backfill pages when there is nothing yet, and asks for sign-in first", async () => {
    const d = await newMerchant();
    const html = await (await d.browser.get("/history")).text();
    expect(html).toMatch(/daybook has not synced any day yet\. Set up a location on the <a href="\/locations">locations page<\/a>.*<a href="\/backfill">backfill<\/a>/);
    expect(html).not.toContain("<svg");
    expect(html).not.toContain("<table");

    const stranger = await world.browser().get("/history");
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get("Location")).toBe("/sign-in?next=%2Fhistory");
  });
});
