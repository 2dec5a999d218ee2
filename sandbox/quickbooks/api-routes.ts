/**
 * The Accounting API under /v3/company/{realmId}/: journal entry create and read, account create
 * (accounts.ts), query, CompanyInfo, Preferences, Account, Department and Class reads. Every write other than a journal
 * entry or account create is refused and recorded, which is how tests prove daybook is append-only.
 */
import type { Context, Hono } from "hono";
import { qboTimestamp } from "./clock";
import { createAccount } from "./accounts";
import { accountResource, classResource, companyInfoResource, departmentResource, preferencesResource, type Company } from "./companies";
import { authenticationFaultBody, validationFault } from "./faults";
import { createJournalEntry, journalEntryResponse } from "./journal-entries";
import { runQuery } from "./query";
import { JSON_HEADERS, type SimulatorEnv, type SimulatorState } from "./state";

const PREFIX = "/v3/company/:realmId";
const MAX_REQUEST_ID = 50;

type ApiContext = Context<SimulatorEnv>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "syntax error";
    throw validationFault("2010", "Request has invalid or unsupported property", `The request body is not valid JSON: ${reason}`);
  }
}

/** The path after /v3/company/{realmId}/, lower-cased: "journalentry", "journalentry/5", "query". */
function entityPath(path: string): string {
  const [, , , , ...rest] = path.split("/");
  return rest.join("/").toLowerCase();
}

interface WriteCandidate {
  method: string;
  path: string;
  operation: string | undefined;
  text: () => Promise<string>;
}

/** Describes the write when the request is one daybook must never make; undefined for allowed requests. */
async function forbiddenWrite({ method, path, operation, text }: WriteCandidate): Promise<string | undefined> {
  const entity = entityPath(path);
  if (method === "GET" || method === "HEAD") return undefined;
  if (method === "POST" && entity === "query") return undefined;
  if (method === "POST" && (entity === "journalentry" || entity === "account")) {
    if (operation !== undefined) return `${operation} ${entity}`;
    let body: unknown;
    try {
      body = JSON.parse(await text());
    } catch {
      return undefined; // not an update; the create handler answers the syntax error
    }
    // An update names the object it changes (Id, SyncToken) or is sparse; a create does neither.
    if (typeof body === "object" && body !== null && ("Id" in body || "SyncToken" in body || "sparse" in body)) return `update ${entity}`;
    return undefined;
  }
  return `${method} ${entity}`;
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

function json(c: ApiContext, body: string) {
  return c.body(body, 200, JSON_HEADERS);
}

export function registerApiRoutes(app: Hono<SimulatorEnv>, state: SimulatorState): void {
  const now = () => state.clock.now();
  const time = () => qboTimestamp(now(), true);
  const companyOf = (c: ApiContext): Company => {
    const company = state.companies.get(c.req.param("realmId") ?? "");
    if (!company) throw new Error("the API guard lets through only known companies");
    return company;
  };

  app.use(`${PREFIX}/*`, async (c, next) => {
    const realmId = c.req.param("realmId");
    const write = await forbiddenWrite({ method: c.req.method, path: c.req.path, operation: c.req.query("operation"), text: () => c.req.text() });
    if (write !== undefined) {
      const url = new URL(c.req.url);
      state.forbiddenWrites.push({ method: c.req.method, path: url.pathname + url.search, at: new Date(now()).toISOString() });
      throw validationFault(
        "500",
        "Unsupported Operation",
        `Operation ${write} is not supported: the simulator accepts no write but a journal entry or account create, because daybook only ever appends.`,
      );
    }
    const token = bearerToken(c.req.header("Authorization"));
    const access = token ? state.tokens.checkAccess(token, realmId) : { ok: false as const, reason: "Authorization header missing" };
    if (!access.ok || !state.companies.has(realmId)) {
      const reason = access.ok ? "Unknown company" : access.reason;
      return c.body(authenticationFaultBody(state.nextAuthFaultStyle(), reason, now(), time()), 401, {
        ...JSON_HEADERS,
        "WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"',
      });
    }
    await next();
  });

  /**
   * A create, as QuickBooks answers one: a requestid seen before gets the first answer again, a lapsed
   * subscription refuses every write, and the answer is remembered under its requestid.
   */
  const create = (makeBody: (c: ApiContext, company: Company) => Promise<string>) => async (c: ApiContext) => {
    const company = companyOf(c);
    const requestId = c.req.query("requestid");
    if (requestId !== undefined) {
      if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID) {
        throw validationFault("2130", "Invalid Request Id Format", `requestid must be 1 to ${MAX_REQUEST_ID} characters; this one has ${requestId.length}.`, "requestid");
      }
      const remembered = company.replies.get(requestId);
      if (remembered) {
        c.env.record.replayed = true;
        return json(c, remembered.body);
      }
    }
    if (company.subscriptionLapsed) {
      throw validationFault(
        "6190",
        "Invalid Company Status",
        "Subscription period has ended or canceled or there was a billing problem: you can't add data to QuickBooks Online because the trial or subscription period ended, the subscription was canceled, or there was a billing problem.",
      );
    }
    const body = await makeBody(c, company);
    if (requestId !== undefined) company.replies.set(requestId, { body });
    return json(c, body);
  };

  app.post(`${PREFIX}/journalentry`, create(async (c, company) => {
    const input = parseJson(await c.req.text());
    const include = (c.req.query("include") ?? "").split(",").map((part) => part.trim().toLowerCase());
    return journalEntryResponse(createJournalEntry(company, input, { nowMs: now(), include }), time());
  }));

  app.post(`${PREFIX}/account`, create(async (c, company) => {
    const account = createAccount(company, parseJson(await c.req.text()));
    return JSON.stringify({ Account: accountResource(company, account), time: time() });
  }));

  app.get(`${PREFIX}/journalentry/:id`, (c) => {
    const entry = companyOf(c).journalEntries.find((candidate) => candidate.resource.Id === c.req.param("id"));
    if (!entry) throw objectNotFound("JournalEntry", c.req.param("id"));
    return json(c, journalEntryResponse(entry, time()));
  });

  app.get(`${PREFIX}/account/:id`, (c) => {
    const company = companyOf(c);
    const account = company.accounts.get(c.req.param("id"));
    if (!account) throw objectNotFound("Account", c.req.param("id"));
    return json(c, JSON.stringify({ Account: accountResource(company, account), time: time() }));
  });

  app.get(`${PREFIX}/department/:id`, (c) => {
    const company = companyOf(c);
    const department = company.departments.get(c.req.param("id"));
    if (!department) throw objectNotFound("Department", c.req.param("id"));
    return json(c, JSON.stringify({ Department: departmentResource(company, department), time: time() }));
  });

  app.get(`${PREFIX}/class/:id`, (c) => {
    const company = companyOf(c);
    const found = company.classes.get(c.req.param("id"));
    if (!found) throw objectNotFound("Class", c.req.param("id"));
    return json(c, JSON.stringify({ Class: classResource(company, found), time: time() }));
  });

  app.get(`${PREFIX}/query`, (c) => {
    const query = c.req.query("query");
    if (!query) throw validationFault("4000", "Error parsing query", "QueryParserError: the query parameter is missing or empty");
    return json(c, JSON.stringify({ ...runQuery(companyOf(c), query), time: time() }));
  });

  app.post(`${PREFIX}/query`, async (c) => {
    const contentType = c.req.header("Content-Type") ?? "";
    if (!/^(application\/text|text\/plain)\b/i.test(contentType)) {
      throw validationFault("1050", "Invalid Content Type", `A query sent by POST must be Content-Type application/text, not "${contentType}"`);
    }
    const query = (await c.req.text()).trim();
    if (!query) throw validationFault("4000", "Error parsing query", "QueryParserError: the request body holds no query");
    return json(c, JSON.stringify({ ...runQuery(companyOf(c), query), time: time() }));
  });

  app.get(`${PREFIX}/companyinfo/:id`, (c) => {
    const company = companyOf(c);
    if (c.req.param("id") !== company.realmId) throw objectNotFound("CompanyInfo", c.req.param("id"));
    return json(c, JSON.stringify({ CompanyInfo: companyInfoResource(company), time: time() }));
  });

  app.get(`${PREFIX}/preferences`, (c) => json(c, JSON.stringify({ Preferences: preferencesResource(companyOf(c)), time: time() })));

  app.all(`${PREFIX}/*`, (c) => {
    throw validationFault("2000", "Invalid or unsupported object name", `The simulator does not implement ${c.req.method} ${entityPath(c.req.path)}.`);
  });
}

function objectNotFound(entity: string, id: string) {
  return validationFault("610", "Object Not Found", `Object Not Found : Something you're trying to use has been made inactive or deleted. ${entity} ${id} does not exist.`);
}
