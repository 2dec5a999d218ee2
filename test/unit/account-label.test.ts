import { describe, expect, it } from "vitest";
import { accountLabel } from "../../lib/domain/account-label";

describe("an account as a person reads it", () => {
  it("is its number and name, its name alone where the company does not number accounts, and says what an unknown Id is", () => {
    const labels = { "79": { name: "Sales – Food", number: "4010" }, "80": { name: "Tips payable" } };
    expect(accountLabel("79", labels)).toBe("4010 Sales – Food");
    expect(accountLabel("80", labels)).toBe("Tips payable");
    expect(accountLabel("151", labels)).toBe("QuickBooks account 151");
    expect(accountLabel("151", undefined)).toBe("QuickBooks account 151");
  });
});
