/**
 * Which goods each of an order's payments paid for, and which each exchange and refund gave back,
 * walked in time order so that every payment, refund and exchange finds the order as it was then.
 * Everything is exact in minor units: across all of an order's events, no line is paid or returned
 * more than once, and an order paid in parts adds up to its lines to the cent.
 *
 * - A payment with `lineItemPayments` pays the percentage of each line it names (cumulatively, so two
 *   50% payments pay the whole line). Otherwise its goods (amount − tax − service charge) pay the
 *   lines still unpaid, in proportion to what is unpaid on each (largest remainder); never more than
 *   is unpaid. Of a line's gross, a payment takes the share that keeps gross following paid net.
 * - An exchange gives back what was paid of the exchanged line and sells its replacement with that
 *   credit; a credit larger than the replacement is kept for the refund that settles the difference.
 * - A refund gives back, in proportion to what is still returnable: the lines it names
 *   (`refund.lineItems`), else the lines flagged `refunded` that no refund names, else every line paid.
 *   Never more than was paid.
 * - A line discounted to nothing (a comp) is paid by the first payment that reaches it and given back
 *   with the line whenever a refund names it (or flags it), so its gross and its discount both show.
 *
 * Goods a payment or refund carries that no line can take are left unexplained here, and so show on
 * the day as over/short.
 */
import { largestRemainder, roundedShare } from "../../domain/apportion";
import type { LineValue } from "./line-values";

export type OrderEvent =
  | { type: "payment"; id: string; at: number; goods: number; percentages: ReadonlyMap<string, number> | null }
  | { type: "exchange"; id: string; at: number; returned: string; replacement: string }
  | { type: "refund"; id: string; at: number; goods: number; lineIds: readonly string[] };

export interface GoodsMovement {
  at: number;
  line: LineValue;
  direction: "sold" | "returned";
  gross: number;
  net: number;
}

interface LineState {
  line: LineValue;
  paidNet: number;
  paidGross: number;
  /** Cumulative lineItemPayments percentage. */
  paidPercent: number;
  returnedNet: number;
  returnedGross: number;
  available: boolean;
  closed: boolean;
}

const EVENT_ORDER = { payment: 0, exchange: 1, refund: 2 } as const;
const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);
const unpaid = (s: LineState) => s.line.net - s.paidNet;
const returnable = (s: LineState) => s.paidNet - s.returnedNet;
const isComp = (s: LineState) => s.line.net === 0 && s.line.gross !== 0;
const somethingToReturn = (s: LineState) => returnable(s) !== 0 || (isComp(s) && s.returnedGross !== s.paidGross);

const byTime = (a: OrderEvent, b: OrderEvent): number =>
  a.at - b.at || EVENT_ORDER[a.type] - EVENT_ORDER[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The events in time order (byTime), equal ones in their given order, as a stable sort gives them. An
 * order has a few events: an insertion sort into one new list, where Array.prototype.sort's work
 * lists were most of a walk's garbage.
 */
function inTimeOrder(events: readonly OrderEvent[]): readonly OrderEvent[] {
  if (events.length < 2) return events;
  const sorted: OrderEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as OrderEvent;
    let at = sorted.length;
    sorted.push(event);
    for (; at > 0 && byTime(sorted[at - 1] as OrderEvent, event) > 0; at--) sorted[at] = sorted[at - 1] as OrderEvent;
    sorted[at] = event;
  }
  return sorted;
}

export function goodsMovements(lines: readonly LineValue[], events: readonly OrderEvent[]): GoodsMovement[] {
  const walk = new OrderWalk(lines, events);
  const sorted = inTimeOrder(events);
  for (let i = 0; i < sorted.length; i++) {
    const event = sorted[i] as OrderEvent;
    if (event.type === "payment") {
      if (event.percentages) walk.payByPercentages(event.at, event.percentages);
      else walk.payInProportion(event.at, event.goods);
    } else if (event.type === "exchange") {
      walk.exchange(event.at, event.returned, event.replacement);
    } else {
      walk.refund(event.at, event.goods, event.lineIds);
    }
  }
  return walk.movements;
}

/**
 * Whether a payment of `goods` (without lineItemPayments) pays every line whole when it is its order's
 * only event: no line is a replacement or worth less than nothing, and the goods cover them all. Then
 * goodsMovements would sell each line with a net at its whole gross and net, then each comp at its
 * gross (payInProportion: every share is the line's whole unpaid net), so the summariser may sell them
 * with sellWhole, without the walk.
 */
export function paysEveryLineWhole(lines: readonly LineValue[], goods: number): boolean {
  let nets = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LineValue;
    if (line.replacement || line.net < 0) return false;
    nets += line.net;
  }
  return Number.isSafeInteger(nets) && goods >= nets;
}

/**
 * What goodsMovements sells, at the payment's time, when paysEveryLineWhole holds: each line with a net
 * at its whole gross and net, then each comp at its gross; handed to `sell` one by one, without the
 * walk's states and movements.
 */
export function sellWhole(lines: readonly LineValue[], sell: (line: LineValue, gross: number, net: number) => void): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LineValue;
    if (line.net !== 0) sell(line, line.gross, line.net);
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LineValue;
    if (line.net === 0 && line.gross !== 0) sell(line, line.gross, 0);
  }
}

/** One order's lines as its events find them (a class rather than closures: an order's walk makes no functions). */
class OrderWalk {
  readonly movements: GoodsMovement[] = [];
  private readonly states: LineState[];
  /** Made when an exchange or a refund first asks (most orders have neither). */
  private statesById: Map<string, LineState> | undefined;
  private namedByRefundsSet: Set<string> | undefined;
  private exchangeCredit = 0;

  constructor(lines: readonly LineValue[], private readonly events: readonly OrderEvent[]) {
    this.states = lines.map((line): LineState => ({
      line, paidNet: 0, paidGross: 0, paidPercent: 0, returnedNet: 0, returnedGross: 0, available: !line.replacement, closed: false,
    }));
  }

  private get byId(): Map<string, LineState> {
    return (this.statesById ??= new Map(this.states.map((s) => [s.line.id, s])));
  }

  private get namedByRefunds(): Set<string> {
    return (this.namedByRefundsSet ??= new Set(this.events.flatMap((e) => (e.type === "refund" ? e.lineIds : []))));
  }

  private move(at: number, s: LineState, direction: GoodsMovement["direction"], gross: number, net: number): void {
    if (gross !== 0 || net !== 0) this.movements.push({ at, line: s.line, direction, gross, net });
  }

  private pay(at: number, s: LineState, net: number): void {
    const paidNet = s.paidNet + net;
    const paidGross = paidNet === s.line.net ? s.line.gross : roundedShare(s.line.gross, paidNet, s.line.net);
    this.move(at, s, "sold", paidGross - s.paidGross, net);
    s.paidNet = paidNet;
    s.paidGross = paidGross;
  }

  private payComp(at: number, s: LineState): void {
    if (!isComp(s) || s.paidGross === s.line.gross) return;
    this.move(at, s, "sold", s.line.gross - s.paidGross, 0);
    s.paidGross = s.line.gross;
  }

  private giveBack(at: number, s: LineState, net: number): void {
    const returnedNet = s.returnedNet + net;
    const returnedGross = returnedNet === s.paidNet ? s.paidGross : roundedShare(s.paidGross, returnedNet, s.paidNet);
    this.move(at, s, "returned", returnedGross - s.returnedGross, net);
    s.returnedNet = returnedNet;
    s.returnedGross = returnedGross;
  }

  payByPercentages(at: number, percentages: ReadonlyMap<string, number>): void {
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i] as LineState;
      const percent = percentages.get(s.line.id);
      if (percent === undefined || !s.available || s.closed) continue;
      s.paidPercent = Math.min(100, s.paidPercent + Math.max(percent, 0));
      if (isComp(s)) {
        const paidGross = roundedShare(s.line.gross, s.paidPercent, 100);
        this.move(at, s, "sold", paidGross - s.paidGross, 0);
        s.paidGross = paidGross;
        continue;
      }
      const share = roundedShare(s.line.net, s.paidPercent, 100) - s.paidNet;
      const left = unpaid(s);
      const bounded = clamp(share, Math.min(0, left), Math.max(0, left));
      if (bounded !== 0) this.pay(at, s, bounded);
    }
  }

  payInProportion(at: number, goods: number): void {
    const open: LineState[] = [];
    const weights: number[] = [];
    let unpaidTotal = 0;
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i] as LineState;
      if (!s.available || s.closed) continue;
      open.push(s);
      weights.push(unpaid(s));
      unpaidTotal += unpaid(s);
    }
    const total = clamp(goods, 0, Math.max(0, unpaidTotal));
    const shares = largestRemainder(total, weights);
    for (let i = 0; i < shares.length; i++) {
      const s = open[i];
      const share = shares[i] ?? 0;
      if (s && share !== 0) this.pay(at, s, share);
    }
    for (let i = 0; i < open.length; i++) this.payComp(at, open[i] as LineState);
  }

  exchange(at: number, returnedId: string, replacementId: string): void {
    const returned = this.byId.get(returnedId);
    const replacement = this.byId.get(replacementId);
    if (!returned || !replacement || returned.closed) return;
    const credit = returnable(returned);
    this.giveBack(at, returned, credit);
    returned.closed = true;
    replacement.available = true;
    const covered = clamp(credit, 0, Math.max(0, unpaid(replacement)));
    if (covered !== 0) this.pay(at, replacement, covered);
    this.payComp(at, replacement);
    this.exchangeCredit += Math.max(0, credit - covered);
  }

  refund(at: number, goods: number, lineIds: readonly string[]): void {
    let left = goods;
    if (lineIds.length === 0 && this.exchangeCredit > 0) {
      const settled = clamp(left, 0, this.exchangeCredit);
      this.exchangeCredit -= settled;
      left -= settled;
    }
    const named = lineIds.flatMap((id) => this.byId.get(id) ?? []);
    const flagged = this.states.filter((s) => s.line.refunded && !this.namedByRefunds.has(s.line.id) && somethingToReturn(s));
    const explicit = named.length > 0 ? named : flagged;
    const base = explicit.length > 0 ? explicit : this.states.filter((s) => returnable(s) !== 0);
    const weights = base.map(returnable);
    const total = clamp(left, 0, Math.max(0, weights.reduce((a, b) => a + b, 0)));
    const shares = largestRemainder(total, weights);
    for (let i = 0; i < shares.length; i++) {
      const s = base[i];
      const share = shares[i] ?? 0;
      if (s && share !== 0) this.giveBack(at, s, share);
    }
    for (const s of explicit) if (isComp(s)) this.giveBack(at, s, 0);
  }
}
