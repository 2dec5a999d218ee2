/**
 * The API's errors: always JSON, `{ "error": { "code": "not_found", "message": "…" } }`, a stable
 * code for programs and a sentence for people; never HTML, never a stack trace.
 */
import type { Context } from "hono";
import type { ApiErrorCode } from "./schemas";

export const API_PREFIX = "/api/v1";

export function isApiPath(path: string): boolean {
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
}

export type ApiErrorStatus = 400 | 401 | 404 | 405 | 413 | 429 | 500;

export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: ApiErrorStatus, readonly code: ApiErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function apiErrorBody(code: ApiErrorCode, message: string): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code, message } };
}

export const NOT_FOUND_MESSAGE = "There is nothing here, or the API key cannot see it.";

/** Any error as the API's JSON: its own errors as they are, anything else a plain 500 (logged, never shown). */
export function apiErrorResponse(c: Context, error: unknown, deps: { log: (level: "error", message: string, fields: Record<string, string>) => void }): Response {
  if (error instanceof ApiError) {
    return c.json(apiErrorBody(error.code, error.message), error.status, error.headers);
  }
  deps.log("error", "api request failed", { error: error instanceof Error ? error.name : "unknown" });
  return c.json(apiErrorBody("internal", "daybook could not answer this request. Nothing is wrong with it; try again in a few minutes."), 500);
}
