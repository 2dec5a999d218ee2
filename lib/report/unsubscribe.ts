/**
 * One-click unsubscribe (RFC 8058): the link in each report names the merchant and the recipient's
 * address hash, signed; using it (GET shows a page, POST from the mail client acts) stops that
 * address's reports. Using it twice changes nothing.
 */
import { verifyLink } from "../links/signed-link";
import { type RecipientStore, unsubscribeRecipient } from "./recipients";

export interface UnsubscribeDeps {
  recipients: RecipientStore;
  linkKey: Buffer;
  now(): Date;
}

/** Throws SignedLinkError (with words for the person) when the link is not valid now. */
export async function unsubscribeFromLink(deps: UnsubscribeDeps, token: string): Promise<void> {
  const claims = verifyLink(token, "unsubscribe", deps.linkKey, deps.now());
  await unsubscribeRecipient(deps.recipients, claims.merchantId, claims.subject);
}
