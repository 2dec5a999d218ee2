/**
 * Account deletion: every connection ended (the tokens removed at once, then revoked at each provider
 * that allows it), then the profile removed, and then everything daybook holds for the merchant deleted
 * from the table at once: its partition (connections, locations, sync records, reports, payouts,
 * recipients, settings, backfills), its sign-in address's claim, its sessions and OAuth states in
 * flight, its locations' entries in the scheduler's due-index, and the marks of its coming morning
 * digests. Access ends both ways: a person who worked on businesses as their accountant is off each
 * one's members and recipients (as if they had left it), and a business's accountants no longer list it.
 *
 * Work in flight (a night's job, the token keeper, a digest, a request of another of the merchant's
 * sessions) may have checked the account before the deletion and write after it. The profile is the
 * item every writer's check reads, and it goes before anything else is deleted, after a marker that the
 * account was deleted (a hash of its id and nothing else, kept a day: lib/store/retention.ts). Every
 * write that can make an item of the account reads the profile again after it, strongly consistent
 * (lib/store/account-guard.ts) and, finding it gone and the marker there, deletes what it wrote. A write
 * that landed before the profile went is found by the deletions after it; one that landed after finds
 * the profile gone. Either way nothing written survives the account.
 * The connections end before the profile goes: if a provider hangs, the account is still whole, and
 * deleting it again finishes the job.
 *
 * What remains of it anywhere is in the table's point-in-time backups, which keep 28 days
 * (lib/store/retention.ts), and in the 14-day logs, which name no person.
 */
import { type EndConnectionDeps, endConnection, type EndedConnection } from "../connections/end-connection";
import { endAccess } from "../members/access";
import type { Storage } from "../store/storage";

export type DeleteAccountDeps = EndConnectionDeps & Pick<Storage, "auth" | "dueIndex" | "digests" | "members" | "recipients"> & { now: () => Date };

export interface DeletedAccount {
  /** What became of daybook's access at each provider. */
  connections: EndedConnection[];
  /** Items deleted from the table, beyond the connections. */
  items: number;
}

export async function deleteAccount(deps: DeleteAccountDeps, merchantId: string): Promise<DeletedAccount> {
  const connections: EndedConnection[] = [];
  const endConnections = async () => {
    for (const connection of await deps.store.listConnections(merchantId)) {
      const ended = await endConnection(deps, connection, { revokeAtProvider: true });
      if (ended.ended) connections.push({ provider: connection.provider, outcome: ended.revoke.outcome, ...(connection.region ? { region: connection.region } : {}) });
    }
  };
  // The tokens first: they are the most sensitive part.
  await endConnections();
  // Then the profile: from here on, a write of the account's finds it gone and takes itself back.
  const profile = await deps.store.deleteProfile(merchantId);
  // A connection an OAuth callback made while the first ones ended: revoked too, not only deleted.
  await endConnections();
  // The schedule next, so no tick sends a day of the account while the rest goes.
  await deps.dueIndex.removeMerchant(merchantId);
  // Access both ways, which lives in the other accounts' partitions too.
  let accesses = 0;
  let parts = 0;
  for (const membership of await deps.members.listMemberships(merchantId)) if (await endAccess(deps, membership.businessId, merchantId)) accesses += 1;
  for (const member of await deps.members.listMembers(merchantId)) {
    if (await deps.members.removeMembership(merchantId, member.personId)) accesses += 1;
    // The accountant's combined digest's notes of this business's mornings are in the accountant's partition.
    parts += await deps.digests.removeClientParts(member.personId, merchantId);
  }
  const sessions = await deps.auth.deleteSessions(merchantId);
  const states = await deps.auth.deleteOAuthStates(merchantId);
  // The mornings' digest marks name the merchant outside its partition.
  const marks = await deps.digests.removeMerchant(merchantId, deps.now());
  const items = await deps.store.deleteMerchant(merchantId);
  return { connections, items: profile + items + sessions + states + marks + accesses + parts };
}
