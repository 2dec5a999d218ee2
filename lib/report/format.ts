/**
 * How daybook writes figures, days and times for a person, in emails and on pages: amounts with
 * thousands separators ("12,345.67", the currency's own decimals), debits and credits as "Dr"/"Cr",
 * business days in words with their weekday ("Saturday 7 March 2026"), and instants in the location's
 * own time zone ("Sat 7 Mar 2026, 09:05 EST"), never UTC.
 */
import { formatDecimal } from "../domain/money";

/** "1234567" cents → "12,345.67"; "-5000" → "-50.00"; JPY "1234567" → "1,234,567". */
export function formatAmount(minor: number, currency: string): string {
  const decimal = formatDecimal(minor, currency);
  const sign = decimal.startsWith("-") ? "-" : "";
  const [whole = "", fraction] = decimal.slice(sign.length).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** An amount with its currency code: "12,345.67 USD". */
export function formatMoney(minor: number, currency: string): string {
  return `${formatAmount(minor, currency)} ${currency}`;
}

/**
 * A signed amount on its side of the ledger, debit positive: 1234 → "12.34 Dr", -1234 → "12.34 Cr",
 * 0 → "0.00".
 */
export function formatDebitCredit(signed: number, currency: string): string {
  if (signed === 0) return formatAmount(0, currency);
  return `${formatAmount(Math.abs(signed), currency)} ${signed > 0 ? "Dr" : "Cr"}`;
}

// Made on first use: the first Intl formatter of a process loads ICU's data, about 10 ms of a cold start
// that most of the functions' invocations (a tick, a page without dates) do not need.
let dateInWords: Intl.DateTimeFormat | undefined;
let shortDate: Intl.DateTimeFormat | undefined;

function calendarDate(day: string): Date | undefined {
  const date = new Date(`${day}T00:00:00.000Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** "2026-03-07" → "Saturday 7 March 2026"; anything that is not a date is returned as it is. */
export function formatDay(day: string): string {
  const date = calendarDate(day);
  dateInWords ??= new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return date ? dateInWords.format(date).replace(",", "") : day;
}

/** "2026-03-07" → "Sat 7 Mar": for tables, where the year is said once above. */
export function formatShortDay(day: string): string {
  const date = calendarDate(day);
  shortDate ??= new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  return date ? shortDate.format(date).replace(",", "") : day;
}

// One formatter per zone, made on first use: making one costs more than formatting with it (a page of API requests, a digest's times).
const instantFormats = new Map<string, Intl.DateTimeFormat>();

/** An instant in a time zone, with the weekday and the zone's abbreviation: "Sat 7 Mar 2026, 09:05 EST". */
export function formatInstantIn(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = instantFormats.get(timeZone);
  if (format === undefined) {
    try {
      // en-US names North American zones as people there do (EST, PDT); elsewhere it gives the offset (GMT+1).
      format = new Intl.DateTimeFormat("en-US", {
        weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
        timeZone, timeZoneName: "short",
      });
    } catch {
      return formatInstantIn(iso, "UTC");
    }
    instantFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts["weekday"] ?? ""} ${parts["day"] ?? ""} ${parts["month"] ?? ""} ${parts["year"] ?? ""}, ${parts["hour"] ?? ""}:${parts["minute"] ?? ""} ${parts["timeZoneName"] ?? timeZone}`;
}
