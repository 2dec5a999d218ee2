/**
 * A business's members (lib/members/types.ts MemberStore.listMembers), read apart from the rest of the
 * members' store (members.ts): every night reads them (lib/members/location-status.ts tellAccountants),
 * so the worker makes this at start, and the rest (invitations, memberships, the client lists' updates
 * for a business that has accountants) on the first call of one (lib/wiring/worker.ts).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { Member, MemberStore } from "../members/types";
import { describeItem, fromItem, queryAll } from "./dynamo-items";
import { keys, KIND_PREFIX } from "./keys";
import { describing, normalizedEmail } from "./schema-parts";

export const id = z.string().check(z.minLength(1));
export const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "must be an ISO 8601 instant as toISOString writes it"));

export const memberSchema = describing<Member>()(z.object({
  businessId: id,
  personId: id,
  email: normalizedEmail,
  invitedBy: id,
  createdAt: instant,
}));

export function memberList({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): Pick<MemberStore, "listMembers"> {
  return {
    async listMembers(businessId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(businessId), ":prefix": KIND_PREFIX.member },
        ConsistentRead: true,
      });
      return items.map((item) => fromItem(memberSchema, item, `the stored member ${describeItem(item)}`))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
  };
}
