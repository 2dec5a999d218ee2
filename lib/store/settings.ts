/** The MerchantSettings (lib/report/review-mode.ts) on the table: `MERCHANT#<id> / SETTINGS#REVIEW`. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { MerchantSettings } from "../report/review-mode";
import * as z from "zod/mini";
import { describeKey, fromItem } from "./dynamo-items";
import { keys } from "./keys";

export interface DynamoMerchantSettingsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const reviewSchema = z.object({ reviewMode: z._default(z.boolean(), false) });

export function createDynamoMerchantSettings({ client, tableName }: DynamoMerchantSettingsOptions): MerchantSettings {
  const reviewKey = (merchantId: string) => ({ PK: keys.merchantPartition(merchantId), SK: "SETTINGS#REVIEW" });
  return {
    async getReviewMode(merchantId) {
      const key = reviewKey(merchantId);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return fromItem(reviewSchema, Item ?? {}, `the stored review mode ${describeKey(key)}`).reviewMode;
    },
    async setReviewMode(merchantId, reviewMode, now) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...reviewKey(merchantId), reviewMode, updatedAt: now.toISOString() } }));
    },
  };
}
