/**
 * QuickBooks' error bodies, read in either letter case (`Fault`/`fault`, `Error`/`error`, …; qbo.md
 * §5.3), what each means for daybook (a FailureKind), and the sentence a merchant or accountant reads.
 */
import type { FailureKind } from "../model";
import { formatDay } from "../report/format";
import * as z from "zod/mini";

export interface Fault {
  type?: string;
  /** Leading zeros dropped: "003001" → "3001". */
  code?: string;
  message?: string;
  detail?: string;
  element?: string;
}

const text = z.optional(z.nullable(z.string()));

const faultEnvelope = z.object({
  fault: z.object({
    type: text,
    error: z.array(z.object({ message: text, detail: text, code: z.optional(z.nullable(z.union([z.string(), z.number()]))), element: text })),
  }),
});

/** An OAuth-style error body: {"error":"invalid_grant"}. */
const oauthError = z.object({ error: z.string(), error_description: z.optional(z.string()) });

function lowerCaseKeys(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => lowerCaseKeys(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toLowerCase(), lowerCaseKeys(item, depth + 1)]));
}

const orUndefined = (value: string | null | undefined) => value ?? undefined;

function normaliseCode(code: string | number | null | undefined, message: string | undefined): string | undefined {
  const raw = code ?? /errorCode=(\d+)/.exec(message ?? "")?.[1];
  if (raw === undefined) return undefined;
  return String(raw).replace(/^0+(?=\d)/, "");
}

/** The first error of a Fault body, or an OAuth error, whatever the letter case; undefined for anything else. */
export function parseFault(body: unknown): Fault | undefined {
  const lowered = lowerCaseKeys(body);
  const envelope = faultEnvelope.safeParse(lowered);
  if (envelope.success) {
    const { type, error } = envelope.data.fault;
    const first = error[0];
    const message = orUndefined(first?.message);
    const fault: Fault = { type: orUndefined(type), code: normaliseCode(first?.code, message), message, detail: orUndefined(first?.detail), element: orUndefined(first?.element) };
    return Object.fromEntries(Object.entries(fault).filter(([, value]) => value !== undefined));
  }
  const oauth = oauthError.safeParse(lowered);
  if (oauth.success) return { code: oauth.data.error, ...(oauth.data.error_description ? { detail: oauth.data.error_description } : {}) };
  return undefined;
}

const RECONNECT_CODES = new Set(["3200", "3100", "120", "invalid_grant"]);
const CLOSED_BOOKS_CODES = new Set(["6210", "6200"]);
const ACCOUNT_CODES = new Set(["2500", "610"]);
const THROTTLE_CODE = "3001";

/**
 * What a failed answer means for daybook, after the client has already refreshed once on a 401:
 * - the connection is gone (3200, 3100, 120, invalid_grant, or 401/403): "needs-reconnect";
 * - the merchant must act in QuickBooks (closed books 6210/6200, lapsed subscription 6190, inactive or
 *   missing account 2500/610, a DocNumber another transaction uses 6140): "needs-merchant";
 * - QuickBooks is busy or broken (429/003001, 5xx): "retryable";
 * - anything else (other validation faults): daybook sent something wrong, "bug".
 */
export function classifyFault(status: number, code: string | undefined): FailureKind {
  if ((code !== undefined && RECONNECT_CODES.has(code)) || status === 401 || status === 403) return "needs-reconnect";
  if (code !== undefined && (CLOSED_BOOKS_CODES.has(code) || ACCOUNT_CODES.has(code) || code === "6190" || code === "6140")) return "needs-merchant";
  if (status === 429 || code === THROTTLE_CODE || status >= 500) return "retryable";
  return "bug";
}

/** What the failed request was doing, for the message. */
export interface RequestContext {
  /** e.g. "post journal entry DB250314-7K2QXM" */
  action: string;
  txnDate?: string;
  docNumber?: string;
}

const shorten = (value: string, max = 300) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** A sentence for the merchant or accountant, ending with the intuit_tid Intuit support asks for. */
export function describeFault(kind: FailureKind, status: number, fault: Fault | undefined, context: RequestContext, intuitTid: string | undefined): string {
  const code = fault?.code;
  const detail = fault?.detail ? shorten(fault.detail) : undefined;
  const reference = code ? `error ${code}` : `HTTP ${status}`;
  const tid = intuitTid ? ` [intuit_tid ${intuitTid}]` : "";
  let sentence: string;
  if (kind === "needs-merchant" && code !== undefined && CLOSED_BOOKS_CODES.has(code)) {
    sentence = `QuickBooks refused the entry because the books are closed for ${context.txnDate === undefined ? "its date" : formatDay(context.txnDate)} (${reference}). Ask your accountant to reopen that period, or post the entry on a later date.`;
  } else if (kind === "needs-merchant" && code === "6190") {
    sentence = `QuickBooks refused the entry because the company's QuickBooks subscription has ended, was cancelled or has a billing problem (${reference}): it must be active again before daybook can post.`;
  } else if (kind === "needs-merchant" && code === "6140") {
    sentence = `QuickBooks refused the entry because another transaction already uses the number ${context.docNumber ?? "daybook chose"} (${reference}). Renumber that transaction in QuickBooks, or turn off the warning about duplicate journal numbers.`;
  } else if (kind === "needs-merchant") {
    sentence = `QuickBooks refused the entry because an account it uses is inactive or no longer exists (${reference}${detail ? `: ${detail}` : ""}). Make the account active again in QuickBooks, or map another account in daybook.`;
  } else if (kind === "needs-reconnect") {
    sentence = `QuickBooks no longer accepts daybook's connection (${reference}). Reconnect QuickBooks in daybook.`;
  } else if (kind === "retryable") {
    sentence = `QuickBooks could not ${context.action} (${reference}); daybook will try again later.`;
  } else {
    sentence = `QuickBooks rejected the request to ${context.action} (HTTP ${status}${code ? `, error ${code}` : ""}${detail ? `: ${detail}` : ""}).`;
  }
  return sentence + tid;
}
