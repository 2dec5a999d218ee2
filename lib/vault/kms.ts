/**
 * The token vault on AWS KMS, by envelope encryption: each connection's tokens are sealed with
 * AES-256-GCM under a data key that KMS generated (GenerateDataKey) under an encryption context naming
 * merchant, provider and connection, and the data key is stored beside them as KMS encrypted it. So a
 * ciphertext moved onto another record will not decrypt (KMS refuses the data key under another context,
 * and the context is the cipher's additional data too), and CloudTrail records which connection each use
 * was for.
 *
 * Why not KMS Encrypt of the tokens themselves, as before: a connection's tokens are opened and then
 * sealed again on every refresh (QuickBooks' every night), and each was a KMS request. The data key a
 * decrypt opened is kept for a few minutes, for that context only, and a refresh's new tokens are sealed
 * under it: one Decrypt a refresh instead of a Decrypt and an Encrypt. A data key is used for one
 * calendar month (UTC) at most, so KMS key rotation reaches every connection that is used within a month
 * of it: a seal in a later month asks KMS for a new data key.
 *
 * Ciphertext: `kms2.<month>.<data key as KMS encrypted it>.<iv>.<tag>.<body>`, each binary part base64,
 * the month `YYYY-MM` (bound as additional data with the context). `kms1.<base64>` (KMS Encrypt of the
 * tokens, written before) is still read.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { type EncryptionContext, type TokenVault, VaultError } from "./vault";

const V1 = "kms1.";
const V2 = "kms2";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MONTH = /^\d{4}-\d{2}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** How long a data key a decrypt opened may seal that connection's tokens again: a job's refresh comes within it. */
const KEPT_MS = 5 * 60_000;
/** The most data keys kept at once (the oldest goes first). */
const KEPT_AT_MOST = 100;

export interface KmsVaultOptions {
  client: KMSClient;
  /** Key id, ARN or alias of the symmetric key. */
  keyId: string;
  /** The clock (tests): which month a data key is for, and how long one is kept. */
  now?: () => Date;
}

interface DataKey {
  plaintext: Buffer;
  /** As KMS encrypted it: what the ciphertext carries. */
  encrypted: Buffer;
  month: string;
  keptUntil: number;
}

export function createKmsVault({ client, keyId, now = () => new Date() }: KmsVaultOptions): TokenVault {
  /** Data keys by context, each usable for its own context only. */
  const kept = new Map<string, DataKey>();

  function keep(context: string, key: Omit<DataKey, "keptUntil">): void {
    forget(context);
    kept.set(context, { ...key, keptUntil: now().getTime() + KEPT_MS });
    while (kept.size > KEPT_AT_MOST) forget(kept.keys().next().value as string);
  }

  function forget(context: string): void {
    kept.get(context)?.plaintext.fill(0);
    kept.delete(context);
  }

  function keptFor(context: string, month: string): DataKey | undefined {
    const key = kept.get(context);
    if (key && key.month === month && key.keptUntil > now().getTime()) return key;
    forget(context);
    return undefined;
  }

  return {
    async encrypt(plaintext, context) {
      const EncryptionContext = contextOf(context);
      const name = canonical(EncryptionContext);
      const month = now().toISOString().slice(0, 7);
      let key = keptFor(name, month);
      if (!key) {
        const generated = await callKms("encrypt", () => client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext })));
        if (generated.Plaintext?.length !== KEY_BYTES || generated.CiphertextBlob === undefined) throw new VaultError("KMS answered GenerateDataKey without a data key");
        key = { plaintext: Buffer.from(generated.Plaintext), encrypted: Buffer.from(generated.CiphertextBlob), month, keptUntil: 0 };
        keep(name, key);
      }
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key.plaintext, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(name, month));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [V2, month, ...[key.encrypted, iv, cipher.getAuthTag(), body].map((part) => part.toString("base64"))].join(".");
    },

    async decrypt(ciphertext, context) {
      const EncryptionContext = contextOf(context);
      if (ciphertext.startsWith(V1)) return decryptV1(client, keyId, ciphertext.slice(V1.length), EncryptionContext);
      const parts = ciphertext.split(".");
      const [version, month, ...encoded] = parts;
      if (parts.length !== 6 || version !== V2 || !MONTH.test(month ?? "") || !encoded.every((part) => BASE64.test(part))) {
        throw new VaultError("the token ciphertext is not a kms1 or kms2 ciphertext");
      }
      const [encryptedKey, iv, tag, body] = encoded.map((part) => Buffer.from(part, "base64")) as [Buffer, Buffer, Buffer, Buffer];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new VaultError("the token ciphertext is not a kms1 or kms2 ciphertext");
      // KeyId too: KMS then refuses a data key made under any other key, instead of using it.
      const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: encryptedKey, EncryptionContext })));
      if (Plaintext?.length !== KEY_BYTES) throw new VaultError("KMS answered Decrypt without a data key");
      const key = Buffer.from(Plaintext);
      const name = canonical(EncryptionContext);
      let plaintext: string;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(name, month as string));
        decipher.setAuthTag(tag);
        plaintext = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        key.fill(0);
        throw new VaultError("the token ciphertext does not decrypt: it was altered, or sealed for another merchant, provider or connection");
      }
      keep(name, { plaintext: key, encrypted: encryptedKey, month: month as string });
      return plaintext;
    },
  };
}

async function decryptV1(client: KMSClient, keyId: string, encoded: string, EncryptionContext: Record<string, string>): Promise<string> {
  if (!BASE64.test(encoded)) throw new VaultError("the token ciphertext is not a kms1 or kms2 ciphertext");
  const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({
    KeyId: keyId, CiphertextBlob: Buffer.from(encoded, "base64"), EncryptionContext,
  })));
  if (Plaintext === undefined) throw new VaultError("KMS answered Decrypt without a plaintext");
  return Buffer.from(Plaintext).toString("utf8");
}

function contextOf(context: EncryptionContext): Record<string, string> {
  const { merchantId, provider, connectionId } = context;
  const fields = { merchantId, provider, connectionId };
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== "string" || value === "") throw new VaultError(`the encryption context needs a non-empty ${name}`);
  }
  return fields;
}

/** The context as one string, the same whatever order its fields were written in. */
function canonical(context: Record<string, string>): string {
  return JSON.stringify([context["merchantId"], context["provider"], context["connectionId"]]);
}

/** What the cipher binds besides the tokens: the context and the data key's month. */
function additionalData(context: string, month: string): Buffer {
  return Buffer.from(`${context}${month}`, "utf8");
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
