/**
 * The token vault and the email sender from the settings: KMS and SES on AWS, or the local key file
 * and the outbox folder off it (every runtime's config lets exactly one of each pair through).
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { ConfigOf } from "../config";
import type { EmailSender } from "../email/email";
import { createOutboxSender } from "../email/outbox";
import { createSesSender } from "../email/ses";
import { createKmsVault } from "../vault/kms";
import { createLocalVault, loadOrCreateLocalKey } from "../vault/local";
import type { TokenVault } from "../vault/vault";
import { type AwsCredentials, awsClientConfig } from "./aws";

type VaultAndEmailSettings = Pick<
  ConfigOf<"sync">,
  "AWS_REGION" | "DAYBOOK_DYNAMODB_ENDPOINT" | "DAYBOOK_KMS_ENDPOINT" | "DAYBOOK_SQS_ENDPOINT" | "DAYBOOK_SES_ENDPOINT" |
  "DAYBOOK_KMS_KEY_ID" | "DAYBOOK_VAULT_KEY_FILE" | "DAYBOOK_EMAIL_FROM" | "DAYBOOK_SES_CONFIGURATION_SET" | "DAYBOOK_OUTBOX_DIR"
>;

/** The vault, and the KMS client behind it when there is one (to destroy with the runtime). */
export async function vaultFrom(settings: VaultAndEmailSettings, options: { kms?: KMSClient; credentials?: AwsCredentials } = {}): Promise<{ vault: TokenVault; kms?: KMSClient }> {
  if (settings.DAYBOOK_KMS_KEY_ID !== undefined) {
    const kms = options.kms ?? new KMSClient(awsClientConfig(settings, "kms", options.credentials));
    return { vault: createKmsVault({ client: kms, keyId: settings.DAYBOOK_KMS_KEY_ID }), kms };
  }
  return { vault: createLocalVault(await loadOrCreateLocalKey(settings.DAYBOOK_VAULT_KEY_FILE ?? "")) };
}

/** The sender, and the SES client behind it when there is one. */
export function emailFrom(
  settings: VaultAndEmailSettings, options: { ses?: SESv2Client; credentials?: AwsCredentials; now?: () => Date } = {},
): { email: EmailSender; ses?: SESv2Client } {
  if (settings.DAYBOOK_EMAIL_FROM !== undefined) {
    const ses = options.ses ?? new SESv2Client(awsClientConfig(settings, "ses", options.credentials));
    return {
      email: createSesSender({
        client: ses, from: settings.DAYBOOK_EMAIL_FROM,
        ...(settings.DAYBOOK_SES_CONFIGURATION_SET ? { configurationSetName: settings.DAYBOOK_SES_CONFIGURATION_SET } : {}),
      }),
      ses,
    };
  }
  return { email: createOutboxSender(settings.DAYBOOK_OUTBOX_DIR ?? "", options.now ? { now: options.now } : {}) };
}
