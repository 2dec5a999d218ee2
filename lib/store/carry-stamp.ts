/**
 * The writes that mark a location's card clearing carry stale (clearing-carries.ts says how the stamp
 * works): a sync record of an old day or a payout arriving on one, written in one transaction with a
 * new stamp on the carry's item. Apart from the carry's store and its schemas, which only the digest's
 * Deposits section reads: the sync record's store (dynamo.ts) imports this on every worker's start, and
 * a night's days are never old enough to mark a carry (lib/payouts/carry-window.ts).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { type Item, names } from "./dynamo-items";
import { type ItemKey, keys, segment } from "./keys";
import { SYNC_RECORD_MONTHS } from "./retention";
import { type TransactItems, transactWrite } from "./transact-write";

export const CARRY_PREFIX = "CARRY#";

export const carryKey = (merchantId: string, locationId: string): ItemKey => ({
  PK: keys.merchantPartition(merchantId), SK: `${CARRY_PREFIX}${segment(locationId, "locationId")}`,
});

export const newStamp = (): string => randomBytes(16).toString("hex");
export const epochSeconds = (at: Date | string): number => Math.ceil(new Date(at).getTime() / 1000);

/** The transaction item that marks the location's carry stale, beside a write that may change what it counts. */
export function staleCarry(tableName: string, merchantId: string, locationId: string, at: Date): TransactItems[number] {
  const expires = new Date(at);
  expires.setUTCMonth(expires.getUTCMonth() + SYNC_RECORD_MONTHS);
  return {
    Update: {
      TableName: tableName,
      Key: carryKey(merchantId, locationId),
      UpdateExpression: "SET #stamp = :stamp, #expiresAt = :expiresAt",
      ExpressionAttributeNames: names("stamp", "expiresAt"),
      ExpressionAttributeValues: { ":stamp": newStamp(), ":expiresAt": epochSeconds(expires) },
    },
  };
}

export interface ConditionalPut {
  Item: Item;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * `put` and staleCarry in one transaction: what a carry counts never changes without marking it.
 * Its condition failing is the ConflictError `conflict`, as the plain write's; a transaction cancelled by
 * another on the same items (two old days of a location written at once mark the same carry) changed
 * nothing and is tried again.
 */
export async function putMarkingCarryStale(
  client: DynamoDBDocumentClient, tableName: string, put: ConditionalPut, carry: { merchantId: string; locationId: string; at: Date }, conflict: string,
): Promise<void> {
  await transactWrite(client, [{ Put: { TableName: tableName, ...put } }, staleCarry(tableName, carry.merchantId, carry.locationId, carry.at)], [conflict]);
}
