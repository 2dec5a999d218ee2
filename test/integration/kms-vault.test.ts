import { createCipheriv, randomBytes } from "node:crypto";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKmsVault } from "../../lib/vault/kms";
import { type EncryptionContext, type TokenVault, VaultError } from "../../lib/vault/vault";
import { awsClientConfig } from "../../sandbox/aws";

const SECRET = '{"accessToken":"eyJ-very-secret-access","refreshToken":"AB11-very-secret-refresh"}';
const CONTEXT: EncryptionContext = { merchantId: "m-1", provider: "quickbooks", connectionId: "c-1" };

const kms = new KMSClient(awsClientConfig(inject("motoEndpoint")));
/** The KMS requests the vaults made, by command ("Decrypt", "GenerateDataKey", …). */
const requests: string[] = [];
kms.middlewareStack.add((next, context) => (args) => {
  requests.push((context.commandName ?? "").replace(/Command$/, ""));
  return next(args);
}, { step: "initialize", name: "countKmsRequests" });

/** The parts of a kms3 ciphertext: its month, then the data key as KMS encrypted it, iv, tag and body, as bytes. */
function partsOf(ciphertext: string): { month: string; encryptedKey: Buffer; iv: Buffer; tag: Buffer; body: Buffer } {
  const [version, month, ...encoded] = ciphertext.split(".");
  expect(version).toBe("kms3");
  const [encryptedKey, iv, tag, body] = encoded.map((part) => Buffer.from(part, "base64")) as [Buffer, Buffer, Buffer, Buffer];
  return { month: month ?? "", encryptedKey, iv, tag, body };
}
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

/** Tokens as the vault sealed them before kms3: a data key of the connection's own, under its whole context. */
async function sealedAsKms2(plaintext: string, context: EncryptionContext, month: string): Promise<string> {
  const { Plaintext, CiphertextBlob } = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { ...context } }));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(Plaintext ?? new Uint8Array()), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`${JSON.stringify([context.merchantId, context.provider, context.connectionId])}${month}`, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["kms2", month, ...[Buffer.from(CiphertextBlob ?? new Uint8Array()), iv, cipher.getAuthTag(), body].map((part) => part.toString("base64"))].join(".");
}

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
    expect(ciphertext).toMatch(/^kms3\.\d{4}-\d{2}(\.[A-Za-z0-9+/]+=*){4}$/);
    expect(await vault.decrypt(ciphertext, { connectionId: "c-1", provider: "quickbooks", merchantId: "m-1" })).toBe(SECRET);
    expect(await vault.decrypt(await vault.encrypt("café ☕ 東京", CONTEXT), CONTEXT)).toBe("café ☕ 東京");
  });

  it("never carries the plaintext in the ciphertext, as text or as bytes", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    expect(ciphertext).not.toContain("secret");
    const { encryptedKey, iv, tag, body } = partsOf(ciphertext);
    const blob = Buffer.concat([encryptedKey, iv, tag, body]);
    for (const fragment of ["very-secret", "eyJ", "AB11"]) expect(blob.includes(Buffer.from(fragment))).toBe(false);
    // A fresh nonce each time: the same tokens never give the same ciphertext.
    expect(await vault.encrypt(SECRET, CONTEXT)).not.toBe(ciphertext);
  });

  // Another merchant: KMS refuses the data key (moto binds the encryption context as AES-GCM additional
  // data, so that is its check). Another provider or connection of the same merchant: the data key opens
  // (it is the merchant's, and this vault even keeps it), but the cipher binds the whole context.
  it.each([
    ["another merchant", { ...CONTEXT, merchantId: "m-2" }, /KMS could not decrypt the tokens \(InvalidCiphertextException\): it was altered, or sealed for another/],
    ["another provider", { ...CONTEXT, provider: "clover" }, /^the token ciphertext does not decrypt: it was altered, or sealed for another merchant, provider or connection$/],
    ["another connection", { ...CONTEXT, connectionId: "c-2" }, /^the token ciphertext does not decrypt: it was altered, or sealed for another merchant, provider or connection$/],
  ])("refuses a ciphertext moved onto %s", async (_name, context, message) => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    for (const reader of [vault, createKmsVault({ client: kms, keyId })]) {
      expect((await failure(reader.decrypt(ciphertext, context))).message).toMatch(message);
    }
  });

  it("is refused by KMS itself without the context", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: partsOf(ciphertext).encryptedKey }))).rejects.toMatchObject({ name: "InvalidCiphertextException" });
  });

  it("refuses a ciphertext made under another key", async () => {
    const ciphertext = await otherKeyVault.encrypt(SECRET, CONTEXT);
    expect(await otherKeyVault.decrypt(ciphertext, CONTEXT)).toBe(SECRET);
    await failure(vault.decrypt(ciphertext, CONTEXT));
  });

  it("refuses an altered or foreign ciphertext", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    const { month, encryptedKey, iv, tag, body } = partsOf(ciphertext);
    const flipped = (bytes: Buffer) => Buffer.from(bytes.map((byte, index) => (index === bytes.length - 1 ? byte ^ 0x01 : byte)));
    const sealed = (parts: Buffer[], inMonth = month, version = "kms3") => [version, inMonth, ...parts.map((part) => part.toString("base64"))].join(".");
    for (const altered of [
      sealed([flipped(encryptedKey), iv, tag, body]), sealed([encryptedKey, flipped(iv), tag, body]),
      sealed([encryptedKey, iv, flipped(tag), body]), sealed([encryptedKey, iv, tag, flipped(body)]),
      // The month is bound as additional data: moving the data key to another month breaks the seal.
      sealed([encryptedKey, iv, tag, body], month === "2020-01" ? "2020-02" : "2020-01"),
      // A kms3 data key under kms2's layout: KMS refuses it under kms2's context.
      sealed([encryptedKey, iv, tag, body], month, "kms2"),
    ]) await failure(vault.decrypt(altered, CONTEXT));
    for (const foreign of ["v1.aaaa.bbbb.cccc", "kms1.", "kms1.not base64!", "kms2.2026-01.AAAA.AAAA", "kms3.2026-01.AAAA.AAAA", "kms4.2026-01.AAAA.AAAA.AAAA.AAAA", SECRET]) {
      expect((await failure(vault.decrypt(foreign, CONTEXT))).message).toBe("the token ciphertext is not a kms1, kms2 or kms3 ciphertext");
    }
  });

  it("still opens tokens sealed by KMS Encrypt before (kms1), and seals them again as kms3", async () => {
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(SECRET, "utf8"), EncryptionContext: { ...CONTEXT } }));
    const old = `kms1.${Buffer.from(CiphertextBlob ?? new Uint8Array()).toString("base64")}`;
    expect(await vault.decrypt(old, CONTEXT)).toBe(SECRET);
    await expect(vault.decrypt(old, { ...CONTEXT, connectionId: "c-2" })).rejects.toBeInstanceOf(VaultError);
    expect((await vault.encrypt(SECRET, CONTEXT)).startsWith("kms3.")).toBe(true);
  });

  it("still opens tokens sealed under a data key of their connection's own (kms2), and seals them again as kms3", async () => {
    const old = await sealedAsKms2(SECRET, CONTEXT, "2026-11");
    const reader = createKmsVault({ client: kms, keyId, now: () => new Date("2026-11-20T03:00:00Z") });
    expect(await reader.decrypt(old, CONTEXT)).toBe(SECRET);
    for (const moved of [{ ...CONTEXT, connectionId: "c-2" }, { ...CONTEXT, merchantId: "m-2" }]) await failure(reader.decrypt(old, moved));
    // A kms2 data key is the connection's, never the merchant's: the new tokens get a merchant's key.
    requests.length = 0;
    const again = await reader.encrypt(SECRET, CONTEXT);
    expect(requests).toEqual(["GenerateDataKey"]);
    expect(partsOf(again).encryptedKey.equals(Buffer.from(old.split(".")[2] ?? "", "base64"))).toBe(false);
    expect(await createKmsVault({ client: kms, keyId }).decrypt(again, CONTEXT)).toBe(SECRET);
  });

  it("seals a refresh's tokens under the data key their opening decrypted: one KMS request a refresh, not two", async () => {
    const sealed = await createKmsVault({ client: kms, keyId }).encrypt(SECRET, CONTEXT);
    // A fresh process (a worker that has not served this merchant) opens the tokens and seals new ones.
    const worker = createKmsVault({ client: kms, keyId });
    requests.length = 0;
    expect(await worker.decrypt(sealed, CONTEXT)).toBe(SECRET);
    const refreshed = await worker.encrypt('{"accessToken":"new"}', CONTEXT);
    expect(requests).toEqual(["Decrypt"]);
    expect(partsOf(refreshed).encryptedKey.equals(partsOf(sealed).encryptedKey)).toBe(true);
    // Another process opens them with KMS, as any reader would.
    expect(await createKmsVault({ client: kms, keyId }).decrypt(refreshed, CONTEXT)).toBe('{"accessToken":"new"}');
  });

  it("seals a merchant's connections under one data key, never another merchant's, nor one past minutes or its month", async () => {
    let clock = new Date("2026-12-31T23:50:00Z");
    const worker = createKmsVault({ client: kms, keyId, now: () => clock });
    requests.length = 0;
    const quickBooks = await worker.encrypt(SECRET, CONTEXT);
    const pos = await worker.encrypt(SECRET, { ...CONTEXT, provider: "square", connectionId: "c-2" });
    expect(requests).toEqual(["GenerateDataKey"]);
    expect(partsOf(pos).encryptedKey.equals(partsOf(quickBooks).encryptedKey)).toBe(true);
    const otherMerchant = await worker.encrypt(SECRET, { ...CONTEXT, merchantId: "m-2" });
    expect(requests).toEqual(["GenerateDataKey", "GenerateDataKey"]);
    expect(partsOf(otherMerchant).encryptedKey.equals(partsOf(quickBooks).encryptedKey)).toBe(false);

    // Past the minutes a data key is kept: KMS makes a new one.
    requests.length = 0;
    clock = new Date("2026-12-31T23:56:00Z");
    const later = await worker.encrypt(SECRET, CONTEXT);
    expect(requests).toEqual(["GenerateDataKey"]);
    expect(partsOf(later).encryptedKey.equals(partsOf(quickBooks).encryptedKey)).toBe(false);

    // A new month: the month's data key is not used again, so key rotation reaches every merchant used
    // within a month, neither the one the vault made nor one a decrypt opened; December's tokens still open.
    clock = new Date("2026-12-31T23:58:00Z");
    const december = await worker.encrypt(SECRET, CONTEXT);
    expect(partsOf(december).month).toBe("2026-12");
    clock = new Date("2027-01-01T00:01:00Z");
    const januaryWorker = createKmsVault({ client: kms, keyId, now: () => clock });
    requests.length = 0;
    expect(await januaryWorker.decrypt(december, CONTEXT)).toBe(SECRET);
    const january = await januaryWorker.encrypt(SECRET, CONTEXT);
    expect(requests).toEqual(["Decrypt", "GenerateDataKey"]);
    expect(partsOf(january).month).toBe("2027-01");
    requests.length = 0;
    expect(await worker.encrypt(SECRET, CONTEXT)).not.toBe(january);
    expect(requests).toEqual(["GenerateDataKey"]);
    expect(await worker.decrypt(december, CONTEXT)).toBe(SECRET);
  });

  it("brings a merchant's two connections onto one data key in a night, so the next night opens both with one Decrypt", async () => {
    const at = () => new Date("2026-12-10T03:00:00Z");
    const posContext: EncryptionContext = { merchantId: "m-9", provider: "square", connectionId: "pos" };
    const booksContext: EncryptionContext = { merchantId: "m-9", provider: "quickbooks", connectionId: "books" };
    // Connected in two requests that two api processes served: two data keys.
    const pos = await createKmsVault({ client: kms, keyId, now: at }).encrypt('{"pos":1}', posContext);
    let books = await createKmsVault({ client: kms, keyId, now: at }).encrypt('{"books":1}', booksContext);
    expect(partsOf(books).encryptedKey.equals(partsOf(pos).encryptedKey)).toBe(false);

    // A night (a worker that has not served this merchant): the POS's tokens first, then QuickBooks', whose
    // refresh seals the new tokens under the key the night opened first.
    let night = createKmsVault({ client: kms, keyId, now: at });
    requests.length = 0;
    expect(await night.decrypt(pos, posContext)).toBe('{"pos":1}');
    expect(await night.decrypt(books, booksContext)).toBe('{"books":1}');
    books = await night.encrypt('{"books":2}', booksContext);
    expect(requests).toEqual(["Decrypt", "Decrypt"]);
    expect(partsOf(books).encryptedKey.equals(partsOf(pos).encryptedKey)).toBe(true);

    // The next night, in another worker: one KMS request for both.
    night = createKmsVault({ client: kms, keyId, now: at });
    requests.length = 0;
    expect(await night.decrypt(pos, posContext)).toBe('{"pos":1}');
    expect(await night.decrypt(books, booksContext)).toBe('{"books":2}');
    books = await night.encrypt('{"books":3}', booksContext);
    expect(requests).toEqual(["Decrypt"]);
    expect(await createKmsVault({ client: kms, keyId, now: at }).decrypt(books, booksContext)).toBe('{"books":3}');
  });

  it("joins the POS's key whatever order a night opens the two in, and two openings of one key at once make one Decrypt", async () => {
    const at = () => new Date("2026-12-10T03:00:00Z");
    const posContext: EncryptionContext = { merchantId: "m-10", provider: "clover", connectionId: "pos" };
    const booksContext: EncryptionContext = { merchantId: "m-10", provider: "quickbooks", connectionId: "books" };
    const pos = await createKmsVault({ client: kms, keyId, now: at }).encrypt('{"pos":1}', posContext);
    let books = await createKmsVault({ client: kms, keyId, now: at }).encrypt('{"books":1}', booksContext);

    // QuickBooks' tokens opened first, then the POS's, then QuickBooks' refreshed: still the POS's key.
    let night = createKmsVault({ client: kms, keyId, now: at });
    expect(await night.decrypt(books, booksContext)).toBe('{"books":1}');
    expect(await night.decrypt(pos, posContext)).toBe('{"pos":1}');
    books = await night.encrypt('{"books":2}', booksContext);
    expect(partsOf(books).encryptedKey.equals(partsOf(pos).encryptedKey)).toBe(true);

    // Both opened at once, in a worker of its own: one Decrypt between them.
    night = createKmsVault({ client: kms, keyId, now: at });
    requests.length = 0;
    expect(await Promise.all([night.decrypt(books, booksContext), night.decrypt(pos, posContext)])).toEqual(['{"books":2}', '{"pos":1}']);
    expect(requests).toEqual(["Decrypt"]);
    // One failed opening is not kept: the next asks KMS again.
    const other = createKmsVault({ client: kms, keyId: "11111111-2222-3333-4444-555555555555", now: at });
    await failure(Promise.all([other.decrypt(pos, posContext), other.decrypt(books, booksContext)]));
    requests.length = 0;
    await failure(other.decrypt(pos, posContext));
    expect(requests).toEqual(["Decrypt"]);
  });

  it("needs every part of the context, and an existing key", async () => {
    await failure(vault.encrypt(SECRET, { ...CONTEXT, connectionId: "" }));
    await failure(vault.decrypt("kms1.AAAA", { ...CONTEXT, merchantId: "" }));
    const missingKey = createKmsVault({ client: kms, keyId: "11111111-2222-3333-4444-555555555555" });
    expect((await failure(missingKey.encrypt(SECRET, CONTEXT))).message).toMatch(/KMS could not encrypt the tokens \(NotFoundException\)/);
  });
});
