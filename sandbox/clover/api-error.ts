/**
 * The Clover simulator's errors, in the `{ message, details }` shape Clover's REST v3 answers with
 * (reference/clover.md §4), e.g. `{"message":"Not Found","details":"Order not found"}`.
 */

export interface CloverErrorBody {
  message: string;
  details?: string;
}

export type CloverErrorStatus = 400 | 401 | 404 | 429 | 500 | 503;

export class CloverApiError extends Error {
  override name = "CloverApiError";

  constructor(
    readonly status: CloverErrorStatus,
    message: string,
    readonly details?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): CloverErrorBody {
    return { message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export const badRequest = (details: string, headers: Record<string, string> = {}): CloverApiError =>
  new CloverApiError(400, "Bad Request", details, headers);

export const unauthorized = (details: string): CloverApiError => new CloverApiError(401, "401 Unauthorized", details);

export const notFound = (details: string): CloverApiError => new CloverApiError(404, "Not Found", details);
