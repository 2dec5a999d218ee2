import { CreateKeyCommand, DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKmsVault } from "../../lib/vault/kms";
import { type EncryptionContext, type TokenVault, VaultError } from "../../lib/vault/vault";
import { awsClientConfig } from "../../sandbox/aws";

const SECRET = '{"accessToken":"eyJ-very-secret-access","refreshToken":"AB11-very-secret-refresh"}';
const CONTEXT: EncryptionContext = { merchantId: "m-1", provider: "quickbooks", connectionId: "c-1" };

const kms = new KMSClient(awsClientConfig(inject("motoEndpoint")));
let keyId = "";
let vault: TokenVault;
let otherKeyVault: TokenVault;

async function createKey(): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Description: "daybook test tokens" }));
  if (KeyMetadata?.KeyId === undefined) throw new Error("moto created no key");
  return KeyMetadata.KeyId;
}

beforeAll(async () => {
  keyId = await createKey();
  vault = createKmsVault({ client: kms, keyId });
  otherKeyVault = createKmsVault({ client: kms, keyId: await createKey() });
});

afterAll(() => {
  kms.destroy();
});

/** The vault's error, checked to say nothing of the tokens. */
async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(VaultError);
  const message = (error as VaultError).message;
  for (const fragment of ["very-secret", "eyJ", "AB11", SECRET]) expect(message).not.toContain(fragment);
  expect((error as VaultError).cause).toBeUndefined();
  return error as VaultError;
}

describe("the KMS vault", () => {
  it("decrypts what it encrypted, under the same context in any field order", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    expect(ciphertext).toMatch(/^kms1\.[A-Za-z0-9+/]+=*$/);
    expect(await vault.decrypt(ciphertext, { connectionId: "c-1", provider: "quickbooks", merchantId: "m-1" })).toBe(SECRET);
    expect(await vault.decrypt(await vault.encrypt("café ☕ 東京", CONTEXT), CONTEXT)).toBe("café ☕ 東京");
  });

  it("never carries the plaintext in the ciphertext, as text or as bytes", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    expect(ciphertext).not.toContain("secret");
    const blob = Buffer.from(ciphertext.slice("kms1.".length), "base64");
    for (const fragment of ["very-secret", "eyJ", "AB11"]) expect(blob.includes(Buffer.from(fragment))).toBe(false);
    // A fresh nonce each time: the same tokens never give the same ciphertext.
    expect(await vault.encrypt(SECRET, CONTEXT)).not.toBe(ciphertext);
  });

  // moto binds the encryption context as AES-GCM additional data, so this is its check, not ours.
  it.each([
    ["another merchant", { ...CONTEXT, merchantId: "m-2" }],
    ["another provider", { ...CONTEXT, provider: "clover" }],
    ["another connection", { ...CONTEXT, connectionId: "c-2" }],
  ])("refuses a ciphertext moved onto %s", async (_name, context) => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    const error = await failure(vault.decrypt(ciphertext, context));
    expect(error.message).toMatch(/KMS could not decrypt the tokens \(InvalidCiphertextException\): it was altered, or sealed for another/);
  });

  it("is refused by KMS itself without the context", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    const blob = Buffer.from(ciphertext.slice("kms1.".length), "base64");
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toMatchObject({ name: "InvalidCiphertextException" });
  });

  it("refuses a ciphertext made under another key", async () => {
    const ciphertext = await otherKeyVault.encrypt(SECRET, CONTEXT);
    expect(await otherKeyVault.decrypt(ciphertext, CONTEXT)).toBe(SECRET);
    await failure(vault.decrypt(ciphertext, CONTEXT));
  });

  it("refuses an altered or foreign ciphertext", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    const blob = Buffer.from(ciphertext.slice("kms1.".length), "base64");
    blob[blob.length - 1] = blob[blob.length - 1]! ^ 0x01;
    await failure(vault.decrypt(`kms1.${blob.toString("base64")}`, CONTEXT));
    for (const foreign of ["v1.aaaa.bbbb.cccc", "kms1.", "kms1.not base64!", SECRET]) {
      expect((await failure(vault.decrypt(foreign, CONTEXT))).message).toBe("the token ciphertext is not a kms1 ciphertext");
    }
  });

  it("needs every part of the context, and an existing key", async () => {
    await failure(vault.encrypt(SECRET, { ...CONTEXT, connectionId: "" }));
    await failure(vault.decrypt("kms1.AAAA", { ...CONTEXT, merchantId: "" }));
    const missingKey = createKmsVault({ client: kms, keyId: "11111111-2222-3333-4444-555555555555" });
    expect((await failure(missingKey.encrypt(SECRET, CONTEXT))).message).toMatch(/KMS could not encrypt the tokens \(NotFoundException\)/);
  });
});
