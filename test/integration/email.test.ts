import { randomUUID } from "node:crypto";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { OutgoingEmail } from "../../lib/email/email";
import { createSesSender, EmailSendError } from "../../lib/email/ses";
import { awsClientConfig } from "../../sandbox/aws";

// SES on a moto_server of its own, so reading what it sent stays cheap (test/support/moto-global-setup.ts).
const mailEndpoint = inject("mailEndpoint");
const ses = new SESv2Client(awsClientConfig(mailEndpoint));
// Its own domain: identities are shared by every test file on this moto.
const domain = `mail-${randomUUID()}.daybook.example`;
const FROM = `daybook <no-reply@${domain}>`;

/**
 * What the SDK put on the wire for each SendEmail. moto records only the subject and one body (the
 * HTML when there is one) of a simple message and drops its headers, so the headers and the text
 * alternative are checked here, in the request moto (and SES) received.
 */
const sentRequests: Record<string, unknown>[] = [];
ses.middlewareStack.add((next) => async (args) => {
  const request = args.request as { path?: string; body?: unknown };
  if (request.path?.endsWith("/outbound-emails")) {
    // The SDK serialises JSON to bytes (a Uint8Array) or, in older versions, to a string.
    const body = request.body instanceof Uint8Array ? Buffer.from(request.body).toString("utf8") : String(request.body);
    sentRequests.push(JSON.parse(body) as Record<string, unknown>);
  }
  return await next(args);
}, { step: "finalizeRequest", name: "recordSendEmail" });

beforeAll(async () => {
  await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
});

afterAll(() => {
  ses.destroy();
});

interface MotoMessage {
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[] };
}

/** The messages moto's SES holds for one recipient, from its model dump. */
async function delivered(recipient: string): Promise<MotoMessage[]> {
  const response = await fetch(`${mailEndpoint}/moto-api/data.json`);
  const data = await response.json() as { ses?: { Message?: MotoMessage[] } };
  return (data.ses?.Message ?? []).filter((message) => message.destinations.ToAddresses?.includes(recipient));
}

const recipient = (): string => `owner-${randomUUID()}@cafe.example`;

function signInEmail(to: string): OutgoingEmail {
  return {
    to: [to],
    subject: "Sign in to daybook ☕",
    text: "Sign in: https://app.daybook.example/sign-in?token=abc\n",
    html: '<p><a href="https://app.daybook.example/sign-in?token=abc">Sign in</a></p>',
    headers: { "List-Unsubscribe": "<https://app.daybook.example/unsubscribe?u=1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    purpose: "sign-in",
  };
}

describe("the SES sender", () => {
  it("delivers subject and body from the verified sender to the recipient", async () => {
    const to = recipient();
    const email = signInEmail(to);
    await createSesSender({ client: ses, from: FROM }).send(email);
    const messages = await delivered(to);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ source: FROM, subject: email.subject, body: email.html, destinations: { ToAddresses: [to] } });
  });

  it("sends text and HTML alternatives, the extra headers, the configuration set and the purpose tag", async () => {
    const to = recipient();
    const email = signInEmail(to);
    await createSesSender({ client: ses, from: FROM, configurationSetName: "daybook-mail" }).send(email);
    const request = sentRequests.find((sent) => JSON.stringify(sent.Destination).includes(to));
    expect(request).toEqual({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: [to] },
      ConfigurationSetName: "daybook-mail",
      EmailTags: [{ Name: "purpose", Value: "sign-in" }],
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: "UTF-8" },
          Body: { Text: { Data: email.text, Charset: "UTF-8" }, Html: { Data: email.html, Charset: "UTF-8" } },
          Headers: [
            { Name: "List-Unsubscribe", Value: "<https://app.daybook.example/unsubscribe?u=1>" },
            { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
          ],
        },
      },
    });
    expect(await delivered(to)).toHaveLength(1);
  });

  it("delivers a text-only email as text, to every recipient", async () => {
    const [first, second] = [recipient(), recipient()];
    await createSesSender({ client: ses, from: FROM }).send({ to: [first, second], subject: "Nightly sync needs you", text: "One location is held.", purpose: "alert" });
    const [message] = await delivered(first);
    expect(message).toMatchObject({ subject: "Nightly sync needs you", body: "One location is held.", destinations: { ToAddresses: [first, second] } });
    const request = sentRequests.find((sent) => JSON.stringify(sent.Destination).includes(first));
    expect(request?.Content).toEqual({ Simple: { Subject: { Data: "Nightly sync needs you", Charset: "UTF-8" }, Body: { Text: { Data: "One location is held.", Charset: "UTF-8" } } } });
  });

  it("fails with SES's error name and no address when SES refuses the message", async () => {
    const to = recipient();
    const unverified = createSesSender({ client: ses, from: `daybook <no-reply@unverified-${randomUUID()}.example>` });
    const error = await unverified.send(signInEmail(to)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmailSendError);
    expect((error as Error).message).toBe("SES did not take the sign-in email (MessageRejected)");
    expect(await delivered(to)).toEqual([]);
    await expect(unverified.send({ ...signInEmail(to), to: [] })).rejects.toThrow("the sign-in email has no recipient");
  });
});
