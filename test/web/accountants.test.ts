/**
 * Accountants as users, on the web: an owner invites an address from the reports page; the invitee
 * accepts from the emailed link (signed in, the account made if new, the access recorded, the address
 * a report recipient); the client list shows every business that invited them with last night per
 * location, worst first; an accountant works on a business's pages but is refused the owner's; the
 * owner removes access and the accountant's next request is refused; an accountant leaves. An invitee
 * who wants none says so from the email's link (or signed in, on the account page) and is sent none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tellAccountants } from "../../lib/members/location-status";
import { randomBytes } from "node:crypto";
import { signLink } from "../../lib/links/signed-link";
import { addressHash } from "../../lib/report/recipients";
import { accept, dayOf, invite, STOP_LINK } from "./accountants-world";
import { addEmailLinks, type EmailLinksWorld, merchantWithLocation, type MerchantWithLocation } from "./email-links-world";
import { type Browser, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
let ownerA: Browser;
let ownerB: Browser;
let accountant: Browser;
let a: MerchantWithLocation;
let b: MerchantWithLocation;
const A_EMAIL = "owner.a@example.com";
const B_EMAIL = "owner.b@example.com";
const BOOKS = "Books@Example.com";
let bookkeeperId = "";

beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
  ownerA = world.browser({ userAgent: "Owner A/1" });
  ownerB = world.browser({ userAgent: "Owner B/1" });
  accountant = world.browser({ userAgent: "Accountant/1" });
  a = await merchantWithLocation(world, ownerA, A_EMAIL, 0);
  b = await merchantWithLocation(world, ownerB, B_EMAIL, 1);
  await world.deps.store.putMerchant({ ...(await world.deps.store.getMerchant(a.merchantId))!, name: "Alder Bakery" });
  await world.deps.store.putMerchant({ ...(await world.deps.store.getMerchant(b.merchantId))!, name: "Birch Cafe" });
  await dayOf(world, a.location, "2025-06-01", "held");
  await dayOf(world, b.location, "2025-06-01", "posted");
});

afterAll(async () => {
  expectCleanLogs(world);
  links.close();
  await world.close();
});

const attentionOf = (html: string) => html.slice(html.indexOf('id="attention-heading"'), html.indexOf('id="clients-heading"'));
const tableOf = (html: string) => html.slice(html.indexOf('aria-label="Your clients"'));
const page = async (response: Response) => ({ status: response.status, text: await response.text() });

describe("an invitation", () => {
  it("is sent from the reports page, which then lists it; a bad address is refused next to the field and keeps what was typed", async () => {
    const reports = await page(await ownerA.get("/reports"));
    expect(reports.text).toContain("Invite an accountant");
    const bad = await page(await ownerA.post("/reports/access/invite", { email: "not an address" }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="not an address"');
    expect(bad.text).toMatch(/role="alert"[^>]*>Enter an email address/);
    const own = await page(await ownerA.post("/reports/access/invite", { email: A_EMAIL }));
    expect(own.status).toBe(400);
    expect(own.text).toContain("That is your own address");

    const link = await invite(world, ownerA, BOOKS);
    const listed = await page(await ownerA.get("/reports?access=invited"));
    expect(listed.text).toContain("Invitation sent.");
    expect(listed.text).toContain("Withdraw the invitation to books@example.com");
    // Nothing is written until the link's page is submitted: a GET shows a button.
    const landing = await page(await accountant.get(link.slice("https://daybook.test".length)));
    expect(landing.text).toContain("Alder Bakery invited books@example.com");
    expect(await world.deps.store.findMerchantByEmail(BOOKS)).toBeUndefined();

    const accepted = await accept(accountant, link);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe("/clients");
    const person = await world.deps.store.findMerchantByEmail(BOOKS);
    expect(person, "accepting made the account").toBeDefined();
    bookkeeperId = person!.merchantId;
    expect((await world.deps.members.listMembers(a.merchantId)).map((member) => member.email)).toEqual(["books@example.com"]);
    // An accepted invitation is consent: the accountant now receives the reports.
    expect(await world.deps.recipients.addressesThatMayReceive(a.merchantId, A_EMAIL)).toEqual([A_EMAIL, "books@example.com"]);

    // Single use.
    const again = await accountant.get(link.slice("https://daybook.test".length));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This invitation no longer works");
  });

  it("expires after 7 days, and a withdrawn one stops working", async () => {
    const late = await invite(world, ownerB, "late@example.com");
    world.clock.advance(7 * 86_400_000 + 1000);
    try {
      const stranger = world.browser();
      const landing = await stranger.get(late.slice("https://daybook.test".length));
      expect(landing.status).toBe(400);
      expect(await world.deps.store.findMerchantByEmail("late@example.com")).toBeUndefined();
    } finally {
      world.clock.advance(-(7 * 86_400_000 + 1000));
    }
    await invite(world, ownerB, "withdrawn@example.com");
    const [open] = (await world.deps.members.listInvitations(b.merchantId, world.clock.date())).filter((invitation) => invitation.email === "withdrawn@example.com");
    expect((await ownerB.post("/reports/access/cancel", { invitationId: open!.invitationId })).status).toBe(303);
    expect(await world.deps.members.listInvitations(b.merchantId, world.clock.date())).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ email: "withdrawn@example.com" })]),
    );
  });

  it("lets an accountant who is signed in already accept a second business", async () => {
    const link = await invite(world, ownerB, BOOKS);
    expect((await accept(accountant, link)).status).toBe(303);
    const memberships = await world.deps.members.listMemberships(bookkeeperId);
    expect(memberships.map((membership) => membership.businessName).sort()).toEqual(["Alder Bakery", "Birch Cafe"]);
  });
});

describe("an invitee who wants no invitations", () => {
  const ADDRESS = "no.more@example.com";
  const stopOf = () => world.deps.members.findInvitationStop(addressHash(ADDRESS));
  const openTo = async () => (await Promise.all([a, b].map((business) => world.deps.members.listInvitations(business.merchantId, world.clock.date()))))
    .flat().filter((invitation) => invitation.email === ADDRESS);

  it("stops every business's invitations from the email's link: its page changes nothing, a forged or cut link is refused with a sentence, and only the address undoes it", async () => {
    const acceptLink = await invite(world, ownerA, ADDRESS);
    const stopLink = STOP_LINK.exec((await world.emails()).at(-1)!.raw)?.[0] ?? "";
    expect(stopLink).not.toBe("");
    await invite(world, ownerB, ADDRESS);
    expect(await openTo()).toHaveLength(2);

    // Mail scanners fetch links: the page asks, and nothing is recorded.
    const invitee = world.browser();
    const landing = await page(await invitee.get(stopLink.slice("https://daybook.test".length)));
    expect(landing.status).toBe(200);
    expect(landing.text).toContain("Alder Bakery invited this address to work on its books in daybook.");
    expect(landing.text).toContain('<form method="post" action="/invitations/stop">');
    expect(await stopOf()).toBeUndefined();
    expect(await openTo()).toHaveLength(2);

    const token = new URL(stopLink).searchParams.get("token")!;
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const forged = signLink({ purpose: "stop-invitations", merchantId: a.merchantId, subject: addressHash(ADDRESS), expiresAt: Math.floor(world.clock.ms() / 1000) + 3600 }, randomBytes(32));
    for (const [answer, sentence] of [
      [await invitee.get(`/invitations/stop?token=${flipped}`), "This link is not valid."],
      [await invitee.post("/invitations/stop", { token: forged }), "This link is not valid."],
      [await invitee.post("/invitations/stop", { token: token.split(".")[0]! }), "This link is incomplete."],
      [await invitee.post("/invitations/stop", {}), "This link is incomplete."],
      [await invitee.post("/invitations/allow", { token }), "This link is for something else."],
    ] as const) {
      const refused = await page(answer);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain(sentence);
    }
    expect(await stopOf()).toBeUndefined();
    expect(await openTo()).toHaveLength(2);

    const stopped = await page(await invitee.post("/invitations/stop", { token }));
    expect(stopped.status).toBe(200);
    expect(stopped.text).toContain("daybook sends this address no invitations, from any business");
    expect(await stopOf()).toEqual({ addressHash: addressHash(ADDRESS), stoppedAt: expect.any(String) as string });
    expect(await openTo()).toEqual([]);
    expect((await invitee.get(acceptLink.slice("https://daybook.test".length))).status).toBe(400);

    // The owner is told why, and nothing is sent or kept.
    const emails = (await world.emails()).length;
    const refused = await page(await ownerA.post("/reports/access/invite", { email: ADDRESS }));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("That address has asked daybook to send it no invitations, so nothing was sent.");
    expect((await world.emails()).length).toBe(emails);
    expect(await openTo()).toEqual([]);

    // Undone from the page it was stopped on; the owner can invite again.
    const undo = /action="\/invitations\/allow">[\s\S]*?name="token" value="([\w.-]+)"/.exec(stopped.text)?.[1] ?? "";
    const allowed = await page(await invitee.post("/invitations/allow", { token: undo }));
    expect(allowed.status).toBe(200);
    expect(await stopOf()).toBeUndefined();
    await invite(world, ownerA, ADDRESS);
  });

  it("lets the address, signed in with it, stop and allow invitations on its account page", async () => {
    const person = world.browser({ userAgent: "No More/1" });
    await person.signIn(ADDRESS);
    expect((await page(await person.get("/account"))).text).toContain("A business on daybook can invite no.more@example.com to work on its books");
    expect((await person.post("/account/invitations", { invitations: "never" })).status).toBe(400);
    expect(await stopOf()).toBeUndefined();

    const stopped = await person.post("/account/invitations", { invitations: "stop" });
    expect(stopped.status).toBe(303);
    expect(await stopOf()).toBeDefined();
    expect(await openTo()).toEqual([]);
    const account = await page(await person.get("/account?invitations=stopped"));
    expect(account.text).toContain("Saved: daybook sends you no invitations.");
    expect(account.text).toContain("Allow invitations again");
    expect((await ownerB.post("/reports/access/invite", { email: ADDRESS })).status).toBe(400);

    expect((await person.post("/account/invitations", { invitations: "allow" })).status).toBe(303);
    expect(await stopOf()).toBeUndefined();
    await invite(world, ownerB, ADDRESS);
  });
});

describe("the client list", () => {
  it("shows both businesses, last night per location, and what needs attention first", async () => {
    const list = await page(await accountant.get("/clients"));
    expect(list.status).toBe(200);
    expect(list.text).toContain("Your clients (2)");
    // The column holds the latest day and any earlier one still held or failed, not only last night's.
    expect(list.text).toContain('<th scope="col">Latest days</th>');
    expect(list.text).toContain("Held for review, Sunday 1 June 2025");
    expect(list.text).toContain("Posted Sunday 1 June 2025");
    // Alder Bakery's held day comes first; Birch Cafe posted, so nothing of it needs attention.
    expect(tableOf(list.text).indexOf("Alder Bakery")).toBeLessThan(tableOf(list.text).indexOf("Birch Cafe"));
    expect(attentionOf(list.text)).toContain("Alder Bakery");
    expect(attentionOf(list.text)).not.toContain("Birch Cafe");
    expect(list.text).toContain("Review Main Street of Alder Bakery, Sunday 1 June 2025");
  });

  it("follows the worker: a location's newer day replaces the older, an older re-check does not", async () => {
    await dayOf(world, b.location, "2025-06-02", "failed");
    expect(await tellAccountants({ store: world.deps.store, members: world.deps.members }, { merchantId: b.merchantId, locationId: b.location.locationId, businessDay: "2025-06-02" })).toBe(1);
    // An older day's re-check tells the location's latest day again, never its own.
    expect(await tellAccountants({ store: world.deps.store, members: world.deps.members }, { merchantId: b.merchantId, locationId: b.location.locationId, businessDay: "2025-06-01" })).toBe(1);
    const list = await page(await accountant.get("/clients"));
    expect(list.text).toContain("Failed on Monday 2 June 2025: QuickBooks refused the connection.");
    expect(list.text).not.toContain("Posted Sunday 1 June 2025");
    // A failure comes before a held day.
    for (const part of [attentionOf(list.text), tableOf(list.text)]) expect(part.indexOf("Birch Cafe")).toBeLessThan(part.indexOf("Alder Bakery"));
  });

  it("keeps a failed day on the list when a later day posts, until its re-check posts it", async () => {
    const tell = (businessDay: string) => tellAccountants({ store: world.deps.store, members: world.deps.members }, { merchantId: b.merchantId, locationId: b.location.locationId, businessDay });
    await dayOf(world, b.location, "2025-06-03", "posted");
    expect(await tell("2025-06-03")).toBe(1);
    let list = await page(await accountant.get("/clients"));
    expect(list.text).toContain("Posted Tuesday 3 June 2025");
    expect(attentionOf(list.text)).toContain("Birch Cafe, Main Street. Failed on Monday 2 June 2025: QuickBooks refused the connection.");
    expect(attentionOf(list.text)).toContain(`value="/days/${b.location.locationId}/2025-06-02"`);

    // The night's re-check of Monday posts it.
    const monday = (await world.deps.store.getSyncRecord(b.merchantId, b.location.locationId, "2025-06-02"))!;
    const { lastError: _fixed, ...rest } = monday;
    await world.deps.store.saveSyncRecord({ ...rest, state: "posted" }, monday.version);
    expect(await tell("2025-06-02")).toBe(1);
    list = await page(await accountant.get("/clients"));
    expect(list.text).not.toContain("Monday 2 June 2025");
    expect(attentionOf(list.text)).not.toContain("Birch Cafe");
    expect(list.text).toContain("Posted Tuesday 3 June 2025");
  });
});

describe("working on a client", () => {
  it("offers each menu link to whom it serves: the client list to whoever has clients, the owner's pages to the owner, API keys to everyone", async () => {
    const menu = async (browser: Browser, path: string) => {
      const html = await (await browser.get(path)).text();
      return [...html.slice(html.indexOf("<nav"), html.indexOf("</nav>")).matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]);
    };
    // A restaurant owner: no clients, so no client list.
    expect(await menu(ownerA, "/sessions")).toEqual(["/connections", "/locations", "/history", "/backfill", "/reports", "/api-keys", "/sessions", "/account"]);
    // The accountant at their own desk: their own business's pages, and their clients.
    expect((await accountant.post("/clients/switch", { businessId: bookkeeperId })).status).toBe(303);
    expect(await menu(accountant, "/sessions")).toEqual(["/clients", "/connections", "/locations", "/history", "/backfill", "/reports", "/api-keys", "/sessions", "/account"]);
    // Working on a client: none of the owner's pages (roles.ts refuses them).
    expect((await accountant.post("/clients/switch", { businessId: a.merchantId })).status).toBe(303);
    expect(await menu(accountant, "/history")).toEqual(["/clients", "/locations", "/history", "/backfill", "/reports", "/api-keys", "/sessions"]);
  });

  it("opens the business's pages and approves its held day", async () => {
    const opened = await accountant.post("/clients/switch", { businessId: a.merchantId, next: `/days/${a.location.locationId}/2025-06-01` });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("Location")).toBe(`/days/${a.location.locationId}/2025-06-01`);
    const day = await page(await accountant.get(`/days/${a.location.locationId}/2025-06-01`));
    expect(day.status).toBe(200);
    expect(day.text).toContain("Working on Alder Bakery");
    expect((await accountant.get("/history")).status).toBe(200);
    expect((await accountant.get("/reports")).status).toBe(200);
    expect((await accountant.get("/backfill")).status).toBe(404); // no backfill queue in this world: the page says so
    const approved = await accountant.post(`/days/${a.location.locationId}/2025-06-01/approve`);
    expect(approved.status).toBe(200);
    const jobs = await links.drain();
    expect(jobs.map((job) => JSON.stringify(job.body))).toEqual([expect.stringContaining(a.merchantId)]);
  });

  it("is refused the owner's pages: connections, connecting, the account, export, deletion and who has access", async () => {
    for (const path of ["/connections", "/account", "/account/export"]) {
      const refused = await page(await accountant.get(path));
      expect(refused.status, path).toBe(403);
      expect(refused.text).toContain("Only the owner can do this");
    }
    for (const [path, fields] of [
      ["/connect/square", {}], ["/account/delete", { email: A_EMAIL }], ["/account/time-zone", { timeZone: "Europe/London" }], ["/reports/access/invite", { email: "x@example.com" }],
      [`/connections/${(await world.deps.store.listConnections(a.merchantId))[0]!.connectionId}/disconnect`, {}],
    ] as const) {
      expect((await accountant.post(path, fields)).status, path).toBe(403);
    }
    expect((await world.deps.store.listConnections(a.merchantId)).every((connection) => connection.status === "active")).toBe(true);
    expect(await world.deps.store.getMerchant(a.merchantId)).toBeDefined();
    expect((await world.deps.store.getMerchant(a.merchantId))?.timeZone).toBeUndefined();
  });

  it("reads times in the business's zone, or in UTC with the owner named as the one who chooses it", async () => {
    let sessions = await page(await accountant.get("/sessions"));
    expect(sessions.text).toContain("Times are in UTC: this business has not chosen its time zone yet. Its owner chooses it on their account page.");
    expect(sessions.text).not.toContain('href="/account#time-zone"');
    await world.deps.store.setMerchantTimeZone(a.merchantId, "America/Los_Angeles");
    sessions = await page(await accountant.get("/sessions"));
    expect(sessions.text).toContain("Working on Alder Bakery");
    expect(sessions.text).toMatch(/<td>\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} P[SD]T<\/td>/);
    expect(sessions.text).not.toContain("UTC");
  });

  it("cannot work on a business that never invited them", async () => {
    const switched = await accountant.post("/clients/switch", { businessId: (await world.deps.store.findMerchantByEmail("late@example.com"))?.merchantId ?? "00000000-0000-0000-0000-000000000000" });
    expect(switched.status).toBe(404);
    const offSite = await accountant.post("/clients/switch", { businessId: b.merchantId, next: "//evil.example/x" });
    expect(offSite.status).toBe(404);
  });
});

describe("ending access", () => {
  it("takes effect on the accountant's very next request when the owner removes it", async () => {
    expect((await accountant.post("/clients/switch", { businessId: a.merchantId })).status).toBe(303);
    expect((await accountant.get("/history")).status).toBe(200);
    const reports = await page(await ownerA.get("/reports"));
    expect(reports.text).toContain("Remove access for books@example.com");
    expect((await ownerA.post("/reports/access/remove", { personId: bookkeeperId })).status).toBe(303);

    const refused = await page(await accountant.get("/history"));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Your access has ended");
    expect(refused.text).not.toContain("Main Street");
    // The session works on the accountant's own account again.
    const after = await page(await accountant.get("/history"));
    expect(after.status).toBe(200);
    expect(after.text).not.toContain("Working on Alder Bakery");
    expect(await world.deps.recipients.addressesThatMayReceive(a.merchantId, A_EMAIL)).toEqual([A_EMAIL]);
    expect((await accountant.post("/clients/switch", { businessId: a.merchantId })).status).toBe(404);
  });

  it("lets the accountant leave", async () => {
    expect((await accountant.post("/clients/switch", { businessId: b.merchantId })).status).toBe(303);
    const reports = await page(await accountant.get("/reports"));
    expect(reports.text).toContain("Leave Birch Cafe");
    const left = await accountant.post(`/clients/${b.merchantId}/leave`);
    expect(left.status).toBe(303);
    expect(left.headers.get("Location")).toBe("/clients?done=left");
    expect(await world.deps.members.listMembers(b.merchantId)).toEqual([]);
    expect(await world.deps.members.listMemberships(bookkeeperId)).toEqual([]);
    const list = await page(await accountant.get("/clients?done=left"));
    expect(list.text).toContain("No business has invited you yet.");
  });
});
