/**
 * The web app's Content-Security-Policy names the providers' consent pages from plain data
 * (lib/oauth/consent-origins.ts), so it needs no provider at start. These hold that data to the
 * providers themselves: under each kind of settings, the origins are exactly those of the authorize
 * URLs the providers make, for every Clover region the app offers, so neither can drift from the other.
 */
import { describe, expect, it } from "vitest";
import { type ApiConfig, loadConfig } from "../../lib/config";
import { CLOVER_CONSENT_REGIONS, consentOrigins } from "../../lib/oauth/consent-origins";
import { oauthProvidersFrom } from "../../lib/wiring/providers";

const REQUIRED = {
  DAYBOOK_TABLE: "daybook", DAYBOOK_PUBLIC_URL: "https://app.daybook.example", DAYBOOK_KMS_KEY_ID: "alias/daybook", DAYBOOK_EMAIL_FROM: "daybook <no-reply@daybook.example>",
  SQUARE_CLIENT_ID: "sq0idp-test", SQUARE_CLIENT_SECRET: "secret", SQUARE_WEBHOOK_SIGNATURE_KEY: "key",
  CLOVER_APP_ID: "APP", CLOVER_APP_SECRET: "secret", CLOVER_WEBHOOK_AUTH_CODE: "code",
  QUICKBOOKS_CLIENT_ID: "qb", QUICKBOOKS_CLIENT_SECRET: "secret", QUICKBOOKS_ENVIRONMENT: "production",
};

/** The origins the app's forms lead to, asked of the providers (as lib/web/app.ts did before the data). */
function providersOrigins(config: ApiConfig): Set<string> {
  const providers = oauthProvidersFrom(config);
  const urls = [
    providers.square.authorizeUrl({ state: "csp" }),
    providers.quickbooks.authorizeUrl({ state: "csp" }),
    ...CLOVER_CONSENT_REGIONS.map((region) => providers.clover.authorizeUrl({ state: "csp", region })),
  ];
  return new Set(urls.map((url) => new URL(url).origin));
}

describe("the consent pages' origins", () => {
  const settings: Record<string, Record<string, string>> = {
    "production (every default)": {},
    "Square's sandbox": { SQUARE_BASE_URL: "https://connect.squareupsandbox.com", QUICKBOOKS_ENVIRONMENT: "sandbox" },
    "Square's consent on a host of its own": { SQUARE_AUTHORIZE_BASE_URL: "https://squareup.com" },
    "simulators (the local stack and the tests)": {
      SQUARE_BASE_URL: "http://127.0.0.1:4001", CLOVER_BASE_URL: "http://127.0.0.1:4002", QUICKBOOKS_AUTHORIZE_URL: "http://127.0.0.1:4003/connect/oauth2",
      QUICKBOOKS_TOKEN_URL: "http://127.0.0.1:4003/token", QUICKBOOKS_REVOKE_URL: "http://127.0.0.1:4003/revoke", QUICKBOOKS_BASE_URL: "http://127.0.0.1:4003",
    },
  };
  for (const [name, overrides] of Object.entries(settings)) {
    it(`are exactly the providers' authorize URLs' origins: ${name}`, () => {
      const config = loadConfig("api", { ...REQUIRED, ...overrides });
      expect(new Set(consentOrigins(config))).toEqual(providersOrigins(config));
    });
  }

  it("name every offered Clover region's own consent host in production, and Square's and Intuit's pages", () => {
    expect(consentOrigins(loadConfig("api", REQUIRED))).toEqual([
      "https://connect.squareup.com", "https://www.clover.com", "https://www.eu.clover.com", "https://www.la.clover.com", "https://appcenter.intuit.com",
    ]);
  });
});
