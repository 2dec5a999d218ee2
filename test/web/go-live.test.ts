/**
 * Going live, every part real: the merchant sets a Square location up (step 1 done), reviews every item
 * of its mapping with a preview of its last complete day read from the Square simulator (step 2), and
 * starts posting from a day it chooses (step 3): the days that have ended since are backfilled through
 * the real queue on moto_server and the nightly worker, the nights carry on after, and no day before the
 * first is posted, then or later. Then a change of day start applies from the next day not yet posted,
 * and the days already posted stay as they were.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { LocationConfig } from "../../lib/model";
import { syncJobSchema, type SyncJob } from "../../lib/schedule/job";
import { processJob } from "../../lib/worker/process-job";
import { DEFAULT_ACCOUNT_IDS as IDS } from "../../sandbox/quickbooks/server";
import { catalogBody, catalogTaxes, generateDay } from "../../sandbox/square/generate-day";
import { type EmailLinksWorld, useLinkedWebWorld } from "./email-links-world";
import { type Browser, type WebWorld, workerOf } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
useLinkedWebWorld((opened, openedLinks) => {
  world = opened;
  links = openedLinks;
}, (closing) => {
  // daybook never changed or deleted anything in QuickBooks.
  expect(closing.quickbooks.forbiddenWrites()).toEqual([]);
});

// The world's clock: 2025-06-02 10:00 in New York; with the day starting at midnight, 06-01 is the last complete day.
const LAST_COMPLETE = "2025-06-01";
const SALES_DAYS = ["2025-05-28", "2025-05-29", "2025-05-30", "2025-05-31", "2025-06-01", "2025-06-02"];

let counter = 0;
interface Merchant {
  browser: Browser;
  merchantId: string;
  locationId: string;
  realmId: string;
  form: Record<string, string>;
}

/** A new merchant with Square and QuickBooks connected, the Square location's catalog (categories and taxes) and sales. */
async function merchant(accountIndex: number): Promise<Merchant> {
  const browser = world.browser({ ip: `198.51.100.${String(++counter)}` });
  const email = `golive${String(counter)}.${String(Date.now())}@example.com`;
  await browser.signIn(email);
  const squareMerchant = world.accounts.square[accountIndex]!;
  const realmId = world.accounts.quickbooks[accountIndex]!;
  expect((await browser.connect("square", squareMerchant)).status).toBe(303);
  expect((await browser.connect("quickbooks", realmId)).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  const connections = await world.deps.store.listConnections(merchantId);
  const html = await (await browser.get("/locations")).text();
  const locationId = /name="locationId" value="([^"]+)"/.exec(html)![1]!;
  const catalog = catalogBody();
  world.square.setCatalog(squareMerchant, { ...catalog, related_objects: [...catalog.related_objects, ...catalogTaxes()] });
  return {
    browser, merchantId, locationId, realmId,
    form: {
      posConnectionId: connections.find((each) => each.provider === "square")!.connectionId, locationId, timeZone: "America/New_York", dayStart: "00:00",
      quickbooksConnectionId: connections.find((each) => each.provider === "quickbooks")!.connectionId,
    },
  };
}

function addSales(locationId: string, seedBase: number): void {
  for (const [index, date] of SALES_DAYS.entries()) {
    world.square.addOrders(locationId, generateDay({ seed: seedBase + index, date, timeZone: "America/New_York", locationId, currency: "USD", sales: 12 }).orders);
  }
}

const stored = async (m: Merchant): Promise<LocationConfig> => (await world.deps.store.getLocation(m.merchantId, m.locationId))!;
const mappingUrl = (m: Merchant) => `/locations/${m.locationId}/mapping`;
const queued = async (): Promise<SyncJob[]> => (await links.drain()).map((message) => syncJobSchema.parse(message.body));
const entryDays = (realmId: string) => world.quickbooks.journalEntries(realmId).map((entry) => entry.TxnDate).sort();

interface EntryLine { Description?: string; JournalEntryLineDetail: { AccountRef: { value: string } } }
const linesOf = (entry: Record<string, unknown> | undefined) => (entry?.["Line"] ?? []) as EntryLine[];

async function run(jobs: SyncJob[]): Promise<string[]> {
  const worker = workerOf(world);
  const statuses: string[] = [];
  for (const job of jobs) statuses.push((await processJob(worker, job, { number: 1, max: 3 })).status);
  return statuses;
}

/** The preview table's rows: side, line, amount, account. */
function previewRows(html: string): string[][] {
  const table = /<caption>Preview entry lines \(USD\)<\/caption>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td>([^<]*)<\/td>/g)].map((cell) => cell[1]!.replace(/&amp;/g, "&").replace(/&#39;/g, "'")));
}

describe("going live", () => {
  let m: Merchant;
  beforeAll(async () => {
    m = await merchant(0);
    addSales(m.locationId, 9000);
  });

  it("sets the location up and shows its mapping with every item and the preview of its last complete day; nothing is posted or scheduled", async () => {
    expect(await (await m.browser.get("/connections")).text()).toContain('<p id="next-step">Next: <a href="/locations">set up each location</a>');
    const setUp = await m.browser.post("/locations", m.form);
    expect(setUp.status).toBe(303);
    // With a location set up, the connections page no longer leads the way.
    expect(await (await m.browser.get("/connections")).text()).not.toContain('id="next-step"');
    expect(setUp.headers.get("Location")).toBe(`${mappingUrl(m)}?setup`);
    const page = await m.browser.get(`${mappingUrl(m)}?setup`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Location set up. Review the mapping");
    expect(html).toContain("<strong>Review the mapping</strong>");
    // Square's categories and taxes (ListCatalog), its tenders, and the pseudo-categories, each with its account or the default.
    for (const label of ["Sales – Beverages", "Sales – Food", "Sales – Merchandise", "Sales – Custom amounts", "Payments – Card", "Payments – Cash", "Tax – State Sales Tax", "Tax – City Tax"]) {
      expect(html).toContain(`>${label}</label>`);
    }
    expect(html).toContain("<h2 id=\"preview-heading\">Preview: Sunday 1 June 2025</h2>");
    const rows = previewRows(html);
    expect(rows.length).toBeGreaterThan(4);
    expect(rows.find((row) => row[1] === "Sales – Beverages")).toEqual(["Credit", "Sales – Beverages", expect.stringMatching(/^\d{1,3}(,\d{3})*\.\d{2}$/), "Sales of Product Income"]);
    expect(rows.find((row) => row[1] === "Tax – State Sales Tax")?.[3]).toBe("Sales Tax Collected (POS)");
    // What the report would say names each account as the table does, never by its QuickBooks Id.
    const warnings = /<p>What the day&#39;s report would tell your accountant:<\/p>\s*<ul>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
    expect(warnings).toContain("the default sales account Sales of Product Income.");
    expect(warnings).not.toContain("QuickBooks account");
    expect(html).toMatch(/<input type="date" id="start-from" name="from"[^>]*value="2025-06-01"/);
    expect(html).toContain("would be counted twice");
    expect(html).toContain("The earliest you can choose is Tuesday 4 March 2025.");
    expect(world.quickbooks.journalEntries(m.realmId)).toEqual([]);
    expect(await world.deps.dueIndex.get(m.merchantId, m.locationId)).toBeUndefined();
  });

  it("previews with the mapping as saved: a category given its own account shows there", async () => {
    const html = await (await m.browser.get(mappingUrl(m))).text();
    const field = /<input type="hidden" name="(category)Key-(\d+)" value="GEN_CAT_BEV"/.exec(html)!;
    const form = Object.fromEntries([...html.matchAll(/<select[^>]*name="([^"]+)"[^>]*>[\s\S]*?<\/select>/g)].map((select) => [
      select[1]!, /<option value="([^"]*)" selected/.exec(select[0])?.[1] ?? "",
    ]));
    const keys = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([A-Za-z]+Key-\d+)" value="([^"]*)"/g)].map((input) => [input[1]!, input[2]!]));
    const saved = await m.browser.post(mappingUrl(m), { ...form, ...keys, [`${field[1]!}-${field[2]!}`]: IDS.discounts });
    expect(saved.status).toBe(303);
    expect((await stored(m)).mapping.categories).toEqual({ GEN_CAT_BEV: IDS.discounts });
    const after = await (await m.browser.get(mappingUrl(m))).text();
    const rows = previewRows(after);
    expect(rows.find((row) => row[1] === "Sales – Beverages")?.[3]).toBe("Discounts Given");
    // The other categories were on the page and left on Default: a choice, which the report does not flag, nor the preview.
    expect(rows.find((row) => row[1] === "Sales – Food")?.[3]).toBe("Sales of Product Income");
    expect(after).not.toContain("has no account in the mapping");
  });

  it("refuses a first day it cannot use, next to the field, and starts nothing", async () => {
    for (const [from, message] of [
      ["2025-02-01", "daybook reaches back at most 90 days: choose Tuesday 4 March 2025 or later."],
      ["2025-06-31", "That day is not a date on the calendar."],
      ["", "Enter the first day to post as a date, like 2025-06-01."],
    ] as const) {
      const refused = await m.browser.post(`/locations/${m.locationId}/start`, { from });
      expect(refused.status).toBe(400);
      const html = await refused.text();
      expect(html).toMatch(/<input type="date" id="start-from"[^>]*aria-invalid="true"/);
      expect(html).toContain(`<p id="start-from-error" class="error" role="alert">${message}</p>`);
    }
    expect(await stored(m)).toMatchObject({ awaitingStart: true });
    expect(await queued()).toEqual([]);
  });

  it("starts posting from the chosen day: the days that ended since are backfilled at once, the nights carry on after, and no day before it is posted", async () => {
    const started = await m.browser.post(`/locations/${m.locationId}/start`, { from: "2025-05-30" });
    expect(started.status).toBe(303);
    expect(started.headers.get("Location")).toMatch(/^\/backfill\/[0-9a-f-]{36}$/);
    const location = await stored(m);
    expect(location.awaitingStart).toBeUndefined();
    expect(location.postingFrom).toBe("2025-05-30");
    // The nights start with 06-02, due at 02:00 on 06-03 in New York (06:00Z).
    expect(await world.deps.dueIndex.get(m.merchantId, m.locationId)).toMatchObject({ nextDueAt: "2025-06-03T06:00:00.000Z" });

    const jobs = await queued();
    expect(jobs.map((job) => [job.businessDay, job.kind])).toEqual([["2025-05-30", "backfill"], ["2025-05-31", "backfill"], [LAST_COMPLETE, "backfill"]]);
    expect(await run(jobs)).toEqual(["posted", "posted", "posted"]);
    expect(entryDays(m.realmId)).toEqual(["2025-05-30", "2025-05-31", LAST_COMPLETE]);
    const beverages = linesOf(world.quickbooks.journalEntries(m.realmId)[1]).find((line) => line.Description === "Sales – Beverages");
    expect(beverages?.JournalEntryLineDetail.AccountRef.value).toBe(IDS.discounts);
    const finished = await (await m.browser.get(started.headers.get("Location")!)).text();
    expect(finished).toContain("<tr><th scope=\"row\">Posted</th><td>3</td></tr>");

    // Before the first day: never, not even asked for.
    const refused = await m.browser.post("/backfill", { locationId: m.locationId, from: "2025-05-28", to: "2025-05-29" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Main Street posts from 2025-05-30, the first day chosen when it started posting: choose 2025-05-30 or later.");
    expect(await queued()).toEqual([]);
    const list = await (await m.browser.get("/locations")).text();
    expect(list).toContain("Posting, from Friday 30 May 2025.");
    // Once started, there is nothing more to start.
    expect((await m.browser.post(`/locations/${m.locationId}/start`, { from: "2025-05-20" })).status).toBe(409);
  });

  it("applies a new day start from the next day not yet posted; the days already posted keep theirs and re-check unchanged", async () => {
    const page = await (await m.browser.get("/locations")).text();
    expect(page).toMatch(/<input type="date" name="applyFrom" value="2025-06-02" min="2025-06-02"/);
    expect(page).toContain("Earlier days keep their start (00:00, America/New_York): nothing already posted changes.");

    const early = await m.browser.post("/locations", { ...m.form, dayStart: "04:00", applyFrom: LAST_COMPLETE });
    expect(early.status).toBe(400);
    expect(await early.text()).toContain("Sunday 1 June 2025 is already posted, or being posted, with the day starting 00:00 (America/New_York): choose 2025-06-02 or later.");
    expect((await stored(m)).dayStart).toBe("00:00");

    const saved = await m.browser.post("/locations", { ...m.form, dayStart: "04:00", applyFrom: "2025-06-02" });
    expect(saved.status).toBe(303);
    const location = await stored(m);
    expect(location).toMatchObject({ dayStart: "04:00", earlierDaySettings: [{ timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-02" }] });
    // 06-02 now runs from midnight (where 06-01 ended) to 04:00 on 06-03 (08:00Z), due two hours later.
    expect(await world.deps.dueIndex.get(m.merchantId, m.locationId)).toMatchObject({ dayStart: "04:00", nextDueAt: "2025-06-03T10:00:00.000Z" });

    const before = world.quickbooks.journalEntries(m.realmId).length;
    const rechecks = ["2025-05-30", "2025-05-31", LAST_COMPLETE].map((businessDay): SyncJob => ({ merchantId: m.merchantId, locationId: m.locationId, businessDay, kind: "recheck" }));
    expect(await run(rechecks)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(world.quickbooks.journalEntries(m.realmId)).toHaveLength(before);
  });

  it("starts a location from a day still to come: nothing is backfilled, its nights begin with that day", async () => {
    const other = await merchant(1);
    expect((await other.browser.post("/locations", other.form)).status).toBe(303);
    const started = await other.browser.post(`/locations/${other.locationId}/start`, { from: "2025-06-02" });
    expect(started.status).toBe(303);
    expect(started.headers.get("Location")).toBe(`/locations?started=${other.locationId}`);
    expect(await (await other.browser.get(started.headers.get("Location")!)).text()).toContain("Main Street is posting: daybook posts each day from Monday 2 June 2025 once it has ended.");
    expect(await queued()).toEqual([]);
    expect(await world.deps.dueIndex.get(other.merchantId, other.locationId)).toMatchObject({ nextDueAt: "2025-06-03T06:00:00.000Z" });
  });
});
