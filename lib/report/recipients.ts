/**
 * Who receives a merchant's sync reports: its accountants, managed on the reports page. Until someone
 * sets the list, the merchant's own sign-in address receives them. An unsubscribed address is kept on
 * a stop list, so the default never adds it back; adding it again by hand clears that.
 *
 * RecipientStore is the storage port (one item per merchant); lib/store/recipients.ts implements it.
 */
import { createHash } from "node:crypto";
import { normalizeEmail } from "../store/keys";

export interface RecipientList {
  /** Absent until the merchant sets the list: then the sign-in address receives reports. */
  addresses?: string[];
  /** Hashes of addresses that unsubscribed. */
  unsubscribed: string[];
}

export interface RecipientStore {
  /** The merchant's list as stored; an empty one (no addresses set, nobody unsubscribed) when there is none. */
  get(merchantId: string): Promise<RecipientList>;
  put(merchantId: string, list: RecipientList): Promise<void>;
  /**
   * Adds an address that has agreed to receive the merchant's reports (an accountant who accepted an
   * invitation agreed by accepting), clearing any earlier unsubscribe of it.
   */
  addConfirmed(merchantId: string, ownerEmail: string, address: string): Promise<void>;
}

/** An address as an unsubscribe link names it: a hash, so the link never shows the address. */
export function addressHash(address: string): string {
  return createHash("sha256").update(normalizeEmail(address), "utf8").digest("base64url").slice(0, 32);
}

/** The addresses that receive reports now. */
export async function getRecipients(recipients: RecipientStore, merchantId: string, ownerEmail: string): Promise<string[]> {
  const item = await recipients.get(merchantId);
  const stopped = new Set(item.unsubscribed);
  return (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((address) => !stopped.has(addressHash(address)));
}

export async function addRecipient(recipients: RecipientStore, merchantId: string, ownerEmail: string, address: string): Promise<void> {
  const item = await recipients.get(merchantId);
  const added = normalizeEmail(address);
  const addresses = item.addresses ?? [normalizeEmail(ownerEmail)];
  await recipients.put(merchantId, {
    addresses: addresses.includes(added) ? addresses : [...addresses, added],
    unsubscribed: item.unsubscribed.filter((hash) => hash !== addressHash(added)),
  });
}

export async function removeRecipient(recipients: RecipientStore, merchantId: string, ownerEmail: string, address: string): Promise<void> {
  const item = await recipients.get(merchantId);
  const removed = normalizeEmail(address);
  await recipients.put(merchantId, {
    addresses: (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((kept) => kept !== removed),
    unsubscribed: item.unsubscribed,
  });
}

/** One-click unsubscribe: the address (named by its hash) receives no more reports. Idempotent. */
export async function unsubscribeRecipient(recipients: RecipientStore, merchantId: string, hash: string): Promise<void> {
  const item = await recipients.get(merchantId);
  if (item.unsubscribed.includes(hash)) return;
  await recipients.put(merchantId, { ...item, unsubscribed: [...item.unsubscribed, hash] });
}

/**
 * For the reports page: the addresses that receive reports now (as getRecipients), and whether the
 * merchant has set the list yet (until then it is the sign-in address).
 */
export async function getRecipientSettings(recipients: RecipientStore, merchantId: string, ownerEmail: string): Promise<{ addresses: string[]; isDefault: boolean }> {
  const item = await recipients.get(merchantId);
  const stopped = new Set(item.unsubscribed);
  return {
    addresses: (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((address) => !stopped.has(addressHash(address))),
    isDefault: item.addresses === undefined,
  };
}
