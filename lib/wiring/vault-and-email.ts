/**
 * The token vault and the email sender from the settings: KMS and SES on AWS, or the local key file
 * and the outbox folder off it (every runtime's config lets exactly one of each pair through).
 *
 * On AWS each is a port made at once whose client and adapter load on its first call (lib/wiring/lazy.ts):
 * most of the web app's requests seal no token and send no email, so its Lambda does not load KMS's or
 * SES's client at start. A runtime whose every invocation uses one (the worker) hands its client in,
 * made at start; the adapter, a few lines, still loads on the first call.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { ConfigOf } from "../config";
import type { EmailSender } from "../email/email";
import { createOutboxSender } from "../email/outbox";
import { createLocalVault, loadOrCreateLocalKey } from "../vault/local";
import type { TokenVault } from "../vault/vault";
import { type AwsCredentials, awsClientConfig } from "./aws";
import { lazy } from "./lazy";

type VaultAndEmailSettings = Pick<
  ConfigOf<"sync">,
  "AWS_REGION" | "DAYBOOK_DYNAMODB_ENDPOINT" | "DAYBOOK_KMS_ENDPOINT" | "DAYBOOK_SQS_ENDPOINT" | "DAYBOOK_SES_ENDPOINT" |
  "DAYBOOK_KMS_KEY_ID" | "DAYBOOK_VAULT_KEY_FILE" | "DAYBOOK_EMAIL_FROM" | "DAYBOOK_SES_CONFIGURATION_SET" | "DAYBOOK_OUTBOX_DIR"
>;

/** The vault, and what closes the KMS client made for it (not one handed in). */
export async function vaultFrom(settings: VaultAndEmailSettings, options: { kms?: KMSClient; credentials?: AwsCredentials } = {}): Promise<{ vault: TokenVault; close: () => void }> {
  const keyId = settings.DAYBOOK_KMS_KEY_ID;
  if (keyId !== undefined) {
    const kms = lazy(async () => {
      const { createKmsVault } = await import("../vault/kms");
      const client = options.kms ?? new (await import("@aws-sdk/client-kms")).KMSClient(awsClientConfig(settings, "kms", options.credentials));
      return { client, vault: createKmsVault({ client, keyId }) };
    }, ({ client }) => {
      if (!options.kms) client.destroy();
    });
    return {
      vault: {
        encrypt: async (plaintext, context) => (await kms.get()).vault.encrypt(plaintext, context),
        decrypt: async (ciphertext, context) => (await kms.get()).vault.decrypt(ciphertext, context),
      },
      close: () => { kms.close(); },
    };
  }
  return { vault: createLocalVault(await loadOrCreateLocalKey(settings.DAYBOOK_VAULT_KEY_FILE ?? "")), close: () => undefined };
}

/** The sender, and what closes the SES client made for it (not one handed in). */
export function emailFrom(
  settings: VaultAndEmailSettings, options: { ses?: SESv2Client; credentials?: AwsCredentials; now?: () => Date } = {},
): { email: EmailSender; close: () => void } {
  const from = settings.DAYBOOK_EMAIL_FROM;
  if (from !== undefined) {
    const configurationSetName = settings.DAYBOOK_SES_CONFIGURATION_SET;
    const ses = lazy(async () => {
      const { createSesSender } = await import("../email/ses");
      const client = options.ses ?? new (await import("@aws-sdk/client-sesv2")).SESv2Client(awsClientConfig(settings, "ses", options.credentials));
      return { client, sender: createSesSender({ client, from, ...(configurationSetName ? { configurationSetName } : {}) }) };
    }, ({ client }) => {
      if (!options.ses) client.destroy();
    });
    return { email: { send: async (email) => { await (await ses.get()).sender.send(email); } }, close: () => { ses.close(); } };
  }
  return { email: createOutboxSender(settings.DAYBOOK_OUTBOX_DIR ?? "", options.now ? { now: options.now } : {}), close: () => undefined };
}
