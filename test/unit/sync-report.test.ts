import { describe, expect, it } from "vitest";
import type { EntryLine } from "../../lib/domain/journal-entry";
import { renderEmail } from "../../lib/report/email-document";
import { dayReportDocument, refusedAccountId, reportSubject, type SyncReportInput } from "../../lib/report/sync-report";

const lines: EntryLine[] = [
  { description: "Card payments", postingType: "Debit", amount: 339_100, accountId: "35" },
  { description: "Sales – Food", postingType: "Credit", amount: 300_000, accountId: "79" },
  { description: "Sales tax – City", postingType: "Credit", amount: 39_100, accountId: "89" },
];
const LABELS = { 35: { name: "Card clearing", number: "1010" }, 79: { name: "Sales – Food", number: "4010" }, 89: { name: "Sales tax payable" } };

function input(overrides: Partial<SyncReportInput> = {}): SyncReportInput {
  return {
    merchantName: "Rosa's <Café> & Bar",
    locationName: "Mission St",
    source: "square",
    businessDay: "2025-03-14",
    timeZone: "America/Los_Angeles",
    status: "posted",
    entry: { docNumber: "DB250314-CZG9QY", txnDate: "2025-03-14", currency: "USD", lines, total: 339_100, quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=412" },
    connectionsUrl: "https://daybook.example/connections",
    mappingUrl: "https://daybook.example/locations/L1/mapping",
    warnings: [],
    accountLabels: LABELS,
    reportUrl: "https://daybook.example/days/L1/2025-03-14",
    ...overrides,
  };
}

const render = (overrides: Partial<SyncReportInput> = {}) => renderEmail(dayReportDocument(input(overrides)));
/** The text a person reads in the HTML part: tags dropped, entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<[^>]+>/g, " ").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&").replace(/\s+/g, " ");
}
const oneLine = (text: string) => text.replace(/\s+/g, " ");

describe("a day's report", () => {
  it("names the location, the day in words with its weekday, the status and the entry, with the lines by account name, in both parts", () => {
    const report = render();
    expect(reportSubject(input())).toBe("Posted: Mission St, Friday 14 March 2025");
    for (const part of [oneLine(report.text), visibleText(report.html)]) {
      for (const fact of ["Mission St (Square)", "Friday 14 March 2025 (America/Los_Angeles)", "Posted", "DB250314-CZG9QY, dated Friday 14 March 2025",
        "1010 Card clearing", "4010 Sales – Food", "Sales tax payable", "3,000.00", "391.00", "3,391.00"]) {
        expect(part).toContain(fact);
      }
      // No account is shown as its bare QuickBooks Id.
      expect(part).not.toMatch(/(^|\s)(35|79|89)(\s|$)/);
    }
    expect(report.text).toContain("Open DB250314-CZG9QY in QuickBooks: https://app.qbo.intuit.com/app/journal?txnId=412");
    expect(report.html).toContain('href="https://app.qbo.intuit.com/app/journal?txnId=412"');
  });

  it("says what an account is when its name is not known yet, never a bare number", () => {
    const report = render({ accountLabels: {} });
    expect(report.text).toContain("QuickBooks account 79");
  });

  it("lays the lines out with debit and credit columns that total, amounts right-aligned with thousands separators", () => {
    const { text } = render();
    expect(text).toContain([
      "Journal entry lines (USD):",
      "Account             Description          Debit    Credit",
      "1010 Card clearing  Card payments     3,391.00",
      "4010 Sales – Food   Sales – Food                3,000.00",
      "Sales tax payable   Sales tax – City              391.00",
      "Total                                 3,391.00  3,391.00",
    ].join("\n"));
  });

  it("says how much cash back was given, in both parts; nothing when there was none", () => {
    const withCashBack = (cashBack: number, status: SyncReportInput["status"] = "posted") => render({ status, entry: { ...input().entry!, cashBack } });
    const { text, html } = withCashBack(400_000);
    for (const part of [oneLine(text), visibleText(html)]) {
      expect(part).toContain("Cash back given with card payments: 4,000.00 USD. It is included in the card payments, and the cash account is credited with it");
    }
    expect(oneLine(withCashBack(-500, "adjusted").text)).toContain("Cash back given with card payments fell by 5.00 USD since the day was posted");
    expect(render().text).not.toContain("Cash back");
  });

  it("says on a Clover day that its deposit is matched in the bank feed, with the expected card deposit; nothing of it on a Square day", () => {
    const expectedDeposit = { businessDay: "2025-03-14", currency: "USD", cardPayments: 339_100, cardRefunds: 2_500, expected: 336_600 };
    const { text, html } = render({ source: "clover", expectedDeposit });
    for (const part of [oneLine(text), visibleText(html)]) {
      expect(part).toContain("Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them. " +
        "Expected card deposit for Friday 14 March 2025: 3,366.00 USD (card payments 3,391.00 less card refunds 25.00)");
    }
    expect(render().text).not.toContain("Deposits:");
  });

  it("escapes what merchants typed, so a name cannot inject markup", () => {
    const { html } = render();
    expect(html).toContain("Rosa&#39;s &lt;Café&gt; &amp; Bar");
    expect(html).not.toContain("<Café>");
  });

  it("says why a day failed and what to do, by kind, with a reconnect link when a connection was refused", () => {
    const failed = render({ status: "failed", entry: undefined, failure: { kind: "needs-reconnect", message: "QuickBooks refused the connection (invalid_grant)" } });
    expect(reportSubject({ ...input(), status: "failed" })).toBe("Failed: Mission St, Friday 14 March 2025");
    expect(failed.text).toContain("Nothing was posted. Reason: QuickBooks refused the connection (invalid_grant).");
    expect(failed.text).toContain("Reconnect: https://daybook.example/connections");
    const other = render({ status: "failed", entry: undefined, failure: { kind: "needs-merchant", message: "the subscription lapsed", intuitTid: "1-abc" } });
    expect(oneLine(other.text)).toContain("This needs a change in QuickBooks, in the POS or in daybook's settings for the location (the reason above says which).");
    // A change in the POS is one of them: Clover without a currency for the merchant.
    const pos = render({ status: "failed", entry: undefined, failure: { kind: "needs-merchant", message: "Clover gives no currency for merchant \"Harbour\"; set it in the Clover Dashboard, then sync again." } });
    expect(oneLine(pos.text)).not.toContain("QuickBooks or in the mapping");
    expect(other.text).toContain("QuickBooks reference for support: 1-abc");
    expect(other.text).not.toContain("Reconnect:");
  });

  it("states a day posted before whose check for later changes failed as posted, in its status and subject, not as failed", () => {
    const checkFailed = { status: "failed" as const, entry: undefined, postedBefore: ["DB250314-CZG9QY"], failure: { kind: "retryable" as const, message: "Square did not answer" } };
    expect(reportSubject({ ...input(), ...checkFailed })).toBe("Posted; the check for later changes failed: Mission St, Friday 14 March 2025");
    expect(oneLine(render(checkFailed).text)).toContain("Status: Posted; the check for later changes failed");
    expect(render(checkFailed).text).not.toContain("Status: Failed");
  });

  it("promises a later try only as far as the nightly re-checks go (the third night after the day), and names the Backfill page for after", () => {
    // Friday 14 March 2025 is re-checked by the nights of the 15th, 16th and 17th; none after Monday 17 March's.
    const failed = (kind: "retryable" | "needs-merchant", postedBefore?: string[]) =>
      oneLine(render({ status: "failed", entry: undefined, failure: { kind, message: "Square did not answer" }, ...(postedBefore ? { postedBefore } : {}) }).text);
    const retryable = failed("retryable");
    expect(retryable).toContain("daybook tries the day again by itself each night up to the night after Monday 17 March 2025; nothing to do until then. If it is still not posted after that night, post it from the Backfill page.");
    expect(retryable).not.toMatch(/tomorrow|next run/);
    const recheck = failed("retryable", ["DB250314-CZG9QY"]);
    expect(recheck).toContain("daybook checks the day again by itself each night up to the night after Monday 17 March 2025; nothing to do.");
    expect(recheck).not.toContain("still failed");
    const merchant = failed("needs-merchant");
    expect(merchant).toContain("Made by the night after Monday 17 March 2025, daybook posts the day by itself with that night's sync; made later, post the day from the Backfill page.");
    expect(merchant).not.toContain("next run");
    const refused = oneLine(render({ status: "failed", entry: undefined, failure: { kind: "needs-merchant", message: 'Account "Sales – Food" (id 79) is inactive' } }).text);
    expect(refused).toContain("choose another account for it in the mapping. Made by the night after Monday 17 March 2025, daybook posts the day by itself");
    expect(refused).not.toContain("next run");
  });

  it("says a failure that is daybook's own fault is daybook's, that its team is alerted, and until when the nights try the day again, never \"once it is fixed\"", () => {
    const bug = (postedBefore?: string[]) => oneLine(render({ status: "failed", entry: undefined, failure: { kind: "bug", message: "the night's read left out 2025-03-14" }, ...(postedBefore ? { postedBefore } : {}) }).text);
    expect(bug()).toContain("This is a fault in daybook, not in your books or your POS: daybook's team is alerted. " +
      "daybook tries the day again by itself each night up to the night after Monday 17 March 2025. If it is still not posted after that night, post it from the Backfill page.");
    expect(bug(["DB250314-CZG9QY"])).toContain("daybook's team is alerted. daybook checks the day again by itself each night up to the night after Monday 17 March 2025. " +
      "A change found later than that is not posted unless you backfill the day (the Backfill page).");
    for (const text of [bug(), bug(["DB250314-CZG9QY"])]) expect(text).not.toMatch(/once it is fixed|will post the day/);
  });

  it("asks for a reconnect without promising a next run: the day's page tells whether the day posted, the Backfill page posts it if not", () => {
    const refused = (postedBefore?: string[]) => oneLine(render({ status: "failed", entry: undefined, failure: { kind: "needs-reconnect", message: "Square no longer accepts daybook's connection." }, ...(postedBefore ? { postedBefore } : {}) }).text);
    expect(refused()).toContain("Reconnect on the connections page (only the business's owner can). If the day's page still shows this failure the day after you reconnect, post the day from the Backfill page.");
    expect(refused(["DB250314-CZG9QY"])).toContain("post the day from the Backfill page (only a change since it was posted goes in).");
    expect(refused()).not.toContain("next run");
  });

  it("never says a held day's over/short difference was posted: daybook's hold says it once with the account; review mode says what approving posts", () => {
    const warning = { code: "over-short" as const, message: "The POS figures are short by 5.00 USD: less money was taken than the sales, tax and tips explain. The difference was debited to the over/short account 6900 Cash Over/Short." };
    const held = oneLine(render({ status: "held", warnings: [warning], overShort: { amount: -500, tolerance: 100, accountId: "89" } }).text);
    expect(held).not.toMatch(/was (debited|credited)/);
    expect(held.match(/short by 5\.00 USD/g)).toHaveLength(1);
    const review = oneLine(render({ status: "held", heldReason: "this business reviews each entry before daybook posts it", warnings: [{ ...warning, message: warning.message.replace("short by 5.00", "short by 0.50").replace("5.00 USD", "0.50 USD") }] }).text);
    expect(review).not.toMatch(/was (debited|credited)/);
    expect(review).toContain("The POS figures are short by 0.50 USD: less money was taken than the sales, tax and tips explain. Nothing is posted yet; approved, the entry debits the difference to the over/short account 6900 Cash Over/Short.");
    // Posted, it was debited: said so.
    expect(oneLine(render({ warnings: [warning] }).text)).toContain("The difference was debited to the over/short account 6900 Cash Over/Short.");
  });

  it("names an account QuickBooks refused, by its name, with the link to the mapping page", () => {
    const message = 'QuickBooks refused the entry because an account it uses is inactive or no longer exists (error 2500: Invalid Reference Id : Account "Sales – Food" (id 79) is inactive).';
    expect(refusedAccountId(message)).toBe("79");
    expect(refusedAccountId("Invalid Reference Id : Accounts element id 151 not found")).toBe("151");
    const failed = render({ status: "failed", entry: undefined, failure: { kind: "needs-merchant", message } });
    expect(oneLine(failed.text)).toContain("QuickBooks refused the account 4010 Sales – Food. Make it active again in QuickBooks, or choose another account for it in the mapping");
    expect(failed.text).toContain("Open the mapping: https://daybook.example/locations/L1/mapping");
  });

  it("says a day daybook held is over or short by how much, and the two ways on, in one clean sentence each", () => {
    const held = render({
      status: "held", approveUrl: "https://daybook.example/approve?t=1",
      heldReason: "The POS figures leave an unexplained difference of 12.34 USD, more than the 1.00 USD tolerance: they are over by 12.34 USD (more money was taken than the sales, tax and tips explain). The entry is held for review and not posted.",
      overShort: { amount: 1_234, tolerance: 100, accountId: "89" },
    });
    const text = oneLine(held.text);
    expect(text).toContain("Nothing was posted yet. The POS figures are over by 12.34 USD: more money was taken than the sales, tax and tips explain, which is more than the 1.00 USD daybook posts without asking.");
    expect(text).toContain("Choose one: approve the entry as it is, and the 12.34 USD goes to Sales tax payable; or correct the day in the POS");
    // Re-checked only by the three nights after the day (a backfilled old day by none): the last one named, never "the next three nights".
    expect(text).toContain("daybook checks the day again each night up to the night after Monday 17 March 2025, posting it once it balances; corrected later than that, post it from the Backfill page.");
    expect(text).not.toContain("next three nights");
    expect(held.text).toContain("Review and approve: https://daybook.example/approve?t=1");
    expect(text).not.toMatch(/\.\.|: The POS|not posted\. Check/);
    // The held entry's number is not in QuickBooks yet: said beside it.
    expect(text).toContain("Entry: DB250314-CZG9QY (not in QuickBooks yet: posted once approved), to be dated Friday 14 March 2025");
    expect(text).not.toContain("Entry: DB250314-CZG9QY, dated");
    const short = oneLine(render({ status: "held", overShort: { amount: -500, tolerance: 100, accountId: "89" } }).text);
    expect(short).toContain("The POS figures are short by 5.00 USD: less money was taken");
  });

  it("says a day held for review was not posted, in a sentence, and links to the approval", () => {
    const held = render({ status: "held", heldReason: "this business reviews each entry before daybook posts it", approveUrl: "https://daybook.example/approve?t=1" });
    expect(oneLine(held.text)).toContain("Nothing was posted yet. This business reviews each entry before daybook posts it. Check the lines below, then approve them");
    expect(held.text).toContain("Review and approve: https://daybook.example/approve?t=1");
    expect(held.text).toContain("Sales – Food");
  });

  it("says where an entry is dated when the books are closed for its day", () => {
    const posted = render({ entry: { ...input().entry!, txnDate: "2025-04-02" } });
    expect(oneLine(posted.text)).toContain("The QuickBooks books are closed for Friday 14 March 2025, so this entry is dated Wednesday 2 April 2025, the day daybook posted it");
    expect(render().text).not.toContain("books are closed");
  });

  it("explains an adjustment: the cause, the original entry, each changed line before and after, and the day's total now", () => {
    const adjusted = render({
      status: "adjusted",
      entry: {
        ...input().entry!, docNumber: "DB250314-CZG9QY-A1", total: 10_000,
        lines: [{ description: "Card payments", postingType: "Debit", amount: 10_000, accountId: "35" }, { description: "Sales – Food", postingType: "Credit", amount: 10_000, accountId: "79" }],
      },
      adjustment: {
        originalDocNumber: "DB250314-CZG9QY",
        changes: [{ description: "Sales – Food", accountId: "79", before: -300_000, after: -310_000 }, { description: "Card payments", accountId: "35", before: 339_100, after: 349_100 }],
        dayTotal: 349_100,
      },
      cause: { kind: "pos-changes" },
    });
    const text = oneLine(adjusted.text);
    expect(text).toContain("The day changed after it was posted: the POS's figures for the day changed (late orders, refunds or edits). This adjusting entry DB250314-CZG9QY-A1 carries only the difference; the original entry DB250314-CZG9QY is untouched.");
    expect(adjusted.text).toContain([
      "What changed (USD; Dr debit, Cr credit):",
      "Line           Account                  Before        After  Difference",
      "Sales – Food   4010 Sales – Food   3,000.00 Cr  3,100.00 Cr   100.00 Cr",
      "Card payments  1010 Card clearing  3,391.00 Dr  3,491.00 Dr   100.00 Dr",
    ].join("\n"));
    expect(text).toContain("The day now totals: 3,491.00 USD in debits and in credits, all its entries together");
    expect(text).toContain("Original entry: DB250314-CZG9QY");
    const dayStart = oneLine(render({ status: "adjusted", cause: { kind: "day-start", detail: "from 00:00 to 04:00." } }).text);
    expect(dayStart).toContain("the location's day start changed, so the day covers other hours than when it was posted (from 00:00 to 04:00).");
  });

  it("says under the day's figures what each column holds: Card is payments less refunds before fees, not the deposit", () => {
    const totals = { currency: "USD", netSales: 166_000, tax: 13_000, tips: 12_600, card: 147_830, cash: 40_770, fees: 4_880, feesReported: true };
    const text = oneLine(render({ totals }).text);
    expect(text).toContain("Net sales are sales less discounts and returns, before tax and tips; tips include automatic gratuities. Card and Cash are payments less refunds (Cash also less cash back given), before processing fees; gift cards and other tenders are in neither. Fees are the processing fees on the day's payments.");
    expect(render().text).not.toContain("Card and Cash are");
  });

  it("shows fees as not reported for Clover, never 0.00", () => {
    const totals = { currency: "USD", netSales: 120_000, fees: 0, tax: 9_000, tips: 1_000, card: 100_000, cash: 30_000, feesReported: false };
    const clover = render({ source: "clover", totals });
    expect(oneLine(clover.text)).toContain("not reported by Clover");
    expect(visibleText(clover.html)).toContain("not reported by Clover");
    expect(oneLine(render({ totals: { ...totals, fees: 3_456, feesReported: true } }).text)).toContain("34.56");
  });

  it("lists new warnings in full with the link that maps an unmapped item, and counts the ones reported before", () => {
    const report = render({
      warnings: [
        { code: "unmapped-category", subject: "C1", message: 'Category "Coffee beans" has no account in the mapping; its sales were posted to the default sales account.' },
        { code: "late-change", message: "2 orders changed after the day was posted" },
      ],
      repeatedWarnings: 7,
    });
    expect(report.text).toContain('Worth a look:\n- Category "Coffee beans" has no account in the mapping');
    expect(report.text).toContain("  Map it: https://daybook.example/locations/L1/mapping");
    expect(oneLine(report.text)).toContain("7 items that were reported before still have no account in the mapping and went to the default accounts.");
    expect(visibleText(report.html)).toContain("2 orders changed after the day was posted");
  });

  it("says a day with no sales was not posted, without a lines table", () => {
    const empty = render({ status: "no-sales", entry: undefined });
    expect(empty.text).toContain("There were no sales to post for this day");
    expect(empty.text).not.toContain("Journal entry lines");
  });
});
