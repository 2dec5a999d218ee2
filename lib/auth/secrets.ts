/**
 * The random secrets of the front door (sign-in links, session cookies, OAuth states) and the hashes
 * that stand for them in storage: the secret goes to the browser or the inbox, only its SHA-256 is
 * kept, so a copy of the table opens nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const SECRET_BYTES = 32;

/** 32 random bytes, base64url: 43 characters, safe in a URL, a cookie and a form field. */
export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** What newSecret makes; anything else is not worth a database read. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Compares two strings in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
