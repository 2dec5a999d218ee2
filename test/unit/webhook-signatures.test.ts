import { createHmac } from "node:crypto";
import { WebhooksHelper } from "square";
import { describe, expect, it } from "vitest";
import {
  parseCloverEvent, parseQuickBooksEvent, parseSquareEvent, verifyCloverAuth, verifyQuickBooksSignature, verifySquareSignature, WebhookBodyError,
} from "../../lib/oauth/webhook-signatures";

const KEY = "Vu1Kq8mP0sTz4XwA7cLd2E";
const NOTIFICATION_URL = "https://daybook.example/webhooks/square";
// Square's spec example of oauth.authorization.revoked (OauthAuthorizationRevokedEvent), byte for byte as sent.
const REVOKED = '{"merchant_id":"J9Z30SF99NPFJ","type":"oauth.authorization.revoked","event_id":"e1d6ae37-5aa9-45a5-b525-b12caf819fdb","created_at":"2020-08-14T15:51:04.246373287Z","data":{"type":"revocation","id":"415641cf-eba2-4dfa-88cc-c4be1301fdc6","object":{"revocation":{"revoked_at":"2020-08-14T15:51:00.246373287Z","revoker_type":"MERCHANT"}}}}';

/** What Square sends: base64 HMAC-SHA256 of the notification URL followed by the raw body. */
const sign = (body: string, key = KEY, url = NOTIFICATION_URL) => createHmac("sha256", key).update(url + body).digest("base64");

const verify = (signature: string | undefined, rawBody = REVOKED) =>
  verifySquareSignature({ rawBody, signature, signatureKey: KEY, notificationUrl: NOTIFICATION_URL });

describe("Square webhook signatures", () => {
  it("accepts Square's signature, as the official SDK's helper does", async () => {
    const signature = sign(REVOKED);
    expect(verify(signature)).toBe(true);
    await expect(WebhooksHelper.verifySignature({ requestBody: REVOKED, signatureHeader: signature, signatureKey: KEY, notificationUrl: NOTIFICATION_URL })).resolves.toBe(true);
  });

  it("refuses a missing or empty header", () => {
    expect(verify(undefined)).toBe(false);
    expect(verify("")).toBe(false);
  });

  it("refuses a signature made with another key, or for another URL", () => {
    expect(verify(sign(REVOKED, "another-signature-key"))).toBe(false);
    expect(verify(sign(REVOKED, KEY, "https://daybook.example/webhooks/other"))).toBe(false);
  });

  it("refuses a forged body under a genuine signature, even one changed by a character or by whitespace", () => {
    const signature = sign(REVOKED);
    expect(verify(signature, REVOKED.replace("J9Z30SF99NPFJ", "J9Z30SF99NPFK"))).toBe(false);
    expect(verify(signature, JSON.stringify(JSON.parse(REVOKED), null, 1))).toBe(false);
    expect(verify(signature, `${REVOKED}\n`)).toBe(false);
  });

  it("refuses a truncated, padded or mangled signature", () => {
    const signature = sign(REVOKED);
    expect(verify(signature.slice(0, -2))).toBe(false);
    expect(verify(signature.slice(0, 20))).toBe(false);
    expect(verify(`${signature}AAAA`)).toBe(false);
    expect(verify(Buffer.from(signature, "base64").toString("hex"))).toBe(false);
    const flipped = Buffer.from(signature, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verify(flipped.toString("base64"))).toBe(false);
  });

  it("refuses to verify without a configured key or URL, rather than accept anything", () => {
    expect(() => verifySquareSignature({ rawBody: REVOKED, signature: sign(REVOKED), signatureKey: "", notificationUrl: NOTIFICATION_URL })).toThrow(/key/);
    expect(() => verifySquareSignature({ rawBody: REVOKED, signature: sign(REVOKED), signatureKey: KEY, notificationUrl: "" })).toThrow(/URL/);
  });
});

describe("Clover's X-Clover-Auth", () => {
  const CODE = "0307e264-b33a-4913-88aa-37b10014a0b8";

  it("accepts the app's auth code and nothing else", () => {
    expect(verifyCloverAuth(CODE, CODE)).toBe(true);
    expect(verifyCloverAuth(undefined, CODE)).toBe(false);
    expect(verifyCloverAuth("", CODE)).toBe(false);
    expect(verifyCloverAuth(CODE.slice(0, -1), CODE)).toBe(false);
    expect(verifyCloverAuth(`${CODE}0`, CODE)).toBe(false);
    expect(verifyCloverAuth(CODE.toUpperCase(), CODE)).toBe(false);
    expect(verifyCloverAuth("1307e264-b33a-4913-88aa-37b10014a0b8", CODE)).toBe(false);
  });

  it("refuses to verify without a configured code", () => {
    expect(() => verifyCloverAuth("", "")).toThrow(/not configured/);
  });
});

describe("Square event bodies", () => {
  it("reads the merchant whose authorization was revoked", () => {
    expect(parseSquareEvent(REVOKED)).toEqual({
      kind: "authorization-revoked", merchantId: "J9Z30SF99NPFJ", eventId: "e1d6ae37-5aa9-45a5-b525-b12caf819fdb", revokerType: "MERCHANT",
    });
  });

  it("passes other events by as such", () => {
    expect(parseSquareEvent('{"type":"order.updated","merchant_id":"J9Z30SF99NPFJ","data":{"type":"order"}}')).toEqual({ kind: "other", type: "order.updated" });
  });

  it("rejects bodies it cannot trust to name a merchant", () => {
    expect(() => parseSquareEvent("not json")).toThrow(WebhookBodyError);
    expect(() => parseSquareEvent('{"merchant_id":"J9Z30SF99NPFJ"}')).toThrow(WebhookBodyError);
    expect(() => parseSquareEvent('{"type":"oauth.authorization.revoked","merchant_id":null}')).toThrow(/merchant_id/);
    // Found by the webhook fuzzer (DAYBOOK_FUZZ_SEED=1310198761): a "#" in the id reached the store's keys and answered 500.
    expect(() => parseSquareEvent('{"type":"oauth.authorization.revoked","merchant_id":"8~fa.c-nrh#.`b@37a.iu"}')).toThrow(/not a Square merchant id/);
    expect(() => parseSquareEvent('{"type":"oauth.authorization.revoked","merchant_id":"J9Z30SF99NPFJ#x"}')).toThrow(WebhookBodyError);
  });
});

describe("Clover event bodies", () => {
  const APP = "SIMAPPID0001";

  it("finds the merchants that uninstalled the app, among other updates", () => {
    const body = JSON.stringify({
      appId: APP,
      merchants: {
        K3V8AZN1QW5YM: [{ objectId: "O:GHIVJT2ABCRSC", type: "UPDATE", ts: 1 }, { objectId: `A:${APP}`, type: "DELETE", ts: 2 }],
        QQ50HVC3HQZE1: [{ objectId: `A:${APP}`, type: "UPDATE", ts: 3 }],
        ZZ11HVC3HQZE1: [{ objectId: "A:ANOTHERAPP", type: "DELETE", ts: 4 }],
      },
    });
    expect(parseCloverEvent(body, APP)).toEqual({ kind: "events", uninstalledMerchantIds: ["K3V8AZN1QW5YM"] });
  });

  it("ignores messages of another app", () => {
    const body = JSON.stringify({ appId: "ANOTHERAPP", merchants: { K3V8AZN1QW5YM: [{ objectId: "A:ANOTHERAPP", type: "DELETE", ts: 1 }] } });
    expect(parseCloverEvent(body, APP)).toEqual({ kind: "events", uninstalledMerchantIds: [] });
  });

  it("recognises the URL verification message", () => {
    expect(parseCloverEvent('{"verificationCode":"ce7643c1-83ea-4218-abe6-da876c9c7a0a"}', APP)).toEqual({
      kind: "verification", verificationCode: "ce7643c1-83ea-4218-abe6-da876c9c7a0a",
    });
  });

  it("rejects malformed messages", () => {
    expect(() => parseCloverEvent("{", APP)).toThrow(WebhookBodyError);
    expect(() => parseCloverEvent('{"appId":"SIMAPPID0001","merchants":{"K3V8AZN1QW5YM":[{"type":"DELETE"}]}}', APP)).toThrow(WebhookBodyError);
  });

  it("rejects an uninstall of a merchant whose id no Clover merchant could have (empty, or with a '#')", () => {
    for (const merchantId of ["", "K3V8#ZN1QW5YM", "a b"]) {
      const body = JSON.stringify({ appId: APP, merchants: { [merchantId]: [{ objectId: `A:${APP}`, type: "DELETE", ts: 1 }] } });
      expect(() => parseCloverEvent(body, APP), merchantId).toThrow(WebhookBodyError);
    }
  });
});

describe("QuickBooks webhooks", () => {
  const TOKEN = "c2b5f5b2-verifier-token";
  // Intuit's documented sample notification, and the same change as a CloudEvent.
  const ORIGINAL = '{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"},{"name":"Account","id":"79","operation":"Update","lastUpdated":"2015-10-05T14:42:19-0700"}]}},{"realmId":"9130355500000002","dataChangeEvent":{"entities":[{"name":"Invoice","id":"5","operation":"Create"}]}}]}';
  const CLOUD = '[{"specversion":"1.0","id":"88cd52b0-1","source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=","type":"qbo.account.updated.v1","datacontenttype":"application/json","time":"2025-12-01T10:00:00Z","intuitentityid":"79","intuitaccountid":"1185883450","data":{}},{"specversion":"1.0","id":"88cd52b0-2","source":"intuit.x","type":"qbo.invoice.created.v1","time":"2025-12-01T10:00:00Z","intuitentityid":"5","intuitaccountid":"9130355500000002"}]';
  const signed = (body: string, token = TOKEN) => createHmac("sha256", token).update(body).digest("base64");

  it("accepts intuit-signature made with the verifier token over the raw body, and nothing else", () => {
    expect(verifyQuickBooksSignature(ORIGINAL, signed(ORIGINAL), TOKEN)).toBe(true);
    expect(verifyQuickBooksSignature(ORIGINAL, ` ${signed(ORIGINAL)} `, TOKEN)).toBe(true);
    expect(verifyQuickBooksSignature(ORIGINAL, signed(ORIGINAL, "another-token"), TOKEN)).toBe(false);
    expect(verifyQuickBooksSignature(`${ORIGINAL} `, signed(ORIGINAL), TOKEN)).toBe(false);
    expect(verifyQuickBooksSignature(ORIGINAL, undefined, TOKEN)).toBe(false);
    expect(verifyQuickBooksSignature(ORIGINAL, signed(ORIGINAL).slice(1), TOKEN)).toBe(false);
    expect(verifyQuickBooksSignature(ORIGINAL, createHmac("sha256", TOKEN).update(ORIGINAL).digest("hex"), TOKEN)).toBe(false);
    expect(() => verifyQuickBooksSignature(ORIGINAL, signed(ORIGINAL), "")).toThrow(/not configured/);
  });

  it("finds the companies whose chart of accounts changed, in the original form and as CloudEvents", () => {
    expect(parseQuickBooksEvent(ORIGINAL)).toEqual({ accountsChangedIn: ["1185883450"] });
    expect(parseQuickBooksEvent(CLOUD)).toEqual({ accountsChangedIn: ["1185883450"] });
    expect(parseQuickBooksEvent('{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","id":"5"}]}}]}')).toEqual({ accountsChangedIn: [] });
  });

  it("rejects a change of accounts in a company whose id is not a QuickBooks company id (empty, letters, a '#')", () => {
    for (const realm of ["", "abc", "118#5883450"]) {
      const cloud = JSON.stringify([{ type: "qbo.account.updated.v1", intuitaccountid: realm, intuitentityid: "79" }]);
      const original = JSON.stringify({ eventNotifications: [{ realmId: realm, dataChangeEvent: { entities: [{ name: "Account", id: "79" }] } }] });
      expect(() => parseQuickBooksEvent(cloud), cloud).toThrow(WebhookBodyError);
      expect(() => parseQuickBooksEvent(original), original).toThrow(WebhookBodyError);
    }
    // Another entity's change names no company daybook acts on, whatever its id.
    expect(parseQuickBooksEvent(JSON.stringify([{ type: "qbo.invoice.created.v1", intuitaccountid: "" }]))).toEqual({ accountsChangedIn: [] });
  });

  it("rejects bodies that are neither form", () => {
    for (const body of ["", "not json", "{}", '{"eventNotifications":[{"dataChangeEvent":{}}]}', '[{"type":"qbo.account.updated.v1"}]']) {
      expect(() => parseQuickBooksEvent(body), body).toThrow(WebhookBodyError);
    }
  });
});
