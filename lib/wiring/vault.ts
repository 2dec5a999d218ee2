/**
 * The token vault from the settings: KMS on AWS, or the local key file off it (every runtime's config
 * lets exactly one through). On AWS it is a port made at once whose KMS client and adapter load on its
 * first call (lib/wiring/lazy.ts): most of the web app's requests seal no token, so its Lambda does not
 * load KMS's client at start. A runtime whose every invocation uses it (the worker) hands its client in,
 * made at start; the adapter, a few lines, still loads on the first call. The local key file's vault
 * loads only where it is used, off AWS.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { ConfigOf } from "../config";
import type { TokenVault } from "../vault/vault";
import { type AwsCredentials, type AwsSettings, awsClientConfig } from "./aws";
import { lazy } from "./lazy";

type VaultSettings = AwsSettings & Pick<ConfigOf<"sync">, "DAYBOOK_KMS_KEY_ID" | "DAYBOOK_VAULT_KEY_FILE">;

/** The vault, and what closes the KMS client made for it (not one handed in). */
export async function vaultFrom(settings: VaultSettings, options: { kms?: KMSClient; credentials?: AwsCredentials } = {}): Promise<{ vault: TokenVault; close: () => void }> {
  const keyId = settings.DAYBOOK_KMS_KEY_ID;
  if (keyId !== undefined) {
    const kms = lazy(async () => {
      const { createKmsVault, KMSClient } = await import("./on-demand/kms");
      const client = options.kms ?? new KMSClient(awsClientConfig(settings, "kms", options.credentials));
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
  // Off AWS only (the local stack, the tests): not in the Lambda functions' start.
  const { createLocalVault, loadOrCreateLocalKey } = await import("../vault/local");
  return { vault: createLocalVault(await loadOrCreateLocalKey(settings.DAYBOOK_VAULT_KEY_FILE ?? "")), close: () => undefined };
}
