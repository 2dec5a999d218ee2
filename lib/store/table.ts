/**
 * The single DynamoDB table, as data: the CDK stack and the integration tests both build from this,
 * so the tests run against the table production has.
 *
 * Items (keys.ts): a merchant's profile, connections, locations and sync records share the partition
 * `MERCHANT#<id>` (so do an accountant's access, on both sides: MEMBER# under the business,
 * MEMBERSHIP# under the accountant; invitations; a person's API keys and their 14-day request log);
 * email claims, sign-in links, sessions, OAuth states and rate-limit counters have partitions of their
 * own named by a hash, and the short-lived ones expire through `expiresAt`.
 *
 * One generic secondary index, GSI1, serves the accesses that are not by key: connections by the
 * provider's account id (`PROVIDERACCOUNT#<provider>#<externalId>`, for webhooks), a merchant's
 * sessions (`SESSIONS#<merchantId>`), and an invitation or an API key by the hash of its secret
 * (`INVITATION#<hash>`, `APIKEY#<hash>`). Items without GSI1PK are not in it.
 *
 * GSI2 is the refresh sweep's (lib/connections/refresh-sweep.ts): it holds every connection, spread over
 * CONNECTION_SHARDS partitions (`CONNECTIONS#<shard>`), so the sweep finds each, those no location uses
 * included, without a Scan; and, in `OWEDNOTICES`, the locations owed a stopped-posting notice the email
 * caps held back (in it while their postingStopped.noticeHeld is set). The web uses it for one thing: an
 * address's open invitations, from every business (`INVITEE#<addressHash>`), withdrawn together when
 * the address asks for no more (its stop: `NOINVITES#<addressHash>`, a partition of its own).
 *
 * Both project keys only: an index copy is written when an item enters or leaves the index, never when
 * an attribute changes, so a connection's token rewrite (every night's QuickBooks refresh) writes the
 * table alone. What an index finds is then read from the table (batch-items.ts itemsOfIndexEntries),
 * strongly consistent. A projection cannot change in place: each layout has its own index names
 * ("GSI1Keys" and "GSI2Keys" replaced "GSI1" and "GSI2", which projected whole items).
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** The table's point-in-time recovery window: under the promised 30 days, with margin (infra/stack.ts; retention.ts). */
export const POINT_IN_TIME_RECOVERY_DAYS = 28;

export const TABLE = {
  partitionKey: { name: "PK", type: "S" },
  sortKey: { name: "SK", type: "S" },
  globalIndexes: [
    {
      name: "GSI1Keys",
      partitionKey: { name: "GSI1PK", type: "S" },
      sortKey: { name: "GSI1SK", type: "S" },
      projection: "KEYS_ONLY",
    },
    {
      name: "GSI2Keys",
      partitionKey: { name: "GSI2PK", type: "S" },
      sortKey: { name: "GSI2SK", type: "S" },
      projection: "KEYS_ONLY",
    },
  ],
  billing: "PAY_PER_REQUEST",
  /** Point-in-time recovery, for this many days (retention.ts): deleted data leaves the backups within 30. */
  pointInTimeRecoveryDays: POINT_IN_TIME_RECOVERY_DAYS,
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  timeToLiveAttribute: "expiresAt",
} as const;

/**
 * Which partitions (the leading key's prefix) and which indexes each function may touch: its IAM role
 * allows item reads and writes only where the partition key starts with one of these
 * (dynamodb:LeadingKeys), and queries only of these indexes (infra/stack.ts). DynamoDB conditions go
 * no finer than the partition: the scheduler reads locations, so it may reach the merchant's partition,
 * connections included, but it has no use of the token key and cannot open them. Each runtime's flows
 * are recorded against these lists in test/web/table-access.test.ts.
 */
// DIGEST#: the morning digests' marks (the worker writes them, the scheduler reads and removes them, an
// account's deletion removes its own); RATE#: also the daily email caps' counters, in every sender.
// DELETED#: the mark of an account being deleted (the api writes it; every writer reads it after a write that
// found no profile, lib/store/account-guard.ts).
export const TABLE_ACCESS = {
  api: { partitions: ["MERCHANT#", "DUE#", "EMAIL#", "SIGNIN#", "SESSION#", "OAUTHSTATE#", "RATE#", "DIGEST#", "NOINVITES#", "DELETED#"], indexes: ["GSI1Keys", "GSI2Keys"] },
  worker: { partitions: ["MERCHANT#", "IDEMPOTENCY#", "DIGEST#", "RATE#", "DELETED#"], indexes: ["GSI2Keys"] },
  scheduler: { partitions: ["DUE#", "MERCHANT#", "DIGEST#", "RATE#", "DELETED#"], indexes: [] },
} as const satisfies Record<"api" | "worker" | "scheduler", { partitions: readonly string[]; indexes: readonly string[] }>;

export const GSI1 = TABLE.globalIndexes[0];
export const GSI2 = TABLE.globalIndexes[1];

export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyAttributes = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  return {
    TableName: tableName,
    BillingMode: TABLE.billing,
    AttributeDefinitions: keyAttributes.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: TABLE.globalIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: "HASH" },
        { AttributeName: index.sortKey.name, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
