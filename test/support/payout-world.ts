/**
 * A generated week of a Square location with payouts (sandbox/square/payouts.ts): daily cut-offs at
 * 17:00 New York time, an instant deposit, two chargebacks (one won back), a payment hold and its
 * release, Square Capital repayments, automatic savings, gift-card load fees, two fee adjustments (one
 * before its payout, one after), a payout the bank rejects at once and one it returns four days later, after it was paid.
 */
import { generateDay, type SquareOrderBody } from "../../sandbox/square/generate-day";
import type { PayoutSchedule, SquareSimulator } from "../../sandbox/square/server";

export const PAYOUT_MERCHANT = "MERCHANT0001";
export const PAYOUT_LOCATION = "GENLOCATION01";
export const PAYOUT_ZONE = "America/New_York";
/** Monday to Sunday. */
export const WEEK = ["2025-06-09", "2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14", "2025-06-15"];
/** When the tests look: the Friday after, every payout of the week made and most of them paid. */
export const PAYOUT_NOW = Date.parse("2025-06-20T16:00:00Z");

export const weekDays = WEEK.map((date, index) => generateDay({
  seed: 180_600 + index, sales: 60, date, timeZone: PAYOUT_ZONE, locationId: PAYOUT_LOCATION, returnRate: 0.1, noiseRate: 0.1, openRate: 0.05,
}));

interface CardSale {
  paymentId: string;
  total: number;
  at: string;
}

/** Sales of a day paid with one card tender, each with the id and total of its payment. */
function cardSales(orders: readonly SquareOrderBody[]): CardSale[] {
  return orders.flatMap((order) => {
    const tenders = (order["tenders"] ?? []) as { id: string; type: string; created_at: string; amount_money: { amount: number }; card_details?: { status?: string } }[];
    const [only] = tenders;
    if (order["state"] !== "COMPLETED" || tenders.length !== 1 || only?.type !== "CARD" || only.card_details?.status !== "CAPTURED") return [];
    return [{ paymentId: only.id, total: only.amount_money.amount, at: only.created_at }];
  });
}

const sales = weekDays.map((day) => cardSales(day.orders.filter((order) => order.location_id === PAYOUT_LOCATION)));
const sale = (day: number, index: number): CardSale => {
  const found = sales[day]?.[index];
  if (!found) throw new Error(`no card sale ${index} on ${WEEK[day] ?? day}`);
  return found;
};

/** A card sale of Tuesday between 09:00 and 15:00 New York time: its fee goes up 0.25 a minute later, before the 17:00 cut-off. */
export const adjustedBeforePayout = (() => {
  const found = sales[1]?.find((candidate) => {
    const hour = new Date(candidate.at).getUTCHours();
    return hour >= 13 && hour < 19;
  });
  if (!found) throw new Error("no card sale on Tuesday afternoon");
  return found;
})();
/** Wednesday's 5th card sale: its fee goes up 0.40 on Friday, long after its payout. */
export const adjustedAfterPayout = sale(2, 5);
export const chargedBack = sale(1, 7);
export const chargedBackWon = sale(3, 2);
export const held = sale(4, 4);

export const schedule: PayoutSchedule = {
  from: "2025-06-09", to: "2025-06-19",
  // Thursday 14:00 New York: the seller takes the balance at once.
  instantDeposits: [{ at: "2025-06-12T18:00:00Z" }],
  chargebacks: [
    { paymentId: chargedBack.paymentId, at: "2025-06-12T15:00:00Z" },
    { paymentId: chargedBackWon.paymentId, at: "2025-06-13T15:00:00Z", amount: 1500, wonAt: "2025-06-17T15:00:00Z" },
  ],
  holds: [{ paymentId: held.paymentId, at: "2025-06-13T20:00:00Z", amount: 2000, releasedAt: "2025-06-16T15:00:00Z" }],
  loanRepaymentBasisPoints: 1000,
  savingsBasisPoints: 200,
  giftCardLoadFeeBasisPoints: 150,
  failures: [{ date: "2025-06-10" }, { date: "2025-06-13", returnedAfterDays: 4 }],
};

/** Adds the merchant, the week and its fee adjustments, and the payout schedule. */
export function setUpPayoutWorld(square: SquareSimulator): void {
  square.addMerchant({
    merchantId: PAYOUT_MERCHANT, businessName: "Daybook Coffee",
    locations: [
      { id: PAYOUT_LOCATION, name: "Main Street", timezone: PAYOUT_ZONE, currency: "USD" },
      { id: "KIOSKLOCATION1", name: "Kiosk", timezone: PAYOUT_ZONE, currency: "USD" },
    ],
  });
  for (const day of weekDays) square.addOrders(PAYOUT_LOCATION, day.orders);
  square.addFeeAdjustment(adjustedBeforePayout.paymentId, 25, new Date(Date.parse(adjustedBeforePayout.at) + 60_000).toISOString());
  square.addFeeAdjustment(adjustedAfterPayout.paymentId, 40, "2025-06-13T16:00:00Z");
  square.setPayoutSchedule(PAYOUT_LOCATION, schedule);
}
