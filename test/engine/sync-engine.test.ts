/**
 * The sync engine (lib/sync/sync-day.ts) on the in-memory runtime: the real stores on in-process
 * dynalite, fake POS and QuickBooks ports (fakes.ts). Exactly once, adjustments, review mode, a refused
 * connection, the last attempt, and one reading of the clock per run.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { markDayFailed, REVIEW_HOLD_REASON, CHANGED_SINCE_REVIEW_REASON, SyncError, syncLocationDay } from "../../lib/sync/sync-day";
import { ProviderFailure } from "./fakes";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER } from "./runtime";

const DAY = "2025-06-14";
let world: EngineWorld;

beforeEach(async () => {
  world = await createEngineWorld();
});

afterEach(async () => {
  await world.close();
});

const record = () => world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, DAY);

describe("the sync engine", () => {
  it("posts a day once, and a second run finds it unchanged", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    const first = await syncLocationDay(world.sync, world.day(DAY));
    expect(first).toMatchObject({ status: "posted", revision: 0, txnDate: DAY });
    expect(world.quickbooks.entries).toHaveLength(1);
    expect(await record()).toMatchObject({ state: "posted", posted: [{ revision: 0 }], attempts: 0 });

    expect((await syncLocationDay(world.sync, world.day(DAY))).status).toBe("unchanged");
    expect(world.quickbooks.entries).toHaveLength(1);
  });

  it("settles an entry a crash left pending after QuickBooks accepted it, without posting it twice", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    const crashed = { ...world.sync, checkpoint: (step: string) => { if (step === "after-create") throw new Error("the worker died here"); } };
    await expect(syncLocationDay(crashed, world.day(DAY))).rejects.toThrow("the worker died here");
    expect(world.quickbooks.entries).toHaveLength(1);
    expect((await record())?.pending?.revision).toBe(0);

    expect((await syncLocationDay(world.sync, world.day(DAY))).status).toBe("unchanged");
    expect(world.quickbooks.entries).toHaveLength(1);
    expect(await record()).toMatchObject({ state: "posted", posted: [{ revision: 0, entryId: world.quickbooks.entries[0]?.id }] });
    expect((await record())?.pending).toBeUndefined();
  });

  it("posts only what changed since, as the next revision, when the POS's figures change", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    await syncLocationDay(world.sync, world.day(DAY));
    world.pos.setDay(LOCATION_ID, DAY, aDay(2));
    const adjusted = await syncLocationDay(world.sync, world.day(DAY));
    expect(adjusted).toMatchObject({ status: "adjusted", revision: 1 });
    expect(world.quickbooks.entries.map((entry) => entry.docNumber)).toEqual([expect.stringMatching(/^DB250614-/), expect.stringMatching(/^DB250614-[0-9A-Z]{6}-A1$/)]);
    // The adjustment carries the difference: the day's sales once more.
    expect((await record())?.posted[1]?.summary.sales).toEqual({ CAT_FOOD: 1_000, CAT_BEVERAGES: 450 });
  });

  it("holds a merchant's day in review mode, and posts on approval only the figures that were reviewed", async () => {
    await world.services.storage.settings.setReviewMode(MERCHANT_ID, true, world.clock.at);
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await syncLocationDay(world.sync, world.day(DAY))).toMatchObject({ status: "held", reason: REVIEW_HOLD_REASON });
    // A re-check is held again; only an approval posts.
    expect((await syncLocationDay(world.sync, world.day(DAY))).status).toBe("held");
    expect(world.quickbooks.entries).toEqual([]);

    world.pos.setDay(LOCATION_ID, DAY, aDay(2));
    expect(await syncLocationDay(world.sync, world.day(DAY), { approve: true })).toMatchObject({ status: "held", reason: CHANGED_SINCE_REVIEW_REASON });
    expect(world.quickbooks.entries).toEqual([]);
    expect((await syncLocationDay(world.sync, world.day(DAY), { approve: true })).status).toBe("posted");
    expect(world.quickbooks.entries).toHaveLength(1);
    expect((await record())?.posted[0]?.summary.sales).toEqual({ CAT_FOOD: 2_000, CAT_BEVERAGES: 900 });
  });

  it("posts an approval job's day at once when the merchant does not review", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect((await syncLocationDay(world.sync, world.day(DAY), { approve: true })).status).toBe("posted");
  });

  it("marks a connection the POS refuses, tells the merchant once, and fails the day for the merchant to act on", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    const outcome = await syncLocationDay(world.sync, world.day(DAY));
    expect(outcome).toMatchObject({ status: "failed", failure: { kind: "needs-reconnect" } });
    expect(await world.services.storage.store.getConnection(MERCHANT_ID, "square-1")).toMatchObject({ status: "needs-reconnect", tokenCiphertext: "" });
    expect(world.email.sent.map(({ to, purpose, subject }) => ({ to, purpose, subject }))).toEqual([
      { to: [OWNER], purpose: "reconnect", subject: "Reconnect Square to daybook" },
      // The location stops posting (lib/locations/posting-status.ts): said once.
      { to: [OWNER], purpose: "posting-status", subject: "daybook stopped posting Main Street" },
    ]);

    // The next run finds the connection waiting for the merchant: no second email.
    expect((await syncLocationDay(world.sync, world.day(DAY))).status).toBe("failed");
    expect(world.email.sent).toHaveLength(2);
    expect(world.pos.reads).toBe(1);
  });

  it("counts a passing failure as an attempt and keeps the day's state; the last attempt marks the day failed", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.quickbooks.failNext.getCompanySettings = new ProviderFailure("QuickBooks answered 503", "retryable");
    const thrown = await syncLocationDay(world.sync, world.day(DAY)).then(() => undefined, (error: unknown) => error);
    expect(thrown).toBeInstanceOf(SyncError);
    expect((thrown as SyncError).kind).toBe("retryable");
    expect(await record()).toMatchObject({ attempts: 1, lastError: { kind: "retryable" } });

    const failure = await markDayFailed(world.sync, world.day(DAY), thrown);
    // People read what happened in plain words; what QuickBooks said is kept for the operator.
    expect(failure).toMatchObject({
      kind: "retryable", message: "QuickBooks did not answer in time, or said it was busy or failing: nothing in your QuickBooks company needs changing.",
      detail: "QuickBooks answered 503", at: world.clock.at.toISOString(),
    });
    // The attempt was counted when it failed, not again.
    expect(await record()).toMatchObject({ state: "failed", attempts: 1, lastError: failure });
  });

  it("refuses a day that has not ended and settled, or is not in the calendar, whoever asks, and writes nothing", async () => {
    // The clock: 2025-06-15 05:00 in New York, where the location's days start at midnight.
    const cases: [string, Date, RegExp][] = [
      ["today's, still open", world.clock.at, /has not ended and settled yet in America\/New_York/],
      ["yesterday's, ended an hour ago", new Date("2025-06-15T05:00:00.000Z"), /daybook syncs it from 2025-06-15T06:00:00\.000Z/],
      ["a day to come", world.clock.at, /has not ended and settled yet/],
    ];
    const days = ["2025-06-15", "2025-06-14", "2025-07-01"];
    for (const [index, [what, at, message]] of cases.entries()) {
      const day = days[index]!;
      world.pos.setDay(LOCATION_ID, day, aDay());
      world.clock.at = at;
      for (const approve of [false, true]) {
        const refused = await syncLocationDay(world.sync, world.day(day), { approve }).then(() => undefined, (error: unknown) => error);
        expect(refused, what).toBeInstanceOf(SyncError);
        expect((refused as SyncError).kind, what).toBe("retryable");
        expect((refused as SyncError).message, what).toMatch(message);
      }
      expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, day), what).toBeUndefined();
    }
    const impossible = await syncLocationDay(world.sync, world.day("2026-13-45")).then(() => undefined, (error: unknown) => error);
    expect(impossible).toMatchObject({ name: "SyncError", kind: "bug", message: expect.stringContaining("is not a calendar date") as string });
    expect(world.pos.reads).toBe(0);
    expect(world.quickbooks.entries).toEqual([]);
    expect(await world.services.storage.store.listSyncRecords(MERCHANT_ID)).toEqual([]);

    // Two hours after the day's end it is posted.
    world.clock.at = new Date("2025-06-15T06:00:00.000Z");
    expect((await syncLocationDay(world.sync, world.day("2025-06-14"))).status).toBe("posted");
  });

  it("reads the clock once per run, and records that instant", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.clock.reads = 0;
    await syncLocationDay(world.sync, world.day(DAY));
    expect(world.clock.reads).toBe(1);
    const posted = await record();
    expect(posted?.updatedAt).toBe(world.clock.at.toISOString());
    expect(posted?.posted[0]?.postedAt).toBe(world.clock.at.toISOString());
  });
});
