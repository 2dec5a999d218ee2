/**
 * Square's RFC 3339 timestamps as epoch milliseconds, exactly as Date.parse reads them. Square writes
 * them in one form, UTC with or without milliseconds ("2026-12-05T04:49:48.000Z"), and a busy day has
 * one or more per order and per payment, so that form is read by hand (Date.parse is a large share of
 * a payment's time), its day counted by arithmetic rather than by Date.UTC (a call into the runtime
 * per timestamp); anything else is left to Date.parse.
 */

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const T = 0x54;
const Z = 0x5a;
const ZERO = 0x30;

/** The decimal number in `text` from `start`, `length` digits long; -1 if one of them is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

const MS_PER_DAY = 86_400_000;

/**
 * Days from 1970-01-01 to a valid date of the proleptic Gregorian calendar, year 1000 or later (H. Hinnant's
 * days_from_civil: years counted from March, so the leap day ends a year, in 400-year eras of 146,097 days).
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `YYYY-MM-DDTHH:MM:SS[.sss]Z` by hand, else Date.parse: NaN when it is not a timestamp. */
export function timestampMs(iso: string): number {
  const length = iso.length;
  if (
    (length === 24 || length === 20) && iso.charCodeAt(length - 1) === Z && iso.charCodeAt(4) === DASH && iso.charCodeAt(7) === DASH &&
    iso.charCodeAt(10) === T && iso.charCodeAt(13) === COLON && iso.charCodeAt(16) === COLON && (length === 20 || iso.charCodeAt(19) === DOT)
  ) {
    const year = digits(iso, 0, 4);
    const month = digits(iso, 5, 2);
    const day = digits(iso, 8, 2);
    const hour = digits(iso, 11, 2);
    const minute = digits(iso, 14, 2);
    const second = digits(iso, 17, 2);
    const ms = length === 24 ? digits(iso, 20, 3) : 0;
    // Years before 1000 are left to Date.parse (Date.UTC reads 0..99 as 1900..1999).
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour >= 0 && hour <= 23 &&
      minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && ms >= 0) {
      return daysSinceEpoch(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
    }
  }
  return Date.parse(iso);
}
