/**
 * daybook's one configuration (lib/config.ts): each setting has one name, each runtime asks for its
 * own part, and what is missing or wrong is said in plain words, never with a value.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Runtime, RUNTIMES, SETTINGS } from "../../lib/config";

const APPS = {
  SQUARE_CLIENT_ID: "sq-app", SQUARE_CLIENT_SECRET: "sq-secret-value", CLOVER_APP_ID: "CLOVERAPP", CLOVER_APP_SECRET: "cl-secret-value",
  QUICKBOOKS_CLIENT_ID: "qb-app", QUICKBOOKS_CLIENT_SECRET: "qb-secret-value",
};

/** The scheduler's settings: the tick's table and queue, and the morning digests' public URL, link key and email. */
const SCHEDULER = {
  DAYBOOK_TABLE: "daybook", DAYBOOK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/jobs.fifo", DAYBOOK_PUBLIC_URL: "https://daybook.example",
  DAYBOOK_LINK_KEY: Buffer.alloc(32, 7).toString("base64"), DAYBOOK_EMAIL_FROM: "daybook <reports@daybook.example>",
};

function failure(runtime: Runtime, environment: Record<string, string | undefined>): string {
  try {
    loadConfig(runtime, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the settings were accepted");
}

describe("the configuration", () => {
  it("says what is missing or wrong in plain words, every problem at once", () => {
    expect(failure("scheduler", {})).toBe(
      "DAYBOOK_TABLE, DAYBOOK_QUEUE_URL, DAYBOOK_PUBLIC_URL and DAYBOOK_LINK_KEY are not set; set exactly one of DAYBOOK_EMAIL_FROM (SES) and DAYBOOK_OUTBOX_DIR (local).",
    );
    expect(failure("scheduler", { ...SCHEDULER, DAYBOOK_QUEUE_URL: "a queue", DAYBOOK_DUE_SHARDS: "1000" }))
      .toBe("DAYBOOK_QUEUE_URL must be a URL, like https://example.com; DAYBOOK_DUE_SHARDS must be at most 256.");
    expect(failure("sync", { ...APPS, DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "http://daybook.example/", DAYBOOK_OUTBOX_DIR: "/tmp/outbox" })).toBe(
      "DAYBOOK_PUBLIC_URL must be https (http only for localhost); DAYBOOK_PUBLIC_URL must not end with a slash; " +
      "set exactly one of DAYBOOK_KMS_KEY_ID (AWS) and DAYBOOK_VAULT_KEY_FILE (local).",
    );
  });

  it("counts an empty variable as not set, and never repeats a value", () => {
    const message = failure("sync", { ...APPS, SQUARE_CLIENT_SECRET: "", DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "https://daybook.example", DAYBOOK_KMS_KEY_ID: "k", DAYBOOK_EMAIL_FROM: "x@y" });
    expect(message).toBe("SQUARE_CLIENT_SECRET is not set.");
    const link = failure("worker", { DAYBOOK_LINK_KEY: "c2hvcnQta2V5" });
    expect(link).toContain("DAYBOOK_LINK_KEY must be at least 32 bytes, base64-encoded");
    expect(link).not.toContain("c2hvcnQta2V5");
  });

  it("asks the scheduler for no provider's secret (only the link key its digests sign with), and the CLI's sync for what a sync needs", () => {
    expect(loadConfig("scheduler", SCHEDULER)).toEqual({ ...SCHEDULER, AWS_REGION: "us-east-1", DAYBOOK_DUE_SHARDS: 16 });
    const secrets = Object.keys(SETTINGS).filter((name) => /SECRET|AUTH_CODE|SIGNATURE_KEY|LINK_KEY|CLIENT_ID|APP_ID/.test(name));
    expect(Object.keys(RUNTIMES.scheduler().def.shape).filter((name) => secrets.includes(name))).toEqual(["DAYBOOK_LINK_KEY"]);

    const sync = failure("sync", { DAYBOOK_TABLE: "daybook" });
    const unset = ["DAYBOOK_PUBLIC_URL", ...Object.keys(APPS)];
    expect(sync).toContain(`${unset.slice(0, -1).join(", ")} and ${unset.at(-1)} are not set`);
    expect(sync).toContain("set exactly one of DAYBOOK_KMS_KEY_ID (AWS) and DAYBOOK_VAULT_KEY_FILE (local)");
    expect(sync).toContain("set exactly one of DAYBOOK_EMAIL_FROM (SES) and DAYBOOK_OUTBOX_DIR (local)");
    // Tokens sealed by KMS open in the CLI as in the worker.
    expect(loadConfig("sync", { ...APPS, DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "https://daybook.example", DAYBOOK_KMS_KEY_ID: "alias/daybook", DAYBOOK_EMAIL_FROM: "daybook <a@b.example>" }))
      .toMatchObject({ DAYBOOK_KMS_KEY_ID: "alias/daybook", QUICKBOOKS_ENVIRONMENT: "production", SQUARE_BASE_URL: "https://connect.squareup.com" });
  });

  it("has one name for Clover's stand-in host, and no default that sends every merchant to the US host", () => {
    expect(Object.keys(SETTINGS).filter((name) => name.startsWith("CLOVER_") && /URL|HOST/.test(name))).toEqual(["CLOVER_BASE_URL"]);
    const config = loadConfig("sync", { ...APPS, DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "https://daybook.example", DAYBOOK_KMS_KEY_ID: "k", DAYBOOK_EMAIL_FROM: "a@b" });
    expect(config.CLOVER_BASE_URL).toBeUndefined();
  });

  it("keeps each setting's own checks to it, though settings of a kind share one schema", () => {
    // The public URL's checks (https, no trailing slash) and the link key's (32 bytes) are its own: the other URLs and texts do not get them.
    const local = { DAYBOOK_DYNAMODB_ENDPOINT: "http://127.0.0.1:4566/", DAYBOOK_SQS_ENDPOINT: "http://moto.internal:5000/", DAYBOOK_EMAIL_FROM: "x" };
    expect(loadConfig("scheduler", { ...SCHEDULER, ...local })).toMatchObject(local);
    expect(failure("scheduler", { ...SCHEDULER, ...local, DAYBOOK_PUBLIC_URL: "http://daybook.example/", DAYBOOK_LINK_KEY: "c2hvcnQ=" })).toBe(
      "DAYBOOK_PUBLIC_URL must be https (http only for localhost); DAYBOOK_PUBLIC_URL must not end with a slash; DAYBOOK_LINK_KEY must be at least 32 bytes, base64-encoded.",
    );
    // The shared kinds still check what they check, wherever they are used, in every runtime asked for after.
    expect(failure("worker", { ...APPS, ...SCHEDULER, DAYBOOK_QUEUE_URL: "jobs", DAYBOOK_KMS_KEY_ID: "k", SQUARE_BASE_URL: "squareup" })).toBe(
      "DAYBOOK_QUEUE_URL must be a URL, like https://example.com; SQUARE_BASE_URL must be a URL, like https://example.com.",
    );
    expect(failure("backfill", { DAYBOOK_TABLE: "daybook", DAYBOOK_QUEUE_URL: "https://sqs.example/q", DAYBOOK_DYNAMODB_ENDPOINT: "dynamo" }))
      .toBe("DAYBOOK_DYNAMODB_ENDPOINT must be a URL, like https://example.com.");
  });
});
