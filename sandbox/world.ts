/**
 * A whole world for syncing days, shared by the tests (test/support/sync-world.ts) and the benchmarks
 * (bench/): the Square and QuickBooks simulators (and Clover's, for a Clover location) on loopback, a
 * DynamoDB table on a moto_server, the token vault (local, or KMS on moto), and one merchant with a
 * location connected to its POS and to a QuickBooks company, mapped to the company's accounts.
 *
 * The sync's ports come from lib/wiring, composed as `daybook sync` composes them, each call a new
 * process: a token keeper of its own, nothing decrypted yet.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { SyncConfig } from "../lib/config";
import type { Mapping } from "../lib/domain/mapping";
import { createRecordingSender, type RecordingSender } from "../lib/email/recording";
import type { LocationConfig } from "../lib/model";
import { SQUARE_SCOPES } from "../lib/oauth/square";
import { sealTokens } from "../lib/oauth/tokens";
import { createDynamoStorage, type Storage } from "../lib/store/storage";
import type { Store } from "../lib/store/store";
import type { LocationDay, SyncPorts } from "../lib/sync/sync-day";
import { createKmsVault } from "../lib/vault/kms";
import { createLocalVault } from "../lib/vault/local";
import type { TokenVault } from "../lib/vault/vault";
import type { ApiTuning } from "../lib/wiring/provider-apis";
import { composeServices } from "../lib/wiring/services";
import { type SyncPortOptions, syncPortsOf } from "../lib/wiring/sync-ports";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "./aws";
import { type CloverSimulator, startCloverSimulator } from "./clover/server";
import { type CompanyOptions, DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, type IssuedTokens, type QuickBooksSimulator, startQuickBooksSimulator } from "./quickbooks/server";
import { type MerchantInput, type SquareSimulator, startSquareSimulator } from "./square/server";

export const CLOVER_MERCHANT_ID = "K3V8AZN1QW5YM";
export const SQUARE_LOCATION_ID = "GENLOCATION01";

/** Accounts the world's company adds to QuickBooks' default chart. */
export const EXTRA_ACCOUNTS = {
  beverages: "200",
  food: "201",
  merchandise: "202",
  serviceCharges: "203",
  deposits: "204",
} as const;

/** Accounts a world with payouts adds (SyncWorldOptions.payouts): where the mapping's payouts section points. */
export const PAYOUT_ACCOUNTS = {
  squareFees: "205",
  chargebacks: "206",
  squareLoan: "207",
  squareSavings: "208",
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

/**
 * The world's mapping with Square payouts posted: to the checking account, fees, chargebacks, the loan
 * and savings on accounts of their own; external tenders to undeposited funds, so card clearing holds
 * only what Square pays out.
 */
export const PAYOUTS_MAPPING: Mapping = {
  ...MAPPING,
  tenders: { ...MAPPING.tenders, OTHER: ids.undepositedFunds },
  payouts: {
    bank: ids.checking, fees: PAYOUT_ACCOUNTS.squareFees, disputes: PAYOUT_ACCOUNTS.chargebacks, loan: PAYOUT_ACCOUNTS.squareLoan, savings: PAYOUT_ACCOUNTS.squareSavings,
  },
};

type Later<T> = T | Promise<T>;

/**
 * What the world asks of the Square simulator it is given (SyncWorldOptions.simulators): a
 * SquareSimulator, or one in another process whose answers come later (bench/simulators-process.ts).
 */
export interface WorldSquare {
  readonly url: string;
  readonly applicationId: string;
  readonly applicationSecret: string;
  addMerchant(merchant: MerchantInput): Later<void>;
  issueToken(merchantId: string): Later<string>;
  close(): Promise<void>;
}

/** What the world asks of the QuickBooks simulator it is given, likewise. */
export interface WorldQuickBooks {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly endpoints: QuickBooksSimulator["endpoints"];
  addCompany(options: CompanyOptions): Later<void>;
  issueTokens(realmId: string): Later<IssuedTokens>;
  close(): Promise<void>;
}

export interface SyncWorld<S extends WorldSquare = SquareSimulator, Q extends WorldQuickBooks = QuickBooksSimulator> {
  square: S;
  /** Started when the world's location reads from Clover. */
  clover?: CloverSimulator;
  quickbooks: Q;
  store: Store;
  /** Every storage port on the world's table (the store among them). */
  storage: Storage;
  vault: TokenVault;
  /**
   * A vault on the same key as another process makes it, with no data key kept (KMS): each connection
   * is sealed at set-up by one of its own, as two connect requests served apart would.
   */
  newVault(): TokenVault;
  /** The local vault's key, for a CLI run in another process; absent with KMS. */
  vaultKey?: Buffer;
  /** The KMS key the vault seals with, when it is KMS. */
  kmsKeyId?: string;
  /** The table's client (serialised when asked for), and the table. */
  dynamo: DynamoDBClient;
  tableName: string;
  merchantId: string;
  squareMerchantId: string;
  realmId: string;
  location: LocationConfig;
  /** Every daybook location of the world's merchant: `location`, then those of SyncWorldOptions.moreSquareLocations. */
  locations: LocationConfig[];
  /** The emails the sync sent (a refused connection's reconnect email). */
  email: RecordingSender;
  /** Settings of a `daybook sync` pointed at the world (the vault's and email's excepted: handed in). */
  settings: SyncConfig;
  /** The clients' patience the world's ports have. */
  tuning: ApiTuning;
  /** The sync's ports, composed by lib/wiring as a new process would have them. */
  ports(options?: { now?: () => Date; checkpoint?: SyncPortOptions["checkpoint"]; vault?: TokenVault }): Promise<SyncPorts>;
  day(businessDay: string): LocationDay;
  close(): Promise<void>;
}

export interface SyncWorldOptions<S extends WorldSquare = SquareSimulator, Q extends WorldQuickBooks = QuickBooksSimulator> {
  motoEndpoint: string;
  timeZone?: string;
  dayStart?: string;
  currency?: string;
  companyCurrency?: string;
  /** The simulators' and the sync's clock. */
  now?: () => number;
  /** Which POS the location reads; Square by default. A Clover location's id is its Clover merchant id. */
  source?: "square" | "clover";
  ownerEmail?: string;
  /** Tokens sealed by the local vault (a random key; the default) or by KMS on moto_server. */
  vault?: "local" | "kms";
  /** The clients' patience (their own defaults where unset). */
  tuning?: ApiTuning;
  /** One DynamoDB request at a time, as DynamoDB serialises conditional writes and moto does not (aws.ts). */
  serialiseDynamo?: boolean;
  /** How long the QuickBooks simulator's "slow" fault takes. */
  quickBooksSlowDelayMs?: number;
  /** How long every answer of the Square and QuickBooks simulators waits first (the benchmarks' stated provider latency). Default 0. */
  providerLatencyMs?: number;
  /**
   * The Square merchant instead of the world's own: sets it up in the simulator (its location must be
   * SQUARE_LOCATION_ID) and returns its id.
   */
  squareMerchant?(square: S): string;
  /** Post Square payouts: the company gets a bank, fee, chargeback, loan and savings account, and the mapping a payouts section. */
  payouts?: boolean;
  /**
   * More Square locations of the world's Square merchant (their ids), each a daybook location of its own
   * like the first: the same zone, day start, currency and mapping, on the same Square connection and
   * QuickBooks company (a merchant's locations share one company). Not with `squareMerchant` or Clover.
   */
  moreSquareLocations?: readonly string[];
  /** Called with each AWS client the world makes, before it is used (the benchmarks count calls). */
  instrument?: (client: DynamoDBClient | KMSClient, service: "DynamoDB" | "KMS") => void;
  /**
   * The Square and QuickBooks simulators to use instead of starting them here: started with
   * startWorldSimulators (another process's, to keep their CPU out of a measured job's); closed with the world.
   */
  simulators?: { square: S; quickbooks: Q };
}

/** The options the world's Square and QuickBooks simulators are started with. */
export type WorldSimulatorOptions = Pick<SyncWorldOptions, "now" | "providerLatencyMs" | "quickBooksSlowDelayMs">;

/** The Square and QuickBooks simulators of a world, as createSyncWorld starts them when it is given none. */
export async function startWorldSimulators(options: WorldSimulatorOptions): Promise<{ square: SquareSimulator; quickbooks: QuickBooksSimulator }> {
  const now = options.now ?? Date.now;
  const latency = options.providerLatencyMs ? { latencyMs: options.providerLatencyMs } : {};
  const square = await startSquareSimulator({ now, seed: 7, ...latency });
  const quickbooks = await startQuickBooksSimulator({ now, seed: 7, ...latency, ...(options.quickBooksSlowDelayMs !== undefined ? { slowDelayMs: options.quickBooksSlowDelayMs } : {}) });
  return { square, quickbooks };
}

export async function createSyncWorld(options: SyncWorldOptions): Promise<SyncWorld>;
export async function createSyncWorld<S extends WorldSquare, Q extends WorldQuickBooks>(options: SyncWorldOptions<S, Q> & { simulators: { square: S; quickbooks: Q } }): Promise<SyncWorld<S, Q>>;
export async function createSyncWorld(options: SyncWorldOptions<WorldSquare, WorldQuickBooks>): Promise<SyncWorld<WorldSquare, WorldQuickBooks>> {
  const now = options.now ?? Date.now;
  const nowDate = () => new Date(now());
  const { square, quickbooks } = options.simulators ?? await startWorldSimulators(options);
  const made = new DynamoDBClient(awsClientConfig(options.motoEndpoint));
  const dynamo = options.serialiseDynamo ? oneRequestAtATime(made) : made;
  const tableName = await createTestTable(dynamo);
  options.instrument?.(dynamo, "DynamoDB");
  const storage = createDynamoStorage({ client: dynamo, tableName, now: nowDate });
  const { store } = storage;
  let kms: KMSClient | undefined;
  let newVault: () => TokenVault;
  let vaultKey: Buffer | undefined;
  let kmsKeyId: string | undefined;
  if (options.vault === "kms") {
    const client = new KMSClient(awsClientConfig(options.motoEndpoint));
    kms = client;
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Description: "daybook world tokens" }));
    options.instrument?.(kms, "KMS");
    const keyId = KeyMetadata?.KeyId ?? "";
    kmsKeyId = keyId;
    newVault = () => createKmsVault({ client, keyId });
  } else {
    const key = randomBytes(32);
    vaultKey = key;
    newVault = () => createLocalVault(key);
  }
  const vault = newVault();

  const merchantId = `m-${randomUUID()}`;
  const squareMerchantId = options.squareMerchant?.(square) ?? `SQMERCHANT${randomUUID().slice(0, 8).toUpperCase()}`;
  const realmId = String(9_130_000_000_000_000 + Math.floor(Math.random() * 1e9));
  const source = options.source ?? "square";
  const clover = source === "clover" ? await startCloverSimulator({ now, seed: 7 }) : undefined;
  const locationId = source === "clover" ? CLOVER_MERCHANT_ID : SQUARE_LOCATION_ID;
  const currency = options.currency ?? "USD";
  const timeZone = options.timeZone ?? "America/New_York";

  const more = options.moreSquareLocations ?? [];
  if (more.length > 0 && (source !== "square" || options.squareMerchant)) throw new Error("moreSquareLocations are locations of the world's own Square merchant");
  const names = (index: number) => (index === 0 ? "Main Street" : `Location ${index + 1}`);
  if (!options.squareMerchant) {
    await square.addMerchant({ merchantId: squareMerchantId, locations: [locationId, ...more].map((id, index) => ({ id, name: names(index), timezone: timeZone, currency })) });
  }
  await quickbooks.addCompany({
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
      ...(options.payouts ? [
        { Id: PAYOUT_ACCOUNTS.squareFees, Name: "Square Fees", AccountType: "Expense", AccountSubType: "BankCharges", Active: true },
        { Id: PAYOUT_ACCOUNTS.chargebacks, Name: "Chargebacks", AccountType: "Expense", AccountSubType: "OtherMiscellaneousServiceCost", Active: true },
        { Id: PAYOUT_ACCOUNTS.squareLoan, Name: "Square Capital Loan", AccountType: "Other Current Liability", AccountSubType: "LoanPayable", Active: true },
        { Id: PAYOUT_ACCOUNTS.squareSavings, Name: "Square Savings", AccountType: "Bank", AccountSubType: "Savings", Active: true },
      ] : []),
    ],
  });

  const at = nowDate().toISOString();
  await store.putMerchant({ merchantId, name: "Main Street Coffee", email: options.ownerEmail ?? "owner@mainstreet.example", createdAt: at });
  const connection = (connectionId: string, provider: "square" | "clover" | "quickbooks", externalId: string) =>
    ({ merchantId, connectionId, provider, status: "active" as const, externalId, createdAt: at, updatedAt: at });
  const squareConnection = { ...connection("square-1", "square", squareMerchantId), grantedScopes: [...SQUARE_SCOPES] };
  await store.putConnection({ ...squareConnection, tokenCiphertext: await sealTokens(newVault(), squareConnection, { accessToken: await square.issueToken(squareMerchantId) }) });
  if (clover) {
    clover.addMerchant({ merchantId: CLOVER_MERCHANT_ID, name: "Main Street", timezone: timeZone, currency });
    const cloverConnection = connection("clover-1", "clover", CLOVER_MERCHANT_ID);
    const accessToken = clover.issueToken(CLOVER_MERCHANT_ID, { expiresInMs: 365 * 86_400_000 });
    await store.putConnection({ ...cloverConnection, tokenCiphertext: await sealTokens(newVault(), cloverConnection, { accessToken }) });
  }
  const issued = await quickbooks.issueTokens(realmId);
  const qbConnection = connection("quickbooks-1", "quickbooks", realmId);
  await store.putConnection({
    ...qbConnection,
    tokenCiphertext: await sealTokens(newVault(), qbConnection, {
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      accessTokenExpiresAt: new Date(now() + issued.expires_in * 1000).toISOString(),
    }),
  });
  const location: LocationConfig = {
    merchantId, locationId, source, name: "Main Street", posConnectionId: source === "clover" ? "clover-1" : "square-1", quickbooksConnectionId: "quickbooks-1",
    timeZone, dayStart: options.dayStart ?? "00:00", currency, mapping: options.payouts ? PAYOUTS_MAPPING : MAPPING, updatedAt: at,
  };
  await store.putLocation(location);
  const locations = [location, ...more.map((id, index) => ({ ...location, locationId: id, name: names(index + 1) }))];
  for (const other of locations.slice(1)) await store.putLocation(other);

  const settings: SyncConfig = {
    DAYBOOK_TABLE: tableName,
    AWS_REGION: "us-east-1",
    DAYBOOK_DYNAMODB_ENDPOINT: options.motoEndpoint,
    ...(kmsKeyId !== undefined ? { DAYBOOK_KMS_KEY_ID: kmsKeyId, DAYBOOK_KMS_ENDPOINT: options.motoEndpoint } : {}),
    DAYBOOK_PUBLIC_URL: "https://daybook.test",
    SQUARE_CLIENT_ID: square.applicationId, SQUARE_CLIENT_SECRET: square.applicationSecret, SQUARE_BASE_URL: square.url,
    CLOVER_APP_ID: clover?.appId ?? "no-clover", CLOVER_APP_SECRET: clover?.appSecret ?? "no-clover", ...(clover ? { CLOVER_BASE_URL: clover.url } : {}),
    QUICKBOOKS_CLIENT_ID: quickbooks.clientId, QUICKBOOKS_CLIENT_SECRET: quickbooks.clientSecret, QUICKBOOKS_ENVIRONMENT: "sandbox",
    QUICKBOOKS_BASE_URL: quickbooks.endpoints.apiBase, QUICKBOOKS_TOKEN_URL: quickbooks.endpoints.token, QUICKBOOKS_REVOKE_URL: quickbooks.endpoints.revoke,
  };
  const email = createRecordingSender();

  return {
    square, ...(clover ? { clover } : {}), quickbooks, store, storage, vault, newVault, ...(vaultKey ? { vaultKey } : {}), ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    dynamo, tableName, merchantId, squareMerchantId, realmId, location, locations, email, settings, tuning: options.tuning ?? {},
    async ports(portOptions = {}) {
      const services = await composeServices(settings, { now: portOptions.now ?? nowDate, dynamo, storage, vault: portOptions.vault ?? vault, email });
      return syncPortsOf(services, { ...(options.tuning ? { tuning: options.tuning } : {}), ...(portOptions.checkpoint ? { checkpoint: portOptions.checkpoint } : {}) });
    },
    day: (businessDay) => ({ merchantId, locationId, businessDay }),
    async close() {
      await Promise.all([square.close(), quickbooks.close(), clover?.close()]);
      dynamo.destroy();
      kms?.destroy();
    },
  };
}
