/**
 * The payout journal entry (lib/payouts/payout-entry.ts), hand-worked: every line of a payout's entry
 * justified, failed and returned payouts, the mapping's fallbacks, and the DocNumber.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docNumber, MAX_DOC_NUMBER_LENGTH, payoutDocNumber, payoutTag } from "../../lib/domain/doc-number";
import { type Mapping, parseMapping } from "../../lib/domain/mapping";
import { buildPayoutEntry, buildPayoutReversal, describeDays, type PayoutEntryContext } from "../../lib/payouts/payout-entry";
import { coveredDays } from "../../lib/payouts/payout-summary";
import { entry, payoutOf, summaryOfPayout, ZONE } from "../support/payouts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/square/mapping.json", import.meta.url), "utf8")) as Record<string, unknown>;
const payoutAccounts = { bank: "13", fees: "63", disputes: "64", loan: "25", savings: "14", other: "65" };
const mapping: Mapping = parseMapping({ ...fixture, payouts: payoutAccounts });
const context: PayoutEntryContext = { locationName: "Main Street", timeZone: ZONE };

const tuples = (built: ReturnType<typeof buildPayoutEntry>) => built.lines.map((line) => [line.description, line.postingType, line.amount, line.accountId]);

/**
 * An instant deposit made at 17:30 New York time on Monday 2025-06-16, arriving the next day. It sweeps
 * the balance since Sunday's 17:00 cut-off, so its card sales span two business days (the location's
 * days run from midnight).
 */
const PAYOUT_ID = "po_b345d2c7-90b3-4f0b-a2aa-df1def7f8afc";
const instant = payoutOf({
  id: PAYOUT_ID, amount: 12_367, arrivalDate: "2025-06-17", createdAt: "2025-06-16T21:30:00Z", destinationType: "CARD",
  transferFees: [{ type: "TRANSFER_FEE", amount: 220 }],
});
const instantEntries = [
  // Sunday 18:10 New York: a 50.00 card sale; Square kept 2.6% + 10¢ = 1.40.
  entry("CHARGE", "2025-06-15T22:10:00Z", 5000, 140, "PAY_SUNDAY_EVENING"),
  // Sunday 21:30 New York (01:30 UTC Monday): still business day 2025-06-15. 20.00, fee 0.62.
  entry("CHARGE", "2025-06-16T01:30:00Z", 2000, 62, "PAY_SUNDAY_NIGHT"),
  // Monday 10:00: 120.00, fee 3.22.
  entry("CHARGE", "2025-06-16T14:00:00Z", 12_000, 322, "PAY_MONDAY"),
  // Monday 12:00: 10.00 of Sunday night's sale refunded; Square gave back 0.26 of its fee.
  entry("REFUND", "2025-06-16T16:00:00Z", -1000, -26, "PAY_SUNDAY_NIGHT"),
  // Monday 11:00: Square raised Sunday evening's fee by 0.15 (an ADJUSTMENT), as its own entry.
  entry("FEE", "2025-06-16T15:00:00Z", 0, 15, "PAY_SUNDAY_EVENING"),
  // Monday 09:00: a customer's bank charged back 30.00 of a sale from 2025-06-10.
  entry("OPEN_DISPUTE", "2025-06-16T13:00:00Z", -3000, 0, "PAY_JUNE_TENTH"),
  // Square Capital takes 10% of the charges' gross (190.00 × 10%) toward the seller's loan.
  entry("SQUARE_CAPITAL_PAYMENT", "2025-06-16T21:00:00Z", -1900),
  // The instant deposit's fee: 1.75% of the 125.87 swept, 2.20 (also listed as the payout's TRANSFER_FEE).
  entry("DEPOSIT_FEE", "2025-06-16T21:30:00Z", -220),
];

describe("a payout's journal entry, hand-worked", () => {
  it("posts every line of a payout with charges over two days, a refund, an instant-deposit fee, a chargeback, a loan repayment and a fee adjustment", () => {
    const summary = summaryOfPayout(instant, instantEntries, { PAY_SUNDAY_EVENING: "2025-06-15" });
    expect(coveredDays(summary)).toEqual(["2025-06-15", "2025-06-16"]);
    const built = buildPayoutEntry(summary, mapping, context);
    expect(tuples(built)).toEqual([
      // The bank receives the payout's amount: 48.60 + 19.38 + 116.78 − 9.74 − 0.15 − 30.00 − 19.00 − 2.20 = 123.67.
      ["Square payout – deposit", "Debit", 12_367, "13"],
      // Sunday's two sales left 50.00 + 20.00 in card clearing (the daily entry's card payments) less their
      // 1.40 + 0.62 fees (the daily entry's "Processing fees – Card clearing"): 67.98 goes out of it.
      ["Card sales – 2025-06-15, net of refunds and fees", "Credit", 6798, "11"],
      // Monday: 120.00 sold, 10.00 refunded (the daily entry credited clearing with it), fees 3.22 − 0.26:
      // 120.00 − 10.00 − 2.96 = 107.04.
      ["Card sales – 2025-06-16, net of refunds and fees", "Credit", 10_704, "11"],
      // The later 0.15 fee on Sunday's sale came out of the balance: it was in card clearing only if
      // daybook's re-check expensed it, so it clears card clearing (debit), never processing fees twice.
      ["Processing fee adjustments", "Debit", 15, "11"],
      // Fees daybook never posted go to the payout fee account: the instant deposit's 2.20.
      ["Instant deposit fee", "Debit", 220, "63"],
      // The chargeback is its own account's, not card clearing's: the sale's day was already paid out.
      ["Chargebacks – dispute opened", "Debit", 3000, "64"],
      // The loan repayment reduces the loan liability.
      ["Square Capital loan repayment", "Debit", 1900, "25"],
    ]);
    // Balanced by construction: 123.67 + 0.15 + 2.20 + 30.00 + 19.00 = 67.98 + 107.04 = 175.02.
    expect(built.total).toBe(17_502);
    expect(built.warnings).toEqual([]);
    expect(built.held).toBe(false);
    expect(built.txnDate).toBe("2025-06-17");
    expect(built.journalEntry).toMatchObject({ TxnDate: "2025-06-17", DocNumber: payoutDocNumber(payoutTag(PAYOUT_ID), "2025-06-17", "deposit") });
    expect(built.journalEntry?.Line.map((line) => line.Amount)).toEqual([123.67, 67.98, 107.04, 0.15, 2.2, 30, 19]);
  });

  it("keeps only aggregates of the payout: figures per business day and per activity, no Square id", () => {
    const summary = summaryOfPayout(instant, instantEntries, { PAY_SUNDAY_EVENING: "2025-06-15" });
    expect(summary).toEqual({
      tag: payoutTag(PAYOUT_ID), locationId: "L8EXAMPLE0001", status: "PAID", type: "BATCH", currency: "USD", amount: 12_367,
      createdAt: "2025-06-16T21:30:00Z", updatedAt: "2025-06-17T13:00:00Z", arrivalDate: "2025-06-17", version: 1, destinationType: "CARD",
      transferFees: 220,
      days: {
        "2025-06-15": { payments: 7000, refunds: 0, fees: 202, net: 6798, count: 2, feeAdjustments: 15 },
        "2025-06-16": { payments: 12_000, refunds: 1000, fees: 296, net: 10_704, count: 2, feeAdjustments: 0 },
      },
      activities: { DEPOSIT_FEE: -220, FEE: -15, OPEN_DISPUTE: -3000, SQUARE_CAPITAL_PAYMENT: -1900 },
      entryCount: 8,
      // The latest entry is the deposit fee, at 17:30 on Monday.
      sweptThrough: "2025-06-16",
    });
    const kept = JSON.stringify(summary);
    for (const id of [PAYOUT_ID, "PAY_SUNDAY_EVENING", "PAY_SUNDAY_NIGHT", "PAY_MONDAY", "PAY_JUNE_TENTH"]) expect(kept).not.toContain(id);
  });

  it("says in PrivateNote which payout and business days the entry is, with no Square id and no personal data", () => {
    const built = buildPayoutEntry(summaryOfPayout(instant, instantEntries), mapping, context);
    const note = built.journalEntry?.PrivateNote ?? "";
    expect(note).toMatch(
      /^Square payout 2025-06-17 – Main Street – covers business days 2025-06-15 and 2025-06-16\. Posted by daybook; payout [0-9A-Z]{8}; 8 entries; lines sha256 [0-9a-f]{64}\.$/,
    );
    const body = JSON.stringify(built.journalEntry);
    for (const id of [PAYOUT_ID, "PAY_SUNDAY_EVENING", "PAY_MONDAY", "PAY_JUNE_TENTH"]) expect(body).not.toContain(id);
  });

  it("is the same entry every time, and a fee adjustment counts on its payment's day when the run knows it", () => {
    const known = summaryOfPayout(instant, instantEntries, { PAY_SUNDAY_EVENING: "2025-06-15" });
    const unknown = summaryOfPayout(instant, instantEntries);
    expect(known.days["2025-06-15"]?.feeAdjustments).toBe(15);
    expect(unknown.days["2025-06-16"]?.feeAdjustments).toBe(15);
    // The entry itself does not depend on where the adjustment is counted.
    expect(buildPayoutEntry(known, mapping, context).journalEntry).toEqual(buildPayoutEntry(unknown, mapping, context).journalEntry);
  });

  it("posts a payout's transfer fee when its entries do not carry it, and holds one whose entries do not add up", () => {
    const charge = entry("CHARGE", "2025-06-16T14:00:00Z", 10_000, 290);
    const withFee = payoutOf({ id: "po_transfer", amount: 9535, arrivalDate: "2025-06-17", transferFees: [{ type: "TRANSFER_FEE", amount: 175 }] });
    expect(tuples(buildPayoutEntry(summaryOfPayout(withFee, [charge]), mapping, context))).toEqual([
      ["Square payout – deposit", "Debit", 9535, "13"],
      ["Card sales – 2025-06-16, net of refunds and fees", "Credit", 9710, "11"],
      ["Transfer fee", "Debit", 175, "63"],
    ]);

    const wrong = buildPayoutEntry(summaryOfPayout(payoutOf({ id: "po_wrong", amount: 9000, arrivalDate: "2025-06-17" }), [charge]), mapping, context);
    expect(wrong.held).toBe(true);
    expect(wrong.journalEntry).toBeNull();
    expect(wrong.holdReason).toBe(
      "The Square payout arriving Tuesday 17 June 2025 (90.00 USD): its entries add up to 97.10 USD, not the payout's amount, so it was not posted. " +
        "Check the payout in the Square Dashboard; daybook will post it once Square's figures agree.",
    );
  });

  it("posts a withdrawal (a negative payout) on the other sides", () => {
    const withdrawal = payoutOf({ id: "po_debit", amount: -2500, arrivalDate: "2025-06-18" });
    const built = buildPayoutEntry(summaryOfPayout(withdrawal, [entry("DISPUTE", "2025-06-17T15:00:00Z", -2500, 0, "P")]), mapping, context);
    expect(tuples(built)).toEqual([
      ["Square payout – withdrawal", "Credit", 2500, "13"],
      ["Chargebacks – dispute settled", "Debit", 2500, "64"],
    ]);
  });
});

describe("failed and returned payouts", () => {
  const sales = [entry("CHARGE", "2025-06-16T14:00:00Z", 10_000, 290), entry("REFUND", "2025-06-16T15:00:00Z", -2000, -52)];

  it("a payout that failed posts nothing when it carried only card sales", () => {
    const failed = payoutOf({ id: "po_failed", amount: 7762, arrivalDate: "2025-06-17", status: "FAILED", updatedAt: "2025-06-17T15:00:00Z" });
    const built = buildPayoutEntry(summaryOfPayout(failed, sales), mapping, context);
    expect(built.kind).toBe("failed");
    expect(built.journalEntry).toBeNull();
    expect(built.held).toBe(false);
    expect(built.nothingToPost).toBe(
      "The Square payout arriving Tuesday 17 June 2025 (77.62 USD) failed: nothing reached the bank and its card sales stay in card clearing until Square pays them again, so nothing is posted.",
    );
  });

  it("a failed payout still posts, against card clearing, the loan repayment and savings it carried, and no bank line", () => {
    const failed = payoutOf({ id: "po_failed_loan", amount: 6762, arrivalDate: "2025-06-17", status: "FAILED", updatedAt: "2025-06-18T15:00:00Z" });
    const built = buildPayoutEntry(
      summaryOfPayout(failed, [...sales, entry("SQUARE_CAPITAL_PAYMENT", "2025-06-16T21:00:00Z", -800), entry("AUTOMATIC_SAVINGS", "2025-06-16T21:00:00Z", -200)]),
      mapping, context,
    );
    expect(built.kind).toBe("failed");
    // Square took 8.00 for the loan and 2.00 for savings out of the card sales: those moves stand,
    // the 67.62 that failed is back in the Square balance, still in card clearing.
    expect(tuples(built)).toEqual([
      ["Square Capital loan repayment", "Debit", 800, "25"],
      ["Automatic transfer to Square Savings", "Debit", 200, "14"],
      ["Card clearing – taken by Square from the failed payout", "Credit", 1000, "11"],
    ]);
    expect(built.journalEntry).toMatchObject({ TxnDate: "2025-06-18", DocNumber: payoutDocNumber(payoutTag("po_failed_loan"), "2025-06-17", "failed") });
    expect(built.journalEntry?.PrivateNote).toContain("Square payout 2025-06-17 – Main Street – failed: nothing reached the bank");
  });

  it("a posted payout the bank sent back is reversed: bank credited, card clearing debited, on the accounts the deposit used", () => {
    const sent = payoutOf({ id: "po_returned", amount: 7762, arrivalDate: "2025-06-17", status: "SENT" });
    const deposit = buildPayoutEntry(summaryOfPayout(sent, sales), mapping, context);
    expect(tuples(deposit)).toEqual([
      ["Square payout – deposit", "Debit", 7762, "13"],
      ["Card sales – 2025-06-16, net of refunds and fees", "Credit", 7762, "11"],
    ]);
    // Three days later Square reports it FAILED: the bank returned it.
    const returned = summaryOfPayout({ ...sent, status: "FAILED", updatedAt: "2025-06-20T14:00:00Z", version: 3 }, sales);
    const changedMapping = parseMapping({ ...fixture, payouts: { ...payoutAccounts, bank: "99" } });
    expect(changedMapping.payouts?.bank).toBe("99");
    const reversal = buildPayoutReversal(returned, {
      docNumber: deposit.docNumber, amount: 7762, currency: "USD", bankAccountId: deposit.bankAccountId ?? "", clearingAccountId: deposit.clearingAccountId,
    }, context);
    expect(tuples(reversal)).toEqual([
      ["Square payout returned by the bank", "Credit", 7762, "13"],
      ["Returned payout, back in the Square balance", "Debit", 7762, "11"],
    ]);
    expect(reversal.journalEntry).toMatchObject({ TxnDate: "2025-06-20", DocNumber: `${deposit.docNumber}-R` });
    expect(reversal.journalEntry?.PrivateNote).toContain(`Reverses the Square payout of 2025-06-17 – Main Street (${deposit.docNumber})`);
    expect(() => buildPayoutReversal(summaryOfPayout(sent, sales), { docNumber: deposit.docNumber, amount: 7762, currency: "USD", bankAccountId: "13", clearingAccountId: "11" }, context))
      .toThrow(/not FAILED/);
  });

  it("puts the location's QuickBooks Location and Class on every line of a payout's deposit and of its reversal, as on its days' entries", () => {
    const tagged = { ...context, tags: { departmentId: "2", classId: "7" } };
    const sent = payoutOf({ id: "po_tagged", amount: 7762, arrivalDate: "2025-06-17", status: "SENT" });
    const deposit = buildPayoutEntry(summaryOfPayout(sent, sales), mapping, tagged);
    const returned = summaryOfPayout({ ...sent, status: "FAILED", updatedAt: "2025-06-20T14:00:00Z", version: 3 }, sales);
    const reversal = buildPayoutReversal(returned, { docNumber: deposit.docNumber, amount: 7762, currency: "USD", bankAccountId: "13", clearingAccountId: "11" }, tagged);
    for (const built of [deposit, reversal]) {
      const lines = built.journalEntry?.Line ?? [];
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line.JournalEntryLineDetail).toMatchObject({ DepartmentRef: { value: "2" }, ClassRef: { value: "7" } });
    }
    // Untagged, no line names one.
    expect(JSON.stringify(buildPayoutEntry(summaryOfPayout(sent, sales), mapping, context).journalEntry)).not.toMatch(/DepartmentRef|ClassRef/);
  });

  it("the money a later payout brings back (RETURNED_PAYOUT) clears card clearing, where the reversal put it", () => {
    const next = payoutOf({ id: "po_next", amount: 7762 + 4860, arrivalDate: "2025-06-23" });
    const built = buildPayoutEntry(
      summaryOfPayout(next, [entry("CHARGE", "2025-06-22T14:00:00Z", 5000, 140), entry("RETURNED_PAYOUT", "2025-06-20T14:00:00Z", 7762)]),
      mapping, context,
    );
    expect(tuples(built)).toEqual([
      ["Square payout – deposit", "Debit", 12_622, "13"],
      ["Card sales – 2025-06-22, net of refunds and fees", "Credit", 4860, "11"],
      ["Returned payout, back in the Square balance", "Credit", 7762, "11"],
    ]);
  });
});

describe("the payout mapping", () => {
  const payout = payoutOf({ id: "po_types", amount: 10_000 - 290 - 500 - 100 - 1234 + 300, arrivalDate: "2025-06-17" });
  const entries = [
    entry("CHARGE", "2025-06-16T14:00:00Z", 10_000, 290),
    entry("DISPUTE", "2025-06-16T15:00:00Z", -500, 0, "P1"),
    entry("GIFT_CARD_LOAD_FEE", "2025-06-16T16:00:00Z", -100),
    entry("ESCHEATMENT", "2025-06-16T17:00:00Z", -1234),
    entry("HOLD_ADJUSTMENT", "2025-06-16T18:00:00Z", 300, 0, "P2"),
  ];

  it("an unknown activity type goes to the `other` account with a warning naming it; holds stay in card clearing", () => {
    const built = buildPayoutEntry(summaryOfPayout(payout, entries), mapping, context);
    expect(tuples(built)).toEqual([
      ["Square payout – deposit", "Debit", 8176, "13"],
      ["Card sales – 2025-06-16, net of refunds and fees", "Credit", 9710, "11"],
      ["Held by Square (payment hold)", "Credit", 300, "11"],
      ["Gift card load fees", "Debit", 100, "63"],
      ["Chargebacks – dispute settled", "Debit", 500, "64"],
      ["Other Square activity – ESCHEATMENT", "Debit", 1234, "65"],
    ]);
    expect(built.warnings).toEqual([{
      code: "unknown-payout-activity",
      message: 'The Square payout arriving Tuesday 17 June 2025 carries 12.34 USD of activity "ESCHEATMENT", which daybook has no rule for; it was posted to the payouts\' other account 65.',
    }]);
  });

  it("with only a bank account mapped: fees to the processing fees account, the rest to over/short, each with a warning", () => {
    const bankOnly = parseMapping({ ...fixture, payouts: { bank: "13" } });
    const built = buildPayoutEntry(summaryOfPayout(payout, entries), bankOnly, context);
    expect(tuples(built).slice(3)).toEqual([
      ["Gift card load fees", "Debit", 100, "60"],
      ["Chargebacks – dispute settled", "Debit", 500, "62"],
      ["Other Square activity – ESCHEATMENT", "Debit", 1234, "62"],
    ]);
    expect(built.warnings.map((warning) => warning.code)).toEqual(["unmapped-payout-account", "unknown-payout-activity"]);
    expect(built.warnings[0]?.message).toBe(
      "Chargebacks (disputes) in the Square payout of 2025-06-17 have no account in the mapping; they were posted to the over/short account 62.",
    );
  });

  it("without a bank account the payout is held and the merchant told what to do", () => {
    const built = buildPayoutEntry(summaryOfPayout(payout, entries), parseMapping(fixture), context);
    expect(built.held).toBe(true);
    expect(built.journalEntry).toBeNull();
    expect(built.holdReason).toBe(
      "The Square payout arriving Tuesday 17 June 2025 (81.76 USD) was not posted: choose the bank account Square pays this location's payouts into on the mapping page: daybook posts it the night after.",
    );
  });

  it("a SIMPLE payout posts nothing: it is posted as an entry of the batch payout that carries it", () => {
    const built = buildPayoutEntry(summaryOfPayout(payoutOf({ id: "po_simple", amount: 5000, arrivalDate: "2025-06-17", type: "SIMPLE" }), []), mapping, context);
    expect(built.journalEntry).toBeNull();
    expect(built.nothingToPost).toContain("SIMPLE payout");
  });

  it("rejects a payouts section without a bank account, or with an account name", () => {
    expect(() => parseMapping({ ...fixture, payouts: { fees: "63" } })).toThrow(/payouts\.bank/);
    expect(() => parseMapping({ ...fixture, payouts: { bank: "Checking" } })).toThrow(/payouts\.bank: must be a QuickBooks account Id/);
    expect(() => parseMapping({ ...fixture, payouts: { bank: "13", loans: "25" } })).toThrow(/loans/);
  });

  it("prints amounts in the currency's own decimals (JPY whole yen)", () => {
    const yen = payoutOf({ id: "po_yen", amount: 9676, arrivalDate: "2025-06-17", currency: "JPY" });
    const built = buildPayoutEntry(summaryOfPayout(yen, [entry("CHARGE", "2025-06-16T03:00:00Z", 10_000, 324)]), mapping, { ...context, withCurrencyRef: true });
    expect(built.journalEntry?.Line.map((line) => line.Amount)).toEqual([9676, 9676]);
    expect(built.journalEntry?.CurrencyRef).toEqual({ value: "JPY" });
  });
});

describe("the payout DocNumber", () => {
  it("is DP + arrival date + a tag hashed from the payout id, at most 21 characters, never a day's", () => {
    const tag = payoutTag(PAYOUT_ID);
    expect(tag).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(payoutTag(PAYOUT_ID)).toBe(tag);
    expect(payoutTag("po_f3c0fb38-a5ce-427d-b858-52b925b72e45")).not.toBe(tag);
    const numbers = (["deposit", "reversal", "failed"] as const).map((kind) => payoutDocNumber(tag, "2025-06-17", kind));
    expect(numbers).toEqual([`DP250617-${tag}`, `DP250617-${tag}-R`, `DP250617-${tag}-F`]);
    for (const number of numbers) expect(number.length).toBeLessThanOrEqual(MAX_DOC_NUMBER_LENGTH);
    expect(numbers).not.toContain(docNumber("square", "L8EXAMPLE0001", "2025-06-17", 0));
    expect(() => payoutDocNumber(tag, "2025-02-30", "deposit")).toThrow();
    expect(() => payoutDocNumber(PAYOUT_ID, "2025-06-17", "deposit")).toThrow(/not a payout tag/);
  });

  it("names runs of business days briefly", () => {
    expect(describeDays(["2025-06-13"])).toBe("2025-06-13");
    expect(describeDays(["2025-06-13", "2025-06-14"])).toBe("2025-06-13 and 2025-06-14");
    expect(describeDays(["2025-06-13", "2025-06-15", "2025-06-17"])).toBe("2025-06-13, 2025-06-15 and 2025-06-17");
    expect(describeDays(["2025-06-10", "2025-06-11", "2025-06-12", "2025-06-14"])).toBe("2025-06-10 to 2025-06-12 and 2025-06-14");
  });
});
