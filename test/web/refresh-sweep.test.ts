/**
 * The refresh sweep (lib/connections/refresh-sweep.ts) against the simulators, which enforce the
 * providers' token lifetimes: QuickBooks' refresh token lapses 100 days unused and a replaced one
 * works 24 hours more; Square wants its tokens refreshed weekly. Connections are made through the
 * consent pages and used by no location, so nothing but the sweep refreshes them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepConnections, type RefreshSweepResult } from "../../lib/connections/refresh-sweep";
import type { Connection, ProviderName } from "../../lib/model";
import { openTokens } from "../../lib/oauth/tokens";
import { refreshSweepDepsOf } from "../../lib/wiring/worker";
import { accessWorks, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
const issuedTokens = new Set<string>();

beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world, [...issuedTokens]);
  await world.close();
});

const DAY = 86_400_000;
let counter = 0;

async function connected(provider: ProviderName, account: string): Promise<{ merchantId: string; connection: Connection; address: string }> {
  const browser = world.browser();
  const address = `sweep${++counter}.${Date.now()}@example.com`;
  await browser.signIn(address);
  const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
  expect((await browser.connect(provider, account)).status).toBe(303);
  const [connection] = await world.deps.store.listConnections(merchantId);
  return { merchantId, connection: connection!, address };
}

const current = async (connection: Connection) => (await world.deps.store.getConnection(connection.merchantId, connection.connectionId))!;

async function tokensOf(connection: Connection) {
  const tokens = await openTokens(world.deps.vault, await current(connection));
  for (const token of [tokens.accessToken, tokens.refreshToken]) if (token) issuedTokens.add(token);
  return tokens;
}

/** How many tokens the sweeps opened (KMS Decrypts), counted at the vault. */
let decrypts = 0;

/** A sweep of the whole table that looks only at these merchants' connections: the tests share one world. */
function sweep(...merchantIds: string[]): Promise<RefreshSweepResult> {
  const deps = refreshSweepDepsOf(world.services);
  const listConnectionsInShard = async (shard: number) => (await deps.store.listConnectionsInShard(shard)).filter((connection) => merchantIds.includes(connection.merchantId));
  const vault = { encrypt: deps.vault.encrypt.bind(deps.vault), decrypt: (...args: Parameters<typeof deps.vault.decrypt>) => (decrypts++, deps.vault.decrypt(...args)) };
  const listMerchantsOwedNotices = async () => (await deps.store.listMerchantsOwedNotices()).filter((merchantId) => merchantIds.includes(merchantId));
  return sweepConnections({ ...deps, vault, store: { listConnectionsInShard, setSweepDueAt: deps.store.setSweepDueAt, listMerchantsOwedNotices }, log: (level, message, fields) => world.logs.push({ level, message, fields: fields ?? {} }) });
}

describe("the refresh sweep", () => {
  it("keeps connections no location uses alive: QuickBooks as its refresh token nears its 100 days, Square weekly, and nothing sooner", async () => {
    const books = await connected("quickbooks", world.accounts.quickbooks[0]!);
    const till = await connected("square", world.accounts.square[0]!);
    const ours = [books.merchantId, till.merchantId];
    const versions = async () => [(await current(books.connection)).tokenVersion, (await current(till.connection)).tokenVersion];

    expect(await sweep(...ours)).toMatchObject({ checked: 2, refreshed: 0, mended: 0, refused: 0, failed: 0 });
    world.clock.advance(8 * DAY);
    // Square's tokens are a week old; QuickBooks' refresh token has 92 days left.
    expect(await sweep(...ours)).toMatchObject({ checked: 2, refreshed: 1 });
    expect(await versions()).toEqual([1, 2]);

    world.clock.advance(79 * DAY);
    // Day 87: 13 days left for QuickBooks' refresh token, under the sweep's 14; Square's due again.
    expect(await sweep(...ours)).toMatchObject({ checked: 2, refreshed: 2, failed: 0 });
    expect(await versions()).toEqual([2, 3]);
    const renewed = await tokensOf(books.connection);
    expect(Date.parse(renewed.refreshTokenExpiresAt!) - world.clock.ms()).toBe(100 * DAY);

    // Day 150: past the first refresh token's 100 days, the connection still works.
    world.clock.advance(63 * DAY);
    const accessToken = await world.deps.tokens.accessToken(await current(books.connection));
    issuedTokens.add(accessToken);
    expect(await accessWorks(world, "quickbooks", accessToken, books.connection.externalId)).toBe(true);
    expect((await current(books.connection)).status).toBe("active");
  });

  it("opens only the tokens that are due: the time kept beside them in plaintext spares a KMS Decrypt on every other sweep, a lease left behind is still mended", async () => {
    const books = await connected("quickbooks", world.accounts.quickbooks[0]!);
    const till = await connected("square", world.accounts.square[0]!);
    const ours = [books.merchantId, till.merchantId];
    decrypts = 0;
    // Connected before any time was kept: opened once, found not due, their times kept.
    expect(await sweep(...ours)).toMatchObject({ checked: 2, opened: 2, refreshed: 0, failed: 0 });
    expect(decrypts).toBe(2);
    expect((await current(books.connection)).sweepDueAt).toBe(new Date(world.clock.ms() + 7 * DAY).toISOString());
    const squareDue = Date.parse((await tokensOf(till.connection)).obtainedAt!) + 7 * DAY;
    expect((await current(till.connection)).sweepDueAt).toBe(new Date(squareDue).toISOString());

    // The sweeps of the next days open nothing.
    for (let sweeps = 0; sweeps < 8; sweeps++) {
      world.clock.advance(6 * 3600_000);
      expect(await sweep(...ours)).toMatchObject({ checked: 2, opened: 0, refreshed: 0, mended: 0, failed: 0 });
    }
    expect(decrypts).toBe(2);

    // A nightly refresh keeps the new tokens' time with them: QuickBooks' at most a week ahead.
    world.clock.advance(3600_000);
    issuedTokens.add(await world.deps.tokens.accessToken(await current(books.connection)));
    const refreshed = await current(books.connection);
    expect(refreshed.tokenVersion).toBe(2);
    expect(refreshed.sweepDueAt).toBe(new Date(world.clock.ms() + 7 * DAY).toISOString());

    // A worker that took the lease and died: opened at once, though its time has not come.
    await world.deps.store.acquireRefreshLease(refreshed.merchantId, refreshed.connectionId, 2, new Date(world.clock.ms() + 30_000), world.clock.date());
    world.clock.advance(6 * 3600_000);
    expect(await sweep(...ours)).toMatchObject({ checked: 2, opened: 1, mended: 1, failed: 0 });
    expect(decrypts).toBe(3);
    const mended = await current(books.connection);
    expect(mended.tokenVersion).toBe(3);
    expect(mended.refreshLeaseUntil).toBeUndefined();

    // Square's week comes: opened and refreshed then, and not before.
    world.clock.advance(squareDue - world.clock.ms() + 3600_000);
    expect(await sweep(...ours)).toMatchObject({ checked: 2, opened: 1, refreshed: 1, failed: 0 });
    expect((await current(till.connection)).tokenVersion).toBe(2);
    await tokensOf(till.connection);
    await tokensOf(books.connection);
  });

  it("mends a refresh a crash left half-done: the lease left behind is taken over within QuickBooks' 24 hours, and the chain holds", async () => {
    const { merchantId, connection } = await connected("quickbooks", world.accounts.quickbooks[1]!);
    // A worker takes the lease, QuickBooks rotates the refresh token, and the worker dies before writing.
    const leased = await world.deps.store.acquireRefreshLease(connection.merchantId, connection.connectionId, 1, new Date(world.clock.ms() + 30_000), world.clock.date());
    const lost = await (await world.deps.providers()).quickbooks.refresh(await tokensOf(leased));
    for (const token of [lost.accessToken, lost.refreshToken]) if (token) issuedTokens.add(token);

    world.clock.advance(6 * 3600_000);
    expect(await sweep(merchantId)).toMatchObject({ checked: 1, refreshed: 0, mended: 1, refused: 0, failed: 0 });
    const mended = await current(connection);
    expect(mended).toMatchObject({ status: "active", tokenVersion: 2 });
    expect(mended.refreshLeaseUntil).toBeUndefined();

    // Two days on, past the 24 hours in which QuickBooks takes the replaced refresh token, the chain still holds.
    world.clock.advance(2 * DAY);
    const refreshed = await world.deps.tokens.refreshNow(mended);
    issuedTokens.add(refreshed);
    expect(await accessWorks(world, "quickbooks", refreshed, connection.externalId)).toBe(true);
  });

  it("tells the merchant when the provider refuses a connection it sweeps, once, and does not count it a failure", async () => {
    const { merchantId, connection, address } = await connected("quickbooks", world.accounts.quickbooks[1]!);
    world.quickbooks.revokeAll(connection.externalId);
    world.clock.advance(87 * DAY);
    expect(await sweep(merchantId)).toMatchObject({ checked: 1, refused: 1, failed: 0 });
    expect(await current(connection)).toMatchObject({ status: "needs-reconnect" });
    expect(await sweep(merchantId)).toMatchObject({ checked: 0, refused: 0, failed: 0 });
    const reconnects = (await world.emails()).filter((email) => email.to === address && email.purpose === "reconnect");
    expect(reconnects.map((email) => email.subject)).toEqual(["Reconnect QuickBooks to daybook"]);
  });
});
