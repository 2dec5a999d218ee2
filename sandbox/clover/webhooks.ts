/**
 * Clover's webhook messages, as the simulator sends them to an app's callback URL.
 *
 * What Clover documents (https://docs.clover.com/docs/webhooks, and the older
 * https://docs.clover.com/build/webhooks/):
 * - Setting up the URL: Clover POSTs `{"verificationCode": "<uuid>"}` to it; the developer pastes that
 *   code into the dashboard to prove they own the URL. That code is a one-time proof of ownership, not
 *   the value later messages carry.
 * - "After validating your webhook URL, the Edit App page shows a Clover Auth Code key that Clover will
 *   send in every message's header", formatted `"X-Clover-Auth": "0307e264-b33a-4913-88aa-37b10014a0b8"`,
 *   and "This code can be used for validation to ensure your webhook messages are coming from Clover."
 *   So the check is a shared secret compared as a whole: there is no signature over the body, no
 *   timestamp and no replay protection. daybook compares it in constant time (lib/oauth/webhook-signatures.ts),
 *   and treats a message only as a hint it can act on safely (an uninstall ends the connection; nothing
 *   in the message is trusted beyond the merchant id).
 * - Message format: `{ "appId": "...", "merchants": { "<merchantId>": [ { "objectId": "<KEY>:<id>",
 *   "type": "CREATE" | "UPDATE" | "DELETE", "ts": <ms> } ] } }`; one message may carry several
 *   merchants and several updates each.
 * - App events (key `A`, needs Read merchant): "App is installed, uninstalled, or the subscription is
 *   changed"; `objectId` is `A:<appId>`, an uninstall is type DELETE (reference/clover.md §1.7).
 * - "Clover does not guarantee when, or if, notifications will be received" (older page): the webhook
 *   is a hint; a refused refresh is the proof (clover.md §1.7).
 */

export type CloverEventType = "CREATE" | "UPDATE" | "DELETE";

export interface CloverWebhookUpdate {
  objectId: string;
  type: CloverEventType;
  ts: number;
}

export interface CloverWebhookMessage {
  appId: string;
  merchants: Record<string, CloverWebhookUpdate[]>;
}

/** An `A` (app) event for each merchant: DELETE is an uninstall. */
export function appEventMessage(appId: string, merchantIds: readonly string[], type: CloverEventType, ts: number): CloverWebhookMessage {
  const merchants: Record<string, CloverWebhookUpdate[]> = {};
  for (const merchantId of merchantIds) merchants[merchantId] = [{ objectId: `A:${appId}`, type, ts }];
  return { appId, merchants };
}

/** POSTs a message to the app's callback URL with the X-Clover-Auth header; resolves with the answer's status. */
export async function deliverWebhook(url: string, authCode: string, message: CloverWebhookMessage): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Clover-Auth": authCode },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}
