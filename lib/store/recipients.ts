/** The RecipientStore (lib/report/recipients.ts) on the table: one item, `MERCHANT#<id> / RECIPIENTS`. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { RecipientList, RecipientStore } from "../report/recipients";
import * as z from "zod/mini";
import { describeKey, fromItem, toItem } from "./dynamo-items";
import { keys } from "./keys";

export interface DynamoRecipientStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const recipientsSchema = z.object({
  addresses: z.optional(z.array(z.string())),
  unsubscribed: z._default(z.array(z.string()), []),
});

export function createDynamoRecipientStore({ client, tableName }: DynamoRecipientStoreOptions): RecipientStore {
  const keyOf = (merchantId: string) => ({ PK: keys.merchantPartition(merchantId), SK: "RECIPIENTS" });
  return {
    async get(merchantId) {
      const key = keyOf(merchantId);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return fromItem(recipientsSchema, Item ?? {}, `the stored recipients ${describeKey(key)}`);
    },
    async put(merchantId, list: RecipientList) {
      const key = keyOf(merchantId);
      await client.send(new PutCommand({ TableName: tableName, Item: toItem(recipientsSchema, list, key, "the recipients") }));
    },
  };
}
