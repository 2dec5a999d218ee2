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
import type { Connection, LocationConfig, PendingEntry, PostedEntry, SyncFailure, SyncRecord } from "../model";
import { businessDay, currency, describing, id, minorUnits, timestamp } from "./schema-parts";

const buckets = z.record(z.string(), minorUnits);

export const dailySummarySchema = describing<DailySummary>()(z.object({
  currency,
  sales: buckets,
  returns: buckets,
  categoryNames: z.record(z.string(), z.string()),
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
  DocNumber: z.string(),
  PrivateNote: z.string(),
  CurrencyRef: z.optional(z.object({ value: currency })),
  Line: z.array(z.object({
    Description: z.string(),
    // QuickBooks' decimal amount, not minor units.
    Amount: z.number(),
    DetailType: z.literal("JournalEntryLineDetail"),
    JournalEntryLineDetail: z.object({
      PostingType: z.enum(["Debit", "Credit"]),
      AccountRef: z.object({ value: z.string() }),
      DepartmentRef: z.optional(z.object({ value: z.string() })),
      ClassRef: z.optional(z.object({ value: z.string() })),
    }),
  })),
}));

const provider = z.enum(["square", "clover", "quickbooks"]);
const connectionStatus = z.enum(["active", "needs-reconnect", "revoked"]);

export const connectionSchema = describing<Connection>()(z.object({
  merchantId: id,
  connectionId: id,
  provider,
  status: connectionStatus,
  externalId: z.string(),
  tokenCiphertext: z.string(),
  tokenVersion: z.int().check(z.positive()),
  statusReason: z.optional(z.string()),
  grantedScopes: z.optional(z.array(z.string())),
  region: z.optional(z.string().check(z.minLength(1))),
  accountName: z.optional(z.string()),
  refreshLeaseUntil: z.optional(timestamp),
  sweepDueAt: z.optional(timestamp),
  reconnectHeldAt: z.optional(timestamp),
  company: z.optional(z.object({ companyName: z.string(), homeCurrency: currency, multiCurrencyEnabled: z.boolean(), readAt: timestamp })),
  createdAt: timestamp,
  updatedAt: timestamp,
}));

/** A connection as stored: one that is not active has had its tokens removed. */
export const storedConnectionSchema = z.object({
  ...connectionSchema.def.shape,
  tokenCiphertext: z.optional(z.string().check(z.minLength(1))),
}).check(z.refine((item) => item.status !== "active" || item.tokenCiphertext !== undefined, {
  message: "an active connection must have a tokenCiphertext",
  path: ["tokenCiphertext"],
}));

const quickBooksTag = z.object({ id, name: z.string() });
export const accountLabelsSchema = z.record(id, z.object({ name: z.string(), number: z.optional(z.string()) }));

export const locationSchema = describing<LocationConfig>()(z.object({
  merchantId: id,
  locationId: id,
  source: z.enum(["square", "clover"]),
  name: z.string(),
  posConnectionId: id,
  quickbooksConnectionId: id,
  timeZone: z.string().check(z.minLength(1)),
  dayStart: z.string().check(z.regex(/^\d{2}:\d{2}$/, "must be a time of day, HH:MM")),
  currency,
  mapping: mappingSchema,
  accountLabels: z.optional(accountLabelsSchema),
  quickBooksTags: z.optional(z.object({ location: z.optional(quickBooksTag), class: z.optional(quickBooksTag) })),
  awaitingStart: z.optional(z.literal(true)),
  postingFrom: z.optional(businessDay),
  earlierDaySettings: z.optional(z.array(z.object({
    timeZone: z.string().check(z.minLength(1)),
    dayStart: z.string().check(z.regex(/^\d{2}:\d{2}$/, "must be a time of day, HH:MM")),
    until: businessDay,
  }))),
  postingStopped: z.optional(z.object({
    reason: z.string(), since: timestamp, resumeFrom: businessDay,
    accounts: z.optional(z.array(z.object({ provider: z.enum(["square", "clover", "quickbooks"]), externalId: z.string().check(z.minLength(1)) }))),
    noticeHeld: z.optional(z.object({ at: timestamp, to: z.array(z.string().check(z.minLength(1))) })),
  })),
  mappingSeen: z.optional(z.array(z.string().check(z.maxLength(300)))),
  updatedAt: timestamp,
}));

const postedEntrySchema = describing<PostedEntry>()(z.object({
  revision: z.int().check(z.nonnegative()),
  docNumber: z.string(),
  entryId: z.string(),
  txnDate: businessDay,
  requestId: z.string(),
  summary: dailySummarySchema,
  postedAt: timestamp,
}));

const pendingEntrySchema = describing<PendingEntry>()(z.object({
  revision: z.int().check(z.nonnegative()),
  docNumber: z.string(),
  requestId: z.string(),
  body: journalEntryBodySchema,
  summary: dailySummarySchema,
  startedAt: timestamp,
}));

export const syncFailureSchema = describing<SyncFailure>()(z.object({
  kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]),
  message: z.string(),
  at: timestamp,
  intuitTid: z.optional(z.string()),
  detail: z.optional(z.string()),
}));

export const syncRecordSchema = describing<SyncRecord>()(z.object({
  merchantId: id,
  locationId: id,
  businessDay,
  state: z.enum(["posting", "posted", "no-sales", "held", "failed"]),
  posted: z.array(postedEntrySchema),
  pending: z.optional(pendingEntrySchema),
  lastSummary: z.optional(dailySummarySchema),
  lastReadAt: z.optional(timestamp),
  heldReason: z.optional(z.string()),
  attempts: z.int().check(z.nonnegative()),
  lastError: z.optional(syncFailureSchema),
  version: z.int().check(z.positive()),
  updatedAt: timestamp,
}));
