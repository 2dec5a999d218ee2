/**
 * POST /v3/company/{realmId}/journalentry: the rules QuickBooks applies to a new journal entry
 * (qbo.md §2.2–2.3), checked in the order a request meets them: the body's shape, field lengths and
 * amounts, balance in integer minor units, account references, A/R and A/P names, the closed period
 * and the duplicate-number preference. Every failure is the Fault QuickBooks would send.
 */
import { currencyExponent, formatDecimal } from "../../lib/domain/money";
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { isIsoDate, qboDate, qboTimestamp } from "./clock";
import { type Company, currencyRef, type PostingType, type StoredJournalEntry } from "./companies";
import { businessValidationFault, SimulatorFault, validationFault, type FaultError } from "./faults";

const ref = z.strictObject({ value: z.string(), name: z.optional(z.string()), type: z.optional(z.string()) });

const lineDetail = z.strictObject({
  PostingType: z.enum(["Debit", "Credit"]),
  AccountRef: ref,
  Entity: z.optional(z.strictObject({ Type: z.optional(z.enum(["Customer", "Vendor", "Employee"])), EntityRef: ref })),
  ClassRef: z.optional(ref),
  DepartmentRef: z.optional(ref),
  TaxCodeRef: z.optional(ref),
  TaxApplicableOn: z.optional(z.enum(["Sales", "Purchase"])),
  TaxAmount: z.optional(z.number()),
  BillableStatus: z.optional(z.enum(["Billable", "NotBillable", "HasBeenBilled"])),
});

const line = z.strictObject({
  Id: z.optional(z.string()),
  LineNum: z.optional(z.number()),
  Description: z.optional(z.string()),
  Amount: z.optional(z.number()),
  DetailType: z.enum(["JournalEntryLineDetail", "DescriptionOnly"]),
  JournalEntryLineDetail: z.optional(lineDetail),
  ProjectRef: z.optional(ref),
});

const journalEntryBody = z.strictObject({
  TxnDate: z.optional(z.string()),
  DocNumber: z.optional(z.string()),
  PrivateNote: z.optional(z.string()),
  Line: z.array(line),
  CurrencyRef: z.optional(ref),
  ExchangeRate: z.optional(z.number()),
  Adjustment: z.optional(z.boolean()),
  TxnTaxDetail: z.optional(z.record(z.string(), z.unknown())),
  domain: z.optional(z.string()),
});

type JournalEntryBody = z.infer<typeof journalEntryBody>;
type Issue = z.core.$ZodIssue;

const MAX_DOC_NUMBER = 21;
const MAX_NOTE = 4000;
const MAX_INTEGER_DIGITS = 10;

export interface CreateOptions {
  nowMs: number;
  /** The `include` query parameter, split on commas. */
  include: string[];
}

export function createJournalEntry(company: Company, input: unknown, options: CreateOptions): StoredJournalEntry {
  const body = parseBody(input);
  checkLengths(body);
  const txnDate = body.TxnDate ?? qboDate(options.nowMs);
  if (!isIsoDate(txnDate)) throw validationFault("2060", "Invalid Date Format", `Invalid date format: ${txnDate}. Use YYYY-MM-DD.`, "TxnDate");
  const currency = entryCurrency(company, body);
  const postings = checkLines(company, body, currency);
  checkNames(company, body);
  if (company.closingDate !== null && txnDate <= company.closingDate) {
    throw validationFault(
      "6210",
      "Account Period Closed, Cannot Update Through Services API",
      `The account period has closed and the books cannot be updated through the QBO Services API. The books are closed on or before ${company.closingDate}; the transaction is dated ${txnDate}.`,
    );
  }
  if (body.DocNumber && company.warnDuplicateJournalNumber && !options.include.includes("allowduplicatedocnum")) {
    const existing = company.journalEntries.find((entry) => entry.resource.DocNumber === body.DocNumber);
    if (existing) {
      throw validationFault(
        "6140",
        "Duplicate Document Number Error",
        `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${body.DocNumber} is assigned to TxnType=Journal Entry with TxnId=${existing.resource.Id}`,
        "DocNumber",
      );
    }
  }

  const id = company.nextJournalEntryId();
  const created = qboTimestamp(options.nowMs);
  const resource = {
    Adjustment: body.Adjustment ?? false,
    domain: "QBO",
    sparse: false,
    Id: id,
    SyncToken: "0",
    MetaData: { CreateTime: created, LastUpdatedTime: created },
    TxnDate: txnDate,
    CurrencyRef: currencyRef(currency),
    ...(body.ExchangeRate !== undefined ? { ExchangeRate: body.ExchangeRate } : {}),
    ...(body.PrivateNote !== undefined ? { PrivateNote: body.PrivateNote } : {}),
    ...(body.DocNumber !== undefined ? { DocNumber: body.DocNumber } : {}),
    Line: body.Line.map((entryLine, index) => lineResource(company, entryLine, index)),
    TxnTaxDetail: body.TxnTaxDetail ?? {},
  };
  const entry: StoredJournalEntry = { resource, postings };
  company.journalEntries.push(entry);
  return entry;
}

function lineResource(company: Company, entryLine: JournalEntryBody["Line"][number], index: number): Record<string, unknown> {
  const detail = entryLine.JournalEntryLineDetail;
  const account = detail ? company.accounts.get(detail.AccountRef.value) : undefined;
  return {
    Id: String(index),
    ...(entryLine.LineNum !== undefined ? { LineNum: entryLine.LineNum } : {}),
    ...(entryLine.Description !== undefined ? { Description: entryLine.Description } : {}),
    ...(entryLine.Amount !== undefined ? { Amount: entryLine.Amount } : {}),
    DetailType: entryLine.DetailType,
    ...(detail ? {
      JournalEntryLineDetail: {
        ...detail,
        AccountRef: { value: detail.AccountRef.value, name: account?.Name ?? detail.AccountRef.name },
        ...(detail.DepartmentRef ? { DepartmentRef: { value: detail.DepartmentRef.value, name: company.departments.get(detail.DepartmentRef.value)?.Name } } : {}),
        ...(detail.ClassRef ? { ClassRef: { value: detail.ClassRef.value, name: company.classes.get(detail.ClassRef.value)?.Name } } : {}),
      },
    } : {}),
  };
}

// ---- the body's shape: 2010 unknown or mistyped property, 2170 bad enumeration, 2020 missing value

function parseBody(input: unknown): JournalEntryBody {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw validationFault("2010", "Request has invalid or unsupported property", "The request body must be a JournalEntry object.");
  }
  if (!("Line" in input)) {
    throw validationFault("2020", "Required param missing, need to supply the required value for the API", "Required parameter Line is missing in the request", "Line");
  }
  const result = journalEntryBody.safeParse(input);
  if (result.success) {
    for (const [index, entryLine] of result.data.Line.entries()) {
      if (entryLine.DetailType !== "JournalEntryLineDetail") continue;
      if (!entryLine.JournalEntryLineDetail) throw missing(`Line[${index}].JournalEntryLineDetail`, "JournalEntryLineDetail");
      if (entryLine.Amount === undefined) throw missing(`Line[${index}].Amount`, "Amount");
    }
    return result.data;
  }
  const errors = result.error.issues.map((issue) => issueError(issue, input)).sort((a, b) => codeRank(a.code) - codeRank(b.code));
  throw new SimulatorFault(400, "ValidationFault", errors);
}

function missing(path: string, element: string): SimulatorFault {
  return validationFault("2020", "Required param missing, need to supply the required value for the API", `Required parameter ${path} is missing in the request`, element);
}

const RANK: Readonly<Record<string, number>> = { "2010": 0, "2170": 1, "2020": 2 };
const codeRank = (code: string) => RANK[code] ?? 3;

function issueError(issue: Issue, input: unknown): FaultError {
  const path = issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("").replace(/^\./, "");
  const element = issue.path.findLast((part) => typeof part === "string") ?? "";
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return {
      Message: "Request has invalid or unsupported property",
      Detail: `Property Name:Unrecognized field "${key}"${path ? ` in ${path}` : ""} specified is unsupported or invalid`,
      code: "2010",
      element: key,
    };
  }
  const value = valueAt(input, issue.path);
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && value === undefined) {
    return { Message: "Required param missing, need to supply the required value for the API", Detail: `Required parameter ${path} is missing in the request`, code: "2020", element };
  }
  if (issue.code === "invalid_value") {
    return { Message: "Invalid Enumeration", Detail: `Invalid Enumeration : ${typeof value === "string" ? value : JSON.stringify(value)}`, code: "2170", element };
  }
  return {
    Message: "Request has invalid or unsupported property",
    Detail: `Property Name:${path} has an invalid value (${issue.message}) and is unsupported or invalid`,
    code: "2010",
    element,
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

// ---- lengths, currency, amounts and balance

function tooLong(element: string, max: number, length: number): SimulatorFault {
  return validationFault(
    "2050",
    "String length is either shorter or longer than supported by specification",
    `String length specified does not match the supported length. Min:0 Max:${max} supported. Supplied length:${length}`,
    element,
  );
}

function checkLengths(body: JournalEntryBody): void {
  if (body.DocNumber !== undefined && body.DocNumber.length > MAX_DOC_NUMBER) throw tooLong("DocNumber", MAX_DOC_NUMBER, body.DocNumber.length);
  if (body.PrivateNote !== undefined && body.PrivateNote.length > MAX_NOTE) throw tooLong("PrivateNote", MAX_NOTE, body.PrivateNote.length);
  for (const entryLine of body.Line) {
    if (entryLine.Description !== undefined && entryLine.Description.length > MAX_NOTE) throw tooLong("Description", MAX_NOTE, entryLine.Description.length);
  }
}

function entryCurrency(company: Company, body: JournalEntryBody): string {
  const requested = body.CurrencyRef?.value;
  if (company.multiCurrencyEnabled) {
    if (requested === undefined) throw missing("CurrencyRef", "CurrencyRef");
    if (!/^[A-Z]{3}$/.test(requested)) throw validationFault("2220", "Invalid Currency Type", `Invalid currency: ${requested}`, "CurrencyRef");
    return requested;
  }
  if (requested !== undefined && requested !== company.homeCurrency) {
    throw businessValidationFault(`Multicurrency is off for this company, so the transaction must be in ${company.homeCurrency}, not ${requested}.`, "CurrencyRef");
  }
  return company.homeCurrency;
}

/**
 * An Amount as integer minor units, read from the JSON number's shortest decimal form. A float that
 * drifted (12.340000000000002) has too many decimals and is refused rather than rounded.
 */
export function amountToMinor(amount: number, currency: string): number {
  if (amount < 0) throw validationFault("2290", "NegativeAmount", `Negative amounts are not supported on transaction lines: ${amount}`, "Amount");
  const { whole, fraction } = decimalDigits(amount);
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    throw validationFault("2110", "Invalid Decimal", `Amount ${amount} has more than ${exponent} decimals, which ${currency} does not allow`, "Amount");
  }
  if (whole.replace(/^0+/, "").length > MAX_INTEGER_DIGITS) {
    throw validationFault("2240", "Invalid Number Range", `Amount ${amount} has more than ${MAX_INTEGER_DIGITS} digits before the decimal point`, "Amount");
  }
  return Number(whole + fraction.padEnd(exponent, "0"));
}

/** 1.5e-7 → { whole: "0", fraction: "00000015" }; 1.5e21 → 22 whole digits. */
function decimalDigits(amount: number): { whole: string; fraction: string } {
  const [mantissa = "", exponentText = "0"] = String(amount).split("e");
  const [integerPart = "", fractionPart = ""] = mantissa.split(".");
  let digits = integerPart + fractionPart;
  let point = integerPart.length + Number(exponentText);
  if (point < 1) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, "0");
  return { whole: digits.slice(0, point), fraction: digits.slice(point).replace(/0+$/, "") };
}

function checkLines(company: Company, body: JournalEntryBody, currency: string): StoredJournalEntry["postings"] {
  const postings: StoredJournalEntry["postings"] = [];
  for (const entryLine of body.Line) {
    const detail = entryLine.JournalEntryLineDetail;
    if (entryLine.DetailType !== "JournalEntryLineDetail" || !detail || entryLine.Amount === undefined) continue;
    postings.push({ accountId: detail.AccountRef.value, postingType: detail.PostingType, minor: amountToMinor(entryLine.Amount, currency) });
  }
  const total = (side: PostingType) => postings.filter((posting) => posting.postingType === side).reduce((sum, posting) => sum + posting.minor, 0);
  if (!postings.some((p) => p.postingType === "Debit") || !postings.some((p) => p.postingType === "Credit")) {
    throw businessValidationFault("A journal entry needs at least one debit line and one credit line.", "Line");
  }
  const debits = total("Debit");
  const credits = total("Credit");
  if (debits !== credits) {
    const shown = (minor: number) => formatDecimal(minor, currency);
    throw businessValidationFault(`Debits and credits must be equal. Debits total ${shown(debits)}, credits total ${shown(credits)} ${currency}.`, "Line");
  }
  for (const posting of postings) {
    const account = company.accounts.get(posting.accountId);
    if (!account) {
      throw validationFault("2500", "Invalid Reference Id", `Invalid Reference Id : Accounts element id ${posting.accountId} not found`, "AccountRef");
    }
    if (!account.Active) {
      throw validationFault("2500", "Invalid Reference Id", `Invalid Reference Id : Account "${account.Name}" (id ${account.Id}) is inactive`, "AccountRef");
    }
  }
  return postings;
}

/**
 * A line's Location (DepartmentRef) and Class (ClassRef) must be tracked by the company's preferences
 * (TrackDepartments; class tracking per transaction or per line, a journal entry's class being on its
 * lines either way) and name an active record of its list. Unknown ids get 2500 with the list names
 * QuickBooks' own faults use ("Depts", "Klasses"); an inactive record gets the same code with its name.
 * Which fault QuickBooks sends for a reference the preferences do not track is not documented: the
 * simulator answers a 6000 business validation error saying so [unverified].
 */
function checkTag(company: Company, ref: { value: string } | undefined, kind: "DepartmentRef" | "ClassRef"): void {
  if (!ref) return;
  const department = kind === "DepartmentRef";
  const tracked = department ? company.trackDepartments : company.classTracking !== "off";
  if (!tracked) {
    throw businessValidationFault(
      department
        ? `Location tracking is turned off for this company, so a transaction cannot name a location (DepartmentRef ${ref.value}).`
        : `Class tracking is turned off for this company, so a transaction cannot name a class (ClassRef ${ref.value}).`,
      kind,
    );
  }
  const record = (department ? company.departments : company.classes).get(ref.value);
  const list = department ? "Depts" : "Klasses";
  if (!record) throw validationFault("2500", "Invalid Reference Id", `Invalid Reference Id : ${list} element id ${ref.value} not found`, kind);
  if (!record.Active) {
    throw validationFault("2500", "Invalid Reference Id", `Invalid Reference Id : ${department ? "Location" : "Class"} "${record.Name}" (id ${record.Id}) is inactive`, kind);
  }
}

/** Locations and classes (checkTag), and the names A/R and A/P lines need. The simulator keeps no customers or vendors. */
function checkNames(company: Company, body: JournalEntryBody): void {
  for (const entryLine of body.Line) {
    const detail = entryLine.JournalEntryLineDetail;
    if (!detail) continue;
    checkTag(company, detail.DepartmentRef, "DepartmentRef");
    checkTag(company, detail.ClassRef, "ClassRef");
    const accountType = company.accounts.get(detail.AccountRef.value)?.AccountType;
    // Without name lists the simulator cannot look an EntityRef up, so an Entity without Type passes.
    const names = (type: string) => detail.Entity !== undefined && (detail.Entity.Type ?? type) === type;
    if (accountType === "Accounts Receivable" && !names("Customer")) {
      throw businessValidationFault("When you use Accounts Receivable, you must choose a customer in the Name field.");
    }
    if (accountType === "Accounts Payable" && !names("Vendor")) {
      throw businessValidationFault("When you use Accounts Payable, you must select a vendor in the Name field.");
    }
  }
}

export function journalEntryResponse(entry: StoredJournalEntry, time: string): string {
  return JSON.stringify({ JournalEntry: entry.resource, time });
}
