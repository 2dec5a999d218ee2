/**
 * Going live in Chromium against the local stack, as a Clover merchant would: set the location up, map
 * a category, a tender, a tax and a non-revenue item on the mapping page, see them in the preview of
 * the last complete day, and start posting from a day chosen three days back. The entries the
 * QuickBooks simulator then holds are those three days, no earlier one, and every line of the mapped
 * items is on the account chosen for it. Every page is screenshotted and checked (page-checks.ts).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, DEMO } from "../../sandbox/local-stack/demo";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { checkPage } from "./page-checks";
import { type BrowserRun, connect, linesOf, openBrowserRun, outboxFiles, signIn, waitForBackfill } from "./steps";

const EMAIL = "owner@golive.daybook.localhost";
const LOCATION = DEMO.clover.name;

/** What the merchant maps on the page: the item's field label, the entry's line for it, the account chosen. */
const CHOICES = [
  { label: "Sales – Beverages", line: "Sales – Beverages", account: "Discounts Given" },
  { label: "Payments – Cash", line: "Cash payments", account: "Checking" },
  { label: "Tax – City Tax", line: "Tax – City Tax", account: "Tips Payable" },
  { label: "Non-revenue – Charity donation", line: "Non-revenue – Charity donation", account: "Undeposited Funds" },
] as const;

let run: BrowserRun | undefined;
let stack: LocalStack;
let page: Page;

beforeAll(async () => {
  run = await openBrowserRun("go-live");
  ({ stack, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

/** An account as the pages show it: its number (the demo company numbers its accounts) and name, maybe marked suggested. */
const shownAs = (name: string) => new RegExp(`^(\\d+ )?${name}( \\(suggested\\))?$`);
const entries = () => stack.quickbooks.journalEntries(DEMO.quickbooks.realmId);
const accountId = (name: string) => stack.quickbooks.accounts(DEMO.quickbooks.realmId).find((account) => account.Name === name)!.Id;

/** The preview table's rows as [side, line, amount, account]. */
async function previewRows(): Promise<string[][]> {
  const rows = page.getByRole("table", { name: /Preview entry lines/ }).locator("tbody tr");
  return Promise.all((await rows.all()).map(async (row) => row.locator("td").allTextContents()));
}

describe("going live with a Clover location in Chromium", () => {
  let firstDay = "";

  it("connects Clover and QuickBooks, and sets the location up in its own zone: it awaits review, nothing posted", async () => {
    expect(await signIn(stack, page, EMAIL, false)).toBe("/business-name");
    await page.getByLabel("Business name").fill("Harbor Kiosk LLC");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL(/\/connections$/);
    await connect(stack, page, "Clover", DEMO.clover.merchantId);
    await connect(stack, page, "QuickBooks", DEMO.quickbooks.realmId);
    await page.getByRole("link", { name: "Locations" }).click();
    const form = page.locator("form", { has: page.getByRole("button", { name: `Set up ${LOCATION}` }) });
    // Clover's zone, preselected in the picker.
    await expect(form.getByLabel(/Time zone/).inputValue()).resolves.toBe(DEMO.timeZone);
    await form.getByRole("button", { name: `Set up ${LOCATION}` }).click();
    await page.waitForURL(/\/locations\/[^/]+\/mapping\?setup$/);
    await expect(page.getByRole("navigation", { name: "Going live" }).textContent()).resolves.toContain("Nothing is posted before that.");
    await checkPage(page, "mapping-setup");
    expect(entries()).toEqual([]);
  });

  it("maps a category, a tender, a tax and a non-revenue item, and the preview shows each on its account", async () => {
    for (const choice of CHOICES) {
      const select = page.getByLabel(choice.label, { exact: true });
      const option = (await select.locator("option").allTextContents()).find((text) => shownAs(choice.account).test(text));
      expect(option, `${choice.label} offers ${choice.account}`).toBeDefined();
      await select.selectOption({ label: option! });
    }
    await page.getByRole("button", { name: "Save mapping" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/Mapping saved/);
    for (const choice of CHOICES) {
      await expect(page.getByLabel(choice.label, { exact: true }).locator("option:checked").textContent()).resolves.toMatch(shownAs(choice.account));
    }
    await checkPage(page, "mapping-saved");

    const rows = await previewRows();
    expect(rows.length).toBeGreaterThan(4);
    for (const row of rows) {
      expect(row[2], row.join(" ")).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/);
      const choice = CHOICES.find((each) => each.line === row[1]);
      if (choice) expect(row[3], row[1]).toMatch(shownAs(choice.account));
    }
    // The category, the tender and the tax are in every day's sales; a day without a donation is rare.
    for (const line of ["Sales – Beverages", "Cash payments", "Tax – City Tax"]) expect(rows.map((row) => row[1])).toContain(line);
    await expect(page.getByRole("heading", { name: /^Preview: [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}$/ }).count()).resolves.toBe(1);
    expect(entries()).toEqual([]);
  });

  it("starts posting from a day chosen seven days back: those days are posted on the chosen accounts, none before, with one summary email", async () => {
    const lastComplete = await page.getByLabel("Start posting from").inputValue();
    expect(lastComplete).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect(page.getByText("would be counted twice").count()).resolves.toBe(1);
    firstDay = addDays(lastComplete, -6);
    await page.getByLabel("Start posting from").fill(firstDay);
    const emailsBefore = await outboxFiles(stack);
    await page.getByRole("button", { name: `Start posting ${LOCATION}` }).click();
    const status = await waitForBackfill(page, "start-posting");
    expect(status).toMatch(/\b7 of 7 days/);
    await expect(page.getByRole("row", { name: /^Posted 7$/ }).count()).resolves.toBe(1);
    // Seven days, one email: the backfill's summary when its last day is done, nothing per day.
    const purposes = async () => Promise.all((await outboxFiles(stack)).filter((file) => !emailsBefore.includes(file))
      .map(async (file) => /^X-Daybook-Purpose: (.+)$/m.exec(await readFile(join(stack.outboxDir, file), "utf8"))?.[1]?.trim()));
    await expect.poll(purposes).toEqual(["backfill-summary"]);

    // The demo has a month of sales before it: only the chosen days reached QuickBooks, once each.
    const posted = entries();
    expect(posted.map((entry) => entry["TxnDate"]).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((offset) => addDays(firstDay, offset)));
    const lines = posted.flatMap(linesOf);
    for (const choice of CHOICES) {
      const mapped = lines.filter((line) => line.Description === choice.line);
      expect(mapped.length, choice.line).toBeGreaterThan(0);
      for (const line of mapped) expect(line.JournalEntryLineDetail.AccountRef.value, choice.line).toBe(accountId(choice.account));
    }
  });

  it("lists the location as posting from the chosen day, and a backfill before it is refused next to the field", async () => {
    await page.getByRole("link", { name: "Locations" }).click();
    await expect(page.getByRole("listitem").filter({ hasText: `${LOCATION} (Clover): Posting, from` }).count()).resolves.toBe(1);
    await checkPage(page, "locations-posting");
    await page.getByRole("link", { name: "Backfill" }).click();
    await page.getByLabel("Location").selectOption({ label: LOCATION });
    await page.getByLabel("First day").fill(addDays(firstDay, -3));
    await page.getByLabel("Last day").fill(addDays(firstDay, -1));
    await page.getByRole("button", { name: "Start backfill" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain(`posts from ${firstDay}`);
    await checkPage(page, "backfill-before-start");
    expect(entries()).toHaveLength(7);
  });

  it("met no Content Security Policy refusal", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});
