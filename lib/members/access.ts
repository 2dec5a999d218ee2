/**
 * Ending an accountant's access: the owner removes it, or the accountant leaves. Both sides go at
 * once (the web checks the access on every request, so the accountant's next request is refused and
 * their API keys stop seeing the business), and the accountant's address stops receiving the
 * business's reports, since it received them only as part of the access. The accountant's combined
 * digest forgets the business too (its notes that the business decided a morning, which name it).
 */
import { normalizeEmail } from "../store/keys";
import type { DigestStore } from "../report/digest-marks";
import { type RecipientStore, updateRecipients } from "../report/recipients";
import type { MemberStore } from "./types";

export interface AccessDeps {
  members: MemberStore;
  recipients: RecipientStore;
  digests: Pick<DigestStore, "removeClientParts">;
}

/** Ends the person's access to the business; false if they had none. */
export async function endAccess(deps: AccessDeps, businessId: string, personId: string): Promise<boolean> {
  const member = (await deps.members.listMembers(businessId)).find((each) => each.personId === personId);
  const removed = await deps.members.removeMembership(businessId, personId);
  if (!removed) return removed;
  await deps.digests.removeClientParts(personId, businessId);
  if (!member) return removed;
  const gone = normalizeEmail(member.email);
  // Off the business's recipients too; the owner's own address stays (an unset list is the owner alone).
  await updateRecipients(deps.recipients, businessId, (list) => (list.recipients?.some((each) => each.address === gone)
    ? { list: { ...list, recipients: list.recipients.filter((each) => each.address !== gone) }, result: undefined }
    : { result: undefined }));
  return true;
}
