/**
 * The summary of one Square payout: what daybook keeps of it and builds its entry from. Only
 * aggregates, as for days: the payout's own figures, its card sales per business day, and the net of
 * every other kind of activity; never a payment, a refund or a Square id (the payout is known by a
 * hash of its id, doc-number.ts's payoutTag).
 */
import { businessDayOf } from "../domain/business-day";
import { payoutTag } from "../domain/doc-number";
import { sumMinor } from "../domain/money";
import { type Payout, type PayoutEntry, type PayoutStatus, roleOf } from "./payout";

export interface PayoutDay {
  /** Gross of the day's CHARGE entries. */
  payments: number;
  /** Money given back by the day's REFUND entries (positive). */
  refunds: number;
  /** Square's processing fees on those charges and refunds (fees given back on refunds count negative). */
  fees: number;
  /** payments − refunds − fees: what the payout takes out of card clearing for the day. */
  net: number;
  /** CHARGE and REFUND entries. */
  count: number;
  /**
   * Later processing-fee changes on the day's payments that came as entries of their own (FEE, …),
   * positive when Square took more. Posted as their own line; counted here for the tie-out.
   */
  feeAdjustments: number;
}

export interface PayoutSummary {
  /** payoutTag(payout id): the key of the payout's record and DocNumbers. */
  tag: string;
  locationId: string;
  status: PayoutStatus;
  type: "BATCH" | "SIMPLE";
  currency: string;
  amount: number;
  createdAt: string;
  updatedAt: string;
  /** YYYY-MM-DD: Square's arrival_date, else the date the payout was made, in the location's zone. */
  arrivalDate: string;
  version: number;
  destinationType: string | null;
  /** Σ of Square's payout_fee list. */
  transferFees: number;
  /** Card sales by the business day of their entries (effective_at in the location's zone and day start). */
  days: Record<string, PayoutDay>;
  /** Σ net by activity type of every entry that is not a CHARGE or REFUND. */
  activities: Record<string, number>;
  entryCount: number;
  /**
   * The business day of the latest entry: Square sweeps the balance in time order, so every payment
   * of an earlier day has been paid out by this payout or one before it. null without entries.
   */
  sweptThrough: string | null;
}

export interface PayoutSummaryOptions {
  timeZone: string;
  dayStart: string;
  /**
   * The business day of a payment, when the run has it (from the days it read): a fee adjustment that
   * arrives as its own entry belongs to its payment's day. Unknown payments count on the entry's own day.
   */
  paymentDay?: (paymentId: string) => string | undefined;
}

export class PayoutSummaryError extends Error {
  override name = "PayoutSummaryError";
}

const emptyDay = (): PayoutDay => ({ payments: 0, refunds: 0, fees: 0, net: 0, count: 0, feeAdjustments: 0 });

export function summarisePayout(payout: Payout, entries: readonly PayoutEntry[], options: PayoutSummaryOptions): PayoutSummary {
  if (payout.type === "SIMPLE" && entries.length > 0) {
    throw new PayoutSummaryError(`Square listed entries for a SIMPLE payout of ${payout.arrivalDate ?? payout.createdAt}, which should have none.`);
  }
  const madeOn = (at: string) => businessDayOf(Date.parse(at), options.timeZone, "00:00");
  const dayOf = (entry: PayoutEntry) => businessDayOf(Date.parse(entry.effectiveAt ?? payout.createdAt), options.timeZone, options.dayStart);
  const days: Record<string, PayoutDay> = {};
  const activities: Record<string, number> = {};
  const day = (date: string) => (days[date] ??= emptyDay());
  let latest: PayoutEntry | undefined;

  for (const entry of entries) {
    if (!latest || Date.parse(entry.effectiveAt ?? payout.createdAt) > Date.parse(latest.effectiveAt ?? payout.createdAt)) latest = entry;
    const role = roleOf(entry.type);
    if (role === "card-sales") {
      const figures = day(dayOf(entry));
      if (entry.type === "CHARGE") figures.payments = sumMinor(figures.payments, entry.gross);
      else figures.refunds = sumMinor(figures.refunds, -entry.gross);
      figures.fees = sumMinor(figures.fees, entry.fee);
      figures.net = sumMinor(figures.net, entry.net);
      figures.count += 1;
      continue;
    }
    activities[entry.type] = sumMinor(activities[entry.type] ?? 0, entry.net);
    if (role === "processing-fees") {
      const known = entry.paymentId === undefined ? undefined : options.paymentDay?.(entry.paymentId);
      const figures = day(known ?? dayOf(entry));
      figures.feeAdjustments = sumMinor(figures.feeAdjustments, -entry.net);
    }
  }

  return {
    tag: payoutTag(payout.id),
    locationId: payout.locationId,
    status: payout.status,
    type: payout.type,
    currency: payout.currency,
    amount: payout.amount,
    createdAt: payout.createdAt,
    updatedAt: payout.updatedAt,
    arrivalDate: payout.arrivalDate ?? madeOn(payout.createdAt),
    version: payout.version,
    destinationType: payout.destinationType,
    transferFees: sumMinor(...payout.transferFees.map((fee) => fee.amount)),
    days: Object.fromEntries(Object.entries(days).sort(([a], [b]) => (a < b ? -1 : 1))),
    activities: Object.fromEntries(Object.entries(activities).sort(([a], [b]) => (a < b ? -1 : 1))),
    entryCount: entries.length,
    sweptThrough: latest ? dayOf(latest) : null,
  };
}

/**
 * The summary of a payout daybook summarised before from its entries, brought up to Square's latest
 * listing of it (status, version, dates, transfer fees) without reading its entries again: a payout's
 * entries are what make up its amount (the spec's PayoutEntry), fixed when Square makes it, so what was
 * summarised of them stands. The caller makes sure the kept summary is of the same amount, currency and
 * type (payoutKeepsItsEntries), else reads the entries again.
 */
export function resummarisePayout(kept: PayoutSummary, payout: Payout, options: PayoutSummaryOptions): PayoutSummary {
  const listed = summarisePayout(payout, [], options);
  if (listed.tag !== kept.tag) throw new PayoutSummaryError(`the summary of payout ${kept.tag} was taken for payout ${listed.tag}; this is a bug`);
  return { ...listed, days: kept.days, activities: kept.activities, entryCount: kept.entryCount, sweptThrough: kept.sweptThrough };
}

/** Whether a summary made of a payout's entries is still of the payout Square lists: the same amount, currency and type. */
export function payoutKeepsItsEntries(kept: PayoutSummary, payout: Payout): boolean {
  return kept.amount === payout.amount && kept.currency === payout.currency && kept.type === payout.type;
}

/** The business days whose card sales the payout pays out, in order. */
export function coveredDays(summary: PayoutSummary): string[] {
  return Object.entries(summary.days).filter(([, day]) => day.count > 0).map(([date]) => date);
}

/** Σ net of the entries: for a BATCH payout, Square's amount. */
export function entriesNet(summary: PayoutSummary): number {
  return sumMinor(...Object.values(summary.days).map((day) => day.net), ...Object.values(summary.activities));
}

/**
 * A payout's part that belongs to daybook's books, for a location daybook posts from `firstDay` on
 * (docs/accounting.md "Payouts from before daybook"): the card sales of the covered days on or after
 * it. undefined when the payout covers no day before `firstDay` (it is posted as any other).
 */
export interface BeforeDaybook {
  firstDay: string;
  /** Covered days before `firstDay`: their sales are in the books from before daybook. */
  daysBefore: string[];
  /** Covered days on or after `firstDay`: their sales daybook posted to card clearing. */
  daysPosted: string[];
  /** Σ net of the CHARGE and REFUND entries of `daysPosted`: what of the payout came out of daybook's card clearing. */
  postedPart: number;
}

export function beforeDaybook(summary: PayoutSummary, firstDay: string | undefined): BeforeDaybook | undefined {
  if (firstDay === undefined) return undefined;
  const days = coveredDays(summary);
  const daysBefore = days.filter((day) => day < firstDay);
  if (daysBefore.length === 0) return undefined;
  const daysPosted = days.filter((day) => day >= firstDay);
  return { firstDay, daysBefore, daysPosted, postedPart: sumMinor(...daysPosted.map((day) => summary.days[day]?.net ?? 0)) };
}

/**
 * What a payout daybook did not post because it pays out sales from before daybook took from card
 * clearing for the days daybook posted, once the accountant moved it by hand as the digest asks: those
 * days' card sales, nothing else (the rest is the books' from before daybook).
 */
export function daybookShare(summary: PayoutSummary, split: BeforeDaybook): PayoutSummary {
  const days = Object.fromEntries(split.daysPosted.flatMap((day) => (summary.days[day] ? [[day, summary.days[day]]] : [])));
  return { ...summary, amount: split.postedPart, days, activities: {} };
}
