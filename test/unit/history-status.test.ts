/** A day's state in words on the history page (lib/web/pages/history.tsx statusInWords). */
import { describe, expect, it } from "vitest";
import { emptySummary } from "../../lib/domain/summary";
import type { PostedEntry } from "../../lib/model";
import { statusInWords } from "../../lib/web/pages/history";

const entry: PostedEntry = {
  revision: 0, docNumber: "DB250614-AB12CD", entryId: "412", txnDate: "2025-06-14", requestId: "r1", summary: emptySummary("USD"), postedAt: "2025-06-15T06:01:00.000Z",
};
const lastError = { kind: "retryable" as const, message: "Square did not answer", at: "2025-06-16T06:01:00.000Z" };

describe("a day's status on the history page", () => {
  it("says a day posted before whose check for later changes failed is posted, and why the check failed", () => {
    expect(statusInWords({ state: "failed", posted: [entry], lastError })).toBe("posted; the check for later changes failed: Square did not answer");
  });

  it("names a posted day's entries by DocNumber, its adjustments counted and named, as the digest does", () => {
    expect(statusInWords({ state: "posted", posted: [entry] })).toBe("posted: DB250614-AB12CD");
    const adjusted = [entry, { ...entry, revision: 1, docNumber: "DB250614-AB12CD-A1" }, { ...entry, revision: 2, docNumber: "DB250614-AB12CD-A2" }];
    expect(statusInWords({ state: "posted", posted: adjusted })).toBe("posted: DB250614-AB12CD + 2 adjustments (DB250614-AB12CD-A1, DB250614-AB12CD-A2)");
  });

  it("says a held day is held for review, the words every email and the day page use", () => {
    expect(statusInWords({ state: "held", posted: [], heldReason: "review mode is on" })).toBe("held for review: review mode is on");
  });

  it("says a day with nothing in QuickBooks failed, and why", () => {
    expect(statusInWords({ state: "failed", posted: [], lastError })).toBe("failed: Square did not answer");
  });
});
