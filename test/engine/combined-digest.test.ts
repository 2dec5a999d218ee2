/**
 * The accountants' combined digest (lib/report/digest.ts) on the in-memory runtime: the worker's real
 * jobs on the fake POS and QuickBooks, the real invitation and acceptance (lib/members/invitations.ts),
 * then the digest step as the scheduler runs it, on its clock. Two businesses: Main Street Coffee (its
 * location in New York) and Birch Cafe (its location in Los Angeles, three hours later), each with its
 * owner; Main Street Coffee also has a plain recipient who is not a daybook user. One accountant,
 * books@ledger.example, accepted both businesses' invitations.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DailySummary } from "../../lib/domain/summary";
import type { OutgoingEmail } from "../../lib/email/email";
import { acceptInvitation, inviteAccountant } from "../../lib/members/invitations";
import type { LocationConfig, Merchant } from "../../lib/model";
import { sealTokens } from "../../lib/oauth/tokens";
import { type DigestStore, sendDueDigests } from "../../lib/report/digest";
import { type DigestFrequency, isUnsubscribed, updateRecipients, withFrequency } from "../../lib/report/recipients";
import { linkTargetName, readUnsubscribeLink, resubscribeFromLink, resubscribeToken, unsubscribeFromLink, type UnsubscribeDeps } from "../../lib/report/unsubscribe";
import { processJob } from "../../lib/worker/process-job";
import { addClient, type Client, clientNight } from "../support/accountant-clients";
import { summaryOf } from "../support/summaries";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER } from "./runtime";

const BIRCH_ID = "m-birch";
const BIRCH_OWNER = "owner@birch.example";
const BIRCH_LOCATION = "L-BIRCH";
const PLAIN = "plain@cafe.example";
const BOOKS = "books@ledger.example";
/** Several nights through the worker each: more than the default 30 s on a busy machine. */
const NIGHTS_MS = 120_000;

let world: EngineWorld;
let personId = "";

async function setUpBirch(): Promise<void> {
  const { store } = world.services.storage;
  const at = world.clock.at.toISOString();
  await store.putMerchant({ merchantId: BIRCH_ID, name: "Birch Cafe", email: BIRCH_OWNER, createdAt: at });
  for (const [connectionId, provider, externalId] of [["birch-square", "square", "SQBIRCH1"], ["birch-quickbooks", "quickbooks", "9130000000000077"]] as const) {
    const identity = { merchantId: BIRCH_ID, connectionId, provider };
    await store.putConnection({
      ...identity, status: "active", externalId, createdAt: at, updatedAt: at,
      tokenCiphertext: await sealTokens(world.services.vault, identity, { accessToken: `${provider}-token` }),
    });
  }
  const birch: LocationConfig = {
    ...world.location, merchantId: BIRCH_ID, locationId: BIRCH_LOCATION, name: "Birch Street", posConnectionId: "birch-square",
    quickbooksConnectionId: "birch-quickbooks", timeZone: "America/Los_Angeles",
  };
  await store.putLocation(birch);
}

/** The business invites the accountant and the accountant accepts, as the web does it. */
async function invite(business: Merchant): Promise<void> {
  const { storage } = world.services;
  const deps = { store: storage.store, members: storage.members, auth: storage.auth, recipients: storage.recipients, email: world.services.email, publicUrl: world.services.publicUrl, linkKey: world.worker.linkKey, now: () => world.clock.at };
  const outcome = await inviteAccountant(deps, { business, invitedBy: business, address: BOOKS });
  expect(outcome.ok).toBe(true);
  const invitation = world.email.sent.filter((email) => email.purpose === "invitation").at(-1);
  const token = /token=([A-Za-z0-9_-]+)/.exec(invitation?.text ?? "")?.[1];
  const accepted = await acceptInvitation(deps, token ?? "");
  expect(accepted?.business.merchantId).toBe(business.merchantId);
  personId = accepted?.person.merchantId ?? "";
}

beforeEach(async () => {
  world = await createEngineWorld();
  await setUpBirch();
  const { store, recipients } = world.services.storage;
  await recipients.put(MERCHANT_ID, {
    version: 0, unsubscribed: [],
    recipients: [OWNER, PLAIN].map((address) => ({ address, status: "confirmed" as const, frequency: "daily" as const, addedAt: world.clock.at.toISOString() })),
  });
  for (const id of [MERCHANT_ID, BIRCH_ID]) await invite((await store.getMerchant(id))!);
});

afterEach(async () => {
  await world.close();
});

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

/** The night after `day`: each named location's first sync, at 09:30 UTC (after both days ended). */
async function night(day: string, days: { main?: DailySummary | null; birch?: DailySummary | null } = {}): Promise<void> {
  world.clock.at = new Date(`${nextDay(day)}T09:30:00.000Z`);
  for (const [merchantId, locationId, summary] of [[MERCHANT_ID, LOCATION_ID, days.main], [BIRCH_ID, BIRCH_LOCATION, days.birch]] as const) {
    if (summary === null) continue;
    world.pos.setDay(locationId, day, summary ?? aDay(locationId === LOCATION_ID ? 1 : 2));
    await processJob(world.worker, { merchantId, locationId, businessDay: day, kind: "first" }, { number: 1, max: 3 });
  }
}

/** Runs the digest step at `at`, as a scheduler tick does; the digests it sent. */
async function tickAt(at: string, deps = world.digests): Promise<OutgoingEmail[]> {
  const before = world.email.sent.length;
  world.clock.at = new Date(at);
  const result = await sendDueDigests({ ...deps, now: () => world.clock.at });
  expect(result.failed).toBe(0);
  return world.email.sent.slice(before).filter((email) => email.purpose === "digest");
}

const to = (address: string, emails: OutgoingEmail[]) => emails.filter((email) => email.to.includes(address));
const toOf = (emails: OutgoingEmail[]) => emails.map((email) => email.to.join(",")).sort();
const flat = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ");
const digestsSoFar = () => world.email.sent.filter((email) => email.purpose === "digest");

async function setFrequency(businessId: string, ownerEmail: string, frequency: DigestFrequency): Promise<void> {
  await updateRecipients(world.services.storage.recipients, businessId, (list) => ({ list: withFrequency(list, ownerEmail, BOOKS, frequency), result: undefined }));
}

/** Birch Street's payments 5.00 short: held. */
const SHORT = summaryOf({ sales: { CAT_FOOD: 1_000 }, categoryNames: { CAT_FOOD: "Food" }, tax: { "State Sales Tax": 80 }, payments: { CARD: 580 } });

describe("the accountants' combined morning digest", () => {
  it("sends an accountant of two businesses one email with both, once the westernmost client's morning came; owners and the plain recipient get their business's own; nobody gets both", async () => {
    await night("2025-06-14");
    // 07:05 in New York: Main Street Coffee decides and sends its own; the accountant's copy waits for Birch Cafe.
    const early = await tickAt("2025-06-15T11:05:00.000Z");
    expect(toOf(early)).toEqual([OWNER, PLAIN].sort());
    expect(early[0]?.subject).toBe("Main Street Coffee: Saturday 14 June 2025 – nothing needs attention");
    // 07:05 in Los Angeles: Birch Cafe decides, and the accountant's one email goes in the same tick.
    const sent = await tickAt("2025-06-15T14:05:00.000Z");
    expect(toOf(sent)).toEqual([BIRCH_OWNER, BOOKS].sort());
    const [combined] = to(BOOKS, sent);
    expect(combined?.subject).toBe("Your clients: Saturday 14 June 2025 – 2 clients, nothing needs attention");
    expect(combined?.merchantId).toBe(personId);
    expect(combined?.headers?.["List-Unsubscribe"]).toMatch(/^<https:\/\/daybook\.test\/unsubscribe\?token=.+>$/);
    expect(combined?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const text = flat(combined?.text);
    // Each client's block as its own digest has it: the lines, the figures, the entries, the links.
    for (const fact of [
      "2 clients: nothing needs attention.", "Birch Cafe", "Main Street Coffee", "Birch Street, Sat 14 Jun", "Main Street, Sat 14 Jun",
      "1 location, 1 day: 1 posted. Nothing needs attention.", "Net sales: 14.50", "Net sales: 29.00",
      // A client's links open that client's pages, whichever client the accountant's session works on (GET /clients/open).
      `Open the history: https://daybook.test/clients/open?business=${BIRCH_ID}&next=%2Fhistory`,
      `Open the history: https://daybook.test/clients/open?business=${MERCHANT_ID}&next=%2Fhistory`,
      "Open your client list: https://daybook.test/clients", "Stop these emails: https://daybook.test/unsubscribe?token=",
    ]) expect(text).toContain(fact);
    for (const entry of world.quickbooks.entries) expect(text).toContain(entry.docNumber);
    for (const [business, location] of [[BIRCH_ID, BIRCH_LOCATION], [MERCHANT_ID, LOCATION_ID]]) {
      expect(combined?.html).toContain(`https://daybook.test/clients/open?business=${business}&amp;next=%2Fdays%2F${location}%2F2025-06-14`);
    }
    // Nothing needs attention: by name.
    expect(text.indexOf("Birch Cafe ----")).toBeLessThan(text.indexOf("Main Street Coffee ----"));
    // Later ticks, two at once, send nothing more to anyone.
    expect((await Promise.all([tickAt("2025-06-15T14:20:00.000Z"), tickAt("2025-06-15T14:20:00.000Z")])).flat()).toEqual([]);
    expect(to(BOOKS, digestsSoFar())).toHaveLength(1);
  }, NIGHTS_MS);

  it("puts the clients that need attention first, says how many in the subject, and shows a held client's approve link", async () => {
    await night("2025-06-14", { birch: SHORT });
    await tickAt("2025-06-15T11:05:00.000Z");
    const [combined] = to(BOOKS, await tickAt("2025-06-15T14:05:00.000Z"));
    expect(combined?.subject).toBe("Your clients: Saturday 14 June 2025 – 2 clients, 1 needs attention");
    const text = flat(combined?.text);
    expect(text).toContain("2 clients: 1 needs attention, 1 with nothing to act on.");
    expect(text).toContain("Needs attention: - Birch Cafe: 1 held day");
    expect(text).toContain("Birch Street, Saturday 14 June 2025: held for review");
    expect(text).toContain("Review and approve: https://daybook.test/approve?token=");
    // The held day's own links, kept with its report when the night made it, open Birch Cafe's page whichever client the session is on.
    expect(text).toContain(`Open the day: https://daybook.test/clients/open?business=${BIRCH_ID}&next=${encodeURIComponent(`/days/${BIRCH_LOCATION}/2025-06-14`)}`);
    expect(text).not.toMatch(/: https:\/\/daybook\.test\/(days|locations|connections)\//);
    const birch = text.indexOf("Birch Cafe: 1 held day ----");
    expect(birch).toBeGreaterThan(0);
    expect(birch).toBeLessThan(text.indexOf("Main Street Coffee ----"));
    expect(combined?.html).toContain("<h3");
  }, NIGHTS_MS);

  it("keeps each business's choice for the accountant: an exceptions-only client appears only when it needs attention, and an email with nothing in it is not sent", async () => {
    await setFrequency(MERCHANT_ID, OWNER, "exceptions");
    await night("2025-06-13");
    await tickAt("2025-06-14T11:05:00.000Z");
    const [first] = to(BOOKS, await tickAt("2025-06-14T14:05:00.000Z"));
    expect(first?.subject).toBe("Your clients: Friday 13 June 2025 – 1 client, nothing needs attention");
    expect(flat(first?.text)).not.toContain("Main Street Coffee");

    await setFrequency(BIRCH_ID, BIRCH_OWNER, "exceptions");
    await night("2025-06-14");
    const quiet = [...(await tickAt("2025-06-15T11:05:00.000Z")), ...(await tickAt("2025-06-15T14:05:00.000Z")), ...(await tickAt("2025-06-15T18:05:00.000Z"))];
    expect(toOf(quiet)).toEqual([BIRCH_OWNER, OWNER, PLAIN].sort());

    await night("2025-06-15", { birch: SHORT });
    await tickAt("2025-06-16T11:05:00.000Z");
    const [held] = to(BOOKS, await tickAt("2025-06-16T14:05:00.000Z"));
    expect(held?.subject).toBe("Your clients: Sunday 15 June 2025 – 1 client, 1 needs attention");
    expect(flat(held?.text)).not.toContain("Main Street Coffee");
    expect(to(BOOKS, digestsSoFar())).toHaveLength(2);
  }, NIGHTS_MS);

  it("sends Monday's week of a weekly client in a weekly combined email of its own, and the daily clients' in the daily one", async () => {
    await setFrequency(MERCHANT_ID, OWNER, "weekly");
    await night("2025-06-14");
    await tickAt("2025-06-15T11:05:00.000Z");
    const sunday = to(BOOKS, await tickAt("2025-06-15T14:05:00.000Z"));
    expect(sunday.map((email) => email.subject)).toEqual(["Your clients: Saturday 14 June 2025 – 1 client, nothing needs attention"]);
    expect(flat(sunday[0]?.text)).not.toContain("Main Street Coffee");

    await night("2025-06-15");
    await tickAt("2025-06-16T11:05:00.000Z");
    const monday = to(BOOKS, await tickAt("2025-06-16T14:05:00.000Z"));
    expect(monday.map((email) => email.subject).sort()).toEqual([
      "Your clients: Sunday 15 June 2025 – 1 client, nothing needs attention",
      "Your clients: the week of Monday 9 June 2025 – 1 client, nothing needs attention",
    ]);
    const weekly = flat(monday.find((email) => email.subject.includes("the week"))?.text);
    expect(weekly).toContain("Main Street Coffee");
    expect(weekly).toContain("Main Street, Sun 15 Jun");
    expect(weekly).toContain("Main Street, Mon 9 Jun");
    expect(weekly).not.toContain("Birch Cafe");
    expect(weekly).toContain("on Mondays");
    expect(await tickAt("2025-06-16T14:35:00.000Z")).toEqual([]);
  }, NIGHTS_MS);

  it("does not wait past the deadline for a client that has not had its night: it is listed as not ready yet, and its own digest follows when it is", async () => {
    await night("2025-06-13");
    await tickAt("2025-06-14T11:05:00.000Z");
    await tickAt("2025-06-14T14:05:00.000Z");
    // Birch Cafe's night does not come.
    await night("2025-06-14", { birch: null });
    expect(to(BOOKS, await tickAt("2025-06-15T11:05:00.000Z"))).toEqual([]);
    expect(to(BOOKS, await tickAt("2025-06-15T14:05:00.000Z"))).toEqual([]);
    expect(to(BOOKS, await tickAt("2025-06-15T17:50:00.000Z"))).toEqual([]);
    // 11:00 in Los Angeles, Birch Cafe's westernmost location: the accountant's email goes without it.
    const [combined] = to(BOOKS, await tickAt("2025-06-15T18:05:00.000Z"));
    expect(combined?.subject).toBe("Your clients: Saturday 14 June 2025 – 2 clients, nothing needs attention, 1 not ready yet");
    expect(flat(combined?.text)).toContain("Not ready yet: - Birch Cafe: its locations have not all had their night yet. Its digest comes in an email of its own once they have.");
    expect(flat(combined?.text)).toContain("Main Street, Sat 14 Jun");

    // Birch Cafe's night runs late: its own digest goes to the accountant too, so never neither.
    world.pos.setDay(BIRCH_LOCATION, "2025-06-14", aDay(2));
    world.clock.at = new Date("2025-06-15T18:20:00.000Z");
    await processJob(world.worker, { merchantId: BIRCH_ID, locationId: BIRCH_LOCATION, businessDay: "2025-06-14", kind: "first" }, { number: 1, max: 3 });
    const late = await tickAt("2025-06-15T18:35:00.000Z");
    expect(toOf(late)).toEqual([BIRCH_OWNER, BOOKS].sort());
    expect(to(BOOKS, late)[0]?.subject).toBe("Birch Cafe: Saturday 14 June 2025 – nothing needs attention");
    expect(await tickAt("2025-06-15T18:50:00.000Z")).toEqual([]);
  }, NIGHTS_MS);

  it("gives a failed send's claim back, and the next tick sends the accountant's email once", async () => {
    await night("2025-06-14");
    await tickAt("2025-06-15T11:05:00.000Z");
    const send = world.digests.email.send.bind(world.digests.email);
    let refused = 0;
    const failing = { ...world.digests, email: { send: async (email: OutgoingEmail) => { if (email.to.includes(BOOKS) && refused++ === 0) throw new Error("SES timed out"); await send(email); } } };
    world.clock.at = new Date("2025-06-15T14:05:00.000Z");
    expect((await sendDueDigests({ ...failing, now: () => world.clock.at })).failed).toBe(1);
    expect(toOf(digestsSoFar())).toEqual([BIRCH_OWNER, OWNER, PLAIN].sort());
    expect(toOf(await tickAt("2025-06-15T14:20:00.000Z"))).toEqual([BOOKS]);
    expect(await tickAt("2025-06-15T14:35:00.000Z")).toEqual([]);
  }, NIGHTS_MS);

  it("after a crash between the send and marking it sent, leaves the claim to its lease: the next tick sends that one email again, and no tick after it", async () => {
    await night("2025-06-14");
    await tickAt("2025-06-15T11:05:00.000Z");
    const store = world.digests.digests;
    let crashed = false;
    const crashing: DigestStore = {
      ...store,
      markSent: async (...args) => {
        if (args[1].startsWith("combined-") && !crashed) {
          crashed = true;
          throw new Error("the Lambda was stopped");
        }
        await store.markSent(...args);
      },
    };
    world.clock.at = new Date("2025-06-15T14:05:00.000Z");
    expect((await sendDueDigests({ ...world.digests, digests: crashing, now: () => world.clock.at })).failed).toBe(1);
    expect(to(BOOKS, digestsSoFar())).toHaveLength(1);
    // Nothing can know SES took it: the next tick, after the claim's lease, sends it again (the one duplicate left), and none after.
    expect(toOf(await tickAt("2025-06-15T14:20:00.000Z"))).toEqual([BOOKS]);
    expect(await tickAt("2025-06-15T14:35:00.000Z")).toEqual([]);
  }, NIGHTS_MS);

  it("stops the combined digest for every client in one click of its link, says so, tells each business once, and can be undone", async () => {
    await night("2025-06-14");
    await tickAt("2025-06-15T11:05:00.000Z");
    const [combined] = to(BOOKS, await tickAt("2025-06-15T14:05:00.000Z"));
    const token = /token=([^>]+)>/.exec(combined?.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
    const { storage } = world.services;
    const deps: UnsubscribeDeps = {
      recipients: storage.recipients, store: storage.store, members: storage.members, email: world.services.email,
      publicUrl: world.services.publicUrl, linkKey: world.digests.linkKey, now: () => world.clock.at,
    };
    const shown = await readUnsubscribeLink(deps, token);
    expect(shown && linkTargetName(shown)).toBe("your 2 clients: Birch Cafe and Main Street Coffee");
    expect(shown?.unsubscribed).toBe(false);

    const before = world.email.sent.length;
    await unsubscribeFromLink(deps, token);
    await unsubscribeFromLink(deps, token);
    for (const id of [MERCHANT_ID, BIRCH_ID]) expect(isUnsubscribed(await storage.recipients.get(id), BOOKS)).toBe(true);
    const notices = world.email.sent.slice(before).filter((email) => email.purpose === "unsubscribe-notice");
    expect(toOf(notices)).toEqual([BIRCH_OWNER, OWNER].sort());
    expect((await readUnsubscribeLink(deps, token))?.unsubscribed).toBe(true);

    // The next morning: nothing to the accountant, neither combined nor each business's own.
    await night("2025-06-15");
    const next = [...(await tickAt("2025-06-16T11:05:00.000Z")), ...(await tickAt("2025-06-16T14:05:00.000Z")), ...(await tickAt("2025-06-16T18:05:00.000Z"))];
    expect(toOf(next)).toEqual([BIRCH_OWNER, OWNER, PLAIN].sort());

    const undone = await resubscribeFromLink(deps, resubscribeToken(deps, personId, shown?.hash ?? ""));
    expect(undone?.unsubscribed).toBe(false);
    for (const id of [MERCHANT_ID, BIRCH_ID]) expect(isUnsubscribed(await storage.recipients.get(id), BOOKS)).toBe(false);
  }, NIGHTS_MS);
});

/** Each port method call the digest step makes, by name: each is one DynamoDB request at these sizes (a query of one page). */
function counting<T extends object>(port: T, name: string, counts: Map<string, number>): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        counts.set(`${name}.${String(key)}`, (counts.get(`${name}.${String(key)}`) ?? 0) + 1);
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("the combined digest's cost", () => {
  it("grows by the same number of reads and writes for every client added: no scan, and nothing read once per pair of clients", async () => {
    const { storage } = world.services;
    const person = { personId: "p-many", address: "many@ledger.example" };
    await storage.store.putMerchant({ merchantId: person.personId, name: "", email: person.address, createdAt: world.clock.at.toISOString() });
    const clients: Client[] = [];
    const calls: number[] = [];
    for (const [index, day] of ["2025-06-10", "2025-06-11", "2025-06-12"].entries()) {
      for (let added = 0; added < 3; added++) clients.push(await addClient(storage, person, `Client ${String(index * 3 + added + 1).padStart(2, "0")}`, "America/New_York", world.clock.at));
      world.clock.at = new Date(`${nextDay(day)}T09:30:00.000Z`);
      for (const client of clients) await clientNight(storage, client, [person.personId], day, world.clock.at);
      const counts = new Map<string, number>();
      const deps = {
        ...world.digests,
        digests: counting(world.digests.digests, "digests", counts), store: counting(world.digests.store, "store", counts),
        reports: counting(world.digests.reports, "reports", counts), recipients: counting(world.digests.recipients, "recipients", counts),
        members: counting(world.digests.members, "members", counts),
      };
      const sent = to(person.address, await tickAt(`${nextDay(day)}T11:05:00.000Z`, deps));
      expect(sent.map((email) => email.subject)).toEqual([`Your clients: ${["Tuesday 10", "Wednesday 11", "Thursday 12"][index] ?? ""} June 2025 – ${String(clients.length)} clients, nothing needs attention`]);
      // Each business's own digest went to its owner, and not to the accountant.
      expect(to(person.address, world.email.sent.filter((email) => email.purpose === "digest"))).toHaveLength(index + 1);
      calls.push([...counts.values()].reduce((sum, count) => sum + count, 0));
    }
    const [three = 0, six = 0, nine = 0] = calls;
    expect(nine - six, `calls for 3, 6 and 9 clients: ${calls.join(", ")}`).toBe(six - three);
  }, NIGHTS_MS);
});
