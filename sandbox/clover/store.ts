/**
 * What the Clover simulator holds: merchants (name, zone, currency, region), each merchant's orders as
 * complete bodies (every collection expanded, wrapped in `{elements}`) and its inventory items with
 * their categories. Payments, refunds and categories are not stored apart: the endpoints read them out
 * of the orders and items, so they always agree.
 */
import { checkShape, ITEM_EXPANSIONS, isObject, type JsonObject, ORDER_EXPANSIONS } from "./expansion";

export type CloverRegion = "us" | "eu" | "la" | "sandbox";

export interface MerchantInput {
  merchantId: string;
  name: string;
  /** IANA zone, as /properties gives it. */
  timezone: string;
  currency: string;
  /** Which of Clover's regions the merchant lives in; recorded only, as one simulator stands for every regional host. */
  region?: CloverRegion;
}

export type OrderBody = JsonObject & { id: string; createdTime: number; modifiedTime: number };
export type ItemBody = JsonObject & { id: string };

/** A merchant's setup lists, as Clover's settings hold them. */
export interface MerchantSetup {
  /** Tender bodies ({id, label, labelKey, enabled, ...}). */
  tenders?: readonly object[];
  /** Tax rate bodies ({id, name, rate}). */
  taxRates?: readonly object[];
  /** The default service charge ({id, name, enabled, percentageDecimal}), or null for none. */
  defaultServiceCharge?: object | null;
}

interface StoredMerchant extends MerchantInput {
  createdTime: number;
  orders: Map<string, OrderBody>;
  items: Map<string, ItemBody>;
  setup: MerchantSetup;
}

function withId(raw: object, what: string): JsonObject & { id: string } {
  const body: unknown = structuredClone(raw);
  if (!isObject(body) || typeof body["id"] !== "string" || body["id"] === "") throw new Error(`${what} needs a string id`);
  return body as JsonObject & { id: string };
}

export class CloverData {
  private readonly merchants = new Map<string, StoredMerchant>();
  /** Bumped whenever orders change, so what is derived from them can be kept until then. */
  private changes = 0;
  /** Each merchant's orders in list order, made on first use after a change. */
  private readonly sortedOrders = new Map<string, readonly OrderBody[]>();

  get revision(): number {
    return this.changes;
  }

  constructor(private readonly now: () => number) {}

  addMerchant(input: MerchantInput): void {
    if (this.merchants.has(input.merchantId)) throw new Error(`merchant ${input.merchantId} already exists`);
    this.merchants.set(input.merchantId, { ...input, createdTime: this.now(), orders: new Map(), items: new Map(), setup: {} });
  }

  merchantIds(): string[] {
    return [...this.merchants.keys()];
  }

  merchant(merchantId: string): Readonly<MerchantInput & { createdTime: number }> | undefined {
    return this.merchants.get(merchantId);
  }

  /**
   * Adds or replaces (by id) complete order bodies. A missing createdTime is now and a missing
   * modifiedTime is the createdTime. `arrivedAt` models an order reaching Clover later than it was
   * made (offline devices, a refund days later): its modifiedTime moves up to that time.
   */
  addOrders(merchantId: string, orders: readonly object[], arrivedAt?: number): void {
    const merchant = this.merchantOrThrow(merchantId);
    try {
      for (const raw of orders) {
        const body = withId(raw, "an order");
        checkShape(body, ORDER_EXPANSIONS, `order ${body.id}`);
        const createdTime = typeof body["createdTime"] === "number" ? body["createdTime"] : this.now();
        const stamped = typeof body["modifiedTime"] === "number" ? body["modifiedTime"] : createdTime;
        const modifiedTime = arrivedAt === undefined ? stamped : Math.max(stamped, arrivedAt);
        merchant.orders.set(body.id, { ...body, createdTime, modifiedTime });
      }
    } finally {
      // Also when a bad body stopped the loop part way: the orders before it were stored.
      this.changes++;
      this.sortedOrders.delete(merchantId);
    }
  }

  /** The merchant's orders, newest first by createdTime (then by id), the order Clover lists them in. */
  ordersOf(merchantId: string): OrderBody[] {
    let sorted = this.sortedOrders.get(merchantId);
    if (!sorted) {
      sorted = [...this.merchantOrThrow(merchantId).orders.values()].sort((a, b) => b.createdTime - a.createdTime || a.id.localeCompare(b.id));
      this.sortedOrders.set(merchantId, sorted);
    }
    return [...sorted];
  }

  order(merchantId: string, orderId: string): OrderBody | undefined {
    return this.merchantOrThrow(merchantId).orders.get(orderId);
  }

  /** Replaces the merchant's inventory: items with `categories: {elements}` expanded, deleted ones included. */
  setItems(merchantId: string, items: readonly object[]): void {
    const merchant = this.merchantOrThrow(merchantId);
    merchant.items.clear();
    for (const raw of items) {
      const body = withId(raw, "an item");
      checkShape(body, ITEM_EXPANSIONS, `item ${body.id}`);
      merchant.items.set(body.id, body);
    }
  }

  itemsOf(merchantId: string): ItemBody[] {
    return [...this.merchantOrThrow(merchantId).items.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Sets the merchant's tenders, tax rates or default service charge; what is not set is read out of its orders. */
  setSetup(merchantId: string, setup: MerchantSetup): void {
    const merchant = this.merchantOrThrow(merchantId);
    merchant.setup = { ...merchant.setup, ...structuredClone(setup) };
  }

  setupOf(merchantId: string): Readonly<MerchantSetup> {
    return this.merchantOrThrow(merchantId).setup;
  }

  private merchantOrThrow(merchantId: string): StoredMerchant {
    const merchant = this.merchants.get(merchantId);
    if (!merchant) throw new Error(`unknown merchant ${merchantId}`);
    return merchant;
  }
}
