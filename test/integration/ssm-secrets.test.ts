/**
 * lib/secrets/ssm.ts against moto_server's SSM: SecureString parameters written with the real SDK,
 * read back with decryption in one GetParameters call, as the functions do at cold start.
 */
import { randomUUID } from "node:crypto";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../lib/config";
import {
  NAMES_PER_CALL, parameterVariable, SECRET_PARAMETERS, secretParameterName, type SecretVariable, SecretsError, withSecretsFromSsm,
} from "../../lib/secrets/ssm";
import { awsClientConfig } from "../../sandbox/aws";

const ssm = new SSMClient(awsClientConfig(inject("motoEndpoint")));
// A prefix per run, so reruns against one moto_server never see each other's parameters.
const prefix = `/daybook-test-${randomUUID()}`;
const valueOf = (variable: SecretVariable) => `very-secret-${variable.toLowerCase()}-${"x".repeat(8)}`;

beforeAll(async () => {
  for (const variable of Object.keys(SECRET_PARAMETERS) as SecretVariable[]) {
    await ssm.send(new PutParameterCommand({ Name: secretParameterName(variable, prefix), Value: valueOf(variable), Type: "SecureString" }));
  }
});

afterAll(() => {
  ssm.destroy();
});

function parameterEnvironment(variables: SecretVariable[]): Record<string, string> {
  return Object.fromEntries(variables.map((variable) => [parameterVariable(variable), secretParameterName(variable, prefix)]));
}

describe("withSecretsFromSsm", () => {
  it("fills every secret named by a _PARAMETER variable with its decrypted value, and drops the name", async () => {
    // All of them in one GetParameters call.
    expect(Object.keys(SECRET_PARAMETERS).length).toBeLessThanOrEqual(NAMES_PER_CALL);
    const variables = Object.keys(SECRET_PARAMETERS) as SecretVariable[];
    const resolved = await withSecretsFromSsm({ DAYBOOK_TABLE: "daybook", ...parameterEnvironment(variables) }, ssm);
    for (const variable of variables) {
      expect(resolved[variable]).toBe(valueOf(variable));
      expect(resolved).not.toHaveProperty(parameterVariable(variable));
    }
    expect(resolved.DAYBOOK_TABLE).toBe("daybook");
  });

  it("gives the web config what it validates, as the API function does at cold start", async () => {
    const resolved = await withSecretsFromSsm({
      DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "https://daybook.example", DAYBOOK_KMS_KEY_ID: "alias/tokens",
      DAYBOOK_EMAIL_FROM: "daybook <no-reply@daybook.example>",
      SQUARE_CLIENT_ID: "sq-id", CLOVER_APP_ID: "clover-id", QUICKBOOKS_CLIENT_ID: "qb-id",
      ...parameterEnvironment(["SQUARE_CLIENT_SECRET", "SQUARE_WEBHOOK_SIGNATURE_KEY", "CLOVER_APP_SECRET", "CLOVER_WEBHOOK_AUTH_CODE", "QUICKBOOKS_CLIENT_SECRET"]),
    }, ssm);
    const config = loadConfig("api", resolved);
    expect(config.SQUARE_CLIENT_SECRET).toBe(valueOf("SQUARE_CLIENT_SECRET"));
    expect(config.CLOVER_WEBHOOK_AUTH_CODE).toBe(valueOf("CLOVER_WEBHOOK_AUTH_CODE"));
  });

  it("fetches nothing when the secrets are in the environment already (local runs)", async () => {
    // A client whose every call fails: reaching SSM at all would fail the test.
    const unreachable = new SSMClient({ ...awsClientConfig("http://127.0.0.1:9"), maxAttempts: 1 });
    const environment = { SQUARE_CLIENT_SECRET: "local-secret" };
    expect(await withSecretsFromSsm(environment, unreachable)).toEqual(environment);
  });

  it("names missing parameters, and only their names", async () => {
    const missingName = `${prefix}/not-there`;
    const error = await withSecretsFromSsm({
      ...parameterEnvironment(["SQUARE_CLIENT_SECRET"]),
      [parameterVariable("CLOVER_APP_SECRET")]: missingName,
    }, ssm).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretsError);
    const message = (error as SecretsError).message;
    expect(message).toContain(missingName);
    expect(message).not.toContain(secretParameterName("SQUARE_CLIENT_SECRET", prefix));
    expect(message).not.toContain("very-secret");
  });

  it("refuses a secret given both ways", async () => {
    await expect(withSecretsFromSsm({ SQUARE_CLIENT_SECRET: "local", ...parameterEnvironment(["SQUARE_CLIENT_SECRET"]) }, ssm))
      .rejects.toThrow(/set one of SQUARE_CLIENT_SECRET and SQUARE_CLIENT_SECRET_PARAMETER/);
  });
});
