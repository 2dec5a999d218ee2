/**
 * The one sender every email of a process goes through: the process's own (SES, the outbox, a test's
 * recorder) wrapped in the daily caps (lib/email/caps.ts), counting in the table. Every runtime that
 * sends email gets its sender from here, so no email can go around the caps.
 */
import { cappedEmailSender, type EmailCaps, type HeldEmail } from "../email/caps";
import type { EmailSender } from "../email/email";
import type { Storage } from "../store/storage";

export interface EmailCapOptions {
  /** Told of each email held back by a cap: the process's log line and metric (lib/metrics-names.ts emailsHeld). */
  onEmailHeld?: (held: HeldEmail) => void;
  /** The caps; DAILY_EMAIL_CAPS unless a test sets others. */
  emailCaps?: EmailCaps;
}

export function cappedEmail(sender: EmailSender, storage: Pick<Storage, "auth" | "heldEmails">, now: () => Date, options: EmailCapOptions = {}): EmailSender {
  return cappedEmailSender(sender, {
    counters: storage.auth,
    held: storage.heldEmails,
    now,
    ...(options.emailCaps ? { caps: options.emailCaps } : {}),
    ...(options.onEmailHeld ? { onHeld: options.onEmailHeld } : {}),
  });
}
