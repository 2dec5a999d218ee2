/**
 * An invitee's "Don't send me invitations". Every invitation email carries a signed link (purpose
 * "stop-invitations": the inviting business's id and the address's hash, lib/links/signed-link.ts, as
 * a recipient's unsubscribe link). Its page (a GET, which mail scanners fetch too, changes nothing)
 * names the business and shows a button; the POST records the address's stop, for every business, and
 * withdraws every invitation to it still open. From then on inviting the address sends nothing
 * (invitations.ts), and the owner is told why. Using the link again changes nothing more.
 *
 * Only the address can lift it, as only a recipient can undo an unsubscribe: the page it stopped them on
 * carries a short-lived signed link (purpose "allow-invitations", as the unsubscribed page's
 * "resubscribe"), and, signed in with the address (which proves it is theirs), the account page
 * offers the same; a business cannot.
 *
 * The address is never kept, only its addressHash (lib/report/recipients.ts): the hash a recipient's
 * unsubscribe is kept by and its link signs, so one address's choices about email are named one way.
 */
import { signLink, verifyLink } from "../links/signed-link";
import { addressHash } from "../report/recipients";
import { UNSUBSCRIBE_LINK_DAYS } from "../report/links";
import type { Store } from "../store/store";
import { businessNameOf, type MemberStore } from "./types";

export const STOP_INVITATIONS_PATH = "/invitations/stop";
export const ALLOW_INVITATIONS_PATH = "/invitations/allow";

/** How long the "allow invitations again" link on the stopped page works. */
export const ALLOW_LINK_DAYS = 7;

export interface InvitationStopDeps {
  store: Pick<Store, "getMerchant">;
  members: Pick<MemberStore, "stopInvitations" | "findInvitationStop" | "liftInvitationStop" | "cancelInvitationsTo">;
  /** Signs the links (lib/links/signed-link.ts). */
  linkKey: Buffer;
  now(): Date;
}

const expiry = (now: Date, days: number) => Math.floor(now.getTime() / 1000) + days * 86_400;

/** The invitation email's link: it works as long as a recipient's unsubscribe link, as the email may be read long after. */
export function stopInvitationsUrl(deps: Pick<InvitationStopDeps, "linkKey" | "now"> & { publicUrl: string }, businessId: string, address: string): string {
  const token = signLink({ purpose: "stop-invitations", merchantId: businessId, subject: addressHash(address), expiresAt: expiry(deps.now(), UNSUBSCRIBE_LINK_DAYS) }, deps.linkKey);
  return `${deps.publicUrl}${STOP_INVITATIONS_PATH}?token=${token}`;
}

export interface StopTarget {
  addressHash: string;
  /** The business whose invitation carried the link. */
  businessId: string;
  /** The business whose invitation carried the link; undefined when it is no longer in daybook. */
  businessName: string | undefined;
  /** The address has asked for no invitations (before this request, or by it). */
  stopped: boolean;
}

/** What a stop link names, for its page; a SignedLinkError (its message is for the person) when the link is not valid now. */
export async function readStopLink(deps: InvitationStopDeps, token: string): Promise<StopTarget> {
  const claims = verifyLink(token, "stop-invitations", deps.linkKey, deps.now());
  const [business, stop] = await Promise.all([deps.store.getMerchant(claims.merchantId), deps.members.findInvitationStop(claims.subject)]);
  return { addressHash: claims.subject, businessId: claims.merchantId, businessName: business && businessNameOf(business), stopped: stop !== undefined };
}

/** Stops invitations to the link's address and withdraws the open ones (also when it had stopped them already). */
export async function stopFromLink(deps: InvitationStopDeps, token: string): Promise<StopTarget & { withdrawn: number }> {
  const target = await readStopLink(deps, token);
  return { ...target, stopped: true, withdrawn: await stopByHash(deps, target.addressHash) };
}

async function stopByHash(deps: Pick<InvitationStopDeps, "members" | "now">, hash: string): Promise<number> {
  // Recorded first: an invitation sent from here on is refused, and any made before is withdrawn below.
  await deps.members.stopInvitations({ addressHash: hash, stoppedAt: deps.now().toISOString() });
  return deps.members.cancelInvitationsTo(hash);
}

/** The link the stopped page offers, to undo it (it names the same business as the stop link, which the page does not use). */
export function allowToken(deps: Pick<InvitationStopDeps, "linkKey" | "now">, target: Pick<StopTarget, "addressHash" | "businessId">): string {
  return signLink({ purpose: "allow-invitations", merchantId: target.businessId, subject: target.addressHash, expiresAt: expiry(deps.now(), ALLOW_LINK_DAYS) }, deps.linkKey);
}

/** The address allows invitations again, from the link on its stopped page; false if it had not stopped them. */
export async function allowFromLink(deps: InvitationStopDeps, token: string): Promise<boolean> {
  const claims = verifyLink(token, "allow-invitations", deps.linkKey, deps.now());
  return deps.members.liftInvitationStop(claims.subject);
}

/** Whether the signed-in person's own address has stopped invitations (their account page). */
export async function invitationsStoppedFor(deps: Pick<InvitationStopDeps, "members">, address: string): Promise<boolean> {
  return (await deps.members.findInvitationStop(addressHash(address))) !== undefined;
}

/** The signed-in person's own choice, from their account page: the sign-in proved the address is theirs. */
export async function chooseInvitationsFor(deps: Pick<InvitationStopDeps, "members" | "now">, address: string, allow: boolean): Promise<void> {
  const hash = addressHash(address);
  if (allow) await deps.members.liftInvitationStop(hash);
  else await stopByHash(deps, hash);
}
