/**
 * The signed links daybook's emails carry (lib/links/signed-link.ts): approve a held day, stop (or
 * thin out) a recipient's digests, confirm a new recipient, and the page links that need no signing.
 */
import { signLink } from "../links/signed-link";
import { addressHash } from "./recipients";

const DAY_MS = 86_400_000;
export const UNSUBSCRIBE_LINK_DAYS = 365;
export const APPROVE_LINK_DAYS = 30;

export interface LinkSigner {
  publicUrl: string;
  /** Signs the links (lib/links/signed-link.ts). */
  linkKey: Buffer;
  now(): Date;
}

const expiry = (signer: LinkSigner, days: number) => Math.floor((signer.now().getTime() + days * DAY_MS) / 1000);

/** The approve link of a held day: the web's confirm page, which then queues the approval. */
export function approveUrl(signer: LinkSigner, day: { merchantId: string; locationId: string; businessDay: string }): string {
  const token = signLink({ purpose: "approve-day", merchantId: day.merchantId, subject: `${day.locationId}/${day.businessDay}`, expiresAt: expiry(signer, APPROVE_LINK_DAYS) }, signer.linkKey);
  return `${signer.publicUrl}/approve?token=${token}`;
}

/** A recipient's own link to stop the merchant's digests, or to get them less often. */
export function unsubscribeUrl(signer: LinkSigner, merchantId: string, address: string): string {
  const token = signLink({ purpose: "unsubscribe", merchantId, subject: addressHash(address), expiresAt: expiry(signer, UNSUBSCRIBE_LINK_DAYS) }, signer.linkKey);
  return `${signer.publicUrl}/unsubscribe?token=${token}`;
}

/**
 * What an accountant's link to stop their combined digest names: the unsubscribe purpose, their own
 * account id, and this prefix before their address's hash (a plain address hash never has a ":").
 */
export const CLIENTS_SUBJECT_PREFIX = "clients:";

/** An accountant's own link to stop their combined digest: every client's digest to that address, at once. */
export function combinedUnsubscribeUrl(signer: LinkSigner, personId: string, address: string): string {
  const token = signLink({ purpose: "unsubscribe", merchantId: personId, subject: `${CLIENTS_SUBJECT_PREFIX}${addressHash(address)}`, expiresAt: expiry(signer, UNSUBSCRIBE_LINK_DAYS) }, signer.linkKey);
  return `${signer.publicUrl}/unsubscribe?token=${token}`;
}

/** RFC 8058 one-click unsubscribe: both headers go on every email with an unsubscribe link. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

export const dayPath = (locationId: string, businessDay: string) => `/days/${encodeURIComponent(locationId)}/${businessDay}`;
export const dayUrl = (publicUrl: string, locationId: string, businessDay: string) => `${publicUrl}${dayPath(locationId, businessDay)}`;
/** The location's mapping page (lib/web/pages/mapping.tsx mappingPath). */
export const locationMappingPath = (locationId: string) => `/locations/${encodeURIComponent(locationId)}/mapping`;
export const mappingUrl = (publicUrl: string, locationId: string) => `${publicUrl}${locationMappingPath(locationId)}`;
/**
 * A page of one business, opened from an email that may be read by an accountant working on another
 * (GET /clients/open, lib/web/routes/clients.ts): it goes straight to `path` when the session already
 * works on the business, else asks before switching.
 */
export const openInBusiness = (publicUrl: string, merchantId: string, path: string) =>
  `${publicUrl}/clients/open?${new URLSearchParams({ business: merchantId, next: path }).toString()}`;
/** Where an account's choice is made: the location's mapping page at the account (its Id only ever in the link). */
export const accountMappingUrl = (locationMappingUrl: string, accountId: string) => `${locationMappingUrl}#account-${encodeURIComponent(accountId)}`;
