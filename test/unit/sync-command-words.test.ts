/** What `daybook sync` prints for a day that failed (lib/cli/sync.ts describeOutcome). */
import { describe, expect, it } from "vitest";
import { describeOutcome } from "../../lib/cli/sync";
import type { SyncOutcome } from "../../lib/sync/sync-day";

const command = { merchantId: "m1", locationId: "L1", businessDay: "2025-06-14" };
const failed: SyncOutcome = { status: "failed", failure: { kind: "needs-merchant", message: "QuickBooks refused the entry: the books are closed for that date.", at: "2025-06-16T06:01:00.000Z" } };

describe("daybook sync's words for a failed day", () => {
  it("says a day posted before whose check for later changes failed is posted, which entries stand, and why the check failed", () => {
    expect(describeOutcome(command, failed, ["DB250614-AB12CD"])).toBe(
      "Location L1, business day 2025-06-14: posted; the check for later changes failed (needs-merchant). Its journal entry DB250614-AB12CD stands in QuickBooks;"
      + " a change since is not posted. QuickBooks refused the entry: the books are closed for that date.\n",
    );
    expect(describeOutcome(command, failed, ["DB250614-AB12CD", "DB250614-AB12CD-R1"])).toContain(
      ": posted; the check for later changes failed (needs-merchant). Its journal entries DB250614-AB12CD, DB250614-AB12CD-R1 stand in QuickBooks;",
    );
  });

  it("says a day with nothing in QuickBooks failed, and why", () => {
    expect(describeOutcome(command, failed)).toBe(
      "Location L1, business day 2025-06-14: failed (needs-merchant). QuickBooks refused the entry: the books are closed for that date.\n",
    );
    expect(describeOutcome(command, failed, [])).toBe(describeOutcome(command, failed));
  });
});
