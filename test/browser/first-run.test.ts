/**
 * A merchant's first hour with daybook, in the system Chromium (/usr/bin/chromium through
 * playwright-core; never a downloaded browser) against the local stack `npm start` runs: sign in through
 * the link in the outbox and name the business, connect Square and QuickBooks through the simulators'
 * own consent pages, set up the location (tagged with a QuickBooks Location) and its mapping, sync
 * yesterday, see the posted entry (accounts by number and name, never a bare Id) and open the backfill's
 * one summary email, run a 7-day backfill to the end (one summary again), add a recipient (one
 * confirmation email), hold a day in review mode and approve it from the emailed link, end another
 * session, export, and disconnect. Every page is screenshotted (desktop and phone,
 * test/artifacts/browser/) and checked for labels, contrast and phone width.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTokens } from "../../lib/oauth/tokens";
import { DEMO, addDays } from "../../sandbox/local-stack/demo";
import { connectionWorks } from "../../sandbox/local-stack/smoke";
import { type LocalStack, startLocalStack } from "../../sandbox/local-stack/stack";
import { checkPage, clearScreenshots, DESKTOP, SCREENSHOTS } from "./page-checks";
import { chromiumPath } from "../../scripts/prerequisites";
import { formatDay } from "../../lib/report/format";

// The one npm test made sure of (scripts/prerequisites.ts).
const CHROMIUM = chromiumPath();
const EMAIL = "owner@browser.daybook.localhost";
/** What the merchant names the business: not the QuickBooks company's name, so the memo shows which it used. */
const BUSINESS = "Main Street Coffee Co.";
/** The QuickBooks Location the location is tagged with. */
const TAG = DEMO.quickbooks.departments[0];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** Backfills run on the local stack's in-process queue; a page refreshes itself every 2 seconds. */
const FINISH_TIMEOUT_MS = 90_000;

let stack: LocalStack;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A business day as the pages show it: "Saturday 7 March 2026". */
const DAY_IN_WORDS = /^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+ \d{4}$/;
/** The day "Sync yesterday" synced, read off the progress page. */
let yesterday = "";
const consoleErrors: string[] = [];

beforeAll(async () => {
  clearScreenshots();
  dataDir = await mkdtemp(join(tmpdir(), "daybook-browser-"));
  stack = await startLocalStack({ dataDir, ports: { web: 0, square: 0, clover: 0, quickbooks: 0 }, log: () => undefined });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // The CSP forbids scripts and inline styles: a page that needed either would log a violation here.
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) consoleErrors.push(message.text());
  });
}, 60_000);

afterAll(async () => {
  // Unset when beforeAll failed part-way.
  await (browser as Browser | undefined)?.close();
  await (stack as LocalStack | undefined)?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function newestEmail(after: string[] = []): Promise<{ file: string; raw: string }> {
  const files = (await readdir(stack.outboxDir)).filter((file) => file.endsWith(".eml") && !after.includes(file));
  const newest = files.sort((a, b) => Number(/-(\d+)\.eml$/.exec(a)?.[1] ?? 0) - Number(/-(\d+)\.eml$/.exec(b)?.[1] ?? 0)).at(-1);
  if (!newest) throw new Error("no new email in the outbox");
  return { file: newest, raw: await readFile(join(stack.outboxDir, newest), "utf8") };
}

/** The emails written since `before`, oldest first; only those of `purpose` when given. */
async function newEmails(before: string[], purpose?: string): Promise<{ file: string; raw: string }[]> {
  const files = (await outboxFiles()).filter((file) => !before.includes(file))
    .sort((a, b) => Number(/-(\d+)\.eml$/.exec(a)?.[1] ?? 0) - Number(/-(\d+)\.eml$/.exec(b)?.[1] ?? 0));
  const emails = await Promise.all(files.map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") })));
  return purpose === undefined ? emails : emails.filter((email) => purposeOf(email.raw) === purpose);
}

const purposeOf = (raw: string) => /^X-Daybook-Purpose: (.+)$/m.exec(raw)?.[1]?.trim();

const outboxFiles = async () => (await readdir(stack.outboxDir).catch(() => [] as string[])).filter((file) => file.endsWith(".eml"));

/** Asks for a sign-in link on `on`, opens it from the outbox and presses the button; returns where it led. */
async function signIn(on: Page, shoot: boolean): Promise<string> {
  await on.goto(stack.url);
  expect(new URL(on.url()).pathname).toBe("/sign-in");
  if (shoot) await checkPage(on, "sign-in");
  const before = await outboxFiles();
  await on.getByLabel("Email address").fill(EMAIL);
  await on.getByRole("button", { name: "Email me a sign-in link" }).click();
  if (shoot) await checkPage(on, "sign-in-link-sent");
  const email = await newestEmail(before);
  const link = /http:\/\/localhost:\d+\/sign-in\/confirm\?token=[A-Za-z0-9_-]+/.exec(email.raw)?.[0];
  expect(link, "the sign-in email's link").toBeDefined();
  await on.goto(link!);
  if (shoot) await checkPage(on, "sign-in-confirm");
  await on.getByRole("button", { name: "Sign in" }).click();
  await on.waitForURL(/\/(business-name|connections)$/);
  return new URL(on.url()).pathname;
}

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

/** Presses Connect for the provider and approves on the simulator's consent page, choosing `account`. */
async function connect(provider: "Square" | "QuickBooks", account: string): Promise<void> {
  await page.getByRole("button", { name: new RegExp(`: ${provider}$`) }).click();
  await page.waitForURL((url) => url.origin !== new URL(stack.url).origin);
  await page.screenshot({ path: join(SCREENSHOTS, `consent-${provider.toLowerCase()}.png`), fullPage: true });
  await page.locator("select").selectOption({ value: account });
  await page.getByRole("button", { name: /^(Allow|Approve)$/ }).click();
  await page.waitForURL(new RegExp(`/connections\\?connected=${provider.toLowerCase()}$`));
  await expect.poll(() => page.getByRole("status").textContent()).toMatch(/connected/i);
}

/** Cancels the page's pending reload (its meta refresh), waiting out one that has already begun. */
async function holdStill(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.waitForLoadState();
    try {
      await page.evaluate("window.stop()");
      return;
    } catch (error) {
      if (attempt === 5 || !(error instanceof Error) || !error.message.includes("Execution context was destroyed")) throw error;
    }
  }
}

/** Waits on a backfill's progress page (which reloads itself) until it says it is finished. */
async function waitForBackfill(name: string): Promise<string> {
  expect(new URL(page.url()).pathname).toMatch(/^\/backfill\/[^/]+$/);
  // Held still while it is checked (a reload would cut the check short), then reloading itself again.
  await holdStill();
  await checkPage(page, `${name}-progress`);
  await page.reload();
  await page.getByText("Backfill finished").waitFor({ timeout: FINISH_TIMEOUT_MS });
  await checkPage(page, `${name}-finished`);
  return (await page.getByRole("status").textContent()) ?? "";
}

describe("the first-time flow in Chromium", () => {
  it("signs in through the emailed link and names the business, refusing a blank name next to the field", async () => {
    expect(await signIn(page, true)).toBe("/business-name");
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
    await connect("Square", DEMO.square.merchantId);
    await connect("QuickBooks", DEMO.quickbooks.realmId);
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

  it("sets up the location tagged with a QuickBooks Location, rejecting a bad time zone next to the field, and maps it", async () => {
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
    await page.waitForURL(/\/locations\?saved$/);
    await checkPage(page, "locations-saved");
    await expect(page.getByLabel("Location in QuickBooks").inputValue()).resolves.toBe(TAG.Id);

    await page.getByRole("link", { name: `Edit mapping for ${DEMO.square.locationName}` }).click();
    await checkPage(page, "mapping");
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/Mapping saved/);
    await checkPage(page, "mapping-saved");
  });

  it("syncs yesterday and shows the posted entry and the report", async () => {
    await page.getByRole("link", { name: "Backfill" }).click();
    await checkPage(page, "backfill");
    const reportsBefore = await outboxFiles();
    await page.getByRole("button", { name: /^Sync yesterday/ }).first().click();
    const status = await waitForBackfill("sync-yesterday");
    expect(status).toMatch(/\b1 of 1 day/);

    await page.getByRole("link", { name: /history/i }).last().click();
    await checkPage(page, "history");
    // Days in words, with the weekday; the link names the day itself.
    const dayLink = page.getByRole("link", { name: DAY_IN_WORDS }).first();
    yesterday = /\/(\d{4}-\d{2}-\d{2})$/.exec((await dayLink.getAttribute("href")) ?? "")?.[1] ?? "";
    expect(await dayLink.textContent()).toBe(formatDay(yesterday));
    expect(page.getByRole("img", { name: /^Daily net sales and fees/ })).toBeDefined();
    await expect(page.getByRole("img", { name: /^Daily net sales and fees/ }).count()).resolves.toBeGreaterThan(0);

    await dayLink.click();
    expect(new URL(page.url()).pathname).toBe(`/days/${DEMO.square.locationId}/${yesterday}`);
    await expect(page.getByRole("table", { name: /Journal entry lines/ }).count()).resolves.toBeGreaterThan(0);
    await expectAccountsNamed(page);
    await checkPage(page, "day-report");

    // The entry is in the QuickBooks company, once, every line tagged with the Location, its memo in words.
    const entry = expectTaggedEntry(yesterday);

    // One day synced on request is a backfill of one day: its one summary, not a report per day, opened
    // as the mail client would show its HTML part and checked like the pages.
    const summaries = await newEmails(reportsBefore, "backfill-summary");
    expect(summaries, "the backfill's one summary in the outbox").toHaveLength(1);
    expect(summaries[0]!.raw).toMatch(/^To: owner@browser\.daybook\.localhost$/m);
    const viewer = await context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, summaries[0]!.file.replace(/\.eml$/, ".html"))}`);
    await expect(viewer.getByText(formatDay(yesterday)).count()).resolves.toBeGreaterThan(0);
    expect(await viewer.getByRole("link", { name: entry["DocNumber"] as string }).count()).toBe(1);
    await checkPage(viewer, "backfill-summary-email");
    await viewer.close();
  });

  it("refuses a backfill that ends before it starts, next to the field, then runs 7 days to the end", async () => {
    const first = addDays(yesterday, -7);
    const last = addDays(yesterday, -1);
    await page.getByRole("link", { name: "Backfill" }).click();
    await page.getByLabel("Location").selectOption({ label: DEMO.square.locationName });
    await page.getByLabel("First day").fill(last);
    await page.getByLabel("Last day").fill(first);
    await page.getByRole("button", { name: "Start backfill" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toBeTruthy();
    await expect(page.getByLabel("First day").inputValue()).resolves.toBe(last);
    await checkPage(page, "backfill-error");

    await page.getByLabel("First day").fill(first);
    await page.getByLabel("Last day").fill(last);
    const emailsBefore = await outboxFiles();
    await page.getByRole("button", { name: "Start backfill" }).click();
    const status = await waitForBackfill("backfill-7-days");
    // Seven days, one email: the summary, when the last day is done.
    await expect.poll(async () => (await newEmails(emailsBefore, "backfill-summary")).length).toBe(1);
    expect((await newEmails(emailsBefore)).map((email) => purposeOf(email.raw))).toEqual(["backfill-summary"]);
    expect(status).toMatch(/\b7 of 7 days/);
    for (let day = first; day <= last; day = addDays(day, 1)) expectTaggedEntry(day);
    await page.getByRole("link", { name: /history/i }).last().click();
    await expect(page.getByRole("link", { name: DAY_IN_WORDS }).count()).resolves.toBe(8);
    await checkPage(page, "history-8-days");
  });

  it("adds a report recipient and shows review mode", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    await checkPage(page, "reports");
    await page.getByLabel("Email address").fill("not an address");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/email address/i);
    await expect(page.getByLabel("Email address").inputValue()).resolves.toBe("not an address");
    await checkPage(page, "reports-error");
    const emailsBefore = await outboxFiles();
    await page.getByLabel("Email address").fill("books@accountant.daybook.localhost");
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

  it("in review mode holds a day; the emailed link's approval page names every account, and approving posts it tagged", async () => {
    const held = addDays(yesterday, -8);
    await page.getByLabel("Hold each day's entry for my approval before posting").check();
    await page.getByRole("button", { name: "Save review mode" }).click();
    await expect(page.getByLabel("Hold each day's entry for my approval before posting").isChecked()).resolves.toBe(true);

    const before = await outboxFiles();
    await page.getByRole("link", { name: "Backfill" }).click();
    await page.getByLabel("Location").selectOption({ label: DEMO.square.locationName });
    await page.getByLabel("First day").fill(held);
    await page.getByLabel("Last day").fill(held);
    await page.getByRole("button", { name: "Start backfill" }).click();
    await waitForBackfill("backfill-held");
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === held)).toEqual([]);

    const link = (await Promise.all((await outboxFiles()).filter((file) => !before.includes(file)).map((file) => readFile(join(stack.outboxDir, file), "utf8"))))
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

  it("ends another session from the sessions page", async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, userAgent: "Phone Browser/1" });
    const other = await phone.newPage();
    await signIn(other, false);
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
    expect(exported["syncRecords"]!.length).toBe(9);
    expect(JSON.stringify(exported)).not.toMatch(/tokenCiphertext|accessToken|refreshToken/);
  });

  it("disconnects Square: the connection is gone at once, the page says Square revoked it, and the token stops working at the provider", async () => {
    const merchant = await stack.deps.store.findMerchantByEmail(EMAIL);
    const square = (await stack.deps.store.listConnections(merchant!.merchantId)).find((connection) => connection.provider === "square")!;
    const { accessToken } = await openTokens(stack.deps.vault, square);
    await page.getByRole("link", { name: "Connections" }).click();
    const row = page.locator("section", { has: page.getByRole("heading", { name: "Square", exact: true }) }).getByRole("row", { name: new RegExp(DEMO.square.businessName) });
    await row.getByRole("button", { name: "Disconnect" }).click();
    await expect.poll(() => page.getByText("Square has revoked daybook's access, and daybook has deleted its tokens.").count()).toBe(1);
    expect(await row.count()).toBe(0);
    await checkPage(page, "connections-disconnected");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(false);
    const refused = await fetch(`${stack.square.url}/v2/locations`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
    await refused.arrayBuffer();
    expect(refused.status).toBe(401);
  });

  it("met no Content Security Policy refusal (no page needs a script or an inline style)", () => {
    expect(consoleErrors).toEqual([]);
  });
});
