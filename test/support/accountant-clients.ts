/**
 * An accountant's clients written straight to the stores, as the worker and the invitation leave them
 * (the engine and integration tests of the combined digest, where running every client's night through
 * the worker would only slow them down): each client a business with one location, its day posted,
 * the accountant's access (both sides, with the location's latest day on the client list), the
 * accountant on its recipients, and the business's digest of the next morning marked.
 */
import { randomUUID } from "node:crypto";
import type { LocationConfig } from "../../lib/model";
import { digestMarkFor } from "../../lib/report/digest";
import type { Storage } from "../../lib/store/storage";
import { squareMapping } from "./fixtures";

export interface Client {
  businessId: string;
  name: string;
  owner: string;
  location: LocationConfig;
}

/** A business with one location in `timeZone`, and access for the accountant (`personId`, `address`). */
export async function addClient(
  storage: Pick<Storage, "store" | "members" | "recipients">, person: { personId: string; address: string }, name: string, timeZone: string, at: Date,
): Promise<Client> {
  const businessId = `b-${randomUUID()}`;
  const owner = `owner@${businessId}.example`;
  await storage.store.putMerchant({ merchantId: businessId, name, email: owner, createdAt: at.toISOString() });
  const location: LocationConfig = {
    merchantId: businessId, locationId: `L-${businessId.slice(2, 10)}`, source: "square", name: `${name} shop`, posConnectionId: "none",
    quickbooksConnectionId: "none", timeZone, dayStart: "00:00", currency: "USD", mapping: squareMapping(), updatedAt: at.toISOString(),
  };
  await storage.store.putLocation(location);
  const invitation = {
    invitationId: randomUUID(), tokenHash: randomUUID().replaceAll("-", "").repeat(2), businessId, email: person.address, invitedBy: businessId,
    createdAt: at.toISOString(), expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
  };
  await storage.members.putInvitation(invitation);
  const accepted = await storage.members.acceptInvitation(
    invitation,
    { businessId, personId: person.personId, email: person.address, invitedBy: businessId, createdAt: at.toISOString() },
    { businessId, personId: person.personId, businessName: name, createdAt: at.toISOString(), locations: {}, statusUpdatedAt: at.toISOString() },
    at,
  );
  if (!accepted) throw new Error("the access was not recorded");
  await storage.recipients.addConfirmed(businessId, owner, person.address, at);
  return { businessId, name, owner, location };
}

/**
 * The client's night of `day` as the worker leaves it: the day posted, the client list told, and the
 * business's digest of the morning after marked.
 */
export async function clientNight(storage: Pick<Storage, "store" | "members" | "digests">, client: Client, personIds: string[], day: string, at: Date): Promise<void> {
  const { businessId, location } = client;
  const updatedAt = at.toISOString();
  await storage.store.saveSyncRecord({
    merchantId: businessId, locationId: location.locationId, businessDay: day, state: "posted", attempts: 1, posted: [], updatedAt,
  }, 0);
  await storage.members.recordLocationStatus(personIds, businessId, client.name, location.locationId, {
    name: location.name, timeZone: location.timeZone, businessDay: day, state: "posted", updatedAt,
  });
  await storage.digests.mark(digestMarkFor({ kind: "first", merchantId: businessId, businessDay: day }, location.timeZone, at));
}
