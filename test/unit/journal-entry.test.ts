import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docNumber, MAX_DOC_NUMBER_LENGTH } from "../../lib/domain/doc-number";
import { buildJournalEntry, type EntryContext, isDaybookNote, JournalEntryError, leftOnDefault, MAX_PRIVATE_NOTE_LENGTH } from "../../lib/domain/journal-entry";
import { type Mapping, parseMapping } from "../../lib/domain/mapping";
import { emptySummary, subtractSummaries, summaryHash } from "../../lib/domain/summary";
import { summaryOf } from "../support/summaries";

const mapping: Mapping = parseMapping(
  JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")),
);
/** The names the location captured for the fixture mapping's accounts (a few; the rest have none captured). */
const accountLabels = {
  "10": { name: "Undeposited Funds" }, "40": { number: "4000", name: "Sales" }, "42": { number: "4200", name: "Returns" }, "62": { number: "6200", name: "Over/Short" },
};
const context: EntryContext = {
  source: "square", locationId: "L8EXAMPLE0001", businessDay: "2025-03-14", revision: 0, businessName: "Corner Cafe", locationName: "Main Street", accountLabels,
};

const lineTuples = (entry: ReturnType<typeof buildJournalEntry>) =>
  entry.lines.map((line) => [line.description, line.postingType, line.amount, line.accountId]);

describe("the journal-entry builder", () => {
  it("puts each figure on its side and account, with words an accountant reads", () => {
    const summary = summaryOf({
      sales: { CAT_BEVERAGES: 900, CAT_UNMAPPED: 100 },
      categoryNames: { CAT_BEVERAGES: "Beverages", CAT_UNMAPPED: "Seasonal" },
      returns: { CAT_BEVERAGES: 450 },
      discounts: 90,
      serviceCharges: { "Delivery fee": 300, Corkage: 200 },
      autoGratuities: { "Large party 18%": 180 },
      tax: { "State Sales Tax": 69, "City Tax": 10 },
      tips: 200,
      giftCardSales: 2500,
      nonRevenue: { "Bottle deposit": 50 },
      payments: { CARD: 3679, SQUARE_GIFT_CARD: 500, BUY_NOW_PAY_LATER: 239 },
      refunds: { CASH: 450 },
      fees: 87,
      rounding: -1,
    });
    const entry = buildJournalEntry(summary, mapping, context);
    expect(lineTuples(entry)).toEqual([
      ["Sales – Beverages", "Credit", 900, "44"],
      ["Sales – Seasonal", "Credit", 100, "40"],
      ["Discounts & comps", "Debit", 90, "41"],
      ["Returns – Beverages", "Debit", 450, "42"],
      ["Service charges – Corkage", "Credit", 200, "43"],
      ["Service charges – Delivery fee", "Credit", 300, "43"],
      ["Auto-gratuity – Large party 18%", "Credit", 180, "21"],
      ["Tax – City Tax", "Credit", 10, "24"],
      ["Tax – State Sales Tax", "Credit", 69, "20"],
      ["Tips", "Credit", 200, "21"],
      ["Gift card sales", "Credit", 2500, "22"],
      ["Non-revenue – Bottle deposit", "Credit", 50, "23"],
      ["Buy now, pay later payments", "Debit", 239, "10"],
      ["Card payments", "Debit", 3679, "11"],
      ["Gift card payments", "Debit", 500, "22"],
      ["Refunds – Cash", "Credit", 450, "12"],
      ["Processing fees", "Debit", 87, "60"],
      ["Processing fees – Card clearing", "Credit", 87, "11"],
      ["Cash rounding", "Debit", 1, "61"],
    ]);
    expect(entry.residual).toBe(0);
    expect(entry.held).toBe(false);
    expect(entry.warnings.map((w) => w.code)).toEqual(["unmapped-category", "unmapped-tender"]);
    expect(entry.warnings[0]!.message).toContain('"Seasonal"');
    expect(entry.warnings[1]!.message).toContain('"Buy now, pay later"');
  });

  it("writes the exact QuickBooks request body", () => {
    const summary = summaryOf({ sales: { CAT_FOOD: 1050 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 1050 } });
    const entry = buildJournalEntry(summary, mapping, context);
    expect(entry.journalEntry).toEqual({
      TxnDate: "2025-03-14",
      DocNumber: docNumber("square", "L8EXAMPLE0001", "2025-03-14", 0),
      PrivateNote: `Corner Cafe – Main Street – Friday 14 March 2025 – daily sales from Square – revision 0. Posted by daybook; summary sha256 ${summaryHash(summary)}.`,
      Line: [
        { Description: "Sales – Food", Amount: 10.5, DetailType: "JournalEntryLineDetail",
          JournalEntryLineDetail: { PostingType: "Credit", AccountRef: { value: "45" } } },
        { Description: "Cash payments", Amount: 10.5, DetailType: "JournalEntryLineDetail",
          JournalEntryLineDetail: { PostingType: "Debit", AccountRef: { value: "12" } } },
      ],
    });
  });

  it("flips a negative net to the other side and leaves zero lines out", () => {
    // A day with more refunded than sold: payments net negative, fees given back.
    const summary = summaryOf({
      returns: { CAT_FOOD: 500 }, categoryNames: { CAT_FOOD: "Food" }, discounts: -50, tax: { "State Sales Tax": -40 },
      payments: { CARD: 0 }, refunds: { CARD: 490 }, fees: -12, tips: 0,
    });
    const entry = buildJournalEntry(summary, mapping, context);
    expect(lineTuples(entry)).toEqual([
      ["Discounts & comps", "Credit", 50, "41"],
      ["Returns – Food", "Debit", 500, "42"],
      ["Tax – State Sales Tax", "Debit", 40, "20"],
      ["Refunds – Card", "Credit", 490, "11"],
      ["Processing fees", "Credit", 12, "60"],
      ["Processing fees – Card clearing", "Debit", 12, "11"],
    ]);
  });

  it("posts returns to the category's own account when the merchant chose so", () => {
    const summary = summaryOf({
      returns: { CAT_FOOD: 500, CAT_OTHER: 100 }, categoryNames: { CAT_FOOD: "Food", CAT_OTHER: "Other" }, refunds: { CASH: 600 },
    });
    const entry = buildJournalEntry(summary, { ...mapping, returnsToCategoryAccounts: true }, context);
    expect(lineTuples(entry).slice(0, 2)).toEqual([
      ["Returns – Food", "Debit", 500, "45"],
      ["Returns – Other", "Debit", 100, "40"],
    ]);
  });

  it("balances a small residual to over/short with a warning, and holds a large one", () => {
    const shortBy = (amount: number) =>
      summaryOf({ sales: { CAT_FOOD: 1000 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 1000 - amount } });
    const small = buildJournalEntry(shortBy(100), mapping, context);
    expect(small.residual).toBe(-100);
    expect(small.lines.at(-1)).toEqual({ description: "Over/short (unexplained difference)", postingType: "Debit", amount: 100, accountId: "62" });
    expect(small.held).toBe(false);
    expect(small.warnings.map((w) => w.code)).toEqual(["over-short"]);

    const large = buildJournalEntry(shortBy(-101), mapping, context);
    expect(large.lines.at(-1)).toMatchObject({ postingType: "Credit", amount: 101 });
    expect(large.held).toBe(true);
    expect(large.holdReason).toMatch(/unexplained difference of 1\.01 USD, more than the 1\.00 USD tolerance/);
    expect(large.journalEntry).not.toBeNull();

    expect(buildJournalEntry(shortBy(5), { ...mapping, holdTolerance: 0 }, context).held).toBe(true);
  });

  it("says whether the POS figures are over or short, and by how much in the currency", () => {
    const taken = (cash: number) => summaryOf({ sales: { CAT_FOOD: 1000 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: cash } });
    // 10.50 taken for 10.00 of sales: 0.50 over, credited to over/short.
    expect(buildJournalEntry(taken(1050), mapping, context).warnings).toEqual([{
      code: "over-short",
      message: "The POS figures are over by 0.50 USD: more money was taken than the sales, tax and tips explain. The difference was credited to the over/short account 6200 Over/Short.",
    }]);
    // 9.25 taken: 0.75 short, debited.
    expect(buildJournalEntry(taken(925), mapping, context).warnings[0]?.message).toMatch(/^The POS figures are short by 0\.75 USD: less money .* debited to the over\/short account 6200 Over\/Short\.$/);
    // Held: the reason says short and by how much, in yen.
    const yen = buildJournalEntry(summaryOf({ sales: { CAT_FOOD: 5000 }, payments: { CASH: 4800 } }, "JPY"), mapping, context);
    expect(yen.holdReason).toBe(
      "The POS figures leave an unexplained difference of 200 JPY, more than the 100 JPY tolerance: they are short by 200 JPY " +
        "(less money was taken than the sales, tax and tips explain). The entry is held for review and not posted.",
    );
  });

  it("names the account an unmapped category's figures actually went to", () => {
    const names = { CAT_NEW: "Seasonal", "custom-amounts": "Custom amounts" };
    const warnings = (summary: Parameters<typeof buildJournalEntry>[0], options: Partial<Mapping> = {}) =>
      buildJournalEntry(summary, { ...mapping, categories: {}, ...options }, context).warnings.map((w) => w.message);
    // Only a return, posted to the returns account (42, "4200 Returns") like every return: not "the default sales account".
    expect(warnings(summaryOf({ returns: { "custom-amounts": 500 }, categoryNames: names, refunds: { CASH: 500 } }))).toEqual([
      'Category "Custom amounts" has no account in the mapping; it only had returns, which were posted to the returns account 4200 Returns as every category\'s are.',
    ]);
    // Sales go to the default sales account (40, "4000 Sales"); its returns still go to 42.
    expect(warnings(summaryOf({ sales: { CAT_NEW: 900 }, returns: { CAT_NEW: 100 }, categoryNames: names, payments: { CASH: 800 } }))).toEqual([
      'Category "Seasonal" has no account in the mapping; its sales were posted to the default sales account 4000 Sales.',
    ]);
    // When returns follow the category's account, an unmapped category's returns go to the default sales account too.
    const both = summaryOf({ sales: { CAT_NEW: 900 }, returns: { CAT_NEW: 100, "custom-amounts": 50 }, categoryNames: names, payments: { CASH: 750 } });
    expect(warnings(both, { returnsToCategoryAccounts: true })).toEqual([
      'Category "Seasonal" has no account in the mapping; its sales and returns were posted to the default sales account 4000 Sales.',
      'Category "Custom amounts" has no account in the mapping; its returns were posted to the default sales account 4000 Sales.',
    ]);
  });

  it("shows an OTHER tender's note, mapped on its own or with every OTHER tender", () => {
    const summary = summaryOf({
      sales: { CAT_FOOD: 1300 }, categoryNames: { CAT_FOOD: "Food" },
      payments: { "OTHER:Town gift voucher": 1000, OTHER: 500 }, refunds: { "OTHER:Town gift voucher": 200 },
    });
    const withOther = { ...mapping, tenders: { ...mapping.tenders, OTHER: "15" } };
    expect(lineTuples(buildJournalEntry(summary, withOther, context)).slice(1)).toEqual([
      ["Other payments", "Debit", 500, "15"],
      ["Other payments – Town gift voucher", "Debit", 1000, "15"],
      ["Refunds – Other – Town gift voucher", "Credit", 200, "15"],
    ]);
    const own = { ...withOther, tenders: { ...withOther.tenders, "OTHER:Town gift voucher": "16" } };
    expect(lineTuples(buildJournalEntry(summary, own, context)).slice(2).map((line) => line[3])).toEqual(["16", "16"]);
    // Unmapped, it is named in words in the warning.
    expect(buildJournalEntry(summary, mapping, context).warnings.map((w) => w.message)).toEqual([
      'Tender "Other" has no account in the mapping; it was posted to the default tender account Undeposited Funds.',
      'Tender "Other – Town gift voucher" has no account in the mapping; it was posted to the default tender account Undeposited Funds.',
    ]);
  });

  it("posts non-revenue items to their own accounts by item name, the rest to the default", () => {
    const summary = summaryOf({ nonRevenue: { "Gift Card": 5000, "Charity donation": 100, "Bottle deposit": 30 }, payments: { CASH: 5130 } });
    const byItem = { ...mapping, nonRevenue: { "gift card": "22", "Charity donation": "25" } };
    expect(lineTuples(buildJournalEntry(summary, byItem, context))).toEqual([
      ["Non-revenue – Bottle deposit", "Credit", 30, "23"],
      ["Non-revenue – Charity donation", "Credit", 100, "25"],
      // Matched ignoring case: "gift card" names the "Gift Card" item.
      ["Non-revenue – Gift Card", "Credit", 5000, "22"],
      ["Cash payments", "Debit", 5130, "12"],
    ]);
  });

  it("credits cash back to the cash tender's account, and warns when no cash tender is mapped", () => {
    // A 3.25 debit sale with 20.00 cash back: the card is charged 23.25; the drawer pays out 20.00.
    const summary = summaryOf({ sales: { CAT_FOOD: 300 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 25 }, payments: { CARD: 2325 }, cashBack: 2000 });
    const entry = buildJournalEntry(summary, mapping, context);
    expect(lineTuples(entry)).toEqual([
      ["Sales – Food", "Credit", 300, "45"],
      ["Tax – State Sales Tax", "Credit", 25, "20"],
      ["Card payments", "Debit", 2325, "11"],
      ["Cash back paid out", "Credit", 2000, "12"],
    ]);
    expect(entry.residual).toBe(0);
    expect(entry.cashBack).toBe(2000);
    const { CASH: _cash, ...noCash } = mapping.tenders ?? {};
    const unmapped = buildJournalEntry(summary, { ...mapping, tenders: noCash }, context);
    expect(unmapped.lines.at(-1)).toEqual({ description: "Cash back paid out", postingType: "Credit", amount: 2000, accountId: "10" });
    expect(unmapped.warnings.map((w) => w.message)).toEqual([
      'No cash tender ("Cash") has an account in the mapping; the cash back paid out of the drawer was credited to the default tender account Undeposited Funds.',
    ]);
    // An account whose name the location has not captured is still named as an account, never as a bare number.
    expect(buildJournalEntry(summary, { ...mapping, tenders: noCash }, { ...context, accountLabels: {} }).warnings.map((w) => w.message)).toEqual([
      'No cash tender ("Cash") has an account in the mapping; the cash back paid out of the drawer was credited to the default tender account (QuickBooks account 10).',
    ]);
  });

  it("tells a warning about an item left on Default when the mapping was saved: the category, the tender, or for cash back either cash tender", () => {
    const summary = summaryOf({
      sales: { CAT_FOOD: 300, CAT_NEW: 100 }, categoryNames: { CAT_FOOD: "Food", CAT_NEW: "New" }, tax: { "State Sales Tax": 25 },
      payments: { CARD: 2325, GIFT_VOUCHER: 100 }, cashBack: 2000,
    });
    const { CASH: _cash, ...noCash } = mapping.tenders ?? {};
    const { warnings } = buildJournalEntry(summary, { ...mapping, categories: { CAT_FOOD: "45" }, tenders: noCash }, context);
    const subjects = (seen: string[]) => warnings.filter((warning) => leftOnDefault(warning, new Set(seen))).map((warning) => warning.subject);
    expect(warnings.map((warning) => [warning.code, warning.subject])).toEqual([
      ["unmapped-category", "CAT_NEW"], ["unmapped-tender", "GIFT_VOUCHER"], ["unmapped-tender", "cash back"],
    ]);
    expect(subjects([])).toEqual([]);
    expect(subjects(["categories:CAT_NEW", "tenders:GIFT_VOUCHER"])).toEqual(["CAT_NEW", "GIFT_VOUCHER"]);
    // Cash back goes where cash on Default goes: Square's key or Clover's label, whichever the page listed.
    expect(subjects(["tenders:CASH"])).toEqual(["cash back"]);
    expect(subjects(["tenders:Cash"])).toEqual(["cash back"]);
    // A key of another group, or an over/short, is never a choice.
    expect(subjects(["tenders:CAT_NEW", "categories:GIFT_VOUCHER"])).toEqual([]);
    expect(leftOnDefault({ code: "over-short", subject: "CAT_NEW" }, new Set(["categories:CAT_NEW"]))).toBe(false);
  });

  it("posts no entry for a day with nothing in it", () => {
    const entry = buildJournalEntry(emptySummary("USD"), mapping, context);
    expect(entry.journalEntry).toBeNull();
    expect(entry.lines).toEqual([]);
    expect(entry.held).toBe(false);
  });

  it("builds an adjusting entry from the difference, under its own DocNumber and date", () => {
    const posted = summaryOf({ sales: { CAT_FOOD: 1000 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 1000 } });
    const now = summaryOf({ sales: { CAT_FOOD: 1250 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 1000, CARD: 250 } });
    const entry = buildJournalEntry(subtractSummaries(now, posted), mapping, {
      ...context, revision: 1, txnDate: "2025-04-02", note: "Dated 2025-04-02 because 2025-03-14 is in a closed period",
    });
    expect(lineTuples(entry)).toEqual([["Sales – Food", "Credit", 250, "45"], ["Card payments", "Debit", 250, "11"]]);
    expect(entry.journalEntry?.DocNumber).toBe(`${docNumber("square", "L8EXAMPLE0001", "2025-03-14", 0)}-A1`);
    expect(entry.journalEntry?.TxnDate).toBe("2025-04-02");
    expect(entry.journalEntry?.PrivateNote).toBe(
      "Corner Cafe – Main Street – Friday 14 March 2025 – daily sales from Square – revision 1. Dated 2025-04-02 because 2025-03-14 is in a closed period. " +
        `Posted by daybook; summary sha256 ${summaryHash(subtractSummaries(now, posted))}.`,
    );
  });

  it("uses the currency's decimals: yen have none, dinars three", () => {
    const yen = buildJournalEntry(summaryOf({ sales: { CAT_FOOD: 1200 }, payments: { CASH: 1200 } }, "JPY"), mapping, context);
    expect(yen.journalEntry?.Line.map((line) => line.Amount)).toEqual([1200, 1200]);
    const dinar = buildJournalEntry(summaryOf({ sales: { CAT_FOOD: 1205 }, payments: { CASH: 1205 } }, "KWD"), mapping, context);
    expect(dinar.journalEntry?.Line.map((line) => line.Amount)).toEqual([1.205, 1.205]);
  });

  it("refuses an amount larger than QuickBooks accepts instead of posting it wrong", () => {
    const huge = summaryOf({ sales: { CAT_FOOD: 10 ** 12 }, payments: { CASH: 10 ** 12 } });
    expect(() => buildJournalEntry(huge, mapping, context)).toThrow(JournalEntryError);
  });
});

describe("DocNumber", () => {
  it("is deterministic, at most 21 characters, and distinct per location, day and revision", () => {
    const first = docNumber("square", "L8EXAMPLE0001", "2025-03-14", 0);
    expect(first).toMatch(/^DB250314-[0-9A-Z]{6}$/);
    expect(docNumber("square", "L8EXAMPLE0001", "2025-03-14", 0)).toBe(first);
    expect(docNumber("square", "L8EXAMPLE0001", "2025-03-14", 999)).toHaveLength(MAX_DOC_NUMBER_LENGTH - 1);
    const numbers = new Set<string>();
    for (const source of ["square", "clover"]) {
      for (const location of ["L1", "L2", "L8EXAMPLE0001", "LQ1234567890ABCDEFGHIJKLMNOP"]) {
        for (const day of ["2025-03-14", "2025-03-15", "2026-03-14"]) {
          for (const revision of [0, 1, 2, 10]) numbers.add(docNumber(source, location, day, revision));
        }
      }
    }
    expect(numbers.size).toBe(2 * 4 * 3 * 4);
    expect([...numbers].every((n) => n.length <= MAX_DOC_NUMBER_LENGTH)).toBe(true);
    expect(() => docNumber("square", "L1", "2025-03-14", 1000)).toThrow(RangeError);
  });
});

describe("the entry's PrivateNote and tags", () => {
  const summary = summaryOf({ sales: { CAT_FOOD: 1050 }, categoryNames: { CAT_FOOD: "Food" }, payments: { CASH: 1050 } });
  const note = (overrides: Partial<EntryContext>) => buildJournalEntry(summary, mapping, { ...context, ...overrides }).journalEntry?.PrivateNote ?? "";
  const tail = `Posted by daybook; summary sha256 ${summaryHash(summary)}.`;

  it("names the business, the location by name and the day in words, and keeps the marker and hash at the end", () => {
    expect(note({ businessDay: "2026-03-07", revision: 1 })).toBe(`Corner Cafe – Main Street – Saturday 7 March 2026 – daily sales from Square – revision 1. ${tail}`);
    // No business name yet: the note starts with the location; no location name (the CLI's preview): the POS location id.
    expect(note({ businessName: "  " })).toBe(`Main Street – Friday 14 March 2025 – daily sales from Square – revision 0. ${tail}`);
    expect(note({ businessName: "", locationName: undefined, source: "clover" })).toBe(`location L8EXAMPLE0001 – Friday 14 March 2025 – daily sales from Clover – revision 0. ${tail}`);
  });

  it("gives way to QuickBooks' 4000 characters in its words, never in its marker and hash", () => {
    const long = note({ businessName: "B".repeat(3000), locationName: "L".repeat(2000) });
    expect(long).toHaveLength(MAX_PRIVATE_NOTE_LENGTH);
    expect(long.endsWith(`… ${tail}`)).toBe(true);
    expect(isDaybookNote(long)).toBe(true);
  });

  it("knows its own notes, today's and the older form, and nobody else's", () => {
    expect(isDaybookNote(note({}))).toBe(true);
    expect(isDaybookNote(`Posted by daybook; source Square; location L1; business day 2025-03-14; revision 0; summary sha256 ${summaryHash(summary)}.`)).toBe(true);
    expect(isDaybookNote("Paid the rent. Posted by daybook? No.")).toBe(false);
    expect(isDaybookNote(undefined)).toBe(false);
  });

  it("puts the location's QuickBooks Location and Class on every line", () => {
    const tagged = buildJournalEntry(summaryOf({ sales: { CAT_FOOD: 1000 }, tax: { "State Sales Tax": 80 }, payments: { CARD: 1080 }, fees: 30 }), mapping, {
      ...context, tags: { departmentId: "2", classId: "5" },
    });
    const details = tagged.journalEntry?.Line.map((line) => line.JournalEntryLineDetail) ?? [];
    expect(details).toHaveLength(5);
    for (const detail of details) expect(detail).toMatchObject({ DepartmentRef: { value: "2" }, ClassRef: { value: "5" } });
    // Only a Class: no DepartmentRef anywhere.
    const classOnly = buildJournalEntry(summary, mapping, { ...context, tags: { classId: "5" } }).journalEntry?.Line ?? [];
    expect(classOnly.map((line) => line.JournalEntryLineDetail)).toEqual([
      { PostingType: "Credit", AccountRef: { value: "45" }, ClassRef: { value: "5" } },
      { PostingType: "Debit", AccountRef: { value: "12" }, ClassRef: { value: "5" } },
    ]);
  });
});
