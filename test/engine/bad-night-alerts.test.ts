/**
 * A bad night for a merchant with many locations, through the worker's real path (lib/worker/
 * process-job.ts and process-night.ts, the alert of job-emails.ts) and the daily caps every email of
 * the in-memory runtime goes through (lib/email/caps.ts, wired by lib/wiring/email.ts): what must reach
 * the merchant (a day not posted, a connection to reconnect, locations that stopped posting) does, in
 * one alert per location-night, within an allowance the other emails cannot use; what a cap still holds
 * back is said on the reports page and owed, not forgotten.
 */
import { afterEach, describe, expect, it } from "vitest";
import { endConnection } from "../../lib/connections/end-connection";
import { sweepConnections } from "../../lib/connections/refresh-sweep";
import { DAILY_EMAIL_CAPS, type EmailCaps, type HeldEmail } from "../../lib/email/caps";
import type { OutgoingEmail } from "../../lib/email/email";
import { reconcilePostingStatus } from "../../lib/locations/posting-status";
import type { SyncJob } from "../../lib/schedule/job";
import { refreshSweepDepsOf } from "../../lib/wiring/worker";
import { processJob } from "../../lib/worker/process-job";
import { sealTokens } from "../../lib/oauth/tokens";
import { ProviderFailure } from "./fakes";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER } from "./runtime";

const DAY = "2025-06-14";
const EARLIER = ["2025-06-11", "2025-06-12", "2025-06-13"];
const attempt = { number: 1, max: 3 };
let world: EngineWorld;
let held: HeldEmail[];

afterEach(async () => {
  await world.close();
});

async function aWorld(caps: EmailCaps = DAILY_EMAIL_CAPS): Promise<void> {
  held = [];
  world = await createEngineWorld({ emailCaps: caps, onEmailHeld: (email) => held.push(email) });
}

/** The merchant's locations beside the world's own, each with sales on the night's day and the three before. */
async function locations(count: number): Promise<string[]> {
  const ids = [LOCATION_ID];
  for (let index = 1; index < count; index++) {
    const locationId = `L-${String(index).padStart(2, "0")}`;
    await world.services.storage.store.putLocation({ ...world.location, locationId, name: `Shop ${String(index)}` });
    ids.push(locationId);
  }
  for (const locationId of ids) for (const day of [...EARLIER, DAY]) world.pos.setDay(locationId, day, aDay());
  return ids;
}

interface Middlewared {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/** The refresh sweep, as the worker runs it every 6 hours. */
const sweep = () => sweepConnections({ ...refreshSweepDepsOf(world.services), log: () => undefined });
const night = (locationId: string, businessDay = DAY): SyncJob => ({ merchantId: MERCHANT_ID, locationId, businessDay, kind: "night" });
const toOwner = (purpose: OutgoingEmail["purpose"]) => world.email.sent.filter((email) => email.purpose === purpose && email.to.join() === OWNER);
/** An alert earlier that UTC day, which spends an owner allowance of 1. */
const spendAllowance = async () => expect(await world.services.email.send({ to: [OWNER], subject: "An earlier alert", text: "…", purpose: "alert", merchantId: MERCHANT_ID })).toBeUndefined();
const closedBooks = () => new ProviderFailure("QuickBooks refused the entry: the books are closed for that date", "needs-merchant");

describe("a bad night for a merchant with many locations", () => {
  it("brings every location's days that were not posted to the merchant, one alert per location, none held back", async () => {
    // More locations than the ordinary emails one address may get in a day (3 here, so the test stays
    // small: the real caps' 20 are the same rule; the next tests use them).
    const caps = { ...DAILY_EMAIL_CAPS, perRecipient: 3 };
    await aWorld(caps);
    const ids = await locations(caps.perRecipient + 1);
    // Every night of the merchant fails, its day and the three re-checked before it (never posted yet).
    world.pos.failure = closedBooks();
    for (const locationId of ids) expect(await processJob(world.worker, night(locationId), attempt)).toEqual({ status: "failed", emailsSent: 1 });

    expect(held).toEqual([]);
    const alerts = toOwner("alert");
    expect(alerts).toHaveLength(ids.length);
    expect(alerts[0]?.subject).toBe("Action needed: Main Street: Saturday 14 June 2025 and 3 days before were not posted");
    expect(alerts.at(-1)?.subject).toBe("Action needed: Shop 3: Saturday 14 June 2025 and 3 days before were not posted");
    const text = alerts.at(-1)?.text.replace(/\s+/g, " ") ?? "";
    for (const day of ["Wednesday 11 June 2025", "Thursday 12 June 2025", "Friday 13 June 2025", "Saturday 14 June 2025"]) {
      expect(text).toContain(`Shop 3: ${day} was not posted`);
    }
    // What and why, and what to do, for each day.
    expect(text.match(/Nothing was posted\. Reason: QuickBooks refused the entry: the books are closed for that date\./g)).toHaveLength(4);

    // The nights delivered again (SQS at least once): each alert went once.
    for (const locationId of ids.slice(0, 3)) expect(await processJob(world.worker, night(locationId), attempt)).toEqual({ status: "failed", emailsSent: 0 });
    expect(toOwner("alert")).toHaveLength(ids.length);
  });

  it("says a connection refused mid-night for the fault campaign's five locations: the reconnect request, the stopped-posting notice and each location's alert, none held back", async () => {
    // Under the old alerts (an email for each day) and one cap for everything: 5 nights × 4 days + 2 = 22 emails, the last two alerts held.
    await aWorld();
    const ids = await locations(5);
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    for (const locationId of ids) await processJob(world.worker, night(locationId), attempt);
    expect(held).toEqual([]);
    expect(toOwner("reconnect").map((email) => email.subject)).toEqual(["Reconnect Square to daybook"]);
    expect(toOwner("posting-status").map((email) => email.subject)).toEqual(["daybook stopped posting 5 locations"]);
    expect(toOwner("alert")).toHaveLength(5);
    expect(toOwner("alert").at(-1)?.text).toContain("Reconnect: https://daybook.test/connections");
  });

  it("keeps the merchant's alerts apart from the other emails' caps: neither can use up the other's", async () => {
    await aWorld();
    await locations(1);
    // Earlier that UTC day, the owner's address had all the ordinary email it may have.
    const ordinary = (purpose: OutgoingEmail["purpose"], to = OWNER): OutgoingEmail => ({ to: [to], subject: purpose, text: "…", purpose, merchantId: MERCHANT_ID });
    for (let index = 0; index < DAILY_EMAIL_CAPS.perRecipient; index++) await world.services.email.send(ordinary("backfill-summary"));
    expect(held).toEqual([]);

    world.pos.failure = closedBooks();
    expect(await processJob(world.worker, night(LOCATION_ID), attempt)).toEqual({ status: "failed", emailsSent: 1 });
    expect(toOwner("alert").map((email) => email.subject)).toEqual(["Action needed: Main Street: Saturday 14 June 2025 and 3 days before were not posted"]);
    // The alert did not count as ordinary email, nor make room for more of it.
    expect(await world.services.email.send(ordinary("digest"))).toBe("held");
    expect(held).toEqual([{ merchantId: MERCHANT_ID, purpose: "digest", reason: "recipient" }]);
    // The allowance is the owner's address's only: an alert to anyone else counts as ordinary email.
    for (let index = 0; index < DAILY_EMAIL_CAPS.perRecipient; index++) await world.services.email.send(ordinary("alert", "someone@example.com"));
    expect(await world.services.email.send(ordinary("alert", "someone@example.com"))).toBe("held");
    expect(held.at(-1)).toEqual({ merchantId: MERCHANT_ID, purpose: "alert", reason: "recipient" });
  });

  it("owes an alert past the merchant's allowance: says which on the reports page, and sends it with the day's next re-check", async () => {
    await aWorld({ ...DAILY_EMAIL_CAPS, ownerAlerts: 2 });
    const ids = await locations(3);
    world.pos.failure = closedBooks();
    const results = [];
    for (const locationId of ids) results.push(await processJob(world.worker, night(locationId), attempt));
    // The third location's alert is held: not counted as sent, and named for the reports page.
    expect(results.map((result) => result.emailsSent)).toEqual([1, 1, 0]);
    expect(held).toEqual([{ merchantId: MERCHANT_ID, purpose: "alert", reason: "owner-alerts" }]);
    expect(await world.services.storage.heldEmails.listHeld(MERCHANT_ID, new Date("2025-06-15T00:00:00.000Z"))).toEqual([
      { day: "2025-06-15", count: 1, purposes: ["alert"], alerts: ["Action needed: Shop 2: Saturday 14 June 2025 and 3 days before were not posted"] },
    ]);

    // Run again the same UTC day (a redelivery): still held, still owed, counted once.
    expect(await processJob(world.worker, night(ids[2]!), attempt)).toMatchObject({ emailsSent: 0 });
    expect(await world.services.storage.heldEmails.listHeld(MERCHANT_ID, new Date("2025-06-15T00:00:00.000Z"))).toMatchObject([{ count: 1 }]);
    // The next night, its re-check fails the same way: the days still owed go with the new one's.
    world.clock.at = new Date("2025-06-16T09:00:00.000Z");
    world.pos.setDay(ids[2]!, "2025-06-15", aDay());
    expect(await processJob(world.worker, night(ids[2]!, "2025-06-15"), attempt)).toEqual({ status: "failed", emailsSent: 1 });
    const last = toOwner("alert").at(-1);
    expect(last?.subject).toBe("Action needed: Shop 2: Sunday 15 June 2025 and 3 days before were not posted");
    for (const day of ["Thursday 12 June 2025", "Friday 13 June 2025", "Saturday 14 June 2025", "Sunday 15 June 2025"]) {
      expect(last?.text.replace(/\s+/g, " ")).toContain(`Shop 2: ${day} was not posted`);
    }
    // Told now: the next run sends nothing more.
    expect(await processJob(world.worker, night(ids[2]!, "2025-06-15"), attempt)).toMatchObject({ emailsSent: 0 });
    expect(toOwner("alert")).toHaveLength(3);
  });

  it("owes a reconnect request past the merchant's allowance: names it on the reports page, and the refresh sweep sends it once a new UTC day allows, once", async () => {
    await aWorld({ ...DAILY_EMAIL_CAPS, ownerAlerts: 1 });
    await locations(1);
    const owed = async () => (await world.services.storage.store.getConnection(MERCHANT_ID, "square-1"))?.reconnectHeldAt;
    // Earlier that UTC day, the merchant's allowance went on other alerts.
    await spendAllowance();
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    await processJob(world.worker, night(LOCATION_ID), attempt);
    expect(toOwner("reconnect")).toEqual([]);
    expect(held).toContainEqual({ merchantId: MERCHANT_ID, purpose: "reconnect", reason: "owner-alerts" });
    expect((await world.services.storage.heldEmails.listHeld(MERCHANT_ID, new Date("2025-06-15T00:00:00.000Z")))[0]?.alerts).toContain("Reconnect Square to daybook");
    expect(await owed()).toBe("2025-06-15T09:00:00.000Z");

    // The same UTC day the allowance is still spent: the sweep leaves it owed.
    expect(await sweep()).toMatchObject({ askedAgain: 0 });
    // The next UTC day, spent again before the sweep: held again, never past the cap, still owed.
    world.clock.at = new Date("2025-06-16T03:00:00.000Z");
    await spendAllowance();
    expect(await sweep()).toMatchObject({ askedAgain: 0 });
    expect(toOwner("reconnect")).toEqual([]);
    expect(await owed()).toBe("2025-06-16T03:00:00.000Z");
    // The day after, the allowance is there: the sweep sends it, to the merchant's sign-in address alone.
    world.clock.at = new Date("2025-06-17T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ askedAgain: 1 });
    expect(world.email.sent.filter((email) => email.purpose === "reconnect").map((email) => [email.to, email.subject])).toEqual([[[OWNER], "Reconnect Square to daybook"]]);
    expect(await owed()).toBeUndefined();
    // Sent: never again.
    world.clock.at = new Date("2025-06-18T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ askedAgain: 0 });
    expect(toOwner("reconnect")).toHaveLength(1);
  });

  it("owes a stopped-posting notice past the merchant's allowance: names it on the reports page, and the refresh sweep sends it once a new UTC day allows, once", async () => {
    await aWorld({ ...DAILY_EMAIL_CAPS, ownerAlerts: 1 });
    await locations(1);
    const owed = async () => (await world.services.storage.store.getLocation(MERCHANT_ID, LOCATION_ID))?.postingStopped?.noticeHeld;
    // Earlier that UTC day, the merchant's allowance went on other alerts.
    await spendAllowance();
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    await processJob(world.worker, night(LOCATION_ID), attempt);
    expect(toOwner("posting-status")).toEqual([]);
    expect(held).toContainEqual({ merchantId: MERCHANT_ID, purpose: "posting-status", reason: "owner-alerts" });
    expect((await world.services.storage.heldEmails.listHeld(MERCHANT_ID, new Date("2025-06-15T00:00:00.000Z")))[0]?.alerts).toContain("daybook stopped posting Main Street");
    expect(await owed()).toEqual({ at: "2025-06-15T09:00:00.000Z", to: [OWNER] });

    // The same UTC day the allowance is still spent: the sweep leaves it owed.
    expect(await sweep()).toMatchObject({ toldAgain: 0 });
    // The next UTC day the held reconnect request takes the allowance first: the notice is held again, never past the cap.
    world.clock.at = new Date("2025-06-16T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ askedAgain: 1, toldAgain: 0 });
    expect(toOwner("posting-status")).toEqual([]);
    expect(await owed()).toEqual({ at: "2025-06-16T03:00:00.000Z", to: [OWNER] });
    // The day after, while the location still is not posting: sent, to the merchant's sign-in address alone.
    world.clock.at = new Date("2025-06-17T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ toldAgain: 1 });
    const notices = world.email.sent.filter((email) => email.purpose === "posting-status");
    expect(notices.map((email) => [email.to, email.subject])).toEqual([[[OWNER], "daybook stopped posting Main Street"]]);
    expect(notices[0]?.text).toContain("Main Street: Square no longer accepts daybook's access.");
    expect(await owed()).toBeUndefined();
    // Sent: never again.
    world.clock.at = new Date("2025-06-18T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ toldAgain: 0 });
    expect(toOwner("posting-status")).toHaveLength(1);
  });

  it("owes a held stopped-posting notice after the merchant disconnects the refused connection: the sweep sends it the next UTC day, saying it was disconnected, once", async () => {
    await aWorld({ ...DAILY_EMAIL_CAPS, ownerAlerts: 1 });
    await locations(1);
    const store = world.services.storage.store;
    const stopped = async () => (await store.getLocation(MERCHANT_ID, LOCATION_ID))?.postingStopped;
    await spendAllowance();
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    await processJob(world.worker, night(LOCATION_ID), attempt);
    expect((await stopped())?.noticeHeld).toEqual({ at: "2025-06-15T09:00:00.000Z", to: [OWNER] });

    // The merchant disconnects the refused Square connection, as the connections page does: no refused connection is left.
    const square = (await store.listConnections(MERCHANT_ID)).find((connection) => connection.provider === "square")!;
    expect(square.status).toBe("needs-reconnect");
    await endConnection({ store, vault: world.services.vault, providers: {} }, square, { revokeAtProvider: false });
    await reconcilePostingStatus(world.services.postingStatus, MERCHANT_ID, [square]);
    // Still not posting, and owed: it now says why, and remembers the account, so connecting it again resumes the location.
    expect(await stopped()).toMatchObject({
      reason: "the Square connection was disconnected", accounts: [{ provider: "square", externalId: square.externalId }], noticeHeld: { at: "2025-06-15T09:00:00.000Z", to: [OWNER] },
    });
    expect(toOwner("posting-status")).toEqual([]);

    // The next UTC day the sweep sends it all the same: once, with the reason of the day it goes.
    world.clock.at = new Date("2025-06-16T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ askedAgain: 0, toldAgain: 1 });
    expect(toOwner("posting-status").map((email) => email.subject)).toEqual(["daybook stopped posting Main Street"]);
    expect(toOwner("posting-status")[0]?.text).toContain("Main Street: the Square connection was disconnected.");
    expect((await stopped())?.noticeHeld).toBeUndefined();
    world.clock.at = new Date("2025-06-17T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ toldAgain: 0 });
    expect(toOwner("posting-status")).toHaveLength(1);
  });

  it("owes a report recipient the notice of a location that a disconnect stopped, held back by the caps: sent by the sweep the next UTC day", async () => {
    await aWorld({ ...DAILY_EMAIL_CAPS, perRecipient: 1 });
    await locations(1);
    const BOOKKEEPER = "keeper@books.example";
    await world.services.storage.recipients.addConfirmed(MERCHANT_ID, OWNER, BOOKKEEPER, world.clock.at);
    const store = world.services.storage.store;
    // The bookkeeper's allowance that day went on another email.
    expect(await world.services.email.send({ to: [BOOKKEEPER], subject: "A digest", text: "…", purpose: "digest", merchantId: MERCHANT_ID })).toBeUndefined();
    const books = (await store.listConnections(MERCHANT_ID)).find((connection) => connection.provider === "quickbooks")!;
    await endConnection({ store, vault: world.services.vault, providers: {} }, books, { revokeAtProvider: false });
    await reconcilePostingStatus(world.services.postingStatus, MERCHANT_ID, [books]);
    const toKeeper = () => world.email.sent.filter((email) => email.purpose === "posting-status" && email.to.join() === BOOKKEEPER);
    expect(toOwner("posting-status")).toHaveLength(1);
    expect(toKeeper()).toEqual([]);
    // Every connection of the merchant still stored is active: nothing refused for the sweep to find the merchant by.
    expect((await store.listConnections(MERCHANT_ID)).map((connection) => connection.status)).toEqual(["active"]);
    world.clock.at = new Date("2025-06-16T03:00:00.000Z");
    expect(await sweep()).toMatchObject({ toldAgain: 1 });
    expect(toKeeper().map((email) => email.text.includes("Main Street: the QuickBooks connection was disconnected."))).toEqual([true]);
    expect(toOwner("posting-status")).toHaveLength(1);
  });

  it("reads in a sweep the locations of no merchant but one owed a notice, whatever its connections: refused connections cost no read of locations", async () => {
    await aWorld();
    const store = world.services.storage.store;
    const at = world.clock.at.toISOString();
    // Three merchants with a refused connection (the world's and two more), each with a location; none is owed a notice.
    await store.setConnectionStatus(MERCHANT_ID, "square-1", "needs-reconnect", "Square refused the access token.");
    for (const merchantId of ["m-second", "m-third"]) {
      const identity = { merchantId, connectionId: "square-1", provider: "square" as const };
      await store.putMerchant({ merchantId, name: merchantId, email: `owner@${merchantId}.example`, createdAt: at });
      await store.putConnection({ ...identity, status: "needs-reconnect", externalId: `SQ-${merchantId}`, createdAt: at, updatedAt: at, tokenCiphertext: await sealTokens(world.services.vault, identity, { accessToken: "t" }) });
      await store.putLocation({ ...world.location, merchantId });
    }
    // Every query the sweep sends the table, through the real store.
    const queries: string[] = [];
    (world.services.dynamo as unknown as Middlewared).middlewareStack.add(
      (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => {
        if (context.commandName === "QueryCommand") queries.push(JSON.stringify(args.input));
        return next(args);
      },
      { step: "initialize", name: "countQueries" },
    );
    const locationReads = () => queries.filter((query) => query.includes("LOCATION#")).map((query) => /MERCHANT#([\w-]+)/.exec(query)?.[1]);

    expect(await sweep()).toMatchObject({ toldAgain: 0 });
    expect(locationReads()).toEqual([]);
    expect(queries.filter((query) => query.includes("OWEDNOTICES"))).toHaveLength(1);

    // One merchant's location is owed a notice held back on an earlier day: its locations alone are read, once, and the notice goes.
    const location = (await store.getLocation("m-second", LOCATION_ID))!;
    await store.replaceLocation({
      ...location, postingStopped: { reason: "Square no longer accepts daybook's access", since: at, resumeFrom: DAY, noticeHeld: { at, to: ["owner@m-second.example"] } }, updatedAt: at.replace("09:00", "09:01"),
    }, location.updatedAt);
    world.clock.at = new Date("2025-06-16T03:00:00.000Z");
    queries.length = 0;
    expect(await sweep()).toMatchObject({ toldAgain: 1 });
    expect(locationReads()).toEqual(["m-second"]);
    expect(world.email.sent.filter((email) => email.purpose === "posting-status").map((email) => email.to)).toEqual([["owner@m-second.example"]]);
  });

  it("says of a day posted before whose re-check failed that its entry stands, not that it was not posted", async () => {
    await aWorld();
    await locations(1);
    expect(await processJob(world.worker, { ...night(LOCATION_ID, "2025-06-13"), kind: "first" }, attempt)).toMatchObject({ status: "posted" });
    const [entry] = world.quickbooks.entries;
    world.pos.failure = closedBooks();
    expect(await processJob(world.worker, night(LOCATION_ID), attempt)).toEqual({ status: "failed", emailsSent: 1 });
    const [alert] = toOwner("alert");
    expect(alert?.subject).toBe("Action needed: Main Street: Saturday 14 June 2025 and 3 days before were not posted or failed their re-check");
    const text = alert?.text.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("Main Street: Friday 13 June 2025 was posted, but its re-check failed");
    expect(text).toContain(`The day was posted before: its entry ${entry?.docNumber ?? "?"} stands in QuickBooks as posted. This check of it for later changes failed, so a change since is not posted yet. Reason: QuickBooks refused the entry`);
    expect(text).toContain("Main Street: Saturday 14 June 2025 was not posted");
    expect(text.match(/Nothing was posted\./g)).toHaveLength(3);
  });

  it("sends a night's alert that SES refused with the job's retry, once", async () => {
    await aWorld();
    await locations(1);
    world.pos.failure = closedBooks();
    const send = world.email.send.bind(world.email);
    world.email.send = () => Promise.reject(new Error("SES answered 503"));
    await expect(processJob(world.worker, night(LOCATION_ID), attempt)).rejects.toThrow("SES answered 503");
    world.email.send = send;
    expect(await processJob(world.worker, night(LOCATION_ID), { number: 2, max: 3 })).toEqual({ status: "failed", emailsSent: 1 });
    expect(await processJob(world.worker, night(LOCATION_ID), { number: 3, max: 3 })).toEqual({ status: "failed", emailsSent: 0 });
    expect(toOwner("alert").map((email) => email.subject)).toEqual(["Action needed: Main Street: Saturday 14 June 2025 and 3 days before were not posted"]);
  });

  it("alerts a single failed day as its own report, as before", async () => {
    await aWorld();
    await locations(1);
    world.pos.failure = closedBooks();
    expect(await processJob(world.worker, { ...night(LOCATION_ID), kind: "first" }, attempt)).toEqual({ status: "failed", emailsSent: 1 });
    expect(toOwner("alert").map((email) => email.subject)).toEqual(["Action needed: Main Street: Saturday 14 June 2025 was not posted"]);
    expect(toOwner("alert")[0]?.text.replace(/\s+/g, " ")).toContain("The report recipients see this day in their next digest.");
  });
});
