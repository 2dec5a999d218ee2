/**
 * A location's day settings (its time zone and the local time its business day starts) over time. A
 * change applies from a business day the merchant chooses; the days before it keep the settings they
 * were posted with, so nothing already posted moves (an old day re-checked reads the same window).
 *
 * The day a change takes effect starts where the day before it ended, and ends by the new settings:
 * every instant still belongs to exactly one business day. Moving the start from 04:00 to 00:00 makes
 * that first day 20 hours long (the four hours already in the day before are not counted twice);
 * moving it from 00:00 to 04:00 makes it 28 hours long (no sale falls between two days).
 */
import { addDays, type BusinessDayWindow, businessDayWindow } from "./business-day";
import type { EarlierDaySettings, LocationConfig } from "../model";

export interface DaySettings {
  /** IANA zone. */
  timeZone: string;
  /** HH:MM, quarter hours. */
  dayStart: string;
}

/** What of a location (or of its due-index entry) says which settings each day has. */
export type DaySettingsTimeline = DaySettings & { earlierDaySettings?: readonly EarlierDaySettings[] | undefined };

export class DaySettingsError extends Error {
  override name = "DaySettingsError";
}

export const sameDaySettings = (a: DaySettings, b: DaySettings): boolean => a.timeZone === b.timeZone && a.dayStart === b.dayStart;

/** The settings in force for `businessDay`. */
export function daySettingsOn(timeline: DaySettingsTimeline, businessDay: string): DaySettings {
  for (const earlier of timeline.earlierDaySettings ?? []) {
    if (businessDay < earlier.until) return { timeZone: earlier.timeZone, dayStart: earlier.dayStart };
  }
  return { timeZone: timeline.timeZone, dayStart: timeline.dayStart };
}

/**
 * The day's window: it ends at the next day's start by the day's own settings, and starts where the day
 * before ended (by that day's settings), which is the day's own start except on the day a change took effect.
 */
export function dayWindowOf(timeline: DaySettingsTimeline, businessDay: string): BusinessDayWindow {
  const own = daySettingsOn(timeline, businessDay);
  const window = businessDayWindow(businessDay, own.timeZone, own.dayStart);
  const previousDay = addDays(businessDay, -1);
  const before = daySettingsOn(timeline, previousDay);
  if (sameDaySettings(before, own)) return window;
  const startMs = businessDayWindow(previousDay, before.timeZone, before.dayStart).endMs;
  return { ...window, startMs, start: new Date(startMs).toISOString() };
}

/**
 * The location's settings after changing them to `next` from `from` on: the days before `from` keep
 * theirs (an earlier change still to come is overtaken). A change that would leave its first day with no
 * time at all (a jump across the date line) is refused.
 */
export function changeDaySettings(
  timeline: DaySettingsTimeline, next: DaySettings, from: string,
): Pick<LocationConfig, "timeZone" | "dayStart"> & { earlierDaySettings: EarlierDaySettings[] | undefined } {
  const before = daySettingsOn(timeline, addDays(from, -1));
  const history = (timeline.earlierDaySettings ?? []).filter((earlier) => earlier.until <= from);
  if (history.at(-1)?.until !== from) history.push({ ...before, until: from });
  // The last of them may now be the same as the new settings: they simply continue.
  for (let last = history.at(-1); last !== undefined && sameDaySettings(last, next); last = history.at(-1)) history.pop();
  // The key always, so spreading the result over a location replaces its history.
  const changed = { timeZone: next.timeZone, dayStart: next.dayStart, earlierDaySettings: history.length > 0 ? history : undefined };
  const first = dayWindowOf(changed, from);
  if (first.endMs <= first.startMs) {
    throw new DaySettingsError(`moving to ${next.timeZone} from ${from} would leave that day with no hours: choose a later first day`);
  }
  return changed;
}
