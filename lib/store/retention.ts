/**
 * How long daybook keeps each kind of item in its table, as promised to merchants (README,
 * "Promises"), and the TTL value (`expiresAt`, epoch seconds: the table's TTL attribute, table.ts) each
 * kind that expires is written with. Every kind lives at most as long as the account: deleting it
 * removes every item at once (lib/account/delete-account.ts), and a write in flight that lands after
 * the deletion takes itself back (lib/store/account-guard.ts).
 *
 * - A merchant's profile, email claim, connections, locations, schedule, recipients and settings: the
 *   life of the account. A connection that ends (disconnected in daybook or at the provider, replaced
 *   by a reconnect) is removed at once.
 * - Sync records and reports: 13 months after their business day (a year to compare with, and a month
 *   to read it in), or the life of the account if shorter. Nothing can sync a day that old again (a
 *   backfill or an approval reaches 90 days back, the scheduler's re-checks 3), and should anything
 *   try, QuickBooks' DocNumber still stops a second entry (lib/sync/sync-day.ts).
 * - Square payout records: 13 months after the payout's arrival date, as a day's records. Where a
 *   location's payouts stand, and the one request to reconnect for them: the life of the account. A
 *   location's card clearing carry (sums of those records, clearing-carries.ts): until the first record
 *   it sums may expire, or 13 months after a write marked it stale.
 * - Failure reports and backfill progress: 30 days.
 * - Unmapped items already reported in full (so later nights only count them): the life of the location's
 *   account. The digests' per-recipient sends: 60 days (a week's digest is claimed once); a morning's
 *   digest mark: 3 days after its morning; the count of emails the daily caps held back: 30 days.
 * - That an account was deleted (a hash of its id, nothing else): DELETED_ACCOUNT_HOURS, for its writers in flight.
 * - Sign-in links (15 minutes), OAuth states (10 minutes), sessions (30 minutes idle, 12 hours at
 *   most), rate-limit counters (their window), and the worker's idempotency records (12 hours): their
 *   own short lives.
 * - An accountant's access (kept on both sides, the business's member and the accountant's membership):
 *   while it lasts, removed at once when either ends it or deletes their account. An invitation: 7 days,
 *   or until it is accepted or withdrawn. An API key: 14 days after it expires or is revoked; the log of
 *   the requests made with it, 14 days each.
 * - An address's "send me no invitations" (its stop, lib/members/invitation-stops.ts): until that
 *   address lifts it, from the page it stopped them on or signed in with it. It is the address's, not an
 *   account's: it holds only the address's hash and when, is in no export, and deleting an account
 *   leaves it (the address asked; a deletion must not start invitations again).
 *
 * DynamoDB deletes an expired item within days of its `expiresAt`; daybook never reads one as live
 * (every read of a short-lived kind checks its expiry itself). Deleted items stay in the table's
 * point-in-time backups for POINT_IN_TIME_RECOVERY_DAYS, so everything of a deleted account is gone
 * from the backups too within 30 days.
 */
import { parseIsoDate } from "../domain/business-day";
import { IDEMPOTENCY_PARTITION, KIND_PREFIX } from "./keys";

// Set beside the table's layout (table.ts), which every store loads; named here with the other periods.
export { POINT_IN_TIME_RECOVERY_DAYS } from "./table";
export const SYNC_RECORD_MONTHS = 13;
export const FAILURE_REPORT_DAYS = 30;
export const BACKFILL_DAYS = 30;
/**
 * How long a deleted account's marker (keys.deletedAccount, a hash of its id and nothing else) is kept:
 * far longer than any writer takes from its read to its write (a Lambda runs 15 minutes at most), short
 * enough to be gone from the backups too within 30 days.
 */
export const DELETED_ACCOUNT_HOURS = 24;

const DAY_SECONDS = 86_400;

export type ItemKind =
  | "profile" | "email-claim" | "connection" | "location" | "schedule-pointer" | "schedule-entry" | "recipients" | "settings"
  | "sync-record" | "report" | "failure-report" | "backfill" | "payout-record" | "payout-check" | "payout-scope-request" | "clearing-carry"
  | "warning-seen" | "digest-sent" | "digest-mark" | "emails-held"
  | "member" | "membership" | "invitation" | "invitation-stop" | "api-key" | "api-request"
  | "sign-in-link" | "session" | "oauth-state" | "rate-limit" | "idempotency" | "deleted-account";

/** Each kind: how long it is kept, in words, and whether its items carry `expiresAt`. */
export const RETENTION: Readonly<Record<ItemKind, { kept: string; expires: boolean }>> = {
  "profile": { kept: "the life of the account", expires: false },
  "email-claim": { kept: "the life of the account", expires: false },
  "connection": { kept: "while connected; removed at once when it ends", expires: false },
  "location": { kept: "the life of the account", expires: false },
  "schedule-pointer": { kept: "the life of the location", expires: false },
  "schedule-entry": { kept: "the life of the location", expires: false },
  "recipients": { kept: "the life of the account", expires: false },
  "settings": { kept: "the life of the account", expires: false },
  "sync-record": { kept: `${SYNC_RECORD_MONTHS} months after its business day`, expires: true },
  "report": { kept: `${SYNC_RECORD_MONTHS} months after its business day`, expires: true },
  "failure-report": { kept: `${FAILURE_REPORT_DAYS} days`, expires: true },
  "backfill": { kept: `${BACKFILL_DAYS} days`, expires: true },
  "payout-record": { kept: `${SYNC_RECORD_MONTHS} months after its arrival date`, expires: true },
  "payout-check": { kept: "the life of the account", expires: false },
  "payout-scope-request": { kept: "the life of the account", expires: false },
  "clearing-carry": { kept: `until a record it sums may expire (${SYNC_RECORD_MONTHS} months at most)`, expires: true },
  "warning-seen": { kept: "the life of the account", expires: false },
  "digest-sent": { kept: "60 days", expires: true },
  "digest-mark": { kept: "3 days after its morning", expires: true },
  "emails-held": { kept: "30 days", expires: true },
  "member": { kept: "while the accountant has access", expires: false },
  "membership": { kept: "while the accountant has access", expires: false },
  "invitation": { kept: "7 days, or until accepted or withdrawn", expires: true },
  "invitation-stop": { kept: "until the address lifts it", expires: false },
  "api-key": { kept: "14 days after it expires or is revoked", expires: true },
  "api-request": { kept: "14 days", expires: true },
  "sign-in-link": { kept: "15 minutes", expires: true },
  "session": { kept: "30 minutes idle, 12 hours at most", expires: true },
  "oauth-state": { kept: "10 minutes", expires: true },
  "rate-limit": { kept: "its window", expires: true },
  "idempotency": { kept: "12 hours", expires: true },
  "deleted-account": { kept: `${DELETED_ACCOUNT_HOURS} hours after the deletion`, expires: true },
};

/** The TTL of a record of `businessDay`: the start of the day SYNC_RECORD_MONTHS later (UTC), so never early. */
export function businessDayExpiresAt(businessDay: string): number {
  const { year, month, day } = parseIsoDate(businessDay);
  return Date.UTC(year, month - 1 + SYNC_RECORD_MONTHS, day + 1) / 1000;
}

/** The TTL `days` after an ISO 8601 instant, rounded up to the second. */
export function daysAfter(instant: string, days: number): number {
  return Math.ceil(Date.parse(instant) / 1000) + days * DAY_SECONDS;
}

/** The kind of a stored item, by its keys (and a report's status); undefined for a shape this code does not know. */
export function itemKindOf(item: { PK?: unknown; SK?: unknown; status?: unknown }): ItemKind | undefined {
  const pk = typeof item.PK === "string" ? item.PK : "";
  const sk = typeof item.SK === "string" ? item.SK : "";
  if (pk.startsWith("MERCHANT#")) {
    if (sk === KIND_PREFIX.profile) return "profile";
    if (sk.startsWith(KIND_PREFIX.connection)) return "connection";
    if (sk.startsWith(KIND_PREFIX.location)) return "location";
    if (sk.startsWith(KIND_PREFIX.syncRecord)) return "sync-record";
    if (sk.startsWith("REPORT#")) return item.status === "failed" ? "failure-report" : "report";
    if (sk.startsWith("BACKFILL#")) return "backfill";
    if (sk.startsWith("PAYOUT#")) return "payout-record";
    if (sk.startsWith("PAYOUTCHECK#")) return "payout-check";
    if (sk.startsWith("PAYOUTSCOPE#")) return "payout-scope-request";
    if (sk.startsWith("CARRY#")) return "clearing-carry";
    if (sk.startsWith("DUEPTR#")) return "schedule-pointer";
    if (sk === "RECIPIENTS") return "recipients";
    if (sk.startsWith("SETTINGS#")) return "settings";
    if (sk.startsWith("WARNSEEN#")) return "warning-seen";
    if (sk.startsWith("DIGESTSENT#")) return "digest-sent";
    if (sk.startsWith("EMAILHELD#")) return "emails-held";
    if (sk.startsWith(KIND_PREFIX.member)) return "member";
    if (sk.startsWith(KIND_PREFIX.membership)) return "membership";
    if (sk.startsWith(KIND_PREFIX.invitation)) return "invitation";
    if (sk.startsWith(KIND_PREFIX.apiKey)) return "api-key";
    if (sk.startsWith(KIND_PREFIX.apiRequest)) return "api-request";
    return undefined;
  }
  const prefixes: [string, ItemKind][] = [
    ["EMAIL#", "email-claim"], ["DUE#", "schedule-entry"], ["SIGNIN#", "sign-in-link"], ["SESSION#", "session"],
    ["OAUTHSTATE#", "oauth-state"], ["RATE#", "rate-limit"], [IDEMPOTENCY_PARTITION, "idempotency"], ["DIGEST#", "digest-mark"], ["NOINVITES#", "invitation-stop"],
    ["DELETED#", "deleted-account"],
  ];
  return prefixes.find(([prefix]) => pk.startsWith(prefix))?.[1];
}
