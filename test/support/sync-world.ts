/**
 * A whole world for sync tests: the Square and QuickBooks simulators on loopback, a DynamoDB table on
 * the run's moto_server, a local vault, and one merchant with a Square location and a QuickBooks
 * company connected, mapped to the company's accounts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import type { Mapping } from "../../lib/domain/mapping";
import { sealTokens } from "../../lib/oauth/tokens";
import { createQuickBooksProvider } from "../../lib/oauth/quickbooks";
import { createTokenKeeper } from "../../lib/oauth/token-keeper";
import { createDynamoStorage, type Storage } from "../../lib/store/storage";
import type { LocationConfig } from "../../lib/model";
import type { Store } from "../../lib/store/store";
import { createSyncPorts, type SyncWiring } from "../../lib/sync/ports";
import type { LocationDay, SyncPorts } from "../../lib/sync/sync-day";
import { createLocalVault } from "../../lib/vault/local";
import type { TokenVault } from "../../lib/vault/vault";
import { DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "./aws";

export const CLOVER_MERCHANT_ID = "K3V8AZN1QW5YM";

/** Accounts the test company adds to QuickBooks' default chart. */
export const EXTRA_ACCOUNTS = {
  beverages: "200",
  food: "201",
  merchandise: "202",
  serviceCharges: "203",
  deposits: "204",
} as const;

const ids = DEFAULT_ACCOUNT_IDS;

export const MAPPING: Mapping = {
  defaults: {
    sales: ids.sales, discounts: ids.discounts, returns: ids.discounts, serviceCharges: EXTRA_ACCOUNTS.serviceCharges,
    tax: ids.salesTax, tips: ids.tips, giftCards: ids.giftCards, nonRevenue: EXTRA_ACCOUNTS.deposits,
    tenders: ids.cardClearing, fees: ids.bankCharges, rounding: ids.overShort, overShort: ids.overShort,
  },
  categories: { GEN_CAT_BEV: EXTRA_ACCOUNTS.beverages, GEN_CAT_FOOD: EXTRA_ACCOUNTS.food, GEN_CAT_MERCH: EXTRA_ACCOUNTS.merchandise },
  tenders: { CARD: ids.cardClearing, CASH: ids.undepositedFunds, SQUARE_GIFT_CARD: ids.giftCards, WALLET: ids.cardClearing, OTHER: ids.cardClearing },
};

export interface World {
  square: SquareSimulator;
  /** Started when the world's location reads from Clover. */
  clover?: CloverSimulator;
  quickbooks: QuickBooksSimulator;
  store: Store;
  /** Every storage port on the world's table (the store among them). */
  storage: Storage;
  vault: TokenVault;
  /** The vault's key and the table, for a CLI run in another process. */
  vaultKey: Buffer;
  tableName: string;
  merchantId: string;
  squareMerchantId: string;
  realmId: string;
  location: LocationConfig;
  /** Ports with the world's clients; `overrides` adjust the wiring (a checkpoint, a clock). */
  ports(overrides?: Partial<SyncWiring>): SyncPorts;
  day(businessDay: string): LocationDay;
  close(): Promise<void>;
}

export interface WorldOptions {
  timeZone?: string;
  dayStart?: string;
  currency?: string;
  companyCurrency?: string;
  /** The simulators' and the sync's clock. */
  now?: () => number;
  /** Which POS the location reads; Square by default. A Clover location's id is its Clover merchant id. */
  source?: "square" | "clover";
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const now = options.now ?? Date.now;
  const square = await startSquareSimulator({ now, seed: 7 });
  const quickbooks = await startQuickBooksSimulator({ now, seed: 7, slowDelayMs: 600 });
  const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
  const tableName = await createTestTable(dynamo);
  const storage = createDynamoStorage({ client: dynamo, tableName, now: () => new Date(now()) });
  const { store } = storage;
  const vaultKey = randomBytes(32);
  const vault = createLocalVault(vaultKey);

  const merchantId = `m-${randomUUID()}`;
  const squareMerchantId = `SQMERCHANT${randomUUID().slice(0, 8).toUpperCase()}`;
  const realmId = String(9_130_000_000_000_000 + Math.floor(Math.random() * 1e9));
  const source = options.source ?? "square";
  const clover = source === "clover" ? await startCloverSimulator({ now, seed: 7 }) : undefined;
  const locationId = source === "clover" ? CLOVER_MERCHANT_ID : "GENLOCATION01";
  const currency = options.currency ?? "USD";
  const timeZone = options.timeZone ?? "America/New_York";

  square.addMerchant({ merchantId: squareMerchantId, locations: [{ id: locationId, name: "Main Street", timezone: timeZone, currency }] });
  quickbooks.addCompany({
    realmId,
    companyName: "Main Street Coffee LLC",
    homeCurrency: options.companyCurrency ?? currency,
    accounts: [
      ...DEFAULT_ACCOUNTS,
      { Id: EXTRA_ACCOUNTS.beverages, Name: "Sales – Beverages", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA_ACCOUNTS.food, Name: "Sales – Food", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA_ACCOUNTS.merchandise, Name: "Sales – Merchandise", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
      { Id: EXTRA_ACCOUNTS.serviceCharges, Name: "Service Charge Income", AccountType: "Income", AccountSubType: "ServiceFeeIncome", Active: true },
      { Id: EXTRA_ACCOUNTS.deposits, Name: "Deposits Held", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
    ],
  });

  await store.putMerchant({ merchantId, name: "Main Street Coffee", email: "owner@mainstreet.example", createdAt: new Date(now()).toISOString() });
  const connectedAt = new Date(now()).toISOString();
  const squareConnection = { merchantId, connectionId: "square-1", provider: "square" as const, status: "active" as const, externalId: squareMerchantId, createdAt: connectedAt, updatedAt: connectedAt };
  await store.putConnection({
    ...squareConnection,
    tokenCiphertext: await sealTokens(vault, squareConnection, { accessToken: square.issueToken(squareMerchantId) }),
  });
  if (clover) {
    clover.addMerchant({ merchantId: CLOVER_MERCHANT_ID, name: "Main Street", timezone: timeZone, currency });
    const cloverConnection = { merchantId, connectionId: "clover-1", provider: "clover" as const, status: "active" as const, externalId: CLOVER_MERCHANT_ID, createdAt: connectedAt, updatedAt: connectedAt };
    const accessToken = clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 30 * 86_400_000 });
    await store.putConnection({ ...cloverConnection, tokenCiphertext: await sealTokens(vault, cloverConnection, { accessToken }) });
  }
  const issued = quickbooks.issueTokens(realmId);
  const qbConnection = { merchantId, connectionId: "quickbooks-1", provider: "quickbooks" as const, status: "active" as const, externalId: realmId, createdAt: connectedAt, updatedAt: connectedAt };
  await store.putConnection({
    ...qbConnection,
    tokenCiphertext: await sealTokens(vault, qbConnection, {
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      accessTokenExpiresAt: new Date(now() + issued.expires_in * 1000).toISOString(),
    }),
  });
  const location: LocationConfig = {
    merchantId, locationId, source, name: "Main Street", posConnectionId: source === "clover" ? "clover-1" : "square-1", quickbooksConnectionId: "quickbooks-1",
    timeZone, dayStart: options.dayStart ?? "00:00", currency, mapping: MAPPING, updatedAt: connectedAt,
  };
  await store.putLocation(location);

  const quickbooksOAuth = createQuickBooksProvider({
    clientId: quickbooks.clientId, clientSecret: quickbooks.clientSecret, redirectUri: "http://127.0.0.1/callback",
    environment: "sandbox", endpoints: quickbooks.endpoints, now: () => new Date(now()),
  });

  return {
    square, ...(clover ? { clover } : {}), quickbooks, store, storage, vault, vaultKey, tableName, merchantId, squareMerchantId, realmId, location,
    ports: (overrides = {}) =>
      createSyncPorts({
        store,
        settings: storage.settings,
        tokens: createTokenKeeper({ store, vault, providers: { quickbooks: quickbooksOAuth }, now: () => new Date(now()) }),
        square: { baseUrl: square.url, timeoutMs: 500, maxRetries: 4 },
        ...(clover ? { clover: { baseUrl: clover.url, timeoutMs: 1000, maxRetries: 6, sleep: () => Promise.resolve() } } : {}),
        quickBooks: { baseUrl: quickbooks.endpoints.apiBase, timeoutMs: 500, maxAttempts: 5, sleep: () => Promise.resolve() },
        now: () => new Date(now()),
        ...overrides,
      }),
    day: (businessDay) => ({ merchantId, locationId, businessDay }),
    async close() {
      await Promise.all([square.close(), quickbooks.close(), clover?.close()]);
      dynamo.destroy();
    },
  };
}
