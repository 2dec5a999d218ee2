/**
 * The demo merchant the local stack seeds into the simulators: a Square merchant with one location, a
 * Clover merchant and a QuickBooks company with the default chart of accounts, with a month of
 * generated sales ending yesterday. Each day's seed is its date, so every start serves the same sales.
 */
import type { Mapping } from "../../lib/domain/mapping";
import type { CloverSimulator } from "../clover/server";
import { cloverItems, generateCloverDay } from "../clover/generate-day";
import { DEFAULT_ACCOUNT_IDS, DEFAULT_ACCOUNTS, type QuickBooksSimulator } from "../quickbooks/server";
import { catalogBody, generateDay } from "../square/generate-day";
import type { SquareSimulator } from "../square/server";

export const DEMO = {
  timeZone: "America/New_York",
  currency: "USD",
  days: 30,
  square: { merchantId: "DEMOSQUARE01", businessName: "Main Street Coffee", locationId: "LDEMOMAINST01", locationName: "Main Street" },
  clover: { merchantId: "DEMOCLOVER001", name: "Harbor Kiosk" },
  quickbooks: {
    realmId: "9130355500000001", companyName: "Main Street Coffee LLC",
    departments: [{ Id: "1", Name: "Main Street", Active: true }, { Id: "2", Name: "Harbor", Active: true }],
    classes: [{ Id: "1", Name: "Coffee bar", Active: true }, { Id: "2", Name: "Retail", Active: true }],
  },
} as const;

/** The demo company numbers its accounts, as many accountants' clients do. */
const DEMO_ACCOUNT_NUMBERS: Readonly<Record<string, string>> = {
  [DEFAULT_ACCOUNT_IDS.checking]: "1000", [DEFAULT_ACCOUNT_IDS.accountsReceivable]: "1100", [DEFAULT_ACCOUNT_IDS.undepositedFunds]: "1200",
  [DEFAULT_ACCOUNT_IDS.cardClearing]: "1210", [DEFAULT_ACCOUNT_IDS.accountsPayable]: "2000", [DEFAULT_ACCOUNT_IDS.salesTax]: "2200",
  [DEFAULT_ACCOUNT_IDS.tips]: "2300", [DEFAULT_ACCOUNT_IDS.giftCards]: "2400", [DEFAULT_ACCOUNT_IDS.sales]: "4000",
  [DEFAULT_ACCOUNT_IDS.inactiveSales]: "4050", [DEFAULT_ACCOUNT_IDS.discounts]: "4900", [DEFAULT_ACCOUNT_IDS.bankCharges]: "6100",
  [DEFAULT_ACCOUNT_IDS.overShort]: "6900",
};

const accounts = DEFAULT_ACCOUNT_IDS;

/**
 * A mapping of the demo's Square sales onto the demo company's default chart of accounts, for a sync
 * before the mapping pages exist: every sale to one income account, card-like tenders to the clearing
 * account and cash to Undeposited Funds.
 */
export const DEMO_SQUARE_MAPPING: Mapping = {
  defaults: {
    sales: accounts.sales, discounts: accounts.discounts, returns: accounts.discounts, serviceCharges: accounts.sales,
    tax: accounts.salesTax, tips: accounts.tips, giftCards: accounts.giftCards, nonRevenue: accounts.giftCards,
    tenders: accounts.cardClearing, fees: accounts.bankCharges, rounding: accounts.overShort, overShort: accounts.overShort,
  },
  tenders: { CASH: accounts.undepositedFunds },
};

/** YYYY-MM-DD of the day before `now` in the time zone. */
export function yesterdayIn(timeZone: string, now: Date): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  return addDays(today, -1);
}

export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00.000Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The business days of the demo's sales, oldest first, ending yesterday. */
export function demoDays(now: Date): string[] {
  const last = yesterdayIn(DEMO.timeZone, now);
  return Array.from({ length: DEMO.days }, (_, index) => addDays(last, index - DEMO.days + 1));
}

const seedOf = (date: string, source: number) => Number(date.replaceAll("-", "")) * 10 + source;

export function seedDemo(simulators: { square: SquareSimulator; clover: CloverSimulator; quickbooks: QuickBooksSimulator }, now: Date): void {
  const { square, clover, quickbooks } = simulators;
  square.addMerchant({
    merchantId: DEMO.square.merchantId,
    businessName: DEMO.square.businessName,
    locations: [{ id: DEMO.square.locationId, name: DEMO.square.locationName, timezone: DEMO.timeZone, currency: DEMO.currency }],
  });
  square.setCatalog(DEMO.square.merchantId, catalogBody());
  clover.addMerchant({ merchantId: DEMO.clover.merchantId, name: DEMO.clover.name, timezone: DEMO.timeZone, currency: DEMO.currency });
  clover.setItems(DEMO.clover.merchantId, cloverItems());
  quickbooks.addCompany({
    realmId: DEMO.quickbooks.realmId, companyName: DEMO.quickbooks.companyName, homeCurrency: DEMO.currency,
    accounts: DEFAULT_ACCOUNTS.map((account) => ({ ...account, AcctNum: DEMO_ACCOUNT_NUMBERS[account.Id] })),
    // Tracked by location and class, so a location can be tagged on the locations page.
    trackDepartments: true, classTracking: "per-line", departments: DEMO.quickbooks.departments, classes: DEMO.quickbooks.classes,
  });

  for (const date of demoDays(now)) {
    const squareDay = generateDay({ seed: seedOf(date, 1), date, timeZone: DEMO.timeZone, locationId: DEMO.square.locationId, currency: DEMO.currency, sales: 40 });
    square.addOrders(DEMO.square.locationId, squareDay.orders);
    const cloverDay = generateCloverDay({ seed: seedOf(date, 2), date, timeZone: DEMO.timeZone, merchantId: DEMO.clover.merchantId, currency: DEMO.currency, orders: 25 });
    clover.addOrders(DEMO.clover.merchantId, cloverDay.orders);
  }
}
