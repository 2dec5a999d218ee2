/**
 * Going live and never stopping silently, on the in-memory runtime: a location awaiting its start posts
 * nothing, a day before its first posting day is never sent or posted (nor re-checked by a night job);
 * a night job reads each of its days with that day's own hours after a day-start change; a location whose connection is
 * gone stops being scheduled with ONE email to the merchant and each report recipient (and one more when
 * it resumes, scheduled again from the day it had reached); and a backfill's result tells its days apart.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reconcilePostingStatus, sendOwedPostingNotices } from "../../lib/locations/posting-status";
import { getBackfill, requestBackfill } from "../../lib/schedule/backfill";
import { registerLocation } from "../../lib/schedule/due-index";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import type { NightPlan } from "../../lib/pos/night";
import { type SyncPorts, syncLocationDay } from "../../lib/sync/sync-day";
import { processJob } from "../../lib/worker/process-job";
import type { OutgoingEmail } from "../../lib/email/email";
import { ProviderFailure } from "./fakes";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER, REALM_ID } from "./runtime";

let world: EngineWorld;
beforeEach(async () => {
  world = await createEngineWorld();
});
afterEach(async () => {
  await world.close();
});

const ACCOUNTANT = "books@accountant.example";
// 06-14 in New York is due at 06:00Z on 06-15.
const REGISTERED = new Date("2025-06-14T15:00:00.000Z");
const tick = (now: Date) => runSchedulerTick({ ...world.scheduler, now });
const store = () => world.services.storage.store;
const location = async () => (await store().getLocation(MERCHANT_ID, LOCATION_ID))!;
const postingEmails = () => world.email.sent.filter((email) => email.purpose === "posting-status").map(({ to, subject, merchantId }) => ({ to: to.join(","), subject, merchantId }));

describe("go-live", () => {
  it("posts nothing of a location awaiting its start, and no day before its first", async () => {
    world.pos.setDay(LOCATION_ID, "2025-06-14", aDay());
    await store().putLocation({ ...world.location, awaitingStart: true });
    const waiting = await syncLocationDay(world.sync, world.day("2025-06-14"));
    expect(waiting.status === "failed" && waiting.failure).toMatchObject({ kind: "needs-merchant" });
    expect(waiting.status === "failed" && waiting.failure.message).toContain("does not post Main Street yet");

    await store().putLocation({ ...world.location, postingFrom: "2025-06-14" });
    const before = await syncLocationDay(world.sync, world.day("2025-06-13"));
    expect(before.status === "failed" && before.failure.message).toContain("posts Main Street from Saturday 14 June 2025");
    expect(world.quickbooks.entries).toEqual([]);
    expect((await syncLocationDay(world.sync, world.day("2025-06-14"))).status).toBe("posted");
  });

  it("never sends a night before the first posting day, and its night re-checks no day before it; an entry of a location awaiting its start is taken out", async () => {
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) world.pos.setDay(LOCATION_ID, day, aDay());
    await store().putLocation({ ...world.location, postingFrom: "2025-06-13" });
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);
    expect(await tick(new Date("2025-06-15T06:00:00.000Z"))).toMatchObject({ enqueued: 1, locations: 1 });
    const sent = world.queue.take().map(({ job }) => job);
    expect(sent.map((job) => [job.businessDay, job.kind])).toEqual([["2025-06-14", "night"]]);

    // The night of 06-14 re-checks 06-11..06-13, but only 06-13 is on or after the first posting day:
    // 06-11 and 06-12 are neither posted nor failed nor reported.
    const [night] = sent;
    if (night === undefined) throw new Error("no night was sent");
    expect(await processJob(world.worker, night, { number: 1, max: 3 })).toMatchObject({ status: "posted" });
    expect(world.quickbooks.entries.map((entry) => entry.txnDate)).toEqual(["2025-06-13", "2025-06-14"]);
    for (const day of ["2025-06-11", "2025-06-12"]) expect(await store().getSyncRecord(MERCHANT_ID, LOCATION_ID, day)).toBeUndefined();
    expect(world.email.sent.map((email) => email.subject).filter((subject) => /2025-06-1[12]/.test(subject))).toEqual([]);

    await store().putLocation({ ...world.location, awaitingStart: true });
    expect(await tick(new Date("2025-06-16T06:00:00.000Z"))).toMatchObject({ removed: 1, enqueued: 0 });
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, LOCATION_ID)).toBeUndefined();
  });

  it("reads each day of a night with that day's own hours after the day start changed", async () => {
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) world.pos.setDay(LOCATION_ID, day, aDay());
    // From 06-14 the day starts at 04:00; the days before keep midnight.
    await store().putLocation({ ...world.location, dayStart: "04:00", earlierDaySettings: [{ timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-14" }] });
    world.clock.at = new Date("2025-06-15T11:00:00.000Z");
    const plans: NightPlan[] = [];
    const readPosNight: NonNullable<SyncPorts["readPosNight"]> = (location, _connection, plan) => {
      plans.push(plan);
      return Promise.resolve(new Map(plan.days.map((day) => [day.businessDay, { summary: world.pos.day(location.locationId, day.businessDay, location.currency), warnings: [] }])));
    };
    const job = { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "night" } as const;
    expect(await processJob({ ...world.worker, sync: { ...world.worker.sync, readPosNight } }, job, { number: 1, max: 3 })).toMatchObject({ status: "posted" });

    const [plan] = plans;
    const at = (iso: string) => new Date(iso).getTime();
    expect(plan?.days.map(({ businessDay, window }) => [businessDay, window.startMs, window.endMs])).toEqual([
      ["2025-06-11", at("2025-06-11T04:00:00.000Z"), at("2025-06-12T04:00:00.000Z")],
      ["2025-06-12", at("2025-06-12T04:00:00.000Z"), at("2025-06-13T04:00:00.000Z")],
      ["2025-06-13", at("2025-06-13T04:00:00.000Z"), at("2025-06-14T04:00:00.000Z")],
      // The day of the change: from where 06-13 ended (midnight) to 04:00 the next morning.
      ["2025-06-14", at("2025-06-14T04:00:00.000Z"), at("2025-06-15T08:00:00.000Z")],
    ]);
    // The night's changes are read from its own day's start.
    expect(plan?.changesSince).toBe(at("2025-06-14T04:00:00.000Z"));
    expect(world.quickbooks.entries.map((entry) => entry.txnDate)).toEqual(["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]);
  });

  it("reads each day of a night on its own, when the POS has no night read, with that day's own hours too", async () => {
    await store().putLocation({ ...world.location, dayStart: "04:00", earlierDaySettings: [{ timeZone: "America/New_York", dayStart: "00:00", until: "2025-06-14" }] });
    world.clock.at = new Date("2025-06-15T11:00:00.000Z");
    const windows: [string, string][] = [];
    const sync = { ...world.worker.sync, summarisePosDay: ((location, connection, window, asOf) => {
      windows.push([window.date, window.start]);
      return world.worker.sync.summarisePosDay(location, connection, window, asOf);
    }) satisfies SyncPorts["summarisePosDay"] };
    await processJob({ ...world.worker, sync }, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "night" }, { number: 1, max: 3 });
    expect(windows).toEqual([
      ["2025-06-11", "2025-06-11T04:00:00.000Z"], ["2025-06-12", "2025-06-12T04:00:00.000Z"], ["2025-06-13", "2025-06-13T04:00:00.000Z"], ["2025-06-14", "2025-06-14T04:00:00.000Z"],
    ]);
  });
});

describe("a location whose connection is gone", () => {
  beforeEach(async () => {
    await world.services.storage.recipients.addConfirmed(MERCHANT_ID, OWNER, ACCOUNTANT, new Date());
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, REGISTERED);
  });

  it("stops being scheduled, says so once to the merchant and each recipient, and resumes from the day it had reached with one more email", async () => {
    await store().setConnectionStatus(MERCHANT_ID, "quickbooks-1", "revoked", "Disconnected in daybook.");
    const deps = world.services.postingStatus;
    // Two processes deciding at once: one of them stops it, and only its email goes.
    const [a, b] = await Promise.all([reconcilePostingStatus(deps, MERCHANT_ID), reconcilePostingStatus(deps, MERCHANT_ID)]);
    expect(a.stopped.length + b.stopped.length).toBe(1);
    expect(await location()).toMatchObject({ postingStopped: { reason: "the QuickBooks connection was disconnected", resumeFrom: "2025-06-14" } });
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, LOCATION_ID)).toBeUndefined();
    expect(postingEmails()).toEqual([
      { to: OWNER, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
      { to: ACCOUNTANT, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
    ]);
    const notice = world.email.sent.find((email) => email.purpose === "posting-status");
    expect(notice?.text).toContain("Main Street: the QuickBooks connection was disconnected. Days from Saturday 14 June 2025 on wait until this is mended.");
    expect(notice?.html).toContain("Days from Saturday 14 June 2025 on wait until this is mended.");

    // Nights pass: nothing is sent for it, nothing fails, nobody is told again.
    expect(await tick(new Date("2025-06-16T06:00:00.000Z"))).toMatchObject({ enqueued: 0 });
    await reconcilePostingStatus(deps, MERCHANT_ID);
    expect(postingEmails()).toHaveLength(2);

    // Reconnected (here: the same connection active again, as a re-pointed location finds it).
    const at = world.clock.at.toISOString();
    await store().putConnection({ merchantId: MERCHANT_ID, connectionId: "quickbooks-2", provider: "quickbooks", status: "active", externalId: REALM_ID, tokenCiphertext: "sealed", createdAt: at, updatedAt: at });
    await store().putLocation({ ...(await location()), quickbooksConnectionId: "quickbooks-2" });
    const resumed = await reconcilePostingStatus(deps, MERCHANT_ID);
    expect(resumed.resumed.map((change) => change.location.locationId)).toEqual([LOCATION_ID]);
    expect((await location()).postingStopped).toBeUndefined();
    expect(postingEmails().slice(2).map((email) => email.subject)).toEqual(["daybook is posting Main Street again", "daybook is posting Main Street again"]);
    // The missed nights are sent at the next tick: from the day it had reached, with the re-checks before it.
    expect(await tick(new Date("2025-06-16T07:00:00.000Z"))).toMatchObject({ locations: 1 });
    expect(world.queue.take().filter(({ job }) => job.kind === "night").map(({ job }) => job.businessDay)).toEqual(["2025-06-14", "2025-06-15"]);
  });

  it("owes a stopped-posting notice the caps held back to the addresses it was held from, and sends it a later UTC day only to those it goes to then, once", async () => {
    const BOOKKEEPER = "keeper@books.example";
    await world.services.storage.recipients.addConfirmed(MERCHANT_ID, OWNER, BOOKKEEPER, new Date());
    await store().setConnectionStatus(MERCHANT_ID, "quickbooks-1", "revoked", "Disconnected in daybook.");
    // The caps hold it back from the owner and the bookkeeper; the accountant gets it.
    const holding = new Set([OWNER, BOOKKEEPER]);
    const deps = { ...world.services.postingStatus, email: { send: (email: OutgoingEmail) => holding.has(email.to.join()) ? Promise.resolve("held" as const) : world.services.email.send(email) } };
    await reconcilePostingStatus(deps, MERCHANT_ID);
    expect(postingEmails().map((email) => email.to)).toEqual([ACCOUNTANT]);
    const heldAt = world.clock.at.toISOString();
    expect((await location()).postingStopped?.noticeHeld).toEqual({ at: heldAt, to: [OWNER, BOOKKEEPER] });

    // The same UTC day nothing is owed yet; meanwhile the merchant takes the bookkeeper off the list.
    holding.clear();
    expect(await sendOwedPostingNotices(deps, MERCHANT_ID)).toBe(0);
    const list = await world.services.storage.recipients.get(MERCHANT_ID);
    await world.services.storage.recipients.put(MERCHANT_ID, { ...list, recipients: list.recipients?.filter((recipient) => recipient.address !== BOOKKEEPER) });
    // A later UTC day, still not posting: it goes to the owner alone, not again to the accountant, nor to an address no longer on the list.
    world.clock.at = new Date(Date.parse(heldAt) + 86_400_000);
    expect(await sendOwedPostingNotices(deps, MERCHANT_ID)).toBe(1);
    expect(postingEmails()).toEqual([
      { to: ACCOUNTANT, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
      { to: OWNER, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
    ]);
    expect((await location()).postingStopped).toMatchObject({ reason: "the QuickBooks connection was disconnected" });
    expect((await location()).postingStopped?.noticeHeld).toBeUndefined();
    expect(await sendOwedPostingNotices(deps, MERCHANT_ID)).toBe(0);
    expect(postingEmails()).toHaveLength(2);
  });

  it("is stopped by the worker when a night's day fails for a connection the sync found already gone", async () => {
    world.pos.setDay(LOCATION_ID, "2025-06-14", aDay());
    await store().setConnectionStatus(MERCHANT_ID, "square-1", "revoked", "Access was revoked in Square.");
    const result = await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "first" }, { number: 1, max: 3 });
    expect(result.status).toBe("failed");
    expect(await location()).toMatchObject({ postingStopped: { reason: "the Square connection was disconnected" } });
    expect(postingEmails().map((email) => email.to)).toEqual([OWNER, ACCOUNTANT]);
  });

  it("is stopped once by a night job refused by the POS: every day of the night fails for it, one email each", async () => {
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) world.pos.setDay(LOCATION_ID, day, aDay());
    // Posted before: the night's re-checks are days that were posted.
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13"]) await syncLocationDay(world.sync, world.day(day));
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    const result = await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "night" }, { number: 1, max: 3 });
    expect(result.status).toBe("failed");
    expect(await location()).toMatchObject({ postingStopped: { reason: "Square no longer accepts daybook's access" } });
    expect(await world.scheduler.dueIndex.get(MERCHANT_ID, LOCATION_ID)).toBeUndefined();
    expect(postingEmails()).toEqual([
      { to: OWNER, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
      { to: ACCOUNTANT, subject: "daybook stopped posting Main Street", merchantId: MERCHANT_ID },
    ]);
    // The night after sends nothing for it.
    expect(await tick(new Date("2025-06-16T06:00:00.000Z"))).toMatchObject({ enqueued: 0 });
  });

  it("waits from the day its refusal failed, not the day after it, and a reconnect two weeks on backfills that day too", async () => {
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) world.pos.setDay(LOCATION_ID, day, aDay());
    await store().putLocation({ ...world.location, postingFrom: "2025-06-01" });
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13"]) await syncLocationDay(world.sync, world.day(day));
    // The tick sends 06-14's night and moves the location on to 06-15; then the night is refused.
    expect(await tick(new Date("2025-06-15T06:00:00.000Z"))).toMatchObject({ enqueued: 1 });
    const [night] = world.queue.take();
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    for (const number of [1, 2, 3]) await processJob(world.worker, night!.job, { number, max: 3 });
    expect((await store().getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-14"))?.state).toBe("failed");
    // Stopped at the first refusal, before the day's failure was recorded: the day its night sent is
    // still unposted, so the wait starts there, and the one email says so.
    expect((await location()).postingStopped?.resumeFrom).toBe("2025-06-14");
    const stopped = world.email.sent.filter((email) => email.purpose === "posting-status");
    expect(stopped).toHaveLength(2);
    for (const email of stopped) expect(email.text).toContain("Main Street: Square no longer accepts daybook's access. Days from Saturday 14 June 2025 on wait until this is mended.");

    // Reconnected two weeks on, past the nights' catch-up: the backfill it asks for starts at 06-14.
    world.pos.failure = undefined;
    world.clock.at = new Date("2025-06-29T12:00:00.000Z");
    const square = (await store().listConnections(MERCHANT_ID)).find((connection) => connection.connectionId === "square-1")!;
    const at = world.clock.at.toISOString();
    await store().putConnection({ ...square, connectionId: "square-2", status: "active", tokenCiphertext: "sealed", createdAt: at, updatedAt: at });
    await store().putLocation({ ...(await location()), posConnectionId: "square-2" });
    const { resumed } = await reconcilePostingStatus(world.services.postingStatus, MERCHANT_ID);
    expect(resumed.map((change) => change.toBackfill?.from)).toEqual(["2025-06-14"]);
  });

  it("is stopped by the worker, once, when a night job finds its connection already gone", async () => {
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) world.pos.setDay(LOCATION_ID, day, aDay());
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13"]) await syncLocationDay(world.sync, world.day(day));
    await store().setConnectionStatus(MERCHANT_ID, "quickbooks-1", "revoked", "Disconnected in QuickBooks.");
    const result = await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "night" }, { number: 1, max: 3 });
    expect(result.status).toBe("failed");
    expect(await location()).toMatchObject({ postingStopped: { reason: "the QuickBooks connection was disconnected" } });
    expect(postingEmails().map((email) => email.to)).toEqual([OWNER, ACCOUNTANT]);
  });
});

describe("a backfill's result", () => {
  it("tells posted, adjusted, unchanged, held, no-sales and failed days apart", async () => {
    await registerLocation(world.scheduler.dueIndex, world.location, REALM_ID, new Date("2025-06-10T00:00:00.000Z"));
    // Posted before the backfill: 06-10 (then changed), 06-11 (unchanged since).
    for (const day of ["2025-06-10", "2025-06-11"]) {
      world.pos.setDay(LOCATION_ID, day, aDay());
      await syncLocationDay(world.sync, world.day(day));
    }
    world.pos.setDay(LOCATION_ID, "2025-06-10", aDay(2));
    world.pos.setDay(LOCATION_ID, "2025-06-12", aDay());
    // A day whose figures do not add up by far more than the tolerance: held for review.
    world.pos.setDay(LOCATION_ID, "2025-06-14", { ...aDay(), payments: { CARD: 9_000 } });
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: "2025-06-09", to: "2025-06-14", requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    world.queue.take();
    for (const day of ["2025-06-09", "2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) {
      // 06-13 fails for something only the merchant can mend.
      world.pos.failure = day === "2025-06-13" ? new ProviderFailure("Square says the location is closed", "needs-merchant") : undefined;
      await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: day, kind: "backfill", backfillId: backfill.backfillId }, { number: 1, max: 3 });
    }
    expect(await getBackfill(world.services.storage, MERCHANT_ID, backfill.backfillId)).toMatchObject({
      total: 6, done: 5, failed: 1, noSales: 1, adjusted: 1, unchanged: 1, posted: 1, held: 1, complete: true,
    });
  });
});
