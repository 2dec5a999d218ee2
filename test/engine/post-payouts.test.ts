/**
 * The payouts step (lib/payouts/post-payouts.ts) on the in-memory runtime: the real stores on dynalite,
 * the fake QuickBooks of fakes.ts, and Square's payouts as hand-made values (a fake of the reader,
 * said so: the reader itself is tested against the Square simulator in test/integration). Exactly
 * once across crashes at every step, a returned payout reversed once, a held one posted once mapped,
 * and a connection without PAYOUTS_READ asked once while its days keep posting.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { DAILY_EMAIL_CAPS, type EmailCaps } from "../../lib/email/caps";
import { compressText, decompressJson } from "../../lib/store/compressed";
import { LOCAL_TABLE } from "../../lib/store/local/database";
import { SQUARE_SCOPES } from "../../lib/oauth/square";
import { sealTokens } from "../../lib/oauth/tokens";
import type { Payout, PayoutEntry } from "../../lib/payouts/payout";
import { type ListedPayouts, needsEntries, type PayoutPorts, postPayouts, readPayoutsAhead } from "../../lib/payouts/post-payouts";
import { payoutTag } from "../../lib/domain/doc-number";
import { SquareRequestError } from "../../lib/pos/square/errors";
import { QuickBooksError } from "../../lib/quickbooks/types";
import { buildDeposits } from "../../lib/report/digest-deposits";
import type { SyncStep } from "../../lib/sync/sync-day";
import { processJob } from "../../lib/worker/process-job";
import { entry, type PayoutWithEntries, payoutOf } from "../support/payouts";
import { aDay, createEngineWorld, type EngineWorld, LOCATION_ID, MERCHANT_ID, OWNER, REALM_ID } from "./runtime";

class Crash extends Error {}

/** Square as the fake reader gives it: the payouts created or updated since the time asked, and each one's entries when asked for. */
class FakePayouts {
  payouts: PayoutWithEntries[] = [];
  reads = 0;
  /** The ids of the payouts whose entries were read, in the order asked. */
  entriesRead: string[] = [];
  failure: Error | undefined;
  /** A failure of the entries' reads (ListPayoutEntries) alone. */
  entriesFailure: Error | undefined;
  /** Called as each read starts. */
  onRead: (() => void) | undefined;

  read(sinceMs: number): Promise<ListedPayouts> {
    this.reads++;
    this.onRead?.();
    if (this.failure) return Promise.reject(this.failure);
    const listed = this.payouts.filter(({ payout }) => Date.parse(payout.createdAt) >= sinceMs || Date.parse(payout.updatedAt) >= sinceMs);
    return Promise.resolve({
      payouts: listed.map(({ payout }) => payout),
      entriesOf: (payout: Payout) => {
        this.entriesRead.push(payout.id);
        if (this.entriesFailure) return Promise.reject(this.entriesFailure);
        return Promise.resolve(payout.type === "SIMPLE" ? [] : this.payouts.find((known) => known.payout.id === payout.id)?.entries ?? []);
      },
    });
  }

  set(payout: Payout, entries: PayoutEntry[]): void {
    this.payouts = [...this.payouts.filter((known) => known.payout.id !== payout.id), { payout, entries }];
  }
}

/** Monday's and Tuesday's card sales, paid out by instant transfer on Tuesday evening, less a loan repayment and the instant-deposit fee. */
const wednesday = payoutOf({
  id: "po_wednesday", amount: 970_50 - 10_00 - 9_85, arrivalDate: "2025-06-11", createdAt: "2025-06-10T21:00:00Z", updatedAt: "2025-06-10T21:00:00Z",
  status: "SENT", destinationType: "CARD",
});
const wednesdayEntries = [
  entry("CHARGE", "2025-06-09T15:00:00Z", 600_00, 17_70),
  entry("CHARGE", "2025-06-10T15:00:00Z", 400_00, 11_80),
  entry("SQUARE_CAPITAL_PAYMENT", "2025-06-10T20:00:00Z", -10_00),
  entry("DEPOSIT_FEE", "2025-06-10T21:00:00Z", -9_85),
];

let worlds: EngineWorld[] = [];
afterEach(async () => {
  for (const world of worlds) await world.close();
  worlds = [];
});

async function world(options: { crashAt?: SyncStep; emailCaps?: EmailCaps } = {}): Promise<{ world: EngineWorld; square: FakePayouts; ports: PayoutPorts; crash: { at: SyncStep | undefined } }> {
  const square = new FakePayouts();
  const crash: { at: SyncStep | undefined } = { at: options.crashAt };
  const made = await createEngineWorld({
    ...(options.emailCaps ? { emailCaps: options.emailCaps } : {}),
    payoutApis: { listPayouts: (_connection, _location, sinceMs) => square.read(sinceMs) },
    checkpoint: (step) => {
      if (step === crash.at) {
        crash.at = undefined;
        throw new Crash(`crashed ${step}`);
      }
    },
  });
  worlds.push(made);
  const { store } = made.services.storage;
  const at = made.clock.at.toISOString();
  const identity = { merchantId: MERCHANT_ID, connectionId: "square-2", provider: "square" as const };
  await store.putConnection({
    ...identity, status: "active", externalId: "SQMERCHANT1", grantedScopes: [...SQUARE_SCOPES], createdAt: at, updatedAt: at,
    tokenCiphertext: await sealTokens(made.services.vault, identity, { accessToken: "square-token" }),
  });
  await store.putLocation({
    ...made.location, posConnectionId: "square-2",
    mapping: { ...made.location.mapping, payouts: { bank: "13", fees: "63", loan: "25" } },
  });
  const ports = made.worker.payouts;
  if (!ports) throw new Error("the worker has no payout ports");
  return { world: made, square, ports, crash };
}

const ref = { merchantId: MERCHANT_ID, locationId: LOCATION_ID };

describe("posting payouts", () => {
  it("posts a new payout's deposit once: bank, card clearing per day, the instant-deposit fee and the loan repayment", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    const run = await postPayouts(ports, ref);
    expect(run).toMatchObject({ status: "done", payouts: [{ result: "posted", arrivalDate: "2025-06-11", amount: 950_65 }] });
    expect(made.quickbooks.entries).toHaveLength(1);
    const lines = made.quickbooks.entries[0]!.body.Line.map((line) => [line.Description, line.JournalEntryLineDetail.PostingType, line.Amount, line.JournalEntryLineDetail.AccountRef.value]);
    expect(lines).toEqual([
      ["Square payout – deposit", "Debit", 950.65, "13"],
      ["Card sales – 2025-06-09, net of refunds and fees", "Credit", 582.3, "11"],
      ["Card sales – 2025-06-10, net of refunds and fees", "Credit", 388.2, "11"],
      ["Instant deposit fee", "Debit", 9.85, "63"],
      ["Square Capital loan repayment", "Debit", 10, "25"],
    ]);
    // The next night reads it again (the overlap) and posts nothing more.
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done" });
    expect(made.quickbooks.entries).toHaveLength(1);
    const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    expect(record).toMatchObject({ state: "posted", posted: [{ kind: "deposit", docNumber: made.quickbooks.entries[0]!.docNumber }] });
    expect(JSON.stringify(record)).not.toContain("po_wednesday");
  });

  it("uses the company's settings kept on the QuickBooks connection, as the days do: read once when none are kept, then never on a normal night", async () => {
    const { world: made, square, ports } = await world();
    const { store } = made.services.storage;
    square.set(wednesday, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(made.quickbooks.companyReads).toBe(1);
    expect((await store.getConnection(MERCHANT_ID, "quickbooks-1"))?.company).toMatchObject({ homeCurrency: "USD", multiCurrencyEnabled: false });

    const monday = payoutOf({ id: "po_monday", amount: 300_00 - 8_80, arrivalDate: "2025-06-16", createdAt: "2025-06-15T21:00:00Z", updatedAt: "2025-06-15T21:00:00Z" });
    square.set(monday, [entry("CHARGE", "2025-06-15T15:00:00Z", 300_00, 8_80)]);
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    const second = await postPayouts(ports, ref);
    expect(second.status === "done" ? second.payouts.find((payout) => payout.arrivalDate === "2025-06-16") : undefined).toMatchObject({ result: "posted" });
    expect(made.quickbooks.entries).toHaveLength(2);
    expect(made.quickbooks.companyReads).toBe(1);
  });

  it("a create refused for the currency (multicurrency switched on since the settings were kept) reads them again and posts once, naming the currency", async () => {
    const { world: made, square, ports } = await world();
    const { store } = made.services.storage;
    await store.setConnectionCompany(MERCHANT_ID, "quickbooks-1", { ...made.quickbooks.company, readAt: made.clock.at.toISOString() });
    made.quickbooks.company = { ...made.quickbooks.company, multiCurrencyEnabled: true };
    made.quickbooks.failNext.createJournalEntry = new QuickBooksError("A business validation error has occurred: Currency is required", "needs-merchant", { status: 400, code: "6000", detail: "CurrencyRef is missing" });
    square.set(wednesday, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(made.quickbooks.companyReads).toBe(1);
    expect(made.quickbooks.entries).toHaveLength(1);
    expect(made.quickbooks.entries[0]?.body.CurrencyRef).toMatchObject({ value: "USD" });
    expect((await store.getConnection(MERCHANT_ID, "quickbooks-1"))?.company).toMatchObject({ multiCurrencyEnabled: true });
  });

  it("a create refused for the currency when the settings read again are the same fails the payout, saying QuickBooks' words", async () => {
    const { world: made, square, ports } = await world();
    made.quickbooks.failNext.createJournalEntry = new QuickBooksError("A business validation error has occurred: Currency is not valid", "needs-merchant", { status: 400, code: "6000", detail: "currency" });
    square.set(wednesday, wednesdayEntries);
    const run = await postPayouts(ports, ref);
    expect(run).toMatchObject({ payouts: [{ result: "failed" }] });
    expect(run.status === "done" ? run.payouts[0]?.reason : undefined).toContain("Currency is not valid");
    expect(made.quickbooks.entries).toHaveLength(0);
  });

  it("posts the payout with the location's QuickBooks Location and Class on every line, as its days are", async () => {
    const { world: made, square, ports } = await world();
    const { store } = made.services.storage;
    const location = (await store.getLocation(MERCHANT_ID, LOCATION_ID))!;
    await store.putLocation({ ...location, quickBooksTags: { location: { id: "2", name: "Harbor" }, class: { id: "1", name: "Coffee bar" } } });
    square.set(wednesday, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done" });
    const lines = made.quickbooks.entries[0]!.body.Line;
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.JournalEntryLineDetail).toMatchObject({ DepartmentRef: { value: "2" }, ClassRef: { value: "1" } });
  });

  for (const step of ["after-claim", "after-create", "after-record"] as const) {
    it(`posts it once when the run crashes ${step}`, async () => {
      const { world: made, square, ports } = await world({ crashAt: step });
      square.set(wednesday, wednesdayEntries);
      // A crash is a failed run: kept on the location's check, read again next time.
      expect(await postPayouts(ports, ref)).toMatchObject({ status: "failed", failure: { kind: "bug" } });
      made.clock.at = new Date(made.clock.at.getTime() + 3_600_000);
      expect(await postPayouts(ports, ref)).toMatchObject({ status: "done" });
      expect(made.quickbooks.entries).toHaveLength(1);
      const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
      expect(record).toMatchObject({ state: "posted", posted: [{ kind: "deposit" }] });
      expect(record?.pending).toBeUndefined();
      // The run after the crash settles from the record (the claim's body, or the entry posted): Square's entries are not read again.
      expect(square.entriesRead).toEqual(["po_wednesday"]);
    });
  }

  it("reverses a posted payout the bank sent back, once", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    await postPayouts(ports, ref);
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    square.set({ ...wednesday, status: "FAILED", updatedAt: "2025-06-15T14:00:00Z", version: 3 }, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "reversed" }] });
    made.clock.at = new Date("2025-06-17T09:00:00Z");
    square.set({ ...wednesday, status: "FAILED", updatedAt: "2025-06-16T14:00:00Z", version: 4 }, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "unchanged" }] });
    expect(made.quickbooks.entries.map((posted) => posted.docNumber)).toEqual([expect.stringMatching(/^DP250611-[0-9A-Z]{8}$/), expect.stringMatching(/-R$/)]);
    const reversal = made.quickbooks.entries[1]!.body;
    expect(reversal.TxnDate).toBe("2025-06-15");
    expect(reversal.Line.map((line) => [line.JournalEntryLineDetail.PostingType, line.Amount, line.JournalEntryLineDetail.AccountRef.value])).toEqual([
      ["Credit", 950.65, "13"], ["Debit", 950.65, "11"],
    ]);
  });

  it("holds a payout whose entries do not make its amount, reads it again every night, and posts it once Square's figures agree", async () => {
    const { world: made, square, ports } = await world();
    square.set({ ...wednesday, amount: wednesday.amount + 1 }, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "held", reason: expect.stringContaining("not the payout's amount") as string }] });
    made.clock.at = new Date("2025-06-20T09:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "held" }] });
    expect(made.quickbooks.entries).toHaveLength(0);
    square.set({ ...wednesday, version: 2 }, wednesdayEntries);
    made.clock.at = new Date("2025-06-21T09:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    // Held, its entries are read again each night: Square's figures may have changed.
    expect(square.entriesRead).toEqual(["po_wednesday", "po_wednesday", "po_wednesday"]);
    // Posted, it is no longer read: nothing of it changed since.
    made.clock.at = new Date("2025-06-23T09:00:00Z");
    expect(await postPayouts(ports, ref)).toEqual({ status: "done", payouts: [] });
    expect(made.quickbooks.entries).toHaveLength(1);
  });

  describe("a location's first posting day (docs/accounting.md \"Payouts from before daybook\")", () => {
    async function postingFrom(made: EngineWorld, firstDay: string): Promise<void> {
      const { store } = made.services.storage;
      await store.putLocation({ ...(await store.getLocation(MERCHANT_ID, LOCATION_ID))!, postingFrom: firstDay });
    }
    const digestOf = async (made: EngineWorld) => {
      const { storage } = made.services;
      const location = (await storage.store.getLocation(MERCHANT_ID, LOCATION_ID))!;
      const section = await buildDeposits({ payouts: storage.payouts, store: storage.store }, MERCHANT_ID, [location], { first: "2025-06-11", last: "2025-06-11" });
      const [deposits] = section.locations;
      if (deposits?.source !== "square") throw new Error("a Square location's deposits");
      return deposits;
    };

    it("a payout of sales all before it is not posted, recorded with its reason, never posted later, and named in the digest in one sentence", async () => {
      const { world: made, square, ports } = await world();
      await postingFrom(made, "2025-06-11");
      square.set(wednesday, wednesdayEntries);
      expect(await postPayouts(ports, ref)).toMatchObject({
        status: "done", payouts: [{ result: "before-daybook", amount: 950_65, reason: "it pays out sales from before daybook started posting on 2025-06-11: not posted" }],
      });
      expect(made.quickbooks.entries).toHaveLength(0);
      const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
      expect(record).toMatchObject({ state: "before-daybook", posted: [], skipped: { reason: "before-first-day", firstDay: "2025-06-11", postedPart: 0 } });
      expect(record).not.toHaveProperty("pending");
      // Square marks it paid, and the merchant moves the first posting day back: it is never posted all the same.
      await postingFrom(made, "2025-06-01");
      made.clock.at = new Date("2025-06-16T09:00:00Z");
      square.set({ ...wednesday, status: "PAID", updatedAt: "2025-06-15T14:00:00Z", version: 2 }, wednesdayEntries);
      expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "before-daybook" }] });
      expect(made.quickbooks.entries).toHaveLength(0);
      await postingFrom(made, "2025-06-11");

      const deposits = await digestOf(made);
      expect(deposits.payouts).toMatchObject([{ standing: "before-daybook", entries: [], notes: [
        "The payout of 950.65 USD arriving Wednesday 11 June 2025 pays out sales from before daybook started posting on Wednesday 11 June 2025: not posted; match it in the bank feed as before.",
      ] }]);
      // Card clearing never saw its sales: nothing of it is counted there.
      expect(deposits.clearing).toMatchObject({ balance: 0, paidNotPosted: 0, unpaidSales: 0 });
    });

    it("a payout of sales both before it and on it is not posted (the mapping has no account for the rest), and the digest names the part daybook posted: 400.00 − 11.80 = 388.20", async () => {
      const { world: made, square, ports } = await world();
      await postingFrom(made, "2025-06-10");
      square.set(wednesday, wednesdayEntries);
      expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "before-daybook" }] });
      expect(made.quickbooks.entries).toHaveLength(0);
      const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
      expect(record).toMatchObject({ state: "before-daybook", skipped: { reason: "before-first-day", firstDay: "2025-06-10", postedPart: 388_20 } });
      // Recorded, it is not read again: nothing of it changed since.
      made.clock.at = new Date("2025-06-16T09:00:00Z");
      expect(await postPayouts(ports, ref)).toEqual({ status: "done", payouts: [] });
      expect(made.quickbooks.entries).toHaveLength(0);

      const deposits = await digestOf(made);
      expect(deposits.payouts[0]?.notes).toEqual([
        "The payout of 950.65 USD arriving Wednesday 11 June 2025 pays out sales from before daybook started posting on Tuesday 10 June 2025: not posted; " +
          "match it in the bank feed as before, but 388.20 USD of it is the card sales net of fees of Tuesday 10 June 2025, which daybook posted to card clearing: " +
          "take that amount from card clearing when you match it.",
        // Tuesday itself was never synced in this world: the tie-out says so, as for any day not posted.
        "Square paid out card sales of Tuesday 10 June 2025, with 11.80 USD of processing fees, before daybook posted that day; the fees are expensed when it does.",
      ]);
      // Tuesday was not posted in this world: card clearing is counted as the accountant leaves it, 388.20 taken out.
      expect(deposits.clearing).toMatchObject({ balance: -388_20, paidNotPosted: -388_20 });
    });

    it("a payout of sales all on or after it is posted as any other", async () => {
      const { world: made, square, ports } = await world();
      await postingFrom(made, "2025-06-09");
      square.set(wednesday, wednesdayEntries);
      expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
      expect(made.quickbooks.entries).toHaveLength(1);
      expect(made.quickbooks.entries[0]!.body.Line.filter((line) => line.JournalEntryLineDetail.AccountRef.value === "11").map((line) => line.Amount)).toEqual([582.3, 388.2]);
      expect((await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID))[0]).toMatchObject({ state: "posted" });
    });
  });

  it("books closed for the arrival date: the deposit goes in today, saying which date it is for, once", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    made.quickbooks.failNext.createJournalEntry = new QuickBooksError("The books are closed for 2025-06-11", "needs-merchant", { status: 400, code: "6210" });
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(made.quickbooks.entries).toHaveLength(1);
    const { body } = made.quickbooks.entries[0]!;
    expect(body.TxnDate).toBe("2025-06-15");
    expect(body.PrivateNote).toContain("Dated 2025-06-15 because the QuickBooks books are closed for 2025-06-11.");
    expect(body.DocNumber).toMatch(/^DP250611-/);
  });

  it("while the location's payout records are being moved to their keys by creation: the run posts nothing, fails to be tried again, keeps the check saying so; once moved, it posts under the new key", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    const { payouts } = made.services.storage;
    const at = "2025-06-01T00:00:00.000Z";
    await payouts.saveCheck({ merchantId: MERCHANT_ID, locationId: LOCATION_ID, readFrom: at, lastRunAt: at, payoutKeys: "moving" }, 0);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "failed", failure: { kind: "retryable", message: expect.stringMatching(/being moved/) as string } });
    expect(made.quickbooks.entries).toHaveLength(0);
    expect(await payouts.listPayouts(MERCHANT_ID, LOCATION_ID)).toEqual([]);
    const check = await payouts.getCheck(MERCHANT_ID, LOCATION_ID);
    expect(check).toMatchObject({ payoutKeys: "moving", readFrom: at, lastError: { kind: "retryable" } });
    expect(await payouts.movePayoutKeys(MERCHANT_ID, LOCATION_ID)).toEqual({ status: "moved", moved: 0 });
    made.clock.at = new Date(made.clock.at.getTime() + 86_400_000);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted" }] });
    const [record] = await payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag)).toBeUndefined();
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag, record!.summary.createdAt)).toEqual(record);
    expect(await payouts.getCheck(MERCHANT_ID, LOCATION_ID)).toMatchObject({ payoutKeys: "by-creation" });
    // Square changes it (a new version): found under its key, nothing posted twice.
    made.clock.at = new Date(made.clock.at.getTime() + 86_400_000);
    square.set({ ...wednesday, version: 2, updatedAt: made.clock.at.toISOString() }, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "unchanged" }] });
    expect(made.quickbooks.entries).toHaveLength(1);
    expect((await payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag, record!.summary.createdAt))?.summary.version).toBe(2);
  });

  it("a location's first run keys its records by creation, and its check says so; one whose first run of before left records under the tag's key keeps them there", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    const { payouts } = made.services.storage;
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted" }] });
    const [record] = await payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag)).toBeUndefined();
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag, record!.summary.createdAt)).toEqual(record);
    expect(await payouts.getCheck(MERCHANT_ID, LOCATION_ID)).toMatchObject({ payoutKeys: "by-creation" });

    // A first run of before wrote this record under the tag's key and ended before saving the check.
    const other = await world();
    other.square.set(wednesday, wednesdayEntries);
    const { version: _version, ...kept } = record!;
    const before = await other.world.services.storage.payouts.savePayout(kept, 0);
    expect(await postPayouts(other.ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "unchanged" }] });
    expect(other.world.quickbooks.entries).toHaveLength(0);
    expect(await other.world.services.storage.payouts.getPayout(MERCHANT_ID, LOCATION_ID, before.payoutTag)).toEqual(before);
    expect(await other.world.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).not.toHaveProperty("payoutKeys");
  });

  it("a QuickBooks outage fails the run, kept on the location's check, and the next night posts", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    made.quickbooks.failNext.createJournalEntry = new QuickBooksError("QuickBooks is unavailable", "retryable", { status: 503 });
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "failed", failure: { kind: "retryable" } });
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).toMatchObject({ lastError: { kind: "retryable" } });
    made.clock.at = new Date(made.clock.at.getTime() + 86_400_000);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted" }] });
    expect(made.quickbooks.entries).toHaveLength(1);
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).not.toHaveProperty("lastError");
  });
});

describe("a QuickBooks connection that no longer accepts daybook", () => {
  it("fails each night's run on the location's check, records and posts nothing, and the first night after the merchant reconnects posts every payout it held back, once", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    const { store } = made.services.storage;
    // What the token keeper does when Intuit refuses the refresh token (invalid_grant).
    const reason = "QuickBooks no longer accepts daybook's authorization (invalid_grant) while trying to refresh the access token: reconnect QuickBooks in daybook.";
    await store.setConnectionStatus(MERCHANT_ID, "quickbooks-1", "needs-reconnect", reason);

    for (const night of ["2025-06-15T09:00:00Z", "2025-06-16T09:00:00Z"]) {
      made.clock.at = new Date(night);
      expect(await postPayouts(ports, ref)).toMatchObject({ status: "failed", failure: { kind: "needs-reconnect" } });
      // Said where the locations page shows it, and read again from before the payout the next night.
      const check = await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID);
      expect(check?.lastError).toMatchObject({ kind: "needs-reconnect", message: "QuickBooks no longer accepts daybook's connection." });
      expect(Date.parse(check!.readFrom)).toBeLessThanOrEqual(Date.parse(wednesday.createdAt));
    }
    expect(await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID)).toEqual([]);
    expect(made.quickbooks.entries).toEqual([]);

    // Nine days later (past a first run's week and the nightly overlap) the merchant reconnects the
    // company: a new connection, and the location moved to it, as the connections page does.
    made.clock.at = new Date("2025-06-24T09:00:00Z");
    const at = made.clock.at.toISOString();
    const identity = { merchantId: MERCHANT_ID, connectionId: "quickbooks-2", provider: "quickbooks" as const };
    await store.putConnection({
      ...identity, status: "active", externalId: REALM_ID, createdAt: at, updatedAt: at,
      tokenCiphertext: await sealTokens(made.services.vault, identity, { accessToken: "quickbooks-token-2" }),
    });
    const location = await store.getLocation(MERCHANT_ID, LOCATION_ID);
    await store.putLocation({ ...location!, quickbooksConnectionId: "quickbooks-2", updatedAt: at });

    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted", arrivalDate: "2025-06-11", amount: 950_65 }] });
    expect(made.quickbooks.entries.map((entry) => entry.body.Line[0]?.Amount)).toEqual([950.65]);
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).not.toHaveProperty("lastError");
    made.clock.at = new Date("2025-06-25T09:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done" });
    expect(made.quickbooks.entries).toHaveLength(1);
  });
});

describe("which payouts' entries are read (ListPayoutEntries: docs/accounting.md \"Posting payouts, night by night\")", () => {
  const monday = payoutOf({ id: "po_monday", amount: 300_00 - 8_80, arrivalDate: "2025-06-16", createdAt: "2025-06-15T21:00:00Z", updatedAt: "2025-06-15T21:00:00Z", status: "SENT" });
  const mondayEntries = [entry("CHARGE", "2025-06-15T15:00:00Z", 300_00, 8_80)];
  const byArrival = (run: Awaited<ReturnType<typeof postPayouts>>) =>
    run.status === "done" ? run.payouts.map((payout) => [payout.arrivalDate, payout.result]).sort() : run;

  it("a new payout's only: not those of a payout posted before (turned PAID, or listed again unchanged by the nightly overlap), nor of one the bank returned, whose reversal is built from the deposit as posted", async () => {
    const { world: made, square, ports } = await world();
    const { payouts } = made.services.storage;
    square.set(wednesday, wednesdayEntries);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(square.entriesRead).toEqual(["po_wednesday"]);
    const [first] = await payouts.listPayouts(MERCHANT_ID, LOCATION_ID);

    // The next night: Wednesday's turned PAID, Monday's is new.
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    square.set({ ...wednesday, status: "PAID", updatedAt: "2025-06-15T14:00:00Z", version: 2 }, wednesdayEntries);
    square.set(monday, mondayEntries);
    square.entriesRead = [];
    expect(byArrival(await postPayouts(ports, ref))).toEqual([["2025-06-11", "unchanged"], ["2025-06-16", "posted"]]);
    expect(square.entriesRead).toEqual(["po_monday"]);
    // Wednesday's record says PAID, at Square's version, with the figures of its entries as summarised when it was posted.
    const paid = await payouts.getPayout(MERCHANT_ID, LOCATION_ID, first!.payoutTag, first!.summary.createdAt);
    expect(paid?.summary).toEqual({ ...first!.summary, status: "PAID", updatedAt: "2025-06-15T14:00:00Z", version: 2 });
    expect(paid?.posted).toEqual(first!.posted);

    // The night after: the overlap lists Monday's again, unchanged; the bank sent Wednesday's back.
    made.clock.at = new Date("2025-06-17T09:00:00Z");
    square.set({ ...wednesday, status: "FAILED", updatedAt: "2025-06-16T14:00:00Z", version: 3 }, wednesdayEntries);
    square.entriesRead = [];
    expect(byArrival(await postPayouts(ports, ref))).toEqual([["2025-06-11", "reversed"], ["2025-06-16", "unchanged"]]);
    expect(square.entriesRead).toEqual([]);
    expect(made.quickbooks.entries.map((posted) => posted.docNumber)).toEqual([
      `DP250611-${first!.payoutTag}`, expect.stringMatching(/^DP250616-/), `DP250611-${first!.payoutTag}-R`,
    ]);
    expect(made.quickbooks.entries[2]!.body.Line.map((line) => [line.JournalEntryLineDetail.PostingType, line.Amount])).toEqual([["Credit", 950.65], ["Debit", 950.65]]);
  });

  it("a posted payout Square now lists with another amount is read again, not trusted, and nothing is posted twice", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    await postPayouts(ports, ref);
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    const adjusted = { ...wednesday, amount: wednesday.amount + 1_00, status: "PAID" as const, updatedAt: "2025-06-15T14:00:00Z", version: 2 };
    square.set(adjusted, [...wednesdayEntries, entry("ADJUSTMENT", "2025-06-10T21:00:00Z", 1_00)]);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "unchanged" }] });
    expect(square.entriesRead).toEqual(["po_wednesday", "po_wednesday"]);
    expect(made.quickbooks.entries).toHaveLength(1);
    const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    expect(record?.summary).toMatchObject({ amount: adjusted.amount, version: 2, activities: { ADJUSTMENT: 1_00 }, entryCount: 5 });
  });

  it("needsEntries: a new payout, or one held or failed before anything was posted; never one whose record settles what it needs, nor a SIMPLE one", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    await postPayouts(ports, ref);
    const [posted] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    const record = posted!;
    const pending = { ...record.posted[0]!, body: { Line: [], TxnDate: "2025-06-11", DocNumber: "DP" }, linesHash: "0".repeat(64), startedAt: record.updatedAt };
    const waiting = { ...record, state: "posting" as const, posted: [] };
    expect(needsEntries(undefined, wednesday)).toBe(true);
    expect(needsEntries(record, { ...wednesday, status: "PAID" })).toBe(false);
    expect(needsEntries(record, { ...wednesday, status: "FAILED" })).toBe(false);
    expect(needsEntries(record, { ...wednesday, amount: wednesday.amount + 1 })).toBe(true);
    expect(needsEntries(record, { ...wednesday, currency: "CAD" })).toBe(true);
    expect(needsEntries({ ...waiting, pending: pending as never }, wednesday)).toBe(false);
    expect(needsEntries({ ...waiting, state: "held", heldReason: "its entries add up to …" }, wednesday)).toBe(true);
    expect(needsEntries({ ...waiting, state: "failed" }, wednesday)).toBe(true);
    expect(needsEntries(waiting, wednesday)).toBe(true);
    expect(needsEntries({ ...waiting, state: "nothing-to-post" }, wednesday)).toBe(false);
    expect(needsEntries({ ...waiting, state: "before-daybook" }, wednesday)).toBe(false);
    expect(needsEntries(undefined, { ...wednesday, type: "SIMPLE" })).toBe(false);
  });

  it("a failed read of a new payout's entries posts nothing and records nothing, keeps the failure on the check and the payout to be read again, and the next run posts it once", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    square.entriesFailure = new SquareRequestError("Square is unavailable (503)", "retryable", 503);
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "failed", failure: { kind: "retryable" } });
    expect(made.quickbooks.entries).toEqual([]);
    expect(await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID)).toEqual([]);
    const check = await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID);
    expect(check).toMatchObject({ lastError: { kind: "retryable" } });
    expect(Date.parse(check!.readFrom)).toBeLessThanOrEqual(Date.parse(wednesday.createdAt));
    square.entriesFailure = undefined;
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted" }] });
    expect(made.quickbooks.entries).toHaveLength(1);
  });

  it("a record written between the read ahead and the run (another run posted the payout, then its reversal): the run never posts twice, fails to be tried again, and the next run finds nothing to do", async () => {
    const { world: made, square, ports } = await world();
    const location = (await made.services.storage.store.getLocation(MERCHANT_ID, LOCATION_ID))!;
    square.set(wednesday, wednesdayEntries);
    // Read ahead with no record yet: its entries are read.
    const ahead = await readPayoutsAhead(ports, ref, location);
    expect(ahead?.listed).toMatchObject({ payouts: [{ found: { record: undefined }, entries: wednesdayEntries }] });
    // Another run posts it meanwhile.
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(await postPayouts(ports, ref, location, ahead)).toMatchObject({ status: "failed", failure: { kind: "retryable" } });
    expect(made.quickbooks.entries).toHaveLength(1);

    // Read ahead with the deposit posted (no entries read); Square says the bank sent it back; another run posts the reversal meanwhile.
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    square.set({ ...wednesday, status: "FAILED", updatedAt: "2025-06-15T14:00:00Z", version: 3 }, wednesdayEntries);
    square.entriesRead = [];
    const later = await readPayoutsAhead(ports, ref, location);
    expect(later?.listed).toMatchObject({ payouts: [{ found: { record: { state: "posted" } } }] });
    expect(square.entriesRead).toEqual([]);
    expect(await postPayouts(ports, ref)).toMatchObject({ payouts: [{ result: "reversed" }] });
    expect(await postPayouts(ports, ref, location, later)).toMatchObject({ status: "failed", failure: { kind: "retryable" } });
    expect(made.quickbooks.entries.map((posted) => posted.docNumber)).toEqual([expect.stringMatching(/^DP250611-[0-9A-Z]{8}$/), expect.stringMatching(/-R$/)]);
    made.clock.at = new Date("2025-06-16T10:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "unchanged" }] });
    expect(made.quickbooks.entries).toHaveLength(2);
  });

  it("looks each listed payout's record up once, ahead, under the key its check names (by tag, then by creation once moved), and the run reads it no more; a check saying the records are moving reads nothing ahead", async () => {
    const { world: made, square, ports } = await world();
    const { payouts, store } = made.services.storage;
    const lookups: [string, string | undefined][] = [];
    const counted: PayoutPorts = { ...ports, payouts: { ...ports.payouts, getPayout: (merchantId, locationId, tag, createdAt) => {
      lookups.push([tag, createdAt]);
      return ports.payouts.getPayout(merchantId, locationId, tag, createdAt);
    } } };
    // A location that posted payouts before records were keyed by creation: its check names no keys.
    const before = "2025-06-08T09:00:00.000Z";
    await payouts.saveCheck({ merchantId: MERCHANT_ID, locationId: LOCATION_ID, readFrom: before, lastRunAt: before }, 0);
    const location = (await store.getLocation(MERCHANT_ID, LOCATION_ID))!;
    const tag = payoutTag("po_wednesday");
    square.set(wednesday, wednesdayEntries);
    const ahead = await readPayoutsAhead(counted, ref, location);
    expect(ahead?.keys).toBe("by-tag");
    expect(await postPayouts(counted, ref, location, ahead)).toMatchObject({ payouts: [{ result: "posted" }] });
    expect(lookups).toEqual([[tag, undefined]]);
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, tag)).toMatchObject({ state: "posted" });

    expect(await payouts.movePayoutKeys(MERCHANT_ID, LOCATION_ID)).toEqual({ status: "moved", moved: 1 });
    made.clock.at = new Date("2025-06-16T09:00:00Z");
    square.set({ ...wednesday, status: "PAID", updatedAt: "2025-06-15T14:00:00Z", version: 2 }, wednesdayEntries);
    lookups.length = 0;
    square.entriesRead = [];
    const next = await readPayoutsAhead(counted, ref, location);
    expect(next?.keys).toBe("by-creation");
    expect(await postPayouts(counted, ref, location, next)).toMatchObject({ payouts: [{ result: "unchanged" }] });
    expect(lookups).toEqual([[tag, wednesday.createdAt]]);
    expect(square.entriesRead).toEqual([]);
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, tag, wednesday.createdAt)).toMatchObject({ summary: { status: "PAID", version: 2 } });

    const { version, ...check } = (await payouts.getCheck(MERCHANT_ID, LOCATION_ID))!;
    await payouts.saveCheck({ ...check, payoutKeys: "moving" }, version);
    const reads = square.reads;
    expect(await readPayoutsAhead(counted, ref, location)).toBeUndefined();
    expect(square.reads).toBe(reads);
  });

  it("records moved to their keys by creation between the read ahead (by tag) and the run: nothing is left under the tag's key, nothing is posted, and the next run posts it once under the new key", async () => {
    const { world: made, square, ports } = await world();
    const { payouts, store } = made.services.storage;
    const before = "2025-06-08T09:00:00.000Z";
    await payouts.saveCheck({ merchantId: MERCHANT_ID, locationId: LOCATION_ID, readFrom: before, lastRunAt: before }, 0);
    const location = (await store.getLocation(MERCHANT_ID, LOCATION_ID))!;
    square.set(wednesday, wednesdayEntries);
    const ahead = await readPayoutsAhead(ports, ref, location);
    expect(ahead).toMatchObject({ keys: "by-tag", listed: { payouts: [{ found: { record: undefined } }] } });
    expect(await payouts.movePayoutKeys(MERCHANT_ID, LOCATION_ID)).toEqual({ status: "moved", moved: 0 });
    expect(await postPayouts(ports, ref, location, ahead)).toMatchObject({ status: "failed" });
    expect(made.quickbooks.entries).toEqual([]);
    expect(await payouts.listPayouts(MERCHANT_ID, LOCATION_ID)).toEqual([]);
    made.clock.at = new Date("2025-06-15T10:00:00Z");
    expect(await postPayouts(ports, ref)).toMatchObject({ status: "done", payouts: [{ result: "posted" }] });
    expect(made.quickbooks.entries).toHaveLength(1);
    expect(await payouts.getPayout(MERCHANT_ID, LOCATION_ID, payoutTag("po_wednesday"), wednesday.createdAt)).toMatchObject({ state: "posted" });
  });
});

describe("the payout records", () => {
  it("are checked on the way out: a record changed by hand fails with a sentence naming it and the field", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    await postPayouts(ports, ref);
    const [record] = await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID);
    const client = DynamoDBDocumentClient.from(made.services.dynamo);
    // A location's first run keys its records by creation (its check says so).
    const created = new Date(record!.summary.createdAt).toISOString();
    const key = { PK: `MERCHANT#${MERCHANT_ID}`, SK: `PAYOUT#${LOCATION_ID}#@${created}#${record!.payoutTag}` };
    // Its summary is kept compressed with the fields nothing names in a condition (lib/store/payouts.ts recordZ).
    const { Item: item } = await client.send(new GetCommand({ TableName: LOCAL_TABLE, Key: key }));
    const fields = decompressJson(item!["recordZ"], "the record") as { summary: Record<string, unknown> };
    fields.summary["amount"] = "950.65";
    await client.send(new PutCommand({ TableName: LOCAL_TABLE, Item: { ...item, recordZ: compressText(JSON.stringify(fields)) } }));
    await expect(made.services.storage.payouts.getPayout(MERCHANT_ID, LOCATION_ID, record!.payoutTag, created)).rejects.toThrow(
      new RegExp(`the stored payout MERCHANT#${MERCHANT_ID} PAYOUT#${LOCATION_ID}#@${created}#${record!.payoutTag} is not valid: summary\\.amount`),
    );
    // Nothing is written that could not be read back.
    await expect(made.services.storage.payouts.savePayout({ ...record!, summary: { ...record!.summary, amount: 0.5 } }, record!.version, "by-creation")).rejects.toThrow(/summary\.amount/);
  });
});

describe("a Square connection without PAYOUTS_READ", () => {
  it("asks the merchant once to reconnect, posts no payout, and keeps posting the days", async () => {
    const { world: made, square, ports } = await world();
    square.set(wednesday, wednesdayEntries);
    // The location back on the engine world's first connection, made before daybook asked for payouts.
    await made.services.storage.store.putLocation({ ...(await made.services.storage.store.getLocation(MERCHANT_ID, LOCATION_ID))!, posConnectionId: "square-1" });
    for (const [date, night] of [["2025-06-14", "2025-06-15T09:00:00Z"], ["2025-06-15", "2025-06-16T09:00:00Z"]] as const) {
      made.clock.at = new Date(night);
      made.pos.setDay(LOCATION_ID, date, aDay());
      expect(await processJob(made.worker, { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: date, kind: "first" }, { number: 1, max: 3 }))
        .toMatchObject({ status: "posted" });
    }
    expect(square.reads).toBe(0);
    expect(made.quickbooks.entries.map((posted) => posted.docNumber)).toEqual([expect.stringMatching(/^DB250614/), expect.stringMatching(/^DB250615/)]);
    const asked = made.email.sent.filter((email) => email.subject === "Reconnect Square to daybook to post your deposits");
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ purpose: "reconnect", merchantId: MERCHANT_ID });
    expect(asked[0]!.text).toContain("your daily sales keep posting as before");
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: false });
  });

  it("Square refusing the scope asks the same once, and does not take the connection off the days", async () => {
    const { world: made, square, ports } = await world();
    square.failure = new SquareRequestError("Square refused ListPayouts for this connection (403 INSUFFICIENT_SCOPES)", "needs-reconnect", 403, "INSUFFICIENT_SCOPES");
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: true });
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: false });
    const connection = await made.services.storage.store.getConnection(MERCHANT_ID, "square-2");
    expect(connection?.status).toBe("active");
    expect(made.email.sent.filter((email) => email.purpose === "reconnect")).toHaveLength(1);
  });

  it("asks again the next night when the merchant's allowance for alerts held the request back, and then only once", async () => {
    const { world: made, square, ports } = await world({ emailCaps: { ...DAILY_EMAIL_CAPS, ownerAlerts: 1 } });
    square.failure = new SquareRequestError("Square refused ListPayouts for this connection (403 INSUFFICIENT_SCOPES)", "needs-reconnect", 403, "INSUFFICIENT_SCOPES");
    await made.services.email.send({ to: [OWNER], subject: "An earlier alert", text: "…", purpose: "alert", merchantId: MERCHANT_ID });
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: false });
    const asked = () => made.email.sent.filter((email) => email.subject === "Reconnect Square to daybook to post your deposits");
    expect(asked()).toEqual([]);
    made.clock.at = new Date("2025-06-16T09:00:00.000Z");
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: true });
    expect(await postPayouts(ports, ref)).toEqual({ status: "needs-scope", asked: false });
    expect(asked()).toHaveLength(1);
  });

});

describe("a night job's payouts (lib/worker/process-night.ts)", () => {
  const NIGHT = "2025-06-14";
  const nightJob = { merchantId: MERCHANT_ID, locationId: LOCATION_ID, businessDay: NIGHT, kind: "night" as const };

  /** The night's four days in the POS, none posted yet, and Wednesday's payout in Square. */
  async function aNight(): Promise<{ made: EngineWorld; square: FakePayouts }> {
    const { world: made, square } = await world();
    for (const day of ["2025-06-11", "2025-06-12", "2025-06-13", NIGHT]) made.pos.setDay(LOCATION_ID, day, aDay());
    square.set(wednesday, wednesdayEntries);
    return { made, square };
  }

  /** Rejections no one handled while `run` ran, and a turn of the event loop after it. */
  async function unhandledDuring(run: () => Promise<unknown>): Promise<unknown[]> {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      await run().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", listener);
    }
    return unhandled;
  }

  it("reads Square's payouts while it reads the POS, before any day posts, and posts the payout after its days", async () => {
    const { made, square } = await aNight();
    let entriesWhenRead: number | undefined;
    let readStarted = () => {};
    const started = new Promise<void>((resolve) => (readStarted = resolve));
    square.onRead = () => {
      entriesWhenRead ??= made.quickbooks.entries.length;
      readStarted();
    };
    // The POS answers once the payouts' read has started, or after 2 s (a night that reads them only after its days).
    let waited: Promise<unknown> | undefined;
    const sync = made.worker.sync;
    const summarisePosDay: typeof sync.summarisePosDay = async (...args) => {
      await (waited ??= Promise.race([started, new Promise((resolve) => setTimeout(resolve, 2_000))]));
      return sync.summarisePosDay(...args);
    };
    expect(await processJob({ ...made.worker, sync: { ...sync, summarisePosDay } }, nightJob, { number: 1, max: 3 })).toMatchObject({ status: "posted" });
    expect(entriesWhenRead).toBe(0);
    expect(square.reads).toBe(1);
    expect(made.quickbooks.entries.map((entry) => entry.docNumber.slice(0, 8))).toEqual(["DB250611", "DB250612", "DB250613", "DB250614", "DP250611"]);
    expect(await made.services.storage.payouts.listPayouts(MERCHANT_ID, LOCATION_ID)).toMatchObject([{ state: "posted" }]);
  });

  for (const refused of ["ListPayouts", "ListPayoutEntries"] as const) it(`a read Square refused while the POS was read (${refused}) fails the payouts only, once the days are posted and told, and is no unhandled rejection`, async () => {
    const { made, square } = await aNight();
    const unavailable = new SquareRequestError("Square is unavailable (503)", "retryable", 503);
    if (refused === "ListPayouts") square.failure = unavailable;
    else square.entriesFailure = unavailable;
    let thrown: unknown;
    const unhandled = await unhandledDuring(() => processJob(made.worker, nightJob, { number: 1, max: 3 }).catch((error: unknown) => {
      thrown = error;
    }));
    expect(unhandled).toEqual([]);
    // Back to the queue for the payouts; the days are posted and their reports kept.
    expect(thrown).toMatchObject({ kind: "retryable" });
    expect(String(thrown)).toContain("Square payouts: ");
    expect(made.quickbooks.entries.map((entry) => entry.docNumber.slice(0, 8))).toEqual(["DB250611", "DB250612", "DB250613", "DB250614"]);
    expect(await made.services.storage.reports.listDay(MERCHANT_ID, LOCATION_ID, NIGHT)).toMatchObject([{ status: "posted" }]);
    // Read once: the refusal is the run's, kept on the location's check.
    expect(square.reads).toBe(1);
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).toMatchObject({ lastError: { kind: "retryable" } });

    // The retry finds the days done and posts the payout, once.
    square.failure = undefined;
    square.entriesFailure = undefined;
    expect(await processJob(made.worker, nightJob, { number: 2, max: 3 })).toMatchObject({ status: "unchanged" });
    expect(made.quickbooks.entries.map((entry) => entry.docNumber.slice(0, 8))).toEqual(["DB250611", "DB250612", "DB250613", "DB250614", "DP250611"]);
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).not.toHaveProperty("lastError");
  });

  it("on the job's last attempt the payouts' failure stays on the location's check and the night ends as its day did", async () => {
    const { made, square } = await aNight();
    square.failure = new SquareRequestError("Square is unavailable (503)", "retryable", 503);
    const unhandled = await unhandledDuring(async () => {
      expect(await processJob(made.worker, nightJob, { number: 3, max: 3 })).toMatchObject({ status: "posted" });
    });
    expect(unhandled).toEqual([]);
    expect(made.quickbooks.entries).toHaveLength(4);
    expect(await made.services.storage.payouts.getCheck(MERCHANT_ID, LOCATION_ID)).toMatchObject({ lastError: { kind: "retryable" } });
  });

  it("a check that could not be read ahead is read again after the days, and the payout posts once", async () => {
    const { made, square } = await aNight();
    const ports = made.worker.payouts!;
    let checkReads = 0;
    const getCheck: typeof ports.payouts.getCheck = (...args) => {
      checkReads++;
      return checkReads === 1 ? Promise.reject(new Error("DynamoDB is unavailable")) : ports.payouts.getCheck(...args);
    };
    const payouts = { ...ports, payouts: { ...ports.payouts, getCheck } };
    const unhandled = await unhandledDuring(async () => {
      expect(await processJob({ ...made.worker, payouts }, nightJob, { number: 1, max: 3 })).toMatchObject({ status: "posted" });
    });
    expect(unhandled).toEqual([]);
    expect(checkReads).toBe(2);
    expect(square.reads).toBe(1);
    expect(made.quickbooks.entries.map((entry) => entry.docNumber.slice(0, 8))).toEqual(["DB250611", "DB250612", "DB250613", "DB250614", "DP250611"]);
  });

  it("a night that throws after its days leaves no read of payouts in flight when it ends", async () => {
    const { made, square } = await aNight();
    // Square answers slowly; the night's reports cannot be kept, so the job throws before its payouts post.
    let answered = false;
    const slow: typeof square.read = async (sinceMs) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      answered = true;
      return FakePayouts.prototype.read.call(square, sinceMs);
    };
    square.read = slow;
    const reports = { ...made.worker.reports, save: () => Promise.reject(new Error("DynamoDB is unavailable")) };
    await expect(processJob({ ...made.worker, reports }, nightJob, { number: 1, max: 3 })).rejects.toThrow("DynamoDB is unavailable");
    expect(answered).toBe(true);
    // The days posted, the payout did not.
    expect(made.quickbooks.entries.map((entry) => entry.docNumber.slice(0, 8))).toEqual(["DB250611", "DB250612", "DB250613", "DB250614"]);
  });
});

