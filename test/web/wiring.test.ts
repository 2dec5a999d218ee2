/**
 * The web settings and the wiring functions/api.ts uses: loadConfig("api") refuses what cannot work with a
 * sentence naming the setting (never its value), and composeApi builds an app that signs in and
 * connects with real clients: DynamoDB and KMS on moto_server, the outbox, the Square simulator.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config";
import { createApp } from "../../lib/web/app";
import { composeApi } from "../../lib/wiring/api";
import { SECRET_MARKER } from "../../sandbox/secret-token";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";
import { answerConsentPage } from "./world";

/** The web app's deps as functions/api.ts composes them. */
const composeDeps = async (config: Parameters<typeof composeApi>[0], log: Parameters<typeof composeApi>[1]["log"]) => (await composeApi(config, { log })).deps;

const PUBLIC = "https://daybook.test";

function environment(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DAYBOOK_TABLE: "daybook-table",
    DAYBOOK_PUBLIC_URL: PUBLIC,
    DAYBOOK_KMS_KEY_ID: "alias/daybook-tokens",
    DAYBOOK_EMAIL_FROM: "daybook <no-reply@daybook.test>",
    SQUARE_CLIENT_ID: "sq-app", SQUARE_CLIENT_SECRET: `sq-${SECRET_MARKER}`, SQUARE_WEBHOOK_SIGNATURE_KEY: `sqkey-${SECRET_MARKER}`,
    CLOVER_APP_ID: "CLOVERAPP", CLOVER_APP_SECRET: `cl-${SECRET_MARKER}`, CLOVER_WEBHOOK_AUTH_CODE: `clauth-${SECRET_MARKER}`,
    QUICKBOOKS_CLIENT_ID: "qb-app", QUICKBOOKS_CLIENT_SECRET: `qb-${SECRET_MARKER}`,
    ...overrides,
  };
}

function configError(overrides: Record<string, string | undefined>): string {
  try {
    loadConfig("api", environment(overrides));
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("the web app's settings (loadConfig(\"api\"))", () => {
  it("reads the web's settings with their defaults", () => {
    const config = loadConfig("api", environment());
    expect(config).toMatchObject({ AWS_REGION: "us-east-1", SQUARE_BASE_URL: "https://connect.squareup.com", QUICKBOOKS_ENVIRONMENT: "production" });
  });

  it("names what is wrong, never a secret's value", () => {
    expect(configError({ SQUARE_CLIENT_SECRET: undefined })).toContain("SQUARE_CLIENT_SECRET");
    expect(configError({ DAYBOOK_VAULT_KEY_FILE: "/tmp/key" })).toContain("exactly one of DAYBOOK_KMS_KEY_ID (AWS) and DAYBOOK_VAULT_KEY_FILE (local)");
    expect(configError({ DAYBOOK_EMAIL_FROM: undefined })).toContain("exactly one of DAYBOOK_EMAIL_FROM (SES) and DAYBOOK_OUTBOX_DIR (local)");
    expect(configError({ DAYBOOK_PUBLIC_URL: "http://daybook.example" })).toContain("must be https");
    expect(configError({ DAYBOOK_PUBLIC_URL: `${PUBLIC}/` })).toContain("must not end with a slash");
    expect(configError({ SQUARE_BASE_URL: `not a url ${SECRET_MARKER}` })).not.toContain(SECRET_MARKER);
  });

  it("allows http for localhost only", () => {
    expect(loadConfig("api", environment({ DAYBOOK_PUBLIC_URL: "http://localhost:3000" })).DAYBOOK_PUBLIC_URL).toBe("http://localhost:3000");
  });
});

describe("composeApi", () => {
  const endpoint = inject("motoEndpoint");
  let square: SquareSimulator;
  let outbox = "";
  const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };

  beforeAll(async () => {
    square = await startSquareSimulator({ redirectUris: [`${PUBLIC}/connect/square/callback`] });
    square.addMerchant({ merchantId: "SQWIRING01", locations: [{ id: "L1", name: "Shop", timezone: "UTC", currency: "USD" }] });
    outbox = await mkdtemp(join(tmpdir(), "daybook-wiring-"));
    // The wiring's clients take credentials from the environment, as on Lambda; moto accepts any.
    process.env["AWS_ACCESS_KEY_ID"] = "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
  });
  afterAll(async () => {
    process.env["AWS_ACCESS_KEY_ID"] = saved.id;
    process.env["AWS_SECRET_ACCESS_KEY"] = saved.secret;
    if (saved.id === undefined) delete process.env["AWS_ACCESS_KEY_ID"];
    if (saved.secret === undefined) delete process.env["AWS_SECRET_ACCESS_KEY"];
    await square.close();
    await rm(outbox, { recursive: true, force: true });
  });

  it("signs in and connects Square with the DynamoDB stores and the KMS vault", async () => {
    const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
    const kms = new KMSClient(awsClientConfig(endpoint));
    const table = await createTestTable(dynamo);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }));
    const config = loadConfig("api", environment({
      DAYBOOK_TABLE: table, DAYBOOK_DYNAMODB_ENDPOINT: endpoint, DAYBOOK_KMS_KEY_ID: KeyMetadata?.KeyId, DAYBOOK_KMS_ENDPOINT: endpoint,
      DAYBOOK_EMAIL_FROM: undefined, DAYBOOK_OUTBOX_DIR: outbox,
      SQUARE_CLIENT_ID: square.applicationId, SQUARE_CLIENT_SECRET: square.applicationSecret, SQUARE_BASE_URL: square.url,
    }));
    const deps = await composeDeps(config, () => undefined);
    expect(deps.webhooks.squareNotificationUrl).toBe(`${PUBLIC}/webhooks/square`);
    const app = createApp(deps);
    let cookie = "";
    const send = async (method: string, path: string, form?: Record<string, string>) => {
      const response = await app.request(`${PUBLIC}${path}`, {
        method,
        headers: { ...(cookie ? { Cookie: cookie } : {}), ...(form ? { Origin: PUBLIC, "Content-Type": "application/x-www-form-urlencoded" } : {}) },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      const set = response.headers.getSetCookie()[0];
      if (set) cookie = set.split(";")[0]!;
      return response;
    };

    expect((await send("POST", "/sign-in", { email: "wiring@example.com" })).status).toBe(200);
    const [file] = (await readdir(outbox)).filter((name) => name.endsWith(".eml"));
    const token = /token=([A-Za-z0-9_-]{43})/.exec(await readFile(join(outbox, file!), "utf8"))?.[1];
    expect((await send("POST", "/sign-in/confirm", { token: token! })).status).toBe(303);
    const formToken = /name="form_token" value="([0-9a-f]{64})"/.exec(await (await send("GET", "/connections")).text())?.[1];
    const started = await send("POST", "/connect/square", { form_token: formToken! });
    expect(started.status).toBe(303);
    const callback = await answerConsentPage(started.headers.get("Location")!, "approve");
    expect((await send("GET", callback)).status).toBe(303);

    const merchant = await deps.store.findMerchantByEmail("wiring@example.com");
    const [connection] = await deps.store.listConnections(merchant!.merchantId);
    expect(connection?.tokenCiphertext.startsWith("kms3.")).toBe(true);
    dynamo.destroy();
    kms.destroy();
  });
});
