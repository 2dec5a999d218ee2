/**
 * Who receives a merchant's digests: its accountants, managed on the reports page. Nobody receives
 * email they did not agree to:
 * - a newly added address is pending and gets one email, asking it to confirm (a signed link, purpose
 *   "confirm-recipient", valid CONFIRMATION_DAYS days), and nothing else until it confirms; adding it
 *   again while that link is valid sends nothing more, even after a removal in between;
 * - the merchant's own sign-in address counts as confirmed: it proved it by signing in;
 * - an unsubscribed address stays unsubscribed when the merchant adds it again: only the recipient can
 *   undo it, from the link on the page they unsubscribed on.
 * Until someone sets the list, the sign-in address alone receives the daily digest.
 *
 * RecipientStore is the storage port (one item per merchant, written conditionally on its version);
 * lib/store/recipients.ts implements it.
 */
import { createHash } from "node:crypto";
import { normalizeEmail } from "../store/keys";
import { ConflictError } from "../store/store";

/** How often a recipient gets the digest: every morning, Mondays (the week's days), or only on mornings with something to act on. */
export type DigestFrequency = "daily" | "weekly" | "exceptions";
export const DIGEST_FREQUENCIES: readonly DigestFrequency[] = ["daily", "weekly", "exceptions"];

export interface Recipient {
  /** Lower-cased and trimmed. */
  address: string;
  status: "pending" | "confirmed";
  frequency: DigestFrequency;
  addedAt: string;
  /** When the confirmation email went; absent when none has gone yet. */
  confirmationSentAt?: string;
  confirmedAt?: string;
}

export interface Unsubscribe {
  /** addressHash of the address. */
  hash: string;
  at: string;
}

export interface RecipientList {
  /** Absent until the merchant sets the list: then the sign-in address alone, confirmed and daily. */
  recipients?: Recipient[];
  /** Addresses that unsubscribed, by hash: they receive nothing until they subscribe again themselves. */
  unsubscribed: Unsubscribe[];
  /** Pending addresses removed while their confirmation link was still valid, so adding them back sends nothing new. */
  invited?: { hash: string; confirmationSentAt: string }[];
  /** 0 when nothing is stored; every write is conditional on it. */
  version: number;
}

export interface RecipientStore {
  /** The merchant's list as stored; an empty one (version 0) when there is none. */
  get(merchantId: string): Promise<RecipientList>;
  /** Writes the list if the stored version is still `list.version` (0: none stored); ConflictError otherwise. */
  put(merchantId: string, list: RecipientList): Promise<void>;
  /**
   * Adds an address that has agreed to receive the merchant's reports (an accountant who accepted an
   * invitation agreed by accepting): confirmed, daily, and any earlier unsubscribe of it cleared.
   */
  addConfirmed(merchantId: string, ownerEmail: string, address: string, now: Date): Promise<void>;
  /**
   * The addresses that may receive this merchant's email now: on the list, confirmed (the sign-in
   * address counts as confirmed) and not unsubscribed. The merchant's own address is among them only
   * while it is on the list (it is, until the merchant sets the list without it). Stable: other
   * emails about the merchant (e.g. "posting-status") go to these.
   */
  addressesThatMayReceive(merchantId: string, ownerEmail: string): Promise<string[]>;
}

/** How long a confirmation link works, and so how long adding an address again sends nothing new. */
export const CONFIRMATION_DAYS = 7;
const DAY_MS = 86_400_000;

/** An address as links name it: a hash, so a link never shows the address. */
export function addressHash(address: string): string {
  return createHash("sha256").update(normalizeEmail(address), "utf8").digest("base64url").slice(0, 32);
}

/** The recipients as they stand: the stored list, or the sign-in address alone until one is set. */
export function recipientsOf(list: RecipientList, ownerEmail: string): Recipient[] {
  if (list.recipients) return list.recipients;
  return [{ address: normalizeEmail(ownerEmail), status: "confirmed", frequency: "daily", addedAt: "" }];
}

export function isUnsubscribed(list: RecipientList, address: string): boolean {
  const hash = addressHash(address);
  return list.unsubscribed.some((each) => each.hash === hash);
}

/** The recipients who may be sent email now, each with how often they want the digest. */
export function deliverableRecipients(list: RecipientList, ownerEmail: string): Recipient[] {
  const owner = normalizeEmail(ownerEmail);
  return recipientsOf(list, ownerEmail).filter((recipient) => (recipient.status === "confirmed" || recipient.address === owner) && !isUnsubscribed(list, recipient.address));
}

export function mayReceive(list: RecipientList, ownerEmail: string): string[] {
  return deliverableRecipients(list, ownerEmail).map((recipient) => recipient.address);
}

/** Reads the list, changes it, writes it back conditionally; once more if another writer came between. */
export async function updateRecipients<T>(
  store: RecipientStore, merchantId: string, change: (list: RecipientList) => { list?: RecipientList; result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(merchantId);
    const { list, result } = change(current);
    if (list === undefined) return result;
    try {
      await store.put(merchantId, { ...list, version: current.version });
      return result;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 3) throw error;
    }
  }
}

export type AddOutcome =
  /** Pending; the confirmation email is to be sent now. */
  | "pending"
  /** Pending again within its confirmation link's life: nothing is sent. */
  | "pending-already-invited"
  /** The merchant's own sign-in address: confirmed at once. */
  | "confirmed"
  | "already-listed"
  | "unsubscribed"
  | "full";

export const MAX_RECIPIENTS = 10;

/** Puts the address on the list: pending (or confirmed, for the sign-in address). Says what to do next; sends nothing. */
export function addAddress(list: RecipientList, ownerEmail: string, address: string, now: Date): { list?: RecipientList; result: AddOutcome } {
  const added = normalizeEmail(address);
  const current = recipientsOf(list, ownerEmail);
  if (current.some((recipient) => recipient.address === added)) return { result: isUnsubscribed(list, added) ? "unsubscribed" : "already-listed" };
  if (isUnsubscribed(list, added)) return { result: "unsubscribed" };
  if (current.length >= MAX_RECIPIENTS) return { result: "full" };
  const owner = added === normalizeEmail(ownerEmail);
  const hash = addressHash(added);
  const invited = (list.invited ?? []).find((each) => each.hash === hash && confirmationStillValid(each.confirmationSentAt, now));
  const recipient: Recipient = owner
    ? { address: added, status: "confirmed", frequency: "daily", addedAt: now.toISOString(), confirmedAt: now.toISOString() }
    : {
      address: added, status: "pending", frequency: "daily", addedAt: now.toISOString(),
      confirmationSentAt: invited?.confirmationSentAt ?? now.toISOString(),
    };
  return {
    list: { ...list, recipients: [...current, recipient], invited: liveInvitations(list, now).filter((each) => each.hash !== hash) },
    result: owner ? "confirmed" : invited ? "pending-already-invited" : "pending",
  };
}

export function confirmationStillValid(sentAt: string | undefined, now: Date): boolean {
  return sentAt !== undefined && now.getTime() - Date.parse(sentAt) < CONFIRMATION_DAYS * DAY_MS;
}

function liveInvitations(list: RecipientList, now: Date): NonNullable<RecipientList["invited"]> {
  return (list.invited ?? []).filter((each) => confirmationStillValid(each.confirmationSentAt, now));
}

/** The confirmation of a pending address may be sent (again): none went, or the last one's link has expired. */
export function mayResendConfirmation(recipient: Recipient, now: Date): boolean {
  return recipient.status === "pending" && !confirmationStillValid(recipient.confirmationSentAt, now);
}

/** Marks the confirmation as sent now (or not sent, `undefined`, when sending failed). */
export function withConfirmationSent(list: RecipientList, ownerEmail: string, address: string, sentAt: string | undefined): RecipientList {
  return {
    ...list,
    recipients: recipientsOf(list, ownerEmail).map((recipient) => {
      if (recipient.address !== address) return recipient;
      const { confirmationSentAt: _previous, ...rest } = recipient;
      return sentAt === undefined ? rest : { ...rest, confirmationSentAt: sentAt };
    }),
  };
}

export function removeAddress(list: RecipientList, ownerEmail: string, address: string, now: Date): RecipientList {
  const removed = recipientsOf(list, ownerEmail).find((recipient) => recipient.address === address);
  const keepInvitation = removed?.status === "pending" && confirmationStillValid(removed.confirmationSentAt, now)
    ? [{ hash: addressHash(address), confirmationSentAt: removed.confirmationSentAt ?? "" }]
    : [];
  return {
    ...list,
    recipients: recipientsOf(list, ownerEmail).filter((recipient) => recipient.address !== address),
    invited: [...liveInvitations(list, now), ...keepInvitation],
  };
}

export function withFrequency(list: RecipientList, ownerEmail: string, address: string, frequency: DigestFrequency): RecipientList {
  return { ...list, recipients: recipientsOf(list, ownerEmail).map((recipient) => (recipient.address === address ? { ...recipient, frequency } : recipient)) };
}

/**
 * The address named by `hash` confirmed, from its link: it must still be on the list. Confirming twice
 * changes nothing. Undefined when the address is no longer on the list.
 */
export function confirmAddress(list: RecipientList, ownerEmail: string, hash: string, now: Date): { list?: RecipientList; result: Recipient | undefined } {
  const recipient = recipientsOf(list, ownerEmail).find((each) => addressHash(each.address) === hash);
  if (!recipient) return { result: undefined };
  if (recipient.status === "confirmed") return { result: recipient };
  const confirmed: Recipient = { ...recipient, status: "confirmed", confirmedAt: now.toISOString() };
  return { list: { ...list, recipients: recipientsOf(list, ownerEmail).map((each) => (each === recipient ? confirmed : each)) }, result: confirmed };
}

/** The address named by `hash` unsubscribes: true when it is new (the merchant is told once), false when it had already. */
export function unsubscribeAddress(list: RecipientList, hash: string, now: Date): { list?: RecipientList; result: boolean } {
  if (list.unsubscribed.some((each) => each.hash === hash)) return { result: false };
  return { list: { ...list, unsubscribed: [...list.unsubscribed, { hash, at: now.toISOString() }] }, result: true };
}

/**
 * The recipient undoes their own unsubscribe (the link on the unsubscribe page): they receive the
 * digest again, and since only they could use that link, a pending address counts as confirmed.
 */
export function resubscribeAddress(list: RecipientList, ownerEmail: string, hash: string, now: Date): { list?: RecipientList; result: boolean } {
  if (!list.unsubscribed.some((each) => each.hash === hash)) return { result: false };
  return {
    list: {
      ...list,
      unsubscribed: list.unsubscribed.filter((each) => each.hash !== hash),
      ...(list.recipients
        ? {
          recipients: recipientsOf(list, ownerEmail).map((each) => (addressHash(each.address) === hash && each.status === "pending"
            ? { ...each, status: "confirmed" as const, confirmedAt: now.toISOString() }
            : each)),
        }
        : {}),
    },
    result: true,
  };
}

/** An address that agreed by accepting an invitation: on the list confirmed (daily unless it had chosen), and no longer unsubscribed. */
export function addConfirmedAddress(list: RecipientList, ownerEmail: string, address: string, now: Date): { list: RecipientList; result: undefined } {
  const added = normalizeEmail(address);
  const hash = addressHash(added);
  const current = recipientsOf(list, ownerEmail);
  const existing = current.find((recipient) => recipient.address === added);
  const confirmed: Recipient = existing
    ? { ...existing, status: "confirmed", confirmedAt: existing.confirmedAt ?? now.toISOString() }
    : { address: added, status: "confirmed", frequency: "daily", addedAt: now.toISOString(), confirmedAt: now.toISOString() };
  return {
    list: {
      ...list,
      recipients: existing ? current.map((each) => (each === existing ? confirmed : each)) : [...current, confirmed],
      unsubscribed: list.unsubscribed.filter((each) => each.hash !== hash),
    },
    result: undefined,
  };
}
