import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DUE_INDEX_SHARDS, shardOf } from "../../lib/schedule/due-index";

describe("due-index shards", () => {
  it("puts a location in the same shard every time, within range", () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), (merchantId, locationId, shards) => {
      const shard = shardOf(merchantId, locationId, shards);
      expect(shard).toBe(shardOf(merchantId, locationId, shards));
      expect(Number.isInteger(shard) && shard >= 0 && shard < shards).toBe(true);
    }));
  });

  it("is a fixed function of the ids (stored entries must stay findable after a deploy)", () => {
    expect(shardOf("m-1", "L-1")).toBe(shardOf("m-1", "L-1", DUE_INDEX_SHARDS));
    expect([shardOf("m-1", "L-1"), shardOf("m-1", "L-2"), shardOf("m-2", "L-1")]).toEqual([11, 9, 15]); // sha256("m-1/L-1") and so on: first four bytes, big-endian, mod 16
  });

  it("spreads many locations over every shard", () => {
    const counts = new Array<number>(DUE_INDEX_SHARDS).fill(0);
    for (let index = 0; index < 1_600; index++) {
      const shard = shardOf(`m-${String(index % 400)}`, `L-${String(index)}`);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    // 100 expected in each; a hash that ignored an id would pile them up.
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThan(140);
  });
});
