/**
 * Who receives a merchant's sync reports: its accountants, managed on the web later, stored now in
 * one item `MERCHANT#<id> / RECIPIENTS`. Until someone sets the list, the merchant's own sign-in
 * address receives them. An unsubscribed address is kept on a stop list, so the default never adds it
 * back; adding it again by hand clears that.
 */
import { createHash } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys, normalizeEmail } from "../store/keys";
import { z } from "../validation";
import type { MerchantItemsTable } from "./merchant-items";

const RECIPIENTS_SK = "RECIPIENTS";

const recipientsSchema = z.object({
  /** Absent until the merchant sets the list: then the sign-in address receives reports. */
  addresses: z.optional(z.array(z.string())),
  /** Hashes of addresses that unsubscribed. */
  unsubscribed: z._default(z.array(z.string()), []),
});

type RecipientsItem = z.infer<typeof recipientsSchema>;

/** An address as an unsubscribe link names it: a hash, so the link never shows the address. */
export function addressHash(address: string): string {
  return createHash("sha256").update(normalizeEmail(address), "utf8").digest("base64url").slice(0, 32);
}

const keyOf = (merchantId: string) => ({ PK: keys.merchantPartition(merchantId), SK: RECIPIENTS_SK });

async function read(table: MerchantItemsTable, merchantId: string): Promise<RecipientsItem> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keyOf(merchantId), ConsistentRead: true }));
  return recipientsSchema.parse(Item ?? {});
}

async function write(table: MerchantItemsTable, merchantId: string, item: RecipientsItem): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keyOf(merchantId), ...item } }));
}

/** The addresses that receive reports now. */
export async function getRecipients(table: MerchantItemsTable, merchantId: string, ownerEmail: string): Promise<string[]> {
  const item = await read(table, merchantId);
  const stopped = new Set(item.unsubscribed);
  return (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((address) => !stopped.has(addressHash(address)));
}

export async function addRecipient(table: MerchantItemsTable, merchantId: string, ownerEmail: string, address: string): Promise<void> {
  const item = await read(table, merchantId);
  const added = normalizeEmail(address);
  const addresses = item.addresses ?? [normalizeEmail(ownerEmail)];
  await write(table, merchantId, {
    addresses: addresses.includes(added) ? addresses : [...addresses, added],
    unsubscribed: item.unsubscribed.filter((hash) => hash !== addressHash(added)),
  });
}

export async function removeRecipient(table: MerchantItemsTable, merchantId: string, ownerEmail: string, address: string): Promise<void> {
  const item = await read(table, merchantId);
  const removed = normalizeEmail(address);
  await write(table, merchantId, {
    addresses: (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((kept) => kept !== removed),
    unsubscribed: item.unsubscribed,
  });
}

/** One-click unsubscribe: the address (named by its hash) receives no more reports. Idempotent. */
export async function unsubscribeRecipient(table: MerchantItemsTable, merchantId: string, hash: string): Promise<void> {
  const item = await read(table, merchantId);
  if (item.unsubscribed.includes(hash)) return;
  await write(table, merchantId, { ...item, unsubscribed: [...item.unsubscribed, hash] });
}

/**
 * For the reports page: the addresses that receive reports now (as getRecipients), and whether the
 * merchant has set the list yet (until then it is the sign-in address).
 */
export async function getRecipientSettings(table: MerchantItemsTable, merchantId: string, ownerEmail: string): Promise<{ addresses: string[]; isDefault: boolean }> {
  const item = await read(table, merchantId);
  const stopped = new Set(item.unsubscribed);
  return {
    addresses: (item.addresses ?? [normalizeEmail(ownerEmail)]).filter((address) => !stopped.has(addressHash(address))),
    isDefault: item.addresses === undefined,
  };
}
