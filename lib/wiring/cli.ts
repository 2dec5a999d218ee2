/**
 * The CLI's runtimes: `daybook sync` gets what a sync needs, as the worker has it (the shared services,
 * so tokens sealed by KMS open, every provider's tokens are refreshed by one keeper wired to the
 * reconnect email, and each Clover merchant is read in its own region); `daybook backfill` gets the
 * table and the queue; `daybook move-payout-keys` the table. lib/cli loads this module only for those commands.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { BackfillConfig, PayoutKeysConfig, SyncConfig } from "../config";
import type { BackfillDeps } from "../schedule/backfill";
import { createSqsJobQueue } from "../schedule/enqueue";
import { createDynamoStorage, type Storage } from "../store/storage";
import type { SyncPorts } from "../sync/sync-day";
import { type AwsCredentials, awsClientConfig } from "./aws";
import { composeServices, type ServiceParts } from "./services";
import { recoveryOf, type SyncPortOptions, syncPortsOf } from "./sync-ports";

export interface SyncCommandRuntime {
  sync: SyncPorts;
  close(): void;
}

export async function composeSyncCommand(config: SyncConfig, parts: ServiceParts & SyncPortOptions = {}): Promise<SyncCommandRuntime> {
  const services = await composeServices(config, parts);
  return { sync: syncPortsOf(services, { ...recoveryOf(config), ...parts }), close: () => { services.close(); } };
}

export interface BackfillCommandRuntime {
  deps: BackfillDeps;
  close(): void;
}

export function composeBackfillCommand(config: BackfillConfig, parts: { credentials?: AwsCredentials } = {}): BackfillCommandRuntime {
  const dynamo = new DynamoDBClient(awsClientConfig(config, "dynamodb", parts.credentials));
  const sqs = new SQSClient(awsClientConfig(config, "sqs", parts.credentials));
  const storage = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });
  return {
    deps: { ...storage, queue: createSqsJobQueue(sqs, config.DAYBOOK_QUEUE_URL) },
    close() {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

export interface PayoutKeysCommandRuntime {
  storage: Pick<Storage, "store" | "payouts">;
  close(): void;
}

/** `daybook move-payout-keys`: the table. */
export function composePayoutKeysCommand(config: PayoutKeysConfig, parts: { credentials?: AwsCredentials } = {}): PayoutKeysCommandRuntime {
  const dynamo = new DynamoDBClient(awsClientConfig(config, "dynamodb", parts.credentials));
  const storage = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });
  return { storage, close: () => { dynamo.destroy(); } };
}
