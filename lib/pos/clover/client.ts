/**
 * The CloverReader (reader.ts) on fetch, against Clover's REST API v3 in the merchant's region or a
 * simulator (sandbox/clover).
 *
 * Orders: those modified from the window's start until now, read in modifiedTime ranges of at most 89
 * days (Clover answers at most 90 days per query and silently clamps longer ranges; the spare day
 * absorbs clock skew), oldest range first, the last one open-ended. Within a range, pages of 1000 by
 * offset until a page comes back short; order-assembly.ts says how complete orders are made from
 * three expansion passes. An order modified while the read runs can only move to a later range, which
 * is still to be read, and each order is handed on once.
 *
 * Items: the live items, then the deleted ones (`filter=deleted=true`), categories expanded, so sales
 * of items deleted since still find their category.
 *
 * All requests of one reader share one pacer (http.ts), so concurrent work stays within Clover's
 * per-token limits.
 */
import { isTimeZone } from "../../domain/business-day";
import { sleep as realSleep } from "../../http/backoff";
import type * as z from "zod/mini";
import { describeIssues } from "../../validation";
import { CloverRequestError } from "./errors";
import { CLOVER_API_HOSTS, type CloverRegion } from "./hosts";
import { createCloverCaller, type Query } from "./http";
import { assembleOrders, expandQuery, type JsonObject, ORDER_EXPANSION_GROUPS, type OrderFetcher } from "./order-assembly";
import type { CloverMerchantInfo, CloverReader, DayWindow } from "./reader";
import { type CloverObject, listElements, merchantSchema, objectSchema } from "./responses";

export { CloverRequestError } from "./errors";
export { CLOVER_API_HOSTS, type CloverRegion } from "./hosts";

interface CommonOptions {
  merchantId: string;
  /** The merchant's current access token; asked for before every request, so a refreshed token is picked up. */
  accessToken: () => Promise<string>;
  /** Per request, body included; default 30 s. */
  timeoutMs?: number;
  /** Retries of one request, default 5 (http.ts says which failures). */
  maxRetries?: number;
  /** "Now" for the open end of the orders' time ranges; default Date.now. */
  now?: () => number;
  /** How the reader waits before a retry; default a real timer. Pacing within the rate limits always runs in real time. */
  sleep?: (ms: number) => Promise<void>;
}

export type CloverReaderOptions = CommonOptions & (
  | { /** The merchant's region, which decides the host. */ region: CloverRegion; baseUrl?: never }
  | { /** A host of one's own: a simulator, a proxy. */ baseUrl: string; region?: never }
);

const ORDER_PAGE_LIMIT = 1000;
const ITEM_PAGE_LIMIT = 1000;
const DAY_MS = 86_400_000;
const RANGE_MS = 89 * DAY_MS;

/** modifiedTime filters covering [startMs, now): closed ranges of RANGE_MS, then one open-ended range. */
function modifiedTimeRanges(startMs: number, nowMs: number): Query[] {
  const ranges: Query[] = [];
  let from = startMs;
  for (; nowMs - from > RANGE_MS; from += RANGE_MS) {
    ranges.push([["filter", `modifiedTime>=${from}`], ["filter", `modifiedTime<${from + RANGE_MS}`]]);
  }
  ranges.push([["filter", `modifiedTime>=${from}`]]);
  return ranges;
}

const answerNotValid = (error: z.core.$ZodError, operation: string) =>
  new CloverRequestError(describeIssues(error, `Clover's answer to ${operation}`), "bug");

export function createCloverReader(options: CloverReaderOptions): CloverReader {
  const baseUrl = options.baseUrl ?? CLOVER_API_HOSTS[options.region];
  const caller = createCloverCaller({
    baseUrl,
    accessToken: options.accessToken,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 5,
    sleep: options.sleep ?? realSleep,
  });
  const now = options.now ?? Date.now;
  const merchantPath = `/v3/merchants/${encodeURIComponent(options.merchantId)}`;

  /** GET of a merchant-relative path, its body checked against `schema`. */
  async function get<S extends z.ZodMiniType>(schema: S, operation: string, path: string, query: Query): Promise<z.infer<S>> {
    const parsed = schema.safeParse(await caller.get(operation, `${merchantPath}${path}`, query));
    if (!parsed.success) throw answerNotValid(parsed.error, operation);
    return parsed.data;
  }

  async function getList(operation: string, path: string, query: Query): Promise<CloverObject[]> {
    const body = await caller.get(operation, `${merchantPath}${path}`, query);
    return listElements(body, (error) => answerNotValid(error, operation));
  }

  const api: OrderFetcher = { getList, getObject: (operation, path, query) => get(objectSchema, operation, path, query) };

  async function getMerchant(): Promise<CloverMerchantInfo> {
    const merchant = await get(merchantSchema, "GetMerchant", "", expandQuery(["properties"]));
    const name = merchant.name ?? merchant.id;
    const timeZone = merchant.properties?.timezone;
    if (!timeZone || !isTimeZone(timeZone)) {
      const said = timeZone ? `a time zone daybook does not know (${timeZone})` : "no time zone";
      throw new CloverRequestError(`Clover gives merchant "${name}" (${merchant.id}) ${said}; set it in the Clover Dashboard, then sync again.`, "needs-merchant");
    }
    const currency = merchant.properties?.defaultCurrency ?? merchant.defaultCurrency;
    if (!currency) throw new CloverRequestError(`Clover gives no currency for merchant "${name}" (${merchant.id}).`, "needs-merchant");
    return { merchantId: merchant.id, name, timeZone, currency };
  }

  async function* orderPages(window: DayWindow): AsyncGenerator<{ elements: JsonObject[] }> {
    const handedOn = new Set<string>();
    for (const range of modifiedTimeRanges(window.startMs, now())) {
      for (let offset = 0; ; offset += ORDER_PAGE_LIMIT) {
        const paging: Query = [...range, ["limit", String(ORDER_PAGE_LIMIT)], ["offset", String(offset)]];
        const pages = await Promise.all(ORDER_EXPANSION_GROUPS.map((group) => getList("ListOrders", "/orders", [...paging, ...expandQuery(group)])));
        const orders = await assembleOrders(api, pages, handedOn);
        for (const order of orders) handedOn.add(String(order["id"]));
        if (orders.length > 0) yield { elements: orders };
        if (pages.every((page) => page.length < ORDER_PAGE_LIMIT)) break;
      }
    }
  }

  async function* itemPages(): AsyncGenerator<{ elements: JsonObject[] }> {
    const handedOn = new Set<string>();
    for (const deleted of [[], [["filter", "deleted=true"]]] satisfies Query[]) {
      for (let offset = 0; ; offset += ITEM_PAGE_LIMIT) {
        const items = await getList("ListItems", "/items", [...deleted, ...expandQuery(["categories"]), ["limit", String(ITEM_PAGE_LIMIT)], ["offset", String(offset)]]);
        // An item deleted between the two passes comes in both.
        const fresh = items.filter((item) => !handedOn.has(item.id));
        for (const item of fresh) handedOn.add(item.id);
        if (fresh.length > 0) yield { elements: fresh };
        if (items.length < ITEM_PAGE_LIMIT) break;
      }
    }
  }

  /** Every page of a short list (tenders, tax rates, categories): pages of 1000 by offset. */
  async function listAll(operation: string, path: string): Promise<CloverObject[]> {
    const all: CloverObject[] = [];
    for (let offset = 0; ; offset += ITEM_PAGE_LIMIT) {
      const page = await getList(operation, path, [["limit", String(ITEM_PAGE_LIMIT)], ["offset", String(offset)]]);
      all.push(...page);
      if (page.length < ITEM_PAGE_LIMIT) return all;
    }
  }
  const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

  async function tenders(): Promise<string[]> {
    return (await listAll("ListTenders", "/tenders")).filter((tender) => tender["enabled"] !== false).flatMap((tender) => text(tender["label"]) ?? []);
  }

  async function taxRates(): Promise<string[]> {
    return (await listAll("ListTaxRates", "/tax_rates")).flatMap((rate) => (rate["deletedTime"] === undefined ? text(rate["name"]) ?? [] : []));
  }

  async function defaultServiceCharge(): Promise<string | undefined> {
    const charge = await caller.get("GetDefaultServiceCharge", `${merchantPath}/default_service_charge`, []);
    const body = typeof charge === "object" && charge !== null ? (charge as Record<string, unknown>) : {};
    return body["enabled"] === false ? undefined : text(body["name"]);
  }

  async function categories(): Promise<{ id: string; name: string }[]> {
    return (await listAll("ListCategories", "/categories")).filter((category) => category["deleted"] !== true && category["deletedTime"] === undefined)
      .map((category) => ({ id: category.id, name: text(category["name"]) ?? category.id }));
  }

  return { getMerchant, orderPages, itemPages, tenders, taxRates, defaultServiceCharge, categories };
}
