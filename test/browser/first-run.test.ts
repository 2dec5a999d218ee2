/**
 * A merchant's first hour with daybook, in the system Chromium (/usr/bin/chromium through
 * playwright-core; never a downloaded browser) against the local stack `npm start` runs: sign in through
 * the link in the outbox and name the business, connect Square and QuickBooks through the simulators'
 * own consent pages, set up the location (tagged with a QuickBooks Location) and review its mapping and
 * preview, add a recipient and turn review mode on, start posting from the last day that has ended (held
 * for review, approved from the emailed link, posted tagged with accounts by number and name), open the
 * report, be refused a backfill before the first day, post the latest day again (checked, not posted
 * twice), end another session, export, and disconnect after the page naming what stops. Every page is
 * screenshotted (desktop and phone, test/artifacts/browser/first-run/) and checked for labels, contrast
 * and phone width.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTokens } from "../../lib/oauth/tokens";
import { DEMO, addDays } from "../../sandbox/local-stack/demo";
import { connectionWorks } from "../../sandbox/local-stack/smoke";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { checkPage } from "./page-checks";
import { type BrowserRun, connect, openBrowserRun, outboxFiles, signIn, waitForBackfill } from "./steps";
import { formatDay } from "../../lib/report/format";

const EMAIL = "owner@browser.daybook.localhost";
/** What the merchant names the business: not the QuickBooks company's name, so the memo shows which it used. */
const BUSINESS = "Main Street Coffee Co.";
/** The QuickBooks Location the location is tagged with. */
const TAG = DEMO.quickbooks.departments[0];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** Backfills run on the local stack's in-process queue; a page refreshes itself every 2 seconds. */
const FINISH_TIMEOUT_MS = 90_000;

let run: BrowserRun | undefined;
let stack: LocalStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A business day as the pages show it: "Saturday 7 March 2026". */
const DAY_IN_WORDS = /^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+ \d{4}$/;
/** The day posting started from: the last that had ended, the start form's default. */
let yesterday = "";

beforeAll(async () => {
  run = await openBrowserRun("first-run");
  ({ stack, browser, context, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

/** The emails written since `before`, oldest first; only those of `purpose` when given. */
async function newEmails(before: string[], purpose?: string): Promise<{ file: string; raw: string }[]> {
  const files = (await outboxFiles(stack)).filter((file) => !before.includes(file))
    .sort((a, b) => Number(/-(\d+)\.eml$/.exec(a)?.[1] ?? 0) - Number(/-(\d+)\.eml$/.exec(b)?.[1] ?? 0));
  const emails = await Promise.all(files.map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") })));
  return purpose === undefined ? emails : emails.filter((email) => purposeOf(email.raw) === purpose);
}

const purposeOf = (raw: string) => /^X-Daybook-Purpose: (.+)$/m.exec(raw)?.[1]?.trim();

/**
 * The entry's QuickBooks lines as the page shows them: each account is the chart's number and name
 * (the demo company numbers its accounts), linked by its Id, never shown as the Id itself.
 */
async function expectAccountsNamed(on: Page): Promise<void> {
  const chart = new Map(stack.quickbooks.accounts(DEMO.quickbooks.realmId).map((account) => [account.Id, account]));
  const cells = on.getByRole("table", { name: /Journal entry lines/ }).locator("tbody [data-label=Account]");
  const shown = await Promise.all((await cells.all()).map(async (cell) => ({
    text: ((await cell.textContent()) ?? "").trim(), href: (await cell.locator("a").getAttribute("href")) ?? "",
  })));
  expect(shown.length).toBeGreaterThan(3);
  for (const { text, href } of shown) {
    const id = decodeURIComponent(/#account-(.+)$/.exec(href)?.[1] ?? "");
    const account = chart.get(id);
    expect(account, `the account linked from ${href}`).toBeDefined();
    expect(text).toBe(`${account!.AcctNum ?? ""} ${account!.Name}`);
    expect(text).not.toMatch(/^\d+$|QuickBooks account/);
  }
}

/** The day's entry in the QuickBooks company: one, tagged with the Location on every line, its memo in words. Returns it. */
function expectTaggedEntry(day: string, revision = 0): Record<string, unknown> {
  const entries = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === day);
  expect(entries, day).toHaveLength(1);
  const lines = entries[0]!["Line"] as { JournalEntryLineDetail: Record<string, unknown> }[];
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) {
    expect(line.JournalEntryLineDetail["DepartmentRef"]).toEqual({ value: TAG.Id, name: TAG.Name });
    expect(line.JournalEntryLineDetail["ClassRef"]).toBeUndefined();
  }
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const words = `${WEEKDAYS[new Date(Date.UTC(year, month - 1, date)).getUTCDay()]!} ${String(date)} ${MONTHS[month - 1]!} ${String(year)}`;
  expect(entries[0]!["PrivateNote"]).toMatch(new RegExp(
    `^${escapeRegExp(`${BUSINESS} – ${DEMO.square.locationName} – ${words} – daily sales from Square – revision ${String(revision)}.`)} Posted by daybook; summary sha256 [0-9a-f]{64}\\.$`,
  ));
  return entries[0]!;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("the first-time flow in Chromium", () => {
  it("signs in through the emailed link and names the business, refusing a blank name next to the field", async () => {
    expect(await signIn(stack, page, EMAIL, true)).toBe("/business-name");
    await checkPage(page, "business-name");
    await page.getByLabel("Business name").fill("   ");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/business name/i);
    await checkPage(page, "business-name-error");
    await page.getByLabel("Business name").fill(BUSINESS);
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL(/\/connections$/);
    expect(await page.title()).toContain(BUSINESS);
    await checkPage(page, "connections-empty");
  });

  it("connects Square and QuickBooks through the simulators' consent pages", async () => {
    await connect(stack, page, "Square", DEMO.square.merchantId);
    await connect(stack, page, "QuickBooks", DEMO.quickbooks.realmId);
    await checkPage(page, "connections");
    // Named as the providers name them, never by their ids.
    await expect(page.getByRole("cell", { name: DEMO.square.businessName, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole("cell", { name: DEMO.quickbooks.companyName, exact: true }).count()).resolves.toBe(1);
    const text = await page.locator("main").textContent();
    expect(text).not.toContain(DEMO.square.merchantId);
    expect(text).not.toContain(DEMO.quickbooks.realmId);
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(true);
    expect(await connectionWorks(stack, EMAIL, "quickbooks")).toBe(true);
  });

  it("sets up the location tagged with a QuickBooks Location, rejecting a bad time zone next to the field, and reviews its mapping with the preview of a day", async () => {
    await page.getByRole("link", { name: "Locations" }).click();
    await checkPage(page, "locations");
    const form = page.locator("form", { has: page.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }) });
    await form.getByLabel(/Time zone/).fill("Mars/Olympus_Mons");
    await form.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/time zone/i);
    await expect(page.getByLabel(/Time zone/).first().inputValue()).resolves.toBe("Mars/Olympus_Mons");
    await checkPage(page, "locations-error");

    await page.getByLabel(/Time zone/).first().fill(DEMO.timeZone);
    // The company tracks Locations and Classes: its active ones are offered.
    await page.getByLabel("Location in QuickBooks").selectOption({ label: TAG.Name });
    await expect(page.getByLabel("Class in QuickBooks").locator("option").allTextContents()).resolves.toEqual(["None", ...DEMO.quickbooks.classes.map((each) => each.Name)]);
    await page.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }).click();
    await page.waitForURL(new RegExp(`/locations/${DEMO.square.locationId}/mapping\\?setup$`));
    await expect(page.getByRole("table", { name: /Preview entry lines/ }).count()).resolves.toBe(1);
    await checkPage(page, "mapping-setup");
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/Mapping saved/);
    await checkPage(page, "mapping-saved");

    await page.goto(`${stack.url}/locations`);
    await expect(page.getByLabel("Location in QuickBooks").inputValue()).resolves.toBe(TAG.Id);
    await checkPage(page, "locations-saved");
    // Set up and mapped, yet nothing posts before the merchant starts it.
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId)).toEqual([]);
  });

  it("adds a report recipient and shows review mode", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    await checkPage(page, "reports");
    await page.getByLabel("Email address", { exact: true }).fill("not an address");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/email address/i);
    await expect(page.getByLabel("Email address", { exact: true }).inputValue()).resolves.toBe("not an address");
    await checkPage(page, "reports-error");
    const emailsBefore = await outboxFiles(stack);
    await page.getByLabel("Email address", { exact: true }).fill("books@accountant.daybook.localhost");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect(page.getByRole("button", { name: "Remove books@accountant.daybook.localhost" }).count()).resolves.toBe(1);
    await expect.poll(() => page.getByRole("listitem").filter({ hasText: "books@accountant.daybook.localhost" }).textContent()).toMatch(/Waiting for confirmation/);
    await checkPage(page, "reports-recipient-pending");
    // The new address gets one email, asking it to confirm, and nothing else until it does.
    const asked = await newEmails(emailsBefore);
    expect(asked.map((email) => purposeOf(email.raw))).toEqual(["confirm-recipient"]);
    expect(asked[0]!.raw).toMatch(/^To: books@accountant\.daybook\.localhost$/m);
    await expect(page.getByLabel("Hold each day's entry for my approval before posting").count()).resolves.toBe(1);
  });

  it("in review mode, starting to post holds the first day; the emailed link's approval page names every account, and approving posts it tagged", async () => {
    await page.getByLabel("Hold each day's entry for my approval before posting").check();
    await page.getByRole("button", { name: "Save review mode" }).click();
    await expect(page.getByLabel("Hold each day's entry for my approval before posting").isChecked()).resolves.toBe(true);

    const before = await outboxFiles(stack);
    await page.goto(`${stack.url}/locations/${DEMO.square.locationId}/mapping`);
    yesterday = await page.getByLabel("Start posting from").inputValue();
    const held = yesterday;
    await page.getByRole("button", { name: `Start posting ${DEMO.square.locationName}` }).click();
    expect(await waitForBackfill(page, "start-posting-held")).toMatch(/\b1 of 1 day/);
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === held)).toEqual([]);

    const link = (await Promise.all((await outboxFiles(stack)).filter((file) => !before.includes(file)).map((file) => readFile(join(stack.outboxDir, file), "utf8"))))
      .map((raw) => /http:\/\/localhost:\d+\/approve\?token=[A-Za-z0-9_.-]+/.exec(raw)?.[0])
      .find((each) => each !== undefined);
    expect(link, "the report's approve link").toBeDefined();
    await page.goto(link!);
    await expectAccountsNamed(page);
    await checkPage(page, "approve");
    await page.getByRole("button", { name: "Approve and post to QuickBooks" }).click();
    await expect.poll(() => page.locator("main").textContent()).toMatch(/Approved/);
    await expect.poll(() => stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === held).length, { timeout: FINISH_TIMEOUT_MS }).toBe(1);
    expectTaggedEntry(held);

    await page.goto(`${stack.url}/days/${DEMO.square.locationId}/${held}`);
    await expectAccountsNamed(page);
    await checkPage(page, "day-report-approved");
  });

  it("shows the posted day in the history, its entry and the backfill's one summary email", async () => {
    await page.getByRole("link", { name: "History" }).click();
    await checkPage(page, "history");
    // Days in words, with the weekday; the link names the day itself.
    const dayLink = page.getByRole("link", { name: DAY_IN_WORDS }).first();
    await expect(dayLink.textContent()).resolves.toBe(formatDay(yesterday));
    await expect(page.getByRole("img", { name: /^Daily net sales and fees/ }).count()).resolves.toBeGreaterThan(0);

    await dayLink.click();
    expect(new URL(page.url()).pathname).toBe(`/days/${DEMO.square.locationId}/${yesterday}`);
    await expect(page.getByRole("table", { name: /Journal entry lines/ }).count()).resolves.toBeGreaterThan(0);
    await expectAccountsNamed(page);
    await checkPage(page, "day-report");

    // The entry is in the QuickBooks company, once, and no day before it.
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).map((entry) => entry["TxnDate"])).toEqual([yesterday]);

    // Starting to post is a backfill of one day: its one summary, not a report per day, opened as the
    // mail client would show its HTML part and checked like the pages.
    const summaries = await newEmails([], "backfill-summary");
    expect(summaries, "the backfill's one summary in the outbox").toHaveLength(1);
    const viewer = await context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, summaries[0]!.file.replace(/\.eml$/, ".html"))}`);
    await expect(viewer.getByText(formatDay(yesterday)).count()).resolves.toBeGreaterThan(0);
    await checkPage(viewer, "backfill-summary-email");
    await viewer.close();
  });

  it("refuses a backfill that ends before it starts, or reaches before the first day, next to the field; posting the latest day again checks it", async () => {
    const first = addDays(yesterday, -7);
    const last = addDays(yesterday, -1);
    await page.getByRole("link", { name: "Backfill" }).click();
    await checkPage(page, "backfill");
    await page.getByLabel("Location").selectOption({ label: DEMO.square.locationName });
    await page.getByLabel("First day").fill(last);
    await page.getByLabel("Last day").fill(first);
    await page.getByRole("button", { name: "Start backfill" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toBeTruthy();
    await expect(page.getByLabel("First day").inputValue()).resolves.toBe(last);
    await checkPage(page, "backfill-error");

    await page.getByLabel("First day").fill(first);
    await page.getByLabel("Last day").fill(last);
    await page.getByRole("button", { name: "Start backfill" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain(`posts from ${yesterday}`);

    // "Post <weekday day month>": the latest day, already posted, is checked and not posted twice.
    await page.getByRole("button", { name: /^Post [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}$/ }).first().click();
    expect(await waitForBackfill(page, "post-latest-day")).toMatch(/\b1 of 1 day/);
    expectTaggedEntry(yesterday);
  });

  it("ends another session from the sessions page", async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, userAgent: "Phone Browser/1" });
    const other = await phone.newPage();
    await signIn(stack, other, EMAIL, false);
    await page.getByRole("link", { name: "Sessions" }).click();
    await checkPage(page, "sessions");
    await page.getByRole("button", { name: "End session" }).click();
    await checkPage(page, "sessions-ended");
    await other.goto(`${stack.url}/connections`);
    expect(new URL(other.url()).pathname).toBe("/sign-in");
    await phone.close();
  });

  it("exports everything daybook holds, without a token", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await checkPage(page, "account");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data" }).click()]);
    const exported = JSON.parse(await readFile(await download.path(), "utf8")) as Record<string, unknown[]>;
    expect(exported["locations"]).toHaveLength(1);
    expect(exported["syncRecords"]!.length).toBe(1);
    expect(JSON.stringify(exported)).not.toMatch(/tokenCiphertext|accessToken|refreshToken/);
  });

  it("disconnects Square after a page naming the location that stops posting: the connection is gone at once, the page says Square revoked it, and the token stops working", async () => {
    const merchant = await stack.deps.store.findMerchantByEmail(EMAIL);
    const square = (await stack.deps.store.listConnections(merchant!.merchantId)).find((connection) => connection.provider === "square")!;
    const { accessToken } = await openTokens(stack.deps.vault, square);
    await page.getByRole("link", { name: "Connections" }).click();
    const row = page.locator("section", { has: page.getByRole("heading", { name: "Square", exact: true }) }).getByRole("row", { name: new RegExp(DEMO.square.businessName) });
    await row.getByRole("link", { name: /^Disconnect / }).click();
    await expect(page.getByRole("listitem").filter({ hasText: new RegExp(`^${DEMO.square.locationName}$`) }).count()).resolves.toBe(1);
    await checkPage(page, "disconnect-confirm");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(true);
    await page.getByRole("button", { name: /^Disconnect / }).click();
    await expect.poll(() => page.getByText("Square has revoked daybook's access, and daybook has deleted its tokens.").count()).toBe(1);
    expect(await row.count()).toBe(0);
    await checkPage(page, "connections-disconnected");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(false);
    const refused = await fetch(`${stack.square.url}/v2/locations`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
    await refused.arrayBuffer();
    expect(refused.status).toBe(401);
  });

  it("met no Content Security Policy refusal (no page needs a script or an inline style)", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});
