/** The scheduler's settings (functions/scheduler.ts), from the environment, checked once at start-up. */
import { ConfigError } from "../config";
import { describeIssues, z } from "../validation";
import { DUE_INDEX_SHARDS } from "./due-index";

const url = z.url();

export const schedulerConfigSchema = z.object({
  DAYBOOK_TABLE: z.string().check(z.minLength(3)),
  DAYBOOK_DYNAMODB_ENDPOINT: z.optional(url),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  DAYBOOK_QUEUE_URL: url,
  DAYBOOK_SQS_ENDPOINT: z.optional(url),
  /** Must match the count the locations were registered with (see due-index.ts). */
  DAYBOOK_DUE_SHARDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(256)), DUE_INDEX_SHARDS),
});

export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;

export function loadSchedulerConfig(environment: Record<string, string | undefined> = process.env): SchedulerConfig {
  const result = schedulerConfigSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeIssues(result.error, "the environment"));
  return result.data;
}
