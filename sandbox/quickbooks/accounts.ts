/**
 * POST /v3/company/{realmId}/account: creating an account in the chart, the one write besides a journal
 * entry create that daybook makes (when the merchant asks it to create the clearing and liability
 * accounts the mapping needs). Updates and deletes of accounts stay refused and recorded
 * (api-routes.ts forbiddenWrite).
 *
 * The rules, and where they come from:
 * - The Account entity (https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/account,
 *   summarised in qbo.md §4.1): `Name` is required, at most 100 characters, and must not contain a double
 *   quote or a colon (the colon separates levels of FullyQualifiedName); `Classification` is read-only and
 *   derived from `AccountType`; a new account is Active with SyncToken "0".
 * - AccountType and AccountSubType values: AccountTypeEnum / AccountSubTypeEnum of Finance.xsd and the
 *   Account reference's type→subtype table (qbo.md §4.2). Clients such as the quickbooks-types crate
 *   (docs.rs, models/account.rs) say QuickBooks can infer the type from a subtype alone; the simulator
 *   demands AccountType, which daybook always sends. Which fault an unknown enumeration or a subtype of
 *   another type gets is not documented: the simulator answers 2170 "Invalid Enumeration" (as for a
 *   journal entry's PostingType) and a 6000 business validation error respectively [unverified].
 * - Duplicate names: QuickBooks refuses a second account of the same name with a ValidationFault, code
 *   6240 "Duplicate Name Exists Error", HTTP 400, e.g. <Error code="6240"><Message>Duplicate Name Exists
 *   Error</Message><Detail>The name supplied already exists. : ...</Detail> (intuit/QuickBooks-V3-PHP-SDK
 *   issue #241 shows the Fault for a customer; public client code quotes the account variant "Another
 *   account is already using this name. Please use a different name."; Nine-Minds/alga-psa PR #2673 maps
 *   6240 to "duplicate name"). Names compare case-insensitively here. QuickBooks renames an account made
 *   inactive to "<Name> (deleted)", which frees its name, so only active accounts count as duplicates.
 */
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { type AccountRecord, CLASSIFICATION_BY_TYPE, type Company } from "./companies";
import { businessValidationFault, SimulatorFault, validationFault } from "./faults";

export const MAX_ACCOUNT_NAME = 100;

/** AccountType → its AccountSubType values (Finance.xsd AccountSubTypeEnum, grouped as the Account reference does). */
export const ACCOUNT_SUBTYPES: Readonly<Record<string, readonly string[]>> = {
  Bank: ["CashOnHand", "Checking", "MoneyMarket", "RentsHeldInTrust", "Savings", "TrustAccounts"],
  "Other Current Asset": [
    "AllowanceForBadDebts", "DevelopmentCosts", "EmployeeCashAdvances", "OtherCurrentAssets", "Inventory", "Investment_MortgageRealEstateLoans",
    "Investment_Other", "Investment_TaxExemptSecurities", "Investment_USGovernmentObligations", "LoansToOfficers", "LoansToOthers",
    "LoansToStockholders", "PrepaidExpenses", "Retainage", "UndepositedFunds",
  ],
  "Fixed Asset": [
    "AccumulatedDepletion", "AccumulatedDepreciation", "DepletableAssets", "FixedAssetComputers", "FixedAssetCopiers", "FixedAssetFurniture",
    "FixedAssetPhone", "FixedAssetPhotoVideo", "FixedAssetSoftware", "FixedAssetOtherToolsEquipment", "FurnitureAndFixtures", "Land",
    "LeaseholdImprovements", "OtherFixedAssets", "AccumulatedAmortization", "Buildings", "IntangibleAssets", "MachineryAndEquipment", "Vehicles",
  ],
  "Other Asset": ["LeaseBuyout", "OtherLongTermAssets", "SecurityDeposits", "AccumulatedAmortizationOfOtherAssets", "Goodwill", "Licenses", "OrganizationalCosts"],
  "Accounts Receivable": ["AccountsReceivable"],
  Equity: [
    "OpeningBalanceEquity", "PartnersEquity", "RetainedEarnings", "AccumulatedAdjustment", "OwnersEquity", "PaidInCapitalOrSurplus",
    "PartnerContributions", "PartnerDistributions", "PreferredStock", "CommonStock", "TreasuryStock",
  ],
  Expense: [
    "AdvertisingPromotional", "BadDebts", "BankCharges", "CharitableContributions", "CommissionsAndFees", "Entertainment", "EntertainmentMeals",
    "EquipmentRental", "FinanceCosts", "GlobalTaxExpense", "Insurance", "InterestPaid", "LegalProfessionalFees", "OfficeExpenses",
    "OfficeGeneralAdministrativeExpenses", "OtherBusinessExpenses", "OtherMiscellaneousServiceCost", "PromotionalMeals", "RentOrLeaseOfBuildings",
    "RepairMaintenance", "ShippingFreightDelivery", "SuppliesMaterials", "Travel", "TravelMeals", "Utilities", "Auto", "CostOfLabor",
    "DuesSubscriptions", "PayrollExpenses", "TaxesPaid",
  ],
  "Other Expense": ["Depreciation", "ExchangeGainOrLoss", "OtherMiscellaneousExpense", "PenaltiesSettlements", "Amortization"],
  "Cost of Goods Sold": ["EquipmentRentalCos", "OtherCostsOfServiceCos", "ShippingFreightDeliveryCos", "SuppliesMaterialsCogs", "CostOfLaborCos"],
  "Accounts Payable": ["AccountsPayable"],
  "Credit Card": ["CreditCard"],
  "Long Term Liability": ["NotesPayable", "OtherLongTermLiabilities", "ShareholderNotesPayable"],
  "Other Current Liability": [
    "DirectDepositPayable", "LineOfCredit", "LoanPayable", "GlobalTaxPayable", "GlobalTaxSuspense", "OtherCurrentLiabilities", "PayrollClearing",
    "PayrollTaxPayable", "PrepaidExpensesPayable", "RentsInTrustLiability", "TrustAccountsLiabilities", "FederalIncomeTaxPayable",
    "InsurancePayable", "SalesTaxPayable", "StateLocalIncomeTaxPayable", "DeferredRevenue",
  ],
  Income: [
    "NonProfitIncome", "OtherPrimaryIncome", "SalesOfProductIncome", "ServiceFeeIncome", "DiscountsRefundsGiven", "UnappliedCashPaymentIncome",
    "SalesRetail", "SalesWholesale", "RevenueGeneral",
  ],
  "Other Income": ["DividendIncome", "InterestEarned", "OtherInvestmentIncome", "OtherMiscellaneousIncome", "TaxExemptInterest"],
};

const ref = z.strictObject({ value: z.string(), name: z.optional(z.string()) });

/** The fields a create may carry; anything else is QuickBooks' 2010. Sub-accounts are not simulated. */
const accountBody = z.strictObject({
  Name: z.optional(z.unknown()),
  AccountType: z.optional(z.unknown()),
  AccountSubType: z.optional(z.unknown()),
  Description: z.optional(z.string()),
  AcctNum: z.optional(z.string()),
  Active: z.optional(z.boolean()),
  SubAccount: z.optional(z.literal(false)),
  CurrencyRef: z.optional(ref),
  Classification: z.optional(z.string()),
  domain: z.optional(z.string()),
});

function required(element: string): SimulatorFault {
  return validationFault("2020", "Required param missing, need to supply the required value for the API", `Required parameter ${element} is missing in the request`, element);
}

function invalidEnumeration(element: string, value: string): SimulatorFault {
  return validationFault("2170", "Invalid Enumeration", `Invalid Enumeration : ${value}`, element);
}

/** Checks a create request's body and adds the account to the company; returns the stored record. */
export function createAccount(company: Company, input: unknown): AccountRecord {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw validationFault("2010", "Request has invalid or unsupported property", "The request body must be an Account object.");
  }
  const parsed = accountBody.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : String(issue?.path[0] ?? "");
    throw validationFault("2010", "Request has invalid or unsupported property", `Property Name:Unrecognized field "${key}" specified is unsupported or invalid`, key);
  }
  const body = parsed.data;

  if (body.Name === undefined || body.Name === null) throw required("Name");
  if (typeof body.Name !== "string") throw validationFault("2010", "Request has invalid or unsupported property", "Property Name:Name must be a string", "Name");
  const name = body.Name.trim();
  if (name.length === 0) throw required("Name");
  if (name.length > MAX_ACCOUNT_NAME) {
    throw validationFault(
      "2050",
      "String length is either shorter or longer than supported by specification",
      `String length specified does not match the supported length. Min:1 Max:${MAX_ACCOUNT_NAME} supported. Supplied length:${name.length}`,
      "Name",
    );
  }
  if (/[":]/.test(name)) throw businessValidationFault('An account name cannot contain a double quote (") or a colon (:).', "Name");

  if (body.AccountType === undefined || body.AccountType === null) throw required("AccountType");
  if (typeof body.AccountType !== "string" || !Object.hasOwn(ACCOUNT_SUBTYPES, body.AccountType)) throw invalidEnumeration("AccountType", JSON.stringify(body.AccountType));
  const accountType = body.AccountType;
  let accountSubType: string | undefined;
  if (body.AccountSubType !== undefined && body.AccountSubType !== null) {
    const subType = typeof body.AccountSubType === "string" ? body.AccountSubType : JSON.stringify(body.AccountSubType);
    const known = Object.values(ACCOUNT_SUBTYPES).some((subTypes) => subTypes.includes(subType));
    if (!known) throw invalidEnumeration("AccountSubType", subType);
    if (!ACCOUNT_SUBTYPES[accountType]?.includes(subType)) {
      throw businessValidationFault(`The detail type ${subType} does not belong to the account type ${accountType}. Choose a detail type of that account type.`, "AccountSubType");
    }
    accountSubType = subType;
  }
  if (body.Active === false) throw businessValidationFault("A new account must be active.", "Active");
  if (body.CurrencyRef !== undefined && body.CurrencyRef.value !== company.homeCurrency && !company.multiCurrencyEnabled) {
    throw businessValidationFault(`Multicurrency is off: an account must be in the home currency ${company.homeCurrency}.`, "CurrencyRef");
  }

  const taken = [...company.accounts.values()].find((account) => account.Active && account.Name.toLowerCase() === name.toLowerCase());
  if (taken) {
    throw validationFault(
      "6240",
      "Duplicate Name Exists Error",
      "The name supplied already exists. : Another account is already using this name. Please use a different name.",
      "Name",
    );
  }

  const record: AccountRecord = {
    Id: nextAccountId(company),
    Name: name,
    AccountType: accountType,
    ...(accountSubType !== undefined ? { AccountSubType: accountSubType } : {}),
    ...(body.AcctNum !== undefined && body.AcctNum.trim() !== "" ? { AcctNum: body.AcctNum.trim() } : {}),
    Classification: CLASSIFICATION_BY_TYPE[accountType] ?? "Asset",
    Active: true,
  };
  company.accounts.set(record.Id, record);
  return record;
}

/** One more than the largest numeric Id in the chart: unique, and the same after the ledger is saved and loaded. */
function nextAccountId(company: Company): string {
  let largest = 0;
  for (const id of company.accounts.keys()) if (/^\d+$/.test(id)) largest = Math.max(largest, Number(id));
  return String(largest + 1);
}
