/**
 * The api's Lambda bundle (infra/bundle.ts, as the stack deploys it) run as Lambda runs it: imported in
 * a process of its own with the function's environment (AWS_LAMBDA_FUNCTION_NAME set, so the clients
 * take the role's credentials from the environment), its AWS services on moto_server, and invoked with
 * a function URL event. SES's client is not in what the entry loads at start (test/unit/cdk-stack.test.ts):
 * here its chunk loads on the sign-in and the email really goes out through SES. The API's OpenAPI
 * document, generated ahead of time (lib/api/openapi.ts), is served from the chunk of its own it loads.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { awsClientConfig, createSender, createTestTable, sentTo } from "../../sandbox/aws";
import { OPENAPI_DOCUMENT_FILE } from "../../lib/api/openapi";
import { withServer } from "../../lib/api/routes";
import { builtBundle, copyOfBundle } from "../support/bundles";

const PUBLIC = "https://daybook.test";

/** Imports the bundle, hands the handler each event in turn, prints each answer's status and body on a line of its own (the logs go to stdout too). */
const INVOKER = `const { handler } = await import(process.argv[1]);
const answers = [];
for (const event of JSON.parse(process.argv[2])) {
  const answer = await handler(event, { awsRequestId: "test", getRemainingTimeInMillis: () => 30000 });
  answers.push({ statusCode: answer.statusCode, body: answer.body });
}
process.stdout.write("\\nANSWERS " + JSON.stringify(answers) + "\\n");
process.exit(0);`;

function functionUrlEvent(method: string, path: string, form?: Record<string, string>) {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return {
    version: "2.0", routeKey: "$default", rawPath: path, rawQueryString: "",
    headers: { host: "daybook.test", ...(form ? { origin: PUBLIC, "content-type": "application/x-www-form-urlencoded" } : {}) },
    requestContext: {
      domainName: "daybook.test", requestId: "test", routeKey: "$default", stage: "$default", time: new Date().toUTCString(), timeEpoch: Date.now(),
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
    },
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
  };
}

function invoke(entry: string, environment: Record<string, string>, events: unknown[]): Promise<{ statusCode: number; body: string }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", INVOKER, pathToFileURL(entry).href, JSON.stringify(events)], {
      env: { PATH: process.env["PATH"] ?? "", ...environment }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString("utf8"); });
    child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString("utf8"); });
    child.on("error", reject);
    child.on("close", (code) => {
      const answers = out.split("\n").find((line) => line.startsWith("ANSWERS "));
      if (code !== 0 || answers === undefined) reject(new Error(`the bundle exited ${String(code)}: ${err.split("\n").filter((line) => line.length < 400).slice(-5).join(" | ")}`));
      else resolve(JSON.parse(answers.slice("ANSWERS ".length)) as { statusCode: number; body: string }[]);
    });
  });
}

describe("the api's Lambda bundle, run as Lambda runs it", () => {
  const endpoint = inject("motoEndpoint");
  let folder = "";
  const dynamo = new DynamoDBClient(awsClientConfig(endpoint));
  const kms = new KMSClient(awsClientConfig(endpoint));
  const ses = new SESv2Client(awsClientConfig(endpoint));

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "daybook-bundle-"));
  });
  afterAll(async () => {
    dynamo.destroy();
    kms.destroy();
    ses.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  it("loads SES's client on the sign-in and sends the link through SES; serves the committed OpenAPI document", async () => {
    const bundle = copyOfBundle(builtBundle("api"), join(folder, "api"));
    const table = await createTestTable(dynamo);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }));
    const from = await createSender(ses);
    const email = `bundle-${String(Date.now())}@example.com`;
    const environment = {
      AWS_LAMBDA_FUNCTION_NAME: "daybook-api", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing",
      DAYBOOK_TABLE: table, DAYBOOK_PUBLIC_URL: PUBLIC, DAYBOOK_KMS_KEY_ID: KeyMetadata?.KeyId ?? "", DAYBOOK_EMAIL_FROM: from,
      DAYBOOK_DYNAMODB_ENDPOINT: endpoint, DAYBOOK_KMS_ENDPOINT: endpoint, DAYBOOK_SES_ENDPOINT: endpoint, DAYBOOK_SQS_ENDPOINT: endpoint,
      SQUARE_CLIENT_ID: "sq-app", SQUARE_CLIENT_SECRET: "sq-secret", SQUARE_WEBHOOK_SIGNATURE_KEY: "sq-key",
      CLOVER_APP_ID: "CLOVERAPP", CLOVER_APP_SECRET: "cl-secret", CLOVER_WEBHOOK_AUTH_CODE: "cl-auth",
      QUICKBOOKS_CLIENT_ID: "qb-app", QUICKBOOKS_CLIENT_SECRET: "qb-secret", QUICKBOOKS_ENVIRONMENT: "sandbox",
      POWERTOOLS_DEV: "false", POWERTOOLS_METRICS_NAMESPACE: "daybook",
    };

    const [page, signIn, openApi] = await invoke(join(bundle.outdir, bundle.entry), environment, [
      functionUrlEvent("GET", "/sign-in"),
      functionUrlEvent("POST", "/sign-in", { email }),
      functionUrlEvent("GET", "/api/v1/openapi.json"),
    ]);
    expect(page?.statusCode).toBe(200);
    expect(signIn?.statusCode, signIn?.body.slice(0, 300)).toBe(200);
    const [sent] = await sentTo(endpoint, email);
    expect(sent?.source).toBe(from);
    expect(sent?.body).toMatch(/sign-in\/confirm/);
    expect(openApi?.statusCode, openApi?.body.slice(0, 300)).toBe(200);
    const committed = JSON.parse(await readFile(OPENAPI_DOCUMENT_FILE, "utf8")) as Record<string, unknown>;
    expect(JSON.parse(openApi?.body ?? "")).toEqual(withServer(committed, PUBLIC));
  }, 120_000);
});
