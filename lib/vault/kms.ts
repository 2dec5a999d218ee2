/**
 * The token vault on AWS KMS, by envelope encryption: tokens are sealed with AES-256-GCM under a data key
 * that KMS generated (GenerateDataKey) for one merchant, under the encryption context {merchantId}, and
 * the data key is stored beside them as KMS encrypted it. The cipher binds the whole context (merchant,
 * provider, connection) and the data key's month as additional data, so a ciphertext moved onto another
 * record will not decrypt: onto another merchant's, KMS refuses the data key; onto another connection or
 * provider of the same merchant, the cipher's tag does not verify. CloudTrail records which merchant each
 * use was for.
 *
 * Why a data key per merchant, not per connection (as kms2 had): a night opens both of a merchant's
 * connections (its POS's and QuickBooks') and each opening was a KMS Decrypt. A data key a decrypt or a
 * seal opened is kept for a few minutes, and while kept it opens any ciphertext carrying it (for that
 * merchant only: the kept key is found by merchant and by the data key's bytes) and seals that merchant's
 * new tokens: QuickBooks' nightly refresh seals under the key the night opened first (its POS tokens'),
 * so from the next night both connections carry one data key and a night makes one Decrypt. Why not KMS
 * Encrypt of the tokens themselves, as kms1: each refresh would be a Decrypt and an Encrypt. A data key
 * seals in one calendar month (UTC) at most, so KMS key rotation reaches every merchant whose tokens are
 * used within a month of it: a seal in a later month asks KMS for a new data key.
 *
 * Ciphertext: `kms3.<month>.<data key as KMS encrypted it>.<iv>.<tag>.<body>`, each binary part base64,
 * the month `YYYY-MM`. Still read: `kms2.` (the same layout, a data key per connection under the context
 * {merchant, provider, connection}) and `kms1.<base64>` (KMS Encrypt of the tokens); both are sealed
 * again as kms3 at their next refresh.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { type EncryptionContext, type TokenVault, VaultError } from "./vault";

const V1 = "kms1.";
const V2 = "kms2";
const V3 = "kms3";
const NOT_OURS = "the token ciphertext is not a kms1, kms2 or kms3 ciphertext";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MONTH = /^\d{4}-\d{2}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** How long a data key a decrypt or a seal opened stays usable: a night's jobs come within it. */
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
  merchantId: string;
  plaintext: Buffer;
  /** As KMS encrypted it: what the ciphertext carries. */
  encrypted: Buffer;
  month: string;
  keptUntil: number;
  /** The connections whose tokens it opened or sealed here (canonical contexts). */
  usedFor: Set<string>;
}

export function createKmsVault({ client, keyId, now = () => new Date() }: KmsVaultOptions): TokenVault {
  /** Data keys opened or made, by merchant and encrypted bytes: each opens that merchant's ciphertexts only. */
  const kept = new Map<string, DataKey>();
  /** Decrypts of data keys in flight, by the same name: callers at once share one KMS request. */
  const opening = new Map<string, Promise<DataKey>>();

  const nameOf = (merchantId: string, encrypted: Buffer) => JSON.stringify([merchantId, encrypted.toString("base64")]);

  function keep(name: string, key: Omit<DataKey, "keptUntil">): DataKey {
    forget(name);
    const entry = { ...key, keptUntil: now().getTime() + KEPT_MS };
    kept.set(name, entry);
    while (kept.size > KEPT_AT_MOST) forget(kept.keys().next().value as string);
    return entry;
  }

  function forget(name: string): void {
    kept.get(name)?.plaintext.fill(0);
    kept.delete(name);
  }

  const fresh = (key: DataKey | undefined): key is DataKey => key !== undefined && key.keptUntil > now().getTime();

  /** Past its minutes a data key is wiped from memory, not only left unused. */
  function forgetExpired(): void {
    for (const [name, key] of kept) if (!fresh(key)) forget(name);
  }

  /**
   * The data key to seal a connection's new tokens under: a kept key of the merchant's from this month,
   * preferably one that opened another of its connections (so a refresh joins the key of the tokens it
   * does not rewrite, whatever order the night opened them in); else a new one.
   */
  async function dataKeyToSeal(merchantId: string, connection: string, month: string): Promise<DataKey> {
    forgetExpired();
    const candidates = [...kept.values()].filter((key) => fresh(key) && key.merchantId === merchantId && key.month === month);
    const chosen = candidates.find((key) => [...key.usedFor].some((used) => used !== connection)) ?? candidates[0];
    if (chosen) {
      chosen.usedFor.add(connection);
      return chosen;
    }
    const generated = await callKms("encrypt", () => client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { merchantId } })));
    if (generated.Plaintext?.length !== KEY_BYTES || generated.CiphertextBlob === undefined) throw new VaultError("KMS answered GenerateDataKey without a data key");
    const encrypted = Buffer.from(generated.CiphertextBlob);
    return keep(nameOf(merchantId, encrypted), { merchantId, plaintext: Buffer.from(generated.Plaintext), encrypted, month, usedFor: new Set([connection]) });
  }

  async function dataKeyToOpen(merchantId: string, connection: string, encrypted: Buffer, month: string): Promise<DataKey> {
    forgetExpired();
    const name = nameOf(merchantId, encrypted);
    const found = kept.get(name);
    let key: DataKey;
    if (fresh(found)) {
      key = found;
    } else {
      let pending = opening.get(name);
      if (!pending) {
        pending = (async () => {
          // KeyId too: KMS then refuses a data key made under any other key, instead of using it.
          const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: encrypted, EncryptionContext: { merchantId } })));
          if (Plaintext?.length !== KEY_BYTES) throw new VaultError("KMS answered Decrypt without a data key");
          return keep(name, { merchantId, plaintext: Buffer.from(Plaintext), encrypted, month, usedFor: new Set() });
        })().finally(() => opening.delete(name));
        opening.set(name, pending);
      }
      key = await pending;
    }
    key.usedFor.add(connection);
    return key;
  }

  return {
    async encrypt(plaintext, context) {
      const fields = contextOf(context);
      const month = monthOf(now());
      const key = await dataKeyToSeal(fields.merchantId, canonical(fields), month);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key.plaintext, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(V3, fields, month));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [V3, month, ...[key.encrypted, iv, cipher.getAuthTag(), body].map((part) => part.toString("base64"))].join(".");
    },

    async decrypt(ciphertext, context) {
      const fields = contextOf(context);
      if (ciphertext.startsWith(V1)) return decryptV1(client, keyId, ciphertext.slice(V1.length), { ...fields });
      const parts = ciphertext.split(".");
      const [version, month, ...encoded] = parts;
      if (parts.length !== 6 || (version !== V2 && version !== V3) || !MONTH.test(month ?? "") || !encoded.every((part) => BASE64.test(part))) {
        throw new VaultError(NOT_OURS);
      }
      const [encryptedKey, iv, tag, body] = encoded.map((part) => Buffer.from(part, "base64")) as [Buffer, Buffer, Buffer, Buffer];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new VaultError(NOT_OURS);
      let key: Buffer;
      if (version === V3) {
        key = (await dataKeyToOpen(fields.merchantId, canonical(fields), encryptedKey, month as string)).plaintext;
      } else {
        const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: encryptedKey, EncryptionContext: { ...fields } })));
        if (Plaintext?.length !== KEY_BYTES) throw new VaultError("KMS answered Decrypt without a data key");
        key = Buffer.from(Plaintext);
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(version, fields, month as string));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        throw new VaultError("the token ciphertext does not decrypt: it was altered, or sealed for another merchant, provider or connection");
      } finally {
        // A kms2 data key opens and seals nothing else.
        if (version === V2) key.fill(0);
      }
    },
  };
}

/** A connection's context as one string. */
function canonical(context: EncryptionContext): string {
  return JSON.stringify([context.merchantId, context.provider, context.connectionId]);
}

function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

async function decryptV1(client: KMSClient, keyId: string, encoded: string, EncryptionContext: Record<string, string>): Promise<string> {
  if (!BASE64.test(encoded)) throw new VaultError(NOT_OURS);
  const { Plaintext } = await callKms("decrypt", () => client.send(new DecryptCommand({
    KeyId: keyId, CiphertextBlob: Buffer.from(encoded, "base64"), EncryptionContext,
  })));
  if (Plaintext === undefined) throw new VaultError("KMS answered Decrypt without a plaintext");
  return Buffer.from(Plaintext).toString("utf8");
}

function contextOf(context: EncryptionContext): EncryptionContext {
  const { merchantId, provider, connectionId } = context;
  const fields: EncryptionContext = { merchantId, provider, connectionId };
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== "string" || value === "") throw new VaultError(`the encryption context needs a non-empty ${name}`);
  }
  return fields;
}

/**
 * What the cipher binds besides the tokens: the whole context and the data key's month. kms2 bound them
 * as the context's JSON and the month run together; kms3 names its version too.
 */
function additionalData(version: string, context: EncryptionContext, month: string): Buffer {
  const fields = canonical(context);
  return Buffer.from(version === V2 ? `${fields}${month}` : `${version}.${fields}.${month}`, "utf8");
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
