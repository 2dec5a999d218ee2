/**
 * Checks that a provider's webhook really comes from the provider, and reads the disconnect events
 * out of the bodies. Pure functions: the web handler passes the raw body as received, the headers and
 * the configured secrets.
 *
 * Square (https://developer.squareup.com/docs/webhooks/step3validate): the header
 * `x-square-hmacsha256-signature` is base64(HMAC-SHA256(signature key, notification URL + raw body)),
 * the notification URL exactly as registered for the subscription. The SDK's
 * WebhooksHelper.verifySignature computes the same thing but compares with `===`; here the comparison
 * is constant-time (test/unit/webhook-signatures.test.ts checks both agree).
 *
 * Clover (https://docs.clover.com/docs/webhooks): no signature; every message carries the app's
 * "Clover Auth Code" in `X-Clover-Auth`, a shared secret compared here in constant time. Notes on what
 * that does and does not prove: sandbox/clover/webhooks.ts.
 *
 * QuickBooks (https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks): the header
 * `intuit-signature` is base64(HMAC-SHA256(the app's verifier token, raw body)). The body is either the
 * original form ({"eventNotifications":[{"realmId","dataChangeEvent":{"entities":[{"name","id",
 * "operation"}]}}]}) or, since Intuit's 2025 move, an array of CloudEvents ({"type":
 * "qbo.account.updated.v1","intuitaccountid": realm id,"intuitentityid": entity id, …}); both are read.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";
import { isProviderAccountId } from "../ids";
import { describeIssues } from "../validation";

export const SQUARE_SIGNATURE_HEADER = "x-square-hmacsha256-signature";
export const CLOVER_AUTH_HEADER = "x-clover-auth";
export const QUICKBOOKS_SIGNATURE_HEADER = "intuit-signature";

/** A 32-byte HMAC-SHA256 in standard base64: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export interface SquareSignatureInput {
  /** The request body exactly as received, before any parsing. */
  rawBody: string;
  /** The x-square-hmacsha256-signature header, if any. */
  signature: string | undefined;
  /** The subscription's signature key (Developer Console). */
  signatureKey: string;
  /** The notification URL exactly as registered for the subscription. */
  notificationUrl: string;
}

export function verifySquareSignature(input: SquareSignatureInput): boolean {
  if (!input.signatureKey) throw new Error("the Square webhook signature key is not configured");
  if (!input.notificationUrl) throw new Error("the Square webhook notification URL is not configured");
  const signature = input.signature?.trim();
  if (!signature || !BASE64_SHA256.test(signature)) return false;
  const expected = createHmac("sha256", input.signatureKey).update(input.notificationUrl + input.rawBody, "utf8").digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** intuit-signature against the HMAC of the raw body under the app's verifier token, in constant time. */
export function verifyQuickBooksSignature(rawBody: string, signature: string | undefined, verifierToken: string): boolean {
  if (!verifierToken) throw new Error("the QuickBooks webhook verifier token is not configured");
  const given = signature?.trim();
  if (!given || !BASE64_SHA256.test(given)) return false;
  const expected = createHmac("sha256", verifierToken).update(rawBody, "utf8").digest();
  return timingSafeEqual(Buffer.from(given, "base64"), expected);
}

/** X-Clover-Auth against the app's Clover Auth Code, in constant time whatever the lengths. */
export function verifyCloverAuth(header: string | undefined, authCode: string): boolean {
  if (!authCode) throw new Error("the Clover webhook auth code is not configured");
  if (header === undefined || header === "") return false;
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(header.trim()), digest(authCode));
}

export class WebhookBodyError extends Error {
  override name = "WebhookBodyError";
}

function parseJson(rawBody: string, provider: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new WebhookBodyError(`the ${provider} webhook body is not JSON`);
  }
}

/** The event envelope (Square's OauthAuthorizationRevokedEvent and every other event share it). */
const squareEvent = z.object({
  type: z.string(),
  merchant_id: z.optional(z.nullable(z.string())),
  event_id: z.optional(z.nullable(z.string())),
  data: z.optional(z.nullable(z.object({
    object: z.optional(z.nullable(z.object({
      revocation: z.optional(z.nullable(z.object({
        revoked_at: z.optional(z.nullable(z.string())),
        revoker_type: z.optional(z.nullable(z.string())),
      }))),
    }))),
  }))),
});

export type SquareWebhookEvent =
  | { kind: "authorization-revoked"; merchantId: string; eventId?: string; revokerType?: string }
  | { kind: "other"; type: string };

/** Reads a (verified) Square webhook body: `oauth.authorization.revoked` names the merchant whose authorization ended. */
export function parseSquareEvent(rawBody: string): SquareWebhookEvent {
  const parsed = squareEvent.safeParse(parseJson(rawBody, "Square"));
  if (!parsed.success) throw new WebhookBodyError(describeIssues(parsed.error, "the Square webhook body"));
  const event = parsed.data;
  if (event.type !== "oauth.authorization.revoked") return { kind: "other", type: event.type.slice(0, 80) };
  if (!event.merchant_id) throw new WebhookBodyError("the Square oauth.authorization.revoked event names no merchant_id");
  // Square's merchant ids are letters and digits; anything else names no merchant daybook could hold.
  if (!isProviderAccountId("square", event.merchant_id)) throw new WebhookBodyError("the Square oauth.authorization.revoked event's merchant_id is not a Square merchant id");
  const revokerType = event.data?.object?.revocation?.revoker_type ?? undefined;
  return {
    kind: "authorization-revoked",
    merchantId: event.merchant_id,
    ...(event.event_id ? { eventId: event.event_id } : {}),
    ...(revokerType ? { revokerType } : {}),
  };
}

const cloverMessage = z.union([
  z.object({ verificationCode: z.string() }),
  z.object({
    appId: z.string(),
    merchants: z.record(z.string(), z.array(z.object({
      objectId: z.string(),
      type: z.string(),
      ts: z.optional(z.number()),
    }))),
  }),
]);

export type CloverWebhookEvent =
  /** The one-off POST when the webhook URL is set up; the operator pastes the code into Clover's dashboard. */
  | { kind: "verification"; verificationCode: string }
  /** Merchants whose app event says the app was uninstalled (`A:<appId>`, DELETE); empty when none did. */
  | { kind: "events"; uninstalledMerchantIds: string[] };

/** Reads a (verified) Clover webhook body; app events of another app are ignored. */
export function parseCloverEvent(rawBody: string, appId: string): CloverWebhookEvent {
  const parsed = cloverMessage.safeParse(parseJson(rawBody, "Clover"));
  if (!parsed.success) throw new WebhookBodyError(describeIssues(parsed.error, "the Clover webhook body"));
  const message = parsed.data;
  if ("verificationCode" in message) return { kind: "verification", verificationCode: message.verificationCode };
  if (message.appId !== appId) return { kind: "events", uninstalledMerchantIds: [] };
  const uninstalled = Object.entries(message.merchants)
    .filter(([, updates]) => updates.some((update) => update.objectId === `A:${appId}` && update.type === "DELETE"))
    .map(([merchantId]) => merchantId);
  // Anything but a Clover merchant id names no merchant daybook could hold.
  if (uninstalled.some((merchantId) => !isProviderAccountId("clover", merchantId))) throw new WebhookBodyError("the Clover app event names a merchant whose id is not a Clover merchant id");
  return { kind: "events", uninstalledMerchantIds: uninstalled };
}

const quickBooksNotifications = z.object({
  eventNotifications: z.array(z.object({
    realmId: z.string(),
    dataChangeEvent: z.optional(z.object({ entities: z.array(z.object({ name: z.string(), id: z.optional(z.string()), operation: z.optional(z.string()) })) })),
  })),
});
const quickBooksCloudEvents = z.array(z.object({ type: z.string(), intuitaccountid: z.string(), intuitentityid: z.optional(z.string()) }));

export interface QuickBooksWebhookEvent {
  /** The companies (realm ids) whose chart of accounts changed: an account created, renamed, renumbered, made inactive or merged. */
  accountsChangedIn: string[];
}

/** Reads a (verified) QuickBooks webhook body, in either of Intuit's forms; other entities' changes are ignored. */
export function parseQuickBooksEvent(rawBody: string): QuickBooksWebhookEvent {
  const json = parseJson(rawBody, "QuickBooks");
  const realms = new Set<string>();
  const cloud = quickBooksCloudEvents.safeParse(json);
  if (cloud.success) {
    for (const event of cloud.data) if (/^qbo\.account\./i.test(event.type)) realms.add(event.intuitaccountid);
    return accountsChangedIn(realms);
  }
  const original = quickBooksNotifications.safeParse(json);
  if (!original.success) throw new WebhookBodyError(describeIssues(original.error, "the QuickBooks webhook body"));
  for (const notification of original.data.eventNotifications) {
    if (notification.dataChangeEvent?.entities.some((entity) => entity.name === "Account")) realms.add(notification.realmId);
  }
  return accountsChangedIn(realms);
}

function accountsChangedIn(realms: Set<string>): QuickBooksWebhookEvent {
  for (const realm of realms) {
    if (!isProviderAccountId("quickbooks", realm)) throw new WebhookBodyError("the QuickBooks webhook names a company whose id is not a QuickBooks company id");
  }
  return { accountsChangedIn: [...realms] };
}
