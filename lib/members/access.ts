/**
 * Ending an accountant's access: the owner removes it, or the accountant leaves. Both sides go at
 * once (the web checks the access on every request, so the accountant's next request is refused and
 * their API keys stop seeing the business), and the accountant's address stops receiving the
 * business's reports, since it received them only as part of the access.
 */
import { normalizeEmail } from "../store/keys";
import type { RecipientStore } from "../report/recipients";
import type { MemberStore } from "./types";

export interface AccessDeps {
  members: MemberStore;
  recipients: RecipientStore;
}

/** Ends the person's access to the business; false if they had none. */
export async function endAccess(deps: AccessDeps, businessId: string, personId: string): Promise<boolean> {
  const member = (await deps.members.listMembers(businessId)).find((each) => each.personId === personId);
  const removed = await deps.members.removeMembership(businessId, personId);
  if (!removed || !member) return removed;
  const list = await deps.recipients.get(businessId);
  if (list.addresses?.includes(member.email)) {
    const addresses = list.addresses.filter((address) => address !== normalizeEmail(member.email));
    // Nobody left on the list: the reports go to the owner again, as before anyone was added.
    await deps.recipients.put(businessId, { ...(addresses.length > 0 ? { addresses } : {}), unsubscribed: list.unsubscribed });
  }
  return true;
}
