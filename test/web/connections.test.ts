/**
 * Connecting Square, Clover and QuickBooks through the simulators' real consent pages, the callback's
 * refusals (declined, replayed, foreign, expired or missing state, missing code), what reaches the
 * table, and disconnecting from daybook.
 */
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName, Connection } from "../../lib/model";
import { openTokens } from "../../lib/oauth/tokens";
import { VaultError } from "../../lib/vault/vault";
import { PAYOUTS_SCOPE_SENTENCE } from "../../lib/web/pages/connections";
import { accessWorks, type Browser, CLOVER_APP_ID, createWebWorld, expectCleanLogs, newItems, type WebWorld } from "./world";

let world: WebWorld;
/** Every token the simulators issued to daybook in this file, for the scans and the log check. */
const issuedTokens = new Set<string>();

beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world, [...issuedTokens]);
  await world.close();
});

const PROVIDERS: ProviderName[] = ["square", "clover", "quickbooks"];
let counter = 0;
const newAddress = () => `connect${++counter}.${Date.now()}@example.com`;

async function signedInMerchant(): Promise<{ browser: Browser; merchantId: string }> {
  const browser = world.browser();
  const address = newAddress();
  await browser.signIn(address);
  const merchant = await world.deps.store.findMerchantByEmail(address);
  return { browser, merchantId: merchant!.merchantId };
}

async function tokensOf(connection: Connection) {
  const tokens = await openTokens(world.deps.vault, connection);
  for (const token of [tokens.accessToken, tokens.refreshToken]) if (token) issuedTokens.add(token);
  return tokens;
}

describe("connecting", () => {
  it("connects all three through their consent pages and stores the connections, tokens sealed, tokens working, the QuickBooks company's settings kept", async () => {
    const { browser, merchantId } = await signedInMerchant();
    // Each step says the next one, until a location is set up.
    const nextStep = async () => /<p id="next-step">([\s\S]*?)<\/p>/.exec(await (await browser.get("/connections")).text())?.[1]?.replace(/<[^>]+>/g, "").replaceAll("&#39;", "'");
    expect(await nextStep()).toBe("First connect your POS (Square or Clover), where daybook reads each day's sales, and QuickBooks, where it posts them.");
    for (const provider of PROVIDERS) {
      if (provider === "quickbooks") expect(await nextStep()).toBe("Next: connect QuickBooks below, the company daybook posts each day's entry to.");
      const callback = await browser.connect(provider);
      expect(callback.status).toBe(303);
      expect(callback.headers.get("Location")).toBe(`/connections?connected=${provider}`);
    }
    const page = await (await browser.get("/connections?connected=quickbooks")).text();
    expect(page).toContain("QuickBooks is connected.");
    expect(page).toContain('<p id="next-step">Next: <a href="/locations">set up each location</a>, its time zone and QuickBooks company, then its mapping. Nothing is posted until you start posting.</p>');

    const connections = await world.deps.store.listConnections(merchantId);
    // All made at the same instant of the test clock, so in no particular order.
    const byProvider = [...connections].sort((a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider));
    expect(byProvider.map((connection) => [connection.provider, connection.status, connection.externalId])).toEqual([
      ["square", "active", world.accounts.square[0]],
      ["clover", "active", world.accounts.clover[0]],
      ["quickbooks", "active", world.accounts.quickbooks[0]],
    ]);
    expect(connections.find((connection) => connection.provider === "clover")?.region).toBe("us");
    // The company's settings, read once at connect, so the nightly sync reads nothing from QuickBooks.
    expect(connections.find((connection) => connection.provider === "quickbooks")?.company).toMatchObject({ homeCurrency: "USD", multiCurrencyEnabled: false });
    // Each account by the name its provider gives it, captured when it was connected; never by its id.
    expect(byProvider.map((connection) => connection.accountName)).toEqual(["Square shop 1", "Clover shop 1", "Books 1 LLC"]);
    for (const connection of connections) {
      expect(page).toContain(`<td data-label="Account">${connection.accountName ?? "?"}`);
      expect(page).not.toContain(connection.externalId);
      const tokens = await tokensOf(connection);
      expect(await accessWorks(world, connection.provider, tokens.accessToken, connection.externalId)).toBe(true);
      expect(connection.tokenCiphertext).not.toContain(tokens.accessToken);
    }
  });

  it("with QuickBooks connected first, says the POS is next", async () => {
    const { browser } = await signedInMerchant();
    expect((await browser.connect("quickbooks")).status).toBe(303);
    expect(await (await browser.get("/connections")).text()).toContain('<p id="next-step">Next: connect Square or Clover, where daybook reads each day&#39;s sales.</p>');
  });

  it("keeps the Clover region chosen before the consent page", async () => {
    const { browser, merchantId } = await signedInMerchant();
    const callback = await browser.consent("clover", "approve", world.accounts.clover[1], "eu");
    expect((await browser.get(callback)).status).toBe(303);
    const [connection] = await world.deps.store.listConnections(merchantId);
    expect(connection).toMatchObject({ provider: "clover", region: "eu", externalId: world.accounts.clover[1] });
    await tokensOf(connection!);
  });

  it("leaves no substring of any issued token in a raw scan of the table, and a ciphertext moved to another connection does not open", async () => {
    const { browser, merchantId } = await signedInMerchant();
    for (const provider of PROVIDERS) expect((await browser.connect(provider)).status).toBe(303);
    const connections = await world.deps.store.listConnections(merchantId);
    for (const connection of connections) await tokensOf(connection);

    const dump = JSON.stringify(await world.scan());
    expect(issuedTokens.size).toBeGreaterThanOrEqual(6);
    for (const token of issuedTokens) {
      for (let start = 0; start + 12 <= token.length; start++) {
        const piece = token.slice(start, start + 12);
        if (dump.includes(piece)) throw new Error(`a 12-character piece of an issued token (at ${start}) is in the table`);
      }
    }

    // The Square connection's ciphertext, copied onto the QuickBooks connection's record.
    const square = connections.find((connection) => connection.provider === "square")!;
    const books = connections.find((connection) => connection.provider === "quickbooks")!;
    await world.dynamo.send(new UpdateItemCommand({
      TableName: world.tableName,
      Key: { PK: { S: `MERCHANT#${merchantId}` }, SK: { S: `CONNECTION#${books.connectionId}` } },
      UpdateExpression: "SET tokenCiphertext = :moved",
      ExpressionAttributeValues: { ":moved": { S: square.tokenCiphertext } },
      ConditionExpression: "attribute_exists(PK)",
    }));
    const moved = await world.deps.store.getConnection(merchantId, books.connectionId);
    expect(moved?.tokenCiphertext).toBe(square.tokenCiphertext);
    await expect(openTokens(world.deps.vault, moved!)).rejects.toThrow(VaultError);
    expect((await openTokens(world.deps.vault, square)).accessToken).toMatch(/^EAAA/);
  });
});

describe("the callback refuses, with a 400 page and nothing stored", () => {
  it("a declined consent, for each provider", async () => {
    const { browser, merchantId } = await signedInMerchant();
    for (const provider of PROVIDERS) {
      const callback = await browser.consent(provider, "deny");
      expect(callback).toContain("error=access_denied");
      const before = await world.scan();
      const response = await browser.get(callback);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("You declined the request");
      expect(newItems(before, await world.scan())).toEqual([]);
    }
    expect(await world.deps.store.listConnections(merchantId)).toEqual([]);
  });

  it("a replayed callback: the state works once", async () => {
    const { browser, merchantId } = await signedInMerchant();
    const callback = await browser.consent("square", "approve");
    expect((await browser.get(callback)).status).toBe(303);
    const before = await world.scan();
    const replay = await browser.get(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("expired, was already used, or was started in another browser");
    expect(newItems(before, await world.scan())).toEqual([]);
    expect(await world.deps.store.listConnections(merchantId)).toHaveLength(1);
  });

  it("another session's state, which stays usable by its owner", async () => {
    const owner = await signedInMerchant();
    const other = await signedInMerchant();
    const callback = await owner.browser.consent("quickbooks", "approve");
    const before = await world.scan();
    const stolen = await other.browser.get(callback);
    expect(stolen.status).toBe(400);
    expect(newItems(before, await world.scan())).toEqual([]);
    expect(await world.deps.store.listConnections(other.merchantId)).toEqual([]);
    expect((await owner.browser.get(callback)).status).toBe(303);
    expect(await world.deps.store.listConnections(owner.merchantId)).toHaveLength(1);
  });

  it("a state from another session of the same merchant", async () => {
    const address = newAddress();
    const laptop = world.browser();
    const phone = world.browser();
    await laptop.signIn(address);
    await phone.signIn(address);
    const callback = await laptop.consent("clover", "approve");
    expect((await phone.get(callback)).status).toBe(400);
    const merchant = await world.deps.store.findMerchantByEmail(address);
    expect(await world.deps.store.listConnections(merchant!.merchantId)).toEqual([]);
  });

  it("a missing code, a missing, unknown or expired state, or a state for another provider", async () => {
    const { browser, merchantId } = await signedInMerchant();
    const withoutCode = new URL(await browser.consent("square", "approve"), "https://x");
    withoutCode.searchParams.delete("code");
    const noCode = await browser.get(`${withoutCode.pathname}${withoutCode.search}`);
    expect(noCode.status).toBe(400);
    expect(await noCode.text()).toContain("did not send back an authorization");

    const withoutState = new URL(await browser.consent("square", "approve"), "https://x");
    withoutState.searchParams.delete("state");
    expect((await browser.get(`${withoutState.pathname}${withoutState.search}`)).status).toBe(400);
    const unknownState = new URL(await browser.consent("square", "approve"), "https://x");
    unknownState.searchParams.set("state", "A".repeat(43));
    expect((await browser.get(`${unknownState.pathname}${unknownState.search}`)).status).toBe(400);

    const squareCallback = new URL(await browser.consent("square", "approve"), "https://x");
    expect((await browser.get(`/connect/clover/callback${squareCallback.search}`)).status).toBe(400);

    const late = await browser.consent("quickbooks", "approve");
    world.clock.advance(10 * 60_000 + 1000);
    expect((await browser.get(late)).status).toBe(400);
    expect(await world.deps.store.listConnections(merchantId)).toEqual([]);
  });

  it("a callback without a session goes to sign-in, storing nothing", async () => {
    const { browser, merchantId } = await signedInMerchant();
    const callback = await browser.consent("square", "approve");
    const stranger = world.browser();
    const response = await stranger.get(callback);
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in");
    expect(await world.deps.store.listConnections(merchantId)).toEqual([]);
  });

  it("an unknown provider is a 404, an unknown Clover region a 400 next to the field", async () => {
    const { browser } = await signedInMerchant();
    expect((await browser.post("/connect/stripe")).status).toBe(404);
    expect((await browser.get("/connect/stripe/callback?state=x&code=y")).status).toBe(404);
    const region = await browser.post("/connect/clover", { region: "mars" });
    expect(region.status).toBe(400);
    expect(await region.text()).toContain('<p id="clover-region-error" class="error" role="alert">Choose where your Clover account is.</p>');
  });
});

describe("the account a callback names", () => {
  it("is checked with the provider: a Clover merchant_id or QuickBooks realmId swapped in the callback refuses the connection, storing nothing", async () => {
    const { browser, merchantId } = await signedInMerchant();
    const swaps = [
      { provider: "clover", parameter: "merchant_id", consented: world.accounts.clover[0]!, named: world.accounts.clover[1]! },
      { provider: "quickbooks", parameter: "realmId", consented: world.accounts.quickbooks[0]!, named: world.accounts.quickbooks[1]! },
    ] as const;
    for (const { provider, parameter, consented, named } of swaps) {
      const callback = new URL(await browser.consent(provider, "approve", consented), "https://daybook.test");
      expect(callback.searchParams.get(parameter)).toBe(consented);
      callback.searchParams.set(parameter, named);
      const before = await world.scan();
      const response = await browser.get(`${callback.pathname}${callback.search}`);
      expect(response.status, provider).toBe(400);
      expect(await response.text(), provider).toContain("named another account than the one its authorization is for");
      expect(await world.deps.store.listConnections(merchantId), provider).toEqual([]);
      // Only the spent state went; nothing was written.
      expect(newItems(before, await world.scan()), provider).toEqual([]);
      expect(world.logs.at(-1)).toMatchObject({ level: "warn", message: "oauth callback named an account its tokens are not for", fields: { provider } });
    }

    // Told the truth, both connect.
    for (const { provider, consented } of swaps) expect((await browser.connect(provider, consented)).status).toBe(303);
    expect((await world.deps.store.listConnections(merchantId)).map((connection) => connection.externalId).sort()).toEqual(swaps.map((swap) => swap.consented).sort());
  });
});

describe("disconnecting from daybook", () => {
  it("removes the connection at once and says \"revoked\" only where the provider then refuses the token: Square and QuickBooks, not Clover", async () => {
    const { browser, merchantId } = await signedInMerchant();
    for (const provider of PROVIDERS) expect((await browser.connect(provider)).status).toBe(303);
    const connections = await world.deps.store.listConnections(merchantId);
    const revokesBefore = { square: world.square.requestLog().RevokeToken ?? 0, quickbooks: world.quickbooks.requestCounts().revoke };

    for (const connection of connections) {
      const tokens = await tokensOf(connection);
      const response = await browser.post(`/connections/${connection.connectionId}/disconnect`);
      expect(response.status).toBe(303);
      // Gone from daybook at once, tokens and all: nothing is left to use or refresh.
      expect(await world.deps.store.getConnection(merchantId, connection.connectionId)).toBeUndefined();
      expect((await world.scan()).filter((item) => JSON.stringify(item).includes(connection.connectionId))).toEqual([]);

      const logged = world.logs.findLast((line) => line.message === "connection ended by the merchant" && line.fields["connectionId"] === connection.connectionId);
      const stillWorks = await accessWorks(world, connection.provider, tokens.accessToken, connection.externalId);
      expect(logged?.fields["revoke"] === "revoked", connection.provider).toBe(!stillWorks);
      const page = await (await browser.get(response.headers.get("Location") ?? "")).text();
      if (connection.provider === "clover") {
        // Clover has no revoke for this flow: its token still works, and daybook says so and what to do.
        expect(stillWorks).toBe(true);
        expect(logged?.fields["revoke"]).toBe("not-revocable");
        expect(page).toContain("Disconnected from Clover.");
        expect(page).toContain("continues until you uninstall daybook in Clover");
        expect(page).toContain(`href="https://www.clover.com/appmarket/apps/${CLOVER_APP_ID}"`);
        expect(page).not.toContain("has revoked");
      } else {
        expect(stillWorks).toBe(false);
        expect(page).toContain(`${connection.provider === "square" ? "Square" : "QuickBooks"} has revoked daybook&#39;s access`);
      }
    }
    expect(world.square.requestLog().RevokeToken).toBe(revokesBefore.square + 1);
    expect(world.quickbooks.requestCounts().revoke).toBe(revokesBefore.quickbooks + 1);
    const page = await (await browser.get("/connections")).text();
    expect(page).not.toContain("/disconnect");
  });

  it("reconnecting the same account replaces the earlier connection and moves its locations to the new one", async () => {
    const { browser, merchantId } = await signedInMerchant();
    expect((await browser.connect("quickbooks")).status).toBe(303);
    const [first] = await world.deps.store.listConnections(merchantId);
    await world.deps.store.putLocation({
      merchantId, locationId: "LOC1", source: "square", name: "Main Street", posConnectionId: "square-elsewhere", quickbooksConnectionId: first!.connectionId,
      timeZone: "America/New_York", dayStart: "00:00", currency: "USD",
      mapping: { defaults: { sales: "1", discounts: "1", returns: "1", serviceCharges: "1", tax: "1", tips: "1", giftCards: "1", nonRevenue: "1", tenders: "1", fees: "1", rounding: "1", overShort: "1" } },
      updatedAt: world.clock.date().toISOString(),
    });
    expect((await browser.connect("quickbooks")).status).toBe(303);
    const connections = await world.deps.store.listConnections(merchantId);
    expect(connections).toHaveLength(1);
    const second = connections[0]!;
    expect(second).toMatchObject({ status: "active" });
    expect(second.connectionId).not.toBe(first!.connectionId);
    expect(await world.deps.store.getConnection(merchantId, first!.connectionId)).toBeUndefined();
    expect(await world.deps.store.getLocation(merchantId, "LOC1")).toMatchObject({ quickbooksConnectionId: second.connectionId, posConnectionId: "square-elsewhere" });
    expect(await accessWorks(world, "quickbooks", (await tokensOf(second)).accessToken, second.externalId)).toBe(true);
  });

  it("a Square connection made before daybook read payouts says that reconnecting posts deposits while sales keep posting", async () => {
    const { browser, merchantId } = await signedInMerchant();
    expect((await browser.connect("square")).status).toBe(303);
    const [connected] = await world.deps.store.listConnections(merchantId);
    expect(connected?.grantedScopes).toContain("PAYOUTS_READ");
    let page = await (await browser.get("/connections")).text();
    expect(page).not.toContain(PAYOUTS_SCOPE_SENTENCE);
    expect(page).toContain("Connect another account: Square");

    const at = world.clock.date().toISOString();
    await world.deps.store.putConnection({
      merchantId, connectionId: "square-before-payouts", provider: "square", status: "active", externalId: "SQOLDMERCHANT",
      tokenCiphertext: "sealed-elsewhere", createdAt: at, updatedAt: at,
    });
    page = await (await browser.get("/connections")).text();
    expect(page.split(PAYOUTS_SCOPE_SENTENCE)).toHaveLength(2);
    expect(page).toContain("Reconnect: Square");
  });
});
