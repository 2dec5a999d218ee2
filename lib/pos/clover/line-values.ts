/**
 * What each line of a Clover order is worth, by Clover's own arithmetic (reference/clover.md §3.1 and
 * the SDK's OrderCalc), and what it is reported as: a sale in a category, a non-revenue item, or an
 * order fee (a service charge, or an auto-gratuity).
 *
 * - gross = price × unitQty / 1000 (price alone without unitQty), rounded half up, plus the line's
 *   modifications (or, when they were not expanded, priceWithModifiers − price);
 * - line discounts: the percentages (summed, at most 100%) of the gross first, then the amounts
 *   (negative in Clover, so a discount of −200 takes 200 off); never more than the gross;
 * - order discounts: the same on the subtotal of the sale lines after their line discounts, then
 *   spread over those lines in proportion to that value, exactly (largest remainder). Non-revenue
 *   lines, order fees and the replacement lines of an exchange take no share.
 */
import { largestRemainder, roundedShare } from "../../domain/apportion";
import type { CategoryRef } from "../category-ref";
import { CloverDataError } from "./errors";
import { type CloverDiscount, type CloverLineItem, type CloverOrder, elements } from "./schemas";

export type LineKind =
  | { type: "sale"; category: CategoryRef & { uncatalogued?: boolean } }
  | { type: "non-revenue"; name: string }
  | { type: "order-fee"; name: string; autoGratuity: boolean };

export interface LineValue {
  id: string;
  kind: LineKind;
  gross: number;
  /** Line discounts plus the line's share of the order discounts. */
  discount: number;
  /** gross − discount. */
  net: number;
  refunded: boolean;
  /** For a line given back in an exchange: the replacement's id and the time of the exchange. */
  exchange: { replacement: string; at: number } | undefined;
  /** A line that replaced an exchanged line: it is sold when the exchange happens, not before. */
  replacement: boolean;
}

/** percentageDecimal's scale: 100% = 1,000,000. */
const WHOLE = 1_000_000;

/** A discount's percentage in percentageDecimal units, or null for an amount discount. */
function percentOf(discount: CloverDiscount): number | null {
  if (discount.percentageDecimal != null) return discount.percentageDecimal;
  if (discount.percentage != null) return discount.percentage * 10_000;
  return null;
}

/** The discounts' total on `subtotal`: percentages first, then amounts; at most the subtotal. */
function discountOn(subtotal: number, discounts: readonly CloverDiscount[]): number {
  if (discounts.length === 0) return 0;
  let percent = 0;
  let amounts = 0;
  for (const discount of discounts) {
    const p = percentOf(discount);
    if (p !== null) percent += p;
    else amounts -= discount.amount ?? 0;
  }
  percent = Math.min(Math.max(percent, 0), WHOLE);
  const total = roundedShare(subtotal, percent, WHOLE) + amounts;
  return subtotal >= 0 ? Math.min(total, subtotal) : total;
}

function grossOf(line: CloverLineItem): number {
  const price = line.price ?? 0;
  const base = line.unitQty == null ? price : roundedShare(price, line.unitQty, 1000);
  const modifications = line.modifications?.elements
    ? line.modifications.elements.reduce((sum, m) => sum + (m.amount ?? 0), 0)
    : line.priceWithModifiers != null ? line.priceWithModifiers - price : 0;
  return base + modifications;
}

/** The category of a sale line; `uncatalogued` when the line names an item the item pages do not hold. */
export type CategoryOfLine = (line: CloverLineItem) => CategoryRef & { uncatalogued?: boolean };

/** A sale line's kind by its category (one object per category, not per line: kinds are only read). */
const saleKinds = new WeakMap<CategoryRef, LineKind>();

function saleKind(category: CategoryRef & { uncatalogued?: boolean }): LineKind {
  let kind = saleKinds.get(category);
  if (!kind) saleKinds.set(category, (kind = { type: "sale", category }));
  return kind;
}

function kindOf(line: CloverLineItem, categoryOf: CategoryOfLine): LineKind {
  if (line.isOrderFee) {
    return { type: "order-fee", name: line.name ?? "Order fee", autoGratuity: line.orderFeeType === "AUTO_GRATUITY" };
  }
  if (line.isRevenue === false) return { type: "non-revenue", name: line.name ?? "Non-revenue item" };
  return saleKind(categoryOf(line));
}

/**
 * An exchange: a line with `exchanged: true` whose `exchangedLineItem` names another line of the
 * order, its replacement. The exchange happened when the replacement was created.
 */
function exchangesOf(order: CloverOrder, lines: readonly CloverLineItem[]): Map<string, { replacement: string; at: number }> | undefined {
  // Most orders have no exchange: nothing to index.
  if (!lines.some((line) => line.exchanged)) return undefined;
  const byId = new Map(lines.map((line) => [line.id, line]));
  const exchanges = new Map<string, { replacement: string; at: number }>();
  for (const line of lines) {
    const replacement = line.exchanged ? byId.get(line.exchangedLineItem?.id ?? "") : undefined;
    if (!replacement || replacement.id === line.id) continue;
    if (replacement.createdTime == null) {
      throw new CloverDataError(
        "an order has an exchange whose replacement line has no createdTime, so daybook cannot tell when the exchange happened",
      );
    }
    exchanges.set(line.id, { replacement: replacement.id, at: replacement.createdTime });
  }
  return exchanges;
}

export function lineValues(order: CloverOrder, categoryOf: CategoryOfLine): LineValue[] {
  const lines = elements(order.lineItems);
  const exchanges = exchangesOf(order, lines);
  const replacements = exchanges ? new Set([...exchanges.values()].map((e) => e.replacement)) : undefined;
  const values = lines.map((line): LineValue => {
    const gross = grossOf(line);
    const discount = discountOn(gross, elements(line.discounts));
    return {
      id: line.id, kind: kindOf(line, categoryOf), gross, discount, net: gross - discount,
      refunded: line.refunded ?? false, exchange: exchanges?.get(line.id), replacement: replacements?.has(line.id) ?? false,
    };
  });

  const orderDiscounts = elements(order.discounts);
  if (orderDiscounts.length === 0) return values;
  const discounted = values.filter((line) => line.kind.type === "sale" && !line.replacement);
  if (discounted.length > 0) {
    const subtotal = discounted.reduce((sum, line) => sum + line.net, 0);
    const shares = largestRemainder(discountOn(subtotal, orderDiscounts), discounted.map((line) => line.net));
    discounted.forEach((line, i) => {
      line.discount += shares[i] ?? 0;
      line.net = line.gross - line.discount;
    });
  }
  return values;
}
