/**
 * The worker's job processor (lib/worker/process-job.ts) on the in-memory runtime: the sync on fake POS
 * and QuickBooks ports, the real report, recipient and backfill stores on in-process dynalite, and an
 * email sender that records. Reports, review holds and approvals, a refused connection, the last attempt.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncJob } from "../../lib/schedule/job";
import { requestBackfill } from "../../lib/schedule/backfill";
import { registerLocation } from "../../lib/schedule/due-index";
import { processJob } from "../../lib/worker/process-job";
import { ProviderFailure } from "./fakes";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER, REALM_ID } from "./runtime";

const DAY = "2025-06-14";
let world: EngineWorld;
let failedDays: SyncJob[];

beforeEach(async () => {
  failedDays = [];
  world = await createEngineWorld({ onFailedDay: (job) => failedDays.push(job) });
});

afterEach(async () => {
  await world.close();
});

const job = (kind: SyncJob["kind"] = "first", extra: Partial<SyncJob> = {}): SyncJob => ({ merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: DAY, kind, ...extra });
const firstAttempt = { number: 1, max: 3 };
const sent = () => world.email.sent.map(({ to, purpose, subject }) => ({ to: to.join(","), purpose, subject }));
const reports = () => world.services.storage.reports.listDay(MERCHANT_ID, LOCATION_ID, DAY);

describe("a sync job", () => {
  it("posts the day, keeps its report and emails it to the merchant; run again, it sends nothing new", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "posted", emailsSent: 1 });
    expect(sent()).toEqual([{ to: OWNER, purpose: "report", subject: `Posted: Main Street, ${DAY}` }]);
    const [report] = await reports();
    expect(report).toMatchObject({ status: "posted", alert: false, deliveredAt: world.clock.at.toISOString() });
    expect(report?.content.entry?.docNumber).toBe(world.quickbooks.entries[0]?.docNumber);
    expect(world.email.sent[0]?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");

    // A redelivery of the same job: posted once, reported once.
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "unchanged", emailsSent: 0 });
    expect(world.quickbooks.entries).toHaveLength(1);
    expect(world.email.sent).toHaveLength(1);
  });

  it("holds the day in review mode with an approve link in its report, and the approval posts it", async () => {
    await world.services.storage.settings.setReviewMode(MERCHANT_ID, true, world.clock.at);
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "held", emailsSent: 1 });
    expect(world.email.sent[0]?.text).toContain("https://daybook.test/approve?token=");
    // The re-check of a day still waiting, with the same figures: the report already went.
    expect(await processJob(world.worker, job("recheck"), firstAttempt)).toEqual({ status: "held", emailsSent: 0 });
    expect(world.quickbooks.entries).toEqual([]);

    expect(await processJob(world.worker, job("approve"), firstAttempt)).toEqual({ status: "posted", emailsSent: 1 });
    expect(world.quickbooks.entries).toHaveLength(1);
    expect(sent().map((email) => email.subject)).toEqual([`Held for review: Main Street, ${DAY}`, `Posted: Main Street, ${DAY}`]);
  });

  it("reports a refused connection at once, with an alert, the reconnect email and the one that says the location stopped posting", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    expect(await processJob(world.worker, job(), firstAttempt)).toMatchObject({ status: "failed" });
    expect(failedDays).toEqual([job()]);
    expect(sent()).toEqual([
      { to: OWNER, purpose: "reconnect", subject: "Reconnect Square to daybook" },
      { to: OWNER, purpose: "posting-status", subject: "daybook stopped posting Main Street" },
      { to: OWNER, purpose: "report", subject: `Failed: Main Street, ${DAY}` },
      { to: OWNER, purpose: "alert", subject: `Action needed: daybook could not post Main Street, ${DAY}` },
    ]);
    expect(await reports()).toMatchObject([{ status: "failed", alert: true, content: { failure: { kind: "needs-reconnect" } } }]);
  });

  it("leaves a passing failure to the queue's next attempt, and on the last one marks the day failed, reports it and counts it", async () => {
    await registerLocation(world.services.storage.dueIndex, world.location, REALM_ID, new Date("2025-06-14T00:00:00.000Z"));
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: DAY, to: DAY, requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    const backfillJob = job("backfill", { backfillId: backfill.backfillId });
    world.pos.setDay(LOCATION_ID, DAY, aDay());

    world.quickbooks.failNext.createJournalEntry = new ProviderFailure("QuickBooks answered 503", "retryable");
    await expect(processJob(world.worker, backfillJob, { number: 1, max: 2 })).rejects.toThrow("QuickBooks answered 503");
    expect(world.email.sent).toEqual([]);
    expect(failedDays).toEqual([]);
    expect((await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId))).toMatchObject({ done: 0, failed: 0 });

    world.quickbooks.failNext.findJournalEntries = new ProviderFailure("QuickBooks answered 503 again", "retryable");
    await expect(processJob(world.worker, backfillJob, { number: 2, max: 2 })).rejects.toThrow("QuickBooks answered 503 again");
    expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, DAY)).toMatchObject({ state: "failed", attempts: 2 });
    expect(failedDays).toEqual([backfillJob]);
    expect((await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId))).toMatchObject({ done: 0, failed: 1 });
    expect(sent().map((email) => email.purpose)).toEqual(["report", "alert"]);
    expect(world.quickbooks.entries).toEqual([]);
  });
});
