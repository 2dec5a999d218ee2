/**
 * A local QuickBooks Online: the Accounting API daybook uses and Intuit's OAuth endpoints, served on a
 * free loopback port, with a programmatic API for tests to set companies up, move the clock, inject
 * faults and inspect the ledger. The rules it enforces and their sources are in
 * /work/shared/reference/qbo.md; the choices made where that is silent are noted where they apply.
 *
 *   const qbo = await startQuickBooksSimulator();
 *   qbo.addCompany({ realmId: "9130", companyName: "Corner Cafe" });
 *   const tokens = qbo.issueTokens("9130");
 *   // … POST `${qbo.url}/v3/company/9130/journalentry` …
 *   await qbo.close();
 */
import { IncomingMessage, Server, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { serve, type HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { registerApiRoutes } from "./api-routes";
import { qboTimestamp, SimulatorClock } from "./clock";
import { type AccountRecord, type ClassTracking, Company, type CompanyOptions, type PostingType, type SimulatorTag, type TagRecord } from "./companies";
import { prng } from "../random";
import { FaultInjector, injectedFaultResponse, sendTruncated, type FaultRule, type RequestInfo, type RequestKind } from "./fault-injection";
import { faultBody, OAuthProblem, SimulatorFault, systemFaultBody, type AuthFaultStyle } from "./faults";
import { OAUTH_PATHS, registerOAuthRoutes } from "./oauth-routes";
import { JSON_HEADERS, type ForbiddenWrite, type RequestRecord, type SimulatorEnv, type SimulatorState } from "./state";
import { TokenStore, type TokenResponse, type TokenStoreState } from "./tokens";
import type { LedgerState } from "./companies";

export { type AccountRecord, type ClassTracking, DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, type CompanyOptions, type SimulatorAccount, type SimulatorTag } from "./companies";
export type { FaultRule, InjectedFault, RequestInfo, RequestKind, RequestSelector } from "./fault-injection";
export type { ForbiddenWrite, RequestRecord } from "./state";
export { ACCESS_TOKEN_LIFETIME_S, REPLACED_REFRESH_TOKEN_GRACE_MS, type TokenResponse } from "./tokens";

export interface QuickBooksSimulatorOptions {
  /** The app's OAuth client id and secret; defaults "sim-client-id" / "sim-client-secret". */
  clientId?: string;
  clientSecret?: string;
  /** Redirect URIs registered for the app; any http(s) URL is accepted when left out. */
  redirectUris?: string[];
  /** The clock simulated time starts from; Date.now by default. advanceTime() moves ahead of it. */
  now?: () => number;
  /** Seed of the generator behind `probability` fault rules. Default 1. */
  seed?: number;
  /** The 401 body: the documented Fault, the lower-case wrapped variant, or alternating. Default "alternate". */
  authFaultStyle?: AuthFaultStyle | "alternate";
  /** How long a "slow" fault waits by default, ms. Default 400. */
  slowDelayMs?: number;
  /** Every answer (the API's and OAuth's) waits this long first, as Intuit's over the internet would (the benchmarks' stated latency). Default 0. */
  latencyMs?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Called after every request is answered (the local stack saves the state then). */
  afterRequest?: () => void;
}

/** What the local stack saves between runs: OAuth grants and tokens, and each company's books. */
export interface QuickBooksSimulatorState {
  tokens: TokenStoreState;
  companies: Record<string, LedgerState>;
}

export interface IssuedTokens extends TokenResponse {
  realmId: string;
}

export interface AccountTotals {
  /** Integer minor units (cents for USD). */
  debit: number;
  credit: number;
}

export interface QuickBooksSimulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The URLs to point intuit-oauth and the API client at (qbo.md §1.7). */
  readonly endpoints: { authorize: string; token: string; revoke: string; apiBase: string };
  close(): Promise<void>;

  /** Simulated time, ms since the epoch. */
  now(): number;
  advanceTime(ms: number): void;

  addCompany(options: CompanyOptions): void;
  setAccountActive(realmId: string, accountId: string, active: boolean): void;
  /** Renames an account, as the merchant may in QuickBooks' chart of accounts (its Id stays). */
  renameAccount(realmId: string, accountId: string, name: string): void;
  /** Turns Location (Department) tracking and class tracking on or off, as Account and Settings does. */
  setTracking(realmId: string, tracking: { departments?: boolean; classes?: ClassTracking }): void;
  /** Adds a Location (Department) or a Class to the company's lists, as the merchant may in QuickBooks. */
  addDepartment(realmId: string, department: SimulatorTag): void;
  addClass(realmId: string, trackingClass: SimulatorTag): void;
  setDepartmentActive(realmId: string, departmentId: string, active: boolean): void;
  setClassActive(realmId: string, classId: string, active: boolean): void;
  setClosingDate(realmId: string, date: string | null): void;
  setSubscriptionLapsed(realmId: string, lapsed: boolean): void;
  /** Switches multicurrency on, as the company's owner can at any time (it can never be switched off). */
  enableMultiCurrency(realmId: string): void;
  setWarnDuplicateJournalNumber(realmId: string, warn: boolean): void;

  /** A fresh grant for the realm, as if its owner had approved the app in the browser. */
  issueTokens(realmId: string): IssuedTokens;
  expireAccessTokens(realmId: string): void;
  /** Revokes every grant of the realm, as a disconnect inside QuickBooks does. */
  revokeAll(realmId: string): void;
  setAuthFaultStyle(style: AuthFaultStyle | "alternate"): void;

  injectFaults(...rules: FaultRule[]): void;
  clearFaults(): void;

  /** The journal entries posted to the realm, as QuickBooks returns them. */
  journalEntries(realmId: string): Record<string, unknown>[];
  /** The realm's chart of accounts, inactive accounts included, in the order they were added. */
  accounts(realmId: string): AccountRecord[];
  /** The realm's Locations (Departments) and Classes, inactive ones included. */
  departments(realmId: string): TagRecord[];
  classes(realmId: string): TagRecord[];
  /** Debits and credits per account id, in integer minor units, over every entry posted. */
  accountTotals(realmId: string): Map<string, AccountTotals>;
  forbiddenWrites(): ForbiddenWrite[];
  requestLog(): RequestRecord[];
  /** How many requests of each kind arrived (faulted ones included). */
  requestCounts(): Record<RequestKind, number>;

  /** The OAuth grants and the companies' books, to be saved and given back to importState() by a later run. */
  exportState(): QuickBooksSimulatorState;
  /** Restores saved state; every company in it must have been added already. */
  importState(state: { tokens: unknown; companies: Record<string, unknown> }): void;
}

function addTag(list: Map<string, TagRecord>, tag: SimulatorTag, what: string): void {
  if (list.has(tag.Id)) throw new Error(`${what} id ${tag.Id} exists already`);
  list.set(tag.Id, { ...tag });
}

function describeRequest(method: string, path: string): RequestInfo {
  const api = /^\/v3\/company\/([^/]+)\//.exec(path);
  if (api?.[1]) return { method, path, kind: "api", realmId: api[1] };
  const kinds: [string, RequestKind][] = [
    [OAUTH_PATHS.token, "token"],
    [OAUTH_PATHS.revoke, "revoke"],
    [OAUTH_PATHS.authorize, "authorize"],
    [OAUTH_PATHS.decision, "authorize"],
  ];
  return { method, path, kind: kinds.find(([prefix]) => path === prefix)?.[1] ?? "other" };
}

/** Cancellable waits, so close() never hangs on a "slow" request. */
class Delays {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve();
    }
    this.#pending.clear();
  }
}

export async function startQuickBooksSimulator(options: QuickBooksSimulatorOptions = {}): Promise<QuickBooksSimulator> {
  const clock = new SimulatorClock(options.now);
  const companies = new Map<string, Company>();
  const forbiddenWrites: ForbiddenWrite[] = [];
  const log: RequestRecord[] = [];
  const injector = new FaultInjector(prng(options.seed ?? 1));
  const delays = new Delays();
  const slowDelayMs = options.slowDelayMs ?? 400;
  let authFaultStyle = options.authFaultStyle ?? "alternate";
  let unauthorizedCount = 0;

  const addCompany = (companyOptions: CompanyOptions): Company => {
    if (companies.has(companyOptions.realmId)) throw new Error(`Company ${companyOptions.realmId} already exists`);
    const company = new Company(companyOptions, clock.now());
    companies.set(company.realmId, company);
    return company;
  };
  const companyOf = (realmId: string): Company => {
    const company = companies.get(realmId);
    if (!company) throw new Error(`The simulator has no company ${realmId}; call addCompany first`);
    return company;
  };

  const state: SimulatorState = {
    clock,
    companies,
    tokens: new TokenStore(clock),
    clientId: options.clientId ?? "sim-client-id",
    clientSecret: options.clientSecret ?? "sim-client-secret",
    redirectUris: options.redirectUris,
    forbiddenWrites,
    addCompany,
    nextAuthFaultStyle: () => {
      unauthorizedCount += 1;
      if (authFaultStyle !== "alternate") return authFaultStyle;
      return unauthorizedCount % 2 === 1 ? "standard" : "lower-case";
    },
  };

  const app = new Hono<SimulatorEnv>();
  registerOAuthRoutes(app, state);
  registerApiRoutes(app, state);
  app.notFound((c) => c.body(JSON.stringify({ error: "not_found", path: c.req.path }), 404, JSON_HEADERS));
  app.onError((error, c) => {
    const time = qboTimestamp(clock.now(), true);
    if (error instanceof SimulatorFault) return c.body(faultBody(error, time), error.status, JSON_HEADERS);
    if (error instanceof OAuthProblem) return c.body(error.body(), error.status, JSON_HEADERS);
    // Only a bug in the simulator gets here: client mistakes are faults above.
    return c.body(systemFaultBody(time), 500, JSON_HEADERS);
  });

  /** Wraps the Hono app: request log, intuit_tid on every response, and the injected faults. */
  async function handle(request: Request, env: HttpBindings): Promise<Response> {
    const url = new URL(request.url);
    const info = describeRequest(request.method, url.pathname);
    const record: RequestRecord = { at: new Date(clock.now()).toISOString(), method: info.method, path: url.pathname, search: url.search, kind: info.kind, replayed: false };
    if (info.realmId !== undefined) record.realmId = info.realmId;
    const requestId = url.searchParams.get("requestid");
    if (requestId !== null) record.requestId = requestId;
    log.push(record);
    const intuitTid = `1-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    const withTid = (response: Response): Response => {
      const copy = new Response(response.body, response);
      copy.headers.set("intuit_tid", intuitTid);
      record.status = response.status;
      return copy;
    };

    // Read the body now, so a "slow" request can still be performed after the client has given up.
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const buffered = new Request(request.url, { method: request.method, headers: request.headers, ...(hasBody ? { body: await request.arrayBuffer() } : {}) });

    if (options.latencyMs) await delays.wait(options.latencyMs);
    const fault = injector.take(info);
    if (fault) record.fault = fault.kind;
    const injected = fault && injectedFaultResponse(fault, info.kind, { authFaultStyle: () => state.nextAuthFaultStyle(), nowMs: clock.now() });
    if (injected) return withTid(injected);
    if (fault?.kind === "slow") await delays.wait(fault.delayMs ?? slowDelayMs);

    const response = withTid(await app.fetch(buffered, { ...env, record }));
    options.afterRequest?.();
    if (fault?.kind === "drop-after-commit") {
      record.status = undefined;
      env.incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    if (fault?.kind === "truncated") {
      await sendTruncated(response, env.outgoing);
      return RESPONSE_ALREADY_SENT;
    }
    return response;
  }

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const started = serve(
      {
        hostname: "127.0.0.1",
        port: options.port ?? 0,
        fetch: (request, env) => {
          const { incoming, outgoing } = env;
          if (!(incoming instanceof IncomingMessage) || !(outgoing instanceof ServerResponse)) throw new Error("The simulator serves HTTP/1.1 only");
          return handle(request, { incoming, outgoing });
        },
      },
      (info) => {
        if (started instanceof Server) {
          // As the other simulators: idle kept-alive sockets stay a minute, so a reused one is not closed under a request.
          started.keepAliveTimeout = 60_000;
          resolve({ server: started, port: info.port });
        }
        else reject(new Error("The simulator expected an HTTP/1.1 server"));
      },
    );
    started.once("error", reject);
  });

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    endpoints: {
      authorize: url + OAUTH_PATHS.authorize,
      token: url + OAUTH_PATHS.token,
      revoke: url + OAUTH_PATHS.revoke,
      apiBase: url,
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        delays.cancelAll();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),

    now: () => clock.now(),
    advanceTime: (ms) => {
      clock.advance(ms);
    },

    addCompany: (companyOptions) => {
      addCompany(companyOptions);
    },
    setAccountActive: (realmId, accountId, active) => {
      companyOf(realmId).account(accountId).Active = active;
    },
    renameAccount: (realmId, accountId, name) => {
      companyOf(realmId).account(accountId).Name = name;
    },
    setTracking: (realmId, tracking) => {
      const company = companyOf(realmId);
      if (tracking.departments !== undefined) company.trackDepartments = tracking.departments;
      if (tracking.classes !== undefined) company.classTracking = tracking.classes;
    },
    addDepartment: (realmId, department) => {
      addTag(companyOf(realmId).departments, department, "Department");
    },
    addClass: (realmId, trackingClass) => {
      addTag(companyOf(realmId).classes, trackingClass, "Class");
    },
    setDepartmentActive: (realmId, departmentId, active) => {
      companyOf(realmId).department(departmentId).Active = active;
    },
    setClassActive: (realmId, classId, active) => {
      companyOf(realmId).trackingClass(classId).Active = active;
    },
    setClosingDate: (realmId, date) => {
      companyOf(realmId).setClosingDate(date);
    },
    enableMultiCurrency: (realmId) => {
      companyOf(realmId).multiCurrencyEnabled = true;
    },
    setSubscriptionLapsed: (realmId, lapsed) => {
      companyOf(realmId).subscriptionLapsed = lapsed;
    },
    setWarnDuplicateJournalNumber: (realmId, warn) => {
      companyOf(realmId).warnDuplicateJournalNumber = warn;
    },

    issueTokens: (realmId) => ({ ...state.tokens.issue(companyOf(realmId).realmId), realmId }),
    expireAccessTokens: (realmId) => {
      state.tokens.expireAccessTokens(realmId);
    },
    revokeAll: (realmId) => {
      state.tokens.revokeRealm(realmId);
    },
    setAuthFaultStyle: (style) => {
      authFaultStyle = style;
    },

    injectFaults: (...rules) => {
      for (const rule of rules) injector.add(rule);
    },
    clearFaults: () => {
      injector.clear();
    },

    journalEntries: (realmId) => companyOf(realmId).journalEntries.map((entry) => structuredClone(entry.resource)),
    accounts: (realmId) => [...companyOf(realmId).accounts.values()].map((account) => ({ ...account })),
    departments: (realmId) => [...companyOf(realmId).departments.values()].map((tag) => ({ ...tag })),
    classes: (realmId) => [...companyOf(realmId).classes.values()].map((tag) => ({ ...tag })),
    accountTotals: (realmId) => {
      const totals = new Map<string, AccountTotals>();
      for (const entry of companyOf(realmId).journalEntries) {
        for (const posting of entry.postings) {
          const total = totals.get(posting.accountId) ?? { debit: 0, credit: 0 };
          const side: Lowercase<PostingType> = posting.postingType === "Debit" ? "debit" : "credit";
          total[side] += posting.minor;
          totals.set(posting.accountId, total);
        }
      }
      return totals;
    },
    exportState: () => ({
      tokens: state.tokens.exportState(),
      companies: Object.fromEntries([...companies].map(([realmId, company]) => [realmId, company.exportLedger()])),
    }),
    importState: (saved) => {
      for (const realmId of Object.keys(saved.companies)) companyOf(realmId);
      state.tokens.importState(saved.tokens);
      for (const [realmId, ledger] of Object.entries(saved.companies)) companyOf(realmId).importLedger(ledger);
    },
    forbiddenWrites: () => forbiddenWrites.map((write) => ({ ...write })),
    requestLog: () => log.map((record) => ({ ...record })),
    requestCounts: () => {
      const counts: Record<RequestKind, number> = { api: 0, token: 0, revoke: 0, authorize: 0, other: 0 };
      for (const record of log) counts[record.kind] += 1;
      return counts;
    },
  };
}
