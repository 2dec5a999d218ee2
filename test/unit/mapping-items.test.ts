import { describe, expect, it } from "vitest";
import type { Mapping } from "../../lib/domain/mapping";
import { mappingItems, seenList } from "../../lib/locations/mapping-items";
import { postingProblem } from "../../lib/locations/posting-status";
import type { Connection, LocationConfig } from "../../lib/model";
import type { QuickBooksAccount } from "../../lib/quickbooks/types";
import { summaryOf } from "../support/summaries";

const account = (id: string, name: string, accountType: string, accountSubType?: string): QuickBooksAccount => ({
  id, name, fullyQualifiedName: name, accountType, ...(accountSubType ? { accountSubType } : {}), active: true,
});
const CHART = [
  account("79", "Sales", "Income"), account("151", "Card Clearing", "Other Current Asset"), account("4", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
  account("170", "House Accounts Receivable", "Other Current Asset"), account("162", "Gift Cards", "Other Current Liability"),
];
const MAPPING: Mapping = {
  defaults: { sales: "79", discounts: "79", returns: "79", serviceCharges: "79", tax: "160", tips: "161", giftCards: "162", nonRevenue: "163", tenders: "151", fees: "8", rounding: "90", overShort: "90" },
  categories: { CAT_FOOD: "80" },
  tenders: { OTHER: "152" },
};

describe("the mapping page's items", () => {
  const items = mappingItems({
    mapping: MAPPING, chart: CHART,
    catalog: {
      categories: [{ id: "CAT_DRINKS", name: "Drinks" }, { id: "CAT_FOOD", name: "Food" }], tenders: [{ key: "Cash", name: "Cash" }, { key: "House Account", name: "House Account" }],
      taxes: ["State Sales Tax"], serviceCharges: [], nonRevenueItems: ["Bottle deposit"],
    },
    recent: [summaryOf({
      sales: { CAT_FOOD: 100, CAT_SEASONAL: 50 }, categoryNames: { CAT_FOOD: "Food", CAT_SEASONAL: "Seasonal" }, tax: { "City Tax": 5 },
      autoGratuities: { "Party of 8": 20 }, serviceCharges: { Delivery: 10 }, payments: { "OTHER:Voucher": 185 },
    })],
    seen: ["categories:CAT_FOOD", "categories:CAT_DRINKS", "tenders:Cash", "serviceCharges:Delivery"],
  });
  const by = (group: string, key: string) => items.find((item) => item.group === group && item.key === key);

  it("lists what the POS has, what recent days used and what the mapping names, grouped by figure, each with its default", () => {
    expect(items.map((item) => `${item.group}:${item.key}`)).toEqual([
      "categories:CAT_DRINKS", "categories:CAT_FOOD", "categories:CAT_SEASONAL",
      "tenders:Cash", "tenders:House Account", "tenders:OTHER", "tenders:OTHER:Voucher",
      "taxes:City Tax", "taxes:State Sales Tax",
      "serviceCharges:Delivery", "serviceCharges:Party of 8",
      "nonRevenue:Bottle deposit",
    ]);
    expect(by("categories", "CAT_FOOD")).toMatchObject({ name: "Food", accountId: "80", defaultAccountId: "79", defaultFigure: "sales" });
    expect(by("categories", "CAT_DRINKS")).toMatchObject({ accountId: undefined, defaultAccountId: "79" });
    // A noted OTHER tender goes with the OTHER tenders' account unless mapped on its own; an automatic gratuity goes to tips.
    expect(by("tenders", "OTHER:Voucher")).toMatchObject({ name: "Other – Voucher", defaultAccountId: "152" });
    expect(by("serviceCharges", "Party of 8")).toMatchObject({ defaultAccountId: "161", defaultFigure: "tips" });
    expect(by("serviceCharges", "Delivery")).toMatchObject({ defaultAccountId: "79", defaultFigure: "serviceCharges" });
  });

  it("marks daybook's suggestion where it is not the default", () => {
    expect(by("tenders", "Cash")?.suggested).toBe("4");
    expect(by("tenders", "House Account")?.suggested).toBe("170");
    expect(by("categories", "CAT_DRINKS")?.suggested).toBeUndefined();
  });

  it("marks as new only what the nightly sync saw, has no account of its own, and was not on the page when the mapping was saved", () => {
    expect(items.filter((item) => item.isNew).map((item) => `${item.group}:${item.key}`)).toEqual([
      "categories:CAT_SEASONAL", "tenders:OTHER:Voucher", "taxes:City Tax", "serviceCharges:Party of 8",
    ]);
    // Before the mapping was ever saved on the page, nothing is new: everything is being reviewed.
    expect(mappingItems({ mapping: MAPPING, chart: CHART, recent: [summaryOf({ tax: { "City Tax": 5 } })] }).some((item) => item.isNew)).toBe(false);
    expect(seenList(items)).toContain("taxes:City Tax");
  });
});

describe("whether a location can post", () => {
  const at = "2025-06-02T00:00:00.000Z";
  const connection = (connectionId: string, provider: Connection["provider"], status: Connection["status"]): Connection => ({
    merchantId: "m", connectionId, provider, status, externalId: "X", tokenCiphertext: "", tokenVersion: 1, createdAt: at, updatedAt: at,
  });
  const location = { merchantId: "m", locationId: "L", source: "clover", name: "Harbor", posConnectionId: "pos", quickbooksConnectionId: "qb" } as LocationConfig;

  it("says why not, with the one action that mends it", () => {
    expect(postingProblem(location, [connection("pos", "clover", "active"), connection("qb", "quickbooks", "active")])).toBeUndefined();
    expect(postingProblem(location, [connection("pos", "clover", "active"), connection("qb", "quickbooks", "revoked")])).toEqual({
      reason: "the QuickBooks connection was disconnected", action: { kind: "reconnect", provider: "quickbooks", label: "Reconnect QuickBooks" },
    });
    expect(postingProblem(location, [connection("pos", "clover", "needs-reconnect"), connection("qb", "quickbooks", "active")])).toEqual({
      reason: "Clover no longer accepts daybook's access", action: { kind: "reconnect", provider: "clover", region: "us", label: "Reconnect Clover" },
    });
    expect(postingProblem(location, [])?.reason).toBe("its Clover account is not connected");
    expect(postingProblem({ ...location, awaitingStart: true }, [])?.action).toEqual({ kind: "start", label: "Review and start posting Harbor" });
  });
});
