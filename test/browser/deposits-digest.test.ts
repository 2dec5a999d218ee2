/**
 * The morning digest's Deposits section, in Chromium against the local stack (issue 18's last "Done
 * when"). The stack's clock is moved on to a week whose "today" is a Wednesday, so that Square's
 * weekday payouts arrive on it. The demo's Square location (Main Street) is set up with its payouts'
 * bank account and starts posting on Tuesday, the demo's Clover location (Harbor Kiosk) beside it. Square
 * pays out daily at 17:00 from Sunday on: Monday's payout comes back from the bank on Wednesday,
 * Tuesday's arrives on Wednesday, and the seller takes an instant deposit on Wednesday afternoon. The
 * night's tick posts Wednesday and the payouts; the morning's tick sends the digest, whose HTML (opened in
 * Chromium, screenshot on a desktop and at 375 px, checked like the pages) and text show each payout
 * that arrived on Wednesday with Square's own amount; Monday's (returned) and Tuesday's, which pay out
 * sales from before Tuesday, not posted and each said in a sentence, Tuesday's with the part of it
 * daybook posted; Main Street's card money in card clearing equal to the QuickBooks books once that part
 * is taken out, as the digest asks, and never below zero; and Harbor Kiosk's expected card deposit equal to its entry's card lines, which
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
import { type BrowserRun, linesOf, middayToday, openBrowserRun, outboxFiles, partOf, signIn, signUpTheDemo, waitForBackfill } from "./steps";

const EMAIL = "owner@deposits.daybook.localhost";
const LOCATIONS = [DEMO.square.locationName, DEMO.clover.name] as const;
const DAY_MS = 86_400_000;

/** The local weekday (0 Sunday) of an instant in the demo's zone. */
const weekdayIn = (at: Date) => new Date(`${yesterdayIn(DEMO.timeZone, new Date(at.getTime() + DAY_MS))}T00:00:00Z`).getUTCDay();
/** The stack's clock: from midday today where the demo is (never astride its midnight), moved on whole days so that the demo's "today" is a Wednesday, then through the night. */
let offsetMs = middayToday().getTime() - Date.now() + ((3 - weekdayIn(new Date()) + 7) % 7) * DAY_MS;
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
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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

  it("after the night, the morning's digest shows each payout that arrived on Wednesday, those from before daybook not posted and said, card clearing as the books have it, and Harbor Kiosk's expected deposit", { timeout: 120_000 }, async () => {
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
    // Tuesday's payout pays out Monday's evening and Tuesday; Monday's (failed) only days before Tuesday, when daybook
    // started posting: neither is posted (docs/accounting.md "Payouts from before daybook"). The instant deposit is.
    const straddling = arrived.find((payout) => !payout.instant)!;
    const instant = arrived.find((payout) => payout.instant)!;
    const docOf = (payout: { id: string }) => `-${payoutTag(payout.id)}`;
    expect(posted).toContain(`DP${today.slice(2).replaceAll("-", "")}${docOf(instant)}`);
    for (const payout of [straddling, failed[0]!]) expect(posted.filter((doc) => doc.includes(docOf(payout))), `${payout.id} is not posted`).toEqual([]);
    const books = mainStreetClearing();
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

    const tuesday = addDays(today, -1);
    const started = `pays out sales from before daybook started posting on ${formatDay(tuesday)}: not posted; match it in the bank feed as before`;
    const moved = new RegExp(`The payout of ${escaped(money(straddling.amount))} USD arriving ${formatDay(today)} ${escaped(started)}, ` +
      `but ([\\d,]+\\.\\d\\d) USD of it is the card sales net of fees of ${formatDay(tuesday)}, which daybook posted to card clearing: take that amount from card clearing when you match it\\.`);
    const named = moved.exec(text)?.[1];
    expect(named, "the part of Tuesday's payout daybook posted, named").toBeDefined();
    const toMove = Math.round(Number(named!.replaceAll(",", "")) * 100);
    expect(toMove).toBeGreaterThan(0);
    expect(toMove).toBeLessThan(straddling.amount);
    // What the digest says card clearing holds is the books' once the accountant takes that amount out, as it asks: never below zero.
    const clearing = books - toMove;
    expect(clearing).toBeGreaterThanOrEqual(0);

    for (const content of [text, html]) {
      expect(content).toContain("Deposits");
      for (const payout of arrived) expect(content).toContain(money(payout.amount));
      expect(content).toContain(money(failed[0]!.amount));
      expect(content).toMatch(moved);
      expect(content).toContain(`The payout of ${money(failed[0]!.amount)} USD arriving ${formatDay(failed[0]!.arrivalDate)} ${started}.`);
      // Days before Tuesday are the books' from before daybook: no longer named as paid out of card clearing.
      expect(content).not.toContain(`daybook posts this location from ${formatDay(tuesday)} on`);
      expect(content).toContain(`its card money in 1210 Card Clearing should come to ${money(clearing)} USD`);
      expect(content).toMatch(new RegExp(`${DEMO.square.locationName} in 1210 Card Clearing:? ${money(clearing).replace(/[.,-]/g, "\\$&")}\\b`));
      expect(content).toContain(money(cloverCard.payments - cloverCard.refunds));
      expect(content).toContain("match each day's expected card deposit");
    }
    expect(rowTexts.some((row) => row.includes(money(instant.amount)) && row.includes("Paid")), "the instant deposit is paid").toBe(true);
    expect(rowTexts.some((row) => row.includes(money(straddling.amount)) && row.includes("Not posted: before daybook")), "Tuesday's payout is not posted").toBe(true);
    // Harbor Kiosk's Wednesday: card payments, card refunds and the deposit to match, as its entry in QuickBooks posted them.
    const cloverRows = viewer.locator("table", { has: viewer.locator("caption", { hasText: `${DEMO.clover.name}: expected Clover card deposits` }) }).locator("tbody tr");
    await expect(cloverRows.allInnerTexts()).resolves.toEqual([
      [formatShortDay(today), money(cloverCard.payments), money(cloverCard.refunds), money(cloverCard.payments - cloverCard.refunds)].join("\t"),
    ]);
    expect(rowTexts.some((row) => row.includes(money(failed[0]!.amount)) && row.includes("Failed; not posted: before daybook")), "the returned payout").toBe(true);
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
