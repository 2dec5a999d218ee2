/**
 * The parts of Clover's REST v3 bodies that the summariser reads (camelCase, as on the wire), checked
 * with zod. Only the fields daybook uses are declared; others are dropped on parse. Names, types and
 * units follow reference/clover-fields.txt (Clover's SDK model): money in integer minor units,
 * times in epoch milliseconds, discount amounts negative, tax rates with 100% = 10,000,000, unitQty in
 * thousandths, percentageDecimal = percent × 10,000.
 *
 * Every list, and every expanded nested collection, comes as `{elements: [...]}` (reference/clover.md
 * §2.1). A nested envelope without `elements` (a collection Clover did not expand) reads as empty.
 */
import * as z from "zod/mini";

const optional = <T extends z.core.SomeType>(schema: T) => z.optional(z.nullable(schema));
const elementsOf = <T extends z.core.SomeType>(schema: T) => optional(z.object({ elements: optional(z.array(schema)) }));
const reference = optional(z.object({ id: optional(z.string()) }));
const money = z.int();
const time = z.int();

const tenderSchema = z.object({
  id: optional(z.string()),
  label: optional(z.string()),
  labelKey: optional(z.string()),
});
export type CloverTender = z.infer<typeof tenderSchema>;

/** Discount.amount is negative; a percentage discount carries percentage (plain percent) or percentageDecimal. */
const discountSchema = z.object({
  id: optional(z.string()),
  name: optional(z.string()),
  amount: optional(money),
  percentage: optional(z.int()),
  percentageDecimal: optional(z.int()),
});
export type CloverDiscount = z.infer<typeof discountSchema>;

const modificationSchema = z.object({ id: optional(z.string()), name: optional(z.string()), amount: optional(money) });

const lineTaxRateSchema = z.object({ id: optional(z.string()), name: optional(z.string()), rate: optional(z.int()) });

/** Payment.taxRates, Refund.taxableAmountRates and Credit.taxRates: the tax of one rate within a transaction. */
const taxAmountRateSchema = z.object({
  id: optional(z.string()),
  name: optional(z.string()),
  rate: optional(z.int()),
  taxAmount: optional(money),
});
export type CloverTaxAmountRate = z.infer<typeof taxAmountRateSchema>;

export const lineItemSchema = z.object({
  id: z.string(),
  item: reference,
  name: optional(z.string()),
  price: optional(money),
  unitQty: optional(z.int()),
  priceWithModifiers: optional(money),
  createdTime: optional(time),
  isRevenue: optional(z.boolean()),
  isOrderFee: optional(z.boolean()),
  orderFeeType: optional(z.string()),
  refunded: optional(z.boolean()),
  exchanged: optional(z.boolean()),
  exchangedLineItem: reference,
  modifications: elementsOf(modificationSchema),
  discounts: elementsOf(discountSchema),
  taxRates: elementsOf(lineTaxRateSchema),
});
export type CloverLineItem = z.infer<typeof lineItemSchema>;

const serviceChargeAmountSchema = z.object({ id: optional(z.string()), name: optional(z.string()), amount: optional(money) });
const additionalChargeSchema = z.object({ id: optional(z.string()), type: optional(z.string()), amount: optional(money) });
export type CloverAdditionalCharge = z.infer<typeof additionalChargeSchema>;

export const paymentSchema = z.object({
  id: z.string(),
  tender: optional(tenderSchema),
  /** Includes tax and service charge; excludes the tip and additional charges. */
  amount: money,
  tipAmount: optional(money),
  taxAmount: optional(money),
  /** Cash handed to the customer with a debit card payment: charged to the card, outside `amount`. */
  cashbackAmount: optional(money),
  createdTime: time,
  result: z.string(),
  serviceCharge: optional(serviceChargeAmountSchema),
  additionalCharges: elementsOf(additionalChargeSchema),
  taxRates: elementsOf(taxAmountRateSchema),
  /** Percent (0–100) of each line item this payment covers, keyed by the line item's id. */
  lineItemPayments: elementsOf(z.object({ id: z.string(), percentage: optional(z.int()) })),
});
export type CloverPayment = z.infer<typeof paymentSchema>;

export const refundSchema = z.object({
  id: z.string(),
  payment: reference,
  overrideMerchantTender: optional(tenderSchema),
  /** Includes tax, tip and service charge. */
  amount: money,
  taxAmount: optional(money),
  tipAmount: optional(money),
  createdTime: time,
  voided: optional(z.boolean()),
  status: optional(z.string()),
  lineItems: elementsOf(z.object({ id: z.string() })),
  taxableAmountRates: elementsOf(taxAmountRateSchema),
  serviceChargeAmount: optional(serviceChargeAmountSchema),
  additionalCharges: elementsOf(additionalChargeSchema),
});
export type CloverRefund = z.infer<typeof refundSchema>;

export const creditSchema = z.object({
  id: z.string(),
  tender: optional(tenderSchema),
  /** Includes tax. */
  amount: money,
  taxAmount: optional(money),
  createdTime: time,
  voided: optional(z.boolean()),
  result: optional(z.string()),
  taxRates: elementsOf(taxAmountRateSchema),
});
export type CloverCredit = z.infer<typeof creditSchema>;

export const orderSchema = z.object({
  id: z.string(),
  currency: optional(z.string()),
  testMode: optional(z.boolean()),
  lineItems: elementsOf(lineItemSchema),
  discounts: elementsOf(discountSchema),
  serviceCharge: optional(z.object({ id: optional(z.string()), name: optional(z.string()), isAutoApplied: optional(z.boolean()) })),
  payments: elementsOf(paymentSchema),
  refunds: elementsOf(refundSchema),
  credits: elementsOf(creditSchema),
});
export type CloverOrder = z.infer<typeof orderSchema>;

/** A list page is parsed shallowly; each element is checked on its own so that one bad order or item is named. */
export const listPageSchema = z.object({ elements: z.array(z.unknown()), href: optional(z.string()) });

const categorySchema = z.object({
  id: z.string(),
  name: optional(z.string()),
  sortOrder: optional(z.int()),
  deleted: optional(z.boolean()),
});
export type CloverCategory = z.infer<typeof categorySchema>;

export const itemSchema = z.object({
  id: z.string(),
  name: optional(z.string()),
  categories: elementsOf(categorySchema),
});

const NO_ELEMENTS: readonly never[] = Object.freeze([]);

/** The elements of an optional `{elements}` envelope, or none (one shared empty list: most envelopes of an order are missing). */
export function elements<T>(envelope: { elements?: T[] | null } | null | undefined): readonly T[] {
  return envelope?.elements ?? NO_ELEMENTS;
}
