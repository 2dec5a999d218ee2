/**
 * The Clover summariser: `{elements: Order[]}` pages of complete expanded orders in (see reader.ts),
 * one merchant's daily summary out. Each order is summarised on its own and nothing of it is kept, so
 * memory stays flat and the order of pages and of orders within them does not matter. Each order must
 * be fed once.
 *
 * Recognition (ACCOUNTING.md): cash basis. SUCCESS payments count at their createdTime; refunds (not
 * voided, status not FAIL or VOIDED) and manual credits (not voided, result SUCCESS) at theirs;
 * exchanges when the replacement line was created. Orders in test mode never count. Money comes from
 * the payments, refunds and credits as Clover recorded them; the goods behind it (gross by category,
 * discounts, returns, non-revenue items, order fees) from the order's lines, allocated event by event
 * (allocation.ts). Whatever the lines cannot explain is left to show as over/short. The rules are in
 * docs/accounting.md, "Clover".
 */
import type { BusinessDayWindow } from "../../domain/business-day";
import { sumMinor } from "../../domain/money";
import { addToBucket, type Buckets, type DailySummary, emptySummary, normaliseSummary } from "../../domain/summary";
import type { Warning } from "../../domain/warnings";
import type * as z from "zod/mini";
import { checkInPlace, inPlaceGuard } from "../../check-in-place";
import { describeIssues } from "../../validation";
import { type CategoryRef, CUSTOM_AMOUNTS, UNCATEGORIZED } from "../category-ref";
import { goodsMovements, type GoodsMovement, type OrderEvent, paysEveryLineWhole, sellWhole } from "./allocation";
import type { CloverItemCategories } from "./categories";
import { CloverDataError } from "./errors";
import { type LineValue, lineValues } from "./line-values";
import {
  type CloverAdditionalCharge,
  type CloverCredit,
  type CloverLineItem,
  type CloverOrder,
  type CloverPayment,
  type CloverRefund,
  type CloverTaxAmountRate,
  type CloverTender,
  elements,
  listPageSchema,
  orderSchema,
} from "./schemas";

export interface CloverSummariserOptions {
  window: Pick<BusinessDayWindow, "startMs" | "endMs">;
  currency: string;
  categories: CloverItemCategories;
}

export interface CloverDayResult {
  summary: DailySummary;
  warnings: Warning[];
}

const DEFAULT_TAX_NAME = "Sales tax";
const DEFAULT_SERVICE_CHARGE_NAME = "Service charge";
const UNKNOWN_TENDER = "UNKNOWN";
const UNCOUNTED_REFUND_STATUSES = new Set(["FAIL", "VOIDED"]);

export const isCountedPayment = (payment: CloverPayment): boolean => payment.result === "SUCCESS";
export const isCountedRefund = (refund: CloverRefund): boolean =>
  refund.voided !== true && !UNCOUNTED_REFUND_STATUSES.has(refund.status ?? "");
export const isCountedCredit = (credit: CloverCredit): boolean => credit.voided !== true && (credit.result ?? "SUCCESS") === "SUCCESS";

function additional(charges: { elements?: CloverAdditionalCharge[] | null } | null | undefined): number {
  const list = elements(charges);
  let total = 0;
  for (let i = 0; i < list.length; i++) total = sumMinor(total, list[i]?.amount ?? 0);
  return total;
}

/** The entries `counted` accepts: the list itself when all are (as nearly always), nothing copied. */
function countedOf<T>(list: readonly T[], counted: (entry: T) => boolean): readonly T[] {
  return list.every(counted) ? list : list.filter(counted);
}

/** What a payment paid for goods: its amount less the tax and service charge within it. */
export const paymentGoods = (p: CloverPayment): number => p.amount - (p.taxAmount ?? 0) - (p.serviceCharge?.amount ?? 0);
/** What a refund gave back for goods: its amount less the tax, tip and service charge within it. */
export const refundGoods = (r: CloverRefund): number =>
  r.amount - (r.taxAmount ?? 0) - (r.tipAmount ?? 0) - (r.serviceChargeAmount?.amount ?? 0);

const idOf = (entry: { id: string }): string => entry.id;
const NO_EXCHANGES: readonly { returned: string; replacement: string; at: number }[] = [];
/** A line naming an item the item pages do not hold: Uncategorized, and said so. */
const UNCATALOGUED: CategoryRef & { uncatalogued: boolean } = { ...UNCATEGORIZED, uncatalogued: true };

function paymentEvent(p: CloverPayment): OrderEvent {
  const shares = elements(p.lineItemPayments);
  let percentages: Map<string, number> | null = null;
  if (shares.length) {
    percentages = new Map();
    for (const share of shares) percentages.set(share.id, share.percentage ?? 0);
  }
  return { type: "payment", id: p.id, at: p.createdTime, goods: paymentGoods(p), percentages };
}

/** "CREDIT_SURCHARGE" → "Credit surcharge". */
function surchargeName(type: string | null | undefined): string {
  if (!type) return "Surcharge";
  const words = type.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The name for tax a transaction does not name: the one tax rate the order's lines carry, else "Sales tax". */
function orderTaxName(order: CloverOrder): string {
  let only: string | undefined;
  const lines = elements(order.lineItems);
  for (let i = 0; i < lines.length; i++) {
    const rates = elements((lines[i] as CloverLineItem).taxRates);
    for (let j = 0; j < rates.length; j++) {
      const rate = rates[j] as { name?: string | null };
      if (rate.name == null) continue;
      if (only !== undefined && only !== rate.name) return DEFAULT_TAX_NAME;
      only = rate.name;
    }
  }
  return only ?? DEFAULT_TAX_NAME;
}

/** Checked where it lies, nothing copied (lib/validation.ts says why); a fault is named as a parse would name it. */
const isOrder = inPlaceGuard(orderSchema);

function parseWith<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  return checkInPlace(schema, body, (error) => new CloverDataError(describeIssues(error, what)));
}

export class CloverDaySummariser {
  private readonly summary: DailySummary;
  private readonly warningCounts = new Map<Warning["code"], { count: number; message: (n: number) => string }>();

  constructor(private readonly options: CloverSummariserOptions) {
    this.summary = emptySummary(options.currency);
  }

  addOrdersPage(body: unknown): void {
    const page = parseWith(listPageSchema, body, "the orders page");
    for (let index = 0; index < page.elements.length; index++) {
      const raw = page.elements[index];
      // Named by its place, never by its id: the message may be stored (a failed day's report).
      this.addOrder(isOrder(raw) ? raw : parseWith(orderSchema, raw, `order ${index + 1} of an orders page`));
    }
  }

  finish(): CloverDayResult {
    const warnings = [...this.warningCounts.entries()].map(([code, { count, message }]) => ({ code, message: message(count) }));
    return { summary: normaliseSummary(this.summary), warnings };
  }

  private addOrder(order: CloverOrder): void {
    if (order.testMode === true) return;
    if (order.currency && order.currency !== this.options.currency) {
      // Kinds and counts, never an id: the message may be stored (a failed day's report).
      throw new CloverDataError(`an order is in ${order.currency}, but the merchant's currency is ${this.options.currency}`);
    }
    const allPayments = elements(order.payments);
    const payments = countedOf(allPayments, isCountedPayment);
    const refunds = countedOf(elements(order.refunds), isCountedRefund);
    const credits = countedOf(elements(order.credits), isCountedCredit);
    const lines = lineValues(order, this.categoryOfLine);
    // Most orders have no exchange: no list is made for them.
    let exchanges: { returned: string; replacement: string; at: number }[] | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as LineValue;
      if (line.exchange) (exchanges ??= []).push({ ...line.exchange, returned: line.id });
    }
    if (!this.touchesDay(payments, refunds, credits, exchanges ?? NO_EXCHANGES)) return;

    const taxName = orderTaxName(order);
    const chargeBuckets = order.serviceCharge?.isAutoApplied === true ? this.summary.autoGratuities : this.summary.serviceCharges;
    const chargeName = order.serviceCharge?.name ?? DEFAULT_SERVICE_CHARGE_NAME;
    for (let i = 0; i < payments.length; i++) {
      const payment = payments[i] as CloverPayment;
      if (this.inWindow(payment.createdTime)) this.addPayment(payment, taxName, chargeBuckets, chargeName);
    }
    if (refunds.length > 0) {
      const tenderOfPayment = new Map(allPayments.map((p) => [p.id, p.tender]));
      for (let i = 0; i < refunds.length; i++) {
        const refund = refunds[i] as CloverRefund;
        if (this.inWindow(refund.createdTime)) this.addRefund(refund, tenderOfPayment, taxName, chargeBuckets, chargeName);
      }
    }
    for (let i = 0; i < credits.length; i++) {
      const credit = credits[i] as CloverCredit;
      if (this.inWindow(credit.createdTime)) this.addCredit(credit, taxName);
    }

    const [only] = payments;
    if (only && payments.length === 1 && refunds.length === 0 && !exchanges && elements(only.lineItemPayments).length === 0 &&
      paysEveryLineWhole(lines, paymentGoods(only))) {
      // The common order, one payment for all of it: sold as the walk below would sell it, without its objects.
      if (this.inWindow(only.createdTime)) sellWhole(lines, this.sellLine);
      return;
    }
    const events: OrderEvent[] = [];
    for (let i = 0; i < payments.length; i++) events.push(paymentEvent(payments[i] as CloverPayment));
    for (let i = 0; exchanges && i < exchanges.length; i++) {
      const e = exchanges[i] as { returned: string; replacement: string; at: number };
      events.push({ type: "exchange", id: e.returned, at: e.at, returned: e.returned, replacement: e.replacement });
    }
    for (let i = 0; i < refunds.length; i++) {
      const r = refunds[i] as CloverRefund;
      events.push({ type: "refund", id: r.id, at: r.createdTime, goods: refundGoods(r), lineIds: elements(r.lineItems).map(idOf) });
    }
    const movements = goodsMovements(lines, events);
    for (let i = 0; i < movements.length; i++) {
      const movement = movements[i] as GoodsMovement;
      if (this.inWindow(movement.at)) this.addGoods(movement.line, movement.direction, movement.gross, movement.net);
    }
  }

  /** The category of a sale line (made once: every line of every order asks). */
  private readonly categoryOfLine = (line: CloverLineItem): CategoryRef & { uncatalogued?: boolean } => {
    if (!line.item?.id) return CUSTOM_AMOUNTS;
    return this.options.categories.categoryOf(line.item.id) ?? UNCATALOGUED;
  };

  /** Whether any of an order's payments, refunds, credits or exchanges happened in the day. */
  private touchesDay(
    payments: readonly CloverPayment[], refunds: readonly CloverRefund[], credits: readonly CloverCredit[], exchanges: readonly { at: number }[],
  ): boolean {
    for (let i = 0; i < payments.length; i++) if (this.inWindow((payments[i] as CloverPayment).createdTime)) return true;
    for (let i = 0; i < refunds.length; i++) if (this.inWindow((refunds[i] as CloverRefund).createdTime)) return true;
    for (let i = 0; i < credits.length; i++) if (this.inWindow((credits[i] as CloverCredit).createdTime)) return true;
    for (let i = 0; i < exchanges.length; i++) if (this.inWindow((exchanges[i] as { at: number }).at)) return true;
    return false;
  }

  /**
   * A payment's money; its service charge goes to `chargeBuckets` (auto-gratuities, for an order whose
   * service charge isAutoApplied, apart from the others) under its name, else the order's `chargeName`.
   */
  private addPayment(payment: CloverPayment, taxName: string, chargeBuckets: Buckets, chargeName: string): void {
    const s = this.summary;
    const tip = payment.tipAmount ?? 0;
    const cashBack = payment.cashbackAmount ?? 0;
    const surcharges = elements(payment.additionalCharges);
    // The card is charged the cash back too; the cash itself leaves the drawer (summary.cashBack).
    addToBucket(s.payments, this.tenderKey(payment.tender), sumMinor(payment.amount, tip, additional(payment.additionalCharges), cashBack));
    s.cashBack = sumMinor(s.cashBack, cashBack);
    s.tips = sumMinor(s.tips, tip);
    this.addTax(payment.taxAmount ?? 0, elements(payment.taxRates), taxName, 1);
    const charge = payment.serviceCharge;
    if (charge?.amount) addToBucket(chargeBuckets, charge.name ?? chargeName, charge.amount);
    for (let i = 0; i < surcharges.length; i++) {
      const surcharge = surcharges[i] as CloverAdditionalCharge;
      addToBucket(s.serviceCharges, surchargeName(surcharge.type), surcharge.amount ?? 0);
    }
  }

  private addRefund(
    refund: CloverRefund,
    tenderOfPayment: ReadonlyMap<string, CloverTender | null | undefined>,
    taxName: string,
    chargeBuckets: Buckets,
    chargeName: string,
  ): void {
    const s = this.summary;
    let tender = refund.overrideMerchantTender ?? tenderOfPayment.get(refund.payment?.id ?? "");
    if (!tender) {
      this.warn("unknown-refund-tender", (n) =>
        `${n} refund${n === 1 ? "" : "s"} named a payment daybook could not find in ${n === 1 ? "its order" : "their orders"}; posted to the default tender account.`,
      );
      tender = { id: UNKNOWN_TENDER, label: UNKNOWN_TENDER };
    }
    addToBucket(s.refunds, this.tenderKey(tender), sumMinor(refund.amount, additional(refund.additionalCharges)));
    s.tips = sumMinor(s.tips, -(refund.tipAmount ?? 0));
    this.addTax(refund.taxAmount ?? 0, elements(refund.taxableAmountRates), taxName, -1);
    const charge = refund.serviceChargeAmount;
    if (charge?.amount) addToBucket(chargeBuckets, charge.name ?? chargeName, -charge.amount);
    for (const surcharge of elements(refund.additionalCharges)) {
      addToBucket(s.serviceCharges, surchargeName(surcharge.type), -(surcharge.amount ?? 0));
    }
  }

  /** A manual credit gives money back with no item behind it: a return of custom amounts. */
  private addCredit(credit: CloverCredit, taxName: string): void {
    const s = this.summary;
    const tax = credit.taxAmount ?? 0;
    addToBucket(s.refunds, this.tenderKey(credit.tender), credit.amount);
    this.addTax(tax, elements(credit.taxRates), taxName, -1);
    addToBucket(s.returns, CUSTOM_AMOUNTS.id, credit.amount - tax);
    s.categoryNames[CUSTOM_AMOUNTS.id] = CUSTOM_AMOUNTS.name;
  }

  /**
   * A transaction's tax by rate name where it names its rates with amounts; what they leave
   * unexplained goes to its only rate's name, else to the order's tax name. Never recomputed.
   */
  private addTax(total: number, rates: readonly CloverTaxAmountRate[], orderTaxName: string, sign: 1 | -1): void {
    let named = 0;
    for (let i = 0; i < rates.length; i++) {
      const rate = rates[i] as CloverTaxAmountRate;
      if (rate.name && rate.taxAmount != null) {
        addToBucket(this.summary.tax, rate.name, sign * rate.taxAmount);
        named = sumMinor(named, rate.taxAmount);
      }
    }
    const rest = total - named;
    const onlyRate = rates.length === 1 ? rates[0]?.name : undefined;
    if (rest !== 0) addToBucket(this.summary.tax, onlyRate ?? orderTaxName, sign * rest);
  }

  /** Goods sold or returned (a GoodsMovement's figures, passed one by one: the common order makes no movement object). */
  /** sellWhole's seller: made once per summariser, not once per order. */
  private readonly sellLine = (line: LineValue, gross: number, net: number): void => {
    this.addGoods(line, "sold", gross, net);
  };

  private addGoods(line: LineValue, direction: GoodsMovement["direction"], gross: number, net: number): void {
    const s = this.summary;
    const sign = direction === "sold" ? 1 : -1;
    const { kind } = line;
    if (kind.type === "non-revenue") {
      addToBucket(s.nonRevenue, kind.name, sign * net);
    } else if (kind.type === "order-fee") {
      addToBucket(kind.autoGratuity ? s.autoGratuities : s.serviceCharges, kind.name, sign * net);
    } else {
      addToBucket(direction === "sold" ? s.sales : s.returns, kind.category.id, gross);
      s.categoryNames[kind.category.id] = kind.category.name;
      s.discounts = sumMinor(s.discounts, sign * (gross - net));
      if (kind.category.uncatalogued) {
        this.warn("uncatalogued-item", (n) =>
          `${n} sold or returned line${n === 1 ? "" : "s"} named items daybook could not find in the item pages; counted as Uncategorized.`,
        );
      }
    }
  }

  /** A tender's label is its key; without one (tender not expanded) its labelKey or id stands in. */
  private tenderKey(tender: CloverTender | null | undefined): string {
    const label = tender?.label?.trim();
    if (label) return label;
    this.warn("unknown-tender-label", (n) =>
      `${n} payment${n === 1 ? "" : "s"}, refund${n === 1 ? "" : "s"} or credit${n === 1 ? "" : "s"} came without their tender's label; posted under the tender's labelKey or id, which the mapping can name.`,
    );
    return tender?.labelKey ?? tender?.id ?? UNKNOWN_TENDER;
  }

  private warn(code: Warning["code"], message: (count: number) => string): void {
    const entry = this.warningCounts.get(code);
    if (entry) {
      entry.count += 1;
      entry.message = message;
    } else {
      this.warningCounts.set(code, { count: 1, message });
    }
  }

  private inWindow(ms: number): boolean {
    return ms >= this.options.window.startMs && ms < this.options.window.endMs;
  }
}
