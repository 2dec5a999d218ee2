/**
 * Where each provider asks a merchant for consent: the hosts the OAuth providers build their authorize
 * URLs on (clover.ts, square.ts, lib/quickbooks/oauth.ts) and, from the settings, the origins the web
 * app's Content-Security-Policy lets its forms lead to (form-action: lib/web/security.ts). Plain data,
 * so the web app names them from its start without loading the providers, which load with the routes
 * that use them (lib/wiring/api.ts). test/unit/consent-origins.test.ts holds every provider's authorize
 * URL, in every region the app offers, to these origins.
 */
import type { ApiConfig } from "../config";
import type { CloverRegion } from "../pos/clover/hosts";

/** Where each region's Clover merchants consent (clover.md §1.2); the API hosts are lib/pos/clover's. */
export const CLOVER_AUTHORIZE_HOSTS: Readonly<Record<CloverRegion, string>> = {
  us: "https://www.clover.com",
  eu: "https://www.eu.clover.com",
  la: "https://www.la.clover.com",
  sandbox: "https://sandbox.dev.clover.com",
};

/** The Clover regions whose merchants the connections page offers to connect (sandbox is a developer's). */
export const CLOVER_CONSENT_REGIONS = ["us", "eu", "la"] as const satisfies readonly CloverRegion[];

/** Intuit's consent page, the same for sandbox and production companies (qbo.md §7). */
export const INTUIT_AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2";

export type ConsentSettings = Pick<ApiConfig, "SQUARE_BASE_URL" | "SQUARE_AUTHORIZE_BASE_URL" | "CLOVER_BASE_URL" | "QUICKBOOKS_AUTHORIZE_URL">;

/**
 * The consent pages' origins under these settings, as lib/wiring/providers.ts configures the providers:
 * Square's authorize base (SQUARE_BASE_URL unless SQUARE_AUTHORIZE_BASE_URL says otherwise), each
 * offered Clover region's host (one simulator's for all when CLOVER_BASE_URL is set), Intuit's page.
 */
export function consentOrigins(settings: ConsentSettings): string[] {
  const clover = settings.CLOVER_BASE_URL !== undefined ? [settings.CLOVER_BASE_URL] : CLOVER_CONSENT_REGIONS.map((region) => CLOVER_AUTHORIZE_HOSTS[region]);
  const urls = [settings.SQUARE_AUTHORIZE_BASE_URL ?? settings.SQUARE_BASE_URL, ...clover, settings.QUICKBOOKS_AUTHORIZE_URL ?? INTUIT_AUTHORIZE_URL];
  return [...new Set(urls.map((url) => new URL(url).origin))];
}
