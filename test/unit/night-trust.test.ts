/**
 * When a night trusts an earlier day's record without reading the day again (lib/sync/sync-night.ts
 * isTrusted): complete as of its own read stamp, or of the stamp of a night's own-day record that
 * vouches for it at its version (SyncRecord.vouched), never when pending or not settled.
 */
import { describe, expect, it } from "vitest";
import type { SyncRecord } from "../../lib/model";
import { isTrusted, READ_LAG_MS, trustedSince } from "../../lib/sync/sync-night";
import { summaryOf } from "../support/summaries";

const CHANGES_SINCE = Date.parse("2025-06-15T04:00:00.000Z");

function record(businessDay: string, fields: Partial<SyncRecord> = {}): SyncRecord {
  return {
    merchantId: "m1", locationId: "L1", businessDay, state: "posted", posted: [], attempts: 0, version: 3, updatedAt: "2025-06-14T09:00:00.000Z",
    lastSummary: summaryOf({}), lastReadAt: "2025-06-14T09:00:00.000Z", ...fields,
  };
}

describe("a night's trust in an earlier day", () => {
  it("trusts a day by its own stamp only when the stamp, less the read lag, is at or after the changes' start", () => {
    expect(isTrusted(record("2025-06-14", { lastReadAt: new Date(CHANGES_SINCE + READ_LAG_MS).toISOString() }), CHANGES_SINCE)).toBe(true);
    expect(isTrusted(record("2025-06-14", { lastReadAt: new Date(CHANGES_SINCE + READ_LAG_MS - 1).toISOString() }), CHANGES_SINCE)).toBe(false);
  });

  it("trusts a day vouched for at its version as of the voucher's stamp, the later of the two stamps", () => {
    const day = record("2025-06-13", { version: 4 });
    const voucher = record("2025-06-14", { lastReadAt: "2025-06-15T09:30:00.000Z", vouched: { "2025-06-13": 4 } });
    expect(trustedSince(day, [voucher])).toBe(Date.parse("2025-06-15T09:30:00.000Z"));
    expect(isTrusted(day, CHANGES_SINCE, [undefined, day, voucher])).toBe(true);
    // The day's own stamp is later than an older voucher's: its own counts.
    const older = record("2025-06-14", { lastReadAt: "2025-06-12T09:30:00.000Z", vouched: { "2025-06-13": 4 } });
    expect(trustedSince(day, [older])).toBe(Date.parse("2025-06-14T09:00:00.000Z"));
  });

  it("does not trust a day vouched for at another version, under another day, or by a record without a stamp", () => {
    const day = record("2025-06-13", { version: 5 });
    expect(isTrusted(day, CHANGES_SINCE, [record("2025-06-14", { lastReadAt: "2025-06-15T09:30:00.000Z", vouched: { "2025-06-13": 4 } })])).toBe(false);
    expect(isTrusted(day, CHANGES_SINCE, [record("2025-06-14", { lastReadAt: "2025-06-15T09:30:00.000Z", vouched: { "2025-06-12": 5 } })])).toBe(false);
    const { lastReadAt: _none, ...unstamped } = record("2025-06-14", { vouched: { "2025-06-13": 5 } });
    expect(isTrusted(day, CHANGES_SINCE, [unstamped])).toBe(false);
  });

  it("never trusts a pending, failed or posting record, whoever vouches for it", () => {
    const voucher = (version: number) => record("2025-06-14", { lastReadAt: "2025-06-15T09:30:00.000Z", vouched: { "2025-06-13": version } });
    const base = record("2025-06-13", { lastReadAt: "2025-06-15T09:30:00.000Z" });
    expect(isTrusted(base, CHANGES_SINCE, [voucher(3)])).toBe(true);
    const { lastSummary: _gone, ...withoutFigures } = base;
    for (const day of [{ ...base, state: "failed" as const }, { ...base, state: "posting" as const }, withoutFigures]) {
      expect(isTrusted(day, CHANGES_SINCE, [voucher(3)])).toBe(false);
    }
  });
});
