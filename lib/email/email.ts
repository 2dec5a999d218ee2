/**
 * Outgoing email: SES v2 on AWS (ses.ts), an outbox folder of .eml and .html files locally
 * (outbox.ts). Callers build the whole message; senders only deliver it.
 */

export type EmailPurpose = "sign-in" | "reconnect" | "report" | "alert";

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
  /** For metrics and logs; a log line names the purpose, never the address or the body. */
  purpose: EmailPurpose;
}

export interface EmailSender {
  send(email: OutgoingEmail): Promise<void>;
}
