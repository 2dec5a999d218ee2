/**
 * One item of every kind daybook keeps, written through the real storage ports (lib/store) into the
 * production table's shape on in-process dynalite, then read back raw: what the retention test and the
 * stack test check each kind's `expiresAt` on. A kind added to the store is caught by those tests
 * (retention.ts's itemKindOf does not know it) once it is written here.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { registerLocation } from "../../lib/schedule/due-index";
import { createIdempotencyStore } from "../../lib/store/idempotency";
import { ensureLocalTable, LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TABLE, startLocalDatabase } from "../../lib/store/local/database";
import { createDynamoStorage } from "../../lib/store/storage";
import { IDEMPOTENCY_SECONDS } from "../../lib/worker/handler";
import { squareMapping } from "./fixtures";

export const AT = "2025-06-15T09:00:00.000Z";
export const BUSINESS_DAY = "2025-06-14";
const HASH = "a".repeat(64);

export async function everyItemKind(): Promise<Record<string, unknown>[]> {
  const database = await startLocalDatabase();
  const client = new DynamoDBClient({ endpoint: database.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await ensureLocalTable(client);
    const { store, auth, reports, recipients, settings, dueIndex, backfills, seenWarnings, digests, heldEmails, payouts } = createDynamoStorage({ client, tableName: LOCAL_TABLE, now: () => new Date(AT) });
    const merchantId = "m-retention";
    await store.createMerchant({ merchantId, name: "Main Street Coffee", email: "owner@cafe.example", createdAt: AT });
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
    await digests.mark({ merchantId, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard: 0 });
    await digests.claim(merchantId, "daily#2025-06-15", HASH, new Date(AT), 600_000);
    await heldEmails.recordHeld(merchantId, "digest", new Date(AT));
    await settings.setReviewMode(merchantId, true, new Date(AT));
    await store.saveSyncRecord({ merchantId, locationId: "L1", businessDay: BUSINESS_DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: AT }, 0);
    const content = {
      merchantName: "Main Street Coffee", locationName: "Main Street", source: "square" as const, businessDay: BUSINESS_DAY, timeZone: "America/New_York",
      connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
    };
    await reports.save({ merchantId, locationId: "L1", businessDay: BUSINESS_DAY, reportId: "posted", status: "no-sales", alert: false, createdAt: AT, content: { ...content, status: "no-sales" } });
    await reports.save({
      merchantId, locationId: "L1", businessDay: BUSINESS_DAY, reportId: "failed", status: "failed", alert: true, createdAt: AT,
      content: { ...content, status: "failed", failure: { kind: "needs-merchant", message: "The mapping names an account QuickBooks no longer has." } },
    });
    await backfills.create({ backfillId: "b1", merchantId, locationId: "L1", from: "2025-06-01", to: "2025-06-14", requestedBy: "merchant", total: 14, done: 0, posted: 0, adjusted: 0, unchanged: 0, held: 0, noSales: 0, recheckFailed: 0, failed: 0, createdAt: AT });
    await payouts.savePayout({
      merchantId, locationId: "L1", payoutTag: "8QF3ZK2M", state: "nothing-to-post", posted: [], warnings: [], updatedAt: AT, expiresAt: "2026-07-16T00:00:00.000Z",
      summary: {
        tag: "8QF3ZK2M", locationId: "L1", status: "FAILED", type: "BATCH", currency: "USD", amount: 1_000, createdAt: AT, updatedAt: AT,
        arrivalDate: "2025-06-15", version: 1, destinationType: "BANK_ACCOUNT", transferFees: 0,
        days: { [BUSINESS_DAY]: { payments: 1_030, refunds: 0, fees: 30, net: 1_000, count: 1, feeAdjustments: 0 } }, activities: {}, entryCount: 1, sweptThrough: BUSINESS_DAY,
      },
    }, 0);
    await payouts.saveCheck({ merchantId, locationId: "L1", readFrom: AT, lastRunAt: AT }, 0);
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

    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
    await database.close();
  }
}
