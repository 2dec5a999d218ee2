/**
 * Email through SES v2's simple content: SES builds the MIME message (text and HTML alternatives,
 * UTF-8 subject) and adds the extra headers, such as List-Unsubscribe. The purpose goes along as a
 * message tag, so the configuration set's event destinations can count sign-in mail apart from reports.
 */
import { type MessageHeader, type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { EmailSender, OutgoingEmail } from "./email";

export interface SesSenderOptions {
  client: SESv2Client;
  /** A verified identity, e.g. "daybook <no-reply@mail.daybook.example>". */
  from: string;
  configurationSetName?: string;
}

/** Sending failed. Says which email and SES's error name, never an address: SES's own messages can hold the recipients. */
export class EmailSendError extends Error {
  override name = "EmailSendError";
}

export function createSesSender({ client, from, configurationSetName }: SesSenderOptions): EmailSender {
  return {
    async send(email) {
      if (email.to.length === 0) throw new EmailSendError(`the ${email.purpose} email has no recipient`);
      try {
        await client.send(new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: email.to },
          Content: { Simple: simpleContent(email) },
          ConfigurationSetName: configurationSetName,
          EmailTags: [{ Name: "purpose", Value: email.purpose }],
        }));
      } catch (error) {
        const name = error instanceof Error ? error.name : "an unknown error";
        throw new EmailSendError(`SES did not take the ${email.purpose} email (${name})`);
      }
    },
  };
}

function simpleContent(email: OutgoingEmail) {
  const utf8 = (Data: string) => ({ Data, Charset: "UTF-8" });
  const headers: MessageHeader[] = Object.entries(email.headers ?? {}).map(([Name, Value]) => ({ Name, Value }));
  return {
    Subject: utf8(email.subject),
    Body: { Text: utf8(email.text), ...(email.html === undefined ? {} : { Html: utf8(email.html) }) },
    ...(headers.length > 0 ? { Headers: headers } : {}),
  };
}
