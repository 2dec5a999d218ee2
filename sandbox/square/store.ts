/**
 * What the Square simulator holds: merchants with their locations and catalog, the orders of each
 * location (raw snake_case bodies, as Square stores them), processing-fee adjustments, and each
 * location's payout schedule. Payments and refunds are not stored: payments.ts derives them from the
 * orders, and payouts.ts the payouts from those and the schedule.
 */
import type { PayoutSchedule } from "./payouts";
import { isObject, type JsonObject } from "./request-checks";

export interface LocationInput {
  id: string;
  name: string;
  /** IANA zone; null or absent models a location Square has no time zone for. */
  timezone?: string | null;
  currency: string;
  status?: "ACTIVE" | "INACTIVE";
  /** ISO 3166 alpha-2; derived from the currency when absent. */
  country?: string;
}

export interface MerchantInput {
  /** Square merchant ids are at least 8 characters (the OAuth responses' schema requires it). */
  merchantId: string;
  businessName?: string;
  /** The first is the merchant's main location. */
  locations: LocationInput[];
}

export interface StoredLocation extends LocationInput {
  merchantId: string;
}

export type OrderBody = JsonObject & { id: string; location_id: string };

interface StoredMerchant {
  id: string;
  businessName: string;
  locationIds: string[];
  catalog: Map<string, JsonObject>;
}

export interface FeeAdjustment {
  amount: number;
  effectiveAt: string;
}

const COUNTRY_OF_CURRENCY: Readonly<Record<string, string>> = {
  USD: "US", CAD: "CA", GBP: "GB", EUR: "IE", AUD: "AU", JPY: "JP", KWD: "KW",
};
const LOCATION_CREATED_AT = "2024-01-02T15:04:05.000Z";

export class SquareData {
  private readonly merchants = new Map<string, StoredMerchant>();
  private readonly locations = new Map<string, StoredLocation>();
  private readonly orders = new Map<string, OrderBody>();
  private readonly feeAdjustments = new Map<string, FeeAdjustment[]>();
  private readonly payoutSchedules = new Map<string, PayoutSchedule>();
  /** Bumped whenever orders or fees change, so what is derived from them can be cached until then. */
  private changes = 0;

  get revision(): number {
    return this.changes;
  }

  addMerchant(input: MerchantInput): void {
    if (input.merchantId.length < 8) throw new Error(`merchant id ${input.merchantId} is shorter than Square's 8 characters`);
    if (this.merchants.has(input.merchantId)) throw new Error(`merchant ${input.merchantId} already exists`);
    if (input.locations.length === 0) throw new Error(`merchant ${input.merchantId} needs at least one location`);
    for (const location of input.locations) {
      if (this.locations.has(location.id)) throw new Error(`location ${location.id} already exists`);
      this.locations.set(location.id, { ...location, merchantId: input.merchantId });
    }
    this.merchants.set(input.merchantId, {
      id: input.merchantId,
      businessName: input.businessName ?? `Merchant ${input.merchantId}`,
      locationIds: input.locations.map((location) => location.id),
      catalog: new Map(),
    });
  }

  hasMerchant(merchantId: string): boolean {
    return this.merchants.has(merchantId);
  }

  merchantIds(): string[] {
    return [...this.merchants.keys()];
  }

  businessName(merchantId: string): string {
    return this.merchantOrThrow(merchantId).businessName;
  }

  locationsOf(merchantId: string): StoredLocation[] {
    return this.merchantOrThrow(merchantId).locationIds.flatMap((id) => {
      const location = this.locations.get(id);
      return location ? [location] : [];
    });
  }

  mainLocationOf(merchantId: string): StoredLocation {
    const [main] = this.locationsOf(merchantId);
    if (!main) throw new Error(`merchant ${merchantId} has no location`);
    return main;
  }

  location(locationId: string): StoredLocation | undefined {
    return this.locations.get(locationId);
  }

  /**
   * Adds or replaces orders. An order naming another location is filed under that one, as Square files
   * an order under its own location_id. `arrivedAt` models an order reaching Square later than it was
   * made (offline mode, a return days later): its updated_at becomes that time when later.
   */
  addOrders(locationId: string, orders: readonly object[], arrivedAt?: number): void {
    if (!this.locations.has(locationId)) throw new Error(`unknown location ${locationId}`);
    try {
      for (const raw of orders) {
        const order: unknown = structuredClone(raw);
        if (!isObject(order) || typeof order["id"] !== "string") throw new Error("an order body needs a string id");
        order["location_id"] ??= locationId;
        if (typeof order["location_id"] !== "string") throw new Error(`order ${order["id"]} has a non-string location_id`);
        const body = order as OrderBody;
        const stamp = body["updated_at"] ?? body["created_at"];
        const updatedAt = typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
        if (arrivedAt !== undefined && !(updatedAt >= arrivedAt)) body["updated_at"] = new Date(arrivedAt).toISOString();
        const previous = this.orders.get(body.id);
        if (previous && typeof previous["version"] === "number" && !(Number(body["version"]) > previous["version"])) {
          body["version"] = previous["version"] + 1;
        }
        this.orders.set(body.id, body);
      }
    } finally {
      // Also when a bad body stopped the loop part way: the orders before it were stored.
      this.changes++;
    }
  }

  ordersAt(locationIds: ReadonlySet<string>): OrderBody[] {
    return [...this.orders.values()].filter((order) => locationIds.has(order.location_id));
  }

  /** Replaces a merchant's catalog with the objects and related objects of a BatchRetrieve-shaped body. */
  setCatalog(merchantId: string, body: { objects?: readonly object[]; related_objects?: readonly object[] }): void {
    const catalog = this.merchantOrThrow(merchantId).catalog;
    catalog.clear();
    for (const raw of [...(body.objects ?? []), ...(body.related_objects ?? [])]) {
      const object: unknown = structuredClone(raw);
      if (!isObject(object) || typeof object["id"] !== "string" || typeof object["type"] !== "string") {
        throw new Error("a catalog object needs a string id and type");
      }
      catalog.set(object["id"], object);
    }
  }

  catalogObject(merchantId: string, id: string): JsonObject | undefined {
    return this.merchantOrThrow(merchantId).catalog.get(id);
  }

  addFeeAdjustment(paymentId: string, adjustment: FeeAdjustment): void {
    this.feeAdjustments.set(paymentId, [...(this.feeAdjustments.get(paymentId) ?? []), adjustment]);
    this.changes++;
  }

  feeAdjustmentsOf(paymentId: string): readonly FeeAdjustment[] {
    return this.feeAdjustments.get(paymentId) ?? [];
  }

  /** Replaces a location's payout schedule (payouts.ts makes its payouts from it); undefined removes it. */
  setPayoutSchedule(locationId: string, schedule: PayoutSchedule | undefined): void {
    if (!this.locations.has(locationId)) throw new Error(`unknown location ${locationId}`);
    if (schedule) this.payoutSchedules.set(locationId, structuredClone(schedule));
    else this.payoutSchedules.delete(locationId);
    this.changes++;
  }

  payoutScheduleOf(locationId: string): PayoutSchedule | undefined {
    return this.payoutSchedules.get(locationId);
  }

  private merchantOrThrow(merchantId: string): StoredMerchant {
    const merchant = this.merchants.get(merchantId);
    if (!merchant) throw new Error(`unknown merchant ${merchantId}`);
    return merchant;
  }
}

/** The Merchant object RetrieveMerchant returns. */
export function merchantBody(data: SquareData, merchantId: string): JsonObject {
  const main = data.mainLocationOf(merchantId);
  return {
    id: merchantId,
    business_name: data.businessName(merchantId),
    country: main.country ?? COUNTRY_OF_CURRENCY[main.currency] ?? "US",
    language_code: "en-US",
    currency: main.currency,
    status: "ACTIVE",
    main_location_id: main.id,
    created_at: LOCATION_CREATED_AT,
  };
}

/** The Location object Square returns. */
export function locationBody(location: StoredLocation, businessName: string): JsonObject {
  return {
    id: location.id,
    name: location.name,
    ...(location.timezone ? { timezone: location.timezone } : {}),
    capabilities: ["CREDIT_CARD_PROCESSING"],
    status: location.status ?? "ACTIVE",
    created_at: LOCATION_CREATED_AT,
    merchant_id: location.merchantId,
    country: location.country ?? COUNTRY_OF_CURRENCY[location.currency] ?? "US",
    language_code: "en-US",
    currency: location.currency,
    business_name: businessName,
    type: "PHYSICAL",
  };
}
