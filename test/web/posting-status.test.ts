/**
 * Never stopping silently, every part real: a merchant with a Square and a Clover location posting to
 * one QuickBooks company disconnects the company (after a page that says which locations will stop),
 * then reconnects the same company through the simulator's consent page: every location is moved to the
 * new connection and resumes, backfill and the mapping page work again, and the merchant and the report
 * recipient were each told once that posting stopped and once that it resumed. And a POS connection the
 * provider refuses overnight: the location says "Not posting", one email goes, and the next nights
 * neither send its days nor alert again.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { reconcilePostingStatus } from "../../lib/locations/posting-status";
import type { SyncRecord } from "../../lib/model";
import { createMemoryJobQueue } from "../../lib/schedule/memory-queue";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { processJob } from "../../lib/worker/process-job";
import { summaryOf } from "../support/summaries";
import { type EmailLinksWorld, useLinkedWebWorld } from "./email-links-world";
import { type Browser, type OutboxEmail, type WebWorld, workerOf } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
useLinkedWebWorld((opened, openedLinks) => {
  world = opened;
  links = openedLinks;
});

let counter = 0;
const postingEmails = async (addresses: string[]): Promise<Pick<OutboxEmail, "to" | "subject">[]> =>
  (await world.emails()).filter((email) => email.purpose === "posting-status" && addresses.includes(email.to)).map(({ to, subject }) => ({ to, subject }));

interface Merchant {
  browser: Browser;
  merchantId: string;
  owner: string;
  accountant: string;
}

async function merchantWith(accounts: { square: number; clover?: number; quickbooks: number }): Promise<Merchant> {
  const browser = world.browser({ ip: `203.0.113.${String(++counter)}` });
  const owner = `posting${String(counter)}.${String(Date.now())}@example.com`;
  const accountant = `books${String(counter)}.${String(Date.now())}@accountant.example`;
  await browser.signIn(owner);
  expect((await browser.connect("square", world.accounts.square[accounts.square])).status).toBe(303);
  if (accounts.clover !== undefined) expect((await browser.connect("clover", world.accounts.clover[accounts.clover])).status).toBe(303);
  expect((await browser.connect("quickbooks", world.accounts.quickbooks[accounts.quickbooks])).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(owner))!.merchantId;
  await world.deps.recipients.addConfirmed(merchantId, owner, accountant, new Date());
  return { browser, merchantId, owner, accountant };
}

/** Sets up every location the page offers and starts each from `from`; returns their ids. */
async function startAll(m: Merchant, from: string): Promise<string[]> {
  const connections = await world.deps.store.listConnections(m.merchantId);
  const books = connections.find((connection) => connection.provider === "quickbooks" && connection.status === "active")!;
  const html = await (await m.browser.get("/locations")).text();
  const forms = [...html.matchAll(/name="posConnectionId" value="([^"]+)"\/><input type="hidden" name="locationId" value="([^"]+)"/g)];
  expect(forms.length).toBeGreaterThan(0);
  for (const [, posConnectionId, locationId] of forms) {
    expect((await m.browser.post("/locations", { posConnectionId: posConnectionId!, locationId: locationId!, timeZone: "America/New_York", dayStart: "00:00", quickbooksConnectionId: books.connectionId })).status).toBe(303);
    expect((await m.browser.post(`/locations/${locationId!}/start`, { from })).status).toBe(303);
  }
  await links.drain();
  return forms.map((form) => form[2]!);
}

describe("disconnecting and reconnecting the same QuickBooks company", () => {
  let m: Merchant;
  let locationIds: string[];
  let realmId: string;
  beforeAll(async () => {
    m = await merchantWith({ square: 0, clover: 0, quickbooks: 0 });
    realmId = world.accounts.quickbooks[0]!;
    locationIds = await startAll(m, "2025-06-01");
    expect(locationIds).toHaveLength(2);
  });

  it("asks first, on a page that names the locations that will stop posting", async () => {
    const connections = await (await m.browser.get("/connections")).text();
    const books = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "quickbooks")!;
    expect(connections).toContain(`<a href="/connections/${books.connectionId}/disconnect" aria-label="Disconnect ${books.accountName!} (QuickBooks)">Disconnect</a>`);
    const page = await m.browser.get(`/connections/${books.connectionId}/disconnect`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<h1>Disconnect ${books.accountName!} (QuickBooks)?</h1>`);
    expect(html).toContain("These locations will stop posting, because daybook cannot post their days to this QuickBooks company:");
    expect(html).toContain("<li>Main Street</li>");
    expect(html).toContain("<li>Clover shop 1</li>");
    expect(html).toContain(`<form method="post" action="/connections/${books.connectionId}/disconnect">`);
    // Asking changes nothing.
    expect(books.status).toBe("active");
    expect(await postingEmails([m.owner, m.accountant])).toEqual([]);
    // Another merchant's connection is not found.
    expect((await world.browser().get(`/connections/${books.connectionId}/disconnect`)).status).toBe(303);
  });

  it("stops every location that used it, says so once to the merchant and the recipient, and shows each as not posting with the way back", async () => {
    const books = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "quickbooks")!;
    expect((await m.browser.post(`/connections/${books.connectionId}/disconnect`)).status).toBe(303);
    for (const locationId of locationIds) {
      expect(await world.deps.store.getLocation(m.merchantId, locationId)).toMatchObject({ postingStopped: { reason: "the QuickBooks connection was disconnected", resumeFrom: "2025-06-01" } });
      expect(await world.deps.dueIndex.get(m.merchantId, locationId)).toBeUndefined();
    }
    expect(await postingEmails([m.owner, m.accountant])).toEqual([
      { to: m.owner, subject: "daybook stopped posting 2 locations" },
      { to: m.accountant, subject: "daybook stopped posting 2 locations" },
    ]);
    const list = await (await m.browser.get("/locations")).text();
    expect(list).toContain("<strong>Main Street</strong> (Square): Not posting: the QuickBooks connection was disconnected.");
    expect(list).toContain("<strong>Clover shop 1</strong> (Clover): Not posting: the QuickBooks connection was disconnected.");
    expect(list).toMatch(/<form method="post" action="\/connect\/quickbooks" class="inline">(?:(?!<\/form>)[\s\S])*<button type="submit">Reconnect QuickBooks<\/button>/);
    expect((await m.browser.post("/backfill/latest", { locationId: locationIds[0]! })).status).toBe(400);
    // The backfill page gives the same reason as the locations page.
    expect(await (await m.browser.get("/backfill")).text()).toContain("Main Street: Not posting: the QuickBooks connection was disconnected. The locations page says what mends it.");
    const mapping = await m.browser.get(`/locations/${locationIds[0]!}/mapping`);
    expect(mapping.status).toBe(409);
    // The mapping page says so too, with the way back, and does not claim the location still posts.
    const page = await mapping.text();
    const { name } = (await world.deps.store.getLocation(m.merchantId, locationIds[0]!))!;
    expect(page).toContain(`${name} is not posting: the QuickBooks connection was disconnected.`);
    expect(page).toMatch(/<form method="post" action="\/connect\/quickbooks" class="inline">(?:(?!<\/form>)[\s\S])*<button type="submit">Reconnect QuickBooks<\/button>/);
    expect(page).not.toContain(`daybook posts ${name}`);
  });

  it("moves every location to the new connection when the same company is connected again: they resume, backfill and the mapping page work, and one more email says so", async () => {
    expect((await m.browser.connect("quickbooks", realmId)).status).toBe(303);
    const active = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "quickbooks" && connection.status === "active")!;
    for (const locationId of locationIds) {
      const location = await world.deps.store.getLocation(m.merchantId, locationId);
      expect(location?.quickbooksConnectionId).toBe(active.connectionId);
      expect(location?.postingStopped).toBeUndefined();
      // Scheduled again from its first day not posted: 06-01, whose backfill had not run when the company
      // was disconnected; due at 02:00 on 06-02 in New York.
      expect(await world.deps.dueIndex.get(m.merchantId, locationId)).toMatchObject({ nextDueAt: "2025-06-02T06:00:00.000Z" });
    }
    const mapping = await m.browser.get(`/locations/${locationIds[0]!}/mapping`);
    expect(mapping.status).toBe(200);
    const { name } = (await world.deps.store.getLocation(m.merchantId, locationIds[0]!))!;
    expect(await mapping.text()).toContain(`${name} is posting: daybook posts each day from Sunday 1 June 2025 once it has ended.`);
    const backfill = await m.browser.post("/backfill/latest", { locationId: locationIds[0]! });
    expect(backfill.status).toBe(303);
    expect((await links.drain()).length).toBe(1);
    expect(await (await m.browser.get("/locations")).text()).toContain("<strong>Main Street</strong> (Square): Posting, from Sunday 1 June 2025.");

    // Saving a location, or anything else that looks again, tells nobody anything more.
    const html = await (await m.browser.get("/locations")).text();
    const [, posConnectionId, locationId] = /name="posConnectionId" value="([^"]+)"\/><input type="hidden" name="locationId" value="([^"]+)"/.exec(html)!;
    expect((await m.browser.post("/locations", { posConnectionId: posConnectionId!, locationId: locationId!, timeZone: "America/New_York", dayStart: "00:00", quickbooksConnectionId: active.connectionId })).status).toBe(303);
    expect(await postingEmails([m.owner, m.accountant])).toEqual([
      { to: m.owner, subject: "daybook stopped posting 2 locations" },
      { to: m.accountant, subject: "daybook stopped posting 2 locations" },
      { to: m.owner, subject: "daybook is posting 2 locations again" },
      { to: m.accountant, subject: "daybook is posting 2 locations again" },
    ]);
  });
});

describe("a POS connection refused overnight", () => {
  it("stops the location with one email instead of failing and alerting every night, the page says Not posting, and reconnecting the same account resumes it", async () => {
    const m = await merchantWith({ square: 1, quickbooks: 1 });
    const [locationId] = await startAll(m, "2025-06-02");
    const queue = createMemoryJobQueue();
    const night = async (at: string) => {
      world.clock.advance(Date.parse(at) - world.clock.ms());
      await runSchedulerTick({ dueIndex: world.deps.dueIndex, queue, now: world.clock.date() });
      const worker = workerOf(world);
      // One after another, as SQS delivers a message group's jobs: a night re-checks the days of the one before it.
      const results = [];
      for (const { job } of queue.take().filter(({ job }) => job.merchantId === m.merchantId)) results.push(await processJob(worker, job, { number: 1, max: 3 }));
      return results;
    };
    const fault = world.square.injectFaults({ endpoint: ["SearchOrders", "RetrieveLocation", "ListPayments", "ListPaymentRefunds"], fault: { kind: "401" } });
    try {
      expect((await night("2025-06-03T06:30:00.000Z")).map((result) => result.status)).toEqual(["failed"]);
      expect(await world.deps.store.getLocation(m.merchantId, locationId!)).toMatchObject({ postingStopped: { reason: "Square no longer accepts daybook's access", resumeFrom: "2025-06-02" } });
      // The night is long past the session's life: the merchant signs in again in the morning.
      await m.browser.signIn(m.owner);
      const list = await (await m.browser.get("/locations")).text();
      expect(list).toContain("<strong>Main Street</strong> (Square): Not posting: Square no longer accepts daybook&#39;s access.");
      expect(list).toContain("<button type=\"submit\">Reconnect Square</button>");

      // The next nights: nothing sent for it, nothing failing, nobody told again.
      expect(await night("2025-06-04T06:30:00.000Z")).toEqual([]);
      expect(await night("2025-06-05T06:30:00.000Z")).toEqual([]);
    } finally {
      fault.remove();
    }
    expect(await postingEmails([m.owner, m.accountant])).toEqual([
      { to: m.owner, subject: "daybook stopped posting Main Street" },
      { to: m.accountant, subject: "daybook stopped posting Main Street" },
    ]);
    const alerts = (await world.emails()).filter((email) => email.to === m.owner && email.purpose === "alert");
    expect(alerts).toHaveLength(1);

    // Connecting the same Square account again moves the location to it: it resumes from the day the refusal failed, and says so once.
    // Days later: a new browser signs in.
    const later = world.browser({ ip: `203.0.113.${String(++counter)}` });
    await later.signIn(m.owner);
    expect((await later.connect("square", world.accounts.square[1])).status).toBe(303);
    const square = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "square" && connection.status === "active")!;
    const resumed = await world.deps.store.getLocation(m.merchantId, locationId!);
    expect(resumed?.posConnectionId).toBe(square.connectionId);
    expect(resumed?.postingStopped).toBeUndefined();
    // 06-02 is due at 02:00 on 06-03 in New York: long past, so the next tick sends it, synced this time (a day without sales here), and the days after it.
    expect(await world.deps.dueIndex.get(m.merchantId, locationId!)).toMatchObject({ nextDueAt: "2025-06-03T06:00:00.000Z" });
    expect((await night("2025-06-05T06:45:00.000Z")).map((result) => result.status)).not.toContain("failed");
    expect((await world.deps.store.getSyncRecord(m.merchantId, locationId!, "2025-06-02"))?.state).toBe("no-sales");
    expect(await (await later.get("/locations")).text()).toContain("<strong>Main Street</strong> (Square): Posting, from Monday 2 June 2025.");
    expect((await postingEmails([m.owner, m.accountant])).slice(2)).toEqual([
      { to: m.owner, subject: "daybook is posting Main Street again" },
      { to: m.accountant, subject: "daybook is posting Main Street again" },
    ]);
  });
});

describe("a POS connection refused, then disconnected by the merchant", () => {
  it("leaves the location stopped, saying it was disconnected, and connecting the same account again resumes it", async () => {
    const m = await merchantWith({ square: 1, quickbooks: 1 });
    const [locationId] = await startAll(m, "2025-06-02");
    const location = () => world.deps.store.getLocation(m.merchantId, locationId!);
    const square = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "square")!;
    // Square refuses it: marked as the token keeper marks a refused connection, and its location stops.
    await world.deps.store.setConnectionStatus(m.merchantId, square.connectionId, "needs-reconnect", "Square refused the refresh token.");
    await reconcilePostingStatus(world.deps, m.merchantId);
    expect(await location()).toMatchObject({ postingStopped: { reason: "Square no longer accepts daybook's access" } });

    // The merchant disconnects it instead of reconnecting it.
    expect((await m.browser.post(`/connections/${square.connectionId}/disconnect`)).status).toBe(303);
    expect(await location()).toMatchObject({ postingStopped: { reason: "the Square connection was disconnected", accounts: [{ provider: "square", externalId: square.externalId }] } });
    expect(await (await m.browser.get("/locations")).text()).toContain("<strong>Main Street</strong> (Square): Not posting: the Square connection was disconnected.");

    // Then connects the same Square account: the location moves to it and posts again.
    expect((await m.browser.connect("square", world.accounts.square[1])).status).toBe(303);
    const active = (await world.deps.store.listConnections(m.merchantId)).find((connection) => connection.provider === "square" && connection.status === "active")!;
    expect(await location()).toMatchObject({ posConnectionId: active.connectionId });
    expect((await location())?.postingStopped).toBeUndefined();
    expect((await postingEmails([m.owner])).map((email) => email.subject)).toEqual(["daybook stopped posting Main Street", "daybook is posting Main Street again"]);
  });
});

describe("a location whose latest day needs the merchant", () => {
  // Its latest finished day, as the night left it: the locations page says so under "Posting, from …", with the day's page.
  let m: Merchant;
  let locationId: string;
  let version = 0;
  const day = "2025-06-16";
  const save = async (record: Pick<SyncRecord, "state"> & Partial<SyncRecord>) => {
    const saved = await world.deps.store.saveSyncRecord({
      merchantId: m.merchantId, locationId, businessDay: day, posted: [], attempts: 1, updatedAt: world.clock.date().toISOString(), ...record,
    }, version);
    version = saved.version;
  };
  const entry = { revision: 0, docNumber: "DB-7", entryId: "507", txnDate: day, requestId: "req-7", summary: summaryOf({}), postedAt: "2025-06-17T06:10:00.000Z" };
  const listItem = async () => {
    const html = await (await m.browser.get("/locations")).text();
    return /<li><strong>Main Street<\/strong>(?:(?!<\/li>)[\s\S])*<\/li>/.exec(html)?.[0] ?? "";
  };
  const dayLink = () => `<a href="/days/${locationId}/${day}">Monday 16 June 2025</a>`;

  beforeAll(async () => {
    // The morning after Monday 16 June 2025 in New York.
    world.clock.advance(Date.parse("2025-06-17T14:00:00.000Z") - world.clock.ms());
    m = await merchantWith({ square: 1, quickbooks: 1 });
    [locationId] = (await startAll(m, "2025-06-12")) as [string];
  });

  it("says a failed day failed, with nothing in QuickBooks, why, and links to the day", async () => {
    await save({ state: "failed", lastError: { kind: "needs-merchant", message: "QuickBooks refused the entry: the account Sales is inactive.", at: "2025-06-17T06:10:00.000Z" } });
    const item = await listItem();
    expect(item).toContain("(Square): Posting, from Thursday 12 June 2025.");
    expect(item).toContain(`<p role="alert">The latest day, ${dayLink()}, failed, and nothing of it is in QuickBooks yet. QuickBooks refused the entry: the account Sales is inactive.</p>`);
  });

  it("says a held day is held for review, why, and links to the day", async () => {
    await save({ state: "held", heldReason: "Review mode is on: the entry waits for approval.", lastError: undefined });
    expect(await listItem()).toContain(`<p role="alert">The latest day, ${dayLink()}, is held for review. Review mode is on: the entry waits for approval.</p>`);
  });

  it("reads a day posted whose check for later changes failed as posted, with its note, never as failed", async () => {
    await save({ state: "failed", heldReason: undefined, posted: [entry], lastError: { kind: "retryable", message: "Square did not answer in time.", at: "2025-06-18T06:10:00.000Z" } });
    const item = await listItem();
    expect(item).toContain(`<p>The latest day, ${dayLink()}, posted; the check for later changes failed. Square did not answer in time.</p>`);
    expect(item).not.toContain("role=\"alert\"");
    expect(item).not.toContain("failed, and nothing");
  });

  it("says nothing more of a day posted, or of a day with no sales", async () => {
    await save({ state: "posted", posted: [entry], lastError: undefined });
    expect(await listItem()).toMatch(/^<li><strong>Main Street<\/strong> \(Square\): Posting, from Thursday 12 June 2025\. <\/li>$/);
    await save({ state: "no-sales", posted: [] });
    expect(await listItem()).toMatch(/^<li><strong>Main Street<\/strong> \(Square\): Posting, from Thursday 12 June 2025\. <\/li>$/);
  });
});
