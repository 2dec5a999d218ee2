/**
 * Expiring access tokens for the Clover simulator (reference/clover.md §1.4): each belongs to one
 * merchant and stops working at its expiry on the simulator's clock. The OAuth exchange itself is not
 * simulated; tests are handed tokens directly.
 */
import { randomUUID } from "node:crypto";
import { unauthorized } from "./api-error";

/** Clover does not document access-token lifetimes ("dynamic"); an hour is a plausible one. */
const DEFAULT_LIFETIME_MS = 3_600_000;

interface IssuedToken {
  merchantId: string;
  expiresAt: number;
}

export class AccessTokens {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number) {}

  issue(merchantId: string, lifetimeMs = DEFAULT_LIFETIME_MS): string {
    if (!(lifetimeMs > 0)) throw new Error("a token's lifetime must be positive");
    const token = randomUUID();
    this.issued.set(token, { merchantId, expiresAt: this.now() + lifetimeMs });
    return token;
  }

  has(token: string): boolean {
    return this.issued.has(token);
  }

  tokensOf(merchantId: string): string[] {
    return [...this.issued].filter(([, issued]) => issued.merchantId === merchantId).map(([token]) => token);
  }

  /** The merchant a bearer token belongs to; 401 when it is missing, unknown or expired. */
  merchantOf(token: string | undefined): string {
    if (token === undefined) throw unauthorized("No access token was sent; use Authorization: Bearer <token>.");
    const issued = this.issued.get(token);
    if (!issued) throw unauthorized("The access token is not valid.");
    if (this.now() >= issued.expiresAt) throw unauthorized("The access token has expired; refresh it.");
    return issued.merchantId;
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}
