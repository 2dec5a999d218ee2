import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LinkClaims, signLink, SignedLinkError, verifyLink } from "../../lib/links/signed-link";

const key = randomBytes(32);
const now = new Date("2025-03-15T09:00:00Z");
const claims: LinkClaims = { purpose: "approve-day", merchantId: "m-1", subject: "L1/2025-03-14", expiresAt: now.getTime() / 1000 + 3600 };

describe("signed links", () => {
  it("verifies its own token and gives back the claims", () => {
    expect(verifyLink(signLink(claims, key), "approve-day", key, now)).toEqual(claims);
  });

  it("refuses another purpose, an expired token, another key, and a short key", () => {
    const token = signLink(claims, key);
    expect(() => verifyLink(token, "unsubscribe", key, now)).toThrow("This link is for something else.");
    expect(() => verifyLink(token, "approve-day", key, new Date(claims.expiresAt * 1000))).toThrow("This link has expired.");
    expect(() => verifyLink(token, "approve-day", randomBytes(32), now)).toThrow("This link is not valid.");
    expect(() => signLink(claims, randomBytes(16))).toThrow(SignedLinkError);
  });

  it("refuses changed claims: moving a signature onto another merchant's payload fails", () => {
    const [, signature] = signLink(claims, key).split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, merchantId: "m-2" })).toString("base64url");
    expect(() => verifyLink(`${forged}.${signature ?? ""}`, "approve-day", key, now)).toThrow("This link is not valid.");
  });

  it("answers any mangled token with a SignedLinkError, never anything else", () => {
    const token = signLink(claims, key);
    fc.assert(fc.property(fc.string(), fc.nat({ max: token.length }), fc.nat({ max: 5 }), (insert, at, cut) => {
      const mangled = token.slice(0, at) + insert + token.slice(at + cut);
      if (mangled === token) return;
      expect(() => verifyLink(mangled, "approve-day", key, now)).toThrow(SignedLinkError);
    }), { numRuns: 500 });
  });
});
