/**
 * The one rule for every AWS client daybook makes: the configured region, and the service's own
 * endpoint setting when there is one (moto_server, the local stack's dynalite), AWS's otherwise.
 * Credentials come from where the AWS SDK looks (the Lambda role, the environment) unless given.
 * Only the compose functions call it, each for the clients its runtime uses, so a Lambda bundle holds
 * only the clients its function needs.
 */
import type { ConfigOf } from "../config";

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
  credentials?: AwsCredentials;
}

export function awsClientConfig(settings: AwsSettings, service: AwsService, credentials?: AwsCredentials): AwsClientConfig {
  const endpoint = settings[ENDPOINT[service]];
  return { region: settings.AWS_REGION, ...(endpoint !== undefined ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
}
