/**
 * `daybook backfill --merchant ID --location ID --from D --to D [--watch]`: queues past business days
 * for the worker, as an operator; with --watch, shows on stderr how many are done until all are.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsJobQueue } from "../schedule/enqueue";
import { ConfigError } from "../config";
import { sleep as wait } from "../http/backoff";
import { type BackfillProgress, getBackfill, requestBackfill } from "../schedule/backfill";
import { createDynamoStorage } from "../store/storage";
import { describeIssues, z } from "../validation";
import type { CliIo } from "./io";

const url = z.url();

export const backfillConfigSchema = z.object({
  DAYBOOK_TABLE: z.string().check(z.minLength(3)),
  DAYBOOK_DYNAMODB_ENDPOINT: z.optional(url),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  DAYBOOK_QUEUE_URL: url,
  /** An SQS-compatible endpoint (moto_server); unset on AWS. */
  DAYBOOK_SQS_ENDPOINT: z.optional(url),
  /** How often --watch reads the progress again. */
  DAYBOOK_WATCH_INTERVAL_MS: z._default(z.coerce.number().check(z.int(), z.minimum(10)), 2_000),
});

export type BackfillConfig = z.infer<typeof backfillConfigSchema>;

export function loadBackfillConfig(environment: Record<string, string | undefined>): BackfillConfig {
  const result = backfillConfigSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeIssues(result.error, "the environment"));
  return result.data;
}

export interface BackfillCommand {
  merchantId: string;
  locationId: string;
  from: string;
  to: string;
  watch: boolean;
}

/** Returns the exit code: 0 queued (or, watched, all done), 3 watched and some days failed. */
export async function runBackfill(command: BackfillCommand, config: BackfillConfig, io: CliIo, now = new Date()): Promise<number> {
  const dynamo = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DAYBOOK_DYNAMODB_ENDPOINT ? { endpoint: config.DAYBOOK_DYNAMODB_ENDPOINT } : {}),
  });
  const sqs = new SQSClient({ region: config.AWS_REGION, ...(config.DAYBOOK_SQS_ENDPOINT ? { endpoint: config.DAYBOOK_SQS_ENDPOINT } : {}) });
  try {
    const storage = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });
    const deps = { ...storage, queue: createSqsJobQueue(sqs, config.DAYBOOK_QUEUE_URL) };
    const requested = await requestBackfill(deps, { ...command, requestedBy: "operator" }, now);
    const days = requested.total === 1 ? "1 day" : `${requested.total} days`;
    io.stdout(`Backfill ${requested.backfillId} queued: ${days} of location ${command.locationId}, ${requested.from} to ${requested.to}.\n`);
    if (!command.watch) return 0;

    let progress = requested;
    let shown = "";
    for (;;) {
      const line = progressLine(progress);
      if (line !== shown) {
        io.stderr(io.stderrIsTerminal === true ? `\r${line}\u001b[K` : `${line}\n`);
        shown = line;
      }
      if (progress.complete) break;
      await wait(config.DAYBOOK_WATCH_INTERVAL_MS);
      const latest = await getBackfill(deps, command.merchantId, requested.backfillId);
      if (latest === undefined) {
        if (io.stderrIsTerminal === true) io.stderr("\n");
        io.stderr("daybook: the backfill's progress is gone (was the account deleted?)\n");
        return 1;
      }
      progress = latest;
    }
    if (io.stderrIsTerminal === true) io.stderr("\n");
    return progress.failed > 0 ? 3 : 0;
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

const BAR_WIDTH = 30;

export function progressLine(progress: Pick<BackfillProgress, "total" | "done" | "failed">): string {
  const ended = progress.done + progress.failed;
  const filled = Math.min(BAR_WIDTH, Math.floor((ended / progress.total) * BAR_WIDTH));
  const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${ended}/${progress.total} days (${progress.done} done, ${progress.failed} failed)`;
}
