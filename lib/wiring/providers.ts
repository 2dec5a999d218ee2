/**
 * The three OAuth providers from the settings. Redirect URIs are the web app's:
 * `${DAYBOOK_PUBLIC_URL}/connect/<provider>/callback`; the worker and the CLI only refresh and revoke.
 */
import type { ApiConfig } from "../config";
import type { ProviderName } from "../model";
import { createCloverProvider } from "../oauth/clover";
import type { OAuthProvider } from "../oauth/provider";
import { createQuickBooksProvider } from "../oauth/quickbooks";
import { createSquareProvider } from "../oauth/square";

export type ProviderSettings = Pick<
  ApiConfig,
  "DAYBOOK_PUBLIC_URL" | "SQUARE_CLIENT_ID" | "SQUARE_CLIENT_SECRET" | "SQUARE_BASE_URL" | "CLOVER_APP_ID" | "CLOVER_APP_SECRET" | "CLOVER_BASE_URL" |
  "QUICKBOOKS_CLIENT_ID" | "QUICKBOOKS_CLIENT_SECRET" | "QUICKBOOKS_ENVIRONMENT" | "QUICKBOOKS_TOKEN_URL" | "QUICKBOOKS_REVOKE_URL"
> & Partial<Pick<ApiConfig, "SQUARE_AUTHORIZE_BASE_URL" | "QUICKBOOKS_AUTHORIZE_URL" | "QUICKBOOKS_BASE_URL">>;

export interface ProviderOptions {
  now?: () => Date;
  /** Per request of Square's and Clover's OAuth calls (their own default when unset). */
  timeoutMs?: number;
}

export function oauthProvidersFrom(config: ProviderSettings, options: ProviderOptions = {}): Record<ProviderName, OAuthProvider> {
  const redirectUri = (provider: ProviderName) => `${config.DAYBOOK_PUBLIC_URL}/connect/${provider}/callback`;
  const common = { ...(options.now ? { now: options.now } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
  return {
    square: createSquareProvider({
      clientId: config.SQUARE_CLIENT_ID, clientSecret: config.SQUARE_CLIENT_SECRET, redirectUri: redirectUri("square"), baseUrl: config.SQUARE_BASE_URL,
      ...(config.SQUARE_AUTHORIZE_BASE_URL ? { authorizeBaseUrl: config.SQUARE_AUTHORIZE_BASE_URL } : {}),
      ...common,
    }),
    clover: createCloverProvider({
      clientId: config.CLOVER_APP_ID, clientSecret: config.CLOVER_APP_SECRET, redirectUri: redirectUri("clover"),
      ...(config.CLOVER_BASE_URL ? { hostsOverride: config.CLOVER_BASE_URL } : {}),
      ...common,
    }),
    quickbooks: createQuickBooksProvider({
      clientId: config.QUICKBOOKS_CLIENT_ID, clientSecret: config.QUICKBOOKS_CLIENT_SECRET, redirectUri: redirectUri("quickbooks"),
      environment: config.QUICKBOOKS_ENVIRONMENT,
      endpoints: {
        ...(config.QUICKBOOKS_AUTHORIZE_URL ? { authorize: config.QUICKBOOKS_AUTHORIZE_URL } : {}),
        ...(config.QUICKBOOKS_TOKEN_URL ? { token: config.QUICKBOOKS_TOKEN_URL } : {}),
        ...(config.QUICKBOOKS_REVOKE_URL ? { revoke: config.QUICKBOOKS_REVOKE_URL } : {}),
        // The connect callback asks the company's CompanyInfo which company the new token opens.
        ...(config.QUICKBOOKS_BASE_URL ? { apiBase: config.QUICKBOOKS_BASE_URL } : {}),
      },
      ...(options.now ? { now: options.now } : {}),
    }),
  };
}
