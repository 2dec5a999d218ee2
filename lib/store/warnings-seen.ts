/**
 * The SeenWarningStore (lib/report/warnings-seen.ts) on the table: one item per location and item,
 * `MERCHANT#<id> / WARNSEEN#<locationId>#<hash of the item>`, holding the business day it was first
 * reported on. In the merchant's partition, so it is exported and deleted with the account. One query
 * reads what the location has; only items not seen before are written, each only if still absent.
 */
import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SeenWarningStore } from "../report/warnings-seen";
import * as z from "zod/mini";
import { describeItem, fromItem, queryAll } from "./dynamo-items";
import { accountGuard } from "./account-guard";
import { keys } from "./keys";

export interface DynamoSeenWarningStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const PREFIX = "WARNSEEN#";
const seenSchema = z.object({ SK: z.string(), firstReported: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)) });
const keyHash = (key: string) => createHash("sha256").update(key, "utf8").digest("base64url").slice(0, 22);

export function createDynamoSeenWarningStore({ client, tableName }: DynamoSeenWarningStoreOptions): SeenWarningStore {
  const guard = accountGuard({ client, tableName });
  return {
    async firstReported(merchantId, locationId, itemKeys, businessDay) {
      const { PK, SK } = keys.location(merchantId, locationId);
      const prefix = `${PREFIX}${SK.slice("LOCATION#".length)}#`;
      const stored = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": prefix },
        ConsistentRead: true,
      });
      const known = new Map(stored.map((item) => {
        const seen = fromItem(seenSchema, item, `the remembered warning ${describeItem(item)}`);
        return [seen.SK, seen.firstReported] as const;
      }));
      const result = new Map<string, string>();
      await Promise.all(itemKeys.map(async (key) => {
        const sortKey = `${prefix}${keyHash(key)}`;
        const already = known.get(sortKey);
        if (already !== undefined) {
          result.set(key, already);
          return;
        }
        const written = await client.send(new UpdateCommand({
          TableName: tableName,
          Key: { PK, SK: sortKey },
          UpdateExpression: "SET #first = if_not_exists(#first, :day)",
          ExpressionAttributeNames: { "#first": "firstReported" },
          ExpressionAttributeValues: { ":day": businessDay },
          ReturnValues: "ALL_NEW",
        }));
        const first: unknown = written.Attributes?.["firstReported"];
        result.set(key, typeof first === "string" ? first : businessDay);
      }));
      if (itemKeys.some((key) => !known.has(`${prefix}${keyHash(key)}`))) await guard.settle(merchantId);
      return result;
    },
  };
}
