/**
 * A report's content as it is kept (reports.ts `packedZ`): the same JSON the report was, less what the
 * item and the content itself say already, in arrays instead of objects, then compressed. A report is
 * kept 13 months, and storage and backups bill its bytes; it is read by the day page, the emails, the
 * digests, the accountant's views and the export, all of which get back exactly the JSON that was saved.
 *
 * Left out because it follows from what is kept:
 * - the business day and the status (the item's key and `status`);
 * - the links into daybook (connections, mapping, the day, each line's account): the public URL once;
 * - the link to the entry in QuickBooks: its id, and which QuickBooks (production or sandbox);
 * - the DocNumber, when it is the day's own for a revision (lib/domain/doc-number.ts): the revision;
 * - a line's account name when it is what the report's own names give (lib/domain/account-label.ts);
 * - the entry's total (Σ debits), its txnDate when it is the business day, `repeatedWarnings` (a count
 *   of `repeatedItems`), the figures' currency (the entry's).
 * Kept as they were: everything that could have changed since (the business's and location's names,
 * the zone, the accounts' names, the lines' descriptions and accounts, warnings' words, the figures).
 *
 * packReport packs only what unpackReport gives back as the very same JSON text; anything else (a
 * field added later in an order this does not know, a link made another way) is not packed, and the
 * caller keeps the JSON whole as before (reports.ts).
 */
import { accountLabel } from "../domain/account-label";
import { deflateText, inflateText, type TextDictionary } from "./compressed";
import { docNumber } from "../domain/doc-number";
import type { StoredReportContent } from "../report/report-store";
import { accountMappingUrl, dayUrl, mappingUrl } from "../report/links";
import type { AccountLabel } from "../model";

/** What the item says already: its key's location and day, and its status. */
export interface ReportKey {
  locationId: string;
  businessDay: string;
  status: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const FORMAT = 1;
const SOURCES = ["square", "clover"];
const QUICKBOOKS_APPS = ["https://app.qbo.intuit.com", "https://app.sandbox.qbo.intuit.com"];
const JOURNAL_PATH = "/app/journal?txnId=";
const TOTALS_KEYS = ["currency", "netSales", "fees", "tax", "tips", "card", "cash", "feesReported"];

/**
 * The order the worker writes a report's fields in (lib/worker/process-job.ts reportContent), which
 * unpacking restores: the export shows the text. Those packed on their own are marked; the others are
 * kept as they are, by name.
 */
const FIELD_ORDER = [
  "merchantName", "locationName", "source", "businessDay", "timeZone", "status", "connectionsUrl", "mappingUrl", "reportUrl",
  "warnings", "repeatedWarnings", "repeatedItems", "accountLabels", "totals", "expectedDeposit", "backfillId",
  "entry", "adjustment", "cause", "heldReason", "overShort", "failure", "postedBefore",
];
const PACKED_ON_THEIR_OWN = new Set([
  "merchantName", "locationName", "source", "businessDay", "timeZone", "status", "connectionsUrl", "mappingUrl", "reportUrl",
  "warnings", "repeatedWarnings", "totals", "entry",
]);

/**
 * The words packed reports share, for the compression (compressed.ts deflateText): the packed form's
 * own punctuation, the journal lines' descriptions (lib/domain/journal-entry.ts), daybook's own
 * category and tender names and warnings, zones and currencies. Part of the format: never changed,
 * only added to under a new FORMAT (a report written with this one is read with this one); the most
 * common last, where a match is cheapest.
 */
const DICTIONARY_1: TextDictionary = { format: FORMAT, notOfIt: "is not a packed report", words: Buffer.from([
  "Europe/London", "Europe/Dublin", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "America/Toronto", "America/Vancouver",
  "America/Phoenix", "America/Denver", "America/Los_Angeles", "America/Chicago", "GBP", "EUR", "CAD", "AUD", "NZD",
  'Refunds – Unknown tender","Refunds – External","Refunds – Bank transfer","Refunds – Square account balance","Non-revenue – ',
  'Cash back paid out","Over/short (unexplained difference)","External payments","Bank transfer payments","Square account balance payments",',
  '["unknown-refund-tender","', '["late-change","', '["over-short","',
  '["unmapped-tender","Tender \\"', '\\" has no account in the mapping; it was posted to the default tender account (QuickBooks account ',
  '["unmapped-category","Category \\"', '\\" has no account in the mapping; its sales were posted to the default sales account (QuickBooks account ',
  '{"repeatedItems":["unmapped-tender:', '","unmapped-tender:', '{"repeatedItems":["unmapped-category:uncategorized","unmapped-category:custom-amounts', '","unmapped-category:',
  '"]}]', '],1,{"repeatedItems":["unmapped-category:', '],0,{}]',
  '"Other payments – ', '","Refunds – Other', '","Refunds – Gift card', '","Refunds – Digital wallet', '","Refunds – Cash","Refunds – Card',
  '"Sales – Uncategorized","Sales – Custom amounts","Returns – Uncategorized","Returns – Custom amounts",',
  '"Auto-gratuity – ', '"Service charges – ', '"Tax – Sales tax","Tax – ', '"Returns – ',
  '["Sales – ', '","Sales – ', '","Discounts & comps","Tips","Gift card sales","Card payments","Cash payments","Other payments","Gift card payments","Digital wallet payments","Processing fees","Processing fees – Card clearing","Cash rounding"],[',
  '],0,0,null,0,[0,"', '],0,0,0,0,[1,"', '],0,0,null,0,[1,"', '],0,0,null,0]', ',true],[0,0,"USD",', ',false],[0,0,"',
  '[1,"', '","America/New_York","https://', '",0,"', '",1,"', ',1,[],[0,',
].join("")) };

/** The packed text as kept: the format's number, then the text compressed with its dictionary. */
export function packedBytes(text: string): Uint8Array {
  return deflateText(text, DICTIONARY_1);
}

/** The packed text back from what packedBytes kept; a StoreError naming `subject` when it is not that. */
export function packedText(bytes: unknown, subject: string): string {
  return inflateText(bytes, DICTIONARY_1, subject);
}

/** The packed form's JSON text, or undefined when it would not give back the very same report. */
export function packReport(content: StoredReportContent, key: ReportKey): string | undefined {
  const json = JSON.stringify(content);
  let packed: Json[] | undefined;
  try {
    packed = pack(JSON.parse(json) as JsonObject, key);
  } catch {
    packed = undefined;
  }
  if (packed === undefined) return undefined;
  const text = JSON.stringify(packed);
  try {
    return JSON.stringify(unpack(JSON.parse(text) as Json[], key)) === json ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The report's JSON back from its packed text (what packReport returned). */
export function unpackReport(text: string, key: ReportKey): StoredReportContent {
  const packed = JSON.parse(text) as unknown;
  if (!Array.isArray(packed) || packed[0] !== FORMAT) throw new TypeError("not a packed report");
  return unpack(packed as Json[], key) as unknown as StoredReportContent;
}

function pack(content: JsonObject, key: ReportKey): Json[] | undefined {
  const { merchantName, locationName, source, timeZone, connectionsUrl, warnings } = content;
  if (typeof merchantName !== "string" || typeof locationName !== "string" || typeof timeZone !== "string" || typeof connectionsUrl !== "string") return undefined;
  if (!connectionsUrl.endsWith("/connections") || !Array.isArray(warnings)) return undefined;
  const publicUrl = connectionsUrl.slice(0, -"/connections".length);
  const sourceCode = typeof source === "string" ? SOURCES.indexOf(source) : -1;
  if (sourceCode < 0) return undefined;
  const rest: JsonObject = {};
  for (const [name, value] of Object.entries(content)) if (!PACKED_ON_THEIR_OWN.has(name)) rest[name] = value;
  const entry = content["entry"] === undefined ? null : packEntry(content["entry"], content, key, publicUrl);
  if (entry === undefined) return undefined;
  return [
    FORMAT, merchantName, locationName, sourceCode, timeZone, publicUrl, content["mappingUrl"] === undefined ? 0 : 1,
    warnings.map(packWarning), packTotals(content["totals"], content["entry"]), entry,
    packRepeated(content["repeatedWarnings"], rest["repeatedItems"]), rest,
  ];
}

function unpack(packed: Json[], key: ReportKey): JsonObject {
  const [, merchantName, locationName, sourceCode, timeZone, publicUrl, hasMappingUrl, warnings, totals, entry, repeated, rest] = packed as [
    number, string, string, number, string, string, number, Json[][], Json, Json[] | null, Json, JsonObject,
  ];
  const source = SOURCES[sourceCode] ?? "";
  const locationMapping = mappingUrl(publicUrl, key.locationId);
  const fields: JsonObject = {
    merchantName, locationName, source, businessDay: key.businessDay, timeZone, status: key.status,
    connectionsUrl: `${publicUrl}/connections`,
    ...(hasMappingUrl === 1 ? { mappingUrl: locationMapping } : {}),
    reportUrl: dayUrl(publicUrl, key.locationId, key.businessDay),
    warnings: warnings.map(unpackWarning),
    ...(repeated === 0 ? {} : { repeatedWarnings: Array.isArray(repeated) ? repeated[0] ?? null : (rest["repeatedItems"] as Json[]).length }),
    ...rest,
  };
  const unpackedEntry = entry === null ? undefined : unpackEntry(entry, source, rest, key, locationMapping);
  if (unpackedEntry) fields["entry"] = unpackedEntry;
  if (totals !== null) fields["totals"] = unpackTotals(totals, unpackedEntry);
  const ordered: JsonObject = {};
  for (const name of FIELD_ORDER) if (fields[name] !== undefined) ordered[name] = fields[name];
  for (const [name, value] of Object.entries(fields)) if (!(name in ordered)) ordered[name] = value;
  return ordered;
}

// How many items were reported before: 0 when not said, 1 when as many as repeatedItems names, else [the count].
function packRepeated(count: Json | undefined, items: Json | undefined): Json {
  if (count === undefined) return 0;
  return Array.isArray(items) && count === items.length ? 1 : [count];
}

// A warning: [code, message] or [code, message, subject], back as { code, subject, message }.
function packWarning(warning: Json): Json[] {
  const { code, subject, message, ...other } = warning as JsonObject;
  if (Object.keys(other).length > 0) throw new TypeError("a warning with more fields");
  return subject === undefined ? [code ?? null, message ?? null] : [code ?? null, message ?? null, subject];
}

function unpackWarning([code, message, subject]: Json[]): JsonObject {
  return subject === undefined ? { code: code ?? null, message: message ?? null } : { code: code ?? null, subject, message: message ?? null };
}

// The day's figures: their values in TOTALS_KEYS's order, the currency 0 when it is the entry's.
function packTotals(totals: Json | undefined, entry: Json | undefined): Json {
  if (totals === undefined) return null;
  const object = totals as JsonObject;
  if (Object.keys(object).join() !== TOTALS_KEYS.join()) return object;
  const sameCurrency = entry !== undefined && object["currency"] === (entry as JsonObject)["currency"];
  return TOTALS_KEYS.map((name) => (name === "currency" && sameCurrency ? 0 : object[name] ?? null));
}

function unpackTotals(totals: Json, entry: JsonObject | undefined): Json {
  if (!Array.isArray(totals)) return totals;
  return Object.fromEntries(TOTALS_KEYS.map((name, index) => [name, name === "currency" && totals[index] === 0 ? entry?.["currency"] ?? null : totals[index] ?? null]));
}

/**
 * An entry: [docNumber or its revision, txnDate or 0, currency, descriptions, amounts (debits +,
 * credits −), accounts, names (0: each what the report's names give), links (0: each the mapping
 * page's), total or null (Σ debits), cashBack or null, [QuickBooks app, entry id] or null].
 */
function packEntry(entryJson: Json, content: JsonObject, key: ReportKey, publicUrl: string): Json[] | undefined {
  const { docNumber: number, txnDate, currency, lines, total, cashBack, quickBooksUrl, ...other } = entryJson as JsonObject;
  if (Object.keys(other).length > 0 || !Array.isArray(lines) || typeof number !== "string") return undefined;
  const labels = content["accountLabels"] as Record<string, AccountLabel> | undefined;
  const locationMapping = mappingUrl(publicUrl, key.locationId);
  const descriptions: Json[] = [];
  const amounts: Json[] = [];
  const accounts: Json[] = [];
  const names: Json[] = [];
  const links: Json[] = [];
  let debits = 0;
  for (const line of lines as JsonObject[]) {
    const { description, postingType, amount, accountId, accountLabel: name, accountUrl, ...more } = line;
    if (Object.keys(more).length > 0 || typeof amount !== "number" || amount <= 0 || typeof accountId !== "string") return undefined;
    if (postingType !== "Debit" && postingType !== "Credit") return undefined;
    descriptions.push(description ?? null);
    amounts.push(postingType === "Debit" ? amount : -amount);
    if (postingType === "Debit") debits += amount;
    accounts.push(/^[1-9]\d{0,14}$/.test(accountId) ? Number(accountId) : accountId);
    names.push(name === undefined ? false : name === accountLabel(accountId, labels) ? null : name);
    links.push(accountUrl === undefined ? false : accountUrl === accountMappingUrl(locationMapping, accountId) ? null : accountUrl);
  }
  return [
    revisionOf(number, content, key) ?? number, txnDate === key.businessDay ? 0 : txnDate ?? null, currency ?? null,
    descriptions, amounts, accounts, names.every((name) => name === null) ? 0 : names, links.every((link) => link === null) ? 0 : links,
    total === debits ? null : total ?? false, cashBack === undefined ? null : cashBack, packQuickBooksUrl(quickBooksUrl),
  ];
}

function unpackEntry(packed: Json[], source: string, rest: JsonObject, key: ReportKey, locationMapping: string): JsonObject {
  const [number, txnDate, currency, descriptions, amounts, accounts, names, links, total, cashBack, quickBooks] = packed as [
    string | number, string | 0, string, Json[], number[], (string | number)[], Json[] | 0, Json[] | 0, number | null | false, number | null, Json[] | string | null,
  ];
  const labels = rest["accountLabels"] as Record<string, AccountLabel> | undefined;
  let debits = 0;
  const lines = descriptions.map((description, index) => {
    const signed = amounts[index] ?? 0;
    const accountId = String(accounts[index]);
    if (signed > 0) debits += signed;
    const name = names === 0 ? null : names[index];
    const link = links === 0 ? null : links[index];
    return {
      description, postingType: signed > 0 ? "Debit" : "Credit", amount: Math.abs(signed), accountId,
      ...(name === false ? {} : { accountLabel: name ?? accountLabel(accountId, labels) }),
      ...(link === false ? {} : { accountUrl: link ?? accountMappingUrl(locationMapping, accountId) }),
    };
  });
  return {
    docNumber: typeof number === "number" ? docNumber(source, key.locationId, key.businessDay, number) : number,
    txnDate: txnDate === 0 ? key.businessDay : txnDate,
    currency, lines,
    ...(total === false ? {} : { total: total ?? debits }),
    ...(cashBack === null ? {} : { cashBack }),
    ...(quickBooks === null ? {} : { quickBooksUrl: unpackQuickBooksUrl(quickBooks) }),
  };
}

function revisionOf(number: string, content: JsonObject, key: ReportKey): number | undefined {
  const match = /-A(\d+)$/.exec(number);
  const revision = match ? Number(match[1]) : 0;
  try {
    const source = content["source"];
    return typeof source === "string" && docNumber(source, key.locationId, key.businessDay, revision) === number ? revision : undefined;
  } catch {
    return undefined;
  }
}

function packQuickBooksUrl(url: Json | undefined): Json {
  if (url === undefined) return null;
  if (typeof url !== "string") return url;
  const at = url.indexOf(JOURNAL_PATH);
  const app = QUICKBOOKS_APPS.indexOf(url.slice(0, at));
  const id = url.slice(at + JOURNAL_PATH.length);
  if (at < 0 || app < 0 || encodeURIComponent(decodeURIComponent(id)) !== id) return [url];
  return [app, decodeURIComponent(id)];
}

function unpackQuickBooksUrl(packed: Json[] | string): string {
  const [app, id] = packed as [number | string, string | undefined];
  if (typeof app === "string") return app;
  return `${QUICKBOOKS_APPS[app] ?? ""}${JOURNAL_PATH}${encodeURIComponent(id ?? "")}`;
}
