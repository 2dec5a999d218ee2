/**
 * Ending a connection with real parts: the DynamoDB store on moto_server, the local vault, and the
 * Square and QuickBooks simulators, which say whether the revoke reached them and whether the tokens
 * still work afterwards.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { endConnection, type EndConnectionDeps } from "../../lib/connections/end-connection";
import { createCloverProvider } from "../../lib/oauth/clover";
import { createQuickBooksProvider } from "../../lib/oauth/quickbooks";
import { createSquareProvider } from "../../lib/oauth/square";
import { sealTokens, type StoredTokens } from "../../lib/oauth/tokens";
import { createDynamoStore } from "../../lib/store/dynamo";
import { keys } from "../../lib/store/keys";
import type { Connection, ProviderName } from "../../lib/model";
import { createLocalVault } from "../../lib/vault/local";
import { DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";

const REDIRECT = "https://daybook.example/connect/callback";
const REALM = "9130357992219876";
const SQUARE_MERCHANT = "MLQW2MYBY81PZ";

const dynamo = new DynamoDBClient(awsClientConfig(inject("motoEndpoint")));
const vault = createLocalVault(randomBytes(32));
let tableName = "";
let deps: EndConnectionDeps;
let square: SquareSimulator;
let qbo: QuickBooksSimulator;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  square = await startSquareSimulator({ redirectUris: [REDIRECT] });
  square.addMerchant({ merchantId: SQUARE_MERCHANT, locations: [{ id: "L1", name: "Main Street", timezone: "America/New_York", currency: "USD" }] });
  qbo = await startQuickBooksSimulator();
  qbo.addCompany({ realmId: REALM, companyName: "Main Street Coffee LLC", homeCurrency: "USD", accounts: [...DEFAULT_ACCOUNTS] });
  deps = {
    store: createDynamoStore({ client: DynamoDBDocumentClient.from(dynamo), tableName }),
    vault,
    providers: {
      square: createSquareProvider({ clientId: square.applicationId, clientSecret: square.applicationSecret, redirectUri: REDIRECT, baseUrl: square.url }),
      quickbooks: createQuickBooksProvider({ clientId: qbo.clientId, clientSecret: qbo.clientSecret, redirectUri: REDIRECT, environment: "sandbox", endpoints: qbo.endpoints }),
    },
  };
});

afterAll(async () => {
  await Promise.all([square.close(), qbo.close()]);
  dynamo.destroy();
});

async function connect(provider: ProviderName, externalId: string, tokens: StoredTokens): Promise<Connection> {
  const at = new Date().toISOString();
  const connection = { merchantId: `m-${randomUUID()}`, connectionId: `c-${randomUUID()}`, provider, status: "active" as const, externalId, createdAt: at, updatedAt: at };
  return await deps.store.putConnection({ ...connection, tokenCiphertext: await sealTokens(vault, connection, tokens) });
}

async function squareConnection(): Promise<{ connection: Connection; tokens: StoredTokens }> {
  const { tokens } = await (deps.providers.square?.exchangeCode({ code: square.createAuthorizationCode(SQUARE_MERCHANT, { redirectUri: REDIRECT }) }) ?? Promise.reject(new Error("no Square provider")));
  return { connection: await connect("square", SQUARE_MERCHANT, tokens), tokens };
}

async function quickBooksConnection(): Promise<{ connection: Connection; tokens: StoredTokens }> {
  const issued = qbo.issueTokens(REALM);
  const tokens = { accessToken: issued.access_token, refreshToken: issued.refresh_token };
  return { connection: await connect("quickbooks", REALM, tokens), tokens };
}

/** The item as DynamoDB holds it, attribute by attribute. */
async function rawItem(connection: Connection) {
  const key = keys.connection(connection.merchantId, connection.connectionId);
  const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true }));
  return Item;
}

const squareStatus = async (accessToken: string) =>
  (await fetch(`${square.url}/v2/locations`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;
const quickBooksStatus = async (accessToken: string) =>
  (await fetch(`${qbo.endpoints.apiBase}/v3/company/${REALM}/companyinfo/${REALM}`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } })).status;

describe("the merchant disconnects in daybook", () => {
  it("Square: the revoke reaches Square, the tokens die there, and the ciphertext is gone", async () => {
    const { connection, tokens } = await squareConnection();
    const before = square.requestLog().RevokeToken ?? 0;
    const result = await endConnection(deps, connection, { revokeAtProvider: true });
    expect(result).toEqual({ ended: true, revoke: { outcome: "revoked" } });
    expect(square.requestLog().RevokeToken).toBe(before + 1);
    expect(await squareStatus(tokens.accessToken)).toBe(401);
    // The record goes, ciphertext and all: a disconnected connection is not kept.
    expect(await rawItem(connection)).toBeUndefined();
  });

  it("QuickBooks: the revoke reaches Intuit, the grant ends, and the ciphertext is gone", async () => {
    const { connection, tokens } = await quickBooksConnection();
    const before = qbo.requestCounts().revoke;
    const result = await endConnection(deps, connection, { revokeAtProvider: true });
    expect(result).toEqual({ ended: true, revoke: { outcome: "revoked" } });
    expect(qbo.requestCounts().revoke).toBe(before + 1);
    expect(await quickBooksStatus(tokens.accessToken)).toBe(401);
    await expect(deps.providers.quickbooks?.refresh(tokens)).rejects.toMatchObject({ kind: "needs-reconnect" });
    expect(await rawItem(connection)).toBeUndefined();
  });

  it("a revoke that fails is reported, and the tokens are destroyed all the same", async () => {
    const { connection, tokens } = await quickBooksConnection();
    qbo.injectFaults({ match: "revoke", fault: { kind: "503" }, times: 1 });
    const result = await endConnection(deps, connection, { revokeAtProvider: true });
    expect(result.ended).toBe(true);
    expect(result.revoke.outcome).toBe("failed");
    expect(result.revoke.outcome === "failed" ? result.revoke.message : "").toMatch(/503/);
    expect(JSON.stringify(result)).not.toContain(tokens.refreshToken);
    expect(await rawItem(connection)).toBeUndefined();
  });
});

describe("the provider told daybook", () => {
  it("ends the connection without calling the provider", async () => {
    const { connection } = await squareConnection();
    const before = square.requestLog().RevokeToken ?? 0;
    const result = await endConnection(deps, connection, { revokeAtProvider: false });
    expect(result).toEqual({ ended: true, revoke: { outcome: "skipped" } });
    expect(square.requestLog().RevokeToken ?? 0).toBe(before);
    expect(await rawItem(connection)).toBeUndefined();
  });

  it("says a Clover connection is not revocable by daybook, and removes it", async () => {
    const at = new Date().toISOString();
    const identity = { merchantId: `m-${randomUUID()}`, connectionId: `c-${randomUUID()}`, provider: "clover" as const };
    const connection = await deps.store.putConnection({
      ...identity, status: "active", externalId: "CLOVERMERCHANT1", region: "us", createdAt: at, updatedAt: at,
      tokenCiphertext: await sealTokens(vault, identity, { accessToken: "clover-access", refreshToken: "clover-refresh" }),
    });
    const clover = { ...deps, providers: { ...deps.providers, clover: createCloverProvider({ clientId: "APP", clientSecret: "secret", redirectUri: REDIRECT }) } };
    expect(await endConnection(clover, connection, { revokeAtProvider: true })).toEqual({ ended: true, revoke: { outcome: "not-revocable" } });
    expect(await rawItem(connection)).toBeUndefined();
  });

  it("says so when the connection no longer exists", async () => {
    const { connection } = await squareConnection();
    const result = await endConnection(deps, { ...connection, connectionId: `c-${randomUUID()}` }, { revokeAtProvider: true });
    expect(result).toEqual({ ended: false, revoke: { outcome: "skipped" } });
  });
});
