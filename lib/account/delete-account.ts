/**
 * Account deletion: every connection ended (the tokens removed at once, then revoked at each provider
 * that allows it), and then everything daybook holds for the merchant deleted from the table at once:
 * its partition (profile, connections, locations, sync records, reports, recipients, settings,
 * backfills), its sign-in address's claim, its sessions and OAuth states in flight, its locations'
 * entries in the scheduler's due-index, and the marks of its coming morning digests. Access ends both
 * ways: a person who worked on businesses as their accountant is off each one's members and recipients
 * (as if they had left it), and a business's accountants no longer list it. What remains of it anywhere
 * is in the table's point-in-time backups, which keep 28 days (lib/store/retention.ts), and in the
 * 14-day logs, which name no person.
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
  // The tokens first: they are the most sensitive part.
  for (const connection of await deps.store.listConnections(merchantId)) {
    const ended = await endConnection(deps, connection, { revokeAtProvider: true });
    if (ended.ended) connections.push({ provider: connection.provider, outcome: ended.revoke.outcome, ...(connection.region ? { region: connection.region } : {}) });
  }
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
  return { connections, items: items + sessions + states + marks + accesses + parts };
}
