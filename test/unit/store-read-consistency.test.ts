/**
 * The two Queries the digest's Deposits section may read eventually consistent (lib/report/digest-deposits.ts):
 * strongly consistent unless asked, as every other reader has them.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { createDynamoStore } from "../../lib/store/dynamo";
import { createDynamoPayoutStore } from "../../lib/store/payouts";

/** A client that answers every Query with nothing and keeps what each asked. */
function recordingClient(): { client: DynamoDBDocumentClient; consistent: (boolean | undefined)[] } {
  const consistent: (boolean | undefined)[] = [];
  const client = {
    send: (command: { input: { ConsistentRead?: boolean } }) => {
      consistent.push(command.input.ConsistentRead);
      return Promise.resolve({ Items: [] });
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, consistent };
}

describe("reading a location's payouts and sync records", () => {
  it("is strongly consistent unless the reader asks for an eventually consistent read", async () => {
    const { client, consistent } = recordingClient();
    const payouts = createDynamoPayoutStore({ client, tableName: "t" });
    const store = createDynamoStore({ client, tableName: "t" });
    await payouts.listPayouts("M1", "L1");
    await payouts.listPayouts("M1", "L1", { consistent: false });
    await store.listSyncRecordsBetween("M1", "L1", "2025-06-01", "2025-06-30");
    await store.listSyncRecordsBetween("M1", "L1", "2025-06-01", "2025-06-30", { consistent: false });
    expect(consistent).toEqual([true, false, true, false]);
  });
});
