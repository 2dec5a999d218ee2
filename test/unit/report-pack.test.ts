/**
 * A report's content packed for keeping (lib/store/report-pack.ts): what follows from the item and the
 * rest of the content is left out, and every report comes back as the very same JSON text, whatever it
 * holds; what would not come back so is not packed at all (the store keeps it whole).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { docNumber } from "../../lib/domain/doc-number";
import type { StoredReportContent } from "../../lib/report/report-store";
import { StoreError } from "../../lib/store/errors";
import { packedBytes, packedText, packReport, type ReportKey, unpackReport } from "../../lib/store/report-pack";

const PUBLIC = "https://books.example.com";
const LOCATION = "L 1/ä";
const DAY = "2025-06-14";
const mapping = `${PUBLIC}/locations/${encodeURIComponent(LOCATION)}/mapping`;
const key = (status: string): ReportKey => ({ locationId: LOCATION, businessDay: DAY, status });
const line = (description: string, postingType: "Debit" | "Credit", amount: number, accountId: string, accountLabel = `QuickBooks account ${accountId}`) => ({
  description, postingType, amount, accountId, accountLabel, accountUrl: `${mapping}#account-${encodeURIComponent(accountId)}`,
});

/** The order lib/worker/process-job.ts reportContent writes a report's fields in. */
const WORKER_ORDER = [
  "merchantName", "locationName", "source", "businessDay", "timeZone", "status", "connectionsUrl", "mappingUrl", "reportUrl", "warnings",
  "repeatedWarnings", "repeatedItems", "accountLabels", "totals", "expectedDeposit", "backfillId", "entry", "adjustment", "cause", "heldReason", "overShort", "failure", "postedBefore",
];
const inWorkerOrder = (content: object): StoredReportContent => Object.fromEntries(Object.entries(content)
  .sort(([a], [b]) => (WORKER_ORDER.indexOf(a) >>> 0) - (WORKER_ORDER.indexOf(b) >>> 0))) as unknown as StoredReportContent;

/** A posted day's report as the worker writes it (lib/worker/process-job.ts reportContent), fields in its order. */
function posted(overrides: Partial<StoredReportContent> = {}): StoredReportContent {
  const base = {
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square" as const, businessDay: DAY, timeZone: "America/New_York", status: "posted" as const,
    connectionsUrl: `${PUBLIC}/connections`, mappingUrl: mapping, reportUrl: `${PUBLIC}/days/${encodeURIComponent(LOCATION)}/${DAY}`,
    warnings: [{ code: "unmapped-category" as const, subject: "uncategorized", message: "Category \"Uncategorized\" has no account in the mapping; its sales were posted to the default sales account (QuickBooks account 79)." }],
    repeatedWarnings: 1, repeatedItems: ["unmapped-tender:OTHER"],
    totals: { currency: "USD", netSales: 1000, fees: 30, tax: 80, tips: 0, card: 1080, cash: 0, feesReported: true },
  };
  const entry = {
    docNumber: docNumber("square", LOCATION, DAY, 0), txnDate: DAY, currency: "USD",
    lines: [line("Sales – Food", "Credit", 1000, "79"), line("Tax – Sales tax", "Credit", 80, "160"), line("Card payments", "Debit", 1080, "151"), line("Processing fees", "Debit", 30, "8"), line("Processing fees – Card clearing", "Credit", 30, "151")],
    total: 1110, cashBack: 0, quickBooksUrl: "https://app.qbo.intuit.com/app/journal?txnId=1234",
  };
  return inWorkerOrder({ ...base, entry, ...overrides });
}

function roundTrip(content: StoredReportContent, status = content.status): string {
  const packed = packReport(content, key(status));
  expect(packed, "packed").toBeDefined();
  const text = packedText(packedBytes(packed!), "the report");
  expect(JSON.stringify(unpackReport(text, key(status)))).toBe(JSON.stringify(content));
  return text;
}

describe("a report packed for keeping", () => {
  it("leaves out what the item and the content say already, and comes back as the very same JSON", () => {
    const content = posted();
    const text = roundTrip(content);
    // The links into daybook (the public URL once), the entry's in QuickBooks (its id), the DocNumber
    // (a revision), the business day, the status and the account names the report's own names give.
    expect(text).not.toContain("/connections");
    expect(text).not.toContain("/mapping");
    expect(text).not.toContain("account-");
    expect(text).not.toContain("intuit.com");
    expect(text).not.toContain(content.entry!.docNumber);
    expect(text).not.toContain(DAY);
    expect(text).not.toContain("\"posted\"");
    expect(text).not.toContain("QuickBooks account 151");
    expect(text.match(new RegExp(PUBLIC.replaceAll(".", "\\."), "g"))).toHaveLength(1);
    // What could have changed since is kept as it was.
    for (const kept of ["Main Street Coffee", "America/New_York", "Sales – Food", "QuickBooks account 79).", "unmapped-tender:OTHER"]) expect(text).toContain(kept);
  });

  it("keeps the names an account had when the report was written, where they are not what the report's names give", () => {
    const labels = { 79: { name: "Sales – Food", number: "4010" }, 151: { name: "Card clearing" } };
    const content = posted({ accountLabels: labels });
    const lines = content.entry!.lines.map((each) => ({ ...each, accountLabel: each.accountId === "79" ? "4010 Sales – Food" : each.accountId === "151" ? "Card clearing" : each.accountLabel! }));
    // Account 160 was renamed after the chart's names were captured: its line says what it said.
    const withRenamed = { ...content, entry: { ...content.entry!, lines: lines.map((each) => (each.accountId === "160" ? { ...each, accountLabel: "2200 Sales tax payable (old)" } : each)) } };
    const text = roundTrip(withRenamed);
    expect(text).toContain("2200 Sales tax payable (old)");
    expect(text.match(/"Card clearing"/g)).toHaveLength(1);
  });

  it("comes back the same for every kind of report: held, adjusted, failed, no sales, a Clover day, a closed period, a sandbox company", () => {
    const { entry, ...noEntry } = posted();
    const held = {
      ...noEntry, status: "held" as const,
      entry: { docNumber: entry!.docNumber, txnDate: DAY, currency: "USD", lines: entry!.lines, total: entry!.total, cashBack: 0 },
      heldReason: "The POS figures are over by 2.00.", overShort: { amount: 200, tolerance: 100, accountId: "90" },
    };
    roundTrip(inWorkerOrder(held));
    const adjusted = posted({
      status: "adjusted",
      entry: { ...entry!, docNumber: docNumber("square", LOCATION, DAY, 2), lines: entry!.lines.slice(0, 2), total: 1080, quickBooksUrl: "https://app.sandbox.qbo.intuit.com/app/journal?txnId=a%2Fb" },
      adjustment: { originalDocNumber: entry!.docNumber, changes: [{ description: "Sales – Food", accountId: "79", before: -900, after: -1000 }], dayTotal: 1110 },
      cause: { kind: "pos-changes" },
    });
    roundTrip(adjusted);
    roundTrip(inWorkerOrder({ ...noEntry, status: "failed", failure: { kind: "needs-reconnect", message: "Reconnect QuickBooks.", intuitTid: "tid-1" }, postedBefore: [entry!.docNumber] }));
    const { repeatedWarnings: _count, repeatedItems: _items, totals: _totals, ...quiet } = noEntry;
    roundTrip(inWorkerOrder({ ...quiet, status: "no-sales", warnings: [] }));
    roundTrip(posted({
      source: "clover", entry: { ...entry!, docNumber: docNumber("clover", LOCATION, DAY, 0), cashBack: 500 },
      expectedDeposit: { businessDay: DAY, currency: "USD", cardPayments: 1080, cardRefunds: 0, expected: 1080 },
    }));
    // A closed period: the entry dated the day it was posted. A backfill's report. A repeated count that is not the items'.
    roundTrip(posted({ entry: { ...entry!, txnDate: "2025-07-01" }, repeatedWarnings: 3 }));
    roundTrip(posted({ backfillId: "bf-1" } as Partial<StoredReportContent>));
    // Written before each part was: no account names or links on the lines, no cash back, no mapping link, no QuickBooks link.
    const { mappingUrl: _mapping, ...older } = posted();
    roundTrip(inWorkerOrder({ ...older, entry: { ...entry!, lines: entry!.lines.map(({ accountLabel: _label, accountUrl: _url, ...rest }) => rest), cashBack: undefined, quickBooksUrl: undefined } }));
  });

  it("comes back the same whatever the lines, names and amounts hold", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 });
    const account = fc.oneof(fc.constantFrom("1", "79", "007", "0", "-1", "1e3", "99999999999999999"), fc.string({ maxLength: 6 }));
    const aLine = fc.record({ description: text, postingType: fc.constantFrom("Debit" as const, "Credit" as const), amount: fc.integer({ min: 1, max: 2 ** 45 }), accountId: account, accountLabel: text });
    fc.assert(fc.property(fc.array(aLine, { maxLength: 8 }), text, fc.boolean(), fc.integer({ min: 0, max: 10 ** 9 }), (lines, name, withUrls, total) => {
      const content = posted({ merchantName: name, locationName: name });
      const entry = { ...content.entry!, lines: lines.map((each) => (withUrls ? { ...each, accountUrl: `${mapping}#account-${encodeURIComponent(each.accountId)}` } : each)) };
      const debits = lines.filter((each) => each.postingType === "Debit").reduce((sum, each) => sum + each.amount, 0);
      roundTrip({ ...content, entry: { ...entry, total: total % 2 === 0 ? debits : total } });
    }), { numRuns: 300 });
  });

  it("packs nothing that would not come back as it was: the store keeps such a report whole", () => {
    // A link made another way than daybook makes it, a status the item does not have, fields in another
    // order, a line that is neither debit nor credit, a line of nothing, a field of a line this does not know.
    expect(packReport(posted({ reportUrl: "https://elsewhere.test/day" }), key("posted"))).toBeUndefined();
    expect(packReport(posted(), key("held"))).toBeUndefined();
    const { merchantName, ...rest } = posted();
    expect(packReport({ ...rest, merchantName }, key("posted"))).toBeUndefined();
    // A count of items reported before that no list names (never written so): kept as it is, not read as the list's.
    const { repeatedItems: _items, ...countOnly } = posted();
    roundTrip(countOnly);
    roundTrip(posted({ repeatedWarnings: 1, repeatedItems: ["a", "b"] }));
    const entry = posted().entry!;
    expect(packReport(posted({ entry: { ...entry, lines: [{ ...line("Sales", "Credit", 100, "4"), postingType: "Both" as "Debit" }] } }), key("posted"))).toBeUndefined();
    expect(packReport(posted({ entry: { ...entry, lines: [line("Sales", "Credit", 0, "4")] } }), key("posted"))).toBeUndefined();
    expect(packReport(posted({ entry: { ...entry, lines: [{ ...line("Sales", "Credit", 100, "4"), classId: "7" } as never] } }), key("posted"))).toBeUndefined();
    // A field added later, where the worker puts it (after the known ones), is kept by name.
    expect((JSON.parse(roundTrip({ ...posted(), addedLater: { a: 1 } } as StoredReportContent)) as unknown[]).at(-1)).toEqual({ repeatedItems: ["unmapped-tender:OTHER"], addedLater: { a: 1 } });
  });

  it("refuses bytes that are not a packed report, with a sentence naming it", () => {
    expect(() => packedText(Buffer.from("{}"), "the content of the stored report X")).toThrow(new StoreError("the content of the stored report X is not a packed report"));
    expect(() => packedText(Buffer.of(1, 255, 255, 255), "the content of the stored report X")).toThrow(new StoreError("the content of the stored report X does not decompress"));
    expect(() => unpackReport("{}", key("posted"))).toThrow(TypeError);
  });
});
