/**
 * The morning digest of a merchant with two locations, in Chromium against the local stack: the
 * demo's Square location (Main Street) and Clover location (Harbor Kiosk) are set up and start posting
 * (each a backfill of the last complete day), an accountant is added as a recipient and confirms, both
 * locations sell through the day and Harbor Kiosk rings up two late sales on the day before. The whole
 * stack (web, worker, scheduler) runs on a clock the test moves on, as the night and the morning pass in
 * the locations' zone: at 02:30 the scheduler's tick sends the night's jobs (Main Street's day is held
 * over/short, Harbor Kiosk's posts and its day before is adjusted), at 07:30 the tick sends the
 * morning's digest, and at 08:30 nothing more. Each recipient gets exactly one digest for that morning
 * naming both locations; its HTML part (opened in Chromium and checked like the pages) and its text
 * part show every account by number and name, never a bare QuickBooks Id.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localInstant } from "../../lib/report/digest";
import { formatDay } from "../../lib/report/format";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { DEFAULT_ACCOUNT_IDS } from "../../sandbox/quickbooks/server";
import { addDays, DEMO, yesterdayIn } from "../../sandbox/local-stack/demo";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { generateDay } from "../../sandbox/square/generate-day";
import { checkPage } from "./page-checks";
import { type BrowserRun, linesOf, middayToday, openBrowserRun, outboxFiles, partOf, signUpTheDemo, waitForBackfill } from "./steps";

const EMAIL = "owner@digest.daybook.localhost";
const BOOKS = "books@accountant.daybook.localhost";
const LOCATIONS = [DEMO.square.locationName, DEMO.clover.name] as const;

/** The stack's clock: midday today where the demo is (never astride its midnight), until the test moves it on to the next morning. */
let offsetMs = middayToday().getTime() - Date.now();
const clock = () => new Date(Date.now() + offsetMs);

let run: BrowserRun | undefined;
let stack: LocalStack;
let page: Page;

beforeAll(async () => {
  run = await openBrowserRun("morning-digest", clock);
  ({ stack, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

interface Email { file: string; raw: string }

const chart = () => stack.quickbooks.accounts(DEMO.quickbooks.realmId);
/** An account as a person reads it: the demo company numbers every account. */
function labelOf(id: string): string {
  const account = chart().find((each) => each.Id === id);
  if (!account?.AcctNum) throw new Error(`no numbered account ${id} in the chart`);
  return `${account.AcctNum} ${account.Name}`;
}

/**
 * Checks that `content` names every account it shows by number and name: each chart account's name only
 * after its number, and every "account <number>" a chart account's number and name, not its Id.
 * Returns the labels shown.
 */
function expectAccountsNamed(content: string): Set<string> {
  const flat = content.replace(/\s+/g, " ");
  const shown = new Set<string>();
  for (const account of chart()) {
    const label = labelOf(account.Id);
    const named = flat.split(account.Name).length - 1;
    expect(flat.split(label).length - 1, `every "${account.Name}" is "${label}"`).toBe(named);
    if (named > 0) shown.add(label);
  }
  for (const match of flat.matchAll(/\baccount:? (\d+)\b/gi)) {
    const rest = flat.slice(match.index + match[0].length - match[1]!.length);
    expect([...shown].some((label) => rest.startsWith(label)), `"${flat.slice(match.index, match.index + 60)}" names an account`).toBe(true);
  }
  expect(shown.size, "accounts the digest shows").toBeGreaterThan(4);
  return shown;
}

/** The Account column of every table in the page, as read (the label a stacked cell shows on a phone left out). */
async function accountCells(page: Page): Promise<string[]> {
  const cells: string[] = [];
  for (const table of await page.locator("table").all()) {
    const headers = (await table.locator("thead th").allTextContents()).map((text) => text.trim());
    const column = headers.indexOf("Account");
    if (column < 0) continue;
    for (const row of await table.locator("tbody tr").all()) {
      const cell = row.locator("th, td").nth(column);
      cells.push(((await cell.textContent()) ?? "").replace(/^Account: /, "").trim());
    }
  }
  expect(cells.length, "account cells").toBeGreaterThan(4);
  return cells;
}

/** Moves the stack's clock to `at` and runs the scheduler there (a tick already under way ran on the clock it began with). */
async function tickAt(at: Date): Promise<void> {
  offsetMs = at.getTime() - Date.now();
  await stack.tick();
  await stack.tick();
}

async function emailsOf(purpose: string): Promise<Email[]> {
  const emails = await Promise.all((await outboxFiles(stack)).map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") })));
  return emails.filter((email) => /^X-Daybook-Purpose: (.+)$/m.exec(email.raw)?.[1]?.trim() === purpose);
}

describe("the morning digest of a business with two locations, in Chromium", () => {
  let today = "";

  it("sets up the Square and the Clover location and starts posting both: each backfill posts the last complete day", async () => {
    await signUpTheDemo(stack, page, EMAIL, "Main Street & Harbor Ltd");

    for (const name of LOCATIONS) {
      await page.getByRole("link", { name: "Locations" }).click();
      await page.getByRole("button", { name: `Set up ${name}` }).click();
      await page.waitForURL(/\/locations\/[^/]+\/mapping\?setup$/);
      const lastComplete = await page.getByLabel("Start posting from").inputValue();
      await page.getByRole("button", { name: `Start posting ${name}` }).click();
      expect(await waitForBackfill(page, `start-posting-${name.toLowerCase().replaceAll(" ", "-")}`)).toMatch(/\b1 of 1 day/);
      today = addDays(lastComplete, 1);
    }
    expect(today).toBe(addDays(yesterdayIn(DEMO.timeZone, clock()), 1));
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId)).toHaveLength(2);
    // A backfill sends its own summary, never a digest.
    expect(await emailsOf("backfill-summary")).toHaveLength(2);
    expect(await emailsOf("digest")).toEqual([]);
  });

  it("adds the accountant as a recipient, who confirms from the emailed link", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    const before = await outboxFiles(stack);
    await page.getByLabel("Email address", { exact: true }).fill(BOOKS);
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect(page.getByRole("button", { name: `Remove ${BOOKS}` }).count()).resolves.toBe(1);
    const asked = (await emailsOf("confirm-recipient")).filter((email) => !before.includes(email.file));
    expect(asked).toHaveLength(1);
    const link = /http:\/\/localhost:\d+\/recipients\/confirm\?token=[A-Za-z0-9_.-]+/.exec(asked[0]!.raw)?.[0];
    expect(link, "the confirmation link").toBeDefined();
    await page.goto(link!);
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("main").textContent()).toMatch(/Confirmed/);
  });

  it("the day's sales come in at both locations, and two late sales on the day before at Harbor Kiosk", () => {
    const square = generateDay({ seed: 7_001, date: today, timeZone: DEMO.timeZone, locationId: DEMO.square.locationId, currency: DEMO.currency, sales: 30 });
    // One sale took 5.00 more cash than it came to: Main Street's figures are over by 5.00, above the
    // tolerance, so its day is held for review (over/short), as the digest must explain.
    const overpaid = square.orders.flatMap((order) => {
      const tenders = (order["tenders"] ?? []) as { type: string; amount_money: { amount: number } }[];
      return order["state"] === "COMPLETED" && tenders.length === 1 && tenders[0]?.type === "CASH" ? [tenders[0]] : [];
    })[0];
    if (!overpaid) throw new Error("no cash sale to overpay");
    overpaid.amount_money.amount += 500;
    stack.square.addOrders(DEMO.square.locationId, square.orders);
    const clover = generateCloverDay({ seed: 7_002, date: today, timeZone: DEMO.timeZone, merchantId: DEMO.clover.merchantId, currency: DEMO.currency, orders: 20 });
    stack.clover.addOrders(DEMO.clover.merchantId, clover.orders);
    // Rung up late, after the day was posted: the night's re-check of it posts an adjusting entry, which the digest explains.
    const lastComplete = addDays(today, -1);
    stack.clover.addOrders(DEMO.clover.merchantId, generateCloverDay({ seed: 7_004, date: lastComplete, timeZone: DEMO.timeZone, merchantId: DEMO.clover.merchantId, currency: DEMO.currency, orders: 2 }).orders);
  });

  it("after the night, the morning's ticks send exactly one digest to each recipient, naming both locations, and later ticks none", async () => {
    const morning = addDays(today, 1);
    // The night: at 02:30 the day has ended and settled, and the tick sends each location's night job.
    await tickAt(localInstant(morning, DEMO.timeZone, "02:30"));
    await stack.queue.idle();
    expect(await emailsOf("digest"), "no digest before 07:00").toEqual([]);
    // The morning: the tick after 07:00 sends the digest.
    await tickAt(localInstant(morning, DEMO.timeZone, "07:30"));

    const digests = await emailsOf("digest");
    expect(digests.map((email) => /^To: (.+)$/m.exec(email.raw)?.[1]?.trim()).sort(), "one digest per recipient").toEqual([BOOKS, EMAIL]);
    for (const { raw } of digests) {
      const text = partOf(raw, "text/plain");
      expect(text).toMatch(new RegExp(`^Main Street & Harbor Ltd: ${formatDay(today)}`));
      // A line of the night's day for each location, in its digest of the whole business.
      for (const name of LOCATIONS) expect(text).toContain(`${name}, ${formatDay(today).slice(0, 3)}`);
      // Expanded: the day held over/short and the day before adjusted.
      expect(text).toContain(`${DEMO.square.locationName}, ${formatDay(today)}: held for review`);
      expect(text).toContain(`${DEMO.clover.name}, ${formatDay(addDays(today, -1))}: adjusted`);
    }
    // Later ticks that morning send nothing more.
    await tickAt(localInstant(morning, DEMO.timeZone, "08:30"));
    expect(await emailsOf("digest")).toHaveLength(2);
  });

  it("shows every account in the digest's HTML and text by number and name, never by a bare Id", async () => {
    for (const digest of await emailsOf("digest")) await expectDigestNamesAccounts(digest);
  });

  it("met no Content Security Policy refusal", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});

async function expectDigestNamesAccounts(digest: Email): Promise<void> {
    // The late sale at Harbor Kiosk was posted as an adjusting entry; the digest's table of what changed names its accounts.
    const adjusting = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => /-A1$/.test(String(entry["DocNumber"])));
    expect(adjusting, "one adjusting entry").toHaveLength(1);
    const adjusted = new Set(linesOf(adjusting[0]!).map((line) => labelOf(line.JournalEntryLineDetail.AccountRef.value)));

    const viewer = await run!.context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, digest.file.replace(/\.eml$/, ".html"))}`);
    await expect(viewer.getByRole("heading", { name: /Harbor Kiosk, [A-Z][a-z]+day .*: adjusted/ }).count()).resolves.toBe(1);
    const cells = await accountCells(viewer);
    expect(new Set(cells)).toEqual(adjusted);
    const html = expectAccountsNamed((await viewer.locator("body").innerText()));
    await checkPage(viewer, `digest-email-${/^To: ([^@]+)/m.exec(digest.raw)?.[1] ?? "recipient"}`);
    await viewer.close();

    const text = expectAccountsNamed(partOf(digest.raw, "text/plain"));
    expect(text).toEqual(html);
    for (const label of adjusted) expect(text).toContain(label);
    // The held day names the account its over/short would go to.
    expect(text).toContain(labelOf(DEFAULT_ACCOUNT_IDS.overShort));
}
