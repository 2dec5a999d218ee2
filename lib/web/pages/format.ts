import { formatDecimal } from "../../domain/money";

/** "15 Mar 2025, 09:00 UTC": pages show instants in UTC until merchants have a time zone setting. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC",
  }).format(date)} UTC`;
}

/** "Monday 2 June 2025": a business day named with its weekday, as a person says it. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T12:00:00.000Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date).replace(",", "");
}

/** "Mon 2 Jun": short, for a button. */
export function formatDayShort(day: string): string {
  const date = new Date(`${day}T12:00:00.000Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(date).replace(",", "");
}

/** "1,234.00": minor units in the currency's decimals, thousands grouped. */
export function formatAmount(minor: number, currency: string): string {
  const [whole = "", fraction] = formatDecimal(minor, currency).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const grouped = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction !== undefined ? `.${fraction}` : ""}`;
}
