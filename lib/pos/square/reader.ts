/**
 * What the sync reads from Square, as raw response bodies (snake_case, as on the wire, amounts as JSON
 * numbers) so the summariser sees exactly what Square sent. lib/pos/square/client.ts implements it on the
 * official `square` SDK. Every call is a read: daybook never writes to a POS.
 */
import type { BusinessDayWindow } from "../../domain/business-day";
import type { SquareCatalog } from "./catalog";

export interface SquareLocationInfo {
  id: string;
  name: string;
  /** IANA zone, e.g. America/New_York. */
  timeZone: string;
  currency: string;
  status: string;
}

export type DayWindow = Pick<BusinessDayWindow, "startMs" | "endMs">;

export interface SquareReader {
  getLocation(locationId: string): Promise<SquareLocationInfo>;
  /**
   * SearchOrders bodies for the day: a pass by closed_at over the window (COMPLETED orders), then a pass
   * by updated_at from the window's start for orders paid but still OPEN, or closed after the window,
   * with the orders the first pass returned left out of the second, so each order comes once.
   */
  orderPages(locationId: string, window: DayWindow): AsyncIterable<unknown>;
  /** Retrieves, into the catalog, the variations an order page names that it lacks, with their items and categories. */
  fillCatalog(catalog: SquareCatalog, orderPage: unknown): Promise<void>;
  /** ListPayments bodies for the location, created in the window. */
  paymentPages(locationId: string, window: DayWindow): AsyncIterable<unknown>;
  /** ListPaymentRefunds bodies for the location, created in the window. */
  refundPages(locationId: string, window: DayWindow): AsyncIterable<unknown>;
  /**
   * A night's one read (night.ts): SearchOrders bodies of the location's orders updated at or after
   * `sinceMs` (open, completed or canceled), in one pass by updated_at, each order once.
   */
  changedOrderPages(locationId: string, sinceMs: number): AsyncIterable<unknown>;
  /** ListPayments bodies of the location's payments updated at or after `sinceMs` (updated_at_begin_time). */
  changedPaymentPages(locationId: string, sinceMs: number): AsyncIterable<unknown>;
  /** ListPaymentRefunds bodies of the location's refunds updated at or after `sinceMs` (updated_at_begin_time). */
  changedRefundPages(locationId: string, sinceMs: number): AsyncIterable<unknown>;
}
