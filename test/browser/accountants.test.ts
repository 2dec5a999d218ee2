/**
 * An accountant with two clients, in the system Chromium (/usr/bin/chromium through playwright-core)
 * against the local stack `npm start` runs. Merchant A (Alder Bakery) has Square and QuickBooks
 * connected and review mode on, so yesterday is held; merchant B (Birch Cafe) has a location that
 * posted. In the browser: A invites the accountant from the reports page; the accountant accepts from
 * the emailed link, and accepts B's invitation too; the client list shows both businesses, A's held day
 * first; the accountant approves it (QuickBooks then holds its entry) and is refused B's connections
 * page; A removes the access and the accountant's next request is refused. The merchants' set-up
 * (signing in, connecting, the location) runs headless over HTTP, as the smoke run does: the first-run
 * browser test covers it. Every page the accountant sees is screenshotted and checked
 * (test/artifacts/browser-accountants/).
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getBackfill } from "../../lib/schedule/backfill";
import { formatDay } from "../../lib/report/format";
import { DEMO, DEMO_SQUARE_MAPPING } from "../../sandbox/local-stack/demo";
import { type LocalStack, startLocalStack } from "../../sandbox/local-stack/stack";
import { WebClient } from "../../sandbox/local-stack/web-client";
import { checkPage, clearScreenshots, collectCspRefusals, DESKTOP } from "./page-checks";
import { chromiumOfThisWorker } from "./steps";

const FOLDER = "accountants";
const A_EMAIL = "owner@alder.daybook.localhost";
const B_EMAIL = "owner@birch.daybook.localhost";
const BOOKS = "books@ledger.daybook.localhost";

let stack: LocalStack;
let dataDir: string;
let browser: Browser;
let ownerContext: BrowserContext;
let accountantContext: BrowserContext;
let owner: Page;
let accountant: Page;
let aId = "";
/** A's held day: yesterday in the demo's time zone. */
let heldDay = "";
/** The invitations' links, from the outbox. */
let alderLink = "";
let birchLink = "";
const consoleErrors: string[] = [];

async function emailFiles(): Promise<string[]> {
  return (await readdir(stack.outboxDir).catch(() => [] as string[])).filter((file) => file.endsWith(".eml"));
}

/** The link of the one invitation email sent since `before`, to `to`. */
async function invitationLink(before: string[], to: string): Promise<string> {
  const added = (await emailFiles()).filter((file) => !before.includes(file));
  const messages = await Promise.all(added.map((file) => readFile(join(stack.outboxDir, file), "utf8")));
  const invitations = messages.filter((raw) => /^X-Daybook-Purpose: invitation/m.test(raw) && raw.includes(to));
  expect(invitations, "one invitation email").toHaveLength(1);
  const link = /http:\/\/localhost:\d+\/invitations\/accept\?token=[A-Za-z0-9_-]{43}/.exec(invitations[0]!)?.[0];
  if (!link) throw new Error("the invitation email has no link");
  return link;
}

/** Merchant A: Square and QuickBooks connected, the demo location mapped, review mode on, yesterday synced and held. */
async function alderWithHeldDay(): Promise<void> {
  const client = new WebClient(stack.url);
  await client.signIn(A_EMAIL, stack.outboxDir);
  await client.connect("square", DEMO.square.merchantId);
  await client.connect("quickbooks", DEMO.quickbooks.realmId);
  const merchant = (await stack.deps.store.findMerchantByEmail(A_EMAIL))!;
  aId = merchant.merchantId;
  await stack.deps.store.putMerchant({ ...merchant, name: "Alder Bakery" });
  const connections = await stack.deps.store.listConnections(aId);
  const connectionOf = (provider: string) => connections.find((connection) => connection.provider === provider)!.connectionId;
  await stack.deps.store.putLocation({
    merchantId: aId, locationId: DEMO.square.locationId, source: "square", name: DEMO.square.locationName,
    posConnectionId: connectionOf("square"), quickbooksConnectionId: connectionOf("quickbooks"),
    timeZone: DEMO.timeZone, dayStart: "00:00", currency: DEMO.currency, mapping: DEMO_SQUARE_MAPPING, updatedAt: stack.deps.now().toISOString(),
  });
  expect((await client.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(303);
  const started = await client.post("/backfill/latest", { locationId: DEMO.square.locationId });
  expect(started.status).toBe(303);
  await stack.queue.idle();
  const backfill = await getBackfill(stack.deps, aId, (started.headers.get("Location") ?? "").slice("/backfill/".length));
  heldDay = backfill?.from ?? "";
  expect((await stack.deps.store.getSyncRecord(aId, DEMO.square.locationId, heldDay))?.state).toBe("held");
}

/** Merchant B: a Clover location whose yesterday posted (the record as the worker leaves it; B's own syncs are not under test). */
async function birchPosted(): Promise<void> {
  const client = new WebClient(stack.url);
  await client.signIn(B_EMAIL, stack.outboxDir);
  const merchant = (await stack.deps.store.findMerchantByEmail(B_EMAIL))!;
  const bId = merchant.merchantId;
  await stack.deps.store.putMerchant({ ...merchant, name: "Birch Cafe" });
  const at = stack.deps.now().toISOString();
  await stack.deps.store.putLocation({
    merchantId: bId, locationId: "BIRCH1", source: "clover", name: "Birch Street", posConnectionId: "none", quickbooksConnectionId: "none",
    timeZone: DEMO.timeZone, dayStart: "00:00", currency: DEMO.currency, mapping: DEMO_SQUARE_MAPPING, updatedAt: at,
  });
  await stack.deps.store.saveSyncRecord({ merchantId: bId, locationId: "BIRCH1", businessDay: heldDay, state: "posted", attempts: 1, posted: [], updatedAt: at }, 0);
  const before = await emailFiles();
  expect((await client.post("/reports/access/invite", { email: BOOKS })).status).toBe(303);
  birchLink = await invitationLink(before, BOOKS);
}
beforeAll(async () => {
  clearScreenshots(FOLDER);
  dataDir = await mkdtemp(join(tmpdir(), "daybook-browser-accountants-"));
  stack = await startLocalStack({ dataDir, ports: { web: 0, square: 0, clover: 0, quickbooks: 0 }, log: () => undefined });
  await alderWithHeldDay();
  await birchPosted();
  browser = await chromiumOfThisWorker();
  ownerContext = await browser.newContext({ viewport: DESKTOP });
  accountantContext = await browser.newContext({ viewport: DESKTOP, userAgent: "Accountant Browser/1" });
  owner = await ownerContext.newPage();
  accountant = await accountantContext.newPage();
  for (const page of [owner, accountant]) {
    page.setDefaultTimeout(15_000);
    collectCspRefusals(page, consoleErrors);
  }
}, 120_000);

afterAll(async () => {
  await (ownerContext as BrowserContext | undefined)?.close();
  await (accountantContext as BrowserContext | undefined)?.close();
  await (stack as LocalStack | undefined)?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("an accountant with two clients, in Chromium", () => {
  it("merchant A invites the accountant from the reports page", async () => {
    const before = await emailFiles();
    await owner.goto(`${stack.url}/sign-in`);
    await owner.getByLabel("Email address").fill(A_EMAIL);
    await owner.getByRole("button", { name: "Email me a sign-in link" }).click();
    const added = (await emailFiles()).filter((file) => !before.includes(file));
    const raw = await readFile(join(stack.outboxDir, added.at(-1)!), "utf8");
    await owner.goto(/http:\/\/localhost:\d+\/sign-in\/confirm\?token=[A-Za-z0-9_-]+/.exec(raw)![0]);
    await owner.getByRole("button", { name: "Sign in" }).click();
    await owner.waitForURL(/\/connections$/);

    await owner.getByRole("link", { name: "Reports" }).click();
    const sent = await emailFiles();
    await owner.getByLabel("Their email address").fill(BOOKS);
    await owner.getByRole("button", { name: "Send invitation" }).click();
    await expect.poll(() => owner.getByRole("status").first().textContent()).toMatch(/Invitation sent/);
    await expect(owner.getByRole("button", { name: `Withdraw the invitation to ${BOOKS}` }).count()).resolves.toBe(1);
    await checkPage(owner, "owner-reports-invited");
    alderLink = await invitationLink(sent, BOOKS);
  });

  it("the accountant accepts both invitations and sees both businesses on the client list, A's held day first", async () => {
    await accountant.goto(alderLink);
    await expect(accountant.getByText(`Alder Bakery invited ${BOOKS}`).count()).resolves.toBeGreaterThan(0);
    await checkPage(accountant, "invitation");
    await accountant.getByRole("button", { name: "Accept the invitation" }).click();
    await accountant.waitForURL(/\/clients$/);

    await accountant.goto(birchLink);
    await accountant.getByRole("button", { name: "Accept the invitation" }).click();
    await accountant.waitForURL(/\/clients$/);
    await expect(accountant.getByRole("heading", { name: "Your clients (2)" }).count()).resolves.toBe(1);
    const table = accountant.getByRole("table", { name: "Your clients" });
    await expect(table.getByRole("rowheader").allTextContents()).resolves.toEqual(["Alder Bakery", "Birch Cafe"]);
    await expect(table.getByRole("row", { name: /Birch Cafe/ }).textContent()).resolves.toContain(`Posted ${formatDay(heldDay)}`);
    await expect(accountant.getByRole("region", { name: "Needs attention" }).textContent()).resolves.toMatch(new RegExp(`Held: Alder Bakery, ${DEMO.square.locationName}`));
    await checkPage(accountant, "clients");
  });

  it("approves A's held day, which QuickBooks then holds once", async () => {
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === heldDay)).toHaveLength(0);
    await accountant.getByRole("button", { name: `Review ${DEMO.square.locationName} of Alder Bakery, ${formatDay(heldDay)}` }).click();
    await accountant.waitForURL(new RegExp(`/days/${DEMO.square.locationId}/${heldDay}$`));
    await expect(accountant.getByText("Working on Alder Bakery").count()).resolves.toBeGreaterThan(0);
    await checkPage(accountant, "held-day");
    await accountant.getByRole("button", { name: "Approve and post to QuickBooks" }).click();
    await expect(accountant.getByRole("heading", { name: "Approved" }).count()).resolves.toBe(1);
    await checkPage(accountant, "approved");
    await stack.queue.idle();
    expect((await stack.deps.store.getSyncRecord(aId, DEMO.square.locationId, heldDay))?.state).toBe("posted");
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).filter((entry) => entry["TxnDate"] === heldDay)).toHaveLength(1);
  });

  it("cannot open B's connections page while working on B", async () => {
    await accountant.goto(`${stack.url}/clients`);
    await accountant.getByRole("button", { name: "Open Birch Cafe" }).click();
    await accountant.waitForURL(/\/history$/);
    await expect(accountant.getByText("Working on Birch Cafe").count()).resolves.toBeGreaterThan(0);
    const refused = await accountant.goto(`${stack.url}/connections`);
    expect(refused?.status()).toBe(403);
    await expect(accountant.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Only the owner can do this");
    await checkPage(accountant, "connections-refused");
  });

  it("is refused on the very next request once merchant A removes the access", async () => {
    await accountant.goto(`${stack.url}/clients`);
    await accountant.getByRole("button", { name: "Open Alder Bakery" }).click();
    await accountant.waitForURL(/\/history$/);
    await expect(accountant.getByText("Working on Alder Bakery").count()).resolves.toBeGreaterThan(0);

    await owner.getByRole("link", { name: "Reports" }).click();
    await owner.getByRole("button", { name: `Remove access for ${BOOKS}` }).click();
    await expect.poll(() => owner.getByRole("status").first().textContent()).toMatch(/Access removed/);

    const refused = await accountant.reload();
    expect(refused?.status()).toBe(403);
    await expect(accountant.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Your access has ended");
    await expect(accountant.getByText(DEMO.square.locationName).count()).resolves.toBe(0);
    await checkPage(accountant, "access-ended");
    await accountant.getByRole("link", { name: "Go to your clients" }).click();
    await expect(accountant.getByRole("heading", { name: "Your clients (1)" }).count()).resolves.toBe(1);
    await expect(accountant.getByRole("table", { name: "Your clients" }).getByRole("rowheader").allTextContents()).resolves.toEqual(["Birch Cafe"]);
    expect(await stack.deps.members.getMembership((await stack.deps.store.findMerchantByEmail(BOOKS))!.merchantId, aId)).toBeUndefined();
  });

  it("met no Content Security Policy refusal", () => {
    expect(consoleErrors).toEqual([]);
  });
});
