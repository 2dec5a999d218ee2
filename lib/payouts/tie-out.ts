/**
 * Tie-out (ACCOUNTING.md "Payouts (deposits)", docs/accounting.md "Payouts"): do the payouts agree with
 * what daybook posted for the days they pay out, and what should card clearing hold now? Pure: the
 * caller passes the payouts' summaries and the posted days' figures (from the sync records); a
 * difference is named with its reason, never plugged.
 */
import type { Mapping } from "../domain/mapping";
import { tenderAccountOf } from "../domain/journal-entry";
import { subtractMinor, sumMinor } from "../domain/money";
import type { DailySummary } from "../domain/summary";
import { roleOf } from "./payout";
import type { PayoutSummary } from "./payout-summary";

/**
 * The card money a posted day left in card clearing: payments minus refunds of every tender the
 * mapping posts to the card clearing account (CARD, and WALLET when mapped with it), minus the day's
 * processing fees, which the daily entry credits to card clearing whatever the tender.
 */
export function cardClearingOfDay(summary: DailySummary, mapping: Mapping): number {
  const clearing = tenderAccountOf(mapping, "CARD");
  const onClearing = (buckets: Record<string, number>) =>
    sumMinor(...Object.entries(buckets).filter(([tender]) => tenderAccountOf(mapping, tender) === clearing).map(([, amount]) => amount));
  return subtractMinor(subtractMinor(onClearing(summary.payments), onClearing(summary.refunds)), summary.fees);
}

export type FeeTieOutState = "tied" | "differs" | "not-posted" | "partly-paid-out";

export interface FeeTieOutDay {
  businessDay: string;
  /** Square's fees on the day's payments and refunds in the payouts, with later adjustments to them. */
  squareFees: number;
  /** The fees daybook posted for the day (all its entries); null when it has not posted the day. */
  postedFees: number | null;
  /** squareFees − postedFees: what card clearing is off by for the day; 0 when tied or not comparable yet. */
  difference: number;
  state: FeeTieOutState;
  /** Why they differ, in words for the report; null when tied. */
  reason: { code: "fee-adjusted-after-posting" | "day-not-posted" | "before-first-day" | "partly-paid-out"; message: string } | null;
}

export interface FeeTieOutInput {
  currency: string;
  /** Every payout of the location covering the days, failed ones too (Square took the fees all the same). */
  payouts: readonly PayoutSummary[];
  /** Σ of summary.fees over every entry daybook posted per business day; a day absent was never posted. */
  postedFees: ReadonlyMap<string, number>;
  /** Formats an amount for the messages, e.g. "12.34 USD". */
  formatAmount: (minor: number) => string;
  /** Formats a business day for the messages ("Tuesday 17 June 2025"); the day as it is by default. */
  formatDay?: (day: string) => string;
  /**
   * The first business day daybook posts for the location (LocationConfig.postingFrom): a day before it
   * is never posted, so its fees are not "expensed when it posts" but missing from the books for good.
   */
  firstDay?: string;
}

/** Square's fees on a business day's payments and refunds in the payouts, with later fee changes; `adjustments` is those changes alone. */
export interface SquareDayFees {
  fees: number;
  adjustments: number;
}

/** Per business day of the payouts (every day a payout has figures for, in no order): Square's fees. */
export function squareFeesByDay(payouts: readonly PayoutSummary[], currency: string): Map<string, SquareDayFees> {
  const square = new Map<string, SquareDayFees>();
  for (const payout of payouts) {
    if (payout.currency !== currency) throw new RangeError(`payout ${payout.tag} is in ${payout.currency}, not ${currency}`);
    for (const [date, day] of Object.entries(payout.days)) {
      const seen = square.get(date) ?? { fees: 0, adjustments: 0 };
      square.set(date, { fees: sumMinor(seen.fees, day.fees, day.feeAdjustments), adjustments: sumMinor(seen.adjustments, day.feeAdjustments) });
    }
  }
  return square;
}

/** The latest business day any of the payouts swept: every payment of an earlier day is paid out. */
export function latestSweep(payouts: readonly PayoutSummary[]): string | undefined {
  return payouts
    .flatMap((payout) => (payout.sweptThrough === null ? [] : [payout.sweptThrough]))
    .reduce<string | undefined>((latest, date) => (latest === undefined || date > latest ? date : latest), undefined);
}

export type TieOutWords = Pick<FeeTieOutInput, "formatAmount" | "formatDay" | "firstDay">;

/** One business day's tie-out: Square's fees on it against `posted` (undefined: never posted), given the latest sweep. */
export function tieOutDay(businessDay: string, square: SquareDayFees, posted: number | undefined, sweptThrough: string | undefined, words: TieOutWords): FeeTieOutDay {
  const { fees: squareFees, adjustments } = square;
  const money = words.formatAmount;
  const dayText = words.formatDay ?? ((text: string) => text);
  const day = dayText(businessDay);
  if (posted === undefined && words.firstDay !== undefined && businessDay < words.firstDay) {
    return {
      businessDay, squareFees, postedFees: null, difference: squareFees, state: "not-posted",
      reason: {
        code: "before-first-day",
        message: `Square paid out card sales of ${day}, with ${money(squareFees)} of processing fees, but daybook posts this location from ${dayText(words.firstDay)} on: ` +
          `those sales and fees were never posted, so this payout takes money out of card clearing that daybook never put in.`,
      },
    };
  }
  if (posted === undefined) {
    return {
      businessDay, squareFees, postedFees: null, difference: squareFees, state: "not-posted",
      reason: {
        code: "day-not-posted",
        message: `Square paid out card sales of ${day}, with ${money(squareFees)} of processing fees, before daybook posted that day; the fees are expensed when it does.`,
      },
    };
  }
  if (sweptThrough === undefined || sweptThrough <= businessDay) {
    return {
      businessDay, squareFees, postedFees: posted, difference: 0, state: "partly-paid-out",
      reason: { code: "partly-paid-out", message: `The rest of ${day}'s card sales come in a later payout; its fees are compared then.` },
    };
  }
  const difference = subtractMinor(squareFees, posted);
  if (difference === 0) return { businessDay, squareFees, postedFees: posted, difference, state: "tied", reason: null };
  const adjusted = adjustments !== 0 ? `, ${money(adjustments)} of it in fee adjustments` : "";
  return {
    businessDay, squareFees, postedFees: posted, difference, state: "differs",
    reason: {
      code: "fee-adjusted-after-posting",
      message: `Square's processing fees on the payments of ${day} come to ${money(squareFees)}${adjusted}; daybook posted ${money(posted)}. ` +
        `Square changed a fee after daybook last checked the day, so card clearing is off by ${money(difference)}: ` +
        `daybook never plugs it; post it to processing fees by hand.`,
    },
  };
}

/**
 * Per business day of the payouts: Square's fees on the day's payments against the fees daybook
 * posted for the day. A day is compared once it is wholly paid out, which Square's order of paying
 * tells: some payout already carries activity of a later day.
 */
export function tieOutFees(input: FeeTieOutInput): FeeTieOutDay[] {
  const square = squareFeesByDay(input.payouts, input.currency);
  const sweptThrough = latestSweep(input.payouts);
  return [...square.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([businessDay, fees]) => tieOutDay(businessDay, fees, input.postedFees.get(businessDay), sweptThrough, input));
}

export interface ClearingDay {
  businessDay: string;
  /** Card sales net of fees daybook posted to card clearing for the day; null when not posted. */
  posted: number | null;
  /** What the payouts took out of card clearing for the day (card sales net of fees, and later fee adjustments). */
  paidOut: number;
  /** posted − paidOut: still to be paid out; negative when paid out before daybook posted the day. */
  unpaid: number;
}

export interface ClearingBalance {
  /** What card clearing holds from daybook's entries: Σ unpaid + held + returning. */
  balance: number;
  days: ClearingDay[];
  /** Money Square holds back (holds and reserves not yet released). */
  held: number;
  /** Failed payouts' money on its way back to the Square balance, not yet paid out again. */
  returning: number;
}

export interface ClearingInput {
  /** Per business day daybook posted: cardClearingOfDay of everything it posted for the day. */
  postedDays: ReadonlyMap<string, number>;
  /**
   * Every payout daybook has dealt with for the location (posted, or failed with nothing to post),
   * since it began posting the location's payouts: the days above should cover the same span.
   */
  payouts: readonly PayoutSummary[];
}

/** What the payouts took out of card clearing per business day (card sales net of fees, and later fee changes); SIMPLE payouts take nothing. */
export function paidOutByDay(payouts: readonly PayoutSummary[]): Map<string, number> {
  const paidOut = new Map<string, number>();
  for (const payout of payouts) {
    if (payout.type === "SIMPLE") continue;
    for (const [date, day] of Object.entries(payout.days)) {
      paidOut.set(date, sumMinor(paidOut.get(date) ?? 0, subtractMinor(day.net, day.feeAdjustments)));
    }
  }
  return paidOut;
}

/** The payouts' money that is not any day's card sales: holds, failed amounts, and returned payouts brought back (returning = failed − returned). */
export interface PayoutMoney {
  held: number;
  failed: number;
  returned: number;
}

export function payoutMoney(payouts: readonly PayoutSummary[]): PayoutMoney {
  let held = 0;
  let failed = 0;
  let returned = 0;
  for (const payout of payouts) {
    if (payout.type === "SIMPLE") continue;
    for (const [type, net] of Object.entries(payout.activities)) {
      if (roleOf(type) === "held") held = subtractMinor(held, net);
      if (roleOf(type) === "returned-payout" && payout.status !== "FAILED") returned = sumMinor(returned, net);
    }
    if (payout.status === "FAILED") failed = sumMinor(failed, payout.amount);
  }
  return { held, failed, returned };
}

/**
 * The balance card clearing should show, explained: card sales net of fees not yet paid out, per
 * business day, plus what Square holds back, plus failed payouts on their way back.
 */
export function expectedClearing(input: ClearingInput): ClearingBalance {
  const paidOut = paidOutByDay(input.payouts);
  const { held, failed, returned } = payoutMoney(input.payouts);
  const dates = [...new Set([...input.postedDays.keys(), ...paidOut.keys()])].sort();
  const days = dates.map((businessDay) => {
    const posted = input.postedDays.get(businessDay) ?? null;
    const out = paidOut.get(businessDay) ?? 0;
    return { businessDay, posted, paidOut: out, unpaid: subtractMinor(posted ?? 0, out) };
  });
  const returning = subtractMinor(failed, returned);
  return { balance: sumMinor(...days.map((day) => day.unpaid), held, returning), days, held, returning };
}
