/**
 * Inviting an accountant, and accepting. The owner names an address on the reports page; daybook
 * emails it a link (purpose "invitation") with a random token kept only as a hash, single use, for 7
 * days. Accepting (a POST from the link's page: mail scanners fetch links) proves the address is the
 * invitee's as a sign-in link would: it signs them in (making the account if the address has none),
 * records the access and adds the address to the business's report recipients (accepting is the
 * consent to receive them).
 *
 * Every invitation email also carries the invitee's own "Don't send me invitations" link
 * (invitation-stops.ts): an address that used it is sent no invitation from any business, and the owner
 * is told so.
 */
import { randomUUID } from "node:crypto";
import { newSecret, SECRET_PATTERN, sha256Hex } from "../auth/secrets";
import { findOrCreateAccount, normaliseEmail } from "../auth/sign-in";
import type { AuthStore } from "../auth/types";
import type { EmailSender, OutgoingEmail } from "../email/email";
import type { Merchant } from "../model";
import type { RecipientStore } from "../report/recipients";
import { escapeHtml } from "../report/email-document";
import type { Store } from "../store/store";
import { currentLocationStatuses } from "./location-status";
import { businessNameOf, type Invitation, INVITATION_TTL_MS, type MemberStore } from "./types";
import { bucketHash } from "../auth/bucket-hash";
import { addressHash } from "../report/recipients";
import { stopInvitationsUrl } from "./invitation-stops";

/** Accountants and open invitations a business may have at once. */
export const MAX_ACCESS = 20;
/** Invitations a business may send in a day. */
export const INVITATION_RATE_LIMIT = { limit: 20, windowSeconds: 86_400 } as const;

export interface InvitationDeps {
  store: Store;
  members: MemberStore;
  auth: AuthStore;
  recipients: RecipientStore;
  email: EmailSender;
  publicUrl: string;
  /** Signs the invitee's "Don't send me invitations" link (lib/links/signed-link.ts). */
  linkKey: Buffer;
  now: () => Date;
}

export type InviteProblem = "own-address" | "already-member" | "stopped" | "invited-recently" | "full" | "rate-limited";

/** An address is sent one invitation a day by a business: a lost email can be sent again, an address cannot be flooded. */
export const REINVITE_AFTER_MS = 24 * 3600 * 1000;
export type InviteOutcome = { ok: true; invitation: Invitation } | { ok: false; problem: InviteProblem };

/**
 * Sends an invitation to `address` for the business. Inviting an address again replaces its open
 * invitation (the earlier link stops working), so a lost email can simply be sent again, a day after
 * the last one at the soonest: nobody gets more than one a day from a business.
 */
export async function inviteAccountant(deps: InvitationDeps, request: { business: Merchant; invitedBy: Merchant; address: string }): Promise<InviteOutcome> {
  const { business } = request;
  const email = normaliseEmail(request.address);
  const now = deps.now();
  if (email === business.email) return { ok: false, problem: "own-address" };
  const [members, open, stop] = await Promise.all([
    deps.members.listMembers(business.merchantId), deps.members.listInvitations(business.merchantId, now), deps.members.findInvitationStop(addressHash(email)),
  ]);
  const earlier = open.filter((invitation) => invitation.email === email);
  const problem = inviteRefusal({ email, members, open, earlier, stopped: stop !== undefined, now });
  if (problem) return { ok: false, problem };
  const { limit, windowSeconds } = INVITATION_RATE_LIMIT;
  if (!(await deps.auth.takeRateLimit(`invitations#${bucketHash(business.merchantId)}`, limit, windowSeconds, now))) return { ok: false, problem: "rate-limited" };

  for (const invitation of earlier) await deps.members.cancelInvitation(business.merchantId, invitation.invitationId);
  const token = newSecret();
  const invitation: Invitation = {
    invitationId: randomUUID(),
    tokenHash: sha256Hex(token),
    businessId: business.merchantId,
    email,
    invitedBy: request.invitedBy.merchantId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
  };
  await deps.members.putInvitation(invitation);
  await deps.email.send(invitationEmail({
    to: email, businessId: business.merchantId, businessName: businessNameOf(business), inviter: request.invitedBy.email,
    link: `${deps.publicUrl}${INVITATION_PATH}?token=${token}`, stopLink: stopInvitationsUrl(deps, business.merchantId, email),
  }));
  return { ok: true, invitation };
}

/**
 * Why an invitation to `email` is not sent, by what the business has (its accountants, its open
 * invitations, those of them to `email`) and whether the address stopped invitations; undefined to send
 * it (within the business's daily allowance). The address's own wish comes before any limit: nothing
 * the owner does later (withdrawing, waiting a day) would send it.
 */
export function inviteRefusal(input: { email: string; members: { email: string }[]; open: unknown[]; earlier: { createdAt: string }[]; stopped: boolean; now: Date }): InviteProblem | undefined {
  const { members, open, earlier, now } = input;
  if (members.some((member) => member.email === input.email)) return "already-member";
  if (input.stopped) return "stopped";
  if (earlier.some((invitation) => now.getTime() - Date.parse(invitation.createdAt) < REINVITE_AFTER_MS)) return "invited-recently";
  if (members.length + open.length - earlier.length >= MAX_ACCESS) return "full";
  return undefined;
}

export const INVITATION_PATH = "/invitations/accept";

function invitationEmail(details: { to: string; businessId: string; businessName: string; inviter: string; link: string; stopLink: string }): OutgoingEmail {
  const days = INVITATION_TTL_MS / 86_400_000;
  const { businessName, inviter, link, stopLink } = details;
  const lines = [
    `${inviter} invited you to work on the books of ${businessName} in daybook, which posts its daily sales to QuickBooks every night.`,
    "With access you can see its days, entries and reports, approve days held for review, change its account mapping and report settings, and run backfills. You will also get its morning digest, in one email with every other business you work on in daybook.",
    `Accept the invitation here (the link works once, within ${String(days)} days):`,
  ];
  const after = [
    "Accepting signs you in to daybook with this address, and creates your account if you have none.",
    `If you do not know ${inviter}, ignore this email: nothing happens without the link.`,
  ];
  const stopWhat = `(from ${businessName} or any other business, in daybook)`;
  return {
    to: [details.to],
    subject: `${businessName} invited you to daybook`,
    purpose: "invitation",
    merchantId: details.businessId,
    text: `${lines.join("\n\n")}\n\n${link}\n\n${after.join("\n")}\n\nDon't send me invitations ${stopWhat}:\n${stopLink}\n`,
    html: `${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("")}<p><a href="${escapeHtml(link)}">Accept the invitation</a></p>` +
      after.map((line) => `<p>${escapeHtml(line)}</p>`).join("") + `<p><a href="${escapeHtml(stopLink)}">Don't send me invitations</a> ${escapeHtml(stopWhat)}</p>`,
  };
}

/** What the invitation's page shows before it is accepted; undefined for a link that is unknown, used or expired. */
export async function openInvitation(deps: Pick<InvitationDeps, "members" | "store" | "now">, token: string): Promise<{ invitation: Invitation; businessName: string } | undefined> {
  if (!SECRET_PATTERN.test(token)) return undefined;
  const invitation = await deps.members.findInvitation(sha256Hex(token), deps.now());
  const business = invitation && (await deps.store.getMerchant(invitation.businessId));
  return invitation && business ? { invitation, businessName: businessNameOf(business) } : undefined;
}

export interface Accepted {
  /** The person, signed in by accepting. */
  person: Merchant;
  /** True when accepting made the person's account. */
  created: boolean;
  business: Merchant;
}

/** Accepts the invitation the token names; undefined for a link that is unknown, used, withdrawn or expired. */
export async function acceptInvitation(deps: Omit<InvitationDeps, "linkKey">, token: string): Promise<Accepted | undefined> {
  const opened = await openInvitation(deps, token);
  if (!opened) return undefined;
  const { invitation } = opened;
  const now = deps.now();
  const business = await deps.store.getMerchant(invitation.businessId);
  if (!business) return undefined;
  const { merchant: person, created } = await findOrCreateAccount(deps.store, invitation.email, now);
  // The owner's own address (their sign-in address changed after the invitation): they have access already.
  if (person.merchantId === business.merchantId) return undefined;
  const at = now.toISOString();
  const accepted = await deps.members.acceptInvitation(
    invitation,
    { businessId: business.merchantId, personId: person.merchantId, email: person.email, invitedBy: invitation.invitedBy, createdAt: at },
    {
      businessId: business.merchantId, personId: person.merchantId, businessName: businessNameOf(business), createdAt: at,
      locations: await currentLocationStatuses(deps.store, business.merchantId, now), statusUpdatedAt: at,
    },
    now,
  );
  if (!accepted) return undefined;
  await deps.recipients.addConfirmed(business.merchantId, business.email, person.email, now);
  return { person, created, business };
}
