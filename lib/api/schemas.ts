/**
 * The read-only API's shapes, as zod schemas: the routes validate their input with them and check
 * every answer against them before it is sent, and the OpenAPI document (openapi.ts) is generated
 * from the same schemas, so the document cannot drift from what the API does.
 *
 * Money is integer minor units (cents) with its ISO 4217 currency beside it, as everywhere in daybook;
 * dates are YYYY-MM-DD business days in the location's time zone; instants are ISO 8601 UTC.
 */
import { parseIsoDate } from "../domain/business-day";
import * as z from "zod/mini";
import { daybookIdField, posLocationIdField } from "../ids";

/** Each schema that is a component of the document, by name, with what it means. */
export const COMPONENTS: { name: string; schema: z.ZodMiniType; description: string }[] = [];

function component<S extends z.ZodMiniType>(name: string, description: string, schema: S): S {
  COMPONENTS.push({ name, schema, description });
  return schema;
}

const isCalendarDate = (value: string): boolean => {
  try {
    parseIsoDate(value);
    return true;
  } catch {
    return false;
  }
};

const date = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD"), z.refine(isCalendarDate, "must be a date on the calendar"));
const instant = z.string().check(z.minLength(1));
const minorUnits = z.int();
const currency = z.string().check(z.regex(/^[A-Z]{3}$/));

export const errorSchema = component("Error", "What went wrong: a stable code a program can test, and a sentence a person can read.", z.object({
  error: z.object({
    code: z.enum(["unauthorized", "not_found", "bad_request", "rate_limited", "method_not_allowed", "too_large", "internal"]),
    message: z.string(),
  }),
}));

export const businessSchema = component("Business", "A business whose books the key's creator can see: their own, or one that invited them as its accountant.", z.object({
  id: z.string(),
  name: z.string(),
  /** The key's creator's role in it. */
  role: z.enum(["owner", "accountant"]),
}));

export const businessListSchema = component("BusinessList", "Every business the key's creator can see now.", z.object({
  businesses: z.array(businessSchema),
}));

/**
 * A day posted whose later check for changes (its re-check) failed keeps the status "failed", as it always
 * had in this API, so a tool that watches for failures still sees it; recheckFailed says it is posted all
 * the same (lib/report/day-status.ts, the rule every page and email uses).
 */
const RECHECK_FAILED_MEANING = "true when the status is failed but the day is posted all the same: its journal entries stand in QuickBooks, "
  + "and what failed is daybook's check for changes made in the POS after it was posted, so only such a change is not in QuickBooks yet. "
  + "false otherwise.";

const dayStatus = z.enum(["posting", "posted", "no-sales", "held", "failed"]).check(z.describe(
  "posting: being posted now; posted: its entries are in QuickBooks; no-sales: nothing to post; held: waiting (heldReason says why); "
  + "failed: daybook's latest run of the day failed (failure says why). A failed day is not in QuickBooks unless recheckFailed is true.",
));

export const lastDaySchema = component("LastDay", "A location's latest business day that daybook finished.", z.object({
  businessDay: date,
  status: dayStatus,
  recheckFailed: z.boolean().check(z.describe(RECHECK_FAILED_MEANING)),
}));

export const locationSchema = component("Location", "A point-of-sale location whose days daybook posts to QuickBooks.", z.object({
  id: z.string(),
  businessId: z.string(),
  name: z.string(),
  source: z.enum(["square", "clover"]),
  timeZone: z.string(),
  /** HH:MM, local: when its business day starts. */
  dayStart: z.string(),
  currency,
  lastDay: z.nullable(lastDaySchema),
}));

export const locationListSchema = component("LocationList", "The business's locations.", z.object({
  locations: z.array(locationSchema),
}));

export const figuresSchema = component("Figures", "A day's headline figures (or, for an adjustment, the change), integer minor units.", z.object({
  currency,
  grossSales: minorUnits,
  returns: minorUnits,
  discounts: minorUnits,
  /** grossSales − returns − discounts. */
  netSales: minorUnits,
  tax: minorUnits,
  tips: minorUnits,
  serviceCharges: minorUnits,
  giftCardSales: minorUnits,
  /** Processing fees. */
  fees: minorUnits,
}));

export const accountSchema = component("Account", "A QuickBooks account, as its chart names it when daybook last read it.", z.object({
  /** QuickBooks' account Id. */
  id: z.string(),
  /** The account number, where the company numbers its accounts. */
  number: z.nullable(z.string()),
  name: z.nullable(z.string()),
  /** As daybook shows it: "4010 Sales – Food", or "QuickBooks account 79" when it has no name for it. */
  label: z.string(),
}));

export const lineSchema = component("Line", "One line of a journal entry daybook posted.", z.object({
  description: z.string(),
  postingType: z.enum(["Debit", "Credit"]),
  /** Positive, integer minor units. */
  amount: minorUnits,
  account: accountSchema,
}));

export const entrySchema = component("Entry", "A journal entry daybook posted for the day: the original (revision 0) or an adjusting entry for a later change.", z.object({
  docNumber: z.string(),
  revision: z.int(),
  kind: z.enum(["original", "adjustment"]),
  txnDate: date,
  postedAt: instant,
  /** The JournalEntry's Id in QuickBooks. */
  quickBooksEntryId: z.string(),
  /** What the entry carried: the whole day for the original, the change for an adjustment. */
  figures: figuresSchema,
  /** The entry's lines as posted; null where daybook kept no report of it (an entry posted by `daybook sync`). */
  lines: z.nullable(z.array(lineSchema)),
}));

export const daySchema = component("Day", "One business day of a location.", z.object({
  businessDay: date,
  status: dayStatus,
  recheckFailed: z.boolean().check(z.describe(RECHECK_FAILED_MEANING)),
  /** The day as the POS last reported it; null when daybook has no figures for it. */
  figures: z.nullable(figuresSchema),
  /** Oldest first: the original entry, then each adjustment. */
  entries: z.array(entrySchema),
  heldReason: z.nullable(z.string()),
  failure: z.nullable(z.object({ kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]), message: z.string() })),
}));

export const dayListSchema = component("DayList", "A location's days in a date range that daybook has a record of, oldest first.", z.object({
  businessId: z.string(),
  locationId: z.string(),
  from: date,
  to: date,
  days: z.array(daySchema),
}));

export const payoutSchema = component("Payout", "A Square payout of the location: money moved from Square to the bank.", z.object({
  /** daybook's id of the payout (a hash of Square's). */
  id: z.string(),
  status: z.enum(["SENT", "PAID", "FAILED"]),
  arrivalDate: date,
  /** Signed integer minor units: positive is a deposit. */
  amount: minorUnits,
  currency,
  transferFees: minorUnits,
  /** The business days whose card sales it pays out, with their net, integer minor units. */
  days: z.record(z.string(), minorUnits),
}));

export const payoutListSchema = component("PayoutList", "The location's payouts arriving in the date range, oldest first.", z.object({
  payouts: z.array(payoutSchema),
}));

export const reportSchema = component("Report", "A sync report daybook sent about one location-day (the email's facts; reports are kept for the life of the account).", z.object({
  id: z.string(),
  businessDay: date,
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  recheckFailed: z.boolean().check(z.describe(RECHECK_FAILED_MEANING.replace("the status is failed", "the report is of a failed run"))),
  createdAt: instant,
  docNumber: z.nullable(z.string()),
  heldReason: z.nullable(z.string()),
  failure: z.nullable(z.object({ kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]), message: z.string() })),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  /** The report on the web, for a signed-in person. */
  url: z.string(),
}));

export const reportListSchema = component("ReportList", "The location's reports for days in the range, oldest first.", z.object({
  reports: z.array(reportSchema),
}));

export const openApiDocumentSchema = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The longest range one request may ask for. */
export const MAX_RANGE_DAYS = 92;

export const businessParams = z.object({ businessId: daybookIdField() });
export const locationParams = z.object({ businessId: daybookIdField(), locationId: posLocationIdField() });

export const rangeQuery = z.object({
  from: date,
  to: date,
}).check(
  z.refine((range) => range.from <= range.to, { message: "must be the same as from or after it", path: ["to"] }),
  z.refine((range) => Date.parse(range.to) - Date.parse(range.from) < MAX_RANGE_DAYS * 86_400_000, {
    message: `must be at most ${String(MAX_RANGE_DAYS)} days after from (ask for a longer range in parts)`, path: ["to"],
  }),
);

export type ApiBusiness = z.output<typeof businessSchema>;
export type ApiLocation = z.output<typeof locationSchema>;
export type ApiDay = z.output<typeof daySchema>;
export type ApiEntry = z.output<typeof entrySchema>;
export type ApiFigures = z.output<typeof figuresSchema>;
export type ApiLine = z.output<typeof lineSchema>;
export type ApiPayout = z.output<typeof payoutSchema>;
export type ApiReport = z.output<typeof reportSchema>;
export type ApiErrorCode = z.output<typeof errorSchema>["error"]["code"];
