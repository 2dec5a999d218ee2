/**
 * daybook's configuration, from the environment, validated once at start-up: a missing or malformed
 * setting stops the process with a sentence naming it, not a failure deep inside a sync.
 */
import { describeIssues, z } from "./validation";

const url = z.url();

export const configSchema = z.object({
  /** The DynamoDB table. */
  DAYBOOK_TABLE: z.string().check(z.minLength(3)),
  /** A DynamoDB-compatible endpoint (moto_server, dynalite); unset on AWS. */
  DAYBOOK_DYNAMODB_ENDPOINT: z.optional(url),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  /** The local AES-256-GCM key file that stands in for KMS off AWS. */
  DAYBOOK_VAULT_KEY_FILE: z.string().check(z.minLength(1)),
  SQUARE_BASE_URL: z._default(url, "https://connect.squareup.com"),
  /** Clover's API host (its US host by default); per-merchant regions come with Clover OAuth. */
  CLOVER_BASE_URL: z._default(url, "https://api.clover.com"),
  QUICKBOOKS_BASE_URL: z._default(url, "https://quickbooks.api.intuit.com"),
  QUICKBOOKS_ENVIRONMENT: z._default(z.enum(["sandbox", "production"]), "production"),
  QUICKBOOKS_CLIENT_ID: z.string().check(z.minLength(1)),
  QUICKBOOKS_CLIENT_SECRET: z.string().check(z.minLength(1)),
  QUICKBOOKS_REDIRECT_URI: z._default(url, "http://localhost:3000/connect/quickbooks/callback"),
  /** OAuth endpoints, overridable so the simulator stands in. */
  QUICKBOOKS_AUTHORIZE_URL: z.optional(url),
  QUICKBOOKS_TOKEN_URL: z.optional(url),
  QUICKBOOKS_REVOKE_URL: z.optional(url),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeIssues(result.error, "the environment"));
  return result.data;
}
