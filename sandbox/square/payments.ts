/**
 * Payments and refunds, derived from the stored orders the way Square links them (reference/square.md
 * §2.5, §2.6): each tender of an order is a Payment with the tender's id, and each refund on a return
 * order is a PaymentRefund of the refunded tender's payment. Then ListPayments (GET /v2/payments) and
 * ListPaymentRefunds (GET /v2/refunds) over them.
 */
import { invalidRequest, unauthorized } from "./api-error";
import { type CursorCodec, pageAfter, queryFingerprint, SortedResults, sortedEntries, type SortOrder } from "./paging";
import { enumValue, isObject, type JsonObject, optionalTimestamp, checkTimeRange } from "./request-checks";
import type { FeeAdjustment, OrderBody, SquareData } from "./store";

interface Money {
  amount: number;
  currency: string;
}

const SOURCE_TYPE_OF_TENDER: Readonly<Record<string, string>> = {
  CARD: "CARD", SQUARE_GIFT_CARD: "CARD", CASH: "CASH", WALLET: "WALLET", BANK_ACCOUNT: "BANK_ACCOUNT",
  BUY_NOW_PAY_LATER: "BUY_NOW_PAY_LATER", SQUARE_ACCOUNT: "SQUARE_ACCOUNT", THIRD_PARTY_CARD: "EXTERNAL", OTHER: "EXTERNAL",
};
const PAYMENT_REFUND_STATUS: Readonly<Record<string, string>> = {
  APPROVED: "COMPLETED", PENDING: "PENDING", REJECTED: "REJECTED", FAILED: "FAILED",
};
const YEAR_MS = 365 * 86_400_000;

function moneyOf(value: unknown): Money | undefined {
  if (!isObject(value) || typeof value["amount"] !== "number" || typeof value["currency"] !== "string") return undefined;
  return { amount: value["amount"], currency: value["currency"] };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function objectsOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

const latest = (...isos: string[]): string => isos.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));

interface Derived {
  payments: JsonObject[];
  refunds: JsonObject[];
}

interface TenderRef {
  order: OrderBody;
  tender: JsonObject;
}

function paymentStatus(order: OrderBody, tender: JsonObject): string {
  const cardStatus = isObject(tender["card_details"]) ? tender["card_details"]["status"] : undefined;
  if (cardStatus === "FAILED") return "FAILED";
  if (order["state"] === "CANCELED" || cardStatus === "VOIDED") return "CANCELED";
  if (cardStatus === "AUTHORIZED") return "APPROVED";
  return "COMPLETED";
}

/** The payment-method details the Payment carries for each source type. */
function paymentDetails(tender: JsonObject, status: string, total: Money): JsonObject {
  const type = stringOf(tender["type"]) ?? "OTHER";
  const card = isObject(tender["card_details"]) ? tender["card_details"] : undefined;
  switch (SOURCE_TYPE_OF_TENDER[type]) {
    case "CARD":
      return {
        card_details: {
          status: stringOf(card?.["status"]) ?? "CAPTURED",
          ...(isObject(card?.["card"]) ? { card: card["card"] } : {}),
          ...(typeof card?.["entry_method"] === "string" ? { entry_method: card["entry_method"] } : {}),
        },
      };
    case "CASH": {
      const cash = isObject(tender["cash_details"]) ? tender["cash_details"] : {};
      const change = moneyOf(cash["change_back_money"]);
      return { cash_details: { buyer_supplied_money: moneyOf(cash["buyer_tendered_money"]) ?? total, ...(change ? { change_back_money: change } : {}) } };
    }
    case "WALLET":
      return { wallet_details: { status: status === "COMPLETED" ? "CAPTURED" : "VOIDED" } };
    case "EXTERNAL":
      return { external_details: { type: type === "THIRD_PARTY_CARD" ? "CARD" : "OTHER", source: "Recorded at the point of sale" } };
    default:
      return {};
  }
}

function paymentOf(ref: TenderRef, refunds: readonly JsonObject[], adjustments: readonly FeeAdjustment[]): JsonObject | undefined {
  const { order, tender } = ref;
  const id = stringOf(tender["id"]);
  const total = moneyOf(tender["amount_money"]);
  if (!id || !total || tender["type"] === "NO_SALE") return undefined;
  const createdAt = stringOf(tender["created_at"]) ?? stringOf(order["created_at"]) ?? new Date(0).toISOString();
  const tip = moneyOf(tender["tip_money"]);
  const fee = moneyOf(tender["processing_fee_money"]);
  const status = paymentStatus(order, tender);
  const currency = total.currency;
  const processingFees = status === "COMPLETED"
    ? [
        ...(fee ? [{ effective_at: createdAt, type: "INITIAL", amount_money: fee }] : []),
        ...adjustments.map((adjustment) => ({ effective_at: adjustment.effectiveAt, type: "ADJUSTMENT", amount_money: { amount: adjustment.amount, currency } })),
      ]
    : [];
  const refunded = refunds.reduce((sum, refund) => sum + (moneyOf(refund["amount_money"])?.amount ?? 0), 0);
  return {
    id,
    created_at: createdAt,
    updated_at: latest(createdAt, ...adjustments.map((a) => a.effectiveAt), ...refunds.map((r) => stringOf(r["created_at"]) ?? createdAt)),
    amount_money: { amount: total.amount - (tip?.amount ?? 0), currency },
    ...(tip ? { tip_money: tip } : {}),
    total_money: total,
    approved_money: total,
    ...(processingFees.length ? { processing_fee: processingFees } : {}),
    ...(refunds.length ? { refunded_money: { amount: refunded, currency }, refund_ids: refunds.map((r) => String(r["id"])) } : {}),
    status,
    source_type: SOURCE_TYPE_OF_TENDER[stringOf(tender["type"]) ?? ""] ?? "EXTERNAL",
    ...paymentDetails(tender, status, total),
    location_id: order.location_id,
    order_id: order.id,
  };
}

function paymentRefundOf(order: OrderBody, refund: JsonObject, tenders: ReadonlyMap<string, TenderRef>): JsonObject | undefined {
  const id = stringOf(refund["id"]);
  const amount = moneyOf(refund["amount_money"]);
  if (!id || !amount) return undefined;
  const createdAt = stringOf(refund["created_at"]) ?? stringOf(order["closed_at"]) ?? stringOf(order["created_at"]) ?? new Date(0).toISOString();
  const tenderId = stringOf(refund["tender_id"]);
  const refunded = tenderId ? tenders.get(tenderId) : undefined;
  const fee = moneyOf(refund["processing_fee_money"]);
  return {
    id,
    status: PAYMENT_REFUND_STATUS[stringOf(refund["status"]) ?? ""] ?? "PENDING",
    location_id: stringOf(refund["location_id"]) ?? order.location_id,
    ...(refunded ? { destination_type: stringOf(refunded.tender["type"]) ?? "OTHER" } : { unlinked: true }),
    amount_money: amount,
    ...(fee ? { processing_fee: [{ effective_at: createdAt, type: "INITIAL", amount_money: { amount: -fee.amount, currency: fee.currency } }] } : {}),
    ...(tenderId ? { payment_id: tenderId } : {}),
    order_id: order.id,
    ...(typeof refund["reason"] === "string" ? { reason: refund["reason"] } : {}),
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/** Derivations per store and merchant, valid while the store's revision is unchanged. */
const derivedCache = new WeakMap<SquareData, Map<string, { revision: number; derived: Derived }>>();

/** Every payment and refund of a merchant, derived from its orders (once per change, not per page). */
export function derivePayments(data: SquareData, merchantId: string): Derived {
  const perMerchant = derivedCache.get(data) ?? new Map<string, { revision: number; derived: Derived }>();
  derivedCache.set(data, perMerchant);
  const cached = perMerchant.get(merchantId);
  if (cached?.revision === data.revision) return cached.derived;
  const derived = deriveAll(data, merchantId);
  perMerchant.set(merchantId, { revision: data.revision, derived });
  return derived;
}

function deriveAll(data: SquareData, merchantId: string): Derived {
  const orders = data.ordersAt(new Set(data.locationsOf(merchantId).map((location) => location.id)));
  const tenders = new Map<string, TenderRef>();
  for (const order of orders) {
    for (const tender of objectsOf(order["tenders"])) {
      const id = stringOf(tender["id"]);
      if (id) tenders.set(id, { order, tender });
    }
  }
  const refunds: JsonObject[] = [];
  const refundsOfPayment = new Map<string, JsonObject[]>();
  for (const order of orders) {
    for (const refund of objectsOf(order["refunds"])) {
      const derived = paymentRefundOf(order, refund, tenders);
      if (!derived) continue;
      refunds.push(derived);
      const paymentId = stringOf(derived["payment_id"]);
      if (paymentId && derived["status"] !== "REJECTED" && derived["status"] !== "FAILED") {
        refundsOfPayment.set(paymentId, [...(refundsOfPayment.get(paymentId) ?? []), derived]);
      }
    }
  }
  const payments = [...tenders.entries()].flatMap(([id, ref]) => {
    const payment = paymentOf(ref, refundsOfPayment.get(id) ?? [], data.feeAdjustmentsOf(id));
    return payment ? [payment] : [];
  });
  return { payments, refunds };
}

interface ListQuery {
  locationIds: Set<string>;
  beginMs: number;
  endMs: number;
  sortOrder: SortOrder;
  sortField: "CREATED_AT" | "UPDATED_AT";
  limit: number;
  filters: Readonly<Record<string, string>>;
}

/** How a list endpoint's query is read: its own filters, which locations it lists by default, and whether it sorts by a chosen field. */
export interface ListOptions {
  extraParams: readonly string[];
  defaultLocations: "main" | "all";
  /** ListPayments and ListPaymentRefunds take `sort_field`; ListPayouts does not. Default true. */
  sortField?: boolean;
}

/** ListPayments' and ListPaymentRefunds' filter by updated_at (both ends included; the end defaults to now). */
const UPDATED_AT_PARAMS = ["updated_at_begin_time", "updated_at_end_time"];
const LIST_PARAMS = ["begin_time", "end_time", "sort_order", "cursor", "location_id", "limit"];

/** `limit`: at least 1; above 100 Square ignores it and uses 100, its default. */
export function listLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  if (!/^-?\d+$/.test(text)) throw invalidRequest("EXPECTED_INTEGER", "Expected `limit` to be an integer.", "limit");
  const parsed = Number(text);
  if (parsed < 1) throw invalidRequest("VALUE_TOO_LOW", `\`limit\` must be at least 1; got ${parsed}.`, "limit");
  // "If the provided value is greater than 100, it is ignored and the default value is used instead."
  return parsed > 100 ? 100 : parsed;
}

function parseListQuery(
  params: Readonly<Record<string, string>>,
  data: SquareData,
  merchantId: string,
  pinnedNow: number,
  options: ListOptions,
): ListQuery {
  const known = [...LIST_PARAMS, ...(options.sortField === false ? [] : ["sort_field"]), ...options.extraParams];
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) {
      throw invalidRequest("UNKNOWN_QUERY_PARAMETER", `Unrecognized (or, in this simulator, unsupported) query parameter \`${name}\`.`, name);
    }
  }
  const locationId = params["location_id"];
  let locationIds: string[];
  if (locationId) {
    if (data.location(locationId)?.merchantId !== merchantId) {
      throw unauthorized(`This access token is not authorized for location ${locationId}.`);
    }
    locationIds = [locationId];
  } else {
    locationIds = options.defaultLocations === "main"
      ? [data.mainLocationOf(merchantId).id]
      : data.locationsOf(merchantId).map((location) => location.id);
  }
  const beginMs = optionalTimestamp(params["begin_time"], "begin_time") ?? pinnedNow - YEAR_MS;
  const endMs = optionalTimestamp(params["end_time"], "end_time") ?? pinnedNow;
  checkTimeRange(beginMs, endMs, "begin_time");
  const sortOrder = params["sort_order"] === undefined ? "DESC" : enumValue(params["sort_order"], ["ASC", "DESC"] as const, "sort_order");
  const sortField = params["sort_field"] === undefined ? "CREATED_AT" : enumValue(params["sort_field"], ["CREATED_AT", "UPDATED_AT"] as const, "sort_field");
  const limit = listLimit(params["limit"]);
  const filters = Object.fromEntries(options.extraParams.flatMap((name) => (params[name] === undefined ? [] : [[name, params[name]]])));
  return { locationIds: new Set(locationIds), beginMs, endMs, sortOrder, sortField, limit, filters };
}

const listResults = new SortedResults();

/**
 * One page of a list endpoint over items with location_id, created_at and updated_at: filtered by
 * location and creation time (both ends included), sorted, and paged with a cursor bound to the query.
 * `cacheKey` names what else the items depend on (e.g. the time payouts are shown as of).
 */
export function listPage(
  endpoint: "ListPayments" | "ListPaymentRefunds" | "ListPayouts",
  field: "payments" | "refunds" | "payouts",
  items: readonly JsonObject[],
  params: Readonly<Record<string, string>>,
  context: { data: SquareData; cursors: CursorCodec; merchantId: string; now: number },
  options: ListOptions & { keep?: (item: JsonObject, filters: Readonly<Record<string, string>>) => boolean; cacheKey?: string },
): JsonObject {
  const { cursor: cursorText, ...rest } = params;
  const fingerprint = queryFingerprint(endpoint, context.merchantId, rest);
  const cursor = cursorText ? context.cursors.decode(cursorText, fingerprint) : undefined;
  const pinnedNow = cursor?.pinnedNow ?? context.now;
  const query = parseListQuery(params, context.data, context.merchantId, pinnedNow, options);
  const timeOf = (item: JsonObject, name: "created_at" | "updated_at") => Date.parse(String(item[name]));
  // Filtered and sorted once per query (and pinned time range) while the orders are unchanged; each page is then a binary search.
  const sorted = listResults.get(context.data, context.data.revision, `${fingerprint}|${query.beginMs}|${query.endMs}|${options.cacheKey ?? ""}`, () => {
    const updatedBeginMs = optionalTimestamp(query.filters["updated_at_begin_time"], "updated_at_begin_time");
    const updatedEndMs = optionalTimestamp(query.filters["updated_at_end_time"], "updated_at_end_time") ?? pinnedNow;
    const matching = items.filter((item) => {
      const createdAt = timeOf(item, "created_at");
      const updatedAt = timeOf(item, "updated_at");
      return (
        query.locationIds.has(String(item["location_id"])) &&
        createdAt >= query.beginMs && createdAt <= query.endMs &&
        (updatedBeginMs === undefined || (updatedAt >= updatedBeginMs && updatedAt <= updatedEndMs)) &&
        (options.keep?.(item, query.filters) ?? true)
      );
    });
    const sortTime = query.sortField === "UPDATED_AT" ? "updated_at" : "created_at";
    return sortedEntries(matching, (item) => ({ at: timeOf(item, sortTime), id: String(item["id"]) }), query.sortOrder);
  });
  const page = pageAfter(sorted, query.sortOrder, cursor?.after, query.limit);
  return {
    ...(page.items.length ? { [field]: page.items } : {}),
    ...(page.next ? { cursor: context.cursors.encode(fingerprint, { after: page.next, pinnedNow }) } : {}),
  };
}

export function listPayments(
  data: SquareData, cursors: CursorCodec, merchantId: string, params: Readonly<Record<string, string>>, now: number,
): JsonObject {
  const { payments } = derivePayments(data, merchantId);
  return listPage("ListPayments", "payments", payments, params, { data, cursors, merchantId, now }, {
    extraParams: UPDATED_AT_PARAMS, defaultLocations: "main",
  });
}

export function listPaymentRefunds(
  data: SquareData, cursors: CursorCodec, merchantId: string, params: Readonly<Record<string, string>>, now: number,
): JsonObject {
  const { refunds } = derivePayments(data, merchantId);
  return listPage("ListPaymentRefunds", "refunds", refunds, params, { data, cursors, merchantId, now }, {
    extraParams: ["status", "source_type", ...UPDATED_AT_PARAMS],
    defaultLocations: "all",
    keep: (refund, filters) =>
      (filters["status"] === undefined || refund["status"] === filters["status"]) &&
      (filters["source_type"] === undefined ||
        SOURCE_TYPE_OF_TENDER[String(refund["destination_type"])] === filters["source_type"]),
  });
}
