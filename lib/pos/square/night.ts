/**
 * A Square location-night in one read (lib/pos/night.ts says what it makes complete and what it only
 * checks): the orders updated since the night's day began, in one SearchOrders pass by updated_at, and
 * the payments and refunds updated since then (ListPayments and ListPaymentRefunds by
 * updated_at_begin_time), the three at once. One catalog serves the whole run.
 */
import { SquareCatalog } from "./catalog";
import { type SquareLocation, squareDaySummariser, summariseSquareLocationDay } from "./day";
import type { SquareReader } from "./reader";
import { allInOrder, completeFromChanges, each, fieldOf, finishNight, type NightPlan, type NightRead, NightTouches } from "../night";

export async function readSquareNight(reader: SquareReader, location: SquareLocation, plan: NightPlan): Promise<NightRead> {
  const catalog = new SquareCatalog();
  const summarisers = new Map(completeFromChanges(plan).map((day) => [day.businessDay, squareDaySummariser(location, day.window, catalog)]));
  const touches = new NightTouches(plan);
  // The three reads are independent: each waits on Square at once (the catalog follows each orders
  // page, as it must). The summarisers' sums and the touched days do not depend on the order pages come in.
  await allInOrder([
    async () => {
      for await (const page of reader.changedOrderPages(location.locationId, plan.changesSince)) {
        if (summarisers.size > 0) await reader.fillCatalog(catalog, page);
        for (const summariser of summarisers.values()) summariser.addOrdersPage(page);
        // Every instant an order can count at (summarise.ts): its close, each tender, each refund.
        for (const order of each(page, "orders")) {
          touches.touchAt(fieldOf(order, "closed_at"));
          for (const tender of each(order, "tenders")) touches.touchAt(fieldOf(tender, "created_at"));
          for (const refund of each(order, "refunds")) touches.touchAt(fieldOf(refund, "created_at"));
        }
      }
    },
    async () => {
      for await (const page of reader.changedPaymentPages(location.locationId, plan.changesSince)) {
        for (const summariser of summarisers.values()) summariser.addPaymentsPage(page);
        for (const payment of each(page, "payments")) touches.touchAt(fieldOf(payment, "created_at"));
      }
    },
    async () => {
      for await (const page of reader.changedRefundPages(location.locationId, plan.changesSince)) {
        for (const summariser of summarisers.values()) summariser.addRefundsPage(page);
        for (const refund of each(page, "refunds")) touches.touchAt(fieldOf(refund, "created_at"));
      }
    },
  ]);
  const fromChanges = new Map([...summarisers].map(([day, summariser]) => [day, () => summariser.finish()]));
  return finishNight(plan, fromChanges, touches, (day) => summariseSquareLocationDay(reader, location, day.window, catalog));
}
