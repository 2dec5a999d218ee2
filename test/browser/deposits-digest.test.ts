/**
 * The morning digest's Deposits section, in Chromium against the local stack (issue 18's last "Done
 * when"). The stack's clock is moved on to a week whose "today" is a Wednesday, so that Square's
 * weekday payouts arrive on it. The demo's Square location (Main Street) is set up with its payouts'
 * bank account and starts posting on Tuesday, the demo's Clover location (Harbor Kiosk) beside it. Square
 * pays out daily at 17:00 from Sunday on: Monday's payout comes back from the bank on Wednesday,
 * Tuesday's arrives on Wednesday, and the seller takes an instant deposit on Wednesday afternoon. The
 * night's tick posts Wednesday and the payouts; the morning's tick sends the digest, whose HTML (opened in
 * Chromium, screenshot on a desktop and at 375 px, checked like the pages) and text show each payout
 * that arrived on Wednesday with Square's own amount, the returned one as failed, the day it paid out
 * that daybook never posted named in a sentence, Main Street's card money in card clearing equal to
 * the QuickBooks books, and Harbor Kiosk's expected card deposit equal to its entry's card lines, which
 * its day report and the locations page say too.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payoutTag } from "../../lib/domain/doc-number";
import { localInstant } from "../../lib/report/digest";
import { formatAmount, formatDay, formatShortDay } from "../../lib/report/format";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { addDays, DEMO, yesterdayIn } from "../../sandbox/local-stack/demo";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { DEFAULT_ACCOUNT_IDS } from "../../sandbox/quickbooks/server";
import { generateDay } from "../../sandbox/square/generate-day";
import { checkPage } from "./page-checks";
import { type BrowserRun, linesOf, openBrowserRun, outboxFiles, partOf, signIn, signUpTheDemo, waitForBackfill } from "./steps";

const EMAIL = "owner@deposits.daybook.localhost";
const LOCATIONS = [DEMO.square.locationName, DEMO.clover.name] as const;
const DAY_MS = 86_400_000;

/** The local weekday (0 Sunday) of an instant in the demo's zone. */
const weekdayIn = (at: Date) => new Date(`${yesterdayIn(DEMO.timeZone, new Date(at.getTime() + DAY_MS))}T00:00:00Z`).getUTCDay();
/** The stack's clock: moved on whole days so that the demo's "today" is a Wednesday, then through the night. */
let offsetMs = ((3 - weekdayIn(new Date()) + 7) % 7) * DAY_MS;
const clock = () => new Date(Date.now() + offsetMs);

let run: BrowserRun | undefined;
let stack: LocalStack;
let page: Page;
/** The Wednesday whose sales, payouts and digest the test follows. */
let today = "";

beforeAll(async () => {
  today = addDays(yesterdayIn(DEMO.timeZone, clock()), 1);
  run = await openBrowserRun("deposits-digest", clock);
  ({ stack, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

async function tickAt(at: Date): Promise<void> {
  offsetMs = at.getTime() - Date.now();
  await stack.tick();
  await stack.tick();
}

interface Email { file: string; raw: string }

async function digests(): Promise<Email[]> {
  const emails = await Promise.all((await outboxFiles(stack)).map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") })));
  return emails.filter((email) => /^X-Daybook-Purpose: digest$/m.test(email.raw));
}

/** Main Street's card money in card clearing, in the QuickBooks books: its day entries' and payout entries' lines on the account. */
function mainStreetClearing(): number {
  let cents = 0;
  for (const entry of stack.quickbooks.journalEntries(DEMO.quickbooks.realmId)) {
    if (!String(entry["PrivateNote"]).includes(` – ${DEMO.square.locationName} – `)) continue;
    for (const line of linesOf(entry)) {
      if (line.JournalEntryLineDetail.AccountRef.value !== DEFAULT_ACCOUNT_IDS.cardClearing) continue;
      cents += Math.round(line.Amount * 100) * (line.JournalEntryLineDetail.PostingType === "Debit" ? 1 : -1);
    }
  }
  return cents;
}

/**
 * Harbor Kiosk's card money of a day as its entry in QuickBooks posted it: the Credit Card and Debit Card
 * payments lines less their refunds lines (Clover's card tenders, docs/accounting.md "Deposits (Clover)").
 */
function cloverCardOf(day: string): { payments: number; refunds: number } {
  const figures = { payments: 0, refunds: 0 };
  const entries = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === day && String(entry["PrivateNote"]).includes(` – ${DEMO.clover.name} – `));
  expect(entries, "Harbor Kiosk's entry of the day").toHaveLength(1);
  for (const line of linesOf(entries[0]!)) {
    const cents = Math.round(line.Amount * 100);
    if (/^(Credit|Debit) Card payments$/.test(line.Description ?? "")) figures.payments += cents;
    if (/^Refunds – (Credit|Debit) Card$/.test(line.Description ?? "")) figures.refunds += cents;
  }
  return figures;
}

const money = (cents: number) => formatAmount(cents, DEMO.currency);
/** A local time on a date in the demo's zone, as Square's schedule takes it. */
const at = (date: string, time: string) => localInstant(date, DEMO.timeZone, time).toISOString();

describe("the morning digest's Deposits section, in Chromium", () => {
  it("sets up Main Street with the bank account its payouts arrive in, and Harbor Kiosk, and starts posting both on Tuesday", { timeout: 180_000 }, async () => {
    expect(new Date(`${today}T00:00:00Z`).getUTCDay(), "today is a Wednesday").toBe(3);
    // Square pays out at 17:00 each day from Sunday on; Monday's payout comes back from the bank on
    // Wednesday; the seller takes an instant deposit on Wednesday at 14:00.
    stack.square.setPayoutSchedule(DEMO.square.locationId, {
      from: addDays(today, -3), to: today,
      instantDeposits: [{ at: at(today, "14:00") }],
      failures: [{ date: addDays(today, -2), returnedAfterDays: 2 }],
    });

    await signUpTheDemo(stack, page, EMAIL, "Main Street & Harbor Ltd");

    for (const name of LOCATIONS) {
      await page.getByRole("link", { name: "Locations" }).click();
      await page.getByRole("button", { name: `Set up ${name}` }).click();
      await page.waitForURL(/\/locations\/[^/]+\/mapping\?setup$/);
      if (name === DEMO.square.locationName) {
        await page.getByLabel("Bank account payouts arrive in").selectOption(DEFAULT_ACCOUNT_IDS.checking);
        await page.getByRole("button", { name: "Save mapping" }).click();
        await page.waitForURL(/\/mapping\?saved$/);
      }
      expect(await page.getByLabel("Start posting from").inputValue()).toBe(addDays(today, -1));
      await page.getByRole("button", { name: `Start posting ${name}` }).click();
      expect(await waitForBackfill(page, `start-posting-${name.toLowerCase().replaceAll(" ", "-")}`)).toMatch(/\b1 of 1 day/);
    }
    // A backfill posts days, never payouts: those wait for the night.
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).map((entry) => String(entry["DocNumber"])).filter((doc) => doc.startsWith("DP"))).toEqual([]);
  });

  it("Wednesday's sales come in at both locations", () => {
    stack.square.addOrders(DEMO.square.locationId, generateDay({ seed: 18_001, date: today, timeZone: DEMO.timeZone, locationId: DEMO.square.locationId, currency: DEMO.currency, sales: 30 }).orders);
    const clover = generateCloverDay({ seed: 18_002, date: today, timeZone: DEMO.timeZone, merchantId: DEMO.clover.merchantId, currency: DEMO.currency, orders: 20 });
    stack.clover.addOrders(DEMO.clover.merchantId, clover.orders);
  });

  it("after the night, the morning's digest shows each payout that arrived on Wednesday, card clearing as the books have it, and Harbor Kiosk's expected deposit", { timeout: 120_000 }, async () => {
    const morning = addDays(today, 1);
    await tickAt(localInstant(morning, DEMO.timeZone, "02:30"));
    await stack.queue.idle();
    await tickAt(localInstant(morning, DEMO.timeZone, "07:30"));
    const sent = await digests();
    expect(sent, "one digest, to the owner").toHaveLength(1);
    const { raw, file } = sent[0]!;

    const truth = stack.square.payoutTruth(DEMO.square.locationId);
    const arrived = truth.payouts.filter((payout) => payout.arrivalDate === today);
    const failed = truth.payouts.filter((payout) => payout.status === "FAILED");
    expect(arrived.map((payout) => payout.instant).sort(), "Tuesday's payout and the instant deposit").toEqual([false, true]);
    expect(failed, "Monday's payout, back from the bank").toHaveLength(1);
    const posted = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).map((entry) => String(entry["DocNumber"]));
    for (const payout of arrived) expect(posted).toContain(`DP${today.slice(2).replaceAll("-", "")}-${payoutTag(payout.id)}`);
    const clearing = mainStreetClearing();
    const cloverCard = cloverCardOf(today);
    expect(cloverCard.payments).toBeGreaterThan(0);

    const text = partOf(raw, "text/plain").replace(/\s+/g, " ");
    const viewer = await run!.context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, file.replace(/\.eml$/, ".html"))}`);
    const html = (await viewer.locator("body").innerText()).replace(/\s+/g, " ");
    await expect(viewer.getByRole("heading", { name: "Deposits" }).count()).resolves.toBe(1);
    const rows = viewer.locator("table", { has: viewer.locator("caption", { hasText: `${DEMO.square.locationName}: Square payouts` }) }).locator("tbody tr");
    await expect(rows.count(), "Tuesday's payout, the instant deposit, Monday's returned").resolves.toBe(3);
    const rowTexts = (await rows.allInnerTexts()).map((row) => row.replace(/\s+/g, " "));

    for (const content of [text, html]) {
      expect(content).toContain("Deposits");
      for (const payout of arrived) expect(content).toContain(money(payout.amount));
      expect(content).toContain(money(failed[0]!.amount));
      // Tuesday's payout pays out Monday's evening, which daybook never posted (it posts from Tuesday on): named, not plugged.
      expect(content).toContain(`Square paid out card sales of ${formatDay(addDays(today, -2))}`);
      expect(content).toContain(`daybook posts this location from ${formatDay(addDays(today, -1))} on`);
      expect(content).toContain(`its card money in 1210 Card Clearing should come to ${money(clearing)} USD`);
      expect(content).toMatch(new RegExp(`${DEMO.square.locationName} in 1210 Card Clearing:? ${money(clearing).replace(/[.,-]/g, "\\$&")}\\b`));
      expect(content).toContain(money(cloverCard.payments - cloverCard.refunds));
      expect(content).toContain("match each day's expected card deposit");
    }
    for (const payout of arrived) expect(rowTexts.some((row) => row.includes(money(payout.amount)) && row.includes("Paid")), `${payout.id} is paid`).toBe(true);
    // Harbor Kiosk's Wednesday: card payments, card refunds and the deposit to match, as its entry in QuickBooks posted them.
    const cloverRows = viewer.locator("table", { has: viewer.locator("caption", { hasText: `${DEMO.clover.name}: expected Clover card deposits` }) }).locator("tbody tr");
    await expect(cloverRows.allInnerTexts()).resolves.toEqual([
      [formatShortDay(today), money(cloverCard.payments), money(cloverCard.refunds), money(cloverCard.payments - cloverCard.refunds)].join("\t"),
    ]);
    expect(rowTexts.some((row) => row.includes(money(failed[0]!.amount)) && /Failed: never reached the bank/.test(row)), "the returned payout").toBe(true);
    expect(mainStreetClearing(), "card clearing holds something: the evening's sales and the payout on its way back").not.toBe(0);

    await checkPage(viewer, "digest-email-deposits");
    await viewer.close();
  });

  it("Harbor Kiosk's day report and the locations page say its deposits are matched in the bank feed, with the expected deposit", { timeout: 60_000 }, async () => {
    // The night moved the clock on past the session's idle time: sign in again.
    await signIn(stack, page, EMAIL, false);
    const card = cloverCardOf(today);
    const expected = `${money(card.payments - card.refunds)} USD (card payments ${money(card.payments)} less card refunds ${money(card.refunds)})`;
    await page.goto(`${stack.url}/days/${DEMO.clover.merchantId}/${today}`);
    await expect.poll(async () => (await page.locator("main").innerText()).replace(/\s+/g, " ")).toContain(
      `Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them. Expected card deposit for ${formatDay(today)}: ${expected}`,
    );
    await checkPage(page, "clover-day-deposit");
    await page.getByRole("link", { name: "Locations" }).click();
    await expect.poll(async () => (await page.locator("main").innerText()).replace(/\s+/g, " ")).toContain(
      `Expected card deposits (card payments less card refunds, USD): ${formatShortDay(today)} ${money(card.payments - card.refunds)}, `,
    );
    await checkPage(page, "locations-deposits");
  });

  it("met no Content Security Policy refusal", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});
