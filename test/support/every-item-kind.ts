/**
 * One item of every kind daybook keeps, written through the real storage ports (lib/store) into the
 * production table's shape on in-process dynalite, then read back raw: what the retention test and the
 * stack test check each kind's `expiresAt` on. A kind added to the store is caught by those tests
 * (retention.ts's itemKindOf does not know it) once it is written here.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { digestShardOf } from "../../lib/report/digest-marks";
import { addressHash } from "../../lib/report/recipients";
import type { StoredReportContent } from "../../lib/report/report-store";
import { registerLocation } from "../../lib/schedule/due-index";
import { createIdempotencyStore } from "../../lib/store/idempotency";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, startLocalDatabase } from "../../lib/store/local/database";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import { IDEMPOTENCY_SECONDS } from "../../lib/worker/handler";
import { squareMapping } from "./fixtures";

export const AT = "2025-06-15T09:00:00.000Z";
export const BUSINESS_DAY = "2025-06-14";
const HASH = "a".repeat(64);

/** The business every kind is written for, its owner's address, and the accountant it gave access to. */
export const BUSINESS_ID = "m-retention";
export const OWNER_EMAIL = "owner@cafe.example";
export const ACCOUNTANT_ID = "p-retention";
export const ACCOUNTANT_EMAIL = "books@firm.example";

/**
 * The business's two reports' contents, as saved: the first with its fields in the worker's order
 * (lib/worker/process-job.ts), which is kept packed; the second with its status last, which packing
 * would not give back in that order, so it is kept compressed whole (lib/store/reports.ts).
 */
export const REPORT_CONTENTS: [StoredReportContent, StoredReportContent] = [
  {
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square", businessDay: BUSINESS_DAY, timeZone: "America/New_York", status: "no-sales",
    connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
  },
  {
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square", businessDay: BUSINESS_DAY, timeZone: "America/New_York",
    connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
    status: "failed", failure: { kind: "needs-merchant", message: "The mapping names an account QuickBooks no longer has." },
  },
];

export interface EveryItemKind {
  storage: Storage;
  /** The whole table, raw (a Scan, every page). */
  scan: () => Promise<Record<string, unknown>[]>;
}

/** Every kind written, then the whole table read back raw. */
export function everyItemKind(): Promise<Record<string, unknown>[]> {
  return withEveryItemKind((written) => written.scan());
}

/** Every kind written; `use` then works on the table (its stores, a raw scan) before it is closed. */
export async function withEveryItemKind<T>(use: (written: EveryItemKind) => Promise<T>): Promise<T> {
  const database = await startLocalDatabase();
  const client = new DynamoDBClient({ endpoint: database.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await ensureLocalTable(client);
    const storage = createDynamoStorage({ client, tableName: LOCAL_TABLE, now: () => new Date(AT) });
    const { store, auth, reports, recipients, settings, dueIndex, backfills, seenWarnings, digests, heldEmails, payouts, carries, members, apiKeys } = storage;
    const merchantId = BUSINESS_ID;
    await store.createMerchant({ merchantId, name: "Main Street Coffee", email: OWNER_EMAIL, createdAt: AT });
    await store.putConnection({ merchantId, connectionId: "c1", provider: "square", status: "active", externalId: "SQ1", tokenCiphertext: "sealed", createdAt: AT, updatedAt: AT });
    await store.putLocation({
      merchantId, locationId: "L1", source: "square", name: "Main Street", posConnectionId: "c1", quickbooksConnectionId: "c2",
      timeZone: "America/New_York", dayStart: "00:00", currency: "USD", mapping: squareMapping(), updatedAt: AT,
    });
    await registerLocation(dueIndex, { merchantId, locationId: "L1", timeZone: "America/New_York", dayStart: "00:00" }, "9130", new Date(AT));
    await recipients.put(merchantId, {
      version: 0, unsubscribed: [], recipients: [{ address: "books@cafe.example", status: "pending", frequency: "daily", addedAt: AT, confirmationSentAt: AT }],
    });
    await seenWarnings.firstReported(merchantId, "L1", ["unmapped-category:CAT1"], BUSINESS_DAY);
    await digests.mark({ merchantId, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: digestShardOf(merchantId) });
    await digests.claim(merchantId, "daily#2025-06-15", HASH, new Date(AT), 600_000);
    await heldEmails.recordHeld(merchantId, "digest", new Date(AT));
    await settings.setReviewMode(merchantId, true, new Date(AT));
    await store.saveSyncRecord({ merchantId, locationId: "L1", businessDay: BUSINESS_DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0);
    // Both forms a report is kept in (REPORT_CONTENTS).
    const [noSales, failed] = REPORT_CONTENTS;
    await reports.save({ merchantId, locationId: "L1", businessDay: BUSINESS_DAY, reportId: "posted", status: "no-sales", alert: false, createdAt: AT, content: noSales });
    await reports.save({ merchantId, locationId: "L1", businessDay: BUSINESS_DAY, reportId: "failed", status: "failed", alert: true, createdAt: AT, content: failed });
    await backfills.create({ backfillId: "b1", merchantId, locationId: "L1", from: "2025-06-01", to: "2025-06-14", requestedBy: "merchant", total: 14, done: 0, posted: 0, adjusted: 0, unchanged: 0, held: 0, noSales: 0, recheckFailed: 0, failed: 0, createdAt: AT });
    await payouts.savePayout({
      merchantId, locationId: "L1", payoutTag: "8QF3ZK2M", state: "nothing-to-post", posted: [], warnings: [], updatedAt: AT, expiresAt: "2026-07-16T00:00:00.000Z",
      summary: {
        tag: "8QF3ZK2M", locationId: "L1", status: "FAILED", type: "BATCH", currency: "USD", amount: 1_000, createdAt: AT, updatedAt: AT,
        arrivalDate: "2025-06-15", version: 1, destinationType: "BANK_ACCOUNT", transferFees: 0,
        days: { [BUSINESS_DAY]: { payments: 1_030, refunds: 0, fees: 30, net: 1_000, count: 1, feeAdjustments: 0 } }, activities: {}, entryCount: 1, sweptThrough: BUSINESS_DAY,
      },
    }, 0);
    // And one under the key by creation (a location moved by `daybook move-payout-keys`).
    await payouts.savePayout({
      merchantId, locationId: "L1", payoutTag: "9QF3ZK2M", state: "nothing-to-post", posted: [], warnings: [], updatedAt: AT, expiresAt: "2026-07-16T00:00:00.000Z",
      summary: {
        tag: "9QF3ZK2M", locationId: "L1", status: "PAID", type: "SIMPLE", currency: "USD", amount: 2_000, createdAt: AT, updatedAt: AT,
        arrivalDate: "2025-06-15", version: 1, destinationType: "BANK_ACCOUNT", transferFees: 0, days: {}, activities: {}, entryCount: 0, sweptThrough: null,
      },
    }, 0, "by-creation");
    await payouts.saveCheck({ merchantId, locationId: "L1", readFrom: AT, lastRunAt: AT }, 0);
    await carries.saveCarry(merchantId, "L1", {
      basis: "b".repeat(32),
      payouts: { from: "2024-05-20", to: "2025-05-31", count: 1, since: "2025-05-30", last: "2025-05-30", sweptThrough: "2025-05-30", held: 0, failed: 0, returned: 0, lastFailedOn: null },
      days: { from: "2025-05-29", to: "2025-05-29", unpaidSales: 0, paidNotPosted: 0, offBy: 0 },
      outside: { "2025-05-30": { paidOut: 1_000, fees: 30, adjustments: 0 } }, validUntil: "2026-06-21T00:00:00.000Z",
    }, undefined);
    await payouts.claimScopeRequest(merchantId, "c1", new Date(AT));
    await auth.putSignInLink({ tokenHash: HASH, email: "owner@cafe.example", createdAt: AT, expiresAt: "2025-06-15T09:15:00.000Z" });
    await auth.putSession({
      sessionHash: HASH, merchantId, createdAt: AT, lastSeenAt: AT, idleExpiresAt: "2025-06-15T09:30:00.000Z", absoluteExpiresAt: "2025-06-15T21:00:00.000Z",
      userAgent: "Test", approximateIp: "203.0.113.0/24",
    });
    await auth.putOAuthState({ stateHash: HASH, sessionHash: HASH, merchantId, provider: "square", createdAt: AT, expiresAt: "2025-06-15T09:10:00.000Z" });
    await auth.takeRateLimit(`sign-in-address#${HASH}`, 5, 900, new Date(AT));
    const config = new IdempotencyConfig({ eventKeyJmesPath: "day", expiresAfterSeconds: IDEMPOTENCY_SECONDS });
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Parameters<IdempotencyConfig["registerLambdaContext"]>[0]);
    const idempotent = makeIdempotent((_event: { day: string }) => Promise.resolve({ status: "posted" }), {
      persistenceStore: createIdempotencyStore({ client, tableName: LOCAL_TABLE }),
      config,
    });
    await idempotent({ day: `${merchantId}/L1/${BUSINESS_DAY}` });

    // An accountant the business gave access to (both sides), one invitation still open, an API key
    // each with a request logged, and the accountant's combined digest's bookkeeping of the morning.
    await store.createMerchant({ merchantId: ACCOUNTANT_ID, name: "", email: ACCOUNTANT_EMAIL, createdAt: AT });
    const invitation = (invitationId: string, email: string, hash: string) => ({
      invitationId, tokenHash: hash, businessId: merchantId, email, invitedBy: merchantId, createdAt: AT, expiresAt: "2025-06-22T09:00:00.000Z",
    });
    await members.putInvitation(invitation("i-accepted", ACCOUNTANT_EMAIL, "b".repeat(64)));
    await members.acceptInvitation(
      invitation("i-accepted", ACCOUNTANT_EMAIL, "b".repeat(64)),
      { businessId: merchantId, personId: ACCOUNTANT_ID, email: ACCOUNTANT_EMAIL, invitedBy: merchantId, createdAt: AT },
      { businessId: merchantId, personId: ACCOUNTANT_ID, businessName: "Main Street Coffee", createdAt: AT, locations: {}, statusUpdatedAt: AT },
      new Date(AT),
    );
    await members.recordLocationStatus([ACCOUNTANT_ID], merchantId, "Main Street Coffee", "L1", {
      name: "Main Street", timeZone: "America/New_York", businessDay: BUSINESS_DAY, state: "no-sales", updatedAt: AT,
    });
    await members.putInvitation(invitation("i-open", "late@firm.example", "c".repeat(64)));
    // The owner's address asked for no invitations: the address's, kept by its hash, in no account's partition.
    await members.stopInvitations({ addressHash: addressHash(OWNER_EMAIL), stoppedAt: AT });
    for (const [ownerId, hash] of [[merchantId, "d"], [ACCOUNTANT_ID, "e"]] as const) {
      await apiKeys.putKey({ keyId: `k-${ownerId}`, ownerId, name: "Reporting", tokenHash: hash.repeat(64), createdAt: AT, expiresAt: "2025-09-13T09:00:00.000Z" });
      await apiKeys.logRequest({ requestId: `r-${ownerId}`, keyId: `k-${ownerId}`, ownerId, at: AT, method: "GET", route: "/api/v1/businesses", status: 200, durationMs: 12 });
    }
    await digests.mark({ merchantId: ACCOUNTANT_ID, audience: "accountant", slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: digestShardOf(ACCOUNTANT_ID) });
    await digests.putClientPart(ACCOUNTANT_ID, { businessId: merchantId, slot: "2025-06-15", decidedAt: AT });
    await digests.seal(ACCOUNTANT_ID, "2025-06-15", new Date(AT));
    await digests.claim(ACCOUNTANT_ID, "combined-daily#2025-06-15", HASH, new Date(AT), 600_000);

    // An account deleted before: what is left of it is the marker its writers in flight check, for a day.
    await store.createMerchant({ merchantId: "m-deleted", name: "", email: "gone@deleted.example", createdAt: AT });
    await store.deleteMerchant("m-deleted");

    const scan = async () => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    };
    return await use({ storage, scan });
  } finally {
    client.destroy();
    await database.close();
  }
}
