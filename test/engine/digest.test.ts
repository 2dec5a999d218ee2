/**
 * The morning digest (lib/report/digest.ts) on the in-memory runtime: the worker's real jobs on the
 * fake POS and QuickBooks, then the digest step as the scheduler runs it, with its clock. One business,
 * two locations three hours apart (Main Street in New York on Square, Harbour in Los Angeles on Clover),
 * and a recipient of each kind: daily, weekly, only when something needs attention, one not yet
 * confirmed and one unsubscribed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DailySummary } from "../../lib/domain/summary";
import type { OutgoingEmail } from "../../lib/email/email";
import type { LocationConfig } from "../../lib/model";
import { sealTokens } from "../../lib/oauth/tokens";
import { sendDueDigests } from "../../lib/report/digest";
import { addressHash, type Recipient } from "../../lib/report/recipients";
import type { SyncJob } from "../../lib/schedule/job";
import { processJob } from "../../lib/worker/process-job";
import { summaryOf } from "../support/summaries";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER } from "./runtime";

const HARBOUR = "L-HARBOUR";
const DAILY = "daily@books.example";
const WEEKLY = "weekly@books.example";
const ATTENTION = "attention@books.example";
const PENDING = "pending@books.example";
const GONE = "gone@books.example";

let world: EngineWorld;
let harbour: LocationConfig;

beforeEach(async () => {
  world = await createEngineWorld();
  const { store } = world.services.storage;
  const at = world.clock.at.toISOString();
  const identity = { merchantId: MERCHANT_ID, connectionId: "clover-1", provider: "clover" as const };
  await store.putConnection({ ...identity, status: "active", externalId: "CLMERCHANT01", createdAt: at, updatedAt: at, tokenCiphertext: await sealTokens(world.services.vault, identity, { accessToken: "clover-token" }) });
  harbour = { ...world.location, locationId: HARBOUR, source: "clover", name: "Harbour", posConnectionId: "clover-1", timeZone: "America/Los_Angeles" };
  await store.putLocation(harbour);
  const recipient = (address: string, frequency: Recipient["frequency"], status: Recipient["status"] = "confirmed"): Recipient => ({ address, status, frequency, addedAt: at });
  await world.services.storage.recipients.put(MERCHANT_ID, {
    version: 0,
    recipients: [recipient(OWNER, "daily"), recipient(DAILY, "daily"), recipient(WEEKLY, "weekly"), recipient(ATTENTION, "exceptions"), recipient(PENDING, "daily", "pending"), recipient(GONE, "daily")],
    unsubscribed: [{ hash: addressHash(GONE), at }],
  });
});

afterEach(async () => {
  await world.close();
});

/** The night after `day`: both locations' first syncs, at 06:00 UTC (after both days ended and settled). */
async function night(day: string, days: { main?: DailySummary; harbour?: DailySummary } = {}): Promise<void> {
  world.pos.setDay(LOCATION_ID, day, days.main ?? aDay());
  world.pos.setDay(HARBOUR, day, days.harbour ?? aDay(2));
  world.clock.at = new Date(`${nextDay(day)}T09:30:00.000Z`);
  for (const locationId of [LOCATION_ID, HARBOUR]) {
    const job: SyncJob = { merchantId: MERCHANT_ID, locationId, businessDay: day, kind: "first" };
    await processJob(world.worker, job, { number: 1, max: 3 });
  }
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

/** Runs the digest step at `at`, as a scheduler tick does; the emails it sent. */
async function tickAt(at: string): Promise<OutgoingEmail[]> {
  const before = world.email.sent.length;
  world.clock.at = new Date(at);
  const result = await sendDueDigests({ ...world.digests, now: () => world.clock.at });
  expect(result.failed).toBe(0);
  return world.email.sent.slice(before).filter((email) => email.purpose === "digest");
}

const toOf = (emails: OutgoingEmail[]) => emails.map((email) => email.to.join(",")).sort();
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("the morning digest", () => {
  it("goes once per daily recipient with both locations, at 07:00 where the westernmost location is, never to the unconfirmed or the unsubscribed", async () => {
    await night("2025-06-14");
    // 07:00 in New York: Los Angeles is still asleep.
    expect(await tickAt("2025-06-15T11:05:00.000Z")).toEqual([]);
    const sent = await tickAt("2025-06-15T14:05:00.000Z");
    expect(toOf(sent)).toEqual([DAILY, OWNER].sort());
    const [digest] = sent;
    expect(digest?.subject).toBe("Main Street Coffee: Saturday 14 June 2025 – nothing needs attention");
    expect(digest?.merchantId).toBe(MERCHANT_ID);
    expect(digest?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const text = flat(digest?.text ?? "");
    for (const fact of ["Harbour, Sat 14 Jun", "Main Street, Sat 14 Jun", "2 locations, 2 days: 2 posted. Nothing needs attention.", "not reported by Clover", "Net sales: 29.00", "Net sales: 43.50", "All locations"]) {
      expect(text).toContain(fact);
    }
    for (const entry of world.quickbooks.entries) expect(digest?.text).toContain(entry.docNumber);
    // Another tick (or two at once) sends nothing more.
    const again = await Promise.all([tickAt("2025-06-15T14:20:00.000Z"), tickAt("2025-06-15T14:20:00.000Z")]);
    expect(again.flat()).toEqual([]);
  });

  it("sends the exceptions-only recipient nothing on a quiet day, and one email on a held day, with what to do and the approve link", async () => {
    await night("2025-06-14");
    expect(toOf(await tickAt("2025-06-15T14:05:00.000Z"))).not.toContain(ATTENTION);

    // Harbour's payments fall 5.00 short the next day: held, the merchant alerted at once.
    const short = summaryOf({ sales: { CAT_FOOD: 1_000 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 80 }, payments: { CARD: 580 } });
    await night("2025-06-15", { harbour: short });
    expect(world.email.sent.filter((email) => email.purpose === "alert").map((email) => email.to.join(","))).toEqual([OWNER]);
    const sent = await tickAt("2025-06-16T14:05:00.000Z");
    const attention = sent.filter((email) => email.to.includes(ATTENTION));
    expect(attention).toHaveLength(1);
    expect(attention[0]?.subject).toBe("Main Street Coffee: Sunday 15 June 2025 – 1 thing needs attention");
    const text = flat(attention[0]?.text ?? "");
    expect(text).toContain("Needs attention");
    expect(text).toContain("Harbour, Sunday 15 June 2025: held for review");
    expect(text).toContain("Nothing was posted yet. The POS figures are short by 5.00 USD");
    expect(text).toContain("Review and approve: https://daybook.test/approve?token=");
  });

  // A week of nights, two syncs each: more than the default 30 s on a busy machine.
  it("sends the weekly recipient nothing on other mornings, and on Monday one digest of the week's days", async () => {
    for (const day of ["2025-06-09", "2025-06-10", "2025-06-11", "2025-06-12", "2025-06-13", "2025-06-14"]) {
      await night(day);
      expect(toOf(await tickAt(`${nextDay(day)}T14:05:00.000Z`))).not.toContain(WEEKLY);
    }
    await night("2025-06-15");
    const monday = await tickAt("2025-06-16T14:05:00.000Z");
    const weekly = monday.filter((email) => email.to.includes(WEEKLY));
    expect(weekly).toHaveLength(1);
    expect(weekly[0]?.subject).toBe("Main Street Coffee: the week of Monday 9 June 2025 – nothing needs attention");
    const text = flat(weekly[0]?.text ?? "");
    expect(text).toContain("2 locations, 14 days: 14 posted.");
    for (const day of ["Mon 9 Jun", "Sun 15 Jun"]) {
      expect(text).toContain(`Main Street, ${day}`);
      expect(text).toContain(`Harbour, ${day}`);
    }
    expect(text).toContain("You get Main Street Coffee's weekly digest from daybook at weekly@books.example, on Mondays.");
    // The daily recipients got Monday's daily digest, not the week.
    expect(monday.filter((email) => email.to.includes(DAILY)).map((email) => email.subject)).toEqual(["Main Street Coffee: Sunday 15 June 2025 – nothing needs attention"]);
  }, 120_000);

  it("waits for a location that has not had its night, and at the deadline goes without it rather than not at all", async () => {
    await night("2025-06-13");
    await tickAt("2025-06-14T14:05:00.000Z");
    world.pos.setDay(LOCATION_ID, "2025-06-14", aDay());
    world.clock.at = new Date("2025-06-15T09:30:00.000Z");
    await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-14", kind: "first" }, { number: 1, max: 3 });
    // Harbour's day has not been synced: the digest waits, past 07:00, until 11:00 in Los Angeles.
    expect(await tickAt("2025-06-15T14:05:00.000Z")).toEqual([]);
    expect(await tickAt("2025-06-15T17:50:00.000Z")).toEqual([]);
    const sent = await tickAt("2025-06-15T18:05:00.000Z");
    expect(toOf(sent)).toEqual([DAILY, OWNER].sort());
    expect(flat(sent[0]?.text ?? "")).toContain("Harbour, Sat 14 Jun Status: Not synced yet");
  });

  it("sends each recipient exactly once when a tick fails half way: the next tick sends only what is missing", async () => {
    await night("2025-06-14");
    const send = world.digests.email.send.bind(world.digests.email);
    let calls = 0;
    const failing = {
      ...world.digests,
      email: { send: async (email: OutgoingEmail) => { if (++calls === 2) throw new Error("SES timed out"); await send(email); } },
    };
    world.clock.at = new Date("2025-06-15T14:05:00.000Z");
    const first = await sendDueDigests({ ...failing, now: () => world.clock.at });
    expect(first.failed).toBe(1);
    expect(world.email.sent.filter((email) => email.purpose === "digest")).toHaveLength(1);
    const rest = await tickAt("2025-06-15T14:20:00.000Z");
    expect(rest).toHaveLength(1);
    expect(toOf(world.email.sent.filter((email) => email.purpose === "digest"))).toEqual([DAILY, OWNER].sort());
    expect(await tickAt("2025-06-15T14:35:00.000Z")).toEqual([]);
  });

  it("shows an earlier day first posted overnight, when its re-check found the sales the first sync had not, as a line of its own", async () => {
    await night("2025-06-13", { main: summaryOf({}) });
    expect((await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-13"))?.state).toBe("no-sales");
    await tickAt("2025-06-14T14:05:00.000Z");
    world.pos.setDay(LOCATION_ID, "2025-06-13", aDay());
    world.clock.at = new Date("2025-06-15T09:00:00.000Z");
    await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-13", kind: "recheck" }, { number: 1, max: 3 });
    const late = await world.services.storage.store.getSyncRecord(MERCHANT_ID, LOCATION_ID, "2025-06-13");
    expect(late?.state).toBe("posted");
    await night("2025-06-14");
    const sent = await tickAt("2025-06-15T14:05:00.000Z");
    expect(toOf(sent)).toEqual([DAILY, OWNER].sort());
    const text = flat(sent.find((email) => email.to.includes(DAILY))?.text ?? "");
    expect(text).toContain("Main Street, Fri 13 Jun Status: Posted");
    expect(text).toContain(late!.posted[0]!.docNumber);
    expect(text).toContain("Main Street, Sat 14 Jun Status: Posted");
  });

  it("never calls an item both new and reported before: a category first seen on the day before's re-check and again on the new day is listed once, as new", async () => {
    await night("2025-06-13");
    await tickAt("2025-06-14T14:05:00.000Z");
    // The next night: the day before gains a late sale in a category the mapping has never listed, then the new day sells it too.
    const withSpecials = summaryOf({
      ...aDay(), sales: { ...aDay().sales, CAT_SPECIALS: 500 }, categoryNames: { ...aDay().categoryNames, CAT_SPECIALS: "Specials" },
      payments: { CARD: 1_200, CASH: 866 },
    });
    world.pos.setDay(LOCATION_ID, "2025-06-13", withSpecials);
    world.clock.at = new Date("2025-06-15T09:00:00.000Z");
    await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-13", kind: "recheck" }, { number: 1, max: 3 });
    await night("2025-06-14", { main: withSpecials });
    const sent = await tickAt("2025-06-15T14:05:00.000Z");
    const text = flat(sent.find((email) => email.to.includes(DAILY))?.text ?? "");
    expect(text).toContain("Main Street, Friday 13 June 2025: adjusted");
    expect(text).toContain("New items with no account in the mapping");
    expect(text.match(/Main Street: Category "Specials" has no account in the mapping/g)).toHaveLength(1);
    expect(text).not.toContain("reported before");
  });

  it("says an adjustment posted overnight, line by line before and after, under the morning's day", async () => {
    await world.services.storage.store.putLocation({ ...world.location, accountLabels: { 45: { name: "Food sales", number: "4045" }, 12: { name: "Cash on hand" } } });
    await night("2025-06-13");
    await tickAt("2025-06-14T14:05:00.000Z");
    // The next night: the day before gains a late cash sale (its re-check), and the new day is synced.
    world.pos.setDay(LOCATION_ID, "2025-06-13", summaryOf({ ...aDay(), sales: { CAT_FOOD: 1_500, CAT_BEVERAGES: 450 }, payments: { CARD: 1_200, CASH: 866 }, tax: { "State Sales Tax": 116 } }));
    world.clock.at = new Date("2025-06-15T09:00:00.000Z");
    await processJob(world.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: "2025-06-13", kind: "recheck" }, { number: 1, max: 3 });
    await night("2025-06-14");
    const sent = await tickAt("2025-06-15T14:05:00.000Z");
    const text = flat(sent.find((email) => email.to.includes(ATTENTION))?.text ?? "");
    expect(text).toContain("Main Street, Friday 13 June 2025: adjusted");
    expect(text).toContain("This adjusting entry DB250613-");
    expect(text).toContain("Sales – Food 4045 Food sales 10.00 Cr 15.00 Cr 5.00 Cr");
    expect(text).toContain("Cash payments Cash on hand 3.66 Dr 8.66 Dr 5.00 Dr");
    expect(text).toContain("The day now totals: 20.66 USD in debits and in credits");
  });
});
