/**
 * What an item of each kind must look like, checked on the way in (so nothing is written that could
 * not be read back) and on the way out (so a hand-edited or corrupt item fails with a sentence, not
 * with undefined somewhere downstream). Amounts are minor units and must be safe integers. The merchant's
 * profile's schema is merchant-profile.ts's, the parts every schema uses are schema-parts.ts's: modules
 * that read only those (the sessions, the members) load none of the records' schemas here.
 */
import type { JournalEntryBody } from "../domain/journal-entry";
import { mappingSchema } from "../domain/mapping";
import type { DailySummary } from "../domain/summary";
import * as z from "zod/mini";
import type { InvitationStop } from "../members/types";
import type { Connection, LocationConfig, PendingEntry, PostedEntry, SyncFailure, SyncRecord } from "../model";
import { businessDay, currency, describing, id, minorUnits, nonEmpty, timestamp } from "./schema-parts";

// Each kind of field made once and shared (a zod schema is immutable, `.check` makes a new one): a
// process that reads these records builds each kind once, not once per field.
const text = z.string();
const optionalText = z.optional(text);
const optionalTimestamp = z.optional(timestamp);
const optionalNonEmpty = z.optional(nonEmpty);
const optionalDay = z.optional(businessDay);
const count = z.int().check(z.nonnegative());
const positiveCount = z.int().check(z.positive());
const buckets = z.record(text, minorUnits);
/** QuickBooks' reference to a record by its Id. */
const reference = z.object({ value: text });
const optionalReference = z.optional(reference);
const provider = z.enum(["square", "clover", "quickbooks"]);
const timeOfDay = z.string().check(z.regex(/^\d{2}:\d{2}$/, "must be a time of day, HH:MM"));

export const dailySummarySchema = describing<DailySummary>()(z.object({
  currency,
  sales: buckets,
  returns: buckets,
  categoryNames: z.record(text, text),
  discounts: minorUnits,
  serviceCharges: buckets,
  autoGratuities: buckets,
  tax: buckets,
  tips: minorUnits,
  giftCardSales: minorUnits,
  nonRevenue: buckets,
  payments: buckets,
  refunds: buckets,
  // Summaries stored before cash back was a figure had none.
  cashBack: z._default(minorUnits, 0),
  fees: minorUnits,
  rounding: minorUnits,
}));

export const journalEntryBodySchema = describing<JournalEntryBody>()(z.object({
  TxnDate: businessDay,
  DocNumber: text,
  PrivateNote: text,
  CurrencyRef: z.optional(z.object({ value: currency })),
  Line: z.array(z.object({
    Description: text,
    // QuickBooks' decimal amount, not minor units.
    Amount: z.number(),
    DetailType: z.literal("JournalEntryLineDetail"),
    JournalEntryLineDetail: z.object({
      PostingType: z.enum(["Debit", "Credit"]),
      AccountRef: reference,
      DepartmentRef: optionalReference,
      ClassRef: optionalReference,
    }),
  })),
}));

const connectionStatus = z.enum(["active", "needs-reconnect", "revoked"]);

export const connectionSchema = describing<Connection>()(z.object({
  merchantId: id,
  connectionId: id,
  provider,
  status: connectionStatus,
  externalId: text,
  tokenCiphertext: text,
  tokenVersion: positiveCount,
  statusReason: optionalText,
  grantedScopes: z.optional(z.array(text)),
  region: optionalNonEmpty,
  accountName: optionalText,
  refreshLeaseUntil: optionalTimestamp,
  sweepDueAt: optionalTimestamp,
  reconnectHeldAt: optionalTimestamp,
  company: z.optional(z.object({ companyName: text, homeCurrency: currency, multiCurrencyEnabled: z.boolean(), readAt: timestamp })),
  createdAt: timestamp,
  updatedAt: timestamp,
}));

/** A connection as stored: one that is not active has had its tokens removed. */
export const storedConnectionSchema = z.object({
  ...connectionSchema.def.shape,
  tokenCiphertext: optionalNonEmpty,
}).check(z.refine((item) => item.status !== "active" || item.tokenCiphertext !== undefined, {
  message: "an active connection must have a tokenCiphertext",
  path: ["tokenCiphertext"],
}));

const optionalQuickBooksTag = z.optional(z.object({ id, name: text }));
export const accountLabelsSchema = z.record(id, z.object({ name: text, number: optionalText }));

export const locationSchema = describing<LocationConfig>()(z.object({
  merchantId: id,
  locationId: id,
  source: z.enum(["square", "clover"]),
  name: text,
  posConnectionId: id,
  quickbooksConnectionId: id,
  timeZone: nonEmpty,
  dayStart: timeOfDay,
  currency,
  mapping: mappingSchema,
  accountLabels: z.optional(accountLabelsSchema),
  quickBooksTags: z.optional(z.object({ location: optionalQuickBooksTag, class: optionalQuickBooksTag })),
  awaitingStart: z.optional(z.literal(true)),
  postingFrom: optionalDay,
  earlierDaySettings: z.optional(z.array(z.object({
    timeZone: nonEmpty,
    dayStart: timeOfDay,
    until: businessDay,
  }))),
  postingStopped: z.optional(z.object({
    reason: text, since: timestamp, resumeFrom: businessDay,
    accounts: z.optional(z.array(z.object({ provider, externalId: nonEmpty }))),
    noticeHeld: z.optional(z.object({ at: timestamp, to: z.array(nonEmpty) })),
  })),
  mappingSeen: z.optional(z.array(z.string().check(z.maxLength(300)))),
  updatedAt: timestamp,
}));

const postedEntrySchema = describing<PostedEntry>()(z.object({
  revision: count,
  docNumber: text,
  entryId: text,
  txnDate: businessDay,
  requestId: text,
  summary: dailySummarySchema,
  postedAt: timestamp,
}));

const pendingEntrySchema = describing<PendingEntry>()(z.object({
  revision: count,
  docNumber: text,
  requestId: text,
  body: z.optional(journalEntryBodySchema),
  txnDate: optionalDay,
  summary: dailySummarySchema,
  startedAt: timestamp,
}));

export const syncFailureSchema = describing<SyncFailure>()(z.object({
  kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]),
  message: text,
  at: timestamp,
  intuitTid: optionalText,
  detail: optionalText,
}));

export const syncRecordSchema = describing<SyncRecord>()(z.object({
  merchantId: id,
  locationId: id,
  businessDay,
  state: z.enum(["posting", "posted", "no-sales", "held", "failed"]),
  posted: z.array(postedEntrySchema),
  pending: z.optional(pendingEntrySchema),
  lastSummary: z.optional(dailySummarySchema),
  lastReadAt: optionalTimestamp,
  vouched: z.optional(z.record(businessDay, positiveCount)),
  heldReason: optionalText,
  attempts: count,
  lastError: z.optional(syncFailureSchema),
  version: positiveCount,
  updatedAt: timestamp,
}));

export const invitationStopSchema = describing<InvitationStop>()(z.object({
  addressHash: nonEmpty,
  stoppedAt: timestamp,
}));
