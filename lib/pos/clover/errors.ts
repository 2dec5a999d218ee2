import type { FailureKind } from "../../model";

/** Clover data daybook cannot read: a malformed body, or figures in another currency. */
export class CloverDataError extends Error {
  override name = "CloverDataError";
}

/**
 * A call to Clover that failed, with what the sync should do about it (`kind`): retry later, ask the
 * merchant to reconnect Clover, ask the merchant to fix something in Clover, or look for a bug. The
 * message names the operation, never a token.
 */
export class CloverRequestError extends Error {
  override name = "CloverRequestError";

  constructor(
    message: string,
    readonly kind: FailureKind,
    /** Clover's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}
