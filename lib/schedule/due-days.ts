/**
 * When a location's business days are due to sync. Day D is due once it has ended and the POS has
 * had time to settle (late offline payments, tips added after close): at D's window end plus the
 * settle delay, in real instants, so 23- and 25-hour days come out right.
 *
 * Each location keeps the instant its next first-time sync is due (the due-index holds it); the
 * scheduler asks `dueWork` what that means now. A run that was missed is caught up, not lost: every
 * day whose due instant has passed is returned, oldest first, up to a bound. Each first-time day also
 * re-checks the days before it (late changes become adjusting entries).
 */
import { addDays, businessDayOf, businessDayWindow } from "../domain/business-day";

export interface DueSchedule {
  timeZone: string;
  /** HH:MM */
  dayStart: string;
  /** Minutes after the day's end before it is read: 2 hours unless the merchant says otherwise. */
  settleMinutes: number;
}

/**
 * Two hours after a day's end: the settle delay, for the scheduler (when a day falls due) and the
 * sync engine (which refuses a day before then, whoever asks).
 */
export const DEFAULT_SETTLE_MINUTES = 120;

export const RECHECK_DAYS = 3;
/** A scheduler outage longer than this is a backfill's job, not the nightly catch-up's. */
export const MAX_CATCH_UP_DAYS = 7;

export interface DueDay {
  businessDay: string;
  /** "first": the day's first sync; "recheck": a later look for changes to a day already synced. */
  kind: "first" | "recheck";
}

export interface DueWork {
  days: DueDay[];
  /** Where the location's due-index entry moves to: the next first-time day's due instant. */
  nextDueAt: Date;
}

export function dueAt(businessDay: string, schedule: DueSchedule): Date {
  const { endMs } = businessDayWindow(businessDay, schedule.timeZone, schedule.dayStart);
  return new Date(endMs + schedule.settleMinutes * 60_000);
}

/** When the day has ended and settled, with the default settle delay: no sync reads it before then. */
export function settledAt(businessDay: string, timeZone: string, dayStart: string): Date {
  return dueAt(businessDay, { timeZone, dayStart, settleMinutes: DEFAULT_SETTLE_MINUTES });
}

/** The first business day whose due instant is after `instant`. */
export function firstDayDueAfter(instant: Date, schedule: DueSchedule): string {
  // The day containing (instant − settle) ends after that point, so it is due after `instant`...
  let day = businessDayOf(instant.getTime() - schedule.settleMinutes * 60_000, schedule.timeZone, schedule.dayStart);
  // ...unless it ends exactly there; step forward until strictly after.
  while (dueAt(day, schedule).getTime() <= instant.getTime()) day = addDays(day, 1);
  return day;
}

/** The days due at `now` for a location whose next first-time day was due at `nextDueAt`. */
export function dueWork(nextDueAt: Date, now: Date, schedule: DueSchedule): DueWork {
  if (nextDueAt.getTime() > now.getTime()) return { days: [], nextDueAt };
  // The day that was due at nextDueAt, then each later one already due, at most MAX_CATCH_UP_DAYS back from now.
  let first = firstDayDueAfter(new Date(nextDueAt.getTime() - 1), schedule);
  const oldestAllowed = addDays(firstDayDueAfter(now, schedule), -MAX_CATCH_UP_DAYS);
  if (first < oldestAllowed) first = oldestAllowed;
  const firstDays: string[] = [];
  for (let day = first; dueAt(day, schedule).getTime() <= now.getTime(); day = addDays(day, 1)) firstDays.push(day);

  const days: DueDay[] = [];
  const seen = new Set<string>();
  for (const day of firstDays) {
    for (let back = RECHECK_DAYS; back >= 1; back--) {
      const recheck = addDays(day, -back);
      if (!seen.has(recheck) && !firstDays.includes(recheck)) {
        seen.add(recheck);
        days.push({ businessDay: recheck, kind: "recheck" });
      }
    }
    days.push({ businessDay: day, kind: "first" });
  }
  return { days, nextDueAt: dueAt(addDays(firstDays.at(-1) ?? first, firstDays.length > 0 ? 1 : 0), schedule) };
}
