/** How a backfill's days ended, on its progress page (lib/web/pages/backfill.tsx). */
import { describe, expect, it } from "vitest";
import type { BackfillProgress } from "../../lib/schedule/backfill";
import { BackfillProgressPage, backfillResult } from "../../lib/web/pages/backfill";

const finished: BackfillProgress = {
  backfillId: "b1", merchantId: "m1", locationId: "L1", from: "2025-06-13", to: "2025-06-16", requestedBy: "merchant",
  total: 4, done: 3, failed: 1, posted: 1, adjusted: 0, unchanged: 1, held: 0, noSales: 0, recheckFailed: 1,
  createdAt: "2025-06-17T12:00:00.000Z", complete: true,
};

describe("a backfill's result", () => {
  it("counts a day posted before whose check for later changes failed as posted with that said, apart from the days that failed", () => {
    const rows = new Map(backfillResult(finished));
    expect(rows.get("Posted; the check for later changes failed")).toBe(1);
    expect(rows.get("Failed")).toBe(1);
    expect(rows.get("Posted")).toBe(1);
    expect(rows.get("Already posted, unchanged")).toBe(1);
    // Every day told: no "Done" row for days counted before the outcomes were told apart.
    expect(rows.has("Done")).toBe(false);
    expect([...rows.values()].reduce((sum, count) => sum + count, 0)).toBe(finished.total);
  });

  it("says on the finished page that such a day's entries stand, and that a day that failed was not posted", async () => {
    const page = BackfillProgressPage({ viewer: { email: "owner@example.com", formToken: "t" }, backfill: finished, locationName: "Main Street" });
    const html = (await Promise.resolve(page).then((element) => element.toString())).replace(/\s+/g, " ");
    expect(html).toContain("<tr><th scope=\"row\">Posted; the check for later changes failed</th><td>1</td></tr>");
    expect(html).toContain("<tr><th scope=\"row\">Failed</th><td>1</td></tr>");
    expect(html).toContain("One day was posted before, and the check for later changes failed: its entries stand in QuickBooks, only a change since is not posted; the report of each says why, and what to do.");
    expect(html).toContain("One day could not be posted; the report of each says why, and what to do.");
  });
});
