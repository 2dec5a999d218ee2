/**
 * `daybook sync` run in-process (runCli, as bin/daybook.mjs runs it) against the simulators and
 * DynamoDB and KMS on moto_server: what the command must do with a merchant's settings and its
 * connections as they are in production. Review mode holds the day; a Clover merchant is read from
 * its own region's host; tokens sealed by KMS open; an expired Clover access token is refreshed.
 *
 * Clover's regional hosts have no local stand-in, so for the region test `fetch` is wrapped: a request
 * to Clover's EU API host goes to the Clover simulator, and one to any other Clover host is refused
 * (and recorded), as a merchant's wrong region would be.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { runCli } from "../../lib/cli/run";
import type { CliIo } from "../../lib/cli/io";
import { openTokens, sealTokens } from "../../lib/oauth/tokens";
import { createKmsVault } from "../../lib/vault/kms";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { generateDay } from "../../sandbox/square/generate-day";
import { awsClientConfig } from "../../sandbox/aws";
import { CLOVER_MERCHANT_ID, createWorld, type World } from "../support/sync-world";

const DATE = "2025-06-14";
const ZONE = "America/New_York";
const motoEndpoint = inject("motoEndpoint");
const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(() => {
  // The in-process run's SDK clients find credentials where the AWS SDK looks: the process environment.
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});

afterAll(() => {
  if (savedCredentials.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = savedCredentials.id;
  if (savedCredentials.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = savedCredentials.secret;
});

afterEach(() => {
  vi.restoreAllMocks();
});

function keyFileOf(world: World): string {
  const keyFile = join(mkdtempSync(join(tmpdir(), "daybook-")), "vault.key");
  writeFileSync(keyFile, world.vaultKey.toString("base64"), { mode: 0o600 });
  return keyFile;
}

/** What a sync needs, pointed at the world: its table, its simulators and their apps' credentials, a vault key file and an outbox. */
function environmentOf(world: World, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ...world.settings,
    DAYBOOK_VAULT_KEY_FILE: keyFileOf(world),
    DAYBOOK_OUTBOX_DIR: mkdtempSync(join(tmpdir(), "daybook-outbox-")),
    ...overrides,
  };
}

async function daybook(args: string[], environment: Record<string, string | undefined>) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    readFile: () => Promise.reject(new Error("no files here")),
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    environment,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

const syncArgs = (world: World, locationId: string) => ["sync", "--merchant", world.merchantId, "--location", locationId, "--date", DATE];

function addSquareDay(world: World): void {
  const generated = generateDay({ seed: 5, sales: 40, date: DATE, timeZone: ZONE, locationId: "GENLOCATION01" });
  world.square.setCatalog(world.squareMerchantId, generated.catalog);
  world.square.addOrders("GENLOCATION01", generated.orders);
}

function addCloverDay(world: World): void {
  const generated = generateCloverDay({ seed: 4, orders: 30, date: DATE, timeZone: ZONE, merchantId: CLOVER_MERCHANT_ID });
  world.clover!.setItems(CLOVER_MERCHANT_ID, generated.items);
  world.clover!.addOrders(CLOVER_MERCHANT_ID, generated.orders);
}

describe("daybook sync and the merchant's review mode", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({ timeZone: ZONE });
    addSquareDay(world);
  });
  afterAll(async () => {
    expect(world.quickbooks.forbiddenWrites()).toEqual([]);
    await world.close();
  });

  it("holds the day of a merchant who reviews each entry, and posts nothing", async () => {
    await world.storage.settings.setReviewMode(world.merchantId, true, new Date());
    const { code, stdout, stderr } = await daybook(syncArgs(world, "GENLOCATION01"), environmentOf(world));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("held for review, not posted");
    expect(world.quickbooks.journalEntries(world.realmId)).toEqual([]);
    expect(await world.store.getSyncRecord(world.merchantId, "GENLOCATION01", DATE)).toMatchObject({ state: "held" });
  });
});

describe("daybook sync and a merchant's tokens", () => {
  it("opens tokens sealed by KMS", async () => {
    const world = await createWorld({ timeZone: ZONE });
    try {
      addSquareDay(world);
      const kms = new KMSClient(awsClientConfig(motoEndpoint));
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }));
      const keyId = KeyMetadata?.KeyId ?? "";
      const kmsVault = createKmsVault({ client: kms, keyId });
      // The world's connections, sealed again as on AWS: by KMS, under their encryption context.
      for (const connection of await world.store.listConnections(world.merchantId)) {
        const tokens = await openTokens(world.vault, connection);
        await world.store.updateConnectionTokens(connection.merchantId, connection.connectionId, connection.tokenVersion, await sealTokens(kmsVault, connection, tokens));
      }
      kms.destroy();
      const environment = environmentOf(world, { DAYBOOK_VAULT_KEY_FILE: undefined, DAYBOOK_KMS_KEY_ID: keyId, DAYBOOK_KMS_ENDPOINT: motoEndpoint });
      const { code, stdout, stderr } = await daybook(syncArgs(world, "GENLOCATION01"), environment);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("posted as journal entry");
      expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    } finally {
      await world.close();
    }
  });

  it("refreshes a Clover access token that has expired, and posts with the new one", async () => {
    // The simulators' clock starts two hours back, so the access token Clover grants then has expired by the wall clock the CLI keeps.
    let clock = Date.now() - 2 * 3_600_000;
    const world = await createWorld({ timeZone: ZONE, source: "clover", now: () => clock });
    try {
      addCloverDay(world);
      const clover = world.clover!;
      const pair = clover.grantTokens(CLOVER_MERCHANT_ID);
      const connection = await world.store.getConnection(world.merchantId, "clover-1");
      await world.store.updateConnectionTokens(world.merchantId, "clover-1", connection!.tokenVersion, await sealTokens(world.vault, connection!, {
        accessToken: pair.access_token, refreshToken: pair.refresh_token, accessTokenExpiresAt: new Date(pair.access_token_expiration * 1000).toISOString(),
      }));
      clock = Date.now();
      const before = clover.oauthCounts().refresh;
      const { code, stdout, stderr } = await daybook(syncArgs(world, CLOVER_MERCHANT_ID), environmentOf(world));
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("posted as journal entry");
      expect(clover.oauthCounts().refresh).toBe(before + 1);
      expect(world.quickbooks.journalEntries(world.realmId)).toHaveLength(1);
    } finally {
      await world.close();
    }
  });
});

describe("daybook sync and a Clover merchant's region", () => {
  it("reads a merchant in Clover's EU region from the EU host, not the US one", async () => {
    const world = await createWorld({ timeZone: ZONE, source: "clover" });
    try {
      addCloverDay(world);
      const clover = world.clover!;
      // The same Clover merchant, connected in the EU region.
      const at = new Date().toISOString();
      const identity = { merchantId: world.merchantId, connectionId: "clover-eu", provider: "clover" as const };
      await world.store.putConnection({
        ...identity, status: "active", externalId: CLOVER_MERCHANT_ID, region: "eu", createdAt: at, updatedAt: at,
        tokenCiphertext: await sealTokens(world.vault, identity, { accessToken: clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 86_400_000 }) }),
      });
      await world.store.putLocation({ ...world.location, posConnectionId: "clover-eu" });

      const hosts: string[] = [];
      const realFetch = globalThis.fetch;
      vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!url.hostname.endsWith("clover.com")) return realFetch(input, init);
        hosts.push(url.hostname);
        if (url.hostname !== "api.eu.clover.com") return Promise.reject(new TypeError(`fetch failed: ${url.hostname} is not this merchant's region`));
        return realFetch(`${clover.url}${url.pathname}${url.search}`, init);
      });
      const { code, stdout, stderr } = await daybook(syncArgs(world, CLOVER_MERCHANT_ID), environmentOf(world, { CLOVER_BASE_URL: undefined }));
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("posted as journal entry");
      expect(new Set(hosts)).toEqual(new Set(["api.eu.clover.com"]));
    } finally {
      await world.close();
    }
  });
});
