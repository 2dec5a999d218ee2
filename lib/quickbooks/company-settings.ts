/**
 * The company's name, home currency and multicurrency setting (CompanyInfo and Preferences). Kept on
 * the connection once read: only connecting, a refusal they explain and an account-change webhook read
 * them again, so the client (lib/quickbooks/client.ts) loads this module on those calls.
 */
import * as z from "zod/mini";
import type { QuickBooksRequests } from "./client";
import type { CompanySettings } from "./types";

const companyInfoResponse = z.object({ CompanyInfo: z.object({ CompanyName: z.string() }) });

const preferencesResponse = z.object({
  Preferences: z.object({
    CurrencyPrefs: z.object({ HomeCurrency: z.object({ value: z.string() }), MultiCurrencyEnabled: z.optional(z.boolean()) }),
  }),
});

export async function readCompanySettings(requests: QuickBooksRequests, realmId: string): Promise<CompanySettings> {
  const context = { action: "read the company's settings" };
  const info = await requests.send({ method: "GET", path: `companyinfo/${encodeURIComponent(realmId)}`, context }, companyInfoResponse);
  const preferences = await requests.send({ method: "GET", path: "preferences", context }, preferencesResponse);
  const currency = preferences.Preferences.CurrencyPrefs;
  return {
    companyName: info.CompanyInfo.CompanyName,
    homeCurrency: currency.HomeCurrency.value,
    multiCurrencyEnabled: currency.MultiCurrencyEnabled ?? false,
  };
}
