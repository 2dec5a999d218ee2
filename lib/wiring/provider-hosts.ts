/**
 * Where the providers' APIs are and how patient their clients are: settings every runtime composes at
 * start, apart from the clients themselves (lib/wiring/provider-apis.ts), which load with the paths
 * that call the providers.
 */
import { INTUIT_API_BASES, type QuickBooksEnvironment } from "../quickbooks/hosts";

export interface ProviderHosts {
  squareBaseUrl: string;
  /** One host standing in for every Clover region (a simulator); each connection's region otherwise. */
  cloverBaseUrl?: string;
  quickBooksBaseUrl: string;
}

/** How patient the clients are, per provider; each client's own defaults where unset. */
export interface ApiTuning {
  square?: { timeoutMs?: number; maxRetries?: number };
  clover?: { timeoutMs?: number; maxRetries?: number; sleep?: (ms: number) => Promise<void> };
  quickBooks?: { timeoutMs?: number; maxAttempts?: number; sleep?: (ms: number) => Promise<void> };
}

/** A person is waiting: 15 s a request, one retry. */
export const PAGE_TUNING: ApiTuning = {
  square: { timeoutMs: 15_000, maxRetries: 1 },
  clover: { timeoutMs: 15_000, maxRetries: 1 },
  quickBooks: { timeoutMs: 15_000, maxAttempts: 2 },
};

/** The hosts from the settings: Intuit's API for the environment unless QUICKBOOKS_BASE_URL says otherwise. */
export function providerHostsFrom(config: {
  SQUARE_BASE_URL: string; CLOVER_BASE_URL?: string | undefined; QUICKBOOKS_BASE_URL?: string | undefined; QUICKBOOKS_ENVIRONMENT: QuickBooksEnvironment;
}): ProviderHosts {
  return {
    squareBaseUrl: config.SQUARE_BASE_URL,
    ...(config.CLOVER_BASE_URL !== undefined ? { cloverBaseUrl: config.CLOVER_BASE_URL } : {}),
    quickBooksBaseUrl: config.QUICKBOOKS_BASE_URL ?? INTUIT_API_BASES[config.QUICKBOOKS_ENVIRONMENT],
  };
}
