/**
 * The token vault on AWS KMS: each token set is encrypted by KMS directly (they are far below its
 * 4 KB limit) under an encryption context naming merchant, provider and connection, so a ciphertext
 * moved onto another record will not decrypt, and CloudTrail records which connection each use was for.
 *
 * Ciphertext: `kms1.<base64 of KMS's CiphertextBlob>`.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from "@aws-sdk/client-kms";
import { type EncryptionContext, type TokenVault, VaultError } from "./vault";

const PREFIX = "kms1.";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface KmsVaultOptions {
  client: KMSClient;
  /** Key id, ARN or alias of the symmetric key. */
  keyId: string;
}

export function createKmsVault({ client, keyId }: KmsVaultOptions): TokenVault {
  return {
    async encrypt(plaintext, context) {
      const EncryptionContext = contextOf(context);
      const { CiphertextBlob } = await callKms("encrypt", () => client.send(new EncryptCommand({
        KeyId: keyId, Plaintext: Buffer.from(plaintext, "utf8"), EncryptionContext,
      })));
      if (CiphertextBlob === undefined) throw new VaultError("KMS answered Encrypt without a ciphertext");
      return PREFIX + Buffer.from(CiphertextBlob).toString("base64");
    },

    async decrypt(ciphertext, context) {
      const EncryptionContext = contextOf(context);
      const encoded = ciphertext.startsWith(PREFIX) ? ciphertext.slice(PREFIX.length) : "";
      if (!BASE64.test(encoded)) throw new VaultError("the token ciphertext is not a kms1 ciphertext");
      // KeyId too: KMS then refuses a ciphertext made under any other key, instead of using it.
      const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({
        KeyId: keyId, CiphertextBlob: Buffer.from(encoded, "base64"), EncryptionContext,
      })));
      if (Plaintext === undefined) throw new VaultError("KMS answered Decrypt without a plaintext");
      return Buffer.from(Plaintext).toString("utf8");
    },
  };
}

function contextOf(context: EncryptionContext): Record<string, string> {
  const { merchantId, provider, connectionId } = context;
  const fields = { merchantId, provider, connectionId };
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== "string" || value === "") throw new VaultError(`the encryption context needs a non-empty ${name}`);
  }
  return fields;
}

/**
 * Any KMS failure as a VaultError naming the operation and KMS's error name, never the plaintext.
 * The SDK's error is not attached as the cause, so nothing it carries can reach a log through it.
 */
async function callKms<T>(operation: "encrypt" | "decrypt", call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = error instanceof Error ? error.name : "an unknown error";
    const hint = operation === "decrypt" && (name === "InvalidCiphertextException" || name === "AccessDeniedException" || name === "IncorrectKeyException")
      ? ": it was altered, or sealed for another merchant, provider or connection, or under another key"
      : "";
    throw new VaultError(`KMS could not ${operation} the tokens (${name})${hint}`);
  }
}
