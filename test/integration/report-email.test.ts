/**
 * The sync report as the accountant sees it: the HTML part rendered by the system Chromium
 * (/usr/bin/chromium through playwright-core, no downloaded browser), with a screenshot saved to
 * test/artifacts/ for a person to look at, and the plain-text part read as text. The report is built
 * from a generated Square day, so its lines are a real entry's.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { formatDecimal } from "../../lib/domain/money";
import { renderSyncReport, type SyncReportInput } from "../../lib/report/sync-report";
import { generateDay } from "../../sandbox/square/generate-day";
import { MAPPING } from "../support/sync-world";
import { chromiumPath } from "../../scripts/prerequisites";

const ARTIFACTS = join(import.meta.dirname, "..", "artifacts");
// The one npm test made sure of (scripts/prerequisites.ts).
const CHROMIUM = chromiumPath();
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
];

const day = generateDay({ seed: 5, sales: 40, date: "2026-03-07", timeZone: "America/New_York", locationId: "GENLOCATION01", returnRate: 0.05 });
const entry = buildJournalEntry(day.truth, MAPPING, { source: "square", locationId: "GENLOCATION01", businessDay: "2026-03-07", revision: 0, withCurrencyRef: false });

const input: SyncReportInput = {
  merchantName: "Main Street Coffee",
  locationName: "Main Street",
  source: "square",
  businessDay: "2026-03-07",
  timeZone: "America/New_York",
  status: "posted",
  entry: {
    docNumber: entry.docNumber, txnDate: entry.txnDate, currency: entry.currency, lines: entry.lines, total: entry.total,
    quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=412",
  },
  connectionsUrl: "https://app.daybook.example/connections",
  warnings: [
    { code: "unmapped-category", message: "Sales in “Coffee beans” have no account of their own yet, so they went to Sales." },
    ...entry.warnings,
  ],
  reportUrl: "https://app.daybook.example/days/GENLOCATION01/2026-03-07",
  unsubscribeUrl: "https://app.daybook.example/unsubscribe?token=eyJwdXJwb3NlIjoidW5zdWJzY3JpYmUifQ.c2lnbmF0dXJl",
};
const report = renderSyncReport(input);

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});

afterAll(async () => {
  await browser.close();
});

describe("the report email", () => {
  it("renders in Chromium as a readable page: the facts, every line, the totals, no sideways scrolling on a phone", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // Email clients load no network resources either; the page must stand on its own.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(report.html, { waitUntil: "load" });
    await page.screenshot({ path: join(ARTIFACTS, "report-email-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 800, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, "report-email.png"), fullPage: true });

    expect(await page.title()).toBe(report.subject);
    const visible = await page.locator("body").innerText();
    for (const fact of ["Main Street: 2026-03-07", "Main Street (Square)", "2026-03-07 (America/New_York)", "Posted", entry.docNumber, "Worth a look"]) {
      expect(visible).toContain(fact);
    }
    const rows = page.locator("table caption + thead + tbody tr");
    expect(await rows.count()).toBe(entry.lines.length);
    const total = formatDecimal(entry.total, "USD");
    expect(await page.locator("tfoot td").allInnerTexts()).toEqual([total, total]);
    expect(await page.getByRole("link", { name: `Open ${entry.docNumber} in QuickBooks` }).getAttribute("href")).toBe(input.entry?.quickBooksUrl);
    expect(await page.getByRole("link", { name: "Stop these emails" }).getAttribute("href")).toBe(input.unsubscribeUrl);

    // On a phone-width screen the whole report fits across: nothing to scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.locator("html").evaluate((root: { scrollWidth: number; clientWidth: number }) => root.scrollWidth - root.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("reads well as plain text: no markup, lines that fit a terminal, columns that line up, every figure", () => {
    const { text } = report;
    expect(text).not.toMatch(/<\/?[a-z][^>]*>|&(amp|lt|gt|quot|#39);/);
    const lines = text.split("\n");
    // Long lines are only links, which mail clients must not wrap.
    for (const line of lines.filter((candidate) => !/https?:\/\//.test(candidate))) expect(line.length, line).toBeLessThanOrEqual(78);
    expect(lines[0]).toBe("Main Street: 2026-03-07");
    expect(lines[1]).toBe("=".repeat(lines[0]?.length ?? 0));

    // The lines table: a header, one row per line, the total; amounts right-aligned under Debit and Credit.
    const header = lines.find((line) => line.startsWith("Account  "));
    const headerAt = lines.indexOf(header ?? "");
    const debitEnd = (header ?? "").indexOf("Debit") + "Debit".length;
    const tableRows = lines.slice(headerAt + 1, headerAt + 2 + entry.lines.length);
    for (const [index, line] of entry.lines.entries()) {
      const row = tableRows[index] ?? "";
      const amount = formatDecimal(line.amount, "USD");
      expect(row.startsWith(line.accountId)).toBe(true);
      if (line.postingType === "Debit") expect(row.slice(0, debitEnd).trimEnd().endsWith(amount), row).toBe(true);
      else expect(row.trimEnd().endsWith(amount), row).toBe(true);
    }
    const total = formatDecimal(entry.total, "USD");
    expect(tableRows.at(-1)?.trim()).toMatch(new RegExp(`^Total \\(USD\\)\\s+${total.replace(".", "\\.")}\\s+${total.replace(".", "\\.")}$`));
    expect(text).toContain(`Open ${entry.docNumber} in QuickBooks: ${input.entry?.quickBooksUrl ?? ""}`);
    expect(text).toContain("Worth a look:\n- Sales in “Coffee beans”");
    expect(lines.at(-2)).toBe(`Stop these emails: ${input.unsubscribeUrl}`);
  });
});
