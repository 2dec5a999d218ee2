/**
 * A generator of realistic Clover merchant days, as raw REST v3 bodies (camelCase, `{elements: [...]}`
 * envelopes, epoch-millisecond times, negative discount amounts, tax rates scaled so 100% = 10,000,000,
 * `unitQty` in thousandths): sales with modifiers, line and order discounts, two tax rates, tips, service
 * charges and auto-gratuities, cash, split payments across two tenders (a custom "House Account" tender
 * among them, by amount, by item and by halves, some straddling the day's end or start), non-revenue
 * lines (donations, bottle deposits), debit payments with cash back, items sold by weight, custom amounts, items in several categories,
 * uncategorised, deleted and uncatalogued items, failed and voided payments, refunds by line and by amount
 * (the same day, the next day, and today for yesterday's sales), manual credits, exchanges, test orders,
 * unpaid orders and orders merely modified today. Seeded, so a day can be regenerated exactly.
 *
 * Alongside the bodies it keeps its own ground truth: the daily summary that docs/accounting.md ("Clover")
 * defines, added up from the generation parameters as it goes, never read back from the bodies. Tests
 * compare the summariser with it; sandbox/clover serves the bodies.
 */
import { type BusinessDayWindow, businessDayWindow } from "../../lib/domain/business-day";
import { addToBucket, type DailySummary, emptySummary, normaliseSummary } from "../../lib/domain/summary";
import { prng } from "../random";


export interface GenerateCloverDayOptions {
  seed: number;
  /** The business day, YYYY-MM-DD. */
  date: string;
  timeZone: string;
  /** Local day start, HH:MM on a quarter hour; default 00:00. */
  dayStart?: string;
  merchantId?: string;
  currency?: string;
  /** Orders whose (first) payment falls inside the day. */
  orders: number;
  /** Share of those orders paid in two parts with two tenders; some parts land after the day's end. Default 0.2. */
  splitRate?: number;
  /** Share of those orders partly refunded (by line or by amount), later the same day or the next day. Default 0.1. */
  refundRate?: number;
  /** Share of those orders where a line is exchanged for another item. Default 0.05. */
  exchangeRate?: number;
  /** Orders paid the day before that have a refund, an exchange, a second payment or an edit today, per order. Default 0.15. */
  previousDayRate?: number;
  /** Manual credits (refunds with no payment behind them), per order. Default 0.03. */
  creditRate?: number;
  /** Orders the summary must ignore (failed payments only, test mode, unpaid, paid just outside the day), per order. Default 0.1. */
  noiseRate?: number;
  /** Share of debit-card payments where the customer also takes cash back (5.00 to 40.00). Default 0.3. */
  cashBackRate?: number;
}

/** A complete expanded order, as CloverReader.orderPages yields it inside `{elements: [...]}` pages. */
export type CloverOrderBody = Record<string, unknown> & { id: string; createdTime: number; modifiedTime: number };
/** An inventory item with `categories` expanded, as CloverReader.itemPages yields it. */
export type CloverItemBody = Record<string, unknown> & { id: string; name: string };
/** A merchant tender, as GET /v3/merchants/{mId}/tenders lists it. */
export interface CloverTenderBody {
  id: string;
  labelKey: string;
  label: string;
  enabled: boolean;
  visible: boolean;
  editable: boolean;
  opensCashDrawer: boolean;
  supportsTipping: boolean;
}

export interface GeneratedCloverDay {
  window: BusinessDayWindow;
  merchantId: string;
  currency: string;
  /**
   * Every order with something on or after the day's start (each order's modifiedTime is at or after
   * window.startMs), complete: line items with item, modifications, discounts and taxRates; order
   * discounts and serviceCharge; payments with tender (label included), refunds and credits. Some hold
   * events after the day's end too, as a later re-check would see them. Sorted by modifiedTime.
   */
  orders: CloverOrderBody[];
  /** The inventory items with their categories, deleted items included. */
  items: CloverItemBody[];
  tenders: CloverTenderBody[];
  /** The summary the day must produce, from the generator's own bookkeeping. */
  truth: DailySummary;
}

interface Category {
  id: string;
  name: string;
  sortOrder: number;
}

const CATEGORY = {
  hot: { id: "GCAT_HOT", name: "Hot drinks", sortOrder: 1 },
  beverages: { id: "GCAT_BEV", name: "Beverages", sortOrder: 2 },
  food: { id: "GCAT_FOOD", name: "Food", sortOrder: 3 },
  grocery: { id: "GCAT_GROCERY", name: "Grocery", sortOrder: 4 },
  merch: { id: "GCAT_MERCH", name: "Merchandise", sortOrder: 5 },
  gifts: { id: "GCAT_GIFTS", name: "Gifts", sortOrder: 5 },
} as const satisfies Record<string, Category>;

const UNCATEGORIZED = { id: "uncategorized", name: "Uncategorized" };
const CUSTOM_AMOUNTS = { id: "custom-amounts", name: "Custom amounts" };
const DEFAULT_TAX_NAME = "Sales tax";

interface TaxRate {
  id: string;
  name: string;
  /** 100% = 10,000,000. */
  rate: number;
}

const STATE_TAX: TaxRate = { id: "GTAX_STATE", name: "State Sales Tax", rate: 625_000 };
const CITY_TAX: TaxRate = { id: "GTAX_CITY", name: "City Tax", rate: 150_000 };

interface Modifier {
  id: string;
  name: string;
  amount: number;
}

interface MenuItem {
  id: string;
  name: string;
  price: number;
  categories: Category[];
  /** The category daybook must report the item under, worked out by hand from `categories`. */
  reportedAs: { id: string; name: string };
  taxes: TaxRate[];
  modifiers?: Modifier[];
  perUnit?: { unitName: string; minThousandths: number; maxThousandths: number };
  deleted?: boolean;
  /** False for an item sold once and since purged from inventory: the item pages do not hold it. */
  inInventory?: boolean;
}

const SHOTS: Modifier[] = [
  { id: "GMOD_SHOT", name: "Extra shot", amount: 75 },
  { id: "GMOD_OAT", name: "Oat milk", amount: 60 },
];

const MENU: readonly MenuItem[] = [
  // In two categories: the lower sortOrder (Hot drinks) wins.
  { id: "GITEM_ESPRESSO", name: "Espresso", price: 325, categories: [CATEGORY.beverages, CATEGORY.hot], reportedAs: CATEGORY.hot, taxes: [STATE_TAX], modifiers: SHOTS },
  { id: "GITEM_LATTE", name: "Latte", price: 475, categories: [CATEGORY.beverages], reportedAs: CATEGORY.beverages, taxes: [STATE_TAX], modifiers: SHOTS },
  { id: "GITEM_ICEDTEA", name: "Iced tea", price: 350, categories: [CATEGORY.beverages], reportedAs: CATEGORY.beverages, taxes: [STATE_TAX] },
  {
    id: "GITEM_BURGER", name: "Burger", price: 1200, categories: [CATEGORY.food], reportedAs: CATEGORY.food, taxes: [STATE_TAX, CITY_TAX],
    modifiers: [{ id: "GMOD_BACON", name: "Add bacon", amount: 200 }, { id: "GMOD_CHEESE", name: "Extra cheese", amount: 100 }],
  },
  { id: "GITEM_BAGEL", name: "Bagel", price: 375, categories: [CATEGORY.food], reportedAs: CATEGORY.food, taxes: [STATE_TAX, CITY_TAX] },
  { id: "GITEM_CROISSANT", name: "Croissant", price: 395, categories: [CATEGORY.food], reportedAs: CATEGORY.food, taxes: [STATE_TAX, CITY_TAX], deleted: true },
  {
    id: "GITEM_BEANS", name: "Coffee beans", price: 1800, categories: [CATEGORY.grocery], reportedAs: CATEGORY.grocery, taxes: [],
    perUnit: { unitName: "lb", minThousandths: 250, maxThousandths: 3000 },
  },
  {
    id: "GITEM_CHEDDAR", name: "Cheddar", price: 2399, categories: [CATEGORY.grocery], reportedAs: CATEGORY.grocery, taxes: [],
    perUnit: { unitName: "kg", minThousandths: 250, maxThousandths: 1500 },
  },
  // Same sortOrder in both categories: the lower id (GCAT_GIFTS) wins.
  { id: "GITEM_TOTE", name: "Tote bag", price: 1500, categories: [CATEGORY.merch, CATEGORY.gifts], reportedAs: CATEGORY.gifts, taxes: [STATE_TAX] },
  { id: "GITEM_STICKER", name: "Sticker", price: 200, categories: [], reportedAs: UNCATEGORIZED, taxes: [STATE_TAX] },
  { id: "GITEM_PIE", name: "Seasonal pie", price: 650, categories: [CATEGORY.food], reportedAs: UNCATEGORIZED, taxes: [STATE_TAX, CITY_TAX], inInventory: false },
];

const DONATION = { id: "GITEM_DONATION", name: "Charity donation" };
const DEPOSIT = { id: "GITEM_DEPOSIT", name: "Bottle deposit", price: 10 };

function tender(id: string, labelKey: string, label: string, cash = false): CloverTenderBody {
  return { id, labelKey, label, enabled: true, visible: true, editable: !labelKey.startsWith("com.clover."), opensCashDrawer: cash, supportsTipping: !cash };
}

export const CLOVER_TENDERS = {
  card: tender("GTND_CREDIT", "com.clover.tender.credit_card", "Credit Card"),
  debit: tender("GTND_DEBIT", "com.clover.tender.debit_card", "Debit Card"),
  cash: tender("GTND_CASH", "com.clover.tender.cash", "Cash", true),
  giftCard: tender("GTND_GIFT", "com.clover.tender.external_gift_card", "External Gift Card"),
  // A merchant's own tender: Clover gives it no com.clover labelKey.
  house: tender("GTND_HOUSE", "com.example.tender.house_account", "House Account"),
} as const;

const SPLIT_PAIRS = [
  [CLOVER_TENDERS.card, CLOVER_TENDERS.cash],
  [CLOVER_TENDERS.card, CLOVER_TENDERS.house],
  [CLOVER_TENDERS.giftCard, CLOVER_TENDERS.card],
  [CLOVER_TENDERS.cash, CLOVER_TENDERS.debit],
] as const;

const MODIFIED_TIME = 1_718_000_000_000;

/** The inventory as GET /items?expand=categories returns it, deleted items included. */
export function cloverItems(): CloverItemBody[] {
  const categories = (list: Category[]) => ({ elements: list.map((c) => ({ id: c.id, name: c.name, sortOrder: c.sortOrder })) });
  const menu = MENU.filter((item) => item.inInventory !== false).map((item) => ({
    id: item.id, name: item.name, price: item.price, priceType: item.perUnit ? "PER_UNIT" : "FIXED",
    ...(item.perUnit ? { unitName: item.perUnit.unitName } : {}),
    isRevenue: true, hidden: false, available: !item.deleted, defaultTaxRates: true,
    categories: categories(item.categories), modifiedTime: MODIFIED_TIME,
    ...(item.deleted ? { deletedTime: MODIFIED_TIME + 1 } : {}),
  }));
  return [
    ...menu,
    { id: DONATION.id, name: DONATION.name, price: 0, priceType: "VARIABLE", isRevenue: false, hidden: false, categories: { elements: [] }, modifiedTime: MODIFIED_TIME },
    { id: DEPOSIT.id, name: DEPOSIT.name, price: DEPOSIT.price, priceType: "PER_UNIT", unitName: "bottle", isRevenue: false, hidden: false, categories: { elements: [] }, modifiedTime: MODIFIED_TIME },
  ];
}

/** round(numerator / denominator), halves away from zero, for a positive denominator. */
function roundedDivision(numerator: number, denominator: number): number {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const magnitude = ((n < 0n ? -n : n) * 2n + d) / (2n * d);
  return Number(n < 0n ? -magnitude : magnitude);
}

/** Splits `total` in proportion to non-negative `weights`: floors first, then one unit each to the largest remainders (earlier first on ties). */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const parts = weights.map((weight, index) => {
    const product = total * weight;
    const remainder = product % sum;
    return { index, share: (product - remainder) / sum, remainder };
  });
  let left = total - parts.reduce((a, p) => a + p.share, 0);
  for (const part of [...parts].sort((a, b) => b.remainder - a.remainder || a.index - b.index)) {
    if (left === 0) break;
    part.share += 1;
    left -= 1;
  }
  return parts.map((p) => p.share);
}

interface GenLine {
  id: string;
  body: Record<string, unknown>;
  /** Null for a non-revenue line. */
  category: { id: string; name: string } | null;
  name: string;
  gross: number;
  /** Line discounts plus the line's share of the order discounts. */
  discount: number;
  taxes: TaxRate[];
  /** A replacement line of an exchange: it is sold when the exchange happens. */
  replacement: boolean;
  closed: boolean;
  paidNet: number;
  paidGross: number;
  returnedNet: number;
  returnedGross: number;
}

const netOf = (line: GenLine) => line.gross - line.discount;

interface GenPayment {
  id: string;
  at: number;
  tender: CloverTenderBody;
  body: Record<string, unknown>;
}

interface GenOrder {
  id: string;
  createdAt: number;
  lines: GenLine[];
  body: CloverOrderBody;
  payments: GenPayment[];
  refunds: Record<string, unknown>[];
  serviceCharge: { name: string; autoGratuity: boolean; amount: number } | null;
  taxByRate: Map<TaxRate, number>;
  hasOrderDiscount: boolean;
  exchangeCredit: number;
  lastEventAt: number;
}

export function generateCloverDay(options: GenerateCloverDayOptions): GeneratedCloverDay {
  const random = prng(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const window = businessDayWindow(options.date, options.timeZone, options.dayStart ?? "00:00");
  const merchantId = options.merchantId ?? "GENMERCHANT01";
  const currency = options.currency ?? "USD";
  const truth = emptySummary(currency);
  const orders: GenOrder[] = [];
  const { startMs: start, endMs: end } = window;
  const MINUTE = 60_000;
  const margin = 2 * MINUTE;

  let serial = 0;
  const seedTag = (options.seed >>> 0).toString(36).toUpperCase().padStart(7, "0").slice(-7);
  const nextId = (prefix: string) => `${prefix}${seedTag}${(serial++).toString(36).toUpperCase().padStart(5, "0")}`;
  const href = (path: string) => `https://sandbox.local/v3/merchants/${merchantId}/${path}`;
  /** Off while a test-mode order is generated: its payments never count. */
  let recording = true;
  const counts = (at: number) => recording && at >= start && at < end;
  const tenderRef = (t: CloverTenderBody) => ({ id: t.id, labelKey: t.labelKey, label: t.label });

  // ---- ground truth ----------------------------------------------------------------------------

  function recordGoods(at: number, line: GenLine, gross: number, net: number, direction: 1 | -1): void {
    if (!counts(at) || (gross === 0 && net === 0)) return;
    if (line.category) {
      addToBucket(direction === 1 ? truth.sales : truth.returns, line.category.id, gross);
      truth.categoryNames[line.category.id] = line.category.name;
      truth.discounts += direction * (gross - net);
    } else {
      addToBucket(truth.nonRevenue, line.name, direction * net);
    }
  }

  /** The order's tax name when a payment or refund does not name its taxes: the one rate its lines carry, else "Sales tax". */
  function fallbackTaxName(order: GenOrder): string {
    const names = new Set(order.lines.flatMap((line) => line.taxes.map((tax) => tax.name)));
    return names.size === 1 ? ([...names][0] ?? DEFAULT_TAX_NAME) : DEFAULT_TAX_NAME;
  }

  /** Tax is added up at the end, since an unnamed tax takes its name from the order's final lines. */
  const taxes: { order: GenOrder; byRate: Map<TaxRate, number>; named: boolean; direction: 1 | -1 }[] = [];
  function recordTax(at: number, order: GenOrder, byRate: Map<TaxRate, number>, named: boolean, direction: 1 | -1): void {
    if (counts(at)) taxes.push({ order, byRate, named, direction });
  }

  // ---- orders ------------------------------------------------------------------------------------

  function makeLine(createdAt: number, item: MenuItem | null = null): GenLine {
    const id = nextId("L");
    const base = { id, printed: true, createdTime: createdAt, orderClientCreatedTime: createdAt - 1500, exchanged: false, refunded: false };
    const taxBody = (taxes: TaxRate[]) => (taxes.length ? { taxRates: { elements: taxes.map((t) => ({ id: t.id, name: t.name, rate: t.rate })) } } : {});
    const roll = random();
    const line = (fields: Partial<GenLine> & Pick<GenLine, "body" | "category" | "name" | "gross">): GenLine => ({
      id, discount: 0, taxes: [], replacement: false, closed: false, paidNet: 0, paidGross: 0, returnedNet: 0, returnedGross: 0, ...fields,
    });
    if (!item && roll < 0.05) {
      const price = int(1, 10) * 100;
      return line({
        body: { ...base, item: { id: DONATION.id }, name: DONATION.name, price, isRevenue: false },
        category: null, name: DONATION.name, gross: price,
      });
    }
    if (!item && roll < 0.1) {
      const bottles = int(1, 12);
      return line({
        body: { ...base, item: { id: DEPOSIT.id }, name: DEPOSIT.name, price: DEPOSIT.price, unitQty: bottles * 1000, unitName: "bottle", isRevenue: false },
        category: null, name: DEPOSIT.name, gross: DEPOSIT.price * bottles,
      });
    }
    if (!item && roll < 0.15) {
      const price = int(100, 5000);
      return line({
        body: { ...base, name: "Custom amount", price, isRevenue: true, ...taxBody([STATE_TAX]) },
        category: CUSTOM_AMOUNTS, name: "Custom amount", gross: price, taxes: [STATE_TAX],
      });
    }
    const menuItem = item ?? (chance(0.03) ? (MENU.find((m) => m.inInventory === false) ?? pick(MENU)) : pick(MENU.filter((m) => m.inInventory !== false)));
    const unitQty = menuItem.perUnit ? int(menuItem.perUnit.minThousandths, menuItem.perUnit.maxThousandths) : null;
    const subtotalBeforeModifiers = unitQty === null ? menuItem.price : roundedDivision(menuItem.price * unitQty, 1000);
    const modifications = !item && menuItem.modifiers && chance(0.35)
      ? menuItem.modifiers.filter(() => chance(0.6))
      : [];
    const subtotal = subtotalBeforeModifiers + modifications.reduce((sum, m) => sum + m.amount, 0);
    // Discounts only on lines above 5.00 and never more than 2.00 or 12.5%: no line is discounted to nothing.
    const discounts: Record<string, unknown>[] = [];
    let discount = 0;
    if (!item && unitQty === null && subtotal > 500 && chance(0.25)) {
      const kind = int(0, 3);
      if (kind === 0 || kind === 3) {
        discounts.push({ id: nextId("D"), name: "10% off", percentage: 10 });
        discount += roundedDivision(subtotal * 10, 100);
      }
      if (kind === 1) {
        discounts.push({ id: nextId("D"), name: "Staff 12.5%", percentageDecimal: 125_000 });
        discount += roundedDivision(subtotal * 125_000, 1_000_000);
      }
      if (kind === 2 || kind === 3) {
        const amount = pick([100, 200]);
        discounts.push({ id: nextId("D"), name: "Happy hour", amount: -amount });
        discount += amount;
      }
    }
    const body: Record<string, unknown> = {
      ...base,
      item: { id: menuItem.id },
      name: menuItem.name,
      price: menuItem.price,
      ...(unitQty === null ? {} : { unitQty, unitName: menuItem.perUnit?.unitName }),
      isRevenue: true,
      ...(modifications.length
        ? { modifications: { elements: modifications.map((m) => ({ id: nextId("M"), name: m.name, amount: m.amount, modifier: { id: m.id } })) } }
        : {}),
      ...(discounts.length ? { discounts: { elements: discounts } } : {}),
      ...taxBody(menuItem.taxes),
    };
    return line({ body, category: menuItem.reportedAs, name: menuItem.name, gross: subtotal, discount, taxes: menuItem.taxes });
  }

  function newOrder(createdAt: number, allowExtras = true): GenOrder {
    const id = nextId("O");
    const lines = Array.from({ length: int(1, 4) }, () => makeLine(createdAt + int(1, 50) * 1000));
    const sales = lines.filter((line) => line.category);
    const orderDiscounts: Record<string, unknown>[] = [];
    const base = sales.reduce((sum, line) => sum + netOf(line), 0);
    if (allowExtras && base >= 1000 && chance(0.12)) {
      let amount: number;
      if (chance(0.5)) {
        orderDiscounts.push({ id: nextId("D"), name: "Loyalty 5%", percentage: 5 });
        amount = roundedDivision(base * 5, 100);
      } else {
        orderDiscounts.push({ id: nextId("D"), name: "Coupon", amount: -300 });
        amount = 300;
      }
      const shares = largestRemainder(amount, sales.map(netOf));
      sales.forEach((line, i) => (line.discount += shares[i] ?? 0));
    }
    const goodsForCharge = sales.reduce((sum, line) => sum + netOf(line), 0);
    const serviceCharge = allowExtras && goodsForCharge > 0 && chance(0.08)
      ? (chance(0.5)
          ? { name: "Large party 18%", autoGratuity: true, amount: roundedDivision(goodsForCharge * 180_000, 1_000_000) }
          : { name: "Service charge 18%", autoGratuity: false, amount: roundedDivision(goodsForCharge * 180_000, 1_000_000) })
      : null;
    const taxByRate = new Map<TaxRate, number>();
    for (const rate of [STATE_TAX, CITY_TAX]) {
      const taxable = lines.filter((line) => line.taxes.includes(rate)).reduce((sum, line) => sum + netOf(line), 0);
      if (taxable > 0) taxByRate.set(rate, roundedDivision(taxable * rate.rate, 10_000_000));
    }
    const body: CloverOrderBody = {
      href: href(`orders/${id}`), id, currency, employee: { id: "GEMPLOYEE0001" }, title: `Order ${id.slice(-4)}`,
      taxRemoved: false, isVat: false, state: "locked", manualTransaction: lines.every((line) => !line.body.item), groupLineItems: true,
      testMode: false, payType: "FULL", createdTime: createdAt, clientCreatedTime: createdAt - 2000, modifiedTime: createdAt,
      device: { id: "6f1c2a9e-3b5d-4e7f-9a10-2b3c4d5e6f70" },
      ...(orderDiscounts.length ? { discounts: { elements: orderDiscounts } } : {}),
      ...(serviceCharge
        ? { serviceCharge: { id: "GSC_PARTY", name: serviceCharge.name, enabled: true, percentageDecimal: 180_000, isAutoApplied: serviceCharge.autoGratuity } }
        : {}),
    };
    const order: GenOrder = {
      id, createdAt, lines, body, payments: [], refunds: [], serviceCharge, taxByRate,
      hasOrderDiscount: orderDiscounts.length > 0, exchangeCredit: 0, lastEventAt: createdAt,
    };
    orders.push(order);
    return order;
  }

  const goodsTotal = (order: GenOrder) => order.lines.filter((line) => !line.replacement).reduce((sum, line) => sum + netOf(line), 0);
  const taxTotal = (order: GenOrder) => [...order.taxByRate.values()].reduce((a, b) => a + b, 0);

  /** Marks `share` more of a line's net as paid at `at`; its gross follows the paid share of net. */
  function payLine(at: number, line: GenLine, share: number): void {
    const paidNet = line.paidNet + share;
    const paidGross = paidNet === netOf(line) ? line.gross : roundedDivision(line.gross * paidNet, netOf(line));
    recordGoods(at, line, paidGross - line.paidGross, share, 1);
    line.paidNet = paidNet;
    line.paidGross = paidGross;
  }

  interface PaymentPlan {
    at: number;
    tender: CloverTenderBody;
    /** Share of the order's goods, tax and service charge (a fraction goods/total), or explicit line shares. */
    goods: number;
    lineShares?: { line: GenLine; share: number; percentage: number }[];
    /** The order's goods this payment is a part of, for splitting tax and service charge. */
    ofGoods: number;
    /** Goods already paid before this payment, for the cumulative split of tax and service charge. */
    paidBefore: number;
    tip?: number;
    taxByRate?: Map<TaxRate, number>;
    serviceCharge?: number;
  }

  /** A SUCCESS payment: its goods pay the lines (pro rata over what is unpaid, or as `lineShares` says). */
  function pay(order: GenOrder, plan: PaymentPlan): GenPayment {
    const id = nextId("P");
    const { at } = plan;
    if (plan.lineShares) {
      for (const { line, share } of plan.lineShares) payLine(at, line, share);
    } else {
      const open = order.lines.filter((line) => !line.closed);
      const unpaid = open.map((line) => netOf(line) - line.paidNet);
      largestRemainder(plan.goods, unpaid).forEach((share, i) => {
        const line = open[i];
        if (line && share) payLine(at, line, share);
      });
    }
    const portion = (total: number) =>
      roundedDivision(total * (plan.paidBefore + plan.goods), plan.ofGoods) - roundedDivision(total * plan.paidBefore, plan.ofGoods);
    const taxByRate = plan.taxByRate ?? new Map([...order.taxByRate].map(([rate, amount]) => [rate, portion(amount)]));
    const tax = [...taxByRate.values()].reduce((a, b) => a + b, 0);
    const serviceCharge = plan.serviceCharge ?? (order.serviceCharge ? portion(order.serviceCharge.amount) : 0);
    const tip = plan.tip ?? (plan.tender.supportsTipping && chance(0.5) ? int(0, 20) * 25 : 0);
    const amount = plan.goods + tax + serviceCharge;
    const namedTaxes = chance(0.75);
    // Cash back rides on the debit card (charged with the sale) and is paid out of the cash drawer.
    const cashBack = plan.tender === CLOVER_TENDERS.debit && chance(options.cashBackRate ?? 0.3) ? int(1, 8) * 500 : 0;

    if (counts(at)) {
      addToBucket(truth.payments, plan.tender.label, amount + tip + cashBack);
      truth.cashBack += cashBack;
      truth.tips += tip;
      if (order.serviceCharge && serviceCharge) {
        addToBucket(order.serviceCharge.autoGratuity ? truth.autoGratuities : truth.serviceCharges, order.serviceCharge.name, serviceCharge);
      }
    }
    recordTax(at, order, taxByRate, namedTaxes, 1);

    const body: Record<string, unknown> = {
      id, order: { id: order.id }, device: { id: "6f1c2a9e-3b5d-4e7f-9a10-2b3c4d5e6f70" }, tender: tenderRef(plan.tender),
      amount, tipAmount: tip, taxAmount: tax, cashbackAmount: cashBack,
      ...(plan.tender.opensCashDrawer ? { cashTendered: Math.ceil((amount + tip) / 500) * 500 } : {}),
      employee: { id: "GEMPLOYEE0001" }, createdTime: at, clientCreatedTime: at - 1800, modifiedTime: at + 500,
      offline: false, result: "SUCCESS",
      ...(namedTaxes && taxByRate.size
        ? { taxRates: { elements: [...taxByRate].map(([rate, taxAmount]) => ({ id: rate.id, name: rate.name, rate: rate.rate, taxAmount })) } }
        : {}),
      ...(order.serviceCharge && serviceCharge ? { serviceCharge: { id: "GSC_PARTY", name: order.serviceCharge.name, amount: serviceCharge } } : {}),
      ...(plan.lineShares
        ? { lineItemPayments: { elements: plan.lineShares.map(({ line, percentage }) => ({ id: line.id, percentage, binName: "Guest" })) } }
        : {}),
      ...(plan.tender.labelKey.endsWith("card") ? { cardTransaction: { cardType: "VISA", entryType: "EMV_CONTACT", type: "AUTH", state: "CLOSED", last4: "0000" } } : {}),
    };
    const payment = { id, at, tender: plan.tender, body };
    order.payments.push(payment);
    order.lastEventAt = Math.max(order.lastEventAt, at);
    return payment;
  }

  /** A payment that did not go through: FAIL, or VOIDED after the fact. Never counted. */
  function failedPayment(order: GenOrder, at: number, result: "FAIL" | "VOIDED"): void {
    const amount = goodsTotal(order) + taxTotal(order);
    const id = nextId("P");
    order.payments.push({
      id, at, tender: CLOVER_TENDERS.card,
      body: {
        id, order: { id: order.id }, tender: tenderRef(CLOVER_TENDERS.card), amount, tipAmount: 0, taxAmount: taxTotal(order),
        createdTime: at, clientCreatedTime: at - 1500, modifiedTime: at + 1000, offline: false, result,
        ...(result === "VOIDED" ? { voidReason: "USER_CANCEL" } : {}),
      },
    });
    order.lastEventAt = Math.max(order.lastEventAt, at);
  }

  /** Pays the whole order, in one payment or (with `split`) in two, at `at` and `secondAt`. */
  function payOrder(order: GenOrder, at: number, split: { secondAt: number } | null = null): void {
    const goods = goodsTotal(order);
    if (chance(0.06)) failedPayment(order, at - 30_000, chance(0.5) ? "FAIL" : "VOIDED");
    if (!split || goods < 2) {
      const tenderChoice = pick([CLOVER_TENDERS.card, CLOVER_TENDERS.card, CLOVER_TENDERS.card, CLOVER_TENDERS.cash, CLOVER_TENDERS.cash, CLOVER_TENDERS.debit, CLOVER_TENDERS.house]);
      pay(order, { at, tender: tenderChoice, goods, ofGoods: goods, paidBefore: 0 });
      return;
    }
    const [first, second] = pick(SPLIT_PAIRS);
    const sales = order.lines;
    const variant = sales.length >= 2 ? pick(["amount", "items", "halves"] as const) : pick(["amount", "halves"] as const);
    if (variant === "amount") {
      order.body.payType = "SPLIT_CUSTOM";
      const firstGoods = int(1, goods - 1);
      pay(order, { at, tender: first, goods: firstGoods, ofGoods: goods, paidBefore: 0 });
      pay(order, { at: split.secondAt, tender: second, goods: goods - firstGoods, ofGoods: goods, paidBefore: firstGoods });
      return;
    }
    if (variant === "items") {
      order.body.payType = "SPLIT_ITEM";
      const cut = int(1, sales.length - 1);
      const firstLines = sales.slice(0, cut).map((line) => ({ line, share: netOf(line), percentage: 100 }));
      const secondLines = sales.slice(cut).map((line) => ({ line, share: netOf(line), percentage: 100 }));
      const firstGoods = firstLines.reduce((sum, l) => sum + l.share, 0);
      pay(order, { at, tender: first, goods: firstGoods, lineShares: firstLines, ofGoods: goods, paidBefore: 0 });
      pay(order, { at: split.secondAt, tender: second, goods: goods - firstGoods, lineShares: secondLines, ofGoods: goods, paidBefore: firstGoods });
      return;
    }
    order.body.payType = "SPLIT_GUEST";
    const halves = sales.map((line) => ({ line, share: roundedDivision(netOf(line) * 50, 100), percentage: 50 }));
    const firstGoods = halves.reduce((sum, l) => sum + l.share, 0);
    pay(order, { at, tender: first, goods: firstGoods, lineShares: halves, ofGoods: goods, paidBefore: 0 });
    const rest = sales.map((line) => ({ line, share: netOf(line) - line.paidNet, percentage: 50 }));
    pay(order, { at: split.secondAt, tender: second, goods: goods - firstGoods, lineShares: rest, ofGoods: goods, paidBefore: firstGoods });
  }

  function refundBody(order: GenOrder, fields: Record<string, unknown>): Record<string, unknown> {
    const body = { id: nextId("R"), orderRef: { id: order.id }, voided: false, status: "SUCCESS", ...fields };
    order.refunds.push(body);
    return body;
  }

  /** Returns `share` more of a paid line's net at `at`; its gross follows the returned share of the paid net. */
  function returnLine(at: number, line: GenLine, share: number): void {
    const returnedNet = line.returnedNet + share;
    const returnedGross = returnedNet === line.paidNet ? line.paidGross : roundedDivision(line.paidGross * returnedNet, line.paidNet);
    recordGoods(at, line, returnedGross - line.returnedGross, share, -1);
    line.returnedNet = returnedNet;
    line.returnedGross = returnedGross;
  }

  /** A partial refund after all payments: one whole line, or an amount spread over what was paid. */
  function refund(order: GenOrder, at: number): void {
    const payment = pick(order.payments.filter((p) => p.body.result === "SUCCESS"));
    const override = chance(0.2) ? CLOVER_TENDERS.cash : null;
    const refundTender = override ?? payment.tender;
    const candidates = order.lines.filter((line) => line.category && line.paidNet === netOf(line) && line.returnedNet === 0 && line.paidNet > 0);
    const byLine = candidates.length > 0 && chance(0.5);
    const returnable = order.lines.map((line) => line.paidNet - line.returnedNet);
    const totalReturnable = returnable.reduce((a, b) => a + b, 0);
    if (!byLine && totalReturnable <= 0) return;

    let goods: number;
    let taxByRate: Map<TaxRate, number>;
    const extra: Record<string, unknown> = {};
    let tip = 0;
    if (byLine) {
      const line = pick(candidates);
      goods = netOf(line);
      taxByRate = new Map(line.taxes.map((rate) => [rate, roundedDivision(goods * rate.rate, 10_000_000)]));
      returnLine(at, line, goods);
      line.body.refunded = true;
      // Like reference/clover.md §5.3, some line refunds say which line only through the line's `refunded` flag.
      if (chance(0.7)) extra.lineItems = { elements: [{ id: line.id }] };
    } else {
      goods = int(1, totalReturnable);
      largestRemainder(goods, returnable).forEach((share, i) => {
        const line = order.lines[i];
        if (line && share) returnLine(at, line, share);
      });
      taxByRate = new Map([[STATE_TAX, roundedDivision(goods * STATE_TAX.rate, 10_000_000)]]);
      const paidTip = Number(payment.body.tipAmount ?? 0);
      if (paidTip > 0 && chance(0.4)) tip = int(1, paidTip);
    }
    const tax = [...taxByRate.values()].reduce((a, b) => a + b, 0);
    const namedTaxes = chance(0.75);
    const amount = goods + tax + tip;
    if (counts(at)) {
      addToBucket(truth.refunds, refundTender.label, amount);
      truth.tips -= tip;
    }
    recordTax(at, order, taxByRate, namedTaxes, -1);
    refundBody(order, {
      payment: { id: payment.id }, amount, taxAmount: tax, tipAmount: tip, createdTime: at, clientCreatedTime: at - 1200,
      ...(override ? { overrideMerchantTender: tenderRef(override) } : {}),
      ...(namedTaxes && taxByRate.size
        ? { taxableAmountRates: { elements: [...taxByRate].map(([rate, taxAmount]) => ({ id: rate.id, name: rate.name, rate: rate.rate, taxAmount })) } }
        : {}),
      ...extra,
    });
    order.body.paymentState = "PARTIALLY_REFUNDED";
    order.lastEventAt = Math.max(order.lastEventAt, at);
    // Now and then a refund attempt failed or was voided: never counted.
    if (chance(0.15)) {
      const failedAt = at - 20_000;
      refundBody(order, {
        payment: { id: payment.id }, amount, taxAmount: tax, tipAmount: tip, createdTime: failedAt, clientCreatedTime: failedAt - 1000,
        ...(chance(0.5) ? { status: "FAIL" } : { voided: true, voidReason: "USER_CANCEL" }),
      });
    }
  }

  /**
   * A line exchanged for another item at `at`: the old line is marked exchanged and points at its
   * replacement; the difference is paid (or refunded) a second later with the first payment's tender.
   * Only for orders paid in one payment, without order discounts or service charges, so the exchanged
   * line's value is its own.
   */
  function exchange(order: GenOrder, at: number): void {
    const candidates = order.lines.filter((l) => l.category && !l.replacement && l.paidNet === netOf(l) && l.returnedNet === 0);
    if (candidates.length === 0) return;
    const line = pick(candidates);
    const replacementItem = pick(MENU.filter((m) => !m.perUnit && m.inInventory !== false));
    const replacement = makeLine(at, replacementItem);
    replacement.replacement = true;
    line.body.exchanged = true;
    line.body.exchangedLineItem = { id: replacement.id };
    order.lines.push(replacement);

    const credit = line.paidNet - line.returnedNet;
    returnLine(at, line, credit);
    line.closed = true;
    const covered = Math.min(credit, netOf(replacement));
    payLine(at, replacement, covered);
    order.exchangeCredit = credit - covered;

    const difference = netOf(replacement) - credit;
    const first = order.payments.find((p) => p.body.result === "SUCCESS");
    if (!first) throw new Error("an exchange needs a paid order");
    const settleAt = at + 1000;
    if (difference > 0) {
      const tax = roundedDivision(difference * STATE_TAX.rate, 10_000_000);
      pay(order, {
        at: settleAt, tender: first.tender, goods: difference, ofGoods: difference, paidBefore: 0, tip: 0,
        taxByRate: new Map([[STATE_TAX, tax]]), serviceCharge: 0,
      });
    } else if (difference < 0) {
      const goods = -difference;
      const tax = roundedDivision(goods * STATE_TAX.rate, 10_000_000);
      if (counts(settleAt)) addToBucket(truth.refunds, first.tender.label, goods + tax);
      recordTax(settleAt, order, new Map([[STATE_TAX, tax]]), true, -1);
      refundBody(order, {
        payment: { id: first.id }, amount: goods + tax, taxAmount: tax, tipAmount: 0, createdTime: settleAt, clientCreatedTime: settleAt - 800,
        taxableAmountRates: { elements: [{ id: STATE_TAX.id, name: STATE_TAX.name, rate: STATE_TAX.rate, taxAmount: tax }] },
        reason: "Exchange",
      });
      order.exchangeCredit = 0;
    }
    order.lastEventAt = Math.max(order.lastEventAt, settleAt);
  }

  /** A manual credit (a refund with no payment behind it) on an order of its own. */
  function credit(at: number): void {
    const order = newOrder(at - 5000, false);
    order.lines.length = 0;
    order.taxByRate.clear();
    const goods = int(100, 3000);
    const tax = roundedDivision(goods * STATE_TAX.rate, 10_000_000);
    const creditTender = pick([CLOVER_TENDERS.cash, CLOVER_TENDERS.card]);
    if (counts(at)) {
      addToBucket(truth.refunds, creditTender.label, goods + tax);
      addToBucket(truth.returns, CUSTOM_AMOUNTS.id, goods);
      truth.categoryNames[CUSTOM_AMOUNTS.id] = CUSTOM_AMOUNTS.name;
      addToBucket(truth.tax, STATE_TAX.name, -tax);
    }
    const credits: Record<string, unknown>[] = [{
      id: nextId("C"), orderRef: { id: order.id }, tender: tenderRef(creditTender), amount: goods + tax, taxAmount: tax,
      taxRates: { elements: [{ id: STATE_TAX.id, name: STATE_TAX.name, rate: STATE_TAX.rate, taxAmount: tax }] },
      createdTime: at, clientCreatedTime: at - 1000, voided: false, result: "SUCCESS", reason: "Manual refund",
    }];
    if (chance(0.2)) {
      credits.push({
        id: nextId("C"), orderRef: { id: order.id }, tender: tenderRef(creditTender), amount: goods, taxAmount: 0,
        createdTime: at - 60_000, voided: true, voidReason: "USER_CANCEL", result: "SUCCESS",
      });
    }
    Object.assign(order.body, { manualTransaction: true, paymentState: "CREDITED", credits: { elements: credits } });
    order.lastEventAt = at;
  }

  // ---- the day ---------------------------------------------------------------------------------------

  const inside = (from: number, to: number) => from + Math.floor(random() * Math.max(1, to - from));
  const splitRate = options.splitRate ?? 0.2;

  for (let n = 0; n < options.orders; n++) {
    // The first order is paid at the very first instant of the day.
    const paidAt = n === 0 ? start : inside(start + margin, end - 30 * MINUTE);
    const order = newOrder(paidAt - int(1, 40) * MINUTE);
    if (chance(splitRate)) {
      // Some splits straddle the day's end: only the first part is this day's.
      const straddle = chance(0.35);
      const firstAt = straddle ? end - int(1, 25) * MINUTE : paidAt;
      payOrder(order, firstAt, { secondAt: straddle ? end + int(1, 30) * MINUTE : firstAt + int(1, 25) * MINUTE });
    } else {
      payOrder(order, paidAt);
    }
    const lastPaid = order.lastEventAt;
    if (chance(options.refundRate ?? 0.1)) {
      const sameDay = lastPaid < end - 10 * MINUTE && chance(0.6);
      refund(order, sameDay ? inside(lastPaid + MINUTE, end - margin) : Math.max(end, lastPaid) + int(1, 600) * MINUTE);
    } else if (order.payments.filter((p) => p.body.result === "SUCCESS").length === 1 && !order.hasOrderDiscount && !order.serviceCharge && chance(options.exchangeRate ?? 0.05)) {
      const sameDay = lastPaid < end - 10 * MINUTE && chance(0.7);
      exchange(order, sameDay ? inside(lastPaid + MINUTE, end - margin) : end + int(1, 600) * MINUTE);
    }

    if (chance(options.previousDayRate ?? 0.15)) {
      const yesterdayAt = start - int(2, 18 * 60) * MINUTE;
      const action = int(0, 4);
      // Exchanges are generated on orders without order discounts or service charges (see exchange()).
      const previous = newOrder(yesterdayAt - int(1, 30) * MINUTE, action !== 2);
      if (action === 3) {
        // Paid in two parts: the first part yesterday, the rest today.
        payOrder(previous, yesterdayAt, { secondAt: inside(start + margin, end - margin) });
      } else {
        payOrder(previous, yesterdayAt);
        const today = inside(start + margin, end - margin);
        if (action === 0 || action === 1) refund(previous, today);
        if (action === 2 && previous.payments.filter((p) => p.body.result === "SUCCESS").length === 1) exchange(previous, today);
        // action 4 (and 2 when the order cannot be exchanged): edited today, no money moved.
        previous.lastEventAt = Math.max(previous.lastEventAt, today);
      }
    }

    if (chance(options.creditRate ?? 0.03)) credit(inside(start + margin, end - margin));

    if (chance(options.noiseRate ?? 0.1)) {
      const kind = int(0, 4);
      const at = inside(start + margin, end - margin);
      if (kind === 0) {
        // Rung up today and never paid; one card attempt failed.
        const unpaid = newOrder(at - 5 * MINUTE);
        unpaid.body.state = "open";
        unpaid.body.paymentState = "OPEN";
        if (chance(0.5)) failedPayment(unpaid, at, "FAIL");
        unpaid.lastEventAt = at;
      }
      if (kind === 1) {
        // A test-mode order: its payments are not processed.
        const test = newOrder(at - 5 * MINUTE);
        test.body.testMode = true;
        recording = false;
        pay(test, { at, tender: CLOVER_TENDERS.cash, goods: goodsTotal(test), ofGoods: goodsTotal(test), paidBefore: 0, tip: 0 });
        recording = true;
      }
      if (kind === 2) payOrder(newOrder(end - 10 * MINUTE), end); // paid at the exclusive end: tomorrow's
      if (kind === 3) {
        // Paid a millisecond before the start and edited today: yesterday's.
        const early = newOrder(start - 20 * MINUTE);
        payOrder(early, start - 1);
        early.lastEventAt = at;
      }
      if (kind === 4) {
        // A refund that failed and one that was voided, today, on yesterday's sale.
        const old = newOrder(start - 5 * 60 * MINUTE);
        payOrder(old, start - 4 * 60 * MINUTE);
        const payment = old.payments.find((p) => p.body.result === "SUCCESS");
        for (const [offset, fields] of [[0, { status: "FAIL" }], [MINUTE, { voided: true, voidReason: "USER_CANCEL" }]] as const) {
          refundBody(old, { payment: { id: payment?.id }, amount: 100, taxAmount: 0, tipAmount: 0, createdTime: at + offset, clientCreatedTime: at + offset - 900, ...fields });
        }
        old.lastEventAt = at + MINUTE;
      }
    }
  }

  for (const { order, byRate, named, direction } of taxes) {
    for (const [rate, amount] of byRate) {
      if (amount !== 0) addToBucket(truth.tax, named ? rate.name : fallbackTaxName(order), direction * amount);
    }
  }

  const bodies = orders.map((order) => {
    const paid = order.payments.some((p) => p.body.result === "SUCCESS");
    const body: CloverOrderBody = {
      ...order.body,
      total: goodsTotal(order) + taxTotal(order) + (order.serviceCharge?.amount ?? 0),
      paymentState: order.body.paymentState ?? (paid ? "PAID" : "OPEN"),
      modifiedTime: Math.max(order.lastEventAt + 1000, start),
      lineItems: { elements: order.lines.map((line) => line.body) },
      payments: { elements: order.payments.map((p) => p.body) },
      ...(order.refunds.length ? { refunds: { elements: order.refunds } } : {}),
    };
    return body;
  });
  bodies.sort((a, b) => a.modifiedTime - b.modifiedTime || (a.id < b.id ? -1 : 1));
  return {
    window, merchantId, currency, orders: bodies, items: cloverItems(), tenders: Object.values(CLOVER_TENDERS), truth: normaliseSummary(truth),
  };
}
