/**
 * The Square summariser: raw Square API response bodies in, one location's daily summary out. Pages
 * are folded in one at a time and nothing of an order is kept once it is counted, so memory stays flat
 * however many orders a day has. Each order must be fed once (the client drops the repeats its second
 * search pass finds).
 *
 * Recognition (ACCOUNTING.md): a sale belongs to the day it was paid: the latest tender's created_at
 * once nothing is due, else closed_at. Return orders count on their own closed_at; refunds on their
 * own created_at. The rules that go beyond ACCOUNTING.md are in docs/accounting.md.
 */
import type { BusinessDayWindow } from "../../domain/business-day";
import { sumMinor } from "../../domain/money";
import { addToBucket, type DailySummary, emptySummary, normaliseSummary } from "../../domain/summary";
import type { Warning } from "../../domain/warnings";
import type * as z from "zod/mini";
import { checkInPlace, inPlaceGuard } from "../../check-in-place";
import { describeIssues } from "../../validation";
import { CUSTOM_AMOUNTS, type CategoryRef, type SquareCatalog, UNCATEGORIZED } from "./catalog";
import { SquareDataError } from "./errors";
import { exTaxFigures } from "./inclusive-tax";
import { timestampMs } from "./timestamp";
import {
  listPaymentsPageSchema,
  listRefundsPageSchema,
  orderSchema,
  searchOrdersPageSchema,
  type SquareLineItem,
  type SquareMoney,
  type SquareOrder,
  type SquareServiceCharge,
  type SquareTax,
  type SquareTender,
} from "./schemas";

export interface SquareSummariserOptions {
  window: Pick<BusinessDayWindow, "startMs" | "endMs">;
  locationId: string;
  currency: string;
  catalog: SquareCatalog;
  /** Where processing fees come from: the orders' tenders (default) or ListPayments pages. */
  feesFrom?: "tenders" | "payments";
  /** Where refunds come from: the orders' refunds (default) or ListPaymentRefunds pages. */
  refundsFrom?: "orders" | "payment-refunds";
  /** A tender's key (squareTenderKey) by its id, for refunds read from orders (a refund names only its tender's id). */
  tenderKeyOf?: (tenderId: string) => string | undefined;
}

export interface SquareDayResult {
  summary: DailySummary;
  warnings: Warning[];
}

const COUNTED_ORDER_REFUND_STATUSES = new Set(["APPROVED", "PENDING"]);
const COUNTED_PAYMENT_REFUND_STATUSES = new Set(["COMPLETED", "PENDING"]);
/** PaymentRefund.destination_type → the tender type the original payment was taken with. */
const REFUND_DESTINATION_TENDERS: Readonly<Record<string, string>> = {
  CARD: "CARD", CASH: "CASH", WALLET: "WALLET", BANK_ACCOUNT: "BANK_ACCOUNT", SQUARE_ACCOUNT: "SQUARE_ACCOUNT",
  BUY_NOW_PAY_LATER: "BUY_NOW_PAY_LATER", GIFT_CARD: "SQUARE_GIFT_CARD", SQUARE_GIFT_CARD: "SQUARE_GIFT_CARD",
  EXTERNAL: "OTHER",
};
const DEFAULT_TAX_NAME = "Sales tax";
/** Not a no-sale, nor a card payment VOIDED or FAILED. */
function tookMoney(tender: SquareTender): boolean {
  if (tender.type === "NO_SALE") return false;
  const status = tender.card_details?.status;
  return status !== "VOIDED" && status !== "FAILED";
}
const DEFAULT_SERVICE_CHARGE_NAME = "Service charge";
const NOTE_LENGTH = 60;

/**
 * An order's (or a return's) taxes, as the order carries them: a tax is found by its uid (the last of
 * that uid, as Square's list reads). Passed with `anyInclusive` (whether any is included in prices)
 * rather than wrapped with it, so that an order makes no object for its taxes.
 */
type OrderTaxes = readonly SquareTax[];

const NO_TAXES: OrderTaxes = [];

function anyInclusive(taxes: OrderTaxes): boolean {
  for (let i = 0; i < taxes.length; i++) if (taxes[i]?.type === "INCLUSIVE") return true;
  return false;
}

/** The name a line's tax goes under when its order (or return) has only one tax; else the default. */
function onlyTaxNameOf(taxes: OrderTaxes): string {
  return taxes.length === 1 ? (taxes[0]?.name ?? DEFAULT_TAX_NAME) : DEFAULT_TAX_NAME;
}

/** Orders carry a tax or two: a search beats building a map per order. */
function taxByUid(taxes: OrderTaxes, uid: string): SquareTax | undefined {
  for (let i = taxes.length - 1; i >= 0; i--) if ((taxes[i]?.uid ?? "") === uid) return taxes[i];
  return undefined;
}

/** A tax's name by its uid among the order's (or the return's) taxes. */
const taxNameOf = (taxes: OrderTaxes, uid: string): string => taxByUid(taxes, uid)?.name ?? DEFAULT_TAX_NAME;
const NO_INCLUSIVE_TAXES: readonly { amount: number; percentage: string | null | undefined }[] = [];

/**
 * The key a tender's money is summed under: its type ("CARD", "CASH", ...), and for an OTHER tender
 * with a note, the note too ("OTHER:Town gift voucher"), so that the entry can say what it was. The
 * mapping may name the noted key or just OTHER.
 */
export function squareTenderKey(tender: { type: string; note?: string | null }): string {
  const note = tender.type === "OTHER" ? tender.note?.replace(/\s+/g, " ").trim().slice(0, NOTE_LENGTH).trim() : undefined;
  return note ? `OTHER:${note}` : tender.type;
}

/** Checked where it lies, nothing copied (lib/validation.ts says why); a fault is named as a parse would name it. */
function parseWith<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  return checkInPlace(schema, body, (error) => new SquareDataError(describeIssues(error, what)));
}

const isOrder = inPlaceGuard(orderSchema);
const NO_TENDERS: readonly SquareTender[] = [];

/** The tenders that took money (the order's own list when all did, as most do). */
function countedTenders(all: readonly SquareTender[]): readonly SquareTender[] {
  return all.every(tookMoney) ? all : all.filter(tookMoney);
}
const hasCreatedAt = (tender: SquareTender): boolean => Boolean(tender.created_at);

function checkNoErrors(errors: { code: string; detail?: string | null }[] | null | undefined, what: string): void {
  if (errors?.length) {
    const first = errors[0];
    // The code only: Square's free-text detail may name an order or a payment.
    throw new SquareDataError(`${what} carries Square errors: ${first?.code ?? "unnamed"}`);
  }
}

export class SquareDaySummariser {
  private readonly summary: DailySummary;
  private feesFromTenders = 0;
  private feesFromPayments = 0;
  private refundFeesFromOrders = 0;
  private refundFeesFromPages = 0;
  private readonly refundsFromOrders: Record<string, number> = {};
  private readonly refundsFromPages: Record<string, number> = {};
  private readonly autoGratuityNames = new Set<string>();
  private readonly warningCounts = new Map<Warning["code"], { count: number; message: (n: number) => string }>();
  /** exTax's answer for the line just figured (two fields rather than an object per line). */
  private lineGross = 0;
  private lineDiscount = 0;
  /** time()'s last timestamp read, and its instant. */
  private lastIso: string | null | undefined = undefined;
  private lastMs = 0;

  constructor(private readonly options: SquareSummariserOptions) {
    this.summary = emptySummary(options.currency);
  }

  addOrdersPage(body: unknown): void {
    const page = parseWith(searchOrdersPageSchema, body, "the SearchOrders response");
    checkNoErrors(page.errors, "the SearchOrders response");
    const orders = page.orders ?? [];
    for (let index = 0; index < orders.length; index++) {
      const raw = orders[index];
      // Named by its place, never by its id: the message may be stored (a failed day's report).
      this.addOrder(isOrder(raw) ? raw : parseWith(orderSchema, raw, `order ${index + 1} of a SearchOrders page`));
    }
  }

  addPaymentsPage(body: unknown): void {
    const page = parseWith(listPaymentsPageSchema, body, "the ListPayments response");
    checkNoErrors(page.errors, "the ListPayments response");
    const payments = page.payments ?? [];
    for (let i = 0; i < payments.length; i++) {
      const payment = payments[i] as (typeof payments)[number];
      const what = "a payment";
      if (payment.status !== "COMPLETED" || !this.isThisLocation(payment.location_id)) continue;
      if (!this.inWindow(payment.created_at, what)) continue;
      const fees = payment.processing_fee;
      if (!fees) continue;
      for (let j = 0; j < fees.length; j++) {
        this.feesFromPayments = sumMinor(this.feesFromPayments, this.amount(fees[j]?.amount_money, what));
      }
    }
  }

  addRefundsPage(body: unknown): void {
    const page = parseWith(listRefundsPageSchema, body, "the ListPaymentRefunds response");
    checkNoErrors(page.errors, "the ListPaymentRefunds response");
    for (const refund of page.refunds ?? []) {
      const what = "a refund";
      if (!COUNTED_PAYMENT_REFUND_STATUSES.has(refund.status ?? "") || !this.isThisLocation(refund.location_id)) continue;
      if (!this.inWindow(refund.created_at, what)) continue;
      const tender = REFUND_DESTINATION_TENDERS[refund.destination_type ?? ""] ?? "OTHER";
      addToBucket(this.refundsFromPages, tender, this.amount(refund.amount_money, what));
      for (const fee of refund.processing_fee ?? []) {
        this.refundFeesFromPages = sumMinor(this.refundFeesFromPages, this.amount(fee.amount_money, what));
      }
    }
  }

  finish(): SquareDayResult {
    const fromPayments = this.options.feesFrom === "payments";
    const fromRefundPages = this.options.refundsFrom === "payment-refunds";
    const summary: DailySummary = {
      ...this.summary,
      refunds: fromRefundPages ? this.refundsFromPages : this.refundsFromOrders,
      fees: sumMinor(
        fromPayments ? this.feesFromPayments : this.feesFromTenders,
        fromRefundPages ? this.refundFeesFromPages : this.refundFeesFromOrders,
      ),
    };
    const warnings = [...this.warningCounts.entries()].map(([code, { count, message }]) => ({
      code,
      message: message(count),
    }));
    return { summary: normaliseSummary(summary), warnings };
  }

  // An order's fields are read once each and handed on: a page's orders come in many shapes (which
  // fields Square includes), so each read of one is a megamorphic property load.
  private addOrder(order: SquareOrder): void {
    if (order.location_id !== this.options.locationId) return;
    const state = order.state;
    if (state === "CANCELED" || state === "DRAFT") return;
    const what = "an order";
    const closedAt = order.closed_at;
    const allTenders = order.tenders ?? NO_TENDERS;
    const tenders = countedTenders(allTenders);
    const paidAt = this.paidAt(order.net_amount_due_money, state, closedAt, tenders, what);
    if (paidAt !== null && this.inWindowMs(paidAt)) this.addSale(order, allTenders, tenders, what);
    this.addTenderFees(closedAt, tenders, what);
    const returns = order.returns;
    if (returns?.length && state === "COMPLETED" && this.inWindow(closedAt, what)) {
      for (const orderReturn of returns) this.addReturn(orderReturn, what);
    }
    if (this.options.refundsFrom !== "payment-refunds") this.addOrderRefunds(order.refunds, closedAt, what);
  }

  /** The instant an order was paid, or null while it is not (fully) paid. */
  private paidAt(
    netAmountDue: SquareMoney | null | undefined,
    state: SquareOrder["state"],
    closedAt: SquareOrder["closed_at"],
    tenders: readonly SquareTender[],
    what: string,
  ): number | null {
    const due = netAmountDue ? this.amount(netAmountDue, what) : null;
    const fullyPaid = due === 0 || (due === null && state === "COMPLETED");
    if (tenders.length > 0 && fullyPaid && tenders.every(hasCreatedAt)) {
      let latest = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < tenders.length; i++) latest = Math.max(latest, this.time(tenders[i]?.created_at, what));
      return latest;
    }
    if (state === "COMPLETED") return this.time(closedAt, what);
    return null;
  }

  private addSale(order: SquareOrder, allTenders: readonly SquareTender[], tenders: readonly SquareTender[], what: string): void {
    const s = this.summary;
    const taxes = order.taxes ?? NO_TAXES;
    const inclusive = anyInclusive(taxes);
    const onlyTaxName = onlyTaxNameOf(taxes);

    const lines = order.line_items;
    for (let i = 0; lines && i < lines.length; i++) {
      const line = lines[i] as SquareLineItem;
      const itemType = line.item_type;
      if (itemType === "GIFT_CARD") {
        s.giftCardSales = sumMinor(s.giftCardSales, this.amount(line.total_money, what));
        continue;
      }
      const category = this.categoryOfLine(itemType, line.catalog_object_id);
      const applied = line.applied_taxes;
      const totalTax = line.total_tax_money;
      this.exTax(line, line.gross_sales_money, applied, totalTax, taxes, inclusive, what);
      addToBucket(s.sales, category.id, this.lineGross);
      if (s.categoryNames[category.id] !== category.name) s.categoryNames[category.id] = category.name;
      s.discounts = sumMinor(s.discounts, this.lineDiscount);
      this.addTaxes(applied, totalTax, taxes, onlyTaxName, 1, what);
    }
    const charges = order.service_charges;
    for (let i = 0; charges && i < charges.length; i++) {
      this.addServiceCharge(charges[i] as SquareServiceCharge, taxes, inclusive, onlyTaxName, 1, what);
    }
    for (let i = 0; i < tenders.length; i++) {
      const tender = tenders[i] as SquareTender;
      addToBucket(s.payments, squareTenderKey(tender), this.amount(tender.amount_money, what));
      s.tips = sumMinor(s.tips, this.amount(tender.tip_money, what));
    }
    if (lines?.length || allTenders.length) {
      s.rounding = sumMinor(s.rounding, this.amount(order.rounding_adjustment?.amount_money, what));
    }
  }

  /**
   * Fees belong to the day each payment was taken (as ListPayments gives them), which for a split
   * payment straddling the day's end is not always the sale's day.
   */
  private addTenderFees(closedAt: SquareOrder["closed_at"], tenders: readonly SquareTender[], what: string): void {
    for (let i = 0; i < tenders.length; i++) {
      const tender = tenders[i] as SquareTender;
      const takenAt = tender.created_at ?? closedAt;
      if (takenAt && this.inWindow(takenAt, what)) {
        this.feesFromTenders = sumMinor(this.feesFromTenders, this.amount(tender.processing_fee_money, what));
      }
    }
  }

  private addReturn(orderReturn: NonNullable<SquareOrder["returns"]>[number], what: string): void {
    const s = this.summary;
    const taxes = orderReturn.return_taxes ?? NO_TAXES;
    const inclusive = anyInclusive(taxes);
    const onlyTaxName = onlyTaxNameOf(taxes);

    for (const line of orderReturn.return_line_items ?? []) {
      const itemType = line.item_type;
      if (itemType === "GIFT_CARD") {
        s.giftCardSales = sumMinor(s.giftCardSales, -this.amount(line.total_money, what));
        continue;
      }
      const category = this.categoryOfLine(itemType, line.catalog_object_id);
      const applied = line.applied_taxes;
      const totalTax = line.total_tax_money;
      this.exTax(line, line.gross_return_money, applied, totalTax, taxes, inclusive, what);
      addToBucket(s.returns, category.id, this.lineGross);
      s.categoryNames[category.id] = category.name;
      s.discounts = sumMinor(s.discounts, -this.lineDiscount);
      this.addTaxes(applied, totalTax, taxes, onlyTaxName, -1, what);
    }
    for (const charge of orderReturn.return_service_charges ?? []) {
      this.addServiceCharge(charge, taxes, inclusive, onlyTaxName, -1, what);
    }
    for (const tip of orderReturn.return_tips ?? []) {
      s.tips = sumMinor(s.tips, -this.amount(tip.applied_money, what));
    }
    s.rounding = sumMinor(s.rounding, -this.amount(orderReturn.rounding_adjustment?.amount_money, what));
  }

  private addOrderRefunds(refunds: SquareOrder["refunds"], closedAt: SquareOrder["closed_at"], what: string): void {
    for (const refund of refunds ?? []) {
      if (!COUNTED_ORDER_REFUND_STATUSES.has(refund.status)) continue;
      if (!this.inWindow(refund.created_at ?? closedAt, `${what}'s refund`)) continue;
      const tender = refund.tender_id ? this.options.tenderKeyOf?.(refund.tender_id) : undefined;
      if (!tender) {
        this.warn("unknown-refund-tender", (n) =>
          `${n} refund${n === 1 ? "" : "s"} named a tender daybook could not find; posted to the default tender account.`,
        );
      }
      addToBucket(this.refundsFromOrders, tender ?? "UNKNOWN", this.amount(refund.amount_money, what));
      this.refundFeesFromOrders = sumMinor(this.refundFeesFromOrders, -this.amount(refund.processing_fee_money, what));
    }
  }

  private addServiceCharge(
    charge: SquareServiceCharge,
    taxes: OrderTaxes,
    inclusive: boolean,
    onlyTaxName: string,
    sign: 1 | -1,
    what: string,
  ): void {
    const name = charge.name ?? DEFAULT_SERVICE_CHARGE_NAME;
    const tax = this.amount(charge.total_tax_money, what);
    // total_money = applied_money (inclusive tax within it) + additive tax, so total − all tax is the
    // charge itself, ex-tax either way; the tax goes to its tax lines.
    const inclusiveTax = inclusive ? sumMinor(...this.inclusiveTaxes(charge.applied_taxes, taxes, what).map((each) => each.amount)) : 0;
    const total = charge.total_money ? this.amount(charge.total_money, what) : this.amount(charge.applied_money, what) + tax - inclusiveTax;
    const isAutoGratuity = charge.type === "AUTO_GRATUITY" || (charge.type == null && this.autoGratuityNames.has(name));
    if (isAutoGratuity) this.autoGratuityNames.add(name);
    const buckets = isAutoGratuity ? this.summary.autoGratuities : this.summary.serviceCharges;
    addToBucket(buckets, name, sign * (total - tax));
    this.addTaxes(charge.applied_taxes, charge.total_tax_money, taxes, onlyTaxName, sign, what);
  }

  /** Tax by name from the applied taxes; any part of the total they leave unexplained goes by the order's tax. */
  private addTaxes(
    applied: SquareLineItem["applied_taxes"],
    total: SquareMoney | null | undefined,
    taxes: OrderTaxes,
    fallbackName: string,
    sign: 1 | -1,
    what: string,
  ): void {
    let allocated = 0;
    for (let i = 0; applied && i < applied.length; i++) {
      const tax = applied[i] as NonNullable<typeof applied>[number];
      const amount = this.amount(tax.applied_money, what);
      allocated = sumMinor(allocated, amount);
      addToBucket(this.summary.tax, taxNameOf(taxes, tax.tax_uid), sign * amount);
    }
    const unallocated = this.amount(total, what) - allocated;
    if (unallocated !== 0) addToBucket(this.summary.tax, fallbackName, sign * unallocated);
  }

  /**
   * A sold or returned line's gross and discount ex-tax (inclusive-tax.ts), into lineGross and
   * lineDiscount; lines without inclusive tax keep Square's. Every figure is read (and its currency
   * checked) either way.
   */
  private exTax(
    line: Pick<SquareLineItem, "total_discount_money" | "total_service_charge_money" | "total_money">,
    gross: SquareMoney | null | undefined,
    applied: SquareLineItem["applied_taxes"],
    totalTax: SquareMoney | null | undefined,
    taxes: OrderTaxes,
    anyInclusiveTax: boolean,
    what: string,
  ): void {
    const totalMoney = line.total_money;
    const included = anyInclusiveTax && totalMoney ? this.inclusiveTaxes(applied, taxes, what) : NO_INCLUSIVE_TAXES;
    const grossMinor = this.amount(gross, what);
    const discount = this.amount(line.total_discount_money, what);
    const total = this.amount(totalMoney, what);
    const tax = this.amount(totalTax, what);
    const serviceCharge = this.amount(line.total_service_charge_money, what);
    if (included.length === 0) {
      // Most lines have no tax included in their price: Square's figures stand (exTaxFigures would say so too).
      this.lineGross = grossMinor;
      this.lineDiscount = discount;
      return;
    }
    const exTax = exTaxFigures({ gross: grossMinor, discount, total, tax, serviceCharge, inclusive: included });
    this.lineGross = exTax.gross;
    this.lineDiscount = exTax.discount;
  }

  private inclusiveTaxes(
    applied: SquareLineItem["applied_taxes"],
    taxes: OrderTaxes,
    what: string,
  ): readonly { amount: number; percentage: string | null | undefined }[] {
    return (applied ?? []).flatMap((tax) => {
      const definition = taxByUid(taxes, tax.tax_uid);
      return definition?.type === "INCLUSIVE" ? [{ amount: this.amount(tax.applied_money, what), percentage: definition.percentage }] : [];
    });
  }

  private categoryOfLine(itemType: SquareLineItem["item_type"], catalogObjectId: SquareLineItem["catalog_object_id"]): CategoryRef {
    if (itemType === "CUSTOM_AMOUNT" || !catalogObjectId) return CUSTOM_AMOUNTS;
    const category = this.options.catalog.categoryOf(catalogObjectId);
    if (category) return category;
    this.warn("uncatalogued-item", (n) =>
      `${n} sold or returned line${n === 1 ? "" : "s"} named catalog items daybook could not find; counted as Uncategorized.`,
    );
    return UNCATEGORIZED;
  }

  private warn(code: Warning["code"], message: (count: number) => string): void {
    const entry = this.warningCounts.get(code);
    if (entry) entry.count += 1;
    else this.warningCounts.set(code, { count: 1, message });
  }

  private amount(money: SquareMoney | null | undefined, what: string): number {
    if (!money) return 0;
    if (money.currency && money.currency !== this.options.currency) {
      throw new SquareDataError(
        `${what} has an amount in ${money.currency}, but the location's currency is ${this.options.currency}`,
      );
    }
    return money.amount ?? 0;
  }

  private time(iso: string | null | undefined, what: string): number {
    // An order asks for its tender's time twice (when it was paid, and when its fee was taken): the last
    // answer is kept.
    if (iso === this.lastIso && iso) return this.lastMs;
    const ms = iso ? timestampMs(iso) : Number.NaN;
    if (Number.isNaN(ms)) throw new SquareDataError(`${what} is missing a readable timestamp (got ${String(iso)})`);
    this.lastIso = iso;
    this.lastMs = ms;
    return ms;
  }

  private inWindowMs(ms: number): boolean {
    return ms >= this.options.window.startMs && ms < this.options.window.endMs;
  }

  private inWindow(iso: string | null | undefined, what: string): boolean {
    return this.inWindowMs(this.time(iso, what));
  }

  private isThisLocation(locationId: string | null | undefined): boolean {
    return !locationId || locationId === this.options.locationId;
  }
}
