/**
 * Square payouts, made from the simulator's own payments and refunds (payments.ts) by a schedule per
 * location, the way Square's balance works (specs/square/api.json: Payout, PayoutEntry, ActivityType,
 * PayoutFee; Square's Payouts API guide), and ListPayouts, GetPayout and ListPayoutEntries over them.
 *
 * Every card and wallet payment that completed is a CHARGE (gross = its total with tip, fee = its
 * processing fees, net = gross − fee) and every refund of one a REFUND (negative, its fee given back
 * negative). A daily cut-off (default 17:00 in the location's zone, Square's US schedule) sweeps what
 * the balance gained since the cut-off before into one BATCH payout, so each payout spans two business
 * days, arriving the next weekday. On demand: instant deposits (a DEPOSIT_FEE, and the fee as the
 * payout's TRANSFER_FEE), chargebacks (OPEN_DISPUTE, and DISPUTE when won), payment holds
 * (HOLD_ADJUSTMENT, RELEASE_ADJUSTMENT), Square Capital repayments (SQUARE_CAPITAL_PAYMENT), automatic
 * savings, gift-card load fees, fee adjustments (folded into the CHARGE when they came before its
 * payout, else a FEE entry of their own), and payouts the bank rejects: FAILED at once, or returned
 * days later (SENT, PAID, then FAILED); either way a RETURNED_PAYOUT entry brings the money back in a
 * later payout. A payout is SENT when made and PAID from 09:00 on its arrival date.
 *
 * Alongside, the ground truth from the generation itself, never from the bodies: what the bank got,
 * what card clearing must hold once every day and payout is posted, and what each other account saw.
 */
import { createHash } from "node:crypto";
import { addDays, businessDayOf, businessDayWindow } from "../../lib/domain/business-day";
import { invalidRequest, notFound } from "./api-error";
import { type CursorCodec, pageAfter, queryFingerprint, sortedEntries } from "./paging";
import { derivePayments, listLimit, listPage } from "./payments";
import { enumValue, isObject, type JsonObject } from "./request-checks";
import type { SquareData, StoredLocation } from "./store";

export interface PayoutSchedule {
  /** The first and last dates (in the location's zone) whose daily cut-off makes a payout. */
  from: string;
  to: string;
  /** Local time of the cut-off, on a quarter hour; default "17:00". */
  cutoff?: string;
  /** Weekdays from a cut-off to the arrival date; default 1. */
  arrivalDays?: number;
  /** At these instants the balance since the last cut-off goes out at once, for a fee (default 1.75%). */
  instantDeposits?: { at: string; feeBasisPoints?: number }[];
  /** A chargeback filed at `at` (default: the payment's whole total); `wonAt`: the seller won it back. */
  chargebacks?: { paymentId: string; at: string; amount?: number; wonAt?: string }[];
  /** Square holds `amount` of a payment back at `at`, and releases it at `releasedAt`. */
  holds?: { paymentId: string; at: string; amount: number; releasedAt?: string }[];
  /** Square Capital takes this share of each charge's gross toward the seller's loan. */
  loanRepaymentBasisPoints?: number;
  /** This share of each batch's charges goes to Square Savings. */
  savingsBasisPoints?: number;
  /** Square keeps this share of a gift card's load (the order's GIFT_CARD lines) paid by card. */
  giftCardLoadFeeBasisPoints?: number;
  /** Payouts the bank rejects, by the local date of their cut-off or instant deposit: at once, or `returnedAfterDays` later. */
  failures?: { date: string; returnedAfterDays?: number }[];
}

export type SimulatedPayoutStatus = "SENT" | "PAID" | "FAILED";

export interface PayoutTruth {
  currency: string;
  /** The payouts made by now, oldest first. */
  payouts: { id: string; status: SimulatedPayoutStatus; amount: number; arrivalDate: string; createdAt: string; entryCount: number; instant: boolean }[];
  /** What the bank got (or is getting): Σ amounts of the payouts not FAILED. */
  bank: number;
  /**
   * What card clearing holds once daybook has posted every day up to now and every payout made by
   * now: card sales net of fees (with fee adjustments and refunds) not in any payout yet, what Square
   * holds back, and the money of failed payouts not paid out again yet.
   */
  clearing: { unpaid: number; held: number; returning: number; total: number };
  /** What the payouts made by now moved to each other account, debit positive. */
  accounts: { depositFees: number; giftCardLoadFees: number; disputes: number; loan: number; savings: number };
}

type EventKind = "card" | "hold" | "returned" | "deposit-fee" | "gift-card-fee" | "dispute" | "loan" | "savings";

interface BalanceEvent {
  at: number;
  type: string;
  gross: number;
  fee: number;
  kind: EventKind;
  /** The type_*_details field and its body, where the spec has one for the type. */
  details?: [string, JsonObject];
}

interface MadePayout {
  id: string;
  sweepMs: number;
  createdMs: number;
  arrivalDate: string;
  instant: boolean;
  amount: number;
  transferFee: number;
  entries: BalanceEvent[];
  paidMs: number;
  failure?: { atOnce: boolean; failedMs: number };
  endToEndId: string;
}

interface LocationPayouts {
  location: StoredLocation;
  payouts: MadePayout[];
  /** Every balance event, paid out or not. */
  events: BalanceEvent[];
}

const HOUR = 3_600_000;
const DEFAULT_INSTANT_FEE_BASIS_POINTS = 175;

const hash = (text: string): string => createHash("sha256").update(text).digest("hex");
const iso = (ms: number): string => new Date(ms).toISOString();
/** Debit positive: what the balance lost to an account is what the account gained. */
const debit = (net: number): number => (net === 0 ? 0 : -net);
const netOf = (event: BalanceEvent): number => event.gross - event.fee;
const share = (amount: number, basisPoints: number): number => Math.round((amount * basisPoints) / 10_000);

function uuidLike(text: string): string {
  const h = hash(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function addWeekdays(date: string, days: number): string {
  let day = date;
  for (let left = days; left > 0;) {
    day = addDays(day, 1);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return day;
}

function moneyAmount(value: unknown): number {
  return isObject(value) && typeof value["amount"] === "number" ? value["amount"] : 0;
}

function timeOf(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${what}: "${text}" is not a time`);
  return ms;
}

/** Card and wallet payments are paid out; cash, gift-card redemptions and external tenders are not. */
function paidOut(payment: JsonObject): boolean {
  const card = isObject(payment["card_details"]) && isObject(payment["card_details"]["card"]) ? payment["card_details"]["card"] : undefined;
  return payment["status"] === "COMPLETED" &&
    ((payment["source_type"] === "CARD" && card?.["card_brand"] !== "SQUARE_GIFT_CARD") || payment["source_type"] === "WALLET");
}

function cardEvents(data: SquareData, location: StoredLocation, schedule: PayoutSchedule, sweepAfter: (ms: number) => number | undefined): BalanceEvent[] {
  const { payments, refunds } = derivePayments(data, location.merchantId);
  const events: BalanceEvent[] = [];
  const eligible = new Map<string, JsonObject>();
  const orders = new Map(data.ordersAt(new Set([location.id])).map((order) => [order.id, order]));
  const loadFeeCharged = new Set<string>();
  for (const payment of payments) {
    if (payment["location_id"] !== location.id || !paidOut(payment)) continue;
    const paymentId = String(payment["id"]);
    eligible.set(paymentId, payment);
    const createdMs = timeOf(String(payment["created_at"]), `payment ${paymentId}`);
    const gross = moneyAmount(payment["total_money"]);
    const fees = (Array.isArray(payment["processing_fee"]) ? payment["processing_fee"] : []).filter(isObject);
    const sweep = sweepAfter(createdMs);
    let fee = 0;
    for (const processing of fees) {
      const effectiveMs = timeOf(String(processing["effective_at"]), `a fee of payment ${paymentId}`);
      const amount = moneyAmount(processing["amount_money"]);
      // A fee changed before the charge's payout is in the charge; one changed later comes as its own entry.
      if (processing["type"] === "INITIAL" || (sweep !== undefined && effectiveMs <= sweep)) fee += amount;
      else events.push({ at: effectiveMs, type: "FEE", gross: 0, fee: amount, kind: "card", details: ["type_fee_details", { payment_id: paymentId }] });
    }
    events.push({ at: createdMs, type: "CHARGE", gross, fee, kind: "card", details: ["type_charge_details", { payment_id: paymentId }] });
    const loan = share(gross, schedule.loanRepaymentBasisPoints ?? 0);
    if (loan !== 0) {
      events.push({ at: createdMs, type: "SQUARE_CAPITAL_PAYMENT", gross: -loan, fee: 0, kind: "loan", details: ["type_square_capital_payment_details", { payment_id: paymentId }] });
    }
    const order = orders.get(String(payment["order_id"]));
    if (order && schedule.giftCardLoadFeeBasisPoints && !loadFeeCharged.has(order.id)) {
      const lines: unknown[] = Array.isArray(order["line_items"]) ? order["line_items"] : [];
      const loads = lines.filter(isObject).filter((line) => line["item_type"] === "GIFT_CARD");
      const loadFee = share(loads.reduce((sum, line) => sum + moneyAmount(line["total_money"]), 0), schedule.giftCardLoadFeeBasisPoints);
      loadFeeCharged.add(order.id);
      if (loadFee !== 0) events.push({ at: createdMs, type: "GIFT_CARD_LOAD_FEE", gross: -loadFee, fee: 0, kind: "gift-card-fee" });
    }
  }
  for (const refund of refunds) {
    const paymentId = String(refund["payment_id"]);
    if (refund["location_id"] !== location.id || refund["status"] !== "COMPLETED" || !eligible.has(paymentId)) continue;
    const fee = (Array.isArray(refund["processing_fee"]) ? refund["processing_fee"] : []).reduce((sum: number, processing) => sum + moneyAmount(isObject(processing) ? processing["amount_money"] : undefined), 0);
    events.push({
      at: timeOf(String(refund["created_at"]), `refund ${String(refund["id"])}`), type: "REFUND", gross: -moneyAmount(refund["amount_money"]), fee, kind: "card",
      details: ["type_refund_details", { payment_id: paymentId, refund_id: String(refund["id"]) }],
    });
  }
  const paymentTotal = (paymentId: string, what: string): number => {
    const payment = eligible.get(paymentId);
    if (!payment) throw new Error(`${what}: no completed card payment ${paymentId} at location ${location.id}`);
    return moneyAmount(payment["total_money"]);
  };
  for (const chargeback of schedule.chargebacks ?? []) {
    const total = paymentTotal(chargeback.paymentId, "a chargeback");
    const amount = chargeback.amount ?? total;
    const details = { payment_id: chargeback.paymentId, dispute_id: `dsp_${hash(`${chargeback.paymentId}|${chargeback.at}`).slice(0, 22)}` };
    events.push({ at: timeOf(chargeback.at, "a chargeback"), type: "OPEN_DISPUTE", gross: -amount, fee: 0, kind: "dispute", details: ["type_open_dispute_details", details] });
    if (chargeback.wonAt) events.push({ at: timeOf(chargeback.wonAt, "a chargeback won"), type: "DISPUTE", gross: amount, fee: 0, kind: "dispute", details: ["type_dispute_details", details] });
  }
  for (const hold of schedule.holds ?? []) {
    paymentTotal(hold.paymentId, "a hold");
    events.push({ at: timeOf(hold.at, "a hold"), type: "HOLD_ADJUSTMENT", gross: -hold.amount, fee: 0, kind: "hold", details: ["type_hold_adjustment_details", { payment_id: hold.paymentId }] });
    if (hold.releasedAt) {
      events.push({ at: timeOf(hold.releasedAt, "a hold's release"), type: "RELEASE_ADJUSTMENT", gross: hold.amount, fee: 0, kind: "hold", details: ["type_release_adjustment_details", { payment_id: hold.paymentId }] });
    }
  }
  return events;
}

interface Sweep {
  ms: number;
  /** The location's calendar date of the sweep. */
  date: string;
  instantFeeBasisPoints?: number;
}

function makePayouts(data: SquareData, location: StoredLocation, schedule: PayoutSchedule): LocationPayouts {
  const zone = location.timezone;
  if (!zone) throw new Error(`location ${location.id} has no time zone, so it has no payout schedule`);
  const cutoff = schedule.cutoff ?? "17:00";
  const sweeps: Sweep[] = [];
  for (let date = schedule.from; date <= schedule.to; date = addDays(date, 1)) {
    sweeps.push({ ms: businessDayWindow(date, zone, cutoff).startMs, date });
  }
  for (const instant of schedule.instantDeposits ?? []) {
    const ms = timeOf(instant.at, "an instant deposit");
    sweeps.push({ ms, date: businessDayOf(ms, zone, "00:00"), instantFeeBasisPoints: instant.feeBasisPoints ?? DEFAULT_INSTANT_FEE_BASIS_POINTS });
  }
  sweeps.sort((a, b) => a.ms - b.ms);
  const sweepAfter = (ms: number) => sweeps.find((sweep) => sweep.ms >= ms)?.ms;

  const events = cardEvents(data, location, schedule, sweepAfter);
  const waiting = [...events].sort((a, b) => a.at - b.at);
  const payouts: MadePayout[] = [];
  let from = Number.NEGATIVE_INFINITY;
  for (const sweep of sweeps) {
    const swept = waiting.filter((event) => event.at > from && event.at <= sweep.ms);
    const id = `po_${uuidLike(`${location.id}|${sweep.ms}`)}`;
    const entries = [...swept];
    const savings = sweep.instantFeeBasisPoints === undefined
      ? share(swept.filter((event) => event.type === "CHARGE").reduce((sum, event) => sum + event.gross, 0), schedule.savingsBasisPoints ?? 0)
      : 0;
    if (savings !== 0) entries.push({ at: sweep.ms, type: "AUTOMATIC_SAVINGS", gross: -savings, fee: 0, kind: "savings", details: ["type_automatic_savings_details", { payout_id: id }] });
    let amount = entries.reduce((sum, event) => sum + netOf(event), 0);
    let transferFee = 0;
    if (sweep.instantFeeBasisPoints !== undefined) {
      transferFee = amount > 0 ? Math.max(1, share(amount, sweep.instantFeeBasisPoints)) : 0;
      if (amount - transferFee <= 0) continue; // nothing to send at once: it waits for the next cut-off
      entries.push({ at: sweep.ms, type: "DEPOSIT_FEE", gross: -transferFee, fee: 0, kind: "deposit-fee", details: ["type_deposit_fee_details", { payout_id: id }] });
      amount -= transferFee;
    }
    if (amount === 0) continue; // Square never pays out zero; the activity waits for the next cut-off
    from = sweep.ms;
    const instant = sweep.instantFeeBasisPoints !== undefined;
    const createdMs = sweep.ms + (instant ? 60_000 : 30 * 60_000);
    const arrivalDate = instant ? sweep.date : addWeekdays(sweep.date, schedule.arrivalDays ?? 1);
    const paidMs = Math.max(businessDayWindow(arrivalDate, zone, "09:00").startMs, createdMs + HOUR);
    const failure = schedule.failures?.find((candidate) => candidate.date === sweep.date);
    const made: MadePayout = {
      id, sweepMs: sweep.ms, createdMs, arrivalDate, instant, amount, transferFee, entries, paidMs,
      endToEndId: `L21${BigInt(`0x${hash(id).slice(0, 12)}`).toString().slice(0, 8)}`,
    };
    if (failure) {
      const atOnce = failure.returnedAfterDays === undefined;
      made.failure = { atOnce, failedMs: atOnce ? createdMs : createdMs + (failure.returnedAfterDays ?? 0) * 24 * HOUR };
      const back: BalanceEvent = { at: made.failure.failedMs + HOUR, type: "RETURNED_PAYOUT", gross: amount, fee: 0, kind: "returned" };
      const later = waiting.findIndex((event) => event.at > back.at);
      waiting.splice(later === -1 ? waiting.length : later, 0, back);
      events.push(back);
    }
    payouts.push(made);
  }
  return { location, payouts, events };
}

const madeCache = new WeakMap<SquareData, Map<string, { revision: number; made: LocationPayouts }>>();

/** The payouts of every location of the merchant that has a schedule (once per change of the data). */
function merchantPayouts(data: SquareData, merchantId: string): LocationPayouts[] {
  const perLocation = madeCache.get(data) ?? new Map<string, { revision: number; made: LocationPayouts }>();
  madeCache.set(data, perLocation);
  return data.locationsOf(merchantId).flatMap((location) => {
    const schedule = data.payoutScheduleOf(location.id);
    if (!schedule) return [];
    const cached = perLocation.get(location.id);
    if (cached?.revision === data.revision) return [cached.made];
    const made = makePayouts(data, location, schedule);
    perLocation.set(location.id, { revision: data.revision, made });
    return [made];
  });
}

interface StatusNow {
  status: SimulatedPayoutStatus;
  updatedMs: number;
  version: number;
}

function statusAt(payout: MadePayout, now: number): StatusNow {
  if (payout.failure?.atOnce) return { status: "FAILED", updatedMs: payout.createdMs, version: 1 };
  if (payout.failure && now >= payout.failure.failedMs) return { status: "FAILED", updatedMs: payout.failure.failedMs, version: 3 };
  if (now >= payout.paidMs) return { status: "PAID", updatedMs: payout.paidMs, version: 2 };
  return { status: "SENT", updatedMs: payout.createdMs, version: 1 };
}

function payoutBody(made: LocationPayouts, payout: MadePayout, now: number): JsonObject {
  const { status, updatedMs, version } = statusAt(payout, now);
  const currency = made.location.currency;
  return {
    id: payout.id,
    status,
    location_id: made.location.id,
    created_at: iso(payout.createdMs),
    updated_at: iso(updatedMs),
    amount_money: { amount: payout.amount, currency },
    destination: payout.instant
      ? { type: "CARD", id: `ccof:${hash(`${made.location.id}|card`).slice(0, 18)}` }
      : { type: "BANK_ACCOUNT", id: `bact:${hash(`${made.location.id}|bank`).slice(0, 18)}` },
    version,
    type: "BATCH",
    ...(payout.instant ? { payout_fee: [{ amount_money: { amount: payout.transferFee, currency }, effective_at: iso(payout.sweepMs), type: "TRANSFER_FEE" }] } : {}),
    arrival_date: payout.arrivalDate,
    end_to_end_id: payout.endToEndId,
  };
}

function entryBodies(made: LocationPayouts, payout: MadePayout): JsonObject[] {
  const currency = made.location.currency;
  const money = (amount: number) => ({ amount, currency });
  return payout.entries.map((event, index) => ({
    id: `poe_${Buffer.from(hash(`${payout.id}|${index}`), "hex").toString("base64url").slice(0, 26)}`,
    payout_id: payout.id,
    effective_at: iso(event.at),
    type: event.type,
    gross_amount_money: money(event.gross),
    fee_amount_money: money(event.fee),
    net_amount_money: money(netOf(event)),
    ...(event.details ? { [event.details[0]]: event.details[1] } : {}),
  }));
}

/** The payouts made by now. */
const visible = (made: LocationPayouts, now: number): MadePayout[] => made.payouts.filter((payout) => payout.createdMs <= now);

function findPayout(data: SquareData, merchantId: string, payoutId: string, now: number): { made: LocationPayouts; payout: MadePayout } {
  for (const made of merchantPayouts(data, merchantId)) {
    const payout = visible(made, now).find((candidate) => candidate.id === payoutId);
    if (payout) return { made, payout };
  }
  throw notFound(`Payout ${payoutId} was not found.`);
}

/** GET /v2/payouts (ListPayouts). */
export function listPayouts(data: SquareData, cursors: CursorCodec, merchantId: string, params: Readonly<Record<string, string>>, now: number): JsonObject {
  if (params["status"] !== undefined) enumValue(params["status"], ["SENT", "FAILED", "PAID"] as const, "status");
  const bodies = merchantPayouts(data, merchantId).flatMap((made) => visible(made, now).map((payout) => payoutBody(made, payout, now)));
  const statuses = hash(bodies.map((body) => `${String(body["id"])}:${String(body["status"])}`).join(","));
  return listPage("ListPayouts", "payouts", bodies, params, { data, cursors, merchantId, now }, {
    extraParams: ["status"], defaultLocations: "main", sortField: false, cacheKey: statuses,
    keep: (payout, filters) => filters["status"] === undefined || payout["status"] === filters["status"],
  });
}

/** GET /v2/payouts/{payout_id} (GetPayout). */
export function getPayout(data: SquareData, merchantId: string, payoutId: string, now: number): JsonObject {
  const { made, payout } = findPayout(data, merchantId, payoutId, now);
  return { payout: payoutBody(made, payout, now) };
}

/** GET /v2/payouts/{payout_id}/payout-entries (ListPayoutEntries). */
export function listPayoutEntries(
  data: SquareData, cursors: CursorCodec, merchantId: string, payoutId: string, params: Readonly<Record<string, string>>, now: number,
): JsonObject {
  for (const name of Object.keys(params)) {
    if (!["sort_order", "cursor", "limit"].includes(name)) {
      throw invalidRequest("UNKNOWN_QUERY_PARAMETER", `Unrecognized (or, in this simulator, unsupported) query parameter \`${name}\`.`, name);
    }
  }
  const { cursor: cursorText, ...rest } = params;
  const fingerprint = queryFingerprint("ListPayoutEntries", merchantId, { ...rest, payoutId });
  const cursor = cursorText ? cursors.decode(cursorText, fingerprint) : undefined;
  const sortOrder = params["sort_order"] === undefined ? "DESC" : enumValue(params["sort_order"], ["ASC", "DESC"] as const, "sort_order");
  const limit = listLimit(params["limit"]);
  const { made, payout } = findPayout(data, merchantId, payoutId, now);
  const sorted = sortedEntries(entryBodies(made, payout), (body) => ({ at: Date.parse(String(body["effective_at"])), id: String(body["id"]) }), sortOrder);
  const page = pageAfter(sorted, sortOrder, cursor?.after, limit);
  return {
    ...(page.items.length ? { payout_entries: page.items } : {}),
    ...(page.next ? { cursor: cursors.encode(fingerprint, { after: page.next, pinnedNow: cursor?.pinnedNow ?? now }) } : {}),
  };
}

/** The ground truth of a location's payouts as of `now` (see PayoutTruth). */
export function payoutTruth(data: SquareData, locationId: string, now: number): PayoutTruth {
  const location = data.location(locationId);
  if (!location) throw new Error(`unknown location ${locationId}`);
  const made = merchantPayouts(data, location.merchantId).find((candidate) => candidate.location.id === locationId);
  if (!made) throw new Error(`location ${locationId} has no payout schedule`);
  const shown = visible(made, now);
  const inPayouts = new Set(shown.flatMap((payout) => payout.entries));
  const sum = (events: Iterable<BalanceEvent>, kind: EventKind) => [...events].filter((event) => event.kind === kind).reduce((total, event) => total + netOf(event), 0);
  const standing = shown.filter((payout) => statusAt(payout, now).status !== "FAILED");
  const failed = shown.filter((payout) => statusAt(payout, now).status === "FAILED");
  const unpaid = made.events.filter((event) => event.kind === "card" && event.at <= now && !inPayouts.has(event)).reduce((total, event) => total + netOf(event), 0);
  const held = debit(sum(inPayouts, "hold"));
  const returning = failed.reduce((total, payout) => total + payout.amount, 0) - sum(standing.flatMap((payout) => payout.entries), "returned");
  return {
    currency: location.currency,
    payouts: shown.map((payout) => ({
      id: payout.id, status: statusAt(payout, now).status, amount: payout.amount, arrivalDate: payout.arrivalDate,
      createdAt: iso(payout.createdMs), entryCount: payout.entries.length, instant: payout.instant,
    })),
    bank: standing.reduce((total, payout) => total + payout.amount, 0),
    clearing: { unpaid, held, returning, total: unpaid + held + returning },
    accounts: {
      depositFees: debit(sum(inPayouts, "deposit-fee")),
      giftCardLoadFees: debit(sum(inPayouts, "gift-card-fee")),
      disputes: debit(sum(inPayouts, "dispute")),
      loan: debit(sum(inPayouts, "loan")),
      savings: debit(sum(inPayouts, "savings")),
    },
  };
}

/** The ids of a location's payouts made by now, oldest first (for tests that need one). */
export function payoutIds(data: SquareData, locationId: string, now: number): string[] {
  const location = data.location(locationId);
  if (!location) return [];
  return merchantPayouts(data, location.merchantId).filter((made) => made.location.id === locationId).flatMap((made) => visible(made, now).map((payout) => payout.id));
}

/** Checks a schedule given to the control API, so a test's mistake fails at once and says what is wrong. */
export function checkSchedule(schedule: PayoutSchedule, location: StoredLocation): void {
  if (!location.timezone) throw new Error(`location ${location.id} has no time zone, so Square could not schedule its payouts`);
  businessDayWindow(schedule.from, location.timezone, schedule.cutoff ?? "17:00");
  businessDayWindow(schedule.to, location.timezone, "00:00");
  if (schedule.from > schedule.to) throw new Error(`a payout schedule's from (${schedule.from}) is after its to (${schedule.to})`);
  const rates = { loanRepaymentBasisPoints: schedule.loanRepaymentBasisPoints, savingsBasisPoints: schedule.savingsBasisPoints, giftCardLoadFeeBasisPoints: schedule.giftCardLoadFeeBasisPoints };
  for (const [name, value] of Object.entries(rates)) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 10_000)) throw new Error(`${name} must be a whole number from 0 to 10000`);
  }
  if (!Number.isInteger(schedule.arrivalDays ?? 1) || (schedule.arrivalDays ?? 1) < 0) throw new Error("arrivalDays must be a whole number, 0 or more");
  for (const hold of schedule.holds ?? []) if (!(Number.isInteger(hold.amount) && hold.amount > 0)) throw new Error("a hold's amount is a positive whole number of minor units");
  for (const chargeback of schedule.chargebacks ?? []) {
    if (chargeback.amount !== undefined && !(Number.isInteger(chargeback.amount) && chargeback.amount > 0)) throw new Error("a chargeback's amount is a positive whole number of minor units");
  }
}
