/**
 * daybook's configuration: one schema, one name per setting, read from the environment and checked
 * once at start-up. A missing or malformed setting stops the process with sentences naming it ("DAYBOOK_TABLE
 * is not set", "DAYBOOK_PUBLIC_URL must be https …"), never its value, not a failure deep inside a sync.
 *
 * Each runtime needs its own part of it (RUNTIMES): the scheduler no OAuth secret, the CLI's sync what
 * a sync needs. On AWS the secrets are first filled in from SSM (lib/secrets/ssm.ts); locally they are
 * plain variables. An empty variable counts as not set.
 *
 * Each setting's schema is made when a runtime asks for it: a process checks its own dozen settings
 * once, at start, and builds no schema for the forty it never reads.
 */
import * as z from "zod/mini";

/** A schema made on first use and then shared: zod's schemas are immutable (`.check` makes a new one), so every setting of a kind can use one. */
const shared = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};
const url = shared(() => z.url({ error: "must be a URL, like https://example.com" }));
const text = shared(() => z.string().check(z.minLength(1, "must not be empty")));
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: "must be a whole number" }).check(
    z.int({ error: "must be a whole number" }),
    z.minimum(min, `must be at least ${String(min)}`),
    z.maximum(max, `must be at most ${String(max)}`),
  );

/** Every setting daybook reads, once: each makes its schema. */
export const SETTINGS = {
  /** The DynamoDB table. */
  DAYBOOK_TABLE: () => z.string().check(z.minLength(3, "must be a DynamoDB table name (3 characters or more)")),
  AWS_REGION: () => z._default(text(), "us-east-1"),
  /** AWS-compatible endpoints off AWS (moto_server, dynalite); unset on AWS. */
  DAYBOOK_DYNAMODB_ENDPOINT: url,
  DAYBOOK_KMS_ENDPOINT: url,
  DAYBOOK_SQS_ENDPOINT: url,
  DAYBOOK_SES_ENDPOINT: url,
  /** The origin merchants use, without a trailing slash: links in emails, OAuth redirect URIs, the CSRF check. */
  DAYBOOK_PUBLIC_URL: () => url().check(
    z.refine((value) => {
      const parsed = URL.parse(value);
      return parsed === null || parsed.protocol === "https:" || ["localhost", "127.0.0.1"].includes(parsed.hostname);
    }, "must be https (http only for localhost)"),
    z.refine((value) => !value.endsWith("/"), "must not end with a slash"),
  ),
  /** The KMS key that seals tokens on AWS, or the local key file that stands in for it: exactly one. */
  DAYBOOK_KMS_KEY_ID: text,
  DAYBOOK_VAULT_KEY_FILE: text,
  /** The SES sender, e.g. "daybook <no-reply@daybook.example>", or the local outbox folder: exactly one. */
  DAYBOOK_EMAIL_FROM: text,
  DAYBOOK_SES_CONFIGURATION_SET: text,
  DAYBOOK_OUTBOX_DIR: text,
  /** Signs approve and unsubscribe links: base64, at least 32 bytes. */
  DAYBOOK_LINK_KEY: () => text().check(z.refine((value) => Buffer.from(value, "base64").length >= 32, "must be at least 32 bytes, base64-encoded")),
  /** The sync jobs' SQS FIFO queue. */
  DAYBOOK_QUEUE_URL: url,
  /** The jobs' dead-letter queue, which the worker also reads: a job there no attempt reported is reported (lib/worker/dead-letter.ts). */
  DAYBOOK_DEAD_LETTERS_ARN: () => text().check(z.refine((value) => value.startsWith("arn:") && value.includes(":sqs:"), "must be an SQS queue's ARN")),
  /** The queue's redrive maxReceiveCount: the last attempt marks the day failed. */
  DAYBOOK_MAX_ATTEMPTS: () => z._default(wholeNumber(1), 5),
  /**
   * After restoring the table from a backup, daybook's records may not know of entries posted since the
   * backup: until this instant (ISO 8601, e.g. 2026-03-14T12:00:00Z) every create is preceded by a
   * DocNumber lookup in QuickBooks. Unset: only an entry a crash left pending is looked up.
   */
  DAYBOOK_RECOVERY_UNTIL: () => text().check(z.refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), "must be an instant, like 2026-03-14T12:00:00Z")),
  /** The due-index's shard count (lib/schedule/due-index.ts): must match the count the locations were registered with. */
  DAYBOOK_DUE_SHARDS: () => z._default(wholeNumber(1, 256), 16),
  /** How often `daybook backfill --watch` reads the progress again. */
  DAYBOOK_WATCH_INTERVAL_MS: () => z._default(wholeNumber(10), 2_000),

  SQUARE_CLIENT_ID: text,
  SQUARE_CLIENT_SECRET: text,
  SQUARE_BASE_URL: () => z._default(url(), "https://connect.squareup.com"),
  /** Where merchants consent; SQUARE_BASE_URL when unset. */
  SQUARE_AUTHORIZE_BASE_URL: url,
  SQUARE_WEBHOOK_SIGNATURE_KEY: text,
  /** The notification URL exactly as registered with Square (it is signed); DAYBOOK_PUBLIC_URL/webhooks/square when unset. */
  SQUARE_WEBHOOK_URL: url,

  CLOVER_APP_ID: text,
  CLOVER_APP_SECRET: text,
  CLOVER_WEBHOOK_AUTH_CODE: text,
  /** One base URL standing in for all of Clover's regional hosts (a simulator); unset, each connection's region decides. */
  CLOVER_BASE_URL: url,

  QUICKBOOKS_CLIENT_ID: text,
  QUICKBOOKS_CLIENT_SECRET: text,
  /** The app's webhook verifier token (Intuit developer dashboard): QuickBooks' account-change webhooks are checked with it; unset, they are refused. */
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: text,
  QUICKBOOKS_ENVIRONMENT: () => z._default(z.enum(["sandbox", "production"], { error: "must be sandbox or production" }), "production"),
  /** The Accounting API's base (the simulator locally); Intuit's for QUICKBOOKS_ENVIRONMENT when unset. */
  QUICKBOOKS_BASE_URL: url,
  /** QuickBooks' web app, for links to entries; Intuit's for QUICKBOOKS_ENVIRONMENT when unset. */
  QUICKBOOKS_APP_URL: url,
  /** OAuth endpoints, overridable so the simulator stands in. */
  QUICKBOOKS_AUTHORIZE_URL: url,
  QUICKBOOKS_TOKEN_URL: url,
  QUICKBOOKS_REVOKE_URL: url,
} as const;

type Settings = { [K in keyof typeof SETTINGS]: ReturnType<(typeof SETTINGS)[K]> };
export type SettingName = keyof Settings;

const AWS_ENDPOINTS = ["DAYBOOK_DYNAMODB_ENDPOINT", "DAYBOOK_KMS_ENDPOINT", "DAYBOOK_SQS_ENDPOINT", "DAYBOOK_SES_ENDPOINT"] as const;
const VAULT_AND_EMAIL = ["DAYBOOK_KMS_KEY_ID", "DAYBOOK_VAULT_KEY_FILE", "DAYBOOK_EMAIL_FROM", "DAYBOOK_SES_CONFIGURATION_SET", "DAYBOOK_OUTBOX_DIR"] as const;
const APP_CREDENTIALS = ["SQUARE_CLIENT_ID", "SQUARE_CLIENT_SECRET", "CLOVER_APP_ID", "CLOVER_APP_SECRET", "QUICKBOOKS_CLIENT_ID", "QUICKBOOKS_CLIENT_SECRET"] as const;

/**
 * A runtime's settings: `required` must be set (or have a default), `optional` may be. Only the named
 * settings are read.
 */
function part<R extends SettingName, O extends SettingName>(required: readonly R[], optional: readonly O[]) {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const name of required) shape[name] = SETTINGS[name]();
  // Settings of one kind share their schema (url(), text()), and so their optional one.
  const optionals = new Map<z.ZodMiniType, z.ZodMiniOptional>();
  for (const name of optional) {
    const schema = SETTINGS[name]();
    let made = optionals.get(schema);
    if (made === undefined) {
      made = z.optional(schema);
      optionals.set(schema, made);
    }
    shape[name] = made;
  }
  return z.object(shape as { [K in R]: Settings[K] } & { [K in O]: z.ZodMiniOptional<Settings[K]> });
}

/** Where the providers' APIs are: Intuit's, Square's and each Clover region's own hosts unless set (a simulator's). */
const PROVIDER_HOSTS_REQUIRED = ["SQUARE_BASE_URL", "QUICKBOOKS_ENVIRONMENT"] as const;
const PROVIDER_HOSTS = ["CLOVER_BASE_URL", "QUICKBOOKS_BASE_URL", "QUICKBOOKS_TOKEN_URL", "QUICKBOOKS_REVOKE_URL"] as const;

/** What each runtime needs: its settings' schema, made when asked for. */
export const RUNTIMES = {
  /** The web app (functions/api.ts). */
  api: () => part(
    ["DAYBOOK_TABLE", "AWS_REGION", "DAYBOOK_PUBLIC_URL", ...APP_CREDENTIALS, "SQUARE_WEBHOOK_SIGNATURE_KEY", "CLOVER_WEBHOOK_AUTH_CODE", ...PROVIDER_HOSTS_REQUIRED],
    [...AWS_ENDPOINTS, ...VAULT_AND_EMAIL, ...PROVIDER_HOSTS, "DAYBOOK_LINK_KEY", "DAYBOOK_QUEUE_URL", "SQUARE_AUTHORIZE_BASE_URL", "SQUARE_WEBHOOK_URL", "QUICKBOOKS_AUTHORIZE_URL", "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN"],
  ),
  /** The nightly worker (functions/worker.ts): it refreshes every provider's tokens, so it needs each app's credentials. */
  worker: () => part(
    ["DAYBOOK_TABLE", "AWS_REGION", "DAYBOOK_PUBLIC_URL", "DAYBOOK_QUEUE_URL", "DAYBOOK_MAX_ATTEMPTS", "DAYBOOK_LINK_KEY", ...APP_CREDENTIALS, ...PROVIDER_HOSTS_REQUIRED],
    [...AWS_ENDPOINTS, ...VAULT_AND_EMAIL, ...PROVIDER_HOSTS, "QUICKBOOKS_APP_URL", "DAYBOOK_RECOVERY_UNTIL", "DAYBOOK_DEAD_LETTERS_ARN"],
  ),
  /**
   * The scheduler (functions/scheduler.ts): the table and the queue for the tick; for the morning
   * digests after it, email and the link key that signs their unsubscribe and approve links. No token
   * vault, no provider's secret.
   */
  scheduler: () => part(
    ["DAYBOOK_TABLE", "AWS_REGION", "DAYBOOK_QUEUE_URL", "DAYBOOK_DUE_SHARDS", "DAYBOOK_PUBLIC_URL", "DAYBOOK_LINK_KEY"],
    [...AWS_ENDPOINTS, "DAYBOOK_EMAIL_FROM", "DAYBOOK_SES_CONFIGURATION_SET", "DAYBOOK_OUTBOX_DIR"],
  ),
  /**
   * `daybook sync`: what a sync needs, as the worker has it: the table, the tokens' vault, each app's
   * credentials to refresh tokens, and email with the public URL to tell a merchant whose connection
   * was refused.
   */
  sync: () => part(["DAYBOOK_TABLE", "AWS_REGION", "DAYBOOK_PUBLIC_URL", ...APP_CREDENTIALS, ...PROVIDER_HOSTS_REQUIRED], [...AWS_ENDPOINTS, ...VAULT_AND_EMAIL, ...PROVIDER_HOSTS, "DAYBOOK_RECOVERY_UNTIL"]),
  /** `daybook backfill`: the table and the queue. */
  backfill: () => part(["DAYBOOK_TABLE", "AWS_REGION", "DAYBOOK_QUEUE_URL", "DAYBOOK_WATCH_INTERVAL_MS"], AWS_ENDPOINTS),
  /** `daybook move-payout-keys`: the table. */
  payoutKeys: () => part(["DAYBOOK_TABLE", "AWS_REGION"], AWS_ENDPOINTS),
  /**
   * The local stack (`npm start`): the web app and the worker in one process, on the embedded database
   * (no table to name), the local key file and the outbox, its queue in-process.
   */
  local: () => part(
    [
      "AWS_REGION", "DAYBOOK_PUBLIC_URL", "DAYBOOK_LINK_KEY", "DAYBOOK_VAULT_KEY_FILE", "DAYBOOK_OUTBOX_DIR", ...APP_CREDENTIALS,
      "SQUARE_WEBHOOK_SIGNATURE_KEY", "CLOVER_WEBHOOK_AUTH_CODE", ...PROVIDER_HOSTS_REQUIRED,
    ],
    [...PROVIDER_HOSTS, "SQUARE_AUTHORIZE_BASE_URL", "SQUARE_WEBHOOK_URL", "QUICKBOOKS_AUTHORIZE_URL", "QUICKBOOKS_APP_URL", "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN"],
  ),
};

type Rule = (present: Record<string, string>) => string | undefined;

const exactlyOne = (a: SettingName, b: SettingName, service: string): Rule => (present) =>
  Object.hasOwn(present, a) === Object.hasOwn(present, b) ? `set exactly one of ${a} (${service}) and ${b} (local)` : undefined;
const bothOrNeither = (a: SettingName, b: SettingName): Rule => (present) =>
  Object.hasOwn(present, a) !== Object.hasOwn(present, b) ? `set both ${a} and ${b}, or neither` : undefined;
const vaultAndEmail = [exactlyOne("DAYBOOK_KMS_KEY_ID", "DAYBOOK_VAULT_KEY_FILE", "AWS"), exactlyOne("DAYBOOK_EMAIL_FROM", "DAYBOOK_OUTBOX_DIR", "SES")];

/** Settings that go together. */
const RULES: Record<keyof typeof RUNTIMES, Rule[]> = {
  // The approve and unsubscribe links need both the link key and the queue.
  api: [...vaultAndEmail, bothOrNeither("DAYBOOK_LINK_KEY", "DAYBOOK_QUEUE_URL")],
  worker: vaultAndEmail,
  scheduler: [exactlyOne("DAYBOOK_EMAIL_FROM", "DAYBOOK_OUTBOX_DIR", "SES")],
  sync: vaultAndEmail,
  backfill: [],
  payoutKeys: [],
  local: [],
};

export type Runtime = keyof typeof RUNTIMES;
export type ConfigOf<R extends Runtime> = z.output<ReturnType<(typeof RUNTIMES)[R]>>;
export type ApiConfig = ConfigOf<"api">;
export type WorkerConfig = ConfigOf<"worker">;
export type SchedulerConfig = ConfigOf<"scheduler">;
export type SyncConfig = ConfigOf<"sync">;
export type BackfillConfig = ConfigOf<"backfill">;
export type PayoutKeysConfig = ConfigOf<"payoutKeys">;
export type LocalConfig = ConfigOf<"local">;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The runtime's settings from the environment; a ConfigError saying, in plain words, what is missing or wrong. */
export function loadConfig<R extends Runtime>(runtime: R, environment: Record<string, string | undefined> = process.env): ConfigOf<R> {
  const present = Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
  // Parsed once a process: without zod's compiled fast path, which an object schema generates and
  // compiles on its first parse to speed up the ones after it (there are none).
  const result = RUNTIMES[runtime]().safeParse(present, { jitless: true });
  const sentences = [
    ...(result.success ? [] : describeSettings(result.error, present)),
    ...RULES[runtime].map((rule) => rule(present)).filter((sentence) => sentence !== undefined),
  ];
  if (!result.success || sentences.length > 0) throw new ConfigError(`${[...new Set(sentences)].join("; ")}.`);
  return result.data as ConfigOf<R>;
}

/** "DAYBOOK_TABLE is not set", "DAYBOOK_PUBLIC_URL must be https (http only for localhost)": never a value. */
function describeSettings(error: z.core.$ZodError, present: Record<string, string>): string[] {
  const unset = new Set<string>();
  const wrong: string[] = [];
  for (const issue of error.issues) {
    const name = issue.path[0];
    if (typeof name !== "string") wrong.push(issue.message);
    else if (!Object.hasOwn(present, name)) unset.add(name);
    else wrong.push(`${name} ${issue.message}`);
  }
  const names = [...unset];
  const missing = names.length === 0 ? [] : names.length === 1 ? [`${names[0]} is not set`]
    : [`${names.slice(0, -1).join(", ")} and ${names.at(-1)} are not set`];
  return [...missing, ...wrong];
}
