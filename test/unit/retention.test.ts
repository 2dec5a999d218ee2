/**
 * Every kind of item daybook stores carries the table's TTL attribute (`expiresAt`, epoch seconds)
 * exactly when its retention says it expires, at the promised time (lib/store/retention.ts): sync
 * records and reports 13 months after their business day, failure reports and backfill progress 30
 * days, the front door's short-lived items their own lives. Written through the real stores on
 * in-process dynalite (test/support/every-item-kind.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type ItemKind, itemKindOf, RETENTION } from "../../lib/store/retention";
import { TABLE } from "../../lib/store/table";
import { AT, everyItemKind } from "../support/every-item-kind";

let items: Record<string, unknown>[];
beforeAll(async () => {
  items = await everyItemKind();
}, 30_000);

const seconds = (iso: string) => Date.parse(iso) / 1000;
const DAY = 86_400;
const kindOf = (item: Record<string, unknown>) => itemKindOf(item);
const ofKind = (kind: ItemKind) => items.filter((item) => kindOf(item) === kind);

describe("retention", () => {
  it("knows the kind of every item the stores write, and every kind it lists is written", () => {
    expect(items.filter((item) => kindOf(item) === undefined).map((item) => `${String(item.PK)} ${String(item.SK)}`)).toEqual([]);
    expect(new Set(items.map(kindOf))).toEqual(new Set(Object.keys(RETENTION)));
  });

  it("writes the TTL attribute on every item of a kind that expires, and on no other", () => {
    expect(TABLE.timeToLiveAttribute).toBe("expiresAt");
    for (const item of items) {
      const kind = kindOf(item)!;
      const ttl = item[TABLE.timeToLiveAttribute];
      if (RETENTION[kind].expires) expect(typeof ttl, kind).toBe("number");
      else expect(ttl, kind).toBeUndefined();
    }
  });

  it("keeps sync records and reports 13 months after their business day, failure reports and backfills 30 days", () => {
    // Business day 2025-06-14: kept until 2026-07-15 00:00 UTC, the start of the day 13 months on.
    const thirteenMonths = seconds("2026-07-15T00:00:00.000Z");
    expect(ofKind("sync-record").map((item) => item.expiresAt)).toEqual([thirteenMonths]);
    expect(ofKind("report").map((item) => item.expiresAt)).toEqual([thirteenMonths]);
    expect(ofKind("failure-report").map((item) => item.expiresAt)).toEqual([seconds(AT) + 30 * DAY]);
    expect(ofKind("backfill").map((item) => item.expiresAt)).toEqual([seconds(AT) + 30 * DAY]);
  });

  it("lets an invitation go after its 7 days, an API request after 14, an API key 14 days after it expires; an access lasts while it does", () => {
    expect(ofKind("invitation").map((item) => item.expiresAt)).toEqual([seconds(AT) + 7 * DAY]);
    expect(ofKind("api-request").map((item) => item.expiresAt)).toEqual([seconds(AT) + 14 * DAY, seconds(AT) + 14 * DAY]);
    expect(ofKind("api-key").map((item) => item.expiresAt)).toEqual([seconds("2025-09-13T09:00:00.000Z") + 14 * DAY, seconds("2025-09-13T09:00:00.000Z") + 14 * DAY]);
    expect(ofKind("member")).toHaveLength(1);
    expect(ofKind("membership")).toHaveLength(1);
  });

  it("keeps a deleted account's marker a day, naming no account: gone from the backups too within 30 days", () => {
    const markers = ofKind("deleted-account");
    expect(markers.map((item) => item.expiresAt)).toEqual([seconds(AT) + DAY]);
    expect(markers.map((item) => Object.keys(item).sort())).toEqual([["PK", "SK", "expiresAt"]]);
    expect(JSON.stringify(markers)).not.toContain("m-deleted");
  });

  it("lets the front door's items go with their own short lives", () => {
    expect(ofKind("sign-in-link").map((item) => item.expiresAt)).toEqual([seconds(AT) + 15 * 60]);
    expect(ofKind("oauth-state").map((item) => item.expiresAt)).toEqual([seconds(AT) + 10 * 60]);
    expect(ofKind("session").map((item) => item.expiresAt)).toEqual([seconds(AT) + 30 * 60]);
    expect(ofKind("idempotency").map((item) => Number(item.expiresAt) - Math.floor(Date.now() / 1000))).toEqual([expect.closeTo(12 * 3600, -2) as number]);
  });
});
