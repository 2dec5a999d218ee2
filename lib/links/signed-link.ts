/**
 * Links in emails that act without a sign-in (approve a held day, unsubscribe a recipient or undo it,
 * confirm a new recipient, stop an address's invitations or allow them again) carry a signed token: the claims in base64url JSON and an HMAC-SHA256 over
 * them under a server key. The
 * purpose is signed too, so an unsubscribe token cannot approve a day. Tokens expire; approving is
 * also idempotent on the server, so a replay within the lifetime changes nothing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";

export type LinkPurpose = "approve-day" | "unsubscribe" | "confirm-recipient" | "resubscribe" | "stop-invitations" | "allow-invitations";

export interface LinkClaims {
  purpose: LinkPurpose;
  merchantId: string;
  /** What the link acts on: "<locationId>/<businessDay>" to approve, an address's hash (addressHash) otherwise. */
  subject: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const claimsSchema = z.object({
  purpose: z.enum(["approve-day", "unsubscribe", "confirm-recipient", "resubscribe", "stop-invitations", "allow-invitations"]),
  merchantId: z.string().check(z.minLength(1)),
  subject: z.string().check(z.minLength(1)),
  expiresAt: z.int(),
});

const MIN_KEY_BYTES = 32;

export class SignedLinkError extends Error {
  override name = "SignedLinkError";
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac("sha256", key).update(payload).digest();
}

function checkKey(key: Buffer): Buffer {
  if (key.length < MIN_KEY_BYTES) throw new SignedLinkError(`the link-signing key must be at least ${String(MIN_KEY_BYTES)} bytes`);
  return key;
}

export function signLink(claims: LinkClaims, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(claimsSchema.parse(claims)), "utf8").toString("base64url");
  return `${payload}.${mac(checkKey(key), payload).toString("base64url")}`;
}

/**
 * The claims if the token is intact, for this purpose, and unexpired at `now`; otherwise a
 * SignedLinkError whose message can be shown to the person who clicked.
 */
export function verifyLink(token: string, purpose: LinkPurpose, key: Buffer, now: Date): LinkClaims {
  const [payload, signature, extra] = token.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
    throw new SignedLinkError("This link is incomplete. Open it from the email again, or copy the whole address.");
  }
  // Compared as text: base64url decoding ignores a last character's spare bits, so bytes could match for two spellings.
  const expected = Buffer.from(mac(checkKey(key), payload).toString("base64url"), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SignedLinkError("This link is not valid. Open it from the email again, or copy the whole address.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new SignedLinkError("This link is not valid.");
  }
  const result = claimsSchema.safeParse(parsed);
  if (!result.success || result.data.purpose !== purpose) throw new SignedLinkError("This link is for something else.");
  if (result.data.expiresAt * 1000 <= now.getTime()) throw new SignedLinkError("This link has expired. Sign in to daybook to do this instead.");
  return result.data;
}
