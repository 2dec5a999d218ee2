/**
 * An accountant's one morning digest for two clients, in Chromium against the local stack, on a clock
 * that starts at 02:30 in the demo's zone. Main Street Coffee (the demo's Square location and QuickBooks
 * company, review mode on) and Alder Bakery (a location whose night is written as the worker leaves it:
 * its own syncs are not under test) each invite the accountant, who accepts both in the browser. The
 * night comes: Main Street Coffee's day is synced by the real worker and held for review; Alder Bakery's
 * posted. At 07:30 the scheduler's tick sends each owner their business's own digest and the accountant
 * exactly one email with both clients, Main Street Coffee (it needs attention) first; at 08:30 nothing
 * more. The email's HTML is opened in Chromium and checked like the pages (desktop and 375 px, in
 * test/artifacts/browser/combined-digest/); its link to Alder Bakery's day, opened while the session works
 * on Main Street Coffee, asks before switching and then shows that day; and its one-click unsubscribe
 * link stops it for both clients.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocationConfig } from "../../lib/model";
import { localInstant } from "../../lib/report/digest";
import { formatDay } from "../../lib/report/format";
import { isUnsubscribed } from "../../lib/report/recipients";
import { addDays, DEMO, DEMO_SQUARE_MAPPING, yesterdayIn } from "../../sandbox/local-stack/demo";
import type { LocalStack } from "../../sandbox/local-stack/stack";
import { WebClient } from "../../sandbox/local-stack/web-client";
import { clientNight } from "../support/accountant-clients";
import { checkPage } from "./page-checks";
import { type BrowserRun, newestEmail, openBrowserRun, outboxFiles, partOf } from "./steps";

const MAIN_OWNER = "owner@main.daybook.localhost";
const ALDER_OWNER = "owner@alder.daybook.localhost";
const BOOKS = "books@ledger.daybook.localhost";

/** The morning of the test: the real today in the demo's zone; the night is of the day before. */
const today = addDays(yesterdayIn(DEMO.timeZone, new Date()), 1);
const day = addDays(today, -1);
/** The stack's clock: from 02:30 this morning where the demo is, moved on by the test. */
let offsetMs = localInstant(today, DEMO.timeZone, "02:30").getTime() - Date.now();
const clock = () => new Date(Date.now() + offsetMs);

let run: BrowserRun | undefined;
let stack: LocalStack;
let page: Page;
let mainId = "";
let alder: { businessId: string; name: string; owner: string; location: LocationConfig };

interface Email { file: string; raw: string }

async function emails(purpose: string): Promise<Email[]> {
  const all = await Promise.all((await outboxFiles(stack)).map(async (file) => ({ file, raw: await readFile(join(stack.outboxDir, file), "utf8") })));
  return all.filter((email) => /^X-Daybook-Purpose: (.+)$/m.exec(email.raw)?.[1]?.trim() === purpose);
}

const toOf = (email: Email) => /^To: (.+)$/m.exec(email.raw)?.[1]?.trim() ?? "";
/** The Subject header, its folded lines joined and its RFC 2047 words decoded. */
function subjectOf(email: Email): string {
  const folded = /^Subject: (.+(?:\r\n[ \t].+)*)/m.exec(email.raw)?.[1] ?? "";
  return folded.split(/\r\n[ \t]+/).map((word) => word.replace(/^=\?UTF-8\?B\?(.*)\?=$/i, (_, base64: string) => Buffer.from(base64, "base64").toString("utf8"))).join("");
}

/** A business signed up over HTTP (the first-run browser test covers doing it in the browser), inviting the accountant; the invitation's link. */
async function business(owner: string, name: string, setUp: (client: WebClient, merchantId: string) => Promise<void>): Promise<{ merchantId: string; link: string }> {
  const client = new WebClient(stack.url);
  await client.signIn(owner, stack.outboxDir);
  await client.nameBusiness(name);
  const merchantId = (await stack.deps.store.findMerchantByEmail(owner))!.merchantId;
  await setUp(client, merchantId);
  const before = await outboxFiles(stack);
  expect((await client.post("/reports/access/invite", { email: BOOKS })).status).toBe(303);
  const invitation = (await emails("invitation")).filter((email) => !before.includes(email.file));
  expect(invitation, "one invitation").toHaveLength(1);
  const link = /http:\/\/localhost:\d+\/invitations\/accept\?token=[A-Za-z0-9_-]{43}/.exec(invitation[0]!.raw)?.[0];
  if (!link) throw new Error("the invitation has no link");
  return { merchantId, link };
}

/** Moves the stack's clock to `at` and runs the scheduler there (a tick already under way ran on the clock it began with). */
async function tickAt(at: Date): Promise<void> {
  offsetMs = at.getTime() - Date.now();
  await stack.tick();
  await stack.tick();
}

beforeAll(async () => {
  run = await openBrowserRun("combined-digest", clock);
  ({ stack, page } = run);
}, 60_000);

afterAll(async () => {
  await run?.close();
});

describe("an accountant's one morning digest for two clients, in Chromium", () => {
  let links: string[] = [];

  it("two businesses invite the accountant, who accepts both", async () => {
    const main = await business(MAIN_OWNER, "Main Street Coffee", async (client, merchantId) => {
      await client.connect("square", DEMO.square.merchantId);
      await client.connect("quickbooks", DEMO.quickbooks.realmId);
      const connections = await stack.deps.store.listConnections(merchantId);
      const connectionOf = (provider: string) => connections.find((connection) => connection.provider === provider)!.connectionId;
      await stack.deps.store.putLocation({
        merchantId, locationId: DEMO.square.locationId, source: "square", name: DEMO.square.locationName,
        posConnectionId: connectionOf("square"), quickbooksConnectionId: connectionOf("quickbooks"),
        timeZone: DEMO.timeZone, dayStart: "00:00", currency: DEMO.currency, mapping: DEMO_SQUARE_MAPPING, updatedAt: clock().toISOString(),
      });
      expect((await client.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(303);
    });
    mainId = main.merchantId;
    const other = await business(ALDER_OWNER, "Alder Bakery", async (_client, merchantId) => {
      const location: LocationConfig = {
        merchantId, locationId: "ALDER1", source: "clover", name: "Alder Lane", posConnectionId: "none", quickbooksConnectionId: "none",
        timeZone: DEMO.timeZone, dayStart: "00:00", currency: DEMO.currency, mapping: DEMO_SQUARE_MAPPING, updatedAt: clock().toISOString(),
      };
      await stack.deps.store.putLocation(location);
      alder = { businessId: merchantId, name: "Alder Bakery", owner: ALDER_OWNER, location };
    });
    links = [main.link, other.link];

    for (const link of links) {
      await page.goto(link);
      await page.getByRole("button", { name: "Accept the invitation" }).click();
      await page.waitForURL(/\/clients$/);
    }
    await expect(page.getByRole("heading", { name: "Your clients (2)" }).count()).resolves.toBe(1);
    // Two sign-ins, two connections and two acceptances: more than the default 30 s on a busy machine.
  }, 120_000);

  it("the night: Main Street Coffee's day is held for review, Alder Bakery's posted; no digest before 07:00", async () => {
    await stack.runJob({ merchantId: mainId, locationId: DEMO.square.locationId, businessDay: day, kind: "first" });
    expect((await stack.deps.store.getSyncRecord(mainId, DEMO.square.locationId, day))?.state).toBe("held");
    const personId = (await stack.deps.store.findMerchantByEmail(BOOKS))!.merchantId;
    await clientNight({ store: stack.deps.store, members: stack.deps.members, digests: stack.worker.digests }, alder, [personId], day, clock());
    await tickAt(localInstant(today, DEMO.timeZone, "06:30"));
    expect(await emails("digest")).toEqual([]);
  });

  it("at 07:30 each owner gets their business's digest and the accountant exactly one email with both, the client that needs attention first; later ticks send nothing", async () => {
    await tickAt(localInstant(today, DEMO.timeZone, "07:30"));
    const digests = await emails("digest");
    expect(digests.map(toOf).sort(), "one digest per address").toEqual([BOOKS, ALDER_OWNER, MAIN_OWNER].sort());
    const combined = digests.find((email) => toOf(email) === BOOKS)!;
    expect(subjectOf(combined)).toBe(`Your clients: ${formatDay(day)} – 2 clients, 1 needs attention`);
    expect(subjectOf(digests.find((email) => toOf(email) === MAIN_OWNER)!)).toMatch(new RegExp(`^Main Street Coffee: ${formatDay(day)} – \\d+ things need attention$`));
    expect(subjectOf(digests.find((email) => toOf(email) === ALDER_OWNER)!)).toBe(`Alder Bakery: ${formatDay(day)} – nothing needs attention`);

    const text = partOf(combined.raw, "text/plain").replaceAll("\r\n", "\n");
    // Held, and the first night's items the demo mapping leaves without an account.
    const main = text.search(/^Main Street Coffee: 1 held day, \d+ new unmapped items\n/m);
    const other = text.indexOf("Alder Bakery\n");
    expect(main, "Main Street Coffee's block").toBeGreaterThan(0);
    expect(other, "Alder Bakery's block, after").toBeGreaterThan(main);
    expect(text).toContain(`${DEMO.square.locationName}, ${formatDay(day)}: held for review`);
    expect(text).toContain(`Alder Lane, ${formatDay(day).slice(0, 3)}`);
    expect(text).toMatch(/Review and approve: http:\/\/localhost:\d+\/approve\?token=/);

    await tickAt(localInstant(today, DEMO.timeZone, "08:30"));
    expect(await emails("digest")).toHaveLength(3);
  });

  it("reads as a page that passes the page checks, on a desktop and on a 375 px phone", async () => {
    const combined = (await emails("digest")).find((email) => toOf(email) === BOOKS)!;
    const viewer = await run!.context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, combined.file.replace(/\.eml$/, ".html"))}`);
    await expect(viewer.getByRole("heading", { level: 2 }).allTextContents()).resolves.toEqual(["Needs attention", expect.stringMatching(/^Main Street Coffee: 1 held day, \d+ new unmapped items$/), "Alder Bakery", "Square payouts daybook does not post"]);
    await expect(viewer.getByRole("heading", { level: 3, name: `${DEMO.square.locationName}, ${formatDay(day)}: held for review` }).count()).resolves.toBe(1);
    await checkPage(viewer, "combined-digest-email");
    await viewer.close();
  });

  it("opens Alder Bakery's day from it while the session works on Main Street Coffee: asked first, then on Alder Bakery's day", async () => {
    const combined = (await emails("digest")).find((email) => toOf(email) === BOOKS)!;
    const viewer = await run!.context.newPage();
    await viewer.goto(`file://${join(stack.outboxDir, combined.file.replace(/\.eml$/, ".html"))}`);
    const href = await viewer.locator(`a[href*="/clients/open?business=${alder.businessId}&next=%2Fdays%2F"]`).first().getAttribute("href");
    await viewer.close();
    expect(href).toContain(`next=${encodeURIComponent(`/days/${alder.location.locationId}/${day}`)}`);

    // The night's session has timed out by morning: the link goes to the sign-in page, and the sign-in back to the link.
    await page.goto(href!.replace(/^https?:\/\/[^/]+/, stack.url));
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await expect(page.locator("main").textContent()).resolves.toContain("Sign in to continue to the page you opened");
    const before = await outboxFiles(stack);
    await page.getByLabel("Email address").fill(BOOKS);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    const signInLink = /http:\/\/localhost:\d+\/sign-in\/confirm\?token=[A-Za-z0-9_-]+/.exec((await newestEmail(stack, before)).raw)?.[0];
    await page.goto(signInLink!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/clients\/open\?/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Open Alder Bakery?");
    // Working on another client first, the same link asks before switching.
    await page.goto(`${stack.url}/clients`);
    await page.getByRole("button", { name: "Open Main Street Coffee", exact: true }).click();
    await page.waitForURL(/\/history$/);
    await page.goto(href!.replace(/^https?:\/\/[^/]+/, stack.url));
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Open Alder Bakery?");
    await expect(page.locator("main").textContent()).resolves.toContain("This link is for Alder Bakery. You are working on Main Street Coffee now.");
    await checkPage(page, "open-client");
    await page.getByRole("button", { name: "Work on Alder Bakery and open the page" }).click();
    await page.waitForURL(new RegExp(`/days/${alder.location.locationId}/${day}$`));
    await expect(page.getByText("Working on Alder Bakery").count()).resolves.toBe(1);
  });

  it("stops for both clients from its one-click link, and the page says so", async () => {
    const combined = (await emails("digest")).find((email) => toOf(email) === BOOKS)!;
    const link = /^List-Unsubscribe: <(.+)>$/m.exec(combined.raw)?.[1]?.trim();
    expect(link, "the List-Unsubscribe header").toBeDefined();
    await page.goto(link!.replace(/^https?:\/\/[^/]+/, stack.url));
    await expect(page.locator("main").textContent()).resolves.toContain("This address will get no more email from daybook about your 2 clients: Alder Bakery and Main Street Coffee. Each business is told");
    await checkPage(page, "combined-unsubscribe");
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await expect(page.getByRole("heading", { name: "Unsubscribed" }).count()).resolves.toBe(1);
    await expect(page.locator("main").textContent()).resolves.toContain("no more email from daybook about your 2 clients: Alder Bakery and Main Street Coffee. Each business sees that on its reports page");
    await checkPage(page, "combined-unsubscribed");
    for (const id of [mainId, alder.businessId]) expect(isUnsubscribed(await stack.deps.recipients.get(id), BOOKS)).toBe(true);
    expect((await emails("unsubscribe-notice")).map(toOf).sort()).toEqual([ALDER_OWNER, MAIN_OWNER].sort());
  });

  it("met no Content Security Policy refusal", () => {
    expect(run?.consoleErrors).toEqual([]);
  });
});
