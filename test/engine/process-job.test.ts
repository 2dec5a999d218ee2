/**
 * The worker's job processor (lib/worker/process-job.ts) on the in-memory runtime: the sync on fake POS
 * and QuickBooks ports, the real report, recipient, digest and backfill stores on in-process dynalite,
 * and an email sender that records. Reports kept (not emailed per day), alerts to the merchant at once
 * for what cannot wait, warnings said once, a backfill's one summary, the last attempt.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientList } from "../../lib/members/client-list";
import { digestShardOf } from "../../lib/report/digest";
import { messageGroupOf, type SyncJob } from "../../lib/schedule/job";
import { requestBackfill } from "../../lib/schedule/backfill";
import { registerLocation } from "../../lib/schedule/due-index";
import type { Store } from "../../lib/store/store";
import { processJob } from "../../lib/worker/process-job";
import { type SyncPorts, syncLocationDay } from "../../lib/sync/sync-day";
import type { NightPlan } from "../../lib/pos/night";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { deleteAccount } from "../../lib/account/delete-account";
import { createWorkerHandler } from "../../lib/worker/handler";
import { createIdempotencyStore } from "../../lib/store/idempotency";
import { LOCAL_TABLE } from "../../lib/store/local/database";
import type { DailySummary } from "../../lib/domain/summary";
import { addDays } from "../../lib/domain/business-day";
import { formatDay } from "../../lib/report/format";
import { summaryOf } from "../support/summaries";
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
const storage = () => world.services.storage;
const sent = () => world.email.sent.map(({ to, purpose, subject }) => ({ to: to.join(","), purpose, subject }));
const reports = (day = DAY) => world.services.storage.reports.listDay(MERCHANT_ID, LOCATION_ID, day);
const marks = (slot: string) => world.services.storage.digests.due(slot, digestShardOf(MERCHANT_ID), new Date("2030-01-01T00:00:00.000Z"));
/** A day whose payments fall 5.00 short of its sales and tax: more than the 1.00 tolerance, so daybook holds it. */
const shortDay = () => summaryOf({ sales: { CAT_FOOD: 1_000 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 80 }, payments: { CARD: 580 } });

describe("a sync job", () => {
  it("posts the day and keeps its report, emails nobody, and marks the merchant's next digest; run again, nothing new", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "posted", emailsSent: 0 });
    expect(world.email.sent).toEqual([]);
    const [report] = await reports();
    expect(report).toMatchObject({ status: "posted", alert: false });
    expect(report?.content.entry?.docNumber).toBe(world.quickbooks.entries[0]?.docNumber);
    expect(report?.content.totals).toMatchObject({ netSales: 1_450, tax: 116, card: 1_200, cash: 366, feesReported: true });
    // The morning after the day, at 07:00 where the location is.
    const shard = digestShardOf(MERCHANT_ID);
    expect(await marks("2025-06-15")).toEqual([
      { merchantId: MERCHANT_ID, slot: "2025-06-15", notBefore: "2025-06-15T11:00:00.000Z", shard },
    ]);

    // A redelivery of the same job: posted once, reported once.
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "unchanged", emailsSent: 0 });
    expect(world.quickbooks.entries).toHaveLength(1);
    expect(await reports()).toHaveLength(1);
  });

  it("holds the day in review mode without an alert (the digest brings it), and the approval posts it", async () => {
    await world.services.storage.settings.setReviewMode(MERCHANT_ID, true, world.clock.at);
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "held", emailsSent: 0 });
    expect(await processJob(world.worker, job("recheck"), firstAttempt)).toEqual({ status: "held", emailsSent: 0 });
    expect(world.quickbooks.entries).toEqual([]);
    expect(await processJob(world.worker, job("approve"), firstAttempt)).toEqual({ status: "posted", emailsSent: 0 });
    expect(world.quickbooks.entries).toHaveLength(1);
    expect((await reports()).map((report) => report.status)).toEqual(["held", "posted"]);
    expect(world.email.sent).toEqual([]);
  });

  it("alerts the merchant at once, and only the merchant, when daybook holds a day itself: short by how much, and what to do", async () => {
    world.pos.setDay(LOCATION_ID, DAY, shortDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toEqual({ status: "held", emailsSent: 1 });
    expect(sent()).toEqual([{ to: OWNER, purpose: "alert", subject: "Action needed: Main Street: Saturday 14 June 2025 is held for review" }]);
    const text = world.email.sent[0]?.text.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("Nothing was posted yet. The POS figures are short by 5.00 USD: less money was taken than the sales, tax and tips explain");
    expect(text).toContain("Choose one: approve the entry as it is");
    expect(text).toContain("https://daybook.test/approve?token=");
    expect(world.email.sent[0]?.merchantId).toBe(MERCHANT_ID);
    // The re-check with the same figures: nothing new, no second alert.
    expect(await processJob(world.worker, job("recheck"), firstAttempt)).toEqual({ status: "held", emailsSent: 0 });
    expect(world.email.sent).toHaveLength(1);
  });

  it("heads the alert of a day that failed only because the provider did not answer 'Nothing to do yet', as its report says, never 'Action needed'", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.pos.failure = new ProviderFailure("Square did not answer (503)", "retryable");
    await expect(processJob(world.worker, job(), { number: 3, max: 3 })).rejects.toThrow("Square did not answer");
    expect(sent()).toEqual([{ to: OWNER, purpose: "alert", subject: "Nothing to do yet: Main Street: Saturday 14 June 2025 was not posted" }]);
    const text = world.email.sent[0]?.text.replace(/\s+/g, " ") ?? "";
    // In plain words: what Square said (its 503) is the operator's, in the log.
    expect(text).toContain("Nothing was posted. Reason: Square did not answer in time, or said it was busy or failing: nothing in your Square account needs changing.");
    expect(text).not.toContain("503");
    expect(text).toContain("daybook tries the day again by itself each night up to the night after Tuesday 17 June 2025; nothing to do until then.");
  });

  it("reports a refused connection at once with one alert, the reconnect email and the one that says the location stopped posting, each once; failing again the same way updates that one report", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.pos.failure = new ProviderFailure("Square refused the access token", "needs-reconnect");
    expect(await processJob(world.worker, job(), firstAttempt)).toMatchObject({ status: "failed", emailsSent: 1 });
    expect(failedDays).toEqual([job()]);
    expect(sent()).toEqual([
      { to: OWNER, purpose: "reconnect", subject: "Reconnect Square to daybook" },
      { to: OWNER, purpose: "posting-status", subject: "daybook stopped posting Main Street" },
      { to: OWNER, purpose: "alert", subject: "Action needed: Main Street: Saturday 14 June 2025 was not posted" },
    ]);
    world.clock.at = new Date("2025-06-15T10:00:00.000Z");
    expect(await processJob(world.worker, job("recheck"), firstAttempt)).toMatchObject({ status: "failed", emailsSent: 0 });
    const kept = await reports();
    expect(kept).toMatchObject([{ status: "failed", alert: true, reportId: "F-needs-reconnect", createdAt: "2025-06-15T09:00:00.000Z", updatedAt: "2025-06-15T10:00:00.000Z" }]);
    expect(sent().filter((email) => email.purpose === "alert")).toHaveLength(1);
  });

  /** DAY's night and the next day's, each first synced that night: the two days' reports. */
  async function twoNights(day: DailySummary, nextDay: DailySummary) {
    world.pos.setDay(LOCATION_ID, DAY, day);
    world.pos.setDay(LOCATION_ID, "2025-06-15", nextDay);
    await processJob(world.worker, job(), firstAttempt);
    world.clock.at = new Date("2025-06-16T09:00:00.000Z");
    await processJob(world.worker, job("first", { businessDay: "2025-06-15" }), firstAttempt);
    return [(await reports())[0], (await reports("2025-06-15"))[0]];
  }

  it("says an unmapped item in full the first day it appears, with the link that maps it, and then only counts it", async () => {
    const withSeasonal = (scale: number) => summaryOf({
      ...aDay(scale), sales: { ...aDay(scale).sales, CAT_SEASONAL: 200 * scale }, categoryNames: { ...aDay(scale).categoryNames, CAT_SEASONAL: "Seasonal" },
      payments: { CARD: 1_200 * scale + 200 * scale, CASH: 366 * scale },
    });
    const [first, second] = await twoNights(withSeasonal(1), withSeasonal(2));
    expect(first?.content.warnings.map((warning) => warning.message)).toEqual([expect.stringContaining('Category "Seasonal" has no account in the mapping') as unknown as string]);
    expect(first?.content.mappingUrl).toBe(`https://daybook.test/locations/${LOCATION_ID}/mapping`);
    expect(first?.content.repeatedWarnings).toBeUndefined();
    expect(second?.content.warnings).toEqual([]);
    expect(second?.content.repeatedWarnings).toBe(1);
    // The first day run again (a redelivery) still says it in full.
    world.pos.setDay(LOCATION_ID, DAY, withSeasonal(3));
    await processJob(world.worker, job("recheck"), firstAttempt);
    const adjusted = (await reports()).find((report) => report.status === "adjusted");
    expect(adjusted?.content.warnings.map((warning) => warning.code)).toEqual(["unmapped-category"]);
  });

  /** A day with two categories the mapping has no account for: "Seasonal" and "Specials". */
  const withTwoUnmapped = (scale = 1) => summaryOf({
    ...aDay(scale), sales: { ...aDay(scale).sales, CAT_SEASONAL: 200 * scale, CAT_SPECIALS: 50 * scale },
    categoryNames: { ...aDay(scale).categoryNames, CAT_SEASONAL: "Seasonal", CAT_SPECIALS: "Specials" },
    payments: { CARD: 1_450 * scale, CASH: 366 * scale },
  });
  /** The mapping saved with Seasonal listed and left on Default; Specials came to the POS after. */
  const seasonalLeftOnDefault = () => world.services.storage.store.putLocation({
    ...world.location, mappingSeen: ["categories:CAT_FOOD", "categories:CAT_BEVERAGES", "categories:CAT_SEASONAL", "tenders:CARD", "tenders:CASH"],
  });

  it("does not report an item the merchant left on Default when saving the mapping; one the POS gained since is said in full once, then counted", async () => {
    await seasonalLeftOnDefault();
    const [first, second] = await twoNights(withTwoUnmapped(), withTwoUnmapped(2));
    expect(first?.content.warnings.map((warning) => warning.message)).toEqual([expect.stringContaining('Category "Specials" has no account in the mapping') as unknown as string]);
    expect(first?.content.repeatedWarnings).toBeUndefined();
    expect(second?.content.warnings).toEqual([]);
    expect(second?.content.repeatedWarnings).toBe(1);
    // Money as before: Seasonal's sales still go to the default sales account.
    const seasonal = first?.content.entry?.lines.find((line) => line.description === "Sales – Seasonal");
    expect(seasonal?.accountId).toBe(world.location.mapping.defaults.sales);
  });

  it("a backfill's summary lists an item new in it once, never also among those reported before, and not one left on Default", async () => {
    await seasonalLeftOnDefault();
    await registerLocation(world.services.storage.dueIndex, world.location, REALM_ID, new Date("2025-06-12T00:00:00.000Z"));
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: "2025-06-12", to: DAY, requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    for (const businessDay of ["2025-06-12", "2025-06-13", DAY]) {
      world.pos.setDay(LOCATION_ID, businessDay, withTwoUnmapped());
      await processJob(world.worker, job("backfill", { businessDay, backfillId: backfill.backfillId }), firstAttempt);
    }
    const summaries = world.email.sent.filter((email) => email.purpose === "backfill-summary");
    expect(summaries.map((email) => email.subject)).toEqual([expect.stringContaining("1 thing needs attention") as unknown as string]);
    const text = summaries[0]?.text.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("New items with no account in the mapping");
    expect(text.match(/Category "Specials" has no account in the mapping/g)).toHaveLength(1);
    expect(text).not.toContain("Seasonal\" has no account");
    expect(text).not.toContain("reported before");
  });

  it("on a backfill's last attempt marks the day failed and counts it, alerts nobody per day, and sends the backfill's one summary once", async () => {
    await registerLocation(world.services.storage.dueIndex, world.location, REALM_ID, new Date("2025-06-14T00:00:00.000Z"));
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: DAY, to: DAY, requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    const backfillJob = job("backfill", { backfillId: backfill.backfillId });
    world.pos.setDay(LOCATION_ID, DAY, aDay());

    world.quickbooks.failNext.createJournalEntry = new ProviderFailure("QuickBooks answered 503", "retryable");
    await expect(processJob(world.worker, backfillJob, { number: 1, max: 2 })).rejects.toMatchObject({ message: expect.stringContaining("QuickBooks did not answer in time") as string, detail: "QuickBooks answered 503" });
    expect(world.email.sent).toEqual([]);
    expect(failedDays).toEqual([]);
    expect((await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId))).toMatchObject({ done: 0, failed: 0 });

    world.quickbooks.failNext.findJournalEntries = new ProviderFailure("QuickBooks answered 503 again", "retryable");
    await expect(processJob(world.worker, backfillJob, { number: 2, max: 2 })).rejects.toMatchObject({ detail: "QuickBooks answered 503 again" });
    expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, DAY)).toMatchObject({ state: "failed", attempts: 2 });
    expect(failedDays).toEqual([backfillJob]);
    expect((await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId))).toMatchObject({ done: 0, failed: 1 });
    expect(sent()).toEqual([{ to: OWNER, purpose: "backfill-summary", subject: "Main Street Coffee: Saturday 14 June 2025 synced – 1 thing needs attention" }]);
    const summary = world.email.sent[0]?.text.replace(/\s+/g, " ") ?? "";
    expect(summary).toContain("Main Street, Saturday 14 June 2025: failed");
    expect(summary).toContain("Nothing was posted. Reason: QuickBooks did not answer in time, or said it was busy or failing: nothing in your QuickBooks company needs changing.");
    expect(world.email.sent[0]?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    // No digest mark: a backfill's days are in its summary.
    expect(await marks("2025-06-15")).toEqual([]);

    // The message delivered once more after its last attempt: nothing is sent twice.
    await processJob(world.worker, backfillJob, { number: 3, max: 3 }).catch(() => undefined);
    expect(sent().filter((email) => email.purpose === "backfill-summary")).toHaveLength(1);
    expect(world.quickbooks.entries).toHaveLength(1);
  });

  it("counts a backfill's day posted before whose re-sync failed as posted with its check for later changes failed, not as failed, and its summary says so", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toMatchObject({ status: "posted" });
    await registerLocation(world.services.storage.dueIndex, world.location, REALM_ID, new Date("2025-06-14T00:00:00.000Z"));
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: DAY, to: DAY, requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    world.pos.failure = new ProviderFailure("QuickBooks refused the entry: the books are closed for that date", "needs-merchant");
    expect(await processJob(world.worker, job("backfill", { backfillId: backfill.backfillId }), firstAttempt)).toMatchObject({ status: "failed" });
    expect(await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId)).toMatchObject({ done: 1, recheckFailed: 1, failed: 0, posted: 0 });
    const summary = world.email.sent.find((email) => email.purpose === "backfill-summary")?.text.replace(/\s+/g, " ") ?? "";
    expect(summary).toContain("Main Street, Saturday 14 June 2025: posted; the check for later changes failed");
    expect(world.quickbooks.entries).toHaveLength(1);
  });
});

describe("the records a job reads", () => {
  /** The worker's store, counting the calls named, through the real store. */
  function counting(...counted: (keyof Store)[]): { store: Store; calls: Partial<Record<keyof Store, number>> } {
    const calls: Partial<Record<keyof Store, number>> = {};
    const real = world.worker.store;
    const store = new Proxy(real, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (counted.includes(name as keyof Store)) calls[name as keyof Store] = (calls[name as keyof Store] ?? 0) + 1;
          return (value as (...each: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { store, calls };
  }

  it("reads a failed backfill day's record once after its sync, for its count and its report alike", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job(), firstAttempt)).toMatchObject({ status: "posted" });
    const backfill = await requestBackfill({ ...world.services.storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: DAY, to: "2025-06-15", requestedBy: "merchant",
    }, new Date("2025-06-16T12:00:00.000Z"));
    world.pos.failure = new ProviderFailure("QuickBooks refused the entry: the books are closed for that date", "needs-merchant");
    const { store, calls } = counting("getSyncRecord");
    expect(await processJob({ ...world.worker, store }, job("backfill", { backfillId: backfill.backfillId }), firstAttempt)).toMatchObject({ status: "failed" });
    // Before the sync, and once after it.
    expect(calls.getSyncRecord).toBe(2);
    expect(await world.services.storage.backfills.get(MERCHANT_ID, backfill.backfillId)).toMatchObject({ done: 1, recheckFailed: 1 });
    expect((await reports()).find((report) => report.status === "failed")?.content.postedBefore).toEqual([world.quickbooks.entries[0]?.docNumber]);
  });

  /** The nights of 06-10 (its four days posted) and of 06-11..06-13 (each posting its own day), so DAY's night re-checks three posted days. */
  async function threePostedNights(): Promise<void> {
    for (const day of ["2025-06-07", "2025-06-08", "2025-06-09", "2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", DAY]) world.pos.setDay(LOCATION_ID, day, aDay());
    for (const day of ["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13"]) {
      expect(await processJob(world.worker, job("night", { businessDay: day }), firstAttempt)).toMatchObject({ status: "posted" });
    }
  }

  it("a night reads the connections once (QuickBooks' again after the POS), the location and the merchant once, its days' records in one query and none after its sync", async () => {
    // With the payouts step, which looks at the location too (it has no payouts mapping: nothing more).
    await world.close();
    world = await createEngineWorld({ payoutApis: { listPayouts: () => Promise.resolve({ payouts: [], entriesOf: () => Promise.resolve([]) }) } });
    await threePostedNights();
    const { store, calls } = counting("getConnection", "getLocation", "getMerchant", "getSyncRecord", "listSyncRecordsBetween");
    const { payouts } = world.worker;
    if (!payouts) throw new Error("the world has no payouts step");
    const deps = { ...world.worker, store, sync: { ...world.worker.sync, store }, payouts: { ...payouts, store } };
    expect(await processJob(deps, job("night"), firstAttempt)).toMatchObject({ status: "posted" });
    // Both before the POS is read, QuickBooks' once more after it; then none for each of the four days.
    expect(calls.getConnection).toBe(3);
    // The location and the merchant for the night's days, its report and its payouts step alike.
    expect(calls.getLocation).toBe(1);
    expect(calls.getMerchant).toBe(1);
    // The four days' records before the night, in one query; DAY's report uses the record its sync wrote.
    expect(calls.listSyncRecordsBetween).toBe(1);
    expect(calls.getSyncRecord).toBeUndefined();
    const [report] = await reports();
    expect(report).toMatchObject({ status: "posted", content: { totals: { netSales: 1_450 } } });
  });

  it("a QuickBooks connection ended while the night read the POS: no day posts, each fails asking to reconnect", async () => {
    await threePostedNights();
    world.pos.setDay(LOCATION_ID, "2025-06-12", aDay(2));
    const posted = world.quickbooks.entries.length;
    const ports = world.worker.sync;
    let ended = false;
    const sync = {
      ...ports,
      summarisePosDay: async (...args: Parameters<typeof ports.summarisePosDay>) => {
        if (!ended) {
          ended = true;
          await storage().store.setConnectionStatus(MERCHANT_ID, "quickbooks-1", "revoked", "disconnected by the merchant");
        }
        return ports.summarisePosDay(...args);
      },
    };
    await processJob({ ...world.worker, sync }, job("night"), firstAttempt).catch(() => undefined);
    expect(world.quickbooks.entries.length).toBe(posted);
    for (const day of ["2025-06-12", DAY]) {
      expect(await storage().store.getSyncRecord(MERCHANT_ID, LOCATION_ID, day)).toMatchObject({ state: "failed", lastError: { kind: "needs-reconnect" } });
    }
  });

  it("makes QuickBooks' token ready while it reads the POS when the night's day is to post; a re-check of a posted night asks for none", async () => {
    await threePostedNights();
    const ports = world.worker.sync;
    let reading = false;
    const asked: string[] = [];
    const sync = {
      ...ports,
      summarisePosDay: async (...args: Parameters<typeof ports.summarisePosDay>) => {
        reading = true;
        await new Promise((resolve) => setImmediate(resolve));
        try {
          return await ports.summarisePosDay(...args);
        } finally {
          reading = false;
        }
      },
      quickBooksClient: async (connection: Parameters<typeof ports.quickBooksClient>[0]) => {
        const { client, tokens } = await ports.quickBooksClient(connection);
        return { client, tokens: { ...tokens, accessToken: () => { asked.push(reading ? "while the POS is read" : "after"); return tokens.accessToken(); } } };
      },
    };
    expect(await processJob({ ...world.worker, sync }, job("night"), firstAttempt)).toMatchObject({ status: "posted" });
    expect(asked[0]).toBe("while the POS is read");
    asked.length = 0;
    expect(await processJob({ ...world.worker, sync }, job("night"), firstAttempt)).toMatchObject({ status: "unchanged" });
    expect(asked).toEqual([]);
  });

  it("leaves the night's re-checks, unchanged, as they were; the night's own day's record vouches for the later two as of its read stamp", async () => {
    await threePostedNights();
    const { store, calls } = counting("saveSyncRecord");
    const record = (day: string) => storage().store.getSyncRecord(MERCHANT_ID, LOCATION_ID, day);
    const before = await Promise.all(["2025-06-11", "2025-06-12", "2025-06-13"].map(record));
    world.clock.at = new Date("2025-06-15T09:30:00.000Z");
    expect(await processJob({ ...world.worker, store, sync: { ...world.worker.sync, store } }, job("night"), firstAttempt)).toMatchObject({ status: "posted" });
    // DAY claimed and settled; 06-11..06-13 left.
    expect(calls.saveSyncRecord).toBe(2);
    expect(await Promise.all(["2025-06-11", "2025-06-12", "2025-06-13"].map(record))).toEqual(before);
    expect(await record(DAY)).toMatchObject({
      state: "posted", lastReadAt: "2025-06-15T09:30:00.000Z", vouched: { "2025-06-12": before[1]?.version, "2025-06-13": before[2]?.version },
    });
  });

  it("the next night trusts the days vouched for at the version vouched for, and reads again one written since", async () => {
    // Each night the morning after its day, so no day's own stamp is recent enough for the night of 06-15.
    for (const day of ["2025-06-07", "2025-06-08", "2025-06-09", "2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", DAY]) world.pos.setDay(LOCATION_ID, day, aDay());
    for (const day of ["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13"]) {
      world.clock.at = new Date(`${addDays(day, 1)}T09:30:00.000Z`);
      expect(await processJob(world.worker, job("night", { businessDay: day }), firstAttempt)).toMatchObject({ status: "posted" });
    }
    world.clock.at = new Date("2025-06-15T09:30:00.000Z");
    expect(await processJob(world.worker, job("night"), firstAttempt)).toMatchObject({ status: "posted" });
    world.pos.setDay(LOCATION_ID, "2025-06-15", aDay());
    const trusted = async (at: string): Promise<Record<string, boolean>> => {
      world.clock.at = new Date(at);
      const plans: NightPlan[] = [];
      const readPosNight: NonNullable<SyncPorts["readPosNight"]> = (location, _connection, plan) => {
        plans.push(plan);
        return Promise.resolve(new Map(plan.days.map((day) => [day.businessDay, { summary: world.pos.day(location.locationId, day.businessDay, location.currency), warnings: [] }])));
      };
      await processJob({ ...world.worker, sync: { ...world.worker.sync, readPosNight } }, job("night", { businessDay: "2025-06-15" }), firstAttempt);
      return Object.fromEntries((plans[0]?.days ?? []).map((day) => [day.businessDay, day.trusted]));
    };
    // 06-12 and 06-13 by DAY's vouch, DAY by its own stamp: all read complete at 09:30 on 06-15, after 06-15 began.
    expect(await trusted("2025-06-16T09:30:00.000Z")).toEqual({ "2025-06-12": true, "2025-06-13": true, [DAY]: true, "2025-06-15": false });

    // 06-13's record written since (its version moved on): DAY's vouch no longer speaks for it.
    const thirteenth = await storage().store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-13");
    if (!thirteenth) throw new Error("06-13 has no record");
    const { version, ...rest } = thirteenth;
    await storage().store.saveSyncRecord({ ...rest, attempts: 1, lastError: { kind: "retryable", message: "Square did not answer", at: "2025-06-16T09:00:00.000Z" } }, version);
    expect(await trusted("2025-06-16T10:30:00.000Z")).toMatchObject({ "2025-06-13": false });
  });

  it("still writes the oldest re-check when more than its read stamp changes: an attempt counted, a failure to clear", async () => {
    await threePostedNights();
    const oldest = await storage().store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-11");
    if (!oldest) throw new Error("06-11 has no record");
    const { version, ...rest } = oldest;
    await storage().store.saveSyncRecord({ ...rest, attempts: 1, lastError: { kind: "retryable", message: "Square did not answer", at: "2025-06-14T07:00:00.000Z" } }, version);
    expect(await processJob(world.worker, job("night"), firstAttempt)).toMatchObject({ status: "posted" });
    const after = await storage().store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-11");
    expect(after).toMatchObject({ state: "posted", attempts: 0, version: version + 2 });
    expect(after?.lastError).toBeUndefined();
  });

  it("reads the merchant once for a failed day's report and its alert", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.pos.failure = new ProviderFailure("QuickBooks refused the entry: the books are closed for that date", "needs-merchant");
    const { store, calls } = counting("getMerchant");
    expect(await processJob({ ...world.worker, store }, job(), firstAttempt)).toEqual({ status: "failed", emailsSent: 1 });
    expect(calls.getMerchant).toBe(1);
    expect(sent()).toEqual([{ to: OWNER, purpose: "alert", subject: "Action needed: Main Street: Saturday 14 June 2025 was not posted" }]);
  });
});

describe("a night job and the accountants' client lists", () => {
  /** An accountant with access to the business, as an accepted invitation leaves it: no day on the list yet. */
  async function anAccountant(): Promise<string> {
    const { members } = world.services.storage;
    const at = "2025-06-10T12:00:00.000Z";
    const personId = "p-accountant";
    // Their own account, as signing in to accept made it: a membership lives in a partition whose profile is there.
    await world.services.storage.store.createMerchant({ merchantId: personId, name: "", email: "books@accountant.example", createdAt: at });
    const invitation = {
      invitationId: "inv-1", tokenHash: "a".repeat(64), businessId: MERCHANT_ID, email: "books@accountant.example", invitedBy: MERCHANT_ID,
      createdAt: at, expiresAt: "2025-06-11T12:00:00.000Z",
    };
    await members.putInvitation(invitation);
    const accepted = await members.acceptInvitation(
      invitation,
      { businessId: MERCHANT_ID, personId, email: invitation.email, invitedBy: MERCHANT_ID, createdAt: at },
      { businessId: MERCHANT_ID, personId, businessName: "Main Street Coffee", createdAt: at, locations: {}, statusUpdatedAt: at },
      new Date(at),
    );
    expect(accepted).toBeTruthy();
    return personId;
  }
  const listed = async (personId: string) => (await world.services.storage.members.getMembership(personId, MERCHANT_ID))?.locations[LOCATION_ID];

  it("puts the night's day on every accountant's client list: posted, and failed once the last attempt gives up", async () => {
    const personId = await anAccountant();
    const before = "2025-06-13";
    world.pos.setDay(LOCATION_ID, before, aDay());
    expect(await processJob(world.worker, job("night", { businessDay: before }), firstAttempt)).toMatchObject({ status: "posted" });
    expect(await listed(personId)).toMatchObject({ businessDay: before, state: "posted" });

    world.pos.setDay(LOCATION_ID, DAY, aDay());
    world.quickbooks.failNext.createJournalEntry = new ProviderFailure("QuickBooks answered 503", "retryable");
    await expect(processJob(world.worker, job("night"), firstAttempt)).rejects.toThrow(/QuickBooks did not answer/);
    // Not the last attempt: the day is not done, and the list still shows the night before.
    expect(await listed(personId)).toMatchObject({ businessDay: before, state: "posted" });
    world.quickbooks.failNext.createJournalEntry = new ProviderFailure("QuickBooks answered 503 again", "retryable");
    await expect(processJob(world.worker, job("night"), { number: 3, max: 3 })).rejects.toThrow(/QuickBooks did not answer/);
    expect(await listed(personId)).toMatchObject({ businessDay: DAY, state: "failed", failureKind: "retryable" });
  });

  it("lists a day posted before whose check for later changes failed as posted, not failed", async () => {
    const personId = await anAccountant();
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    expect(await processJob(world.worker, job("first"), firstAttempt)).toMatchObject({ status: "posted" });
    world.pos.failure = new ProviderFailure("QuickBooks refused the entry: the books are closed for that date", "needs-merchant");
    expect(await processJob(world.worker, job("recheck"), firstAttempt)).toMatchObject({ status: "failed" });
    expect(await listed(personId)).toMatchObject({ businessDay: DAY, state: "failed", posted: true });
    const memberships = await world.services.storage.members.listMemberships(personId);
    const [row] = clientList(memberships, world.clock.at).rows;
    expect(row?.locations).toMatchObject([{ state: "recheck-failed", words: `Posted; the check for later changes failed on ${formatDay(DAY)}: QuickBooks refused the entry: the books are closed for that date` }]);
  });
});

describe("the worker's batch", () => {
  it("runs a job on its last receive even behind a failed job of its company, so no day goes to the dead-letter queue unreported", async () => {
    // Two days of one QuickBooks company (one message group), each on its last receive: the batch that
    // held the second back behind the first, failing, on every receive before spent its receives too.
    const handler = createWorkerHandler({
      deps: world.worker, sqs: { send: () => Promise.resolve({}) }, queueUrl: "https://sqs.test/jobs.fifo", maxAttempts: 3,
      idempotency: createIdempotencyStore({ client: world.services.dynamo, tableName: LOCAL_TABLE }),
    });
    const record = (businessDay: string) => ({
      messageId: `message-${businessDay}`, receiptHandle: `receipt-${businessDay}`, body: JSON.stringify(job("first", { businessDay })),
      attributes: { ApproximateReceiveCount: "3", MessageGroupId: messageGroupOf(REALM_ID) }, eventSource: "aws:sqs",
    });
    world.pos.failure = new ProviderFailure("Square did not answer (503)", "retryable");

    const result = await handler({ Records: [record("2025-06-13"), record(DAY)] }, { getRemainingTimeInMillis: () => 900_000 });

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(["message-2025-06-13", `message-${DAY}`]);
    for (const businessDay of ["2025-06-13", DAY]) {
      expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, businessDay), businessDay).toMatchObject({ state: "failed" });
    }
    expect(sent().map((email) => email.subject)).toEqual([
      "Nothing to do yet: Main Street: Friday 13 June 2025 was not posted", "Nothing to do yet: Main Street: Saturday 14 June 2025 was not posted",
    ]);
    // Not on its last receive, a job behind a failed one of its group still waits for it, in order.
    const earlier = (businessDay: string) => ({ ...record(businessDay), attributes: { ...record(businessDay).attributes, ApproximateReceiveCount: "1" } });
    const reads = world.pos.reads;
    await handler({ Records: [earlier("2025-06-11"), earlier("2025-06-12")] }, { getRemainingTimeInMillis: () => 900_000 });
    expect(world.pos.reads).toBe(reads + 1);
  });
});

describe("a job whose attempts all ended without a word (timed out, out of memory)", () => {
  it("is reported from the dead-letter queue as a last attempt would be: the day failed, the merchant alerted, once; a day an attempt had ended is left as it is, and a body that is not a job stays", async () => {
    const DEAD_LETTERS = "arn:aws:sqs:us-east-1:123456789012:jobs-dead-letters.fifo";
    const failed: string[] = [];
    const handler = createWorkerHandler({
      deps: { ...world.worker, onFailedDay: (failedJob) => failed.push(failedJob.businessDay) }, sqs: { send: () => Promise.resolve({}) },
      queueUrl: "https://sqs.test/jobs.fifo", maxAttempts: 3, deadLettersArn: DEAD_LETTERS,
      idempotency: createIdempotencyStore({ client: world.services.dynamo, tableName: LOCAL_TABLE }),
    });
    const deadLetter = (id: string, body: string) => ({
      messageId: id, receiptHandle: `receipt-${id}`, body, eventSource: "aws:sqs", eventSourceARN: DEAD_LETTERS,
      attributes: { ApproximateReceiveCount: "1", MessageGroupId: messageGroupOf(REALM_ID) },
    });
    // 06-13 was posted by an attempt that got that far; 06-14's night never ended.
    world.pos.setDay(LOCATION_ID, "2025-06-13", aDay());
    await syncLocationDay(world.sync, world.day("2025-06-13"));
    const reads = world.pos.reads;
    const context = { getRemainingTimeInMillis: () => 900_000 };

    const result = await handler({ Records: [deadLetter("night", JSON.stringify(job("night", { businessDay: DAY })))] }, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, DAY)).toMatchObject({
      state: "failed", lastError: { kind: "bug", message: "daybook ran out of time or memory reading or posting this day, on every attempt" },
    });
    expect(sent().map((email) => email.subject)).toEqual(["Nothing to do yet: Main Street: Saturday 14 June 2025 was not posted"]);
    expect(failed).toEqual([DAY]);
    // Nothing read from the POS or posted: only said.
    expect(world.pos.reads).toBe(reads);

    // The same dead letter again (Lambda retried it): no second alert.
    await handler({ Records: [deadLetter("night-again", JSON.stringify(job("night", { businessDay: DAY })))] }, context);
    expect(sent()).toHaveLength(1);
    // A re-check of a posted day: left posted, nobody told.
    await handler({ Records: [deadLetter("recheck", JSON.stringify(job("recheck", { businessDay: "2025-06-13" })))] }, context);
    expect(await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-13")).toMatchObject({ state: "posted" });
    expect(sent()).toHaveLength(1);
    // Not a job: it stays in the queue, for the alarm.
    expect(await handler({ Records: [deadLetter("junk", "{\"kind\":\"night\"}")] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: "junk" }] });
  });
});

describe("a job of an account deleted meanwhile", () => {
  it("writes nothing that names the account, on its last attempt too: a night's, a day's and a backfill's job, queued before the deletion", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    const storage = world.services.storage;
    await registerLocation(storage.dueIndex, world.location, REALM_ID, new Date("2025-06-12T00:00:00.000Z"));
    await requestBackfill({ ...storage, queue: world.queue }, {
      merchantId: MERCHANT_ID, locationId: LOCATION_ID, from: "2025-06-12", to: DAY, requestedBy: "merchant",
    }, new Date("2025-06-15T12:00:00.000Z"));
    const queued = world.queue.take();
    expect(queued.length).toBe(3);
    await deleteAccount({ ...storage, vault: world.services.vault, providers: {}, now: () => world.clock.at }, MERCHANT_ID);
    const naming = async () => {
      const { Items = [] } = await world.services.dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE }));
      return Items.map((item) => JSON.stringify(item)).filter((text) => text.includes(MERCHANT_ID));
    };
    expect(await naming()).toEqual([]);

    const jobs: SyncJob[] = [job("night"), job("first", { businessDay: "2025-06-13" }), ...queued.map((message) => message.job)];
    for (const each of jobs) {
      for (const number of [1, 3]) await processJob(world.worker, each, { number, max: 3 }).catch(() => undefined);
    }
    expect(await naming()).toEqual([]);
    expect(world.email.sent).toEqual([]);
  });

  it("writes nothing that stays when the deletion runs after the night's job checked the account and before it wrote its record", async () => {
    world.pos.setDay(LOCATION_ID, DAY, aDay());
    const storage = world.services.storage;
    // The job's store, waiting at its first record until the account is gone.
    let reached!: () => void;
    let release!: () => void;
    const atFirstWrite = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    let waited = false;
    const store = {
      ...world.worker.store,
      saveSyncRecord: async (...args: Parameters<typeof world.worker.store.saveSyncRecord>) => {
        if (!waited) {
          waited = true;
          reached();
          await released;
        }
        return world.worker.store.saveSyncRecord(...args);
      },
    };
    const running = processJob({ ...world.worker, store, sync: { ...world.worker.sync, store } }, job("night"), firstAttempt).catch(() => undefined);
    await atFirstWrite;
    await deleteAccount({ ...storage, vault: world.services.vault, providers: {}, now: () => world.clock.at }, MERCHANT_ID);
    release();
    await running;
    const { Items = [] } = await world.services.dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE }));
    expect(Items.map((item) => JSON.stringify(item)).filter((text) => text.includes(MERCHANT_ID))).toEqual([]);
  });
});
