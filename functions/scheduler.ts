/**
 * Lambda entry of the scheduler (EventBridge Scheduler, every 15 minutes): the real clients from the
 * environment, built once per container, and one tick at the current time. A tick with failed
 * locations throws after the others are done, so the invocation counts as an error for the alarms;
 * the failed ones stay due and the next tick retries them.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsJobQueue } from "../lib/schedule/enqueue";
import { loadSchedulerConfig } from "../lib/schedule/config";
import { runSchedulerTick, type SchedulerTickResult } from "../lib/schedule/scheduler";
import { createDynamoStorage } from "../lib/store/storage";

const logger = new Logger({ serviceName: "daybook-scheduler" });
const config = loadSchedulerConfig();
const dynamo = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(config.DAYBOOK_DYNAMODB_ENDPOINT ? { endpoint: config.DAYBOOK_DYNAMODB_ENDPOINT } : {}),
});
const sqs = new SQSClient({ region: config.AWS_REGION, ...(config.DAYBOOK_SQS_ENDPOINT ? { endpoint: config.DAYBOOK_SQS_ENDPOINT } : {}) });
const { store, dueIndex } = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });

export const handler = async (): Promise<SchedulerTickResult> => {
  const result = await runSchedulerTick({
    dueIndex, queue: createSqsJobQueue(sqs, config.DAYBOOK_QUEUE_URL), store, now: new Date(), shards: config.DAYBOOK_DUE_SHARDS,
    log: (level, message, fields) => {
      logger[level](message, fields ?? {});
    },
  });
  if (result.failed > 0) throw new Error(`${result.failed} locations could not be scheduled; they stay due for the next tick`);
  return result;
};
