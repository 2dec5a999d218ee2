/**
 * Disconnects from the providers' side: Square's signed webhook, Clover's app-uninstall webhook
 * (delivered by the simulator to the app served on a real socket) and QuickBooks' disconnect URL.
 * Forgeries are refused and change nothing; genuine ones end the connection and destroy its tokens.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../lib/model";
import { openTokens } from "../../lib/oauth/tokens";
import { DEFAULT_ACCOUNT_IDS as IDS, DEFAULT_ACCOUNTS } from "../../sandbox/quickbooks/server";
import {
  accessWorks, type Browser, canonicalJson, CLOVER_APP_ID, CLOVER_AUTH_CODE, connectedMerchant, createWebWorld, expectCleanLogs, PUBLIC_URL,
  QUICKBOOKS_VERIFIER_TOKEN, SQUARE_NOTIFICATION_URL, SQUARE_SIGNATURE_KEY, type WebWorld,
} from "./world";

let world: WebWorld;
let server: ServerType | undefined;
let base = "";
const secrets: string[] = [];

beforeAll(async () => {
  world = await createWebWorld();
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: world.app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  expectCleanLogs(world, secrets);
  await new Promise((resolve) => server?.close(resolve));
  await world.close();
});

let counter = 0;
const unique = () => `${++counter}${randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase()}`;

/** A merchant signed in, with a fresh account at `provider` connected. */
async function connected(provider: ProviderName): Promise<{ browser: Browser; merchantId: string; externalId: string; connectionId: string }> {
  const externalId = provider === "square" ? `SQW${unique()}` : provider === "clover" ? `CLW${unique()}` : `9132${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`;
  if (provider === "square") world.square.addMerchant({ merchantId: externalId, locations: [{ id: `L${unique()}`, name: "Shop", timezone: "UTC", currency: "USD" }] });
  if (provider === "clover") world.clover.addMerchant({ merchantId: externalId, name: "Shop", timezone: "UTC", currency: "USD" });
  if (provider === "quickbooks") world.quickbooks.addCompany({ realmId: externalId, companyName: "Shop LLC", accounts: [...DEFAULT_ACCOUNTS] });
  const browser = world.browser();
  const address = `hook${unique()}@example.com`;
  await browser.signIn(address);
  expect((await browser.connect(provider, externalId)).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
  const [connection] = await world.deps.store.listConnections(merchantId);
  expect(connection).toMatchObject({ provider, externalId, status: "active" });
  const tokens = await openTokens(world.deps.vault, connection!);
  secrets.push(tokens.accessToken, ...(tokens.refreshToken ? [tokens.refreshToken] : []));
  return { browser, merchantId, externalId, connectionId: connection!.connectionId };
}

async function connectionItems(merchantId: string): Promise<string[]> {
  return (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId)).sort();
}

async function stillWorks(merchantId: string, connectionId: string): Promise<boolean> {
  const connection = await world.deps.store.getConnection(merchantId, connectionId);
  if (connection?.status !== "active") return false;
  const tokens = await openTokens(world.deps.vault, connection);
  return accessWorks(world, connection.provider, tokens.accessToken, connection.externalId);
}

const squareSignature = (body: string, key = SQUARE_SIGNATURE_KEY, url = SQUARE_NOTIFICATION_URL) =>
  createHmac("sha256", key).update(url + body, "utf8").digest("base64");

function revokedEvent(squareMerchantId: string, revokedAt: string): string {
  return JSON.stringify({
    merchant_id: squareMerchantId,
    type: "oauth.authorization.revoked",
    event_id: randomUUID(),
    created_at: revokedAt,
    data: { type: "revocation", id: randomUUID(), object: { revocation: { revoked_at: revokedAt, revoker_type: "MERCHANT" } } },
  });
}

const postSquare = (body: string, signature?: string) =>
  world.app.request(`${PUBLIC_URL}/webhooks/square`, {
    method: "POST", body, headers: { "Content-Type": "application/json", ...(signature !== undefined ? { "x-square-hmacsha256-signature": signature } : {}) },
  });

/** Revokes at the Square simulator as the merchant does in their Square dashboard. */
async function revokeInSquare(squareMerchantId: string): Promise<void> {
  const response = await fetch(`${world.square.url}/oauth2/revoke`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Client ${world.square.applicationSecret}` },
    body: JSON.stringify({ client_id: world.square.applicationId, merchant_id: squareMerchantId }),
  });
  expect(response.status).toBe(200);
}

describe("Square's oauth.authorization.revoked", () => {
  it("refuses forged, unsigned and altered events with 401 and changes nothing", async () => {
    const { merchantId, externalId, connectionId } = await connected("square");
    const body = revokedEvent(externalId, world.clock.date().toISOString());
    const before = await connectionItems(merchantId);
    const attempts: [string, string | undefined][] = [
      ["no signature", undefined],
      ["an empty signature", ""],
      ["another key", squareSignature(body, "not-the-key")],
      ["another URL", squareSignature(body, SQUARE_SIGNATURE_KEY, "https://evil.example/webhooks/square")],
      ["another body", squareSignature(body.replace("MERCHANT", "APPLICATION"))],
      ["garbage", "!!!"],
    ];
    for (const [what, signature] of attempts) {
      const response = await postSquare(body, signature);
      expect(response.status, what).toBe(401);
    }
    expect(await connectionItems(merchantId)).toEqual(before);
    expect(await stillWorks(merchantId, connectionId)).toBe(true);
  });

  it("ends (removes) the connections of the revoked Square account, tokens and all", async () => {
    const { merchantId, externalId, connectionId } = await connected("square");
    await revokeInSquare(externalId);
    const body = revokedEvent(externalId, world.clock.date().toISOString());
    world.clock.advance(1000);
    const response = await postSquare(body, squareSignature(body));
    expect(response.status).toBe(200);
    // An ended connection is removed at once, tokens and all.
    expect(await world.deps.store.getConnection(merchantId, connectionId)).toBeUndefined();
  });

  it("a replayed revocation never ends a connection made after it", async () => {
    const { browser, merchantId, externalId, connectionId } = await connected("square");
    const revokedAt = world.clock.date().toISOString();
    await revokeInSquare(externalId);
    const body = revokedEvent(externalId, revokedAt);
    world.clock.advance(60_000);
    expect((await postSquare(body, squareSignature(body))).status).toBe(200);
    world.clock.advance(60_000);
    expect((await browser.connect("square", externalId)).status).toBe(303);
    const fresh = (await world.deps.store.listConnections(merchantId)).find((connection) => connection.connectionId !== connectionId)!;

    expect((await postSquare(body, squareSignature(body))).status).toBe(200);
    expect(await stillWorks(merchantId, fresh.connectionId)).toBe(true);
  });

  it("ignores other events and answers a signed body it cannot read with 400", async () => {
    const other = JSON.stringify({ merchant_id: "X", type: "payment.updated", event_id: randomUUID(), data: {} });
    expect((await postSquare(other, squareSignature(other))).status).toBe(200);
    const broken = "{not json";
    expect((await postSquare(broken, squareSignature(broken))).status).toBe(400);
  });
});

describe("Clover's app-uninstall webhook", () => {
  const postClover = (body: string, authCode?: string) =>
    fetch(`${base}/webhooks/clover`, {
      method: "POST", body, headers: { "Content-Type": "application/json", ...(authCode !== undefined ? { "X-Clover-Auth": authCode } : {}) },
    });
  const uninstall = (cloverMerchantId: string, appId = CLOVER_APP_ID) =>
    JSON.stringify({ appId, merchants: { [cloverMerchantId]: [{ objectId: `A:${appId}`, type: "DELETE", ts: world.clock.ms() }] } });

  it("refuses a wrong or missing X-Clover-Auth with 401 and changes nothing", async () => {
    const { merchantId, externalId, connectionId } = await connected("clover");
    const before = await connectionItems(merchantId);
    for (const code of [undefined, "", "0307e264-b33a-4913-88aa-37b10014a0b9", `${CLOVER_AUTH_CODE} `.repeat(2)]) {
      expect((await postClover(uninstall(externalId), code)).status).toBe(401);
    }
    expect(await connectionItems(merchantId)).toEqual(before);
    expect(await stillWorks(merchantId, connectionId)).toBe(true);
  });

  it("ends (removes) the connection when Clover reports the uninstall, tokens and all", async () => {
    const { merchantId, externalId, connectionId } = await connected("clover");
    const status = await world.clover.uninstallApp(externalId, { webhookUrl: `${base}/webhooks/clover` });
    expect(status).toBe(200);
    expect(await world.deps.store.getConnection(merchantId, connectionId)).toBeUndefined();
  });

  it("ignores another app's events", async () => {
    const { merchantId, externalId, connectionId } = await connected("clover");
    expect((await postClover(uninstall(externalId, "SOMEOTHERAPP"), CLOVER_AUTH_CODE)).status).toBe(200);
    expect(await stillWorks(merchantId, connectionId)).toBe(true);
  });

  it("answers the one-time URL verification with 200, storing and logging nothing of it", async () => {
    const verificationCode = randomUUID();
    secrets.push(verificationCode);
    const before = (await world.scan()).length;
    const logged = world.logs.length;
    const response = await postClover(JSON.stringify({ verificationCode }));
    expect(response.status).toBe(200);
    expect((await world.scan()).length).toBe(before);
    expect(JSON.stringify(world.logs.slice(logged))).not.toContain(verificationCode);
  });
});

describe("QuickBooks' disconnect URL", () => {
  it("does not trust the redirect: a company whose tokens still work stays connected", async () => {
    const { merchantId, externalId, connectionId } = await connected("quickbooks");
    const response = await world.browser().get(`/disconnect/quickbooks?realmId=${externalId}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("daybook has checked with QuickBooks");
    const connection = await world.deps.store.getConnection(merchantId, connectionId);
    expect(connection?.status).toBe("active");
    // Asking refreshed nothing; the tokens still work and their rotation chain is whole.
    const tokens = await openTokens(world.deps.vault, connection!);
    secrets.push(tokens.accessToken, tokens.refreshToken ?? "");
    expect(await accessWorks(world, "quickbooks", tokens.accessToken, externalId)).toBe(true);
    const refreshed = await (await world.deps.providers()).quickbooks.refresh(tokens);
    secrets.push(refreshed.accessToken, refreshed.refreshToken ?? "");
    expect(await accessWorks(world, "quickbooks", refreshed.accessToken, externalId)).toBe(true);
  });

  it("ends (removes) the connection when QuickBooks refuses its tokens", async () => {
    const { merchantId, externalId, connectionId } = await connected("quickbooks");
    world.quickbooks.revokeAll(externalId);
    const response = await world.browser().get(`/disconnect/quickbooks?realmId=${externalId}`);
    expect(response.status).toBe(200);
    expect(await world.deps.store.getConnection(merchantId, connectionId)).toBeUndefined();
  });

  it("answers a malformed realmId with 400 and limits the checks per company", async () => {
    expect((await world.browser().get("/disconnect/quickbooks")).status).toBe(400);
    expect((await world.browser().get("/disconnect/quickbooks?realmId=abc")).status).toBe(400);

    const { externalId } = await connected("quickbooks");
    const apiCalls = () => world.quickbooks.requestCounts().api;
    const start = apiCalls();
    for (let index = 0; index < 12; index++) expect((await world.browser().get(`/disconnect/quickbooks?realmId=${externalId}`)).status).toBe(200);
    // Ten checks an hour (each one read of the company: CompanyInfo and Preferences), then the page without asking.
    expect(apiCalls() - start).toBe(20);
  });

  it("cannot make daybook refresh tokens at will: a forged visit refreshes only a token that is due, once an hour at most", async () => {
    const { merchantId, externalId, connectionId } = await connected("quickbooks");
    const tokenCalls = () => world.quickbooks.requestCounts().token;
    const visit = async () => expect((await world.browser().get(`/disconnect/quickbooks?realmId=${externalId}`)).status).toBe(200);
    const start = tokenCalls();
    for (let index = 0; index < 5; index++) await visit();
    // The access token from connecting still works: QuickBooks answered it, nothing was refreshed.
    expect(tokenCalls() - start).toBe(0);

    // An hour later the access token is due: the next visit refreshes it once, the ones after it not at all.
    world.clock.advance(61 * 60_000);
    for (let index = 0; index < 4; index++) await visit();
    expect(tokenCalls() - start).toBe(1);
    expect((await world.deps.store.getConnection(merchantId, connectionId))?.status).toBe("active");
  });
});

describe("QuickBooks' account-change webhook", () => {
  const postQuickBooks = (body: string, signature?: string) =>
    world.app.request(`${PUBLIC_URL}/webhooks/quickbooks`, {
      method: "POST", body, headers: { "Content-Type": "application/json", ...(signature !== undefined ? { "intuit-signature": signature } : {}) },
    });
  const intuitSignature = (body: string, token = QUICKBOOKS_VERIFIER_TOKEN) => createHmac("sha256", token).update(body, "utf8").digest("base64");
  const notification = (realmId: string, entity: string) =>
    JSON.stringify({ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name: entity, id: "79", operation: "Update", lastUpdated: "2025-06-01T10:00:00.000Z" }] } }] });
  /** How many times the company's chart was read. */
  const chartReads = (realmId: string) => world.quickbooks.requestLog()
    .filter((record) => record.realmId === realmId && record.path.endsWith("/query") && /FROM Account\b/.test(new URLSearchParams(record.search).get("query") ?? "")).length;

  /** A merchant whose Square location posts to a company of its own, set up (so its accounts' names were captured). */
  async function setUpLocation() {
    const realmId = `9133${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`;
    world.quickbooks.addCompany({ realmId, companyName: "Renamed Books LLC", accounts: [...DEFAULT_ACCOUNTS] });
    counter += 1;
    const merchant = await connectedMerchant(world, realmId, { ip: `203.0.113.${String(counter)}`, email: `qbohook${unique()}@example.com` });
    const saved = await merchant.browser.post("/locations", {
      posConnectionId: (await merchant.connection("square")).connectionId, locationId: merchant.locationId, timeZone: "UTC", dayStart: "00:00",
      quickbooksConnectionId: (await merchant.connection("quickbooks")).connectionId,
    });
    expect(saved.status).toBe(303);
    const labels = async () => (await world.deps.store.getLocation(merchant.merchantId, merchant.locationId))?.accountLabels;
    expect((await labels())?.[IDS.sales]).toEqual({ name: "Sales of Product Income" });
    return { ...merchant, labels };
  }

  it("refuses forged and unsigned notifications with 401, reading nothing", async () => {
    const { realmId, labels } = await setUpLocation();
    world.quickbooks.renameAccount(realmId, IDS.sales, "Forged Sales");
    const body = notification(realmId, "Account");
    const reads = chartReads(realmId);
    for (const signature of [undefined, "", intuitSignature(body, "not-the-token"), intuitSignature(`${body} `), "!!!"]) {
      expect((await postQuickBooks(body, signature)).status).toBe(401);
    }
    expect(chartReads(realmId)).toBe(reads);
    expect((await labels())?.[IDS.sales]).toEqual({ name: "Sales of Product Income" });
  });

  it("reads the chart once when QuickBooks says an account changed, and the location shows the new name", async () => {
    const { realmId, labels } = await setUpLocation();
    world.quickbooks.renameAccount(realmId, IDS.sales, "Food and Drink Sales");
    const reads = chartReads(realmId);
    const body = notification(realmId, "Account");
    expect((await postQuickBooks(body, intuitSignature(body))).status).toBe(200);
    expect(chartReads(realmId)).toBe(reads + 1);
    expect((await labels())?.[IDS.sales]).toEqual({ name: "Food and Drink Sales" });

    // The same in Intuit's CloudEvents form.
    world.quickbooks.renameAccount(realmId, IDS.sales, "Café Sales");
    const cloud = JSON.stringify([{ specversion: "1.0", id: randomUUID(), source: "intuit.test", type: "qbo.account.updated.v1", time: "2025-06-01T10:00:00Z", intuitentityid: IDS.sales, intuitaccountid: realmId }]);
    expect((await postQuickBooks(cloud, intuitSignature(cloud))).status).toBe(200);
    expect((await labels())?.[IDS.sales]).toEqual({ name: "Café Sales" });
  });

  it("reads nothing for another entity's change or a company no location posts to, and answers a body it cannot read with 400", async () => {
    const { realmId } = await setUpLocation();
    const reads = chartReads(realmId);
    const invoice = notification(realmId, "Invoice");
    expect((await postQuickBooks(invoice, intuitSignature(invoice))).status).toBe(200);
    const stranger = notification("9133000000000000", "Account");
    expect((await postQuickBooks(stranger, intuitSignature(stranger))).status).toBe(200);
    expect(chartReads(realmId)).toBe(reads);
    expect((await postQuickBooks("{}", intuitSignature("{}"))).status).toBe(400);
  });
});
