/**
 * App client secrets on AWS: the stack passes each function the *name* of an SSM SecureString
 * parameter (`<VARIABLE>_PARAMETER`), never the value, and the function reads them once at cold start.
 * `withSecretsFromSsm` fills `<VARIABLE>` from its parameter, so the same config schemas
 * (lib/config.ts) validate the secrets whether they came from SSM (AWS) or the environment (locally).
 *
 * The parameters are created by an operator (`aws ssm put-parameter --type SecureString`), not by the
 * stack: CloudFormation cannot create SecureString parameters, and a value in a template would be
 * plain text in it.
 *
 * One GetParameters call on the SDK's SSM client (every secret fits in one: SSM takes ten names a
 * call): Powertools Parameters would make the same call through a cache and batching that a read once
 * per container never uses, and load its own code and Powertools commons at every cold start.
 */
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";

/** Each secret's environment variable and where its parameter lives under the stack's prefix. */
export const SECRET_PARAMETERS = {
  SQUARE_CLIENT_SECRET: "square/client-secret",
  SQUARE_WEBHOOK_SIGNATURE_KEY: "square/webhook-signature-key",
  CLOVER_APP_SECRET: "clover/app-secret",
  CLOVER_WEBHOOK_AUTH_CODE: "clover/webhook-auth-code",
  QUICKBOOKS_CLIENT_SECRET: "quickbooks/client-secret",
  QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: "quickbooks/webhook-verifier-token",
  /** base64, at least 32 bytes: signs approve and unsubscribe links (lib/links/signed-link.ts). */
  DAYBOOK_LINK_KEY: "link-signing-key",
} as const;

export type SecretVariable = keyof typeof SECRET_PARAMETERS;

/** SSM's GetParameters takes at most this many names a call: every secret is read in one. */
export const NAMES_PER_CALL = 10;

export const DEFAULT_SECRET_PREFIX = "/daybook";

/** The parameter's full name, e.g. `/daybook/square/client-secret`. */
export function secretParameterName(variable: SecretVariable, prefix = DEFAULT_SECRET_PREFIX): string {
  return `${prefix}/${SECRET_PARAMETERS[variable]}`;
}

/** The variable that carries a secret's parameter name. */
export function parameterVariable(variable: SecretVariable): `${SecretVariable}_PARAMETER` {
  return `${variable}_PARAMETER`;
}

export class SecretsError extends Error {
  override name = "SecretsError";
}

/**
 * A copy of `environment` in which every secret named by a `<VARIABLE>_PARAMETER` holds its decrypted
 * value under `<VARIABLE>` (and the `_PARAMETER` variable is gone). One GetParameters round trip for
 * all of them, called once per container (a rotated secret takes effect at the next cold start).
 * Variables without a `_PARAMETER` are left as they are, so locally nothing is fetched.
 * A missing or empty parameter fails with the parameter names only; values never reach a message.
 * `client` is the SSM client to call (moto_server's in tests); without one, a client is made from
 * the environment (the function role's credentials on Lambda) and closed before this returns.
 */
export async function withSecretsFromSsm(
  environment: Record<string, string | undefined>,
  client?: SSMClient,
): Promise<Record<string, string | undefined>> {
  const wanted = new Map<string, SecretVariable>();
  for (const variable of Object.keys(SECRET_PARAMETERS) as SecretVariable[]) {
    const parameterName = environment[parameterVariable(variable)];
    if (parameterName === undefined || parameterName === "") continue;
    if (environment[variable] !== undefined) {
      throw new SecretsError(`set one of ${variable} and ${parameterVariable(variable)}, not both`);
    }
    wanted.set(parameterName, variable);
  }
  // Made whether or not anything is read, as Powertools' provider was: on Lambda every function reads
  // its secrets, and the bench's module load (run with plain variables) counts the client as Lambda does.
  const ssm = client ?? new SSMClient({});
  let fetched: Map<string, string | undefined>;
  try {
    if (wanted.size === 0) return { ...environment };
    const { Parameters = [] } = await ssm.send(new GetParametersCommand({ Names: [...wanted.keys()], WithDecryption: true }));
    fetched = new Map(Parameters.map((parameter) => [parameter.Name ?? "", parameter.Value]));
  } finally {
    if (!client) ssm.destroy();
  }
  // SSM lists names it does not have (or may not read) as InvalidParameters: missing here too.
  const missing = [...wanted.keys()].filter((name) => typeof fetched.get(name) !== "string" || fetched.get(name) === "");
  if (missing.length > 0) {
    throw new SecretsError(`SSM parameter(s) missing, empty or not readable: ${missing.join(", ")}`);
  }

  const resolvedNames = new Set([...wanted.values()].map(parameterVariable));
  return {
    ...Object.fromEntries(Object.entries(environment).filter(([name]) => !resolvedNames.has(name as `${SecretVariable}_PARAMETER`))),
    ...Object.fromEntries([...wanted].map(([parameterName, variable]) => [variable, fetched.get(parameterName)])),
  };
}
