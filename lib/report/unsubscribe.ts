/**
 * A recipient's own link in every email (RFC 8058 one-click unsubscribe): it names the merchant and the
 * address's hash, signed. Using it (GET shows a page naming the business, with the choice of less email;
 * POST from the mail client or the page acts) stops that address's email about the business; the
 * merchant sees it on the reports page and gets one email saying so ("unsubscribe-notice"). Using it
 * twice changes nothing and tells nobody twice.
 *
 * Only the recipient can undo it: the page they unsubscribed on carries a short-lived signed link
 * (purpose "resubscribe") that subscribes them again; the merchant adding the address again does not.
 *
 * An accountant's combined digest (lib/report/digest.ts) carries a link of their own (links.ts
 * combinedUnsubscribeUrl: their account id, and their address's hash after "clients:"): it does the same
 * for every client at once, each business told once, and its undo subscribes them to every client again.
 */
import { businessNameOf, type MemberStore } from "../members/types";
import { signLink, verifyLink } from "../links/signed-link";
import type { Merchant } from "../model";
import { businessOf, type ConfirmDeps } from "./confirm-recipient";
import { type EmailDocument, renderEmail } from "./email-document";
import { formatDay } from "./format";
import { CLIENTS_SUBJECT_PREFIX } from "./links";
import {
  addressHash, type DigestFrequency, type Recipient, recipientsOf, resubscribeAddress, unsubscribeAddress, updateRecipients, withFrequency,
} from "./recipients";

/** The confirmation's ports, and an accountant's memberships for their combined digest's link. */
export interface UnsubscribeDeps extends ConfirmDeps {
  /** An accountant's clients, for the link of their combined digest. */
  members?: Pick<MemberStore, "listMemberships">;
}

/** How long the "subscribe again" link on the unsubscribed page works. */
const RESUBSCRIBE_LINK_DAYS = 7;

export interface LinkTarget {
  merchant: Merchant;
  hash: string;
  /** The address on the merchant's list, if it still is. */
  recipient: Recipient | undefined;
  unsubscribed: boolean;
  /**
   * An accountant's combined-digest link: `merchant` is the accountant's own account, and these are
   * the clients it stops (or starts again), by name; `unsubscribed` when it stopped every one.
   */
  clients?: { businessId: string; name: string }[];
}

/** What a page calls the email a link stops: the business's, or an accountant's clients' ("your 2 clients: A and B"). */
export function linkTargetName(target: LinkTarget): string {
  if (!target.clients) return businessOf(target.merchant);
  const names = target.clients.map((client) => client.name);
  const listed = names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
  return names.length === 0 ? "your clients" : `your ${String(names.length)} ${names.length === 1 ? "client" : "clients"}: ${listed}`;
}

const isClientsLink = (subject: string) => subject.startsWith(CLIENTS_SUBJECT_PREFIX);

/** An accountant's clients (their memberships), each with its business and the address's standing there. */
async function clientTargets(deps: UnsubscribeDeps, personId: string, hash: string): Promise<LinkTarget[]> {
  if (!deps.members) throw new Error("an accountant's unsubscribe link needs the member store");
  const memberships = await deps.members.listMemberships(personId);
  const targets = await Promise.all(memberships.map(async (membership) => {
    const business = await deps.store.getMerchant(membership.businessId);
    if (!business) return [];
    const list = await deps.recipients.get(business.merchantId);
    return [{
      merchant: business, hash,
      recipient: recipientsOf(list, business.email).find((each) => addressHash(each.address) === hash),
      unsubscribed: list.unsubscribed.some((each) => each.hash === hash),
    }];
  }));
  return targets.flat().sort((a, b) => businessNameOf(a.merchant).localeCompare(businessNameOf(b.merchant)));
}

function combinedTarget(person: Merchant, subject: string, clients: LinkTarget[]): LinkTarget {
  return {
    merchant: person, hash: subject, recipient: undefined,
    unsubscribed: clients.every((client) => client.unsubscribed),
    clients: clients.map((client) => ({ businessId: client.merchant.merchantId, name: businessNameOf(client.merchant) })),
  };
}

/** What an unsubscribe link names, for its page; SignedLinkError when the link is not valid now, undefined when the business is gone. */
export async function readUnsubscribeLink(deps: UnsubscribeDeps, token: string, purpose: "unsubscribe" | "resubscribe" = "unsubscribe"): Promise<LinkTarget | undefined> {
  const claims = verifyLink(token, purpose, deps.linkKey, deps.now());
  const merchant = await deps.store.getMerchant(claims.merchantId);
  if (!merchant) return undefined;
  if (isClientsLink(claims.subject)) {
    return combinedTarget(merchant, claims.subject, await clientTargets(deps, merchant.merchantId, claims.subject.slice(CLIENTS_SUBJECT_PREFIX.length)));
  }
  const list = await deps.recipients.get(merchant.merchantId);
  return {
    merchant, hash: claims.subject,
    recipient: recipientsOf(list, merchant.email).find((each) => addressHash(each.address) === claims.subject),
    unsubscribed: list.unsubscribed.some((each) => each.hash === claims.subject),
  };
}

/** Stops the address's email about the business; the merchant is told once. Undefined when the business is gone. */
export async function unsubscribeFromLink(deps: UnsubscribeDeps, token: string): Promise<LinkTarget | undefined> {
  const target = await readUnsubscribeLink(deps, token);
  if (!target) return undefined;
  const now = deps.now();
  if (target.clients) {
    // Every client at once, each told as if the address had used that business's own link.
    const clients = await clientTargets(deps, target.merchant.merchantId, target.hash.slice(CLIENTS_SUBJECT_PREFIX.length));
    for (const client of clients) await stopOne(deps, client, now);
    return combinedTarget(target.merchant, target.hash, clients.map((client) => ({ ...client, unsubscribed: true })));
  }
  await stopOne(deps, target, now);
  return { ...target, unsubscribed: true };
}

async function stopOne(deps: UnsubscribeDeps, target: LinkTarget, now: Date): Promise<void> {
  const newly = await updateRecipients(deps.recipients, target.merchant.merchantId, (list) => unsubscribeAddress(list, target.hash, now));
  // The merchant's own address needs no notice of its own choice.
  if (newly && target.recipient?.address !== target.merchant.email) await deps.email.send(unsubscribeNotice(deps, target, now));
}

/** The recipient's own choice of how often, from the page their link opens. */
export async function setFrequencyFromLink(deps: UnsubscribeDeps, token: string, frequency: DigestFrequency): Promise<LinkTarget | undefined> {
  const target = await readUnsubscribeLink(deps, token);
  if (!target?.recipient || target.unsubscribed) return target;
  const address = target.recipient.address;
  await updateRecipients(deps.recipients, target.merchant.merchantId, (list) => ({ list: withFrequency(list, target.merchant.email, address, frequency), result: undefined }));
  return { ...target, recipient: { ...target.recipient, frequency } };
}

/** The link the unsubscribed page offers, to undo it. */
export function resubscribeToken(deps: Pick<UnsubscribeDeps, "linkKey" | "now">, merchantId: string, hash: string): string {
  const expiresAt = Math.floor(deps.now().getTime() / 1000) + RESUBSCRIBE_LINK_DAYS * 86_400;
  return signLink({ purpose: "resubscribe", merchantId, subject: hash, expiresAt }, deps.linkKey);
}

/** The recipient subscribes again, from the link on their unsubscribed page. */
export async function resubscribeFromLink(deps: UnsubscribeDeps, token: string): Promise<LinkTarget | undefined> {
  const target = await readUnsubscribeLink(deps, token, "resubscribe");
  if (!target) return undefined;
  if (target.clients) {
    const clients = await clientTargets(deps, target.merchant.merchantId, target.hash.slice(CLIENTS_SUBJECT_PREFIX.length));
    for (const client of clients) {
      await updateRecipients(deps.recipients, client.merchant.merchantId, (list) => resubscribeAddress(list, client.merchant.email, client.hash, deps.now()));
    }
    return combinedTarget(target.merchant, target.hash, clients.map((client) => ({ ...client, unsubscribed: false })));
  }
  await updateRecipients(deps.recipients, target.merchant.merchantId, (list) => resubscribeAddress(list, target.merchant.email, target.hash, deps.now()));
  return { ...target, unsubscribed: false };
}

function unsubscribeNotice(deps: Pick<UnsubscribeDeps, "publicUrl">, target: LinkTarget, now: Date) {
  const who = target.recipient?.address ?? "An address you had added";
  const business = businessOf(target.merchant);
  const document: EmailDocument = {
    title: `${who} unsubscribed`,
    blocks: [
      { kind: "paragraph", text: `${who} asked to get no more email from daybook about ${business}, on ${formatDay(now.toISOString().slice(0, 10))}. daybook sends it nothing more; only they can undo it.` },
      { kind: "paragraph", text: "The reports page lists who receives the digest now.", links: [{ text: "Open the reports page", url: `${deps.publicUrl}/reports` }] },
    ],
    footer: [{ text: `You get this one email because you run daybook for ${business}.` }],
  };
  const { html, text } = renderEmail(document);
  return { to: [target.merchant.email], subject: `${who} unsubscribed from ${business}'s daybook reports`, text, html, purpose: "unsubscribe-notice" as const, merchantId: target.merchant.merchantId };
}
