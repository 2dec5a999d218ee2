/**
 * The digest as the accountant sees it: the HTML part rendered by the system Chromium
 * (/usr/bin/chromium through playwright-core, no downloaded browser), screenshotted on a desktop and on
 * a 375 px phone into test/artifacts/ and checked as every page of the app is (test/browser/page-checks.ts:
 * a label for every control, one h1, WCAG AA contrast, nothing sideways on the phone), and the
 * plain-text part read as text. Its days are generated (a Square day and a Clover day, so fees show
 * both ways), with what needs attention expanded: a held day, an adjustment, a new unmapped item. The
 * merchant's alert for the held day is rendered the same way.
 */
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import type { AccountLabel } from "../../lib/model";
import { adjustmentDetail } from "../../lib/report/adjustment";
import { dayTotals } from "../../lib/report/day-figures";
import type { DigestModel } from "../../lib/report/digest";
import { renderDigest } from "../../lib/report/digest-document";
import { renderEmail } from "../../lib/report/email-document";
import { formatAmount } from "../../lib/report/format";
import type { StoredReportContent } from "../../lib/report/report-store";
import { dayReportDocument } from "../../lib/report/sync-report";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { DEFAULT_ACCOUNTS } from "../../sandbox/quickbooks/server";
import { generateDay } from "../../sandbox/square/generate-day";
import { EXTRA_ACCOUNTS, MAPPING } from "../support/sync-world";
import { summaryOf } from "../support/summaries";
import { chromiumPath } from "../../scripts/prerequisites";
import { checkPage } from "../browser/page-checks";

const ARTIFACTS = join(import.meta.dirname, "..", "artifacts");
// The one npm test made sure of (scripts/prerequisites.ts).
const CHROMIUM = chromiumPath();
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
];
const APP = "https://app.daybook.example";
const DAY = "2026-03-07";

/** The chart as the names engineer's capture has it: every account the mapping uses, by number and name. */
const LABELS: Record<string, AccountLabel> = Object.fromEntries([
  ...DEFAULT_ACCOUNTS.map((account, index) => [account.Id, { name: account.Name, number: String(1000 + index * 10) }] as const),
  ...Object.entries(EXTRA_ACCOUNTS).map(([name, id], index) => [id, { name: `Sales – ${name.charAt(0).toUpperCase()}${name.slice(1)}`, number: String(4100 + index * 10) }] as const),
]);

const square = generateDay({ seed: 5, sales: 40, date: DAY, timeZone: "America/New_York", locationId: "GENLOCATION01", returnRate: 0.05 });
const clover = generateCloverDay({ seed: 6, orders: 30, date: DAY, timeZone: "America/Chicago", merchantId: "CLGENERATED01", previousDayRate: 0, noiseRate: 0 });
const context = (source: "square" | "clover", locationId: string, revision = 0) => ({ source, locationId, businessDay: DAY, revision, withCurrencyRef: false });
const mainEntry = buildJournalEntry(square.truth, MAPPING, context("square", "GENLOCATION01"));

// Harbour (Clover) is 18.00 short: held.
const shortDay = { ...clover.truth, payments: Object.fromEntries(Object.entries(clover.truth.payments).map(([tender, amount], index) => [tender, index === 0 ? amount - 1_800 : amount])) };
const heldEntry = buildJournalEntry(shortDay, MAPPING, context("clover", "CLGENERATED01"));

// Main Street's day before gained a late sale of 45.00 cash: an adjustment.
const before = summaryOf({ sales: { GEN_CAT_FOOD: 120_000 }, categoryNames: { GEN_CAT_FOOD: "Food" }, tax: { "Sales Tax": 9_600 }, payments: { CARD: 129_600 } });
const late = summaryOf({ sales: { GEN_CAT_FOOD: 4_167 }, categoryNames: { GEN_CAT_FOOD: "Food" }, tax: { "Sales Tax": 333 }, payments: { CASH: 4_500 } });
const adjustingEntry = buildJournalEntry(late, MAPPING, context("square", "GENLOCATION01", 1));
const record = {
  businessDay: "2026-03-06",
  posted: [
    { revision: 0, docNumber: "DB260306-K2QX7M", entryId: "411", txnDate: "2026-03-06", requestId: "r0", summary: before, postedAt: "2026-03-07T07:00:00.000Z" },
    { revision: 1, docNumber: "DB260306-K2QX7M-A1", entryId: "412", txnDate: "2026-03-06", requestId: "r1", summary: late, postedAt: "2026-03-08T07:00:00.000Z" },
  ],
};

const base = (locationName: string, source: "square" | "clover", locationId: string): Omit<StoredReportContent, "status"> => ({
  merchantName: "Main Street Coffee", locationName, source, businessDay: DAY, timeZone: source === "square" ? "America/New_York" : "America/Chicago",
  connectionsUrl: `${APP}/connections`, mappingUrl: `${APP}/locations/${locationId}/mapping`, reportUrl: `${APP}/days/${locationId}/${DAY}`,
  warnings: [], accountLabels: LABELS,
});

const model: DigestModel = {
  businessName: "Main Street Coffee", kind: "daily", first: DAY, last: DAY, historyUrl: `${APP}/history`,
  lines: [
    {
      location: { locationId: "CLGENERATED01", name: "Harbour", source: "clover", currency: "USD" }, businessDay: DAY, state: "held", adjustments: 0,
      totals: dayTotals(shortDay, "clover"), entries: [], dayUrl: `${APP}/days/CLGENERATED01/${DAY}`,
    },
    {
      location: { locationId: "GENLOCATION01", name: "Main Street", source: "square", currency: "USD" }, businessDay: DAY, state: "posted", adjustments: 0,
      totals: dayTotals(square.truth, "square"), entries: [{ docNumber: mainEntry.docNumber, url: "https://app.qbo.intuit.com/app/journal?txnId=413" }], dayUrl: `${APP}/days/GENLOCATION01/${DAY}`,
    },
  ],
  exceptions: [
    {
      kind: "held", locationId: "CLGENERATED01", businessDay: DAY, approveUrl: `${APP}/approve?token=eyJwdXJwb3NlIjoiYXBwcm92ZS1kYXkifQ.c2lnbmF0dXJl`,
      content: {
        ...base("Harbour", "clover", "CLGENERATED01"), status: "held", heldReason: heldEntry.holdReason ?? "",
        overShort: { amount: heldEntry.residual, tolerance: 100, accountId: MAPPING.defaults.overShort },
        entry: { docNumber: heldEntry.docNumber, txnDate: DAY, currency: "USD", lines: heldEntry.lines, total: heldEntry.total },
      },
    },
    {
      kind: "adjusted", locationId: "GENLOCATION01", businessDay: "2026-03-06",
      content: {
        ...base("Main Street", "square", "GENLOCATION01"), businessDay: "2026-03-06", status: "adjusted", cause: { kind: "pos-changes" },
        entry: { docNumber: "DB260306-K2QX7M-A1", txnDate: "2026-03-06", currency: "USD", lines: adjustingEntry.lines, total: adjustingEntry.total, quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=412" },
        adjustment: adjustmentDetail(record, 1, { mapping: MAPPING, source: "square", locationId: "GENLOCATION01", currency: "USD" })!,
      },
    },
  ],
  newUnmapped: [{ locationName: "Main Street", message: 'Category "Coffee beans" has no account in the mapping; its sales were posted to the default sales account.', mappingUrl: `${APP}/locations/GENLOCATION01/mapping` }],
  repeatedUnmapped: [{ locationName: "Harbour", count: 3, mappingUrl: `${APP}/locations/CLGENERATED01/mapping` }],
};
const UNSUBSCRIBE = `${APP}/unsubscribe?token=eyJwdXJwb3NlIjoidW5zdWJzY3JpYmUifQ.c2lnbmF0dXJl`;
const digest = renderDigest(model, { address: "books@accountant.example", frequency: "daily", unsubscribeUrl: UNSUBSCRIBE });

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});

afterAll(async () => {
  await browser.close();
});

/** Account Ids of the lines shown: none may appear as a bare number. */
const accountIds = [...new Set([...mainEntry.lines, ...heldEntry.lines, ...adjustingEntry.lines].map((line) => line.accountId))];

describe("the digest email", () => {
  it("renders in Chromium as a page that passes the app's page checks, on a desktop and on a 375 px phone, with both locations and what needs attention", async () => {
    const page = await browser.newPage();
    // Email clients load no network resources either; the page must stand on its own.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(digest.html, { waitUntil: "load" });
    await checkPage(page, "digest-email", ARTIFACTS);

    expect(await page.title()).toBe("Main Street Coffee: Saturday 7 March 2026");
    const visible = await page.locator("body").innerText();
    for (const fact of [
      "2 locations, 2 days: 1 posted, 1 held for review. 3 things need attention, below.",
      "Needs attention", "Harbour, Saturday 7 March 2026: held for review", "Main Street, Friday 6 March 2026: adjusted",
      "not reported by Clover", mainEntry.docNumber, "New items with no account in the mapping", "3 items reported before still have no account",
    ]) {
      expect(visible).toContain(fact);
    }
    expect(visible).toContain(formatAmount(dayTotals(square.truth, "square").netSales, "USD"));
    // Accounts by number and name, never a bare Id.
    const cells = await page.locator("td, th").allInnerTexts();
    for (const id of accountIds) expect(cells.map((text) => text.trim())).not.toContain(id);
    expect(await page.getByRole("link", { name: mainEntry.docNumber }).getAttribute("href")).toBe("https://app.qbo.intuit.com/app/journal?txnId=413");
    expect(await page.getByRole("link", { name: "Review and approve" }).getAttribute("href")).toBe(model.exceptions[0]?.approveUrl);
    expect(await page.getByRole("link", { name: "Stop or change these emails" }).getAttribute("href")).toBe(UNSUBSCRIBE);

    // On the phone the table stacks: every figure is still there, each with its column's name.
    await page.setViewportSize({ width: 375, height: 740 });
    const netSales = page.locator("table.stack tbody tr").first().locator("td").nth(1);
    expect(await netSales.innerText()).toMatch(/^Net sales: [\d,]+\.\d{2}$/);
    const overflow = await page.locator("html").evaluate((root: { scrollWidth: number; clientWidth: number }) => root.scrollWidth - root.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("reads well as plain text: no markup, lines that fit a terminal, every figure, both locations, the before → after table", () => {
    const { text } = digest;
    expect(text).not.toMatch(/<\/?[a-z][^>]*>|&(amp|lt|gt|quot|#39);/);
    const lines = text.split("\n");
    // Long lines are only links, which mail clients must not wrap.
    for (const line of lines.filter((candidate) => !/https?:\/\//.test(candidate))) expect(line.length, line).toBeLessThanOrEqual(78);
    expect(lines[0]).toBe("Main Street Coffee: Saturday 7 March 2026");
    expect(text).toContain("Harbour, Sat 7 Mar\n  Status:    Held for review");
    expect(text).toContain("  Fees:      not reported by Clover");
    // Too wide for 78 columns with the accounts' names: one record per changed line.
    expect(text).toContain("What changed (USD; Dr debit, Cr credit):\nSales – Food\n  Account:    4110 Sales – Food\n  Before:     1,200.00 Cr\n  After:      1,241.67 Cr\n  Difference: 41.67 Cr");
    expect(text).toContain(`${mainEntry.docNumber}: https://app.qbo.intuit.com/app/journal?txnId=413`);
    for (const id of accountIds) expect(text).not.toMatch(new RegExp(`(^|\\s)${id}(\\s|$)`, "m"));
    expect(lines.at(-2)).toBe(`Stop or change these emails: ${UNSUBSCRIBE}`);
  });
});

describe("the merchant's alert for a held day", () => {
  it("renders as a page that passes the page checks, saying how short, and the two ways on", async () => {
    const held = model.exceptions[0]!;
    const { html, text } = renderEmail(dayReportDocument({ ...held.content, ...(held.approveUrl ? { approveUrl: held.approveUrl } : {}) }));
    const page = await browser.newPage();
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    await checkPage(page, "alert-email", ARTIFACTS);
    const visible = (await page.locator("body").innerText()).replace(/\s+/g, " ");
    expect(visible).toContain("Nothing was posted yet. The POS figures are short by 18.00 USD");
    expect(visible).toContain("Choose one: approve the entry as it is");
    expect(text.replace(/\s+/g, " ")).toContain("and the 18.00 USD goes to");
    await page.close();
  });
});
