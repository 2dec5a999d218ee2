/**
 * A stored report read back (lib/store/reports.ts's listDay and listDays): its item and its content
 * checked by their schemas. Apart from the store's writes because only some invocations read a report
 * (an alert, a backfill's summary, the digests, the pages): a night job writes its report and reads
 * none, so the worker loads these schemas on the first read and not at start.
 */
import type { StoredReport, StoredReportContent } from "../report/report-store";
import * as z from "zod/mini";
import { describeItem, fromItem, type Item } from "./dynamo-items";
import { StoreError } from "./errors";
import { REPORT_PREFIX, reportContentText } from "./reports";
import { minorUnits } from "./schema-parts";

const storedSchema = z.object({
  SK: z.string().check(z.startsWith(REPORT_PREFIX)),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  alert: z.boolean(),
  // Written packed (report-pack.ts), or compressed whole (contentZ) where packing would change it; a
  // report written before either holds its JSON as text (content).
  content: z.optional(z.string()),
  contentZ: z.optional(z.instanceof(Uint8Array)),
  packed: z.optional(z.instanceof(Uint8Array)),
  createdAt: z.string().check(z.minLength(1)),
  // A string set, which the document client reads as a Set.
  deliveredTo: z.optional(z.set(z.string())),
  deliveredAt: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
});

const entryLine = z.looseObject({
  description: z.string(), postingType: z.enum(["Debit", "Credit"]), amount: minorUnits, accountId: z.string(),
  accountLabel: z.optional(z.string()), accountUrl: z.optional(z.string()),
});

/**
 * What the report template reads of a stored report. Loose: fields added to the report later are kept
 * as they are, and an old report read by newer code still has everything this names.
 */
const contentSchema = z.looseObject({
  merchantName: z.string(),
  locationName: z.string(),
  source: z.enum(["square", "clover"]),
  businessDay: z.string(),
  timeZone: z.string(),
  status: z.enum(["posted", "adjusted", "no-sales", "held", "failed"]),
  entry: z.optional(z.looseObject({
    docNumber: z.string(), txnDate: z.string(), currency: z.string(), lines: z.array(entryLine), total: minorUnits, quickBooksUrl: z.optional(z.string()),
  })),
  heldReason: z.optional(z.string()),
  failure: z.optional(z.looseObject({
    kind: z.enum(["retryable", "needs-reconnect", "needs-merchant", "bug"]), message: z.string(), intuitTid: z.optional(z.string()),
  })),
  postedBefore: z.optional(z.array(z.string())),
  connectionsUrl: z.string(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string(), subject: z.optional(z.string()) })),
  repeatedWarnings: z.optional(z.int().check(z.nonnegative())),
  repeatedItems: z.optional(z.array(z.string())),
  adjustment: z.optional(z.looseObject({
    originalDocNumber: z.string(),
    changes: z.array(z.looseObject({ description: z.string(), accountId: z.string(), before: minorUnits, after: minorUnits })),
    dayTotal: minorUnits,
  })),
  cause: z.optional(z.looseObject({ kind: z.enum(["pos-changes", "day-start", "mapping", "other"]), detail: z.optional(z.string()) })),
  expectedDeposit: z.optional(z.looseObject({ businessDay: z.string(), currency: z.string(), cardPayments: minorUnits, cardRefunds: minorUnits, expected: minorUnits })),
  reportUrl: z.string(),
});

function contentOf(text: string, subject: string): StoredReportContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError(`${subject} holds a report that is not JSON`);
  }
  // Loose on purpose (see contentSchema); the cast names what the template reads.
  return fromItem(contentSchema, parsed as Item, `the content of ${subject}`) as unknown as StoredReportContent;
}

/** The stored report an item of the table holds, checked. */
export function reportOf(merchantId: string, item: Item): StoredReport {
  const subject = `the stored report ${describeItem(item)}`;
  const stored = fromItem(storedSchema, item, subject);
  const [, locationId = "", businessDay = "", ...rest] = stored.SK.split("#");
  return {
    merchantId, locationId, businessDay, reportId: rest.join("#"), status: stored.status, alert: stored.alert,
    content: contentOf(reportContentText(item, subject), subject), createdAt: stored.createdAt, deliveredTo: [...(stored.deliveredTo ?? [])],
    ...(stored.deliveredAt ? { deliveredAt: stored.deliveredAt } : {}),
    ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}),
  };
}
