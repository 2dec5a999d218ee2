/**
 * Part 5's clock for its measured night (bench/cost-job.ts): nights run when the scheduler runs them,
 * a day apart, so the payouts Square made between them are those a real night reads.
 */
import { addDays, businessDayOf, businessDayWindow } from "../lib/domain/business-day";
import { DEFAULT_SETTLE_MINUTES, lastDayDueBy } from "../lib/schedule/due-days";

/**
 * The measured night's day D and clock: 02:15 in `zone` on D+1 (D settled at 02:00, DEFAULT_SETTLE_MINUTES,
 * and the scheduler's next tick), for the latest such night at or before `nowMs` whose D is a Wednesday,
 * Thursday or Friday: each of the payouts its window holds (made the evenings of D−2..D) then arrives the
 * next day, as Square's daily payouts do on weekdays (sandbox/square/payouts.ts arrives on weekdays only).
 */
export function nightClock(zone: string, nowMs: number): { day: string; atMs: number } {
  for (let back = 0; back < 8; back++) {
    const date = addDays(businessDayOf(nowMs, zone), -back);
    const day = addDays(date, -1);
    const atMs = businessDayWindow(date, zone).startMs + (DEFAULT_SETTLE_MINUTES + 15) * 60_000;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (atMs <= nowMs && weekday >= 3 && weekday <= 5 && lastDayDueBy(new Date(atMs), { timeZone: zone, dayStart: "00:00", settleMinutes: DEFAULT_SETTLE_MINUTES }) === day) return { day, atMs };
  }
  throw new Error(`no Wednesday, Thursday or Friday night in ${zone} in the week before ${new Date(nowMs).toISOString()}`);
}

