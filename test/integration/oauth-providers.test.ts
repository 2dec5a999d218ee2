/**
 * Each OAuthProvider against its simulator, the way a merchant connects: the authorize URL, the
 * simulator's consent page (its form read and submitted as a browser would), the callback's query into
 * exchangeCode, then refresh and revoke, with the simulator as the judge of which tokens still work.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloverProvider } from "../../lib/oauth/clover";
import { OAuthError, type CallbackQuery, type OAuthProvider } from "../../lib/oauth/provider";
import { createQuickBooksProvider } from "../../lib/oauth/quickbooks";
import { createSquareProvider, SQUARE_SCOPES } from "../../lib/oauth/square";
import { parseCloverEvent, verifyCloverAuth } from "../../lib/oauth/webhook-signatures";
import { type CloverSimulator, startCloverSimulator } from "../../sandbox/clover/server";
import { DEFAULT_ACCOUNTS, type QuickBooksSimulator, startQuickBooksSimulator } from "../../sandbox/quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { submitConsentPage } from "../../sandbox/consent-page";

const REDIRECT = "https://daybook.example/connect/callback";
const STATE = "st4te-Zq9&x=1";

/** The query the consent page's redirect brings to the callback. */
async function consent(authorizeUrl: string, button: "approve" | "deny"): Promise<CallbackQuery> {
  const location = await submitConsentPage(authorizeUrl, button);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return Object.fromEntries(location.searchParams);
}

async function failureOf(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${String(error)}`);
  return error;
}

function expectNoSecretIn(error: Error, ...secrets: (string | undefined)[]) {
  for (const secret of secrets) if (secret) expect(`${error.message} ${error.stack ?? ""}`).not.toContain(secret);
}

describe("Square", () => {
  const MERCHANT = "MLQW2MYBY81PZ";
  let square: SquareSimulator;
  let provider: OAuthProvider;
  const bearerStatus = async (accessToken: string) =>
    (await fetch(`${square.url}/v2/locations`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;

  beforeAll(async () => {
    square = await startSquareSimulator({ redirectUris: [REDIRECT] });
    square.addMerchant({ merchantId: MERCHANT, locations: [{ id: "L1", name: "Main Street", timezone: "America/New_York", currency: "USD" }] });
    provider = createSquareProvider({ clientId: square.applicationId, clientSecret: square.applicationSecret, redirectUri: REDIRECT, baseUrl: square.url });
  });
  afterAll(() => square.close());

  it("asks for the sync's read-only scopes, with the state and the redirect", () => {
    const url = new URL(provider.authorizeUrl({ state: STATE }));
    expect(`${url.origin}${url.pathname}`).toBe(`${square.url}/oauth2/authorize`);
    expect(url.searchParams.get("client_id")).toBe(square.applicationId);
    expect(url.searchParams.get("state")).toBe(STATE);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT);
    expect(url.searchParams.get("scope")?.split(" ").sort()).toEqual([...SQUARE_SCOPES].sort());
  });

  it("connects through the consent page, refreshes (same refresh token) and revokes the whole authorization", async () => {
    const query = await consent(provider.authorizeUrl({ state: STATE }), "approve");
    expect(query["state"]).toBe(STATE);
    const { tokens, externalId } = await provider.exchangeCode(query);
    expect(externalId).toBe(MERCHANT);
    expect(tokens.refreshToken).toBeTruthy();
    expect(Date.parse(tokens.accessTokenExpiresAt ?? "")).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(await bearerStatus(tokens.accessToken)).toBe(200);

    const refreshed = await provider.refresh(tokens);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(await bearerStatus(refreshed.accessToken)).toBe(200);

    const revokesBefore = square.requestLog().RevokeToken ?? 0;
    await provider.revoke?.(refreshed, externalId);
    expect(square.requestLog().RevokeToken).toBe(revokesBefore + 1);
    expect(await bearerStatus(refreshed.accessToken)).toBe(401);
    expect(await bearerStatus(tokens.accessToken)).toBe(401);
    const dead = await failureOf(provider.refresh(refreshed));
    expect(dead.kind).toBe("needs-reconnect");
    expectNoSecretIn(dead, refreshed.refreshToken, refreshed.accessToken, square.applicationSecret);
    // Revoking again finds nothing to revoke, which is what was wanted.
    await expect(provider.revoke?.(refreshed, externalId)).resolves.toBeUndefined();
  });

  it("refuses a declined consent, a callback without a code and a spent code as needing a new connection", async () => {
    const declined = await consent(provider.authorizeUrl({ state: STATE }), "deny");
    expect(declined).toMatchObject({ error: "access_denied", state: STATE });
    expect((await failureOf(provider.exchangeCode(declined))).kind).toBe("needs-reconnect");
    expect((await failureOf(provider.exchangeCode({ state: STATE }))).kind).toBe("needs-reconnect");
    const code = square.createAuthorizationCode(MERCHANT, { redirectUri: REDIRECT });
    await provider.exchangeCode({ code, state: STATE });
    expect((await failureOf(provider.exchangeCode({ code, state: STATE }))).kind).toBe("needs-reconnect");
  });

  it("refuses a code exchange whose answer names a merchant id that is not a Square merchant id (it would name the connection in the table's keys)", async () => {
    for (const [index, merchantId] of ["MERCHANT#02", "MERCHANT\u000003"].entries()) {
      square.addMerchant({ merchantId, locations: [{ id: `LBADID${index}`, name: "Side Street", timezone: "America/New_York", currency: "USD" }] });
      const failure = await failureOf(provider.exchangeCode({ code: square.createAuthorizationCode(merchantId, { redirectUri: REDIRECT }), state: STATE }));
      expect(failure.kind, merchantId).toBe("retryable");
      expect(failure.message).toBe("Square answered the code exchange without a refresh token or merchant id; connect Square again.");
    }
  });

  it("calls a 5xx retryable and wrong app credentials a bug", async () => {
    const { tokens } = await provider.exchangeCode({ code: square.createAuthorizationCode(MERCHANT, { redirectUri: REDIRECT }) });
    square.injectFaults({ endpoint: "ObtainToken", fault: { kind: "503" }, times: 1 });
    expect((await failureOf(provider.refresh(tokens))).kind).toBe("retryable");
    const wrongSecret = createSquareProvider({ clientId: square.applicationId, clientSecret: "sq0csp-wrong", redirectUri: REDIRECT, baseUrl: square.url });
    const refused = await failureOf(wrongSecret.refresh(tokens));
    expect(refused.kind).toBe("bug");
    expectNoSecretIn(refused, tokens.refreshToken, "sq0csp-wrong");
  });

  it("is due for a refresh at 7 days old, or a day before the access token expires", () => {
    const at = new Date("2025-03-15T09:00:00Z");
    const days = (n: number) => new Date(at.getTime() + n * 86_400_000).toISOString();
    const tokens = { accessToken: "a", refreshToken: "r" };
    expect(provider.refreshDue({ ...tokens, obtainedAt: days(-6.9), accessTokenExpiresAt: days(23) }, at)).toBe(false);
    expect(provider.refreshDue({ ...tokens, obtainedAt: days(-7), accessTokenExpiresAt: days(23) }, at)).toBe(true);
    expect(provider.refreshDue({ ...tokens, obtainedAt: days(-1), accessTokenExpiresAt: days(0.9) }, at)).toBe(true);
  });
});

describe("QuickBooks", () => {
  const REALM = "9130357992219876";
  let qbo: QuickBooksSimulator;
  let provider: OAuthProvider;
  const apiStatus = async (accessToken: string) =>
    (await fetch(`${qbo.endpoints.apiBase}/v3/company/${REALM}/companyinfo/${REALM}`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } })).status;

  beforeAll(async () => {
    qbo = await startQuickBooksSimulator({ redirectUris: [REDIRECT] });
    qbo.addCompany({ realmId: REALM, companyName: "Main Street Coffee LLC", homeCurrency: "USD", accounts: [...DEFAULT_ACCOUNTS] });
    provider = createQuickBooksProvider({ clientId: qbo.clientId, clientSecret: qbo.clientSecret, redirectUri: REDIRECT, environment: "sandbox", endpoints: qbo.endpoints });
  });
  afterAll(() => qbo.close());

  it("asks for the accounting scope, with the state and the redirect", () => {
    const url = new URL(provider.authorizeUrl({ state: STATE }));
    expect(`${url.origin}${url.pathname}`).toBe(qbo.endpoints.authorize);
    expect(url.searchParams.get("client_id")).toBe(qbo.clientId);
    expect(url.searchParams.get("scope")).toBe("com.intuit.quickbooks.accounting");
    expect(url.searchParams.get("state")).toBe(STATE);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT);
    expect(url.searchParams.get("response_type")).toBe("code");
  });

  it("connects through the consent page, refreshes (a new refresh token) and revokes the grant", async () => {
    const query = await consent(provider.authorizeUrl({ state: STATE }), "approve");
    expect(query).toMatchObject({ state: STATE, realmId: REALM });
    const { tokens, externalId } = await provider.exchangeCode(query);
    expect(externalId).toBe(REALM);
    expect(await apiStatus(tokens.accessToken)).toBe(200);

    const refreshed = await provider.refresh(tokens);
    expect(refreshed.refreshToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(await apiStatus(refreshed.accessToken)).toBe(200);

    const revokesBefore = qbo.requestCounts().revoke;
    await provider.revoke?.(refreshed, externalId);
    expect(qbo.requestCounts().revoke).toBe(revokesBefore + 1);
    expect(await apiStatus(refreshed.accessToken)).toBe(401);
    const dead = await failureOf(provider.refresh(refreshed));
    expect(dead.kind).toBe("needs-reconnect");
    expectNoSecretIn(dead, refreshed.refreshToken, qbo.clientSecret);
  });

  it("refuses a declined consent and a callback without a code or company as needing a new connection", async () => {
    const declined = await consent(provider.authorizeUrl({ state: STATE }), "deny");
    expect(declined).toMatchObject({ error: "access_denied", state: STATE });
    const tokenCalls = qbo.requestCounts().token;
    expect((await failureOf(provider.exchangeCode(declined))).kind).toBe("needs-reconnect");
    expect((await failureOf(provider.exchangeCode({ code: "x", state: STATE }))).kind).toBe("needs-reconnect");
    expect((await failureOf(provider.exchangeCode({ realmId: REALM, state: STATE }))).kind).toBe("needs-reconnect");
    // A realmId that is not a company id (it would name the connection in the table's keys).
    for (const realmId of ["", "#", `${REALM}#x`, "9".repeat(33), `${REALM}\u0000`]) {
      expect((await failureOf(provider.exchangeCode({ code: "x", realmId, state: STATE }))).kind, realmId).toBe("needs-reconnect");
    }
    // None of them reached Intuit.
    expect(qbo.requestCounts().token).toBe(tokenCalls);
  });

  it("calls a 5xx retryable, and is due 5 minutes before the access token expires", async () => {
    const issued = qbo.issueTokens(REALM);
    qbo.injectFaults({ match: "token", fault: { kind: "503" }, times: 1 });
    const busy = await failureOf(provider.refresh({ accessToken: issued.access_token, refreshToken: issued.refresh_token }));
    expect(busy.kind).toBe("retryable");
    const at = new Date("2025-03-15T09:00:00Z");
    const expiringIn = (ms: number) => ({ accessToken: "a", refreshToken: "r", accessTokenExpiresAt: new Date(at.getTime() + ms).toISOString() });
    expect(provider.refreshDue(expiringIn(301_000), at)).toBe(false);
    expect(provider.refreshDue(expiringIn(300_000), at)).toBe(true);
  });
});

describe("Clover", () => {
  const MERCHANT = "K3V8AZN1QW5YM";
  let clover: CloverSimulator;
  let provider: OAuthProvider;
  const apiStatus = async (accessToken: string) =>
    (await fetch(`${clover.url}/v3/merchants/${MERCHANT}`, { headers: { Authorization: `Bearer ${accessToken}` } })).status;

  beforeAll(async () => {
    clover = await startCloverSimulator({ redirectUris: [REDIRECT] });
    clover.addMerchant({ merchantId: MERCHANT, name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
    provider = createCloverProvider({ clientId: clover.appId, clientSecret: clover.appSecret, redirectUri: REDIRECT, hostsOverride: clover.url });
  });
  afterAll(() => clover.close());

  it("sends each region's merchants to their own hosts, with the state and the redirect", () => {
    const regional = createCloverProvider({ clientId: "APPID", clientSecret: "secret", redirectUri: REDIRECT });
    const hosts = (["us", "eu", "la", "sandbox"] as const).map((region) => new URL(regional.authorizeUrl({ state: STATE, region })).origin);
    expect(hosts).toEqual(["https://www.clover.com", "https://www.eu.clover.com", "https://www.la.clover.com", "https://sandbox.dev.clover.com"]);
    const url = new URL(provider.authorizeUrl({ state: STATE, region: "eu" }));
    expect(`${url.origin}${url.pathname}`).toBe(`${clover.url}/oauth/v2/authorize`);
    expect(url.searchParams.get("client_id")).toBe(clover.appId);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT);
    expect(url.searchParams.get("state")).toBe(STATE);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(() => regional.authorizeUrl({ state: STATE, region: "mars" })).toThrow(OAuthError);
  });

  it("connects through the consent page and rotates the single-use refresh token", async () => {
    const query = await consent(provider.authorizeUrl({ state: STATE, region: "eu" }), "approve");
    expect(query).toMatchObject({ merchant_id: MERCHANT, client_id: clover.appId, state: STATE });
    const { tokens, externalId, region } = await provider.exchangeCode(query, "eu");
    expect({ externalId, region }).toEqual({ externalId: MERCHANT, region: "eu" });
    expect(Date.parse(tokens.accessTokenExpiresAt ?? "")).toBeGreaterThan(Date.now());
    expect(await apiStatus(tokens.accessToken)).toBe(200);

    const refreshed = await provider.refresh(tokens, "eu");
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(await apiStatus(refreshed.accessToken)).toBe(200);
    // Spent: the same refresh token is refused the second time.
    const spent = await failureOf(provider.refresh(tokens, "eu"));
    expect(spent.kind).toBe("needs-reconnect");
    expectNoSecretIn(spent, tokens.refreshToken, clover.appSecret);
    expect(clover.refreshTokenUsable(refreshed.refreshToken ?? "")).toBe(true);
  });

  it("recovers with the refresh token that made the current one, while the current one is unused", async () => {
    const first = await provider.exchangeCode({ code: clover.createAuthorizationCode(MERCHANT), merchant_id: MERCHANT });
    const lost = await provider.refresh(first.tokens); // its answer "lost": daybook still holds `first`
    const recovered = await provider.recover?.(first.tokens.refreshToken ?? "");
    expect(recovered?.refreshToken).toBeTruthy();
    expect(await apiStatus(recovered?.accessToken ?? "")).toBe(200);
    expect(clover.refreshTokenUsable(lost.refreshToken ?? "")).toBe(false);
    // Once the recovered refresh token is used, the recovery token is spent too.
    await provider.refresh(recovered ?? first.tokens);
    expect((await failureOf(provider.recover?.(first.tokens.refreshToken ?? "") ?? Promise.resolve())).kind).toBe("needs-reconnect");
  });

  it("has nothing to revoke; the merchant's uninstall is what makes the tokens unusable", async () => {
    const { tokens } = await provider.exchangeCode({ code: clover.createAuthorizationCode(MERCHANT), merchant_id: MERCHANT });
    // No revoke at all (not one that pretends): ending a connection says Clover's access is not revocable by daybook.
    expect("revoke" in provider).toBe(false);
    expect(await apiStatus(tokens.accessToken)).toBe(200);
    await clover.uninstallApp(MERCHANT);
    expect(await apiStatus(tokens.accessToken)).toBe(401);
    expect((await failureOf(provider.refresh(tokens))).kind).toBe("needs-reconnect");
  });

  it("refuses a declined consent, a callback without a code, a spent code; calls a 5xx retryable", async () => {
    const declined = await consent(provider.authorizeUrl({ state: STATE }), "deny");
    expect(declined).toMatchObject({ error: "access_denied", state: STATE });
    expect((await failureOf(provider.exchangeCode(declined))).kind).toBe("needs-reconnect");
    expect((await failureOf(provider.exchangeCode({ merchant_id: MERCHANT, state: STATE }))).kind).toBe("needs-reconnect");
    // A merchant_id that is not a Clover merchant id (it would name the connection in the table's keys).
    for (const merchantId of ["#", `${MERCHANT}#x`, "K".repeat(65), `${MERCHANT}\u0000`]) {
      expect((await failureOf(provider.exchangeCode({ code: "x", merchant_id: merchantId, state: STATE }))).kind, merchantId).toBe("needs-reconnect");
    }
    const code = clover.createAuthorizationCode(MERCHANT);
    const { tokens } = await provider.exchangeCode({ code, merchant_id: MERCHANT });
    expect((await failureOf(provider.exchangeCode({ code, merchant_id: MERCHANT }))).kind).toBe("needs-reconnect");
    clover.injectFaults({ endpoint: "OAuthRefresh", fault: { kind: "503" }, times: 1 });
    expect((await failureOf(provider.refresh(tokens))).kind).toBe("retryable");
    // The 503 spent nothing: the refresh token still works.
    expect((await provider.refresh(tokens)).accessToken).toBeTruthy();
  });

  it("is due 5 minutes before the access token expires", () => {
    const at = new Date("2025-03-15T09:00:00Z");
    const expiringIn = (ms: number) => ({ accessToken: "a", refreshToken: "r", accessTokenExpiresAt: new Date(at.getTime() + ms).toISOString() });
    expect(provider.refreshDue(expiringIn(301_000), at)).toBe(false);
    expect(provider.refreshDue(expiringIn(300_000), at)).toBe(true);
  });

  it("keeps a merchant's live refresh tokens within Clover's limit, pushing out the oldest", async () => {
    const limited = await startCloverSimulator({ maxActiveRefreshTokens: 2 });
    try {
      limited.addMerchant({ merchantId: MERCHANT, name: "Daybook Cafe", timezone: "America/New_York", currency: "USD" });
      const [oldest, middle, newest] = [limited.grantTokens(MERCHANT), limited.grantTokens(MERCHANT), limited.grantTokens(MERCHANT)];
      expect([oldest, middle, newest].map((pair) => limited.refreshTokenUsable(pair.refresh_token))).toEqual([false, true, true]);
    } finally {
      await limited.close();
    }
  });

  it("tells the app of an uninstall with its auth code, which daybook's checks accept", async () => {
    const received: { auth: string | undefined; body: string }[] = [];
    const app = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ auth: request.headers["x-clover-auth"] as string | undefined, body: Buffer.concat(chunks).toString("utf8") });
        response.end();
      });
    });
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    try {
      const other = "QQ50HVC3HQZE1";
      clover.addMerchant({ merchantId: other, name: "Second Cafe", timezone: "America/New_York", currency: "USD" });
      const { tokens } = await provider.exchangeCode({ code: clover.createAuthorizationCode(other), merchant_id: other });
      const status = await clover.uninstallApp(other, { webhookUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/clover` });
      expect(status).toBe(200);
      expect(received).toHaveLength(1);
      const [message] = received;
      expect(verifyCloverAuth(message?.auth, clover.webhookAuthCode)).toBe(true);
      expect(verifyCloverAuth(message?.auth, "another-auth-code")).toBe(false);
      expect(parseCloverEvent(message?.body ?? "", clover.appId)).toEqual({ kind: "events", uninstalledMerchantIds: [other] });
      expect((await failureOf(provider.refresh(tokens))).kind).toBe("needs-reconnect");
    } finally {
      app.close();
    }
  });
});
