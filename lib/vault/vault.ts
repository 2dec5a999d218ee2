/**
 * The token vault: OAuth tokens are encrypted before they reach storage, under an encryption context
 * naming merchant, provider and connection, so a ciphertext moved onto another record will not
 * decrypt. KMS in AWS; a local AES-256-GCM key for the local stack and tests.
 */
export interface EncryptionContext {
  merchantId: string;
  provider: string;
  connectionId: string;
}

export interface TokenVault {
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
}

export class VaultError extends Error {
  override name = "VaultError";
}
