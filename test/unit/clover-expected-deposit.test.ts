/**
 * Clover's expected deposit per business day (lib/payouts/clover-expected-deposit.ts; docs/accounting.md
 * "Deposits (Clover)"), hand-worked: which tenders count as card, and the figure to match in the bank feed.
 */
import { describe, expect, it } from "vitest";
import { cloverDepositsLine, cloverDepositSentence, expectedCloverDeposit, isCloverCardTender } from "../../lib/payouts/clover-expected-deposit";
import { summaryOf } from "../support/summaries";

describe("which Clover tenders count as card", () => {
  it("Clover's own credit and debit card tenders, by label or labelKey; nothing else", () => {
    for (const key of ["Credit Card", "Debit Card", "credit  card", " DEBIT CARD ", "com.clover.tender.credit_card", "com.clover.tender.credit", "com.clover.tender.debit_card"]) {
      expect(isCloverCardTender(key), key).toBe(true);
    }
    for (const key of [
      "Cash", "Check", "Gift Card", "External Gift Card", "External Payment", "External PIN Debit", "PayPal", "Venmo", "House Account",
      "Corporate card", "com.clover.tender.cash", "com.clover.tender.external_gift_card", "com.clover.tender.external_pin_debit", "com.clover.paypal", "GTND_CREDIT",
    ]) {
      expect(isCloverCardTender(key), key).toBe(false);
    }
  });
});

describe("the expected deposit of a Clover day", () => {
  it("is the card payments (with tips, surcharges and cash back, as charged to the cards) less the card refunds", () => {
    // Credit Card: 42.00 + 3.00 tip + 1.20 surcharge = 46.20, and 30.00; Debit Card: 18.00 + 20.00 cash back = 38.00;
    // a debit payment keyed by its labelKey (label not read): 5.00. Refunded: 12.00 to a credit card.
    // Not Clover's to deposit: 55.00 cash, 9.00 house account, 7.50 external gift card, and the 4.00 cash refund.
    const summary = summaryOf({
      payments: { "Credit Card": 4620 + 3000, "Debit Card": 3800, "com.clover.tender.debit_card": 500, Cash: 5500, "House Account": 900, "External Gift Card": 750 },
      refunds: { "Credit Card": 1200, Cash: 400 },
      cashBack: 2000,
    });
    expect(expectedCloverDeposit("2025-06-17", summary)).toEqual({
      businessDay: "2025-06-17", currency: "USD", cardPayments: 7620 + 3800 + 500, cardRefunds: 1200, expected: 11_920 - 1200,
    });
  });

  it("is said in the day's report and under the location, with its parts", () => {
    const deposit = expectedCloverDeposit("2025-06-17", summaryOf({ payments: { "Credit Card": 1_234_567 }, refunds: { "Debit Card": 500 } }));
    expect(cloverDepositSentence(deposit)).toBe(
      "Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them. Expected card deposit for Tuesday 17 June 2025: " +
        "12,340.67 USD (card payments 12,345.67 less card refunds 5.00), before any processing fees the processor takes from it.",
    );
    const monday = expectedCloverDeposit("2025-06-16", summaryOf({ payments: { "Debit Card": 900 } }));
    expect(cloverDepositsLine([deposit, monday])).toBe(
      "Deposits: Clover's deposits are matched in QuickBooks' bank feed; daybook posts nothing for them. " +
        "Expected card deposits (card payments less card refunds, USD): Tue 17 Jun 12,340.67, Mon 16 Jun 9.00.",
    );
    expect(cloverDepositsLine([])).toContain("shows here once daybook has read the day");
  });
});
