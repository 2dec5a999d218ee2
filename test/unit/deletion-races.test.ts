/**
 * Account deletion against work in flight: every writer of an item of a merchant's (lib/store), made to
 * wait at its write while the account is deleted, then let go, leaves nothing that names the account; so
 * do the other interleavings (the write lands and the deletion runs before the write's check; the
 * deletion waits right after the profile went while a writer writes and checks). The pauses are in the
 * DynamoDB client under the real stores, on in-process dynalite.
 */
import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccount } from "../../lib/account/delete-account";
import { digestShardOf } from "../../lib/report/digest-marks";
import { registerLocation } from "../../lib/schedule/due-index";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, type LocalDatabase, startLocalDatabase } from "../../lib/store/local/database";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { createLocalVault } from "../../lib/vault/local";
import { squareMapping } from "../support/fixtures";

const AT = "2025-06-15T09:00:00.000Z";
const DAY = "2025-06-14";
const HASH = "b".repeat(64);

let database: LocalDatabase;
let client: DynamoDBClient;
let storage: Storage;
/** Where the next matching command waits, if anywhere. */
let pause: { matches: (command: string, input: string) => boolean; after: boolean; reached: () => void; released: Promise<void> } | undefined;
/** The profile reads of the write-then-check, as sent. */
const guardReads: string[] = [];

beforeAll(async () => {
  database = await startLocalDatabase();
  client = new DynamoDBClient({ endpoint: database.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureLocalTable(client);
  client.middlewareStack.add((next, context) => async (args) => {
    const command = String(context.commandName);
    const input = JSON.stringify(args.input);
    if (command.startsWith("GetItem") && input.includes("\"PROFILE\"") && input.includes("\"ProjectionExpression\":\"PK\"")) guardReads.push(input);
    const here = pause?.matches(command, input) ? pause : undefined;
    if (here) pause = undefined;
    if (here && !here.after) {
      here.reached();
      await here.released;
    }
    const result = await next(args);
    if (here?.after) {
      here.reached();
      await here.released;
    }
    return result;
  }, { step: "serialize", name: "deletionRaceGate" });
  storage = createDynamoStorage({ client, tableName: LOCAL_TABLE, now: () => new Date(AT) });
});

afterAll(async () => {
  client.destroy();
  await database.close();
});

/** The next command `matches` accepts waits (before it is sent, or after its answer) until released. */
function pauseAt(matches: (command: string, input: string) => boolean, after = false) {
  let reached!: () => void;
  let release!: () => void;
  const wasReached = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  pause = { matches, after, reached, released };
  return { reached: wasReached, release };
}

const isWrite = (command: string) => /^(PutItem|UpdateItem|TransactWriteItems|BatchWriteItem|Put|Update|TransactWrite|BatchWrite)/.test(command);

async function naming(merchantId: string): Promise<string[]> {
  const { Items = [] } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: LOCAL_TABLE }));
  return Items.filter((item) => JSON.stringify(item).includes(merchantId)).map((item) => `${String(item["PK"])} ${String(item["SK"])}`);
}

let accounts = 0;
async function anAccount(): Promise<string> {
  accounts += 1;
  const merchantId = `m-race-${accounts}`;
  await storage.store.createMerchant({ merchantId, name: "Main Street Coffee", email: `owner${accounts}@race.example`, createdAt: AT });
  return merchantId;
}

const remove = (merchantId: string) => deleteAccount({ ...storage, vault: createLocalVault(randomBytes(32)), providers: {}, now: () => new Date(AT) }, merchantId);

const location = (merchantId: string) => ({
  merchantId, locationId: "L1", source: "square" as const, name: "Main Street", posConnectionId: "c1", quickbooksConnectionId: "c2",
  timeZone: "America/New_York", dayStart: "00:00", currency: "USD", mapping: squareMapping(), updatedAt: AT,
});
const report = (merchantId: string, status: "no-sales" | "failed" = "no-sales") => ({
  merchantId, locationId: "L1", businessDay: DAY, reportId: status === "failed" ? "failed" : "posted", status, alert: status === "failed", createdAt: AT,
  content: {
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square" as const, businessDay: DAY, timeZone: "America/New_York",
    connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
    ...(status === "failed" ? { status, failure: { kind: "needs-merchant" as const, message: "The mapping names an account QuickBooks no longer has." } } : { status }),
  },
});
const connection = (merchantId: string) => ({ merchantId, connectionId: "c1", provider: "square" as const, status: "active" as const, externalId: "SQ1", tokenCiphertext: "sealed", createdAt: AT, updatedAt: AT });

/**
 * Each writer that can make an item of the account: what it writes, after what was there before (the
 * account's other items, made before the race).
 */
const WRITERS: { name: string; before?: (merchantId: string) => Promise<unknown>; write: (merchantId: string) => Promise<unknown> }[] = [
  { name: "a night's first record of a day (sync)", write: (m) => storage.store.saveSyncRecord({ merchantId: m, locationId: "L1", businessDay: DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0) },
  { name: "a day's report (night)", write: (m) => storage.reports.save(report(m)) },
  { name: "a failure report written again (night)", write: (m) => storage.reports.save(report(m, "failed"), { replace: true }) },
  { name: "a report marked delivered (night)", before: (m) => storage.reports.save(report(m)), write: (m) => storage.reports.markDelivered({ ...report(m), deliveredTo: [] }, new Date(AT)) },
  { name: "where the payouts stand (payouts)", write: (m) => storage.payouts.saveCheck({ merchantId: m, locationId: "L1", readFrom: AT, lastRunAt: AT }, 0) },
  { name: "the one request to reconnect for payouts (payouts)", write: (m) => storage.payouts.claimScopeRequest(m, "c1", new Date(AT)) },
  { name: "unmapped items seen (night)", write: (m) => storage.seenWarnings.firstReported(m, "L1", ["unmapped-category:CAT1"], DAY) },
  { name: "an email the caps held (night)", write: (m) => storage.heldEmails.recordHeld(m, "digest", new Date(AT)) },
  { name: "the morning digest's mark (night)", write: (m) => storage.digests.mark({ merchantId: m, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: digestShardOf(m) }) },
  { name: "a digest's claim (digests)", write: (m) => storage.digests.claim(m, "daily#2025-06-15", HASH, new Date(AT), 600_000) },
  { name: "a digest marked sent (digests)", before: (m) => storage.digests.claim(m, "daily#2025-06-15", HASH, new Date(AT), 600_000), write: (m) => storage.digests.markSent(m, "daily#2025-06-15", HASH, new Date(AT)) },
  { name: "an accountant's combined digest's part and seal (digests)", write: async (m) => {
    await storage.digests.putClientPart(m, { slot: "2025-06-15", businessId: "m-client", decidedAt: AT, decision: "send" } as never);
    await storage.digests.seal(m, "2025-06-15", new Date(AT));
  } },
  { name: "a connection (OAuth callback)", write: (m) => storage.store.putConnection(connection(m)) },
  { name: "new tokens (the token keeper)", before: (m) => storage.store.putConnection(connection(m)), write: (m) => storage.store.updateConnectionTokens(m, "c1", 1, "sealed-again").catch(() => undefined) },
  { name: "a location (web)", write: (m) => storage.store.putLocation(location(m)) },
  { name: "a location's schedule (web)", before: (m) => storage.store.putLocation(location(m)), write: (m) => registerLocation(storage.dueIndex, location(m), "9130", new Date(AT)) },
  { name: "the business's name (web)", write: (m) => storage.store.setMerchantName(m, "Renamed").catch(() => undefined) },
  { name: "the recipients (web)", write: (m) => storage.recipients.put(m, { version: 0, unsubscribed: [], recipients: [{ address: "books@cafe.example", status: "pending", frequency: "daily", addedAt: AT }] }) },
  { name: "a backfill (web)", write: (m) => storage.backfills.create({ backfillId: "b1", merchantId: m, locationId: "L1", from: "2025-06-01", to: DAY, requestedBy: "merchant", total: 14, done: 0, posted: 0, adjusted: 0, unchanged: 0, held: 0, noSales: 0, recheckFailed: 0, failed: 0, createdAt: AT }) },
  { name: "an invitation (web)", write: (m) => storage.members.putInvitation({ invitationId: "i1", tokenHash: HASH, businessId: m, email: "books@firm.example", invitedBy: m, createdAt: AT, expiresAt: "2025-06-22T09:00:00.000Z" }) },
  { name: "an API key (web)", write: (m) => storage.apiKeys.putKey({ keyId: "k1", ownerId: m, name: "books", tokenHash: HASH, createdAt: AT, expiresAt: "2025-09-15T09:00:00.000Z" }) },
  { name: "an API request's log (API)", write: (m) => storage.apiKeys.logRequest({ requestId: "r1", keyId: "k1", ownerId: m, at: AT, method: "GET", route: "/api/v1/businesses", status: 200, durationMs: 5 }) },
  { name: "a session (sign-in)", write: (m) => storage.auth.putSession({ sessionHash: HASH, merchantId: m, createdAt: AT, lastSeenAt: AT, idleExpiresAt: "2025-06-15T09:30:00.000Z", absoluteExpiresAt: "2025-06-15T21:00:00.000Z", userAgent: "Firefox on Linux", approximateIp: "192.0.2.0" }) },
  { name: "an OAuth state (connect)", write: (m) => storage.auth.putOAuthState({ stateHash: HASH, sessionHash: HASH, merchantId: m, provider: "square", createdAt: AT, expiresAt: "2025-06-15T09:10:00.000Z" }) },
];

describe("a write that read the account before its deletion and writes after it", () => {
  it.each(WRITERS)("leaves nothing of the deleted account: $name", async ({ before, write }) => {
    const merchantId = await anAccount();
    await before?.(merchantId);
    const gate = pauseAt(isWrite);
    const writing = write(merchantId);
    // A writer that fails before it writes would leave the gate unreached.
    await Promise.race([gate.reached, writing.then(() => { throw new Error("the writer wrote nothing"); })]);
    await remove(merchantId);
    gate.release();
    await writing;
    expect(await naming(merchantId)).toEqual([]);
  });
});

describe("the other interleavings", () => {
  it("a write that landed before the profile went, the deletion whole before its check: the deletion finds it, the check finds the profile gone", async () => {
    const merchantId = await anAccount();
    const gate = pauseAt((command, input) => command.startsWith("GetItem") && input.includes("\"ProjectionExpression\":\"PK\""));
    const writing = storage.store.saveSyncRecord({ merchantId, locationId: "L1", businessDay: DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0);
    await gate.reached;
    expect(await naming(merchantId)).toContain(`MERCHANT#${merchantId} SYNC#L1#${DAY}`);
    await remove(merchantId);
    gate.release();
    await writing;
    expect(await naming(merchantId)).toEqual([]);
  });

  it("the deletion waiting right after the profile went while a night writes and checks: the writes take themselves back, and the deletion finishes", async () => {
    const merchantId = await anAccount();
    await storage.store.putLocation(location(merchantId));
    const gate = pauseAt((command, input) => command.startsWith("DeleteItem") && input.includes("\"PROFILE\""), true);
    const deleting = remove(merchantId);
    await gate.reached;
    await storage.store.saveSyncRecord({ merchantId, locationId: "L1", businessDay: DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0);
    await storage.reports.save(report(merchantId));
    await storage.digests.mark({ merchantId, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: digestShardOf(merchantId) });
    // The partition went with the first write's check; the deletion has the rest to do.
    expect((await naming(merchantId)).filter((key) => key.startsWith(`MERCHANT#${merchantId} `))).toEqual([]);
    gate.release();
    await deleting;
    expect(await naming(merchantId)).toEqual([]);
  });

  it("a sign-in finishing just after the deletion looked for the account's sessions: the profile went before, so the session takes itself back", async () => {
    const merchantId = await anAccount();
    const gate = pauseAt((command, input) => command.startsWith("Query") && input.includes(`SESSIONS#${merchantId}`), true);
    const deleting = remove(merchantId);
    await gate.reached;
    await storage.auth.putSession({
      sessionHash: HASH, merchantId, createdAt: AT, lastSeenAt: AT, idleExpiresAt: "2025-06-15T09:30:00.000Z", absoluteExpiresAt: "2025-06-15T21:00:00.000Z",
      userAgent: "Firefox on Linux", approximateIp: "192.0.2.0",
    });
    gate.release();
    await deleting;
    expect(await naming(merchantId)).toEqual([]);
  });

  it("a connection made while the first ones ended is ended too, at its provider as well, not only deleted", async () => {
    const merchantId = await anAccount();
    const gate = pauseAt((command, input) => command.startsWith("Query") && input.includes("CONNECTION#"), true);
    const deleting = remove(merchantId);
    await gate.reached;
    await storage.store.putConnection(connection(merchantId));
    gate.release();
    // No Square client here to revoke with: "failed" says the provider was asked to be told.
    expect((await deleting).connections).toEqual([{ provider: "square", outcome: "failed" }]);
    expect(await naming(merchantId)).toEqual([]);
  });

  it("the check reads the profile strongly consistent, and a write to a live account keeps what it wrote", async () => {
    const merchantId = await anAccount();
    guardReads.length = 0;
    await storage.store.saveSyncRecord({ merchantId, locationId: "L1", businessDay: DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0);
    expect(guardReads).toHaveLength(1);
    expect(JSON.parse(guardReads[0] ?? "{}")).toMatchObject({ ConsistentRead: true, Key: { PK: { S: `MERCHANT#${merchantId}` }, SK: { S: "PROFILE" } } });
    expect(await storage.store.getSyncRecord(merchantId, "L1", DAY)).toMatchObject({ version: 1 });
  });
});
