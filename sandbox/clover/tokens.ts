/**
 * Expiring access tokens for the Clover simulator (reference/clover.md §1.4): each belongs to one
 * merchant and stops working at its expiry on the simulator's clock, or when the merchant uninstalls
 * the app. oauth.ts issues them through the OAuth endpoints; tests may also be handed them directly.
 */
import * as z from "zod/mini";
// English messages (lib/validation.ts sets the locale).
import "../../lib/validation";
import { mintSecret } from "../secret-token";
import { unauthorized } from "./api-error";

/** Clover does not document access-token lifetimes ("dynamic"); an hour is a plausible one. */
const DEFAULT_LIFETIME_MS = 3_600_000;

interface IssuedToken {
  merchantId: string;
  expiresAt: number;
  revoked: boolean;
}

export const accessTokensStateSchema = z.array(z.object({ token: z.string(), merchantId: z.string(), expiresAt: z.number(), revoked: z.boolean() }));
export type AccessTokensState = z.infer<typeof accessTokensStateSchema>;

export class AccessTokens {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number) {}

  exportState(): AccessTokensState {
    return [...this.issued].map(([token, issued]) => ({ token, ...issued }));
  }

  /** Replaces the tokens with saved ones. */
  importState(saved: unknown): void {
    this.issued.clear();
    for (const { token, ...issued } of accessTokensStateSchema.parse(saved)) this.issued.set(token, issued);
  }

  issue(merchantId: string, lifetimeMs = DEFAULT_LIFETIME_MS): string {
    if (!(lifetimeMs > 0)) throw new Error("a token's lifetime must be positive");
    const token = mintSecret("clv-at-", 18);
    this.issued.set(token, { merchantId, expiresAt: this.now() + lifetimeMs, revoked: false });
    return token;
  }

  expiryOf(token: string): number {
    const issued = this.issued.get(token);
    if (!issued) throw new Error("unknown access token");
    return issued.expiresAt;
  }

  /** The app was uninstalled: the merchant's tokens stop working. */
  revokeMerchant(merchantId: string): void {
    for (const issued of this.issued.values()) if (issued.merchantId === merchantId) issued.revoked = true;
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
    if (!issued || issued.revoked) throw unauthorized("The access token is not valid.");
    if (this.now() >= issued.expiresAt) throw unauthorized("The access token has expired; refresh it.");
    return issued.merchantId;
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}
