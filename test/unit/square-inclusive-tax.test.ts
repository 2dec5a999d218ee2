/**
 * Square days where prices include tax (ACCOUNTING.md: every figure is ex-tax; a line's discount ex-tax
 * is its discount × net ex-tax ÷ net incl-tax, rounded so that gross − discount = net; a comp is valued
 * at its own rate). Hand-made GBP orders in London, each figure worked out in the comments; every order
 * is checked against Square's spec first. Business day 2025-06-14 in London (BST) is 2025-06-13T23:00Z
 * to 2025-06-14T23:00Z.
 */
import { describe, expect, it } from "vitest";
import { buildJournalEntry } from "../../lib/domain/journal-entry";
import { identityResidual } from "../../lib/domain/summary";
import { exTaxFigures } from "../../lib/pos/square/inclusive-tax";
import { squareCatalog, squareMapping } from "../support/fixtures";
import { summariseSquareDay } from "../support/square-day";
import { squareSpecProblems } from "../support/square-spec";
import { summaryOf } from "../support/summaries";

const LOCATION = "LLONDON001";
const money = (amount: number) => ({ amount, currency: "GBP" });
const VAT_20 = { uid: "vat-20", name: "VAT 20%", type: "INCLUSIVE", percentage: "20", scope: "LINE_ITEM" };
const VAT_5 = { uid: "vat-5", name: "VAT 5%", type: "INCLUSIVE", percentage: "5", scope: "LINE_ITEM" };
const MERCH = { CAT_MERCH: "Merchandise" };
const FOOD = { CAT_FOOD: "Food" };

interface LineSpec {
  uid: string;
  variation: string;
  gross: number;
  discounts?: { uid: string; amount: number }[];
  tax?: { uid: string; amount: number };
}

/** A line as Square writes it where tax is inside the price: total = gross − discount. */
function line({ uid, variation, gross, discounts = [], tax }: LineSpec) {
  const discount = discounts.reduce((sum, each) => sum + each.amount, 0);
  return {
    uid, quantity: "1", item_type: "ITEM", catalog_object_id: variation, base_price_money: money(gross),
    variation_total_price_money: money(gross), gross_sales_money: money(gross),
    ...(discounts.length ? { applied_discounts: discounts.map((d) => ({ uid: `${uid}-${d.uid}`, discount_uid: d.uid, applied_money: money(d.amount) })) } : {}),
    ...(tax ? { applied_taxes: [{ uid: `${uid}-${tax.uid}`, tax_uid: tax.uid, applied_money: money(tax.amount) }] } : {}),
    total_discount_money: money(discount), total_tax_money: money(tax?.amount ?? 0), total_service_charge_money: money(0),
    total_money: money(gross - discount),
  };
}

function order(id: string, fields: { lines: ReturnType<typeof line>[]; discounts?: object[]; charges?: object[]; tender: [string, number] }) {
  const [type, amount] = fields.tender;
  return {
    id, location_id: LOCATION, state: "COMPLETED", created_at: "2025-06-14T11:59:00Z", closed_at: "2025-06-14T12:00:06Z",
    line_items: fields.lines, taxes: [VAT_20, VAT_5], ...(fields.discounts ? { discounts: fields.discounts } : {}),
    ...(fields.charges ? { service_charges: fields.charges } : {}),
    tenders: [{ id: `${id}_T`, location_id: LOCATION, created_at: "2025-06-14T12:00:05Z", type, amount_money: money(amount), ...(type === "CARD" ? { card_details: { status: "CAPTURED" } } : {}) }],
    total_money: money(amount), net_amount_due_money: money(0),
  };
}

function day(...orders: object[]) {
  const page = { orders };
  expect(squareSpecProblems("SearchOrdersResponse", page)).toEqual([]);
  return summariseSquareDay({
    orderPages: [page], catalog: [squareCatalog()], date: "2025-06-14", timeZone: "Europe/London", locationId: LOCATION, currency: "GBP",
  });
}

// A Logo T-Shirt at £12.00 including 20% VAT, 10% off: £1.20 off, £10.80 paid.
const DISCOUNTED_TEE = order("TEE_10_OFF", {
  lines: [line({ uid: "li-tee", variation: "VAR_TEE_M", gross: 1200, discounts: [{ uid: "promo", amount: 120 }], tax: { uid: "vat-20", amount: 180 } })],
  discounts: [{ uid: "promo", name: "Promo 10%", type: "FIXED_PERCENTAGE", percentage: "10", scope: "LINE_ITEM", applied_money: money(120) }],
  tender: ["CARD", 1080],
});

describe("inclusive tax on Square: every figure ex-tax", () => {
  it("a line discount: gross and discount both lose their VAT", () => {
    const { summary } = day(DISCOUNTED_TEE);
    // Net incl-tax 1200 − 120 = 1080; its VAT 1080 × 20/120 = 180 (as Square applied it); net ex-tax 900.
    // Discount ex-tax 120 × 900/1080 = 100; gross ex-tax 900 + 100 = 1000 (= 1200 ÷ 1.2).
    // (Taking only the VAT charged out of gross would give sales 1020 and discounts 120: both overstated by 20.)
    expect(summary).toEqual(summaryOf({
      sales: { CAT_MERCH: 1000 }, categoryNames: MERCH, discounts: 100, tax: { "VAT 20%": 180 }, payments: { CARD: 1080 },
    }, "GBP"));
    expect(identityResidual(summary)).toBe(0);
    const lines = buildJournalEntry(summary, squareMapping(), { source: "square", locationId: LOCATION, businessDay: "2025-06-14", revision: 0 }).lines;
    expect(lines.map((l) => [l.description, l.postingType, l.amount])).toEqual([
      ["Sales – Merchandise", "Credit", 1000],
      ["Discounts & comps", "Debit", 100],
      ["Tax – VAT 20%", "Credit", 180],
      ["Card payments", "Debit", 1080],
    ]);
  });

  it("an order discount across two rates: each line by its own VAT", () => {
    // 10% off the order, £18.30: Square spreads it over the lines as 120 (T-shirt) and 63 (Cookie).
    const { summary } = day(order("TWO_RATES", {
      lines: [
        line({ uid: "li-tee", variation: "VAR_TEE_M", gross: 1200, discounts: [{ uid: "order-10", amount: 120 }], tax: { uid: "vat-20", amount: 180 } }),
        line({ uid: "li-cookie", variation: "VAR_COOKIE", gross: 630, discounts: [{ uid: "order-10", amount: 63 }], tax: { uid: "vat-5", amount: 27 } }),
      ],
      discounts: [{ uid: "order-10", name: "10% off", type: "FIXED_PERCENTAGE", percentage: "10", scope: "ORDER", applied_money: money(183) }],
      tender: ["CASH", 1647],
    }));
    // T-shirt at 20%: net incl 1080, VAT 180, net ex 900; discount ex 120 × 900/1080 = 100; gross ex 1000.
    // Cookie at 5%: net incl 630 − 63 = 567, VAT 567 × 5/105 = 27, net ex 540; discount ex 63 × 540/567 = 60; gross ex 600.
    // Paid 1080 + 567 = 1647 = (1000 + 600) − (100 + 60) + 180 + 27.
    expect(summary).toEqual(summaryOf({
      sales: { CAT_MERCH: 1000, CAT_FOOD: 600 }, categoryNames: { ...MERCH, ...FOOD }, discounts: 160,
      tax: { "VAT 20%": 180, "VAT 5%": 27 }, payments: { CASH: 1647 },
    }, "GBP"));
    expect(identityResidual(summary)).toBe(0);
  });

  it("a return of a discounted line: returned gross ex-tax, and the discount it carries back ex-tax", () => {
    const returned = {
      id: "TEE_RETURN", location_id: LOCATION, state: "COMPLETED", created_at: "2025-06-14T15:59:00Z", closed_at: "2025-06-14T16:00:00Z",
      returns: [{
        uid: "ret-1", source_order_id: "TEE_10_OFF",
        return_line_items: [{
          uid: "rli-tee", source_line_item_uid: "li-tee", quantity: "1", item_type: "ITEM", catalog_object_id: "VAR_TEE_M",
          base_price_money: money(1200), gross_return_money: money(1200),
          applied_taxes: [{ uid: "rli-tee-vat", tax_uid: "rvat-20", applied_money: money(180) }],
          total_discount_money: money(120), total_tax_money: money(180), total_money: money(1080),
        }],
        return_taxes: [{ uid: "rvat-20", source_tax_uid: "vat-20", name: "VAT 20%", type: "INCLUSIVE", percentage: "20", scope: "LINE_ITEM", applied_money: money(180) }],
        return_discounts: [{ uid: "rpromo", source_discount_uid: "promo", name: "Promo 10%", type: "FIXED_PERCENTAGE", percentage: "10", scope: "LINE_ITEM", applied_money: money(120) }],
      }],
      refunds: [{ id: "TEE_REFUND", location_id: LOCATION, tender_id: "TEE_10_OFF_T", created_at: "2025-06-14T15:59:30Z", reason: "Returned goods", status: "APPROVED", amount_money: money(1080) }],
      total_money: money(0),
    };
    // Only the return is in the day; its refund names the sale's card tender, found in the same input.
    const page = { orders: [returned] };
    expect(squareSpecProblems("SearchOrdersResponse", page)).toEqual([]);
    const { summary } = summariseSquareDay(
      { orderPages: [page], catalog: [squareCatalog()], date: "2025-06-14", timeZone: "Europe/London", locationId: LOCATION, currency: "GBP" },
      { tenderKeyOf: (id) => (id === "TEE_10_OFF_T" ? "CARD" : undefined) },
    );
    // The sale's figures come back: returns 1000 (gross ex-tax), the 100 of discount it carried (ex-tax),
    // VAT −180, and the 1080 refunded: −1000 + 100 − 180 = −1080.
    expect(summary).toEqual(summaryOf({
      returns: { CAT_MERCH: 1000 }, categoryNames: MERCH, discounts: -100, tax: { "VAT 20%": -180 }, refunds: { CARD: 1080 },
    }, "GBP"));
    expect(identityResidual(summary)).toBe(0);
  });

  it("a taxable service charge with VAT inside it is revenue ex-tax; a zero-rated line keeps its figures", () => {
    const charge = {
      uid: "sc-delivery", name: "Delivery fee", type: "CUSTOM", calculation_phase: "SUBTOTAL_PHASE", taxable: true,
      amount_money: money(500), applied_money: money(500), total_tax_money: money(83), total_money: money(500),
      applied_taxes: [{ uid: "sc-vat", tax_uid: "vat-20", applied_money: money(83) }],
    };
    const { total_money: _total, ...withoutTotal } = charge;
    const withCharge = (chargeBody: object) => order("DELIVERY", {
      // A zero-rated Cookie (no VAT applied) at 2.50 with 0.25 off: nothing to take out, 250 and 25 as Square gives them.
      lines: [line({ uid: "li-cookie", variation: "VAR_COOKIE", gross: 250, discounts: [{ uid: "promo", amount: 25 }] })],
      discounts: [{ uid: "promo", name: "Promo 10%", type: "FIXED_PERCENTAGE", percentage: "10", scope: "LINE_ITEM", applied_money: money(25) }],
      charges: [chargeBody],
      tender: ["CARD", 725],
    });
    // The £5.00 fee includes VAT 500 × 20/120 = 83.33 → 83 (Square's figure): total_money equals
    // applied_money (the VAT is inside both), so the charge ex-tax is 500 − 83 = 417.
    // Paid 225 + 500 = 725 = 250 − 25 + 417 + 83.
    const expected = summaryOf({
      sales: { CAT_FOOD: 250 }, categoryNames: FOOD, discounts: 25, serviceCharges: { "Delivery fee": 417 }, tax: { "VAT 20%": 83 },
      payments: { CARD: 725 },
    }, "GBP");
    expect(day(withCharge(charge)).summary).toEqual(expected);
    // Without total_money, the charge is applied_money less the inclusive VAT within it: the same 417.
    expect(day(withCharge(withoutTotal)).summary).toEqual(expected);
    expect(identityResidual(expected)).toBe(0);
  });

  it("a comp is valued at its own rate, with an equal discount", () => {
    const { summary } = day(order("COMP", {
      lines: [
        // The T-shirt given away: 1200 off 1200, no VAT charged (Square still lists the VAT at 0).
        line({ uid: "li-tee", variation: "VAR_TEE_M", gross: 1200, discounts: [{ uid: "comp", amount: 1200 }], tax: { uid: "vat-20", amount: 0 } }),
        line({ uid: "li-cookie", variation: "VAR_COOKIE", gross: 630, tax: { uid: "vat-5", amount: 30 } }),
      ],
      discounts: [{ uid: "comp", name: "Comp", type: "FIXED_PERCENTAGE", percentage: "100", scope: "LINE_ITEM", applied_money: money(1200) }],
      tender: ["CASH", 630],
    }));
    // Comp: gross ex-tax 1200 ÷ 1.20 = 1000, discount 1000, net 0. Cookie: 630 incl 5% VAT 30 → 600.
    expect(summary).toEqual(summaryOf({
      sales: { CAT_MERCH: 1000, CAT_FOOD: 600 }, categoryNames: { ...MERCH, ...FOOD }, discounts: 1000, tax: { "VAT 5%": 30 },
      payments: { CASH: 630 },
    }, "GBP"));
    expect(identityResidual(summary)).toBe(0);
  });
});

describe("exTaxFigures", () => {
  const line = (fields: Partial<Parameters<typeof exTaxFigures>[0]>) =>
    exTaxFigures({ gross: 0, discount: 0, total: 0, tax: 0, serviceCharge: 0, inclusive: [], ...fields });

  it("rounds the discount half up and keeps gross − discount = net exactly", () => {
    // 999 incl 20%, 333 off: net incl 666, VAT 111, net ex 555; discount 333 × 555/666 = 277.5 → 278; gross 833.
    expect(line({ gross: 999, discount: 333, total: 666, tax: 111, inclusive: [{ amount: 111, percentage: "20" }] })).toEqual({ gross: 833, discount: 278 });
  });

  it("reads decimal rates and sums a line's inclusive rates for a comp", () => {
    // Ireland's 13.5%: 1135 ÷ 1.135 = 1000.
    expect(line({ gross: 1135, discount: 1135, inclusive: [{ amount: 0, percentage: "13.5" }] })).toEqual({ gross: 1000, discount: 1000 });
    // 5% + 9.975% (GST + QST): 11498 ÷ 1.14975 = 10000.43 → 10000.
    expect(line({ gross: 11498, discount: 11498, inclusive: [{ amount: 0, percentage: "5" }, { amount: 0, percentage: "9.975" }] })).toEqual({ gross: 10000, discount: 10000 });
  });

  it("leaves additive tax and apportioned service charges out of net", () => {
    // 1200 incl VAT 200, plus an additive levy of 12 and a service charge share of 100 in the total.
    expect(line({ gross: 1200, total: 1312, tax: 212, serviceCharge: 100, inclusive: [{ amount: 200, percentage: "20" }] })).toEqual({ gross: 1000, discount: 0 });
  });

  it("keeps Square's figures for a line without inclusive tax, and for a comp whose rate it cannot read", () => {
    expect(line({ gross: 500, discount: 50, total: 486, tax: 36 })).toEqual({ gross: 500, discount: 50 });
    expect(line({ gross: 500, discount: 500, inclusive: [{ amount: 0, percentage: undefined }] })).toEqual({ gross: 500, discount: 500 });
  });
});
