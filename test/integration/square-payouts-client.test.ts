/**
 * The payout reader (lib/pos/square/payouts.ts, on the official SDK) against the Square simulator:
 * it reads every payout of a generated week with every entry, survives faults, and says "reconnect"
 * when the token lacks PAYOUTS_READ. Then the week is run night by night the way the worker will
 * (new payouts posted once, a returned one reversed), with the days summarised by the real summariser,
 * and the books come out as the simulator's ground truth says: bank, card clearing and every other
 * account, to the cent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addDays, businessDayWindow } from "../../lib/domain/business-day";
import { parseMapping } from "../../lib/domain/mapping";
import { SquareCatalog } from "../../lib/pos/square/catalog";
import { createSquareReader } from "../../lib/pos/square/client";
import { SquareRequestError } from "../../lib/pos/square/errors";
import { createSquarePayoutReader, type SquarePayoutReader } from "../../lib/pos/square/payouts";
import { SquareDaySummariser } from "../../lib/pos/square/summarise";
import type { DailySummary } from "../../lib/domain/summary";
import { type BuiltPayoutEntry, buildPayoutEntry, buildPayoutReversal } from "../../lib/payouts/payout-entry";
import { type PayoutSummary, summarisePayout } from "../../lib/payouts/payout-summary";
import { cardClearingOfDay, expectedClearing, tieOutFees } from "../../lib/payouts/tie-out";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import { PAYOUT_LOCATION, PAYOUT_MERCHANT, PAYOUT_NOW, PAYOUT_ZONE, setUpPayoutWorld, WEEK, weekDays } from "../support/payout-world";
import type { PayoutWithEntries } from "../support/payouts";

const mapping = parseMapping({
  defaults: {
    sales: "40", discounts: "41", returns: "42", serviceCharges: "43", tax: "20", tips: "21", giftCards: "22", nonRevenue: "23",
    tenders: "10", fees: "60", rounding: "61", overShort: "62",
  },
  tenders: { CARD: "11", WALLET: "11", CASH: "12" },
  payouts: { bank: "13", fees: "63", disputes: "64", loan: "25", savings: "14" },
});
const context = { locationName: "Main Street", timeZone: PAYOUT_ZONE };

let square: SquareSimulator;
let token: string;

/** The payouts created or changed since `sinceMs`, each with its entries read in turn, as the payouts step reads those it needs. */
async function changedWithEntries(payouts: SquarePayoutReader, sinceMs: number, options: { lookbackMs?: number } = {}): Promise<PayoutWithEntries[]> {
  const result: PayoutWithEntries[] = [];
  for (const payout of await payouts.listChangedSince(PAYOUT_LOCATION, sinceMs, options)) result.push({ payout, entries: await payouts.listPayoutEntries(payout) });
  return result;
}

function reader(options: { maxRetries?: number; accessToken?: string } = {}): SquarePayoutReader {
  return createSquarePayoutReader({
    baseUrl: square.url,
    accessToken: () => Promise.resolve(options.accessToken ?? token),
    timeoutMs: 1_000,
    maxRetries: options.maxRetries ?? 3,
    now: () => square.now(),
  });
}

const weekWindow = { startMs: Date.parse("2025-06-01T00:00:00Z"), endMs: PAYOUT_NOW };

beforeAll(async () => {
  square = await startSquareSimulator({ now: () => PAYOUT_NOW, seed: 4 });
  setUpPayoutWorld(square);
  token = square.issueToken(PAYOUT_MERCHANT);
});

afterAll(async () => {
  await square.close();
});

beforeEach(() => {
  square.clearFaults();
});

describe("reading payouts", () => {
  it("lists every payout of the location, oldest first, with every entry to the last page", async () => {
    const payouts = await reader().listPayouts(PAYOUT_LOCATION, weekWindow);
    const truth = square.payoutTruth(PAYOUT_LOCATION);
    expect(payouts.map((payout) => [payout.id, payout.status, payout.amount, payout.arrivalDate])).toEqual(
      truth.payouts.map((payout) => [payout.id, payout.status, payout.amount, payout.arrivalDate]),
    );
    expect(payouts.every((payout) => payout.currency === "USD" && payout.type === "BATCH" && payout.locationId === PAYOUT_LOCATION)).toBe(true);
    for (const payout of payouts) {
      const entries = await reader().listPayoutEntries(payout);
      expect(entries).toHaveLength(truth.payouts.find((candidate) => candidate.id === payout.id)!.entryCount);
      expect(entries.reduce((sum, entry) => sum + entry.net, 0)).toBe(payout.amount);
    }
    const instant = payouts.find((payout) => payout.destinationType === "CARD")!;
    expect(instant.transferFees).toEqual([{ type: "TRANSFER_FEE", amount: expect.any(Number) as number }]);
    const entries = await reader().listPayoutEntries(instant);
    expect(entries.find((entry) => entry.type === "DEPOSIT_FEE")?.net).toBe(-instant.transferFees[0]!.amount);
    expect(entries.find((entry) => entry.type === "CHARGE")?.paymentId).toEqual(expect.any(String));
    // Entries come 100 to a page: the week's biggest payout needs more than one.
    const pages = square.requests().filter((request) => request.endpoint === "ListPayoutEntries" && request.query?.["cursor"]);
    expect(pages.length).toBeGreaterThan(0);
  });

  it("finds payouts created or changed since a time, within the look-back", async () => {
    // The payout of Friday 13th's cut-off was SENT, then PAID on Monday, then returned on Tuesday 17th.
    // Monday's payout turned PAID on Tuesday morning, after `since`.
    const since = Date.parse("2025-06-17T12:00:00Z");
    const changed = await changedWithEntries(reader(), since);
    const all = await reader().listPayouts(PAYOUT_LOCATION, weekWindow);
    const createdSince = all.filter((payout) => Date.parse(payout.createdAt) >= since);
    const changedOnly = all.filter((payout) => Date.parse(payout.createdAt) < since && Date.parse(payout.updatedAt) >= since);
    expect(changedOnly.map((payout) => [payout.arrivalDate, payout.status])).toEqual([["2025-06-16", "FAILED"], ["2025-06-17", "PAID"]]);
    expect(changed.map(({ payout }) => payout.id).sort()).toEqual([...createdSince, ...changedOnly].map((payout) => payout.id).sort());
    expect(changed.every(({ payout, entries }) => entries.reduce((sum, entry) => sum + entry.net, 0) === payout.amount)).toBe(true);
    // A look-back of nothing lists only the payouts created since.
    const recent = await changedWithEntries(reader(), since, { lookbackMs: 0 });
    expect(recent.map(({ payout }) => payout.id)).toEqual(createdSince.map((payout) => payout.id));
  });

  it("survives 429s with Retry-After, 5xx, timeouts, stalled and cut-off bodies, and reads the same", async () => {
    const clean = await reader().listPayouts(PAYOUT_LOCATION, weekWindow);
    const cleanEntries = await reader().listPayoutEntries(clean[3]!);
    square.injectFaults({ endpoint: "ListPayouts", fault: { kind: "429", retryAfterSeconds: 1 }, times: 1 });
    square.injectFaults({ endpoint: "ListPayouts", fault: { kind: "truncated" }, times: 1 });
    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "503" }, times: 1 });
    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "slow", delayMs: 5_000 }, times: 1 });
    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "slow", stallBody: true, delayMs: 5_000 }, times: 1 });
    const mark = square.requests().length;
    expect(await reader().listPayouts(PAYOUT_LOCATION, weekWindow)).toEqual(clean);
    expect(await reader().listPayoutEntries(clean[3]!)).toEqual(cleanEntries);
    const calls = square.requests().slice(mark).map((request) => `${request.endpoint} ${request.fault ?? request.status}`);
    expect(calls.slice(0, 7)).toEqual([
      "ListPayouts 429", "ListPayouts truncated", "ListPayouts 200",
      "ListPayoutEntries 503", "ListPayoutEntries slow", "ListPayoutEntries slow", "ListPayoutEntries 200",
    ]);
    expect(new Set(calls.slice(7))).toEqual(new Set(calls.length > 7 ? ["ListPayoutEntries 200"] : []));
  });

  it("gives up after its retries with a retryable error that names the call", async () => {
    square.injectFaults({ endpoint: "ListPayouts", fault: { kind: "500" } });
    const failure = await reader({ maxRetries: 1 }).listPayouts(PAYOUT_LOCATION, weekWindow).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SquareRequestError);
    expect(failure).toMatchObject({ kind: "retryable", status: 500 });
    expect((failure as Error).message).toContain("ListPayouts");
  });

  it("a token without PAYOUTS_READ, or one Square rejects, means the merchant must reconnect Square", async () => {
    const narrow = square.issueToken(PAYOUT_MERCHANT, { scopes: ["MERCHANT_PROFILE_READ", "ORDERS_READ", "PAYMENTS_READ", "ITEMS_READ"] });
    const refused = await reader({ accessToken: narrow }).listPayouts(PAYOUT_LOCATION, weekWindow).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: "needs-reconnect", status: 403, code: "INSUFFICIENT_SCOPES" });
    expect((refused as Error).message).toBe(
      "Square refused ListPayouts for this connection (403 INSUFFICIENT_SCOPES: The access token lacks the PAYOUTS_READ scope this endpoint needs.); the merchant must reconnect Square and grant access.",
    );
    expect((refused as Error).message).not.toContain(narrow);
    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "401" }, times: 1 });
    const [payout] = await reader().listPayouts(PAYOUT_LOCATION, weekWindow);
    await expect(reader().listPayoutEntries(payout!)).rejects.toMatchObject({ kind: "needs-reconnect", status: 401 });
  });
});

describe("the week posted night by night, against the simulator's ground truth", () => {
  /**
   * The location's days as daybook's summariser reads them (card fees from ListPayments, adjustments
   * included), and the business day of each payment, which a run has in memory for the days it reads.
   */
  async function readDays(): Promise<{ days: Map<string, DailySummary>; paymentDays: Map<string, string> }> {
    const dayReader = createSquareReader({ baseUrl: square.url, accessToken: () => Promise.resolve(token), now: () => square.now() });
    const catalog = new SquareCatalog();
    const days = new Map<string, DailySummary>();
    const paymentDays = new Map<string, string>();
    // The week, and the day on either side of it, where its edge orders belong.
    for (const date of [addDays(WEEK[0]!, -1), ...WEEK, addDays(WEEK.at(-1)!, 1)]) {
      const window = businessDayWindow(date, PAYOUT_ZONE, "00:00");
      const summariser = new SquareDaySummariser({ window, locationId: PAYOUT_LOCATION, currency: "USD", catalog, feesFrom: "payments", refundsFrom: "payment-refunds" });
      for await (const page of dayReader.orderPages(PAYOUT_LOCATION, window)) {
        await dayReader.fillCatalog(catalog, page);
        summariser.addOrdersPage(page);
      }
      for await (const page of dayReader.paymentPages(PAYOUT_LOCATION, window)) {
        summariser.addPaymentsPage(page);
        for (const payment of (page as { payments?: { id: string }[] }).payments ?? []) paymentDays.set(payment.id, date);
      }
      for await (const page of dayReader.refundPages(PAYOUT_LOCATION, window)) summariser.addRefundsPage(page);
      days.set(date, summariser.finish().summary);
    }
    return { days, paymentDays };
  }

  interface PayoutRecord {
    summary: PayoutSummary;
    posted: BuiltPayoutEntry[];
  }

  it("each payout posted once, a failed one not at all, the returned one reversed; bank, card clearing and every account to the cent", async () => {
    square.setCatalog(PAYOUT_MERCHANT, weekDays[0]!.catalog);
    const { days, paymentDays } = await readDays();
    const records = new Map<string, PayoutRecord>();
    let lastRun = Date.parse("2025-06-01T00:00:00Z");
    // Every night at 05:00 New York time, from Tuesday to the Friday after.
    for (let night = Date.parse("2025-06-10T09:00:00Z"); night <= PAYOUT_NOW; night += 86_400_000) {
      const shift = night - square.now();
      square.advanceTime(shift);
      try {
        for (const { payout, entries } of await changedWithEntries(reader(), lastRun)) {
          const summary = summarisePayout(payout, entries, { timeZone: PAYOUT_ZONE, dayStart: "00:00", paymentDay: (id) => paymentDays.get(id) });
          const record = records.get(summary.tag);
          if (!record) {
            const built = buildPayoutEntry(summary, mapping, context);
            expect(built.held).toBe(false);
            records.set(summary.tag, { summary, posted: built.journalEntry ? [built] : [] });
          } else {
            const deposit = record.posted.find((entry) => entry.kind === "deposit");
            if (summary.status === "FAILED" && deposit && !record.posted.some((entry) => entry.kind === "reversal")) {
              record.posted.push(buildPayoutReversal(summary, {
                docNumber: deposit.docNumber, amount: record.summary.amount, currency: record.summary.currency,
                bankAccountId: deposit.bankAccountId ?? "", clearingAccountId: deposit.clearingAccountId,
              }, context));
            }
            record.summary = summary;
          }
        }
        lastRun = night;
      } finally {
        square.advanceTime(-shift);
      }
    }

    const truth = square.payoutTruth(PAYOUT_LOCATION);
    expect(records.size).toBe(truth.payouts.length);
    const posted = [...records.values()].flatMap((record) => record.posted);
    const numbers = posted.map((entry) => entry.docNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(posted.filter((entry) => entry.kind === "reversal")).toHaveLength(1);
    expect(posted.filter((entry) => entry.kind === "failed")).toHaveLength(1); // the one that failed at once carried loan and savings
    for (const entry of posted) expect(entry.journalEntry?.DocNumber.length).toBeLessThanOrEqual(21);

    const balance = (account: string) => posted.flatMap((entry) => entry.lines).filter((line) => line.accountId === account)
      .reduce((sum, line) => sum + (line.postingType === "Debit" ? line.amount : -line.amount), 0);
    expect(balance("13")).toBe(truth.bank);
    expect(balance("63")).toBe(truth.accounts.depositFees + truth.accounts.giftCardLoadFees);
    expect(balance("64")).toBe(truth.accounts.disputes);
    expect(balance("25")).toBe(truth.accounts.loan);
    expect(balance("14")).toBe(truth.accounts.savings);

    const dayClearing = [...days.values()].reduce((sum, summary) => sum + cardClearingOfDay(summary, mapping), 0);
    // Card clearing: what the daily entries put in, less what the payouts took out.
    expect(dayClearing + balance("11")).toBe(truth.clearing.total);
    const summaries = [...records.values()].map((record) => record.summary);
    const expected = expectedClearing({ postedDays: new Map([...days].map(([date, summary]) => [date, cardClearingOfDay(summary, mapping)])), payouts: summaries });
    expect(expected.balance).toBe(truth.clearing.total);
    expect(expected).toMatchObject({ held: truth.clearing.held, returning: truth.clearing.returning });

    // The days were posted after every fee change (and the late one counts on its payment's day), so every paid-out day ties out.
    const tieOut = tieOutFees({ currency: "USD", payouts: summaries, postedFees: new Map([...days].map(([date, summary]) => [date, summary.fees])), formatAmount: String });
    expect(tieOut.filter((day) => day.state === "differs" || day.state === "not-posted")).toEqual([]);
    expect(tieOut.filter((day) => day.state === "tied").map((day) => day.businessDay)).toEqual(expect.arrayContaining(WEEK));
    expect(tieOut.filter((day) => day.state !== "tied")).toEqual([]);
  });
});
