/**
 * The digest marks due by now (DigestStore's `due`; lib/store/digests.ts describes the keys): the one
 * part of the digests' storage the scheduler's every tick uses. A module of its own, so that a tick
 * loads the rest (putting and moving marks, the claims, an accountant's combined digest) only when some
 * digests are due: the bundler puts what a module holds wherever the module loads, whoever uses it.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { DigestStore } from "../report/digest-marks";
import { describeItem, fromItem, queryAll } from "./dynamo-items";

// Each kind of field made once and shared with lib/store/digests.ts (a zod schema is immutable).
export const nonEmpty = z.string().check(z.minLength(1));
export const slot = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
export const instant = z.iso.datetime();

export const markSchema = z.object({
  merchantId: nonEmpty,
  slot,
  notBefore: instant,
  shard: z.number().check(z.int(), z.nonnegative()),
  audience: z.optional(z.literal("accountant")),
});

export function createDynamoDueDigestMarks({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): Pick<DigestStore, "due"> {
  return {
    async due(slot, shard, now) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "PK = :pk AND SK < :after",
        // "$" is the character after "#": every key whose instant is `now` or earlier sorts before `<now>$`.
        ExpressionAttributeValues: { ":pk": `DIGEST#${slot}#${String(shard)}`, ":after": `${now.toISOString()}$` },
        ConsistentRead: true,
      });
      return items.map((item) => fromItem(markSchema, item, `the digest mark ${describeItem(item)}`));
    },
  };
}
