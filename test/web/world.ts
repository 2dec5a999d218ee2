/**
 * A whole front door for web tests, every part real and composed as functions/api.ts composes it
 * (lib/wiring/api.ts), from settings pointed at the test's parts: the app in-process (app.request), a
 * DynamoDB table on the run's moto_server behind the real stores, the local AES-256-GCM vault, the
 * outbox email sender (tests read the messages it writes), and the Square, Clover and QuickBooks
 * simulators with the real OAuth providers pointed at them. One clock drives the app and the
 * simulators; the nightly worker (workerOf) shares the app's services, one token keeper among them,
 * as the local stack's does.
 *
 * Browser keeps cookies like a browser does, sends the app's Origin on POSTs and the form token from
 * the pages, and can sign in through the emailed link and connect through the simulators' consent pages.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { Hono } from "hono";
import { expect, inject } from "vitest";
import { loadConfig } from "../../lib/config";
import type { Connection, ProviderName } from "../../lib/model";
import { createApp } from "../../lib/web/app";
import type { AppEnv, WebDeps } from "../../lib/web/deps";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";
import { DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { SECRET_MARKER } from "../../sandbox/secret-token";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";
import { CAPTURE_DIR_VARIABLE, captureTo } from "../support/log-capture";
import { submitConsentPage } from "../../sandbox/consent-page";
import { CookieJar } from "../../sandbox/cookie-jar";
import type { JobQueue } from "../../lib/schedule/enqueue";
import type { WorkerDeps } from "../../lib/worker/process-job";
import { composeApi } from "../../lib/wiring/api";
import type { ApiTuning } from "../../lib/wiring/provider-apis";
import type { Services } from "../../lib/wiring/services";
import { workerDepsOf } from "../../lib/wiring/worker";

export const PUBLIC_URL = "https://daybook.test";
// Test secrets carry the marker the suite-wide log scan looks for (test/support/log-capture.ts).
export const SQUARE_SIGNATURE_KEY = `square-key-${SECRET_MARKER}-for-tests`;
export const SQUARE_NOTIFICATION_URL = `${PUBLIC_URL}/webhooks/square`;
export const CLOVER_AUTH_CODE = `0307e264-${SECRET_MARKER}-88aa-37b10014a0b8`;
export const CLOVER_APP_ID = "DAYBOOKTESTAPP";
export const QUICKBOOKS_VERIFIER_TOKEN = `qbo-verifier-${SECRET_MARKER}-for-tests`;

export const callbackUrl = (provider: ProviderName) => `${PUBLIC_URL}/connect/${provider}/callback`;

/** The providers' clients give up on a request after 5 s: a test is waiting. The pages try twice, the worker as often as it would. */
const TUNING: ApiTuning = { square: { timeoutMs: 5000, maxRetries: 1 }, clover: { timeoutMs: 5000, maxRetries: 1 }, quickBooks: { timeoutMs: 5000, maxAttempts: 2 } };
const WORKER_TUNING: ApiTuning = { square: { timeoutMs: 5000 }, clover: { timeoutMs: 5000 }, quickBooks: { timeoutMs: 5000 } };

/** The one location of each Square merchant the web world holds. */
export const squareLocationOf = (squareMerchantId: string) => `L${squareMerchantId}`;

/** The provider accounts each simulator holds; a test picks one on the consent page. */
export interface ProviderAccounts {
  square: string[];
  clover: string[];
  quickbooks: string[];
}

export interface LogLine {
  level: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

export class TestClock {
  constructor(private at: number) {}
  readonly ms = (): number => this.at;
  readonly date = (): Date => new Date(this.at);
  advance(ms: number): void {
    this.at += ms;
  }
}

export interface WebWorld {
  app: Hono<AppEnv>;
  deps: WebDeps;
  /** What the app was composed from: the stores, the vault, the providers, the one token keeper. */
  services: Services;
  clock: TestClock;
  square: SquareSimulator;
  clover: CloverSimulator;
  quickbooks: QuickBooksSimulator;
  accounts: ProviderAccounts;
  dynamo: DynamoDBClient;
  tableName: string;
  outboxDir: string;
  logs: LogLine[];
  /** Every item in the table, as DynamoDB holds it. */
  scan(): Promise<Record<string, AttributeValue>[]>;
  /** The messages in the outbox so far, oldest first. */
  emails(): Promise<OutboxEmail[]>;
  browser(options?: BrowserOptions): Browser;
  close(): Promise<void>;
}

export interface OutboxEmail {
  file: string;
  to: string;
  subject: string;
  purpose: string;
  raw: string;
}

export async function createWebWorld(): Promise<WebWorld> {
  const clock = new TestClock(Date.parse("2025-06-02T14:00:00.000Z"));
  const square = await startSquareSimulator({ now: clock.ms, redirectUris: [callbackUrl("square")] });
  const clover = await startCloverSimulator({ now: clock.ms, appId: CLOVER_APP_ID, redirectUris: [callbackUrl("clover")], webhookAuthCode: CLOVER_AUTH_CODE });
  const quickbooks = await startQuickBooksSimulator({ now: clock.ms, redirectUris: [callbackUrl("quickbooks")] });
  const unique = () => randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase();
  const accounts: ProviderAccounts = {
    square: [`SQ${unique()}`, `SQ${unique()}`],
    clover: [`CL${unique()}`, `CL${unique()}`],
    quickbooks: [`9130${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`, `9131${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`],
  };
  for (const [index, merchantId] of accounts.square.entries()) {
    square.addMerchant({ merchantId, businessName: `Square shop ${index + 1}`, locations: [{ id: squareLocationOf(merchantId), name: "Main Street", timezone: "America/New_York", currency: "USD" }] });
  }
  for (const [index, merchantId] of accounts.clover.entries()) {
    clover.addMerchant({ merchantId, name: `Clover shop ${index + 1}`, timezone: "America/New_York", currency: "USD" });
  }
  for (const [index, realmId] of accounts.quickbooks.entries()) {
    quickbooks.addCompany({ realmId, companyName: `Books ${index + 1} LLC`, accounts: [...DEFAULT_ACCOUNTS] });
  }

  const dynamo = new DynamoDBClient(awsClientConfig(inject("motoEndpoint")));
  const tableName = await createTestTable(dynamo);
  const folder = await mkdtemp(join(tmpdir(), "daybook-web-"));
  const outboxDir = join(folder, "outbox");
  await mkdir(outboxDir);
  const logs: LogLine[] = [];

  const config = loadConfig("api", {
    DAYBOOK_TABLE: tableName, DAYBOOK_PUBLIC_URL: PUBLIC_URL,
    DAYBOOK_VAULT_KEY_FILE: join(folder, "vault.key"), DAYBOOK_OUTBOX_DIR: outboxDir,
    SQUARE_CLIENT_ID: square.applicationId, SQUARE_CLIENT_SECRET: square.applicationSecret, SQUARE_BASE_URL: square.url,
    SQUARE_WEBHOOK_SIGNATURE_KEY: SQUARE_SIGNATURE_KEY, SQUARE_WEBHOOK_URL: SQUARE_NOTIFICATION_URL,
    CLOVER_APP_ID: CLOVER_APP_ID, CLOVER_APP_SECRET: clover.appSecret, CLOVER_WEBHOOK_AUTH_CODE: CLOVER_AUTH_CODE, CLOVER_BASE_URL: clover.url,
    QUICKBOOKS_CLIENT_ID: quickbooks.clientId, QUICKBOOKS_CLIENT_SECRET: quickbooks.clientSecret, QUICKBOOKS_ENVIRONMENT: "sandbox",
    QUICKBOOKS_BASE_URL: quickbooks.endpoints.apiBase, QUICKBOOKS_AUTHORIZE_URL: quickbooks.endpoints.authorize,
    QUICKBOOKS_TOKEN_URL: quickbooks.endpoints.token, QUICKBOOKS_REVOKE_URL: quickbooks.endpoints.revoke,
    QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: QUICKBOOKS_VERIFIER_TOKEN,
  });
  const runtime = await composeApi(config, {
    now: clock.date, dynamo, oauthTimeoutMs: 5000, tuning: TUNING,
    log: (level, message, fields = {}) => {
      logs.push({ level, message, fields });
      // Also into the run's log capture, so the suite-wide scan reads what the app logged.
      const capture = process.env[CAPTURE_DIR_VARIABLE];
      if (capture !== undefined) captureTo(capture, `web-app-${String(process.pid)}`, `${JSON.stringify({ level, message, ...fields })}\n`);
    },
  });
  // The worker's code and the refresh sweep run beside the app here, with the app's one token keeper.
  const { deps } = runtime;
  const services = await runtime.madeServices();
  const app = createApp(deps);

  const world: WebWorld = {
    app, deps, services, clock, square, clover, quickbooks, accounts, dynamo, tableName, outboxDir, logs,
    async scan() {
      const items: Record<string, AttributeValue>[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async emails() {
      const files = (await readdir(outboxDir)).filter((file) => file.endsWith(".eml")).sort(byCount);
      return Promise.all(files.map(async (file) => {
        const raw = await readFile(join(outboxDir, file), "utf8");
        // Folded header lines unfolded, RFC 2047 encoded words decoded.
        const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
        const decode = (value: string) => value.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_, data: string) => Buffer.from(data, "base64").toString("utf8"));
        const header = (name: string) => decode(new RegExp(`^${name}: (.*)$`, "m").exec(head)?.[1] ?? "");
        return { file, raw, to: header("To"), subject: header("Subject"), purpose: header("X-Daybook-Purpose") };
      }));
    },
    browser: (options) => new Browser(world, options),
    async close() {
      await Promise.all([square.close(), clover.close(), quickbooks.close()]);
      services.close();
      dynamo.destroy();
      await rm(folder, { recursive: true, force: true });
    },
  };
  return world;
}

/** Outbox files end in "-<n>.eml", n counting up per sender. */
function byCount(a: string, b: string): number {
  const count = (file: string) => Number(/-(\d+)\.eml$/.exec(file)?.[1] ?? 0);
  return count(a) - count(b);
}

export interface BrowserOptions {
  /** The client address the Lambda request context reports. */
  ip?: string;
  userAgent?: string;
}

export interface SendOptions {
  /** The Origin header of a POST: this app's by default; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
}

const SIGN_IN_LINK = /https:\/\/daybook\.test\/sign-in\/confirm\?token=([A-Za-z0-9_-]{43})/;

export class Browser {
  readonly #jar = new CookieJar();
  readonly cookies = this.#jar.cookies;
  readonly ip: string;
  readonly userAgent: string;

  constructor(private readonly world: WebWorld, options: BrowserOptions = {}) {
    this.ip = options.ip ?? "203.0.113.77";
    this.userAgent = options.userAgent ?? "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0";
  }

  async request(method: string, path: string, body?: URLSearchParams | string, options: SendOptions = {}): Promise<Response> {
    const headers = new Headers({ "User-Agent": this.userAgent, ...options.headers });
    const cookie = this.#jar.header();
    if (cookie !== undefined) headers.set("Cookie", cookie);
    if (method === "POST") {
      const origin = options.origin === undefined ? PUBLIC_URL : options.origin;
      if (origin !== null) headers.set("Origin", origin);
      if (!headers.has("Content-Type")) headers.set("Content-Type", "application/x-www-form-urlencoded");
    }
    const init: RequestInit = { method, headers, ...(body !== undefined ? { body: body.toString() } : {}) };
    // Shaped like hono/aws-lambda's bindings for a function URL request.
    const env = { requestContext: { http: { sourceIp: this.ip } } };
    const response = await this.world.app.request(`${PUBLIC_URL}${path}`, init, env);
    this.#jar.keep(response);
    return response;
  }

  get(path: string, options?: SendOptions): Promise<Response> {
    return this.request("GET", path, undefined, options);
  }

  /** A form POST; signed in, the session's form token is added unless the form has one. */
  async post(path: string, fields: Record<string, string> = {}, options?: SendOptions): Promise<Response> {
    const form = new URLSearchParams(fields);
    if (!form.has("form_token") && this.cookies.has("__Host-daybook_session")) form.set("form_token", await this.formToken());
    return this.request("POST", path, form, options);
  }

  private cachedFormToken: { session: string; token: string } | undefined;

  /** The form token the signed-in pages carry, read from one every signed-in person may open. */
  async formToken(): Promise<string> {
    const session = this.cookies.get("__Host-daybook_session") ?? "";
    if (this.cachedFormToken?.session === session) return this.cachedFormToken.token;
    const page = await this.get("/sessions");
    expect(page.status).toBe(200);
    const token = /name="form_token" value="([0-9a-f]{64})"/.exec(await page.text())?.[1];
    if (!token) throw new Error("the sessions page has no form token");
    this.cachedFormToken = { session, token };
    return token;
  }

  /** Asks for a sign-in link and returns the one the outbox received for the address. */
  requestSignInLink(email: string): Promise<string> {
    return this.requestSignInLinkFor(email, {});
  }

  /** Asks for a sign-in link with the sign-in form's other fields (the page to return to); returns the one the outbox received. */
  async requestSignInLinkFor(email: string, fields: { next?: string }): Promise<string> {
    const before = (await this.world.emails()).length;
    const response = await this.post("/sign-in", { email, ...fields });
    expect(response.status).toBe(200);
    const sent = (await this.world.emails()).slice(before);
    expect(sent).toHaveLength(1);
    const message = sent[0]!;
    expect(message.to).toBe(email.trim().toLowerCase());
    const link = SIGN_IN_LINK.exec(message.raw)?.[0];
    if (!link) throw new Error("the sign-in email has no link");
    return link;
  }

  /**
   * Follows an emailed link as a person does: open it, press the button. Returns the POST's answer, or
   * the page's when it offers no button (a link used or expired).
   */
  async useSignInLink(link: string): Promise<Response> {
    const landing = await this.get(link.slice(PUBLIC_URL.length));
    if (landing.status === 400) return landing;
    expect(landing.status).toBe(200);
    const token = /name="token" value="([A-Za-z0-9_-]{43})"/.exec(await landing.text())?.[1];
    if (!token) throw new Error("the sign-in page has no token field");
    return this.post("/sign-in/confirm", { token });
  }

  /** Signs in through the emailed link; returns where it led: /business-name while the business has no name, else /connections. */
  async signIn(email: string): Promise<string> {
    const confirmed = await this.useSignInLink(await this.requestSignInLink(email));
    expect(confirmed.status).toBe(303);
    const next = confirmed.headers.get("Location") ?? "";
    // Home: the client list for someone a business invited; the business's name first while it has none; the connections.
    expect(["/business-name", "/connections", "/clients"]).toContain(next);
    return next;
  }

  /**
   * Starts a connection and answers the provider's consent page. Returns the callback path (with its
   * query) the provider redirected to, not yet followed.
   */
  async consent(provider: ProviderName, decision: "approve" | "deny", choose?: string, region = "us"): Promise<string> {
    const started = await this.post(`/connect/${provider}`, provider === "clover" ? { region } : {});
    expect(started.status).toBe(303);
    const authorizeUrl = started.headers.get("Location") ?? "";
    return answerConsentPage(authorizeUrl, decision, choose);
  }

  /** Connects a provider account end to end; returns the callback's answer. */
  async connect(provider: ProviderName, choose?: string): Promise<Response> {
    return this.get(await this.consent(provider, "approve", choose));
  }
}

/** A merchant signed in with Square's first test account and a QuickBooks company connected, its location not yet set up. */
export interface ConnectedMerchant {
  browser: Browser;
  merchantId: string;
  realmId: string;
  /** The Square location the locations page offers. */
  locationId: string;
  /** The merchant's active connection to the provider. */
  connection: (provider: Connection["provider"]) => Promise<Connection>;
}

/** Signs a new merchant in from its own client address and connects Square and the QuickBooks company. */
export async function connectedMerchant(world: WebWorld, realmId: string, who: { ip: string; email: string }): Promise<ConnectedMerchant> {
  const browser = world.browser({ ip: who.ip });
  await browser.signIn(who.email);
  expect((await browser.connect("square", world.accounts.square[0])).status).toBe(303);
  expect((await browser.connect("quickbooks", realmId)).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(who.email))!.merchantId;
  const connection = async (provider: Connection["provider"]) =>
    (await world.deps.store.listConnections(merchantId)).find((each) => each.provider === provider && each.status === "active")!;
  const html = await (await browser.get("/locations")).text();
  const locationId = /name="locationId" value="([^"]+)"/.exec(html)![1]!;
  return { browser, merchantId, realmId, locationId, connection };
}

/** Answers a simulator's consent page; returns the path and query of the redirect back to daybook. */
export async function answerConsentPage(authorizeUrl: string, decision: "approve" | "deny", choose?: string): Promise<string> {
  const location = (await submitConsentPage(authorizeUrl, decision, choose)).toString();
  expect(location.startsWith(`${PUBLIC_URL}/connect/`)).toBe(true);
  return location.slice(PUBLIC_URL.length);
}

/** The items of the table that belong to a merchant (its partition, and its sessions and OAuth states). */
export function itemsOf(items: Record<string, AttributeValue>[], merchantId: string): string[] {
  return items.map(canonicalJson).filter((text) => text.includes(merchantId)).sort();
}

/** JSON with every object's keys sorted, so equal items give equal text. */
export function canonicalJson(value: unknown): string {
  const sorted = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sorted);
    if (node instanceof Uint8Array) return Buffer.from(node).toString("base64");
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(Object.keys(node).sort().map((key) => [key, sorted((node as Record<string, unknown>)[key])]));
  };
  return JSON.stringify(sorted(value));
}

/**
 * The captured log lines hold no email address, sign-in link, secret-shaped value (the 43-character
 * tokens of links, cookies and states) or any of `secrets`.
 */
export function expectCleanLogs(world: WebWorld, secrets: readonly string[] = []): void {
  const text = world.logs.map((line) => JSON.stringify(line)).join("\n");
  expect(text).not.toMatch(/@/);
  expect(text).not.toContain("sign-in/confirm");
  expect(text).not.toContain("invitations/accept");
  expect(text).not.toMatch(/dbk_/);
  expect(text).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Whether the provider's simulator accepts this access token for the account now. */
export async function accessWorks(world: WebWorld, provider: ProviderName, accessToken: string, externalId: string): Promise<boolean> {
  const headers = { Authorization: `Bearer ${accessToken}`, Accept: "application/json" };
  const url = {
    square: `${world.square.url}/v2/locations`,
    clover: `${world.clover.url}/v3/merchants/${externalId}`,
    quickbooks: `${world.quickbooks.endpoints.apiBase}/v3/company/${externalId}/companyinfo/${externalId}?minorversion=75`,
  }[provider];
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return response.ok;
}

/** Items in `after` that were not in `before`, compared whole. */
export function newItems(before: Record<string, AttributeValue>[], after: Record<string, AttributeValue>[]): string[] {
  const known = new Set(before.map(canonicalJson));
  return after.map(canonicalJson).filter((item) => !known.has(item));
}

/**
 * Gives the world's app the backfill pages, queueing on `queue` (e.g. the moto FIFO queue of
 * email-links-world.ts's addEmailLinks, `world.deps.links.queue`); every Browser of the world uses the new app.
 */
export function addBackfillPages(world: WebWorld, queue: JobQueue): void {
  world.deps.backfill = { queue };
  world.app = createApp(world.deps);
}

/**
 * A nightly worker for the world (lib/worker/process-job.ts's deps): the world's services (its stores,
 * vault, outbox, and its one token keeper, as in the local stack's single process) and simulators.
 */
export function workerOf(world: WebWorld, linkKey: Buffer = randomBytes(32)): WorkerDeps {
  return workerDepsOf(world.services, { linkKey, quickBooksAppUrl: "https://app.sandbox.qbo.intuit.com" }, { tuning: WORKER_TUNING });
}
