import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MappingError, parseMapping } from "../../lib/domain/mapping";

const valid = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const defaults = valid.defaults as Record<string, string>;

describe("the mapping file", () => {
  it("accepts the documented shape, with everything but defaults optional", () => {
    expect(parseMapping(valid).categories?.CAT_BEVERAGES).toBe("44");
    expect(parseMapping({ defaults }).holdTolerance).toBeUndefined();
  });

  it.each([
    ["a missing default", { defaults: { ...defaults, overShort: undefined } }, /defaults\.overShort/],
    ["an account name instead of an Id", { defaults: { ...defaults, sales: "Sales" } }, /defaults\.sales: must be a QuickBooks account Id/],
    ["a misspelt key", { ...valid, tender: {} }, /Unrecognized key: "tender"/],
    ["a negative tolerance", { ...valid, holdTolerance: -1 }, /holdTolerance/],
    ["a fractional tolerance", { ...valid, holdTolerance: 0.5 }, /holdTolerance/],
    ["a numeric account Id", { ...valid, categories: { CAT: 44 } }, /categories\.CAT/],
    ["not an object", [], /the mapping is not valid/],
  ])("rejects %s with a message that names the field", (_, input, message) => {
    expect(() => parseMapping(input)).toThrow(MappingError);
    expect(() => parseMapping(input)).toThrow(message);
  });
});
