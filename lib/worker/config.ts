/**
 * The worker's settings (functions/worker.ts), from the environment, checked once at start-up. On AWS
 * the secrets (the apps' client secrets, the link-signing key) are first filled in from SSM by
 * lib/secrets/ssm.ts's withSecretsFromSsm; locally they are plain variables.
 */
import { ConfigError } from "../config";
import { describeIssues, z } from "../validation";

const url = z.url();
const text = z.string().check(z.minLength(1));

export const workerConfigSchema = z.object({
  DAYBOOK_TABLE: z.string().check(z.minLength(3)),
  DAYBOOK_DYNAMODB_ENDPOINT: z.optional(url),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  DAYBOOK_PUBLIC_URL: url,
  DAYBOOK_QUEUE_URL: url,
  DAYBOOK_SQS_ENDPOINT: z.optional(url),
  /** The queue's redrive maxReceiveCount: the last attempt marks the day failed. */
  DAYBOOK_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 5),
  DAYBOOK_KMS_KEY_ID: z.optional(text),
  DAYBOOK_KMS_ENDPOINT: z.optional(url),
  DAYBOOK_VAULT_KEY_FILE: z.optional(text),
  DAYBOOK_EMAIL_FROM: z.optional(text),
  DAYBOOK_SES_ENDPOINT: z.optional(url),
  DAYBOOK_SES_CONFIGURATION_SET: z.optional(text),
  DAYBOOK_OUTBOX_DIR: z.optional(text),
  /** The key that signs approve and unsubscribe links, base64, at least 32 bytes. */
  DAYBOOK_LINK_KEY: text,
  SQUARE_BASE_URL: z._default(url, "https://connect.squareup.com"),
  /** The worker refreshes every provider's tokens ahead of expiry, so it needs each app's credentials. */
  SQUARE_CLIENT_ID: text,
  SQUARE_CLIENT_SECRET: text,
  CLOVER_BASE_URL: z.optional(url),
  CLOVER_APP_ID: text,
  CLOVER_APP_SECRET: text,
  QUICKBOOKS_BASE_URL: z._default(url, "https://quickbooks.api.intuit.com"),
  QUICKBOOKS_APP_URL: z._default(url, "https://app.qbo.intuit.com"),
  QUICKBOOKS_ENVIRONMENT: z._default(z.enum(["sandbox", "production"]), "production"),
  QUICKBOOKS_CLIENT_ID: text,
  QUICKBOOKS_CLIENT_SECRET: text,
  QUICKBOOKS_TOKEN_URL: z.optional(url),
  QUICKBOOKS_REVOKE_URL: z.optional(url),
}).check(
  z.refine((config) => (config.DAYBOOK_KMS_KEY_ID === undefined) !== (config.DAYBOOK_VAULT_KEY_FILE === undefined), {
    message: "set exactly one of DAYBOOK_KMS_KEY_ID (AWS) and DAYBOOK_VAULT_KEY_FILE (local)", path: ["DAYBOOK_KMS_KEY_ID"],
  }),
  z.refine((config) => (config.DAYBOOK_EMAIL_FROM === undefined) !== (config.DAYBOOK_OUTBOX_DIR === undefined), {
    message: "set exactly one of DAYBOOK_EMAIL_FROM (SES) and DAYBOOK_OUTBOX_DIR (local)", path: ["DAYBOOK_EMAIL_FROM"],
  }),
);

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function loadWorkerConfig(environment: Record<string, string | undefined> = process.env): WorkerConfig {
  const result = workerConfigSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeIssues(result.error, "the environment"));
  return result.data;
}
