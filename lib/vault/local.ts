/**
 * The local token vault (local stack and tests, in place of KMS): AES-256-GCM under a key file, the
 * encryption context bound as additional authenticated data, so a ciphertext moved onto another
 * merchant, provider or connection fails to decrypt just as it would under KMS.
 *
 * Ciphertext: `v1.<iv>.<tag>.<ciphertext>`, each part base64url; a fresh 12-byte IV per encryption.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type EncryptionContext, type TokenVault, VaultError } from "./vault";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function createLocalVault(key: Buffer): TokenVault {
  if (key.length !== KEY_BYTES) throw new VaultError(`the local vault key must be ${KEY_BYTES} bytes, got ${key.length}`);
  const secret = Buffer.from(key);
  return {
    encrypt: (plaintext, context) => new Promise((resolve) => { resolve(seal(secret, plaintext, context)); }),
    decrypt: (ciphertext, context) => new Promise((resolve) => { resolve(open(secret, ciphertext, context)); }),
  };
}

/** The context as bytes, the same whatever order its fields were written in. */
function additionalData(context: EncryptionContext): Buffer {
  const { merchantId, provider, connectionId } = context;
  for (const [name, value] of Object.entries({ merchantId, provider, connectionId })) {
    if (typeof value !== "string" || value === "") throw new VaultError(`the encryption context needs a non-empty ${name}`);
  }
  return Buffer.from(JSON.stringify({ connectionId, merchantId, provider }), "utf8");
}

function seal(key: Buffer, plaintext: string, context: EncryptionContext): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, ...[iv, cipher.getAuthTag(), body].map((part) => part.toString("base64url"))].join(".");
}

function open(key: Buffer, ciphertext: string, context: EncryptionContext): string {
  const aad = additionalData(context);
  const parts = ciphertext.split(".");
  const malformed = new VaultError(`the token ciphertext is not a ${VERSION} local-vault ciphertext`);
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.every((part) => BASE64URL.test(part))) throw malformed;
  const [iv, tag, body] = parts.slice(1).map((part) => Buffer.from(part, "base64url"));
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || body === undefined) throw malformed;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    // Node only says "unable to authenticate data"; name the likely causes, never the plaintext.
    throw new VaultError("the token ciphertext does not decrypt: it was altered, or sealed for another merchant, provider or connection, or under another key");
  }
}

/**
 * The local key, from `path`; a new random one is written there (mode 0600, folder 0700) when the
 * file does not exist. The file holds the key in base64.
 */
export async function loadOrCreateLocalKey(path: string): Promise<Buffer> {
  try {
    return parseKeyFile(await readFile(path, "utf8"), path);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    // "wx": never overwrite a key another process wrote a moment ago; its tokens would be lost.
    await writeFile(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
    return parseKeyFile(await readFile(path, "utf8"), path);
  }
}

function parseKeyFile(text: string, path: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, "base64");
  if (!/^[A-Za-z0-9+/]+=*$/.test(trimmed) || key.length !== KEY_BYTES) {
    throw new VaultError(`${path} does not hold a ${KEY_BYTES}-byte key in base64; move it away to have a new key made (tokens sealed under the old one will need reconnecting)`);
  }
  return key;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
