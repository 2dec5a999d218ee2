/**
 * The digest's Deposits section (lib/report/digest-deposits.ts), hand-worked: a Square location's
 * payouts of one digest's day with their standing, days, amounts, entries and the sentences naming what
 * does not tie out, and what card clearing should hold, every figure justified below; a Clover
 * location's expected card deposit; and the section as the email lays it out.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { payoutDocNumber } from "../../lib/domain/doc-number";
import { type Mapping, parseMapping } from "../../lib/domain/mapping";
import type { DailySummary } from "../../lib/domain/summary";
import type { LocationConfig, PayoutRecord, PostedPayoutEntry, SyncRecord } from "../../lib/model";
import type { PayoutSummary } from "../../lib/payouts/payout-summary";
import { buildDeposits, type CloverDeposits, depositBlocks, type DepositReadPorts, type SquareDeposits } from "../../lib/report/digest-deposits";
import { renderEmail } from "../../lib/report/email-document";
import { summaryOf } from "../support/summaries";
import { entry, payoutOf, summaryOfPayout } from "../support/payouts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const mapping: Mapping = parseMapping({ ...fixture, payouts: { bank: "13" } });
const MERCHANT = "M1";

const square: LocationConfig = {
  merchantId: MERCHANT, locationId: "L8EXAMPLE0001", source: "square", name: "Main Street", posConnectionId: "c1", quickbooksConnectionId: "c2",
  timeZone: "America/New_York", dayStart: "00:00", currency: "USD", mapping, postingFrom: "2025-06-15",
  accountLabels: { "11": { number: "1210", name: "Card Clearing" } }, updatedAt: "2025-06-01T00:00:00Z",
};
const clover: LocationConfig = { ...square, locationId: "CLOVERLOC01", source: "clover", name: "Harbor Kiosk", mapping: parseMapping(fixture) };

// P0 arrived Monday, paying out Sunday morning; the bank sent it back on Tuesday (reversed then).
const p0 = summaryOfPayout(payoutOf({ id: "po_0", amount: 964, arrivalDate: "2025-06-16", createdAt: "2025-06-15T21:30:00Z", updatedAt: "2025-06-17T15:00:00Z", status: "FAILED" }), [
  entry("CHARGE", "2025-06-15T14:00:00Z", 1000, 36), // Sunday 10:00
]);
// P1 arrived Tuesday: Saturday evening (before daybook's first day), Sunday evening and Monday.
const p1 = summaryOfPayout(payoutOf({ id: "po_1", amount: 17_502, arrivalDate: "2025-06-17", createdAt: "2025-06-16T21:30:00Z" }), [
  entry("CHARGE", "2025-06-15T00:00:00Z", 2000, 62), // Saturday 20:00
  entry("CHARGE", "2025-06-15T22:10:00Z", 5000, 140), // Sunday 18:10
  entry("CHARGE", "2025-06-16T14:00:00Z", 12_000, 322), // Monday 10:00
  entry("REFUND", "2025-06-16T16:00:00Z", -1000, -26), // Monday 12:00
]);
// P2, due Wednesday, paying out Tuesday morning: the bank rejected it on Tuesday evening, nothing posted.
const p2 = summaryOfPayout(payoutOf({ id: "po_2", amount: 2912, arrivalDate: "2025-06-18", createdAt: "2025-06-17T21:30:00Z", updatedAt: "2025-06-17T22:00:00Z", status: "FAILED" }), [
  entry("CHARGE", "2025-06-17T13:00:00Z", 3000, 88), // Tuesday 09:00
]);

const posted = (summary: PayoutSummary, kind: PostedPayoutEntry["kind"], txnDate: string): PostedPayoutEntry => ({
  kind, docNumber: payoutDocNumber(summary.tag, summary.arrivalDate, kind), entryId: `${summary.tag}-${kind}`, txnDate, requestId: "r",
  total: summary.amount, bankAccountId: "13", clearingAccountId: "11", postedAt: `${txnDate}T12:00:00Z`,
});
const recordOf = (summary: PayoutSummary, state: PayoutRecord["state"], entries: PostedPayoutEntry[]): PayoutRecord => ({
  merchantId: MERCHANT, locationId: square.locationId, payoutTag: summary.tag, state, summary, posted: entries, warnings: [],
  version: 1, updatedAt: summary.updatedAt, expiresAt: "2026-07-01T00:00:00Z",
});
const payouts = [
  recordOf(p0, "posted", [posted(p0, "deposit", "2025-06-16"), posted(p0, "reversal", "2025-06-17")]),
  recordOf(p1, "posted", [posted(p1, "deposit", "2025-06-17")]),
  recordOf(p2, "nothing-to-post", []),
];

const dayRecord = (location: LocationConfig, businessDay: string, summary: DailySummary): SyncRecord => ({
  merchantId: MERCHANT, locationId: location.locationId, businessDay, state: "posted", attempts: 1, version: 1, updatedAt: `${businessDay}T23:00:00Z`,
  posted: [{ revision: 0, docNumber: `DB-${businessDay}`, entryId: businessDay, txnDate: businessDay, requestId: "r", summary, postedAt: `${businessDay}T23:00:00Z` }],
});
// What daybook posted from Sunday on. Monday's fees were 2.90: Square raised one by 0.06 after the day's last re-check.
const days: SyncRecord[] = [
  dayRecord(square, "2025-06-15", summaryOf({ payments: { CARD: 6000, CASH: 2500 }, fees: 176 })),
  dayRecord(square, "2025-06-16", summaryOf({ payments: { CARD: 12_000 }, refunds: { CARD: 1000 }, fees: 290 })),
  dayRecord(square, "2025-06-17", summaryOf({ payments: { CARD: 3000 }, fees: 88 })),
  dayRecord(clover, "2025-06-17", summaryOf({
    payments: { "Credit Card": 10_000, "Debit Card": 2500, Cash: 3000, "House Account": 1500, "External Gift Card": 700, "com.clover.tender.debit_card": 400 },
    refunds: { "Credit Card": 1200, Cash: 300 },
  })),
];

const ports: DepositReadPorts = {
  payouts: { listPayouts: (_merchant, locationId) => Promise.resolve(payouts.filter((record) => record.locationId === locationId)) },
  store: {
    listSyncRecordsBetween: (_merchant, locationId, from, to) =>
      Promise.resolve(days.filter((record) => record.locationId === locationId && record.businessDay >= from && record.businessDay <= to)),
  },
};

const tuesday = { first: "2025-06-17", last: "2025-06-17" };
const oneLine = (text: string) => text.replace(/\s+/g, " ");

describe("a Square location's deposits", () => {
  it("shows each payout that arrived, came back or failed on the digest's day, and names what does not tie out", async () => {
    const section = await buildDeposits(ports, MERCHANT, [square], tuesday);
    const main = section.locations[0] as SquareDeposits;
    expect(main.payouts.map((payout) => [payout.arrivalDate, payout.standing, payout.status, payout.days, payout.amount, payout.entries])).toEqual([
      // Arrived Monday, but sent back on Tuesday: shown with its reversal.
      ["2025-06-16", "returned", "Returned by the bank; reversed on Tue 17 Jun", ["2025-06-15"], 964, [`DP250616-${p0.tag}`, `DP250616-${p0.tag}-R`]],
      // 19.38 + 48.60 + 116.78 − 9.74 = 175.02.
      ["2025-06-17", "paid", "Paid", ["2025-06-14", "2025-06-15", "2025-06-16"], 17_502, [`DP250617-${p1.tag}`]],
      // Due Wednesday, failed on Tuesday (18:00 in New York).
      ["2025-06-18", "failed", "Failed: never reached the bank", ["2025-06-17"], 2912, []],
    ]);
    expect(main.payouts[0]?.notes).toEqual([
      `The payout of 9.64 USD that arrived Monday 16 June 2025 was sent back by the bank: DP250616-${p0.tag}-R takes it out of the bank again and puts it back in card clearing until Square pays it out again.`,
    ]);
    expect(main.payouts[1]?.notes).toEqual([
      // Saturday is before the first day daybook posts: its 0.62 of fees (and sales) were never posted.
      "Square paid out card sales of Saturday 14 June 2025, with 0.62 USD of processing fees, but daybook posts this location from Sunday 15 June 2025 on: " +
        "those sales and fees were never posted, so this payout takes money out of card clearing that daybook never put in.",
      // Monday: Square took 3.22 − 0.26 = 2.96 (Tuesday's payout swept later activity, so Monday is wholly paid out); daybook posted 2.90.
      "Square's processing fees on the payments of Monday 16 June 2025 come to 2.96 USD; daybook posted 2.90 USD. Square changed a fee after daybook last checked the day, " +
        "so card clearing is off by 0.06 USD: daybook never plugs it; post it to processing fees by hand.",
    ]);
    expect(main.payouts[2]?.notes).toEqual([
      "The payout of 29.12 USD due Wednesday 18 June 2025 failed: nothing reached the bank and nothing was posted for the deposit; Square keeps the money in the balance and pays it out again.",
    ]);
  });

  it("says a held payout once, in its own reason's words, not 'is not posted: … was not posted: …'", async () => {
    const held = { ...recordOf(p1, "held", []), heldReason: "The Square payout arriving Tuesday 17 June 2025 (175.02 USD) was not posted: choose the bank account Square pays this location's payouts into on the mapping page: daybook posts it the night after." };
    const heldPorts: DepositReadPorts = { ...ports, payouts: { listPayouts: () => Promise.resolve([held]) } };
    const main = (await buildDeposits(heldPorts, MERCHANT, [square], tuesday)).locations[0] as SquareDeposits;
    expect(main.payouts.map((payout) => [payout.standing, payout.status])).toEqual([["not-posted", "Not posted"]]);
    expect(main.payouts[0]?.notes[0]).toBe(held.heldReason);
    expect(main.payouts[0]?.notes.join(" ")).not.toContain("is not posted:");
  });

  it("says what card clearing should hold: card sales net of fees not yet paid out, money on its way back, and what was paid out but never posted", async () => {
    const main = (await buildDeposits(ports, MERCHANT, [square], tuesday)).locations[0] as SquareDeposits;
    expect(main.clearing).toEqual({
      account: "1210 Card Clearing",
      since: "2025-06-14",
      postingFrom: "2025-06-15",
      // Posted: Sunday 60.00 − 1.76 = 58.24; Monday 120.00 − 10.00 − 2.90 = 107.10; Tuesday 30.00 − 0.88 = 29.12.
      // Paid out: Sunday 9.64 + 48.60 = 58.24; Monday 116.78 − 9.74 = 107.04; Tuesday 29.12 (by P2, which failed).
      // Left: Monday's 0.06, the fee difference named above.
      unpaidSales: 6,
      // Saturday: 19.38 paid out by P1, never posted.
      paidNotPosted: -1938,
      held: 0,
      // P0 (9.64, reversed) and P2 (29.12) are back in the Square balance, not paid out again yet.
      returning: 3876,
      balance: 6 - 1938 + 3876,
    });
    // The same from the entries: the days' card money 58.24 + 107.10 + 29.12 = 194.46, less P0's 9.64 and P1's 175.02
    // credited by the deposits, plus P0's 9.64 debited back by its reversal.
    expect(main.clearing?.balance).toBe(19_446 - 964 - 17_502 + 964);
  });

  it("says when no payout arrived, and when the location's payouts are not posted", async () => {
    const monday = await buildDeposits(ports, MERCHANT, [square], { first: "2025-06-15", last: "2025-06-15" });
    expect((monday.locations[0] as SquareDeposits).payouts).toEqual([]);
    expect(renderEmail({ title: "t", blocks: depositBlocks(monday), footer: [] }).text).toContain("Main Street: no Square payout arrived on Sunday 15 June 2025.");
    const notPosting = { ...square, locationId: "L8OTHER", mapping: parseMapping(fixture) };
    const section = await buildDeposits(ports, MERCHANT, [notPosting], tuesday);
    expect(section.locations[0]).toMatchObject({ source: "square", posting: false, payouts: [] });
    expect(oneLine(renderEmail({ title: "t", blocks: depositBlocks(section), footer: [] }).text)).toContain(
      "daybook does not post the Square payouts of Main Street: its mapping names no bank account for them. Match its deposits in the bank feed as before, or choose the bank account Square pays into on the location's mapping page to have daybook post them.",
    );
  });

  it("says the locations whose payouts are not posted once, together, with what to do, not a paragraph each every morning", async () => {
    const names = ["Airport Kiosk", "Harbour", "Uptown"];
    const locations = names.map((name, index) => ({ ...square, locationId: `L8OTHER${String(index)}`, name, mapping: parseMapping(fixture) }));
    const text = oneLine(renderEmail({ title: "t", blocks: depositBlocks(await buildDeposits(ports, MERCHANT, [...locations, square], tuesday)), footer: [] }).text);
    expect(text.match(/does not post/g)).toHaveLength(1);
    expect(text).toContain("daybook does not post the Square payouts of Airport Kiosk, Harbour and Uptown: their mappings name no bank account for them. Match their deposits in the bank feed as before, or choose the bank account Square pays into on each location's mapping page to have daybook post them.");
    // Main Street, which posts its payouts, keeps its own table.
    expect(text).toContain("Main Street: Square payouts (USD)");
  });
});

describe("what the section reads", () => {
  // The morning of Wednesday 25 June: the night has just posted Tuesday 24 June and adjusted Tuesday 17 June
  // (its card sales raised by 5.00, fees by 0.15). A replica behind the leader has neither write yet.
  const latestDays: SyncRecord[] = [
    ...days.filter((record) => record.businessDay !== "2025-06-17" || record.locationId !== square.locationId),
    { ...dayRecord(square, "2025-06-17", summaryOf({ payments: { CARD: 3000 }, fees: 88 })), posted: [
      ...dayRecord(square, "2025-06-17", summaryOf({ payments: { CARD: 3000 }, fees: 88 })).posted,
      { revision: 1, docNumber: "DB-2025-06-17-A1", entryId: "a1", txnDate: "2025-06-24", requestId: "r", summary: summaryOf({ payments: { CARD: 500 }, fees: 15 }), postedAt: "2025-06-25T06:00:00Z" },
    ] },
    dayRecord(square, "2025-06-24", summaryOf({ payments: { CARD: 8000 }, fees: 232 })),
  ];
  const staleDays = days;
  const reads: string[] = [];
  const between = (records: SyncRecord[], locationId: string, from: string, to: string) =>
    records.filter((record) => record.locationId === locationId && record.businessDay >= from && record.businessDay <= to);
  const replicaPorts: DepositReadPorts = {
    payouts: {
      listPayouts: (_merchant, locationId, options) => {
        reads.push(`payouts ${options?.consistent === false ? "eventually" : "strongly"}`);
        return Promise.resolve(payouts.filter((record) => record.locationId === locationId));
      },
    },
    store: {
      listSyncRecordsBetween: (_merchant, locationId, from, to, options) => {
        const eventually = options?.consistent === false;
        reads.push(`days ${from} to ${to} ${eventually ? "eventually" : "strongly"}`);
        return Promise.resolve(between(eventually ? staleDays : latestDays, locationId, from, to));
      },
    },
  };
  const leaderPorts: DepositReadPorts = { ...ports, store: { listSyncRecordsBetween: (_merchant, locationId, from, to) => Promise.resolve(between(latestDays, locationId, from, to)) } };

  it("reads strongly consistent only the days the digest is ordered after (its period and the week before it), after the payouts; the rest eventually consistent, at half the units", async () => {
    const wednesday = { first: "2025-06-24", last: "2025-06-24" };
    const section = await buildDeposits(replicaPorts, MERCHANT, [square], wednesday);
    expect(reads).toEqual(["payouts eventually", "days 2025-06-14 to 2025-06-16 eventually", "days 2025-06-17 to 2025-06-24 strongly"]);
    // What a replica missed, the night's day and its adjustment of a day of the week, is read from the leader: the figures are the leader's.
    const leader = await buildDeposits(leaderPorts, MERCHANT, [square], wednesday);
    expect(section).toEqual(leader);
    // Posted: Sunday 58.24, Monday 107.10, Tuesday 17th 30.00 + 5.00 − 0.88 − 0.15 = 33.97, Tuesday 24th 80.00 − 2.32 = 77.68; paid out as before.
    expect((section.locations[0] as SquareDeposits).clearing?.unpaidSales).toBe(6 + 485 + 7768);
    // A digest whose period reaches back to the first payout's days reads them all strongly, in one query.
    reads.length = 0;
    await buildDeposits(replicaPorts, MERCHANT, [square], tuesday);
    expect(reads).toEqual(["payouts eventually", "days 2025-06-14 to 2025-06-17 strongly"]);
  });
});

describe("a Clover location's expected deposit", () => {
  it("is the day's Clover card payments less card refunds, to match in the bank feed; nothing else counts", async () => {
    const section = await buildDeposits(ports, MERCHANT, [clover], tuesday);
    // Credit Card 100.00 + Debit Card 25.00 + a debit card payment keyed by its labelKey 4.00 = 129.00; refunded 12.00 to a credit card.
    // Cash, the house account and the external gift card are not Clover's to deposit; nor is the cash refund.
    expect((section.locations[0] as CloverDeposits).days).toEqual([
      { businessDay: "2025-06-17", currency: "USD", cardPayments: 12_900, cardRefunds: 1200, expected: 11_700 },
    ]);
  });
});

describe("the section in the email", () => {
  it("lays out the payouts, the notes, card clearing and Clover's expected deposits, in HTML and text alike", async () => {
    const section = await buildDeposits(ports, MERCHANT, [clover, square], tuesday);
    const { html, text } = renderEmail({ title: "Digest", blocks: depositBlocks(section), footer: [] });
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("Deposits --------");
    expect(flat).toContain("Harbor Kiosk: Clover does not make its deposits available to daybook, so nothing is posted for them");
    expect(flat).toMatch(/Tue 17 Jun\s.*129\.00\s.*12\.00\s.*117\.00/);
    expect(flat).toContain("Main Street: Square payouts (USD)");
    expect(flat).toContain("Business days paid out: Sat 14 Jun, Sun 15 Jun, Mon 16 Jun Amount: 175.02");
    expect(flat).toContain("175.02");
    // True on its own: counted from Saturday, a day daybook never posted (Main Street posts from Sunday), and it says so.
    expect(flat).toContain("Main Street: its card money in 1210 Card Clearing should come to 19.44 USD from daybook's entries: what Square has still to pay out, net of its fees. " +
      "It is counted from Saturday 14 June 2025, the earliest business day paid out by the payouts daybook has on record; daybook posts Main Street's days from Sunday 15 June 2025, " +
      "so what Square paid out for the days before counts below as paid out for days daybook has not posted.");
    expect(flat).not.toContain("entries since");
    const { postingFrom: _first, ...noFirstDay } = square;
    const unknown = renderEmail({ title: "Digest", blocks: depositBlocks(await buildDeposits(ports, MERCHANT, [noFirstDay], tuesday)), footer: [] }).text.replace(/\s+/g, " ");
    expect(unknown).toContain("the earliest business day paid out by the payouts daybook has on record. ");
    expect(flat).toContain("Failed payouts on their way back: 38.76");
    expect(flat).toContain("Paid out for days daybook has not posted: -19.38");
    expect(flat).toContain("Main Street in 1210 Card Clearing: 19.44");
    for (const words of ["Deposits", "Main Street: Square payouts (USD)", "Returned by the bank; reversed on Tue 17 Jun", "never plugs it", "117.00"]) expect(html).toContain(words);
  });
});
