import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { itemBytes, readItemBytes, readUnitsOf, writeUnitsOf } from "../../bench/aws-counter";

type Item = Record<string, AttributeValue>;
/** An item of about `bytes` bytes (DynamoDB's size: names and values in UTF-8). */
const sized = (bytes: number, extra: Item = {}): Item => {
  const base: Item = { PK: { S: "MERCHANT#m" }, SK: { S: "SYNC#L#2025-01-01" }, ...extra };
  return { ...base, pad: { S: "x".repeat(Math.max(0, bytes - itemBytes(base) - 3)) } };
};
const indexed = (bytes: number, shard = "CONNECTIONS#1"): Item =>
  sized(bytes, { GSI1PK: { S: "PROVIDERACCOUNT#q#1" }, GSI1SK: { S: "M" }, GSI2PK: { S: shard }, GSI2SK: { S: "M" } });

describe("the benchmarks' DynamoDB bill", () => {
  it("sizes an item as DynamoDB does: names and values in UTF-8 bytes", () => {
    expect(itemBytes({ ab: { S: "héllo" }, n: { N: "12345" } })).toBe(2 + 6 + 1 + 4);
    expect(itemBytes(sized(2000))).toBe(2000);
  });

  it("bills a write on the larger of the item before and after, per started KB", () => {
    expect(writeUnitsOf(undefined, sized(900))).toBe(1);
    expect(writeUnitsOf(undefined, sized(1025))).toBe(2);
    // A 5 KB claim settled into a 1 KB record still costs the 5 KB.
    expect(writeUnitsOf(sized(5 * 1024), sized(900))).toBe(5);
    // A delete costs the item deleted.
    expect(writeUnitsOf(sized(3000), undefined)).toBe(3);
  });

  it("adds a write per index the item is in and changed, two when its index key moves, none when it did not change", () => {
    const before = indexed(1500);
    const after = { ...before, tokenCiphertext: { S: "new" } };
    const wholeItems = [
      { partitionKey: { name: "GSI1PK" }, sortKey: { name: "GSI1SK" }, projection: "ALL" as const },
      { partitionKey: { name: "GSI2PK" }, sortKey: { name: "GSI2SK" }, projection: "ALL" as const },
    ];
    // The table's 2 KB and each index's entry, where both project every attribute.
    expect(writeUnitsOf(before, after, wholeItems)).toBe(2 + 2 + 2);
    expect(writeUnitsOf(before, before, wholeItems)).toBe(2);
    // GSI2's key moves: the old entry deleted, the new one put.
    expect(writeUnitsOf(before, { ...after, GSI2PK: { S: "CONNECTIONS#2" } }, wholeItems)).toBe(2 + 2 + 2 + 2);
    // Entering the indexes, and an item in none.
    expect(writeUnitsOf(undefined, before, wholeItems)).toBe(6);
    expect(writeUnitsOf(sized(100), sized(200), wholeItems)).toBe(1);
  });

  it("writes a keys-only index (table.ts's) only when an item enters or leaves it or its index key moves, an entry of the keys alone", () => {
    const before = indexed(1500);
    const after = { ...before, tokenCiphertext: { S: "new" } };
    // A token rewrite: the table alone.
    expect(writeUnitsOf(before, after)).toBe(2);
    // GSI2's key moves: its old and new entries, each under 1 KB of keys.
    expect(writeUnitsOf(before, { ...after, GSI2PK: { S: "CONNECTIONS#2" } })).toBe(2 + 1 + 1);
    // Entering both indexes, and leaving them.
    expect(writeUnitsOf(undefined, before)).toBe(2 + 1 + 1);
    expect(writeUnitsOf(before, undefined)).toBe(2 + 1 + 1);
    expect(writeUnitsOf(sized(100), sized(200))).toBe(1);
  });

  it("bills reads per started 4 KB of what came back, half for an eventually consistent one, one for nothing", () => {
    expect(readUnitsOf([], true)).toBe(1);
    expect(readUnitsOf([sized(4096)], true)).toBe(1);
    expect(readUnitsOf([sized(3000), sized(3000)], true)).toBe(2);
    expect(readUnitsOf([sized(3000), sized(3000)], false)).toBe(1);
  });

  it("sizes what a DocumentClient read hands back (already unmarshalled) as the same item in AttributeValues", () => {
    const item: Item = {
      PK: { S: "MERCHANT#m" }, SK: { S: "PAYOUT#L#ABCDEFGH" }, version: { N: "3" }, amount: { N: "-17502" }, ratio: { N: "0.25" }, flag: { BOOL: true }, none: { NULL: true },
      summary: { M: { days: { M: { "2025-06-16": { M: { net: { N: "10700" }, count: { N: "41" } } } } }, status: { S: "PAID" } } },
      posted: { L: [{ M: { docNumber: { S: "DP250617-ABCDEFGH" } } }, { S: "é" }] }, tags: { SS: ["a", "bc"] }, blob: { B: new Uint8Array([1, 2, 3]) },
    };
    // The same item as lib-dynamodb unmarshalls it.
    const plain = {
      PK: "MERCHANT#m", SK: "PAYOUT#L#ABCDEFGH", version: 3, amount: -17502, ratio: 0.25, flag: true, none: null,
      summary: { days: { "2025-06-16": { net: 10700, count: 41 } }, status: "PAID" },
      posted: [{ docNumber: "DP250617-ABCDEFGH" }, "é"], tags: new Set(["a", "bc"]), blob: new Uint8Array([1, 2, 3]),
    };
    expect(readItemBytes(plain)).toBe(itemBytes(item));
    expect(readItemBytes(item)).toBe(itemBytes(item));
    // A Query through the DocumentClient of 365 items of about 934 bytes: 84 RRU, not the 1 its attribute names alone would give.
    const payout = { PK: "MERCHANT#m", SK: "SYNC#L#2025-01-01", pad: "x".repeat(934 - "PKMERCHANT#mSKSYNC#L#2025-01-01pad".length) };
    expect(readUnitsOf(Array.from({ length: 365 }, () => payout), true)).toBe(Math.ceil(365 * 934 / 4096));
  });
});
