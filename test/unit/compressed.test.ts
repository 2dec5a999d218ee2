/**
 * Text kept compressed in an item (lib/store/compressed.ts): what is written reads back the same, and so
 * does text written at any other Brotli quality; the quality kept stays within 5% of Brotli's smallest.
 */
import { brotliCompressSync, constants } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compressText, decompressJson, decompressText } from "../../lib/store/compressed";

/** A report's content as a night keeps it: its entry's lines with their accounts, links and amounts. */
function reportContent(): string {
  const accounts = ["Sales of Product Income", "Beverage Sales", "Sales Tax Payable", "Undeposited Funds", "Cash on hand", "Tips Payable", "Discounts given", "Refunds"];
  const lines = accounts.map((accountLabel, index) => ({
    accountId: String(80 + index), accountLabel, accountUrl: `https://daybook.example/locations/LMAIN01/mapping#account-${String(80 + index)}`,
    description: `${accountLabel} for Saturday 14 June 2025`, amount: 10_000 + index * 1_234, side: index % 2 === 0 ? "credit" : "debit",
  }));
  return JSON.stringify({
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square", businessDay: "2025-06-14", timeZone: "America/New_York",
    status: "posted", connectionsUrl: "https://daybook.example/connections", mappingUrl: "https://daybook.example/locations/LMAIN01/mapping",
    reportUrl: "https://daybook.example/days/LMAIN01/2025-06-14", warnings: [],
    totals: { grossSales: 145_000, netSales: 139_870, tax: 11_600, tips: 2_300, discounts: 5_130, refunds: 0, payments: { CARD: 120_000, CASH: 36_600 } },
    entry: { docNumber: "DB-LMAIN01-20250614", txnDate: "2025-06-14", currency: "USD", lines, total: 156_600, cashBack: 0, quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=1234" },
  });
}

describe("compressed text", () => {
  it("reads back what it wrote, and text written at any other Brotli quality, the same", () => {
    const text = reportContent();
    expect(decompressJson(compressText(text), "the report")).toEqual(JSON.parse(text));
    for (let quality = 1; quality <= 11; quality++) {
      const written = brotliCompressSync(Buffer.from(text, "utf8"), { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: quality } });
      expect(decompressText(written, "the report")).toBe(text);
    }
  });

  it("keeps a report's content within 5% of the smallest Brotli makes of it (quality 11), under a third of its size", () => {
    const text = reportContent();
    const smallest = brotliCompressSync(Buffer.from(text, "utf8"), { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const written = compressText(text).length;
    expect(written).toBeLessThanOrEqual(Math.ceil(smallest * 1.05));
    expect(written).toBeLessThan(text.length / 3);
  });
});
