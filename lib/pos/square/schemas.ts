/**
 * The parts of Square's API response bodies that daybook reads (snake_case, as on the wire), checked
 * with zod. Only the fields the summariser uses are declared; others are dropped on parse. Field names
 * and types follow ../shared/specs/square/api.json (release 2025-08-20).
 */
import * as z from "zod/mini";

const optional = <T extends z.core.SomeType>(schema: T) => z.optional(z.nullable(schema));

export const moneySchema = z.object({
  amount: optional(z.int()),
  currency: optional(z.string()),
});
export type SquareMoney = z.infer<typeof moneySchema>;

const money = optional(moneySchema);

const appliedTaxSchema = z.object({ tax_uid: z.string(), applied_money: money });

export const lineItemSchema = z.object({
  uid: optional(z.string()),
  name: optional(z.string()),
  quantity: z.string(),
  catalog_object_id: optional(z.string()),
  item_type: optional(z.string()),
  applied_taxes: optional(z.array(appliedTaxSchema)),
  gross_sales_money: money,
  total_discount_money: money,
  total_tax_money: money,
  total_service_charge_money: money,
  total_money: money,
});

const taxSchema = z.object({
  uid: optional(z.string()),
  name: optional(z.string()),
  type: optional(z.string()),
  /** A decimal number of percent, e.g. "20" or "7.25". */
  percentage: optional(z.string()),
  applied_money: money,
});
export type SquareTax = z.infer<typeof taxSchema>;

const serviceChargeSchema = z.object({
  uid: optional(z.string()),
  name: optional(z.string()),
  type: optional(z.string()),
  applied_money: money,
  total_money: money,
  total_tax_money: money,
  applied_taxes: optional(z.array(appliedTaxSchema)),
});

const tenderSchema = z.object({
  id: optional(z.string()),
  created_at: optional(z.string()),
  type: z.string(),
  note: optional(z.string()),
  amount_money: money,
  tip_money: money,
  processing_fee_money: money,
  card_details: optional(z.object({ status: optional(z.string()) })),
});

const orderRefundSchema = z.object({
  id: z.string(),
  tender_id: optional(z.string()),
  created_at: optional(z.string()),
  status: z.string(),
  amount_money: moneySchema,
  processing_fee_money: money,
});

const returnLineItemSchema = z.object({
  quantity: z.string(),
  catalog_object_id: optional(z.string()),
  item_type: optional(z.string()),
  applied_taxes: optional(z.array(appliedTaxSchema)),
  gross_return_money: money,
  total_discount_money: money,
  total_tax_money: money,
  total_service_charge_money: money,
  total_money: money,
});

const orderReturnSchema = z.object({
  return_line_items: optional(z.array(returnLineItemSchema)),
  return_service_charges: optional(z.array(serviceChargeSchema)),
  return_taxes: optional(z.array(taxSchema)),
  return_tips: optional(z.array(z.object({ applied_money: money }))),
  rounding_adjustment: optional(z.object({ amount_money: money })),
});

export const orderSchema = z.object({
  id: optional(z.string()),
  location_id: z.string(),
  state: optional(z.string()),
  closed_at: optional(z.string()),
  line_items: optional(z.array(lineItemSchema)),
  taxes: optional(z.array(taxSchema)),
  service_charges: optional(z.array(serviceChargeSchema)),
  returns: optional(z.array(orderReturnSchema)),
  rounding_adjustment: optional(z.object({ amount_money: money })),
  tenders: optional(z.array(tenderSchema)),
  refunds: optional(z.array(orderRefundSchema)),
  total_money: money,
  net_amount_due_money: money,
});
export type SquareOrder = z.infer<typeof orderSchema>;
export type SquareLineItem = z.infer<typeof lineItemSchema>;
export type SquareReturnLineItem = z.infer<typeof returnLineItemSchema>;
export type SquareServiceCharge = z.infer<typeof serviceChargeSchema>;
export type SquareTender = z.infer<typeof tenderSchema>;

const errorsSchema = optional(
  z.array(z.object({ category: z.string(), code: z.string(), detail: optional(z.string()) })),
);

/** An order page is parsed shallowly; each order is checked on its own so one bad order is named. */
export const searchOrdersPageSchema = z.object({
  orders: optional(z.array(z.unknown())),
  cursor: optional(z.string()),
  errors: errorsSchema,
});

const catalogObjectCategorySchema = z.object({ id: z.string() });

export const catalogObjectSchema = z.object({
  type: z.string(),
  id: z.string(),
  is_deleted: optional(z.boolean()),
  item_data: optional(
    z.object({
      name: optional(z.string()),
      reporting_category: optional(catalogObjectCategorySchema),
      categories: optional(z.array(catalogObjectCategorySchema)),
      category_id: optional(z.string()),
    }),
  ),
  item_variation_data: optional(z.object({ item_id: optional(z.string()) })),
  category_data: optional(z.object({ name: optional(z.string()) })),
});
export type SquareCatalogObject = z.infer<typeof catalogObjectSchema>;

export const batchRetrieveCatalogPageSchema = z.object({
  objects: optional(z.array(catalogObjectSchema)),
  related_objects: optional(z.array(catalogObjectSchema)),
  errors: errorsSchema,
});

const processingFeeSchema = z.object({ type: optional(z.string()), amount_money: money });

export const paymentSchema = z.object({
  id: optional(z.string()),
  created_at: optional(z.string()),
  status: optional(z.string()),
  location_id: optional(z.string()),
  processing_fee: optional(z.array(processingFeeSchema)),
});

export const listPaymentsPageSchema = z.object({
  payments: optional(z.array(paymentSchema)),
  cursor: optional(z.string()),
  errors: errorsSchema,
});

export const paymentRefundSchema = z.object({
  id: z.string(),
  status: optional(z.string()),
  location_id: optional(z.string()),
  destination_type: optional(z.string()),
  amount_money: moneySchema,
  processing_fee: optional(z.array(processingFeeSchema)),
  created_at: optional(z.string()),
});

export const listRefundsPageSchema = z.object({
  refunds: optional(z.array(paymentRefundSchema)),
  cursor: optional(z.string()),
  errors: errorsSchema,
});

/** RetrieveLocation: what the sync needs of a location. */
export const retrieveLocationSchema = z.object({
  location: optional(
    z.object({
      id: optional(z.string()),
      name: optional(z.string()),
      timezone: optional(z.string()),
      currency: optional(z.string()),
      status: optional(z.string()),
    }),
  ),
  errors: errorsSchema,
});
