/**
 * A recipient's own link in every email (RFC 8058 one-click unsubscribe): it names the merchant and the
 * address's hash, signed. Using it (GET shows a page naming the business, with the choice of less email;
 * POST from the mail client or the page acts) stops that address's email about the business; the
 * merchant sees it on the reports page and gets one email saying so ("unsubscribe-notice"). Using it
 * twice changes nothing and tells nobody twice.
 *
 * Only the recipient can undo it: the page they unsubscribed on carries a short-lived signed link
 * (purpose "resubscribe") that subscribes them again; the merchant adding the address again does not.
 */
import type { EmailSender } from "../email/email";
import { signLink, verifyLink } from "../links/signed-link";
import type { Merchant } from "../model";
import type { Store } from "../store/store";
import { businessOf } from "./confirm-recipient";
import { type EmailDocument, renderEmail } from "./email-document";
import { formatDay } from "./format";
import {
  addressHash, type DigestFrequency, type Recipient, type RecipientStore, recipientsOf, resubscribeAddress, unsubscribeAddress, updateRecipients, withFrequency,
} from "./recipients";

export interface UnsubscribeDeps {
  recipients: RecipientStore;
  store: Pick<Store, "getMerchant">;
  email: EmailSender;
  publicUrl: string;
  linkKey: Buffer;
  now(): Date;
}

/** How long the "subscribe again" link on the unsubscribed page works. */
const RESUBSCRIBE_LINK_DAYS = 7;

export interface LinkTarget {
  merchant: Merchant;
  hash: string;
  /** The address on the merchant's list, if it still is. */
  recipient: Recipient | undefined;
  unsubscribed: boolean;
}

/** What an unsubscribe link names, for its page; SignedLinkError when the link is not valid now, undefined when the business is gone. */
export async function readUnsubscribeLink(deps: UnsubscribeDeps, token: string, purpose: "unsubscribe" | "resubscribe" = "unsubscribe"): Promise<LinkTarget | undefined> {
  const claims = verifyLink(token, purpose, deps.linkKey, deps.now());
  const merchant = await deps.store.getMerchant(claims.merchantId);
  if (!merchant) return undefined;
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
  const newly = await updateRecipients(deps.recipients, target.merchant.merchantId, (list) => unsubscribeAddress(list, target.hash, now));
  // The merchant's own address needs no notice of its own choice.
  if (newly && target.recipient?.address !== target.merchant.email) await deps.email.send(unsubscribeNotice(deps, target, now));
  return { ...target, unsubscribed: true };
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
