import { describe, expect, it } from "vitest";
import type { EntryLine } from "../../lib/domain/journal-entry";
import { renderSyncReport, type SyncReportInput } from "../../lib/report/sync-report";

const lines: EntryLine[] = [
  { description: "Card payments", postingType: "Debit", amount: 3_391, accountId: "35" },
  { description: "Sales – Food", postingType: "Credit", amount: 3_000, accountId: "79" },
  { description: "Sales tax – City", postingType: "Credit", amount: 391, accountId: "89" },
];

function input(overrides: Partial<SyncReportInput> = {}): SyncReportInput {
  return {
    merchantName: "Rosa's <Café> & Bar",
    locationName: "Mission St",
    source: "square",
    businessDay: "2025-03-14",
    timeZone: "America/Los_Angeles",
    status: "posted",
    entry: { docNumber: "DB250314-CZG9QY", txnDate: "2025-03-14", currency: "USD", lines, total: 3_391, quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=412" },
    connectionsUrl: "https://daybook.example/connections",
    warnings: [],
    reportUrl: "https://daybook.example/history/L1/2025-03-14",
    unsubscribeUrl: "https://daybook.example/unsubscribe?t=abc",
    ...overrides,
  };
}

/** The text a person reads in the HTML part: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

describe("the sync report", () => {
  it("names the location, day, status and entry, with the lines and the link to QuickBooks, in both parts", () => {
    const report = renderSyncReport(input());
    expect(report.subject).toBe("Posted: Mission St, 2025-03-14");
    for (const part of [report.text, visibleText(report.html)]) {
      for (const fact of ["Mission St (Square)", "2025-03-14 (America/Los_Angeles)", "Posted", "DB250314-CZG9QY, dated 2025-03-14", "Sales – Food", "30.00", "3.91", "33.91"]) {
        expect(part).toContain(fact);
      }
    }
    expect(report.text).toContain("Open DB250314-CZG9QY in QuickBooks: https://app.qbo.intuit.com/app/journal?txnId=412");
    expect(report.html).toContain('href="https://app.qbo.intuit.com/app/journal?txnId=412"');
  });

  it("lays the lines out as debit and credit columns that total", () => {
    const { text } = renderSyncReport(input());
    expect(text).toContain([
      "Account  Description       Debit  Credit",
      "35       Card payments     33.91",
      "79       Sales – Food              30.00",
      "89       Sales tax – City           3.91",
      "         Total (USD)       33.91   33.91",
    ].join("\n"));
  });

  it("says how much cash back was given, in both parts; nothing when there was none", () => {
    const withCashBack = (cashBack: number, status: SyncReportInput["status"] = "posted") =>
      renderSyncReport(input({ status, entry: { ...input().entry!, cashBack } }));
    const { text, html } = withCashBack(4_000);
    for (const part of [text, visibleText(html)].map((each) => each.replace(/\s+/g, " "))) {
      expect(part).toContain("Cash back given with card payments: 40.00 USD. It is included in the card payments, and the cash account is credited with it");
    }
    expect(withCashBack(-500, "adjusted").text.replace(/\s+/g, " ")).toContain("Cash back given with card payments fell by 5.00 USD since the day was posted");
    expect(renderSyncReport(input()).text).not.toContain("Cash back");
  });

  it("escapes what merchants typed, so a name cannot inject markup", () => {
    const { html } = renderSyncReport(input());
    expect(html).toContain("Rosa&#39;s &lt;Café&gt; &amp; Bar");
    expect(html).not.toContain("<Café>");
  });

  it("says why a day failed and what to do, by kind, with a reconnect link when a connection was refused", () => {
    const failed = renderSyncReport(input({ status: "failed", entry: undefined, failure: { kind: "needs-reconnect", message: "QuickBooks refused the connection (invalid_grant)" } }));
    expect(failed.subject).toBe("Failed: Mission St, 2025-03-14");
    expect(failed.text).toContain("Nothing was posted. Reason: QuickBooks refused the connection (invalid_grant)");
    expect(failed.text).toContain("Reconnect: https://daybook.example/connections");
    const closed = renderSyncReport(input({ status: "failed", entry: undefined, failure: { kind: "needs-merchant", message: "the books are closed for 2025-03-14", intuitTid: "1-abc" } }));
    expect(closed.text).toContain("This needs a change in QuickBooks");
    expect(closed.text).toContain("QuickBooks reference for support: 1-abc");
    expect(closed.text).not.toContain("Reconnect:");
  });

  it("says a held day was not posted and links to the approval", () => {
    const held = renderSyncReport(input({ status: "held", heldReason: "over/short of 12.00 is above the tolerance", approveUrl: "https://daybook.example/approve?t=1" }));
    expect(held.text).toContain("Nothing was posted yet: over/short of 12.00 is above the tolerance.");
    expect(held.text).toContain("Review and approve: https://daybook.example/approve?t=1");
    expect(held.text).toContain("Sales – Food");
  });

  it("explains adjustments and empty days, and lists warnings", () => {
    const adjusted = renderSyncReport(input({ status: "adjusted", warnings: [{ code: "late-change", message: "2 orders changed after the day was posted" }] }));
    // The text part wraps at 78 columns, so the sentence may span lines.
    expect(adjusted.text.replace(/\s+/g, " ")).toContain("This adjusting entry carries only the difference");
    expect(adjusted.text).toContain("Worth a look:\n- 2 orders changed after the day was posted");
    expect(visibleText(adjusted.html)).toContain("2 orders changed after the day was posted");
    const empty = renderSyncReport(input({ status: "no-sales", entry: undefined }));
    expect(empty.text).toContain("There were no sales to post for this day");
    expect(empty.text).not.toContain("Account  Description");
  });

  it("carries one-click unsubscribe headers and link", () => {
    const report = renderSyncReport(input());
    expect(report.headers).toEqual({ "List-Unsubscribe": "<https://daybook.example/unsubscribe?t=abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    expect(report.text).toContain("Stop these emails: https://daybook.example/unsubscribe?t=abc");
    expect(report.html).toContain('href="https://daybook.example/unsubscribe?t=abc"');
  });
});
