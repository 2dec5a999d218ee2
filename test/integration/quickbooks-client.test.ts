/**
 * The real QuickBooks client and the real intuit-oauth, against the simulator: posting exactly once
 * through refreshes, throttling, server errors and lost answers; classifying what cannot be retried.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalEntryBody } from "../../lib/domain/journal-entry";
import { createQuickBooksClient } from "../../lib/quickbooks/client";
import { classifyFault, parseFault } from "../../lib/quickbooks/faults";
import { createQuickBooksOAuth, type QuickBooksOAuth } from "../../lib/quickbooks/oauth";
import { QuickBooksError } from "../../lib/quickbooks/types";
import type { FailureKind } from "../../lib/model";
import { DEFAULT_ACCOUNT_IDS as ACCOUNTS, startQuickBooksSimulator, type CompanyOptions, type InjectedFault, type QuickBooksSimulator } from "../../sandbox/quickbooks/server";

const REDIRECT_URI = "http://localhost:3000/quickbooks/callback";

let qbo: QuickBooksSimulator;
let oauth: QuickBooksOAuth;
let lastRealm = 4_620_000;

beforeAll(async () => {
  qbo = await startQuickBooksSimulator({ slowDelayMs: 400 });
  oauth = createQuickBooksOAuth({ clientId: qbo.clientId, clientSecret: qbo.clientSecret, redirectUri: REDIRECT_URI, environment: "sandbox", endpoints: qbo.endpoints });
});

afterAll(async () => {
  // daybook's client never asks QuickBooks to change or delete anything.
  expect(qbo.forbiddenWrites()).toEqual([]);
  await qbo.close();
});

interface Connected {
  realmId: string;
  client: ReturnType<typeof createQuickBooksClient>;
  /** The token store a sync would keep: always the latest pair. */
  tokens: { accessToken: string; refreshToken: string; refreshes: number; seen: string[] };
  /** Delays the client asked to sleep, ms. */
  delays: number[];
}

function newCompany(options: Partial<CompanyOptions> = {}): string {
  lastRealm += 1;
  const realmId = String(lastRealm);
  qbo.addCompany({ realmId, companyName: `Company ${realmId}`, ...options });
  return realmId;
}

function connect(options: { company?: Partial<CompanyOptions>; timeoutMs?: number; maxAttempts?: number } = {}): Connected {
  const realmId = newCompany(options.company);
  const issued = qbo.issueTokens(realmId);
  const tokens = { accessToken: issued.access_token, refreshToken: issued.refresh_token, refreshes: 0, seen: [issued.access_token, issued.refresh_token] };
  const delays: number[] = [];
  const client = createQuickBooksClient({
    baseUrl: oauth.endpoints.apiBase,
    realmId,
    tokens: {
      accessToken: () => Promise.resolve(tokens.accessToken),
      refresh: async () => {
        const fresh = await oauth.refresh(tokens.refreshToken);
        tokens.accessToken = fresh.accessToken;
        tokens.refreshToken = fresh.refreshToken;
        tokens.refreshes += 1;
        tokens.seen.push(fresh.accessToken, fresh.refreshToken);
        return fresh.accessToken;
      },
    },
    timeoutMs: options.timeoutMs ?? 2000,
    maxAttempts: options.maxAttempts ?? 4,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });
  return { realmId, client, tokens, delays };
}

function dayEntry(fields: Partial<JournalEntryBody> = {}, amount = 134.56): JournalEntryBody {
  return {
    TxnDate: "2025-03-14",
    DocNumber: "DB250314-7K2QXM",
    PrivateNote: "Posted by daybook; test.",
    Line: [
      { Description: "Card payments", Amount: amount, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: "Debit", AccountRef: { value: ACCOUNTS.cardClearing } } },
      { Description: "Sales – Food", Amount: amount, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: "Credit", AccountRef: { value: ACCOUNTS.sales } } },
    ],
    ...fields,
  };
}

/** The create requests the simulator received for a realm, in order. */
const creates = (realmId: string) => qbo.requestLog().filter((r) => r.realmId === realmId && r.method === "POST" && r.path.endsWith("/journalentry"));

async function failureOf(promise: Promise<unknown>): Promise<QuickBooksError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof QuickBooksError) return error;
    throw error;
  }
  throw new Error("expected a QuickBooksError");
}

const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("OAuth through intuit-oauth", () => {
  it("connects through the authorize page and the code exchange, then calls the API", async () => {
    const realmId = newCompany({ companyName: "Corner Cafe" });
    const authorizeUrl = new URL(oauth.authorizeUrl("state-123"));
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(qbo.endpoints.authorize);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      client_id: qbo.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "com.intuit.quickbooks.accounting",
      state: "state-123",
    });
    expect(await (await fetch(authorizeUrl)).text()).toContain("Approve");

    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set("realmId", realmId);
    form.set("decision", "approve");
    const decision = await fetch(`${qbo.url}/connect/oauth2/decision`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString() });
    const callbackUrl = decision.headers.get("location") ?? "";
    expect(new URL(callbackUrl).searchParams.get("state")).toBe("state-123");

    const connection = await oauth.exchangeCode(callbackUrl);
    expect(connection.realmId).toBe(realmId);
    expect(Date.parse(connection.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(connection.refreshTokenHardExpiresAt).toBeDefined();

    const client = createQuickBooksClient({ baseUrl: oauth.endpoints.apiBase, realmId, tokens: { accessToken: () => Promise.resolve(connection.accessToken), refresh: () => Promise.reject(new Error("no refresh expected")) } });
    expect(await client.getCompanySettings()).toEqual({ companyName: "Corner Cafe", homeCurrency: "USD", multiCurrencyEnabled: false });
  });

  it("treats a declined consent as needs-reconnect without calling the token endpoint", async () => {
    const before = qbo.requestCounts().token;
    const declined = await failureOf(oauth.exchangeCode(`${REDIRECT_URI}?error=access_denied&state=s`));
    expect(declined.kind).toBe("needs-reconnect");
    expect(declined.message).toContain("declined");
    expect(qbo.requestCounts().token).toBe(before);
  });

  it("rotates the refresh token, and after a revoke refreshing is needs-reconnect", async () => {
    const realmId = newCompany();
    const issued = qbo.issueTokens(realmId);
    const fresh = await oauth.refresh(issued.refresh_token);
    expect(fresh.refreshToken).not.toBe(issued.refresh_token);
    expect(fresh.refreshTokenHardExpiresAt).toBeDefined();

    await oauth.revoke(fresh.refreshToken);
    const dead = await failureOf(oauth.refresh(fresh.refreshToken));
    expect(dead.kind).toBe("needs-reconnect");
    expect(dead.details.code).toBe("invalid_grant");
    expect(dead.details.intuitTid).toMatch(/^1-/);
    expect(dead.message).toContain(`[intuit_tid ${dead.details.intuitTid ?? ""}]`);
    expect(dead.message).not.toContain(fresh.refreshToken);
    await expect(oauth.revoke(fresh.refreshToken)).resolves.toBeUndefined();
  });

  it("does not retry a failing token endpoint itself, and reports it as retryable", async () => {
    const realmId = newCompany();
    const issued = qbo.issueTokens(realmId);
    qbo.injectFaults({ match: "token", fault: { kind: "503" } });
    const before = qbo.requestCounts().token;
    const busy = await failureOf(oauth.refresh(issued.refresh_token));
    expect(busy.kind).toBe("retryable");
    expect(busy.details.status).toBe(503);
    expect(qbo.requestCounts().token - before).toBe(1);
    expect(busy.message).not.toContain("<html>");
  });

  it("gives up on a token call that does not answer within its timeout, as retryable", async () => {
    const realmId = newCompany();
    const impatient = createQuickBooksOAuth({ clientId: qbo.clientId, clientSecret: qbo.clientSecret, redirectUri: REDIRECT_URI, environment: "sandbox", endpoints: qbo.endpoints, timeoutMs: 150 });
    qbo.injectFaults({ match: "token", fault: { kind: "slow", delayMs: 1_500 }, times: 1 });
    const slow = await failureOf(impatient.refresh(qbo.issueTokens(realmId).refresh_token));
    expect(slow.kind).toBe("retryable");
    expect(slow.message).toContain("no answer");
  });

  it("reports wrong app credentials as a bug", async () => {
    const realmId = newCompany();
    const misconfigured = createQuickBooksOAuth({ clientId: qbo.clientId, clientSecret: "wrong", redirectUri: REDIRECT_URI, environment: "sandbox", endpoints: qbo.endpoints });
    const refused = await failureOf(misconfigured.refresh(qbo.issueTokens(realmId).refresh_token));
    expect(refused.kind).toBe("bug");
    expect(refused.details.code).toBe("invalid_client");
  });
});

describe("QuickBooks client", () => {
  it("creates an entry and finds it again by DocNumber, sending minorversion=75 on every call", async () => {
    const { realmId, client } = connect();
    const created = await client.createJournalEntry(dayEntry(), "pos-L01-20250314-r0");
    expect(created).toEqual({ id: "1", docNumber: "DB250314-7K2QXM", txnDate: "2025-03-14", privateNote: "Posted by daybook; test." });
    expect(await client.findJournalEntries({ docNumber: "DB250314-7K2QXM" })).toEqual([created]);
    expect(await client.findJournalEntries({ docNumber: "DB250314-7K2QXM", txnDate: "2025-03-14" })).toEqual([created]);
    expect(await client.findJournalEntries({ docNumber: "DB250314-7K2QXM", txnDate: "2025-03-15" })).toEqual([]);
    expect(await client.findJournalEntries({ docNumber: "O'Brien\\" })).toEqual([]);

    const calls = qbo.requestLog().filter((r) => r.realmId === realmId);
    expect(calls).toHaveLength(5);
    for (const request of calls) expect(new URLSearchParams(request.search).get("minorversion")).toBe("75");
    expect(new URLSearchParams(calls[0]?.search).get("requestid")).toBe("pos-L01-20250314-r0");
    expect(qbo.accountTotals(realmId).get(ACCOUNTS.cardClearing)).toEqual({ debit: 13456, credit: 0 });
  });

  it("lists active accounts across pages, and reads the company's settings", async () => {
    const accounts = Array.from({ length: 1003 }, (_, i) => ({ Id: String(i + 1), Name: `Account ${i + 1}`, AccountType: "Income", Active: i !== 7 }));
    const { client } = connect({ company: { accounts, companyName: "Big Chart", homeCurrency: "CAD", multiCurrencyEnabled: true } });
    const listed = await client.listActiveAccounts();
    expect(listed).toHaveLength(1002);
    expect(listed.map((account) => account.id)).not.toContain("8");
    expect(listed[0]).toEqual({ id: "1", name: "Account 1", fullyQualifiedName: "Account 1", accountType: "Income", classification: "Revenue", active: true });
    expect(await client.getCompanySettings()).toEqual({ companyName: "Big Chart", homeCurrency: "CAD", multiCurrencyEnabled: true });

    const defaults = await connect().client.listActiveAccounts();
    expect(defaults.map((account) => account.id)).not.toContain(ACCOUNTS.inactiveSales);
    expect(defaults.find((account) => account.id === ACCOUNTS.salesTax)).toMatchObject({ accountType: "Other Current Liability", accountSubType: "SalesTaxPayable", classification: "Liability" });
  });

  it("reads account numbers, and the Locations and Classes of the lists the company tracks, active ones only, across pages", async () => {
    const numbered = connect({ company: { accounts: [{ Id: "1", Name: "Sales", AcctNum: "4000", AccountType: "Income", Active: true }, { Id: "2", Name: "Tips", AcctNum: " ", AccountType: "Other Current Liability", Active: true }] } });
    expect(await numbered.client.listActiveAccounts()).toEqual([
      { id: "1", name: "Sales", acctNum: "4000", fullyQualifiedName: "Sales", accountType: "Income", classification: "Revenue", active: true },
      { id: "2", name: "Tips", fullyQualifiedName: "Tips", accountType: "Other Current Liability", classification: "Liability", active: true },
    ]);

    // Neither tracked: nothing listed, and no list is read.
    const plain = connect({ company: { departments: [{ Id: "1", Name: "Main Street", Active: true }] } });
    expect(await plain.client.readTracking()).toEqual({ locationTerm: "Location" });
    expect(qbo.requestLog().filter((r) => r.realmId === plain.realmId).map((r) => r.path.split("/").pop())).toEqual(["preferences"]);

    const departments = Array.from({ length: 1001 }, (_, i) => ({ Id: String(i + 1), Name: `Store ${i + 1}`, Active: i !== 4 }));
    const tracking = connect({ company: { trackDepartments: true, classTracking: "per-transaction", departments, classes: [{ Id: "9", Name: "Retail", Active: true }, { Id: "10", Name: "Closed", Active: false }] } });
    const lists = await tracking.client.readTracking();
    expect(lists.locationTerm).toBe("Location");
    expect(lists.locations).toHaveLength(1000);
    expect(lists.locations?.map((tag) => tag.id)).not.toContain("5");
    expect(lists.classes).toEqual([{ id: "9", name: "Retail" }]);
  });

  it.each(["standard", "lower-case"] as const)("on a 401 (%s body) refreshes once and retries with the same requestid: one entry", async (style) => {
    qbo.setAuthFaultStyle(style);
    const { realmId, client, tokens } = connect();
    qbo.expireAccessTokens(realmId);
    const created = await client.createJournalEntry(dayEntry(), "req-401");
    expect(created.id).toBe("1");
    expect(tokens.refreshes).toBe(1);
    expect(creates(realmId).map((r) => [r.status, r.requestId])).toEqual([
      [401, "req-401"],
      [200, "req-401"],
    ]);
    expect(qbo.journalEntries(realmId)).toHaveLength(1);
    qbo.setAuthFaultStyle("alternate");
  });

  it("retries a 401 that refuses a token just issued, and never takes it for a disconnection", async () => {
    // A spurious second 401 after a good refresh: tried again, posted once.
    const { realmId, client, tokens } = connect();
    qbo.injectFaults({ match: { kind: "api", path: "/journalentry" }, fault: { kind: "401" }, times: 2 });
    await client.createJournalEntry(dayEntry(), "req-401-twice");
    expect(tokens.refreshes).toBe(1);
    expect(qbo.journalEntries(realmId)).toHaveLength(1);

    // 401 after 401: retryable after the last attempt; only the token endpoint's invalid_grant says the connection is gone.
    const stubborn = connect({ maxAttempts: 3 });
    qbo.injectFaults({ match: { kind: "api", path: "/journalentry" }, fault: { kind: "401" }, times: 10 });
    const refused = await failureOf(stubborn.client.createJournalEntry(dayEntry(), "req-401-always"));
    qbo.clearFaults();
    expect(refused.kind).toBe("retryable");
    expect(refused.details).toMatchObject({ status: 401, code: "3200" });
    expect(stubborn.tokens.refreshes).toBe(1);
    expect(qbo.journalEntries(stubborn.realmId)).toEqual([]);
  });

  it("turns invalid_grant during the refresh into needs-reconnect, and posts nothing", async () => {
    const revoked = connect();
    qbo.revokeAll(revoked.realmId);
    const disconnected = await failureOf(revoked.client.createJournalEntry(dayEntry(), "req-revoked"));
    expect(disconnected.kind).toBe("needs-reconnect");
    expect(disconnected.details.code).toBe("invalid_grant");
    expect(creates(revoked.realmId)).toHaveLength(1);
    expect(qbo.journalEntries(revoked.realmId)).toEqual([]);

    const expired = connect();
    qbo.expireAccessTokens(expired.realmId);
    qbo.injectFaults({ match: "token", fault: { kind: "invalid_grant" } });
    expect((await failureOf(expired.client.createJournalEntry(dayEntry(), "req-grant"))).kind).toBe("needs-reconnect");
    expect(qbo.journalEntries(expired.realmId)).toEqual([]);
  });

  it("honours Retry-After on a 429", async () => {
    const { realmId, client, delays } = connect();
    qbo.injectFaults({ match: { kind: "api", method: "POST" }, fault: { kind: "429", retryAfterSeconds: 7 }, times: 2 });
    await client.createJournalEntry(dayEntry(), "req-429");
    expect(delays).toEqual([7000, 7000]);
    expect(creates(realmId).map((r) => [r.status, r.requestId])).toEqual([
      [429, "req-429"],
      [429, "req-429"],
      [200, "req-429"],
    ]);
    expect(qbo.journalEntries(realmId)).toHaveLength(1);
  });

  it.each<[string, InjectedFault]>([
    ["500", { kind: "500" }],
    ["503", { kind: "503" }],
    ["a slow answer", { kind: "slow" }],
    ["a truncated body", { kind: "truncated" }],
    ["a connection dropped after the commit", { kind: "drop-after-commit" }],
  ])("retries %s with the same requestid and posts exactly once", async (_name, fault) => {
    const { realmId, client, delays } = connect({ timeoutMs: 200 });
    qbo.injectFaults({ match: { kind: "api", method: "POST", path: "/journalentry" }, fault });
    const created = await client.createJournalEntry(dayEntry(), `req-${fault.kind}`);
    if (fault.kind === "slow") await waitMs(400); // let the slow request finish: it must replay, not create

    expect(created.id).toBe("1");
    expect(delays.length).toBeGreaterThanOrEqual(1);
    const requests = creates(realmId);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((r) => r.requestId))).toEqual(new Set([`req-${fault.kind}`]));
    expect(qbo.journalEntries(realmId)).toHaveLength(1);
    expect(qbo.accountTotals(realmId).get(ACCOUNTS.sales)).toEqual({ debit: 0, credit: 13456 });
    if (fault.kind === "truncated" || fault.kind === "drop-after-commit" || fault.kind === "slow") {
      expect(requests.some((r) => r.replayed)).toBe(true);
    }
  });

  it("retries a read whose body broke off", async () => {
    const { client, delays } = connect();
    qbo.injectFaults({ match: { kind: "api", path: "/query" }, fault: { kind: "truncated" } });
    expect(await client.findJournalEntries({ docNumber: "DB250314-NONE" })).toEqual([]);
    expect(delays).toHaveLength(1);
  });

  it("stops after maxAttempts and reports retryable, with the intuit_tid", async () => {
    const { realmId, client } = connect({ maxAttempts: 3 });
    qbo.injectFaults({ match: { kind: "api", path: "/journalentry" }, fault: { kind: "500" }, times: 5 });
    const busy = await failureOf(client.createJournalEntry(dayEntry(), "req-busy"));
    qbo.clearFaults();
    expect(busy.kind).toBe("retryable");
    expect(busy.details).toMatchObject({ status: 500, code: "10000" });
    expect(busy.message).toContain(`[intuit_tid ${busy.details.intuitTid ?? "missing"}]`);
    expect(creates(realmId)).toHaveLength(3);
    expect(qbo.journalEntries(realmId)).toEqual([]);
  });

  it("reports closed books (6210) as needs-merchant, with the date and the code", async () => {
    const { realmId, client } = connect({ company: { closingDate: "2025-03-31" } });
    const closed = await failureOf(client.createJournalEntry(dayEntry(), "req-closed"));
    expect(closed.kind).toBe("needs-merchant");
    expect(closed.details.code).toBe("6210");
    expect(closed.message).toContain("QuickBooks refused the entry because the books are closed for Friday 14 March 2025 (error 6210)");
    expect(creates(realmId)).toHaveLength(1);
  });

  it("reports an inactive account (2500) and a lapsed subscription (6190) as needs-merchant", async () => {
    const inactive = connect();
    qbo.setAccountActive(inactive.realmId, ACCOUNTS.sales, false);
    const account = await failureOf(inactive.client.createJournalEntry(dayEntry(), "req-inactive"));
    expect(account.kind).toBe("needs-merchant");
    expect(account.details.code).toBe("2500");
    expect(account.message).toContain("inactive or no longer exists");

    const lapsed = connect({ company: { subscriptionLapsed: true } });
    const subscription = await failureOf(lapsed.client.createJournalEntry(dayEntry(), "req-lapsed"));
    expect(subscription.kind).toBe("needs-merchant");
    expect(subscription.details.code).toBe("6190");
  });

  it("reports other validation faults as a bug, without retrying", async () => {
    const { realmId, client, delays } = connect();
    const unbalanced = dayEntry();
    const [, credit] = unbalanced.Line;
    if (credit) credit.Amount = 134.55;
    const refused = await failureOf(client.createJournalEntry(unbalanced, "req-unbalanced"));
    expect(refused.kind).toBe("bug");
    expect(refused.details.code).toBe("6000");
    expect((await failureOf(client.createJournalEntry(dayEntry({ DocNumber: "D".repeat(22) }), "req-long"))).details.code).toBe("2050");
    expect(creates(realmId)).toHaveLength(2);
    expect(delays).toEqual([]);

    const tooLong = await failureOf(client.createJournalEntry(dayEntry(), "r".repeat(51)));
    expect(tooLong.kind).toBe("bug");
    expect(creates(realmId)).toHaveLength(2);
  });

  it("never puts a token in an error, and always the intuit_tid", async () => {
    const errors: QuickBooksError[] = [];
    const secrets: string[] = [];

    const closed = connect({ company: { closingDate: "2025-12-31" } });
    errors.push(await failureOf(closed.client.createJournalEntry(dayEntry(), "req-secret-1")));
    const twice = connect({ maxAttempts: 2 });
    qbo.injectFaults({ match: { kind: "api", path: "/preferences" }, fault: { kind: "401" }, times: 5 });
    errors.push(await failureOf(twice.client.getCompanySettings()));
    qbo.clearFaults();
    const revoked = connect();
    qbo.revokeAll(revoked.realmId);
    errors.push(await failureOf(revoked.client.listActiveAccounts()));
    const busy = connect({ maxAttempts: 2 });
    qbo.injectFaults({ match: { kind: "api", path: "/query" }, fault: { kind: "429" }, times: 2 });
    errors.push(await failureOf(busy.client.findJournalEntries({ docNumber: "X" })));
    secrets.push(...closed.tokens.seen, ...twice.tokens.seen, ...revoked.tokens.seen, ...busy.tokens.seen);

    expect(errors.map((error) => error.kind)).toEqual(["needs-merchant", "retryable", "needs-reconnect", "retryable"]);
    for (const error of errors) {
      expect(error.details.intuitTid).toMatch(/^1-[0-9a-f]{24}$/);
      expect(error.message).toContain(`[intuit_tid ${error.details.intuitTid ?? ""}]`);
      const everything = `${error.message} ${JSON.stringify(error.details)} ${error.stack ?? ""}`;
      for (const secret of secrets) expect(everything).not.toContain(secret);
    }
  });
});

describe("fault classification", () => {
  it.each<[number, string | undefined, FailureKind]>([
    [401, "3200", "needs-reconnect"],
    [403, "3100", "needs-reconnect"],
    [401, "120", "needs-reconnect"],
    [400, "invalid_grant", "needs-reconnect"],
    [400, "6210", "needs-merchant"],
    [400, "6200", "needs-merchant"],
    [400, "6190", "needs-merchant"],
    [400, "2500", "needs-merchant"],
    [400, "610", "needs-merchant"],
    [400, "6140", "needs-merchant"],
    [429, "3001", "retryable"],
    [500, "10000", "retryable"],
    [503, undefined, "retryable"],
    [400, "6000", "bug"],
    [400, "2010", "bug"],
    [400, "2050", "bug"],
    [404, undefined, "bug"],
  ])("HTTP %i, code %s → %s", (status, code, kind) => {
    expect(classifyFault(status, code)).toBe(kind);
  });

  it("reads Fault bodies in either letter case, and codes with leading zeros", () => {
    expect(parseFault({ Fault: { Error: [{ Message: "m", Detail: "d", code: "6210", element: "" }], type: "ValidationFault" } })).toEqual({ type: "ValidationFault", code: "6210", message: "m", detail: "d", element: "" });
    expect(parseFault({ warnings: null, fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Token expired", code: "3200", element: null }], type: "AUTHENTICATION" } })).toEqual({
      type: "AUTHENTICATION",
      code: "3200",
      message: "message=AuthenticationFailed; errorCode=003200; statusCode=401",
      detail: "Token expired",
    });
    expect(parseFault({ Fault: { Error: [{ Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429" }] } })?.code).toBe("3001");
    expect(parseFault({ Fault: { Error: [{ code: "003001" }] } })?.code).toBe("3001");
    expect(parseFault({ error: "invalid_grant" })).toEqual({ code: "invalid_grant" });
    expect(parseFault({ JournalEntry: { Id: "1" } })).toBeUndefined();
  });
});
