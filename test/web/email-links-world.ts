/**
 * Gives a web test world the approve and unsubscribe links: a link-signing key, a FIFO queue of its
 * own on the run's moto_server behind the real SQS job queue, and the table for the report items;
 * the app is rebuilt with them (every Browser of the world uses the new app).
 */
import { randomBytes } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, inject } from "vitest";
import type { LocationConfig } from "../../lib/model";
import { addAddress, addressHash, confirmAddress, recipientsOf, updateRecipients } from "../../lib/report/recipients";
import { createApp } from "../../lib/web/app";
import { createSqsJobQueue } from "../../lib/schedule/enqueue";
import { awsClientConfig } from "../../sandbox/aws";
import { createFifoQueue, drainQueue, type ReceivedJob } from "../support/queue";
import { addBackfillPages, type Browser, createWebWorld, expectCleanLogs, squareLocationOf, type WebWorld } from "./world";

export interface EmailLinksWorld {
  key: Buffer;
  /** Every job on the queue so far (read and deleted). */
  drain(): Promise<ReceivedJob[]>;
  close(): void;
}

export async function addEmailLinks(world: WebWorld): Promise<EmailLinksWorld> {
  const sqs = new SQSClient(awsClientConfig(inject("motoEndpoint")));
  const queueUrl = await createFifoQueue(sqs);
  const key = randomBytes(32);
  world.deps.links = { key, queue: createSqsJobQueue(sqs, queueUrl) };
  world.app = createApp(world.deps);
  return { key, drain: () => drainQueue(sqs, queueUrl), close: () => { sqs.destroy(); } };
}

const MAPPING = {
  defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" },
};

export interface MerchantWithLocation {
  merchantId: string;
  location: LocationConfig;
  /** The QuickBooks company: the message group of the location's jobs. */
  realmId: string;
}

/** Signs the browser in as a new merchant with Square and QuickBooks connected and one location. */
export async function merchantWithLocation(world: WebWorld, browser: Browser, email: string, accountIndex = 0): Promise<MerchantWithLocation> {
  await browser.signIn(email);
  expect((await browser.connect("square", world.accounts.square[accountIndex])).status).toBe(303);
  expect((await browser.connect("quickbooks", world.accounts.quickbooks[accountIndex])).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  const connections = await world.deps.store.listConnections(merchantId);
  const square = connections.find((connection) => connection.provider === "square")!;
  const books = connections.find((connection) => connection.provider === "quickbooks")!;
  const location: LocationConfig = {
    merchantId, locationId: squareLocationOf(world.accounts.square[accountIndex]!), source: "square", name: "Main Street",
    posConnectionId: square.connectionId, quickbooksConnectionId: books.connectionId,
    timeZone: "America/New_York", dayStart: "04:00", currency: "USD", mapping: MAPPING, updatedAt: world.clock.date().toISOString(),
  };
  await world.deps.store.putLocation(location);
  return { merchantId, location, realmId: books.externalId };
}

/** Puts a confirmed report recipient on the merchant's list, as if it had used its confirmation link. */
export async function addConfirmedRecipient(world: WebWorld, merchantId: string, ownerEmail: string, address: string): Promise<void> {
  const now = world.clock.date();
  await updateRecipients(world.deps.recipients, merchantId, (list) => addAddress(list, ownerEmail, address, now));
  await updateRecipients(world.deps.recipients, merchantId, (list) => confirmAddress(list, ownerEmail, addressHash(address), now));
}

/** The addresses on the merchant's list, confirmed or not. */
export async function listedAddresses(world: WebWorld, merchantId: string, ownerEmail: string): Promise<string[]> {
  return recipientsOf(await world.deps.recipients.get(merchantId), ownerEmail).map((recipient) => recipient.address);
}

/**
 * A test file's web world with the email links and the backfill pages: opened before the file's tests
 * (handed to `opened`), and after them `beforeClose` (a file's own last check), its logs checked clean,
 * and both closed.
 */
export function useLinkedWebWorld(opened: (world: WebWorld, links: EmailLinksWorld) => void, beforeClose?: (world: WebWorld) => void): void {
  let world: WebWorld;
  let links: EmailLinksWorld;
  beforeAll(async () => {
    world = await createWebWorld();
    links = await addEmailLinks(world);
    addBackfillPages(world, world.deps.links!.queue);
    opened(world, links);
  });
  afterAll(async () => {
    beforeClose?.(world);
    expectCleanLogs(world);
    links.close();
    await world.close();
  });
}
