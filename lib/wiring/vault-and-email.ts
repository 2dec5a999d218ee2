/**
 * The token vault and the email sender from settings shared by the web app and the worker: KMS and
 * SES on AWS, or the local key file and outbox folder off it (each config schema lets exactly one of
 * each pair through).
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { EmailSender } from "../email/email";
import { createOutboxSender } from "../email/outbox";
import { createSesSender } from "../email/ses";
import { createKmsVault } from "../vault/kms";
import { createLocalVault, loadOrCreateLocalKey } from "../vault/local";
import type { TokenVault } from "../vault/vault";

export interface VaultSettings {
  AWS_REGION: string;
  DAYBOOK_KMS_KEY_ID?: string | undefined;
  DAYBOOK_KMS_ENDPOINT?: string | undefined;
  DAYBOOK_VAULT_KEY_FILE?: string | undefined;
}

export interface EmailSettings {
  AWS_REGION: string;
  DAYBOOK_EMAIL_FROM?: string | undefined;
  DAYBOOK_SES_ENDPOINT?: string | undefined;
  DAYBOOK_SES_CONFIGURATION_SET?: string | undefined;
  DAYBOOK_OUTBOX_DIR?: string | undefined;
}

export async function vaultFrom(settings: VaultSettings): Promise<TokenVault> {
  if (settings.DAYBOOK_KMS_KEY_ID !== undefined) {
    const client = new KMSClient({ region: settings.AWS_REGION, ...(settings.DAYBOOK_KMS_ENDPOINT ? { endpoint: settings.DAYBOOK_KMS_ENDPOINT } : {}) });
    return createKmsVault({ client, keyId: settings.DAYBOOK_KMS_KEY_ID });
  }
  return createLocalVault(await loadOrCreateLocalKey(settings.DAYBOOK_VAULT_KEY_FILE ?? ""));
}

export function emailFrom(settings: EmailSettings): EmailSender {
  if (settings.DAYBOOK_EMAIL_FROM !== undefined) {
    const client = new SESv2Client({ region: settings.AWS_REGION, ...(settings.DAYBOOK_SES_ENDPOINT ? { endpoint: settings.DAYBOOK_SES_ENDPOINT } : {}) });
    return createSesSender({
      client, from: settings.DAYBOOK_EMAIL_FROM,
      ...(settings.DAYBOOK_SES_CONFIGURATION_SET ? { configurationSetName: settings.DAYBOOK_SES_CONFIGURATION_SET } : {}),
    });
  }
  return createOutboxSender(settings.DAYBOOK_OUTBOX_DIR ?? "");
}
