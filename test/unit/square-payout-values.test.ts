/**
 * The payout reader's checks (lib/pos/square/payouts.ts toPayout, toPayoutEntry): Square's own examples
 * from the spec read as typed values, and bodies daybook cannot trust fail with a sentence that names
 * the payout by its tag, never by its Square id.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { payoutTag } from "../../lib/domain/doc-number";
import { SquareDataError } from "../../lib/pos/square/errors";
import { toPayout, toPayoutEntry } from "../../lib/pos/square/payouts";

const spec = JSON.parse(readFileSync(new URL("../../../shared/specs/square/api.json", import.meta.url), "utf8")) as {
  components: { schemas: Record<string, { example?: Record<string, unknown[]> }> };
};
const examplePayouts = spec.components.schemas["ListPayoutsResponse"]!.example!["payouts"] as Record<string, unknown>[];
const exampleEntries = spec.components.schemas["ListPayoutEntriesResponse"]!.example!["payout_entries"] as Record<string, unknown>[];

describe("payouts as the reader returns them", () => {
  it("reads the spec's example payouts (whose Money says currency_code) in minor units", () => {
    expect(examplePayouts.map(toPayout)).toEqual([
      {
        id: "po_b345d2c7-90b3-4f0b-a2aa-df1def7f8afc", locationId: "L88917AVBK2S5", status: "PAID", type: "BATCH",
        createdAt: "2022-03-29T16:12:31Z", updatedAt: "2022-03-30T01:07:22.875Z", arrivalDate: "2022-03-29",
        amount: 6259, currency: "USD", version: 2, destinationType: "CARD", transferFees: [{ type: "TRANSFER_FEE", amount: 95 }],
      },
      {
        id: "po_f3c0fb38-a5ce-427d-b858-52b925b72e45", locationId: "L88917AVBK2S5", status: "PAID", type: "BATCH",
        createdAt: "2022-03-24T03:07:09Z", updatedAt: "2022-03-24T03:07:09Z", arrivalDate: "2022-03-24",
        amount: -103, currency: "USD", version: 1, destinationType: "BANK_ACCOUNT", transferFees: [],
      },
    ]);
  });

  it("reads the spec's example entries: a refund gives its fee back, a charge pays one; the payment id stays in memory", () => {
    const payout = toPayout({ ...examplePayouts[0], id: "po_4d28e6c4-7dd5-4de4-8ec9-a059277646a6" });
    expect(exampleEntries.map((entry) => toPayoutEntry(entry, payout))).toEqual([
      { type: "REFUND", effectiveAt: "2021-12-14T23:31:49Z", gross: -50, fee: -2, net: -48, paymentId: "HVdG62HeMlti8YYf94oxrN" },
      { type: "CHARGE", effectiveAt: "2021-12-14T23:31:49Z", gross: 100, fee: 19, net: 81, paymentId: "HVdG62H5K3291d0SGJS6IWd4cSi8YY" },
    ]);
  });

  it("fills a missing figure from the other two, and takes a lone figure as the net", () => {
    const payout = toPayout(examplePayouts[1]);
    const base = { id: "poe_1", payout_id: payout.id, type: "ADJUSTMENT" };
    const usd = (amount: number) => ({ amount, currency: "USD" });
    expect(toPayoutEntry({ ...base, gross_amount_money: usd(100), fee_amount_money: usd(3) }, payout)).toMatchObject({ gross: 100, fee: 3, net: 97 });
    expect(toPayoutEntry({ ...base, gross_amount_money: usd(100), net_amount_money: usd(97) }, payout)).toMatchObject({ fee: 3 });
    expect(toPayoutEntry({ ...base, net_amount_money: usd(-500) }, payout)).toMatchObject({ gross: -500, fee: 0, net: -500 });
    expect(toPayoutEntry({ id: "poe_2", payout_id: payout.id }, payout)).toEqual({ type: "UNSPECIFIED", effectiveAt: null, gross: 0, fee: 0, net: 0 });
  });

  it.each([
    ["a status daybook does not know", { status: "PENDING" }, /status/],
    ["no amount", { amount_money: { currency: "USD" } }, /has no amount/],
    ["no currency", { amount_money: { amount: 5 } }, /has no currency/],
    ["a fractional amount", { amount_money: { amount: 1.5, currency: "USD" } }, /amount_money\.amount/],
    ["an arrival date that is no date", { arrival_date: "2022-02-30" }, /not a calendar date: 2022-02-30/],
    ["a creation time that is no time", { created_at: "yesterday" }, /created_at/],
  ])("refuses a payout with %s", (_, change, message) => {
    const read = () => toPayout({ ...examplePayouts[1], ...change });
    expect(read).toThrow(SquareDataError);
    expect(read).toThrow(message);
  });

  it("refuses an entry that does not add up, is in another currency, or names another payout, naming the payout by its tag", () => {
    const payout = toPayout(examplePayouts[1]);
    const tag = payoutTag(payout.id);
    const entry = (change: Record<string, unknown>) => () =>
      toPayoutEntry({ id: "poe_1", payout_id: payout.id, type: "CHARGE", gross_amount_money: { amount: 100, currency: "USD" }, fee_amount_money: { amount: 3, currency: "USD" }, net_amount_money: { amount: 97, currency: "USD" }, ...change }, payout);
    expect(entry({ net_amount_money: { amount: 98, currency: "USD" } })).toThrow(
      `A CHARGE entry of the Square payout of 2022-03-24 (payout ${tag}) does not add up: gross 100 − fee 3 is not its net 98 (minor units).`,
    );
    expect(entry({ fee_amount_money: { amount: 3, currency: "CAD" } })).toThrow(/fee is in CAD, but its payout is in USD/);
    expect(entry({ payout_id: "po_other" })).toThrow(/names another payout/);
    for (const check of [entry({ net_amount_money: { amount: 98, currency: "USD" } }), entry({ payout_id: "po_other" })]) {
      expect(() => check()).not.toThrow(payout.id);
    }
  });
});
