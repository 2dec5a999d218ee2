/**
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles (infra/bundle.ts): on Lambda
 * the function role's credentials are in the environment, so the default chain's other sources (SSO,
 * ini files, credential processes, web identity, the instance metadata service) are dead weight.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
