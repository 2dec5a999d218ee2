/**
 * The daily caps, in the one place every email goes through: lib/wiring wraps each process's
 * EmailSender in `cappedEmailSender`. Every purpose but sign-in (which has its own limits per address
 * and per client, lib/auth/sign-in.ts) counts against a cap per recipient address and per merchant, in
 * the table's rate-limit counters (by the address's hash and the merchant id's hash, UTC days, expiring
 * with their window). An email over a cap is not sent: it is held back, counted in the merchant's
 * partition for the reports page to show, logged and counted in a metric, never silently; the sender
 * answers "held", so a caller that must not forget it (the merchant's alert) keeps it owed.
 *
 * What must reach the merchant (a day not posted or held, a connection to reconnect, locations that
 * stopped posting: OWNER_ALERT_PURPOSES) has an allowance of its own when it goes to the merchant's own
 * sign-in address alone (the address daybook verified: the merchant signs in through it, and it is
 * read from the merchant's record here, not taken from the caller): counted per merchant against
 * `ownerAlerts`, instead of the ordinary caps. Digests, summaries and notices cannot use it up, and a bad
 * night's alerts cannot use up the digests' share. It cannot send anyone else anything: to any other
 * address (a report recipient told that posting stopped) the same email counts as ordinary.
 *
 * The caps stop a merchant's account (or someone who took it over) from turning daybook into a source
 * of mail to any address, and keep one business's trouble from costing every merchant the SES
 * reputation their sign-in links depend on. Ordinary use stays far below them: a recipient gets one
 * digest a day, the merchant a few alerts.
 */
import { bucketHash } from "../auth/bucket-hash";
import { normalizeEmail } from "../store/keys";
import type { EmailPurpose, EmailSender, OutgoingEmail } from "./email";

export interface EmailCaps {
  /** Emails one address may be sent in a UTC day, whatever merchant they are about. */
  perRecipient: number;
  /** Emails about one merchant in a UTC day, all its addresses together. */
  perMerchant: number;
  /** OWNER_ALERT_PURPOSES' emails to the merchant's own address in a UTC day: apart from the two above. */
  ownerAlerts: number;
}

/**
 * A merchant with 10 recipients on daily digests stays well inside these. A night job sends at most one
 * alert (every day of its night in one email), so a bad night of up to about 55 locations (their alerts,
 * the reconnect request and the stopped-posting notice) reaches the merchant whole.
 */
export const DAILY_EMAIL_CAPS: EmailCaps = { perRecipient: 20, perMerchant: 150, ownerAlerts: 60 };

/** What only the merchant can mend, and must hear of at once. */
export const OWNER_ALERT_PURPOSES: ReadonlySet<EmailPurpose> = new Set<EmailPurpose>(["alert", "reconnect", "posting-status"]);

const DAY_SECONDS = 86_400;

/**
 * An email the caps held at `heldAt` (ISO 8601, UTC) was held on an earlier UTC day than `now`: the caps
 * count by UTC day, so the allowance that held it back has come back (owed emails go again from then).
 */
export function heldOnAnEarlierDay(heldAt: string, now: Date): boolean {
  return heldAt.slice(0, 10) < now.toISOString().slice(0, 10);
}

export type HeldReason = "recipient" | "merchant" | "owner-alerts";

export interface HeldEmail {
  merchantId: string | undefined;
  purpose: EmailPurpose;
  /** Which cap it met. */
  reason: HeldReason;
}

/** Where held-back emails are counted for the merchant to see (lib/store/email-held.ts), kept 30 days. */
export interface HeldEmailStore {
  /** `subject`: kept for an alert to the merchant (OWNER_ALERT_PURPOSES), for the reports page to say which. */
  recordHeld(merchantId: string, purpose: EmailPurpose, at: Date, subject?: string): Promise<void>;
  /** The merchant's held-back emails per UTC day since `since`, newest day first. */
  listHeld(merchantId: string, since: Date): Promise<HeldEmailDay[]>;
}

export interface HeldEmailDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  count: number;
  purposes: EmailPurpose[];
  /** The subjects of the alerts to the merchant held back that day (what and where), sorted. */
  alerts: string[];
}

export interface EmailCapDeps {
  /** The table's counters (AuthStore.takeRateLimit): true if counted within the limit. */
  counters: { takeRateLimit(bucket: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> };
  held: Pick<HeldEmailStore, "recordHeld">;
  /** The merchants' records: the address an owner alert may use its allowance for. */
  owners: { getMerchant(merchantId: string): Promise<{ email: string } | undefined> };
  now(): Date;
  caps?: EmailCaps;
  /** Told of every email held back: the process's log line and metric. */
  onHeld?(held: HeldEmail): void;
}


export function cappedEmailSender(inner: EmailSender, deps: EmailCapDeps): EmailSender {
  const caps = deps.caps ?? DAILY_EMAIL_CAPS;
  return {
    async send(email: OutgoingEmail) {
      if (email.purpose === "sign-in") return inner.send(email);
      const now = deps.now();
      const toOwner = await isOwnerAlert(email, deps);
      const reason = toOwner ? await overOwnerAllowance(email, caps, deps, now) : await overCap(email, caps, deps, now);
      if (reason === undefined) return inner.send(email);
      if (email.merchantId !== undefined) await deps.held.recordHeld(email.merchantId, email.purpose, now, ...(toOwner ? [email.subject] : []));
      deps.onHeld?.({ merchantId: email.merchantId, purpose: email.purpose, reason });
      return "held" as const;
    },
  };
}

/** What must reach the merchant, to the merchant's own sign-in address alone. */
async function isOwnerAlert(email: OutgoingEmail, deps: EmailCapDeps): Promise<boolean> {
  const [to] = email.to;
  if (!OWNER_ALERT_PURPOSES.has(email.purpose) || email.merchantId === undefined || email.to.length !== 1 || to === undefined) return false;
  const owner = await deps.owners.getMerchant(email.merchantId);
  return owner !== undefined && normalizeEmail(owner.email) === normalizeEmail(to);
}

async function overOwnerAllowance(email: OutgoingEmail, caps: EmailCaps, deps: EmailCapDeps, now: Date): Promise<HeldReason | undefined> {
  const within = await deps.counters.takeRateLimit(`email-owner#${bucketHash(email.merchantId ?? "")}`, caps.ownerAlerts, DAY_SECONDS, now);
  return within ? undefined : "owner-alerts";
}

/** Counts the email against each of its recipients' caps, then the merchant's; the first cap it meets, if any. */
async function overCap(email: OutgoingEmail, caps: EmailCaps, deps: EmailCapDeps, now: Date): Promise<HeldReason | undefined> {
  for (const address of email.to) {
    if (!(await deps.counters.takeRateLimit(`email-to#${bucketHash(normalizeEmail(address))}`, caps.perRecipient, DAY_SECONDS, now))) return "recipient";
  }
  if (email.merchantId !== undefined && !(await deps.counters.takeRateLimit(`email-merchant#${bucketHash(email.merchantId)}`, caps.perMerchant, DAY_SECONDS, now))) {
    return "merchant";
  }
  return undefined;
}
