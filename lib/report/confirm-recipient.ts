/**
 * Consent before anything is sent: the merchant adds an address on the reports page, and that address
 * gets ONE email asking it to confirm (a signed link, purpose "confirm-recipient", valid
 * CONFIRMATION_DAYS days), with a link to refuse all of this business's email outright. Nothing else
 * goes to it until it confirms; adding it again, or asking again, while the link is valid sends nothing.
 */
import type { EmailSender } from "../email/email";
import { signLink, verifyLink } from "../links/signed-link";
import type { Merchant } from "../model";
import type { Store } from "../store/store";
import { normalizeEmail } from "../store/keys";
import { type EmailDocument, renderEmail } from "./email-document";
import { unsubscribeHeaders, unsubscribeUrl } from "./links";
import {
  addAddress, type AddOutcome, addressHash, CONFIRMATION_DAYS, confirmAddress, type DigestFrequency, mayResendConfirmation, type Recipient, type RecipientStore,
  recipientsOf, updateRecipients, withConfirmationSent,
} from "./recipients";

export interface ConfirmDeps {
  recipients: RecipientStore;
  store: Pick<Store, "getMerchant">;
  email: EmailSender;
  publicUrl: string;
  linkKey: Buffer;
  now(): Date;
}

export type InviteOutcome = AddOutcome | "not-sent";

/**
 * Adds the address to the merchant's recipients and, when it is newly pending, sends its one
 * confirmation email. "not-sent" when that email could not be sent: the address stays pending, and the
 * page offers to send it again.
 */
export async function inviteRecipient(deps: ConfirmDeps, merchant: Merchant, address: string): Promise<InviteOutcome> {
  const now = deps.now();
  const added = normalizeEmail(address);
  const outcome = await updateRecipients(deps.recipients, merchant.merchantId, (list) => addAddress(list, merchant.email, added, now));
  if (outcome !== "pending") return outcome;
  return (await sendConfirmation(deps, merchant, added, now)) ? "pending" : "not-sent";
}

/** Sends the confirmation again, only when none went or the last one's link has expired. */
export async function resendConfirmation(deps: ConfirmDeps, merchant: Merchant, address: string): Promise<"sent" | "too-soon" | "not-pending" | "not-sent"> {
  const now = deps.now();
  const wanted = normalizeEmail(address);
  const allowed = await updateRecipients<"not-pending" | "too-soon" | Recipient>(deps.recipients, merchant.merchantId, (list) => {
    const recipient = recipientsOf(list, merchant.email).find((each) => each.address === wanted);
    if (!recipient || recipient.status !== "pending") return { result: "not-pending" };
    if (!mayResendConfirmation(recipient, now)) return { result: "too-soon" };
    return { list: withConfirmationSent(list, merchant.email, wanted, now.toISOString()), result: recipient };
  });
  if (typeof allowed === "string") return allowed;
  return (await sendConfirmation(deps, merchant, wanted, now, allowed.frequency)) ? "sent" : "not-sent";
}

async function sendConfirmation(deps: ConfirmDeps, merchant: Merchant, address: string, now: Date, frequency?: DigestFrequency): Promise<boolean> {
  try {
    await deps.email.send(confirmationEmail(deps, merchant, address, now, frequency));
    return true;
  } catch {
    // Not sent: say so on the page, and let the merchant ask again at once.
    await updateRecipients(deps.recipients, merchant.merchantId, (list) => ({ list: withConfirmationSent(list, merchant.email, address, undefined), result: undefined }));
    return false;
  }
}

export function confirmUrl(deps: Pick<ConfirmDeps, "publicUrl" | "linkKey">, merchantId: string, address: string, now: Date): string {
  const expiresAt = Math.floor(now.getTime() / 1000) + CONFIRMATION_DAYS * 86_400;
  return `${deps.publicUrl}/recipients/confirm?token=${signLink({ purpose: "confirm-recipient", merchantId, subject: addressHash(address), expiresAt }, deps.linkKey)}`;
}

/** What the recipient is asked to receive, as the reports page set it (a pending address's frequency can be changed before it confirms). */
const ASKED: Record<DigestFrequency, (business: string) => string> = {
  daily: (business) => `the daily digest of ${business}: every morning, what was posted to QuickBooks for each of its locations, and anything that needs attention`,
  weekly: (business) => `the weekly digest of ${business}: every Monday morning, what was posted to QuickBooks for each of its locations the week before, and anything that needs attention`,
  exceptions: (business) => `the digest of ${business} on the mornings when something needs attention (a day held for review, failed or adjusted), and nothing on the other mornings`,
};

export function confirmationEmail(deps: Pick<ConfirmDeps, "publicUrl" | "linkKey">, merchant: Merchant, address: string, now: Date, frequency: DigestFrequency = "daily") {
  const business = businessOf(merchant);
  const stop = unsubscribeUrl({ ...deps, now: () => now }, merchant.merchantId, address);
  const document: EmailDocument = {
    title: `Confirm daybook's reports for ${business}`,
    blocks: [
      { kind: "paragraph", text: `${merchant.email} asked daybook to send ${address} ${ASKED[frequency](business)}.` },
      { kind: "paragraph", text: `Nothing more is sent to this address unless you confirm. The link works for ${String(CONFIRMATION_DAYS)} days.`, links: [{ text: "Confirm and receive the digest", url: confirmUrl(deps, merchant.merchantId, address, now) }] },
      { kind: "paragraph", text: "Not expecting this? Ignore it and you get nothing else, or refuse every email from daybook about this business.", links: [{ text: "Refuse these emails", url: stop }] },
    ],
    footer: [{ text: "daybook posts a business's daily sales from its POS to QuickBooks. You get this one email because your address was typed on its reports page." }],
  };
  const { html, text } = renderEmail(document);
  return {
    to: [address], subject: `Confirm: daybook's reports for ${business}`, text, html, headers: unsubscribeHeaders(stop),
    purpose: "confirm-recipient" as const, merchantId: merchant.merchantId,
  };
}

export const businessOf = (merchant: Pick<Merchant, "name">): string => (merchant.name.trim() === "" ? "a business" : merchant.name);

export interface ConfirmLinkTarget {
  merchant: Merchant;
  recipient: Recipient | undefined;
}

/** What a confirm link names: the merchant, and the recipient if the address is still on its list. SignedLinkError when the link is not valid now. */
export async function readConfirmLink(deps: ConfirmDeps, token: string): Promise<ConfirmLinkTarget | undefined> {
  const claims = verifyLink(token, "confirm-recipient", deps.linkKey, deps.now());
  const merchant = await deps.store.getMerchant(claims.merchantId);
  if (!merchant) return undefined;
  const list = await deps.recipients.get(merchant.merchantId);
  return { merchant, recipient: recipientsOf(list, merchant.email).find((each) => addressHash(each.address) === claims.subject) };
}

/** Confirms the address the link names; confirming twice changes nothing. Undefined when it is no longer on the list. */
export async function confirmFromLink(deps: ConfirmDeps, token: string): Promise<ConfirmLinkTarget | undefined> {
  const claims = verifyLink(token, "confirm-recipient", deps.linkKey, deps.now());
  const merchant = await deps.store.getMerchant(claims.merchantId);
  if (!merchant) return undefined;
  const recipient = await updateRecipients(deps.recipients, merchant.merchantId, (list) => confirmAddress(list, merchant.email, claims.subject, deps.now()));
  return { merchant, recipient };
}
