/**
 * The merchant's profile item (lib/model.ts Merchant): its schema and its read, the one the Store
 * (dynamo.ts) makes for getMerchant and every signed-in request makes (lib/web/session.ts). A module of
 * its own, so the web app reads profiles from its start without loading the other records' schemas
 * (schemas.ts), which the rest of the Store loads on its first call (lib/wiring/api.ts). Beside it,
 * whether the person has clients (the menu's "Clients" link), without loading the members' store.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { Merchant } from "../model";
import { describeKey, fromItem } from "./dynamo-items";
import { KIND_PREFIX, keys } from "./keys";
import { describing, id, normalizedEmail, timestamp } from "./schema-parts";
import type { Store } from "./store";

/**
 * The merchant's zone for showing times, by its shape: an IANA name (America/Los_Angeles, UTC). Whether
 * the runtime knows it is the form's to check (lib/web/time-zones.ts): asking loads ICU's data, which a
 * read on every request must not.
 */
export const merchantTimeZone = z.string().check(
  z.maxLength(64),
  z.regex(/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/, "must be an IANA time zone name, such as America/New_York"),
);

export const merchantSchema = describing<Merchant>()(z.object({
  merchantId: id,
  name: z.string(),
  email: normalizedEmail,
  createdAt: timestamp,
  timeZone: z.optional(merchantTimeZone),
}));

export function merchantProfiles({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): Pick<Store, "getMerchant" | "hasClients"> {
  return {
    async getMerchant(merchantId) {
      const key = keys.merchant(merchantId);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Item === undefined ? undefined : fromItem(merchantSchema, Item, `the stored merchant ${describeKey(key)}`);
    },

    // One key of the person's partition, nothing to validate: whether a membership is there.
    async hasClients(personId) {
      const { Items } = await client.send(new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :partition AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":partition": keys.merchantPartition(personId), ":prefix": KIND_PREFIX.membership },
        ProjectionExpression: "PK",
        ConsistentRead: true,
        Limit: 1,
      }));
      return (Items ?? []).length > 0;
    },
  };
}
