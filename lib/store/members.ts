/**
 * The MemberStore (lib/members/types.ts) on the table: `MERCHANT#<business> / MEMBER#<person>` and
 * `MERCHANT#<person> / MEMBERSHIP#<business>` for one access (written and deleted in one
 * transaction), and `MERCHANT#<business> / INVITATION#<id>` for an invitation, found through GSI1 by
 * the hash of its link's token and deleted by the transaction that accepts it, and through GSI2 by its
 * address's hash (`INVITEE#<addressHash>`), so an address's stop withdraws every business's at once. An
 * address's stop is `NOINVITES#<addressHash> / NOINVITES`: no account's partition holds it. Invitations carry the
 * table's TTL; reads check the expiry themselves (DynamoDB deletes expired items only eventually).
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Invitation, LocationStatus, Membership, MemberStore } from "../members/types";
import { accountGuard } from "./account-guard";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item, names, queryAll, toItem, unlessConditionFails, withoutUndefined } from "./dynamo-items";
import { indexKeys, keys, KIND_PREFIX } from "./keys";
import { addressHash } from "../report/recipients";
import { describing, normalizedEmail } from "./schema-parts";
import { id, instant, memberList, memberSchema } from "./member-list";
import { invitationStopSchema } from "./schemas";
import { GSI1, GSI2 } from "./table";

export interface DynamoMemberStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}


const locationStatusSchema = describing<LocationStatus>()(z.object({
  name: z.string(),
  timeZone: z.string().check(z.minLength(1)),
  businessDay: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")),
  state: z.enum(["posting", "posted", "no-sales", "held", "failed"]),
  reason: z.optional(z.string()),
  failureKind: z.optional(z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"])),
  posted: z.optional(z.literal(true)),
  updatedAt: z.string().check(z.minLength(1)),
  earlier: z.optional(z.array(z.object({
    businessDay: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")),
    state: z.enum(["held", "failed"]),
    reason: z.optional(z.string()),
    posted: z.optional(z.literal(true)),
  }))),
}));

const membershipSchema = describing<Membership>()(z.object({
  businessId: id,
  personId: id,
  businessName: z.string(),
  createdAt: instant,
  locations: z.record(id, locationStatusSchema),
  statusUpdatedAt: z.string().check(z.minLength(1)),
}));

const invitationSchema = describing<Invitation>()(z.object({
  invitationId: id,
  tokenHash: z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a SHA-256 digest in lower-case hex")),
  businessId: id,
  email: normalizedEmail,
  invitedBy: id,
  createdAt: instant,
  expiresAt: instant,
}));

const ttlOf = (iso: string): number => Math.ceil(Date.parse(iso) / 1000);

export function createDynamoMemberStore({ client, tableName }: DynamoMemberStoreOptions): MemberStore {
  const invitationItem = (invitation: Invitation): Item => toItem(invitationSchema, invitation, keys.invitation(invitation.businessId, invitation.invitationId), "the invitation", {
    ...indexKeys.invitation(invitation.tokenHash),
    ...indexKeys.inviteeInvitation(addressHash(invitation.email), invitation.businessId, invitation.invitationId),
    // The record's instant stays readable; the TTL attribute is epoch seconds.
    expiresAtIso: invitation.expiresAt,
    expiresAt: ttlOf(invitation.expiresAt),
  });
  const invitationOf = (item: Item): Invitation => fromItem(invitationSchema, { ...item, expiresAt: item.expiresAtIso }, `the stored invitation ${describeItem(item)}`);

  const queryKind = (merchantId: string, prefix: string, newestFirst = false) => queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: { ":partition": keys.merchantPartition(merchantId), ":prefix": prefix },
    ConsistentRead: true,
    ScanIndexForward: !newestFirst,
  });

  const guard = accountGuard({ client, tableName });

  return {
    async putInvitation(invitation) {
      await client.send(new PutCommand({ TableName: tableName, Item: invitationItem(invitation), ConditionExpression: "attribute_not_exists(PK)" }));
      await guard.settle(invitation.businessId);
    },

    async findInvitation(tokenHash, now) {
      // The index finds it; the item itself is read consistently, so a used or withdrawn one is not found.
      const found = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: "GSI1PK = :hash",
        ExpressionAttributeValues: { ":hash": indexKeys.invitation(tokenHash).GSI1PK },
      });
      const first = found[0];
      if (first === undefined) return undefined;
      // The index holds keys only.
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { PK: String(first.PK), SK: String(first.SK) }, ConsistentRead: true }));
      if (Item === undefined) return undefined;
      const invitation = invitationOf(Item);
      return invitation.tokenHash === tokenHash && invitation.expiresAt > now.toISOString() ? invitation : undefined;
    },

    async listInvitations(businessId, now) {
      const items = await queryKind(businessId, KIND_PREFIX.invitation);
      return items.map(invitationOf).filter((invitation) => invitation.expiresAt > now.toISOString())
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async cancelInvitation(businessId, invitationId) {
      const deleted = await unlessConditionFails(() => client.send(new DeleteCommand({
        TableName: tableName, Key: keys.invitation(businessId, invitationId), ConditionExpression: "attribute_exists(PK)",
      })));
      return deleted !== undefined;
    },

    async cancelInvitationsTo(hash) {
      // Keys only in the index; each invitation is deleted by its key, unless it went meanwhile.
      const found = await queryAll(client, {
        TableName: tableName,
        IndexName: GSI2.name,
        KeyConditionExpression: "GSI2PK = :invitee",
        ExpressionAttributeValues: { ":invitee": indexKeys.invitee(hash) },
      });
      let cancelled = 0;
      for (const entry of found) {
        const deleted = await unlessConditionFails(() => client.send(new DeleteCommand({
          TableName: tableName, Key: { PK: String(entry.PK), SK: String(entry.SK) }, ConditionExpression: "attribute_exists(PK)",
        })));
        if (deleted !== undefined) cancelled++;
      }
      return cancelled;
    },

    async stopInvitations(stop) {
      const item = toItem(invitationStopSchema, stop, keys.invitationStop(stop.addressHash), "the invitation stop");
      const put = await unlessConditionFails(() => client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" })));
      return put !== undefined;
    },

    async findInvitationStop(hash) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.invitationStop(hash), ConsistentRead: true }));
      return Item === undefined ? undefined : fromItem(invitationStopSchema, Item, `the stored invitation stop ${describeItem(Item)}`);
    },

    async liftInvitationStop(hash) {
      const deleted = await unlessConditionFails(() => client.send(new DeleteCommand({
        TableName: tableName, Key: keys.invitationStop(hash), ConditionExpression: "attribute_exists(PK)",
      })));
      return deleted !== undefined;
    },

    async acceptInvitation(invitation, member, membership, now) {
      const memberItem = toItem(memberSchema, member, keys.member(member.businessId, member.personId), "the member");
      const membershipItem = toItem(membershipSchema, membership, keys.membership(membership.personId, membership.businessId), "the membership");
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: keys.invitation(invitation.businessId, invitation.invitationId),
                ConditionExpression: "attribute_exists(PK) AND #tokenHash = :hash AND #expiresAtIso > :now",
                ExpressionAttributeNames: names("tokenHash", "expiresAtIso"),
                ExpressionAttributeValues: { ":hash": invitation.tokenHash, ":now": now.toISOString() },
              },
            },
            { Put: { TableName: tableName, Item: memberItem } },
            { Put: { TableName: tableName, Item: membershipItem } },
          ],
        }));
        // The business's side needs its invitation (the condition); the person may be deleting their account.
        await guard.settle(membership.personId);
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === "TransactionCanceledException") return false;
        throw error;
      }
    },

    async getMembership(personId, businessId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.membership(personId, businessId), ConsistentRead: true }));
      return Item === undefined ? undefined : fromItem(membershipSchema, Item, `the stored membership ${describeItem(Item)}`);
    },

    async listMemberships(personId) {
      const items = await queryKind(personId, KIND_PREFIX.membership);
      return items.map((item) => fromItem(membershipSchema, item, `the stored membership ${describeItem(item)}`));
    },

    listMembers: memberList({ client, tableName }).listMembers,

    async removeMembership(businessId, personId) {
      try {
        await client.send(new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: keys.member(businessId, personId), ConditionExpression: "attribute_exists(PK)" } },
            { Delete: { TableName: tableName, Key: keys.membership(personId, businessId) } },
          ],
        }));
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === "TransactionCanceledException") return false;
        throw error;
      }
    },

    async recordLocationStatus(personIds, businessId, businessName, locationId, status) {
      const checked = withoutUndefined(locationStatusSchema.parse(status)) as LocationStatus;
      let changed = 0;
      for (const personId of personIds) {
        const updated = await unlessConditionFails(() => client.send(new UpdateCommand({
          TableName: tableName,
          Key: keys.membership(personId, businessId),
          UpdateExpression: "SET #locations.#location = :status, #businessName = :name, #statusUpdatedAt = :now",
          // A removed access stays removed; a re-check of an older day does not hide last night.
          ConditionExpression: "attribute_exists(PK) AND (attribute_not_exists(#locations.#location) OR #locations.#location.#businessDay <= :day)",
          ExpressionAttributeNames: { ...names("locations", "businessName", "statusUpdatedAt", "businessDay"), "#location": locationId },
          ExpressionAttributeValues: { ":status": checked, ":name": businessName, ":now": checked.updatedAt, ":day": checked.businessDay },
        })));
        if (updated !== undefined) changed++;
      }
      return changed;
    },
  };
}
