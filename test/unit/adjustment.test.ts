/**
 * An adjustment explained, worked by hand: the day as first posted, a late cash sale of food with its
 * tax, and what the adjusting entry's report shows for each line that changed, before → after.
 */
import { describe, expect, it } from "vitest";
import type { PostedEntry } from "../../lib/model";
import { adjustmentDetail, changedLines } from "../../lib/report/adjustment";
import { squareMapping } from "../support/fixtures";
import { summaryOf } from "../support/summaries";

const posted = (revision: number, summary: PostedEntry["summary"]): PostedEntry => ({
  revision, docNumber: revision === 0 ? "DB250601-AAAAAA" : `DB250601-AAAAAA-A${String(revision)}`, entryId: String(100 + revision), txnDate: "2025-06-01",
  requestId: `r${String(revision)}`, summary, postedAt: "2025-06-02T07:00:00.000Z",
});
const location = { mapping: squareMapping(), source: "square" as const, locationId: "L1", currency: "USD" };

describe("an adjustment, before and after", () => {
  // Revision 0: food 10.00 with 0.80 state tax, paid by card 10.80.
  const original = summaryOf({ sales: { CAT_FOOD: 1_000 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 80 }, payments: { CARD: 1_080 } });
  // Revision 1, the difference: a late cash sale of food, 5.00 with 0.40 tax.
  const late = summaryOf({ sales: { CAT_FOOD: 500 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 40 }, payments: { CASH: 540 } });
  const record = { businessDay: "2025-06-01", posted: [posted(0, original), posted(1, late)] };

  it("shows each changed line on its account, signed debit-positive, and leaves out the lines that did not change", () => {
    const detail = adjustmentDetail(record, 1, location);
    expect(detail).toEqual({
      originalDocNumber: "DB250601-AAAAAA",
      changes: [
        { description: "Sales – Food", accountId: "45", before: -1_000, after: -1_500 },
        { description: "Tax – State Sales Tax", accountId: "20", before: -80, after: -120 },
        { description: "Cash payments", accountId: "12", before: 0, after: 540 },
      ],
      // 15.00 food + 1.20 tax in credits = 10.80 card + 5.40 cash in debits.
      dayTotal: 1_620,
    });
  });

  it("counts every revision before the one explained: the second adjustment starts from the first's total", () => {
    const refund = summaryOf({ returns: { CAT_FOOD: 200 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": -16 }, refunds: { CARD: 216 } });
    const detail = adjustmentDetail({ ...record, posted: [...record.posted, posted(2, refund)] }, 2, location);
    expect(detail?.changes).toEqual([
      { description: "Returns – Food", accountId: "42", before: 0, after: 200 },
      { description: "Tax – State Sales Tax", accountId: "20", before: -120, after: -104 },
      { description: "Refunds – Card", accountId: "11", before: 0, after: -216 },
    ]);
    expect(detail?.dayTotal).toBe(1_620 + 200);
  });

  it("has nothing to explain for the first entry, or a revision it does not hold", () => {
    expect(adjustmentDetail(record, 0, location)).toBeUndefined();
    expect(adjustmentDetail(record, 5, location)).toBeUndefined();
  });

  it("keeps a line that went away, as after 0", () => {
    expect(changedLines(
      [{ description: "Tips", postingType: "Credit", amount: 300, accountId: "21" }],
      [],
    )).toEqual([{ description: "Tips", accountId: "21", before: -300, after: 0 }]);
  });
});
