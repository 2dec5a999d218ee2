import type { FailureKind } from "../../model";

/** Square data daybook cannot read: a malformed body, or figures in another currency. */
export class SquareDataError extends Error {
  override name = "SquareDataError";
}

/**
 * A call to Square that failed, with what the sync should do about it (`kind`): retry later, ask the
 * merchant to reconnect Square, ask the merchant to fix something in Square, or look for a bug. The
 * message names the operation and Square's error code, never a token.
 */
export class SquareRequestError extends Error {
  override name = "SquareRequestError";

  constructor(
    message: string,
    readonly kind: FailureKind,
    /** Square's HTTP status, when it answered. */
    readonly status?: number,
    /** Square's first error code (e.g. ACCESS_TOKEN_EXPIRED), when it sent one. */
    readonly code?: string,
  ) {
    super(message);
  }
}
