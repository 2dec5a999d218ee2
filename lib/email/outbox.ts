/**
 * Email for the local stack: each message written to a folder instead of sent, as
 * `<timestamp>-<purpose>-<n>.eml` (an RFC 5322 multipart/alternative message any mail client opens)
 * and, when there is HTML, the HTML alone beside it as `.html` for a browser. Parts are 8bit UTF-8
 * when their lines allow it, so a sign-in link can be read and clicked straight from the file.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EmailSender, OutgoingEmail } from "./email";

export interface OutboxOptions {
  from?: string;
  now?: () => Date;
}

const CRLF = "\r\n";
/** RFC 5322 §2.1.1: no line longer than 998 octets. */
const MAX_LINE_OCTETS = 998;
const HEADER_NAME = /^[!-9;-~]+$/;
const PRINTABLE_ASCII = /^[ -~]*$/;
const ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+$/;

export function createOutboxSender(folder: string, options: OutboxOptions = {}): EmailSender {
  const { from = "daybook <no-reply@daybook.localhost>", now = () => new Date() } = options;
  let count = 0;
  return {
    async send(email) {
      const at = now();
      count += 1;
      const base = join(folder, `${at.toISOString().replace(/[:.]/g, "-")}-${email.purpose}-${count}`);
      const message = toMime(email, from, at);
      await mkdir(folder, { recursive: true });
      // "wx": two senders on one folder never overwrite each other's mail.
      await writeFile(`${base}.eml`, message, { flag: "wx" });
      if (email.html !== undefined) await writeFile(`${base}.html`, email.html, { flag: "wx" });
    },
  };
}

/** The email as an RFC 5322 message: headers, then a multipart/alternative body of text and (if any) HTML. */
export function toMime(email: OutgoingEmail, from: string, at: Date): string {
  const problem = (what: string) => new Error(`the ${email.purpose} email ${what}`);
  if (email.to.length === 0) throw problem("has no recipient");
  if (!email.to.every((address) => ADDRESS.test(address))) throw problem("has a recipient that is not a plain address");
  // A CR or LF in a header would start another header (or the body) of the caller's choosing.
  if (/[\r\n]/.test(email.subject)) throw problem("has a line break in its subject");
  const extra = Object.entries(email.headers ?? {});
  for (const [name, value] of [["From", from], ...extra] as const) {
    if (!HEADER_NAME.test(name) || !PRINTABLE_ASCII.test(value)) throw problem(`has a ${name} header that is not printable ASCII on one line`);
  }
  const boundary = `daybook-${randomUUID()}`;
  const own: [string, string][] = [
    ["From", from],
    ["To", email.to.join(", ")],
    ["Subject", encodeWords(email.subject)],
    ["Date", rfc5322Date(at)],
    ["Message-ID", `<${randomUUID()}@daybook.localhost>`],
    ["MIME-Version", "1.0"],
    ["X-Daybook-Purpose", email.purpose],
    ["Content-Type", `multipart/alternative; boundary="${boundary}"`],
  ];
  const taken = extra.find(([name]) => own.some(([ownName]) => ownName.toLowerCase() === name.toLowerCase()));
  if (taken !== undefined) throw problem(`sets the ${taken[0]} header, which the outbox writes itself`);
  const parts = [bodyPart("text/plain", email.text), ...(email.html === undefined ? [] : [bodyPart("text/html", email.html)])];
  return [
    ...[...own, ...extra].map(([name, value]) => `${name}: ${value}`),
    "",
    ...parts.flatMap((part) => [`--${boundary}`, part]),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

function bodyPart(type: string, content: string): string {
  const lines = content.replace(/\r\n?/g, "\n").split("\n");
  const fits = lines.every((line) => Buffer.byteLength(line, "utf8") <= MAX_LINE_OCTETS);
  const body = fits ? lines.join(CRLF) : (Buffer.from(content, "utf8").toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
  return [`Content-Type: ${type}; charset=utf-8`, `Content-Transfer-Encoding: ${fits ? "8bit" : "base64"}`, "", body].join(CRLF);
}

/** RFC 2047 encoded words for a header value that is not plain ASCII, each at most 75 characters. */
function encodeWords(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  const words: string[] = [];
  let chunk = "";
  for (const character of text) {
    // 45 bytes of UTF-8 become 60 of base64: "=?UTF-8?B?" + 60 + "?=" stays within 75.
    if (Buffer.byteLength(chunk + character, "utf8") > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += character;
  }
  words.push(chunk);
  // Folded onto continuation lines: a space between encoded words is not part of the text.
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, "utf8").toString("base64")}?=`).join(`${CRLF} `);
}

/** e.g. "Sat, 15 Mar 2025 09:00:00 +0000" */
function rfc5322Date(at: Date): string {
  const [weekday, day, month, year, time] = at.toUTCString().split(" ");
  return `${weekday} ${day} ${month} ${year} ${time} +0000`;
}
