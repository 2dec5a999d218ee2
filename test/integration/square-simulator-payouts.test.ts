/**
 * The Square simulator's payouts (sandbox/square/payouts.ts) over HTTP: ListPayouts, GetPayout and
 * ListPayoutEntries bodies validate strictly against Square's official spec; the payouts are made of
 * the simulator's own payments, refunds and fees; the ground truth agrees with what the API shows;
 * PAYOUTS_READ is enforced; errors come in Square's shape; faults are injected as on every endpoint.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { businessDayOf } from "../../lib/domain/business-day";
import { type SquareSimulator, startSquareSimulator } from "../../sandbox/square/server";
import {
  adjustedAfterPayout, adjustedBeforePayout, chargedBack, chargedBackWon, held, PAYOUT_LOCATION, PAYOUT_MERCHANT, PAYOUT_NOW, PAYOUT_ZONE, setUpPayoutWorld,
} from "../support/payout-world";
import { squareSpecProblems } from "../support/square-spec";

type Json = Record<string, unknown>;
interface Money { amount: number; currency: string }
interface PayoutBody { id: string; status: string; location_id: string; created_at: string; updated_at: string; amount_money: Money; arrival_date: string; version: number; destination: { type: string }; payout_fee?: { amount_money: Money; type: string }[] }
interface EntryBody { id: string; payout_id: string; effective_at: string; type: string; gross_amount_money: Money; fee_amount_money: Money; net_amount_money: Money; [details: string]: unknown }

let square: SquareSimulator;
let token: string;

interface Answer { status: number; body: Json; headers: Headers }

async function call(path: string, callToken: string | null = token): Promise<Answer> {
  const response = await fetch(`${square.url}${path}`, { headers: callToken === null ? {} : { Authorization: `Bearer ${callToken}` } });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}

/** The first error of an error body, which must validate as the endpoint's response carrying only errors. */
function firstError(answer: Answer, schema = "ListPayoutsResponse"): { category: string; code: string; detail?: string; field?: string } {
  expect(squareSpecProblems(schema, answer.body)).toEqual([]);
  expect(Object.keys(answer.body)).toEqual(["errors"]);
  const [error] = answer.body["errors"] as { category: string; code: string; detail?: string }[];
  expect(error?.detail).toBeTruthy();
  return error!;
}

/** Every page of a list, each validated; the items in order. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names what the list holds
async function everyPage<T>(path: string, field: string, schema: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const answer = await call(`${path}${cursor ? `${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(answer.status).toBe(200);
    expect(squareSpecProblems(schema, answer.body)).toEqual([]);
    items.push(...((answer.body[field] ?? []) as T[]));
    cursor = answer.body["cursor"] as string | undefined;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

const allPayouts = async () => (await everyPage<PayoutBody>("/v2/payouts?sort_order=ASC&limit=3", "payouts", "ListPayoutsResponse")).items;
const entriesOf = async (payoutId: string) =>
  (await everyPage<EntryBody>(`/v2/payouts/${payoutId}/payout-entries?sort_order=ASC&limit=25`, "payout_entries", "ListPayoutEntriesResponse")).items;

/** Moves the simulator's clock to `at` for the length of `run`. */
async function at<T>(instant: string, run: () => Promise<T>): Promise<T> {
  const shift = Date.parse(instant) - square.now();
  square.advanceTime(shift);
  try {
    return await run();
  } finally {
    square.advanceTime(-shift);
  }
}

const dayOf = (iso: string) => businessDayOf(Date.parse(iso), PAYOUT_ZONE, "00:00");

beforeAll(async () => {
  square = await startSquareSimulator({ now: () => PAYOUT_NOW, seed: 18 });
  setUpPayoutWorld(square);
  square.addMerchant({ merchantId: "MERCHANT0002", locations: [{ id: "OTHERLOCATION", name: "Elsewhere", timezone: PAYOUT_ZONE, currency: "USD" }] });
  token = square.issueToken(PAYOUT_MERCHANT);
});

afterAll(async () => {
  await square.close();
});

describe("payout bodies validate against api.json", () => {
  it("ListPayouts pages through the location's payouts in order, and GetPayout answers one", async () => {
    const payouts = await allPayouts();
    expect(payouts.length).toBeGreaterThanOrEqual(10);
    expect(payouts.every((payout) => payout.location_id === PAYOUT_LOCATION && payout.amount_money.currency === "USD")).toBe(true);
    const created = payouts.map((payout) => payout.created_at);
    expect(created).toEqual([...created].sort());
    const descending = (await everyPage<PayoutBody>("/v2/payouts", "payouts", "ListPayoutsResponse")).items.map((payout) => payout.id);
    expect(descending).toEqual(payouts.map((payout) => payout.id).reverse());

    const [first] = payouts;
    const one = await call(`/v2/payouts/${first!.id}`);
    expect(one.status).toBe(200);
    expect(squareSpecProblems("GetPayoutResponse", one.body)).toEqual([]);
    expect(one.body["payout"]).toEqual(first);
  });

  it("ListPayoutEntries pages to the last page; each payout's entries add up to its amount, net = gross − fee", async () => {
    const payouts = await allPayouts();
    const seen = new Set<string>();
    for (const payout of payouts) {
      const entries = await entriesOf(payout.id);
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) {
        expect(seen.has(entry.id)).toBe(false);
        seen.add(entry.id);
        expect(entry.payout_id).toBe(payout.id);
        expect(entry.net_amount_money.amount).toBe(entry.gross_amount_money.amount - entry.fee_amount_money.amount);
      }
      expect(entries.reduce((sum, entry) => sum + entry.net_amount_money.amount, 0)).toBe(payout.amount_money.amount);
      const times = entries.map((entry) => Date.parse(entry.effective_at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const big = payouts.find((payout) => payout.destination.type === "BANK_ACCOUNT")!;
    const pages = await everyPage<EntryBody>(`/v2/payouts/${big.id}/payout-entries?limit=7`, "payout_entries", "ListPayoutEntriesResponse");
    expect(pages.pages).toBeGreaterThan(2);
  });
});

describe("payouts made of the simulator's own payments", () => {
  it("carries every card and wallet payment once as a CHARGE, with its total and all its fees, and every refund of one", async () => {
    const payments = (await everyPage<Json>(`/v2/payments?location_id=${PAYOUT_LOCATION}&begin_time=2025-06-01T00:00:00Z&sort_order=ASC`, "payments", "ListPaymentsResponse")).items;
    const refunds = (await everyPage<Json>(`/v2/refunds?location_id=${PAYOUT_LOCATION}&begin_time=2025-06-01T00:00:00Z&sort_order=ASC`, "refunds", "ListPaymentRefundsResponse")).items;
    const paidOut = (payment: Json) => {
      const brand = ((payment["card_details"] as { card?: { card_brand?: string } } | undefined)?.card?.card_brand);
      return payment["status"] === "COMPLETED" && ((payment["source_type"] === "CARD" && brand !== "SQUARE_GIFT_CARD") || payment["source_type"] === "WALLET");
    };
    const eligible = new Map(payments.filter(paidOut).map((payment) => [String(payment["id"]), payment]));
    expect(eligible.size).toBeGreaterThan(200);
    expect(payments.some((payment) => payment["source_type"] === "CASH")).toBe(true); // cash is never paid out

    const entries = (await Promise.all((await allPayouts()).map((payout) => entriesOf(payout.id)))).flat();
    const charges = entries.filter((entry) => entry.type === "CHARGE");
    const paymentIdOf = (entry: EntryBody, field: string) => (entry[field] as { payment_id: string }).payment_id;
    expect(charges.map((entry) => paymentIdOf(entry, "type_charge_details")).sort()).toEqual([...eligible.keys()].sort());
    for (const charge of charges) {
      const payment = eligible.get(paymentIdOf(charge, "type_charge_details"))!;
      expect(charge.gross_amount_money.amount).toBe((payment["total_money"] as Money).amount);
      expect(charge.effective_at).toBe(payment["created_at"]);
    }
    // All of a payment's fees are taken: the charge's own, plus a FEE entry for a change after its payout.
    const feesOf = (paymentId: string) =>
      entries.filter((entry) => (entry.type === "CHARGE" && paymentIdOf(entry, "type_charge_details") === paymentId) || (entry.type === "FEE" && paymentIdOf(entry, "type_fee_details") === paymentId))
        .reduce((sum, entry) => sum + entry.fee_amount_money.amount, 0);
    for (const [paymentId, payment] of eligible) {
      const fees = ((payment["processing_fee"] ?? []) as { amount_money: Money }[]).reduce((sum, fee) => sum + fee.amount_money.amount, 0);
      expect(feesOf(paymentId)).toBe(fees);
    }
    const feeEntries = entries.filter((entry) => entry.type === "FEE");
    expect(feeEntries.map((entry) => [paymentIdOf(entry, "type_fee_details"), entry.fee_amount_money.amount, entry.net_amount_money.amount]))
      .toEqual([[adjustedAfterPayout.paymentId, 40, -40]]);
    const folded = charges.find((entry) => paymentIdOf(entry, "type_charge_details") === adjustedBeforePayout.paymentId)!;
    expect(folded.fee_amount_money.amount).toBe(feesOf(adjustedBeforePayout.paymentId));

    const refundEntries = entries.filter((entry) => entry.type === "REFUND");
    const refundsPaidOut = refunds.filter((refund) => refund["status"] === "COMPLETED" && eligible.has(String(refund["payment_id"])));
    expect(refundEntries).toHaveLength(refundsPaidOut.length);
    expect(refundEntries.length).toBeGreaterThan(5);
    for (const entry of refundEntries) {
      const refund = refundsPaidOut.find((candidate) => candidate["id"] === (entry["type_refund_details"] as { refund_id: string }).refund_id)!;
      expect(entry.gross_amount_money.amount).toBe(-(refund["amount_money"] as Money).amount);
      expect(entry.fee_amount_money.amount).toBeLessThanOrEqual(0); // the fee Square gives back
    }
  });

  it("batches span two business days, arrive the next weekday, and carry every kind of activity asked for", async () => {
    const payouts = await allPayouts();
    const regular = payouts.filter((payout) => payout.destination.type === "BANK_ACCOUNT");
    // Each cut-off from Tuesday to Sunday sweeps the evening before and the day's morning; Thursday's
    // only the afternoon, the instant deposit having taken the rest.
    const daysSwept = async (cutoffDay: string) => {
      const payout = regular.find((candidate) => dayOf(candidate.created_at) === cutoffDay)!;
      return [...new Set((await entriesOf(payout.id)).filter((entry) => entry.type === "CHARGE").map((entry) => dayOf(entry.effective_at)))].sort();
    };
    for (const [cutoffDay, dayBefore] of [["2025-06-10", "2025-06-09"], ["2025-06-11", "2025-06-10"], ["2025-06-13", "2025-06-12"], ["2025-06-15", "2025-06-14"]]) {
      expect(await daysSwept(cutoffDay!)).toEqual([dayBefore, cutoffDay]);
    }
    expect(await daysSwept("2025-06-12")).toEqual(["2025-06-12"]);
    // Friday's cut-off arrives on Monday.
    expect(regular.find((payout) => dayOf(payout.created_at) === "2025-06-13")?.arrival_date).toBe("2025-06-16");

    const entries = (await Promise.all(payouts.map((payout) => entriesOf(payout.id)))).flat();
    const types = new Set(entries.map((entry) => entry.type));
    for (const type of ["CHARGE", "REFUND", "FEE", "DEPOSIT_FEE", "OPEN_DISPUTE", "DISPUTE", "HOLD_ADJUSTMENT", "RELEASE_ADJUSTMENT",
      "SQUARE_CAPITAL_PAYMENT", "AUTOMATIC_SAVINGS", "GIFT_CARD_LOAD_FEE", "RETURNED_PAYOUT"]) {
      expect(types).toContain(type);
    }
    const disputes = entries.filter((entry) => entry.type === "OPEN_DISPUTE" || entry.type === "DISPUTE").map((entry) => [entry.type, entry.net_amount_money.amount]);
    expect(disputes).toEqual([["OPEN_DISPUTE", -chargedBack.total], ["OPEN_DISPUTE", -1500], ["DISPUTE", 1500]]);
    expect(entries.filter((entry) => entry.type.endsWith("_ADJUSTMENT")).map((entry) => [entry.type, entry.net_amount_money.amount, (entry[`type_${entry.type.toLowerCase()}_details`] as { payment_id: string }).payment_id]))
      .toEqual([["HOLD_ADJUSTMENT", -2000, held.paymentId], ["RELEASE_ADJUSTMENT", 2000, held.paymentId]]);
    expect(chargedBackWon.total).toBeGreaterThan(1500);

    const instant = payouts.find((payout) => payout.destination.type === "CARD")!;
    const instantEntries = await entriesOf(instant.id);
    const depositFee = instantEntries.find((entry) => entry.type === "DEPOSIT_FEE")!;
    // 1.75% of what the balance held; the payout's TRANSFER_FEE says the same; the deposit arrives the same day.
    expect(depositFee.net_amount_money.amount).toBe(-Math.round((instant.amount_money.amount - depositFee.net_amount_money.amount) * 0.0175));
    expect(instant.payout_fee).toEqual([{ amount_money: { amount: -depositFee.net_amount_money.amount, currency: "USD" }, effective_at: "2025-06-12T18:00:00.000Z", type: "TRANSFER_FEE" }]);
    expect(depositFee["type_deposit_fee_details"]).toEqual({ payout_id: instant.id });
    expect(instant.arrival_date).toBe("2025-06-12");
  });

  it("a payout is SENT, then PAID on its arrival date; one FAILED at once, one returned after it was paid, each brought back by RETURNED_PAYOUT", async () => {
    const payouts = await allPayouts();
    const failedAtOnce = payouts.find((payout) => dayOf(payout.created_at) === "2025-06-10" && payout.destination.type === "BANK_ACCOUNT")!;
    expect(failedAtOnce).toMatchObject({ status: "FAILED", version: 1, updated_at: failedAtOnce.created_at });
    const returned = payouts.find((payout) => dayOf(payout.created_at) === "2025-06-13" && payout.destination.type === "BANK_ACCOUNT")!;
    expect(returned).toMatchObject({ status: "FAILED", version: 3, arrival_date: "2025-06-16" });

    const statusAt = async (instant: string) =>
      at(instant, async () => ((await call(`/v2/payouts/${returned.id}`)).body["payout"] as PayoutBody).status);
    expect(await statusAt("2025-06-14T12:00:00Z")).toBe("SENT");
    expect(await statusAt("2025-06-16T14:00:00Z")).toBe("PAID");
    expect(await statusAt("2025-06-18T12:00:00Z")).toBe("FAILED");
    await at("2025-06-13T20:00:00Z", async () => expect((await call(`/v2/payouts/${returned.id}`)).status).toBe(404)); // not made yet

    const entries = (await Promise.all(payouts.map((payout) => entriesOf(payout.id)))).flat();
    expect(entries.filter((entry) => entry.type === "RETURNED_PAYOUT").map((entry) => entry.net_amount_money.amount))
      .toEqual([failedAtOnce.amount_money.amount, returned.amount_money.amount]);

    const sent = await at("2025-06-14T12:00:00Z", async () => (await everyPage<PayoutBody>("/v2/payouts?status=SENT", "payouts", "ListPayoutsResponse")).items);
    expect(sent.map((payout) => payout.id)).toContain(returned.id);
    expect(sent.every((payout) => payout.status === "SENT")).toBe(true);
  });

  it("ListPayouts filters by creation time, both ends included, and lists the main location by default", async () => {
    const payouts = await allPayouts();
    const [, second, third] = payouts;
    const window = await call(`/v2/payouts?sort_order=ASC&begin_time=${second!.created_at}&end_time=${third!.created_at}`);
    expect((window.body["payouts"] as PayoutBody[]).map((payout) => payout.id)).toEqual([second!.id, third!.id]);
    expect((await call(`/v2/payouts?location_id=${PAYOUT_LOCATION}&sort_order=ASC`)).body["payouts"]).toEqual((await call("/v2/payouts?sort_order=ASC")).body["payouts"]);
    expect((await call("/v2/payouts?location_id=KIOSKLOCATION1")).body).toEqual({});
    const old = await at("2025-06-01T00:00:00Z", async () => call("/v2/payouts"));
    expect(old.body).toEqual({});
  });
});

describe("the ground truth", () => {
  /** Card clearing's share, computed from the API's payments, refunds and payout entries as of now. */
  async function truthFromTheApi() {
    const now = square.now();
    const payments = (await everyPage<Json>(`/v2/payments?location_id=${PAYOUT_LOCATION}&begin_time=2025-06-01T00:00:00Z&sort_order=ASC`, "payments", "ListPaymentsResponse")).items;
    const refunds = (await everyPage<Json>(`/v2/refunds?location_id=${PAYOUT_LOCATION}&begin_time=2025-06-01T00:00:00Z&sort_order=ASC`, "refunds", "ListPaymentRefundsResponse")).items;
    const eligible = new Set(payments.filter((payment) => {
      const brand = (payment["card_details"] as { card?: { card_brand?: string } } | undefined)?.card?.card_brand;
      return payment["status"] === "COMPLETED" && ((payment["source_type"] === "CARD" && brand !== "SQUARE_GIFT_CARD") || payment["source_type"] === "WALLET");
    }).map((payment) => String(payment["id"])));
    const sumFees = (item: Json) => ((item["processing_fee"] ?? []) as { amount_money: Money; effective_at: string }[])
      .filter((fee) => Date.parse(fee.effective_at) <= now).reduce((sum, fee) => sum + fee.amount_money.amount, 0);
    const cardNet =
      payments.filter((payment) => eligible.has(String(payment["id"])) && Date.parse(String(payment["created_at"])) <= now)
        .reduce((sum, payment) => sum + (payment["total_money"] as Money).amount - sumFees(payment), 0) +
      refunds.filter((refund) => refund["status"] === "COMPLETED" && eligible.has(String(refund["payment_id"])) && Date.parse(String(refund["created_at"])) <= now)
        .reduce((sum, refund) => sum - (refund["amount_money"] as Money).amount - sumFees(refund), 0);
    const payouts = await allPayouts();
    const entries = (await Promise.all(payouts.map((payout) => entriesOf(payout.id)))).flat();
    const net = (types: readonly string[], of = entries) => of.filter((entry) => types.includes(entry.type)).reduce((sum, entry) => sum + entry.net_amount_money.amount, 0);
    const standing = payouts.filter((payout) => payout.status !== "FAILED");
    const standingEntries = entries.filter((entry) => standing.some((payout) => payout.id === entry.payout_id));
    const unpaid = cardNet - net(["CHARGE", "REFUND", "FEE"]);
    const heldBack = 0 - net(["HOLD_ADJUSTMENT", "RELEASE_ADJUSTMENT"]);
    const returning = payouts.filter((payout) => payout.status === "FAILED").reduce((sum, payout) => sum + payout.amount_money.amount, 0) - net(["RETURNED_PAYOUT"], standingEntries);
    return {
      bank: standing.reduce((sum, payout) => sum + payout.amount_money.amount, 0),
      clearing: { unpaid, held: heldBack, returning, total: unpaid + heldBack + returning },
      accounts: {
        depositFees: 0 - net(["DEPOSIT_FEE"]), giftCardLoadFees: 0 - net(["GIFT_CARD_LOAD_FEE"]), disputes: 0 - net(["OPEN_DISPUTE", "DISPUTE"]),
        loan: 0 - net(["SQUARE_CAPITAL_PAYMENT"]), savings: 0 - net(["AUTOMATIC_SAVINGS"]),
      },
      statuses: payouts.map((payout) => [payout.id, payout.status, payout.amount_money.amount]),
    };
  }

  it.each([
    ["after the week, every payout made", "2025-06-20T16:00:00Z"],
    ["on Friday afternoon, Friday's sales not paid out yet", "2025-06-13T20:30:00Z"],
    ["on Saturday, with a hold on and the weekend's sales not paid out", "2025-06-14T16:00:00Z"],
    ["on Tuesday evening, after the bank rejected a payout", "2025-06-17T22:00:00Z"],
  ])("agrees with what the API shows %s", async (_, instant) => {
    await at(instant, async () => {
      const truth = square.payoutTruth(PAYOUT_LOCATION);
      const api = await truthFromTheApi();
      expect(truth.payouts.map((payout) => [payout.id, payout.status, payout.amount])).toEqual(api.statuses);
      expect({ bank: truth.bank, clearing: truth.clearing, accounts: truth.accounts }).toEqual({ bank: api.bank, clearing: api.clearing, accounts: api.accounts });
    });
  });

  it("has money in each account after the week", () => {
    const truth = square.payoutTruth(PAYOUT_LOCATION);
    expect(truth.bank).toBeGreaterThan(0);
    expect(truth.clearing).toMatchObject({ held: 0, returning: 0 });
    for (const amount of Object.values(truth.accounts)) expect(amount).toBeGreaterThan(0);
    const saturday = (() => {
      const shift = Date.parse("2025-06-14T16:00:00Z") - square.now();
      square.advanceTime(shift);
      try {
        return square.payoutTruth(PAYOUT_LOCATION);
      } finally {
        square.advanceTime(-shift);
      }
    })();
    expect(saturday.clearing.unpaid).toBeGreaterThan(0);
    expect(saturday.clearing.held).toBe(2000);
  });
});

describe("Square's rules for payouts", () => {
  it("needs PAYOUTS_READ: a token without it gets 403 INSUFFICIENT_SCOPES; one granted it by the consent page reads", async () => {
    const narrow = square.issueToken(PAYOUT_MERCHANT, { scopes: ["MERCHANT_PROFILE_READ", "ORDERS_READ", "PAYMENTS_READ", "ITEMS_READ"] });
    const [payout] = await allPayouts();
    for (const path of ["/v2/payouts", `/v2/payouts/${payout!.id}`, `/v2/payouts/${payout!.id}/payout-entries`]) {
      const refused = await call(path, narrow);
      expect(refused.status).toBe(403);
      expect(firstError(refused)).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "INSUFFICIENT_SCOPES" });
    }
    expect((await call("/v2/payments", narrow)).status).toBe(200);

    const consent = await fetch(`${square.url}/oauth2/authorize`, {
      method: "POST", redirect: "manual",
      body: new URLSearchParams({
        client_id: square.applicationId, scope: "MERCHANT_PROFILE_READ PAYOUTS_READ", state: "s", redirect_uri: "https://daybook.example/cb", merchant_id: PAYOUT_MERCHANT, decision: "allow",
      }),
    });
    const code = new URL(consent.headers.get("location")!).searchParams.get("code")!;
    const obtained = await fetch(`${square.url}/oauth2/token`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: square.applicationId, client_secret: square.applicationSecret, grant_type: "authorization_code", code, redirect_uri: "https://daybook.example/cb" }),
    });
    const granted = String(((await obtained.json()) as Json)["access_token"]);
    expect((await call("/v2/payouts", granted)).status).toBe(200);
  });

  it("a payout of another merchant, or none, is NOT_FOUND; another merchant's location is refused", async () => {
    const [payout] = await allPayouts();
    const otherToken = square.issueToken("MERCHANT0002");
    for (const path of [`/v2/payouts/${payout!.id}`, `/v2/payouts/${payout!.id}/payout-entries`, "/v2/payouts/po_nope/payout-entries"]) {
      const missing = await call(path, path.includes("po_nope") ? token : otherToken);
      expect(missing.status).toBe(404);
      expect(firstError(missing, "ListPayoutEntriesResponse")).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" });
    }
    const foreign = await call(`/v2/payouts?location_id=${PAYOUT_LOCATION}`, otherToken);
    expect(foreign.status).toBe(401);
    expect(firstError(foreign).code).toBe("UNAUTHORIZED");
  });

  it("bad queries get a 400 that names the field; limit above 100 is 100; a cursor works only with its own query", async () => {
    const cases: [string, string, string][] = [
      ["/v2/payouts?status=PENDING", "INVALID_ENUM_VALUE", "status"],
      ["/v2/payouts?sort_order=UP", "INVALID_ENUM_VALUE", "sort_order"],
      ["/v2/payouts?sort_field=CREATED_AT", "UNKNOWN_QUERY_PARAMETER", "sort_field"],
      ["/v2/payouts?begin_time=yesterday", "INVALID_TIME", "begin_time"],
      ["/v2/payouts?limit=0", "VALUE_TOO_LOW", "limit"],
      ["/v2/payouts?limit=ten", "EXPECTED_INTEGER", "limit"],
    ];
    for (const [path, code, field] of cases) {
      const refused = await call(path);
      expect(refused.status).toBe(400);
      expect(firstError(refused)).toMatchObject({ category: "INVALID_REQUEST_ERROR", code, field });
    }
    const [payout] = await allPayouts();
    const entriesPath = `/v2/payouts/${payout!.id}/payout-entries`;
    const unknown = await call(`${entriesPath}?status=PAID`);
    expect(firstError(unknown, "ListPayoutEntriesResponse")).toMatchObject({ code: "UNKNOWN_QUERY_PARAMETER", field: "status" });
    expect(((await call(`${entriesPath}?limit=500`)).body["payout_entries"] as unknown[]).length).toBeLessThanOrEqual(100);

    const first = await call(`${entriesPath}?limit=2`);
    const cursor = encodeURIComponent(String(first.body["cursor"]));
    expect((await call(`${entriesPath}?limit=2&cursor=${cursor}`)).status).toBe(200);
    for (const path of [`${entriesPath}?limit=3&cursor=${cursor}`, `/v2/payouts?limit=2&cursor=${cursor}`]) {
      const refused = await call(path);
      expect(refused.status).toBe(400);
      expect(firstError(refused, "ListPayoutEntriesResponse").code).toBe("INVALID_CURSOR");
    }
  });

  it("answers any query with a 200, or a 400, 401 or 404 in Square's shape, never a 500", async () => {
    const [payout] = await allPayouts();
    const query = fc.dictionary(
      fc.constantFrom("begin_time", "end_time", "sort_order", "status", "cursor", "limit", "location_id", "sort_field"),
      fc.oneof(fc.string(), fc.constantFrom("2025-06-10T00:00:00Z", "ASC", "DESC", "PAID", "FAILED", "100", "-1", PAYOUT_LOCATION, "OTHERLOCATION")),
    );
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom(payout!.id, "po_nope", "%20", "x".repeat(300)), async (params, id) => {
        const search = new URLSearchParams(params).toString();
        for (const [path, schema] of [[`/v2/payouts?${search}`, "ListPayoutsResponse"], [`/v2/payouts/${id}/payout-entries?${search}`, "ListPayoutEntriesResponse"]] as const) {
          const answer = await call(path);
          expect([200, 400, 401, 404]).toContain(answer.status);
          if (answer.status === 200) expect(squareSpecProblems(schema, answer.body)).toEqual([]);
          else firstError(answer, schema);
        }
      }),
      { numRuns: 50, seed: 18 },
    );
  });
});

describe("fault injection on the payout endpoints", () => {
  it("429 with Retry-After, 500, 401, a truncated body and a slow answer, as on every endpoint", async () => {
    const [payout] = await allPayouts();
    square.injectFaults({ endpoint: "ListPayouts", fault: { kind: "429", retryAfterSeconds: 2 }, times: 1 });
    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "500" }, times: 1 });
    square.injectFaults({ endpoint: "GetPayout", fault: { kind: "401" }, times: 1 });
    const limited = await call("/v2/payouts");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(firstError(limited)).toMatchObject({ category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" });
    const broken = await call(`/v2/payouts/${payout!.id}/payout-entries`);
    expect(broken.status).toBe(500);
    expect(firstError(broken, "ListPayoutEntriesResponse")).toMatchObject({ category: "API_ERROR" });
    const rejected = await call(`/v2/payouts/${payout!.id}`);
    expect(rejected.status).toBe(401);
    expect(firstError(rejected, "GetPayoutResponse").category).toBe("AUTHENTICATION_ERROR");

    square.injectFaults({ endpoint: "ListPayoutEntries", fault: { kind: "truncated" }, times: 1 });
    const cut = await fetch(`${square.url}/v2/payouts/${payout!.id}/payout-entries`, { headers: { Authorization: `Bearer ${token}` } });
    await expect(cut.text()).rejects.toThrow();
    square.injectFaults({ endpoint: "ListPayouts", fault: { kind: "slow", delayMs: 3_000 }, times: 1 });
    await expect(fetch(`${square.url}/v2/payouts`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await call("/v2/payouts")).status).toBe(200);
    const logged = square.requests().filter((request) => request.fault).map((request) => `${request.endpoint} ${request.fault}`);
    expect(logged).toEqual(expect.arrayContaining(["ListPayouts 429", "ListPayoutEntries 500", "GetPayout 401", "ListPayoutEntries truncated", "ListPayouts slow"]));
    square.clearFaults();
  });

  it("the simulator never answered 500 unless told to", () => {
    expect(square.requests().filter((request) => request.status >= 500 && !request.fault)).toEqual([]);
  });
});
