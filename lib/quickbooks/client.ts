/**
 * The QuickBooks Accounting API client, on fetch (intuit-oauth is for OAuth only; qbo.md §1.8).
 *
 * Every call sends minorversion=75. A create carries the caller's requestid, the same on every retry,
 * so QuickBooks replays rather than repeats a create whose answer was lost. One attempt:
 * - 401: refresh the access token once and try again; a second 401, refusing a token just issued, fails
 *   as "retryable" (only the token endpoint's invalid_grant says the connection is gone: a spurious
 *   401 must not disconnect a merchant, and a revoked one meets invalid_grant at the next refresh);
 * - 429, 5xx, a timeout, a network error, or a 2xx body that cannot be read: wait (Retry-After when
 *   sent, else backoff with jitter) and try again, up to maxAttempts, then fail as "retryable";
 * - any other fault: fail at once, classified by lib/quickbooks/faults.ts.
 * Errors carry intuit_tid and never the access token.
 */
import { randomUUID } from "node:crypto";
import type { JournalEntryBody } from "../domain/journal-entry";
import { backoffDelayMs, sleep as realSleep } from "../http/backoff";
import * as z from "zod/mini";
import type { Fault, RequestContext } from "./faults";
import {
  MINOR_VERSION, QuickBooksError, type CreatedJournalEntry, type QuickBooksAccount, type QuickBooksClient, type QuickBooksTokenSource, type QuickBooksTrackingReader,
} from "./types";

export { MINOR_VERSION } from "./types";
export const MAX_REQUEST_ID_LENGTH = 50;
const ACCOUNT_PAGE_SIZE = 1000;

export interface QuickBooksClientOptions {
  /** e.g. https://quickbooks.api.intuit.com, or a simulator's URL. */
  baseUrl: string;
  realmId: string;
  tokens: QuickBooksTokenSource;
  /** Per attempt, body included. Default 30 s. */
  timeoutMs?: number;
  /** Attempts for retryable failures (the retry after a token refresh is extra). Default 4. */
  maxAttempts?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const optionalText = z.optional(z.string());
const journalEntrySchema = z.object({
  Id: z.string(),
  DocNumber: optionalText,
  TxnDate: z.string(),
  PrivateNote: optionalText,
});

const createResponse = z.object({ JournalEntry: journalEntrySchema });

const journalEntryQueryResponse = z.object({ QueryResponse: z.object({ JournalEntry: z.optional(z.array(journalEntrySchema)) }) });

/** An account to add to the chart (the one write besides a journal entry; see createAccount). */
export interface NewAccount {
  /** 1 to 100 characters, no double quote or colon (qbo.md §4.1). */
  name: string;
  /** e.g. "Other Current Liability" */
  accountType: string;
  /** e.g. "SalesTaxPayable"; must belong to accountType. */
  accountSubType?: string;
  /** Sent as requestid, the same on every retry; a fresh random one when left out. */
  requestId?: string;
}

/** Creating accounts: only the mapping page's "create the missing accounts" asks for it. */
export interface QuickBooksAccountCreator {
  /**
   * POST account?minorversion=75&requestid=…; retries with the same requestid. Never updates: a name
   * already in use is QuickBooks' fault 6240 (a QuickBooksError with details.code "6240").
   */
  createAccount(account: NewAccount): Promise<QuickBooksAccount>;
}

type JournalEntryResource = z.infer<typeof journalEntrySchema>;

function createdEntry(resource: JournalEntryResource, fallbackDocNumber = ""): CreatedJournalEntry {
  return {
    id: resource.Id,
    docNumber: resource.DocNumber ?? fallbackDocNumber,
    txnDate: resource.TxnDate,
    ...(resource.PrivateNote !== undefined ? { privateNote: resource.PrivateNote } : {}),
  };
}

/** A string literal in QuickBooks' query language: quotes and backslashes escaped with a backslash. */
function queryString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

export interface Call {
  method: "GET" | "POST";
  /** After /v3/company/{realmId}/ */
  path: string;
  params?: Record<string, string>;
  body?: string;
  context: RequestContext;
}

/**
 * The client's calls, for the readers it loads on the calls that need them (chart-of-accounts.ts,
 * company-settings.ts, tracking.ts): a night's posting uses none of their response schemas.
 */
export interface QuickBooksRequests {
  /** One call, with the client's token refresh, retries and fault handling; its answer checked by `schema`. */
  send<T>(call: Call, schema: z.ZodMiniType<T>): Promise<T>;
  /** GET query?query=… */
  query<T>(statement: string, schema: z.ZodMiniType<T>, context: RequestContext): Promise<T>;
  /** Every active record of a name list (Account, Department, Class), page by page: `read` runs each page's statement. */
  activeRecords<T>(entity: string, read: (statement: string) => Promise<T[]>): Promise<T[]>;
}

/**
 * Whether a body can be one of QuickBooks' error bodies: faults.ts's parseFault finds one only under
 * a top-level `fault` or `error` key, in any letter case. Any other body (a 2xx answer) is not a fault
 * without loading faults.ts.
 */
export function mayHoldFault(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  return Object.keys(body).some((key) => {
    const lower = key.toLowerCase();
    return lower === "fault" || lower === "error";
  });
}

/** One attempt's outcome. */
type Attempt =
  | { outcome: "answer"; json: unknown; intuitTid?: string }
  | { outcome: "fault"; status: number; fault?: Fault; intuitTid?: string; retryAfter: string | null }
  | { outcome: "no-answer"; problem: string; intuitTid?: string };

function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
  return code ? `network error ${code}` : "network error";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createQuickBooksClient(options: QuickBooksClientOptions): QuickBooksClient & QuickBooksAccountCreator & QuickBooksTrackingReader {
  const { realmId, tokens } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const companyUrl = `${options.baseUrl.replace(/\/+$/, "")}/v3/company/${encodeURIComponent(realmId)}/`;
  /** Every token used so far: scrubbed from anything QuickBooks echoes back into an error. */
  const tokensSeen = new Set<string>();

  const redact = (value: string): string => {
    let safe = value;
    for (const token of tokensSeen) safe = safe.replaceAll(token, "[redacted]");
    return safe;
  };

  const error = (kind: QuickBooksError["kind"], message: string, details: QuickBooksError["details"]): QuickBooksError => {
    const safeDetails = { ...details, ...(details.detail !== undefined ? { detail: redact(details.detail) } : {}) };
    return new QuickBooksError(redact(message), kind, safeDetails);
  };

  async function attempt(call: Call, url: string, accessToken: string): Promise<Attempt> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: call.method,
        headers: {
          Authorization: `Bearer ${accessToken}`,
          Accept: "application/json",
          ...(call.body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        ...(call.body !== undefined ? { body: call.body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (failure) {
      return { outcome: "no-answer", problem: networkProblem(failure, timeoutMs) };
    }
    const intuitTid = response.headers.get("intuit_tid") ?? undefined;
    const tid = intuitTid ? { intuitTid } : {};
    let text: string;
    try {
      text = await response.text();
    } catch (failure) {
      return { outcome: "no-answer", problem: `the response broke off (${networkProblem(failure, timeoutMs)})`, ...tid };
    }
    const json = parseJson(text);
    // faults.ts loads with the first answer that may be a fault: a night whose calls all succeed needs none of it.
    const fault = json !== undefined && mayHoldFault(json) ? (await import("./faults")).parseFault(json) : undefined;
    if (response.ok && !fault) {
      if (json === undefined) return { outcome: "no-answer", problem: `HTTP ${response.status} with a body that is not JSON`, ...tid };
      return { outcome: "answer", json, ...tid };
    }
    return { outcome: "fault", status: response.status, ...(fault ? { fault } : {}), ...tid, retryAfter: response.headers.get("Retry-After") };
  }

  async function send<T>(call: Call, schema: z.ZodMiniType<T>): Promise<T> {
    const params = new URLSearchParams({ minorversion: MINOR_VERSION, ...call.params });
    const url = `${companyUrl}${call.path}?${params.toString()}`;
    let accessToken = await tokens.accessToken();
    tokensSeen.add(accessToken);
    let refreshed = false;
    let failures = 0;
    let lastTid: string | undefined;

    for (;;) {
      let result = await attempt(call, url, accessToken);
      lastTid = result.intuitTid ?? lastTid;
      if (result.outcome === "answer") {
        const parsed = schema.safeParse(result.json);
        if (parsed.success) return parsed.data;
        result = { outcome: "no-answer", problem: "a response daybook cannot read" };
      }
      let retryAfter: string | null = null;
      if (result.outcome === "fault") {
        const { status, fault } = result;
        const tid = result.intuitTid;
        if (status === 401 && !refreshed) {
          refreshed = true;
          accessToken = await tokens.refresh();
          tokensSeen.add(accessToken);
          continue;
        }
        const { classifyFault, describeFault } = await import("./faults");
        const kind = status === 401 ? "retryable" : classifyFault(status, fault?.code);
        const details = {
          status, ...(fault?.code ? { code: fault.code } : {}), ...(fault?.detail ? { detail: fault.detail } : {}), ...(fault?.element ? { element: fault.element } : {}),
          ...(tid ? { intuitTid: tid } : {}),
        };
        if (kind !== "retryable") throw error(kind, describeFault(kind, status, fault, call.context, tid), details);
        failures += 1;
        if (failures >= maxAttempts) {
          throw error("retryable", `${describeFault(kind, status, fault, call.context, tid)} (${failures} attempts)`, details);
        }
        retryAfter = result.retryAfter;
      } else {
        failures += 1;
        if (failures >= maxAttempts) {
          const tid = lastTid ? ` [intuit_tid ${lastTid}]` : "";
          throw error("retryable", `QuickBooks could not ${call.context.action}: ${result.problem} (${failures} attempts); daybook will try again later.${tid}`, lastTid ? { intuitTid: lastTid } : {});
        }
      }
      await sleep(backoffDelayMs(failures, retryAfter, { random }));
    }
  }

  const query = <T>(statement: string, schema: z.ZodMiniType<T>, context: RequestContext) =>
    send({ method: "GET", path: "query", params: { query: statement }, context }, schema);

  async function activeRecords<T>(entity: string, read: (statement: string) => Promise<T[]>): Promise<T[]> {
    const records: T[] = [];
    for (let start = 1; ; start += ACCOUNT_PAGE_SIZE) {
      const found = await read(`SELECT * FROM ${entity} WHERE Active = true STARTPOSITION ${start} MAXRESULTS ${ACCOUNT_PAGE_SIZE}`);
      records.push(...found);
      if (found.length < ACCOUNT_PAGE_SIZE) return records;
    }
  }
  const requests: QuickBooksRequests = { send, query, activeRecords };

  return {
    async createJournalEntry(body: JournalEntryBody, requestId: string) {
      if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) {
        throw new QuickBooksError(`A QuickBooks requestid must be 1 to ${MAX_REQUEST_ID_LENGTH} characters; "${requestId}" has ${requestId.length}.`, "bug");
      }
      const context = { action: `post journal entry ${body.DocNumber}`, txnDate: body.TxnDate, docNumber: body.DocNumber };
      const response = await send({ method: "POST", path: "journalentry", params: { requestid: requestId }, body: JSON.stringify(body), context }, createResponse);
      return createdEntry(response.JournalEntry, body.DocNumber);
    },

    async findJournalEntries({ docNumber, txnDate }) {
      if (txnDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(txnDate)) throw new QuickBooksError(`"${txnDate}" is not a date (YYYY-MM-DD).`, "bug");
      const statement = `SELECT * FROM JournalEntry WHERE DocNumber = ${queryString(docNumber)}${txnDate ? ` AND TxnDate = ${queryString(txnDate)}` : ""}`;
      const response = await query(statement, journalEntryQueryResponse, { action: `look for journal entry ${docNumber}`, docNumber });
      return (response.QueryResponse.JournalEntry ?? []).map((resource) => createdEntry(resource));
    },

    async listActiveAccounts() {
      return (await import("./chart-of-accounts")).listActiveAccounts(requests);
    },

    async readTracking() {
      return (await import("./tracking")).readTracking(requests);
    },

    async createAccount({ requestId = randomUUID(), ...account }: NewAccount) {
      if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) {
        throw new QuickBooksError(`A QuickBooks requestid must be 1 to ${MAX_REQUEST_ID_LENGTH} characters; "${requestId}" has ${requestId.length}.`, "bug");
      }
      return (await import("./chart-of-accounts")).createAccount(requests, account, requestId);
    },

    async getCompanySettings() {
      return (await import("./company-settings")).readCompanySettings(requests, realmId);
    },
  };
}
