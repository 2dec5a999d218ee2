import { describe, expect, it } from "vitest";
import { dayTotals, tenderKind } from "../../lib/report/day-figures";
import { type EmailDocument, renderEmail } from "../../lib/report/email-document";
import { formatAmount, formatDay, formatDebitCredit, formatInstantIn, formatShortDay } from "../../lib/report/format";
import { summaryOf } from "../support/summaries";

describe("figures and days as people read them", () => {
  it("writes amounts with thousands separators and the currency's own decimals", () => {
    expect(formatAmount(123_456_789, "USD")).toBe("1,234,567.89");
    expect(formatAmount(-500_000, "USD")).toBe("-5,000.00");
    expect(formatAmount(5, "USD")).toBe("0.05");
    expect(formatAmount(1_234_567, "JPY")).toBe("1,234,567");
    expect(formatAmount(1_234_567, "KWD")).toBe("1,234.567");
    expect(formatDebitCredit(-123_456, "USD")).toBe("1,234.56 Cr");
    expect(formatDebitCredit(99, "USD")).toBe("0.99 Dr");
  });

  it("writes days with their weekday, and instants in the location's zone, never UTC", () => {
    expect(formatDay("2026-03-07")).toBe("Saturday 7 March 2026");
    expect(formatShortDay("2026-03-09")).toBe("Mon 9 Mar");
    expect(formatDay("not a day")).toBe("not a day");
    expect(formatInstantIn("2026-03-07T14:05:00.000Z", "America/New_York")).toBe("Sat 7 Mar 2026, 09:05 EST");
    // After the spring-forward, the same clock reads daylight time.
    expect(formatInstantIn("2026-03-09T14:05:00.000Z", "America/New_York")).toBe("Mon 9 Mar 2026, 10:05 EDT");
  });
});

describe("a day's line", () => {
  it("takes card and cash money net of refunds, cash less the cash back, tips with automatic gratuities", () => {
    const summary = summaryOf({
      sales: { A: 10_000 }, discounts: 500, returns: { A: 1_000 }, tax: { City: 700, State: 100 }, tips: 300, autoGratuities: { "Party 18%": 200 },
      payments: { CARD: 6_000, WALLET: 1_000, CASH: 3_000, SQUARE_GIFT_CARD: 500 }, refunds: { CARD: 400, CASH: 100 }, cashBack: 250, fees: 210,
    });
    expect(dayTotals(summary, "square")).toEqual({
      currency: "USD", netSales: 8_500, tax: 800, tips: 500, card: 6_600, cash: 2_650, fees: 210, feesReported: true,
    });
    expect(dayTotals(summary, "clover").feesReported).toBe(false);
    expect(["Credit Card", "Debit Card", "CARD", "Gift Card", "Cash", "OTHER"].map(tenderKind)).toEqual(["card", "card", "card", "other", "cash", "other"]);
  });
});

describe("an email document", () => {
  const document: EmailDocument = {
    title: "A wide table",
    blocks: [{
      kind: "table", caption: "Days",
      columns: [{ title: "Location and day" }, { title: "Status" }, ...["Net sales", "Tax", "Tips", "Card", "Cash", "Fees"].map((title) => ({ title, numeric: true })), { title: "Entry" }],
      rows: [[{ text: "Main Street, Sat 7 Mar" }, { text: "Posted" }, ...["12,345.67", "987.65", "120.00", "10,000.00", "3,453.32", "not reported by Clover"].map((text) => ({ text })), { text: "DB260307-ABCDEF", url: "https://qbo.example/1" }]],
    }],
    footer: [],
  };

  it("lays a table too wide for 78 columns out as records in text, a line per column, and says every link", () => {
    const { text } = renderEmail(document);
    expect(text).toContain(["Days:", "Main Street, Sat 7 Mar", "  Status:    Posted", "  Net sales: 12,345.67", "  Tax:       987.65"].join("\n"));
    expect(text).toContain("  Fees:      not reported by Clover");
    expect(text).toContain("DB260307-ABCDEF: https://qbo.example/1");
    for (const line of text.split("\n").filter((each) => !each.includes("://"))) expect(line.length).toBeLessThanOrEqual(78);
  });

  it("gives every cell of a table its column's name, for a phone to stack it by, and right-aligns amounts", () => {
    const { html } = renderEmail(document);
    expect(html).toContain('<table class="stack"');
    expect(html).toMatch(/<td style="[^"]*text-align:right[^"]*"><span class="label" style="display:none;font-weight:600">Net sales: <\/span>12,345\.67<\/td>/);
    expect(html).toContain("@media (max-width: 600px)");
  });
});
