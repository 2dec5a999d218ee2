/**
 * Reads a location's Square payouts and their entries through the official SDK (ListPayouts,
 * ListPayoutEntries; scope PAYOUTS_READ), with the same retries, timeouts and errors as the day's
 * reader (raw-responses.ts), and hands them back typed and checked: signed integer minor units, one
 * currency per payout, net = gross − fee on every entry.
 *
 * ListPayouts filters by creation time only (begin_time, end_time) and by one status at a time, so a
 * payout that changed later (SENT → PAID, or FAILED when the bank sends it back days after) is found by
 * listing every status over a look-back window and keeping those created or updated since a time.
 * Payout ids and the payment ids of entries live only in the values returned, for the run; daybook
 * keeps a payout's summary (lib/payouts/payout-summary.ts), which holds none.
 */
import { parseIsoDate } from "../../domain/business-day";
import { payoutTag } from "../../domain/doc-number";
import type { Payout, PayoutEntry } from "../../payouts/payout";
import * as z from "zod/mini";
import { describeIssues } from "../../validation";
import { pages, squareCaller, type SquareReaderOptions } from "./client";
import { SquareDataError } from "./errors";
import type { JsonObject } from "./raw-responses";

export interface PayoutWindow {
  /** Created at or after, epoch ms. */
  startMs: number;
  /** Created before, epoch ms. */
  endMs: number;
}

export interface SquarePayoutReader {
  /** The location's payouts created in the window, every status (SENT, PAID, FAILED), oldest first, each once. */
  listPayouts(locationId: string, window: PayoutWindow): Promise<Payout[]>;
  /** Every entry of a payout, to the last page, oldest first, each once. */
  listPayoutEntries(payout: Payout): Promise<PayoutEntry[]>;
  /**
   * The location's payouts created or changed (status, version) at or after `sinceMs`: those created
   * from `sinceMs − lookbackMs` (default 30 days) until now whose created_at or updated_at is at or after
   * `sinceMs`. One listing (ListPayouts), no entries: the caller reads the entries of those it needs.
   */
  listChangedSince(locationId: string, sinceMs: number, options?: { lookbackMs?: number }): Promise<Payout[]>;
}

/** How far back a payout can still change: ACH returns come within days; 30 leaves a wide margin. */
export const DEFAULT_PAYOUT_LOOKBACK_MS = 30 * 86_400_000;
const PAGE_LIMIT = 100;

const optional = <T extends z.core.SomeType>(schema: T) => z.optional(z.nullable(schema));
const isoInstant = z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), "must be an RFC 3339 timestamp"));
// Square's guides print Money as `currency_code`; the spec (and the SDK) say `currency`. Either is read.
const moneySchema = z.object({ amount: optional(z.int()), currency: optional(z.string()), currency_code: optional(z.string()) });
const errorsSchema = optional(z.array(z.object({ category: z.string(), code: z.string(), detail: optional(z.string()) })));

const payoutSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.enum(["SENT", "PAID", "FAILED"]),
  location_id: z.string().check(z.minLength(1)),
  created_at: isoInstant,
  updated_at: optional(isoInstant),
  amount_money: moneySchema,
  destination: optional(z.object({ type: optional(z.string()) })),
  version: optional(z.int()),
  type: optional(z.enum(["BATCH", "SIMPLE"])),
  payout_fee: optional(z.array(z.object({ amount_money: optional(moneySchema), type: optional(z.string()) }))),
  arrival_date: optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD"))),
});

const entrySchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  payout_id: z.string(),
  effective_at: optional(isoInstant),
  type: optional(z.string()),
  gross_amount_money: optional(moneySchema),
  fee_amount_money: optional(moneySchema),
  net_amount_money: optional(moneySchema),
});

const listPayoutsSchema = z.object({ payouts: optional(z.array(z.unknown())), cursor: optional(z.string()), errors: errorsSchema });
const listEntriesSchema = z.object({ payout_entries: optional(z.array(z.unknown())), cursor: optional(z.string()), errors: errorsSchema });

type Money = z.infer<typeof moneySchema>;

const iso = (ms: number): string => new Date(ms).toISOString();

function parse<T>(schema: z.ZodMiniType<T>, value: unknown, subject: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SquareDataError(describeIssues(result.error, subject));
  return result.data;
}

/** A Money's amount in the payout's currency; `what` names it in the error. */
function amountOf(money: Money | null | undefined, currency: string, what: string): number | undefined {
  if (!money || money.amount == null) return undefined;
  const moneyCurrency = money.currency ?? money.currency_code;
  if (moneyCurrency != null && moneyCurrency !== currency) {
    throw new SquareDataError(`${what} is in ${moneyCurrency}, but its payout is in ${currency}; daybook posts one currency per location.`);
  }
  return money.amount;
}

/** The payment a type_*_details names, whatever the type. */
function paymentIdOf(entry: JsonObject): string | undefined {
  for (const [key, value] of Object.entries(entry)) {
    if (!key.startsWith("type_") || !key.endsWith("_details") || typeof value !== "object" || value === null) continue;
    const paymentId = (value as JsonObject)["payment_id"];
    if (typeof paymentId === "string" && paymentId !== "") return paymentId;
  }
  return undefined;
}

export function toPayout(raw: unknown): Payout {
  const body = parse(payoutSchema, raw, "A Square payout");
  const subject = `The Square payout of ${body.arrival_date ?? body.created_at} (payout ${payoutTag(body.id)})`;
  const currency = body.amount_money.currency ?? body.amount_money.currency_code;
  if (!currency) throw new SquareDataError(`${subject} has no currency.`);
  const amount = amountOf(body.amount_money, currency, `${subject}'s amount`);
  if (amount === undefined) throw new SquareDataError(`${subject} has no amount.`);
  if (body.arrival_date) {
    try {
      parseIsoDate(body.arrival_date);
    } catch {
      throw new SquareDataError(`${subject} has an arrival date that is not a calendar date: ${body.arrival_date}.`);
    }
  }
  return {
    id: body.id,
    locationId: body.location_id,
    status: body.status,
    type: body.type ?? "BATCH",
    createdAt: body.created_at,
    updatedAt: body.updated_at ?? body.created_at,
    arrivalDate: body.arrival_date ?? null,
    amount,
    currency,
    version: body.version ?? 0,
    destinationType: body.destination?.type ?? null,
    transferFees: (body.payout_fee ?? []).flatMap((fee) => {
      const feeAmount = amountOf(fee.amount_money, currency, `${subject}'s transfer fee`);
      return feeAmount === undefined ? [] : [{ type: fee.type ?? "TRANSFER_FEE", amount: feeAmount }];
    }),
  };
}

export function toPayoutEntry(raw: unknown, payout: Payout): PayoutEntry {
  const body = parse(entrySchema, raw, "A Square payout entry");
  const type = body.type ?? "UNSPECIFIED";
  const subject = `A ${type} entry of the Square payout of ${payout.arrivalDate ?? payout.createdAt} (payout ${payoutTag(payout.id)})`;
  if (body.payout_id !== payout.id) throw new SquareDataError(`${subject} names another payout.`);
  let gross = amountOf(body.gross_amount_money, payout.currency, `${subject}'s gross amount`);
  let fee = amountOf(body.fee_amount_money, payout.currency, `${subject}'s fee`);
  let net = amountOf(body.net_amount_money, payout.currency, `${subject}'s net amount`);
  // What is missing follows from the rest (net = gross − fee); a lone figure is the net.
  if (net === undefined) net = (gross ?? 0) - (fee ?? 0);
  if (gross === undefined) gross = net + (fee ?? 0);
  if (fee === undefined) fee = gross - net;
  if (net !== gross - fee) {
    throw new SquareDataError(`${subject} does not add up: gross ${gross} − fee ${fee} is not its net ${net} (minor units).`);
  }
  const paymentId = paymentIdOf(body);
  return { type, effectiveAt: body.effective_at ?? null, gross, fee, net, ...(paymentId ? { paymentId } : {}) };
}

export function createSquarePayoutReader(options: SquareReaderOptions): SquarePayoutReader {
  const square = squareCaller(options);
  const now = options.now ?? Date.now;

  async function listPayouts(locationId: string, window: PayoutWindow): Promise<Payout[]> {
    const payouts = new Map<string, Payout>();
    if (window.endMs <= window.startMs) return [];
    const request = pages(square, "ListPayouts", (cursor) => (client) =>
      client.payouts.list({
        locationId, beginTime: iso(window.startMs), endTime: iso(window.endMs - 1), sortOrder: "ASC", limit: PAGE_LIMIT,
        ...(cursor ? { cursor } : {}),
      }),
    );
    for await (const page of request) {
      for (const raw of parse(listPayoutsSchema, page, "Square's ListPayouts answer").payouts ?? []) {
        const payout = toPayout(raw);
        if (payout.locationId !== locationId) {
          throw new SquareDataError(`Square listed a payout of another location (payout ${payoutTag(payout.id)}) for location ${locationId}.`);
        }
        payouts.set(payout.id, payout);
      }
    }
    return [...payouts.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  }

  async function listPayoutEntries(payout: Payout): Promise<PayoutEntry[]> {
    if (payout.type === "SIMPLE") return [];
    const entries = new Map<string, PayoutEntry>();
    const request = pages(square, "ListPayoutEntries", (cursor) => (client) =>
      client.payouts.listEntries({ payoutId: payout.id, sortOrder: "ASC", limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) }),
    );
    for await (const page of request) {
      for (const raw of parse(listEntriesSchema, page, "Square's ListPayoutEntries answer").payout_entries ?? []) {
        const entry = toPayoutEntry(raw, payout); // checks the body, its id included
        entries.set(String((raw as JsonObject)["id"]), entry);
      }
    }
    return [...entries.values()];
  }

  async function listChangedSince(locationId: string, sinceMs: number, changeOptions: { lookbackMs?: number } = {}): Promise<Payout[]> {
    const lookbackMs = changeOptions.lookbackMs ?? DEFAULT_PAYOUT_LOOKBACK_MS;
    const listed = await listPayouts(locationId, { startMs: sinceMs - lookbackMs, endMs: now() + 1 });
    return listed.filter((payout) => Date.parse(payout.createdAt) >= sinceMs || Date.parse(payout.updatedAt) >= sinceMs);
  }

  return {
    listPayouts,
    listPayoutEntries,
    listChangedSince,
  };
}
