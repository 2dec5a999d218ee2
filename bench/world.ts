/**
 * A world for the benchmarks, after test/support/sync-world.ts (which needs vitest's inject): the
 * Square, Clover and QuickBooks simulators on loopback, a table on moto_server, the token vault on
 * moto's KMS, one merchant with a location connected to a QuickBooks company, and counters on every
 * AWS client. The simulators count their own requests.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Mapping } from "../lib/domain/mapping";
import { createQuickBooksProvider } from "../lib/oauth/quickbooks";
import { createTokenKeeper } from "../lib/oauth/token-keeper";
import { sealTokens } from "../lib/oauth/tokens";
import { createDynamoStorage } from "../lib/store/storage";
import { createTableInput } from "../lib/store/table";
import type { LocationConfig } from "../lib/model";
import type { Store } from "../lib/store/store";
import { createSyncPorts } from "../lib/sync/ports";
import type { SyncPorts } from "../lib/sync/sync-day";
import { createKmsVault } from "../lib/vault/kms";
import type { TokenVault } from "../lib/vault/vault";
import { type CloverSimulator, startCloverSimulator } from "../sandbox/clover/server";
import { DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../sandbox/quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../sandbox/square/server";
import { type AwsCounts, countCalls, emptyCounts } from "./aws-counter";

export const CLOVER_MERCHANT_ID = "K3V8AZN1QW5YM";
export const SQUARE_LOCATION_ID = "GENLOCATION01";

const ids = DEFAULT_ACCOUNT_IDS;
const EXTRA = { beverages: "200", food: "201", merchandise: "202", serviceCharges: "203", deposits: "204" } as const;

export const MAPPING: Mapping = {
  defaults: {
    sales: ids.sales, discounts: ids.discounts, returns: ids.discounts, serviceCharges: EXTRA.serviceCharges,
    tax: ids.salesTax, tips: ids.tips, giftCards: ids.giftCards, nonRevenue: EXTRA.deposits,
    tenders: ids.cardClearing, fees: ids.bankCharges, rounding: ids.overShort, overShort: ids.overShort,
  },
  categories: { GEN_CAT_BEV: EXTRA.beverages, GEN_CAT_FOOD: EXTRA.food, GEN_CAT_MERCH: EXTRA.merchandise },
  tenders: { CARD: ids.cardClearing, CASH: ids.undepositedFunds, SQUARE_GIFT_CARD: ids.giftCards, WALLET: ids.cardClearing, OTHER: ids.cardClearing },
};

export const awsConfig = (endpoint: string) => ({
  region: "us-east-1", endpoint,
  // Static and fake: moto accepts any.
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});

export interface BenchWorld {
  square: SquareSimulator;
  clover?: CloverSimulator;
  quickbooks: QuickBooksSimulator;
  store: Store;
  documents: DynamoDBDocumentClient;
  dynamo: DynamoDBClient;
  vault: TokenVault;
  /** Every AWS call the world's clients made, DynamoDB units included. */
  aws: AwsCounts;
  tableName: string;
  merchantId: string;
  squareMerchantId: string;
  realmId: string;
  location: LocationConfig;
  /** Fresh sync ports, with a fresh token keeper (nothing decrypted yet, as in a new job for another merchant). */
  ports(): SyncPorts;
  close(): Promise<void>;
}

export interface BenchWorldOptions {
  motoEndpoint: string;
  source: "square" | "clover";
  timeZone: string;
  now: () => number;
  ownerEmail?: string;
}

export async function createBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  const { now, source, timeZone } = options;
  const aws = emptyCounts();
  const square = await startSquareSimulator({ now, seed: 7 });
  const quickbooks = await startQuickBooksSimulator({ now, seed: 7 });
  const clover = source === "clover" ? await startCloverSimulator({ now, seed: 7 }) : undefined;
  const dynamo = new DynamoDBClient(awsConfig(options.motoEndpoint));
  const tableName = `daybook-bench-${randomUUID()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  countCalls(dynamo, "DynamoDB", aws);
  const documents = DynamoDBDocumentClient.from(dynamo);
  const { store, settings } = createDynamoStorage({ client: dynamo, tableName, now: () => new Date(now()) });
  const kms = new KMSClient(awsConfig(options.motoEndpoint));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "daybook bench token key" }));
  countCalls(kms, "KMS", aws);
  const vault = createKmsVault({ client: kms, keyId: KeyMetadata?.KeyId ?? "" });

  const merchantId = `m-${randomUUID()}`;
  const squareMerchantId = `SQMERCHANT${randomUUID().slice(0, 8).toUpperCase()}`;
  const realmId = String(9_130_000_000_000_000 + Math.floor(Math.random() * 1e9));
  const locationId = source === "clover" ? CLOVER_MERCHANT_ID : SQUARE_LOCATION_ID;
  square.addMerchant({ merchantId: squareMerchantId, locations: [{ id: locationId, name: "Main Street", timezone: timeZone, currency: "USD" }] });
  quickbooks.addCompany({
    realmId, companyName: "Main Street Coffee LLC", homeCurrency: "USD",
    accounts: [
      ...DEFAULT_ACCOUNTS,
      { Id: EXTRA.beverages, Name: "Sales – Beverages", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA.food, Name: "Sales – Food", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA.merchandise, Name: "Sales – Merchandise", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA.serviceCharges, Name: "Service Charge Income", AccountType: "Income", AccountSubType: "ServiceFeeIncome", Active: true },
      { Id: EXTRA.deposits, Name: "Deposits Held", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
    ],
  });
  const at = new Date(now()).toISOString();
  await store.putMerchant({ merchantId, name: "Main Street Coffee", email: options.ownerEmail ?? "owner@mainstreet.example", createdAt: at });
  const squareConnection = { merchantId, connectionId: "square-1", provider: "square" as const, status: "active" as const, externalId: squareMerchantId, createdAt: at, updatedAt: at };
  await store.putConnection({ ...squareConnection, tokenCiphertext: await sealTokens(vault, squareConnection, { accessToken: square.issueToken(squareMerchantId) }) });
  if (clover) {
    clover.addMerchant({ merchantId: CLOVER_MERCHANT_ID, name: "Main Street", timezone: timeZone, currency: "USD" });
    const cloverConnection = { merchantId, connectionId: "clover-1", provider: "clover" as const, status: "active" as const, externalId: CLOVER_MERCHANT_ID, createdAt: at, updatedAt: at };
    const accessToken = clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 365 * 86_400_000 });
    await store.putConnection({ ...cloverConnection, tokenCiphertext: await sealTokens(vault, cloverConnection, { accessToken }) });
  }
  const issued = quickbooks.issueTokens(realmId);
  const qbConnection = { merchantId, connectionId: "quickbooks-1", provider: "quickbooks" as const, status: "active" as const, externalId: realmId, createdAt: at, updatedAt: at };
  await store.putConnection({
    ...qbConnection,
    tokenCiphertext: await sealTokens(vault, qbConnection, {
      accessToken: issued.access_token, refreshToken: issued.refresh_token,
      accessTokenExpiresAt: new Date(now() + issued.expires_in * 1000).toISOString(),
    }),
  });
  const location: LocationConfig = {
    merchantId, locationId, source, name: "Main Street", posConnectionId: source === "clover" ? "clover-1" : "square-1",
    quickbooksConnectionId: "quickbooks-1", timeZone, dayStart: "00:00", currency: "USD", mapping: MAPPING, updatedAt: at,
  };
  await store.putLocation(location);
  // Setting up is not what is measured.
  aws.calls = {};
  aws.readUnits = 0;
  aws.writeUnits = 0;

  const quickbooksOAuth = createQuickBooksProvider({
    clientId: quickbooks.clientId, clientSecret: quickbooks.clientSecret, redirectUri: "http://127.0.0.1/callback",
    environment: "sandbox", endpoints: quickbooks.endpoints, now: () => new Date(now()),
  });
  return {
    square, ...(clover ? { clover } : {}), quickbooks, store, documents, dynamo, vault, aws, tableName, merchantId, squareMerchantId, realmId, location,
    ports: () => createSyncPorts({
      store,
      settings,
      tokens: createTokenKeeper({ store, vault, providers: { quickbooks: quickbooksOAuth }, now: () => new Date(now()) }),
      square: { baseUrl: square.url, timeoutMs: 120_000, maxRetries: 2 },
      ...(clover ? { clover: { baseUrl: clover.url, timeoutMs: 120_000, maxRetries: 6 } } : {}),
      quickBooks: { baseUrl: quickbooks.endpoints.apiBase, timeoutMs: 30_000, maxAttempts: 3 },
      now: () => new Date(now()),
    }),
    async close() {
      await Promise.all([square.close(), quickbooks.close(), clover?.close()]);
      dynamo.destroy();
      kms.destroy();
    },
  };
}

export const randomKey = (): Buffer => randomBytes(32);
