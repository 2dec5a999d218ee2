/**
 * The scheduler's runtime (functions/scheduler.ts): the due-index and the locations in the table, and
 * the SQS queue. No vault, no provider, no secret: a bundle of its own, small.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SchedulerConfig } from "../config";
import { createSqsJobQueue } from "../schedule/enqueue";
import type { SchedulerDeps } from "../schedule/scheduler";
import { createDynamoStorage } from "../store/storage";
import { type AwsCredentials, awsClientConfig } from "./aws";

export interface SchedulerRuntime {
  /** runSchedulerTick's deps but the tick's `now` and log. */
  deps: Omit<SchedulerDeps, "now" | "log">;
  close(): void;
}

export function composeScheduler(config: SchedulerConfig, parts: { dynamo?: DynamoDBClient; sqs?: SQSClient; credentials?: AwsCredentials } = {}): SchedulerRuntime {
  const dynamo = parts.dynamo ?? new DynamoDBClient(awsClientConfig(config, "dynamodb", parts.credentials));
  const sqs = parts.sqs ?? new SQSClient(awsClientConfig(config, "sqs", parts.credentials));
  const { store, dueIndex } = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });
  return {
    deps: { store, dueIndex, queue: createSqsJobQueue(sqs, config.DAYBOOK_QUEUE_URL), shards: config.DAYBOOK_DUE_SHARDS },
    close() {
      if (!parts.dynamo) dynamo.destroy();
      if (!parts.sqs) sqs.destroy();
    },
  };
}
