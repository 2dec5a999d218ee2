/**
 * The token keeper with real parts: the DynamoDB store on moto_server (conditional writes serialised
 * as DynamoDB does, see sandbox/aws.ts), the local vault, and the QuickBooks and Clover
 * simulators as the providers, which judge whether a refresh token still works. Each "worker" is its
 * own keeper, as two Lambda invocations would be; they share only the table.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createCloverProvider } from "../../lib/oauth/clover";
import { OAuthError, type OAuthProvider } from "../../lib/oauth/provider";
import { createQuickBooksProvider } from "../../lib/oauth/quickbooks";
import { createTokenKeeper, type TokenKeeper, type TokenKeeperOptions } from "../../lib/oauth/token-keeper";
import { openTokens, sealTokens, type StoredTokens } from "../../lib/oauth/tokens";
import { createDynamoStore } from "../../lib/store/dynamo";
import type { Connection, ProviderName } from "../../lib/model";
import type { Store } from "../../lib/store/store";
import { createLocalVault } from "../../lib/vault/local";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";
import { DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";

const REALM = "9130357992219876";
const CLOVER_MERCHANT = "K3V8AZN1QW5YM";
const HOUR = 3_600_000;

// One clock for the simulators, the store and the keepers; tests move it on.
let clockMs = Date.parse("2025-03-15T09:00:00.000Z");
const now = () => new Date(clockMs);

const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
const vault = createLocalVault(randomBytes(32));
let store: Store;
let qbo: QuickBooksSimulator;
let clover: CloverSimulator;
let providers: Record<"quickbooks" | "clover", OAuthProvider>;

beforeAll(async () => {
  const tableName = await createTestTable(dynamo);
  store = createDynamoStore({ client: DynamoDBDocumentClient.from(dynamo), tableName, now });
  qbo = await startQuickBooksSimulator({ now: () => clockMs });
  qbo.addCompany({ realmId: REALM, companyName: "Main Street Coffee LLC", homeCurrency: "USD", accounts: [...DEFAULT_ACCOUNTS] });
  clover = await startCloverSimulator({ now: () => clockMs });
  clover.addMerchant({ merchantId: CLOVER_MERCHANT, name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
  providers = {
    quickbooks: createQuickBooksProvider({
      clientId: qbo.clientId, clientSecret: qbo.clientSecret, redirectUri: "https://daybook.example/cb", environment: "sandbox", endpoints: qbo.endpoints, now,
    }),
    clover: createCloverProvider({ clientId: clover.appId, clientSecret: clover.appSecret, redirectUri: "https://daybook.example/cb", hostsOverride: clover.url, now }),
  };
});

afterAll(async () => {
  await Promise.all([qbo.close(), clover.close()]);
  dynamo.destroy();
});

/** A worker: its own keeper (own memory), the shared table, quick polling for a peer's tokens. */
function worker(overrides: Partial<TokenKeeperOptions> = {}): TokenKeeper {
  return createTokenKeeper({ store, vault, providers, now, waitForPeer: { initialDelayMs: 5, maxDelayMs: 40, attempts: 40 }, ...overrides });
}

async function connect(provider: ProviderName, externalId: string, tokens: StoredTokens): Promise<Connection> {
  const at = now().toISOString();
  const connection = { merchantId: `m-${randomUUID()}`, connectionId: `c-${randomUUID()}`, provider, status: "active" as const, externalId, createdAt: at, updatedAt: at };
  return await store.putConnection({ ...connection, tokenCiphertext: await sealTokens(vault, connection, tokens) });
}

async function quickBooksConnection(): Promise<{ connection: Connection; tokens: StoredTokens }> {
  const issued = qbo.issueTokens(REALM);
  const tokens = {
    accessToken: issued.access_token, refreshToken: issued.refresh_token,
    accessTokenExpiresAt: new Date(clockMs + issued.expires_in * 1000).toISOString(),
  };
  return { connection: await connect("quickbooks", REALM, tokens), tokens };
}

async function cloverConnection(): Promise<{ connection: Connection; tokens: StoredTokens }> {
  const pair = clover.grantTokens(CLOVER_MERCHANT);
  const tokens = {
    accessToken: pair.access_token, refreshToken: pair.refresh_token,
    accessTokenExpiresAt: new Date(pair.access_token_expiration * 1000).toISOString(),
  };
  return { connection: await connect("clover", CLOVER_MERCHANT, tokens), tokens };
}

async function stored(connection: Connection): Promise<{ connection: Connection; tokens: StoredTokens }> {
  const latest = await store.getConnection(connection.merchantId, connection.connectionId);
  if (!latest) throw new Error("the connection is gone");
  return { connection: latest, tokens: await openTokens(vault, latest) };
}

const quickBooksApiStatus = async (accessToken: string) =>
  (await fetch(`${qbo.endpoints.apiBase}/v3/company/${REALM}/companyinfo/${REALM}`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } })).status;
const cloverApiStatus = async (accessToken: string) =>
  (await fetch(`${clover.url}/v3/merchants/${CLOVER_MERCHANT}`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;
const cloverRefreshCalls = () => clover.requests().filter((request) => request.endpoint === "OAuthRefresh").length;
const cloverRecoveryCalls = () => clover.requests().filter((request) => request.endpoint === "OAuthRecovery").length;

async function failureOf(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${String(error)}`);
  return error;
}

describe("KMS requests", () => {
  it("an expired QuickBooks token costs one Decrypt and one Encrypt: the tokens in hand are not opened again under the lease", async () => {
    const { connection, tokens } = await quickBooksConnection();
    const counted = { encrypt: 0, decrypt: 0 };
    const countingVault = {
      encrypt: (plaintext: string, context: Parameters<typeof vault.encrypt>[1]) => { counted.encrypt++; return vault.encrypt(plaintext, context); },
      decrypt: (ciphertext: string, context: Parameters<typeof vault.decrypt>[1]) => { counted.decrypt++; return vault.decrypt(ciphertext, context); },
    };
    clockMs += 2 * HOUR;
    const keeper = worker({ vault: countingVault });
    const fresh = await keeper.accessToken(connection);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await quickBooksApiStatus(fresh)).toBe(200);
    expect(counted).toEqual({ decrypt: 1, encrypt: 1 });
    // The new tokens are held: using them again asks KMS nothing.
    expect(await keeper.accessToken(connection)).toBe(fresh);
    expect(counted).toEqual({ decrypt: 1, encrypt: 1 });
    expect((await stored(connection)).tokens).toMatchObject({ accessToken: fresh, previousRefreshToken: tokens.refreshToken });
  });

  it("reads made at once (a night's orders, payments and refunds) ask for the same tokens: one Decrypt between them", async () => {
    const { connection, tokens } = await quickBooksConnection();
    let decrypts = 0;
    const countingVault = {
      encrypt: vault.encrypt.bind(vault),
      decrypt: (ciphertext: string, context: Parameters<typeof vault.decrypt>[1]) => { decrypts++; return vault.decrypt(ciphertext, context); },
    };
    const keeper = worker({ vault: countingVault });
    const given = await Promise.all([keeper.accessToken(connection), keeper.accessToken(connection), keeper.accessToken(connection)]);
    expect(given).toEqual([tokens.accessToken, tokens.accessToken, tokens.accessToken]);
    expect(decrypts).toBe(1);
  });
});

describe("two workers refreshing one connection at once", () => {
  it("QuickBooks: one refresh at Intuit, one chain, both workers holding the same working token", async () => {
    const { connection, tokens } = await quickBooksConnection();
    const before = qbo.requestCounts().token;
    const [first, second] = await Promise.all([worker().refreshNow(connection), worker().refreshNow(connection)]);

    expect(qbo.requestCounts().token).toBe(before + 1);
    expect(first).toBe(second);
    expect(first).not.toBe(tokens.accessToken);
    expect(await quickBooksApiStatus(first)).toBe(200);
    const after = await stored(connection);
    expect(after.connection.tokenVersion).toBe(connection.tokenVersion + 1);
    expect(after.connection.refreshLeaseUntil).toBeUndefined();
    expect(after.tokens).toMatchObject({ accessToken: first, previousRefreshToken: tokens.refreshToken });
    // The stored refresh token is the chain's head: Intuit takes it.
    expect((await providers.quickbooks.refresh(after.tokens)).refreshToken).toBeTruthy();
  });

  it("Clover: one refresh at Clover (single-use tokens), the stored refresh token the live one, every caller served", async () => {
    const { connection, tokens } = await cloverConnection();
    const before = cloverRefreshCalls();
    const [a, b] = [worker(), worker()];
    // Two workers, each with two callers of its own.
    const results = await Promise.all([a.refreshNow(connection), b.refreshNow(connection), a.refreshNow(connection), b.refreshNow(connection)]);

    expect(cloverRefreshCalls()).toBe(before + 1);
    expect(new Set(results).size).toBe(1);
    expect(await cloverApiStatus(results[0])).toBe(200);
    const after = await stored(connection);
    expect(after.tokens.accessToken).toBe(results[0]);
    expect(clover.refreshTokenUsable(after.tokens.refreshToken ?? "")).toBe(true);
    expect(clover.refreshTokenUsable(tokens.refreshToken ?? "")).toBe(false);
    expect(after.tokens.previousRefreshToken).toBe(tokens.refreshToken);
  });
});

describe("refreshing ahead", () => {
  it("uses the stored token while it has time left, and refreshes 5 minutes before expiry without waiting for a 401", async () => {
    const { connection, tokens } = await quickBooksConnection();
    const keeper = worker();
    const before = qbo.requestCounts().token;
    expect(await keeper.accessToken(connection)).toBe(tokens.accessToken);
    expect(qbo.requestCounts().token).toBe(before);

    clockMs += 56 * 60_000;
    const fresh = await keeper.accessToken(connection);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(qbo.requestCounts().token).toBe(before + 1);
    expect(await quickBooksApiStatus(fresh)).toBe(200);
    // The same (stale) connection object now gives the refreshed token, without another refresh.
    expect(await keeper.accessToken(connection)).toBe(fresh);
    expect(qbo.requestCounts().token).toBe(before + 1);
  });

  it("keeps using a still-valid token when refreshing ahead fails for a passing reason, and gives the lease back at once", async () => {
    const { connection, tokens } = await cloverConnection();
    clockMs += HOUR - 2 * 60_000; // 2 minutes left: due
    // Three refusals: the first call and both of its quick retries.
    const handle = clover.injectFaults({ endpoint: "OAuthRefresh", fault: { kind: "503" }, times: 3 });
    const keeper = worker({ waitForPeer: { attempts: 1 } });
    expect(await keeper.accessToken(connection)).toBe(tokens.accessToken);
    expect(handle.injected).toBe(3);
    // No wait for the lease to run out: the failed attempt gave it back.
    const fresh = await keeper.accessToken(connection);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await cloverApiStatus(fresh)).toBe(200);
  });
});

describe("a refresh whose result was lost", () => {
  it("QuickBooks: one cut-off answer is mended at once, with the replaced refresh token Intuit still accepts", async () => {
    const { connection, tokens } = await quickBooksConnection();
    qbo.injectFaults({ match: "token", fault: { kind: "truncated" }, times: 1 });
    const before = qbo.requestCounts().token;
    const fresh = await worker().refreshNow(connection, tokens.accessToken);
    expect(qbo.requestCounts().token).toBe(before + 2);
    expect(await quickBooksApiStatus(fresh)).toBe(200);
    const after = await stored(connection);
    expect(after.tokens.refreshUncertainSince).toBeUndefined();
    clockMs += 30 * HOUR;
    expect(await quickBooksApiStatus(await worker().accessToken(after.connection))).toBe(200);
  });

  it("a lease given back is not mistaken for another worker's refresh: refreshNow still refreshes", async () => {
    const { connection, tokens } = await quickBooksConnection();
    qbo.injectFaults({ match: "token", fault: { kind: "503" }, times: 3 });
    expect((await failureOf(worker().refreshNow(connection))).kind).toBe("retryable");
    // The failed attempt rewrote the same tokens under a new version.
    expect((await stored(connection)).connection.tokenVersion).toBeGreaterThan(connection.tokenVersion);
    const fresh = await worker().refreshNow(connection);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await quickBooksApiStatus(fresh)).toBe(200);
  });

  it("QuickBooks: a rotation whose answer was cut off is refreshed again at the next use, inside Intuit's 24 hours, and the chain holds", async () => {
    const { connection, tokens } = await quickBooksConnection();
    qbo.injectFaults({ match: "token", fault: { kind: "truncated" }, times: 3 });
    const before = qbo.requestCounts().token;
    // A 401 (spurious: the token has most of its hour left) asks for a refresh; Intuit rotates the
    // refresh token, but the answer never arrives.
    expect((await failureOf(worker().refreshNow(connection, tokens.accessToken))).kind).toBe("retryable");
    expect(qbo.requestCounts().token).toBe(before + 3);
    expect((await stored(connection)).tokens.refreshUncertainSince).toBeDefined();

    // The next job, on another worker, reads the connection and refreshes at once with the replaced token Intuit still accepts.
    clockMs += 60_000;
    const fresh = await worker().accessToken((await stored(connection)).connection);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(qbo.requestCounts().token).toBe(before + 4);
    const after = await stored(connection);
    expect(after.tokens.refreshUncertainSince).toBeUndefined();

    // A night later, past the replaced token's 24 hours: the chain still works.
    clockMs += 30 * HOUR;
    const nextNight = await worker().accessToken(after.connection);
    expect(await quickBooksApiStatus(nextNight)).toBe(200);
    expect((await stored(connection)).connection.status).toBe("active");
  });

  it("Clover: the crash between the rotation and the write is recovered with the token daybook still holds", async () => {
    const { connection, tokens } = await cloverConnection();
    let failNextWrite = true;
    const crashingStore: Store = {
      ...store,
      updateConnectionTokens: (...args) => {
        if (failNextWrite) {
          failNextWrite = false;
          return Promise.reject(new Error("the worker died before the write"));
        }
        return store.updateConnectionTokens(...args);
      },
    };
    const refreshesBefore = cloverRefreshCalls();
    await expect(worker({ store: crashingStore }).refreshNow(connection)).rejects.toThrow(/died/);
    expect(cloverRefreshCalls()).toBe(refreshesBefore + 1);
    // Clover spent the refresh token daybook still holds.
    expect((await stored(connection)).tokens.refreshToken).toBe(tokens.refreshToken);
    expect(clover.refreshTokenUsable(tokens.refreshToken ?? "")).toBe(false);

    // Later (the dead worker's lease long gone, the access token expired), another worker needs a token.
    clockMs += 2 * HOUR;
    const reconnects: Connection[] = [];
    const recoveriesBefore = cloverRecoveryCalls();
    const accessToken = await worker({ onNeedsReconnect: (dead) => { reconnects.push(dead); } }).accessToken(connection);

    expect(cloverRecoveryCalls()).toBe(recoveriesBefore + 1);
    expect(cloverRefreshCalls()).toBe(refreshesBefore + 2); // the refused attempt, then recovery instead
    expect(await cloverApiStatus(accessToken)).toBe(200);
    const after = await stored(connection);
    expect(after.connection.status).toBe("active");
    expect(after.tokens.accessToken).toBe(accessToken);
    expect(clover.refreshTokenUsable(after.tokens.refreshToken ?? "")).toBe(true);
    expect(reconnects).toEqual([]);
  });
});

/**
 * A provider whose successful answers wait, once made, until the test lets the worker take them in: a
 * process too slow (a cold start, an overloaded host) to finish its refresh within its lease.
 */
function slowToTakeIn(provider: OAuthProvider): { provider: OAuthProvider; made: Promise<void>; takeIn: () => void } {
  let takeIn!: () => void;
  const gate = new Promise<void>((resolve) => { takeIn = resolve; });
  let madeNow!: () => void;
  const made = new Promise<void>((resolve) => { madeNow = resolve; });
  const slow = <A extends unknown[]>(call: (...args: A) => Promise<StoredTokens>) => async (...args: A) => {
    const answer = await call(...args);
    madeNow();
    await gate;
    return answer;
  };
  const refresh = slow((tokens: StoredTokens, region?: string) => provider.refresh(tokens, region));
  const recover = provider.recover ? slow((token: string, region?: string) => provider.recover!(token, region)) : undefined;
  return { provider: { ...provider, refresh, ...(recover ? { recover } : {}) }, made, takeIn };
}

describe("a lease that ran out while its holder was still waiting on the provider", () => {
  it("QuickBooks: two workers spent one refresh token, the first to write kept the pair Intuit replaced; the chain still holds a night later", async () => {
    const { connection, tokens } = await quickBooksConnection();
    const [slowA, slowB] = [slowToTakeIn(providers.quickbooks), slowToTakeIn(providers.quickbooks)];
    const first = worker({ providers: { ...providers, quickbooks: slowA.provider } }).refreshNow(connection);
    await slowA.made;
    // Past the first worker's 30-second lease: the second takes a lease of its own and spends the same
    // refresh token (Intuit still takes it), so the first worker's new refresh token is the replaced one.
    clockMs += 60_000;
    const second = worker({ providers: { ...providers, quickbooks: slowB.provider } }).refreshNow(connection);
    await slowB.made;
    slowA.takeIn();
    await first;
    slowB.takeIn();
    expect(await quickBooksApiStatus(await second)).toBe(200);
    const after = await stored(connection);
    expect(after.connection.refreshLeaseUntil).toBeUndefined();
    expect(after.tokens.refreshToken).not.toBe(tokens.refreshToken);

    // The next night, past Intuit's 24 hours for a replaced refresh token.
    clockMs += 30 * HOUR;
    const nextNight = await worker().accessToken(after.connection);
    expect(await quickBooksApiStatus(nextNight)).toBe(200);
    expect((await stored(connection)).connection.status).toBe("active");
  });

  it("Clover: the second worker's recovery ended the pair the first one wrote; the stored refresh token is a live one", async () => {
    const { connection, tokens } = await cloverConnection();
    const [slowA, slowB] = [slowToTakeIn(providers.clover), slowToTakeIn(providers.clover)];
    const first = worker({ providers: { ...providers, clover: slowA.provider } }).refreshNow(connection);
    await slowA.made;
    // The second worker's refresh with the spent token is refused; its recovery with it ends the first worker's new pair.
    clockMs += 60_000;
    const second = worker({ providers: { ...providers, clover: slowB.provider } }).refreshNow(connection);
    await slowB.made;
    slowA.takeIn();
    await first;
    slowB.takeIn();
    expect(await cloverApiStatus(await second)).toBe(200);
    const after = await stored(connection);
    expect(after.tokens.refreshToken).not.toBe(tokens.refreshToken);
    expect(clover.refreshTokenUsable(after.tokens.refreshToken ?? "")).toBe(true);

    // Later, the access token expired: the next worker refreshes with the stored token, without a reconnect.
    clockMs += 2 * HOUR;
    const reconnects: Connection[] = [];
    const later = await worker({ onNeedsReconnect: (dead) => { reconnects.push(dead); } }).accessToken(after.connection);
    expect(await cloverApiStatus(later)).toBe(200);
    expect(reconnects).toEqual([]);
    expect((await stored(connection)).connection.status).toBe("active");
  });
  it("Clover: the mend finds the other pair refused and then Clover out for a moment; the pair that may live is the one kept, and the next use needs no reconnect", async () => {
    const { connection } = await cloverConnection();
    const [slowA, slowB] = [slowToTakeIn(providers.clover), slowToTakeIn(providers.clover)];
    // Worker B's Clover answers every refresh with a passing failure once `down`, except for the pair
    // worker A wrote, which the real simulator refuses (B's recovery ended it).
    let down = false;
    let writtenByA = "";
    const outage: OAuthProvider = {
      ...slowB.provider,
      refresh: async (tokens, region) => {
        if (down && tokens.refreshToken !== writtenByA) throw new OAuthError("Clover answered 503 Service Unavailable.", "retryable");
        return await slowB.provider.refresh(tokens, region);
      },
    };
    const first = worker({ providers: { ...providers, clover: slowA.provider } }).refreshNow(connection);
    await slowA.made;
    clockMs += 60_000;
    const second = worker({ providers: { ...providers, clover: outage } }).refreshNow(connection);
    await slowB.made;
    slowA.takeIn();
    await first;
    writtenByA = (await stored(connection)).tokens.refreshToken ?? "";
    down = true;
    slowB.takeIn();
    expect((await failureOf(second)).kind).toBe("retryable");
    const after = await stored(connection);
    expect(after.connection.refreshLeaseUntil).toBeUndefined();
    expect(after.tokens.refreshToken).not.toBe(writtenByA);
    expect(clover.refreshTokenUsable(after.tokens.refreshToken ?? "")).toBe(true);
    expect(after.tokens.refreshUncertainSince).toBeDefined();

    // Clover is back: the next use refreshes the kept pair at once, without a reconnect.
    clockMs += 60_000;
    const reconnects: Connection[] = [];
    const next = await worker({ onNeedsReconnect: (dead) => { reconnects.push(dead); } }).accessToken(after.connection);
    expect(await cloverApiStatus(next)).toBe(200);
    expect(reconnects).toEqual([]);
    expect((await stored(connection)).connection.status).toBe("active");
  });
});

describe("a provider that no longer accepts the connection", () => {
  it("QuickBooks invalid_grant: needs-reconnect, ciphertext gone, the merchant told once, even with two workers", async () => {
    const { connection } = await quickBooksConnection();
    qbo.revokeAll(REALM);
    const told: Connection[] = [];
    const onNeedsReconnect = (dead: Connection) => { told.push(dead); };
    const failures = await Promise.all([
      failureOf(worker({ onNeedsReconnect }).refreshNow(connection)),
      failureOf(worker({ onNeedsReconnect }).refreshNow(connection)),
    ]);
    expect(failures.map((failure) => failure.kind)).toEqual(["needs-reconnect", "needs-reconnect"]);
    const after = await store.getConnection(connection.merchantId, connection.connectionId);
    expect(after?.status).toBe("needs-reconnect");
    expect(after?.tokenCiphertext).toBe("");
    // The connections page's words are a person's; QuickBooks' own (invalid_grant) are the operator's.
    expect(after?.statusReason).toBe("QuickBooks no longer accepts daybook's connection to the company: it was disconnected in QuickBooks or has expired, or no longer has the access daybook needs.");
    expect(failures[0].message).toMatch(/invalid_grant/);
    expect(told.map((dead) => dead.connectionId)).toEqual([connection.connectionId]);
    // Later calls fail at once, without the provider.
    const before = qbo.requestCounts().token;
    expect((await failureOf(worker({ onNeedsReconnect }).refreshNow(connection))).kind).toBe("needs-reconnect");
    expect(qbo.requestCounts().token).toBe(before);
    expect(told).toHaveLength(1);
  });

  it("Clover uninstall: the refused refresh and the refused recovery end in needs-reconnect; a failing hook does not hide it", async () => {
    const { connection, tokens } = await cloverConnection();
    await clover.uninstallApp(CLOVER_MERCHANT);
    const failure = await failureOf(worker({ onNeedsReconnect: () => Promise.reject(new Error("SES is down")) }).refreshNow(connection));
    expect(failure.kind).toBe("needs-reconnect");
    expect(failure.cause).toBeInstanceOf(Error);
    expect(failure.message).not.toContain(tokens.refreshToken);
    const after = await store.getConnection(connection.merchantId, connection.connectionId);
    expect(after).toMatchObject({ status: "needs-reconnect", tokenCiphertext: "" });
  });
});
