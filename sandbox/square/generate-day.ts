/**
 * A generator of realistic Square merchant days, as raw API bodies (snake_case, as on the wire): sales
 * with modifiers, line discounts and comps, two additive taxes, tips, service charges and
 * auto-gratuities, split tenders, cash with rounding, gift-card loads and redemptions, custom amounts,
 * deleted and uncategorised catalog items, paid-but-OPEN orders, voided tenders, canceled and unpaid
 * orders, same-day returns with refunds, and orders just outside the day. Seeded, so a day can be
 * regenerated exactly.
 *
 * With `taxRegime` GB or AU, prices include tax as they do there: VAT at 20% and 5% with zero-rated
 * lines (GB), GST at 10% with GST-free lines (AU); orders also get order-level discounts spread over
 * lines of different rates, and the delivery fee carries VAT (GST) inside it. Square keeps that tax
 * inside gross_sales_money there; the ground truth is ex-tax, as ACCOUNTING.md requires.
 *
 * Alongside the bodies it keeps its own ground truth: the daily summary ACCOUNTING.md defines, added
 * up from the generation parameters as it goes, never from the bodies. Tests compare the summariser
 * with it; the simulators serve the bodies.
 */
import { type BusinessDayWindow, businessDayWindow } from "../../lib/domain/business-day";
import { prng } from "../random";
import { addToBucket, type DailySummary, emptySummary, normaliseSummary } from "../../lib/domain/summary";

export interface GenerateDayOptions {
  seed: number;
  date: string;
  timeZone: string;
  dayStart?: string;
  locationId?: string;
  currency?: string;
  /** Paid sale orders inside the day. */
  sales: number;
  /** Share of sales returned (in full, one line) later the same day. */
  returnRate?: number;
  /** Share of sales paid but left OPEN (pending fulfilment). */
  openRate?: number;
  /** Orders outside the day, canceled or unpaid, per sale: noise the summary must ignore. */
  noiseRate?: number;
  /** US (default): additive sales taxes. GB, AU: tax included in prices (VAT 20% / 5% / zero-rated; GST 10% / GST-free). */
  taxRegime?: TaxRegime;
}

export type TaxRegime = "US" | "GB" | "AU";

export interface GeneratedDay {
  window: BusinessDayWindow;
  locationId: string;
  currency: string;
  /** Every order, sales and returns and noise, in paid/closed time order. */
  orders: SquareOrderBody[];
  /** A BatchRetrieveCatalogObjects body with the variations, their items and categories. */
  catalog: { objects: object[]; related_objects: object[] };
  /** The summary the day must produce, from the generator's own bookkeeping. */
  truth: DailySummary;
}

export type SquareOrderBody = Record<string, unknown> & { id: string; location_id: string };

interface CatalogEntry {
  variationId: string;
  itemId: string;
  name: string;
  price: number;
  category: { id: string; name: string } | null;
  deleted?: boolean;
}

const CATALOG: readonly CatalogEntry[] = [
  { variationId: "GEN_VAR_LATTE", itemId: "GEN_ITEM_LATTE", name: "Latte", price: 450, category: { id: "GEN_CAT_BEV", name: "Beverages" } },
  { variationId: "GEN_VAR_TEA", itemId: "GEN_ITEM_TEA", name: "Tea", price: 300, category: { id: "GEN_CAT_BEV", name: "Beverages" } },
  { variationId: "GEN_VAR_BAGEL", itemId: "GEN_ITEM_BAGEL", name: "Bagel", price: 375, category: { id: "GEN_CAT_FOOD", name: "Food" } },
  { variationId: "GEN_VAR_SALAD", itemId: "GEN_ITEM_SALAD", name: "Salad", price: 1195, category: { id: "GEN_CAT_FOOD", name: "Food" } },
  { variationId: "GEN_VAR_SCONE", itemId: "GEN_ITEM_SCONE", name: "Scone", price: 325, category: { id: "GEN_CAT_FOOD", name: "Food" }, deleted: true },
  { variationId: "GEN_VAR_TEE", itemId: "GEN_ITEM_TEE", name: "T-Shirt", price: 2400, category: { id: "GEN_CAT_MERCH", name: "Merchandise" } },
  { variationId: "GEN_VAR_BEANS", itemId: "GEN_ITEM_BEANS", name: "Coffee beans", price: 1650, category: null },
];
const UNCATEGORIZED = { id: "uncategorized", name: "Uncategorized" };
const CUSTOM = { id: "custom-amounts", name: "Custom amounts" };

interface TaxDefinition {
  uid: string;
  name: string;
  basisPoints: number;
  percentage: string;
}

const TAXES = [
  { uid: "tax-state", name: "State Sales Tax", basisPoints: 850, percentage: "8.5" },
  { uid: "tax-city", name: "City Tax", basisPoints: 100, percentage: "1" },
] as const satisfies readonly TaxDefinition[];

/** Tax-inclusive regimes: their taxes, and which of them (by index) a category's lines carry; null is zero-rated. */
const INCLUSIVE_REGIMES: Record<Exclude<TaxRegime, "US">, { taxes: readonly TaxDefinition[]; rateOf: (categoryId: string) => number | null }> = {
  GB: {
    taxes: [
      { uid: "vat-standard", name: "VAT 20%", basisPoints: 2000, percentage: "20" },
      { uid: "vat-reduced", name: "VAT 5%", basisPoints: 500, percentage: "5" },
    ],
    rateOf: (categoryId) => ({ GEN_CAT_BEV: 0, GEN_CAT_FOOD: 1, GEN_CAT_MERCH: 0, [CUSTOM.id]: 0 } as Record<string, number>)[categoryId] ?? null,
  },
  AU: {
    taxes: [{ uid: "gst", name: "GST", basisPoints: 1000, percentage: "10" }],
    rateOf: (categoryId) => ({ GEN_CAT_BEV: 0, GEN_CAT_MERCH: 0, [CUSTOM.id]: 0 } as Record<string, number>)[categoryId] ?? null,
  },
};

/** a × b ÷ c rounded half up, for non-negative integers: the generator's own arithmetic. */
function mulDivHalfUp(a: number, b: number, c: number): number {
  return Math.floor((2 * a * b + c) / (2 * c));
}

const SERVICE_CHARGES = [
  { name: "Delivery fee", type: "CUSTOM", taxable: true },
  { name: "Large party 18%", type: "AUTO_GRATUITY", taxable: false },
] as const;

const SPLIT_TENDERS = ["CARD", "CASH", "SQUARE_GIFT_CARD", "WALLET", "OTHER"] as const;


export function catalogBody(): GeneratedDay["catalog"] {
  const version = 1741975200000;
  const objects = CATALOG.map((entry) => ({
    type: "ITEM_VARIATION", id: entry.variationId, version, is_deleted: entry.deleted ?? false,
    item_variation_data: { item_id: entry.itemId, name: "Regular", pricing_type: "FIXED_PRICING" },
  }));
  const items = CATALOG.map((entry) => ({
    type: "ITEM", id: entry.itemId, version, is_deleted: entry.deleted ?? false,
    item_data: { name: entry.name, ...(entry.category ? { reporting_category: { id: entry.category.id, ordinal: 1 } } : {}) },
  }));
  const categoryIds = [...new Set(CATALOG.flatMap((entry) => (entry.category ? [entry.category] : [])).map((c) => JSON.stringify(c)))];
  const categories = categoryIds.map((json) => {
    const category = JSON.parse(json) as { id: string; name: string };
    return { type: "CATEGORY", id: category.id, version, category_data: { name: category.name, category_type: "REGULAR_CATEGORY", is_top_level: true } };
  });
  return { objects, related_objects: [...items, ...categories] };
}

/** The US taxes the generated days charge, as TAX catalog objects (what ListCatalog lists for the mapping page). */
export function catalogTaxes(): { type: "TAX"; id: string; version: number; tax_data: Record<string, unknown> }[] {
  return TAXES.map((tax) => ({
    type: "TAX", id: `GEN_${tax.uid.toUpperCase().replace(/-/g, "_")}`, version: 1741975200000,
    tax_data: { name: tax.name, calculation_phase: "TAX_SUBTOTAL_PHASE", inclusion_type: "ADDITIVE", percentage: tax.percentage, enabled: true },
  }));
}

export function generateDay(options: GenerateDayOptions): GeneratedDay {
  const random = prng(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const window = businessDayWindow(options.date, options.timeZone, options.dayStart ?? "00:00");
  const locationId = options.locationId ?? "GENLOCATION01";
  const currency = options.currency ?? "USD";
  const truth = emptySummary(currency);
  const money = (amount: number) => ({ amount, currency });
  const iso = (ms: number) => new Date(ms).toISOString();
  const orders: { at: number; body: SquareOrderBody }[] = [];
  let serial = 0;
  const nextId = (prefix: string) => `${prefix}${options.seed.toString(36).toUpperCase()}X${(serial++).toString(36).toUpperCase().padStart(6, "0")}`;
  const span = window.endMs - window.startMs;

  const regime = options.taxRegime ?? "US";
  const inclusive = regime === "US" ? null : INCLUSIVE_REGIMES[regime];
  const taxList: readonly TaxDefinition[] = inclusive ? inclusive.taxes : TAXES;
  const taxType = inclusive ? "INCLUSIVE" : "ADDITIVE";

  interface SoldLine {
    index: number;
    body: Record<string, unknown>;
    category: { id: string; name: string };
    /** As Square writes them: gross (with the tax inside where prices include it) and the discount. */
    gross: number;
    discount: number;
    /** Tax by taxList index. */
    taxes: number[];
    /** The taxList index of an inclusive line's rate; null when zero-rated or when tax is added on top. */
    rateIndex: number | null;
    total: number;
    /** The line's own discount (the rest of `discount` is its share of an order discount), and its percentage. */
    ownDiscount: number;
    discountPercent: number;
    /** The ground truth, ACCOUNTING.md's: gross and discount ex-tax. */
    grossExTax: number;
    discountExTax: number;
    giftCard: boolean;
  }

  /** A line as drawn, before taxes (and, where prices include tax, before its share of an order discount). */
  interface LineDraft {
    index: number;
    custom: boolean;
    entry: CatalogEntry;
    quantity: number;
    unit: number;
    modifier: number;
    gross: number;
    discountPercent: number;
    /** The line's own discount. */
    discount: number;
    category: { id: string; name: string };
    giftCardAmount: number | null;
  }

  const taxOf = (line: SoldLine) => line.taxes.reduce((a, b) => a + b, 0);

  interface Sold {
    lines: SoldLine[];
    tenders: { body: { id: string }; type: string; fee: number; amount: number }[];
  }
  /** What each generated sale sold and how it was paid, for a later return. */
  const sold = new WeakMap<SquareOrderBody, Sold>();

  function drawLine(index: number): LineDraft {
    const roll = random();
    const entry = CATALOG[0] as CatalogEntry;
    if (roll < 0.05) {
      const amount = int(10, 100) * 250;
      return { index, custom: false, entry, quantity: 1, unit: amount, modifier: 0, gross: amount, discountPercent: 0, discount: 0, category: CUSTOM, giftCardAmount: amount };
    }
    const custom = roll < 0.12;
    const picked = pick(CATALOG);
    const quantity = int(1, 3);
    const unit = custom ? int(100, 5000) : picked.price;
    const modifier = !custom && chance(0.3) ? int(1, 4) * 50 : 0;
    const gross = quantity * unit + quantity * modifier;
    const discountPercent = chance(0.2) ? pick([10, 15, 50, 100]) : 0;
    const discount = Math.round((gross * discountPercent) / 100);
    const category = custom ? CUSTOM : (picked.category ?? UNCATEGORIZED);
    return { index, custom, entry: picked, quantity, unit, modifier, gross, discountPercent, discount, category, giftCardAmount: null };
  }

  function lineBody(draft: LineDraft): Record<string, unknown> {
    const { index, custom, entry, quantity, unit, modifier, gross } = draft;
    return {
      uid: `li-${index}`,
      name: custom ? "Custom Amount" : entry.name,
      quantity: String(quantity),
      item_type: custom ? "CUSTOM_AMOUNT" : "ITEM",
      ...(custom ? {} : { catalog_object_id: entry.variationId, catalog_version: 1741975200000, variation_name: "Regular" }),
      base_price_money: money(unit),
      variation_total_price_money: money(quantity * unit),
      gross_sales_money: money(gross),
      ...(modifier
        ? { modifiers: [{ uid: `mod-${index}`, name: "Extra shot", quantity: String(quantity), base_price_money: money(modifier), total_price_money: money(quantity * modifier) }] }
        : {}),
    };
  }

  function giftCardLine(draft: LineDraft, amount: number): SoldLine {
    return {
      index: draft.index,
      body: {
        uid: `li-${draft.index}`, name: "Gift Card", quantity: "1", item_type: "GIFT_CARD",
        base_price_money: money(amount), variation_total_price_money: money(amount), gross_sales_money: money(amount),
        total_discount_money: money(0), total_tax_money: money(0), total_service_charge_money: money(0), total_money: money(amount),
      },
      category: CUSTOM, gross: amount, discount: 0, taxes: taxList.map(() => 0), rateIndex: null, total: amount, ownDiscount: 0, discountPercent: 0,
      grossExTax: amount, discountExTax: 0, giftCard: true,
    };
  }

  /** US: taxes added on top of the discounted price; the second (city) tax on about half the lines. */
  function additiveLine(draft: LineDraft): SoldLine {
    if (draft.giftCardAmount !== null) return giftCardLine(draft, draft.giftCardAmount);
    const { index, gross, discount } = draft;
    const taxable = gross - discount;
    const taxes = TAXES.map((tax, i) => (i === 1 && !chance(0.5) ? 0 : Math.round((taxable * tax.basisPoints) / 10000)));
    const taxTotal = taxes.reduce((a, b) => a + b, 0);
    const total = taxable + taxTotal;
    const body: Record<string, unknown> = {
      ...lineBody(draft),
      applied_taxes: TAXES.flatMap((tax, i) =>
        (taxes[i] ?? 0) > 0 || i === 0 ? [{ uid: `at-${index}-${i}`, tax_uid: tax.uid, applied_money: money(taxes[i] ?? 0) }] : [],
      ),
      ...(discount
        ? { applied_discounts: [{ uid: `ad-${index}`, discount_uid: `disc-${index}`, applied_money: money(discount) }] }
        : {}),
      total_discount_money: money(discount),
      total_tax_money: money(taxTotal),
      total_service_charge_money: money(0),
      total_money: money(total),
    };
    return {
      index, body, category: draft.category, gross, discount, taxes, rateIndex: null, total, ownDiscount: discount, discountPercent: draft.discountPercent,
      grossExTax: gross, discountExTax: discount, giftCard: false,
    };
  }

  /**
   * GB, AU: the tax is inside the price. Square charges rate/(1 + rate) of what the line comes to after
   * its discounts; the truth takes it out of net and scales the discount by net ex-tax ÷ net incl-tax,
   * and values a comp at its own rate (ACCOUNTING.md).
   */
  function inclusiveLine(draft: LineDraft, orderShare: number): SoldLine {
    if (draft.giftCardAmount !== null) return giftCardLine(draft, draft.giftCardAmount);
    const { index, gross } = draft;
    const discount = draft.discount + orderShare;
    const rateIndex = inclusive?.rateOf(draft.category.id) ?? null;
    const rate = rateIndex === null ? null : taxList[rateIndex];
    const total = gross - discount;
    const tax = rate ? mulDivHalfUp(total, rate.basisPoints, 10000 + rate.basisPoints) : 0;
    const netExTax = total - tax;
    let grossExTax = gross;
    let discountExTax = discount;
    if (rate && total === 0 && gross > 0) {
      grossExTax = mulDivHalfUp(gross, 10000, 10000 + rate.basisPoints);
      discountExTax = grossExTax;
    } else if (rate) {
      discountExTax = discount === 0 ? 0 : mulDivHalfUp(discount, netExTax, total);
      grossExTax = netExTax + discountExTax;
    }
    const appliedDiscounts = [
      ...(draft.discount ? [{ uid: `ad-${index}`, discount_uid: `disc-${index}`, applied_money: money(draft.discount) }] : []),
      ...(orderShare ? [{ uid: `ad-${index}-order`, discount_uid: "disc-order", applied_money: money(orderShare) }] : []),
    ];
    const body: Record<string, unknown> = {
      ...lineBody(draft),
      // A comp keeps its tax at 0: the rate stays on the line.
      ...(rate ? { applied_taxes: [{ uid: `at-${index}-${rateIndex}`, tax_uid: rate.uid, applied_money: money(tax) }] } : {}),
      ...(appliedDiscounts.length ? { applied_discounts: appliedDiscounts } : {}),
      total_discount_money: money(discount),
      total_tax_money: money(tax),
      total_service_charge_money: money(0),
      total_money: money(total),
    };
    const taxes = taxList.map((_, i) => (i === rateIndex ? tax : 0));
    return {
      index, body, category: draft.category, gross, discount, taxes, rateIndex, total, ownDiscount: draft.discount, discountPercent: draft.discountPercent,
      grossExTax, discountExTax, giftCard: false,
    };
  }

  /** The lines of a sale; where prices include tax, now and then 10% off the whole bill, spread over the lines by what they come to. */
  function saleLines(): { lines: SoldLine[]; orderDiscount: number } {
    const count = int(1, 4);
    if (!inclusive) return { lines: Array.from({ length: count }, (_, i) => additiveLine(drawLine(i))), orderDiscount: 0 };
    const drafts = Array.from({ length: count }, (_, i) => drawLine(i));
    const weights = drafts.map((draft) => (draft.giftCardAmount === null ? draft.gross - draft.discount : 0));
    const base = weights.reduce((a, b) => a + b, 0);
    const orderDiscount = base > 0 && chance(0.2) ? mulDivHalfUp(base, 10, 100) : 0;
    // Floors, and what they leave to the first line that can take it.
    const shares = weights.map((weight) => (orderDiscount ? Math.floor((orderDiscount * weight) / base) : 0));
    const left = orderDiscount - shares.reduce((a, b) => a + b, 0);
    const first = weights.findIndex((weight, i) => weight - (shares[i] ?? 0) >= left && weight > 0);
    if (left > 0 && first >= 0) shares[first] = (shares[first] ?? 0) + left;
    return { lines: drafts.map((draft, i) => inclusiveLine(draft, shares[i] ?? 0)), orderDiscount };
  }

  /**
   * A paid sale. `counted`: recognised on the day (paid inside the window). `feesCounted`: its payments
   * are real and this location's, so the fees of those taken inside the window count on the day, even
   * when a split payment straddles the day's end and the sale itself belongs to the next day.
   */
  function sale(paidAt: number, state: "COMPLETED" | "OPEN", counted: boolean, feesCounted = counted): SquareOrderBody {
    const id = nextId("GENORD");
    const { lines, orderDiscount } = saleLines();
    const discounts = [
      ...lines.flatMap((line) =>
        line.ownDiscount
          ? [{ uid: `disc-${line.index}`, name: line.discountPercent === 100 ? "Comp" : "Promo", type: "FIXED_PERCENTAGE", percentage: String(line.discountPercent), scope: "LINE_ITEM", applied_money: money(line.ownDiscount) }]
          : []),
      ...(orderDiscount ? [{ uid: "disc-order", name: "10% off the bill", type: "FIXED_PERCENTAGE", percentage: "10", scope: "ORDER", applied_money: money(orderDiscount) }] : []),
    ];
    const charge = chance(0.1) ? pick(SERVICE_CHARGES) : null;
    const chargeAmount = charge ? int(1, 40) * 25 : 0;
    const chargeRate = taxList[0] as TaxDefinition;
    // The delivery fee is taxed at the standard rate: on top of it (US), or inside it (GB, AU).
    const chargeTax = !charge?.taxable ? 0
      : inclusive ? mulDivHalfUp(chargeAmount, chargeRate.basisPoints, 10000 + chargeRate.basisPoints)
      : Math.round((chargeAmount * TAXES[0].basisPoints) / 10000);
    const chargeTotal = inclusive ? chargeAmount : chargeAmount + chargeTax;
    const tip = chance(0.4) ? int(0, 800) : 0;
    const lineTotal = lines.reduce((sum, line) => sum + line.total, 0);
    const subtotal = lineTotal + chargeTotal + tip;
    const tenderCount = chance(0.15) ? int(2, 3) : 1;
    const types = tenderCount === 1 ? [chance(0.3) ? "CASH" : "CARD"] : Array.from({ length: tenderCount }, () => pick(SPLIT_TENDERS));
    const rounding = types.length === 1 && types[0] === "CASH" && subtotal > 100 && chance(0.5) ? int(-2, 2) : 0;
    const total = subtotal + rounding;
    // The tip rides on the first tender; the rest of the total is shared out.
    const rest = total - tip;
    const shares = types.map(() => int(1, 10));
    const shareSum = shares.reduce((a, b) => a + b, 0);
    const amounts = shares.map((share) => Math.floor((rest * share) / shareSum));
    amounts[0] = (amounts[0] ?? 0) + rest - amounts.reduce((a, b) => a + b, 0) + tip;
    const tenders = types.map((type, i) => {
      const amount = amounts[i] ?? 0;
      const fee = type === "CARD" || type === "WALLET" ? Math.round((amount * 26) / 1000) + 10 : 0;
      const createdAt = paidAt - (types.length - 1 - i) * 20_000;
      return {
        body: {
          id: `${id}T${i}`, location_id: locationId, transaction_id: id, created_at: iso(createdAt), type,
          amount_money: money(amount),
          ...(i === 0 && tip ? { tip_money: money(tip) } : {}),
          ...(fee ? { processing_fee_money: money(fee) } : {}),
          ...(type === "CARD" || type === "WALLET" || type === "SQUARE_GIFT_CARD"
            ? { card_details: { status: "CAPTURED", entry_method: type === "CARD" ? "EMV" : "CONTACTLESS", card: { card_brand: type === "SQUARE_GIFT_CARD" ? "SQUARE_GIFT_CARD" : "VISA", last_4: "1111" } } }
            : {}),
          ...(type === "CASH" ? { cash_details: { buyer_tendered_money: money(amount), change_back_money: money(0) } } : {}),
        },
        type, amount, fee,
      };
    });
    // Now and then a card swipe was voided before the real payment; it must not count.
    const voided = chance(0.05)
      ? [{ id: `${id}TV`, location_id: locationId, transaction_id: id, created_at: iso(paidAt - 60_000), type: "CARD",
           amount_money: money(total), card_details: { status: "VOIDED", entry_method: "EMV", card: { card_brand: "VISA", last_4: "4242" } } }]
      : [];

    if (counted) {
      for (const line of lines) {
        if (line.giftCard) {
          truth.giftCardSales += line.total;
          continue;
        }
        addToBucket(truth.sales, line.category.id, line.grossExTax);
        truth.categoryNames[line.category.id] = line.category.name;
        truth.discounts += line.discountExTax;
        taxList.forEach((tax, i) => {
          addToBucket(truth.tax, tax.name, line.taxes[i] ?? 0);
        });
      }
      if (charge) {
        addToBucket(charge.type === "AUTO_GRATUITY" ? truth.autoGratuities : truth.serviceCharges, charge.name, chargeTotal - chargeTax);
        addToBucket(truth.tax, chargeRate.name, chargeTax);
      }
      truth.tips += tip;
      truth.rounding += rounding;
      for (const tender of tenders) addToBucket(truth.payments, tender.type, tender.amount);
    }
    if (feesCounted) {
      for (const tender of tenders) {
        const createdAt = Date.parse(tender.body.created_at);
        if (createdAt >= window.startMs && createdAt < window.endMs) truth.fees += tender.fee;
      }
    }

    const taxTotal = lines.reduce((sum, line) => sum + taxOf(line), 0) + chargeTax;
    const discountTotal = lines.reduce((sum, line) => sum + line.discount, 0);
    const body: SquareOrderBody = {
      id, location_id: locationId, source: { name: "Square Point of Sale" }, state, version: int(2, 6),
      created_at: iso(paidAt - int(60, 1800) * 1000), updated_at: iso(paidAt + 2000),
      ...(state === "COMPLETED" ? { closed_at: iso(paidAt + 1000) } : {}),
      line_items: lines.map((line) => line.body),
      taxes: taxList.map((tax) => ({ uid: tax.uid, name: tax.name, type: taxType, percentage: tax.percentage, scope: "LINE_ITEM" })),
      ...(discounts.length ? { discounts } : {}),
      ...(charge
        ? { service_charges: [{
            uid: "sc-1", name: charge.name, type: charge.type, calculation_phase: "SUBTOTAL_PHASE", taxable: charge.taxable,
            treatment_type: "LINE_ITEM_TREATMENT", scope: "ORDER",
            amount_money: money(chargeAmount), applied_money: money(chargeAmount), total_tax_money: money(chargeTax),
            total_money: money(chargeTotal),
            ...(chargeTax ? { applied_taxes: [{ uid: "sc-at-1", tax_uid: chargeRate.uid, applied_money: money(chargeTax) }] } : {}),
          }] }
        : {}),
      ...(rounding ? { rounding_adjustment: { uid: "rounding-1", name: "Cash rounding", amount_money: money(rounding) } } : {}),
      tenders: [...voided, ...tenders.map((tender) => tender.body)],
      total_money: money(total), total_tax_money: money(taxTotal), total_discount_money: money(discountTotal),
      total_tip_money: money(tip), total_service_charge_money: money(chargeTotal),
      net_amount_due_money: money(0),
    };
    sold.set(body, { lines, tenders });
    return body;
  }

  function returnOf(source: SquareOrderBody, closedAt: number, counted: boolean): SquareOrderBody | null {
    const sale = sold.get(source);
    const line = sale?.lines.find((candidate) => !candidate.giftCard && candidate.total > 0);
    const tender = sale?.tenders[0];
    if (!line || !tender) return null;
    const id = nextId("GENRET");
    const lineTax = taxOf(line);
    const refundFee = Math.min(tender.fee, Math.round((line.total * 26) / 1000));
    if (counted) {
      addToBucket(truth.returns, line.category.id, line.grossExTax);
      truth.categoryNames[line.category.id] = line.category.name;
      truth.discounts -= line.discountExTax;
      taxList.forEach((tax, i) => {
        addToBucket(truth.tax, tax.name, -(line.taxes[i] ?? 0));
      });
      addToBucket(truth.refunds, tender.type, line.total);
      truth.fees -= refundFee;
    }
    const sourceLine = line.body;
    return {
      id, location_id: locationId, source: { name: "Square Point of Sale" }, state: "COMPLETED", version: 2,
      created_at: iso(closedAt - 4000), updated_at: iso(closedAt), closed_at: iso(closedAt),
      returns: [{
        uid: "ret-1", source_order_id: source.id,
        return_line_items: [{
          uid: "rli-1", source_line_item_uid: sourceLine.uid, name: sourceLine.name, quantity: sourceLine.quantity,
          item_type: sourceLine.item_type,
          ...(sourceLine.catalog_object_id ? { catalog_object_id: sourceLine.catalog_object_id } : {}),
          base_price_money: sourceLine.base_price_money, variation_total_price_money: sourceLine.variation_total_price_money,
          gross_return_money: money(line.gross),
          // Additive taxes all listed; an inclusive line lists its own rate only.
          applied_taxes: taxList.flatMap((_, i) =>
            !inclusive || i === line.rateIndex ? [{ uid: `rat-${i}`, tax_uid: `rtax-${i}`, applied_money: money(line.taxes[i] ?? 0) }] : []),
          total_discount_money: money(line.discount), total_tax_money: money(lineTax), total_money: money(line.total),
        }],
        return_taxes: taxList.map((tax, i) => ({
          uid: `rtax-${i}`, source_tax_uid: tax.uid, name: tax.name, type: taxType, percentage: tax.percentage,
          scope: "LINE_ITEM", applied_money: money(line.taxes[i] ?? 0),
        })),
        return_amounts: { total_money: money(line.total), tax_money: money(lineTax), discount_money: money(line.discount) },
      }],
      refunds: [{
        id: `${id}R`, location_id: locationId, transaction_id: source.id, tender_id: tender.body.id,
        created_at: iso(closedAt - 1000), reason: "Returned goods", status: "APPROVED",
        amount_money: money(line.total), ...(refundFee ? { processing_fee_money: money(refundFee) } : {}),
      }],
      return_amounts: { total_money: money(line.total), tax_money: money(lineTax), discount_money: money(line.discount) },
      net_amounts: { total_money: money(-line.total), tax_money: money(-lineTax), discount_money: money(-line.discount) },
      total_money: money(0), total_tax_money: money(0), total_discount_money: money(0), total_tip_money: money(0),
      total_service_charge_money: money(0), net_amount_due_money: money(0),
    };
  }

  const margin = 60_000;
  const insideDay = () => window.startMs + margin + Math.floor(random() * (span - 2 * margin));
  for (let n = 0; n < options.sales; n++) {
    const paidAt = n === 0 ? window.startMs : insideDay(); // the first sale is paid at the very first instant
    const state = chance(options.openRate ?? 0.03) ? "OPEN" : "COMPLETED";
    const order = sale(paidAt, state, true);
    orders.push({ at: paidAt, body: order });
    if (chance(options.returnRate ?? 0.03)) {
      const closedAt = paidAt + Math.floor(random() * (window.endMs - margin - paidAt));
      const returned = closedAt > paidAt + 10_000 ? returnOf(order, closedAt, true) : null;
      if (returned) orders.push({ at: closedAt, body: returned });
    }
    if (chance(options.noiseRate ?? 0.05)) {
      const kind = int(0, 4);
      // Paid at the exclusive end, or a millisecond before the start: another day's sales, though a split
      // payment's earlier tenders may fall inside this day.
      if (kind === 0) orders.push({ at: window.endMs, body: sale(window.endMs, "COMPLETED", false, true) });
      if (kind === 1) orders.push({ at: window.startMs - 1, body: sale(window.startMs - 1, "COMPLETED", false, true) });
      if (kind === 2) {
        // Canceled after the tenders were attached: the state alone says it does not count.
        const body = sale(insideDay(), "COMPLETED", false);
        const canceled: SquareOrderBody = { ...body, state: "CANCELED" };
        delete canceled.closed_at;
        orders.push({ at: window.startMs, body: canceled });
      }
      if (kind === 3) {
        const body = sale(insideDay(), "OPEN", false);
        orders.push({ at: window.startMs, body: { ...body, tenders: [], net_amount_due_money: body.total_money } });
      }
      if (kind === 4) {
        const at = insideDay();
        orders.push({ at, body: { ...sale(at, "COMPLETED", false), location_id: `${locationId}OTHER` } });
      }
    }
  }
  orders.sort((a, b) => a.at - b.at);
  return {
    window, locationId, currency,
    orders: orders.map(({ body }) => body),
    catalog: catalogBody(),
    truth: normaliseSummary(truth),
  };
}
