/**
 * A sync record as its item, slimmed: every write of it is billed by the started KB of the whole item
 * (and a location-day's record is written five times on an ordinary night: claimed, settled, and
 * re-checked three times), and it is kept 13 months and backed up.
 * - The ids the keys already hold (merchant, location, business day) are not repeated as attributes.
 * - `lastSummary` is left out when it is exactly what the entries add up to (posted, plus the one
 *   pending), as it is after every post and every unchanged re-check; `lastSummaryFromEntries` says
 *   so, and reading adds them up again. A held or changed day keeps its own.
 * - A pending entry (the claim a post writes first, and rewrites once posted: both writes billed on the
 *   larger item) keeps its summary compressed (`summaryZ`), and no body: the claim is rebuilt from its
 *   summary (lib/sync/sync-day.ts). A claim written before that kept its body, compressed (`bodyZ`),
 *   and its summary as a map; both are still read.
 * - The entries posted, each with the summary it posted (kept 13 months with the record, and most of
 *   its bytes), are kept as their JSON, compressed with a dictionary of the words every entry and
 *   summary repeats (`postedD`: a format byte, then compressed.ts deflateText with POSTED_DICTIONARY_1):
 *   about 360 B for a posted day where Brotli made 480 (`postedZ`, as written before) and the list of
 *   maps about 700. Nothing names them in a condition or a query; every reader comes through here.
 * Records written before this are read as they are.
 */
import { addSummaries, type DailySummary, normaliseSummary, SummaryError } from "../domain/summary";
import type { SyncRecord } from "../model";
import { compressText, decompressJson, deflateText, inflateText, parsedJson, type TextDictionary } from "./compressed";
import { fromItem, type Item, toItem } from "./dynamo-items";
import { StoreError } from "./errors";
import { type ItemKey, KIND_PREFIX } from "./keys";
import { syncRecordSchema } from "./schemas";

const FROM_ENTRIES = "lastSummaryFromEntries";
const POSTED_Z = "postedZ";
const POSTED_D = "postedD";
const POSTED_FORMAT = 1;

/**
 * What the posted entries' JSON repeats from day to day: the entry's and the summary's field names in
 * the order the schema writes them, daybook's own category ids, names and tender keys, DocNumber and
 * requestid prefixes, currencies. Part of the format: never changed, only added to under a new
 * POSTED_FORMAT; the most common last, where a match is cheapest.
 */
const POSTED_DICTIONARY_1: TextDictionary = { format: POSTED_FORMAT, notOfIt: "are not kept as daybook keeps them", words: Buffer.from([
  '"CAD"', '"GBP"', '"EUR"', '"AUD"', '"NZD"', '"UNKNOWN":', '"EXTERNAL":', '"BANK_ACCOUNT":', '"SQUARE_ACCOUNT":', '"Cash":', '"Credit Card":',
  ',{"revision":1,"docNumber":"DB', '-A1","entryId":"', ',{"revision":2,"docNumber":"DB', '-A2","entryId":"',
  '"custom-amounts":"Custom amounts"', '"uncategorized":"Uncategorized"', '"uncategorized":', '"custom-amounts":',
  '[{"revision":0,"docNumber":"DB', '","entryId":"', '","txnDate":"20', '","requestId":"daybook-', '","summary":{"currency":"USD","sales":{',
  '},"returns":{', '},"categoryNames":{', '},"discounts":', ',"serviceCharges":{', '},"autoGratuities":{', '},"tax":{', '},"tips":',
  ',"giftCardSales":', ',"nonRevenue":{},"payments":{"CARD":', ',"CASH":', ',"OTHER":', ',"SQUARE_GIFT_CARD":', ',"WALLET":',
  '},"refunds":{"CARD":', '},"cashBack":0,"fees":', ',"rounding":', '},"postedAt":"20',
].join("")) };

/** The posted entries as kept: the format's number, then their JSON compressed with its dictionary. */
function postedBytes(posted: unknown): Uint8Array {
  return deflateText(JSON.stringify(posted), POSTED_DICTIONARY_1);
}

/** The posted entries' JSON text back from what postedBytes kept (lib/store/readable-item.ts opens it too). */
export function postedText(bytes: unknown, subject: string): string {
  return inflateText(bytes, POSTED_DICTIONARY_1, subject);
}

/** The record as the item to write under `key` (with `extra` attributes), checked by the schema first. */
export function syncRecordItem(record: SyncRecord, key: ItemKey, extra: Item = {}): Item {
  const item = toItem(syncRecordSchema, record, key, "the sync record", extra);
  delete item["merchantId"];
  delete item["locationId"];
  delete item["businessDay"];
  if (record.posted.length > 0) {
    item[POSTED_D] = postedBytes(item["posted"]);
    delete item["posted"];
  }
  if (record.pending) {
    const { body, summary, ...pending } = item["pending"] as Record<string, unknown>;
    item["pending"] = {
      ...pending,
      summaryZ: compressText(JSON.stringify(summary)),
      ...(body === undefined ? {} : { bodyZ: compressText(JSON.stringify(body)) }),
    };
  }
  if (record.lastSummary !== undefined) {
    const total = totalOrUndefined(record);
    if (total !== undefined && canonical(total) === canonical(normaliseSummary(record.lastSummary))) {
      delete item["lastSummary"];
      item[FROM_ENTRIES] = true;
    }
  }
  return item;
}

/** The record an item holds, in either form (slimmed, or as written before), checked by the schema. */
export function syncRecordOf(item: Item, subject: string): SyncRecord {
  const { [POSTED_Z]: postedZ, [POSTED_D]: postedD, ...plain } = item;
  const prepared: Item = { ...idsOf(item), ...plain };
  if (postedZ !== undefined || postedD !== undefined) {
    if (item["posted"] !== undefined || (postedZ !== undefined && postedD !== undefined)) throw new StoreError(`${subject} holds its posted entries twice`);
    prepared["posted"] = postedD === undefined ? decompressJson(postedZ, `the posted entries in ${subject}`) : parsedJson(postedText(postedD, `the posted entries in ${subject}`), `the posted entries in ${subject} are not JSON`);
  }
  const pending = item["pending"] as Record<string, unknown> | undefined;
  if (pending && typeof pending === "object") {
    const { bodyZ, summaryZ, ...rest } = pending;
    if (summaryZ !== undefined && rest["summary"] !== undefined) throw new StoreError(`${subject} holds its pending entry's summary twice`);
    prepared["pending"] = {
      ...rest,
      ...(bodyZ === undefined ? {} : { body: decompressJson(bodyZ, `the pending entry's body in ${subject}`) }),
      ...(summaryZ === undefined ? {} : { summary: decompressJson(summaryZ, `the pending entry's summary in ${subject}`) }),
    };
  }
  const record = fromItem(syncRecordSchema, prepared, subject);
  if (item[FROM_ENTRIES] !== true) return record;
  if (record.lastSummary !== undefined) throw new StoreError(`${subject} holds a last summary and says it is its entries' total`);
  let total: DailySummary | undefined;
  try {
    total = entriesTotal(record);
  } catch (error) {
    if (!(error instanceof SummaryError)) throw error;
    throw new StoreError(`${subject}'s entries do not add up: ${error.message}`);
  }
  if (total === undefined) throw new StoreError(`${subject} says its last summary is its entries' total, but has no entries`);
  return { ...record, lastSummary: total };
}

/** The entries' total, or undefined when they cannot be added up (then the last summary is kept as it is). */
function totalOrUndefined(record: Pick<SyncRecord, "posted" | "pending">): DailySummary | undefined {
  try {
    return entriesTotal(record);
  } catch (error) {
    if (error instanceof SummaryError) return undefined;
    throw error;
  }
}

/** What the record's entries add up to: everything posted and the one being posted. */
function entriesTotal(record: Pick<SyncRecord, "posted" | "pending">): DailySummary | undefined {
  const summaries = [...record.posted.map((entry) => entry.summary), ...(record.pending ? [record.pending.summary] : [])];
  const [first, ...rest] = summaries;
  if (first === undefined) return undefined;
  return rest.reduce(addSummaries, normaliseSummary(first));
}

/** The merchant, location and day the keys name (`MERCHANT#<merchantId>`, `SYNC#<locationId>#<businessDay>`; ids hold no "#"). */
function idsOf(item: Item): Item {
  const pk = typeof item["PK"] === "string" ? item["PK"] : "";
  const sk = typeof item["SK"] === "string" ? item["SK"] : "";
  const [locationId, businessDay, ...more] = sk.slice(KIND_PREFIX.syncRecord.length).split("#");
  if (!pk.startsWith("MERCHANT#") || !sk.startsWith(KIND_PREFIX.syncRecord) || more.length > 0) return {};
  return { merchantId: pk.slice("MERCHANT#".length), locationId, businessDay };
}

/** JSON with every object's keys sorted: equal summaries, equal text, whatever order DynamoDB gave the keys in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, each: unknown) =>
    each !== null && typeof each === "object" && !Array.isArray(each)
      ? Object.fromEntries(Object.entries(each).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : each);
}
