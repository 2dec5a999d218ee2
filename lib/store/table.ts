/**
 * The single DynamoDB table, as data: the CDK stack and the integration tests both build from this,
 * so the tests run against the table production has.
 *
 * Items: a merchant's profile, connections, locations and sync records share the partition
 * `MERCHANT#<id>` (see keys.ts); sessions, sign-in links and OAuth states will get their own
 * partitions by hashed id and expire through `expiresAt`. No secondary index yet: every current
 * access is by key. The scheduler's sharded due-index is added later (a GSI can be added to a live
 * table).
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export const TABLE = {
  partitionKey: { name: "PK", type: "S" },
  sortKey: { name: "SK", type: "S" },
  billing: "PAY_PER_REQUEST",
  pointInTimeRecovery: true,
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  timeToLiveAttribute: "expiresAt",
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: TABLE.billing,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey.name, AttributeType: TABLE.partitionKey.type },
      { AttributeName: TABLE.sortKey.name, AttributeType: TABLE.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" },
    ],
  };
}
