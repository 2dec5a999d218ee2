/**
 * The accountant's client list, from their membership items alone (one query: lib/members/types.ts):
 * each business with last night per location, in the states a bookkeeper scans for (posted, held,
 * failed, not posting, and posted but its check for later changes failed), and what needs attention
 * first: failed days, then held days, then locations that stopped posting, then posted days whose
 * re-check failed, oldest first within each; businesses ordered the same way, then by name. A location's
 * earlier days still held or failed are listed beside its last night: a later day posting does not hide them.
 */
import { addDays, businessDayOf } from "../domain/business-day";
import { RECHECK_FAILED_WORDS, recheckFailed } from "../report/day-status";
import { formatDay } from "../report/format";
import type { Membership } from "./types";

/** "recheck-failed": a day posted before whose check for later changes failed; its entries stand in QuickBooks. */
export type NightState = "failed" | "held" | "not-posting" | "recheck-failed" | "posted";

/** Worst first: the order attention goes in. */
const SEVERITY: Record<NightState, number> = { failed: 0, held: 1, "not-posting": 2, "recheck-failed": 3, posted: 4 };

/** Days a location's latest finished day may lag today (in its zone) before it counts as not posting. */
export const NOT_POSTING_AFTER_DAYS = 2;

export interface ClientLocation {
  locationId: string;
  name: string;
  state: NightState;
  /** The latest day daybook finished for it, or an earlier one still held or failed. */
  businessDay: string;
  /** What the list says, e.g. "Held for review: the figures do not balance". */
  words: string;
}

export interface ClientRow {
  businessId: string;
  businessName: string;
  /** The worst state among its locations; "not-posting" when it has none yet. */
  state: NightState;
  locations: ClientLocation[];
}

export interface AttentionItem {
  businessId: string;
  businessName: string;
  location: ClientLocation;
  /** The page that deals with it: the day's page, or the history of a location that stopped posting. */
  next: string;
}

export interface ClientList {
  rows: ClientRow[];
  attention: AttentionItem[];
}

export function clientList(memberships: readonly Membership[], now: Date): ClientList {
  const rows = memberships.map((membership): ClientRow => {
    const locations = Object.entries(membership.locations).flatMap(([locationId, status]): ClientLocation[] => {
      const today = businessDayOf(now.getTime(), status.timeZone);
      const stale = status.businessDay < addDays(today, -NOT_POSTING_AFTER_DAYS);
      const state: NightState = stale ? "not-posting" : stateOf(status.state, status.posted === true);
      const earlier = (status.earlier ?? []).map((day): ClientLocation => {
        const dayState = stateOf(day.state, day.posted === true);
        return { locationId, name: status.name, state: dayState, businessDay: day.businessDay, words: wordsFor(dayState, day.state, day.businessDay, day.reason) };
      });
      return [{ locationId, name: status.name, state, businessDay: status.businessDay, words: wordsFor(state, status.state, status.businessDay, status.reason) }, ...earlier];
    }).sort(byAttention);
    const worst = locations[0]?.state ?? "not-posting";
    return { businessId: membership.businessId, businessName: membership.businessName, state: worst, locations };
  }).sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state] || a.businessName.localeCompare(b.businessName) || a.businessId.localeCompare(b.businessId));

  const attention = rows.flatMap((row) => row.locations.filter((location) => location.state !== "posted").map((location): AttentionItem => ({
    businessId: row.businessId, businessName: row.businessName, location,
    next: location.state === "not-posting"
      ? `/history?location=${encodeURIComponent(location.locationId)}`
      : `/days/${encodeURIComponent(location.locationId)}/${location.businessDay}`,
  }))).sort((a, b) => byAttention(a.location, b.location) || a.businessName.localeCompare(b.businessName));
  return { rows, attention };
}

function stateOf(recorded: string, posted: boolean): NightState {
  return recorded === "held" ? "held" : recheckFailed(recorded, posted) ? "recheck-failed" : recorded === "failed" ? "failed" : "posted";
}

function byAttention(a: ClientLocation, b: ClientLocation): number {
  return SEVERITY[a.state] - SEVERITY[b.state] || a.businessDay.localeCompare(b.businessDay) || a.name.localeCompare(b.name);
}

function wordsFor(state: NightState, recorded: string, businessDay: string, reason: string | undefined): string {
  const day = formatDay(businessDay);
  switch (state) {
    case "failed": return `Failed on ${day}${reason ? `: ${reason}` : ""}`;
    case "recheck-failed": return `${RECHECK_FAILED_WORDS} on ${day}${reason ? `: ${reason}` : ""}`;
    case "held": return `Held for review, ${day}${reason ? `: ${reason}` : ""}`;
    case "not-posting": return `Not posting: the last day daybook finished is ${day}`;
    case "posted": return recorded === "no-sales" ? `No sales on ${day}` : recorded === "posting" ? `Posting ${day} now` : `Posted ${day}`;
  }
}
