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

/**
 * What is wrong with the environment, in the words an operator needs: "DAYBOOK_TABLE is not set",
 * "DAYBOOK_DYNAMODB_ENDPOINT is not valid: Invalid URL". Never a value: some are secrets.
 */
export function describeEnvironment(error: z.core.$ZodError, environment: Record<string, string | undefined>): string {
  const unset: string[] = [];
  const invalid: string[] = [];
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? "");
    if (!name) invalid.push(issue.message);
    else if (!environment[name]) unset.push(name);
    else invalid.push(`${name} is not valid: ${issue.message}`);
  }
  const names = [...new Set(unset)];
  const missing = names.length === 0 ? [] : names.length === 1 ? [`${names[0]} is not set`]
    : [`${names.slice(0, -1).join(", ")} and ${names.at(-1)} are not set`];
  return [...missing, ...new Set(invalid)].join("; ");
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeEnvironment(result.error, environment));
  return result.data;
}

const secret = z.string().check(z.minLength(1));

/**
 * The web app's settings (functions/api.ts). Exactly one vault (a KMS key on AWS, a local key file off
 * it) and one way to send email (SES from an address, or an outbox folder locally). OAuth redirect
 * URIs are derived from DAYBOOK_PUBLIC_URL: `${DAYBOOK_PUBLIC_URL}/connect/<provider>/callback`.
 */
export const webConfigSchema = z.object({
  DAYBOOK_TABLE: z.string().check(z.minLength(3)),
  DAYBOOK_DYNAMODB_ENDPOINT: z.optional(url),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  /** The origin merchants use, without a trailing slash: links in emails, OAuth redirect URIs, the CSRF check. */
  DAYBOOK_PUBLIC_URL: url.check(
    z.refine((value) => new URL(value).protocol === "https:" || ["localhost", "127.0.0.1"].includes(new URL(value).hostname), "must be https (http only for localhost)"),
    z.refine((value) => !value.endsWith("/"), "must not end with a slash"),
  ),
  DAYBOOK_KMS_KEY_ID: z.optional(secret),
  /** A KMS-compatible endpoint (moto_server); unset on AWS. */
  DAYBOOK_KMS_ENDPOINT: z.optional(url),
  DAYBOOK_VAULT_KEY_FILE: z.optional(secret),
  /** The SES sender, e.g. "daybook <no-reply@daybook.example>". */
  DAYBOOK_EMAIL_FROM: z.optional(secret),
  DAYBOOK_SES_ENDPOINT: z.optional(url),
  DAYBOOK_SES_CONFIGURATION_SET: z.optional(secret),
  DAYBOOK_OUTBOX_DIR: z.optional(secret),
  /** The key that signs approve and unsubscribe links (base64, at least 32 bytes) and the sync queue: set both for those links to work. */
  DAYBOOK_LINK_KEY: z.optional(secret),
  DAYBOOK_QUEUE_URL: z.optional(url),
  DAYBOOK_SQS_ENDPOINT: z.optional(url),

  SQUARE_CLIENT_ID: secret,
  SQUARE_CLIENT_SECRET: secret,
  SQUARE_BASE_URL: z._default(url, "https://connect.squareup.com"),
  /** Where merchants consent; SQUARE_BASE_URL when unset. */
  SQUARE_AUTHORIZE_BASE_URL: z.optional(url),
  SQUARE_WEBHOOK_SIGNATURE_KEY: secret,
  /** The notification URL exactly as registered with Square (it is signed); DAYBOOK_PUBLIC_URL/webhooks/square when unset. */
  SQUARE_WEBHOOK_URL: z.optional(url),

  CLOVER_APP_ID: secret,
  CLOVER_APP_SECRET: secret,
  CLOVER_WEBHOOK_AUTH_CODE: secret,
  /** One base URL standing in for all of Clover's regional hosts: the simulator. */
  CLOVER_HOSTS_OVERRIDE: z.optional(url),

  QUICKBOOKS_CLIENT_ID: secret,
  QUICKBOOKS_CLIENT_SECRET: secret,
  QUICKBOOKS_ENVIRONMENT: z._default(z.enum(["sandbox", "production"]), "production"),
  QUICKBOOKS_AUTHORIZE_URL: z.optional(url),
  QUICKBOOKS_TOKEN_URL: z.optional(url),
  QUICKBOOKS_REVOKE_URL: z.optional(url),
  /** The Accounting API's base (the simulator locally); Intuit's for QUICKBOOKS_ENVIRONMENT when unset. */
  QUICKBOOKS_BASE_URL: z.optional(url),
}).check(
  z.refine((config) => (config.DAYBOOK_KMS_KEY_ID === undefined) !== (config.DAYBOOK_VAULT_KEY_FILE === undefined), {
    message: "set exactly one of DAYBOOK_KMS_KEY_ID (AWS) and DAYBOOK_VAULT_KEY_FILE (local)",
    path: ["DAYBOOK_KMS_KEY_ID"],
  }),
  z.refine((config) => (config.DAYBOOK_EMAIL_FROM === undefined) !== (config.DAYBOOK_OUTBOX_DIR === undefined), {
    message: "set exactly one of DAYBOOK_EMAIL_FROM (SES) and DAYBOOK_OUTBOX_DIR (local)",
    path: ["DAYBOOK_EMAIL_FROM"],
  }),
  z.refine((config) => (config.DAYBOOK_LINK_KEY === undefined) === (config.DAYBOOK_QUEUE_URL === undefined), {
    message: "set both DAYBOOK_LINK_KEY and DAYBOOK_QUEUE_URL, or neither",
    path: ["DAYBOOK_LINK_KEY"],
  }),
);

export type WebConfig = z.infer<typeof webConfigSchema>;

export function loadWebConfig(environment: Record<string, string | undefined> = process.env): WebConfig {
  const result = webConfigSchema.safeParse(environment);
  if (!result.success) throw new ConfigError(describeIssues(result.error, "the environment"));
  return result.data;
}
