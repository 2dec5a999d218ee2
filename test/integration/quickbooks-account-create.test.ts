/**
 * Account create, the one write besides a journal entry that daybook makes: the QuickBooks simulator's
 * rules over real HTTP (sandbox/quickbooks/accounts.ts cites where they come from), and the real client's
 * createAccount against it. Account updates and deletes stay refused and recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuickBooksClient } from "../../lib/quickbooks/client";
import { QuickBooksError } from "../../lib/quickbooks/types";
import { DEFAULT_ACCOUNT_IDS as ACCOUNTS, startQuickBooksSimulator, type QuickBooksSimulator } from "../../sandbox/quickbooks/server";

let qbo: QuickBooksSimulator;
let lastRealm = 9_250_000;

beforeAll(async () => {
  qbo = await startQuickBooksSimulator({ authFaultStyle: "standard" });
});
afterAll(async () => {
  await qbo.close();
});

function newCompany(options: { subscriptionLapsed?: boolean } = {}): { realmId: string; token: string } {
  lastRealm += 1;
  const realmId = String(lastRealm);
  qbo.addCompany({ realmId, companyName: `Company ${realmId}`, ...options });
  return { realmId, token: qbo.issueTokens(realmId).access_token };
}

async function post(company: { realmId: string; token: string }, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${qbo.url}/v3/company/${company.realmId}/${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${company.token}`, Accept: "application/json", "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const faultOf = (answer: { status: number; json: Record<string, unknown> }) => {
  const error = (answer.json as { Fault?: { Error?: { code?: string; Message?: string; element?: string }[]; type?: string } }).Fault;
  return { status: answer.status, type: error?.type, code: error?.Error?.[0]?.code, message: error?.Error?.[0]?.Message, element: error?.Error?.[0]?.element };
};

describe("the simulator's account create", () => {
  it("adds an active account with a new Id and the classification of its type, and lists it", async () => {
    const company = newCompany();
    const answer = await post(company, "account?minorversion=75", { Name: "Tips Payable (bar)", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities" });
    expect(answer.status).toBe(200);
    const created = answer.json["Account"] as Record<string, unknown>;
    expect(created).toMatchObject({ Name: "Tips Payable (bar)", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Classification: "Liability", Active: true, SyncToken: "0" });
    const existingIds = Object.values(ACCOUNTS).map(Number);
    expect(Number(created["Id"])).toBeGreaterThan(Math.max(...existingIds));
    expect(qbo.accounts(company.realmId).find((account) => account.Id === created["Id"])).toMatchObject({ Name: "Tips Payable (bar)", Active: true });

    const second = await post(company, "account", { Name: "POS Clearing", AccountType: "Other Current Asset" });
    expect(second.status).toBe(200);
    expect(Number((second.json["Account"] as { Id: string }).Id)).toBe(Number(created["Id"]) + 1);
  });

  it("refuses a second account of the same name, in any letter case, with 6240 Duplicate Name Exists", async () => {
    const company = newCompany();
    const before = qbo.accounts(company.realmId).length;
    for (const name of ["Tips Payable", "TIPS PAYABLE", " tips payable "]) {
      expect(faultOf(await post(company, "account", { Name: name, AccountType: "Other Current Liability" })), name).toMatchObject({
        status: 400, type: "ValidationFault", code: "6240", message: "Duplicate Name Exists Error",
      });
    }
    expect(qbo.accounts(company.realmId)).toHaveLength(before);
  });

  it("frees the name of an inactive account, as QuickBooks renames it \"(deleted)\"", async () => {
    const company = newCompany();
    qbo.setAccountActive(company.realmId, ACCOUNTS.tips, false);
    expect((await post(company, "account", { Name: "Tips Payable", AccountType: "Other Current Liability" })).status).toBe(200);
  });

  it.each([
    [{ AccountType: "Expense" }, "2020", "Name"],
    [{ Name: "", AccountType: "Expense" }, "2020", "Name"],
    [{ Name: "x".repeat(101), AccountType: "Expense" }, "2050", "Name"],
    [{ Name: 'The "best" fees', AccountType: "Expense" }, "6000", "Name"],
    [{ Name: "Fees:Card", AccountType: "Expense" }, "6000", "Name"],
    [{ Name: "Card fees" }, "2020", "AccountType"],
    [{ Name: "Card fees", AccountType: "Expenses" }, "2170", "AccountType"],
    [{ Name: "Card fees", AccountType: "Expense", AccountSubType: "NoSuchThing" }, "2170", "AccountSubType"],
    [{ Name: "Card fees", AccountType: "Expense", AccountSubType: "SalesTaxPayable" }, "6000", "AccountSubType"],
    [{ Name: "Card fees", AccountType: "Expense", Colour: "red" }, "2010", "Colour"],
  ])("refuses %j with %s on %s, creating nothing", async (body, code, element) => {
    const company = newCompany();
    const before = qbo.accounts(company.realmId).length;
    expect(faultOf(await post(company, "account", body))).toMatchObject({ status: 400, code, element });
    expect(qbo.accounts(company.realmId)).toHaveLength(before);
  });

  it("takes exactly 100 characters, and refuses a body that is not JSON with a 400", async () => {
    const company = newCompany();
    expect((await post(company, "account", { Name: "x".repeat(100), AccountType: "Expense" })).status).toBe(200);
    expect(faultOf(await post(company, "account", "{not json"))).toMatchObject({ status: 400, code: "2010" });
  });

  it("replays the first answer to a requestid and creates once; refuses writes to a lapsed company", async () => {
    const company = newCompany();
    const body = { Name: "Gift Card Liability", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities" };
    const first = await post(company, "account?requestid=acct-1", body);
    const again = await post(company, "account?requestid=acct-1", body);
    expect(again).toEqual(first);
    expect(qbo.accounts(company.realmId).filter((account) => account.Name === "Gift Card Liability")).toHaveLength(1);
    expect(qbo.requestLog().filter((record) => record.requestId === "acct-1").map((record) => record.replayed)).toEqual([false, true]);

    const lapsed = newCompany({ subscriptionLapsed: true });
    expect(faultOf(await post(lapsed, "account", body))).toMatchObject({ status: 400, code: "6190" });
  });

  it("refuses and records every account update or delete, changing nothing", async () => {
    const company = newCompany();
    const chart = qbo.accounts(company.realmId);
    const before = qbo.forbiddenWrites().length;
    const attempts = [
      await post(company, "account", { Id: ACCOUNTS.tips, SyncToken: "0", Name: "Tips", AccountType: "Other Current Liability" }),
      await post(company, "account", { Name: "Tips", AccountType: "Other Current Liability", SyncToken: "0" }),
      await post(company, "account", { Name: "Tips", sparse: true, AccountType: "Other Current Liability" }),
      await post(company, "account?operation=update", { Name: "Tips", AccountType: "Other Current Liability" }),
      await post(company, "account?operation=delete", { Id: ACCOUNTS.tips, SyncToken: "0" }),
    ];
    const deleted = await fetch(`${qbo.url}/v3/company/${company.realmId}/account/${ACCOUNTS.tips}`, { method: "DELETE", headers: { Authorization: `Bearer ${company.token}` } });
    await deleted.arrayBuffer();
    expect([...attempts.map((answer) => answer.status), deleted.status]).toEqual([400, 400, 400, 400, 400, 400]);
    expect(qbo.forbiddenWrites().slice(before).map((write) => `${write.method} ${write.path}`)).toEqual([
      `POST /v3/company/${company.realmId}/account`,
      `POST /v3/company/${company.realmId}/account`,
      `POST /v3/company/${company.realmId}/account`,
      `POST /v3/company/${company.realmId}/account?operation=update`,
      `POST /v3/company/${company.realmId}/account?operation=delete`,
      `DELETE /v3/company/${company.realmId}/account/${ACCOUNTS.tips}`,
    ]);
    expect(qbo.accounts(company.realmId)).toEqual(chart);
  });
});

describe("the client's createAccount", () => {
  function client(realmId: string) {
    const { access_token: accessToken } = qbo.issueTokens(realmId);
    return createQuickBooksClient({
      baseUrl: qbo.endpoints.apiBase, realmId, timeoutMs: 2000, maxAttempts: 3, sleep: () => Promise.resolve(), random: () => 0.5,
      tokens: { accessToken: () => Promise.resolve(accessToken), refresh: () => Promise.reject(new Error("no refresh in this test")) },
    });
  }

  it("creates the account, and it appears in the active chart", async () => {
    const { realmId } = newCompany();
    const qb = client(realmId);
    const created = await qb.createAccount({ name: "Square Clearing", accountType: "Other Current Asset", accountSubType: "OtherCurrentAssets" });
    expect(created).toMatchObject({ name: "Square Clearing", fullyQualifiedName: "Square Clearing", accountType: "Other Current Asset", accountSubType: "OtherCurrentAssets", classification: "Asset", active: true });
    expect((await qb.listActiveAccounts()).map((account) => account.id)).toContain(created.id);
    const request = qbo.requestLog().findLast((record) => record.method === "POST" && record.path.endsWith("/account"));
    expect(request?.search).toMatch(/^\?minorversion=75&requestid=[0-9a-f-]{36}$/);
  });

  it("retries a lost answer with the same requestid, so the account is created once", async () => {
    const { realmId } = newCompany();
    qbo.injectFaults({ match: { method: "POST", path: "/account" }, fault: { kind: "drop-after-commit" } });
    const created = await client(realmId).createAccount({ name: "Tips Payable 2", accountType: "Other Current Liability", accountSubType: "OtherCurrentLiabilities" });
    expect(qbo.accounts(realmId).filter((account) => account.Name === "Tips Payable 2").map((account) => account.Id)).toEqual([created.id]);
    const requests = qbo.requestLog().filter((record) => record.realmId === realmId && record.path.endsWith("/account"));
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((record) => record.requestId)).size).toBe(1);
    expect(requests[1]?.replayed).toBe(true);
  });

  it("fails with QuickBooks' 6240 on a name in use, without retrying", async () => {
    const { realmId } = newCompany();
    const failure = await client(realmId).createAccount({ name: "Tips Payable", accountType: "Other Current Liability" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QuickBooksError);
    expect((failure as QuickBooksError).details).toMatchObject({ status: 400, code: "6240" });
    expect(qbo.requestLog().filter((record) => record.realmId === realmId && record.path.endsWith("/account"))).toHaveLength(1);
  });
});
