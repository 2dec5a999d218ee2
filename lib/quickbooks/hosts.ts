/** Intuit's QuickBooks Online API hosts per environment (qbo.md §7): data the OAuth client and every runtime's provider hosts need, apart from the client. */
export const INTUIT_API_BASES = {
  production: "https://quickbooks.api.intuit.com",
  sandbox: "https://sandbox-quickbooks.api.intuit.com",
} as const;

export type QuickBooksEnvironment = keyof typeof INTUIT_API_BASES;
