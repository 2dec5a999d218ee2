/**
 * The fuzzers' findings, each as the plain request that showed it.
 *
 * 1. GET /days/:locationId/:businessDay with a "#" in the location id answered 500: the id reached the
 *    store's key builder, which refuses "#" (lib/store/keys.ts), and the app logged the error message,
 *    which quoted the id; an email-shaped id put an email address into the logs. Now the route refuses
 *    the id (404), and the app masks email addresses and token-shaped values in any error it logs.
 * 2. POST /webhooks/square checked the signature over the body as Request.text() decoded it, which drops
 *    a leading byte-order mark: a correctly signed body starting with one was refused as forged (401).
 *    The signature is now checked over the bytes as received; such a body is then not JSON (400).
 * 3. POST /webhooks/quickbooks, correctly signed, with an account change in a company whose id was empty
 *    (`"intuitaccountid":""`) answered 500: the id reached the store's key builder, which refuses an empty
 *    id. A company id that is not digits is now a malformed body (400); so is a Clover uninstall of a
 *    merchant id that is not letters and digits.
 * 4. GET /locations?started=<id> (where go-live sends the merchant) looked the id up as it came: a value
 *    with a '#', or an empty one after a "#" was cut, answered 500 from the store's key builder. A value
 *    that is not a location id (lib/ids.ts) now names no location and the page shows no notice. Found by
 *    the boundary sweep of round 8, not by the fuzzer: "started" was on no page it reads field names from.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { redactForLog } from "../../lib/web/redact-for-log";
import { merchantWithLocation } from "../web/email-links-world";
import {
  CLOVER_APP_ID, CLOVER_AUTH_CODE, createWebWorld, expectCleanLogs, PUBLIC_URL, QUICKBOOKS_VERIFIER_TOKEN, SQUARE_NOTIFICATION_URL, SQUARE_SIGNATURE_KEY, type WebWorld,
} from "../web/world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

it("answers 404, not 500, for a day of a location id with a '#', and logs nothing of it", async () => {
  const browser = world.browser();
  const { location } = await merchantWithLocation(world, browser, `days.${Date.now()}@example.com`);
  for (const id of [`${location.locationId}#x`, "#", "someone@example.com#", "MERCHANT#x"]) {
    const response = await browser.get(`/days/${encodeURIComponent(id)}/2025-06-01`);
    expect(response.status, id).toBe(404);
    expect(await response.text()).toContain("not found");
    const approve = await browser.post(`/days/${encodeURIComponent(id)}/2025-06-01/approve`);
    expect(approve.status, id).toBe(404);
  }
  expect(world.logs.filter((line) => line.level === "error")).toEqual([]);
});

it("masks email addresses and token-shaped values in a logged error message", () => {
  const message = 'locationId must be a non-empty id without "#", got "someone@example.com#x" and "Q9LhiMVFv4i9HJbYBKkXE-YoYDGKaaTtahqgdolpEHc"';
  const masked = redactForLog(message);
  expect(masked).not.toMatch(/@/);
  expect(masked).not.toContain("Q9LhiMVFv4i9HJbYBKkXE");
  expect(masked).toContain("locationId must be a non-empty id");
  expect(redactForLog("a plain message")).toBe("a plain message");
});

it("checks a Square signature over the body's bytes as received, byte-order mark included", async () => {
  for (const [body, status] of [["\uFEFF{}", 400], ["\uFEFF{\"type\":\"payment.created\"}", 400], ["{\"type\":\"payment.created\"}", 200]] as const) {
    const signature = createHmac("sha256", SQUARE_SIGNATURE_KEY).update(SQUARE_NOTIFICATION_URL + body, "utf8").digest("base64");
    const response = await world.app.request(`${PUBLIC_URL}/webhooks/square`, {
      method: "POST", body, headers: { "Content-Type": "application/json", "x-square-hmacsha256-signature": signature },
    });
    expect(response.status, JSON.stringify(body)).toBe(status);
  }
});

it("answers 400, not 500, for a signed change of accounts in a company, or an uninstall by a merchant, whose id is not an id", async () => {
  for (const realm of ["", "118#5883450"]) {
    for (const body of [
      JSON.stringify([{ type: "qbo.account.updated.v1", intuitaccountid: realm, intuitentityid: "b996a1dd-d127-4460-aa2a-00995d9dcbeb" }]),
      JSON.stringify({ eventNotifications: [{ realmId: realm, dataChangeEvent: { entities: [{ name: "Account", id: "79", operation: "Update" }] } }] }),
    ]) {
      const signature = createHmac("sha256", QUICKBOOKS_VERIFIER_TOKEN).update(body, "utf8").digest("base64");
      const response = await world.app.request(`${PUBLIC_URL}/webhooks/quickbooks`, {
        method: "POST", body, headers: { "Content-Type": "multipart/form-data; boundary=x", "intuit-signature": signature },
      });
      expect(response.status, body).toBe(400);
      expect(await response.text()).toBe("The body is not a QuickBooks webhook notification.");
    }
  }
  for (const merchantId of ["", "K3V8#ZN1QW5YM"]) {
    const body = JSON.stringify({ appId: CLOVER_APP_ID, merchants: { [merchantId]: [{ objectId: `A:${CLOVER_APP_ID}`, type: "DELETE", ts: 1 }] } });
    const response = await world.app.request(`${PUBLIC_URL}/webhooks/clover`, {
      method: "POST", body, headers: { "Content-Type": "application/json", "X-Clover-Auth": CLOVER_AUTH_CODE },
    });
    expect(response.status, body).toBe(400);
  }
  expect(world.logs.filter((line) => line.level === "error")).toEqual([]);
});

it("shows the locations page, without a notice, for a started location whose id is not a location id", async () => {
  const browser = world.browser();
  const { location } = await merchantWithLocation(world, browser, `started.${Date.now()}@example.com`);
  for (const id of [`${location.locationId}#x`, "#", "MERCHANT#x", "L\u0000", "L".repeat(5000)]) {
    const response = await browser.get(`/locations?started=${encodeURIComponent(id)}`);
    expect(response.status, id).toBe(200);
    expect(await response.text()).not.toContain("is posting: daybook posts each day");
  }
  expect(world.logs.filter((line) => line.level === "error")).toEqual([]);
});
