/** Clover's REST hosts per region (reference/clover.md §1.2): data the OAuth provider and the reader both need, apart from the reader. */
export const CLOVER_API_HOSTS = {
  us: "https://api.clover.com",
  eu: "https://api.eu.clover.com",
  la: "https://api.la.clover.com",
  sandbox: "https://apisandbox.dev.clover.com",
} as const;

export type CloverRegion = keyof typeof CLOVER_API_HOSTS;
