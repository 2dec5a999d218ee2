/**
 * The reports page, every part real (the app, its session, the recipients and review-mode items on
 * moto's DynamoDB): who receives the sync reports, adding and removing them with every mistake a person
 * can make answered next to the field and nothing changed, and review mode. One merchant's list and
 * setting never show on, or change from, another merchant's page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressHash, getRecipients, unsubscribeRecipient } from "../../lib/report/recipients";
import { type Browser, canonicalJson, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

let counter = 0;
interface Merchant {
  browser: Browser;
  email: string;
  merchantId: string;
}

async function newMerchant(): Promise<Merchant> {
  const browser = world.browser({ ip: `192.0.2.${String(++counter)}` });
  const email = `reports${counter}.${Date.now()}@example.com`;
  await browser.signIn(email);
  await browser.formToken();
  return { browser, email, merchantId: (await world.deps.store.findMerchantByEmail(email))!.merchantId };
}

const recipientsOf = (merchant: Merchant) => getRecipients(world.deps.recipients, merchant.merchantId, merchant.email);
const table = async () => (await world.scan()).map(canonicalJson).sort();
/** The addresses the page lists, by their remove buttons. */
const listed = (html: string) => [...html.matchAll(/<button type="submit">Remove ([^<]+)<\/button>/g)].map((match) => match[1]!);

async function expectRejected(merchant: Merchant, path: string, fields: Record<string, string>): Promise<string> {
  const before = await table();
  const response = await merchant.browser.post(path, fields);
  expect(response.status).toBe(400);
  const html = await response.text();
  expect(html).not.toMatch(/at .*\.ts:\d+|Error:/);
  expect(await table()).toEqual(before);
  return html;
}

describe("the reports page", () => {
  let a: Merchant;
  beforeAll(async () => {
    a = await newMerchant();
  });

  it("lists the sign-in address until the merchant sets the list, and asks for sign-in first", async () => {
    const response = await a.browser.get("/reports");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(listed(html)).toEqual([a.email]);
    expect(html).toContain("Until you change the list, the reports go to the address you sign in with.");
    expect(html).toMatch(/<label for="recipient-email">Email address<\/label>\s*<input[^>]*id="recipient-email"[^>]*name="email"/);
    expect(html).toContain("<button type=\"submit\">Add recipient</button>");
    expect(html).toMatch(/<input type="checkbox" id="review-mode" name="reviewMode" value="on"(?![^>]*checked)[^>]*>\s*Hold each day&#39;s entry for my approval before posting<\/label>/);
    expect(html).toContain("each day&#39;s entry is held and posted to QuickBooks only when someone approves it, from the report email or the day&#39;s page");
    expect(html).toContain("Save review mode");
    expect(html).not.toContain('role="status"');

    const stranger = world.browser();
    expect((await stranger.get("/reports")).headers.get("Location")).toBe("/sign-in");
    expect((await stranger.post("/reports/recipients", { email: "someone@example.com" })).status).toBe(401);
    expect((await stranger.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(401);
  });

  it("adds a recipient, lower-cased and trimmed, and says so", async () => {
    const response = await a.browser.post("/reports/recipients", { email: "  Books.Keeper@Example.COM " });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/reports?done=added");
    expect(await recipientsOf(a)).toEqual([a.email, "books.keeper@example.com"]);
    const html = await (await a.browser.get("/reports?done=added")).text();
    expect(html).toMatch(/<p role="status">Recipient added/);
    expect(listed(html)).toEqual([a.email, "books.keeper@example.com"]);
    expect(html).not.toContain("Until you change the list");
    // A notice the app did not write is not shown.
    expect(await (await a.browser.get("/reports?done=%3Cb%3Ehi")).text()).not.toContain('role="status"');
  });

  it.each([
    ["nothing", "", "Enter the email address that should receive the reports."],
    ["spaces", "   ", "Enter the email address that should receive the reports."],
    ["words", "not an address", "Enter an email address like name@example.com."],
    ["no domain", "name@", "Enter an email address like name@example.com."],
    ["332 characters", `${"x".repeat(320)}@example.com`, "at most 320 characters"],
  ])("rejects %s next to the field, keeps what was typed and changes nothing", async (_what, email, message) => {
    const html = await expectRejected(a, "/reports/recipients", { email });
    expect(html).toMatch(/<input[^>]*id="recipient-email"[^>]*aria-invalid="true"[^>]*aria-describedby="recipient-email-error"/);
    expect(html).toMatch(new RegExp(`<p id="recipient-email-error" class="error" role="alert">[^<]*${message.replace(/[.]/g, "\\.")}`));
    expect(html).toContain(`value="${email.slice(0, 320)}"`);
  });

  it("says so when the address already receives the reports, whatever its case", async () => {
    const html = await expectRejected(a, "/reports/recipients", { email: "BOOKS.keeper@example.com" });
    expect(html).toMatch(/id="recipient-email-error"[^>]*>books\.keeper@example\.com already receives the reports\./);
    expect(html).toContain('value="BOOKS.keeper@example.com"');
  });

  it("keeps at most 10 recipients, with a message saying what to do", async () => {
    const b = await newMerchant();
    for (let index = 1; index < 10; index++) expect((await b.browser.post("/reports/recipients", { email: `extra${String(index)}@example.com` })).status).toBe(303);
    expect(await recipientsOf(b)).toHaveLength(10);
    expect(await (await b.browser.get("/reports")).text()).toContain("The list is full");
    const html = await expectRejected(b, "/reports/recipients", { email: "eleventh@example.com" });
    expect(html).toMatch(/id="recipient-email-error"[^>]*>daybook sends the reports to at most 10 addresses\. Remove one from the list before adding another\./);
    expect(html).toContain('value="eleventh@example.com"');
    // Removing one makes room again.
    expect((await b.browser.post("/reports/recipients/remove", { email: "extra3@example.com" })).status).toBe(303);
    expect((await b.browser.post("/reports/recipients", { email: "eleventh@example.com" })).status).toBe(303);
    expect(await recipientsOf(b)).toHaveLength(10);
  });

  it("removes a recipient, and refuses an address that is not on the list or the last one", async () => {
    const c = await newMerchant();
    expect((await c.browser.post("/reports/recipients", { email: "accountant@example.com" })).status).toBe(303);

    for (const email of ["stranger@example.com", "", "x".repeat(400)]) {
      const html = await expectRejected(c, "/reports/recipients/remove", { email });
      expect(html).toContain('<p class="error" role="alert">That address is not on the list of recipients, so nothing was removed.');
      expect(listed(html)).toEqual([c.email, "accountant@example.com"]);
    }

    const removed = await c.browser.post("/reports/recipients/remove", { email: c.email.toUpperCase() });
    expect(removed.status).toBe(303);
    expect(removed.headers.get("Location")).toBe("/reports?done=removed");
    expect(await recipientsOf(c)).toEqual(["accountant@example.com"]);
    const page = await (await c.browser.get("/reports?done=removed")).text();
    expect(page).toMatch(/<p role="status">Recipient removed/);
    expect(listed(page)).toEqual(["accountant@example.com"]);

    const html = await expectRejected(c, "/reports/recipients/remove", { email: "accountant@example.com" });
    expect(html).toContain("Keep at least one recipient, or reports go nowhere.");
    expect(await recipientsOf(c)).toEqual(["accountant@example.com"]);
  });

  it("hides an address that unsubscribed, and adding it again brings it back", async () => {
    const d = await newMerchant();
    expect((await d.browser.post("/reports/recipients", { email: "leaver@example.com" })).status).toBe(303);
    await unsubscribeRecipient(world.deps.recipients, d.merchantId, addressHash("leaver@example.com"));
    expect(listed(await (await d.browser.get("/reports")).text())).toEqual([d.email]);
    // Unsubscribed, it is not on the list: removing it is refused, adding it is not a duplicate.
    await expectRejected(d, "/reports/recipients/remove", { email: "leaver@example.com" });
    expect((await d.browser.post("/reports/recipients", { email: "leaver@example.com" })).status).toBe(303);
    expect(await recipientsOf(d)).toEqual([d.email, "leaver@example.com"]);
  });

  it("turns review mode on and off", async () => {
    const on = await a.browser.post("/reports/review-mode", { reviewMode: "on" });
    expect(on.status).toBe(303);
    expect(on.headers.get("Location")).toBe("/reports?done=review-on");
    expect(await world.deps.settings.getReviewMode(a.merchantId)).toBe(true);
    const page = await (await a.browser.get("/reports?done=review-on")).text();
    expect(page).toMatch(/<p role="status">Review mode is on/);
    expect(page).toMatch(/<input type="checkbox" id="review-mode"[^>]*checked/);

    // An unticked checkbox sends nothing.
    const off = await a.browser.post("/reports/review-mode", {});
    expect(off.status).toBe(303);
    expect(off.headers.get("Location")).toBe("/reports?done=review-off");
    expect(await world.deps.settings.getReviewMode(a.merchantId)).toBe(false);
    expect(await (await a.browser.get("/reports")).text()).not.toMatch(/id="review-mode"[^>]*checked/);
  });

  it("rejects a review-mode value the form never sends, next to the checkbox, and changes nothing", async () => {
    await world.deps.settings.setReviewMode(a.merchantId, true, world.clock.date());
    for (const reviewMode of ["yes", "", "true"]) {
      const html = await expectRejected(a, "/reports/review-mode", { reviewMode });
      expect(html).toMatch(/<input type="checkbox" id="review-mode"[^>]*checked[^>]*aria-invalid="true"[^>]*aria-describedby="review-mode-explained review-mode-error"/);
      expect(html).toMatch(/<p id="review-mode-error" class="error" role="alert">Tick the box to hold each day&#39;s entry/);
    }
    expect(await world.deps.settings.getReviewMode(a.merchantId)).toBe(true);
  });

  it("shows and changes only the signed-in merchant's list and setting", async () => {
    const e = await newMerchant();
    const f = await newMerchant();
    expect((await f.browser.post("/reports/recipients", { email: "f-accountant@example.com" })).status).toBe(303);
    await world.deps.settings.setReviewMode(f.merchantId, true, world.clock.date());
    const fBefore = (await world.scan()).map(canonicalJson).filter((item) => item.includes(f.merchantId)).sort();

    const html = await (await e.browser.get("/reports")).text();
    expect(listed(html)).toEqual([e.email]);
    expect(html).not.toContain(f.email);
    expect(html).not.toContain("f-accountant@example.com");
    expect(html).not.toMatch(/id="review-mode"[^>]*checked/);

    await expectRejected(e, "/reports/recipients/remove", { email: "f-accountant@example.com" });
    await expectRejected(e, "/reports/recipients/remove", { email: f.email });
    expect((await e.browser.post("/reports/recipients", { email: "f-accountant@example.com" })).status).toBe(303);
    expect((await e.browser.post("/reports/review-mode", {})).status).toBe(303);

    expect((await world.scan()).map(canonicalJson).filter((item) => item.includes(f.merchantId)).sort()).toEqual(fBefore);
    expect(await recipientsOf(f)).toEqual([f.email, "f-accountant@example.com"]);
    expect(await world.deps.settings.getReviewMode(f.merchantId)).toBe(true);
    expect(await recipientsOf(e)).toEqual([e.email, "f-accountant@example.com"]);
  });
});
