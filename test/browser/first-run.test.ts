/**
 * A merchant's first hour with daybook, in the system Chromium (/usr/bin/chromium through
 * playwright-core; never a downloaded browser) against the local stack `npm start` runs: sign in through
 * the link in the outbox, connect Square and QuickBooks through the simulators' own consent pages, set
 * up the location and review its mapping and preview, start posting from the last day that has ended,
 * see the posted entry and open the report, be refused a backfill before that day, post the latest day
 * again (checked, not posted twice), end another session, export, and disconnect after confirming.
 * Every page is screenshotted (desktop and phone, test/artifacts/browser/first-run/) and checked for
 * labels, contrast and phone width.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, addDays } from "../../sandbox/local-stack/demo";
import { connectionWorks } from "../../sandbox/local-stack/smoke";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { checkPage, screenshotPath } from "./page-checks";
import { type BrowserRun, connect, openBrowserRun, outboxFiles, signIn, waitForBackfill } from "./steps";

const EMAIL = "owner@browser.daybook.localhost";

let run: BrowserRun | undefined;
let stack: LocalStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** The day posting started from: the last that had ended, the start form's default. */
let yesterday = "";

beforeAll(async () => {
  run = await openBrowserRun("first-run");
  ({ stack, browser, context, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

describe("the first-time flow in Chromium", () => {
  it("signs in through the emailed link", async () => {
    await signIn(stack, page, EMAIL, true);
    await checkPage(page, "connections-empty");
  });

  it("connects Square and QuickBooks through the simulators' consent pages", async () => {
    await connect(stack, page, "Square", DEMO.square.merchantId);
    await connect(stack, page, "QuickBooks", DEMO.quickbooks.realmId);
    await checkPage(page, "connections");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(true);
    expect(await connectionWorks(stack, EMAIL, "quickbooks")).toBe(true);
  });

  it("sets up the location, rejecting a bad time zone next to the field, and reviews its mapping with the preview of a day", async () => {
    await page.getByRole("link", { name: "Locations" }).click();
    await checkPage(page, "locations");
    const form = page.locator("form", { has: page.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }) });
    await form.getByLabel(/Time zone/).fill("Mars/Olympus_Mons");
    await form.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/time zone/i);
    await expect(page.getByLabel(/Time zone/).first().inputValue()).resolves.toBe("Mars/Olympus_Mons");
    await checkPage(page, "locations-error");

    await page.getByLabel(/Time zone/).first().fill(DEMO.timeZone);
    await page.getByRole("button", { name: `Set up ${DEMO.square.locationName}` }).click();
    await page.waitForURL(new RegExp(`/locations/${DEMO.square.locationId}/mapping\\?setup$`));
    await expect(page.getByRole("table", { name: /Preview entry lines/ }).count()).resolves.toBe(1);
    await checkPage(page, "mapping-setup");
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/Mapping saved/);
    await checkPage(page, "mapping-saved");
    // Set up and mapped, yet nothing posts before the merchant starts it.
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId)).toEqual([]);
  });

  it("starts posting from the last day that has ended, and shows the posted entry and the report", async () => {
    yesterday = await page.getByLabel("Start posting from").inputValue();
    const reportsBefore = await outboxFiles(stack);
    await page.getByRole("button", { name: `Start posting ${DEMO.square.locationName}` }).click();
    const status = await waitForBackfill(page, "start-posting");
    expect(status).toMatch(/\b1 of 1 day/);

    await page.getByRole("link", { name: /history/i }).last().click();
    await checkPage(page, "history");
    const dayLink = page.getByRole("link", { name: /^\d{4}-\d{2}-\d{2}$/ }).first();
    await expect(dayLink.textContent()).resolves.toBe(yesterday);
    await expect(page.getByRole("img", { name: /^Daily net sales and fees/ }).count()).resolves.toBeGreaterThan(0);

    await dayLink.click();
    expect(new URL(page.url()).pathname).toBe(`/days/${DEMO.square.locationId}/${yesterday}`);
    await expect(page.getByRole("table", { name: /Journal entry lines/ }).count()).resolves.toBeGreaterThan(0);
    await checkPage(page, "day-report");

    // The entry is in the QuickBooks company, once, and no day before it.
    const entries = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId);
    expect(entries.map((entry) => entry["TxnDate"])).toEqual([yesterday]);

    // The report email the accountant got, opened as the mail client would show its HTML part.
    const report = (await Promise.all((await outboxFiles(stack)).filter((file) => !reportsBefore.includes(file)).map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") }))))
      .find((email) => /^X-Daybook-Purpose: report/m.test(email.raw));
    expect(report, "a report email in the outbox").toBeDefined();
    const html = join(stack.outboxDir, report!.file.replace(/\.eml$/, ".html"));
    const viewer = await context.newPage();
    await viewer.goto(`file://${html}`);
    await expect(viewer.getByText(yesterday).count()).resolves.toBeGreaterThan(0);
    await viewer.screenshot({ path: screenshotPath("report-email.png"), fullPage: true });
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
    const status = await waitForBackfill(page, "post-latest-day");
    expect(status).toMatch(/\b1 of 1 day/);
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).map((entry) => entry["TxnDate"])).toEqual([yesterday]);
  });

  it("adds a report recipient and shows review mode", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    await checkPage(page, "reports");
    await page.getByLabel("Email address").fill("not an address");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/email address/i);
    await expect(page.getByLabel("Email address").inputValue()).resolves.toBe("not an address");
    await checkPage(page, "reports-error");
    await page.getByLabel("Email address").fill("books@accountant.daybook.localhost");
    await page.getByRole("button", { name: "Add recipient" }).click();
    await expect(page.getByRole("button", { name: "Remove books@accountant.daybook.localhost" }).count()).resolves.toBe(1);
    await expect(page.getByLabel("Hold each day's entry for my approval before posting").count()).resolves.toBe(1);
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

  it("disconnects Square after a page naming the location that stops posting: the token stops working at the provider", async () => {
    await page.getByRole("link", { name: "Connections" }).click();
    await page.getByRole("link", { name: `Disconnect Square account ${DEMO.square.merchantId}` }).click();
    await expect(page.getByRole("listitem").filter({ hasText: new RegExp(`^${DEMO.square.locationName}$`) }).count()).resolves.toBe(1);
    await checkPage(page, "disconnect-confirm");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(true);
    await page.getByRole("button", { name: `Disconnect Square account ${DEMO.square.merchantId}` }).click();
    await page.waitForURL(/\/connections\?disconnected=1$/);
    await expect.poll(() => page.getByRole("row", { name: new RegExp(DEMO.square.merchantId) }).textContent()).toMatch(/Disconnected/);
    await checkPage(page, "connections-disconnected");
    expect(await connectionWorks(stack, EMAIL, "square")).toBe(false);
  });

  it("met no Content Security Policy refusal (no page needs a script or an inline style)", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});
