/**
 * The payment and refund lists of the Clover simulator (reference/clover.md §2.3, §2.4), read out of
 * the stored orders so they always agree with them: each payment names its order (`order: {id}`) and
 * each refund its order (`orderRef: {id}`). Newest first, by createdTime.
 */
import { capNestedCollections, elementsOf, isObject, type JsonObject, PAYMENT_EXPANSIONS, REFUND_EXPANSIONS, render } from "./expansion";
import { type ListAnswer, listAnswer, type ListRules, matchesAll, pageOf, parseListQuery } from "./list-query";
import type { CloverData } from "./store";

const PAYMENT_LIST_RULES: ListRules = {
  filterFields: [
    "modifiedTime", "device.id", "externalReferenceId", "result", "offline", "createdTime", "externalPaymentId", "voided", "id",
    "tender.id", "employee.id", "order.modifiedTime", "amount", "cardType", "clientCreatedTime",
  ],
  expansions: PAYMENT_EXPANSIONS,
  ninetyDayLimit: true,
};

/** Clover's reference lists no refund filter fields; these are the ones a refund's own fields support. [inference] */
const REFUND_LIST_RULES: ListRules = {
  filterFields: ["id", "createdTime", "clientCreatedTime", "payment.id", "voided", "amount"],
  expansions: REFUND_EXPANSIONS,
  ninetyDayLimit: true,
};

interface Listed {
  /** The body as sent (before expansion). */
  body: JsonObject;
  /** What filters read: the body plus the fields filters name that live elsewhere (the order's time, the card type). */
  filterView: JsonObject;
}

const newestFirst = (a: Listed, b: Listed): number => Number(b.body["createdTime"] ?? 0) - Number(a.body["createdTime"] ?? 0);

function paymentsOf(data: CloverData, merchantId: string): Listed[] {
  return data.ordersOf(merchantId).flatMap((order) =>
    elementsOf(order["payments"]).map((payment) => {
      const body = { ...payment, order: payment["order"] ?? { id: order.id } };
      const card = payment["cardTransaction"];
      const filterView = {
        ...body,
        order: { id: order.id, modifiedTime: order.modifiedTime },
        voided: payment["result"] === "VOIDED",
        ...(isObject(card) ? { cardType: card["cardType"] } : {}),
      };
      return { body, filterView };
    }),
  ).sort(newestFirst);
}

function refundsOf(data: CloverData, merchantId: string): Listed[] {
  return data.ordersOf(merchantId).flatMap((order) =>
    elementsOf(order["refunds"]).map((refund) => {
      const body = { ...refund, orderRef: refund["orderRef"] ?? { id: order.id } };
      return { body, filterView: body };
    }),
  ).sort(newestFirst);
}

function list(listed: Listed[], rules: ListRules, params: URLSearchParams, now: number, href: string): ListAnswer {
  const query = parseListQuery(params, rules, now);
  const matching = listed.filter((entry) => matchesAll(entry.filterView, query.filters));
  return listAnswer(pageOf(matching, query).map((entry) => capNestedCollections(render(entry.body, rules.expansions, query.expand))), rules, href);
}

export function listPayments(data: CloverData, merchantId: string, params: URLSearchParams, now: number, href: string): ListAnswer {
  return list(paymentsOf(data, merchantId), PAYMENT_LIST_RULES, params, now, href);
}

export function listRefunds(data: CloverData, merchantId: string, params: URLSearchParams, now: number, href: string): ListAnswer {
  return list(refundsOf(data, merchantId), REFUND_LIST_RULES, params, now, href);
}
