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
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { redactForLog } from "../../lib/web/app";
import { merchantWithLocation } from "../web/email-links-world";
import { createWebWorld, expectCleanLogs, PUBLIC_URL, SQUARE_NOTIFICATION_URL, SQUARE_SIGNATURE_KEY, type WebWorld } from "../web/world";

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
