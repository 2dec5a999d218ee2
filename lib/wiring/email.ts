/**
 * Email from the settings: SES on AWS, or the outbox folder off it (every runtime's config lets exactly
 * one through), and the one sender every email of a process goes through: the process's own (SES, the
 * outbox, a test's recorder) wrapped in the daily caps (lib/email/caps.ts), counting in the table. Every
 * runtime that sends email gets its sender from here, so no email can go around the caps.
 *
 * On AWS the sender is a port made at once whose SES client and adapter load on its first email
 * (lib/wiring/lazy.ts): most of the web app's requests, the scheduler's ticks and the worker's nights
 * send none (a night emails only to alert), so none of them loads SES's client at start. The caps load
 * with the first email too. The outbox, used only off AWS (the local stack, the CLI, tests), loads on
 * its first email as well.
 */
import type { EmailCaps, HeldEmail } from "../email/caps";
import type { EmailSender } from "../email/email";
import type { Storage } from "../store/storage";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { ConfigOf } from "../config";
import { type AwsCredentials, type AwsSettings, awsClientConfig } from "./aws";
import { lazy } from "./lazy";

type EmailSettings = AwsSettings & Pick<ConfigOf<"sync">, "DAYBOOK_EMAIL_FROM" | "DAYBOOK_SES_CONFIGURATION_SET" | "DAYBOOK_OUTBOX_DIR">;

export interface EmailCapOptions {
  /** Told of each email held back by a cap: the process's log line and metric (lib/metrics-names.ts emailsHeld). */
  onEmailHeld?: (held: HeldEmail) => void;
  /** The caps; DAILY_EMAIL_CAPS unless a test sets others. */
  emailCaps?: EmailCaps;
}

/** The sender under the daily caps; the caps' code loads with the first email (most invocations send none). */
export function cappedEmail(sender: EmailSender, storage: Pick<Storage, "auth" | "heldEmails" | "store">, now: () => Date, options: EmailCapOptions = {}): EmailSender {
  const capped = lazy(async () => (await import("../email/caps")).cappedEmailSender(sender, {
    counters: storage.auth,
    held: storage.heldEmails,
    owners: storage.store,
    now,
    ...(options.emailCaps ? { caps: options.emailCaps } : {}),
    ...(options.onEmailHeld ? { onHeld: options.onEmailHeld } : {}),
  }));
  return { send: async (email) => (await capped.get()).send(email) };
}

/** The sender, and what closes the SES client made for it (not one handed in). */
export function emailFrom(
  settings: EmailSettings, options: { ses?: SESv2Client; credentials?: AwsCredentials; now?: () => Date } = {},
): { email: EmailSender; close: () => void } {
  const from = settings.DAYBOOK_EMAIL_FROM;
  if (from !== undefined) {
    const configurationSetName = settings.DAYBOOK_SES_CONFIGURATION_SET;
    const ses = lazy(async () => {
      const { createSesSender, SESv2Client } = await import("./on-demand/ses");
      const client = options.ses ?? new SESv2Client(awsClientConfig(settings, "ses", options.credentials));
      return { client, sender: createSesSender({ client, from, ...(configurationSetName ? { configurationSetName } : {}) }) };
    }, ({ client }) => {
      if (!options.ses) client.destroy();
    });
    return { email: { send: async (email) => { await (await ses.get()).sender.send(email); } }, close: () => { ses.close(); } };
  }
  const outbox = lazy(async () => (await import("../email/outbox")).createOutboxSender(settings.DAYBOOK_OUTBOX_DIR ?? "", options.now ? { now: options.now } : {}));
  return { email: { send: async (email) => { await (await outbox.get()).send(email); } }, close: () => { outbox.close(); } };
}
