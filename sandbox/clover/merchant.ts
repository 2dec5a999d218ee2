/**
 * The merchant and its properties as the Clover simulator sends them (reference/clover.md §2.6):
 * `GET /v3/merchants/{mId}` (with `expand=properties`) and `GET /v3/merchants/{mId}/properties`, which
 * holds the merchant's time zone and currency, next to banking fields that must never be logged.
 */
import { type JsonObject, MERCHANT_EXPANSIONS, render } from "./expansion";
import { parseExpand } from "./list-query";
import type { CloverRegion, MerchantInput } from "./store";

const LOCALE_OF_REGION: Readonly<Record<CloverRegion, string>> = { us: "en_US", sandbox: "en_US", eu: "en_IE", la: "es_MX" };

export function propertiesBody(merchant: MerchantInput): JsonObject {
  return {
    merchantRef: { id: merchant.merchantId },
    defaultCurrency: merchant.currency,
    tipsEnabled: true,
    summaryHour: 0,
    locale: LOCALE_OF_REGION[merchant.region ?? "us"],
    timezone: merchant.timezone,
    vat: merchant.region === "eu",
    abaAccountNumber: "XXXXX6789",
    ddaAccountNumber: "XXXXXX1234",
  };
}

export function merchantBody(merchant: MerchantInput & { createdTime: number }, params: URLSearchParams): JsonObject {
  const body = {
    id: merchant.merchantId,
    name: merchant.name,
    defaultCurrency: merchant.currency,
    createdTime: merchant.createdTime,
    properties: propertiesBody(merchant),
  };
  return render(body, MERCHANT_EXPANSIONS, parseExpand(params, MERCHANT_EXPANSIONS));
}
