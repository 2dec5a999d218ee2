import { describe, expect, it } from "vitest";
import type { Mapping } from "../../lib/domain/mapping";
import { captureAccountLabels, mappedAccountIds } from "../../lib/locations/account-labels";
import type { QuickBooksAccount } from "../../lib/quickbooks/types";

const defaults = {
  sales: "40", discounts: "41", returns: "41", serviceCharges: "40", tax: "20", tips: "21", giftCards: "22", nonRevenue: "22",
  tenders: "10", fees: "60", rounding: "62", overShort: "62",
};
const mapping: Mapping = { defaults, categories: { CAT_FOOD: "45" }, tenders: { CASH: "12" }, payouts: { bank: "13" } };

const account = (id: string, name: string, extra: Partial<QuickBooksAccount> = {}): QuickBooksAccount =>
  ({ id, name, fullyQualifiedName: name, accountType: "Income", active: true, ...extra });

describe("the mapped accounts' names, captured from the chart", () => {
  it("lists every account the mapping names, once", () => {
    expect(mappedAccountIds(mapping)).toEqual(["10", "12", "13", "20", "21", "22", "40", "41", "45", "60", "62"]);
  });

  it("takes the number and the full name from the chart, for the mapped accounts only", () => {
    const chart = [
      account("40", "Sales", { acctNum: "4000" }),
      account("45", "Food", { fullyQualifiedName: "Sales:Food", acctNum: "4010" }),
      account("12", "Undeposited Funds", { accountType: "Other Current Asset" }),
      account("99", "Not mapped", { acctNum: "9999" }),
    ];
    expect(captureAccountLabels(chart, mapping)).toEqual({
      "40": { number: "4000", name: "Sales" },
      "45": { number: "4010", name: "Sales:Food" },
      "12": { name: "Undeposited Funds" },
    });
  });

  it("keeps the name it had of an account the chart no longer lists, and drops accounts no longer mapped", () => {
    const previous = { "40": { number: "4000", name: "Sales" }, "77": { name: "Old mapping" } };
    // 40 was made inactive (QuickBooks' delete): the active chart no longer lists it.
    expect(captureAccountLabels([account("45", "Food renamed")], mapping, previous)).toEqual({
      "40": { number: "4000", name: "Sales" },
      "45": { name: "Food renamed" },
    });
  });
});
