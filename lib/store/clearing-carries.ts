/**
 * The card clearing carry of each Square location (lib/payouts/clearing-carry.ts), one item in the
 * merchant's partition, so export and account deletion take it along:
 *
 *   MERCHANT#<id> / CARRY#<locationId>   { stamp, carriedAt?, carry?, expiresAt }
 *
 * `stamp` changes with every write that may change what a carry counts: a sync record of an old day or
 * a payout arriving on one (mayBeCarried) is written in one transaction with a new random stamp on this
 * item (staleCarry), which creates it when absent. The digest reads the item strongly consistent before
 * it reads the records a carry is made from, and writes the carry only if the stamp is still the one it
 * read (saveCarry), as `carriedAt`: a carry is used only while `carriedAt` equals `stamp`. A write that
 * lands between the digest's read and its write refuses the write; one after it makes the carry stale;
 * one before it is in the records the digest reads after. (A random stamp, not a count: an item the
 * table's TTL removed and a write made again cannot come back with the stamp a digest read.)
 *
 * It expires when its carry can no longer be used (the first record it counts may expire: validUntil),
 * or 13 months after a stale-marking write made it.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { ClearingCarry } from "../payouts/clearing-carry";
import { accountGuard } from "./account-guard";
import { carryKey, epochSeconds, newStamp } from "./carry-stamp";
import { describeKey, fromItem, names, unlessConditionFails } from "./dynamo-items";
import { businessDay, describing, minorUnits, timestamp } from "./schema-parts";

export interface StoredCarry {
  /** undefined when there is no item. */
  stamp: string | undefined;
  /** The carry, when one was written at the current stamp. */
  carry: ClearingCarry | undefined;
}

export interface ClearingCarryStore {
  /** Strongly consistent: a stale-marking write completed before is seen. */
  getCarry(merchantId: string, locationId: string): Promise<StoredCarry>;
  /** Writes `carry` if the item still has `stamp` (undefined: is still absent); false when a write marked it stale since. */
  saveCarry(merchantId: string, locationId: string, carry: ClearingCarry, stamp: string | undefined): Promise<boolean>;
}

const day = businessDay;
const outsideDaySchema = z.object({ paidOut: minorUnits, fees: minorUnits, adjustments: minorUnits });
export const clearingCarrySchema = describing<ClearingCarry>()(z.object({
  basis: z.string().check(z.regex(/^[0-9a-f]{32}$/, "must be 128 bits of a sha256")),
  payouts: z.object({
    from: day, to: day, count: z.int().check(z.positive()), since: day, last: day, sweptThrough: day,
    held: minorUnits, failed: minorUnits, returned: minorUnits, lastFailedOn: z.nullable(day),
  }),
  days: z.object({ from: day, to: day, unpaidSales: minorUnits, paidNotPosted: minorUnits, offBy: minorUnits }),
  outside: z.record(day, outsideDaySchema),
  validUntil: timestamp,
  created: z.optional(z.object({ after: timestamp, before: z.nullable(timestamp) })),
}));

const stampSchema = z.string().check(z.regex(/^[0-9a-f]{32}$/, "must be a stamp"));
const storedSchema = z.object({
  stamp: stampSchema,
  carriedAt: z.optional(stampSchema),
  carry: z.optional(clearingCarrySchema),
});


export function createDynamoClearingCarryStore({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): ClearingCarryStore {
  const guard = accountGuard({ client, tableName });
  return {
    async getCarry(merchantId, locationId) {
      const key = carryKey(merchantId, locationId);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (Item === undefined) return { stamp: undefined, carry: undefined };
      const stored = fromItem(storedSchema, Item, `the stored clearing carry ${describeKey(key)}`);
      return { stamp: stored.stamp, carry: stored.carriedAt === stored.stamp ? stored.carry : undefined };
    },

    async saveCarry(merchantId, locationId, carry, seen) {
      const key = carryKey(merchantId, locationId);
      const checked = fromItem(clearingCarrySchema, carry as unknown as Record<string, unknown>, "the clearing carry to write");
      const stamp = seen ?? newStamp();
      const written = await unlessConditionFails(() => client.send(new PutCommand({
        TableName: tableName,
        Item: { ...key, stamp, carriedAt: stamp, carry: checked, expiresAt: epochSeconds(carry.validUntil) },
        ...(seen === undefined
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : { ConditionExpression: "#stamp = :stamp", ExpressionAttributeNames: names("stamp"), ExpressionAttributeValues: { ":stamp": seen } }),
      })));
      if (written === undefined) return false;
      if (seen === undefined) await guard.settle(merchantId);
      return true;
    },
  };
}
