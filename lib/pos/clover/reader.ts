/**
 * What the sync reads from Clover (REST v3), as raw response bodies so the summariser validates what
 * Clover sent. lib/pos/clover/client.ts implements it with fetch; sandbox/clover serves the same
 * endpoints locally. Every call is a read: daybook never writes to a POS.
 *
 * The summariser works from orders, because an order carries everything a day's money needs: its line
 * items (with their discounts, modifications, item reference, isRevenue, refunded and exchanged flags),
 * its order discounts and service charge, and its payments (with tender), refunds and credits, each with
 * its own createdTime. Any order with a payment, refund or credit created in the day was modified in or
 * after the day, so the orders modified since the day's start hold all of the day's money.
 */
import type { BusinessDayWindow } from "../../domain/business-day";

export type DayWindow = Pick<BusinessDayWindow, "startMs" | "endMs">;

export interface CloverMerchantInfo {
  merchantId: string;
  name: string;
  /** IANA zone from the merchant's properties. */
  timeZone: string;
  currency: string;
}

export interface CloverReader {
  getMerchant(): Promise<CloverMerchantInfo>;
  /**
   * `{elements: Order[]}` pages of the orders modified from the window's start until now, each order
   * COMPLETE: `lineItems.elements[]` with `discounts`, `modifications` and `item`, `discounts`,
   * `serviceCharge`, `payments.elements[]` with `tender`, `refunds.elements[]` (with `payment` and
   * `overrideMerchantTender`), and `credits.elements[]` (with `tender`), however many requests that
   * takes (expansion limits, nested collections capped at 100, 90-day filter windows). Each order once.
   */
  orderPages(window: DayWindow): AsyncIterable<unknown>;
  /** `{elements: Item[]}` pages of the inventory items with `categories` expanded, deleted ones included. */
  itemPages(): AsyncIterable<unknown>;
  /** The labels of the merchant's enabled tenders (the mapping page's list). */
  tenders(): Promise<string[]>;
  /** The names of the merchant's tax rates. */
  taxRates(): Promise<string[]>;
  /** The name of the merchant's default service charge, when it has one that is enabled. */
  defaultServiceCharge(): Promise<string | undefined>;
  /** The merchant's categories (not deleted), by id and name. */
  categories(): Promise<{ id: string; name: string }[]>;
}
