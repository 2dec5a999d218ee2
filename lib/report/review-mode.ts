/**
 * Review mode, per merchant (`MERCHANT#<id> / SETTINGS#REVIEW`): when on, every entry is held with a
 * report saying so, and posted only when someone approves it (a signed link in the report, or the web).
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../store/keys";
import { z } from "../validation";
import type { MerchantItemsTable } from "./merchant-items";

const keyOf = (merchantId: string) => ({ PK: keys.merchantPartition(merchantId), SK: "SETTINGS#REVIEW" });
const settingSchema = z.object({ reviewMode: z._default(z.boolean(), false) });

export async function getReviewMode(table: MerchantItemsTable, merchantId: string): Promise<boolean> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keyOf(merchantId), ConsistentRead: true }));
  return settingSchema.parse(Item ?? {}).reviewMode;
}

export async function setReviewMode(table: MerchantItemsTable, merchantId: string, reviewMode: boolean, now: Date): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keyOf(merchantId), reviewMode, updatedAt: now.toISOString() } }));
}
