/** "15 Mar 2025, 09:00 UTC": pages show instants in UTC until merchants have a time zone setting. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC",
  }).format(date)} UTC`;
}

// Days and amounts are said the same way on the pages as in the emails.
export { formatAmount, formatDay, formatShortDay as formatDayShort } from "../../report/format";
