/**
 * Sign-in by emailed link. Asking for a link answers the same way, and sends the same email, whether
 * or not the address has an account: a link to an unknown address creates the account when it is
 * used. The link holds a random token; only its SHA-256 is stored, for 15 minutes, and using it once
 * deletes it.
 */
import { randomUUID } from "node:crypto";
import type { EmailSender } from "../email/email";
import type { Merchant } from "../model";
import { ConflictError, type Store } from "../store/store";
import { clientNetwork } from "./client-network";
import { newSecret, SECRET_PATTERN, sha256Hex } from "./secrets";
import type { AuthStore } from "./types";

export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;

/** Links per address and per client address in a fixed window; past them, nothing is sent. */
export const SIGN_IN_RATE_LIMITS = {
  perAddress: { limit: 5, windowSeconds: 15 * 60 },
  perClient: { limit: 30, windowSeconds: 60 * 60 },
} as const;

export interface SignInDeps {
  auth: AuthStore;
  store: Store;
  email: EmailSender;
  publicUrl: string;
  now: () => Date;
}

export function normaliseEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Providers that ignore dots in the local part (Gmail's two domains, which are one mailbox). */
const DOTLESS_DOMAINS: Readonly<Record<string, string>> = { "gmail.com": "gmail.com", "googlemail.com": "gmail.com" };

/**
 * The mailbox an address delivers to, for rate limits only (the account is the address as typed):
 * "+tag" removed (plus-addressing, which Gmail, Outlook, iCloud, Fastmail and most others deliver to
 * the same mailbox), and for Gmail the dots too, which it ignores. Other providers' dots are kept:
 * for them "a.b" and "ab" can be different people.
 */
export function mailboxOf(address: string): string {
  const email = normaliseEmail(address);
  const at = email.lastIndexOf("@");
  if (at <= 0) return email;
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless !== undefined) {
    local = local.replaceAll(".", "");
    domain = dotless;
  }
  return `${local}@${domain}`;
}

export type SignInRequestOutcome = "sent" | "rate-limited";

/**
 * Emails a sign-in link to `address` unless the address or the client asked too often. The caller
 * shows the same page for both outcomes.
 */
export async function requestSignInLink(
  deps: SignInDeps,
  request: { address: string; clientIp: string | undefined; next?: string | undefined },
): Promise<SignInRequestOutcome> {
  const email = normaliseEmail(request.address);
  const now = deps.now();
  const { perAddress, perClient } = SIGN_IN_RATE_LIMITS;
  // Bucket names hold hashes: the table never learns an address from a counter. Per client means per
  // network an address holder controls (an IPv6 /64), per address per mailbox (plus tags removed).
  const clientBucket = `sign-in-client#${sha256Hex(request.clientIp === undefined ? "unknown" : clientNetwork(request.clientIp))}`;
  if (!(await deps.auth.takeRateLimit(clientBucket, perClient.limit, perClient.windowSeconds, now))) return "rate-limited";
  const addressBucket = `sign-in-address#${sha256Hex(mailboxOf(email))}`;
  if (!(await deps.auth.takeRateLimit(addressBucket, perAddress.limit, perAddress.windowSeconds, now))) return "rate-limited";

  const token = newSecret();
  await deps.auth.putSignInLink({
    tokenHash: sha256Hex(token),
    email,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SIGN_IN_LINK_TTL_MS).toISOString(),
    ...(request.next === undefined ? {} : { next: request.next }),
  });
  const link = `${deps.publicUrl}/sign-in/confirm?token=${token}`;
  await deps.email.send(signInEmail(email, link));
  return "sent";
}

function signInEmail(to: string, link: string) {
  const minutes = SIGN_IN_LINK_TTL_MS / 60_000;
  return {
    to: [to],
    subject: "Your daybook sign-in link",
    purpose: "sign-in" as const,
    text:
      `Use this link to sign in to daybook. It works once, within ${minutes} minutes:\n\n${link}\n\n` +
      "If this address has no daybook account yet, the link creates one.\n" +
      "If you did not ask for this email, ignore it: nobody can sign in without the link.\n",
    html:
      `<p>Use this link to sign in to daybook. It works once, within ${minutes} minutes:</p>` +
      `<p><a href="${escapeAttribute(link)}">Sign in to daybook</a></p>` +
      "<p>If this address has no daybook account yet, the link creates one.</p>" +
      "<p>If you did not ask for this email, ignore it: nobody can sign in without the link.</p>",
  };
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The address a link would sign in, if it is one daybook sent and it still works; nothing is used up. */
export async function signInLinkAddress(deps: Pick<SignInDeps, "auth" | "now">, token: string): Promise<string | undefined> {
  if (!SECRET_PATTERN.test(token)) return undefined;
  return (await deps.auth.getSignInLink(sha256Hex(token), deps.now()))?.email;
}

export interface SignedIn {
  merchant: Merchant;
  /** True when this link created the account. */
  created: boolean;
  /** The path the person was going to when they asked for the link, if any. */
  next?: string;
}

/**
 * Uses the link's token: single use, within its 15 minutes. Returns the merchant it signs in (made
 * now for an address without an account), or undefined for a token that is unknown, used or expired.
 */
export async function useSignInLink(deps: SignInDeps, token: string): Promise<SignedIn | undefined> {
  if (!SECRET_PATTERN.test(token)) return undefined;
  const now = deps.now();
  const link = await deps.auth.consumeSignInLink(sha256Hex(token), now);
  if (!link) return undefined;
  const account = await findOrCreateAccount(deps.store, link.email, now);
  return link.next === undefined ? account : { ...account, next: link.next };
}

/**
 * The account of an address that proved it is reachable (a used sign-in link, an accepted
 * invitation): the existing one, or one made now.
 */
export async function findOrCreateAccount(store: Store, email: string, now: Date): Promise<SignedIn> {
  const existing = await store.findMerchantByEmail(email);
  if (existing) return { merchant: existing, created: false };
  const merchant: Merchant = { merchantId: randomUUID(), name: "", email: normaliseEmail(email), createdAt: now.toISOString() };
  try {
    await store.createMerchant(merchant);
    return { merchant, created: true };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Two first links used at once: the other one made the account a moment ago.
    const winner = await store.findMerchantByEmail(email);
    if (!winner) throw error;
    return { merchant: winner, created: false };
  }
}
