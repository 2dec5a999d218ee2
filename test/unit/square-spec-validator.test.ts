import { describe, expect, it } from "vitest";
import { squareSpecProblems } from "../support/square-spec.js";

/** A fresh minimal valid SearchOrdersResponse each call, so tests can mutate it. */
function searchOrders(): { orders: Record<string, unknown>[] } {
  return {
    orders: [{ location_id: "L1", line_items: [{ quantity: "1", base_price_money: { amount: 100, currency: "USD" } }] }],
  };
}

function firstOrder(body: { orders: Record<string, unknown>[] }): Record<string, unknown> {
  return body.orders[0]!;
}

function firstLineItem(body: { orders: Record<string, unknown>[] }): Record<string, unknown> {
  return (firstOrder(body)["line_items"] as Record<string, unknown>[])[0]!;
}

describe("squareSpecProblems – SearchOrdersResponse", () => {
  it("accepts a minimal valid response", () => {
    expect(squareSpecProblems("SearchOrdersResponse", searchOrders())).toEqual([]);
  });

  it("accepts null where the spec marks a field nullable (OrderLineItem.note, Order.line_items)", () => {
    const body = searchOrders();
    firstLineItem(body)["note"] = null;
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual([]);
    expect(squareSpecProblems("SearchOrdersResponse", { orders: [{ location_id: "L1", line_items: null }] })).toEqual([]);
  });

  it("rejects an order without location_id", () => {
    const body = searchOrders();
    delete firstOrder(body)["location_id"];
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual(["/orders/0: must have required property 'location_id'"]);
  });

  it("rejects a money amount given as a string", () => {
    const body = searchOrders();
    firstLineItem(body)["base_price_money"] = { amount: "100", currency: "USD" };
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual([
      "/orders/0/line_items/0/base_price_money/amount: must be integer,null",
    ]);
  });

  it("rejects an unknown tender type", () => {
    const body = searchOrders();
    firstOrder(body)["tenders"] = [{ type: "BITCOIN", amount_money: { amount: 100, currency: "USD" } }];
    const problems = squareSpecProblems("SearchOrdersResponse", body);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/orders\/0\/tenders\/0\/type: must be equal to one of the allowed values .*"BITCOIN"/);
  });

  it("rejects total_money: null (Order.total_money is not nullable in the spec)", () => {
    const body = searchOrders();
    firstOrder(body)["total_money"] = null;
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual(["/orders/0/total_money: must be object"]);
  });

  it("rejects a misspelled field (strict additionalProperties)", () => {
    const body = searchOrders();
    firstOrder(body)["totla_money"] = { amount: 100, currency: "USD" };
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual([
      "/orders/0: must NOT have additional properties (totla_money)",
    ]);
  });

  it("rejects a line item without quantity", () => {
    const body = searchOrders();
    delete firstLineItem(body)["quantity"];
    expect(squareSpecProblems("SearchOrdersResponse", body)).toEqual([
      "/orders/0/line_items/0: must have required property 'quantity'",
    ]);
  });

  it("reports every problem at once", () => {
    const body = searchOrders();
    delete firstOrder(body)["location_id"];
    delete firstLineItem(body)["quantity"];
    expect(squareSpecProblems("SearchOrdersResponse", body)).toHaveLength(2);
  });
});

describe("squareSpecProblems – other responses", () => {
  it("accepts a BatchRetrieveCatalogObjectsResponse with ITEM_VARIATION, ITEM and CATEGORY", () => {
    const body = {
      objects: [
        {
          type: "ITEM_VARIATION",
          id: "VAR_LATTE_LARGE",
          version: 1741975200000,
          is_deleted: false,
          present_at_all_locations: true,
          item_variation_data: {
            item_id: "ITEM_LATTE",
            name: "Large",
            pricing_type: "FIXED_PRICING",
            price_money: { amount: 450, currency: "USD" },
          },
        },
      ],
      related_objects: [
        {
          type: "ITEM",
          id: "ITEM_LATTE",
          version: 1741975200000,
          is_deleted: false,
          item_data: { name: "Latte", reporting_category: { id: "CAT_BEVERAGES", ordinal: 0 } },
        },
        {
          type: "CATEGORY",
          id: "CAT_BEVERAGES",
          version: 1741975200000,
          is_deleted: false,
          category_data: { name: "Beverages" },
        },
      ],
    };
    expect(squareSpecProblems("BatchRetrieveCatalogObjectsResponse", body)).toEqual([]);
  });

  it("accepts a ListPaymentsResponse with processing_fee and risk_evaluation", () => {
    const body = {
      payments: [
        {
          id: "PAY_1",
          created_at: "2025-03-14T18:03:39.000Z",
          updated_at: "2025-03-14T18:03:41.000Z",
          amount_money: { amount: 1221, currency: "USD" },
          tip_money: { amount: 200, currency: "USD" },
          total_money: { amount: 1421, currency: "USD" },
          processing_fee: [
            { effective_at: "2025-03-14T20:03:41.000Z", type: "INITIAL", amount_money: { amount: 52, currency: "USD" } },
          ],
          status: "COMPLETED",
          source_type: "CARD",
          location_id: "L1",
          order_id: "ORDER_1",
          // The spec's RiskEvaluation requires an undeclared `status`; the helper drops such `required` names.
          risk_evaluation: { created_at: "2025-03-14T18:03:40.000Z", risk_level: "NORMAL" },
        },
      ],
      cursor: "next-page",
    };
    expect(squareSpecProblems("ListPaymentsResponse", body)).toEqual([]);
  });

  it("accepts a ListPaymentRefundsResponse with a refund", () => {
    const body = {
      refunds: [
        {
          id: "REFUND_1",
          status: "COMPLETED",
          location_id: "L1",
          amount_money: { amount: 439, currency: "USD" },
          processing_fee: [
            { effective_at: "2025-03-15T12:00:00.000Z", type: "INITIAL", amount_money: { amount: -11, currency: "USD" } },
          ],
          payment_id: "PAY_1",
          order_id: "ORDER_RETURN_1",
          reason: "Returned latte",
          created_at: "2025-03-15T11:58:00.000Z",
          updated_at: "2025-03-15T12:00:00.000Z",
        },
      ],
    };
    expect(squareSpecProblems("ListPaymentRefundsResponse", body)).toEqual([]);
  });

  it("rejects a refund without its required amount_money", () => {
    expect(squareSpecProblems("ListPaymentRefundsResponse", { refunds: [{ id: "REFUND_1" }] })).toEqual([
      "/refunds/0: must have required property 'amount_money'",
    ]);
  });

  it("throws for a schema name the spec does not define", () => {
    expect(() => squareSpecProblems("NoSuchSchema", {})).toThrow(/NoSuchSchema/);
  });
});
