/**
 * What a failed QuickBooks token or revoke call means, from the error intuit-oauth threw: a
 * QuickBooksError rebuilt from its safe fields only (the library's errors can carry request headers,
 * and so tokens, which never reach a message). lib/quickbooks/oauth.ts loads this module on a failed
 * call: a night's refresh that succeeds needs none of it.
 */
import * as z from "zod/mini";
import { QuickBooksError } from "./types";

/** What intuit-oauth puts on the errors it throws (createError in src/OAuthClient.js). */
const oauthLibraryError = z.object({
  error: z.optional(z.string()),
  intuit_tid: z.optional(z.string()),
  authResponse: z.optional(z.union([z.object({ response: z.optional(z.union([z.object({ status: z.number() }), z.string()])) }), z.string()])),
});

export function oauthFailure(error: unknown, action: string): QuickBooksError {
  if (error instanceof QuickBooksError) return error;
  const parsed = oauthLibraryError.safeParse(error);
  const info = parsed.success ? parsed.data : {};
  const response = typeof info.authResponse === "object" ? info.authResponse.response : undefined;
  const status = typeof response === "object" ? response.status : undefined;
  // Only a short OAuth error code is repeated; an HTML or JSON body the library put in `error` is not.
  const code = info.error && /^[a-z_]{1,40}$/.test(info.error) ? info.error : undefined;
  const intuitTid = info.intuit_tid || undefined;
  const details = { ...(status !== undefined ? { status } : {}), ...(code ? { code } : {}), ...(intuitTid ? { intuitTid } : {}) };
  const tid = intuitTid ? ` [intuit_tid ${intuitTid}]` : "";

  if (code === "invalid_grant") {
    return new QuickBooksError(`QuickBooks no longer accepts daybook's authorization (invalid_grant) while trying to ${action}: reconnect QuickBooks in daybook.${tid}`, "needs-reconnect", details);
  }
  if (code === "invalid_client" || status === 401) {
    return new QuickBooksError(`QuickBooks rejected daybook's app credentials (invalid_client) while trying to ${action}: check the client id and secret.${tid}`, "bug", details);
  }
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const what = status === undefined ? "no answer" : `HTTP ${status}`;
    return new QuickBooksError(`QuickBooks' OAuth service failed while trying to ${action} (${what}); try again later.${tid}`, "retryable", details);
  }
  return new QuickBooksError(`QuickBooks refused to ${action} (HTTP ${status}${code ? `, ${code}` : ""}).${tid}`, "bug", details);
}
