/**
 * QuickBooks companies (realms) the simulator holds: settings, chart of accounts, the Locations
 * (Department) and Class lists, the journal entries posted to it and the responses remembered per
 * requestid. Also the JSON resources QuickBooks returns for accounts, departments, classes, CompanyInfo
 * and Preferences.
 */
import { isCurrencyCode } from "../../lib/domain/money";
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { isIsoDate, qboTimestamp } from "./clock";

export type Classification = "Asset" | "Equity" | "Expense" | "Liability" | "Revenue";

/** An account as a test declares it, in QuickBooks' field names. */
export interface SimulatorAccount {
  Id: string;
  Name: string;
  AccountType: string;
  AccountSubType?: string;
  /** The account's number, for companies that number their accounts (Preferences' UseAccountNumbers). */
  AcctNum?: string;
  /** Derived from AccountType when left out, as QuickBooks does (it is read-only there). */
  Classification?: Classification;
  Active: boolean;
}

/** A Location (the API's Department) or a Class, as a test declares it. Sub-locations and sub-classes are not simulated. */
export interface SimulatorTag {
  Id: string;
  Name: string;
  Active: boolean;
}

/**
 * How the company assigns classes (Account and Settings → Advanced → Categories): off, one class per
 * transaction (Preferences' ClassTrackingPerTxn) or one per line (ClassTrackingPerTxnLine). A journal
 * entry carries its class on its lines either way.
 */
export type ClassTracking = "off" | "per-transaction" | "per-line";

export interface CompanyOptions {
  realmId: string;
  companyName: string;
  /** ISO 4217, default USD. */
  homeCurrency?: string;
  multiCurrencyEnabled?: boolean;
  /** Books closed on or before this date (YYYY-MM-DD): entries dated then get fault 6210. */
  closingDate?: string;
  /** Lapsed or cancelled subscription: every write gets fault 6190. */
  subscriptionLapsed?: boolean;
  /** The company preference that makes a duplicate journal DocNumber fault 6140. */
  warnDuplicateJournalNumber?: boolean;
  /** Replaces the default chart of accounts. */
  accounts?: SimulatorAccount[];
  /** Preferences' TrackDepartments: the company tags transactions with Locations. Default off. */
  trackDepartments?: boolean;
  /** Default "off". */
  classTracking?: ClassTracking;
  /** The company's Locations (Departments) and Classes; none by default. */
  departments?: readonly SimulatorTag[];
  classes?: readonly SimulatorTag[];
}

export const CLASSIFICATION_BY_TYPE: Readonly<Record<string, Classification>> = {
  Bank: "Asset",
  "Other Current Asset": "Asset",
  "Fixed Asset": "Asset",
  "Other Asset": "Asset",
  "Accounts Receivable": "Asset",
  Equity: "Equity",
  Expense: "Expense",
  "Other Expense": "Expense",
  "Cost of Goods Sold": "Expense",
  "Accounts Payable": "Liability",
  "Credit Card": "Liability",
  "Long Term Liability": "Liability",
  "Other Current Liability": "Liability",
  Income: "Revenue",
  "Other Income": "Revenue",
};

/** Ids of the default chart of accounts, for tests. */
export const DEFAULT_ACCOUNT_IDS = {
  checking: "35",
  undepositedFunds: "4",
  accountsReceivable: "84",
  accountsPayable: "33",
  cardClearing: "151",
  sales: "79",
  discounts: "80",
  salesTax: "160",
  tips: "161",
  giftCards: "162",
  bankCharges: "8",
  overShort: "90",
  /** An income account made inactive ("deleted" in the QuickBooks UI). */
  inactiveSales: "99",
} as const;

const ids = DEFAULT_ACCOUNT_IDS;

export const DEFAULT_ACCOUNTS: readonly SimulatorAccount[] = [
  { Id: ids.checking, Name: "Checking", AccountType: "Bank", AccountSubType: "Checking", Active: true },
  { Id: ids.undepositedFunds, Name: "Undeposited Funds", AccountType: "Other Current Asset", AccountSubType: "UndepositedFunds", Active: true },
  { Id: ids.cardClearing, Name: "Card Clearing", AccountType: "Other Current Asset", AccountSubType: "OtherCurrentAssets", Active: true },
  { Id: ids.accountsReceivable, Name: "Accounts Receivable (A/R)", AccountType: "Accounts Receivable", AccountSubType: "AccountsReceivable", Active: true },
  { Id: ids.accountsPayable, Name: "Accounts Payable (A/P)", AccountType: "Accounts Payable", AccountSubType: "AccountsPayable", Active: true },
  { Id: ids.sales, Name: "Sales of Product Income", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true },
  { Id: ids.discounts, Name: "Discounts Given", AccountType: "Income", AccountSubType: "DiscountsRefundsGiven", Active: true },
  { Id: ids.inactiveSales, Name: "Old Sales", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: false },
  { Id: ids.salesTax, Name: "Sales Tax Collected (POS)", AccountType: "Other Current Liability", AccountSubType: "SalesTaxPayable", Active: true },
  { Id: ids.tips, Name: "Tips Payable", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
  { Id: ids.giftCards, Name: "Gift Cards Outstanding", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
  { Id: ids.bankCharges, Name: "Bank Charges", AccountType: "Expense", AccountSubType: "BankCharges", Active: true },
  { Id: ids.overShort, Name: "Over/Short", AccountType: "Expense", AccountSubType: "OtherMiscellaneousServiceCost", Active: true },
];

const CURRENCY_NAMES: Readonly<Record<string, string>> = {
  USD: "United States Dollar",
  CAD: "Canadian Dollar",
  GBP: "British Pound Sterling",
  EUR: "Euro",
  AUD: "Australian Dollar",
  JPY: "Japanese Yen",
};

export function currencyRef(code: string): { value: string; name: string } {
  return { value: code, name: CURRENCY_NAMES[code] ?? code };
}

export interface AccountRecord {
  Id: string;
  Name: string;
  AccountType: string;
  AccountSubType?: string;
  AcctNum?: string;
  Classification: Classification;
  Active: boolean;
}

export type TagRecord = SimulatorTag;

export type PostingType = "Debit" | "Credit";

/** A posted journal entry: the resource QuickBooks returns, and its lines in integer minor units. */
export interface StoredJournalEntry {
  resource: Record<string, unknown> & { Id: string; DocNumber?: string; TxnDate: string };
  postings: { accountId: string; postingType: PostingType; minor: number }[];
}

/** The first successful response to a requestid, replayed byte for byte (always a 200). */
export interface RememberedReply {
  body: string;
}

const tagStateSchema = z.array(z.object({ Id: z.string(), Name: z.string(), Active: z.boolean() }));

/** A company's books, as saved between runs of the local stack: its chart of accounts, lists, entries and remembered replies. */
export const ledgerStateSchema = z.object({
  accounts: z.array(z.object({
    Id: z.string(), Name: z.string(), AccountType: z.string(), AccountSubType: z.optional(z.string()), AcctNum: z.optional(z.string()),
    Classification: z.enum(["Asset", "Equity", "Expense", "Liability", "Revenue"]), Active: z.boolean(),
  })),
  // Saved before the simulator kept these lists: the company's own lists stay.
  departments: z.optional(tagStateSchema),
  classes: z.optional(tagStateSchema),
  journalEntries: z.array(z.object({
    resource: z.looseObject({ Id: z.string(), DocNumber: z.optional(z.string()), TxnDate: z.string() }),
    postings: z.array(z.object({ accountId: z.string(), postingType: z.enum(["Debit", "Credit"]), minor: z.int() })),
  })),
  replies: z.array(z.object({ requestId: z.string(), body: z.string() })),
  lastJournalEntryId: z.int().check(z.nonnegative()),
});
export type LedgerState = z.infer<typeof ledgerStateSchema>;

export class Company {
  readonly realmId: string;
  readonly companyName: string;
  readonly homeCurrency: string;
  /** Once on, multicurrency cannot be switched off (QuickBooks' own rule). */
  multiCurrencyEnabled: boolean;
  closingDate: string | null;
  subscriptionLapsed: boolean;
  warnDuplicateJournalNumber: boolean;
  trackDepartments: boolean;
  classTracking: ClassTracking;
  readonly accounts = new Map<string, AccountRecord>();
  readonly departments = new Map<string, TagRecord>();
  readonly classes = new Map<string, TagRecord>();
  readonly journalEntries: StoredJournalEntry[] = [];
  readonly replies = new Map<string, RememberedReply>();
  #lastJournalEntryId = 0;

  constructor(
    options: CompanyOptions,
    readonly createdAt: number,
  ) {
    if (!options.realmId.trim()) throw new Error("addCompany needs a realmId");
    const homeCurrency = options.homeCurrency ?? "USD";
    if (!isCurrencyCode(homeCurrency)) throw new Error(`homeCurrency "${homeCurrency}" is not an ISO 4217 code`);
    this.realmId = options.realmId;
    this.companyName = options.companyName;
    this.homeCurrency = homeCurrency;
    this.multiCurrencyEnabled = options.multiCurrencyEnabled ?? false;
    this.closingDate = checkClosingDate(options.closingDate ?? null);
    this.subscriptionLapsed = options.subscriptionLapsed ?? false;
    this.warnDuplicateJournalNumber = options.warnDuplicateJournalNumber ?? false;
    this.trackDepartments = options.trackDepartments ?? false;
    this.classTracking = options.classTracking ?? "off";
    for (const account of options.accounts ?? DEFAULT_ACCOUNTS) {
      if (this.accounts.has(account.Id)) throw new Error(`Account id ${account.Id} appears twice`);
      this.accounts.set(account.Id, toRecord(account));
    }
    for (const [list, tags, what] of [[this.departments, options.departments, "Department"], [this.classes, options.classes, "Class"]] as const) {
      for (const tag of tags ?? []) {
        if (list.has(tag.Id)) throw new Error(`${what} id ${tag.Id} appears twice`);
        list.set(tag.Id, { ...tag });
      }
    }
  }

  exportLedger(): LedgerState {
    return {
      accounts: [...this.accounts.values()].map((account) => ({ ...account })),
      departments: [...this.departments.values()].map((tag) => ({ ...tag })),
      classes: [...this.classes.values()].map((tag) => ({ ...tag })),
      journalEntries: structuredClone(this.journalEntries),
      replies: [...this.replies].map(([requestId, reply]) => ({ requestId, body: reply.body })),
      lastJournalEntryId: this.#lastJournalEntryId,
    };
  }

  /** Replaces the chart of accounts, entries and remembered replies with saved ones. */
  importLedger(saved: unknown): void {
    const ledger = ledgerStateSchema.parse(saved);
    this.accounts.clear();
    for (const account of ledger.accounts) this.accounts.set(account.Id, account);
    for (const [list, saved] of [[this.departments, ledger.departments], [this.classes, ledger.classes]] as const) {
      if (!saved) continue;
      list.clear();
      for (const tag of saved) list.set(tag.Id, tag);
    }
    this.journalEntries.splice(0, this.journalEntries.length, ...ledger.journalEntries);
    this.replies.clear();
    for (const { requestId, body } of ledger.replies) this.replies.set(requestId, { body });
    this.#lastJournalEntryId = ledger.lastJournalEntryId;
  }

  nextJournalEntryId(): string {
    this.#lastJournalEntryId += 1;
    return String(this.#lastJournalEntryId);
  }

  account(id: string): AccountRecord {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`Company ${this.realmId} has no account ${id}`);
    return account;
  }

  department(id: string): TagRecord {
    const department = this.departments.get(id);
    if (!department) throw new Error(`Company ${this.realmId} has no Location (Department) ${id}`);
    return department;
  }

  trackingClass(id: string): TagRecord {
    const found = this.classes.get(id);
    if (!found) throw new Error(`Company ${this.realmId} has no Class ${id}`);
    return found;
  }

  setClosingDate(date: string | null): void {
    this.closingDate = checkClosingDate(date);
  }
}

function checkClosingDate(date: string | null): string | null {
  if (date !== null && !isIsoDate(date)) throw new Error(`closingDate must be YYYY-MM-DD, got "${date}"`);
  return date;
}

function toRecord(account: SimulatorAccount): AccountRecord {
  const derived = CLASSIFICATION_BY_TYPE[account.AccountType];
  if (!derived) throw new Error(`Account ${account.Id}: unknown AccountType "${account.AccountType}"`);
  return { ...account, Classification: account.Classification ?? derived };
}

function metaData(ms: number): { CreateTime: string; LastUpdatedTime: string } {
  const time = qboTimestamp(ms);
  return { CreateTime: time, LastUpdatedTime: time };
}

export function accountResource(company: Company, account: AccountRecord): Record<string, unknown> {
  return {
    Name: account.Name,
    SubAccount: false,
    FullyQualifiedName: account.Name,
    Active: account.Active,
    Classification: account.Classification,
    AccountType: account.AccountType,
    ...(account.AccountSubType ? { AccountSubType: account.AccountSubType } : {}),
    ...(account.AcctNum ? { AcctNum: account.AcctNum } : {}),
    CurrentBalance: 0,
    CurrentBalanceWithSubAccounts: 0,
    CurrencyRef: currencyRef(company.homeCurrency),
    domain: "QBO",
    sparse: false,
    Id: account.Id,
    SyncToken: "0",
    MetaData: metaData(company.createdAt),
  };
}

/** A Department (a Location in QuickBooks' screens), as QuickBooks returns it. */
export function departmentResource(company: Company, department: TagRecord): Record<string, unknown> {
  return {
    Name: department.Name, SubDepartment: false, FullyQualifiedName: department.Name, Active: department.Active,
    domain: "QBO", sparse: false, Id: department.Id, SyncToken: "0", MetaData: metaData(company.createdAt),
  };
}

/** A Class, as QuickBooks returns it. */
export function classResource(company: Company, trackingClass: TagRecord): Record<string, unknown> {
  return {
    Name: trackingClass.Name, SubClass: false, FullyQualifiedName: trackingClass.Name, Active: trackingClass.Active,
    domain: "QBO", sparse: false, Id: trackingClass.Id, SyncToken: "0", MetaData: metaData(company.createdAt),
  };
}

export function companyInfoResource(company: Company): Record<string, unknown> {
  return {
    CompanyName: company.companyName,
    LegalName: company.companyName,
    Country: "US",
    SupportedLanguages: "en",
    FiscalYearStartMonth: "January",
    domain: "QBO",
    sparse: false,
    Id: "1",
    SyncToken: "0",
    MetaData: metaData(company.createdAt),
  };
}

export function preferencesResource(company: Company): Record<string, unknown> {
  return {
    AccountingInfoPrefs: {
      TrackDepartments: company.trackDepartments,
      ...(company.trackDepartments ? { DepartmentTerminology: "Location" } : {}),
      ClassTrackingPerTxn: company.classTracking === "per-transaction",
      ClassTrackingPerTxnLine: company.classTracking === "per-line",
      ...(company.closingDate ? { BookCloseDate: company.closingDate } : {}),
    },
    CurrencyPrefs: { MultiCurrencyEnabled: company.multiCurrencyEnabled, HomeCurrency: { value: company.homeCurrency } },
    TaxPrefs: { UsingSalesTax: false },
    OtherPrefs: {
      NameValue: [{ Name: "WarnDuplicateJournalNumber", Value: String(company.warnDuplicateJournalNumber) }],
    },
    domain: "QBO",
    sparse: false,
    Id: "1",
    SyncToken: "0",
    MetaData: metaData(company.createdAt),
  };
}
