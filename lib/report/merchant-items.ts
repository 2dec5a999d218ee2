/**
 * Where the report modules keep their items: the merchant's partition of the one table, next to the
 * store's own items, so account export and deletion take them along.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface MerchantItemsTable {
  client: DynamoDBDocumentClient;
  tableName: string;
}
