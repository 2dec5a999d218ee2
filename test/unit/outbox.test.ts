import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingEmail } from "../../lib/email/email";
import { createOutboxSender } from "../../lib/email/outbox";

const NOW = new Date("2025-03-15T09:00:00.123Z");
const LINK = "https://app.daybook.example/sign-in?token=Zm9vYmFyYmF6cXV4cXV1eHF1dXpxdXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg_with-a-long-tail";
const signIn: OutgoingEmail = {
  to: ["owner@cafe.example"],
  subject: "Sign in to daybook ☕ — Café Ünïcode, a subject long enough to need more than one encoded word",
  text: `Hello,\n\nSign in: ${LINK}\n\nThe link works once, for 15 minutes.\n`,
  html: `<p>Hello,</p><p><a href="${LINK}">Sign in</a></p>`,
  headers: { "List-Unsubscribe": "<https://app.daybook.example/unsubscribe?u=1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  purpose: "sign-in",
};

let folder = "";
beforeAll(async () => { folder = await mkdtemp(join(tmpdir(), "daybook-outbox-")); });
afterAll(async () => { await rm(folder, { recursive: true, force: true }); });

interface Parsed {
  defects: string[];
  headers: Record<string, string>;
  contentType: string;
  parts: { type: string; charset: string; content: string }[];
}

/**
 * Python's email package under its strict policy (raises on any defect): a parser we did not write
 * reads the file back, so "valid RFC 5322" is not our own opinion. Python is here for moto anyway.
 */
async function parseWithPython(path: string): Promise<Parsed> {
  const script = `
import json, sys
from email import policy
from email.parser import BytesParser
with open(sys.argv[1], "rb") as f:
    message = BytesParser(policy=policy.strict).parse(f)
parts = [p for p in message.walk() if not p.is_multipart()]
print(json.dumps({
    "defects": [type(d).__name__ for p in message.walk() for d in p.defects],
    "headers": {k: str(v) for k, v in message.items()},
    "contentType": message.get_content_type(),
    "parts": [{"type": p.get_content_type(), "charset": p.get_content_charset(), "content": p.get_content()} for p in parts],
}))
`;
  const { stdout } = await promisify(execFile)("python3", ["-c", script, path]);
  return JSON.parse(stdout) as Parsed;
}

describe("the outbox", () => {
  it("writes a valid multipart/alternative .eml and the HTML beside it", async () => {
    const outbox = createOutboxSender(join(folder, "a"), { now: () => NOW });
    await outbox.send(signIn);
    const files = (await readdir(join(folder, "a"))).sort();
    expect(files).toEqual(["2025-03-15T09-00-00-123Z-sign-in-1.eml", "2025-03-15T09-00-00-123Z-sign-in-1.html"]);
    expect(await readFile(join(folder, "a", files[1]!), "utf8")).toBe(signIn.html);

    const raw = await readFile(join(folder, "a", files[0]!), "utf8");
    expect(raw.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(raw.split("\r\n").every((line) => Buffer.byteLength(line) <= 998)).toBe(true);
    // The link stays whole in the file: a developer can click it.
    expect(raw).toContain(LINK);

    const parsed = await parseWithPython(join(folder, "a", files[0]!));
    expect(parsed.defects).toEqual([]);
    expect(parsed.contentType).toBe("multipart/alternative");
    expect(parsed.headers).toMatchObject({
      From: "daybook <no-reply@daybook.localhost>",
      To: "owner@cafe.example",
      Subject: signIn.subject,
      Date: "Sat, 15 Mar 2025 09:00:00 +0000",
      "MIME-Version": "1.0",
      "X-Daybook-Purpose": "sign-in",
      "List-Unsubscribe": "<https://app.daybook.example/unsubscribe?u=1>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(parsed.headers["Message-ID"]).toMatch(/^<[0-9a-f-]{36}@daybook\.localhost>$/);
    expect(parsed.parts).toEqual([
      { type: "text/plain", charset: "utf-8", content: signIn.text },
      { type: "text/html", charset: "utf-8", content: signIn.html },
    ]);
  });

  it("numbers messages of the same moment, and writes no .html for a text-only email", async () => {
    const outbox = createOutboxSender(join(folder, "b"), { now: () => NOW, from: "daybook <alerts@daybook.localhost>" });
    await outbox.send({ to: ["a@cafe.example", "b@cafe.example"], subject: "Nightly sync needs you", text: "One location is held.", purpose: "alert" });
    await outbox.send({ to: ["a@cafe.example"], subject: "Nightly sync needs you", text: "Again.", purpose: "alert" });
    const files = (await readdir(join(folder, "b"))).sort();
    expect(files).toEqual(["2025-03-15T09-00-00-123Z-alert-1.eml", "2025-03-15T09-00-00-123Z-alert-2.eml"]);
    const parsed = await parseWithPython(join(folder, "b", files[0]!));
    expect(parsed.defects).toEqual([]);
    expect(parsed.headers).toMatchObject({ From: "daybook <alerts@daybook.localhost>", To: "a@cafe.example, b@cafe.example" });
    expect(parsed.parts).toEqual([{ type: "text/plain", charset: "utf-8", content: "One location is held." }]);
  });

  it("keeps a body with a very long line intact, in base64", async () => {
    const outbox = createOutboxSender(join(folder, "c"), { now: () => NOW });
    const text = `${"é".repeat(600)}\nend`;
    await outbox.send({ to: ["a@cafe.example"], subject: "Report", text, purpose: "report" });
    const [file] = await readdir(join(folder, "c"));
    const raw = await readFile(join(folder, "c", file!), "utf8");
    expect(raw).toContain("Content-Transfer-Encoding: base64");
    expect(raw.split("\r\n").every((line) => Buffer.byteLength(line) <= 998)).toBe(true);
    expect((await parseWithPython(join(folder, "c", file!))).parts[0]?.content).toBe(text);
  });

  it.each([
    ["a line break in a header value", { headers: { "List-Unsubscribe": "<x>\r\nBcc: someone@evil.example" } }, /List-Unsubscribe header/],
    ["a line break in the subject", { subject: "Hi\r\nBcc: someone@evil.example" }, /line break in its subject/],
    ["a header the outbox sets itself", { headers: { from: "someone@evil.example" } }, /sets the from header/],
    ["a recipient with a display name or list", { to: ["a@cafe.example, b@evil.example"] }, /not a plain address/],
    ["no recipient", { to: [] }, /no recipient/],
  ])("refuses %s, naming no address and writing nothing", async (_name, change, message) => {
    const target = join(folder, `refused-${String(Math.random()).slice(2)}`);
    const error = await createOutboxSender(target).send({ ...signIn, ...change }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/@/);
    await expect(readdir(target)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
