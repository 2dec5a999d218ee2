import { formatInstantIn } from "../../report/format";
import type { Viewer } from "./layout";

/**
 * An instant as every page shows it: in the zone of the business the pages are about (Viewer.timeZone,
 * the merchant's), with the zone's abbreviation, as the emails write it: "Sat 7 Mar 2026, 09:05 PST".
 * In UTC while the business has no zone yet ("… 17:05 UTC"); ./time-zone.tsx's UtcTimesNote says so.
 */
export function formatInstant(iso: string, viewer: Pick<Viewer, "timeZone">): string {
  return formatInstantIn(iso, viewer.timeZone ?? "UTC");
}

// Days and amounts are said the same way on the pages as in the emails.
export { formatAmount, formatDay, formatShortDay as formatDayShort } from "../../report/format";
