/**
 * The HeldEmailStore (lib/email/caps.ts) on the table: `MERCHANT#<id> / EMAILHELD#<UTC day>`, a count
 * the purposes held back that day and the subjects of the merchant's own alerts among them, expiring after
 * HELD_DAYS (the reports page shows the last week).
 */
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { EmailPurpose } from "../email/email";
import type { HeldEmailStore } from "../email/caps";
import * as z from "zod/mini";
import { describeItem, fromItem, names, queryAll, unlessConditionFails } from "./dynamo-items";
import { accountGuard } from "./account-guard";
import { keys } from "./keys";

export interface DynamoHeldEmailStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const PREFIX = "EMAILHELD#";
export const HELD_DAYS = 30;

const heldSchema = z.object({
  SK: z.string().check(z.startsWith(PREFIX)),
  count: z.number().check(z.int(), z.nonnegative()),
  purposes: z.optional(z.set(z.string())),
  alerts: z.optional(z.set(z.string())),
});

export function createDynamoHeldEmailStore({ client, tableName }: DynamoHeldEmailStoreOptions): HeldEmailStore {
  const guard = accountGuard({ client, tableName });
  return {
    async recordHeld(merchantId, purpose, at, subject) {
      const day = at.toISOString().slice(0, 10);
      const written = await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: { PK: keys.merchantPartition(merchantId), SK: `${PREFIX}${day}` },
        UpdateExpression: `SET #expiresAt = :expires ADD #count :one, #purposes :purpose${subject === undefined ? "" : ", #alerts :subjects"}`,
        // An alert held again that day (its job run again) is the same email: counted and named once.
        ...(subject === undefined ? {} : { ConditionExpression: "NOT contains(#alerts, :subject)" }),
        ExpressionAttributeNames: names("expiresAt", "count", "purposes", ...(subject === undefined ? [] : ["alerts"])),
        ExpressionAttributeValues: {
          ":expires": Math.floor(at.getTime() / 1000) + HELD_DAYS * 86_400, ":one": 1, ":purpose": new Set([purpose]),
          ...(subject === undefined ? {} : { ":subjects": new Set([subject]), ":subject": subject }),
        },
      })));
      if (written !== undefined) await guard.settle(merchantId);
    },

    async listHeld(merchantId, since) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": keys.merchantPartition(merchantId), ":from": `${PREFIX}${since.toISOString().slice(0, 10)}`, ":to": `${PREFIX}9999` },
        ConsistentRead: true,
      });
      return items.map((item) => {
        const held = fromItem(heldSchema, item, `the held-back emails ${describeItem(item)}`);
        return {
          day: held.SK.slice(PREFIX.length), count: held.count, purposes: [...(held.purposes ?? [])].sort() as EmailPurpose[], alerts: [...(held.alerts ?? [])].sort(),
        };
      }).sort((a, b) => b.day.localeCompare(a.day));
    },
  };
}
