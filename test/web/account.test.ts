/**
 * The account page: the export download, account deletion (revoked at the providers, nothing of the
 * merchant left in the table, every session ended), and the reconnect email the token keeper sends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthError } from "../../lib/oauth/provider";
import { openTokens } from "../../lib/oauth/tokens";
import { syncJobSchema } from "../../lib/schedule/job";
import { processJob } from "../../lib/worker/process-job";
import { entry as payoutEntry, payoutOf, summaryOfPayout } from "../support/payouts";
import { accept, invite } from "./accountants-world";
import { addEmailLinks, type EmailLinksWorld } from "./email-links-world";
import { accessWorks, addBackfillPages, canonicalJson, CLOVER_APP_ID, createWebWorld, expectCleanLogs, PUBLIC_URL, type WebWorld, workerOf } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
const secrets: string[] = [];
beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
  addBackfillPages(world, world.deps.links!.queue);
});
afterAll(async () => {
  expectCleanLogs(world, secrets);
  links.close();
  await world.close();
});

let counter = 0;
const newAddress = () => `account${++counter}.${Date.now()}@example.com`;

const MAPPING = {
  defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" },
};

async function merchantWithEverything() {
  const address = newAddress();
  const browser = world.browser({ userAgent: "Export Browser/1.0", ip: "198.51.100.99" });
  await browser.signIn(address);
  for (const provider of ["square", "clover", "quickbooks"] as const) expect((await browser.connect(provider)).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
  const connections = await world.deps.store.listConnections(merchantId);
  for (const connection of connections) {
    const tokens = await openTokens(world.deps.vault, connection);
    secrets.push(tokens.accessToken, ...(tokens.refreshToken ? [tokens.refreshToken] : []));
  }
  const square = connections.find((connection) => connection.provider === "square")!;
  const books = connections.find((connection) => connection.provider === "quickbooks")!;
  await world.deps.store.setMerchantTimeZone(merchantId, "America/Los_Angeles");
  await world.deps.store.putLocation({
    merchantId, locationId: "LOC1", source: "square", name: "Main Street", posConnectionId: square.connectionId, quickbooksConnectionId: books.connectionId,
    timeZone: "America/New_York", dayStart: "04:00", currency: "USD", mapping: MAPPING, updatedAt: world.clock.date().toISOString(),
  });
  return { address, browser, merchantId, connections };
}

describe("the export", () => {
  it("downloads one JSON file with the profile, connections without secrets, locations, payout records as readable JSON and sessions", async () => {
    const { address, browser, merchantId, connections } = await merchantWithEverything();
    // A payout record, which the table keeps compressed (lib/store/payout-items.ts): 100.00 of card sales less 2.90 of fees.
    const summary = summaryOfPayout(payoutOf({ id: "po_export", locationId: "LOC1", amount: 9_710, arrivalDate: "2025-06-02" }), [payoutEntry("CHARGE", "2025-05-30T16:00:00Z", 10_000, 290)]);
    await world.deps.payouts.savePayout({
      merchantId, locationId: "LOC1", payoutTag: summary.tag, state: "posted", summary, warnings: [], updatedAt: summary.updatedAt, expiresAt: "2026-07-03T00:00:00.000Z",
      posted: [{ kind: "deposit", docNumber: `DP250602-${summary.tag}`, entryId: "900", txnDate: "2025-06-02", requestId: "r", total: 9_710, bankAccountId: "11", clearingAccountId: "8", postedAt: summary.updatedAt }],
    }, 0);
    const response = await browser.get("/account/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="daybook-export-${world.clock.date().toISOString().slice(0, 10)}.json"`);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const text = await response.text();
    const exported = JSON.parse(text) as Record<string, unknown>;

    expect(exported["merchant"]).toMatchObject({ merchantId, email: address, timeZone: "America/Los_Angeles" });
    expect(exported["connections"]).toHaveLength(3);
    for (const connection of connections) {
      expect(exported["connections"]).toContainEqual(expect.objectContaining({ connectionId: connection.connectionId, provider: connection.provider, externalId: connection.externalId }));
      expect(text).not.toContain(connection.tokenCiphertext);
    }
    expect(text).not.toContain("tokenCiphertext");
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(exported["locations"]).toEqual([expect.objectContaining({ locationId: "LOC1", dayStart: "04:00", mapping: MAPPING })]);
    expect(exported["syncRecords"]).toEqual([]);
    expect(exported["other"]).toContainEqual(expect.objectContaining({
      locationId: "LOC1", payoutTag: summary.tag, state: "posted", summary, posted: [expect.objectContaining({ docNumber: `DP250602-${summary.tag}`, total: 9_710 })], warnings: [],
    }));
    expect(text).not.toContain("recordZ");
    expect(exported["sessions"]).toEqual([expect.objectContaining({ userAgent: "Export Browser/1.0", approximateIp: "198.51.100.0/24" })]);
    expect(text).not.toMatch(/sessionHash|[0-9a-f]{64}/);
  });

  it("needs a session", async () => {
    const response = await world.browser().get("/account/export");
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in?next=%2Faccount%2Fexport");
  });
});

describe("the time zone", () => {
  const merchantOf = async (address: string) => (await world.deps.store.findMerchantByEmail(address))!;

  it("is chosen on the account page, and the pages show their times in it", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    expect(await (await browser.get("/account")).text()).toContain("daybook&#39;s pages show times in UTC until you choose your time zone.");

    const saved = await browser.post("/account/time-zone", { timeZone: " America/Los_Angeles " });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe("/account?zone#time-zone");
    expect((await merchantOf(address)).timeZone).toBe("America/Los_Angeles");
    const account = await (await browser.get("/account?zone")).text();
    expect(account).toContain("Time zone saved: daybook&#39;s pages show times in America/Los_Angeles.");
    expect(account).toMatch(/name="timeZone"[^>]*value="America\/Los_Angeles"/);
    expect(account).toMatch(/since \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} P[SD]T\./);
    const sessions = await (await browser.get("/sessions")).text();
    expect(sessions).toMatch(/<td>\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} P[SD]T<\/td>/);
    expect(sessions).not.toContain("Times are in UTC");
  });

  it("refuses an abbreviation, a bare offset, an unknown zone or none, next to the field, keeping what was typed, and changes nothing", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    await world.deps.store.setMerchantTimeZone((await merchantOf(address)).merchantId, "America/Chicago");
    const before = await merchantOf(address);
    for (const [typed, message] of [
      ["PST", "is an abbreviation, not a time zone"],
      ["Etc/GMT+8", "is a fixed offset (UTC-08:00) with no daylight saving"],
      ["Mars/Olympus", "That is not a time zone daybook knows."],
      ["", "Enter a time zone"],
    ] as const) {
      const refused = await browser.post("/account/time-zone", { timeZone: typed });
      expect(refused.status, typed).toBe(400);
      const html = await refused.text();
      expect(html, typed).toMatch(new RegExp(`id="merchant-time-zone-error"[^>]*>[^<]*${message.replace(/[.()+]/g, "\\$&")}`));
      expect(html, typed).toContain(`value="${typed}"`);
    }
    expect(await merchantOf(address)).toEqual(before);
  });
});

describe("deleting the account", () => {
  it("refuses a confirmation that is not the account's address, keeping what was typed next to the message", async () => {
    const { browser, merchantId } = await merchantWithEverything();
    const before = (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId)).sort();
    const wrong = await browser.post("/account/delete", { email: "someone.else@example.com" });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain('value="someone.else@example.com"');
    expect(html).toContain("That is not the address you signed in with.");
    const empty = await browser.post("/account/delete", { email: "" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter your email address.");
    // The sessions' last-seen times moved with these requests; nothing else did.
    const after = (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId) && !item.includes('"SESSION#')).sort();
    expect(after).toEqual(before.filter((item) => !item.includes('"SESSION#')));
  });

  it("revokes at the providers, ends every session and leaves nothing of the merchant in the table", async () => {
    const { address, browser, merchantId, connections } = await merchantWithEverything();
    const otherDevice = world.browser();
    await otherDevice.signIn(address);
    const tokens = await Promise.all(connections.map((connection) => openTokens(world.deps.vault, connection)));
    const revokes = { square: world.square.requestLog().RevokeToken ?? 0, quickbooks: world.quickbooks.requestCounts().revoke };

    const response = await browser.post("/account/delete", { email: ` ${address.toUpperCase()} ` });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Your account is deleted");
    expect(response.headers.getSetCookie()).toEqual(["__Host-daybook_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]);

    expect(world.square.requestLog().RevokeToken).toBe(revokes.square + 1);
    expect(world.quickbooks.requestCounts().revoke).toBe(revokes.quickbooks + 1);
    for (const [index, connection] of connections.entries()) {
      if (connection.provider === "clover") continue; // no revoke endpoint at Clover
      expect(await accessWorks(world, connection.provider, tokens[index]!.accessToken, connection.externalId)).toBe(false);
    }

    const left = (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId) || item.includes(address));
    expect(left).toEqual([]);
    expect(await world.deps.store.findMerchantByEmail(address)).toBeUndefined();
    expect((await otherDevice.get("/connections")).status).toBe(303);

    // The address can start over: a new sign-in makes a new, empty account.
    await world.browser().signIn(address);
    const fresh = await world.deps.store.findMerchantByEmail(address);
    expect(fresh?.merchantId).not.toBe(merchantId);
    expect(await world.deps.store.listConnections(fresh!.merchantId)).toEqual([]);
  });
});

describe("deleting an account made through the pages", () => {
  it("leaves nothing with the merchant's id in a raw scan of the table: schedule, records, reports, backfill, settings, sessions and flows in progress included", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    for (const provider of ["square", "clover", "quickbooks"] as const) expect((await browser.connect(provider)).status).toBe(303);
    const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
    const connections = await world.deps.store.listConnections(merchantId);
    for (const connection of connections) {
      const tokens = await openTokens(world.deps.vault, connection);
      secrets.push(tokens.accessToken, ...(tokens.refreshToken ? [tokens.refreshToken] : []));
    }
    const connectionOf = (provider: string) => connections.find((connection) => connection.provider === provider)!;

    // The Square location, set up on the locations page: stored, with a suggested mapping, and scheduled.
    // Square's locations are "L…" in the simulator; the Clover merchant ("CL…") is a location of its own.
    const locationId = /name="locationId" value="(L[^"]+)"/.exec(await (await browser.get("/locations")).text())?.[1];
    expect(locationId).toBeDefined();
    const saved = await browser.post("/locations", {
      posConnectionId: connectionOf("square").connectionId, locationId: locationId!, timeZone: "America/New_York", dayStart: "04:00",
      quickbooksConnectionId: connectionOf("quickbooks").connectionId,
    });
    expect(saved.status).toBe(303);
    // Go-live's last step: posting starts (from a day the backfill below covers too).
    expect((await browser.post(`/locations/${locationId!}/start`, { from: "2025-05-30" })).status).toBe(303);
    expect(await world.deps.dueIndex.get(merchantId, locationId!)).toBeDefined();

    // A day synced by the worker, a backfill asked for on its page and run, and the report settings.
    const worker = workerOf(world, links.key);
    await processJob(worker, { merchantId, locationId: locationId!, businessDay: "2025-06-01", kind: "first" }, { number: 1, max: 3 });
    expect((await browser.post("/backfill", { locationId: locationId!, from: "2025-05-30", to: "2025-05-31" })).status).toBe(303);
    for (const message of await links.drain()) await processJob(worker, syncJobSchema.parse(message.body), { number: 1, max: 3 });
    expect((await browser.post("/reports/recipients", { email: `books.${address}` })).status).toBe(303);
    expect((await browser.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(303);
    // A connection started and not finished, and a second device signed in.
    expect((await browser.post("/connect/square")).status).toBe(303);
    await world.browser().signIn(address);

    const before = (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId));
    for (const shape of ["DUE#", "DUEPTR#", "SYNC#", "REPORT#", "BACKFILL#", "RECIPIENTS", "SETTINGS#", "SESSION#", "OAUTHSTATE#", "LOCATION#", "CONNECTION#", "PROFILE"]) {
      expect(before.some((item) => item.includes(`"${shape}`) || item.includes(`#${shape}`) || item.includes(`"SK":"${shape}`)), shape).toBe(true);
    }

    const response = await browser.post("/account/delete", { email: address });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("Square has revoked daybook&#39;s access");
    expect(page).toContain("QuickBooks has revoked daybook&#39;s access");
    expect(page).toContain("continues until you uninstall daybook in Clover");
    expect(page).toContain(`href="https://www.clover.com/appmarket/apps/${CLOVER_APP_ID}"`);

    const left = (await world.scan()).map(canonicalJson).filter((item) => item.includes(merchantId) || item.includes(address));
    expect(left).toEqual([]);
    expect(world.logs.findLast((line) => line.message === "account deleted")?.fields).toMatchObject({ merchantId, revoked: 2, notRevocable: 1, revokeFailed: 0 });
  });
});

describe("deleting an account that gave or had an accountant's access", () => {
  it("takes a business off its accountant's clients, and an accountant off every client's members and recipients: nothing of either left in a raw scan", async () => {
    const [ownerA, ownerB, accountant] = [world.browser(), world.browser(), world.browser()];
    const [addressA, addressB, books] = [newAddress(), newAddress(), `books.${newAddress()}`];
    await ownerA.signIn(addressA);
    await ownerB.signIn(addressB);
    expect((await accept(accountant, await invite(world, ownerA, books))).status).toBe(303);
    expect((await accept(accountant, await invite(world, ownerB, books))).status).toBe(303);
    // One more invitation of A's, not yet used.
    await invite(world, ownerA, `late.${newAddress()}`);
    const idOf = async (address: string) => (await world.deps.store.findMerchantByEmail(address))!.merchantId;
    const [businessA, businessB, personId] = [await idOf(addressA), await idOf(addressB), await idOf(books)];
    const holding = async (text: string) => (await world.scan()).map(canonicalJson).filter((item) => item.includes(text));
    expect((await world.deps.members.listMemberships(personId)).map((each) => each.businessId).sort()).toEqual([businessA, businessB].sort());
    expect((await world.deps.recipients.get(businessB)).recipients?.map((each) => each.address)).toContain(books);

    expect((await ownerA.post("/account/delete", { email: addressA })).status).toBe(200);
    expect(await holding(businessA)).toEqual([]);
    expect((await world.deps.members.listMemberships(personId)).map((each) => each.businessId)).toEqual([businessB]);
    expect(await (await accountant.get("/clients")).text()).not.toContain(businessA);

    // The accountant deletes their own account, from their own account (not a client's).
    expect((await accountant.post("/clients/switch", { businessId: personId })).status).toBe(303);
    expect((await accountant.post("/account/delete", { email: books })).status).toBe(200);
    expect(await holding(personId)).toEqual([]);
    expect(await holding(books)).toEqual([]);
    expect(await world.deps.members.listMembers(businessB)).toEqual([]);
    expect((await world.deps.recipients.get(businessB)).recipients?.map((each) => each.address)).not.toContain(books);
    expect((await ownerB.get("/reports")).status).toBe(200);
  });
});

describe("the reconnect email", () => {
  it("is what the process's token keeper sends when QuickBooks refuses the tokens", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    expect((await browser.connect("quickbooks", world.accounts.quickbooks[1])).status).toBe(303);
    const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
    const [connection] = await world.deps.store.listConnections(merchantId);
    const tokens = await openTokens(world.deps.vault, connection!);
    secrets.push(tokens.accessToken, tokens.refreshToken ?? "");

    world.quickbooks.revokeAll(world.accounts.quickbooks[1]!);
    // The process's one keeper, as the app's pages and the worker use it (lib/wiring).
    const keeper = world.deps.tokens;
    const before = (await world.emails()).length;
    const failure = await keeper.refreshNow(connection!).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OAuthError);
    expect((failure as OAuthError).kind).toBe("needs-reconnect");

    const sent = (await world.emails()).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: address, purpose: "reconnect", subject: "Reconnect QuickBooks to daybook" });
    expect(sent[0]!.raw).toContain(`${PUBLIC_URL}/connections`);
    expect(sent[0]!.raw).not.toMatch(/token=/);
    expect(await world.deps.store.getConnection(merchantId, connection!.connectionId)).toMatchObject({ status: "needs-reconnect", tokenCiphertext: "" });
    expect(await (await browser.get("/connections")).text()).toContain("Reconnect: QuickBooks");
  });
});
