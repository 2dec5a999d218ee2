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
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export const TABLE = {
  partitionKey: { name: "PK", type: "S" },
  sortKey: { name: "SK", type: "S" },
  globalIndexes: [
    {
      name: "GSI1",
      partitionKey: { name: "GSI1PK", type: "S" },
      sortKey: { name: "GSI1SK", type: "S" },
      projection: "ALL",
    },
  ],
  billing: "PAY_PER_REQUEST",
  pointInTimeRecovery: true,
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  timeToLiveAttribute: "expiresAt",
} as const;

export const GSI1 = TABLE.globalIndexes[0];

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
