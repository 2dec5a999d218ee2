/**
 * A location-night's one read of its POS (lib/sync/sync-night.ts plans it; square/night.ts and
 * clover/night.ts carry it out): the changes since the newest day's start, read once, make
 *
 * - the newest day (D) complete: everything recognised in D was created, and so last updated, at or
 *   after D's start, so the changes hold all of it, and D's summariser picks its own from them;
 * - each earlier day (D−1..D−3) either "unchanged" — its record is known complete as of an instant
 *   at or after the changes' start (`trusted`), and nothing read has any instant in its window — or
 *   read again in full, by the day's own read (a changed day's figures need ALL its orders, and daybook
 *   keeps no order to apply a change to: only daily totals are stored).
 *
 * "Touches" is deliberately wider than "counts in": an item touches a day when any of its instants
 * (an order's close, each tender, payment, refund, credit or line) falls in the day's window, whether
 * or not the summariser would count it, so an order that stopped counting (voided, canceled) is seen.
 */
import type { BusinessDayWindow } from "../domain/business-day";
import type { DailySummary } from "../domain/summary";
import type { Warning } from "../domain/warnings";

export type DayWindow = Pick<BusinessDayWindow, "startMs" | "endMs">;

export interface NightDay {
  businessDay: string;
  window: DayWindow;
  /** The day's record holds its complete figures as of an instant at or after `changesSince`. */
  trusted: boolean;
}

export interface NightPlan {
  /** Oldest first; the last is the night's own day. */
  days: NightDay[];
  /** The changes read: everything updated at or after this instant (ms). */
  changesSince: number;
}

export interface DayRead {
  summary: DailySummary;
  warnings: Warning[];
}

/** Per day: its figures as read, or "unchanged" (its record's figures stand). */
export type NightRead = Map<string, DayRead | "unchanged">;

/** The days the changes make complete: those starting at or after the changes' start. */
export function completeFromChanges(plan: NightPlan): NightDay[] {
  return plan.days.filter((day) => day.window.startMs >= plan.changesSince);
}

/** Which of the trusted earlier days the changes touch. */
export class NightTouches {
  readonly #watched: NightDay[];
  readonly #touched = new Set<string>();

  constructor(plan: NightPlan) {
    this.#watched = plan.days.filter((day) => day.trusted && day.window.startMs < plan.changesSince);
  }

  /** An instant of a changed item (ms); an unreadable one touches every watched day. */
  touch(ms: number): void {
    for (const day of this.#watched) {
      if (Number.isNaN(ms) || (ms >= day.window.startMs && ms < day.window.endMs)) this.#touched.add(day.businessDay);
    }
  }

  /** ISO 8601 or epoch ms, as the POS gives it; absent is no instant. */
  touchAt(value: unknown): void {
    if (value === undefined || value === null) return;
    this.touch(typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN);
  }

  isTouched(businessDay: string): boolean {
    return this.#touched.has(businessDay);
  }
}

/**
 * The night's result: the complete days as summarised from the changes, the untouched trusted days
 * unchanged, and every other day read in full by `readDay`, oldest first.
 */
export async function finishNight(
  plan: NightPlan, fromChanges: ReadonlyMap<string, () => DayRead>, touches: NightTouches, readDay: (day: NightDay) => Promise<DayRead>,
): Promise<NightRead> {
  const result: NightRead = new Map();
  for (const day of plan.days) {
    const finish = fromChanges.get(day.businessDay);
    if (finish) result.set(day.businessDay, finish());
    else if (day.trusted && !touches.isTouched(day.businessDay)) result.set(day.businessDay, "unchanged");
    else result.set(day.businessDay, await readDay(day));
  }
  return result;
}

/**
 * Runs independent reads at once and waits for all of them to end (none is left running behind a
 * failure); the first failure in the order given is thrown, so the same fault always says the same thing.
 */
export async function allInOrder(reads: readonly (() => Promise<void>)[]): Promise<void> {
  const settled = await Promise.allSettled(reads.map((read) => read()));
  for (const result of settled) if (result.status === "rejected") throw result.reason;
}

/** Each element of an array field of an object, as raw values. */
export function each(value: unknown, field: string): unknown[] {
  const list = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return Array.isArray(list) ? list : [];
}

/** A field of a raw object. */
export function fieldOf(value: unknown, field: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}
