/**
 * The worker's idempotency records (Powertools Idempotency) in the one table: partition
 * `IDEMPOTENCY#worker`, Powertools' hashed key as the sort key, expiring through the table's TTL.
 */
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IDEMPOTENCY_PARTITION } from "./keys";
import { TABLE } from "./table";

export { IDEMPOTENCY_PARTITION };

export function createIdempotencyStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: TABLE.partitionKey.name,
    sortKeyAttr: TABLE.sortKey.name,
    staticPkValue: IDEMPOTENCY_PARTITION,
    // The table's TTL attribute, so DynamoDB removes expired records.
    expiryAttr: TABLE.timeToLiveAttribute,
  });
}
