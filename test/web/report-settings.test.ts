/**
 * The reports page, every part real (the app, its session, the recipients, review-mode and email-cap
 * items on moto's DynamoDB, the outbox): who receives the digest, asked to confirm first and sent
 * nothing else until then; how often; who unsubscribed; emails the caps held back; and review mode.
 * Every mistake a person can make is answered next to the field and changes nothing. One merchant's
 * list and setting never show on, or change from, another merchant's page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signLink } from "../../lib/links/signed-link";
import { addressHash, recipientsOf, updateRecipients, withConfirmationSent } from "../../lib/report/recipients";
import { requestBackfill } from "../../lib/schedule/backfill";
import type { SyncJob } from "../../lib/schedule/job";
import { processJob } from "../../lib/worker/process-job";
import { addEmailLinks, type EmailLinksWorld, merchantWithLocation } from "./email-links-world";
import { type Browser, canonicalJson, createWebWorld, expectCleanLogs, type OutboxEmail, type WebWorld, workerOf } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
});
afterAll(async () => {
  expectCleanLogs(world);
  links.close();
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

const listedOf = async (merchant: Merchant) => recipientsOf(await world.deps.recipients.get(merchant.merchantId), merchant.email).map((each) => each.address);
const receiving = (merchant: Merchant) => world.deps.recipients.addressesThatMayReceive(merchant.merchantId, merchant.email);
const table = async () => (await world.scan()).map(canonicalJson).sort();
/** The addresses the page lists, by their remove buttons. */
const listed = (html: string) => [...html.matchAll(/<button type="submit">Remove ([^<]+)<\/button>/g)].map((match) => match[1]!);
const mailTo = async (address: string): Promise<OutboxEmail[]> => (await world.emails()).filter((email) => email.to === address);

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

  it("lists the sign-in address, confirmed, until the merchant sets the list, and asks for sign-in first", async () => {
    const response = await a.browser.get("/reports");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(listed(html)).toEqual([a.email]);
    expect(html).toContain("Your sign-in address");
    expect(html).toContain("Until you change the list, the digest goes to the address you sign in with.");
    expect(html).toMatch(/<label for="recipient-email">Email address<\/label>\s*<input[^>]*id="recipient-email"[^>]*name="email"/);
    expect(html).toMatch(/<label for="frequency-0">How often [^<]+ gets the digest<\/label><select id="frequency-0" name="frequency"><option value="daily" selected="">Daily<\/option>/);
    expect(html).toContain("<button type=\"submit\">Add recipient</button>");
    expect(html).toMatch(/<input type="checkbox" id="review-mode" name="reviewMode" value="on"(?![^>]*checked)[^>]*>\s*Hold each day&#39;s entry for my approval before posting<\/label>/);
    expect(html).not.toContain('role="status"');
    expect(html).not.toContain("Emails held back");

    const stranger = world.browser();
    expect((await stranger.get("/reports")).headers.get("Location")).toBe("/sign-in?next=%2Freports");
    for (const path of ["/reports/recipients", "/reports/recipients/frequency", "/reports/recipients/resend", "/reports/review-mode"]) {
      expect((await stranger.post(path, { email: "someone@example.com" })).status).toBe(401);
    }
  });

  it("adds a recipient, lower-cased and trimmed, as pending: one confirmation email, nothing else until it confirms", async () => {
    const response = await a.browser.post("/reports/recipients", { email: "  Books.Keeper@Example.COM " });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/reports?done=invited");
    expect(await listedOf(a)).toEqual([a.email, "books.keeper@example.com"]);
    expect(await receiving(a)).toEqual([a.email]);
    const mail = await mailTo("books.keeper@example.com");
    expect(mail.map((email) => email.purpose)).toEqual(["confirm-recipient"]);
    const html = await (await a.browser.get("/reports?done=invited")).text();
    expect(html).toMatch(/<p role="status">Confirmation sent: the address gets nothing else from daybook until it confirms/);
    expect(html).toMatch(/Waiting for confirmation \(asked on [A-Z][a-z]+day \d+ [A-Z][a-z]+ \d{4}\): gets nothing until then/);
    // Not offered again while the link works.
    expect(html).not.toContain("Send the confirmation again");
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

  it("says so when the address is on the list already, whatever its case, and sends nothing more", async () => {
    const before = (await world.emails()).length;
    const html = await expectRejected(a, "/reports/recipients", { email: "BOOKS.keeper@example.com" });
    expect(html).toMatch(/id="recipient-email-error"[^>]*>books\.keeper@example\.com is on the list already\./);
    expect(html).toContain('value="BOOKS.keeper@example.com"');
    expect(await world.emails()).toHaveLength(before);
  });

  it("sends the confirmation again only once the first link has expired", async () => {
    const b = await newMerchant();
    expect((await b.browser.post("/reports/recipients", { email: "slow@example.com" })).status).toBe(303);
    const html = await expectRejected(b, "/reports/recipients/resend", { email: "slow@example.com" });
    expect(html).toContain("Its confirmation went less than 7 days ago and still works, so nothing more was sent");
    // Eight days on (the session would not last that long, so the list is aged instead): the link has expired.
    const eightDaysAgo = new Date(world.clock.ms() - 8 * 86_400_000).toISOString();
    await updateRecipients(world.deps.recipients, b.merchantId, (list) => ({ list: withConfirmationSent(list, b.email, "slow@example.com", eightDaysAgo), result: undefined }));
    expect(await (await b.browser.get("/reports")).text()).toContain("Send the confirmation again to slow@example.com");
    const resent = await b.browser.post("/reports/recipients/resend", { email: "slow@example.com" });
    expect(resent.headers.get("Location")).toBe("/reports?done=resent");
    expect((await mailTo("slow@example.com")).map((email) => email.purpose)).toEqual(["confirm-recipient", "confirm-recipient"]);
    await expectRejected(b, "/reports/recipients/resend", { email: b.email });
  });

  it("keeps at most 10 recipients, and asks at most 10 new addresses a day to confirm, each with a message saying what to do", async () => {
    const b = await newMerchant();
    for (let index = 1; index < 10; index++) expect((await b.browser.post("/reports/recipients", { email: `extra${String(index)}.${b.merchantId}@example.com` })).status).toBe(303);
    expect(await listedOf(b)).toHaveLength(10);
    expect(await (await b.browser.get("/reports")).text()).toContain("The list is full");
    const html = await expectRejected(b, "/reports/recipients", { email: "eleventh@example.com" });
    expect(html).toMatch(/id="recipient-email-error"[^>]*>daybook sends the reports to at most 10 addresses\. Remove one from the list before adding another\./);
    expect((await b.browser.post("/reports/recipients/remove", { email: `extra3.${b.merchantId}@example.com` })).status).toBe(303);
    // The tenth confirmation of the day goes; an eleventh does not, wherever the room came from.
    expect((await b.browser.post("/reports/recipients", { email: "tenth@example.com" })).status).toBe(303);
    expect((await b.browser.post("/reports/recipients/remove", { email: "tenth@example.com" })).status).toBe(303);
    const refused = await b.browser.post("/reports/recipients", { email: "eleventh@example.com" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("daybook asks at most 10 new addresses a day to confirm. Add this one tomorrow.");
    expect(await mailTo("eleventh@example.com")).toEqual([]);
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
    expect(await listedOf(c)).toEqual(["accountant@example.com"]);
    const page = await (await c.browser.get("/reports?done=removed")).text();
    expect(page).toMatch(/<p role="status">Recipient removed/);
    expect(listed(page)).toEqual(["accountant@example.com"]);

    const html = await expectRejected(c, "/reports/recipients/remove", { email: "accountant@example.com" });
    expect(html).toContain("Keep at least one recipient, or reports go nowhere.");
    expect(await listedOf(c)).toEqual(["accountant@example.com"]);
  });

  it("sets how often a recipient gets the digest, and refuses a choice the form never offers", async () => {
    const d = await newMerchant();
    const saved = await d.browser.post("/reports/recipients/frequency", { email: d.email, frequency: "exceptions" });
    expect(saved.headers.get("Location")).toBe("/reports?done=frequency");
    expect(recipientsOf(await world.deps.recipients.get(d.merchantId), d.email)[0]?.frequency).toBe("exceptions");
    expect(await (await d.browser.get("/reports")).text()).toMatch(/<option value="exceptions" selected="">Only when something needs attention<\/option>/);
    for (const fields of [{ email: d.email, frequency: "hourly" }, { email: "stranger@example.com", frequency: "weekly" }, { email: d.email }] as Record<string, string>[]) {
      const html = await expectRejected(d, "/reports/recipients/frequency", fields);
      expect(html).toMatch(/<p class="error" role="alert">(Choose daily, weekly or only when something needs attention\.|That address is not on the list of recipients, so nothing was changed\.)<\/p>/);
    }
  });

  it("shows the emails the daily caps held back, by day and kind", async () => {
    const e = await newMerchant();
    await world.deps.heldEmails.recordHeld(e.merchantId, "digest", world.clock.date());
    await world.deps.heldEmails.recordHeld(e.merchantId, "backfill-summary", world.clock.date());
    const html = await (await e.browser.get("/reports")).text();
    expect(html).toContain('<h2 id="held-heading">Emails held back</h2>');
    expect(html).toContain("<li>Monday 2 June 2025: 2 emails (backfill summaries, digests)</li>");
    expect(html).not.toContain("did not reach you");
    expect(html).not.toContain("A request to reconnect");
    expect(html).not.toContain("A notice that locations stopped posting");
  });

  it("names each alert to the merchant that a cap held back, and says where its day stands", async () => {
    const e = await newMerchant();
    await world.deps.heldEmails.recordHeld(e.merchantId, "digest", world.clock.date());
    await world.deps.heldEmails.recordHeld(e.merchantId, "alert", world.clock.date(), "Action needed: Shop 7: 4 days were not posted");
    await world.deps.heldEmails.recordHeld(e.merchantId, "reconnect", world.clock.date(), "Reconnect Square to daybook");
    await world.deps.heldEmails.recordHeld(e.merchantId, "posting-status", world.clock.date(), "daybook stopped posting Shop 7");
    const html = await (await e.browser.get("/reports")).text();
    expect(html).toContain(
      "<li>Monday 2 June 2025: 4 emails (alerts, digests, posting notices, reconnect requests) including these to you, which did not reach you:" +
      "<ul><li>Action needed: Shop 7: 4 days were not posted</li><li>Reconnect Square to daybook</li><li>daybook stopped posting Shop 7</li></ul></li>",
    );
    expect(html).toContain("A day that has not posted is also in the next digest, and its alert goes again when daybook checks the day again and it still fails.");
    expect(html).toContain("A request to reconnect goes to you again the next day, while the connection still needs it; your connections page shows it meanwhile.");
    expect(html).toContain("A notice that locations stopped posting goes again the next day to whoever it was held back from, while they still are not posting; your locations page shows it meanwhile.");
  });

  it("turns review mode on and off, and rejects a value the form never sends", async () => {
    const on = await a.browser.post("/reports/review-mode", { reviewMode: "on" });
    expect(on.headers.get("Location")).toBe("/reports?done=review-on");
    expect(await world.deps.settings.getReviewMode(a.merchantId)).toBe(true);
    expect(await (await a.browser.get("/reports?done=review-on")).text()).toMatch(/<input type="checkbox" id="review-mode"[^>]*checked/);
    for (const reviewMode of ["yes", "", "true"]) {
      const html = await expectRejected(a, "/reports/review-mode", { reviewMode });
      expect(html).toMatch(/<p id="review-mode-error" class="error" role="alert">Tick the box to hold each day&#39;s entry/);
    }
    const off = await a.browser.post("/reports/review-mode", {});
    expect(off.headers.get("Location")).toBe("/reports?done=review-off");
    expect(await world.deps.settings.getReviewMode(a.merchantId)).toBe(false);
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

    await expectRejected(e, "/reports/recipients/remove", { email: "f-accountant@example.com" });
    await expectRejected(e, "/reports/recipients/remove", { email: f.email });
    await expectRejected(e, "/reports/recipients/frequency", { email: f.email, frequency: "weekly" });
    expect((await e.browser.post("/reports/recipients", { email: "f-accountant@example.com" })).status).toBe(303);
    expect((await e.browser.post("/reports/review-mode", {})).status).toBe(303);

    expect((await world.scan()).map(canonicalJson).filter((item) => item.includes(f.merchantId)).sort()).toEqual(fBefore);
    expect(await listedOf(f)).toEqual([f.email, "f-accountant@example.com"]);
    expect(await world.deps.settings.getReviewMode(f.merchantId)).toBe(true);
  });
});

describe("an address typed by someone who should not (issue 14)", () => {
  it("gets exactly one confirmation email and no report when added twice and two backfills fail", async () => {
    const browser = world.browser({ ip: "192.0.2.200" });
    const owner = `owner.${Date.now()}@example.com`;
    const { merchantId, location } = await merchantWithLocation(world, browser, owner, 1);
    const victim = `victim.${Date.now()}@example.com`;
    expect((await browser.post("/reports/recipients", { email: victim })).status).toBe(303);
    expect((await browser.post("/reports/recipients", { email: victim })).status).toBe(400);

    world.quickbooks.injectFaults({ match: "api", fault: { kind: "500" }, times: 10_000 });
    try {
      const worker = workerOf(world, links.key);
      for (let round = 0; round < 2; round++) {
        const backfill = await requestBackfill({ ...world.deps, queue: world.deps.links!.queue }, {
          merchantId, locationId: location.locationId, from: "2025-05-30", to: "2025-05-31", requestedBy: "merchant",
        }, world.clock.date());
        const jobs: SyncJob[] = ["2025-05-30", "2025-05-31"].map((businessDay) => ({ merchantId, locationId: location.locationId, businessDay, kind: "backfill", backfillId: backfill.backfillId }));
        // Each day on its last attempt: failed, reported, counted.
        for (const job of jobs) await processJob(worker, job, { number: 5, max: 5 }).catch(() => undefined);
      }
      await links.drain();
    } finally {
      world.quickbooks.clearFaults();
    }
    const victimMail = await mailTo(victim);
    expect(victimMail.map((email) => email.purpose)).toEqual(["confirm-recipient"]);
    // The merchant, who asked for the backfills, has their summaries: one each, not one per day.
    expect((await mailTo(owner)).filter((email) => email.purpose === "backfill-summary")).toHaveLength(2);
    expect((await mailTo(owner)).filter((email) => email.purpose === "alert")).toEqual([]);
  });

  it("is sent nothing when added again after it unsubscribed, even from the confirmation email's refuse link", async () => {
    const m = await newMerchant();
    const victim = `refuser.${Date.now()}@example.com`;
    expect((await m.browser.post("/reports/recipients", { email: victim })).status).toBe(303);
    const [confirmation] = await mailTo(victim);
    const refuse = /https:\/\/daybook\.test(\/unsubscribe\?token=[\w.-]+)/.exec(confirmation!.raw)?.[1] ?? "";
    expect((await world.browser().post(refuse, { "List-Unsubscribe": "One-Click" }, { origin: null })).status).toBe(200);
    expect((await m.browser.post("/reports/recipients/remove", { email: victim })).status).toBe(303);
    const html = await expectRejected(m, "/reports/recipients", { email: victim });
    expect(html).toContain("Only they can undo that");
    expect((await mailTo(victim)).map((email) => email.purpose)).toEqual(["confirm-recipient"]);
    // Signed for someone else's list, the same hash unsubscribes nobody there.
    const other = await newMerchant();
    const token = signLink({ purpose: "unsubscribe", merchantId: other.merchantId, subject: addressHash(other.email), expiresAt: Math.floor(world.clock.ms() / 1000) + 86_400 }, links.key);
    expect((await world.browser().get(`/unsubscribe?token=${token}`)).status).toBe(200);
    expect(await receiving(other)).toEqual([other.email]);
  });
});

describe("review mode saved while another of the account's sessions deletes it", () => {
  it("keeps no setting of the deleted account: the save reads the profile after it writes", async () => {
    const merchant = await newMerchant();
    // The deletion lands between the request's check of its session and its write of the setting.
    let deleted = false;
    world.dynamo.middlewareStack.add((next) => async (args) => {
      if (!deleted && JSON.stringify(args.input).includes("SETTINGS#REVIEW")) {
        deleted = true;
        await world.deps.store.deleteMerchant(merchant.merchantId);
      }
      return await next(args);
    }, { step: "initialize", name: "deletionInTheGap" });
    try {
      expect((await merchant.browser.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(303);
    } finally {
      world.dynamo.middlewareStack.remove("deletionInTheGap");
    }
    expect(deleted).toBe(true);
    expect((await world.scan()).filter((item) => item["PK"]?.S === `MERCHANT#${merchant.merchantId}`)).toEqual([]);
  });
});
