/**
 * The RecipientStore (lib/report/recipients.ts) on the table: one item, `MERCHANT#<id> / RECIPIENTS`,
 * written only if its version is still the one read. An item written before confirmations existed
 * (`addresses` and unsubscribed hashes) reads as that list with every address but the sign-in one
 * pending and not yet asked to confirm: nobody on it agreed to anything.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { addConfirmedAddress, mayReceive, type RecipientList, type RecipientStore, updateRecipients } from "../report/recipients";
import { accountGuard } from "./account-guard";
import * as z from "zod/mini";
import { conflictOnCondition, describeKey, fromItem, toItem } from "./dynamo-items";
import { keys } from "./keys";

export interface DynamoRecipientStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const instant = z.string().check(z.minLength(1));
const recipientSchema = z.object({
  address: z.string().check(z.minLength(3), z.maxLength(320)),
  status: z.enum(["pending", "confirmed"]),
  frequency: z.enum(["daily", "weekly", "exceptions"]),
  addedAt: z.string(),
  confirmationSentAt: z.optional(instant),
  confirmedAt: z.optional(instant),
});
const unsubscribeSchema = z.object({ hash: z.string().check(z.minLength(1)), at: z.string() });

const listSchema = z.object({
  recipients: z.optional(z.array(recipientSchema)),
  unsubscribed: z._default(z.array(unsubscribeSchema), []),
  invited: z.optional(z.array(z.object({ hash: z.string().check(z.minLength(1)), confirmationSentAt: instant }))),
  version: z.number().check(z.int(), z.nonnegative()),
});

/** The item as written before confirmations: plain addresses and unsubscribed hashes. */
const legacySchema = z.object({ addresses: z.optional(z.array(z.string())), unsubscribed: z._default(z.array(z.string()), []) });

export function createDynamoRecipientStore({ client, tableName }: DynamoRecipientStoreOptions): RecipientStore {
  const keyOf = (merchantId: string) => ({ PK: keys.merchantPartition(merchantId), SK: "RECIPIENTS" });

  async function get(merchantId: string): Promise<RecipientList> {
    const key = keyOf(merchantId);
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    const subject = `the stored recipients ${describeKey(key)}`;
    if (Item === undefined) return { unsubscribed: [], version: 0 };
    if (Item["version"] === undefined) {
      const legacy = fromItem(legacySchema, Item, subject);
      return {
        ...(legacy.addresses ? { recipients: legacy.addresses.map((address) => ({ address, status: "pending" as const, frequency: "daily" as const, addedAt: "" })) } : {}),
        unsubscribed: legacy.unsubscribed.map((hash) => ({ hash, at: "" })),
        // Unversioned: the first write replaces it (version 0: no versioned item yet).
        version: 0,
      };
    }
    return fromItem(listSchema, Item, subject);
  }

  const guard = accountGuard({ client, tableName });
  const store: RecipientStore = {
    get,
    async put(merchantId, list) {
      const key = keyOf(merchantId);
      await conflictOnCondition(`the recipients of merchant ${merchantId} changed meanwhile`, () => client.send(new PutCommand({
        TableName: tableName,
        Item: toItem(listSchema, { ...list, version: list.version + 1 }, key, "the recipients"),
        ...(list.version === 0
          ? { ConditionExpression: "attribute_not_exists(version)" }
          : { ConditionExpression: "version = :expected", ExpressionAttributeValues: { ":expected": list.version } }),
      })));
      // A first version makes the item; later ones need the one before (their condition).
      if (list.version === 0) await guard.settle(merchantId);
    },
    async addressesThatMayReceive(merchantId, ownerEmail) {
      return mayReceive(await get(merchantId), ownerEmail);
    },
    addConfirmed: (merchantId, ownerEmail, address, now) =>
      updateRecipients(store, merchantId, (list) => addConfirmedAddress(list, ownerEmail, address, now)),
  };
  return store;
}
