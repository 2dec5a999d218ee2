import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalVault, loadOrCreateLocalKey } from "../../lib/vault/local";
import { type EncryptionContext, VaultError } from "../../lib/vault/vault";

const SECRET = '{"accessToken":"eyJ-very-secret-access","refreshToken":"AB11-very-secret-refresh"}';
const CONTEXT: EncryptionContext = { merchantId: "m-1", provider: "quickbooks", connectionId: "c-1" };
const vault = createLocalVault(randomBytes(32));

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(VaultError);
  const message = (error as VaultError).message;
  for (const fragment of ["very-secret", "eyJ", "AB11", SECRET]) expect(message).not.toContain(fragment);
  return error as VaultError;
}

/** The same ciphertext with one bit of one part flipped. */
function tampered(ciphertext: string, part: 1 | 2 | 3): string {
  const parts = ciphertext.split(".");
  const bytes = Buffer.from(parts[part]!, "base64url");
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("the local vault", () => {
  it("decrypts what it encrypted, under the same context in any field order", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(ciphertext).not.toContain("secret");
    const reordered = { connectionId: "c-1", provider: "quickbooks", merchantId: "m-1" };
    expect(await vault.decrypt(ciphertext, reordered)).toBe(SECRET);
    expect(await vault.decrypt(await vault.encrypt("", CONTEXT), CONTEXT)).toBe("");
    expect(await vault.decrypt(await vault.encrypt("café ☕ 東京", CONTEXT), CONTEXT)).toBe("café ☕ 東京");
  });

  it("gives a different ciphertext every time", async () => {
    const [first, second] = await Promise.all([vault.encrypt(SECRET, CONTEXT), vault.encrypt(SECRET, CONTEXT)]);
    expect(first).not.toBe(second);
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
  });

  it.each([
    ["merchantId", { ...CONTEXT, merchantId: "m-2" }],
    ["provider", { ...CONTEXT, provider: "square" }],
    ["connectionId", { ...CONTEXT, connectionId: "c-2" }],
    // Same characters run together, split differently between the fields.
    ["field boundaries", { merchantId: "m-", provider: "1quickbooks", connectionId: "c-1" }],
  ])("refuses another context: %s", async (_field, context) => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    const error = await failure(vault.decrypt(ciphertext, context));
    expect(error.message).toMatch(/does not decrypt/);
  });

  it.each([{ part: 1, name: "iv" }, { part: 2, name: "tag" }, { part: 3, name: "ciphertext" }] as const)("refuses a tampered $name", async ({ part }) => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    await failure(vault.decrypt(tampered(ciphertext, part), CONTEXT));
  });

  it("refuses a ciphertext from another key", async () => {
    const ciphertext = await createLocalVault(randomBytes(32)).encrypt(SECRET, CONTEXT);
    await failure(vault.decrypt(ciphertext, CONTEXT));
  });

  it.each(["", "v1", "v2.a.b.c", "v1.!!.b.c", "v1.AAAA.AAAA.AAAA", "v1.a.b.c.d"])("refuses a malformed ciphertext %j", async (ciphertext) => {
    const error = await failure(vault.decrypt(ciphertext, CONTEXT));
    expect(error.message).toMatch(/not a v1 local-vault ciphertext/);
  });

  it("refuses a truncated ciphertext", async () => {
    const ciphertext = await vault.encrypt(SECRET, CONTEXT);
    await failure(vault.decrypt(ciphertext.slice(0, -4), CONTEXT));
  });

  it("refuses an incomplete context and a key of the wrong size", async () => {
    await failure(vault.encrypt(SECRET, { ...CONTEXT, connectionId: "" }));
    expect(() => createLocalVault(randomBytes(16))).toThrow(/32 bytes, got 16/);
  });
});

describe("the local key file", () => {
  const folders: string[] = [];
  const newFolder = async (): Promise<string> => {
    const folder = await mkdtemp(join(tmpdir(), "daybook-vault-"));
    folders.push(folder);
    return folder;
  };
  afterAll(async () => {
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it("is created with mode 0600 when missing, and read back afterwards", async () => {
    const path = join(await newFolder(), "data", "vault.key");
    const key = await loadOrCreateLocalKey(path);
    expect(key).toHaveLength(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateLocalKey(path)).toEqual(key);
    const ciphertext = await createLocalVault(key).encrypt(SECRET, CONTEXT);
    expect(await createLocalVault(await loadOrCreateLocalKey(path)).decrypt(ciphertext, CONTEXT)).toBe(SECRET);
  });

  it("is made once when two callers race for it", async () => {
    const path = join(await newFolder(), "vault.key");
    const keys = await Promise.all([loadOrCreateLocalKey(path), loadOrCreateLocalKey(path), loadOrCreateLocalKey(path)]);
    const onDisk = Buffer.from((await readFile(path, "utf8")).trim(), "base64");
    for (const key of keys) expect(key).toEqual(onDisk);
  });

  it("is refused when it does not hold a 32-byte key", async () => {
    const path = join(await newFolder(), "vault.key");
    await writeFile(path, randomBytes(16).toString("base64"));
    await expect(loadOrCreateLocalKey(path)).rejects.toThrow(VaultError);
    await writeFile(path, "not base64 at all!");
    await expect(loadOrCreateLocalKey(path)).rejects.toThrow(/does not hold a 32-byte key/);
  });
});
