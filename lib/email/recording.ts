/** An email sender that keeps what it was asked to send, in memory: the tests' in-memory runtime (lib/wiring/memory.ts). */
import type { EmailSender, OutgoingEmail } from "./email";

export interface RecordingSender extends EmailSender {
  /** Every email sent so far, oldest first. */
  readonly sent: readonly OutgoingEmail[];
}

export function createRecordingSender(): RecordingSender {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    send(email) {
      sent.push(structuredClone(email));
      return Promise.resolve();
    },
  };
}
