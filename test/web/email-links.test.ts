/**
 * The routes behind the links in a sync report email, every part real: the app with a FIFO queue on
 * moto_server behind the real SQS job queue, the DynamoDB stores, the simulators for connecting.
 * Links are made as the worker makes them (approveUrl) or signed as it signs them.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config";
import { signLink } from "../../lib/links/signed-link";
import { addressHash, recipientsOf } from "../../lib/report/recipients";
import { messageGroupOf } from "../../lib/schedule/job";
import { createApp } from "../../lib/web/app";
import { composeApi } from "../../lib/wiring/api";
import { approveUrl } from "../../lib/worker/process-job";
import { SECRET_MARKER } from "../../sandbox/secret-token";
import { awsClientConfig } from "../../sandbox/aws";
import { createFifoQueue, drainQueue } from "../support/queue";
import { addConfirmedRecipient, addEmailLinks, type EmailLinksWorld, merchantWithLocation } from "./email-links-world";
import { canonicalJson, createWebWorld, expectCleanLogs, PUBLIC_URL, type WebWorld } from "./world";

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
const newAddress = () => `links${++counter}.${Date.now()}@example.com`;
const BUSINESS_DAY = "2025-06-01";
const DAY_S = 86_400;
/** The web app's deps as functions/api.ts composes them. */
const composeDeps = async (config: Parameters<typeof composeApi>[0], log: Parameters<typeof composeApi>[1]["log"]) => (await composeApi(config, { log })).deps;

function approveLink(merchantId: string, locationId: string, businessDay = BUSINESS_DAY): string {
  return approveUrl({ publicUrl: PUBLIC_URL, linkKey: links.key, now: world.clock.date }, { merchantId, locationId, businessDay });
}
const pathOf = (url: string) => url.slice(PUBLIC_URL.length);
/** The day as review mode leaves it: synced, and held until someone approves it. */
const holdDay = (merchantId: string, locationId: string, businessDay = BUSINESS_DAY) => world.deps.store.saveSyncRecord({
  merchantId, locationId, businessDay, state: "held", posted: [], attempts: 0, heldReason: "review", updatedAt: world.clock.date().toISOString(),
}, 0);
const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;

describe("a day's reports on the web", () => {
  it("shows the owner every report of the day, newest first, with an approve button while held; others get 404", async () => {
    const owner = world.browser();
    const { merchantId, location } = await merchantWithLocation(world, owner, newAddress());
    const content = (status: "held" | "posted", docNumber: string, amount: number) => ({
      merchantName: "Shop", locationName: location.name, source: "square" as const, businessDay: BUSINESS_DAY, timeZone: location.timeZone, status,
      connectionsUrl: `${PUBLIC_URL}/connections`, warnings: [{ code: "over-short" as const, message: "Over/short of 0.02 posted" }],
      reportUrl: `${PUBLIC_URL}/days/${location.locationId}/${BUSINESS_DAY}`,
      entry: { docNumber, txnDate: BUSINESS_DAY, currency: "USD", total: amount, lines: [
        { description: "Sales <Food>", postingType: "Credit" as const, amount, accountId: "79" },
        { description: "Card payments", postingType: "Debit" as const, amount, accountId: "35" },
      ] },
    });
    const path = `/days/${location.locationId}/${BUSINESS_DAY}`;
    expect(await (await owner.get(path)).text()).toContain("No report for this day yet");

    await world.deps.reports.save({ merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, reportId: "R1", status: "posted", alert: false, createdAt: "2025-06-02T09:00:00.000Z", content: content("posted", "DB250601-AAAAAA", 4_200) });
    await world.deps.reports.save({ merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, reportId: "R2", status: "posted", alert: false, createdAt: "2025-06-03T09:00:00.000Z", content: content("posted", "DB250601-AAAAAA-A1", 150) });
    const page = await owner.get(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.indexOf("DB250601-AAAAAA-A1")).toBeGreaterThan(0);
    expect(html.indexOf("DB250601-AAAAAA-A1")).toBeLessThan(html.indexOf("DB250601-AAAAAA,"));
    expect(html).toContain("42.00");
    expect(html).toContain("1.50");
    expect(html).toContain("Sales &lt;Food&gt;");
    expect(html).toContain("Over/short of 0.02 posted");
    expect(html).not.toContain("Approve and post");

    // Held: the page offers the approval, which queues one job.
    await world.deps.store.saveSyncRecord({ merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, state: "held", posted: [], attempts: 1, heldReason: "review", updatedAt: "2025-06-03T09:00:00.000Z" }, 0);
    expect(await (await owner.get(path)).text()).toContain("Approve and post");
    // Held with its report: the button is under the lines the report asks to check first, and the report's
    // "Review and approve" (a link to this very page) is left out.
    await world.deps.reports.save({
      merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, reportId: "R3", status: "held", alert: false, createdAt: "2025-06-04T09:00:00.000Z",
      content: { ...content("held", "DB250601-AAAAAA-A2", 300), heldReason: "review" },
    });
    const held = await (await owner.get(path)).text();
    expect(held).toContain("Check the lines below, then approve them");
    expect(held).not.toContain("Review and approve");
    expect(held.indexOf("Approve and post")).toBeGreaterThan(held.indexOf("Card payments"));
    expect(held.indexOf("Approve and post")).toBeLessThan(held.indexOf("DB250601-AAAAAA-A1"));

    const stranger = world.browser();
    await stranger.signIn(newAddress());
    const refused = await stranger.get(path);
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain("DB250601");
    expect((await world.browser().get(path)).status).toBe(303);
    expect((await owner.get(`/days/${location.locationId}/not-a-day`)).status).toBe(404);
  });
});

describe("approving a held day from the email", () => {
  it("shows the held day, queues exactly one approve job in the company's group, and approving again is harmless", async () => {
    const owner = world.browser();
    const { merchantId, location, realmId } = await merchantWithLocation(world, owner, newAddress());
    await world.deps.reports.save({
      merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, reportId: "H-test", status: "held", alert: false, createdAt: world.clock.date().toISOString(),
      content: {
        merchantName: "Shop", locationName: location.name, source: "square", businessDay: BUSINESS_DAY, timeZone: location.timeZone, status: "held",
        heldReason: "Review mode is on.", connectionsUrl: `${PUBLIC_URL}/connections`, warnings: [], reportUrl: `${PUBLIC_URL}/days/${location.locationId}/${BUSINESS_DAY}`,
        entry: { docNumber: "DB-1", txnDate: BUSINESS_DAY, currency: "USD", total: 12_345, lines: [
          { description: "Gross sales", postingType: "Credit", amount: 12_345, accountId: "1" },
          { description: "Card tenders", postingType: "Debit", amount: 12_345, accountId: "8" },
        ] },
      },
    });
    await holdDay(merchantId, location.locationId);
    const link = approveLink(merchantId, location.locationId);
    expect(link.startsWith(`${PUBLIC_URL}/approve?token=`)).toBe(true);

    // An accountant without any session opens the link.
    const accountant = world.browser({ userAgent: "Accountant Mail/1" });
    const page = await accountant.get(pathOf(link));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Main Street");
    expect(html).toContain("Sunday 1 June 2025");
    expect(html).toContain("Gross sales");
    expect(html).toContain("123.45");
    expect(html).toContain("Review mode is on.");
    const formToken = /name="token" value="([^"]+)"/.exec(html)?.[1];
    expect(formToken).toBe(tokenOf(link));
    expect(await links.drain()).toEqual([]);

    const approved = await accountant.post("/approve", { token: formToken! });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain("Approved: it will be posted within minutes");
    // Again, from another browser signed in as ANOTHER merchant: still the link's merchant's day, and one job.
    const other = world.browser({ userAgent: "Other merchant/1" });
    await other.signIn(newAddress());
    const again = await other.post("/approve", { token: formToken! });
    expect(again.status).toBe(200);

    const jobs = await links.drain();
    expect(jobs).toEqual([{
      body: { merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, kind: "approve" },
      groupId: messageGroupOf(realmId), deduplicationId: expect.any(String) as string,
    }]);
  });

  it("refuses an expired, forged or other-purpose link with a 400 page and queues nothing", async () => {
    const { merchantId, location } = await merchantWithLocation(world, world.browser(), newAddress(), 1);
    const subject = `${location.locationId}/${BUSINESS_DAY}`;
    const nowS = Math.floor(world.clock.ms() / 1000);
    const cases: [string, string, string][] = [
      ["expired", signLink({ purpose: "approve-day", merchantId, subject, expiresAt: nowS - 1 }, links.key), "This link has expired."],
      ["forged", signLink({ purpose: "approve-day", merchantId, subject, expiresAt: nowS + DAY_S }, randomBytes(32)), "This link is not valid."],
      ["other purpose", signLink({ purpose: "unsubscribe", merchantId, subject, expiresAt: nowS + DAY_S }, links.key), "This link is for something else."],
      ["truncated", tokenOf(approveLink(merchantId, location.locationId)).slice(0, 40), "This link is incomplete."],
    ];
    for (const [what, token, sentence] of cases) {
      const browser = world.browser();
      const page = await browser.get(`/approve?token=${encodeURIComponent(token)}`);
      expect(page.status, what).toBe(400);
      expect(await page.text(), what).toContain(sentence);
      const posted = await browser.post("/approve", { token });
      expect(posted.status, what).toBe(400);
      expect(await posted.text(), what).toContain(sentence);
    }
    expect((await world.browser().get("/approve")).status).toBe(400);
    expect((await world.browser().post("/approve", {})).status).toBe(400);
    expect(await links.drain()).toEqual([]);
  });
});

describe("approving signed in", () => {
  it("queues the merchant's own day, and another merchant's location is not found", async () => {
    const owner = world.browser();
    const mine = await merchantWithLocation(world, owner, newAddress());
    const theirs = await merchantWithLocation(world, world.browser(), newAddress(), 1);

    const refused = await owner.post(`/days/${theirs.location.locationId}/${BUSINESS_DAY}/approve`);
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain(theirs.location.locationId);
    expect((await owner.post(`/days/${mine.location.locationId}/not-a-day/approve`)).status).toBe(404);
    expect(await links.drain()).toEqual([]);

    await holdDay(mine.merchantId, mine.location.locationId);
    const approved = await owner.post(`/days/${mine.location.locationId}/${BUSINESS_DAY}/approve`);
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain("Approved: it will be posted within minutes");
    expect((await links.drain()).map((job) => [job.body, job.groupId])).toEqual([
      [{ merchantId: mine.merchantId, locationId: mine.location.locationId, businessDay: BUSINESS_DAY, kind: "approve" }, messageGroupOf(mine.realmId)],
    ]);

    // Without a session, or without the form token, nothing happens.
    expect((await world.browser().post(`/days/${mine.location.locationId}/${BUSINESS_DAY}/approve`)).status).toBe(401);
    expect((await owner.post(`/days/${mine.location.locationId}/${BUSINESS_DAY}/approve`, { form_token: "f".repeat(64) })).status).toBe(403);
    expect(await links.drain()).toEqual([]);
  });
});

describe("approving only a held day", () => {
  it("refuses an impossible, unfinished, too old or not held day with a 4xx sentence, signed in or by link, and queues and writes nothing", async () => {
    const owner = world.browser();
    const { merchantId, location } = await merchantWithLocation(world, owner, newAddress());
    // The location's day starts at 04:00 in New York; the clock is 2025-06-02 10:00 there.
    const cases: [string, string, number, string][] = [
      ["impossible", "2026-13-45", 400, "2026-13-45 is not a date in the calendar"],
      ["today's, unfinished", "2025-06-02", 409, "has not ended yet"],
      ["tomorrow's", "2025-06-03", 409, "has not ended yet"],
      ["more than 90 days back", "2025-03-03", 400, "more than 90 days back"],
      ["synced but not held", BUSINESS_DAY, 409, "it is not waiting for review"],
    ];
    // Even held (as a stray record might be), the date decides first.
    for (const day of ["2025-06-02", "2025-03-03"]) await holdDay(merchantId, location.locationId, day);
    await world.deps.store.saveSyncRecord({ merchantId, locationId: location.locationId, businessDay: BUSINESS_DAY, state: "no-sales", posted: [], attempts: 0, updatedAt: world.clock.date().toISOString() }, 0);
    const table = async () => (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId) && !item.includes('"SESSION#')).sort();
    const before = await table();

    for (const [what, day, status, sentence] of cases) {
      const signedIn = await owner.post(`/days/${location.locationId}/${day}/approve`);
      expect(signedIn.status, what).toBe(status);
      expect(await signedIn.text(), what).toContain(sentence);
      const link = approveLink(merchantId, location.locationId, day);
      const byLink = await world.browser().post("/approve", { token: tokenOf(link) });
      expect(byLink.status, what).toBe(status);
      expect(await byLink.text(), what).toContain(sentence);
    }
    expect(await links.drain()).toEqual([]);
    expect(await table()).toEqual(before);
    const held = await world.deps.store.getSyncRecord(merchantId, location.locationId, "2025-03-03");
    expect(held?.state).toBe("held");
  });
});

describe("a recipient's own links", () => {
  const named = async (merchantId: string, name: string) => {
    const merchant = await world.deps.store.getMerchant(merchantId);
    await world.deps.store.putMerchant({ ...merchant!, name });
  };
  const unsubscribeToken = (merchantId: string, address: string, key = links.key) =>
    signLink({ purpose: "unsubscribe", merchantId, subject: addressHash(address), expiresAt: Math.floor(world.clock.ms() / 1000) + 365 * DAY_S }, key);

  it("unsubscribes from a mail client's cross-site POST without Origin or form token; the page names the business, the merchant is told once", async () => {
    const owner = newAddress();
    const { merchantId } = await merchantWithLocation(world, world.browser(), owner);
    await named(merchantId, "Rosa's Café");
    const accountant = `accountant.${Date.now()}@example.com`;
    await addConfirmedRecipient(world, merchantId, owner, accountant);
    const path = `/unsubscribe?token=${unsubscribeToken(merchantId, accountant)}`;

    const page = await world.browser().get(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>daybook&#39;s email about Rosa&#39;s Café</h1>");
    expect(html).toContain(`action="${path}"`);
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    // Less email instead: the recipient's own choice of how often.
    expect(html).toMatch(/<input type="radio" id="frequency-daily" name="frequency" value="daily" checked/);
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toContain(accountant);

    const before = (await world.emails()).length;
    for (const origin of ["https://mail.example", null]) {
      const response = await world.browser().post(path, { "List-Unsubscribe": "One-Click" }, { origin });
      expect(response.status, String(origin)).toBe(200);
      const answer = await response.text();
      expect(answer).toContain("Unsubscribed: this address will get no more email from daybook about Rosa&#39;s Café.");
      expect(answer).toMatch(/<form method="post" action="\/unsubscribe\/undo\?token=[\w.-]+">/);
    }
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner]);
    const notices = (await world.emails()).slice(before);
    expect(notices.map(({ to, purpose, subject }) => ({ to, purpose, subject }))).toEqual([
      { to: owner, purpose: "unsubscribe-notice", subject: `${accountant} unsubscribed from Rosa's Café's daybook reports` },
    ]);
    // The merchant sees it on the reports page.
    const merchantBrowser = world.browser();
    await merchantBrowser.signIn(owner);
    expect(await (await merchantBrowser.get("/reports")).text()).toMatch(/Unsubscribed on [A-Z][a-z]+day \d+ [A-Z][a-z]+ \d{4}: gets nothing, and only they can undo it/);
  });

  it("lets only the recipient undo an unsubscribe, from the link on the page they unsubscribed on", async () => {
    const owner = newAddress();
    const { merchantId } = await merchantWithLocation(world, world.browser(), owner);
    const accountant = `accountant.${Date.now()}@example.com`;
    await addConfirmedRecipient(world, merchantId, owner, accountant);
    const leaver = world.browser();
    const answer = await (await leaver.post(`/unsubscribe?token=${unsubscribeToken(merchantId, accountant)}`, { "List-Unsubscribe": "One-Click" })).text();
    const undo = /action="(\/unsubscribe\/undo\?token=[\w.-]+)"/.exec(answer)?.[1] ?? "";
    // The merchant adding it again does not.
    const merchantBrowser = world.browser();
    await merchantBrowser.signIn(owner);
    const refused = await merchantBrowser.post("/reports/recipients", { email: accountant });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("unsubscribed from daybook&#39;s email about this business. Only they can undo that");
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner]);
    // A cross-site form cannot use the undo link; the recipient's own page can.
    expect((await world.browser().post(undo, {}, { origin: "https://mail.example" })).status).toBe(403);
    const again = await leaver.post(undo, {});
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("Subscribed again");
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner, accountant]);
  });

  it("lets the recipient choose how often from the same page, and refuses a value the page never sends", async () => {
    const owner = newAddress();
    const { merchantId } = await merchantWithLocation(world, world.browser(), owner);
    const accountant = `accountant.${Date.now()}@example.com`;
    await addConfirmedRecipient(world, merchantId, owner, accountant);
    const path = `/unsubscribe/frequency?token=${unsubscribeToken(merchantId, accountant)}`;
    const saved = await world.browser().post(path, { frequency: "weekly" });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toMatch(/<p role="status">Saved: from the next morning\.<\/p>[\s\S]*value="weekly" checked/);
    const listed = async () => recipientsOf(await world.deps.recipients.get(merchantId), owner).find((each) => each.address === accountant)?.frequency;
    expect(await listed()).toBe("weekly");
    expect((await world.browser().post(path, { frequency: "hourly" })).status).toBe(400);
    expect(await listed()).toBe("weekly");
  });

  it("confirms a new recipient only by the button on the page its link opens, naming the business", async () => {
    const owner = newAddress();
    const { merchantId } = await merchantWithLocation(world, world.browser(), owner);
    await named(merchantId, "Harbour Deli");
    const merchantBrowser = world.browser();
    await merchantBrowser.signIn(owner);
    const accountant = `new.${Date.now()}@example.com`;
    const before = (await world.emails()).length;
    expect((await merchantBrowser.post("/reports/recipients", { email: accountant })).status).toBe(303);
    const [confirmation] = (await world.emails()).slice(before);
    expect(confirmation).toMatchObject({ to: accountant, purpose: "confirm-recipient", subject: "Confirm: daybook's reports for Harbour Deli" });
    const link = /https:\/\/daybook\.test(\/recipients\/confirm\?token=[\w.-]+)/.exec(confirmation!.raw)?.[1] ?? "";
    const page = await world.browser().get(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Confirm that ${accountant} should receive daybook&#39;s daily digest for Harbour Deli`);
    // Opening the link (a mail scanner does) confirms nothing.
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner]);
    const token = new URL(`${PUBLIC_URL}${link}`).searchParams.get("token") ?? "";
    const confirmed = await world.browser().post("/recipients/confirm", { token });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain(`Confirmed: ${accountant} gets daybook&#39;s digest for Harbour Deli from the next morning.`);
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner, accountant]);
    for (const bad of ["", "x.y", signLink({ purpose: "unsubscribe", merchantId, subject: addressHash(accountant), expiresAt: Math.floor(world.clock.ms() / 1000) + DAY_S }, links.key)]) {
      expect((await world.browser().post("/recipients/confirm", { token: bad })).status).toBe(400);
      expect((await world.browser().get(`/recipients/confirm?token=${bad}`)).status).toBe(400);
    }
  });

  it("refuses a bad token with 400 and changes nothing", async () => {
    const owner = newAddress();
    const { merchantId } = await merchantWithLocation(world, world.browser(), owner, 1);
    const accountant = `accountant.${Date.now()}@example.com`;
    await addConfirmedRecipient(world, merchantId, owner, accountant);
    const expiresAt = Math.floor(world.clock.ms() / 1000) + DAY_S;
    const bad = [
      unsubscribeToken(merchantId, accountant, randomBytes(32)),
      signLink({ purpose: "approve-day", merchantId, subject: addressHash(accountant), expiresAt }, links.key),
      "",
    ];
    for (const token of bad) {
      expect((await world.browser().get(`/unsubscribe?token=${token}`)).status).toBe(400);
      expect((await world.browser().post(`/unsubscribe?token=${token}`, { "List-Unsubscribe": "One-Click" }, { origin: "https://mail.example" })).status).toBe(400);
      expect((await world.browser().post(`/unsubscribe/undo?token=${token}`, {})).status).toBe(400);
    }
    expect(await world.deps.recipients.addressesThatMayReceive(merchantId, owner)).toEqual([owner, accountant]);
  });

  it("exempts only that route: other POSTs without this app's Origin are still refused", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    for (const origin of [null, "https://mail.example"]) {
      expect((await browser.post("/approve", { token: "x" }, { origin })).status).toBe(403);
      expect((await browser.post("/sessions/end-others", {}, { origin })).status).toBe(403);
      expect((await world.browser().post("/sign-in", { email: newAddress() }, { origin })).status).toBe(403);
      // Paths that only look like it, and the recipient's own forms, which come from this app's pages.
      expect((await browser.post("/unsubscribe/", { "List-Unsubscribe": "One-Click" }, { origin })).status).toBe(403);
      expect((await browser.post("/unsubscribe/frequency?token=x", { frequency: "weekly" }, { origin })).status).toBe(403);
      expect((await browser.post("/recipients/confirm", { token: "x" }, { origin })).status).toBe(403);
    }
  });
});

describe("wiring from the web settings", () => {
  const environment = (folder: string, overrides: Record<string, string | undefined> = {}) => ({
    DAYBOOK_TABLE: world.tableName, DAYBOOK_DYNAMODB_ENDPOINT: inject("motoEndpoint"), DAYBOOK_PUBLIC_URL: PUBLIC_URL,
    DAYBOOK_VAULT_KEY_FILE: join(folder, "vault.key"), DAYBOOK_OUTBOX_DIR: folder,
    SQUARE_CLIENT_ID: "sq-app", SQUARE_CLIENT_SECRET: `sq-${SECRET_MARKER}`, SQUARE_WEBHOOK_SIGNATURE_KEY: `sqkey-${SECRET_MARKER}`,
    CLOVER_APP_ID: "CLOVERAPP", CLOVER_APP_SECRET: `cl-${SECRET_MARKER}`, CLOVER_WEBHOOK_AUTH_CODE: `clauth-${SECRET_MARKER}`,
    QUICKBOOKS_CLIENT_ID: "qb-app", QUICKBOOKS_CLIENT_SECRET: `qb-${SECRET_MARKER}`,
    ...overrides,
  });

  it("builds the links from DAYBOOK_LINK_KEY and DAYBOOK_QUEUE_URL, and leaves them out when neither is set", async () => {
    const folder = await mkdtemp(join(tmpdir(), "daybook-links-"));
    const sqs = new SQSClient(awsClientConfig(inject("motoEndpoint")));
    // The wiring's SQS client takes credentials from the environment, as on Lambda; moto accepts any.
    const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
    process.env["AWS_ACCESS_KEY_ID"] = "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
    try {
      const queueUrl = await createFifoQueue(sqs);
      const key = randomBytes(32);
      const deps = await composeDeps(loadConfig("api", environment(folder, {
        DAYBOOK_LINK_KEY: key.toString("base64"), DAYBOOK_QUEUE_URL: queueUrl, DAYBOOK_SQS_ENDPOINT: inject("motoEndpoint"),
      })), () => undefined);
      expect(deps.links?.key.equals(key)).toBe(true);
      await deps.links!.queue.sendJobs([{ merchantId: "M1", locationId: "L1", businessDay: BUSINESS_DAY, kind: "approve" }], messageGroupOf("9130000000000001"));
      expect((await drainQueue(sqs, queueUrl)).map((job) => [job.body, job.groupId])).toEqual([
        [{ merchantId: "M1", locationId: "L1", businessDay: BUSINESS_DAY, kind: "approve" }, messageGroupOf("9130000000000001")],
      ]);
      // The key the worker signs with is the one the page checks: a merchant unknown to this table, not a link that is not valid.
      const token = signLink({ purpose: "unsubscribe", merchantId: "M1", subject: addressHash("a@example.com"), expiresAt: Math.floor(Date.now() / 1000) + DAY_S }, key);
      expect(await (await createApp(deps).request(`${PUBLIC_URL}/unsubscribe?token=${token}`)).text()).toContain("This business is no longer in daybook");

      // Without either, the links answer 404.
      const local = await composeDeps(loadConfig("api", environment(folder)), () => undefined);
      expect(local.links).toBeUndefined();
      expect((await createApp(local).request(`${PUBLIC_URL}/unsubscribe?token=${token}`)).status).toBe(404);
    } finally {
      process.env["AWS_ACCESS_KEY_ID"] = saved.id;
      process.env["AWS_SECRET_ACCESS_KEY"] = saved.secret;
      if (saved.id === undefined) delete process.env["AWS_ACCESS_KEY_ID"];
      if (saved.secret === undefined) delete process.env["AWS_SECRET_ACCESS_KEY"];
      sqs.destroy();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("refuses one of the two without the other, naming the setting and not its value", async () => {
    const folder = await mkdtemp(join(tmpdir(), "daybook-links-"));
    const key = randomBytes(32).toString("base64");
    try {
      expect(() => loadConfig("api", environment(folder, { DAYBOOK_LINK_KEY: key }))).toThrow(ConfigError);
      expect(() => loadConfig("api", environment(folder, { DAYBOOK_LINK_KEY: key }))).toThrow(/DAYBOOK_LINK_KEY/);
      expect(() => loadConfig("api", environment(folder, { DAYBOOK_LINK_KEY: key }))).not.toThrow(key);
      expect(() => loadConfig("api", environment(folder, { DAYBOOK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/q.fifo" }))).toThrow(/DAYBOOK_LINK_KEY/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
