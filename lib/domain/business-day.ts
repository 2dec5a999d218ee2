/**
 * Business days: day D of a location is [D at day-start, D+1 at day-start) in the location's IANA
 * zone, as UTC instants. Across a DST change the day is 23 or 25 hours long.
 *
 * A day start that falls in a DST gap (02:00 on a spring-forward night) starts the day at the first
 * instant after the gap; one that falls in a repeated hour starts at its first occurrence. This is
 * the "compatible" rule of Temporal and RFC 5545, so every instant belongs to exactly one day.
 */

export class BusinessDayError extends Error {
  override name = "BusinessDayError";
}

export interface BusinessDayWindow {
  /** The business day, YYYY-MM-DD. */
  date: string;
  timeZone: string;
  /** Local day start, HH:MM. */
  dayStart: string;
  /** Inclusive start, epoch milliseconds. */
  startMs: number;
  /** Exclusive end, epoch milliseconds. */
  endMs: number;
  /** ISO 8601 UTC forms of startMs and endMs. */
  start: string;
  end: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_START = /^([01]\d|2[0-3]):(00|15|30|45)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new BusinessDayError(`unknown time zone "${timeZone}" (use an IANA name such as America/New_York)`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(timeZone: string): string {
  formatterFor(timeZone);
  return timeZone;
}

export interface TimeZoneChoice {
  /** Accept a zone that is only a fixed offset (EST, Etc/GMT+5) because the location really keeps one. */
  allowFixedOffset?: boolean;
  /** How this caller allows a fixed offset on purpose, said after the refusal (e.g. "pass --fixed-offset"). */
  howToAllowFixedOffset?: string;
}

/** UTC, named as such: nobody picks it thinking of a place with summer time. */
const UTC_ZONES = new Set(["UTC", "Etc/UTC"]);
/** EST, PST, CET, GMT, NZ, PRC: the tz database's and ICU's legacy abbreviations, not places. */
const ABBREVIATION = /^[A-Z]{2,5}$/;
const PLACE_EXAMPLE = "such as America/New_York or Europe/London";

function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / MINUTE);
  const sign = offsetMs < 0 ? "-" : "+";
  return `UTC${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The zone's one offset across the year around `nowMs`, or null when it changes (summer time). */
function fixedOffsetOf(timeZone: string, nowMs: number): number | null {
  const year = new Date(nowMs).getUTCFullYear();
  const offsets = new Set(Array.from({ length: 24 }, (_, month) => zoneOffsetMs(timeZone, Date.UTC(year - 1 + Math.floor(month / 12), month % 12, 15))));
  return offsets.size === 1 ? ([...offsets][0] ?? 0) : null;
}

/**
 * Why a zone will not do for a location's business days, or undefined when it will. An IANA name of a
 * place (America/New_York, Asia/Tokyo, America/Phoenix), a rule-based legacy name (EST5EDT) and UTC
 * itself are fine. An abbreviation is refused: EST, MST, HST and GMT are fixed offsets with no daylight
 * saving (a New York shop on EST would post its days an hour off all summer), and others (PST, CET,
 * BST) mean what the zone library decides, not what the merchant meant. A bare offset (Etc/GMT+5) is
 * accepted only on purpose (`allowFixedOffset`), as is a fixed-offset abbreviation.
 */
export function timeZoneProblem(timeZone: string, choice: TimeZoneChoice = {}, nowMs = Date.now()): string | undefined {
  if (!isTimeZone(timeZone)) return `unknown time zone "${timeZone}" (use an IANA name such as America/New_York)`;
  if (UTC_ZONES.has(timeZone)) return undefined;
  const abbreviation = ABBREVIATION.test(timeZone);
  if (!abbreviation && !timeZone.startsWith("Etc/")) return undefined;
  const fixed = fixedOffsetOf(timeZone, nowMs);
  if (fixed === null) {
    const guess = formatterFor(timeZone).resolvedOptions().timeZone;
    return `"${timeZone}" is an abbreviation, not a time zone: the place it stands for is the zone library's guess (here ${guess}). ` +
      `Use the IANA name of the location's city, such as ${guess}`;
  }
  if (choice.allowFixedOffset) return undefined;
  const allow = choice.howToAllowFixedOffset ? `, or ${choice.howToAllowFixedOffset} if the location really keeps ${formatOffset(fixed)} all year` : "";
  return `"${timeZone}" is a fixed offset (${formatOffset(fixed)}) with no daylight saving, not a place: a location whose clocks change in summer ` +
    `would have its business days an hour off for half the year. Use the IANA name of the location's city, ${PLACE_EXAMPLE}${allow}`;
}

/** The zone, or a BusinessDayError saying why it will not do (timeZoneProblem). */
export function assertLocationTimeZone(timeZone: string, choice: TimeZoneChoice = {}, nowMs = Date.now()): string {
  const problem = timeZoneProblem(timeZone, choice, nowMs);
  if (problem) throw new BusinessDayError(problem);
  return timeZone;
}

/** Milliseconds to add to a UTC instant to get the wall-clock time in the zone. */
function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(wholeSecond))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const wallClock = Date.UTC(
    fields.year ?? 0, (fields.month ?? 1) - 1, fields.day ?? 1, fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0,
  );
  return wallClock - wholeSecond;
}

/** The UTC instant of a wall-clock time (as if it were UTC, in ms) in a zone, by the compatible rule. */
function wallClockToInstant(timeZone: string, wallClockMs: number): number {
  const offsetBefore = zoneOffsetMs(timeZone, wallClockMs - DAY);
  const offsetAfter = zoneOffsetMs(timeZone, wallClockMs + DAY);
  const candidates = [wallClockMs - offsetBefore, wallClockMs - offsetAfter]
    .filter((instant) => instant + zoneOffsetMs(timeZone, instant) === wallClockMs)
    .sort((a, b) => a - b);
  // No candidate: the wall-clock time is in a gap; the offset before the gap carries it past the gap.
  return candidates[0] ?? wallClockMs - offsetBefore;
}

export function parseIsoDate(date: string): { year: number; month: number; day: number } {
  const match = ISO_DATE.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      return { year, month, day };
    }
  }
  throw new BusinessDayError(`"${date}" is not a calendar date in the form YYYY-MM-DD`);
}

/** True for a real calendar date in the form YYYY-MM-DD (not 2026-13-45, not 2025-02-29). */
export function isCalendarDate(date: string): boolean {
  try {
    parseIsoDate(date);
    return true;
  } catch (error) {
    if (error instanceof BusinessDayError) return false;
    throw error;
  }
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;

/** "2026-03-07" → "Saturday 7 March 2026": a calendar date as a person says it, the same in every locale. */
export function dayInWords(date: string): string {
  const { year, month, day } = parseIsoDate(date);
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] ?? "";
  return `${weekday} ${String(day)} ${MONTHS[month - 1] ?? ""} ${String(year)}`;
}

/** "04:30" → 270. Day starts are whole quarter hours. */
export function parseDayStart(dayStart: string): number {
  const match = DAY_START.exec(dayStart);
  if (!match) {
    throw new BusinessDayError(`day start "${dayStart}" must be HH:MM on a quarter hour, e.g. 00:00 or 04:15`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

export function addDays(date: string, days: number): string {
  const { year, month, day } = parseIsoDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * Windows worked out before, by zone, day start and date: a window is fixed once the zone's rules are
 * (the process's tz data), and working one out takes the zone library up to a dozen conversions. A
 * payout's summary asks for the day of each of its entries, nearly all in the same day or two.
 */
const windows = new Map<string, BusinessDayWindow>();
const WINDOWS_KEPT = 2_000;
/** The window businessDayOf last answered from, by zone and day start: the next instant is most often in it. */
const lastWindows = new Map<string, BusinessDayWindow>();

export function businessDayWindow(date: string, timeZone: string, dayStart = "00:00"): BusinessDayWindow {
  const key = `${timeZone}|${dayStart}|${date}`;
  const known = windows.get(key);
  if (known) return { ...known };
  assertTimeZone(timeZone);
  const startMinutes = parseDayStart(dayStart);
  const { year, month, day } = parseIsoDate(date);
  const wallStart = Date.UTC(year, month - 1, day) + startMinutes * MINUTE;
  const startMs = wallClockToInstant(timeZone, wallStart);
  const endMs = wallClockToInstant(timeZone, wallStart + DAY);
  const window = {
    date, timeZone, dayStart, startMs, endMs,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
  };
  if (windows.size >= WINDOWS_KEPT) windows.clear();
  windows.set(key, window);
  return { ...window };
}

/** The business day an instant belongs to: the inverse of businessDayWindow. */
export function businessDayOf(instantMs: number, timeZone: string, dayStart = "00:00"): string {
  const zoneKey = `${timeZone}|${dayStart}`;
  const last = lastWindows.get(zoneKey);
  if (last && isInWindow(instantMs, last)) return last.date;
  const startMinutes = parseDayStart(dayStart);
  const wallClock = instantMs + zoneOffsetMs(timeZone, instantMs);
  const guess = new Date(wallClock - startMinutes * MINUTE).toISOString().slice(0, 10);
  // Around a DST change the wall clock can name the neighbouring day (a repeated hour, a gap at the
  // day start); the windows themselves decide. Each day's window ends where the next one's starts.
  let window = businessDayWindow(guess, timeZone, dayStart);
  if (instantMs < window.startMs) window = businessDayWindow(addDays(guess, -1), timeZone, dayStart);
  else if (instantMs >= window.endMs) window = businessDayWindow(addDays(guess, 1), timeZone, dayStart);
  if (lastWindows.size >= WINDOWS_KEPT) lastWindows.clear();
  lastWindows.set(zoneKey, window);
  return window.date;
}

export function isInWindow(instantMs: number, window: Pick<BusinessDayWindow, "startMs" | "endMs">): boolean {
  return instantMs >= window.startMs && instantMs < window.endMs;
}
