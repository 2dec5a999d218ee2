/**
 * Outgoing email: SES v2 on AWS (ses.ts), an outbox folder of .eml and .html files locally
 * (outbox.ts). Callers build the whole message; senders only deliver it.
 */

/**
 * Why an email is sent. Every purpose but "sign-in" goes to an address that agreed to receive it (the
 * merchant's own sign-in address, or a report recipient who confirmed), within the daily caps.
 */
export type EmailPurpose =
  | "sign-in"
  /** A connection was refused: reconnect it. */
  | "reconnect"
  /** One location-day's report (kept for the day page; the digest replaces it in the inbox). */
  | "report"
  /** A failed or held day, at once. */
  | "alert"
  /** Asks a newly added report recipient to confirm before anything else is sent to them. */
  | "confirm-recipient"
  /** The nightly (or weekly, or exceptions-only) digest of all the business's locations. */
  | "digest"
  /** A backfill ended: one summary of all its days. */
  | "backfill-summary"
  /** A location stopped posting, or resumed. */
  | "posting-status"
  /** Tells the merchant a report recipient unsubscribed. */
  | "unsubscribe-notice"
  /** Invites an accountant to a business. */
  | "invitation";

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
  /** For metrics and logs; a log line names the purpose, never the address or the body. */
  purpose: EmailPurpose;
  /** The merchant the email is about, for the per-merchant daily cap; absent only for sign-in. */
  merchantId?: string;
}

export interface EmailSender {
  /** "held" when a daily cap held the email back (lib/email/caps.ts): it was not sent. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- the senders that deliver answer nothing; only the caps have something to say
  send(email: OutgoingEmail): Promise<"held" | void>;
}
