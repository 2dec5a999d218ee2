/**
 * A failure's reason as the merchant and the accountant read it (the day's report, the alert, the
 * digest, the history page, the client list): what happened and on whose side, in plain words. The
 * provider's own words (its status, error code, the operation daybook was making) are for the
 * operator: they stay in the failure's `detail`, which the worker logs and no page or email shows.
 *
 * Each sentence claims only what every error of its kind proves (shared/reference): a refused
 * connection is a token the provider no longer takes (Square: revoked or expired, 401 and a refused
 * refresh; Clover: uninstalled, expired or changed, 401/403; QuickBooks: disconnected or expired,
 * 3200/invalid_grant, or without the access it needs, 3100/120), or, for Square's 403, access it does not give; a
 * retryable failure is no answer in time, a busy answer (429) or a failing one (5xx), or (Clover) an
 * order that changed while it was read (lib/pos/clover/order-assembly.ts).
 */
import { PROVIDER_NAMES, type FailureKind, type ProviderName } from "../model";

const REFUSED: Record<ProviderName, string> = {
  square: "Square no longer accepts daybook's connection to the Square account: it was revoked or has expired.",
  clover: "Clover no longer accepts daybook's connection to the Clover account: daybook was uninstalled there, or its access expired or changed.",
  quickbooks: "QuickBooks no longer accepts daybook's connection to the company: it was disconnected in QuickBooks or has expired, or no longer has the access daybook needs.",
};

const WHERE: Record<ProviderName, string> = { square: "your Square account", clover: "your Clover account", quickbooks: "your QuickBooks company" };

/** The sentence for a failure of `kind` that came from `provider`'s answer; undefined for a kind whose words are already a person's (needs-merchant). */
export function providerReason(provider: ProviderName, kind: FailureKind, status?: number): string | undefined {
  const name = PROVIDER_NAMES[provider];
  switch (kind) {
    case "needs-reconnect":
      // Square's 403 (INSUFFICIENT_SCOPES, FORBIDDEN): the token works, the access it gives does not reach.
      return provider === "square" && status === 403 ? "Square does not let daybook's connection read what daybook needs for this location." : REFUSED[provider];
    case "retryable":
      return `${name} did not answer in time, or said it was busy or failing${provider === "clover" ? ", or an order kept changing while daybook read it" : ""}: nothing in ${WHERE[provider]} needs changing.`;
    case "bug":
      // Whose fault it is, the report's next step says (lib/report/sync-report.ts): not said twice.
      return `${name} refused a request daybook made, or answered in a way daybook cannot read.`;
    case "needs-merchant":
      return undefined;
  }
}

/** A connection daybook cannot use: refused before (its status needs-reconnect), or gone (disconnected, in daybook or at the provider). */
export function unusableConnectionReason(provider: ProviderName, status: "needs-reconnect" | "missing"): string {
  const name = PROVIDER_NAMES[provider];
  return status === "needs-reconnect" ? `${name} no longer accepts daybook's connection.` : `${name} is not connected to daybook any more: the connection was disconnected.`;
}
