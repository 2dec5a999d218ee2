/**
 * The QuickBooks simulator's rules, over real HTTP: what it accepts, what it refuses with which fault,
 * and the OAuth behaviour intuit-oauth depends on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_IDS as ACCOUNTS, startQuickBooksSimulator, type CompanyOptions, type QuickBooksSimulator } from "../../sandbox/quickbooks/server";

let qbo: QuickBooksSimulator;
let lastRealm = 9_130_000;

beforeAll(async () => {
  qbo = await startQuickBooksSimulator({ authFaultStyle: "standard" });
});

afterAll(async () => {
  await qbo.close();
});

interface Company {
  realmId: string;
  token: string;
}

function newCompany(options: Partial<CompanyOptions> = {}): Company {
  lastRealm += 1;
  const realmId = String(lastRealm);
  qbo.addCompany({ realmId, companyName: `Company ${realmId}`, ...options });
  return { realmId, token: qbo.issueTokens(realmId).access_token };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(company: Company, method: string, path: string, options: { body?: unknown; rawBody?: string; token?: string | null; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = options.token === undefined ? company.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
  const response = await fetch(`${qbo.url}/v3/company/${company.realmId}/${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const post = (company: Company, body: unknown, query = "minorversion=75") => call(company, "POST", `journalentry?${query}`, { body });
const query = (company: Company, statement: string) => call(company, "GET", `query?query=${encodeURIComponent(statement)}&minorversion=75`);

type Line = Record<string, unknown>;

function line(postingType: string, amount: number, accountId: string, detail: Record<string, unknown> = {}): Line {
  return { Amount: amount, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: postingType, AccountRef: { value: accountId }, ...detail } };
}

function entry(lines: Line[], fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { TxnDate: "2025-03-14", DocNumber: "DB250314-TEST", PrivateNote: "Posted by daybook", Line: lines, ...fields };
}

const balanced = (amount = 12.34) => [line("Debit", amount, ACCOUNTS.undepositedFunds), line("Credit", amount, ACCOUNTS.sales)];

/** The first Fault error, as { status, code, detail, element }. */
function fault(answer: Answer): { status: number; code?: string; detail?: string; element?: string } {
  const body = answer.json as { Fault?: { Error?: { code?: string; Detail?: string; element?: string }[] } } | undefined;
  const first = body?.Fault?.Error?.[0];
  return { status: answer.status, code: first?.code, detail: first?.Detail, element: first?.element };
}

describe("journal entry create", () => {
  it("stores a balanced entry and answers in QuickBooks' shape", async () => {
    const company = newCompany();
    const answer = await post(company, entry([line("Debit", 100, ACCOUNTS.cardClearing), line("Debit", 34.56, ACCOUNTS.undepositedFunds), line("Credit", 134.56, ACCOUNTS.sales)]));

    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    const created = (answer.json as { JournalEntry: Record<string, unknown>; time: string });
    expect(created.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-08:00$/);
    expect(created.JournalEntry).toMatchObject({
      Id: "1",
      SyncToken: "0",
      TxnDate: "2025-03-14",
      DocNumber: "DB250314-TEST",
      PrivateNote: "Posted by daybook",
      CurrencyRef: { value: "USD" },
      MetaData: { CreateTime: expect.any(String) as string, LastUpdatedTime: expect.any(String) as string },
    });
    const lines = created.JournalEntry.Line as { Id: string; JournalEntryLineDetail: { AccountRef: { name: string } } }[];
    expect(lines.map((l) => l.Id)).toEqual(["0", "1", "2"]);
    expect(lines[2]?.JournalEntryLineDetail.AccountRef.name).toBe("Sales of Product Income");
    expect(qbo.accountTotals(company.realmId)).toEqual(
      new Map([
        [ACCOUNTS.cardClearing, { debit: 10000, credit: 0 }],
        [ACCOUNTS.undepositedFunds, { debit: 3456, credit: 0 }],
        [ACCOUNTS.sales, { debit: 0, credit: 13456 }],
      ]),
    );

    const read = await call(company, "GET", "journalentry/1?minorversion=75");
    expect((read.json as { JournalEntry: unknown }).JournalEntry).toEqual(created.JournalEntry);
  });

  it("balances in integer cents, so 0.10 + 0.20 equals 0.30", async () => {
    const company = newCompany();
    const answer = await post(company, entry([line("Debit", 0.1, ACCOUNTS.cardClearing), line("Debit", 0.2, ACCOUNTS.undepositedFunds), line("Credit", 0.3, ACCOUNTS.sales)]));
    expect(answer.status).toBe(200);
    expect(qbo.accountTotals(company.realmId).get(ACCOUNTS.sales)).toEqual({ debit: 0, credit: 30 });
  });

  it("refuses an entry a cent out of balance with 6000", async () => {
    const company = newCompany();
    const answer = await post(company, entry([line("Debit", 10, ACCOUNTS.undepositedFunds), line("Credit", 9.99, ACCOUNTS.sales)]));
    expect(fault(answer)).toMatchObject({ status: 400, code: "6000" });
    expect(fault(answer).detail).toContain("Debits and credits must be equal");
    expect(qbo.journalEntries(company.realmId)).toEqual([]);
  });

  it("needs at least one debit and one credit line", async () => {
    const company = newCompany();
    expect(fault(await post(company, entry([line("Debit", 0, ACCOUNTS.undepositedFunds), line("Debit", 0, ACCOUNTS.sales)])))).toMatchObject({ status: 400, code: "6000" });
    expect(fault(await post(company, entry([])))).toMatchObject({ status: 400, code: "6000" });
  });

  it.each([
    ["three decimals in USD", 1.005, "2110"],
    ["a float that drifted", 0.1 + 0.2, "2110"],
    ["a negative amount", -5, "2290"],
    ["eleven digits before the point", 12_345_678_901, "2240"],
  ])("refuses %s", async (_name, amount, code) => {
    const company = newCompany();
    expect(fault(await post(company, entry(balanced(amount))))).toMatchObject({ status: 400, code, element: "Amount" });
  });

  it("takes the currency's decimals: whole yen only", async () => {
    const company = newCompany({ homeCurrency: "JPY" });
    expect(fault(await post(company, entry(balanced(10.5))))).toMatchObject({ status: 400, code: "2110" });
    expect((await post(company, entry(balanced(1050)))).status).toBe(200);
    expect(qbo.accountTotals(company.realmId).get(ACCOUNTS.sales)).toEqual({ debit: 0, credit: 1050 });
  });

  it("refuses unknown and inactive accounts with 2500, and takes the account once reactivated", async () => {
    const company = newCompany();
    const unknown = await post(company, entry([line("Debit", 5, "4242"), line("Credit", 5, ACCOUNTS.sales)]));
    expect(fault(unknown)).toMatchObject({ status: 400, code: "2500" });
    expect(fault(unknown).detail).toContain("4242");

    const inactive = await post(company, entry([line("Debit", 5, ACCOUNTS.undepositedFunds), line("Credit", 5, ACCOUNTS.inactiveSales)]));
    expect(fault(inactive)).toMatchObject({ status: 400, code: "2500" });

    qbo.setAccountActive(company.realmId, ACCOUNTS.inactiveSales, true);
    expect((await post(company, entry([line("Debit", 5, ACCOUNTS.undepositedFunds), line("Credit", 5, ACCOUNTS.inactiveSales)]))).status).toBe(200);
    qbo.setAccountActive(company.realmId, ACCOUNTS.sales, false);
    expect(fault(await post(company, entry(balanced())))).toMatchObject({ code: "2500" });
  });

  it("needs a customer on an A/R line and a vendor on an A/P line (6000)", async () => {
    const company = newCompany();
    const receivable = await post(company, entry([line("Debit", 5, ACCOUNTS.accountsReceivable), line("Credit", 5, ACCOUNTS.sales)]));
    expect(fault(receivable)).toMatchObject({ status: 400, code: "6000" });
    expect(fault(receivable).detail).toBe("Business Validation Error: When you use Accounts Receivable, you must choose a customer in the Name field.");

    const payable = await post(company, entry([line("Debit", 5, ACCOUNTS.bankCharges), line("Credit", 5, ACCOUNTS.accountsPayable, { Entity: { Type: "Customer", EntityRef: { value: "1" } } })]));
    expect(fault(payable)).toMatchObject({ status: 400, code: "6000" });
    expect(fault(payable).detail).toContain("Accounts Payable");

    const named = entry([line("Debit", 5, ACCOUNTS.accountsReceivable, { Entity: { Type: "Customer", EntityRef: { value: "1", name: "Walk-in" } } }), line("Credit", 5, ACCOUNTS.sales)]);
    expect((await post(company, named)).status).toBe(200);
  });

  it("limits DocNumber to 21 characters and PrivateNote and Description to 4000", async () => {
    const company = newCompany();
    const long = await post(company, entry(balanced(), { DocNumber: "D".repeat(22) }));
    expect(fault(long)).toMatchObject({ status: 400, code: "2050", element: "DocNumber" });
    expect(fault(long).detail).toContain("Max:21");
    expect(fault(await post(company, entry(balanced(), { PrivateNote: "n".repeat(4001) })))).toMatchObject({ code: "2050", element: "PrivateNote" });
    const lines = balanced();
    lines[0] = { ...lines[0], Description: "d".repeat(4001) };
    expect(fault(await post(company, entry(lines)))).toMatchObject({ code: "2050", element: "Description" });
    expect((await post(company, entry(balanced(), { DocNumber: "D".repeat(21), PrivateNote: "n".repeat(4000) }))).status).toBe(200);
  });

  it("checks the body's shape: 2010 unknown property, 2170 bad PostingType, 2020 missing AccountRef or PostingType", async () => {
    const company = newCompany();
    expect(fault(await post(company, entry(balanced(), { Memo: "x" })))).toMatchObject({ status: 400, code: "2010", element: "Memo" });
    expect(fault(await post(company, entry([line("debit", 5, ACCOUNTS.undepositedFunds), line("Credit", 5, ACCOUNTS.sales)])))).toMatchObject({ status: 400, code: "2170", element: "PostingType" });
    const noAccount = { Amount: 5, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: "Debit" } };
    expect(fault(await post(company, entry([noAccount, line("Credit", 5, ACCOUNTS.sales)])))).toMatchObject({ status: 400, code: "2020", element: "AccountRef" });
    const noSide = { Amount: 5, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { AccountRef: { value: ACCOUNTS.sales } } };
    expect(fault(await post(company, entry([line("Debit", 5, ACCOUNTS.undepositedFunds), noSide])))).toMatchObject({ status: 400, code: "2020", element: "PostingType" });
    expect(qbo.journalEntries(company.realmId)).toEqual([]);
  });

  it("answers a client's mistakes with 4xx, never 500", async () => {
    const company = newCompany();
    const bodies = ["{", "null", "[]", '"text"', "42", '{"Line":null}', '{"Line":[null]}', '{"Line":[{"DetailType":"JournalEntryLineDetail"}]}', '{"Line":[],"TxnDate":"2025-02-30"}', '{"Line":[],"CurrencyRef":{"value":"EUR"}}'];
    for (const rawBody of bodies) {
      const answer = await call(company, "POST", "journalentry?minorversion=75", { rawBody });
      expect(answer.status, rawBody).toBe(400);
      expect(fault(answer).code, rawBody).toMatch(/^\d+$/);
    }
  });

  it("replays the first response to a requestid byte for byte, and creates once", async () => {
    const company = newCompany();
    const first = await post(company, entry(balanced()), "minorversion=75&requestid=pos-1-L01-20250314-r0");
    const again = await post(company, entry(balanced()), "minorversion=75&requestid=pos-1-L01-20250314-r0");
    const differentBody = await post(company, entry(balanced(99)), "minorversion=75&requestid=pos-1-L01-20250314-r0");
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(differentBody.text).toBe(first.text);
    expect(qbo.journalEntries(company.realmId)).toHaveLength(1);
    expect(qbo.requestLog().filter((r) => r.requestId === "pos-1-L01-20250314-r0").map((r) => r.replayed)).toEqual([false, true, true]);

    const otherId = await post(company, entry(balanced()), "minorversion=75&requestid=pos-1-L01-20250314-r1");
    expect(otherId.text).not.toBe(first.text);
    expect(qbo.journalEntries(company.realmId)).toHaveLength(2);
  });

  it("refuses a requestid longer than 50 characters", async () => {
    const company = newCompany();
    expect(fault(await post(company, entry(balanced()), `requestid=${"r".repeat(51)}`))).toMatchObject({ status: 400, code: "2130" });
    expect((await post(company, entry(balanced()), `requestid=${"r".repeat(50)}`)).status).toBe(200);
  });

  it("refuses entries in a closed period with 6210, up to and including the closing date", async () => {
    const company = newCompany({ closingDate: "2025-03-31" });
    const closed = await post(company, entry(balanced(), { TxnDate: "2025-03-31" }));
    expect(fault(closed)).toMatchObject({ status: 400, code: "6210" });
    expect((await post(company, entry(balanced(), { TxnDate: "2025-04-01" }))).status).toBe(200);
    qbo.setClosingDate(company.realmId, null);
    expect((await post(company, entry(balanced(), { TxnDate: "2025-03-31" }))).status).toBe(200);
    qbo.setClosingDate(company.realmId, "2025-12-31");
    const preferences = (await call(company, "GET", "preferences")).json as { Preferences: { AccountingInfoPrefs: { BookCloseDate: string } } };
    expect(preferences.Preferences.AccountingInfoPrefs.BookCloseDate).toBe("2025-12-31");
  });

  it("refuses writes to a company whose subscription lapsed with 6190", async () => {
    const company = newCompany({ subscriptionLapsed: true });
    expect(fault(await post(company, entry(balanced())))).toMatchObject({ status: 400, code: "6190" });
    expect((await call(company, "GET", "preferences")).status).toBe(200);
    qbo.setSubscriptionLapsed(company.realmId, false);
    expect((await post(company, entry(balanced()))).status).toBe(200);
  });

  it("refuses a duplicate DocNumber with 6140 only when WarnDuplicateJournalNumber is on", async () => {
    const relaxed = newCompany();
    expect((await post(relaxed, entry(balanced()))).status).toBe(200);
    expect((await post(relaxed, entry(balanced()))).status).toBe(200);

    const strict = newCompany({ warnDuplicateJournalNumber: true });
    expect((await post(strict, entry(balanced()))).status).toBe(200);
    const duplicate = await post(strict, entry(balanced()));
    expect(fault(duplicate)).toMatchObject({ status: 400, code: "6140" });
    expect((await post(strict, entry(balanced()), "minorversion=75&include=allowduplicatedocnum")).status).toBe(200);
    const preferences = (await call(strict, "GET", "preferences")).json as { Preferences: { OtherPrefs: { NameValue: { Name: string; Value: string }[] } } };
    expect(preferences.Preferences.OtherPrefs.NameValue).toContainEqual({ Name: "WarnDuplicateJournalNumber", Value: "true" });
  });
});

describe("Locations (Departments) and Classes", () => {
  const TAGS: Partial<CompanyOptions> = {
    departments: [{ Id: "1", Name: "Main Street", Active: true }, { Id: "2", Name: "Old Pier", Active: false }],
    classes: [{ Id: "5", Name: "Coffee bar", Active: true }, { Id: "6", Name: "Closed line", Active: false }],
  };
  const tagged = (detail: Record<string, unknown>, amount = 5) =>
    entry([line("Debit", amount, ACCOUNTS.undepositedFunds, detail), line("Credit", amount, ACCOUNTS.sales, detail)]);

  it("lists them as QuickBooks answers a query, active only by default, and serves each by id", async () => {
    const company = newCompany(TAGS);
    const departments = await query(company, "SELECT * FROM Department");
    expect(departments.json).toMatchObject({ QueryResponse: { Department: [{ Id: "1", Name: "Main Street", FullyQualifiedName: "Main Street", Active: true, SubDepartment: false }], startPosition: 1, maxResults: 1 } });
    const inactive = await query(company, "SELECT * FROM Class WHERE Active = false");
    expect(inactive.json).toMatchObject({ QueryResponse: { Class: [{ Id: "6", Name: "Closed line", Active: false, SubClass: false }] } });
    expect((await query(company, "SELECT * FROM Class WHERE Name = 'Nobody'")).json).toMatchObject({ QueryResponse: {} });
    expect((await call(company, "GET", "department/2?minorversion=75")).json).toMatchObject({ Department: { Id: "2", Active: false } });
    expect(fault(await call(company, "GET", "class/99?minorversion=75"))).toMatchObject({ status: 400, code: "610" });
  });

  it("says in Preferences whether the company tracks them", async () => {
    const prefs = async (company: Company) => ((await call(company, "GET", "preferences?minorversion=75")).json as { Preferences: { AccountingInfoPrefs: Record<string, unknown> } }).Preferences.AccountingInfoPrefs;
    expect(await prefs(newCompany())).toMatchObject({ TrackDepartments: false, ClassTrackingPerTxn: false, ClassTrackingPerTxnLine: false });
    const tracking = newCompany({ ...TAGS, trackDepartments: true, classTracking: "per-line" });
    expect(await prefs(tracking)).toMatchObject({ TrackDepartments: true, DepartmentTerminology: "Location", ClassTrackingPerTxn: false, ClassTrackingPerTxnLine: true });
    qbo.setTracking(tracking.realmId, { departments: false, classes: "per-transaction" });
    expect(await prefs(tracking)).toMatchObject({ TrackDepartments: false, ClassTrackingPerTxn: true, ClassTrackingPerTxnLine: false });
  });

  it("takes a tracked, active Location and Class on journal lines and names them in the answer", async () => {
    const company = newCompany({ ...TAGS, trackDepartments: true, classTracking: "per-line" });
    const answer = await post(company, tagged({ DepartmentRef: { value: "1" }, ClassRef: { value: "5" } }));
    expect(answer.status).toBe(200);
    const lines = (answer.json as { JournalEntry: { Line: { JournalEntryLineDetail: Record<string, unknown> }[] } }).JournalEntry.Line;
    for (const each of lines) expect(each.JournalEntryLineDetail).toMatchObject({ DepartmentRef: { value: "1", name: "Main Street" }, ClassRef: { value: "5", name: "Coffee bar" } });
  });

  it("refuses a Location or Class the preferences do not track (6000), an unknown one or an inactive one (2500), naming the field", async () => {
    const untracked = newCompany(TAGS);
    expect(fault(await post(untracked, tagged({ DepartmentRef: { value: "1" } })))).toMatchObject({ status: 400, code: "6000", element: "DepartmentRef" });
    expect(fault(await post(untracked, tagged({ ClassRef: { value: "5" } })))).toMatchObject({ status: 400, code: "6000", element: "ClassRef" });

    const tracking = newCompany({ ...TAGS, trackDepartments: true, classTracking: "per-transaction" });
    expect(fault(await post(tracking, tagged({ DepartmentRef: { value: "42" } })))).toMatchObject({ status: 400, code: "2500", element: "DepartmentRef", detail: "Invalid Reference Id : Depts element id 42 not found" });
    expect(fault(await post(tracking, tagged({ ClassRef: { value: "42" } })))).toMatchObject({ status: 400, code: "2500", element: "ClassRef", detail: "Invalid Reference Id : Klasses element id 42 not found" });
    expect(fault(await post(tracking, tagged({ DepartmentRef: { value: "2" } })))).toMatchObject({ status: 400, code: "2500", element: "DepartmentRef" });
    expect(fault(await post(tracking, tagged({ ClassRef: { value: "6" } })))).toMatchObject({ status: 400, code: "2500", element: "ClassRef" });
    expect(qbo.journalEntries(untracked.realmId)).toEqual([]);
    expect(qbo.journalEntries(tracking.realmId)).toEqual([]);

    // Made active again, or tracked again, the same entries go in.
    qbo.setClassActive(tracking.realmId, "6", true);
    expect((await post(tracking, tagged({ ClassRef: { value: "6" } }))).status).toBe(200);
    qbo.setTracking(untracked.realmId, { departments: true });
    expect((await post(untracked, tagged({ DepartmentRef: { value: "1" } }))).status).toBe(200);
  });
});

describe("append-only", () => {
  it("refuses and records every update, delete or other write", async () => {
    const company = newCompany();
    expect((await post(company, entry(balanced()))).status).toBe(200);
    const before = qbo.forbiddenWrites().length;
    const attempts = [
      await call(company, "POST", "journalentry?operation=delete&minorversion=75", { body: { Id: "1", SyncToken: "0" } }),
      await call(company, "POST", "journalentry?operation=update", { body: entry(balanced(1)) }),
      await call(company, "POST", "journalentry", { body: { ...entry(balanced(1)), Id: "1", SyncToken: "0", sparse: true } }),
      await call(company, "POST", "customer", { body: { DisplayName: "Walk-in" } }),
      await call(company, "POST", "batch", { body: { BatchItemRequest: [] } }),
      await call(company, "DELETE", "journalentry/1"),
      await call(company, "PUT", "account/4", { body: { Active: false } }),
    ];
    expect(attempts.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    const recorded = qbo.forbiddenWrites().slice(before);
    expect(recorded.map((write) => `${write.method} ${write.path}`)).toEqual([
      `POST /v3/company/${company.realmId}/journalentry?operation=delete&minorversion=75`,
      `POST /v3/company/${company.realmId}/journalentry?operation=update`,
      `POST /v3/company/${company.realmId}/journalentry`,
      `POST /v3/company/${company.realmId}/customer`,
      `POST /v3/company/${company.realmId}/batch`,
      `DELETE /v3/company/${company.realmId}/journalentry/1`,
      `PUT /v3/company/${company.realmId}/account/4`,
    ]);
    expect(qbo.journalEntries(company.realmId)).toHaveLength(1);
    expect(qbo.accountTotals(company.realmId).get(ACCOUNTS.sales)).toEqual({ debit: 0, credit: 1234 });
  });

  it("records nothing for reads and creates", async () => {
    const company = newCompany();
    const before = qbo.forbiddenWrites().length;
    await post(company, entry(balanced()));
    await query(company, "SELECT * FROM Account");
    await call(company, "POST", "query?minorversion=75", { rawBody: "SELECT * FROM Account", contentType: "application/text" });
    expect(qbo.forbiddenWrites()).toHaveLength(before);
  });
});

describe("query", () => {
  it("finds journal entries by DocNumber and TxnDate, with \\' escapes", async () => {
    const company = newCompany();
    await post(company, entry(balanced(), { DocNumber: "O'Brien-1" }));
    await post(company, entry(balanced(), { DocNumber: "DB250315-A", TxnDate: "2025-03-15" }));

    const found = await query(company, "SELECT * FROM JournalEntry WHERE DocNumber = 'O\\'Brien-1'");
    expect(found.json).toMatchObject({ QueryResponse: { JournalEntry: [{ Id: "1", DocNumber: "O'Brien-1" }], startPosition: 1, maxResults: 1 } });
    const byDate = await query(company, "select * from JournalEntry where DocNumber = 'DB250315-A' and TxnDate = '2025-03-15'");
    expect(byDate.json).toMatchObject({ QueryResponse: { JournalEntry: [{ Id: "2" }] } });
  });

  it("answers an empty result as {\"QueryResponse\":{}}", async () => {
    const company = newCompany();
    await post(company, entry(balanced()));
    const none = await query(company, "SELECT * FROM JournalEntry WHERE DocNumber = 'DB250314-TEST' AND TxnDate = '2025-03-15'");
    expect(none.status).toBe(200);
    expect((none.json as { QueryResponse: unknown }).QueryResponse).toEqual({});
    expect(Object.keys(none.json as object)).toEqual(["QueryResponse", "time"]);
  });

  it("lists accounts: active only by default, filters, and pages", async () => {
    const company = newCompany();
    const ids = async (statement: string) => {
      const answer = await query(company, statement);
      expect(answer.status, statement).toBe(200);
      return ((answer.json as { QueryResponse: { Account?: { Id: string }[] } }).QueryResponse.Account ?? []).map((account) => account.Id);
    };
    const active = await ids("SELECT * FROM Account");
    expect(active).not.toContain(ACCOUNTS.inactiveSales);
    expect(active).toContain(ACCOUNTS.accountsReceivable);
    expect(await ids("SELECT * FROM Account WHERE Active = false")).toEqual([ACCOUNTS.inactiveSales]);
    expect(await ids("SELECT * FROM Account WHERE Active = true AND Classification = 'Revenue'")).toEqual([ACCOUNTS.sales, ACCOUNTS.discounts]);
    expect(await ids("SELECT * FROM Account WHERE AccountType = 'Other Current Liability' MAXRESULTS 1000")).toEqual([ACCOUNTS.tips, ACCOUNTS.salesTax, ACCOUNTS.giftCards].sort((a, b) => Number(a) - Number(b)));
    const firstPage = await ids("SELECT * FROM Account STARTPOSITION 1 MAXRESULTS 3");
    const secondPage = await ids("SELECT * FROM Account STARTPOSITION 4 MAXRESULTS 3");
    expect([...firstPage, ...secondPage]).toEqual(active.slice(0, 6));

    const posted = await call(company, "POST", "query?minorversion=75", { rawBody: "SELECT * FROM Account WHERE Active = false", contentType: "application/text" });
    expect(posted.json).toMatchObject({ QueryResponse: { Account: [{ Id: ACCOUNTS.inactiveSales }] } });
  });

  it.each([
    ["SELECT Id FROM Account", "4000"],
    ["SELECT * FROM Account ORDERBY Name", "4000"],
    ["SELECT * FROM Account WHERE Name LIKE 'S%'", "4000"],
    ["SELECT * FROM Account WHERE Active = true OR Active = false", "4000"],
    ["SELECT * FROM JournalEntry WHERE DocNumber = 'unterminated", "4000"],
    ["SELECT * FROM Invoice", "4001"],
    ["SELECT * FROM JournalEntry WHERE PrivateNote = 'x'", "4001"],
    ["SELECT * FROM Account WHERE Active = 'yes'", "4001"],
  ])("refuses %s", async (statement, code) => {
    const company = newCompany();
    expect(fault(await query(company, statement))).toMatchObject({ status: 400, code });
  });
});

describe("company reads", () => {
  it("serves CompanyInfo and Preferences with currency settings", async () => {
    const company = newCompany({ companyName: "Corner Cafe", homeCurrency: "CAD", multiCurrencyEnabled: true });
    const info = await call(company, "GET", `companyinfo/${company.realmId}?minorversion=75`);
    expect(info.json).toMatchObject({ CompanyInfo: { CompanyName: "Corner Cafe" } });
    const preferences = await call(company, "GET", "preferences?minorversion=75");
    expect(preferences.json).toMatchObject({ Preferences: { CurrencyPrefs: { HomeCurrency: { value: "CAD" }, MultiCurrencyEnabled: true } } });
    expect(fault(await post(company, entry(balanced())))).toMatchObject({ code: "2020", element: "CurrencyRef" });
    expect((await post(company, entry(balanced(), { CurrencyRef: { value: "CAD" } }))).status).toBe(200);
  });
});

describe("authentication of API calls", () => {
  it("answers 401 with code 3200 for a missing, expired, revoked or other company's token", async () => {
    const company = newCompany();
    const other = newCompany();
    expect(fault(await call(company, "GET", "preferences", { token: null }))).toMatchObject({ status: 401, code: "3200" });
    expect(fault(await call(company, "GET", "preferences", { token: other.token }))).toMatchObject({ status: 401, code: "3200" });
    expect(fault(await call(company, "GET", "preferences", { token: "made-up" }))).toMatchObject({ status: 401, code: "3200" });

    const expiring = newCompany();
    expect((await call(expiring, "GET", "preferences")).status).toBe(200);
    qbo.advanceTime(3599_000);
    expect((await call(expiring, "GET", "preferences")).status).toBe(200);
    qbo.advanceTime(1_000);
    expect(fault(await call(expiring, "GET", "preferences"))).toMatchObject({ status: 401, code: "3200" });

    const revoked = newCompany();
    qbo.revokeAll(revoked.realmId);
    expect(fault(await call(revoked, "GET", "preferences"))).toMatchObject({ status: 401, code: "3200" });
  });

  it("can answer 401 in the lower-case wrapped shape, or alternate", async () => {
    const company = newCompany();
    qbo.setAuthFaultStyle("lower-case");
    const lower = await call(company, "GET", "preferences", { token: "made-up" });
    expect(lower.status).toBe(401);
    expect(lower.json).toMatchObject({ fault: { error: [{ code: "3200", message: expect.stringContaining("errorCode=003200") as string }], type: "AUTHENTICATION" } });
    expect(lower.json).not.toHaveProperty("Fault");

    qbo.setAuthFaultStyle("alternate");
    const shapes = [];
    for (let i = 0; i < 4; i++) shapes.push(Object.keys((await call(company, "GET", "preferences", { token: "made-up" })).json as object).includes("Fault"));
    expect(new Set(shapes)).toEqual(new Set([true, false]));
    qbo.setAuthFaultStyle("standard");
  });
});

describe("intuit_tid", () => {
  it("is on every response, errors and injected faults included", async () => {
    const company = newCompany();
    qbo.injectFaults({ match: { kind: "api", path: "/preferences" }, fault: { kind: "429", retryAfterSeconds: 3 } });
    const responses = [
      await fetch(`${qbo.url}/v3/company/${company.realmId}/preferences`, { headers: { Authorization: `Bearer ${company.token}` } }),
      await fetch(`${qbo.url}/v3/company/${company.realmId}/preferences`, { headers: { Authorization: `Bearer ${company.token}` } }),
      await fetch(`${qbo.url}/v3/company/${company.realmId}/preferences`),
      await fetch(`${qbo.url}/v3/company/${company.realmId}/query?query=nonsense`, { headers: { Authorization: `Bearer ${company.token}` } }),
      await fetch(`${qbo.url}/oauth2/v1/tokens/bearer`, { method: "POST" }),
      await fetch(`${qbo.url}/connect/oauth2`),
      await fetch(`${qbo.url}/no/such/path`),
    ];
    expect(responses.map((response) => response.status)).toEqual([429, 200, 401, 400, 401, 400, 404]);
    const tids = responses.map((response) => response.headers.get("intuit_tid"));
    for (const tid of tids) expect(tid).toMatch(/^1-[0-9a-f]{24}$/);
    expect(new Set(tids).size).toBe(tids.length);
    expect(responses[0]?.headers.get("retry-after")).toBe("3");
    expect(await responses[0]?.json()).toMatchObject({ Fault: { Error: [{ code: "003001" }] } });
  });
});

describe("injected faults", () => {
  it("truncates a body after performing the request, and drops a connection after a commit", async () => {
    const company = newCompany();
    qbo.injectFaults({ match: "api", fault: { kind: "truncated" } });
    const truncated = await fetch(`${qbo.url}/v3/company/${company.realmId}/journalentry?requestid=t1`, {
      method: "POST",
      headers: { Authorization: `Bearer ${company.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(entry(balanced())),
    });
    expect(truncated.status).toBe(200);
    await expect(truncated.text()).rejects.toThrow();
    expect(qbo.journalEntries(company.realmId)).toHaveLength(1);

    qbo.injectFaults({ match: { method: "POST", path: "/journalentry" }, fault: { kind: "drop-after-commit" } });
    await expect(post(company, entry(balanced()), "requestid=t2")).rejects.toThrow();
    expect(qbo.journalEntries(company.realmId)).toHaveLength(2);
    expect((await post(company, entry(balanced()), "requestid=t2")).status).toBe(200);
    expect(qbo.journalEntries(company.realmId)).toHaveLength(2);
  });

  it("answers 503 with an HTML page and 500 with a SystemFault, performing nothing", async () => {
    const company = newCompany();
    qbo.injectFaults({ match: "api", fault: { kind: "503" } }, { match: "api", fault: { kind: "500" } });
    const unavailable = await post(company, entry(balanced()));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("content-type")).toMatch(/text\/html/);
    expect(fault(await post(company, entry(balanced())))).toMatchObject({ status: 500, code: "10000" });
    expect(qbo.journalEntries(company.realmId)).toEqual([]);
    expect((await post(company, entry(balanced()))).status).toBe(200);
  });

  it("picks requests with a seeded probability, the same way on every run", async () => {
    const pattern = async () => {
      const sim = await startQuickBooksSimulator({ seed: 42 });
      try {
        sim.addCompany({ realmId: "1", companyName: "Seeded" });
        const token = sim.issueTokens("1").access_token;
        sim.injectFaults({ match: "api", fault: { kind: "500" }, probability: 0.5 });
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await fetch(`${sim.url}/v3/company/1/preferences`, { headers: { Authorization: `Bearer ${token}` } })).status);
        return statuses;
      } finally {
        await sim.close();
      }
    };
    const first = await pattern();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });
});

describe("OAuth endpoints", () => {
  const basic = (id = qbo.clientId, secret = qbo.clientSecret) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

  async function tokenCall(form: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(qbo.endpoints.token, {
      method: "POST",
      headers: { Authorization: basic(), "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const refresh = (refreshToken: string) => tokenCall({ grant_type: "refresh_token", refresh_token: refreshToken });

  it("runs the authorization code flow: page, approve, redirect, exchange", async () => {
    const company = newCompany({ companyName: "Flow Cafe" });
    const redirectUri = "http://localhost:3000/callback";
    const page = await fetch(`${qbo.endpoints.authorize}?client_id=${qbo.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=com.intuit.quickbooks.accounting&state=s1`);
    const html = await page.text();
    expect(html).toContain("Approve");
    expect(html).toContain("Flow Cafe");

    const decide = (decision: string) =>
      fetch(`${qbo.url}/connect/oauth2/decision`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: qbo.clientId, redirect_uri: redirectUri, scope: "com.intuit.quickbooks.accounting", state: "s1", realmId: company.realmId, decision }).toString(),
      });
    const denied = new URL((await decide("deny")).headers.get("location") ?? "");
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: "access_denied", state: "s1" });

    const approved = new URL((await decide("approve")).headers.get("location") ?? "");
    expect(approved.origin + approved.pathname).toBe(redirectUri);
    expect(approved.searchParams.get("state")).toBe("s1");
    expect(approved.searchParams.get("realmId")).toBe(company.realmId);
    const code = approved.searchParams.get("code") ?? "";

    const exchanged = await tokenCall({ grant_type: "authorization_code", code, redirect_uri: redirectUri }, { "x-include-refresh-token-hard-expires-in": "true" });
    expect(exchanged.status).toBe(200);
    expect(exchanged.json).toMatchObject({ token_type: "bearer", expires_in: 3600, x_refresh_token_expires_in: 8_640_000 });
    expect(exchanged.json.x_refresh_token_hard_expires_in).toBeGreaterThan(8_640_000);
    const accessToken = String(exchanged.json.access_token);
    expect((await call({ realmId: company.realmId, token: accessToken }, "GET", "preferences")).status).toBe(200);

    expect((await tokenCall({ grant_type: "authorization_code", code, redirect_uri: redirectUri })).json).toEqual({ error: "invalid_grant" });
  });

  it("refuses unregistered redirect URIs, and creates a company on approval when there is none", async () => {
    const sim = await startQuickBooksSimulator({ redirectUris: ["http://localhost:3000/callback"] });
    try {
      const params = (redirectUri: string) => new URLSearchParams({ client_id: sim.clientId, redirect_uri: redirectUri, scope: "com.intuit.quickbooks.accounting", state: "s", response_type: "code" });
      expect((await fetch(`${sim.endpoints.authorize}?${params("http://elsewhere.example/cb").toString()}`)).status).toBe(400);
      expect((await fetch(`${sim.endpoints.authorize}?${params("http://localhost:3000/callback").toString()}`)).status).toBe(200);

      const form = params("http://localhost:3000/callback");
      form.set("decision", "approve");
      const approved = await fetch(`${sim.url}/connect/oauth2/decision`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString() });
      const realmId = new URL(approved.headers.get("location") ?? "").searchParams.get("realmId") ?? "";
      expect(realmId).toMatch(/^9130\d{12}$/);
      expect(sim.journalEntries(realmId)).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it("refuses a wrong client secret, an unknown refresh token and an unknown grant type", async () => {
    const company = newCompany();
    const { refresh_token } = qbo.issueTokens(company.realmId);
    expect(await tokenCall({ grant_type: "refresh_token", refresh_token }, { Authorization: basic(qbo.clientId, "wrong") })).toEqual({ status: 401, json: { error: "invalid_client" } });
    expect(await refresh("AB11-made-up")).toEqual({ status: 400, json: { error: "invalid_grant" } });
    expect((await tokenCall({ grant_type: "password" })).json).toEqual({ error: "unsupported_grant_type" });
  });

  it("rotates refresh tokens; a replaced one works for 24 h of simulated time, then invalid_grant", async () => {
    const company = newCompany();
    const first = qbo.issueTokens(company.realmId);
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(second.json).not.toHaveProperty("x_refresh_token_hard_expires_in");

    qbo.advanceTime(23 * 3600_000);
    const stillGood = await refresh(first.refresh_token);
    expect(stillGood.status).toBe(200);

    qbo.advanceTime(3600_000);
    expect(await refresh(first.refresh_token)).toEqual({ status: 400, json: { error: "invalid_grant" } });
    const latest = await refresh(String(stillGood.json.refresh_token));
    expect(latest.status).toBe(200);
    expect((await call({ realmId: company.realmId, token: String(latest.json.access_token) }, "GET", "preferences")).status).toBe(200);
  });

  it("revoking any token of a grant kills its access and refresh tokens", async () => {
    const company = newCompany();
    const tokens = qbo.issueTokens(company.realmId);
    const other = qbo.issueTokens(company.realmId);
    const revoke = (token: string, authorization = basic()) =>
      fetch(qbo.endpoints.revoke, { method: "POST", headers: { Authorization: authorization, "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ token }) });

    expect((await revoke(tokens.refresh_token, basic(qbo.clientId, "wrong"))).status).toBe(401);
    expect((await revoke(tokens.refresh_token)).status).toBe(200);
    expect(await refresh(tokens.refresh_token)).toEqual({ status: 400, json: { error: "invalid_grant" } });
    expect(fault(await call({ realmId: company.realmId, token: tokens.access_token }, "GET", "preferences"))).toMatchObject({ status: 401, code: "3200" });
    // Another grant of the same company is untouched.
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });
});
