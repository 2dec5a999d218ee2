/**
 * The one rule for every AWS client daybook makes: the configured region, and the service's own
 * endpoint setting when there is one (moto_server, the local stack's dynalite), AWS's otherwise.
 * Credentials: those given (moto_server, dynalite); on Lambda, the function role's, which Lambda puts
 * in the environment (fromEnv; the bundles leave the rest of the SDK's provider chain out: infra/bundle.ts);
 * elsewhere, where the AWS SDK's default chain looks.
 * Only the compose functions call it, each for the clients its runtime uses, so a Lambda bundle holds
 * only the clients its function needs.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { fromEnv } from "@aws-sdk/credential-provider-env";
import type { ConfigOf } from "../config";
import { type Lazy, lazy } from "./lazy";

export type AwsService = "dynamodb" | "kms" | "sqs" | "ses";

/** Static credentials: for moto_server and dynalite, which check none. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The settings the rule reads: every runtime's config has them. */
export type AwsSettings = Pick<ConfigOf<"scheduler">, "AWS_REGION" | "DAYBOOK_DYNAMODB_ENDPOINT" | "DAYBOOK_KMS_ENDPOINT" | "DAYBOOK_SQS_ENDPOINT" | "DAYBOOK_SES_ENDPOINT">;

const ENDPOINT: Record<AwsService, keyof AwsSettings> = {
  dynamodb: "DAYBOOK_DYNAMODB_ENDPOINT",
  kms: "DAYBOOK_KMS_ENDPOINT",
  sqs: "DAYBOOK_SQS_ENDPOINT",
  ses: "DAYBOOK_SES_ENDPOINT",
};

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentials | ReturnType<typeof fromEnv>;
}

/** Lambda sets AWS_LAMBDA_FUNCTION_NAME in every function's environment, beside the role's credentials. */
const onLambda = (): boolean => process.env["AWS_LAMBDA_FUNCTION_NAME"] !== undefined;

export function awsClientConfig(settings: AwsSettings, service: AwsService, credentials?: AwsCredentials): AwsClientConfig {
  const endpoint = settings[ENDPOINT[service]];
  const chosen = credentials ?? (onLambda() ? fromEnv() : undefined);
  return { region: settings.AWS_REGION, ...(endpoint !== undefined ? { endpoint } : {}), ...(chosen ? { credentials: chosen } : {}) };
}

/**
 * The SQS client for a runtime whose invocations mostly send nothing (the web app queues only approvals
 * and backfills, the worker only a failed job's visibility change): the one handed in, or one made on
 * first use (lib/wiring/lazy.ts), so the Lambda loads SQS's client on the path that sends.
 */
export function lazySqsClient(settings: AwsSettings, handed: SQSClient | undefined, credentials?: AwsCredentials): Lazy<SQSClient> {
  return lazy(async () => handed ?? new (await import("./on-demand/sqs")).SQSClient(awsClientConfig(settings, "sqs", credentials)), (client) => {
    if (!handed) client.destroy();
  });
}
