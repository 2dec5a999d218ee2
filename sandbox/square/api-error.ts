/**
 * The Square simulator's errors, in the two shapes Square answers with: `{ errors: [...] }` on every v2
 * endpoint, and the legacy `{ message, type }` some OAuth failures still use (reference/square.md §1.7).
 */

export type ErrorCategory =
  | "API_ERROR"
  | "AUTHENTICATION_ERROR"
  | "INVALID_REQUEST_ERROR"
  | "RATE_LIMIT_ERROR";

export interface SquareErrorBody {
  errors: { category: ErrorCategory; code: string; detail: string; field?: string }[];
}

export class SquareApiError extends Error {
  override name = "SquareApiError";

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 429 | 500 | 503,
    readonly category: ErrorCategory,
    readonly code: string,
    detail: string,
    readonly field?: string,
  ) {
    super(detail);
  }

  body(): SquareErrorBody {
    return { errors: [{ category: this.category, code: this.code, detail: this.message, ...(this.field ? { field: this.field } : {}) }] };
  }
}

/** `{ message, type }`: what Square's OAuth endpoints return for a bad grant or bad client credentials. */
export class LegacyOAuthError extends Error {
  override name = "LegacyOAuthError";

  constructor(
    readonly status: 400 | 401,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  body(): { message: string; type: string } {
    return { message: this.message, type: this.type };
  }
}

export const invalidRequest = (code: string, detail: string, field?: string): SquareApiError =>
  new SquareApiError(400, "INVALID_REQUEST_ERROR", code, detail, field);

export const unauthorized = (detail: string, code = "UNAUTHORIZED"): SquareApiError =>
  new SquareApiError(401, "AUTHENTICATION_ERROR", code, detail);

export const notFound = (detail: string): SquareApiError => new SquareApiError(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", detail);
